"""Reports -> tables (CSV in UTF-8 with BOM, typed Parquet, or one xlsx workbook), written
atomically.

`report_rows` turns one Report into rows; `write_reports` writes a few Reports at once;
the batch (report_extract.batch) streams rows from part files through the same sinks.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from report_extract.models import Report
from report_extract.write.files import FORMATS as TABLE_FORMATS
from report_extract.write.files import TableSet, atomic_file, table_path
from report_extract.write.tables import (
    ALL_TABLES,
    CELLS,
    CHECKS,
    ERRORS,
    INPUTS,
    PROBLEMS,
    REPORT_TABLES,
    REPORTS,
    SPECS,
    WIDE,
    TableSpec,
    report_rows,
)
from report_extract.write.xlsx import XLSX, XlsxTableSet

# csv and parquet write a file (or folder) per table; xlsx one workbook of sheets.
FORMATS = (*TABLE_FORMATS, XLSX)

__all__ = [
    "ALL_TABLES", "CELLS", "CHECKS", "ERRORS", "FORMATS", "INPUTS", "PROBLEMS", "REPORTS",
    "REPORT_TABLES", "SPECS", "WIDE", "TableSet", "TableSpec", "XlsxTableSet", "atomic_file",
    "open_tables", "report_rows", "table_path", "write_reports",
]


def write_reports(reports: Iterable[tuple[str, Report]], out_dir: str | os.PathLike, *,
                  format: str = "csv") -> list[Path]:
    """Write (report_id, Report) pairs as the report tables; return the paths written.

    report_id is by convention the SHA-256 of the PDF's bytes. Rows are sorted by it.
    """
    out = Path(out_dir)
    with open_tables(out, format, REPORT_TABLES) as tables:
        for report_id, report in sorted(reports, key=lambda pair: pair[0]):
            for name, rows in report_rows(report, report_id).items():
                tables.write(name, rows)
    if format == XLSX:
        return [tables.path]
    return [table_path(out, spec, format) for spec in REPORT_TABLES]


def open_tables(out_dir: Path, format: str,
                specs: Iterable[TableSpec] = ALL_TABLES) -> TableSet | XlsxTableSet:
    """The sinks of `specs` in one of FORMATS, committed together on a clean exit."""
    if format == XLSX:
        return XlsxTableSet(out_dir, specs)
    return TableSet(out_dir, format, specs)
