"""Each country's own index of deprivation for its LSOAs: the IMD 2019 for England, the
WIMD 2019 for Wales, never pooled into one ranking.

Ranks run within each country (1 = most deprived of 32,844 English or 1,909 Welsh LSOAs), so
an LSOA is ordered by its *position* in its own country's ranking (rank / LSOAs ranked);
for an area in one country that orders LSOAs exactly as the rank does.
"""

from __future__ import annotations

import pandas as pd

from needs_assessment import small_area

#: Each country's index of deprivation, by the first letter of its LSOA codes.
INDEX_LABELS = {"E": "IMD 2019", "W": "WIMD 2019"}
#: The columns that order LSOAs by deprivation, each within its own country's index.
POSITIONS = {"imd_rank": "imd_position", "income_rank": "income_position"}


def deprivation_ranks(imd: pd.DataFrame | None, wimd: pd.DataFrame | None) -> pd.DataFrame:
    """Every LSOA's rank and decile in its own country's index, and the income domain's.

    English LSOAs from the IMD 2019, Welsh ones from the WIMD 2019 (renamed to the same
    columns ``imd_rank, imd_decile, income_rank, income_decile``); ``index`` names the index
    and ``index_lsoas`` how many LSOAs it ranks.
    """
    parts = []
    if imd is not None:
        parts.append(imd[["lsoa11_code", *small_area.IMD_COLUMNS]].assign(index=INDEX_LABELS["E"]))
    if wimd is not None:
        welsh = wimd.rename(columns={"wimd_rank": "imd_rank", "wimd_decile": "imd_decile"})
        parts.append(
            welsh[["lsoa11_code", *small_area.IMD_COLUMNS]].assign(index=INDEX_LABELS["W"])
        )
    if not parts:
        raise ValueError("the deprivation chapter needs the IMD 2019 or the WIMD 2019 table")
    ranks = pd.concat(parts, ignore_index=True)
    ranks["index_lsoas"] = ranks.groupby("index")["lsoa11_code"].transform("size")
    return ranks


def ordering(frame: pd.DataFrame, rank: str) -> str:
    """The column ordering LSOAs by ``rank``: its position in its own country's ranking
    where the frame has it (:func:`area_lsoas`), else the rank (LSOAs of one index)."""
    position = POSITIONS.get(rank)
    return position if position in frame else rank


def index_label(lsoas: pd.DataFrame) -> str:
    """The index the area's LSOAs are ranked on: 'IMD 2019', 'WIMD 2019', or both."""
    return " and ".join(sorted(lsoas["index"].unique(), key=list(INDEX_LABELS.values()).index))
