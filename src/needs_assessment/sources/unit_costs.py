"""Home Office unit costs of crime (*The economic and social costs of crime*, Heeks et al.
2018, Research Report 99; 2015/16 prices), as far as they could be verified.

One row per offence and cost component: ``total`` (anticipation + consequence + response)
or a share of the response cost (``police``, ``criminal_justice``). Only figures with a
stated source are in the file; a missing figure stays missing, never estimated.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from needs_assessment.errors import DataError
from needs_assessment.periods import financial_year_start
from needs_assessment.sources._common import (
    file_row,
    read_csv_text,
    require_columns,
    to_number,
    validate,
)

COLUMNS = ("offence", "unit_cost_gbp", "cost_component", "price_base", "verified_from")
#: How the file words a component -> the component's key.
COMPONENTS = {
    "total": "total",
    "police activity": "police",
    "criminal justice system excluding police": "criminal_justice",
}

SCHEMA = pa.DataFrameSchema(
    {
        "offence": pa.Column(str, pa.Check.str_length(min_value=1)),
        "component": pa.Column(str, pa.Check.isin(sorted(set(COMPONENTS.values())))),
        "unit_cost_gbp": pa.Column("Int64", pa.Check.gt(0)),
        "price_base": pa.Column(int, pa.Check.in_range(1990, 2100)),
        "verified_from": pa.Column(str, pa.Check.str_length(min_value=1)),
    },
    unique=["offence", "component"],
    name="unit costs of crime",
)


def load(path: str | Path) -> pd.DataFrame:
    """The unit costs: offence, component, cost in pounds, price base (financial year start)."""
    frame = read_csv_text(path)
    require_columns(frame, COLUMNS, path)
    out = pd.DataFrame(
        {
            "offence": frame["offence"].str.strip(),
            "component": [
                _component(text, path, frame, i) for i, text in enumerate(frame["cost_component"])
            ],
            "unit_cost_gbp": to_number(frame, "unit_cost_gbp", path),
            "price_base": [
                _price_base(text, path, frame, i) for i, text in enumerate(frame["price_base"])
            ],
            "verified_from": frame["verified_from"].str.strip(),
        }
    )
    return validate(SCHEMA, out, path)


def _component(text: str, path, frame: pd.DataFrame, position: int) -> str:
    """'police activity (response)' -> 'police'; 'total (...)' -> 'total'."""
    words = str(text).split("(")[0].strip().lower()
    if words not in COMPONENTS:
        known = ", ".join(repr(k) for k in COMPONENTS)
        raise DataError(
            path,
            f"unknown cost component {text!r} (expected one of {known})",
            row=file_row(frame, position),
            column="cost_component",
        )
    return COMPONENTS[words]


def _price_base(text: str, path, frame: pd.DataFrame, position: int) -> int:
    try:
        return financial_year_start(text)
    except ValueError as exc:
        raise DataError(
            path, str(exc), row=file_row(frame, position), column="price_base"
        ) from None
