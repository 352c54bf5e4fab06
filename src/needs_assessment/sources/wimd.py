"""Welsh Index of Multiple Deprivation 2019 (WIMD), 2011 LSOAs: ranks, deciles and scores.

Reads the derived file that joins the Welsh Government's ranks and scores workbooks on LSOA
code (SOURCES.md section 18). Ranks run within Wales only (1 = most deprived of 1,909
LSOAs), so they cannot be pooled with the English IMD. "Community Safety" is the WIMD's
crime domain. :func:`load` returns ``lsoa11_code, lsoa11_name, la_name``, the index and
its 8 domains as ``<domain>_rank``, ``<domain>_decile`` (official for the index, from the
ranks for the domains: decile 1 = ranks 1-191) and ``<domain>_score``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from needs_assessment.sources._common import read_csv_text, require_columns, to_number, validate

N_LSOAS = 1_909
#: LSOAs per decile: 191 in deciles 1-9, 190 in decile 10 (Welsh Government).
PER_DECILE = 191
DOMAINS = (
    "wimd",
    "income",
    "employment",
    "health",
    "education",
    "access_to_services",
    "housing",
    "community_safety",
    "physical_environment",
)
NAMES = ("lsoa11_code", "lsoa11_name", "la_name")

SCHEMA = pa.DataFrameSchema(
    {
        "lsoa11_code": pa.Column(str, pa.Check.str_matches(r"^W01\d{6}$"), unique=True),
        "lsoa11_name": pa.Column(str),
        "la_name": pa.Column(str),
        **{
            f"{domain}_{kind}": pa.Column(
                int if kind != "score" else float,
                pa.Check.in_range(*bounds),
                unique=(domain, kind) == ("wimd", "rank"),  # domain ranks have ties
            )
            for domain in DOMAINS
            for kind, bounds in (("rank", (1, N_LSOAS)), ("decile", (1, 10)), ("score", (0, 100)))
        },
    },
    checks=pa.Check(lambda frame: len(frame) == N_LSOAS, error=f"expected {N_LSOAS:,} LSOAs"),
    name="WIMD 2019",
    strict=True,
)


def decile_of_rank(rank: pd.Series) -> pd.Series:
    """Decile 1 = ranks 1-191, ..., decile 10 = ranks 1,720-1,909."""
    return np.minimum((rank - 1) // PER_DECILE + 1, 10).astype(int)


def load(path: str | Path) -> pd.DataFrame:
    """The derived WIMD 2019 file as a validated frame (one row per Welsh 2011 LSOA)."""
    frame = read_csv_text(path)
    numbers = [f"{d}_{k}" for d in DOMAINS for k in ("rank", "score")] + ["wimd_decile"]
    require_columns(frame, [*NAMES, *numbers], path)
    tidy = frame[list(NAMES)].copy()
    for domain in DOMAINS:
        tidy[f"{domain}_rank"] = to_number(frame, f"{domain}_rank", path).astype(int)
        tidy[f"{domain}_decile"] = (
            to_number(frame, "wimd_decile", path).astype(int)
            if domain == "wimd"
            else decile_of_rank(tidy[f"{domain}_rank"])
        )
        tidy[f"{domain}_score"] = to_number(frame, f"{domain}_score", path, integer=False)
    return validate(SCHEMA, tidy, path)
