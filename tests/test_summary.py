"""Executive summary: worded from recorded results only, and what changed since last time."""

import json

import pandas as pd

from needs_assessment.chapters.summary import analysis as summary

TRENDS = {
    "judgements": [
        {
            "category": "robbery",
            "label": "Robbery",
            "financial_year": "2018/19",
            "count": 834,
            "change_on_previous_pct": 24.7,
            "vs_previous_year": "Higher",
            "three_year_average": 576.0,
            "vs_three_year_average": "Higher",
            "rate_per_1000": 0.978,
            "england_wales_rate": 1.438,
            "vs_england_wales": "Lower",
        },
        {
            "category": "homicide",
            "label": "Homicide",
            "financial_year": "2018/19",
            "count": 12,
            "change_on_previous_pct": None,
            "vs_previous_year": "Not compared",
            "three_year_average": None,
            "vs_three_year_average": "Not compared",
            "rate_per_1000": 0.014,
            "england_wales_rate": None,
            "vs_england_wales": "Not compared",
        },
    ],
    "rolling_year": [
        {
            "category": "robbery",
            "label": "Robbery",
            "period": "year ending December 2019",
            "count": 796,
            "change_pct": 4.6,
            "judgement": "Comparable",
        }
    ],
    "recent_counts": {"robbery": {"2016/17": 534, "2017/18": 669, "2018/19": 834}},
    "coverage": {"robbery": {"last_year": "2018/19"}},
}


def test_findings_quote_recorded_numbers():
    sentences = summary.trend_findings(TRENDS)
    assert sentences == [
        "Robbery rose 25% on the previous year to 834 offences in 2018/19 (higher by a Poisson "
        "test), higher than the 3-year average, and the rate was lower than England and Wales."
    ]


def test_indicator_table_layout():
    table = summary.indicator_table(TRENDS)
    robbery = table.iloc[0]
    assert robbery["Current year"] == "2018/19: 834"
    assert robbery["Previous year"] == "2017/18: 669"
    assert robbery["Three years before"] == "–"
    assert robbery["Rolling 12 months"] == "796 (December 2019)"
    assert robbery["vs England & Wales"] == "Lower"
    assert table.iloc[1]["3-year average"] == "–"


def test_changes_since_last_assessment():
    previous = {
        "trends": {
            "judgements": [dict(TRENDS["judgements"][0], count=700, vs_england_wales="Comparable")]
        }
    }
    table = summary.changes({"trends": TRENDS}, previous)
    assert set(table["Measure"]) == {"Offences", "vs England & Wales"}
    assert "2 headline figures" in summary.describe_changes(table, previous)
    assert "first published run" in summary.describe_changes(pd.DataFrame(), None)
    same = summary.changes({"trends": TRENDS}, {"trends": TRENDS})
    assert same.empty and "No headline" in summary.describe_changes(same, {"trends": TRENDS})


def test_results_are_read_from_the_run_folder(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "trends.json").write_text(json.dumps(TRENDS))
    (tmp_path / "results" / "summary.json").write_text("{}")
    assert list(summary.load_results(tmp_path)) == ["trends"]
    assert summary.load_previous(tmp_path) is None


def test_limitations_flag_synthetic_data():
    notes = summary.limitations({"trends": TRENDS}, synthetic=True)
    assert any("2018/19" in n for n in notes)
    assert any("demonstration data (synthetic)" in n for n in notes)
    assert not any(
        "synthetic" in n for n in summary.limitations({"trends": TRENDS}, synthetic=False)
    )


def test_deprivation_findings_quote_the_interval():
    dep = {
        "measure": "Violence and sexual offences (police.uk)",
        "lsoas": 487,
        "months_pooled": 7,
        "rho_imd": {"estimate": 0.7069, "lower": 0.652, "upper": 0.7524},
        "rate_ratio": {"estimate": 4.8468, "lower": 4.3818, "upper": 5.361},
        "unexpected_more": 7,
    }
    first, second = summary.deprivation_findings(dep)
    assert "rho 0.71 (95% CI 0.65 to 0.75)" in first
    assert "4.8 times the rate of the least deprived (95% CI 4.4 to 5.4)" in first
    assert second.startswith("7 neighbourhoods")
    assert summary.deprivation_findings({}) == []


def test_county_lines_findings_group_districts_by_market():
    lines = {
        "synthetic": True,
        "data_label": "demonstration data (synthetic)",
        "pooled_import_shares": {
            "recent": {
                "Cambridge": {
                    "period": "2019/20 to 2021/22",
                    "import_share": 0.6667,
                    "lower_95": 0.6131,
                    "upper_95": 0.7162,
                    "market_type": "importing",
                },
                "Peterborough": {
                    "period": "2019/20 to 2021/22",
                    "import_share": 0.2,
                    "lower_95": 0.15,
                    "upper_95": 0.25,
                    "market_type": "home-grown",
                },
            }
        },
    }
    (sentence,) = summary.county_lines_findings(lines)
    assert sentence.startswith(
        "County Lines drug markets, 2019/20 to 2021/22 — demonstration data (synthetic)"
    )
    assert (
        "importing: Cambridge (67% of supply offenders from outside the force, 95% CI 61–72%)"
        in sentence
    )
    assert "home-grown: Peterborough (20%" in sentence


def test_findings_are_grouped_under_headings():
    text = summary.findings_markdown({"trends": TRENDS})
    assert text.startswith("**Latest financial year**\n\n- Robbery rose 25%")
    assert "Deprivation" not in text
    assert summary.findings_markdown({}) == "No chapter recorded findings."
