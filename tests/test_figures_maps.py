"""Map insets and scale bars (presentation/maps.py): which districts get a close-up, and
what each close-up shows."""

from __future__ import annotations

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from shapely.geometry import box  # noqa: E402

from needs_assessment.presentation import maps  # noqa: E402

KM = 1000.0


def toy_area():
    """Two 40 x 40 km districts: 'Town' holds sixteen 0.5 km squares in a corner of it,
    'Country' four 20 km squares; areas in metres (EPSG:27700)."""
    districts = gpd.GeoDataFrame(
        {"lad17_name": ["Town", "Country"]},
        geometry=[box(0, 0, 40 * KM, 40 * KM), box(40 * KM, 0, 80 * KM, 40 * KM)],
        crs="EPSG:27700",
    )
    small = [
        box(x * 0.5 * KM, y * 0.5 * KM, (x + 1) * 0.5 * KM, (y + 1) * 0.5 * KM)
        for x in range(4)
        for y in range(4)
    ]
    large = [
        box(40 * KM + x * 20 * KM, y * 20 * KM, 40 * KM + (x + 1) * 20 * KM, (y + 1) * 20 * KM)
        for x in range(2)
        for y in range(2)
    ]
    areas = gpd.GeoDataFrame(
        {"name": [f"S{i}" for i in range(16)] + [f"L{i}" for i in range(4)]},
        geometry=small + large,
        crs="EPSG:27700",
    )
    return areas, districts


def test_only_districts_whose_flagged_areas_are_small_are_zoomed():
    areas, districts = toy_area()
    flagged = np.array([True] * 3 + [False] * 13 + [True] * 4)
    assert maps.districts_to_zoom(areas, flagged, districts) == ["Town"]
    assert maps.districts_to_zoom(areas, np.zeros(20, dtype=bool), districts) == []


def test_most_flagged_small_areas_first_and_at_most_limit():
    areas, districts = toy_area()
    areas = areas.copy()
    # Shrink the country squares to 0.5 km: both districts now qualify, Town with more.
    areas.loc[16:, "geometry"] = [
        box(40 * KM + i * KM, 0, 40 * KM + i * KM + 0.5 * KM, 0.5 * KM) for i in range(4)
    ]
    flagged = np.array([True] * 6 + [False] * 10 + [True] * 2 + [False] * 2)
    assert maps.districts_to_zoom(areas, flagged, districts, limit=5) == ["Town", "Country"]
    assert maps.districts_to_zoom(areas, flagged, districts, limit=1) == ["Town"]


def test_degrees_are_refused_and_mask_must_match():
    areas, districts = toy_area()
    with pytest.raises(ValueError, match="projected metres"):
        maps.districts_to_zoom(areas.to_crs("EPSG:4326"), [True] * 20, districts)
    with pytest.raises(ValueError, match="3 values for 20 areas"):
        maps.districts_to_zoom(areas, [True] * 3, districts)


def test_inset_is_titled_framed_on_the_flagged_areas_and_has_a_scale_bar():
    areas, districts = toy_area()
    flagged = np.array([True, True] + [False] * 18)
    fig, ax = maps.map_figure()
    areas.plot(ax=ax, color="#cccccc")
    insets = maps.add_insets(
        ax, areas, flagged, districts, colours=["#cccccc"] * 20, labels=areas["name"]
    )
    assert [i.district for i in insets] == ["Town"]
    inset = insets[0].ax
    assert inset.get_title() == "Town"
    left, right = inset.get_xlim()
    assert left < 0 < 0.5 * KM < right and right - left < 10 * KM  # zoomed on the squares
    texts = [t.get_text() for t in inset.texts]
    assert {"S0", "S1"} <= set(texts)
    assert any(t.endswith(" km") for t in texts)
    assert inset.get_position().x0 >= ax.get_position().x1  # beside the map, not over it
    plt.close(fig)


def test_an_explicit_district_without_flagged_areas_is_an_error():
    areas, districts = toy_area()
    fig, ax = maps.map_figure()
    with pytest.raises(ValueError, match="no flagged area lies in district 'Country'"):
        maps.add_insets(
            ax, areas, [True] + [False] * 19, districts, colours=["#ccc"] * 20, zoom=["Country"]
        )
    plt.close(fig)


@pytest.mark.parametrize(("width_km", "expected"), [(3, 0.5), (10, 2), (40, 10), (400, 100)])
def test_scale_bar_picks_a_round_length_under_the_share(width_km, expected):
    fig, ax = plt.subplots()
    ax.set_xlim(0, width_km * KM)
    ax.set_ylim(0, width_km * KM)
    assert maps.scale_bar(ax) == expected
    plt.close(fig)


def test_default_area_zooms_on_peterborough_and_cambridge(ready):
    """The issue's example: the most deprived, highest-rate LSOAs of Peterborough and
    Cambridge are too small to see at force scale."""
    from needs_assessment.chapters import registry
    from needs_assessment.chapters.deprivation import charts

    result = registry.build("deprivation", ready)
    table = result.headline.table
    shapes = result.lsoa_boundaries.merge(
        table[["lsoa11_code", "deprivation_tercile", "violence_tercile"]], on="lsoa11_code"
    )
    both_high = (shapes["deprivation_tercile"] == 3) & (shapes["violence_tercile"] == 3)
    chosen = maps.districts_to_zoom(shapes, both_high, result.district_boundaries)
    assert chosen == ["Peterborough", "Cambridge"]
    for draw in (charts.bivariate_map, charts.unexpected_map):
        fig = draw(result)
        titles = {a.get_title() for a in fig.axes}
        assert {"Peterborough", "Cambridge"} <= titles, draw.__name__
        plt.close(fig)


def test_a_map_with_no_room_beside_it_takes_its_insets_inside():
    """A long, flat area fills the map's width, leaving too little height for an inset in
    the column beside it: the inset goes in the emptiest corner of the map instead."""
    areas, districts = toy_area()
    stretch = np.array([[10.0, 0], [0, 0.5]])
    from shapely import affinity

    def flat(frame):
        return frame.set_geometry(
            [affinity.affine_transform(g, [*stretch.ravel(), 0, 0]) for g in frame.geometry]
        )

    areas, districts = flat(areas), flat(districts)
    fig, ax = maps.map_figure(map_share=0.9)
    areas.plot(ax=ax, color="#cccccc")
    flagged = np.array([True] + [False] * 19)
    insets = maps.add_insets(ax, areas, flagged, districts, colours=["#cccccc"] * 20)
    assert [i.district for i in insets] == ["Town"]
    assert insets[0].ax in ax.child_axes  # drawn on the map, not beside it
    plt.close(fig)
