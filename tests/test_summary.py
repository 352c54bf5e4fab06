"""Executive summary: worded from recorded results only, and what changed since last time."""

import json

import pandas as pd
import pytest
from pydantic import ValidationError

from needs_assessment.chapters.summary import analysis as summary
from needs_assessment.chapters.summary import tables, words
from needs_assessment.presentation.text import Wording

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


DEPRIVATION = {
    "measure": "Violence and sexual offences (police.uk)",
    "lsoas": 487,
    "months_pooled": 7,
    "rho_imd": {"estimate": 0.7069, "lower": 0.652, "upper": 0.7524},
    "rate_ratio": {"estimate": 4.8468, "lower": 4.3818, "upper": 5.361},
    "association": "rises with deprivation",
    "unexpected_more": 7,
}
COUNTY_LINES = {
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
COSTS = {
    "latest_year": "2021/22",
    "prices": "2021/22",
    "total_cost_gbp": 117_300_000.0,
    "homicide_police_cjs_cost_gbp": 4_620_000.0,
    "uncosted_categories": ["violence_without_injury", "stalking_and_harassment"],
}
ALL = {"trends": TRENDS, "deprivation": DEPRIVATION, "county_lines": COUNTY_LINES, "costs": COSTS}


def test_cost_line_quotes_the_costs_chapter():
    facts = summary.cost_facts(COSTS)
    assert facts["total"] == 117_300_000.0 and facts["uncosted"] == 2
    text = render("summary/key_messages", **words.key_messages({"costs": COSTS}))
    assert "£117.3m in 2021/22" in text and "2 categories have" in text
    assert summary.cost_facts({}) is None


def render(name: str, level: float = 0.95, **context) -> str:
    return Wording(level).markdown(name, **context)


def test_changes_since_last_assessment():
    previous = {
        "trends": {
            "judgements": [dict(TRENDS["judgements"][0], count=700, vs_england_wales="Comparable")]
        }
    }
    table = summary.changes({"trends": TRENDS}, previous)
    assert set(table["measure"]) == {"count", "vs_england_wales"}
    assert words.changes(table, previous) == {"first_run": False, "changed": 2}
    assert words.changes(pd.DataFrame(), None)["first_run"]
    assert summary.changes({"trends": TRENDS}, {"trends": TRENDS}).empty


def test_results_are_read_from_the_run_folder(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "notes.json").write_text(json.dumps({"a": 1}))  # no model
    (tmp_path / "results" / "summary.json").write_text("{}")
    assert summary.load_results(tmp_path) == {"notes": {"a": 1}}
    assert summary.load_previous(tmp_path) is None


def test_a_block_that_drifted_from_its_model_fails_by_name(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "trends.json").write_text(json.dumps(TRENDS))  # fields missing
    with pytest.raises(ValidationError, match="TrendsResults"):
        summary.load_results(tmp_path)


def test_limitations_flag_synthetic_data():
    facts = summary.limitation_facts({"trends": TRENDS}, synthetic=True)
    assert facts["last_real_year"] == "2018/19" and facts["synthetic"]
    text = render("summary/limitations", **words.limitations({"trends": TRENDS}, True))
    assert "demonstration data (synthetic)" in text
    plain = render("summary/limitations", **words.limitations({"trends": TRENDS}, False))
    assert "synthetic" not in plain


def test_summary_quotes_the_deprivation_chapters_own_verdict():
    none = dict(DEPRIVATION, association="no clear association")
    text = render("summary/key_messages", **words.key_messages({"deprivation": none}))
    assert "no clear association" in text and "rises with deprivation" not in text
    text = render("summary/key_messages", **words.key_messages({"deprivation": DEPRIVATION}))
    assert "rises with deprivation" in text
    assert summary.deprivation_facts({}) is None


def test_county_lines_districts_grouped_by_market():
    facts = summary.county_lines_facts(COUNTY_LINES)
    kinds = {g["market_type"]: [d["district"] for d in g["districts"]] for g in facts["groups"]}
    assert kinds == {"importing": ["Cambridge"], "home-grown": ["Peterborough"]}
    assert facts["synthetic"] and facts["period"] == "2019/20 to 2021/22"


def test_intervals_follow_the_configured_level():
    text = render("summary/key_messages", level=0.9, **words.key_messages(ALL))
    assert "90% CI" in text and "95%" not in text


def test_wording(snapshot):
    snapshot("summary_key_messages_empty", render("summary/key_messages", messages=[]))
    previous = {"trends": {"judgements": [dict(TRENDS["judgements"][0], count=700)]}}
    table = summary.changes({"trends": TRENDS}, previous)
    snapshot("summary_changes", render("summary/changes", **words.changes(table, previous)))
    snapshot("summary_first_run", render("summary/changes", **words.changes(table, None)))
    snapshot("summary_limitations", render("summary/limitations", **words.limitations(ALL, True)))


def test_gaps_from_every_chapter_are_listed():
    results = {
        "deprivation": {
            "gaps": [
                {
                    "section": "Rates",
                    "status": "read with care",
                    "reason": "7 months only.",
                    "remedy": "",
                }
            ]
        },
        "trends": {},
    }
    (gap,) = summary.gap_facts(results)
    assert gap["chapter"] == "Deprivation" and gap["status"] == "read with care"
    text = render("summary/gaps", **words.gaps(results))
    assert "Deprivation, Rates" in text and "read with care" in text
    snapshot_free = render("summary/gaps", **words.gaps({}))
    assert snapshot_free == "Every section had the data it needs."


HOTSPOTS = {
    "findings": {
        "area": "Cambridgeshire & Peterborough",
        "category": "violence_and_sexual_offences",
        "label": "Violence and sexual offences",
        "window_label": "7 months",
        "lsoas": 487,
        "share_lsoas_50pct": 20.3,
        "random_share_lsoas_50pct": 36.3,
        "hot_spots": 6,
        "hot_spots_by_district": {"Peterborough": 6},
        "persistent_hot_spots": 4,
        "persistent_threshold": 6,
        "periods": 7,
        "top_share": 0.1,
        "fdr_level": 0.05,
        "extract": None,
    }
}
BOARD = {**ALL, "hotspots": HOTSPOTS}


def test_key_messages_quote_each_chapter_with_its_evidence():
    messages = summary.key_messages(BOARD)
    assert len(messages) == summary.MAX_MESSAGES
    kinds = [m["kind"] for m in messages]
    assert kinds == ["average", "england_wales", "deprivation", "hotspots", "county_lines"]
    average, benchmark = messages[0], messages[1]
    assert average["higher"] == ["Robbery"] and average["lower"] == []
    assert benchmark["lower"] == ["Robbery"]
    evidence = {m["kind"]: m["evidence"] for m in messages}
    assert evidence["county_lines"] == "illustrative"  # synthetic extract
    assert evidence["deprivation"] == "strong"  # rho interval 0.65 to 0.75


def test_key_messages_fit_a_board_screen():
    text = render("summary/key_messages", **words.key_messages(BOARD))
    assert len(text.split()) < 250
    assert text.count("\n1. ") == summary.MAX_MESSAGES - 1


def test_dashboard_shows_judgements_by_symbol_and_word():
    table = tables.dashboard(TRENDS)
    robbery = table.iloc[0]
    assert robbery["vs 3-year average (given trend)"] == "▲ Higher (worse)"
    assert robbery["vs England & Wales"] == "▼ Lower (better)"
    assert table.iloc[1]["vs England & Wales"] == "– Not compared"
    assert list(table.columns) == [
        "Indicator",
        "Latest year",
        "Rate",
        "Long-term trend",
        "vs previous year (given trend)",
        "vs 3-year average (given trend)",
        "vs England & Wales",
        "Rank (1 = highest)",
    ]


MEASURES = [
    {
        "key": "sharp_object_admissions",
        "tier": "NHS hospital admissions by region of residence (real)",
        "synthetic": False,
        "available": True,
        "period": "2021/22",
        "count": None,
        "count_lower": 61,
        "count_upper": 82,
        "rate_per_100000": None,
        "rate_lower": 8.61,
        "rate_upper": 11.6,
    },
    {
        "key": "knife_under_25",
        "tier": "force offence extract: demonstration data (synthetic)",
        "synthetic": True,
        "available": True,
        "period": "2021/22",
        "count": 143,
        "count_lower": None,
        "count_upper": None,
        "rate_per_100000": 49.2,
        "rate_lower": 41.5,
        "rate_upper": 58.0,
    },
    {
        "key": "homicide_under_25",
        "tier": "force offence extract",
        "synthetic": False,
        "available": False,
        "period": "",
        "count": None,
        "count_lower": None,
        "count_upper": None,
        "rate_per_100000": None,
        "rate_lower": None,
        "rate_upper": None,
    },
]


def test_home_office_measures_join_the_dashboard_with_their_tiers():
    names = {m["key"]: m["key"].replace("_", " ") for m in MEASURES}
    table = tables.measures_dashboard(MEASURES, names).set_index("Measure")
    assert list(table.index) == [names[m["key"]] for m in MEASURES]
    hospital, knife, homicide = (table.loc[names[m["key"]]] for m in MEASURES)
    assert hospital["Latest year"] == "2021/22: 61 to 82"  # suppressed months: a range
    assert hospital["Rate"] == "8.61 to 11.6 per 100,000"
    assert knife["Latest year"] == "2021/22: 143" and knife["Rate"] == "49.2 per 100,000"
    assert "synthetic" in knife["Source"] and "real" in hospital["Source"]
    assert homicide["Latest year"] == "Not available" and homicide["Rate"] == "–"
    withheld = dict(MEASURES[1], count=None, rate_per_100000=None, rate_lower=None)
    assert tables.measure_count_cell(withheld) == "2021/22: withheld (small count)"


def test_trend_cell_follows_the_interval():
    assert tables.trend_cell(
        {"trend_pct_per_year": 4.2, "trend_lower_95": 1.0, "trend_upper_95": 7.0}
    ).startswith("▲ Rising 4.2%")
    assert (
        tables.trend_cell(
            {"trend_pct_per_year": 2.0, "trend_lower_95": -1.0, "trend_upper_95": 5.0}
        )
        == "● No clear trend"
    )


def test_board_wording(snapshot):
    snapshot("summary_key_messages", render("summary/key_messages", **words.key_messages(BOARD)))
    stamp = {"latest": {"financial_year": "2021/22", "source": "Home Office open data"}}
    snapshot("summary_stamp", render("summary/stamp", **stamp))
