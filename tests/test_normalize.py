"""Normalize on small hand-built grids: what an OCR'd (or odd) table gives it is reported,
never dropped and never forced: unreadable text in a value cell, one value cell over two
columns (a rule lost in a scan), a misread column header, a count with a decimal point."""

from __future__ import annotations

from report_extract.models import BBox, Grid, GridCell
from report_extract.normalize.align import (
    align_active,
    align_applications,
    align_review,
    normalize_active,
    normalize_applications,
    normalize_review,
)
from report_extract.normalize.tree import flag_unplaced

APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")


def cell(row: int, col: int, text: str, col_span: int = 1, confidence: float = 1.0
         ) -> GridCell:
    box = BBox(40.0 * col, 20.0 * row, 40.0 * (col + col_span), 20.0 * row + 20)
    return GridCell(row, col, 1, col_span, text, 2, box, confidence)


def grid(cells: list[GridCell]) -> Grid:
    rows = max(c.row for c in cells) + 1
    cols = max(c.col + c.col_span for c in cells)
    return Grid(cells, rows, cols, [2])


def values(table) -> dict[tuple[str, str], tuple[object, str, str | None]]:
    return {(c.row, c.column): (c.value, c.raw_text, c.uncertain) for c in table.cells}


def flagged(aligned, template: str | None = None):
    """A table aligned, with its template cells not placed flagged (as normalize_tables
    does for every producer)."""
    table, alignment = aligned
    flag_unplaced(table, alignment, table.template or template)
    return table


def missing(table) -> dict[tuple[str, str], str]:
    """Per-cell problems of template cells not placed: (row, column) -> kind: message."""
    return {(p.row, p.column): f"{p.kind}: {p.message.partition(': ')[2]}"
            for p in table.problems if p.row}


def applications(headers=APPLICANTS, new_row: list[GridCell] | None = None):
    cells = [cell(0, 0, "申请人情况")]
    cells += [cell(0, i + 1, label) for i, label in enumerate(headers)]
    cells += [cell(1, 0, "一、本年新收政府信息公开申请数量")]
    cells += new_row if new_row is not None else [cell(1, i + 1, "3") for i in range(7)]
    cells += [cell(2, 0, "二、上年结转政府信息公开申请数量")]
    cells += [cell(2, i + 1, "1") for i in range(7)]
    return normalize_applications(grid(cells))


def test_a_value_cell_over_two_columns_is_uncertain_in_both():
    new = [cell(1, 1, "5"), cell(1, 2, "12", col_span=2)] + [
        cell(1, i, "0") for i in range(4, 8)]
    table = applications(new_row=new)
    reason = ("one value cell spans the columns commercial, research: which column its "
              "value belongs to cannot be told")
    got = values(table)
    assert got[("new", "commercial")] == (None, "12", reason)
    assert got[("new", "research")] == (None, "12", reason)
    assert got[("new", "natural_person")] == (5, "5", None)
    assert got[("new", "public_interest")] == (0, "0", None)
    assert [p.message for p in table.problems] == [
        f"new/commercial: {reason}", f"new/research: {reason}"]


def test_a_cell_cut_in_two_under_one_header_is_uncertain_and_its_column_stays_one():
    # A seal stroke taken for a rule cut the 商业企业 cell of one row: two grid columns
    # under one header cell. The cut cell cannot be told; the other rows read as usual.
    headers = [cell(0, 0, "申请人情况"), cell(0, 1, "自然人"), cell(0, 2, "商业企业", 2)]
    headers += [cell(0, i + 2, label) for i, label in enumerate(APPLICANTS[2:], start=2)]
    new = [cell(1, 0, "一、本年新收政府信息公开申请数量"), cell(1, 1, "5"), cell(1, 2, ""),
           cell(1, 3, "0", confidence=0.94)] + [cell(1, i, "1") for i in range(4, 9)]
    carried = [cell(2, 0, "二、上年结转政府信息公开申请数量"), cell(2, 1, "2"),
               cell(2, 2, "7", col_span=2)] + [cell(2, i, "0") for i in range(4, 9)]
    table = normalize_applications(grid(headers + new + carried))
    reason = ("a line inside this cell cuts it in 2 parts ('' | '0') under one column "
              "header (a seal stroke taken for a rule?): its value cannot be told")
    got = values(table)
    assert got[("new", "commercial")] == (None, "0", reason)
    assert got[("carried_over", "commercial")] == (7, "7", None)
    assert got[("new", "research")] == (1, "1", None)
    assert len(got) == 14
    assert [p.message for p in table.problems] == [f"new/commercial: {reason}"]
    cut = next(c for c in table.cells if (c.row, c.column) == ("new", "commercial"))
    assert cut.bbox == BBox(80.0, 20.0, 160.0, 40.0)  # both parts: where to look


def test_a_header_on_three_lines_cut_into_three_rows_is_read_from_all_of_them():
    # A borderless header: 社会/公益/组织 came out as three rows, the lowest alone "组织".
    top = [cell(0, 0, "申请人情况"), cell(0, 4, "社会"), cell(1, 4, "公益")]
    headers = [cell(2, i + 1, label) for i, label in enumerate(APPLICANTS) if i != 3]
    cells = top + headers + [cell(2, 4, "组织"), cell(3, 0, "一、本年新收政府信息公开申请数量")]
    cells += [cell(3, i + 1, str(i)) for i in range(7)]
    table = normalize_applications(grid(cells))
    assert values(table)[("new", "public_interest")] == (3, "3", None)
    assert table.problems == []


def test_a_misread_header_is_placed_by_position_but_its_values_are_uncertain():
    headers = tuple("美他" if label == "其他" else label for label in APPLICANTS)
    table = applications(headers)
    reason = ("column header '美他' not recognised; it stands where the template prints "
              "其他 (other_org)")
    got = values(table)
    assert got[("new", "other_org")] == (None, "3", reason)
    assert got[("carried_over", "other_org")] == (None, "1", reason)
    assert got[("new", "total")] == (3, "3", None)
    assert table.problems[0].message == ("label '美他' not placed: no template label is "
                                         "close (best: 其他)")


def test_an_unplaced_header_naming_another_key_leaves_its_column_out():
    # "法律" is closest to 法律服务机构 (placed beside): never placed as 科研机构 by its
    # order alone; "美他" (closest to 其他, where the order puts it) is placed, uncertain
    headers = tuple({"其他": "美他", "科研机构": "法律"}.get(h, h) for h in APPLICANTS)
    cells = [cell(0, 0, "申请人情况")] + [cell(0, i + 1, h) for i, h in enumerate(headers)]
    labels = ("一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量")
    for row, label in enumerate(labels, start=1):
        cells += [cell(row, 0, label)] + [cell(row, i + 1, "3") for i in range(7)]
    table = flagged(align_applications(grid(cells)))
    note = "(labels not placed: '法律', '美他')"
    lost = missing(table)
    assert lost[("new", "research")] == (
        f"missing_column: no column header was read as research {note}")
    assert {key for key, kind in lost.items() if kind.startswith("missing_column")} == {
        (row, "research") for row in ("new", "carried_over")}
    got = values(table)
    assert got[("new", "legal_services")] == (3, "3", None)
    assert got[("new", "other_org")] == (
        None, "3", "column header '美他' not recognised; it stands where the template "
        "prints 其他 (other_org)")
    # a column not placed is unknown, not 0: its cells are uncertain nulls too (no check
    # counts them)
    assert got[("new", "research")] == (
        None, "", f"no column header was read as research {note}")
    assert len(got) == 14


def test_a_lost_rule_between_two_review_columns_leaves_both_uncertain():
    # 0丨0: the rule between 结果维持 and 结果纠正 of 未经复议直接起诉 was not seen.
    cells = [cell(0, 0, "行政复议", 5), cell(0, 5, "行政诉讼", 9),
             cell(1, 5, "未经复议直接起诉", 4), cell(1, 9, "复议后起诉", 5)]
    leaves = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    cells += [cell(2, i, leaves[i]) for i in range(5)] + [cell(2, 5, "结果结果")]
    cells += [cell(2, 6 + i, leaves[2 + i]) for i in range(3)]
    cells += [cell(2, 9 + i, leaves[i]) for i in range(5)]
    data = ["0", "9", "0", "0", "9", "0丨0", "9", "0", "9", "0", "8", "0", "0", "8"]
    cells += [cell(3, i, text) for i, text in enumerate(data)]
    table = flagged(align_review(grid(cells)))
    got = values(table)
    note = "(labels not placed: '结果结果')"
    assert missing(table) == {
        ("suit_direct", c): f"missing_column: no column header was read as {c} {note}"
        for c in ("upheld", "corrected")}
    assert got[("suit_direct", "other")] == (9, "9", None)
    assert got[("suit_after_review", "total")] == (8, "8", None)
    assert got[("suit_direct", "upheld")] == (
        None, "", f"no column header was read as upheld {note}")
    assert len(got) == 15


def review_grid(data: list[str]) -> Grid:
    cells = [cell(0, 0, "行政复议", 5), cell(0, 5, "行政诉讼", 10),
             cell(1, 5, "未经复议直接起诉", 5), cell(1, 10, "复议后起诉", 5)]
    leaves = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    cells += [cell(2, i, leaves[i % 5]) for i in range(15)]
    cells += [cell(3, i, text) for i, text in enumerate(data) if text]
    return grid(cells)


def test_a_column_whose_only_value_is_junk_is_reported_not_dropped():
    data = ["0", "0", "5", "1", "6", "0", "10", "0", "0", "10", "0", "0", "0", "1", "I1"]
    table = normalize_review(review_grid(data))
    got = values(table)
    assert got[("suit_after_review", "total")] == (None, "I1", "not a number: 'I1'")
    assert got[("suit_after_review", "pending")] == (1, "1", None)
    assert got[("review", "other")] == (5, "5", None)
    assert len(table.cells) == 15


def active_grid(rows: list[list[GridCell]]) -> Grid:
    """2021 table 二's (五)/(六) block: one 本年处理决定数量 column over three."""
    header = [cell(0, 0, "信息内容"), cell(0, 1, "本年处理决定数量", 3)]
    return grid(header + [c for row in rows for c in row])


def test_active_junk_and_decimal_counts_are_uncertain():
    rows = [[cell(1, 0, "行政许可"), cell(1, 1, "2.487", 3)],
            [cell(2, 0, "行政处罚"), cell(2, 1, "0.", 3)],
            [cell(3, 0, "行政强制"), cell(3, 1, "12", 3)]]
    fees = [[cell(4, 0, "信息内容"), cell(4, 1, "本年收费金额（单位：万元）", 3)],
            [cell(5, 0, "行政事业性收费"), cell(5, 1, "3711.94", 3)]]
    table = normalize_active(active_grid(rows + fees))
    got = values(table)
    assert got[("licensing", "decisions")] == (
        None, "2.487", "a count printed with a decimal point: '2.487'")
    assert got[("penalty", "decisions")] == (None, "0.", "not a number: '0.'")
    assert got[("coercion", "decisions")] == (12, "12", None)
    assert got[("fees", "amount")] == (3711.94, "3711.94", None)


DOCUMENTS_HEADER = ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数")  # 2021 table 二


def header_cells(labels: tuple[str, ...]) -> list[GridCell]:
    return [cell(0, col, label) for col, label in enumerate(labels)]


def row_cells(row: int, label: str, values: tuple[str, ...], confidence: float = 1.0,
              label_confidence: float | None = None) -> list[GridCell]:
    """A label and its values, read with `confidence` (below 1.0: by OCR)."""
    label_cell = cell(row, 0, label,
                      confidence=confidence if label_confidence is None else label_confidence)
    return [label_cell] + [cell(row, col + 1, text, confidence=confidence)
                           for col, text in enumerate(values)]


def test_active_value_cell_over_two_header_columns_is_uncertain_in_both():
    cells = header_cells(DOCUMENTS_HEADER) + [
        cell(1, 0, "规章"), cell(1, 1, "4"), cell(1, 2, "17", col_span=2)]
    table = normalize_active(grid(cells))
    reason = ("one value cell spans the columns repealed, in_force: which column its value "
              "belongs to cannot be told")
    got = values(table)
    assert got[("regulations", "issued")] == (4, "4", None)
    assert got[("regulations", "repealed")] == (None, "17", reason)
    assert got[("regulations", "in_force")] == (None, "17", reason)


def test_an_ocr_read_row_under_two_headers_read_as_one_leaves_the_lost_column_uncertain():
    # The rule between 本年废止件数 and 现行有效件数 was lost in a scan: one header cell,
    # read as repealed; the row's "0 0" read as one cell under it.
    merged = [cell(0, 0, "信息内容"), cell(0, 1, "本年制发件数"),
              cell(0, 2, "本年废止件数现行有效件数", col_span=2)]
    ocr = merged + [cell(1, 0, "规章", confidence=0.99), cell(1, 1, "4", confidence=0.99),
                    cell(1, 2, "00", col_span=2, confidence=0.59)]
    table = flagged(align_active(grid(ocr)))
    assert missing(table)[("regulations", "in_force")] == (
        "missing_column: no column header was read as in_force")
    assert values(table)[("regulations", "issued")] == (4, "4", None)
    printed = merged + [cell(1, 0, "规章"), cell(1, 1, "4"), cell(1, 2, "5", col_span=2)]
    assert ("regulations", "in_force") not in values(normalize_active(grid(printed)))


def test_an_ocr_read_value_under_two_headers_run_together_is_uncertain():
    # A seal's ring along the rule between 本年新制作数量 and 本年新公开数量 (2019): the
    # rule was lost in every row, the header read as one cell placed as `made`, and the
    # row's "1" and "24" read as one number "124" under it (synth-47-0016, silent before).
    def table(confidence: float):
        header = [cell(0, 0, "信息内容", confidence=confidence),
                  cell(0, 1, "本年新制作数量 本年新公开数量", 2, confidence),
                  cell(0, 3, "对外公开总数量", confidence=confidence)]
        row = [cell(1, 0, "规范性文件", confidence=confidence),
               cell(1, 1, "124", 2, confidence), cell(1, 3, "37", confidence=confidence)]
        return flagged(align_active(grid(header + row)))

    got = values(table(0.97))
    assert got[("normative_documents", "made")] == (
        None, "124", "column header '本年新制作数量本年新公开数量' is far longer than "
        "本年新制作数量 (made): two headers may have run together where a rule was lost, "
        "and two values with them")
    assert missing(table(0.97))[("normative_documents", "published")] == (
        "missing_column: no column header was read as published")
    assert got[("normative_documents", "total_published")] == (37, "37", None)
    # A text layer's header is printed as it reads: its values stand.
    assert values(table(1.0))[("normative_documents", "made")] == (124, "124", None)


def test_an_ocr_read_row_with_nothing_under_a_header_has_that_cell_uncertain():
    # 2019 (八) block: the rule between the header and the fees row was lost under a seal,
    # and the row's "0" was read into the header cell ("本年增/减0"): fees.change was
    # silently absent (synth-50-0005).
    def row(confidence: float):
        header = [cell(0, 0, "信息内容", confidence=confidence),
                  cell(0, 1, "上一年项目数量", confidence=confidence),
                  cell(0, 2, "本年增/减0", 2, confidence)]
        fees = [cell(1, 0, "行政事业性收费", confidence=confidence),
                cell(1, 1, "0", confidence=confidence)]
        return values(normalize_active(grid(header + fees)))

    got = row(0.93)
    assert got[("fees", "prior_items")] == (0, "0", None)
    assert got[("fees", "change")] == (
        None, "", "no value read: nothing was read in this row under change")
    assert ("fees", "change") not in row(1.0)  # a text layer's blank is printed blank


def two_rows(second_label: GridCell) -> list[GridCell]:
    cells = [cell(0, 0, "申请人情况")] + [cell(0, i + 1, h) for i, h in enumerate(APPLICANTS)]
    cells += [cell(1, 0, "一、本年新收政府信息公开申请数量")]
    cells += [cell(1, i + 1, "3") for i in range(7)]
    return cells + [second_label] + [cell(2, i + 1, "1") for i in range(7)]


def test_an_ocr_read_row_that_cannot_be_placed_leaves_the_missing_rows_uncertain():
    table = flagged(align_applications(grid(two_rows(cell(2, 0, "本", confidence=0.93)))))
    lost = missing(table)
    assert lost[("carried_over", "total")] == (
        "missing_row: no row was read as carried_over (labels not placed: '本')")
    # neither （六） form was read: the 2019 single row and the 2021 sub-rows are all missing
    assert lost[("other", "total")].startswith("missing_row: no row was read as other ")
    assert lost[("other_other", "natural_person")].startswith("missing_row: ")
    assert values(table)[("new", "total")] == (3, "3", None)
    assert len(lost) == 25 * 7


def test_a_row_whose_values_went_to_an_unplaced_row_has_its_blanks_uncertain():
    # A tilted borderless scan: 一、本年新收… wraps, its right-hand numbers stand on its
    # first line and the left-hand ones on its last ("数量"), a row of its own that cannot
    # be placed. The placed row's blanks were silent nulls (synth-48-0020, 13 cells).
    cells = [cell(0, 0, "申请人情况")] + [cell(0, i + 1, h) for i, h in enumerate(APPLICANTS)]
    cells += [cell(1, 0, "一、本年新收政府信息公开申请", confidence=0.98)]
    cells += [cell(1, i + 1, "3", confidence=0.99) for i in range(4, 7)]
    cells += [cell(2, 0, "数量", confidence=0.97)]
    cells += [cell(2, i + 1, "1", confidence=0.99) for i in range(4)]
    got = values(normalize_applications(grid(cells)))
    reason = ("no value read in this row: a row of values was not placed ('数量') and may "
              "hold it")
    assert got[("new", "natural_person")] == (None, "", reason)
    assert got[("new", "public_interest")] == (None, "", reason)
    assert got[("new", "legal_services")] == (3, "3", None)
    assert got[("new", "total")] == (3, "3", None)


def test_the_single_other_row_read_beside_unplaced_rows_is_refused():
    # 2021 scan: （六）其他处理 stands beside 2.申请人逾期未按…, whose label went unread;
    # the group label was placed as the 2019 single row and took that sub-row's values.
    cells = two_rows(cell(2, 0, "（六）其他处理", confidence=0.95))
    cells += [cell(3, 0, "中清大渝朔", confidence=0.6)]
    cells += [cell(3, i + 1, "2") for i in range(7)]
    table = flagged(align_applications(grid(cells)))
    reason = ("read as the single （六）其他处理 row while rows were not placed "
              "('中清大渝朔'): the values may be those of a （六） sub-row")
    assert values(table)[("other", "natural_person")] == (None, "1", reason)
    # the single row was placed: the 2021 sub-rows are absent, not missing
    assert ("other_unpaid_fee", "total") not in missing(table)


def test_a_text_layer_row_that_cannot_be_placed_is_the_agency_s_own():
    # printed text read exactly: "网上申请" is an agency's extra row, not a misread one
    table = normalize_applications(grid(two_rows(cell(2, 0, "其中：网上申请"))))
    assert {c.row for c in table.cells} == {"new"}
    assert [p.kind for p in table.problems] == ["unplaced_row"]


def test_an_ocr_read_row_read_surely_and_like_no_template_label_is_the_agency_s_own():
    # OCR read "其中：网上申请" at 0.99: no template label is near it (best 0.4), so it is
    # no misread row and no template row is missing. Read unsurely, it may be one.
    sure = flagged(align_applications(grid(two_rows(
        cell(2, 0, "其中：网上申请", confidence=0.99)))))
    assert {c.row for c in sure.cells} == {"new"}
    assert not any(c.uncertain for c in sure.cells)
    # the rows it lacks are missing whoever read the label
    assert ("carried_over", "total") in missing(sure)


def test_values_under_a_header_their_row_does_not_have_are_refused_and_named():
    # 2019 table 二: the 采购项目数量/采购总金额 header of (九) went unread, so the
    # procurement row's values stood under the fees block's 上一年项目数量/本年增/减.
    cells = [cell(0, 0, "信息内容"), cell(0, 1, "本年新制作数量"), cell(0, 2, "本年新公开数量"),
             cell(0, 3, "对外公开总数量"),
             cell(1, 0, "规章"), cell(1, 1, "1"), cell(1, 2, "1"), cell(1, 3, "9"),
             cell(2, 0, "信息内容"), cell(2, 1, "上一年项目数量"), cell(2, 2, "本年增/减", 2),
             cell(3, 0, "行政事业性收费"), cell(3, 1, "4"), cell(3, 2, "0", 2),
             cell(4, 0, "政府集中采购"), cell(4, 1, "14"), cell(4, 2, "26.5", 2)]
    table = normalize_active(grid(cells))
    assert table.template == "2019"
    got = values(table)
    reason = ("no value read: the values read in this row ('14', '26.5') stand under columns "
              "it does not have (prior_items, change)")
    assert got[("procurement", "items")] == (None, "", reason)
    assert got[("procurement", "amount")] == (None, "", reason)
    assert ("procurement", "prior_items") not in got
    assert got[("fees", "prior_items")] == (4, "4", None)


def test_in_a_2019_report_the_single_other_row_stands_beside_unplaced_rows():
    cells = two_rows(cell(2, 0, "（六）其他处理", confidence=0.95))
    cells += [cell(3, 0, "中清大渝朔", confidence=0.6)] + [cell(3, i + 1, "2") for i in range(7)]
    table = flagged(align_applications(grid(cells), template="2019"), "2019")
    assert values(table)[("other", "natural_person")] == (1, "1", None)
    lost = missing(table)
    assert ("other_unpaid_fee", "total") not in lost  # the single row is the form printed
    assert lost[("carried_over", "total")].startswith("missing_row: no row was read as carried")


def test_an_ocr_read_active_row_that_cannot_be_placed_leaves_the_missing_rows_uncertain():
    cells = (header_cells(DOCUMENTS_HEADER) + row_cells(1, "规章", ("1", "0", "9"), 0.99)
             + row_cells(2, "观范牲文", ("3", "0", "12"), 0.99, label_confidence=0.6))
    table = flagged(align_active(grid(cells)))
    assert table.template == "2021"
    lost = missing(table)
    assert lost[("normative_documents", "in_force")] == (
        "missing_row: no row was read as normative_documents (labels not placed: '观范牲文')")
    assert lost[("licensing", "decisions")].startswith("missing_row: no row was read as")
    assert values(table)[("regulations", "in_force")] == (9, "9", None)


def test_a_text_layer_active_row_that_cannot_be_placed_adds_no_cells():
    cells = (header_cells(DOCUMENTS_HEADER) + row_cells(1, "规章", ("1", "0", "9"))
             + row_cells(2, "其中：部门文件", ("3", "0", "12")))
    table = normalize_active(grid(cells))
    assert {c.row for c in table.cells} == {"regulations"}


def test_a_negative_count_read_by_ocr_is_uncertain_but_a_printed_one_is_kept():
    rows = [[cell(1, 0, "行政许可"), cell(1, 1, "-51", 3, confidence=0.99)],
            [cell(2, 0, "行政处罚"), cell(2, 1, "-7", 3)]]
    got = values(normalize_active(active_grid(rows)))
    assert got[("licensing", "decisions")] == (
        None, "-51", "a negative count read by OCR: '-51' (a speck read as a minus?)")
    assert got[("penalty", "decisions")] == (-7, "-7", None)  # published: kept as printed


def test_a_negative_change_read_by_ocr_stands():
    cells = (header_cells(("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"))
             + row_cells(1, "行政许可", ("470", "-4", "34"), 0.99))
    got = values(normalize_active(grid(cells)))
    assert got[("licensing", "change")] == (-4, "-4", None)


def test_an_ocr_read_review_table_with_unread_headers_leaves_their_cells_uncertain():
    # 150 dpi with a seal: 总计 read as "|", the first leaf of 直接起诉 as "结" (its two
    # values read as one, "11丨 0"): the cells under read headers in a group that can be
    # told are placed; the rest is uncertain, never left out (the table would otherwise
    # come out empty without a flagged cell)
    cells = [cell(0, 0, "行政复议", 5), cell(0, 5, "行政诉讼", 9),
             cell(1, 5, "未经复议直接起诉", 4), cell(1, 9, "复议后起诉", 5)]
    leaves = ("结果维持", "结果纠正", "其他结果", "尚未审结", "|")
    cells += [cell(1, i, leaves[i]) for i in range(5)] + [cell(2, 5, "结", confidence=0.5)]
    cells += [cell(2, 6 + i, ("其他结果", "尚未审结", "总计")[i]) for i in range(3)]
    data = ["0", "5", "0", "6", "|11", "11丨 0", "3", "0", "14"]
    cells += [cell(3, i, text, confidence=0.95) for i, text in enumerate(data)]
    table = flagged(align_review(grid(cells)))
    got = values(table)
    placed = {("review", "upheld"): "0", ("review", "corrected"): "5", ("review", "other"): "0",
              ("review", "pending"): "6", ("suit_direct", "other"): "3",
              ("suit_direct", "pending"): "0", ("suit_direct", "total"): "14"}
    assert {key: got.pop(key) for key in placed} == {
        key: (int(text), text, None) for key, text in placed.items()}
    assert got.pop(("review", "total")) == (
        None, "|11", "column header '|' not recognised; it stands where the template prints "
                     "总计 (total)")
    note = "(labels not placed: '|', '结')"
    assert got == {
        **{("suit_direct", c): (None, "", f"no column header was read as {c} {note}")
           for c in ("upheld", "corrected")},
        **{("suit_after_review", c): (None, "", f"no row was read as suit_after_review {note}")
           for c in ("upheld", "corrected", "other", "pending", "total")}}
    assert missing(table) == {
        **{("suit_direct", c): f"missing_column: no column header was read as {c} {note}"
           for c in ("upheld", "corrected")},
        **{("suit_after_review", c): f"missing_row: no row was read as suit_after_review {note}"
           for c in ("upheld", "corrected", "other", "pending", "total")}}


def test_an_unread_total_header_keeps_its_group_apart_and_its_value_uncertain():
    # synth-32-0000: 直接起诉's 总计 read as "?": with no 总计 to end it, the group ran on
    # into 复议后起诉 and neither could be told, so all ten litigation cells were lost
    leaves = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    cells = [cell(0, 0, "行政复议", 5), cell(0, 5, "行政诉讼", 10),
             cell(1, 5, "未经复议直接起诉", 5), cell(1, 10, "复议后起诉", 5)]
    cells += [cell(2, i, label) for i, label in enumerate(leaves * 3)]
    cells[3 + 10] = cell(2, 9, "?", confidence=0.3)
    data = ["0", "0", "0", "0", "0", "2", "0", "0", "0", "2", "0", "6", "6", "0", "12"]
    cells += [cell(3, i, text, confidence=0.99) for i, text in enumerate(data)]
    got = values(normalize_review(grid(cells)))
    reason = ("column header '?' not recognised; it stands where the template prints 总计 "
              "(total)")
    assert got.pop(("suit_direct", "total")) == (None, "2", reason)
    assert {k: v for k, v in got.items() if k[0] != "review"} == {
        (row, column): (int(text), text, None)
        for row, texts in (("suit_direct", data[5:9]), ("suit_after_review", data[10:]))
        for column, text in zip(("upheld", "corrected", "other", "pending", "total"), texts,
                                strict=False)}
    assert len(got) == 14


def test_a_digit_misread_in_the_label_column_does_not_make_it_a_value_column():
    # synth-36-0003: a wrapped （二）部分公开… label (the rule beside it lost) read as "1":
    # taken for a value column, the label column left every row without a label, and
    # table 三 came out empty with no cell flagged
    cells = two_rows(cell(2, 0, "1", confidence=0.94))
    cells += [cell(3, 0, "（一）予以公开")] + [cell(3, i + 1, "2") for i in range(7)]
    table = flagged(align_applications(grid(cells)))
    got = values(table)
    assert got[("new", "total")] == (3, "3", None)
    assert got[("disclosed", "natural_person")] == (2, "2", None)
    assert missing(table)[("carried_over", "total")] == (
        "missing_row: no row was read as carried_over (labels not placed: '1')")


def test_an_ocr_read_table_with_no_row_placed_has_every_cell_uncertain():
    cells = [cell(0, 0, "申请人情况")] + [cell(0, i + 1, h) for i, h in enumerate(APPLICANTS)]
    for row in (1, 2):
        cells += [cell(row, 0, "?", confidence=0.3)] + [cell(row, i + 1, "4") for i in range(7)]
    table = flagged(align_applications(grid(cells), template="2021"), "2021")
    lost = missing(table)
    # rows of values were read and may be the template's, misread: every cell is unknown
    assert {(c.row, c.column): (c.value, c.uncertain) for c in table.cells} == {
        key: (None, message.partition(": ")[2]) for key, message in lost.items()}
    assert len(lost) == 26 * 7  # neither （六） form was read: both are missing
    assert set(lost.values()) == {f"missing_row: no row was read as {row} (labels not placed: "
                                  "'?')" for row, _ in lost}
