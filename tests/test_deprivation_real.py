"""Deprivation chapter on the real data of the default area: its tables, months, results
block and notebook."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from needs_assessment import tiers
from needs_assessment.chapters import registry
from needs_assessment.chapters.deprivation import analysis as dep
from needs_assessment.chapters.deprivation import words
from needs_assessment.chapters.deprivation.results import DeprivationResults, results
from needs_assessment.paths import KERNEL_NAME, ROOT


@pytest.fixture(scope="module")
def real(default_config):
    from needs_assessment.prepare import prepare

    prepare(default_config)
    return registry.build("deprivation", default_config)


def test_build_declares_its_tables():
    assert registry.inputs("deprivation") == (
        "lsoa_lookup",
        "imd",
        "wimd",
        "lsoa_population",
        "police_uk_counts",
        "force_extract",
        "lsoa_boundaries",
        "district_boundaries",
    )


def test_real_area_and_months(real):
    h = real.headline
    assert len(h.table) == 487
    assert h.table["district"].value_counts().to_dict() == {
        "Peterborough": 112,
        "Huntingdonshire": 105,
        "South Cambridgeshire": 96,
        "Cambridge": 69,
        "Fenland": 55,
        "East Cambridgeshire": 50,
    }
    assert h.events.months == (
        "2018-10",
        "2018-11",
        "2018-12",
        "2019-01",
        "2019-02",
        "2019-08",
        "2021-01",
    )
    assert h.events.crime_types == ("Violence and sexual offences",)
    # police.uk: 11,686 rows' worth of crimes, less 441 with no location and 131 outside
    assert (h.events.total, h.events.no_location, h.events.outside_area) == (11_114, 441, 131)
    assert h.population_years == {2018: 3, 2019: 3, 2020: 1}
    assert h.deciles["count"].sum() == h.events.total


def test_real_results(real):
    h = real.headline
    assert h.rho_imd.estimate == pytest.approx(0.7069, abs=1e-3)
    assert (h.rho_imd.lower, h.rho_imd.upper) == pytest.approx((0.652, 0.7524), abs=2e-3)
    assert h.rho_income.estimate == pytest.approx(0.7092, abs=1e-3)
    # allowing for overdispersion between LSOAs (NB2, alpha 0.2255); Poisson gave 4.38-5.36
    assert h.alpha == pytest.approx(0.2255, abs=1e-3) and h.decile_model == "negative binomial"
    assert (h.rate_ratio.estimate, h.rate_ratio.lower, h.rate_ratio.upper) == pytest.approx(
        (4.8468, 3.7297, 6.2984), abs=1e-3
    )
    poisson = dep.rate_ratio(dep.decile_table(h.table, alpha=0))
    assert (poisson.lower, poisson.upper) == pytest.approx((4.3818, 5.3610), abs=1e-3)
    first = h.deciles.iloc[0]
    assert (first["count"], first["design_effect"]) == (948, pytest.approx(12.027, abs=1e-3))
    # per 1,000 residents over the 7 months: the old annualised rate x 7 / 12
    assert h.area_rate == pytest.approx(h.events.total / h.table["population"].sum() * 1000)
    assert h.gradient.model == "negative binomial"
    assert (h.gradient.irr, h.gradient.lower, h.gradient.upper) == pytest.approx(
        (1.1947, 1.1736, 1.2162), abs=1e-3
    )
    assert h.inequality.sii < 0 and h.inequality.rii < 1


def test_real_measures_and_synthetic_label(real, default_config):
    labels = [a.events.label for a in real.analyses]
    assert labels[:3] == [
        "Violence and sexual offences (police.uk)",
        "Robbery",
        "Possession of weapons",
    ]
    if default_config.data.force_extract_is_synthetic:
        knife = real.analyses[3]
        assert knife.events.synthetic and knife.events.source == tiers.force_extract(True).label
        assert len(knife.events.months) == 144
        assert words.caveats(real, default_config)["synthetic"]
        caption = words.measures_table(real, default_config)
        assert caption["synthetic_measures"] == [knife.events.label]
        assert caption["synthetic_label"] == tiers.SYNTHETIC_LABEL
    assert words.caveats(real, default_config)["kind"] == "Violence and sexual offences"
    record = results(real).model_dump(mode="json")
    json.dumps(record, allow_nan=False)
    assert record["months_pooled"] == 7 and record["lsoas"] == 487
    assert record["association"] == "rises with deprivation"
    assert record["source"] == tiers.POLICE_UK.label


RESULT_KEYS = [
    "measure",
    "source",
    "crime_types",
    "months",
    "months_pooled",
    "population_years",
    "lsoas",
    "events",
    "excluded_no_location",
    "excluded_outside_area",
    "months_cover_whole_years",
    "rate_per_1000_over_months",
    "rho_imd",
    "rho_income",
    "rate_ratio",
    "irr_per_decile",
    "irr_per_income_decile",
    "sii_per_1000_over_months",
    "rii",
    "unexpected_more",
    "unexpected_fewer",
    "districts",
    "measures",
    "association",
    "index",
]


def test_results_block_keeps_its_keys_and_values(real):
    record = results(real).model_dump(mode="json")
    assert list(record) == RESULT_KEYS
    assert record["index"] == "IMD 2019"  # Cambridgeshire: English LSOAs only
    assert record["population_years"] == {"2018": 3, "2019": 3, "2020": 1}
    assert (record["events"], record["excluded_no_location"]) == (11_114, 441)
    assert record["rate_ratio"]["most_deprived_decile"] == 1
    assert (record["rate_ratio"]["model"], record["rate_ratio"]["alpha"]) == (
        "negative binomial",
        pytest.approx(0.2255, abs=1e-3),
    )
    assert record["rate_ratio"]["lower"] == pytest.approx(3.7297, abs=1e-3)
    assert record["months_cover_whole_years"] is False
    assert all("rate_per_1000_over_months" in m for m in record["measures"])
    assert record["rho_imd"]["estimate"] == pytest.approx(0.7069, abs=1e-3)
    assert record["irr_per_decile"]["model"] == "negative binomial"
    assert set(record["irr_per_income_decile"]) == {"estimate", "lower", "upper", "model"}
    assert len(record["districts"]) == 6 and len(record["measures"]) == len(real.analyses)
    assert record["unexpected_more"] == int(
        (real.headline.table["unexpected"] == "more than expected").sum()
    )
    assert DeprivationResults.model_validate(record) == results(real)


@pytest.mark.e2e
def test_notebook_runs_under_papermill(tmp_path):
    import papermill

    out = tmp_path / "out"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "02_deprivation.ipynb"),
        str(tmp_path / "run.ipynb"),
        parameters={"config_path": "config/cambridgeshire-2021.yaml", "output_dir": str(out)},
        kernel_name=KERNEL_NAME,
        cwd=str(ROOT),
        progress_bar=False,
        execution_timeout=300,
    )
    deciles = pd.read_csv(out / "tables" / "deprivation_by_decile.csv")
    assert list(deciles.columns) == dep.DECILE_COLUMNS
    lsoas = pd.read_csv(out / "tables" / "deprivation_lsoa.csv")
    assert len(lsoas) == 487
    assert set(dep.LSOA_COLUMNS) <= set(lsoas.columns)
    assert not lsoas["count"].dropna().between(1, 5).any()
    assert lsoas.loc[lsoas["count"] < 10, dep.RATE].isna().all()
    districts = pd.read_csv(out / "tables" / "deprivation_districts.csv")
    assert set(dep.DISTRICT_COLUMNS) <= set(districts.columns) and len(districts) == 6
    record = json.loads((out / "results" / "deprivation.json").read_text())
    assert record["months_pooled"] == 7 and record["lsoas"] == 487
    assert [gap["status"] for gap in record["gaps"]] == ["read with care"]
    assert record["source"] == tiers.POLICE_UK.label
    assert record["association"] in (
        "rises with deprivation",
        "falls with deprivation",
        "no clear association",
    )
    measures = pd.read_csv(out / "tables" / "deprivation_measures.csv")
    assert len(measures) == 4 and "rho_imd" in measures.columns
