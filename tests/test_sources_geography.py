"""Geography: LSOA lookups, boundaries in British National Grid, LSOA code vintages."""

from __future__ import annotations

import gzip

import pandas as pd
import pyogrio
import pytest

from needs_assessment.errors import DataError
from needs_assessment.sources import geography

CP_DISTRICTS = ["E07000008", "E07000009", "E07000010", "E07000011", "E07000012", "E06000031"]


@pytest.fixture(scope="module")
def lookup() -> pd.DataFrame:
    return geography.read_lsoa_district_lookup()


@pytest.fixture(scope="module")
def forces() -> pd.DataFrame:
    return geography.read_lsoa_force_lookup()


def test_district_lookup_collapses_output_areas(lookup):
    assert len(lookup) == 34_753
    assert lookup["country"].value_counts().to_dict() == {"England": 32_844, "Wales": 1_909}
    cp = lookup[lookup["lad17_code"].isin(CP_DISTRICTS)]
    assert len(cp) == 487 and cp["lad17_code"].nunique() == 6
    assert len(geography.district_lsoas(lookup, CP_DISTRICTS)) == 487
    with pytest.raises(DataError, match="unknown district codes: E07999999"):
        geography.district_lsoas(lookup, ["E07999999"])


def test_force_lookup_keeps_blank_forces(forces, lookup):
    assert len(forces) == 32_844
    assert forces.attrs["blank_force_rows"] == 3_335 == forces["force"].isna().sum()
    cambs = geography.force_lsoas(forces, "Cambridgeshire")
    assert cambs == geography.district_lsoas(lookup, CP_DISTRICTS)
    assert len(geography.force_lsoas(forces, "Cleveland")) == 352
    with pytest.raises(DataError, match="no LSOAs for force 'Atlantis'"):
        geography.force_lsoas(forces, "Atlantis")


def test_lsoa_boundaries_cp_in_bng(lookup):
    lsoas = geography.read_lsoa_boundaries()
    assert lsoas.crs.to_epsg() == 27700 and len(lsoas) == 487
    assert set(lsoas["lsoa11_code"]) == set(geography.district_lsoas(lookup, CP_DISTRICTS))
    assert 3_350 < lsoas.area.sum() / 1e6 < 3_450  # km2; C&P is about 3,390 km2
    some = geography.read_lsoa_boundaries(lsoas=["E01017989", "E01017990"])
    assert sorted(some["lsoa11_code"]) == ["E01017989", "E01017990"]


def test_ew_lsoa_file_is_the_national_set():
    # Reading all 34,753 polygons takes seconds; the header is enough to check the file.
    info = pyogrio.read_info(geography.FILES["lsoa_boundaries"])
    assert info["features"] == 34_753 and "LSOA11CD" in info["fields"]


def test_district_boundaries_geojson_and_shapefile():
    cp = geography.read_district_boundaries()
    assert cp.crs.to_epsg() == 27700
    assert sorted(cp["lad17_code"]) == sorted(CP_DISTRICTS)
    uk = geography.read_district_boundaries(geography.FILES["district_boundaries"], CP_DISTRICTS)
    assert uk.crs.to_epsg() == 27700 and len(uk) == 6
    areas = cp.set_index("lad17_code").area / uk.set_index("lad17_code").area
    assert areas.between(0.999, 1.001).all()
    with pytest.raises(DataError, match="not in the file, first E07999999"):
        geography.read_district_boundaries(districts=["E07000008", "E07999999"])


def test_boundary_file_errors(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        geography.read_lsoa_boundaries(tmp_path / "none.geojson")
    path = tmp_path / "bad.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                    '"properties": {"code": "E01000001"}, "geometry": '
                    '{"type": "Point", "coordinates": [0, 52]}}]}')  # fmt: skip
    with pytest.raises(DataError) as caught:
        geography.read_lsoa_boundaries(path)
    assert caught.value.column == "LSOA11CD"


def test_split_lsoa_in_oa_lookup_names_row(tmp_path):
    header = ",".join(geography.OA_COLUMNS)
    row = "E01000001,City 001A,E02000001,City 001,{lad},City,E12000007,London,England"
    text = "\n".join([header, row.format(lad="E09000001"), row.format(lad="E09000002")])
    path = tmp_path / "lookup.csv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    with pytest.raises(DataError, match="split across districts") as caught:
        geography.read_lsoa_district_lookup(path)
    assert (caught.value.row, caught.value.column) == (2, "LAD17CD")


def test_lsoa_vintages(lookup):
    vintages = geography.lsoa_vintages(["E01000001", "E01035000", "W01001958", "x"],
                                       lookup["lsoa11_code"])  # fmt: skip
    assert vintages.tolist() == ["2011", "2021", "2011", pd.NA]


def test_require_lsoa11_names_first_unknown_code(lookup):
    codes = pd.Series(["E01000001", "", "E01000002", "E01035000", "E01099999"])
    with pytest.raises(DataError, match="'E01035000' is not a 2011 LSOA code") as caught:
        geography.require_lsoa11(codes, lookup["lsoa11_code"], "crimes.csv")
    assert (caught.value.row, caught.value.column) == (5, "LSOA code")
    assert "2021 LSOA code" in caught.value.problem and "2 value(s)" in caught.value.problem
    geography.require_lsoa11(codes.iloc[:3], lookup["lsoa11_code"], "crimes.csv")
    with pytest.raises(DataError, match="not an LSOA code"):
        geography.require_lsoa11(pd.Series(["E0100"]), lookup["lsoa11_code"], "x.csv")
