"""The output tables: their columns, their Arrow types, and Report -> rows.

Rows are plain lists (JSON-able) so a worker process can build them and the batch can
store them in part files; the writers turn them into CSV or Parquet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from report_extract.models import TABLE_NAMES, CanonicalCell, CheckResult, Report
from report_extract.templates import TABLE_COLUMNS, TABLE_ROWS

if TYPE_CHECKING:
    import pyarrow as pa

Row = list  # one output row, in the table's column order

# Arrow type names (pyarrow.type_for_alias); pyarrow itself is imported only to write
# Parquet (it costs ~0.2 s at start-up)
_STR = "string"
_F64 = "double"
_I32 = "int32"
_BOOL = "bool"


@dataclass(frozen=True)
class TableSpec:
    """One output table. `by_year`: Parquet output is a dataset partitioned by year."""

    name: str
    fields: tuple[tuple[str, str], ...]  # (column, Arrow type name)
    by_year: bool = False

    @property
    def columns(self) -> list[str]:
        return [name for name, _ in self.fields]

    @property
    def schema(self) -> pa.Schema:
        import pyarrow as pa

        return pa.schema([(name, pa.type_for_alias(kind)) for name, kind in self.fields])


_META = (("report_id", _STR), ("source_file", _STR), ("agency", _STR), ("year", _I32),
         ("template", _STR))

REPORTS = TableSpec("reports", (*_META, ("pages", _I32), ("n_cells", _I32),
                                ("n_check_failures", _I32), ("n_problems", _I32),
                                ("status", _STR)), by_year=True)
CELLS = TableSpec("cells", (*_META, ("table", _STR), ("row", _STR), ("column", _STR),
                            ("value", _F64), ("raw_text", _STR), ("page", _I32),
                            ("x0", _F64), ("top", _F64), ("x1", _F64), ("bottom", _F64),
                            ("uncertain", _STR)), by_year=True)
CHECKS = TableSpec("checks", (("report_id", _STR), ("rule", _STR), ("subject", _STR),
                              ("expected", _F64), ("found", _F64), ("passed", _BOOL)))
PROBLEMS = TableSpec("problems", (("report_id", _STR), ("table", _STR), ("kind", _STR),
                                  ("message", _STR), ("raw_text", _STR), ("page", _I32)))
ERRORS = TableSpec("errors", (("source_file", _STR), ("path", _STR), ("sha256", _STR),
                              ("stage", _STR), ("message", _STR), ("kind", _STR)))
# Every input path and what became of it: duplicates and skipped files are recorded here.
INPUTS = TableSpec("inputs", (("path", _STR), ("source_file", _STR), ("sha256", _STR),
                              ("status", _STR), ("kind", _STR)))


def wide_spec(table: str) -> TableSpec:
    """The familiar rows x columns shape of one canonical table, columns in template order."""
    value_fields = tuple((spec.key, _F64) for spec in TABLE_COLUMNS[table])
    return TableSpec(table, (*_META, ("row", _STR), *value_fields), by_year=True)


WIDE = tuple(wide_spec(name) for name in TABLE_NAMES)
# Tables that come from extracted reports, in the order they are written.
REPORT_TABLES: tuple[TableSpec, ...] = (REPORTS, CELLS, CHECKS, PROBLEMS, *WIDE)
ALL_TABLES: tuple[TableSpec, ...] = (*REPORT_TABLES, ERRORS, INPUTS)
SPECS = {spec.name: spec for spec in ALL_TABLES}

STATUS_OK = "ok"
STATUS_PARTIAL = "partial"  # extracted, but with problems or uncertain cells
STATUS_FAILED = "failed"


def _order(keys: Iterable[str]) -> dict[str, int]:
    return {key: i for i, key in enumerate(keys)}


_TABLE_ORDER = _order(TABLE_NAMES)
_ROW_ORDER = {t: _order(s.key for s in TABLE_ROWS[t]) for t in TABLE_NAMES}
_COL_ORDER = {t: _order(s.key for s in TABLE_COLUMNS[t]) for t in TABLE_NAMES}


def _rank(order: dict[str, int], key: str) -> tuple[int, str]:
    # Keys the templates do not know go last, alphabetically: still deterministic.
    return order.get(key, len(order)), key


def cell_sort_key(cell: CanonicalCell) -> tuple:
    return (_rank(_TABLE_ORDER, cell.table),
            _rank(_ROW_ORDER.get(cell.table, {}), cell.row),
            _rank(_COL_ORDER.get(cell.table, {}), cell.column))


def _coord(x: float | None) -> float | None:
    # Hundredths of a point are far below a glyph's size and keep outputs stable.
    return None if x is None else round(float(x), 2)


def _number(x: int | float | None) -> int | float | None:
    return x if x is None or isinstance(x, int | float) else float(x)


def report_status(report: Report) -> str:
    uncertain = any(c.uncertain for c in report.all_cells())
    return STATUS_PARTIAL if report.problems or uncertain else STATUS_OK


def split_rule(check: CheckResult) -> tuple[str, str]:
    """(rule, subject); accepts a rule given as a whole "rule:subject" identifier."""
    if not check.subject and ":" in check.rule:
        rule, subject = check.rule.split(":", 1)
        return rule, subject
    return check.rule, check.subject


def report_rows(report: Report, report_id: str) -> dict[str, list[Row]]:
    """Every row that one extracted report contributes, by table name, deterministically sorted."""
    meta = [report_id, report.source_file, report.agency, report.year, report.template]
    cells = sorted(report.all_cells(), key=cell_sort_key)
    rows: dict[str, list[Row]] = {
        "reports": [[*meta, report.pages, len(cells), len(report.check_failures),
                     len(report.problems), report_status(report)]],
        "cells": [_cell_row(meta, c) for c in cells],
        "checks": [[report_id, *split_rule(c), _number(c.expected), _number(c.found),
                    bool(c.passed)] for c in report.checks],
        "problems": [[report_id, p.table, p.kind, p.message, p.raw_text, p.page]
                     for p in sorted(report.problems,
                                     key=lambda p: _rank(_TABLE_ORDER, p.table))],
    }
    for spec in WIDE:
        rows[spec.name] = _wide_rows(meta, spec, [c for c in cells if c.table == spec.name])
    return rows


def _cell_row(meta: list, cell: CanonicalCell) -> Row:
    box = cell.bbox
    coords = [None] * 4 if box is None else [_coord(box.x0), _coord(box.top),
                                             _coord(box.x1), _coord(box.bottom)]
    return [*meta, cell.table, cell.row, cell.column, _number(cell.value), cell.raw_text,
            cell.page, *coords, cell.uncertain]


def _wide_rows(meta: list, spec: TableSpec, cells: list[CanonicalCell]) -> list[Row]:
    """One row per canonical row the report prints; columns it lacks are null."""
    value_columns = spec.columns[len(meta) + 1:]
    by_row: dict[str, dict[str, int | float | None]] = {}
    for cell in cells:  # already in row order
        by_row.setdefault(cell.row, {})[cell.column] = _number(cell.value)
    return [[*meta, row, *(values.get(col) for col in value_columns)]
            for row, values in by_row.items()]


def failed_report_row(report_id: str, source_file: str) -> Row:
    """A `reports` row for a PDF that could not be extracted (details in `errors`)."""
    return [report_id, source_file, None, None, None, None, 0, 0, 0, STATUS_FAILED]
