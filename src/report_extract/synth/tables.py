"""The three statistical tables laid out as the official templates print them."""

from __future__ import annotations

from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth

from report_extract import templates as T

from .labels import Labeler
from .table import Cell, Style, Table
from .variation import Variation

Rows = dict[str, dict[str, Any]]


def _value_cells(row: int, first_col: int, values: list[str]) -> list[Cell]:
    return [Cell(row, first_col + i, text) for i, text in enumerate(values)]


def _widest(values: list[str], style: Style) -> float:
    return max((stringWidth(v, style.font, style.size) for v in values), default=0.0)


# --- 二 --------------------------------------------------------------------------------


def _spans(k: int) -> list[int]:
    """How k value columns share table 二's three value base columns."""
    return {1: [3], 2: [1, 2], 3: [1, 1, 1]}[k]


def active_table(truth: dict[str, Any], v: Variation, lab: Labeler, width: float,
                 style: Style) -> Table:
    template = truth["template"]
    rows: Rows = truth["tables"]["active_disclosure"]
    cells: list[Cell] = []
    r = 0
    for block in T.ACTIVE_BLOCKS[template]:
        cells.append(Cell(r, 0, lab.block_heading(block.heading), col_span=4,
                          fill=v.shaded_headings))
        r += 1
        cells.append(Cell(r, 0, lab.header(T.ACTIVE_LABEL_HEADER, narrow=False), bold=True))
        col = 1
        for key, span in zip(block.columns, _spans(len(block.columns)), strict=True):
            label = lab.column("active_disclosure", key, template)
            cells.append(Cell(r, col, label, col_span=span, bold=True))
            col += span
        r += 1
        for row in block.rows:
            cells.append(Cell(r, 0, lab.row("active_disclosure", row, template), align="left"))
            col = 1
            for key, span in zip(block.columns, _spans(len(block.columns)), strict=True):
                cells.append(Cell(r, col, lab.value(rows[row].get(key)), col_span=span))
                col += span
            r += 1
    label_w = width * (0.22 if v.wrapped_labels else 0.34)
    value_w = (width - label_w) / 3
    return Table([label_w, value_w, value_w, value_w], r, cells)


# --- 三 --------------------------------------------------------------------------------


def _printed_app_rows(rows: Rows) -> list[str]:
    """Row keys in printed order; rows of nulls are the ones the report does not print."""
    return [s.key for s in T.APPLICATION_ROWS
            if any(val is not None for val in rows.get(s.key, {}).values())]


def applications_table(truth: dict[str, Any], v: Variation, lab: Labeler, width: float,
                       style: Style) -> Table:
    rows: Rows = truth["tables"]["applications"]
    template = truth["template"]
    keys = _printed_app_rows(rows)
    cols = [c.key for c in T.APPLICATION_COLUMNS]
    header_rows = 3
    cells = _applications_header(lab, template)
    results = [k for k in keys if k in T.RESULT_ROWS]
    first_result = header_rows + keys.index(results[0])
    cells.append(Cell(first_result, 0, lab.text(T.RESULTS_BLOCK_LABEL), row_span=len(results)))
    groups_done: set[str] = set()
    texts: list[str] = []
    for i, key in enumerate(keys):
        r = header_rows + i
        spec = T.spec_for(T.APPLICATION_ROWS, key)
        label = lab.row("applications", key, template)
        if key not in T.RESULT_ROWS:
            cells.append(Cell(r, 0, label, col_span=3, align="left", bold=True))
        elif spec.group:
            if spec.group not in groups_done:
                groups_done.add(spec.group)
                n = sum(1 for k in results if T.spec_for(T.APPLICATION_ROWS, k).group == spec.group)
                cells.append(Cell(r, 1, lab.text(spec.group), row_span=n))
            cells.append(Cell(r, 2, label, align="left"))
        else:
            cells.append(Cell(r, 1, label, col_span=2, align="left"))
        values = [lab.value(rows[key].get(c)) for c in cols]
        texts += values
        cells += _value_cells(r, 3, values)
    table = Table(_applications_widths(v, width, style, texts), header_rows + len(keys), cells,
                  header_rows=header_rows)
    if v.split_in_merged_block and v.split_row in keys:
        table.break_before = header_rows + keys.index(v.split_row)
    return table


def _applications_header(lab: Labeler, template: str) -> list[Cell]:
    org = [c.key for c in T.APPLICATION_COLUMNS if c.key not in ("natural_person", "total")]
    cells = [
        Cell(0, 0, lab.text(T.APPLICATIONS_CORNER), row_span=3, col_span=3, align="left"),
        Cell(0, 3, lab.header(T.APPLICANT_HEADER, narrow=False), col_span=7),
        Cell(1, 3, lab.column("applications", "natural_person", template), row_span=2),
        Cell(1, 4, lab.header(T.ORG_GROUP_LABEL, narrow=False), col_span=5),
        Cell(1, 9, lab.column("applications", "total", template), row_span=2),
    ]
    cells += [Cell(2, 4 + i, lab.column("applications", k, template)) for i, k in enumerate(org)]
    return cells


def _applications_widths(v: Variation, width: float, style: Style,
                         values: list[str]) -> list[float]:
    value_w = max(_widest(values, style) + 2 * style.pad + 2, width * 0.066)
    if v.wrapped_labels:
        value_w *= 1.2
    vertical_w = style.size + 2 * style.pad + 1  # one character per line
    labels_w = width - vertical_w - 7 * value_w
    group_w = labels_w * (0.24 if v.wrapped_labels else 0.3)
    return [vertical_w, group_w, labels_w - group_w, *[value_w] * 7]


# --- 四 --------------------------------------------------------------------------------


def review_table(truth: dict[str, Any], v: Variation, lab: Labeler, width: float,
                 style: Style) -> Table:
    rows: Rows = truth["tables"]["review_litigation"]
    template = truth["template"]
    leaves = [c.key for c in T.REVIEW_COLUMNS]
    review, direct, after = (s.key for s in T.REVIEW_ROWS)
    cells = [
        Cell(0, 0, _wide(lab, T.spec_for(T.REVIEW_ROWS, review).label), col_span=5),
        Cell(0, 5, _wide(lab, T.LITIGATION_GROUP_LABEL), col_span=10),
        Cell(1, 5, _wide(lab, T.spec_for(T.REVIEW_ROWS, direct).label), col_span=5),
        Cell(1, 10, _wide(lab, T.spec_for(T.REVIEW_ROWS, after).label), col_span=5),
    ]
    for i, key in enumerate(leaves):
        label = lab.column("review_litigation", key, template)
        cells.append(Cell(1, i, label, row_span=2))
        cells.append(Cell(2, 5 + i, label))
        cells.append(Cell(2, 10 + i, label))
    values = [lab.value(rows[r].get(k)) for r in (review, direct, after) for k in leaves]
    cells += _value_cells(3, 0, values)
    col_w = max(width / 15, _widest(values, style) + 2 * style.pad + 2)
    return Table([col_w] * 15, 4, cells, header_rows=3)


def _wide(lab: Labeler, label: str) -> str:
    return lab.header(label, narrow=False)
