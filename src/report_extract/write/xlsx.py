"""The output tables as one Excel workbook (`tables.xlsx`), a sheet per table.

Why a workbook: a CSV with a BOM still opens as mojibake in LibreOffice's default import,
and researchers want the Chinese labels beside the keys. Each sheet has the keys as its
first header row and the Chinese labels as its second; numbers are numeric cells, the
header is frozen and has an autofilter. Rows stream into a write-only workbook, which is
saved to a temporary file and renamed into place, like every other table.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa

from report_extract.templates import TABLE_COLUMNS
from report_extract.write.files import CommitOnExit, atomic_file
from report_extract.write.tables import ALL_TABLES, WIDE, Row, TableSpec, record_batch

XLSX = "xlsx"
WORKBOOK_NAME = "tables.xlsx"
HEADER_ROWS = 2  # keys, then Chinese labels
MAX_SHEET_ROWS = 1_048_576  # Excel's limit; a longer table goes on into "<name> (2)", ...

# Chinese headers of the columns that are not template labels (those come from templates).
COLUMN_LABELS = {
    "report_id": "报告编号（文件SHA-256）", "source_file": "文件名", "agency": "机关",
    "year": "年度", "template": "模板", "pages": "页数", "n_cells": "数值个数",
    "n_check_failures": "未通过校验数", "n_problems": "问题数", "status": "状态",
    "table": "表", "row": "行", "column": "列", "value": "数值", "raw_text": "原文",
    "page": "页码", "x0": "左（磅）", "top": "上（磅）", "x1": "右（磅）", "bottom": "下（磅）",
    "locator": "网页位置（表、行、列：CSS路径）",
    "uncertain": "存疑", "rule": "校验规则", "subject": "对象", "expected": "应为",
    "found": "实为", "passed": "是否通过", "kind": "类别", "message": "说明",
    "path": "路径", "sha256": "SHA-256", "stage": "阶段",
    "agency_key": "机关标识", "source": "来源（文本层/OCR/网页）", "ocr_pages": "OCR页",
    "ocr_engine": "OCR引擎", "amount": "金额（万元）", "uncertain_reason": "存疑原因",
    "confidence": "OCR置信度", "other_report_id": "另一报告编号", "severity": "严重程度",
    "cells": "涉及数值", "label": "标签（原文）", "raw_path": "原始路径", "name_key": "名称标识",
    "linked_by": "关联依据", "note": "备注", "n_reports": "报告数", "other_value": "另一报告数值",
}
_WIDE_NAMES = {spec.name for spec in WIDE}
# Characters XML 1.0 (so xlsx) cannot hold; openpyxl refuses a string with one.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def column_label(table: str, column: str) -> str:
    """The Chinese header of a column of an output table (the key itself when it has none)."""
    if table in _WIDE_NAMES:
        for spec in TABLE_COLUMNS[table]:
            if spec.key == column:
                return spec.label
    return COLUMN_LABELS.get(column, column)


def _cell(sheet, value: object) -> object:
    if not isinstance(value, str):
        return value
    if _ILLEGAL.search(value):
        # Kept visible as an escape (raw text is provenance), never dropped.
        value = _ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    if value.startswith("="):
        # openpyxl stores a string starting with "=" as a formula, which a spreadsheet would
        # run (a file named "=HYPERLINK(…).pdf"): typed as text it stays exact and inert.
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


class _Sheet:
    """One table's sheet(s): header rows, frozen panes and an autofilter on each."""

    def __init__(self, workbook, spec: TableSpec):
        self._workbook = workbook
        self._spec = spec
        self._part = 0
        self._rows = 0
        self._sheet = None
        self._new_sheet()

    def _new_sheet(self) -> None:
        self._close_sheet()
        self._part += 1
        title = self._spec.name if self._part == 1 else f"{self._spec.name} ({self._part})"
        sheet = self._workbook.create_sheet(title)
        sheet.freeze_panes = f"A{HEADER_ROWS + 1}"
        sheet.append(self._spec.columns)
        sheet.append([column_label(self._spec.name, c) for c in self._spec.columns])
        self._sheet, self._rows = sheet, HEADER_ROWS

    def _close_sheet(self) -> None:
        if self._sheet is not None:
            from openpyxl.utils import get_column_letter

            last = get_column_letter(len(self._spec.columns))
            self._sheet.auto_filter.ref = f"A{HEADER_ROWS}:{last}{self._rows}"

    def write(self, rows: Iterable[Row]) -> None:
        for row in rows:
            if self._rows >= MAX_SHEET_ROWS:
                self._new_sheet()
            self._sheet.append([_cell(self._sheet, v) for v in row])
            self._rows += 1

    def close(self) -> None:
        self._close_sheet()


class XlsxTableSet(CommitOnExit):
    """Like write.files.TableSet, but every table is a sheet of one workbook."""

    def __init__(self, out_dir: Path, specs: Iterable[TableSpec] = ALL_TABLES):
        from openpyxl import Workbook  # only a workbook needs openpyxl

        self._path = Path(out_dir) / WORKBOOK_NAME
        self._workbook = Workbook(write_only=True)
        self._sheets = {spec.name: _Sheet(self._workbook, spec) for spec in specs}

    @property
    def path(self) -> Path:
        return self._path

    def write(self, table: str, rows: Iterable[Row]) -> None:
        self._sheets[table].write(rows)

    def commit(self) -> None:
        for sheet in self._sheets.values():
            sheet.close()
        with atomic_file(self._path, "wb") as handle:
            self._workbook.save(handle)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._workbook.close()



def workbook_path(out_dir: str | os.PathLike) -> Path:
    return Path(out_dir) / WORKBOOK_NAME


def read_workbook(path: Path, specs: Iterable[TableSpec]) -> dict[str, pa.Table]:
    """The tables of a workbook written by XlsxTableSet, typed by their specs (a table's
    continuation sheets "<name> (2)", ... read on). Text written as \\xNN escapes stays so."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        tables = {}
        for spec in specs:
            titles = [t for t in workbook.sheetnames
                      if t == spec.name or t.startswith(f"{spec.name} (")]
            if titles:
                rows = [row for t in titles for row in _sheet_rows(workbook[t], spec)]
                tables[spec.name] = pa.Table.from_batches([record_batch(spec.schema, rows)])
        return tables
    finally:
        workbook.close()


def _sheet_rows(sheet, spec: TableSpec) -> Iterable[list]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, ())
    where = {name: i for i, name in enumerate(header)}
    missing = [c for c in spec.columns if c not in where]
    if missing:
        raise ValueError(f"sheet {sheet.title} has no column {', '.join(missing)} "
                         "(an older table layout: convert again)")
    next(rows, None)  # the Chinese labels
    kinds = [_kind(field.type) for field in spec.schema]
    places = [where[c] for c in spec.columns]
    for row in rows:  # a row read back may stop at its last filled cell
        values = [row[i] if i < len(row) else None for i in places]
        yield [None if v is None else kind(v) for v, kind in zip(values, kinds, strict=True)]


def _kind(type_: pa.DataType):
    if pa.types.is_string(type_):
        return str
    if pa.types.is_integer(type_):
        return int
    if pa.types.is_boolean(type_):
        return bool
    return float  # floats, and decimals (to_arrow makes them exact again)
