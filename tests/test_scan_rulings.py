"""Rules a seal cut: seal ink is unknown, not paper, when pieces of a rule join."""

import numpy as np

from report_extract.scan.image import prepare
from report_extract.scan.rulings import find_segments

SEAL = (220, 30, 40)


def _header_over_values(*, piece: int, seal: bool) -> np.ndarray:
    """A 150 dpi table: a 60 px (29 pt) header row over two value rows, ruled at x=300
    all the way in the value rows. In the header the column rule shows `piece` px from
    the top rule; below that, down to the header's bottom rule, thick seal ink (a seal's
    disk) hides it where `seal`, else clean paper shows there."""
    rgb = np.full((420, 640, 3), 255, np.uint8)
    for y in (100, 160, 220, 280):
        rgb[y:y + 2, 50:602] = 0
    for x in (50, 600):
        rgb[100:282, x:x + 2] = 0
    rgb[160:282, 300:302] = 0  # the column rule in the value rows
    rgb[100:100 + piece, 300:302] = 0  # what shows of it in the header
    if seal:
        rgb[100 + piece:160, 270:340] = SEAL  # thick ink: the print under it is gone
    return rgb


def _column(rgb: np.ndarray) -> list[tuple[int, int]]:
    segments = find_segments(prepare(rgb, 1, 150, deskew=False))
    return sorted((round(s.top), round(s.bottom)) for s in segments
                  if not s.is_horizontal and abs(s.x0 - 301 * 72 / 150) <= 2)


def test_a_rule_a_seal_cuts_to_a_piece_shorter_than_a_rule_is_found_whole():
    # synth-107-0009: a seal's disk hid 20 pt of a column rule in table 三's header
    # under the seal's print-free ink; the 商业企业 and 科研机构 headers stood in one
    # cell over two columns. The rule shows 7 pt (15 px) from the top rule, shorter
    # than any rule found alone (MIN_V_RULE), then only seal ink: no paper.
    assert _column(_header_over_values(piece=15, seal=True)) == [(48, 135)]


def test_the_same_gap_on_clean_paper_stays_a_gap():
    # A merged header cell: the rule starts at the header's bottom rule.
    assert _column(_header_over_values(piece=0, seal=False)) == [(77, 135)]
    assert _column(_header_over_values(piece=15, seal=False)) == [(77, 135)]


def test_a_seal_over_a_merged_cell_does_not_make_a_rule():
    # No piece of a rule leaves the top rule: seal ink alone is no evidence of a rule,
    # and a gap longer than a ring's crossing is not taken as ruled.
    assert _column(_header_over_values(piece=0, seal=True)) == [(77, 135)]


def test_a_rule_is_not_carried_where_clean_paper_shows_beside_the_seal():
    rgb = _header_over_values(piece=15, seal=True)
    rgb[125:135, 270:340] = 255  # paper between the piece and the rest of the seal
    assert _column(rgb) == [(77, 135)]


def test_a_rule_between_narrow_headers_is_a_rule_where_it_runs_on_between_paper():
    # synth-107-0000's table 四: two-character headers in 27 pt columns stand 3 pt from
    # the rule on both sides; taken for a text line, three column rules were lost and
    # five columns read as three. Below the header the rule runs between paper.
    rgb = np.full((420, 640, 3), 255, np.uint8)
    for y in (100, 160, 220):
        rgb[y:y + 2, 50:602] = 0
    for x in (50, 300, 600):
        rgb[100:222, x:x + 2] = 0
    for y in range(104, 158, 7):  # glyph strokes 4 px (1.9 pt) either side of the rule
        rgb[y:y + 5, 280:296] = rgb[y:y + 5, 306:322] = 0
    assert _column(rgb) == [(48, 107)]
    rgb[160:222, 300:302] = 255  # a column of text alone is no rule
    rgb[100:102, 50:602] = 255
    assert _column(rgb) == []
