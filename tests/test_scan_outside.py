"""Which text outside a scanned page's tables is read: prose lines and dust are not
(they cost the recogniser most and the pipeline needs none of them); headings, titles,
a borderless table's rows and short lines are."""

from __future__ import annotations

from report_extract.scan.layout import Piece, text_runs
from report_extract.scan.reader import _dust, _prose

GLYPH = 36.0  # px
COLUMN = 1250  # px: the page's text column


def prose_of(boxes: list[tuple[int, int, int, int]], column: int = COLUMN) -> set[int]:
    pieces = [Piece(box, 0) for box in boxes]
    return _prose(pieces, text_runs(pieces, GLYPH), GLYPH, column)


def test_a_line_of_prose_split_at_a_glyph_wide_blank_is_prose():
    # "... 《条例》（以下简称 ...": text_runs cuts it in two at the blank of "》（"
    line = [(0, 100, 700, 137), (745, 100, 1240, 137)]
    assert prose_of(line) == {0, 1}


def test_a_heading_a_title_and_a_borderless_row_are_not_prose():
    heading = [(0, 100, 460, 137)]  # 二、主动公开政府信息情况
    title = [(40, 200, 1200, 250)]  # as wide, but taller than the page's glyphs
    row = [(0, 300, 500, 336), (700, 300, 760, 336), (900, 300, 960, 336),
           (1100, 300, 1240, 336)]  # a label and its values, room between the columns
    assert prose_of(heading + title + row) == set()


def test_the_only_line_of_a_page_of_tables_is_measured_against_the_tables():
    line = [(0, 100, 640, 137)]  # the page's text is this line: it spans all of it
    assert prose_of(line, column=640) == {0}
    assert prose_of(line, column=COLUMN) == set()  # the tables span the column


def test_dust_is_smaller_than_a_mark_both_ways():
    assert _dust((0, 0, 4, 3), dpi=200)  # 1.4 x 1.1 pt
    assert not _dust((0, 0, 4, 30), dpi=200)  # a "1"
    assert not _dust((0, 0, 20, 3), dpi=200)  # a dash
