"""ONS GDP deflator (series YBGB, dataset UKEA), from the ONS website CSV download.

The file has 8 metadata lines (Title, CDID, ...), then annual rows ("2015") and quarterly
rows ("2015 Q2"). A financial year's index is the mean of its four quarters (Q2, Q3, Q4 of
its first calendar year and Q1 of the next), the method the Home Office costs of crime
uprating follows; a year with a quarter missing has no index.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from needs_assessment.errors import DataError
from needs_assessment.sources._common import require_file

QUARTER = re.compile(r"^(?P<year>\d{4}) Q(?P<quarter>[1-4])$")
METADATA_LINES = 8


def quarters(path: str | Path) -> pd.DataFrame:
    """Quarterly index values: year, quarter, index (file rows checked one by one)."""
    path = require_file(path)
    frame = pd.read_csv(
        path, header=None, skiprows=METADATA_LINES, names=["period", "value"], dtype=str
    )
    rows = []
    for position, (period, value) in enumerate(zip(frame["period"], frame["value"], strict=True)):
        match = QUARTER.match(str(period).strip())
        if not match:
            continue
        try:
            index = float(str(value).strip())
        except ValueError:
            raise DataError(
                path, f"not a number: {value!r}", row=METADATA_LINES + 1 + position, column="value"
            ) from None
        rows.append((int(match["year"]), int(match["quarter"]), index))
    if not rows:
        raise DataError(path, "no quarterly rows ('YYYY Qn') found: is this the ONS CSV?")
    return pd.DataFrame(rows, columns=["year", "quarter", "index"])


def financial_years(path: str | Path) -> pd.DataFrame:
    """Financial year (start year) -> mean of its four quarterly index values."""
    q = quarters(path)
    q["financial_year"] = q["year"] - (q["quarter"] == 1)
    grouped = q.groupby("financial_year")["index"].agg(["mean", "count"])
    full = grouped[grouped["count"] == 4]
    return pd.DataFrame(
        {"financial_year": full.index.astype(int), "deflator": full["mean"].round(6).to_numpy()}
    )
