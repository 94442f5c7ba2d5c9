"""The three statistical tables laid out as the official templates print them."""

from __future__ import annotations

import random
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth

from report_extract import templates as T
from report_extract.synth.labels import Labeler
from report_extract.synth.table import Cell, Style, Table
from report_extract.synth.variation import Variation

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
        printed = [row for row in block.rows if row not in v.dropped_rows]
        if not printed:
            continue  # the agency left the whole block out
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
        for row in printed:
            label = lab.row("active_disclosure", row, template)
            values = [lab.value(rows[row].get(key)) for key in block.columns]
            cells += _active_row(r, label, values)
            r += 1
            for extra in extra_rows_after(v, "active_disclosure", row):
                extra_values = _extra_active_values(v, extra, block.columns)
                cells += _active_row(r, lab.text(extra_label(extra)),
                                     [lab.value(x) for x in extra_values])
                r += 1
    label_w = width * (0.22 if v.wrapped_labels else 0.34)
    value_w = (width - label_w) / 3
    return Table([label_w, value_w, value_w, value_w], r, cells, rules=_rules(v))


def _active_row(r: int, label: str, values: list[str]) -> list[Cell]:
    cells = [Cell(r, 0, label, align="left")]
    col = 1
    for text, span in zip(values, _spans(len(values)), strict=True):
        cells.append(Cell(r, col, text, col_span=span))
        col += span
    return cells


def _rules(v: Variation) -> str:
    if not v.borderless:
        return "grid"
    return "three_line" if v.three_line else "none"


# --- rows an agency adds ---------------------------------------------------------------


def extra_rows_after(v: Variation, table: str, row: str) -> list[str]:
    """The extra rows (AGENCY_EXTRA_ROWS keys) printed right after `row` of `table`."""
    return [k for k in v.extra_rows if T.AGENCY_EXTRA_ROWS[k][:2] == (table, row)]


def extra_label(key: str) -> str:
    return T.AGENCY_EXTRA_ROWS[key][2]


def extra_row_values(v: Variation, key: str, tables: dict[str, Any]) -> dict[str, int]:
    """The values the generator prints in the extra row `key`, by column key."""
    table, anchor, _ = T.AGENCY_EXTRA_ROWS[key]
    if table == "applications":
        columns = (*T.APPLICANT_COLUMNS, "total")
        values = _extra_app_values(v, key, tables["applications"][anchor])
    else:
        block = next(b for b in T.ACTIVE_BLOCKS[v.template] if anchor in b.rows)
        columns, values = block.columns, _extra_active_values(v, key, block.columns)
    return dict(zip(columns, values, strict=True))


def _extra_rng(v: Variation, key: str) -> random.Random:
    return random.Random(f"{v.seed}:extra:{key}")


def _extra_active_values(v: Variation, key: str, columns: tuple[str, ...]) -> list[int]:
    rng = _extra_rng(v, key)
    return [0 if col == "change" or rng.random() < 0.4 else rng.randint(1, 80)
            for col in columns]


def _extra_app_values(v: Variation, key: str, anchor: dict[str, Any]) -> list[int]:
    """A sub-row ("其中：网上申请") takes a share of its anchor row; a note row is zeros."""
    rng = _extra_rng(v, key)
    share = 0.0 if key == "other_notes" else rng.uniform(0.3, 0.9)
    parts = [int((anchor.get(c) or 0) * share) for c in T.APPLICANT_COLUMNS]
    return [*parts, sum(parts)]


# --- 三 --------------------------------------------------------------------------------


def _printed_app_rows(rows: Rows, v: Variation) -> list[str]:
    """Row keys in printed order; rows of nulls are the ones the report does not print."""
    return [s.key for s in T.APPLICATION_ROWS
            if s.key not in v.dropped_rows
            and any(val is not None for val in rows.get(s.key, {}).values())]


def applications_table(truth: dict[str, Any], v: Variation, lab: Labeler, width: float,
                       style: Style) -> Table:
    rows: Rows = truth["tables"]["applications"]
    template = truth["template"]
    keys = _printed_app_rows(rows, v)
    cols = [c.key for c in T.APPLICATION_COLUMNS]
    header_rows = 3
    lc = 0 if v.vertical_block == "row" else 1  # first label column after the block column
    vc = lc + 2  # first value column
    cells = _applications_header(lab, template, vc)
    n_header = len(cells)  # the results block is drawn right after the header
    results = [k for k in keys if k in T.RESULT_ROWS]
    groups_done: set[str] = set()
    texts: list[str] = []
    row_of: dict[str, int] = {}
    r = header_rows
    for key in keys:
        if key == results[0]:
            block, r = _results_block(lab, v, r, len(results), vc)
            cells.insert(n_header, block)
        row_of[key] = r
        spec = T.spec_for(T.APPLICATION_ROWS, key)
        label = lab.row("applications", key, template)
        if key not in T.RESULT_ROWS:
            cells.append(Cell(r, 0, label, col_span=vc, align="left", bold=True))
        elif spec.group:
            if spec.group not in groups_done:
                groups_done.add(spec.group)
                n = sum(1 for k in results if T.spec_for(T.APPLICATION_ROWS, k).group == spec.group)
                cells.append(Cell(r, lc, lab.text(spec.group), row_span=n))
            cells.append(Cell(r, lc + 1, label, align="left"))
        else:
            cells.append(Cell(r, lc, label, col_span=2, align="left"))
        values = [lab.value(rows[key].get(c)) for c in cols]
        texts += values
        cells += _value_cells(r, vc, values)
        r += 1
        for extra in extra_rows_after(v, "applications", key):
            extra_values = [lab.value(x) for x in _extra_app_values(v, extra, rows[key])]
            cells.append(Cell(r, 0, lab.text(extra_label(extra)), col_span=vc, align="left"))
            cells += _value_cells(r, vc, extra_values)
            r += 1
    table = Table(_applications_widths(v, width, style, texts), r, cells,
                  header_rows=header_rows, rules=_rules(v))
    if v.split_in_merged_block and v.split_row in row_of:
        table.break_before = row_of[v.split_row]
    return table


def _results_block(lab: Labeler, v: Variation, r: int, n_results: int,
                   vc: int) -> tuple[Cell, int]:
    """The 三、本年度办理结果 cell, and the row where the first result row goes: a merged
    column beside the result rows (one character per line, or wrapped), or a row above."""
    text = lab.text(T.RESULTS_BLOCK_LABEL)
    if v.vertical_block == "row":
        return Cell(r, 0, text, col_span=vc + 7, align="left", bold=True), r + 1
    return Cell(r, 0, text, row_span=n_results, vertical=v.vertical_block == "vertical"), r


def _applications_header(lab: Labeler, template: str, vc: int) -> list[Cell]:
    org = [c.key for c in T.APPLICATION_COLUMNS if c.key not in ("natural_person", "total")]
    cells = [
        Cell(0, 0, lab.text(T.APPLICATIONS_CORNER), row_span=3, col_span=vc, align="left"),
        Cell(0, vc, lab.header(T.APPLICANT_HEADER, narrow=False), col_span=7),
        Cell(1, vc, lab.column("applications", "natural_person", template), row_span=2),
        Cell(1, vc + 1, lab.header(T.ORG_GROUP_LABEL, narrow=False), col_span=5),
        Cell(1, vc + 6, lab.column("applications", "total", template), row_span=2),
    ]
    cells += [Cell(2, vc + 1 + i, lab.column("applications", k, template))
              for i, k in enumerate(org)]
    return cells


def _applications_widths(v: Variation, width: float, style: Style,
                         values: list[str]) -> list[float]:
    value_w = max(_widest(values, style) + 2 * style.pad + 2, width * 0.066)
    if v.wrapped_labels:
        value_w *= 1.2
    block_w = {"vertical": style.size + 2 * style.pad + 1,  # one character per line
               "wrapped": 3 * style.size + 2 * style.pad + 1,  # "三、本" / "年度办" / "理结果"
               "row": 0.0}[v.vertical_block]
    labels_w = width - block_w - 7 * value_w
    group_w = labels_w * (0.24 if v.wrapped_labels else 0.3)
    block = [block_w] if block_w else []
    return [*block, group_w, labels_w - group_w, *[value_w] * 7]


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
    return Table([col_w] * 15, 4, cells, header_rows=3, rules=_rules(v))


def _wide(lab: Labeler, label: str) -> str:
    return lab.header(label, narrow=False)
