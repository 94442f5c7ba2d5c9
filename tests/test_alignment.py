"""Aligning grids to the template tree (normalize.tree): numbering, parents, order, extra
rows; and every template cell not placed is a per-cell problem (missing_row /
missing_column) that scoring counts as flagged."""

from __future__ import annotations

from report_extract.models import BBox, Grid, GridCell, Report
from report_extract.normalize.align import (
    align_applications,
    normalize_applications,
    normalize_tables,
)
from report_extract.scoring import report_dict, score_report
from report_extract.templates import APPLICATION_COLUMNS, ROW_TREES, parent_labels

APPLICANTS = tuple(spec.label for spec in APPLICATION_COLUMNS)
COLUMNS = tuple(spec.key for spec in APPLICATION_COLUMNS)
DOCUMENTS_2021 = ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数")


def cell(row: int, col: int, text: str, *, row_span: int = 1, col_span: int = 1,
         confidence: float = 1.0) -> GridCell:
    box = BBox(40.0 * col, 20.0 * row, 40.0 * (col + col_span), 20.0 * (row + row_span))
    return GridCell(row, col, row_span, col_span, text, 2, box, confidence)


def grid(cells: list[GridCell]) -> Grid:
    rows = max(c.last_row for c in cells) + 1
    cols = max(c.last_col for c in cells) + 1
    return Grid(cells, rows, cols, [2])


def applications(rows: list[tuple[str, str]], *, label_cols: int = 1,
                 headers: tuple[str, ...] = APPLICANTS, confidence: float = 1.0) -> list[GridCell]:
    """Table 三: a header row, then (label, value) rows, every column the same value."""
    cells = [cell(0, 0, "申请人情况", col_span=label_cols)]
    cells += [cell(0, label_cols + i, text) for i, text in enumerate(headers)]
    for row, (label, value) in enumerate(rows, start=1):
        cells.append(cell(row, 0, label, col_span=label_cols, confidence=confidence))
        cells += [cell(row, label_cols + i, value, confidence=confidence)
                  for i in range(len(headers))]
    return cells


def active_2021() -> Grid:
    cells = [cell(0, col, label) for col, label in enumerate(DOCUMENTS_2021)]
    cells += [cell(1, 0, "规章"), *(cell(1, c, "1") for c in (1, 2, 3))]
    return grid(cells)


def missing(table) -> dict[tuple[str, str], str]:
    return {(p.row, p.column): p.kind for p in table.problems if p.row}


def test_the_template_is_one_tree_with_parents_and_leaves():
    tree = ROW_TREES["applications"]
    assert [leaf.key for leaf in tree.leaves("2021")][18:23] == [
        "not_processed_excessive", "not_processed_confirmation", "other_no_correction",
        "other_unpaid_fee", "other_other"]
    assert tree.paths()["withheld_state_secret"][1:] == (
        "三、本年度办理结果", "（三）不予公开", "1.属于国家秘密")
    # （六）其他处理 is a leaf in 2019, so never a parent-only label
    assert "（三）不予公开" in parent_labels("applications")
    assert "（六）其他处理" not in parent_labels("applications")


def test_a_parent_label_alone_does_not_place_values():
    """Issue 17: "（三）不予公开" alone matched disclosed at 0.75 and its values landed there."""
    table = normalize_applications(grid(applications([
        ("一、本年新收政府信息公开申请数量", "5"), ("（三）不予公开", "2")])))
    assert {c.row for c in table.cells} == {"new"}
    assert [(p.kind, p.raw_text) for p in table.problems] == [("unplaced_row", "（三）不予公开")]
    assert "parent label" in table.problems[0].message


def test_a_cell_spanning_rows_with_sub_labels_beside_it_is_a_parent():
    """Its first sub-label was lost (shifted), so the parent cell is the row's last label."""
    cells = [cell(0, 0, "申请人情况", col_span=2)]
    cells += [cell(0, 2 + i, text) for i, text in enumerate(APPLICANTS)]
    cells += [cell(1, 0, "（六）其他处理", row_span=2),
              cell(2, 1, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其"
                         "政府信息公开申请")]
    cells += [cell(row, 2 + i, str(row)) for row in (1, 2) for i in range(7)]
    table = normalize_applications(grid(cells))
    assert {c.row for c in table.cells} == {"other_unpaid_fee"}
    assert "sub-labels" in table.problems[0].message


def test_a_numbering_that_disagrees_with_the_template_refuses_the_match():
    table, alignment = align_applications(grid(applications([("（三）予以公开", "4")])))
    assert alignment.rows == {}  # the words are the template's, the numbering is not
    assert "numbering disagrees" in table.problems[0].message
    table = normalize_applications(grid(applications([("（三）不予以公开", "4")])))
    assert table.cells == []  # alike (0.89) but numbered as another row: refused
    assert "numbering disagrees" in table.problems[0].message
    assert normalize_applications(grid(applications([("（一）不予以公开", "4")]))).cells


def test_a_numbering_whose_point_ocr_lost_refuses_a_row_of_another_number():
    """synth-17-0025: row 8's label with the first line of row 1's below it (a borderless
    label line given to the row above) read as 本机关不掌握相关政府信息, its "8" unheard;
    row 8's values went silently to row 1."""
    label = "8 属于行政查询事项\n本机关不掌握相关政府信息"
    table, alignment = align_applications(grid(applications([
        ("三、本年度办理结果（四）无法提供", "0"), (label, "3")], label_cols=1)))
    assert "unavailable_not_held" not in alignment.rows
    assert not any(c.row == "unavailable_not_held" and c.value == 3 for c in table.cells)


def test_a_parent_numbering_alone_that_disagrees_lowers_but_does_not_refuse():
    """（四）'s block split over two pages, its parent printed on the second only: the join
    extended （三）'s cell over the split-off "1.本机关不掌握…" (synth-71-0019, text layer)."""
    cells = [cell(0, 0, "申请人情况", col_span=2)]
    cells += [cell(0, 2 + i, text) for i, text in enumerate(APPLICANTS)]
    cells += [cell(1, 0, "（三）不予公开", row_span=2), cell(1, 1, "8.属于行政查询事项"),
              cell(2, 1, "1.本机关不掌握相关政府信息")]
    cells += [cell(row, 2 + i, str(row)) for row in (1, 2) for i in range(7)]
    table, alignment = align_applications(grid(cells))
    assert alignment.rows == {"withheld_inquiry": 1.0, "unavailable_not_held": 0.7}


def test_a_row_placed_against_the_template_order_is_refused():
    table = normalize_applications(grid(applications([
        ("一、本年新收政府信息公开申请数量", "9"), ("二、上年结转政府信息公开申请数量", "1"),
        ("（七）总计", "7"), ("（一）予以公开", "2"), ("（二）部分公开", "1")])))
    assert [*dict.fromkeys(c.row for c in table.cells)] == [
        "new", "carried_over", "disclosed", "partially_disclosed"]
    assert table.problems[0].raw_text == "（七）总计"


def test_an_agency_extra_row_between_template_rows_is_not_a_template_row():
    table = normalize_applications(grid(applications([
        ("一、本年新收政府信息公开申请数量", "9"), ("其中：网上申请", "4"),
        ("二、上年结转政府信息公开申请数量", "1")])))
    assert {(c.row, c.value) for c in table.cells} == {("new", 9), ("carried_over", 1)}
    assert [(p.kind, p.raw_text) for p in table.problems] == [("unplaced_row", "其中：网上申请")]


def test_a_template_row_missing_from_a_text_layer_table_is_flagged_per_cell():
    tables = normalize_tables({"applications": grid(applications([
        ("一、本年新收政府信息公开申请数量", "9"), ("（七）总计", "9"),
        ("四、结转下年度继续办理", "0")]))})
    found = missing(tables["applications"])
    assert {column for (row, column), kind in found.items()
            if row == "carried_over" and kind == "missing_row"} == set(COLUMNS)
    assert not any(row in ("new", "total_handled", "carried_forward") for row, _ in found)
    # neither （六） form was read: which one the report prints is unknown, both are missing
    assert {row for row, _ in found} >= {"other", "other_no_correction", "other_other"}


def test_a_template_column_missing_from_a_table_is_flagged_per_cell():
    headers = tuple(h for h in APPLICANTS if h != "法律服务机构")
    tables = normalize_tables({"applications": grid(applications([
        ("一、本年新收政府信息公开申请数量", "9"), ("二、上年结转政府信息公开申请数量", "1")],
        headers=headers))})
    found = missing(tables["applications"])
    assert found[("new", "legal_services")] == "missing_column"
    assert found[("carried_over", "legal_services")] == "missing_column"
    assert ("new", "commercial") not in found


def test_the_single_other_row_makes_the_2021_sub_rows_absent_not_missing():
    tables = normalize_tables({"active_disclosure": active_2021(),
                               "applications": grid(applications([("（六）其他处理", "3")]))})
    found = missing(tables["applications"])
    assert ("other", "total") not in found
    assert not any(row.startswith("other_") for row, _ in found)


def test_an_unread_other_row_with_a_2021_table_two_is_flagged_per_cell():
    """Issue 17: 14 silent cells where OCR could not read the single （六）其他处理 row."""
    rows = [("一、本年新收政府信息公开申请数量", "5"), ("（五）不予处理", "0"),
            ("（六）耳他灶埋", "3"), ("（七）总计", "3")]
    tables = normalize_tables({"active_disclosure": active_2021(),
                               "applications": grid(applications(rows, confidence=0.8))})
    applications_table = tables["applications"]
    found = missing(applications_table)
    assert {column for (row, column) in found if row == "other"} == set(COLUMNS)
    report = Report("r.pdf", None, None, "2021", tables)
    truth = {"tables": {"applications": {"other": dict.fromkeys(COLUMNS, 3)}}}
    score = score_report(report, truth)
    assert (score.exact, score.flagged, score.unflagged) == (0, 7, [])
    # OCR'd rows were not placed: the missing cells are unknown, so null and uncertain too
    assert ["applications", "other", "total"] in report_dict(report)["uncertain_cells"]


def test_two_parent_cells_run_together_carry_both_numberings():
    """synth-1-0056 (docx): no rule drawn between （五）不予处理 and （六）其他处理, one cell
    holds both; its （五） must not refuse "3.其他" as other_other."""
    cells = [cell(0, 0, "申请人情况", col_span=2)]
    cells += [cell(0, 2 + i, text) for i, text in enumerate(APPLICANTS)]
    cells += [cell(1, 0, "（五）不予处理\n（六）其他处理", row_span=2),
              cell(1, 1, "2.重复申请"), cell(2, 1, "3.其他")]
    cells += [cell(row, 2 + i, str(row)) for row in (1, 2) for i in range(7)]
    table = normalize_applications(grid(cells))
    assert {(c.row, c.value) for c in table.cells} == {("not_processed_duplicate", 1),
                                                        ("other_other", 2)}


# --- headers placed by their order among the headers read (issue 17) ----------------------

SEALED = "column header {!r} not recognised; it stands where the template prints {} ({})"


def _cells_under(table, column: str) -> dict[str, tuple]:
    return {c.row: (c.value, c.raw_text, c.uncertain) for c in table.cells
            if c.column == column}


def test_garbled_headers_in_the_template_order_are_placed_with_their_values_in_doubt():
    # synth-107-0043: a seal over 自然人 and 科研机构, read "白杰" (like no key) and
    # "4'研机不" (closest to 科研机构, between 商业企业 and 社会公益组织 as read)
    headers = tuple({"自然人": "白杰", "科研机构": "4'研机不"}.get(h, h) for h in APPLICANTS)
    rows = [("一、本年新收政府信息公开申请数量", "3"), ("二、上年结转政府信息公开申请数量", "1")]
    table = normalize_applications(grid(applications(rows, headers=headers)))
    research = SEALED.format("4'研机不", "科研机构", "research")
    person = SEALED.format("白杰", "自然人", "natural_person")
    assert _cells_under(table, "research") == {"new": (None, "3", research),
                                               "carried_over": (None, "1", research)}
    assert _cells_under(table, "natural_person") == {"new": (None, "3", person),
                                                     "carried_over": (None, "1", person)}
    assert {p.message for p in table.problems if p.kind == "column_by_position"} == {
        research, person}
    assert not [p for p in table.problems if p.kind == "missing_column"]


def _sealed_applications(headers: dict[str, str]):
    """Table 三 (normalized and flagged) with these header labels misread."""
    printed = tuple(headers.get(h, h) for h in APPLICANTS)
    return normalize_tables({"applications": grid(applications(
        [("一、本年新收政府信息公开申请数量", "3")], headers=printed))})["applications"]


def test_a_garbled_header_out_of_the_template_order_is_not_placed():
    # "4'研机不" (closest to 科研机构) read where 法律服务机构 is printed, 科研机构 read
    # "白杰" (like no key): neither is placed, by order or otherwise
    table = _sealed_applications({"科研机构": "白杰", "法律服务机构": "4'研机不"})
    assert _cells_under(table, "research") == {"new": (
        None, "", "no column header was read as research (labels not placed: '白杰', "
        "\"4'研机不\")")}
    assert _cells_under(table, "legal_services")["new"][0:2] == (None, "")
    assert missing(table)[("new", "research")] == "missing_column"
    assert missing(table)[("new", "legal_services")] == "missing_column"
    assert not [p for p in table.problems if p.kind == "column_by_position"]


def test_two_garbled_headers_swapped_against_the_order_are_not_placed():
    # the labels closest to 社会公益组织 and 科研机构 read in each other's places
    table = _sealed_applications({"科研机构": "会公", "社会公益组织": "4'研机不"})
    assert {missing(table)[("new", k)] for k in ("research", "public_interest")} == {
        "missing_column"}
    assert not [p for p in table.problems if p.kind == "column_by_position"]


def test_a_garbled_header_whose_best_key_is_another_is_not_placed():
    # "法律" is closest to 法律服务机构 (placed beside): never 科研机构 by its order alone,
    # though it is the one column left and 科研机构 the one key missing
    table = _sealed_applications({"科研机构": "法律"})
    assert missing(table)[("new", "research")] == "missing_column"
    assert _cells_under(table, "legal_services") == {"new": (3, "3", None)}
    assert not [p for p in table.problems if p.kind == "column_by_position"]


def test_the_one_header_left_like_no_key_is_placed_where_the_one_key_left_is():
    table = _sealed_applications({"其他": "花"})
    reason = SEALED.format("花", "其他", "other_org")
    assert _cells_under(table, "other_org") == {"new": (None, "3", reason)}


def test_two_headers_run_together_are_placed_in_the_template_order():
    # synth-107-0042: the rule between 自然人 and 商业企业 hidden by a seal, read as one
    # header "自然人业企业" over both value columns
    cells = [cell(0, 0, "申请人情况"), cell(0, 1, "自然人业企业", col_span=2)]
    cells += [cell(0, i + 1, h) for i, h in enumerate(APPLICANTS) if i > 1]
    cells += [cell(1, 0, "一、本年新收政府信息公开申请数量")]
    cells += [cell(1, i + 1, str(i + 5)) for i in range(7)]
    cells += [cell(2, 0, "二、上年结转政府信息公开申请数量"), cell(2, 1, "4", col_span=2)]
    cells += [cell(2, i + 1, "0") for i in range(2, 7)]
    table = normalize_applications(grid(cells))
    person = SEALED.format("自然人业企业", "自然人", "natural_person")
    company = SEALED.format("自然人业企业", "商业企业", "commercial")
    assert _cells_under(table, "natural_person")["new"] == (None, "5", person)
    assert _cells_under(table, "commercial")["new"] == (None, "6", company)
    # one value under both: whose it is cannot be told, and no check lets it stand
    spans = ("one value cell spans the columns natural_person, commercial: which column "
             "its value belongs to cannot be told")
    assert _cells_under(table, "natural_person")["carried_over"] == (None, "4", spans)
    assert _cells_under(table, "commercial")["carried_over"] == (None, "4", spans)
    assert _cells_under(table, "research")["new"] == (7, "7", None)


def test_a_run_together_header_unlike_the_keys_missing_there_is_not_placed():
    cells = [cell(0, 0, "申请人情况"), cell(0, 1, "自然人其他", col_span=2)]
    cells += [cell(0, i + 1, h) for i, h in enumerate(APPLICANTS) if i > 1]
    cells += [cell(1, 0, "一、本年新收政府信息公开申请数量")]
    cells += [cell(1, i + 1, str(i + 5)) for i in range(7)]
    table = normalize_applications(grid(cells))
    assert _cells_under(table, "natural_person") == {} == _cells_under(table, "commercial")


# --- a wrapped row label whose lines OCR put into cells side by side (issue 17) -----------


def _split_label_table(*parts: str):
    """Table 三 whose second row's label is printed over three label cells of one row."""
    cells = [cell(0, 0, "申请人情况", col_span=3)]
    cells += [cell(0, 3 + i, text) for i, text in enumerate(APPLICANTS)]
    cells += [cell(1, 0, "一、本年新收政府信息公开申请数量", col_span=3)]
    cells += [cell(2, i, text) for i, text in enumerate(parts)]
    cells += [cell(row, 3 + i, str(row)) for row in (1, 2) for i in range(7)]
    return normalize_tables({"applications": grid(cells)})["applications"]


def test_a_wrapped_label_split_over_cells_of_its_row_is_read_as_one():
    # synth-107-0049: "（二）部分公开（区分处理的，只计这一情形，不计其他情形）" read as
    # three cells; the last, "不计", is closest to （七）总计 by its words
    table = _split_label_table("（二）部分公开（区分处理的\n其他情形）", "只计这一情形", "不计")
    assert _cells_under(table, "natural_person") == {"new": (1, "1", None),
                                                     "partially_disclosed": (2, "2", None)}
    assert not [p for p in table.problems if p.kind == "unplaced_row"]


def test_a_numbered_label_beside_another_is_not_read_as_one_label():
    # "4.口口口" carries its own numbering: a row's label of its own (garbled), not the
    # rest of "（一）予以公开", though together they are like （一）予以公开
    table = _split_label_table("三、本年度办理结果", "（一）予以公开", "4.口口口")
    assert set(_cells_under(table, "natural_person")) == {"new"}
    assert [p.raw_text for p in table.problems if p.kind == "unplaced_row"] == ["4.口口口"]


def test_label_cells_whose_first_names_no_row_are_not_read_as_one_label():
    # together they are like （二）部分公开…, but the first alone names no row
    table = _split_label_table("区分处理的", "只计这一情形", "不计其他情形")
    assert set(_cells_under(table, "natural_person")) == {"new"}
    assert [p.raw_text for p in table.problems if p.kind == "unplaced_row"] == ["不计其他情形"]


def test_table_two_whose_headers_do_not_tell_its_version_flags_both_versions_cells():
    # synth-111-0013: the documents block's header row went unread, and the other blocks'
    # headers (处理决定数量, 收费金额) are alike in both versions: rows placed, their values
    # under no header, and no version to say which cells are missing -- they were silent
    g = grid([cell(0, 0, "规章"), cell(0, 1, "0"), cell(0, 2, "0"), cell(0, 3, "0"),
              cell(1, 0, "信息内容"), cell(1, 1, "处理决定数量"),
              cell(2, 0, "行政许可"), cell(2, 1, "5")])
    table = normalize_tables({"active_disclosure": g})["active_disclosure"]
    assert table.template is None
    regulations = {c.column: (c.value, c.uncertain) for c in table.cells
                   if c.row == "regulations"}
    assert regulations == {
        column: (None, f"no column header was read as {column} (labels not placed: '0')")
        for column in ("made", "published", "total_published", "issued", "repealed",
                       "in_force")}
    assert [(c.value, c.uncertain) for c in table.cells
            if (c.row, c.column) == ("licensing", "decisions")] == [(5, None)]
