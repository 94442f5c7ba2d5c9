"""The output tables: their columns, their Arrow types, and Report -> rows.

Rows are plain lists (JSON-able) so a worker process can build them and the batch can
store them in part files; the writers turn them into CSV or Parquet.

Types (docs/dataset.md): counts are nullable 64-bit integers; amounts (the `amount` column,
万元) are decimals with 6 places (a yuan amount converted to 万元 keeps every digit);
`year` and `page` are integers in every file; `uncertain` is a boolean with its reason
beside it; `confidence` is the OCR score (null on a text layer); `raw_text` is a string.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import pyarrow as pa

from report_extract.models import NO_PAGE, TABLE_NAMES, CanonicalCell, CheckResult, Report
from report_extract.templates import TABLE_COLUMNS, TABLE_ROWS
from report_extract.textclean import agency_key
from report_extract.validate import rule_cells, rule_severity

Row = list  # one output row, in the table's column order

_STR = pa.string()
_F64 = pa.float64()
_I32 = pa.int32()
_I64 = pa.int64()
_BOOL = pa.bool_()
AMOUNT_SCALE = 6  # decimal places of an amount in 万元 (one yuan is 0.0001 万元)
AMOUNT = pa.decimal128(20, AMOUNT_SCALE)
# Column keys whose values are amounts (decimals in 万元); every other value is a count.
AMOUNT_COLUMNS = frozenset(spec.key for specs in TABLE_COLUMNS.values() for spec in specs
                           if spec.decimal)


@dataclass(frozen=True)
class TableSpec:
    """One output table. `by_year`: Parquet output is a dataset partitioned by year."""

    name: str
    fields: tuple[tuple[str, pa.DataType], ...]
    by_year: bool = False

    @property
    def columns(self) -> list[str]:
        return [name for name, _ in self.fields]

    @property
    def schema(self) -> pa.Schema:
        """The Arrow schema, with pandas metadata so that a plain pandas.read_parquet gives
        nullable Int64/boolean/string columns (not float64 counts) and decimal amounts."""
        return pa.schema(list(self.fields), metadata=_pandas_metadata(self.fields))


def pandas_dtype(type_: pa.DataType):
    """The pandas dtype of an output column type (nullable, as load() gives it)."""
    import pandas as pd

    if pa.types.is_decimal(type_):
        return pd.ArrowDtype(type_)
    return {pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(),
            pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype(),
            pa.string(): pd.StringDtype()}[type_]


@cache
def _pandas_metadata(fields: tuple[tuple[str, pa.DataType], ...]) -> dict[bytes, bytes]:
    import pandas as pd

    empty = pd.DataFrame({name: pd.Series([], dtype=pandas_dtype(t)) for name, t in fields})
    return pa.Schema.from_pandas(empty, preserve_index=False).metadata


_META = (("report_id", _STR), ("source_file", _STR), ("agency", _STR), ("agency_key", _STR),
         ("year", _I32), ("template", _STR))
_BOX = (("page", _I32), ("x0", _F64), ("top", _F64), ("x1", _F64), ("bottom", _F64))

REPORTS = TableSpec("reports", (*_META, ("pages", _I32), ("source", _STR),
                                ("ocr_pages", _STR), ("ocr_engine", _STR), ("n_cells", _I32),
                                ("n_check_failures", _I32), ("n_problems", _I32),
                                ("status", _STR)), by_year=True)
CELLS = TableSpec("cells", (*_META, ("table", _STR), ("row", _STR), ("column", _STR),
                            ("value", _I64), ("amount", AMOUNT), ("raw_text", _STR), *_BOX,
                            ("locator", _STR), ("uncertain", _BOOL), ("uncertain_reason", _STR),
                            ("confidence", _F64), ("source", _STR)), by_year=True)
# One row per check run: a report's own rules (1-4), and rules 5-6 between two reports of
# one agency (`other_report_id` is then the earlier year's report).
CHECKS = TableSpec("checks", (("report_id", _STR), ("other_report_id", _STR),
                              ("agency", _STR), ("agency_key", _STR), ("year", _I32),
                              ("rule", _STR), ("subject", _STR), ("severity", _STR),
                              ("expected", _F64), ("found", _F64), ("passed", _BOOL),
                              ("cells", _STR), ("message", _STR)))
PROBLEMS = TableSpec("problems", (("report_id", _STR), ("table", _STR), ("kind", _STR),
                                  ("message", _STR), ("raw_text", _STR), ("page", _I32),
                                  ("locator", _STR)))
# Rows an agency adds to a table (行政确认, 其中：网上申请): no canonical key, values kept.
EXTRA_ROWS = TableSpec("extra_rows", (*_META, ("table", _STR), ("label", _STR),
                                      ("column", _STR), ("value", _I64), ("amount", AMOUNT),
                                      ("raw_text", _STR), *_BOX, ("locator", _STR)),
                       by_year=True)
ERRORS = TableSpec("errors", (("source_file", _STR), ("path", _STR), ("sha256", _STR),
                              ("stage", _STR), ("message", _STR), ("kind", _STR)))
# Every input path and what became of it: duplicates and skipped files are recorded here.
# raw_path: the exact name where `path` is not (bytes that are not UTF-8, escaped as \xNN).
INPUTS = TableSpec("inputs", (("path", _STR), ("source_file", _STR), ("sha256", _STR),
                              ("status", _STR), ("kind", _STR), ("raw_path", _STR)))
# Dataset tables, made from all the reports of the output folder together.
# Every printed agency name and the identity it was given (docs/dataset.md).
AGENCIES = TableSpec("agencies", (("agency", _STR), ("name_key", _STR), ("agency_key", _STR),
                                  ("linked_by", _STR), ("note", _STR), ("n_reports", _I32)))
# Several versions of one (agency_key, year): one row per cell in which two of them differ.
CONFLICTS = TableSpec("conflicts", (("agency_key", _STR), ("year", _I32), ("report_id", _STR),
                                    ("other_report_id", _STR), ("table", _STR), ("row", _STR),
                                    ("column", _STR), ("value", _F64), ("other_value", _F64),
                                    ("message", _STR)))
# The reports of each agency-year grouped by the values they print (copies: re-downloads,
# one PDF under two names): one row per report, naming its version's first report.
VERSIONS = TableSpec("versions", (("agency_key", _STR), ("year", _I32), ("version_id", _STR),
                                  ("report_id", _STR), ("source_file", _STR),
                                  ("n_same_values", _I32)))


def wide_spec(table: str) -> TableSpec:
    """The familiar rows x columns shape of one canonical table, columns in template order."""
    value_fields = tuple((spec.key, AMOUNT if spec.decimal else _I64)
                         for spec in TABLE_COLUMNS[table])
    return TableSpec(table, (*_META, ("row", _STR), *value_fields), by_year=True)


WIDE = tuple(wide_spec(name) for name in TABLE_NAMES)
# Tables that come from extracted reports, in the order they are written.
REPORT_TABLES: tuple[TableSpec, ...] = (REPORTS, CELLS, CHECKS, PROBLEMS, EXTRA_ROWS, *WIDE)
DATASET_TABLES: tuple[TableSpec, ...] = (AGENCIES, CONFLICTS, VERSIONS)
ALL_TABLES: tuple[TableSpec, ...] = (*REPORT_TABLES, ERRORS, INPUTS, *DATASET_TABLES)
SPECS = {spec.name: spec for spec in ALL_TABLES}

STATUS_OK = "ok"
STATUS_PARTIAL = "partial"  # extracted, but with problems or uncertain cells
STATUS_FAILED = "failed"
SEVERITY_ERROR = "error"
SEVERITY_WARNING = "warning"


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


def value_pair(column: str, value: int | float | None) -> list:
    """[count, amount]: a cell's value in the column of its kind, the other null.

    Normalize refuses a count printed with decimals; should one come anyway it is kept
    as a decimal, never rounded into a count."""
    if column in AMOUNT_COLUMNS or (isinstance(value, float) and not value.is_integer()):
        return [None, _number(value)]
    return [None if value is None else int(value), None]


def to_arrow(values: list, type_: pa.DataType) -> pa.Array:
    """Row values (JSON types) as an Arrow array of the table's type."""
    if pa.types.is_decimal(type_):
        return pa.array([None if v is None else _decimal(v) for v in values], type=type_)
    return pa.array(values, type=type_)


def record_batch(schema: pa.Schema, rows: list[Row]) -> pa.RecordBatch:
    """Rows as an Arrow record batch of `schema`."""
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    arrays = [to_arrow(list(col), field.type) for col, field in zip(columns, schema,
                                                                      strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _decimal(value: int | float) -> Decimal:
    # repr gives the shortest text that reads back as the same float: 7730.28, not
    # 7730.27999999999974534...
    return Decimal(repr(value) if isinstance(value, float) else value).quantize(
        Decimal(1).scaleb(-AMOUNT_SCALE))


def report_status(report: Report) -> str:
    uncertain = any(c.uncertain for c in report.all_cells())
    return STATUS_PARTIAL if report.problems or uncertain else STATUS_OK


def split_rule(check: CheckResult) -> tuple[str, str]:
    """(rule, subject); accepts a rule given as a whole "rule:subject" identifier."""
    if not check.subject and ":" in check.rule:
        rule, subject = check.rule.split(":", 1)
        return rule, subject
    return check.rule, check.subject


def report_meta(report: Report, report_id: str) -> list:
    """The leading columns of every per-report table (agency_key before any linking)."""
    return [report_id, report.source_file, report.agency, agency_key(report.agency),
            report.year, report.template]


def report_rows(report: Report, report_id: str) -> dict[str, list[Row]]:
    """Every row that one extracted report contributes, by table name, deterministically sorted."""
    meta = report_meta(report, report_id)
    cells = sorted(report.all_cells(), key=cell_sort_key)
    ocr_pages = sorted(p for p, source in report.page_sources.items() if source == "ocr")
    rows: dict[str, list[Row]] = {
        "reports": [[*meta, report.pages, report_source(report),
                     ",".join(map(str, ocr_pages)) or None,
                     report.ocr_engine if ocr_pages else None, len(cells),
                     len(report.check_failures), len(report.problems), report_status(report)]],
        "cells": [_cell_row(meta, c, report.page_sources) for c in cells],
        "checks": [check_row(report_id, None, meta, c) for c in report.checks],
        "problems": [[report_id, p.table, p.kind, p.message, p.raw_text, p.page, p.locator]
                     for p in sorted(report.problems,
                                     key=lambda p: _rank(_TABLE_ORDER, p.table))],
        "extra_rows": [[*meta, e.table, e.label, e.column, *value_pair(e.column, e.value),
                        e.raw_text, *_box(e.page, e.bbox), e.locator]
                       for e in report.extra_rows],
    }
    for spec in WIDE:
        rows[spec.name] = _wide_rows(meta, spec, [c for c in cells if c.table == spec.name])
    return rows


def report_source(report: Report) -> str:
    """text, ocr or html: how the report's pages were read ("text+ocr" when mixed)."""
    sources = sorted(set(report.page_sources.values())) or ["text"]
    return "+".join(sources)


def check_row(report_id: str, other_report_id: str | None, meta: list,
              check: CheckResult) -> Row:
    """A `checks` row; `meta` is the (later) report's leading columns."""
    rule, subject = split_rule(check)
    cells = "; ".join(rule_cells(rule, subject))
    return [report_id, other_report_id, meta[2], meta[3], meta[4], rule, subject,
            rule_severity(rule), _number(check.expected), _number(check.found),
            bool(check.passed), cells, check.message or _check_message(rule, subject, check)]


def _check_message(rule: str, subject: str, check: CheckResult) -> str:
    if check.expected is None or check.found is None:
        return f"{rule}:{subject}: not checked"
    verdict = "holds" if check.passed else "fails"
    return f"{rule}:{subject} {verdict}: expected {check.expected:g}, found {check.found:g}"


def _box(page: int | None, box) -> list:
    if box is None:
        return [page, None, None, None, None]
    return [page, _coord(box.x0), _coord(box.top), _coord(box.x1), _coord(box.bottom)]


def _cell_row(meta: list, cell: CanonicalCell, page_sources: dict[int, str]) -> Row:
    # a web page's cell has no page
    source = (page_sources.get(NO_PAGE) if cell.page is None
              else page_sources.get(cell.page, "text"))
    return [*meta, cell.table, cell.row, cell.column, *value_pair(cell.column, cell.value),
            cell.raw_text, *_box(cell.page, cell.bbox), cell.locator, bool(cell.uncertain),
            cell.uncertain or None, cell.confidence, source]


def _wide_rows(meta: list, spec: TableSpec, cells: list[CanonicalCell]) -> list[Row]:
    """One row per canonical row the report prints; columns it lacks are null."""
    value_columns = spec.columns[len(meta) + 1:]
    by_row: dict[str, dict[str, int | float | None]] = {}
    for cell in cells:  # already in row order
        by_row.setdefault(cell.row, {})[cell.column] = _number(cell.value)
    return [[*meta, row, *(_typed(col, values.get(col)) for col in value_columns)]
            for row, values in by_row.items()]


def _typed(column: str, value: int | float | None) -> int | float | None:
    count, amount = value_pair(column, value)
    return amount if column in AMOUNT_COLUMNS else count if amount is None else None


def failed_report_row(report_id: str, source_file: str) -> Row:
    """A `reports` row for a PDF that could not be extracted (details in `errors`)."""
    return [report_id, source_file, None, None, None, None, 0, None, None, None, 0, 0, 0,
            STATUS_FAILED]
