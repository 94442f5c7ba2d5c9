"""Parts are given to sections 二/三/四 by the headings above them, or by their content."""

from __future__ import annotations

from report_extract.detect.ruled import (
    Heading,
    TablePart,
    assign_sections,
    flag_doubtful_joins,
    join_parts,
    register_parts,
)
from report_extract.models import BBox, CanonicalCell, CanonicalTable, GridCell


def _part(page: int, top: float, texts: list[str]) -> TablePart:
    box = BBox(72, top, 520, top + 20 * len(texts))
    cells = [GridCell(i, 0, 1, 1, text, page, BBox(72, top + 20 * i, 200, top + 20 * i + 20))
             for i, text in enumerate(texts)]
    return TablePart(page, box, [72, 200, 520], [], cells)


def test_a_part_with_no_heading_before_it_continues_the_section_of_the_part_before():
    # synth-44-0009: table 三's heading went unread, so its first part was placed by its
    # content; the rows it continued with on the next page went to table 二's heading
    # (the last one read), and table 三 lost （六）其他处理, （七）总计 and 四、结转 silently
    headings = [Heading(1, 600, 614, "active_disclosure"),
                Heading(3, 400, 414, "review_litigation")]
    active = _part(1, 628, ["信息内容", "规章", "行政许可"])
    applications = _part(2, 318, ["申请人情况", "自然人", "一、本年新收政府信息公开申请数量"])
    continued = _part(3, 71, ["（六）其他处理", "（七）总计", "四、结转下年度继续办理"])
    review = _part(3, 430, ["行政复议", "行政诉讼", "结果维持"])
    assign_sections([review, continued, applications, active], headings)
    assert [p.section for p in (active, applications, continued, review)] == [
        "active_disclosure", "applications", "applications", "review_litigation"]


# --- joining parts across pages by their structure (issue 17) ---------------------------


def _grid_part(page: int, left: float, widths: list[float], rows: list[list[str]]) -> TablePart:
    """A ruled part at x `left` with the given column widths, one cell per row and column."""
    xs = [left]
    for width in widths:
        xs.append(xs[-1] + width)
    cells = [GridCell(r, c, 1, 1, text, page, BBox(xs[c], 100 + 20 * r, xs[c + 1], 120 + 20 * r))
             for r, row in enumerate(rows) for c, text in enumerate(row)]
    return TablePart(page, BBox(xs[0], 100, xs[-1], 100 + 20 * len(rows)), xs,
                     [100 + 20 * r for r in range(len(rows) + 1)], cells,
                     n_rows=len(rows), n_cols=len(widths))


WIDTHS = [120.0, 60.0, 40.0, 40.0, 40.0, 40.0]


def test_a_continuation_shifted_6pt_joins_column_for_column():
    # a scanned page (or one printed with another margin) puts the table 6 pt to the
    # right: clustered by page x with a 5 pt snap, the two parts made a 12-column grid
    first = _grid_part(1, 77.5, WIDTHS, [["标签", "0", "1", "2", "3", "4"]])
    shifted = _grid_part(2, 83.5, WIDTHS, [["下一行", "0", "5", "6", "7", "8"]])
    grid = join_parts([first, shifted])
    assert grid.n_cols == 6 and grid.join_doubts == []
    assert [[c.text for c in row] for row in grid.rows()] == [
        ["标签", "0", "1", "2", "3", "4"], ["下一行", "0", "5", "6", "7", "8"]]


def test_a_narrower_continuation_is_aligned_by_its_column_rules():
    # the continuation lacks the first column (its label cells merged upwards): no border
    # to register by, its five column rules still lie 6 pt off the table's
    first = _grid_part(1, 77.5, WIDTHS, [["标签", "0", "1", "2", "3", "4"]])
    rest = _grid_part(2, 77.5 + 120 + 6, WIDTHS[1:], [["0", "5", "6", "7", "8"]])
    grid = join_parts([first, rest])
    assert grid.n_cols == 6 and grid.join_doubts == []
    assert [(c.col, c.text) for c in grid.rows()[1]] == [
        (1, "0"), (2, "5"), (3, "6"), (4, "7"), (5, "8")]


def test_a_continuation_that_aligns_with_nothing_is_doubted_not_interleaved():
    first = _grid_part(1, 77.5, WIDTHS, [["标签", "0", "1", "2", "3", "4"]])
    other = _grid_part(2, 90.0, [100.0, 75.0, 55.0], [["x", "9", "9"]])
    grid = join_parts([first, other])
    assert grid.n_cols == 6  # the table's own columns only
    assert [(d.page, d.bbox) for d in grid.join_doubts] == [(2, other.bbox)]
    table = CanonicalTable("applications", [
        CanonicalCell("applications", "new_received", "natural_person", 9, "9", 2,
                      BBox(190, 100, 265, 120)),
        CanonicalCell("applications", "new_received", "total", 1, "1", 1,
                      BBox(257.5, 100, 297.5, 120))])
    flag_doubtful_joins({"applications": grid}, {"applications": table})
    doubted, kept = table.cells
    assert (doubted.value, doubted.raw_text) == (None, "9")
    assert doubted.uncertain.startswith("the table's part on page 2 could not be aligned")
    assert (kept.value, kept.uncertain) == (1, None)
    assert [p.kind for p in table.problems] == ["uncertain_join", "uncertain_value"]


def test_a_continuation_registers_on_a_frame_of_header_rules_only():
    """Chromium printed table 三's header alone at a page's foot (its merged cells leave 3
    column rules); the next page's 10 rules, its outer rules 1.4 pt off the doubled border,
    matched all 3 of them but not 60 % of its own 10, and 133 cells were refused
    (synth-73-0027 of the chromium producer)."""
    def part(page: int, xs: list[float]) -> TablePart:
        return TablePart(page, BBox(xs[0], 0, xs[-1], 10), xs, [0.0, 10.0], [])

    header = part(2, [141.2, 272.2, 543.5])
    body = part(3, [142.6, 185.2, 272.2, 313.6, 350.2, 387.8, 424.5, 462.8, 501.3, 542.1])
    registered, doubts = register_parts([header, body])
    assert doubts == []
    assert registered[1] == body.xs  # the shift that lays the most rules is none


def test_a_continuation_that_meets_too_few_rules_is_doubted():
    def part(page: int, xs: list[float]) -> TablePart:
        return TablePart(page, BBox(xs[0], 0, xs[-1], 10), xs, [0.0, 10.0], [])

    first = part(2, [100.0, 150.0, 200.0, 250.0, 300.0, 350.0])
    stray = part(3, [100.0, 171.0, 233.0, 287.0, 321.0, 400.0])
    _, doubts = register_parts([first, stray])
    assert [d.page for d in doubts] == [3]
