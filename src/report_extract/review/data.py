"""The one place the review site and the notebook read a `convert` output folder.

Today it reads the tables `convert` writes (CSV, Parquet or the xlsx workbook) and fills
in what the dataset layer (issue 14: report_extract.load, agency_key, continuity checks,
conflicts) will provide: where the output lacks continuity checks they are computed here
with validate.check_continuity; a missing agency_key is the printed agency; a missing
conflicts table is empty. When load() lands, `read_output` is the function to change.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from report_extract.models import TABLE_NAMES, CanonicalCell, CanonicalTable, Report
from report_extract.validate import check_continuity

TABLES = ("reports", "cells", "checks", "problems", "errors", "inputs", "conflicts")
OPTIONAL = frozenset({"conflicts", "errors", "inputs", "problems"})
WORKBOOK = "tables.xlsx"
_INTS = ("year", "page", "pages", "n_cells", "n_check_failures", "n_problems")
_FLOATS = ("value", "amount", "x0", "top", "x1", "bottom", "expected", "found")


class OutputError(Exception):
    """The folder is not a convert output (one line, naming the folder and the reason)."""


@dataclass
class Dataset:
    """A convert output as DataFrames; every optional table is present (maybe empty)."""

    folder: Path
    reports: pd.DataFrame  # + agency_key; one row per report, failed ones included
    cells: pd.DataFrame  # value (amounts included), uncertain_reason (None when sure)
    checks: pd.DataFrame  # rules 1-6; other_report_id names the earlier year for 5-6
    problems: pd.DataFrame
    conflicts: pd.DataFrame
    errors: pd.DataFrame
    inputs: pd.DataFrame


def read_output(folder: str | Path) -> Dataset:
    """Read a convert output folder (csv, parquet or xlsx) into a Dataset."""
    out = Path(folder)
    if not out.is_dir():
        raise OutputError(f"{out}: not a folder (give the -o folder of report-extract convert)")
    frames = _read_tables(out)
    if frames.get("reports") is None:
        raise OutputError(f"{out}: no reports table (reports.csv, reports/ or {WORKBOOK}); "
                          "is it the -o folder of report-extract convert?")
    reports = _reports(frames["reports"])
    cells = _cells(frames.get("cells"))
    checks = _checks(frames.get("checks"), reports, cells)
    return Dataset(out, reports, cells, checks, _frame(frames.get("problems")),
                   _frame(frames.get("conflicts")), _frame(frames.get("errors")),
                   _frame(frames.get("inputs")))


def _read_tables(out: Path) -> dict[str, pd.DataFrame | None]:
    if (out / WORKBOOK).is_file() and not (out / "reports.csv").is_file():
        sheets = pd.read_excel(out / WORKBOOK, sheet_name=None, skiprows=[1])
        return {name: sheets.get(name) for name in TABLES}
    return {name: _read_table(out, name) for name in TABLES}


def _read_table(out: Path, name: str) -> pd.DataFrame | None:
    if (out / f"{name}.csv").is_file():
        return pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig", dtype=str,
                           keep_default_na=False, na_values=[""])
    for path in (out / name, out / f"{name}.parquet"):
        if path.exists():
            frame = pd.read_parquet(path)
            if "year" in frame:  # a Hive partition column reads as a category
                frame["year"] = pd.to_numeric(frame["year"].astype(str)).replace(0, pd.NA)
            return frame
    return None


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:  # plain Python strings: Arrow-backed ones iterate slowly
        if pd.api.types.is_string_dtype(frame[column].dtype):
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    for column in _INTS:
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    for column in _FLOATS:
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    if "template" in frame:
        frame["template"] = frame["template"].map(_template, na_action="ignore")
    if "passed" in frame:
        frame["passed"] = frame["passed"].map(_truth)
    return frame


def _template(value) -> str:
    return str(int(float(value))) if str(value).replace(".", "").isdigit() else str(value)


def _truth(value) -> bool:
    return str(value).strip().lower() in ("true", "1", "1.0")


def _frame(frame: pd.DataFrame | None) -> pd.DataFrame:
    return pd.DataFrame() if frame is None else _typed(frame.copy())


def _reports(frame: pd.DataFrame) -> pd.DataFrame:
    reports = _typed(frame.copy())
    if "agency_key" not in reports:
        reports["agency_key"] = reports["agency"]
    if "source" not in reports:
        reports["source"] = None
    return reports.sort_values(["agency_key", "year", "report_id"], na_position="last",
                               ignore_index=True)


def _cells(frame: pd.DataFrame | None) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame(columns=["report_id", "table", "row", "column", "value", "raw_text",
                                     "page", "x0", "top", "x1", "bottom", "uncertain_reason"])
    cells = _typed(frame.copy())
    if "amount" in cells:  # the dataset layer keeps decimals apart from counts
        cells["value"] = cells["amount"].where(cells["amount"].notna(), cells["value"])
    if "uncertain_reason" not in cells:  # before it: `uncertain` holds the reason
        cells["uncertain_reason"] = cells.get("uncertain")
    else:
        flag = cells["uncertain"].map(_truth) if "uncertain" in cells else True
        cells["uncertain_reason"] = cells["uncertain_reason"].where(flag, None)
    cells["uncertain_reason"] = cells["uncertain_reason"].astype(object).where(
        cells["uncertain_reason"].notna(), None)
    return cells


def _checks(frame: pd.DataFrame | None, reports: pd.DataFrame,
            cells: pd.DataFrame) -> pd.DataFrame:
    checks = _frame(frame)
    if checks.empty:
        checks = pd.DataFrame(columns=["report_id", "rule", "subject", "expected", "found",
                                       "passed"])
    if "other_report_id" not in checks:
        checks["other_report_id"] = None
    if not checks["rule"].astype(str).str.startswith("continuity.").any():
        checks = pd.concat([checks, continuity_checks(reports, cells)], ignore_index=True)
    return checks


def records_by_report(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """The rows of a table as plain named tuples, grouped by report_id (fast to iterate:
    a DataFrame's per-group itertuples costs milliseconds each)."""
    if frame.empty or "report_id" not in frame:
        return {}
    columns = [str(c) for c in frame.columns]
    Record = namedtuple("Record", columns, rename=True)  # noqa: PYI024
    lists = [frame[c].astype(object).where(frame[c].notna(), None).tolist()
             for c in frame.columns]
    grouped: dict[str, list[Any]] = {}
    for values in zip(*lists, strict=True):
        record = Record(*values)
        grouped.setdefault(record.report_id, []).append(record)
    return grouped


def continuity_checks(reports: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Rules 5-6 between consecutive years of each agency (validate.check_continuity)."""
    rows = []
    cells_of = records_by_report(cells)
    done = reports[reports["year"].notna() & reports["report_id"].isin(cells_of)]
    for _, agency in done.groupby("agency_key", sort=False):
        by_year = {int(y): (rid, src, name, tpl) for y, rid, src, name, tpl in zip(
            agency["year"], agency["report_id"], agency["source_file"], agency["agency"],
            agency["template"], strict=True)}
        for year, later in by_year.items():
            earlier = by_year.get(year - 1)
            if earlier is None:
                continue
            for check in check_continuity(_report(earlier, year - 1, cells_of[earlier[0]]),
                                          _report(later, year, cells_of[later[0]])):
                rows.append({"report_id": later[0], "other_report_id": earlier[0],
                             "rule": check.rule, "subject": check.subject,
                             "expected": check.expected, "found": check.found,
                             "passed": check.passed})
    return pd.DataFrame(rows, columns=["report_id", "other_report_id", "rule", "subject",
                                       "expected", "found", "passed"])


_CONTINUITY_TABLES = ("applications", "active_disclosure")


def _report(meta: tuple, year: int, cells: list) -> Report:
    _, source_file, agency, template = meta
    tables = {name: CanonicalTable(name) for name in TABLE_NAMES}
    for cell in cells:
        if cell.table in _CONTINUITY_TABLES:
            value = None if cell.value is None or pd.isna(cell.value) else cell.value
            tables[cell.table].cells.append(CanonicalCell(
                cell.table, cell.row, cell.column, value, cell.raw_text, None, None,
                cell.uncertain_reason))
    return Report(source_file, agency, year, template, tables)
