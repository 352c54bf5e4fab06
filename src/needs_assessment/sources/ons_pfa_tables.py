"""ONS "Police Force Area data tables" workbooks: Table P1 (counts by offence group),
Table P3 (rates per 1,000) and Table P5 (knife or sharp instrument offences, time series).

Any number of quarterly editions can be read together; each row carries its ``edition``
(the workbook's period end). Quirks handled:

* sheet names with trailing spaces (``'Table P4  '``) are matched on ``strip()``;
* the header row ("Area Code", "Area Name") sits around row 5; in P1 the total's label is on
  the row above; P5 has period labels ("Apr '10 to Mar '11") on the row above, then pairs of
  number / "% involving a knife" columns, then "% change" columns (ignored);
* footnote digits stuck to names (``Cambridgeshire10``, ``ENGLAND AND WALES7,8``,
  ``(excluding fraud3)``) are removed and upper-case names title-cased (``England and Wales``);
* ``..``, ``NA``, ``N/A``, ``-`` mean "not available" (nullable values);
* British Transport Police rows (no area code) are dropped: they are not an area. Rows
  "England and Wales (excluding Greater Manchester Police)" have no code and are kept with a
  null ``area_code`` and ``excludes_gmp`` True. From YE Sep 2019 the P1/P3 national, England
  and North West totals exclude Greater Manchester (sheet subtitle, GMP IT system): these rows
  also get ``excludes_gmp`` True although they carry the normal codes and names.

Errors name the workbook, the sheet, the Excel row and the column (letter and heading).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from openpyxl.utils import get_column_letter

from needs_assessment.errors import DataError
from needs_assessment.sources._common import read_sheet, validate

AREA_CODE = re.compile(r"[EWK]\d{8}")
AREA_TYPES = {
    "K04": "national",
    "E92": "country",
    "W92": "country",
    "E12": "region",
    "E23": "force",
    "W15": "force",
}
MISSING = frozenset({"", "..", ":", "-", "+", "NA", "N/A", "n/a", "[x]", "[c]", "[z]"})
NOT_AREAS = frozenset({"British Transport Police"})
#: Aggregates that contain Greater Manchester Police (national, England, North West).
GMP_AGGREGATES = frozenset({"K04000001", "E92000001", "E12000002"})
GROUP_ALIASES = {
    "Miscellaneous crimes": "Miscellaneous crimes against society",
    "All other theft offences": "Other theft offences",
}
P1_REQUIRED = (
    "Total recorded crime (excluding fraud)",
    "Violence against the person",
    "Homicide",
    "Robbery",
    "Possession of weapons offences",
)
MONTHS = {name[:3].lower(): number for number, name in enumerate(calendar.month_name) if name}
FOOTNOTE = re.compile(r"(?<=[A-Za-z)])\s*\d+(?:\s*,\s*\d+)*(?=\)|$)")
TITLE_DATE = re.compile(r"year ending\s+([A-Za-z]+)\s+(\d+)", re.IGNORECASE)
PERIOD = re.compile(  # "Apr '10 to Mar '11", possibly with footnote digits after the year
    r"([A-Za-z]{3})[a-z]*\s*'(\d{2})\s*to\s*([A-Za-z]{3})[a-z]*\s*'(\d{2})(?:\d+(?:,\d+)*)?"
)

_AREA = {
    "area_code": pa.Column(str, pa.Check.str_matches(r"^[EWK]\d{8}$"), nullable=True),
    "area_name": pa.Column(str, pa.Check.str_length(min_value=1)),
    "area_type": pa.Column(str, pa.Check.isin(sorted(set(AREA_TYPES.values())))),
    "excludes_gmp": pa.Column(bool),
    "period_end": pa.Column("datetime64[ns]"),
}
_EDITION = {"edition": pa.Column("datetime64[ns]")}
OFFENCE_GROUPS_SCHEMA = pa.DataFrameSchema(
    {
        **_AREA,
        "offence_group": pa.Column(str),
        "count": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        **_EDITION,
    },
    unique=["area_code", "area_name", "period_end", "offence_group", "edition"],
    name="ONS PFA tables, Table P1",
    strict=True,
)
RATES_SCHEMA = pa.DataFrameSchema(
    {
        **_AREA,
        "offence_group": pa.Column(str),
        "rate_per_1000": pa.Column(float, pa.Check.ge(0), nullable=True),
        "population": pa.Column("Int64", pa.Check.gt(0), nullable=True),
        **_EDITION,
    },
    unique=["area_code", "area_name", "period_end", "offence_group", "edition"],
    name="ONS PFA tables, Table P3",
    strict=True,
)
KNIFE_SCHEMA = pa.DataFrameSchema(
    {
        **_AREA,
        "period_label": pa.Column(str),
        "knife_offences": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "pct_involving_knife": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
        **_EDITION,
    },
    unique=["area_code", "area_name", "period_end", "edition"],
    name="ONS PFA tables, Table P5",
    strict=True,
)


@dataclass(frozen=True)
class _Sheet:
    path: Path
    name: str
    rows: list[tuple]

    def fail(
        self, problem: str, row: int | None = None, col: int | None = None, label: str | None = None
    ) -> DataError:
        """A DataError naming this sheet, the Excel row and the column (0-based ``col``)."""
        column = label
        if col is not None:
            column = get_column_letter(col + 1) + (f" ({label})" if label else "")
        return DataError(self.path, f"sheet '{self.name}': {problem}", row=row, column=column)

    def cell(self, row: int, col: int):
        """Value at 0-based ``row``/``col`` (None beyond the row's end)."""
        values = self.rows[row] if row < len(self.rows) else ()
        return values[col] if col < len(values) else None


# ---------------------------------------------------------------------------- public API


def load(source: str | Path | Iterable[str | Path], table: str = "P1") -> pd.DataFrame:
    """Read Table ``P1`` (counts), ``P3`` (rates) or ``P5`` (knife) from every edition."""
    readers = {"P1": offence_groups, "P3": rates, "P5": knife_offences}
    if table not in readers:
        raise ValueError(f"table must be one of {', '.join(readers)}, not {table!r}")
    return readers[table](source)


def offence_groups(source: str | Path | Iterable[str | Path]) -> pd.DataFrame:
    """Table P1: one row per edition, area and offence group with the year's ``count``."""
    return _read_all(source, "P1", _p1)


def rates(source: str | Path | Iterable[str | Path]) -> pd.DataFrame:
    """Table P3: offences per 1,000 population (households for residential burglary)."""
    return _read_all(source, "P3", _p3)


def knife_offences(source: str | Path | Iterable[str | Path]) -> pd.DataFrame:
    """Table P5: knife or sharp instrument offences per area and period, every edition.

    Several editions repeat (and revise) the same years: use :func:`latest_revision`.
    """
    return _read_all(source, "P5", _p5)


def latest_revision(frame: pd.DataFrame) -> pd.DataFrame:
    """Per area, period end (and offence group) keep the row of the newest edition.

    A newer edition that marks a value "not available" does not erase a figure an older
    edition published: the newest edition *with a value* wins (all missing: the newest row).
    """
    value = next(c for c in ("knife_offences", "count", "rate_per_1000") if c in frame)
    keys = ["_area", "period_end"] + (["offence_group"] if "offence_group" in frame else [])
    ranked = frame.assign(
        _area=frame["area_code"].fillna(frame["area_name"]), _has_value=frame[value].notna()
    )
    kept = ranked.sort_values(["_has_value", "edition"], kind="stable").drop_duplicates(
        keys, keep="last"
    )
    return kept.sort_index().drop(columns=["_area", "_has_value"]).reset_index(drop=True)


def workbook_paths(source: str | Path | Iterable[str | Path]) -> list[Path]:
    """The workbooks to read: a folder's ``*.xlsx``, one file, or a list of files."""
    if isinstance(source, (str, Path)):
        source = Path(source)
        if not source.is_dir():
            return [source]
        paths = sorted(p for p in source.glob("*.xlsx") if not p.name.startswith("~$"))
        if not paths:
            raise DataError(source, "folder holds no .xlsx workbooks")
        return paths
    paths = [Path(p) for p in source]
    if not paths:
        raise ValueError("no workbooks given")
    return paths


def area_type(code: str | None, name: str = "") -> str:
    """``national`` / ``country`` / ``region`` / ``force`` from an ONS area code.

    Code-less "(excluding Greater Manchester Police)" rows are typed from their name.
    """
    if code:
        return AREA_TYPES[code[:3]]
    return "national" if name.lower().startswith("england and wales") else "country"


def clean_area_name(text: object) -> str:
    """Drop footnote digits and extra spaces; title-case upper-case words (``WALES``)."""
    name = FOOTNOTE.sub("", " ".join(str(text).split()))
    words = [_title(word) if word.isupper() and len(word) > 1 else word for word in name.split(" ")]
    return " ".join(words).replace("(Excluding", "(excluding")


def clean_label(text: object) -> str:
    """A column heading without footnote digits, line breaks or doubled spaces."""
    label = FOOTNOTE.sub("", " ".join(str(text).split()))
    return GROUP_ALIASES.get(label, label)


# ---------------------------------------------------------------------------- reading


def _read_sheet(path: str | Path, table: str) -> _Sheet:
    name, rows = read_sheet(path, f"Table {table}")
    return _Sheet(Path(path), name, rows)


def _header_row(sheet: _Sheet) -> int:
    """0-based index of the row whose first cell reads "Area Code(s)" (below the title)."""
    for index in range(1, min(20, len(sheet.rows))):
        if _text(sheet.cell(index, 0)).lower().startswith("area code"):
            if not _text(sheet.cell(index, 1)).lower().startswith("area name"):
                raise sheet.fail(
                    "heading 'Area Name' not found next to 'Area Code'",
                    row=index + 1,
                    col=1,
                    label="Area Name",
                )
            return index
    raise sheet.fail(
        "no header row starting with 'Area Code' in the first 20 rows", col=0, label="Area Code"
    )


def _areas(sheet: _Sheet, header: int) -> Iterator[tuple[int, dict]]:
    """(0-based row, area fields) for every area row below the header; BTP skipped."""
    subtitle_excludes = any(
        "excluding greater manchester" in _text(sheet.cell(i, 0)).lower() for i in range(header)
    )
    for index in range(header + 1, len(sheet.rows)):
        first, name = _text(sheet.cell(index, 0)), _text(sheet.cell(index, 1))
        if first.lower().startswith("source"):
            break
        if not name:
            if AREA_CODE.fullmatch(first):
                raise sheet.fail("area name is missing", row=index + 1, col=1, label="Area Name")
            continue
        area = _area(sheet, index, first or None, clean_area_name(name))
        if area is not None:
            area["excludes_gmp"] = "excluding greater manchester" in area["area_name"].lower() or (
                subtitle_excludes and area["area_code"] in GMP_AGGREGATES
            )
            yield index, area


def _area(sheet: _Sheet, index: int, code: str | None, name: str) -> dict | None:
    if code is None:
        if name in NOT_AREAS:
            return None
        if "excluding greater manchester" not in name.lower():
            raise sheet.fail(
                f"area {name!r} has no area code", row=index + 1, col=0, label="Area Code"
            )
    elif not AREA_CODE.fullmatch(code) or code[:3] not in AREA_TYPES:
        raise sheet.fail(
            f"not the ONS code of a force, region or country: {code!r}",
            row=index + 1,
            col=0,
            label="Area Code",
        )
    return {"area_code": code, "area_name": name, "area_type": area_type(code, name)}


def _number(sheet: _Sheet, index: int, col: int, label: str, whole: bool) -> float | None:
    """The cell as a float, None when marked not available; DataError otherwise."""
    value = sheet.cell(index, col)
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = str(value).strip().replace(",", "")
        if text in MISSING:
            return None
        try:
            number = float(text)
        except ValueError:
            raise sheet.fail(
                f"not a number: {value!r}", row=index + 1, col=col, label=label
            ) from None
    if whole and number != round(number):
        raise sheet.fail(
            f"expected a whole number, found {value!r}", row=index + 1, col=col, label=label
        )
    return number


def _title_date(sheet: _Sheet) -> pd.Timestamp:
    """Period end from the title, e.g. "... year ending June 181,2" -> 2018-06-30."""
    match = TITLE_DATE.search(_text(sheet.cell(0, 0)))
    month = MONTHS.get(match.group(1)[:3].lower()) if match else None
    if month is None:
        raise sheet.fail("title does not say 'year ending <month> <year>'", row=1, col=0)
    digits = match.group(2)  # the year, often followed by footnote digits
    year = (
        int(digits[:4]) if len(digits) >= 4 and digits.startswith("20") else 2000 + int(digits[:2])
    )
    return _month_end(year, month)


# ---------------------------------------------------------------------------- tables


def _p1(sheet: _Sheet) -> pd.DataFrame:
    header, period_end = _header_row(sheet), _title_date(sheet)
    columns = _group_columns(sheet, header)
    missing = [g for g in P1_REQUIRED if g not in {label for _, label in columns}]
    if missing:
        raise sheet.fail("offence-group heading is missing", row=header + 1, label=missing[0])
    records = [
        {
            **area,
            "_row": index + 1,
            "period_end": period_end,
            "offence_group": label,
            "count": _number(sheet, index, col, label, whole=True),
        }
        for index, area in _areas(sheet, header)
        for col, label in columns
    ]
    return _finish(sheet, records, {"count": "Int64"}, period_end, OFFENCE_GROUPS_SCHEMA)


def _p3(sheet: _Sheet) -> pd.DataFrame:
    header, period_end = _header_row(sheet), _title_date(sheet)
    columns = _group_columns(sheet, header)
    population = next((c for c, label in columns if label.startswith("Population")), None)
    groups = [
        (c, label) for c, label in columns if not label.startswith(("Population", "Household"))
    ]
    records = []
    for index, area in _areas(sheet, header):
        people = (
            None
            if population is None
            else _number(sheet, index, population, "Population", whole=True)
        )
        records += [
            {
                **area,
                "_row": index + 1,
                "period_end": period_end,
                "offence_group": label,
                "population": people,
                "rate_per_1000": _number(sheet, index, col, label, whole=False),
            }
            for col, label in groups
        ]
    types = {"rate_per_1000": "float64", "population": "Int64"}
    return _finish(sheet, records, types, period_end, RATES_SCHEMA)


def _p5(sheet: _Sheet) -> pd.DataFrame:
    header = _header_row(sheet)
    periods = _periods(sheet, header)
    records = [
        {
            **area,
            "_row": index + 1,
            "period_end": end,
            "period_label": label,
            "knife_offences": _number(sheet, index, col, "Number of selected offences", True),
            "pct_involving_knife": _number(sheet, index, col + 1, "% involving a knife", False),
        }
        for index, area in _areas(sheet, header)
        for col, label, end in periods
    ]
    edition = max(end for _, _, end in periods)
    types = {"knife_offences": "Int64", "pct_involving_knife": "float64"}
    return _finish(sheet, records, types, edition, KNIFE_SCHEMA)


def _group_columns(sheet: _Sheet, header: int) -> list[tuple[int, str]]:
    """(0-based column, cleaned heading) of each value column; heading from the header row,
    or the row above when the header cell is blank (P1's total)."""
    columns = []
    for col in range(2, len(sheet.rows[header])):
        label = _text(sheet.cell(header, col)) or _text(sheet.cell(header - 1, col))
        if label:
            columns.append((col, clean_label(label)))
    if not columns:
        raise sheet.fail("no value columns right of 'Area Name'", row=header + 1)
    return columns


def _periods(sheet: _Sheet, header: int) -> list[tuple[int, str, pd.Timestamp]]:
    """(number column, "Apr '10 to Mar '11", period end) per period labelled above the header."""
    periods = []
    for col in range(2, len(sheet.rows[header - 1])):
        text = " ".join(_text(sheet.cell(header - 1, col)).split())
        if text.lower().startswith("% change"):
            break
        if not text:
            continue
        match = PERIOD.fullmatch(text)
        if match is None or match.group(3).lower() not in MONTHS:
            raise sheet.fail(
                f"not a period label like \"Apr '10 to Mar '11\": {text!r}", row=header, col=col
            )
        _check_pair(sheet, header, col)
        start, start_yy, end, end_yy = match.groups()
        label = f"{start.title()} '{start_yy} to {end.title()} '{end_yy}"
        periods.append((col, label, _month_end(2000 + int(end_yy), MONTHS[end.lower()])))
    if not periods:
        raise sheet.fail("no period labels (\"Apr '10 to Mar '11\") above the header", row=header)
    return periods


def _check_pair(sheet: _Sheet, header: int, col: int) -> None:
    """Each period must head a "Number ..." column followed by a "% involving ..." one."""
    number, share = _text(sheet.cell(header, col)), _text(sheet.cell(header, col + 1))
    if not number.lower().startswith("number"):
        raise sheet.fail(
            "expected a 'Number of selected offences' heading",
            row=header + 1,
            col=col,
            label=number or None,
        )
    if not share.startswith("%"):
        raise sheet.fail(
            "expected a '% involving a knife' heading",
            row=header + 1,
            col=col + 1,
            label=share or None,
        )


# ---------------------------------------------------------------------------- helpers


def _read_all(source, table: str, parse) -> pd.DataFrame:
    """Parse ``table`` of every workbook; two workbooks of the same edition are an error."""
    frames, seen = [], {}
    for path in workbook_paths(source):
        frame = parse(_read_sheet(path, table))
        edition = frame["edition"].iloc[0]
        if edition in seen:
            raise DataError(
                path,
                f"same edition (year ending {edition:%B %Y}) as "
                f"{seen[edition]}: pass only one of them",
            )
        seen[edition] = path.name
        frames.append(frame)
    frame = pd.concat(frames).sort_values("edition", kind="stable", ignore_index=True)
    return _one_name_per_code(frame)


def _one_name_per_code(frame: pd.DataFrame) -> pd.DataFrame:
    """Editions spell some areas differently ("London, City of" / "City of London", and
    YE Jun 2019 P5 labels E12000006 "East Midlands"): use the newest edition's name."""
    coded = frame["area_code"].notna()
    newest = frame[coded].drop_duplicates("area_code", keep="last").set_index("area_code")
    names = frame["area_code"].map(newest["area_name"])
    return frame.assign(area_name=names.where(coded, frame["area_name"]).astype(str))


def _finish(
    sheet: _Sheet,
    records: list[dict],
    types: dict[str, str],
    edition: pd.Timestamp,
    schema: pa.DataFrameSchema,
) -> pd.DataFrame:
    """Records -> typed frame with ``edition``, validated (errors name the Excel row)."""
    if not records:
        raise sheet.fail("no area rows below the header")
    frame = pd.DataFrame.from_records(records)
    frame = frame.astype({column: "float64" for column in types}).astype(types)
    frame["area_code"] = frame["area_code"].astype("str")  # None -> missing
    frame["period_end"] = frame["period_end"].astype("datetime64[ns]")
    frame["edition"] = pd.Series(edition, index=frame.index).astype("datetime64[ns]")
    rows = frame.pop("_row")
    return validate(schema, frame[list(schema.columns)], sheet.path, rows=rows)


def _month_end(year: int, month: int) -> pd.Timestamp:
    return pd.Timestamp(year, month, calendar.monthrange(year, month)[1])


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _title(word: str) -> str:
    if word in {"AND", "OF"}:
        return word.lower()
    return "-".join(part.capitalize() for part in word.split("-"))
