"""The definition's Home Office offence codes reproduce the ONS offence groups: summed from
the Home Office 2017/18 table by offence code, every force's count equals the ONS force
file's year ending March 2018."""

import pandas as pd
import pytest

from needs_assessment.definitions import load_definitions
from needs_assessment.paths import RAW_DIR
from needs_assessment.sources import home_office_prc

#: ONS offence group -> the definition's categories whose codes make it up.
GROUPS = {
    "Homicide": ["homicide"],
    "Violence with injury": ["violence_with_injury"],
    "Violence without injury": ["violence_without_injury"],
    "Robbery": ["robbery"],
    "Possession of weapons offences": ["possession_of_weapons"],
    "Drug offences": ["drug_supply", "drug_possession"],
}


@pytest.fixture(scope="module")
def both(recorded_crime, default_config):
    definitions = load_definitions(default_config.definitions)
    home_office = home_office_prc.load(RAW_DIR / "crime_sim_toolkit" / "prc-pfa-201718_new.csv")
    home_office = home_office[home_office["is_territorial_force"]]
    frames = []
    for group, categories in GROUPS.items():
        codes = {c for key in categories for c in definitions.categories[key].home_office_codes}
        rows = home_office[home_office["offence_code"].isin(codes)]
        frames.append(
            rows.groupby("area_name")["count"]
            .sum()
            .rename("home_office")
            .reset_index()
            .assign(offence_group=group)
        )
    ours = pd.concat(frames).set_index(["area_name", "offence_group"])
    ons = recorded_crime[
        (recorded_crime["period_end"] == pd.Timestamp("2018-03-31"))
        & recorded_crime["offence_group"].isin(list(GROUPS))
    ]
    ons = ons.assign(area_name=ons["force"].replace({"City of London": "London, City of"}))
    ons = ons.set_index(["area_name", "offence_group"])["count"].rename("ons")
    return ours.join(ons, how="inner")


def test_cambridgeshire_agrees_exactly(both):
    cambs = both.loc["Cambridgeshire"]
    assert len(cambs) == len(GROUPS)
    assert (cambs["home_office"] == cambs["ons"]).all(), cambs


def test_every_force_agrees_up_to_revisions(both):
    """The two files were published at different times: a few forces' counts were revised
    in between, by 5% or 2 offences at most. A code missing from or added to the definition
    would move every force."""
    assert len(both) == 43 * len(GROUPS)
    exact = (both["home_office"] == both["ons"]).groupby(level="offence_group").mean()
    assert (exact >= 0.85).all(), exact
    gap = (both["home_office"] - both["ons"]).abs()
    allowed = (both["ons"] * 0.05).clip(lower=2)
    assert (gap <= allowed).all(), both[gap > allowed]
