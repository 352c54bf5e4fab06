"""Home Office "Police recorded crime open data tables" by offence code, PFA or CSP level.

One row per financial year x quarter x area x Home Office offence code. Column names are
accepted as published ("Financial Year", "Force Name", ..., and "Community Safety
Partnership" or "CSP Name" in CSP files) or with underscores ("Financial_Year", as in the
crime-sim-toolkit copy, which also has an unnamed index column and an extra "Policeuk_Cat"
column, both ignored). Quirks handled:

* offence codes are text ("8N", "3A", "105A", "1/4.1/4.10/4.2"); homicide is published as
  four rows per force and quarter sharing the code "1/4.1/4.10/4.2" (murder, manslaughter,
  corporate manslaughter, infanticide): sum them, do not treat them as duplicates;
* a few small negative counts (published adjustments) are kept as published;
* British Transport Police and the fraud bodies (Action Fraud, CIFAS, UK Finance,
  Financial Fraud Action UK) appear as forces: ``is_territorial_force`` is False for them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from needs_assessment.errors import DataError
from needs_assessment.forces import OTHER_BODIES
from needs_assessment.sources._common import (
    file_row,
    published_headers,
    quarters,
    read_csv_text,
    refuse_first,
    require_columns,
    to_number,
    validate,
)

REQUIRED = {
    "Financial Year": "financial_year",
    "Financial Quarter": "quarter",
    "Force Name": "force_name",
    "Offence Description": "offence_description",
    "Offence Group": "offence_group",
    "Offence Code": "offence_code",
    "Number of Offences": "count",
}
OPTIONAL = {"Offence Subgroup": "offence_subgroup"}
CSP_COLUMNS = ("Community Safety Partnership", "CSP Name")
YEAR = re.compile(r"(\d{4})[/-](\d{2}|\d{4})")

SCHEMA = pa.DataFrameSchema(
    {
        "financial_year": pa.Column(str, pa.Check.str_matches(r"^\d{4}/\d{2}$")),
        "quarter": pa.Column("Int64", pa.Check.isin([1, 2, 3, 4])),
        "area_name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "area_level": pa.Column(str, pa.Check.isin(["force", "csp"])),
        "force_name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "offence_code": pa.Column(str, pa.Check.str_length(min_value=1)),
        "offence_description": pa.Column(str),
        "offence_group": pa.Column(str, pa.Check.str_length(min_value=1)),
        "offence_subgroup": pa.Column(str, nullable=True),
        "count": pa.Column("Int64"),  # a few small negatives: published adjustments
        "is_territorial_force": pa.Column(bool),
    },
    name="Home Office police recorded crime open data",
    strict=True,
)


def load(path: str | Path) -> pd.DataFrame:
    """Read and validate one open data table (CSV, optionally gzipped), PFA or CSP level."""
    raw = read_csv_text(path)
    original = published_headers(raw, (*REQUIRED, *OPTIONAL, *CSP_COLUMNS))
    require_columns(raw.rename(columns={v: k for k, v in original.items()}), REQUIRED, path)
    csp = next((original[c] for c in CSP_COLUMNS if c in original), None)
    text = {
        new: raw[original[old]].str.strip()
        for old, new in {**REQUIRED, **OPTIONAL}.items()
        if old in original
    }
    frame = pd.DataFrame(
        {
            "financial_year": _financial_years(raw, original["Financial Year"], path),
            "quarter": quarters(raw, original["Financial Quarter"], path),
            "area_name": raw[csp].str.strip() if csp else text["force_name"],
            "area_level": "csp" if csp else "force",
            "force_name": text["force_name"],
            "offence_code": text["offence_code"],
            "offence_description": text["offence_description"],
            "offence_group": text["offence_group"],
            "offence_subgroup": text.get(
                "offence_subgroup", pd.Series(pd.NA, index=raw.index, dtype="str")
            ),
            "count": to_number(raw, original["Number of Offences"], path),
        }
    )
    frame["is_territorial_force"] = ~frame["force_name"].isin(OTHER_BODIES)
    _check_filled(frame, raw, original, csp, path)
    return validate(SCHEMA, frame, path)


def territorial_forces(frame: pd.DataFrame) -> pd.DataFrame:
    """Only the 43 territorial forces (no British Transport Police, no fraud bodies)."""
    return frame[frame["is_territorial_force"]]


def _financial_years(raw: pd.DataFrame, column: str, path) -> pd.Series:
    """ "2017/18" (also accepts "2017-18" and "2017/2018")."""

    def label(text: str) -> str | None:
        match = YEAR.fullmatch(text.strip())
        if match is None:
            return None
        start, end = int(match.group(1)), int(match.group(2)) % 100
        return f"{start}/{end:02d}" if (start + 1) % 100 == end else None

    labels = raw[column].map(label)
    if labels.isna().any():
        refuse_first(raw, labels.isna(), column, path, "not a financial year like '2017/18'")
    return labels.astype(str)


def _check_filled(
    frame: pd.DataFrame, raw: pd.DataFrame, original: dict[str, str], csp: str | None, path
) -> None:
    """Names and codes must not be blank; the error names the file's own column."""
    columns = {
        "force_name": original["Force Name"],
        "offence_code": original["Offence Code"],
        "offence_group": original["Offence Group"],
    }
    if csp:
        columns["area_name"] = csp
    for field, column in columns.items():
        blank = frame[field].fillna("").eq("")
        if blank.any():
            position = int(blank.to_numpy().argmax())
            raise DataError(path, "value is missing", row=file_row(raw, position), column=column)
