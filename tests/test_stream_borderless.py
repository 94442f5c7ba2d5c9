"""Borderless tables in the text layer, rebuilt from text alignment (stream.py), read exactly.

Each case is a generated report that an earlier stream.py read wrong, most of them
silently: the variation (and for table 二's empty cells a chosen truth) reproduces the
layout that caused it. Needs the CJK fonts; the docx cases need LibreOffice.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import cell_differences, missing_cells

from report_extract.detect.borderless import (
    Line,
    Word,
    _mark_nulls_among_labels,
    table_layout,
    table_parts,
)
from report_extract.models import BBox, Char, Page
from report_extract.pipeline import extract
from report_extract.synth.fonts import missing_fonts
from report_extract.synth.generate import Job, truth_for, write_reports
from report_extract.synth.variation import Variation

pytestmark = pytest.mark.skipif(
    bool(missing_fonts()),
    reason=f"CJK fonts missing: apt-get install -y {' '.join(missing_fonts())}")

BORDERLESS = {"borderless": True, "body_text": False, "title_wrap": False}
EMPTY_CELLS = {"template": "2021", "null_marks": True, "null_mark": "", **BORDERLESS}

CASES: dict[str, dict[str, Any]] = {
    # Table 二 printed with empty cells (see _empty_cells): 行政处罚 with no value lent its
    # label to 行政强制's number below; 本年制发件数 and 现行有效件数, with no number under
    # them, were no columns, and 本年废止件数's one number went under 现行有效件数.
    "empty-cells": EMPTY_CELLS,
    "empty-cells-three-line": {**EMPTY_CELLS, "three_line": True},
    # 2019 table 二's column labels stand about a character apart, as close as a label
    # spaced out ("本年新公 开数量"): the three were read as one header.
    "spaced-headers-2019": {"template": "2019", "font_family": "ar-pl-ukai", "font_size": 12.0,
                            "spaced_headers": True, "seed": 80955822, "borderless": True},
    # ... and spaced and wrapped ("本年新制作 数" / "量"): read in reading order, the
    # label's pieces left to right.
    "wrapped-spaced-headers-2019": {
        "template": "2019", "font_family": "ar-pl-uming", "font_size": 12.0, "col_scale": 0.9,
        "spaced_headers": True, "seed": 987956675, "borderless": True},
    # Table 二 continued on a second page: its later blocks' wrapped header
    # ("上一年项目数" / "量" around "信息内容") was read as two header rows, and
    # 上一年项目数量 as "量".
    "wrapped-headers-after-page-break": {
        "template": "2019", "font_size": 12.0, "col_scale": 0.9, "spaced_headers": True,
        "repeat_header_after_break": True, "null_mark": "无", "split_row": "withheld_third_party",
        "dropped_rows": ("fees", "not_processed_excessive", "not_processed_confirmation"),
        "seed": 144573586, "borderless": True, "three_line": True},
    # Narrow label columns: labels wrapped over up to eleven lines (their first lines far
    # from their numbers were dropped), and a parent label printed one character a line
    # so close to the leaf label beside it that the two read as one word ("三 第三方").
    "long-wrapped-labels": {
        "template": "2021", "font_size": 12.0, "wrapped_labels": True, "large_numbers": True,
        "vertical_block": "wrapped", "seed": 480927620, "borderless": True},
    "long-wrapped-labels-halfwidth": {
        "template": "2021", "font_size": 12.0, "spaced_headers": True, "wrapped_labels": True,
        "halfwidth_brackets": True, "dunhao_numbering": True, "thousands_separators": True,
        "large_numbers": True, "null_marks": True, "null_mark": "无", "vertical_block": "wrapped",
        "shaded_headings": True, "page_numbers": "plain", "split_row": "withheld_third_party",
        "seed": 480927620, "borderless": True},
    # "无" of "（四）无法提供", printed one character a line, alone on its line: read as a
    # null mark it made a value column of the label column.
    "null-mark-in-vertical-label": {
        "template": "2019", "font_family": "ar-pl-uming", "font_size": 10.0, "col_scale": 0.9,
        "wrapped_labels": True, "thousands_separators": True, "large_numbers": True,
        "vertical_block": "wrapped", "seed": 587534027, **BORDERLESS},
    "null-mark-in-vertical-label-2": {
        "template": "2019", "font_size": 12.0, "wrapped_labels": True, "large_numbers": True,
        "seed": 952364454, "borderless": True},
    # Word's layout: "三、本年度办理结果" one character a line right under a tall wrapped
    # label ("二、上年结转…"), stacked onto it, moved that label onto the next row.
    "vertical-label-under-wrapped-label-docx": {
        "template": "2019", "font_family": "noto-sans-cjk", "font_size": 12.0,
        "split_row": "withheld_third_party", "wrapped_labels": True, "label_typos": True,
        "null_mark": "无", "large_numbers": True, "producer": "docx", "three_line": True,
        "page_numbers": "none", "seed": 952364454, "borderless": True},
    # The same, the vertical label under a one-line label: read right before only
    # because its column's single characters outnumbered its numbered labels.
    "vertical-label-under-label-docx": {
        "template": "2019", "font_size": 12.0, "split_row": "withheld_process_info",
        "null_mark": "/", "large_numbers": True, "producer": "docx", "page_numbers": "plain",
        "seed": 649856551, "borderless": True},
    # A label line that reads like the heading of section 三 ("处理 政府信息公开申请") ended
    # the table's region there: its last three rows were lost, silently.
    "label-like-the-section-heading": {
        "template": "2021", "font_family": "ar-pl-ukai", "font_size": 12.0,
        "repeat_header_after_break": True, "dropped_rows": ("withheld_inquiry",
                                                            "other_unpaid_fee"),
        "page_numbers": "page", "seed": 416531463, "borderless": True},
}


def _empty_cells(variation: Variation, source_file: str) -> dict[str, Any]:
    """The variation's truth with table 二 mostly empty: 规章 all empty, 行政规范性文件
    only 本年废止件数, 行政处罚 empty over 行政强制 with a number."""
    truth = truth_for(variation, source_file)
    active = truth["tables"]["active_disclosure"]
    active["regulations"] = {"issued": None, "repealed": None, "in_force": None}
    active["normative_documents"] = {"issued": None, "repealed": 14, "in_force": None}
    active["penalty"] = {"decisions": None}
    active["coercion"] = {"decisions": 306}
    return truth


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("borderless")
    jobs = []
    for name, fields in CASES.items():
        variation = Variation(**fields)
        truth = _empty_cells(variation, f"{name}.pdf") if name.startswith("empty-cells") else None
        jobs.append(Job(name, variation, truth))
    return {pdf.stem: (pdf, truth) for pdf, truth in write_reports(jobs, out)}


@pytest.mark.parametrize("name", list(CASES))
def test_borderless_report_is_read_exactly(reports, name):
    if name not in reports:
        pytest.skip("docx reports need LibreOffice (apt-get install libreoffice-writer-nogui)")
    pdf, truth_path = reports[name]
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    report = extract(pdf, mode="text")
    assert cell_differences(report.to_dict(), truth) == []
    assert sorted(report.check_failures) == sorted(truth["expected_check_failures"])
    problems = {(p.table, p.kind, p.row, p.column) for p in report.problems}
    assert problems >= set(missing_cells(truth))
    # A row printed all blank at a table's foot is not kept by the borderless detector:
    # its cells are reported missing (their truth is null, so they are still exact).
    assert [p for p in problems - set(missing_cells(truth))
            if p[1] != "missing_row" or truth["tables"][p[0]][p[2]][p[3]] is not None] == []


def test_empty_cells_stand_where_printed(reports):
    """The empty-cells case cell by cell: each value under its own row and column, the
    cells printed empty null, and none of them refused as uncertain."""
    table = extract(reports["empty-cells"][0], mode="text").tables["active_disclosure"]
    got = {(c.row, c.column): c.value for c in table.cells}
    assert got[("normative_documents", "repealed")] == 14
    assert got[("coercion", "decisions")] == 306
    for row, column in [("normative_documents", "issued"), ("normative_documents", "in_force"),
                        ("regulations", "issued"), ("regulations", "repealed"),
                        ("regulations", "in_force"), ("penalty", "decisions")]:
        assert got.get((row, column)) is None
    assert [c for c in table.cells if c.uncertain] == []


def _word(text: str, x0: float, x1: float, top: float) -> Word:
    box = BBox(x0, top, x1, top + 9)
    return Word(text, box, [Char(text, box, 9)])


def test_a_lone_digit_where_the_labels_stand_is_a_label_glyph_not_a_value_column():
    # OCR read the "三" of a vertical 三、本年度办理结果 as "1", left of the row labels:
    # as a value it made a value column there, and every label of table 三 a value
    lines = [Line([_word(f"{n}.属于三类内部事务信息", 160, 270, top),
                   *(_word("0", x, x + 5, top) for x in (320, 360, 400))], top, top + 9)
             for n, top in ((4, 100), (5, 120), (6, 140))]
    lines.insert(1, Line([_word("1", 76, 84, 110)], 110, 119))
    assert len(table_layout(lines).value_centers) == 4  # as read: "1" makes a column
    numbering = Line([_word("1", 147, 156, 160), _word("属于国家秘密", 160, 230, 160),
                      *(_word("0", x, x + 5, 160) for x in (320, 360, 400))], 160, 169)
    lines.append(numbering)  # "1.属于国家秘密" with its point lost: the label's numbering
    _mark_nulls_among_labels(lines)
    assert lines[1].words[0].in_label and not numbering.words[0].in_label
    assert all(x > 100 for x in table_layout(lines).value_centers)


def _row(label: str, top: float, values: tuple[str, ...] = ("0", "0", "0")) -> list[Word]:
    return [_word(label, 191, 191 + 10 * len(label), top),
            *(_word(v, x, x + 6, top) for v, x in zip(values, (324, 377, 431), strict=True))]

def _row_texts(page: Page, lines: list[Line]) -> list[list[str]]:
    """The one table part the lines make: its cells' texts, row by row."""
    [part] = table_parts([(page, lines)])
    rows: dict[int, list[str]] = {}
    for cell in sorted(part.cells, key=lambda c: (c.row, c.col)):
        rows.setdefault(cell.row, []).append(cell.text)
    return list(rows.values())



def test_a_label_numbering_cut_off_by_ocr_stays_with_a_label_wrapped_around_its_numbers():
    # synth-32-0018: "2.其他法律行政法规禁止公/开", its point lost, wrapped around its numbers
    # (numbers half a line below its first line): the lone "2" made a data line of the
    # first line, a row of its own with no values, and its numbers went to "开"'s row
    page = Page(2, 595, 842, [], [], source="ocr")
    lines = [Line([_word("1", 176, 184, 355), *_row("属于国家秘密", 355)], 355, 364),
             Line([_word("2", 175, 184, 373), _word("其他法律行政法规禁止公", 191, 301, 373)],
                  373, 382),
             Line(_row("", 380, ("1", "0", "1"))[1:], 380, 389),
             Line([_word("开", 175, 185, 386)], 386, 395),
             Line([_word("3", 175, 184, 405), *_row("危及三安全一稳定", 405)], 405, 414)]
    assert _row_texts(page, lines) == [["1 属于国家秘密", "0", "0", "0"],
                                       ["2 其他法律行政法规禁止公\n开", "1", "0", "1"],
                                       ["3 危及三安全一稳定", "0", "0", "0"]]


def test_a_label_numbering_whose_dunhao_ocr_lost_is_not_cut_off_into_the_values():
    # synth-37-0015: "5、" and "属于三类…" read as two words make a label column start
    # at the second; "6、属于四类…" read as "6" and a label was cut there, and the lone
    # "6" went into the first value cell ("6 1")
    page = Page(2, 595, 842, [], [], source="ocr")
    lines = [Line([_word("5、", 120, 128, 100), _word("属于三类内部事务信息", 135, 235, 100),
                   *(_word("0", x, x + 6, 100) for x in (324, 377, 431))], 100, 109),
             Line([_word("6", 120, 128, 120), _word("属于四类过程性信息", 135, 225, 120),
                   *(_word(v, x, x + 6, 120) for v, x in zip("101", (324, 377, 431),
                                                             strict=True))], 120, 129),
             Line([_word("7、属于行政执法案卷", 120, 215, 140),
                   *(_word("0", x, x + 6, 140) for x in (324, 377, 431))], 140, 149)]
    assert _row_texts(page, lines) == [["5、", "属于三类内部事务信息", "0", "0", "0"],
                                       ["6 属于四类过程性信息", "1", "0", "1"],
                                       ["7、属于行政执法案卷", "0", "0", "0"]]


def test_a_label_numbering_read_lower_than_its_line_starts_its_label():
    # synth-17-0025: "1、" read as a word of its own, its top 1.5 pt below the top of
    # "本机关不掌握相关政府信" beside it; taken by top, that line joined the label above
    # ("8 属于行政查询事项") before "1、" began a new one, and row 8's label named row 1
    page = Page(3, 595, 842, [], [], source="ocr")
    values = (297, 333, 369)
    lines = [Line([_word("8 属于行政查询事项", 146, 230, 150.1),
                   *(_word(v, x, x + 6, 151.2) for v, x in zip("301", values, strict=True))],
                  150.1, 160),
             Line([_word("1、", 146, 155, 170.3), _word("本机关不掌握相关政府信", 162, 272, 168.8)],
                  168.8, 179.3),
             Line([_word(v, x, x + 6, 176) for v, x in zip(("21", "2", "0"), values,
                                                            strict=True)], 176, 185),
             Line([_word("息", 146, 155, 181.4)], 181.4, 190.4),
             Line([_word("2、没有现成信息需要另行制", 146, 272, 199.8),
                   *(_word(v, x, x + 6, 199.8) for v, x in zip(("12", "0", "0"), values,
                                                                strict=True))], 199.8, 208.8)]
    assert _row_texts(page, lines) == [["8 属于行政查询事项", "3", "0", "1"],
                                       ["1、 本机关不掌握相关政府信\n息", "21", "2", "0"],
                                       ["2、没有现成信息需要另行制", "12", "0", "0"]]
