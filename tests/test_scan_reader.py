"""The OCR reader's own checks on a reading, on hand-made ink (no OCR engine needed)."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest
from conftest import FIXTURES

from report_extract.pipeline import extract_document
from report_extract.read.pdf import read_document
from report_extract.scan.engines import Glyph, LineRead
from report_extract.scan.image import luma_judged, whole_seal_ink
from report_extract.scan.reader import (
    HIDDEN_DOUBT,
    NUMBER_HEIGHT,
    UNREAD,
    OcrChar,
    _agreed,
    _as_template_label,
    _beside,
    _between,
    _cleaned_opinion,
    _confirmed_opinion,
    _Context,
    _glyph_doubt,
    _glyphs_only,
    _hidden_rules,
    _ink_box,
    _Line,
    _reread_numbers,
    _Sheet,
    _single,
    _skipped_glyph,
    _title_checked,
    _unclean_number,
    _widened_denial,
    _widened_opinion,
    _widened_readings,
    _wider,
    cell_lines,
    table_parts,
)


def sheet_with_bars(*columns: tuple[int, int]) -> _Sheet:
    """A 20 x 40 px sheet whose ink is vertical bars over the given [x0, x1) columns."""
    ink = np.zeros((20, 40), np.uint8)
    for x0, x1 in columns:
        ink[3:17, x0:x1] = 255
    gray = 255 - ink
    return _Sheet(gray, ink, ink.copy(), gray.copy(), np.zeros_like(ink))


def read(text: str) -> LineRead:
    return LineRead(tuple(Glyph(ch, 0.97) for ch in text))


LINE = _Line((0, 0, 40, 20), (0, 0, 40, 20))


def test_two_marks_read_as_one_digit_are_doubted():
    # "11" at 150 dpi: the recogniser folds the repeated digit into one "1".
    doubt = _glyph_doubt(sheet_with_bars((10, 13), (20, 23)), LINE, read("1"))
    assert doubt == "the ink shows 2 separate marks, but 1 character was read"
    three = sheet_with_bars((2, 5), (10, 13), (20, 23))
    assert _glyph_doubt(three, LINE, read("11")) == (
        "the ink shows 3 separate marks, but 2 characters were read")


def test_as_many_marks_as_digits_is_no_doubt():
    assert _glyph_doubt(sheet_with_bars((10, 13), (20, 23)), LINE, read("11")) == ""
    # a glyph broken top to bottom is still one mark left to right
    broken = sheet_with_bars((10, 16))
    broken.ink[9:11, :] = 0
    assert _glyph_doubt(broken, LINE, read("0")) == ""


def test_a_remnant_off_the_digits_is_no_mark_but_a_decimal_point_is():
    sheet = sheet_with_bars((10, 13), (20, 23))
    sheet.ink[18:20, 2:6] = 255  # a seal remnant's dash below left of the number
    assert _glyph_doubt(sheet, LINE, read("11")) == ""
    sheet.ink[15:17, 16:18] = 255  # a point between the digits: "1.1" read as "11"
    assert _glyph_doubt(sheet, LINE, read("11")) == (
        "the ink shows 3 separate marks, but 2 characters were read")


def sheet_with_stroke(top: tuple[int, int], bottom: tuple[int, int]) -> _Sheet:
    """A 20 x 40 px sheet whose ink is one 3 px stroke from `top` to `bottom` (x, y)."""
    ink = np.zeros((20, 40), np.uint8)
    cv2.line(ink, top, bottom, 255, 3)
    gray = 255 - ink
    return _Sheet(gray, ink, ink.copy(), gray.copy(), np.zeros_like(ink))


def test_a_slash_read_as_one_is_doubted_but_an_upright_one_is_not():
    # A null mark "/" on a seal's ring read as "1" (0.99) through it (synth-47-0029).
    slash = sheet_with_stroke((22, 2), (17, 17))
    assert _glyph_doubt(slash, LINE, read("1")) == (
        "the ink leans like a '/' (a null mark), but '1' was read")
    assert _glyph_doubt(slash, LINE, read("7")) == ""  # only a lone 1 is asked
    one = sheet_with_stroke((20, 2), (20, 17))
    one.ink[2:5, 16:20] = 255  # the flag at its top left
    assert _glyph_doubt(one, LINE, read("1")) == ""
    tilted = sheet_with_stroke((20, 2), (19, 17))  # a scan's leftover tilt
    assert _glyph_doubt(tilted, LINE, read("1")) == ""


def test_a_dash_read_as_one_is_doubted():
    # A "—" null mark on a seal's ring read as "1" (0.99) through it (synth-50-0002).
    dash = sheet_with_stroke((8, 10), (32, 10))
    assert _glyph_doubt(dash, LINE, read("1")) == (
        "the ink is a flat stroke like a '—' (a null mark), but '1' was read")
    assert _glyph_doubt(sheet_with_stroke((20, 2), (20, 17)), LINE, read("1")) == ""


def test_labels_and_multi_line_cells_are_not_counted():
    bars = sheet_with_bars((2, 5), (10, 13), (20, 23))
    assert _glyph_doubt(bars, LINE, read("其他")) == ""
    wrapped = _Line((0, 0, 40, 20), (0, 0, 40, 20), parts=((0, 0, 20, 10), (0, 10, 20, 20)))
    assert _glyph_doubt(bars, wrapped, read("1")) == ""


def test_a_small_leading_minus_stays_in_the_line_box():
    # "-3" at 150 dpi: the dash is smaller than the dust limit but must not be cut off.
    region = np.zeros((16, 40), np.uint8)
    region[1:15, 20:28] = 255  # the digit
    region[7:9, 13:18] = 255  # the minus: 5 x 2 px at mid-height, 2 px to the left
    region[1:3, 2:4] = 255  # a speck in the corner stays out
    assert _ink_box(region, 0, 16)[0] == 13


def test_a_minus_is_found_at_the_digit_s_mid_height_in_a_band_a_seal_made_taller():
    # "-5" at 150 dpi under a seal: remnants above make the band 27 px for a 15 px digit
    region = np.zeros((27, 60), np.uint8)
    region[0:9, 5:7] = 255  # a seal remnant high in the cell
    region[12:27, 40:50] = 255  # the digit
    region[18:21, 31:39] = 255  # the minus: 8 x 3 px, 1 px left of it
    assert _ink_box(region, 0, 27)[0] == 31
    blurred = np.zeros((16, 40), np.uint8)
    blurred[1:15, 20:28] = 255
    blurred[7:10, 15:19] = 255  # a 9 pt minus blurred to 4 x 3 px
    assert _ink_box(blurred, 0, 16)[0] == 15


def test_a_minus_before_a_digit_in_pieces_is_at_the_whole_digit_s_middle():
    # "-2" at 150 dpi under a seal, as measured: the 2 came out of the unmixing in three
    # pieces; its largest (the base, rows 8-15) is below the minus, the whole 2 is not.
    region = np.zeros((15, 30), np.uint8)
    region[0:5, 9:12] = 255  # the 2's top left
    region[1:7, 14:18] = 255  # its right stroke
    region[8:15, 9:18] = 255  # its base
    region[6:8, 0:5] = 255  # the minus: 5 x 2 px, 4 px left of the 2
    assert _ink_box(region, 0, 15)[0] == 0
    sheet = _Sheet(255 - region, region, region.copy(), 255 - region, np.zeros_like(region))
    crop = _glyphs_only(sheet, _Line((0, 0, 30, 15), (0, 0, 30, 15)))
    assert crop.shape == (15, 18) and crop[6, 0] == 0  # the minus is in the glyph crop


def test_a_dash_far_from_the_number_or_off_its_middle_is_not_a_minus():
    region = np.zeros((16, 60), np.uint8)
    region[1:15, 40:48] = 255
    region[7:9, 5:10] = 255  # far to the left: a seal remnant, not a sign
    region[1:3, 33:38] = 255  # beside it but at the top: not a minus
    assert _ink_box(region, 0, 16)[0] == 40


def test_glyphs_only_keeps_digits_points_and_commas_and_drops_remnants():
    sheet = sheet_with_bars((8, 12), (22, 26))  # two digits, 14 px tall
    sheet.ink[14:16, 16:18] = 255  # a comma/point between them: kept
    sheet.ink[2:4, 30:38] = 255  # a seal remnant right of the number: dropped
    sheet.gray[:] = 255 - sheet.ink
    line = _Line((6, 0, 40, 20), (0, 0, 40, 20))
    crop = _glyphs_only(sheet, line)
    assert crop.shape == (14, 18)  # cut to the digits: rows 3-16, columns 8-25
    assert crop[12, 9] == 0  # the point kept
    assert (crop < 128).sum() == 2 * 14 * 4 + 4  # nothing else: the remnant is gone


def test_glyphs_only_drops_a_remnant_over_a_digit_within_its_span():
    # a seal stroke's pale remnant just above a 0 made it read as 6
    sheet = sheet_with_bars((8, 12))  # the digit, rows 3-16
    sheet.ink[0:2, 9:12] = 255  # above it, within its width: dropped
    sheet.gray[:] = 255 - sheet.ink
    crop = _glyphs_only(sheet, _Line((6, 0, 40, 20), (0, 0, 40, 20)))
    assert crop.shape == (14, 4) and (crop < 128).all()  # the digit alone


def test_a_number_read_surely_through_a_seal_stands_only_as_its_glyphs_confirm_it():
    six = LineRead((Glyph("6", 0.997),))
    zero = LineRead((Glyph("0", 0.99),))
    doubted = _confirmed_opinion(six, zero)  # the stroke over the 0 read as part of it
    assert doubted.text == "0" and doubted.confidence == pytest.approx(0.003)
    assert ("6", 0.997) in doubted.glyphs[0].alternatives  # both readings are candidates
    assert _confirmed_opinion(six, LineRead((Glyph("6", 0.95),))).confidence == 0.95
    assert _confirmed_opinion(six, LineRead((Glyph("6", 0.999),))).confidence == 0.997
    confirmed = _confirmed_opinion(LineRead((Glyph("o", 0.96),)), zero)  # the same shape
    assert (confirmed.text, confirmed.confidence) == ("0", 0.96)
    minus = LineRead((Glyph("-", 0.98), Glyph("0", 0.99)))  # a remnant read as a minus
    assert _confirmed_opinion(minus, LineRead((Glyph("0", 0.97),))).text == "0"
    for nothing in (LineRead(()), LineRead((Glyph("Q", 0.9),)), LineRead((Glyph("/", 0.9),))):
        assert _confirmed_opinion(six, nothing) == six  # no number: no evidence either way


def test_a_doubled_reading_counts_only_when_both_copies_agree():
    assert _single(read("00")).text == "0"
    assert _single(read("Q0")).glyphs == ()
    assert _single(read("1212")).text == "12"


def test_a_reading_between_known_digits_counts_only_when_they_are_read_back():
    context = _Context(np.zeros((14, 20), np.uint8), "65")
    assert _between(read("65065"), context).text == "0"
    assert _between(LineRead(tuple(Glyph(ch, 0.97) for ch in "65 0 65")), context).text == "0"
    assert _between(read("66065"), context).glyphs == ()  # the known number misread
    assert _between(read("6565"), context).glyphs == ()  # nothing read between them
    assert _between(read("00"), _Context(None, "")).text == "0"  # no context: own copy


def test_a_crop_is_set_between_known_digits_at_its_height_and_read_at_number_height():
    crop = np.full((14, 9), 255, np.uint8)
    context = _Context(np.zeros((28, 30), np.uint8), "65")
    beside = _beside(crop, context)
    assert beside.shape[0] == NUMBER_HEIGHT
    assert (beside < 128).any()  # the known digits are there


def test_letters_shaped_like_the_digits_agree_with_the_digits():
    letter, cleaned = LineRead((Glyph("o", 0.69),)), LineRead((Glyph("0", 0.99),))
    assert _cleaned_opinion(letter, cleaned) == cleaned  # not rescued: the same shape
    assert _cleaned_opinion(LineRead((Glyph("Q", 0.6),)), cleaned).rescued  # Q is not 0


def test_junk_or_nothing_re_read_as_a_mark_stays_as_it_was():
    # a header glyph "|" or an unread "、" re-read as "/" or "-" must not become a value
    for first in (LineRead((Glyph("|", 0.5),)), LineRead(())):
        assert _cleaned_opinion(first, LineRead((Glyph("/", 0.9),))) == first
    digit = LineRead((Glyph("0", 0.95),))
    assert _cleaned_opinion(LineRead(()), digit) == LineRead(digit.glyphs, rescued=True)


def test_a_number_under_a_seal_is_unsure_below_what_passes_through_it():
    number = LineRead((Glyph("0", 0.93),))
    assert not _unclean_number(number)
    assert _unclean_number(number, sealed=True)  # 0.93 * SEAL_TRUST would not pass
    assert _unclean_number(LineRead(()), digit_wide=True)  # digit-sized ink read as nothing
    assert _unclean_number(LineRead((Glyph("中", 0.5),)), digit_wide=True)  # a 0 crossed
    assert not _unclean_number(LineRead((Glyph("结", 0.5),)))  # CJK-wide: a header's glyph
    assert not _unclean_number(LineRead((Glyph("其", 0.5), Glyph("他", 0.5))), digit_wide=True)


def test_the_cleaned_reading_of_junk_stands_but_a_clean_number_is_not_overruled():
    junk, number = LineRead((Glyph("Q", 0.48),)), LineRead((Glyph("6", 0.7),))
    cleaned = LineRead((Glyph("0", 0.98),))
    assert _cleaned_opinion(junk, cleaned) == LineRead(cleaned.glyphs, rescued=True)
    # "6" read at 0.7, "0" when cleaned: two numbers disagree, the value stays doubtful
    assert _cleaned_opinion(number, cleaned).confidence == pytest.approx(0.3)


def test_a_label_one_runner_up_away_from_a_template_label_is_read_as_it():
    misread = LineRead((Glyph("美", 0.69, (("其", 0.22),)), Glyph("他", 0.99)))
    assert _as_template_label(misread).text == "其他"
    assert _as_template_label(misread).confidence == pytest.approx(0.22)


def test_labels_are_kept_when_sure_ambiguous_or_not_in_reach_and_numbers_never_change():
    sure = LineRead((Glyph("美", 0.95, (("其", 0.04),)), Glyph("他", 0.99)))
    assert _as_template_label(sure) == sure
    far = LineRead((Glyph("美", 0.6, (("天", 0.3),)), Glyph("他", 0.99)))
    assert _as_template_label(far) == far
    number = LineRead((Glyph("7", 0.5, (("1", 0.4),)),))
    assert _as_template_label(number) == number


def test_a_sliver_far_smaller_than_a_glyph_is_no_mark_but_a_dash_is():
    # a seal sliver of 2 x 4 px in a cell of a page whose glyphs are 14 px tall
    sliver = sheet_with_bars()
    sliver.ink[5:9, 30:32] = 255
    assert cell_lines(sliver, (0, 0, 40, 20), glyph=14) == []
    dash = sheet_with_bars()
    dash.ink[9:11, 14:21] = 255  # "-": half a glyph wide
    assert [line.box for line in cell_lines(dash, (0, 0, 40, 20), glyph=14)] == [(14, 9, 21, 11)]


def test_a_seal_remnant_below_a_number_is_not_a_second_line_of_its_cell():
    # a digit in rows 3-16 and, under it, a stroke's remnant in seal colour: read as a
    # second line, the cell was "0/"
    def sheet_with_stroke(coloured: bool) -> _Sheet:
        sheet = sheet_with_bars((10, 16))
        sheet.ink = np.vstack([sheet.ink, np.zeros((20, 40), np.uint8)])
        sheet.ink[26:34, 20:23] = 255
        sheet.faint, sheet.seal = sheet.ink.copy(), np.zeros_like(sheet.ink)
        if coloured:
            sheet.seal[26:34, 20:23] = 255
        return sheet

    room = (0, 0, 40, 40)
    assert [ln.box for ln in cell_lines(sheet_with_stroke(True), room, 14)] == [(10, 3, 16, 17)]
    two_lines = cell_lines(sheet_with_stroke(False), room, 14)  # black: print, kept
    assert len(two_lines) == 1 and len(two_lines[0].parts) == 2


def number_with_last_digit(broken: bool) -> _Sheet:
    """"240.59" in a cell, its 9 whole or cut into specks (a seal's ring over it)."""
    ink = np.zeros((30, 90), np.uint8)
    cv2.putText(ink, "240.5", (5, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 255, 2)
    nine = np.zeros_like(ink)
    cv2.putText(nine, "9", (56, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 255, 2)
    if broken:
        nine[::3], nine[:, ::3] = 0, 0
    ink |= nine
    return _Sheet(255 - ink, ink, ink.copy(), 255 - ink, np.zeros_like(ink))


def test_ink_of_a_glyph_left_out_of_a_number_s_line_doubts_its_reading():
    # synth-17-0020: the 9 of "240.59" in pieces under a seal's ring, no piece glyph-sized:
    # the line ended at the 5, and "240.5" was read at 0.94 through the seal, silently
    room = (1, 1, 89, 29)
    [whole] = cell_lines(number_with_last_digit(False), room, glyph=13)
    assert _glyph_doubt(number_with_last_digit(False), whole, read("240.59")) == ""
    sheet = number_with_last_digit(True)
    [line] = cell_lines(sheet, room, glyph=13)
    assert line.box[2] < whole.box[2]  # the line ends before the 9
    assert _glyph_doubt(sheet, line, read("240.5")) == (
        "ink like a glyph's stands after the '240.5' read, and was not read")
    # synth-91-0045: the specks inside the line's box ("266" read as "26")
    wide = _Line((whole.box[0], whole.box[1], whole.box[2], whole.box[3]), room)
    assert _glyph_doubt(sheet, wide, read("240.5")) == (
        "ink like a glyph's stands after the '240.5' read, and was not read")


def test_a_remnant_or_a_rule_s_sliver_beside_a_number_is_no_unread_glyph():
    room = (1, 1, 89, 29)
    for x0, y0, x1, y1 in ((56, 14, 66, 16), (58, 5, 60, 24)):  # a flat dash, a sliver
        sheet = number_with_last_digit(False)
        sheet.ink[:, 55:] = 0
        [line] = cell_lines(sheet, room, glyph=13)
        sheet.ink[y0:y1, x0:x1] = 255
        assert _glyph_doubt(sheet, line, read("240.5")) == ""


def sure(text: str, confidence: float) -> LineRead:
    return LineRead(tuple(Glyph(ch, confidence) for ch in text))


class RecordingEngine:
    """Reads every crop as the next of `texts`, remembering the crops' widths."""

    name = "recording"

    def __init__(self, *texts: str) -> None:
        self.texts, self.widths = list(texts), []

    def read_lines(self, crops):
        self.widths += [crop.shape[1] for crop in crops]
        return [sure(self.texts.pop(0), 0.99) for _ in crops]


def test_an_unclean_number_under_a_seal_is_read_again_wider_from_the_unmixed_grey():
    # synth-17-0001: a seal's edge cleared cut a 0 in two; its line took the right half,
    # read ")" — the rest lies left of the line's box
    line = _Line((40, 10, 46, 28), (20, 5, 80, 33))
    assert _wider(line, 0.3) == _Line((35, 8, 51, 30), line.room)
    assert _wider(_Line((22, 6, 78, 32), line.room), 0.5).box == (20, 5, 80, 33)  # its cell
    sheet = sheet_with_bars((10, 13))
    sheet.ink = np.zeros((40, 100), np.uint8)
    sheet.faint_gray = np.full((40, 100), 255, np.uint8)
    engine = RecordingEngine("0", "0", "0", "6")
    [agreed, disagreed] = _widened_readings(engine, sheet, [line, line])
    assert engine.widths[0] < engine.widths[1]  # two widths per line
    assert _agreed(agreed).text == "0" and _agreed(disagreed).text == ""


def test_a_widened_reading_rescues_no_number_and_doubts_a_different_one():
    rescued = _widened_opinion(sure(")", 0.85), sure("0", 0.99))
    assert (rescued.text, rescued.rescued) == ("0", True)  # stands only if a check confirms
    doubted = _widened_opinion(sure("5", 0.61), sure("0", 0.99))
    assert doubted.text == "0" and doubted.confidence <= 0.39
    assert _widened_opinion(sure(")", 0.85), LineRead(())).text == ")"
    assert _widened_opinion(sure("C", 0.995), sure("0", 0.99)).text == "C"  # not surer


def test_a_sure_number_under_a_seal_is_doubted_by_a_different_widened_reading():
    # synth-91-0005: "28" under a seal stroke, its 2 and the left of its 8 cleared with
    # the stroke's edges: "3" read surely, and confirmed by its glyphs alone
    doubted = _widened_denial(sure("3", 0.99), [sure("8", 0.79), sure("t8", 0.29)])
    assert doubted.text == "3" and doubted.confidence <= 0.21
    assert ("8", pytest.approx(0.79)) in doubted.glyphs[0].alternatives
    for same in (sure("3", 0.7), sure("3.0", 0.9), LineRead(()), sure("U", 0.9),
                 sure("8", 0.4)):  # too unsure to doubt anything
        assert _widened_denial(sure("3", 0.99), [same, same]).confidence == 0.99


def test_numbers_under_a_seal_are_read_again_widened_and_a_sure_one_doubted_by_it():
    sheet = number_with_last_digit(False)
    sheet.seal[:, :] = 255  # all of the cell under seal ink
    [line] = cell_lines(sheet, (1, 1, 89, 29), glyph=13)
    reads = [sure("3", 0.99)]
    engine = RecordingEngine("3", "3", "8", "t8")  # its glyphs alone, then unmixed in its
    _reread_numbers(engine, sheet, [line], reads)  # own box and two widened windows
    assert len(engine.widths) == 4
    assert reads[0].text == "3" and reads[0].confidence < 0.2


def test_a_blank_cell_whose_middle_is_under_seal_ink_is_a_line_to_read_not_blank():
    # synth-91-0036: a seal's star over a "0" too pale to show even unmixed: the cell
    # had no ink, and was a silent null
    room = (0, 0, 40, 20)
    starred = sheet_with_bars()
    starred.seal[4:16, 6:34] = 255
    assert [line.box for line in cell_lines(starred, room, glyph=14)] == [(8, 4, 32, 16)]
    ringed = sheet_with_bars()
    ringed.seal[:, 18:23] = 255  # a ring's stroke across a blank cell: blank
    assert cell_lines(ringed, room, glyph=14) == []
    assert cell_lines(sheet_with_bars(), room, glyph=14) == []


def test_a_blank_cell_a_ring_s_thick_stroke_crosses_is_a_hidden_line_not_blank():
    # synth-107-0043: a ring's stroke, a third of a blank cell's middle, hid a "0"; it
    # covers a digit's box at the cell's mid-height, so the cell is not known to be blank
    room = (0, 0, 84, 43)
    paper = np.full((43, 84), 255, np.uint8)
    ringed = _Sheet(paper, 255 - paper, 255 - paper, paper.copy(), np.zeros_like(paper))
    cv2.line(ringed.seal, (50, 0), (28, 42), 255, 16)
    middle = ringed.seal[9:34, 17:67]
    assert 0.25 < np.count_nonzero(middle) / middle.size < 0.5  # under HIDDEN_SHARE
    [line] = cell_lines(ringed, room, glyph=25)
    assert (line.box, line.hidden) == ((17, 9, 67, 34), True)
    clean = replace(ringed, seal=np.zeros_like(ringed.seal))
    assert cell_lines(clean, room, glyph=25) == []
    thin = replace(ringed, seal=np.zeros_like(ringed.seal))
    cv2.line(thin.seal, (50, 0), (28, 42), 255, 4)  # a thin stroke hides no digit
    assert cell_lines(thin, room, glyph=25) == []


def _ocr_page_with(document, cell, chars: list) -> None:
    page = document.pages[cell.page - 1]
    page.chars = [c for c in page.chars if not cell.bbox.contains_point(*c.bbox.center)]
    page.chars += chars
    page.source = "ocr"


def test_a_value_cell_read_empty_under_seal_ink_is_flagged_and_without_it_is_blank():
    document = read_document(FIXTURES / "t2021-full.pdf")
    cells = {(c.row, c.column): c for c in
             extract_document(document).tables["applications"].cells}
    hidden, blank = cells[("carried_over", "research")], cells[("carried_over", "legal_services")]
    middle = hidden.bbox  # the reader's line over a cell that read as nothing
    _ocr_page_with(document, hidden, [OcrChar(UNREAD, middle, 9.0, 0.0, sealed=True,
                                              doubt=HIDDEN_DOUBT)])
    _ocr_page_with(document, blank, [])  # the same, no seal ink: a published blank
    cells = {(c.row, c.column): c for c in
             extract_document(document).tables["applications"].cells}
    flagged = cells[("carried_over", "research")]
    assert (flagged.value, flagged.raw_text, flagged.uncertain) == (None, "", HIDDEN_DOUBT)
    empty = cells[("carried_over", "legal_services")]
    assert (empty.value, empty.raw_text, empty.uncertain) == (None, "", None)


def number_beside_a_ring(ring: bool, trace: bool = True, text: str = "197"
                         ) -> tuple[_Sheet, _Line]:
    """`text` in a cell, the place after it under a seal ring's band (a thick diagonal
    stroke in seal colour) or on clean paper. With `trace`, a "4" stood there: clearing
    the ring took it from the ink, the unmixed ink (`faint`) keeps its strokes in part."""
    ink = np.zeros((30, 90), np.uint8)
    cv2.putText(ink, text, (20, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 255, 2)
    end = 20 + cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.6, 2)[0][0]
    seal, faint = np.zeros_like(ink), ink.copy()
    if ring:
        cv2.line(seal, (end + 12, 0), (end - 2, 29), 255, 12)
    if trace:
        cv2.putText(faint, "4", (end, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 255, 2)
        faint[:, end::3] = 0  # the unmixed trace is broken
    sheet = _Sheet(255 - ink, ink, faint, 255 - faint, seal)
    [line] = cell_lines(sheet, (1, 1, 89, 29), glyph=13)
    return sheet, line


def test_seal_ink_with_a_digit_s_trace_beside_the_digits_read_doubts_them():
    # synth-97-0027: the 4 of "1974" lay under a seal's ring, clearing the ring took it,
    # and "197" was read surely: the unmixed ink still showed part of the 4
    sheet, line = number_beside_a_ring(True)
    assert _glyph_doubt(sheet, line, read("197")) == (
        "seal ink after the digits read may hide a digit")
    # clean paper beside it, or a seal over paper (no trace): no doubt
    for ring, trace in ((False, True), (False, False), (True, False)):
        sheet, line = number_beside_a_ring(ring, trace)
        assert _glyph_doubt(sheet, line, read("197")) == ""
    # no digit follows a lone 0: a ring after it hides none
    sheet, line = number_beside_a_ring(True, True, "0")
    assert _glyph_doubt(sheet, line, read("0")) == ""


def test_a_digit_under_thick_seal_ink_seen_only_as_a_shade_in_the_unmixed_grey_doubts():
    # synth-105-0023: the "1" of "371" under a ring 83 % opaque: no ink mask kept it (its
    # grey about 215 on the ring's 233), and "37" was read surely and stood, silent
    sheet, line = number_beside_a_ring(True, False, "37")
    unmixed = np.where(sheet.seal > 0, 233, 255).astype(np.uint8)
    assert _glyph_doubt(replace(sheet, unmixed=unmixed), line, read("37")) == ""
    end = line.box[2]
    unmixed[6:24, end + 3:end + 6] = 215  # the 1's stroke, a shade darker than the ring
    assert _glyph_doubt(replace(sheet, unmixed=unmixed), line, read("37")) == (
        "seal ink after the digits read may hide a digit")


def number_crossed_by_a_ring(trace: bool) -> tuple[_Sheet, _Line]:
    """An "8" whose middle rows lie under thick seal ink (a ring's band across it, within
    the cell's middle): clearing the ring took those strokes from the ink; with `trace`
    the unmixed ink (`faint`) still shows them."""
    ink = np.zeros((30, 60), np.uint8)
    cv2.putText(ink, "8", (20, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 255, 2)
    whole = ink.copy()
    seal = np.zeros_like(ink)
    seal[10:18, 18:40] = 255
    ink[seal > 0] = 0
    faint = whole if trace else ink.copy()
    sheet = _Sheet(255 - ink, ink, faint, 255 - faint, seal)
    [line] = cell_lines(sheet, (1, 1, 59, 29), glyph=14)
    return sheet, line


def test_seal_ink_that_took_part_of_the_glyphs_read_doubts_them():
    # synth-113-0055: a "无" under a ring 80 % opaque lost its left half to the clearing,
    # and the rest was read surely as "5": silent
    sheet, line = number_crossed_by_a_ring(True)
    assert _glyph_doubt(sheet, line, read("3")) == (
        "seal ink over the glyphs read hides part of their print")
    # the seal over the paper only, nothing of the glyph under it: no doubt
    sheet, line = number_crossed_by_a_ring(False)
    assert _glyph_doubt(sheet, line, read("3")) == ""


def number_crossed_by_seal_text(width: int, cleared: bool = True, shows: bool = True
                                ) -> tuple[_Sheet, _Line]:
    """"354" crossed by a steep stroke of the seal's text, `width` px, over the 4's
    diagonal and the left of its bar, clear of its stem. `cleared`: clearing the seal
    took what it covered from the ink (thick ink); the unmixed ink and grey show none of
    it. `shows`: the luma shows that print darker than the seal's ink. May-be-print as
    PageImage.may_be_print is: those pixels, and all of a stroke too thin to judge."""
    ink = np.zeros((40, 110), np.uint8)
    cv2.putText(ink, "354", (20, 32), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 255, 2)
    seal = np.zeros_like(ink)
    cv2.line(seal, (65, 0), (59, 39), 255, width)
    under = (seal > 0) & (ink > 0) & shows
    if cleared:
        ink[seal > 0] = 0
    darker = (seal > 0) & (under | ~luma_judged(whole_seal_ink(seal)))
    unmixed = np.where(seal > 0, 235, 255 - ink).astype(np.uint8)
    sheet = _Sheet(255 - ink, ink, ink.copy(), 255 - ink, seal, unmixed=unmixed,
                   may_be_print=darker.astype(np.uint8) * 255)
    [line] = cell_lines(sheet, (1, 1, 109, 39), glyph=20)
    return sheet, line


def test_a_stroke_of_a_digit_under_seal_text_seen_only_in_the_luma_doubts_the_number():
    # synth-123-0044: a seal character's stroke took the diagonal and bar of the 4 of
    # "354" from the ink and the unmixed grey; its stem was read surely as "351". Only
    # the luma still showed the lost stroke, and it was a tenth of the line's print
    sheet, line = number_crossed_by_seal_text(9)
    assert _glyph_doubt(sheet, line, read("351")) == (
        "seal ink over the glyphs read hides part of their print")
    # the stroke over paper where the luma shows no print under it: no doubt
    sheet, line = number_crossed_by_seal_text(9, shows=False)
    assert _glyph_doubt(sheet, line, read("351")) == ""
    # a stroke too thin for the luma to judge (all of it may be print) over a number
    # whose print it kept: no doubt, or every number under seal text would be one
    sheet, line = number_crossed_by_seal_text(4, cleared=False)
    assert _glyph_doubt(sheet, line, read("354")) == ""


def test_a_shade_under_seal_ink_that_is_no_darker_in_luma_is_the_ink_s_edge_no_trace():
    # seed 111: the edges of a ring's band, their colour coarse in JPEG, come out a shade
    # darker than the ring in the unmixed grey, like print under it; "0" and "31" beside
    # them read right were doubted. In luma the edges are paler than the ink, print under
    # it darker (PageImage.may_be_print).
    sheet, line = number_beside_a_ring(True, False, "37")
    unmixed = np.where(sheet.seal > 0, 233, 255).astype(np.uint8)
    end = line.box[2]
    unmixed[6:24, end + 3:end + 6] = 215  # a shade a hidden "1" would leave, or an edge
    darker = np.zeros_like(unmixed)
    edge = replace(sheet, unmixed=unmixed, may_be_print=darker)
    assert _glyph_doubt(edge, line, read("37")) == ""
    darker[6:24, end + 4:end + 5] = 255  # darker than the ink in luma: print under it
    assert _glyph_doubt(replace(edge, may_be_print=darker), line, read("37")) == (
        "seal ink after the digits read may hide a digit")


def _sealed_grid(left: str, right: str, *, seal: bool = True) -> np.ndarray:
    """A 3-row, 3-column ruled grid (200 dpi) whose middle row has no rule between its
    second and third cells; `left` and `right` are written in those two columns, each
    centred in its own column, and thick seal ink (85 % opaque) covers the rule's place."""
    rgb = np.full((400, 700, 3), 255, np.uint8)
    for y in (60, 140, 220, 300):
        rgb[y:y + 3, 60:663] = 0
    for x in (60, 260, 460, 660):
        rgb[60:303, x:x + 3] = 0
    rgb[143:220, 460:463] = 255  # the rule the seal hid
    for text, x in ((left, 360), (right, 560)):
        if text:
            width = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 1.0, 3)[0][0]
            cv2.putText(rgb, text, (x - width // 2, 195), cv2.FONT_HERSHEY_SIMPLEX, 1.0,
                        (0, 0, 0), 3)
    if seal:
        ring = np.full_like(rgb, 255)
        cv2.rectangle(ring, (440, 120), (480, 240), (220, 30, 40), -1)
        inked = (ring != 255).any(axis=2)
        rgb[inked] = (rgb[inked] * 0.15 + ring[inked] * 0.85).astype(np.uint8)
    return rgb


def _restored(rgb: np.ndarray) -> list[tuple[int, int, int]]:
    from report_extract.scan.image import prepare
    from report_extract.scan.rulings import find_segments

    image = prepare(rgb, 1, 200, deskew=False)
    width, height = image.size_points
    parts, _ = table_parts(1, width, height, find_segments(image))
    return [(round(s.x0), round(s.top), round(s.bottom)) for s in _hidden_rules(image, parts)]


def test_a_column_rule_hidden_by_a_seal_between_two_values_is_put_back():
    # issue 17: thick seal ink hid the rule between two "0" cells of one row; the row's
    # two values read as one "00" spanning both columns (synth-99-0006, synth-91-0042)
    assert _restored(_sealed_grid("0", "0")) == [(166, 51, 80)]


def test_no_rule_is_put_back_without_two_values_clear_of_it_or_without_seal_ink():
    assert _restored(_sealed_grid("", "0")) == []  # one value: a merged cell's, maybe
    assert _restored(_sealed_grid("0", "0", seal=False)) == []  # paper shows: no rule
    rgb = _sealed_grid("", "")
    cv2.putText(rgb, "10", (437, 195), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 3)
    assert _restored(rgb) == []  # one number across the rule's place: one cell


def title_sheet(glyphs: int, gap: int = 6, wide: int | None = None
                ) -> tuple[_Sheet, _Line, list[float]]:
    """A title line of `glyphs` 30 px square glyphs, `gap` px apart (`wide` px before the
    last), and each glyph's place as a share of its crop (_pad's paper each side)."""
    starts = [10 + k * (30 + gap) for k in range(glyphs)]
    if wide is not None:
        starts[-1] = starts[-2] + 30 + wide
    height, width = 40, starts[-1] + 50
    ink = np.zeros((height, width), np.uint8)
    for x in starts:
        ink[5:35, x:x + 30:3] = 255  # strokes, not a block
    gray = 255 - ink
    box = (8, 4, starts[-1] + 32, 36)
    side = (box[3] - box[1]) // 5
    crop = box[2] - box[0] + 2 * side
    places = [(x + 15 - box[0] + side) / crop for x in starts]
    sheet = _Sheet(gray, ink, ink.copy(), gray.copy(), np.zeros_like(ink))
    return sheet, _Line(box, (0, 0, width, height), title=True), places


def placed(text: str, places: list[float]) -> LineRead:
    return LineRead(tuple(Glyph(ch, 0.999, at=at) for ch, at in zip(text, places, strict=True)))


def test_a_title_glyph_the_recogniser_skipped_doubts_the_title():
    # synth-115-0026: "沭阳县人民政府" read "阳县人民政府" at 0.999, nothing emitted at 沭
    sheet, line, places = title_sheet(7)
    assert not _skipped_glyph(sheet, line, placed("沭阳县人民政府", places))
    assert _skipped_glyph(sheet, line, placed("阳县人民政府", places[1:]))
    assert _skipped_glyph(sheet, line, placed("沭阳县民政府", places[:3] + places[4:]))
    doubted = _title_checked(sheet, line, placed("阳县人民政府", places[1:]))
    assert doubted.text == "阳县人民政府" and doubted.confidence == 0.5
    kept = placed("阳县人民政府", places[1:])
    assert _title_checked(sheet, replace(line, title=False), kept) is kept  # titles only


def test_spaced_out_title_glyphs_are_no_skipped_glyph():
    # "总  计": glyphs set wide apart leave blank paper, not ink, between their places
    sheet, line, places = title_sheet(4, gap=60)
    assert not _skipped_glyph(sheet, line, placed("年度报告", places))
    sheet, line, places = title_sheet(5, wide=80)  # "总  计" after a run of glyphs
    assert not _skipped_glyph(sheet, line, placed("年度总计表", places))
