"""Districts to forces: summed district estimates reproduce the ONS force populations."""

import pandas as pd
import pytest

from needs_assessment import forces
from needs_assessment.paths import RAW_DIR
from needs_assessment.prepare import read
from needs_assessment.sources import ons_pfa_tables


def test_force_populations_match_the_ons_pfa_tables(ready):
    ons = ons_pfa_tables.rates(
        RAW_DIR / "ons_pfa_tables" / "policeforceareatablesyearendingmarch2018v2.xlsx"
    )  # mid-2016
    ons = ons[ons.area_type == "force"].drop_duplicates("area_code")
    ons = ons.assign(force=ons.area_name.replace({"London, City of": "City of London"}))
    ours = read(ready, "force_population").query("year == 2016")
    both = ons.merge(ours, on="force", suffixes=("_ons", ""))
    assert len(both) == 43
    assert (both["population"] - both["population_ons"]).abs().max() <= 100  # ONS rounds to 100


def test_every_district_has_a_force(ready):
    districts = read(ready, "district_population")
    lookup = forces.district_force_lookup(
        pd.DataFrame({"lad_code": [], "force": []}),
        pd.DataFrame({"lad_code": [], "police_force": []}),
    )
    with pytest.raises(ValueError, match="no police force"):
        forces.force_population(districts, lookup)


def test_peer_distance_on_a_worked_example():
    context = pd.DataFrame(
        {
            "people_per_hectare": [1.0, 1.1, 2.0, 20.0, 1.0],
            "imd_score": [20.0, 21.0, 22.0, 45.0, None],
        },
        index=["Here", "Twin", "Near", "Far", "Welsh"],
    )
    peers = forces.peer_forces(context, "Here", count=2)
    assert list(peers["force"]) == ["Twin", "Near"]
    assert peers.attrs["measures"] == ["people_per_hectare", "imd_score"]
    welsh = forces.peer_forces(context, "Welsh", count=1)
    assert list(welsh["force"]) == ["Here"] and welsh.attrs["measures"] == ["people_per_hectare"]
