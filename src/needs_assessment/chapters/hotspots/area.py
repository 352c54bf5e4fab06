"""The study area for the hotspots chapter: the area's LSOA polygons and district outlines."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from needs_assessment import small_area


def area_lsoas(
    boundaries: gpd.GeoDataFrame, lookup: pd.DataFrame, districts: dict[str, str]
) -> gpd.GeoDataFrame:
    """The area's LSOAs (:func:`small_area.area_lsoas`) with their polygons:
    ``lsoa_code, lsoa_name, district_code, district, geometry``."""
    frame = small_area.area_lsoas(lookup, districts)
    shapes = boundaries.drop_duplicates("lsoa11_code").set_index("lsoa11_code").geometry
    missing = frame.loc[~frame["lsoa11_code"].isin(shapes.index), "lsoa11_code"].tolist()
    if missing:
        raise ValueError(f"{len(missing)} LSOAs of the area have no boundary, e.g. {missing[0]}")
    return gpd.GeoDataFrame(
        {
            "lsoa_code": frame["lsoa11_code"].astype(str).to_numpy(),
            "lsoa_name": frame["lsoa11_name"].astype(str).to_numpy(),
            "district_code": frame["district_code"].astype(str).to_numpy(),
            "district": frame["district"].astype(str).to_numpy(),
        },
        geometry=shapes.reindex(frame["lsoa11_code"]).to_numpy(),
        crs=boundaries.crs,
    )


def area_districts(lsoas: gpd.GeoDataFrame, sliver_share: float = 0.001) -> gpd.GeoDataFrame:
    """District outlines dissolved from the area's LSOAs: ``district_code, district, geometry``.

    Dissolving the LSOAs (rather than drawing the separate district boundary file, which is
    generalised differently) keeps outlines and LSOAs aligned on the maps. Holes smaller
    than ``sliver_share`` of a district's area (gaps between generalised LSOA polygons)
    are filled; real holes (Cambridge inside South Cambridgeshire) stay.
    """
    dissolved = lsoas.dissolve("district_code", as_index=False)[
        ["district_code", "district", "geometry"]
    ]
    dissolved["geometry"] = [_fill_slivers(g, sliver_share) for g in dissolved.geometry]
    return dissolved.sort_values("district").reset_index(drop=True)


def _fill_slivers(geometry, share: float):
    parts = []
    for part in shapely.get_parts(geometry):
        holes = [
            ring for ring in part.interiors if shapely.Polygon(ring).area >= share * geometry.area
        ]
        parts.append(shapely.Polygon(part.exterior, holes))
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
