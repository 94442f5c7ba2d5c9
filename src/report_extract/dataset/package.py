"""The data dictionary: a Frictionless Data Package (datapackage.json) describing every
output table (fields, types, descriptions, Chinese labels, units, keys), and the canonical
keys with their printed labels per template (`report-extract schema`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from report_extract.models import TABLE_NAMES
from report_extract.templates import (
    ACTIVE_BLOCKS,
    REVIEW_COLUMNS,
    SECTION_HEADINGS,
    TABLE_COLUMNS,
    TEMPLATES,
    expected_cells,
    printed_label,
)
from report_extract.write.files import PARTITION_KEY, atomic_file, table_path
from report_extract.write.tables import ALL_TABLES, AMOUNT_SCALE, TableSpec

PACKAGE_NAME = "datapackage.json"
UNIT_AMOUNT = "万元"  # 10,000 yuan

TABLE_DESCRIPTIONS = {
    "reports": "One row per converted PDF: its agency, year, template, how it was read "
               "(text layer, OCR) and its status (ok, partial: problems or uncertain cells, "
               "failed: see errors).",
    "cells": "Every value read, one row per cell, with its provenance: page, bounding box "
             "(PDF points, origin top-left), raw text, OCR confidence.",
    "checks": "Consistency rules (勾稽关系) of the spec: rules 1-4 within a report, rules "
              "5-6 between consecutive years of one agency (once per version: reports "
              "printing the same values are checked as their version's first report, see "
              "versions). expected: the value the rule computes from the other cells; "
              "found: the value the report prints.",
    "problems": "What the extractor could not do cleanly: labels not placed, values not read.",
    "extra_rows": "Values of rows an agency adds to a table (no canonical key), under the "
                  "label as printed.",
    "errors": "Inputs that could not be converted, with the stage and the reason.",
    "inputs": "Every input path and what became of it (converted, duplicate, failed, "
              "skipped).",
    "agencies": "Every agency name as printed and the identity (agency_key) it was given.",
    "conflicts": "Reports of one agency and year that print different values: the cells in "
                 "which each version differs from the first. They are never merged or "
                 "averaged.",
    "versions": "The reports of each agency and year grouped by the values they print "
                "(copies: re-downloads, one PDF under two names, a re-exported file), one "
                "row per report: its version is checked across years once, as the version's "
                "first report.",
    "active_disclosure": "Table 二 (主动公开政府信息情况), one row per canonical row.",
    "applications": "Table 三 (收到和处理政府信息公开申请情况), one row per canonical row.",
    "review_litigation": "Table 四 (政府信息公开行政复议、行政诉讼情况), one row per "
                         "canonical row.",
}

FIELD_DESCRIPTIONS = {
    "report_id": "SHA-256 of the PDF's bytes.",
    "other_report_id": "The earlier year's report of a check between two years "
                       "(rules 5-6; its version's first report); the other version's first "
                       "report in a conflict.",
    "version_id": "The report_id of the version's first report (by report_id): the one "
                  "checks across years and conflicts name.",
    "n_same_values": "Reports of the agency and year printing these values, this one "
                     "included (1: no copy).",
    "source_file": "The file name of the PDF.",
    "agency": "The issuing agency as its title prints it.",
    "agency_key": "The agency's identity: its name normalized (width, spacing, radicals, "
                  "punctuation) and linked (region prefix, alias file); see agencies.",
    "name_key": "The printed name normalized, before any link.",
    "linked_by": "How the name was linked to another: region_prefix or alias_file.",
    "year": "The reporting year (the report on 2023 has 2023).",
    "template": "The template version of table 二: 2019 or 2021.",
    "pages": "Pages in the PDF.",
    "source": "How the value's page was read: text (text layer), ocr or html.",
    "ocr_pages": "The pages read by OCR, comma-separated.",
    "ocr_engine": "The OCR engine that read them (rapidocr, tesseract).",
    "table": "The canonical table key.",
    "row": "The canonical row key.",
    "column": "The canonical column key.",
    "value": "A count (an integer); null where nothing was printed or it was not read.",
    "amount": f"An amount in {UNIT_AMOUNT} (decimal, {AMOUNT_SCALE} places).",
    "raw_text": "The cell's text as read.",
    "page": "1-based page number.",
    "x0": "Left edge, PDF points.", "top": "Top edge, PDF points.",
    "x1": "Right edge, PDF points.", "bottom": "Bottom edge, PDF points.",
    "locator": ("Where a web page's cell stands: 'table N, row R, column C: CSS path' "
                "(N among the page's tables; R, C on its grid; all 1-based); null in a PDF."),
    "uncertain": "True when the value could not be trusted (it is then null).",
    "uncertain_reason": "Why the value could not be trusted.",
    "confidence": "The OCR score of the cell's text (0-1); null on a text layer.",
    "rule": "The rule identifier of the spec.",
    "subject": "The column or row the rule is checked for.",
    "severity": "error, or warning (rule 6: counts are often revised).",
    "expected": "What the rule computes from the other cells (e.g. the sum of the terms).",
    "found": "What the report prints in the cell the rule checks (e.g. the total).",
    "passed": "Whether expected equals found.",
    "cells": "The cells involved, table.row.column; earlier:/later: in checks across years.",
    "message": "The finding in words.",
    "label": "The row label as printed.",
    "other_value": "The other report's value.",
    "note": "Why a name was linked, or left unlinked.",
    "n_reports": "Reports under this printed name.",
    "n_cells": "Cells read from the report.",
    "n_check_failures": "Rules 1-4 the report fails.",
    "n_problems": "Entries of the report in problems.",
    "status": "reports: ok, partial (problems or uncertain cells) or failed; inputs: "
              "converted, duplicate (the same bytes as another path), failed, skipped "
              "(not a PDF) or stale (converted under an older table layout).",
    "path": "The input path as given (archive.zip!/member.pdf for a zip member), readable: a "
            "name that is not UTF-8 is decoded as GB18030 where that reads, else as \\xNN.",
    "raw_path": "The exact name where path is not (bytes that are not UTF-8, escaped as \\xNN; "
                "report_extract.batch.inputs.unescape_name gives the bytes back); else null.",
    "sha256": "SHA-256 of the input's bytes (the report_id of a PDF).",
    "stage": "The stage that failed: input, ingest, detect, normalize, validate.",
    "kind": "A stable key of the failure (not_a_pdf, encrypted_pdf, not_found, timeout, "
            "...) or of a problem (unplaced_row, uncertain_value, ...).",
}

_TYPES = {pa.string(): "string", pa.int32(): "integer", pa.int64(): "integer",
          pa.float64(): "number", pa.bool_(): "boolean"}
_PRIMARY_KEYS = {
    "reports": ["report_id"],
    "cells": ["report_id", "table", "row", "column"],
    "inputs": ["path"],
    "agencies": ["agency"],
    "versions": ["report_id"],
    **{name: ["report_id", "row"] for name in TABLE_NAMES},
}


def _column_labels(table: str) -> dict[str, str]:
    labels = {}
    for spec in TABLE_COLUMNS[table]:
        printed = {printed_label(table, spec.key, t, column=True) for t in spec.templates}
        labels[spec.key] = " / ".join(sorted(printed))
    return labels


def _field(spec: TableSpec, name: str, type_: pa.DataType) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": _TYPES.get(type_, "number")}
    if pa.types.is_decimal(type_):
        field["unit"] = UNIT_AMOUNT
    if spec.name in TABLE_NAMES and name in _column_labels(spec.name):
        field["title"] = _column_labels(spec.name)[name]
        field["description"] = (f"{FIELD_DESCRIPTIONS['amount']}" if pa.types.is_decimal(type_)
                                else "A count (an integer).")
    else:
        field["description"] = FIELD_DESCRIPTIONS.get(name, "")
    if name == "amount" or pa.types.is_decimal(type_):
        field["unit"] = UNIT_AMOUNT
    return field


def _resource(out: Path, spec: TableSpec, fmt: str) -> dict[str, Any]:
    fields = [_field(spec, n, t) for n, t in spec.fields]
    if fmt == "parquet" and spec.by_year:
        # The Hive folder as a whole (pyarrow reads it as one table, with its folder key as
        # a column): a list of its files would be read as their bytes joined.
        fields.append({"name": PARTITION_KEY, "type": "integer",
                       "description": "The Hive folder key: the year, 0 when unknown."})
    resource: dict[str, Any] = {
        "name": spec.name,
        "path": table_path(out, spec, fmt).name,
        "format": fmt,
        "description": TABLE_DESCRIPTIONS.get(spec.name, ""),
        "schema": {"fields": fields},
    }
    if fmt == "csv":
        resource.update(encoding="utf-8-sig", mediatype="text/csv")
    if spec.name in SECTION_HEADINGS:
        resource["title"] = SECTION_HEADINGS[spec.name][0]
    keys = _PRIMARY_KEYS.get(spec.name)
    if keys:
        resource["schema"]["primaryKey"] = keys
    if "report_id" in spec.columns and spec.name != "reports":
        resource["schema"]["foreignKeys"] = [
            {"fields": "report_id", "reference": {"resource": "reports", "fields": "report_id"}}]
    return resource


def datapackage(out: Path, fmt: str) -> dict[str, Any]:
    return {
        "name": "report-extract-dataset",
        "title": "政府信息公开工作年度报告 statistical tables",
        "description": "Tables extracted by report-extract; keys follow the canonical "
                       "schema (report-format.md). Amounts are in 万元.",
        "profile": "data-package",
        "resources": [_resource(out, spec, fmt) for spec in ALL_TABLES],
    }


def write_datapackage(out: Path, fmt: str) -> Path:
    path = out / PACKAGE_NAME
    with atomic_file(path, "w", encoding="utf-8") as handle:
        json.dump(datapackage(out, fmt), handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    return path


def schema_text(template: str | None = None) -> str:
    """The canonical keys with the labels each template prints, for people."""
    lines = []
    for template_name in ([template] if template else list(TEMPLATES)):
        lines.append(f"template {template_name}")
        cells = expected_cells(template_name)
        for table in TABLE_NAMES:
            lines.append(f"  {table}  {SECTION_HEADINGS[table][0]}")
            lines.append("    rows:")
            for row in cells[table]:
                lines.append(f"      {row:<30} {printed_label(table, row, template_name)}")
            columns = _template_columns(table, template_name)
            lines.append("    columns:")
            for column in columns:
                label = printed_label(table, column, template_name, column=True)
                unit = f"  [{UNIT_AMOUNT}, decimal]" if column == "amount" else ""
                lines.append(f"      {column:<30} {label}{unit}")
    return "\n".join(lines)


def _template_columns(table: str, template: str) -> list[str]:
    if table == "active_disclosure":
        seen: list[str] = []
        for block in ACTIVE_BLOCKS[template]:
            seen += [c for c in block.columns if c not in seen]
        return seen
    if table == "review_litigation":
        return [c.key for c in REVIEW_COLUMNS]
    return [c.key for c in TABLE_COLUMNS[table] if template in c.templates]
