"""Cutting the text outside ruled tables (scan.layout), on hand-made ink: no OCR needed."""

from __future__ import annotations

import numpy as np

from report_extract.scan.layout import Piece, glyph_height, without_lone_marks


def test_glyph_height_is_a_line_s_even_beside_a_column_of_vertical_text():
    # A borderless table: rows of 20 px glyphs 40 px apart, and at the left a label
    # printed one glyph a line whose glyphs fill the gaps between the rows.
    ink = np.zeros((440, 800), np.uint8)
    for top in range(20, 420, 40):
        ink[top:top + 20, 100:700] = 255  # a row: label and values
    for top in range(35, 395, 40):
        ink[top:top + 30, 10:40] = 255  # the vertical label: its gaps fall within rows
    assert glyph_height(ink) == 20.0
    across = ink.any(axis=1)  # page-wide, the rows and the label run together
    assert across[20:400].all()


def test_a_mark_between_stacked_glyphs_is_dropped_but_a_small_digit_in_a_column_is_not():
    glyph = 20.0
    vertical = [Piece((10, 0, 30, 20), 0), Piece((16, 34, 24, 42), 1),  # 三, then its 、
                Piece((10, 56, 30, 76), 2)]  # 本: 14 px below the mark
    assert [p.box for p in without_lone_marks(vertical, glyph)] == [
        (10, 0, 30, 20), (10, 56, 30, 76)]
    zeros = [Piece((200, 0, 207, 14), 0), Piece((200, 28, 207, 37), 1),  # a 0 blurred small
             Piece((200, 56, 207, 70), 2)]
    assert without_lone_marks(zeros, glyph) == zeros
