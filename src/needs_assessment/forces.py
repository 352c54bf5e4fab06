"""Force-level context for benchmarks: districts, populations, density, deprivation, peers.

Districts (LADs) are assigned to police force areas from the LSOA-to-force lookup, plus a
supplement (``data/raw/lookups/lad_police_force_supplement.csv``) for the districts that
lookup leaves blank, Welsh districts, and district codes introduced since 2017. Summing
the ONS district mid-year estimates by force reproduces the ONS force populations (PFA
tables, mid-2016) for all 43 forces to within rounding; the tests pin it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

#: The 43 territorial police forces of England and Wales, as the ONS data spell them.
TERRITORIAL_FORCES = frozenset({
    "Avon and Somerset", "Bedfordshire", "Cambridgeshire", "Cheshire", "City of London",
    "Cleveland", "Cumbria", "Derbyshire", "Devon and Cornwall", "Dorset", "Durham",
    "Dyfed-Powys", "Essex", "Gloucestershire", "Greater Manchester", "Gwent", "Hampshire",
    "Hertfordshire", "Humberside", "Kent", "Lancashire", "Leicestershire", "Lincolnshire",
    "Merseyside", "Metropolitan Police", "Norfolk", "North Wales", "North Yorkshire",
    "Northamptonshire", "Northumbria", "Nottinghamshire", "South Wales", "South Yorkshire",
    "Staffordshire", "Suffolk", "Surrey", "Sussex", "Thames Valley", "Warwickshire",
    "West Mercia", "West Midlands", "West Yorkshire", "Wiltshire",
})  # fmt: skip
#: Bodies the Home Office tables publish beside the forces: not territorial police areas.
OTHER_BODIES = frozenset(
    {"British Transport Police", "Action Fraud", "CIFAS", "UK Finance", "Financial Fraud Action UK"}
)
#: Welsh forces: deprivation comes from the Welsh index (WIMD 2019), not the English IMD.
WELSH_FORCES = frozenset({"Dyfed-Powys", "Gwent", "North Wales", "South Wales"})
#: Forces outside the peer comparison: the City of London is a square mile of commuters.
NOT_PEERS = frozenset({"City of London"})
#: Forces ONS leaves out of its rankings (its resident population makes its rates meaningless).
NOT_RANKED = frozenset({"City of London"})
PEER_COUNT = 5
#: Year of the population used for density (areas are the 2011 Census LSOA areas).
DENSITY_YEAR = 2018


def district_force_lookup(lsoa_force: pd.DataFrame, supplement: pd.DataFrame) -> pd.DataFrame:
    """``lad_code -> force`` for every district code the data use (any vintage)."""
    known = lsoa_force.dropna(subset=["force"]).drop_duplicates("lad_code")[["lad_code", "force"]]
    extra = supplement.rename(columns={"police_force": "force"})[["lad_code", "force"]]
    lookup = pd.concat([known, extra[~extra["lad_code"].isin(known["lad_code"])]])
    return lookup.reset_index(drop=True)


def force_population(district_population: pd.DataFrame, lookup: pd.DataFrame) -> pd.DataFrame:
    """Mid-year population per force and year: ``force, year, population``.

    Raises if a district in England or Wales has no force (the lookup needs updating).
    """
    districts = district_population[district_population["code"].str[0].isin(["E", "W"])]
    districts = districts[districts["code"].str[1:3] != "92"]  # not the country totals
    districts = districts[~districts["code"].str.startswith(("E10", "E11", "E12", "E13", "K"))]
    force = districts["code"].map(lookup.set_index("lad_code")["force"])
    if force.isna().any():
        missing = sorted(districts.loc[force.isna(), "code"].unique())
        raise ValueError(f"districts with no police force in the lookup: {', '.join(missing)}")
    return (
        districts.assign(force=force).groupby(["force", "year"], as_index=False)["population"].sum()
    )


def force_density(
    lsoa_hectares: pd.DataFrame,
    lsoa_district: pd.DataFrame,
    lookup: pd.DataFrame,
    population: pd.DataFrame,
    year: int,
) -> pd.Series:
    """People per hectare by force in ``year`` (areas from the 2011 Census LSOA hectares)."""
    lsoas = lsoa_hectares.merge(lsoa_district[["lsoa11_code", "lad17_code"]], on="lsoa11_code")
    lsoas["force"] = lsoas["lad17_code"].map(lookup.set_index("lad_code")["force"])
    hectares = lsoas.groupby("force")["hectares"].sum()
    people = population[population["year"] == year].set_index("force")["population"]
    return (people / hectares).dropna().rename("people_per_hectare")


def force_deprivation(
    imd_scores: pd.DataFrame, imd_population: pd.DataFrame, lookup: pd.DataFrame
) -> pd.Series:
    """Population-weighted mean IMD 2019 score by force (England only: Wales has its own index)."""
    lsoas = imd_scores.merge(imd_population[["lsoa11_code", "population_total"]], on="lsoa11_code")
    lsoas["force"] = lsoas["lad19_code"].map(lookup.set_index("lad_code")["force"])
    weighted = lsoas.assign(w=lsoas["imd_score_reconstructed"] * lsoas["population_total"])
    sums = weighted.groupby("force")[["w", "population_total"]].sum()
    return (sums["w"] / sums["population_total"]).rename("imd_score")


def peer_forces(context: pd.DataFrame, force: str, count: int = PEER_COUNT) -> pd.DataFrame:
    """The ``count`` forces most like ``force`` on density and deprivation.

    Both measures are standardised across the candidate forces (density on a log scale,
    since it spans two orders of magnitude) and forces are ranked by Euclidean distance.
    ``context`` has ``people_per_hectare`` and ``imd_score`` indexed by force. The IMD
    covers England only, so English forces are compared on both measures among English
    forces, and Welsh forces on density alone among all forces. The City of London is
    never a peer. ``attrs["measures"]`` names the measures used.
    """
    if force not in context.index or pd.isna(context.loc[force, "people_per_hectare"]):
        raise ValueError(f"no population density for force {force!r}")
    measures = ["people_per_hectare", "imd_score"]
    if pd.isna(context.loc[force, "imd_score"]):
        measures = ["people_per_hectare"]
    usable = context.dropna(subset=measures)
    usable = usable[~usable.index.isin(NOT_PEERS) | (usable.index == force)]
    logged = (
        usable[measures]
        .astype(float)
        .assign(people_per_hectare=np.log(usable["people_per_hectare"].astype(float)))
    )
    candidates = logged[~logged.index.isin(NOT_PEERS)]  # the scale: candidates only
    scaled = (logged - candidates.mean()) / candidates.std(ddof=0)
    distance = np.sqrt(((scaled - scaled.loc[force]) ** 2).sum(axis=1)).drop(force)
    nearest = distance.nsmallest(count)
    peers = context.loc[nearest.index].assign(distance=nearest.round(3)).reset_index(names="force")
    peers.attrs["measures"] = measures
    return peers


#: Words police.uk adds to a force's name in "Falls within" ("Cleveland Police").
POLICE_UK_SUFFIXES = (" police service", " constabulary", " police")


def police_uk_force(falls_within: str) -> str:
    """``Cleveland Police`` -> ``Cleveland``; ``Metropolitan Police Service`` ->
    ``Metropolitan Police``: the force as the ONS data spell it (else the name unchanged)."""
    name = falls_within.strip()
    by_lower = {force.lower(): force for force in TERRITORIAL_FORCES}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    for suffix in POLICE_UK_SUFFIXES:
        if name.lower().endswith(suffix):
            stem = name[: -len(suffix)].lower().replace(" & ", " and ")
            found = by_lower.get(stem) or by_lower.get(f"{stem} police")
            if found:
                return found
    return name


def police_uk_foreign_file(files: list[Path], force: str) -> tuple[Path, str] | None:
    """The first police.uk street file whose rows fall within another force, and that force."""
    for path in files:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            row = next(csv.DictReader(handle), None)
        within = police_uk_force(row.get("Falls within") or "") if row else ""
        if within and within != force:
            return path, within
    return None
