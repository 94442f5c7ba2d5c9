"""The one place the review site and the notebook read a `convert` output folder.

It reads the dataset through `report_extract.load()` (CSV, Parquet or the xlsx workbook),
which holds everything the site shows: continuity checks between years (`checks` rows
with `other_report_id`), `conflicts`, `agency_key`, each report's and cell's `source`
(text, ocr, html). Here the typed tables are only shaped for fast page building.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from report_extract.dataset.frames import load, rows_frame
from report_extract.write.tables import SPECS

TABLES = ("reports", "cells", "checks", "problems", "errors", "inputs", "conflicts")


class OutputError(Exception):
    """The folder is not a convert output (one line, naming the folder and the reason)."""


@dataclass
class Dataset:
    """A convert output as DataFrames; every table is present (maybe empty)."""

    folder: Path
    reports: pd.DataFrame  # one row per report, failed ones included; sorted by agency_key
    cells: pd.DataFrame  # value (amounts included, as float), uncertain_reason (None: sure)
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
    try:
        frames = load(out)
    except FileNotFoundError:
        raise OutputError(f"{out}: no reports table (reports.csv, reports/ or tables.xlsx); "
                          "is it the -o folder of report-extract convert?") from None
    except ValueError as error:
        raise OutputError(str(error)) from None
    tables = {name: _plain(frames.get(name, rows_frame(SPECS[name], []))) for name in TABLES}
    reports = tables["reports"].sort_values(["agency_key", "year", "report_id"],
                                            na_position="last", ignore_index=True)
    checks = tables["checks"]
    checks["passed"] = checks["passed"].fillna(False).astype(bool)  # unknown: not passed
    return Dataset(out, reports, _cells(tables["cells"]), checks, tables["problems"],
                   tables["conflicts"], tables["errors"], tables["inputs"])


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Text as plain Python strings and None: Arrow-backed strings iterate slowly."""
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column].dtype):
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def _cells(cells: pd.DataFrame) -> pd.DataFrame:
    """One `value` column (counts and 万元 amounts, as floats) and the reason a value is
    uncertain where it is (a flag without a reason still reads as uncertain)."""
    amount = cells["amount"].astype("Float64").astype("float64")
    cells["value"] = amount.where(amount.notna(), cells["value"].astype("float64"))
    uncertain = cells["uncertain"].fillna(False).astype(bool)
    reason = cells["uncertain_reason"].where(cells["uncertain_reason"].notna(), "uncertain")
    cells["uncertain_reason"] = reason.where(uncertain, None).astype(object)
    return cells


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
