"""A table header cut by a browser's page break (issue 13): Chromium prints a cell spanning
header rows up to the break and the rest on the next page, its edges open at the cut. The
text flows across ("法律服务" above, "机构" below) or hangs under the cut ("结果" in the
cell, "维持" below its open bottom). Both are read back into the one header cell; a header
closed by its rules at a page's foot is not joined to the next page's first row."""

from __future__ import annotations

from report_extract.detect.ruled import find_parts, join_parts
from report_extract.models import BBox, Char, Document, Page, Segment

XS = (50.0, 150.0, 200.0, 250.0)  # label column, then two value columns
SIZE = 9.0


def _text(text: str, x: float, top: float, per_line: int = 2) -> list[Char]:
    """Glyphs `per_line` to a line from (x, top) down, as a narrow cell wraps them."""
    chars = []
    for index, glyph in enumerate(text):
        line, place = divmod(index, per_line)
        x0, y0 = x + place * (SIZE + 1), top + line * (SIZE + 3)
        chars.append(Char(glyph, BBox(x0, y0, x0 + SIZE, y0 + SIZE), SIZE))
    return chars


def _rules(top: float, bottom: float, across: list[float], partial: list[tuple[float, float, float]]
           ) -> list[Segment]:
    """Column rules from top to bottom, full-width rules at `across`, and (y, x0, x1)."""
    segments = [Segment(x, top, x, bottom) for x in XS]
    segments += [Segment(XS[0], y, XS[-1], y) for y in across]
    segments += [Segment(x0, y, x1, y) for y, x0, x1 in partial]
    return segments


def _first_page(closed: bool) -> Page:
    """Table 三's head at the foot of page 1: 项目 | 法人 over 法律服务 / 结果, down to the
    page's break at 800 (ruled there only if `closed`)."""
    chars = [*_text("项目", 55, 705), *_text("法人", 155, 705, 4),
             *_text("法律服务", 155, 735), *_text("结果", 205, 735)]
    if not closed:
        chars += _text("维持", 205, 803)  # hangs under the open bottom, 3 pt below
    else:
        chars += _text("五、其他说明", 55, 803, 6)  # a line of text under a closed table
    across = [700.0, 800.0] if closed else [700.0]
    return Page(1, 595, 842, chars, _rules(700, 800, across, [(730.0, XS[1], XS[-1])]))


def _second_page(closed: bool, top_label: str = "", flowing: str = "") -> Page:
    """The table's next rows at the head of page 2 (ruled over them only if `closed`):
    `top_label` in the first row's label cell, `flowing` under 法律服务."""
    chars = [*_text(top_label, 55, 55, 8), *_text(flowing, 155, 55),
             *_text("一、新收", 55, 75, 8), *_text("1", 155, 75), *_text("2", 205, 75)]
    across = [50.0, 70.0, 100.0] if closed else [70.0, 100.0]
    return Page(2, 595, 842, chars, _rules(50, 100, across, []))


def _grid_texts(first: Page, second: Page) -> list[tuple[int, int, int, str]]:
    grid = join_parts(find_parts(Document("cut.pdf", "cut.pdf", [first, second])))
    return sorted((c.row, c.col, c.row_span, c.text.replace("\n", "")) for c in grid.cells
                  if c.text.strip())


def test_header_cells_cut_by_the_page_break_are_read_whole():
    assert _grid_texts(_first_page(closed=False), _second_page(closed=False, flowing="机构")) \
        == [(0, 0, 3, "项目"), (0, 1, 1, "法人"), (1, 1, 2, "法律服务机构"),
            (1, 2, 2, "结果维持"), (3, 0, 1, "一、新收"), (3, 1, 1, "1"), (3, 2, 1, "2")]


def test_a_closed_header_at_a_page_foot_stays_apart_from_the_next_row():
    # ruled under the header and over the next page's row "二、结转" (its values printed
    # blank): a row of its own, and the text under the closed table is no cell's
    assert _grid_texts(_first_page(closed=True), _second_page(closed=True, top_label="二、结转")) \
        == [(0, 0, 2, "项目"), (0, 1, 1, "法人"), (1, 1, 1, "法律服务"), (1, 2, 1, "结果"),
            (2, 0, 1, "二、结转"), (3, 0, 1, "一、新收"), (3, 1, 1, "1"), (3, 2, 1, "2")]
