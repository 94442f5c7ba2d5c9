"""A page image -> our Page: ruling Segments and OCR'd Chars, in PDF points.

Table cells are found first (the shared detector's grid code on the image's rules);
each cell's text lines are cut out by their ink and read one crop per line, which
keeps neighbouring cells' digits apart and lets a digit be read on its own. Outside
the tables only what the pipeline needs is read: the title and the short lines
(headings); prose is skipped unless asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np

from report_extract.detect.ruled import TablePart, network_to_part, segments_to_networks
from report_extract.models import BBox, Char, Page, Segment
from report_extract.normalize.labels import template_label_keys
from report_extract.scan import layout
from report_extract.scan.bands import NUMBER_GLYPHS, components, ink_bands, merge_thin
from report_extract.scan.engines import Glyph, LineRead, OcrEngine, numeric_like
from report_extract.scan.image import JUDGED, PageImage, luma_judged, whole_seal_ink
from report_extract.scan.rulings import (
    RuleMasks,
    draw_segments,
    find_segments,
    rule_masks,
    seal_edges,
)
from report_extract.textclean import label_key, parse_number

CELL_MARGIN = 1.2  # pt kept clear inside a cell's rules (line width, residual tilt)
MIN_SPECK = 1.0  # pt: ink components smaller than this square are scan dust
SPECK_SHARE = 0.3  # of the page's glyph height: ink smaller both ways is no mark at all
GLYPH_PART = 0.35  # of the line height: smaller ink at a line's ends is dust
SHORT_NUMBER = 2  # characters: a reading this short is re-read between known digits
CONTEXT_DIGITS = 2  # digits of a number read surely that is set around an unsure one
CONTEXT_CONFIDENCE = 0.99  # ... and how surely it was read
DIGIT_WIDTH = 0.8  # of its height: a line of ink this narrow can be a single digit
DIGIT_TWINS = {"o": "0", "O": "0", "〇": "0", "○": "0", "l": "1", "I": "1", "|": "1"}
GLYPH_HEIGHT = 0.6  # of the tallest ink: a component this tall is a digit, not a remnant
SEAL_REMNANT = 0.9  # share of a band's ink in seal colour: a remnant, not print under it
MINUS_SHAPE = 1.3  # a minus sign is at least this many times as wide as it is tall (blurred)
MINUS_THICKNESS = 0.3  # ... and at most this share of the digit's height thick
MINUS_WIDTH = 0.2  # ... and at least this share of the line height wide
MAX_GROWTH = 0.25  # of the line height a line's box may grow by to take in pale strokes
SPIKE_SHARE = 0.25  # rows with less ink than this share of the usual row are hair-thin
MAX_SPIKE = 0.25  # of the line height that may be cut off at either end as a spike
SEALED_SHARE = 0.02  # of a line's box covered by seal ink: the line is read through it
SEAL_TRUST = 0.94  # confidence factor through a seal: 0.96 is needed to pass 0.9
SECOND_READING = 0.9  # lines read less surely than this are read a second way
SHORT_LINE = 4.0  # width/height of crops scaled to NUMBER_HEIGHT (numbers, short labels)
NUMBER_HEIGHT = 24  # px: measured best for digits over 150-300 dpi scans
UNREAD = "?"  # stands for ink that the engine could not read (never a digit)
TITLE_LINES = 3  # page 1's first lines are always read: the metadata is in the title
PLACED_REACH = 0.9  # of the glyph pitch: ink this near a glyph's place is that glyph's
SKIPPED_INK = 0.35  # of the glyph pitch: a run of ink beyond every glyph's reach this wide
STROKE_GAP = 0.25  # of the glyph pitch: blank narrower than this is inside one glyph
SKIPPED_STEP = 1.7  # of the glyph pitch: two glyphs' places this far apart may hold one more
MIDDLE_INK = 0.3  # of the columns of the middle third between them inked: they do
MAX_SHORT_LINE = 26  # width/height of the longest line read when prose is skipped
LABEL_SHARE = 0.5  # of the width the page's text spans: narrower runs are not prose
PROSE_SPAN = 0.85  # of the width the page's text spans: a text line this wide ...
PROSE_INK = 0.9  # ... whose runs cover this share of it, glyph-high, is prose (not read)
PROSE_HEIGHT = 1.2  # of the page's glyph height: taller lines (a title) are never prose
DUST = 2.5  # pt: a piece outside the tables smaller both ways is dust (not read)
DOUBTED = 0.5  # the confidence a reading contradicted by its ink gets (below any threshold)
LEANING = -0.15  # x per y of a glyph's ink: a printed "1" stands (>= 0), a "/" leans (<= -0.25)
WIDENED = (0.3, 0.5)  # of the line height: how far an unclean number's window is widened
DENIAL = 0.5  # a widened reading this sure of a different number doubts a sure one
DENIAL_WIDTHS = (0.0, *WIDENED)  # a sure number is also read unmixed in its own box
HIDDEN_MARGIN = 0.2  # of a cell's size each side: the rest is its middle, where values stand
HIDDEN_SHARE = 0.5  # of a blank cell's middle under seal ink: its print is unknown
HIDDEN_DIGIT_WIDTH = 0.6  # of the glyph height: the box one digit takes, glyph-high
HIDDEN_DIGIT = 0.75  # of such a box, anywhere across the cell's middle, under seal ink: a
# digit may be hidden there (a ring's thick stroke hid a "0"); a thin stroke covers less
HIDDEN_DOUBT = "seal ink covers this cell: a value may be hidden under it"
UNREAD_REACH = 1.0  # of the line height: ink this close beside a number's box is looked at
UNREAD_TALL = 0.5  # of the line height: ink beside the number at least this tall
UNREAD_WIDE = 0.3  # ... and this wide (not a rule's sliver)
UNREAD_INK = 0.25  # ... with this share of the ink of a glyph read is a glyph left unread
HIDDEN_REACH = 0.6  # of the line height: about one digit's width beside the glyphs read
HIDDEN_COVER = 0.5  # of that band under seal ink (and over HIDDEN_TALL of its rows) may hide one
HIDDEN_TALL = 0.5  # of the line height
HIDDEN_TRACE = 0.3  # of a glyph read's ink: unmixed ink under that seal, a hidden digit's trace
SEAL_TRACE = 12  # grey levels darker than the seal's own (unmixed, 3 rows): print under it
LOST_PRINT = 0.3  # of the print a number's line kept: as much again lost under seal ink
LOST_EDGE = 1  # px: luma-dark pixels this close to the print kept are its blurred edge
LOST_TALL = 0.4  # of the line height: a stroke of print lost under seal ink spans this
LOST_STROKE = 0.2  # of one glyph's print (kept per character read): ... and has this much
ONE_INK = 0.5  # of a glyph read's ink: about what a "1" has
HIDDEN_RULE = 0.8  # of a missing rule's length under seal ink or pieces of it: no paper shows
SEALED_RULE = 0.2  # ... of which at least this share under seal ink
RULE_CLEARANCE = 0.5  # of the glyph height: ink this far either side of a hidden rule's place
RESTORED_WIDTH = 0.5  # pt: the width of a rule put back where a seal hid it
RULE_PIECE = 2  # px either side of a hidden rule's place: what the seal left of it is no glyph

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels, end-exclusive


@dataclass(frozen=True)
class OcrChar(Char):
    """A recognised text line with the runner-up readings of its characters.

    `sealed`: the line was read through a seal; its confidence then carries the
    SEAL_TRUST factor, so it needs a surer reading to be accepted."""

    alternatives: tuple[tuple[tuple[str, float], ...], ...] = ()
    sealed: bool = False
    doubt: str = ""  # why the reading is refused whatever its confidence (_glyph_doubt)
    rescued: bool = False  # read only from its cleared glyphs (LineRead.rescued)


@dataclass(frozen=True)
class _Line:
    """A text line's ink box, and the box its crop may grow into (its cell).

    A cell of several lines (a wrapped label, 自然/人, a column of vertical text) is
    read as one line: its `parts` are set side by side, so each character is read in
    context rather than alone.
    """

    box: Box
    room: Box
    parts: tuple[Box, ...] = ()
    hidden: bool = False  # no ink shows, seal ink covers where a value stands (_hidden_by_seal)
    title: bool = False  # among page 1's first lines, where the title is (_skipped_glyph)

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


@dataclass(frozen=True)
class _Parts:
    """A page mask's connected components, labelled once for all its cells: labels,
    OpenCV stats, and which labels are kept (specks are labelled but not in the mask)."""

    labels: np.ndarray
    stats: np.ndarray
    kept: np.ndarray


@dataclass
class _Sheet:
    """A page image made ready for cutting lines: rules removed, specks dropped."""

    gray: np.ndarray  # seal-free grey, rules and dust painted white
    ink: np.ndarray  # seal-free ink, rules and specks removed
    faint: np.ndarray  # ink of the unmixed grey, rules and specks removed
    faint_gray: np.ndarray  # unmixed grey, rules and dust painted white
    seal: np.ndarray  # clearly coloured pixels (PageImage.seal)
    faint_parts: _Parts | None = None  # the page's labelling of `faint` (_whole_glyphs)
    unmixed: np.ndarray | None = None  # PageImage.unmixed, nothing cleared (else faint_gray)
    may_be_print: np.ndarray | None = None  # PageImage.may_be_print (seal pixels)

    @property
    def unmixed_gray(self) -> np.ndarray:
        """The unmixed grey with nothing cleared, where the page gave it."""
        return self.faint_gray if self.unmixed is None else self.unmixed


def read_page(image: PageImage, engine: OcrEngine, *, read_prose: bool = False) -> Page:
    """OCR one prepared page image into a Page the text detector can use.

    Prose lines outside the tables are skipped unless `read_prose`: the pipeline needs
    only the title, the headings and the tables, and long lines cost most of the time.
    """
    masks = rule_masks(image)
    segments = find_segments(image, masks)
    width, height = image.size_points
    parts, table_segments = table_parts(image.number, width, height, segments)
    hidden = _hidden_rules(image, parts)
    if hidden:
        segments = segments + hidden
        parts, table_segments = table_parts(image.number, width, height, segments)
    rules = _table_rules(image, table_segments, masks) | _free_rules(image, masks)
    sheet = _sheet(image, rules | seal_edges(image, masks))
    lines = _table_lines(image, parts, sheet)
    outside, glyph = _outside_lines(image, parts, sheet, read_prose)
    reads = _read(engine, sheet, lines + outside)
    reads = reads[:len(lines)] + [_title_checked(sheet, line, read)
                                  for line, read in zip(outside, reads[len(lines):], strict=True)]
    words, word_reads = _outside_words(engine, sheet, outside, reads[len(lines):], glyph)
    lines, reads = lines + words, reads[:len(lines)] + word_reads
    chars = [_char(image, line, read, _under_seal(sheet, line), _glyph_doubt(sheet, line, read))
             for line, read in zip(lines, reads, strict=True)]
    return Page(image.number, width, height, chars, segments, source="ocr")


def _read(engine: OcrEngine, sheet: _Sheet, lines: list[_Line]) -> list[LineRead]:
    """Read every line; a line read with low confidence is read again from the grey in
    which pale seal remnants were not cleared (clearing them can thin print under the
    seal), see _second_opinion; a number still unsure or unclean is read a third time from
    its glyphs alone, see _reread_numbers."""
    reads = engine.read_lines([_crop(sheet.gray, line) for line in lines])
    doubtful = [i for i, read in enumerate(reads) if read.confidence < SECOND_READING]
    again = engine.read_lines([_crop(sheet.faint_gray, lines[i]) for i in doubtful])
    for index, read in zip(doubtful, again, strict=True):
        reads[index] = _second_opinion(reads[index], read)
    _reread_numbers(engine, sheet, lines, reads)
    return [_as_template_label(read) for read in reads]


def _title_checked(sheet: _Sheet, line: _Line, read: LineRead) -> LineRead:
    """A title line whose ink holds a glyph the reading skipped, no surer than DOUBTED:
    no check confirms the agency and year. A clean "沭阳县人民政府" was read
    "阳县人民政府" at 0.999, the recogniser emitting nothing where the 沭 stood
    (synth-115-0026)."""
    if not line.title or not _skipped_glyph(sheet, line, read):
        return read
    return LineRead(tuple(replace(g, confidence=min(g.confidence, DOUBTED))
                          for g in read.glyphs), read.rescued)


def _skipped_glyph(sheet: _Sheet, line: _Line, read: LineRead) -> bool:
    """Ink of the line that no glyph read accounts for (Glyph.at: where the recogniser
    emitted each): beyond PLACED_REACH of the pitch from every glyph's place in a run
    SKIPPED_INK of the pitch wide (a glyph skipped at either end), or in the middle of
    two places SKIPPED_STEP pitches apart (one skipped between them; spaced-out glyphs
    leave paper there). A glyph's ink lies about half a pitch either side of its place.
    Pitch: the median step between the places of the line's wide (not ASCII) glyphs."""
    places = [g.at for g in read.glyphs]
    wide = [g.at for g in read.glyphs if not g.text.isascii()]
    if line.parts or len(wide) < 3 or min(places) < 0:
        return False
    x0, y0, x1, y1 = line.box
    side, _ = _paper(y1 - y0)  # as the line was cut and padded (_crop)
    width = x1 - x0 + 2 * side
    centres = sorted(np.array(places) * width - side)  # in the box's columns
    pitch = float(np.median(np.diff(np.array(wide) * width)))
    if pitch <= 0:
        return False
    inked = sheet.ink[y0:y1, x0:x1].any(axis=0)
    distance = np.abs(np.arange(x1 - x0)[:, None] - np.array(centres)[None, :]).min(axis=1)
    runs = _joined_runs(inked & (distance > PLACED_REACH * pitch), STROKE_GAP * pitch)
    if any(end - start >= SKIPPED_INK * pitch for start, end in runs):
        return True
    return any(_inked_middle(inked, a, b) for a, b in zip(centres, centres[1:], strict=False)
               if b - a >= SKIPPED_STEP * pitch)


def _joined_runs(columns: np.ndarray, gap: float) -> list[tuple[int, int]]:
    """Runs of True, those less than `gap` apart joined (a glyph's strokes are one)."""
    runs: list[tuple[int, int]] = []
    for start, end in ink_bands(columns):
        if runs and start - runs[-1][1] < gap:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    return runs


def _inked_middle(inked: np.ndarray, left: float, right: float) -> bool:
    """Ink in the middle third between two glyphs' places: a glyph between them."""
    third = (right - left) / 3
    middle = inked[max(0, round(left + third)):max(0, round(right - third))]
    return middle.size > 0 and np.count_nonzero(middle) >= MIDDLE_INK * middle.size


def _as_template_label(read: LineRead) -> LineRead:
    """A label read unsurely that one runner-up glyph makes a template label exactly
    ("美他" under a seal, with 其 the runner-up of 美: "其他") is read as that label, at the
    runner-up's probability. Only one such label may be in reach; numbers never change."""
    keys = template_label_keys()
    if read.confidence >= SECOND_READING or numeric_like(read.text) or label_key(
            read.text) in keys:
        return read
    texts = [g.text for g in read.glyphs]
    found = [(i, alternative, p) for i, glyph in enumerate(read.glyphs)
             for alternative, p in glyph.alternatives
             if label_key("".join(texts[:i] + [alternative] + texts[i + 1:])) in keys]
    if len(found) != 1:
        return read
    index, alternative, probability = found[0]
    glyphs = list(read.glyphs)
    glyphs[index] = replace(glyphs[index], text=alternative, confidence=probability)
    return LineRead(tuple(glyphs))


def _reread_numbers(engine: OcrEngine, sheet: _Sheet, lines: list[_Line],
                    reads: list[LineRead]) -> None:
    """Numbers unsure or unclean ("Q", "3.") read from their glyphs only (_glyphs_only),
    a short one between copies of a number read surely on the page (_beside), or beside
    its own copy where there is none; see _cleaned_opinion for which reading stands.
    Numbers read surely through a seal are read so too, to confirm them
    (_confirmed_opinion). Numbers under a seal, sure or not, are also read from the
    unmixed grey in a wider window (_widened_readings): a rescue for the unsure
    (_widened_opinion), a check on the sure (_widened_denial)."""
    under_seal = [not line.parts and _under_seal(sheet, line) for line in lines]
    unclean = [i for i, (line, read) in enumerate(zip(lines, reads, strict=True))
               if not line.parts and _unclean_number(read, under_seal[i], _digit_wide(line))]
    unsure = set(unclean)
    sealed = [i for i, read in enumerate(reads) if under_seal[i] and i not in unsure
              and read.text and parse_number(read.text)[1] is None]
    if not unclean and not sealed:
        return
    context = _context(sheet, lines, reads)
    again = _glyph_readings(engine, sheet, [lines[i] for i in unclean + sealed],
                            [reads[i] for i in unclean + sealed], context)
    widened = [i for i in unclean if under_seal[i]]
    wide = _widened_readings(engine, sheet, [lines[i] for i in widened], WIDENED)
    widened += sealed
    wide += _widened_readings(engine, sheet, [lines[i] for i in sealed], DENIAL_WIDTHS)
    for index, read in zip(unclean, again[:len(unclean)], strict=True):
        reads[index] = _cleaned_opinion(reads[index], read)
    for index, read in zip(sealed, again[len(unclean):], strict=True):
        reads[index] = _confirmed_opinion(reads[index], read)
    for index, pair in zip(widened, wide, strict=True):
        reads[index] = (_widened_opinion(reads[index], _agreed(pair)) if index in unsure
                        else _widened_denial(reads[index], pair))


def _widened_readings(engine: OcrEngine, sheet: _Sheet, lines: list[_Line],
                      shares: Sequence[float] = WIDENED) -> list[Sequence[LineRead]]:
    """Numbers under a seal read from the unmixed grey (seal ink taken out of the
    pixels, nothing cleared) in a window wider than their line at two widths: where a
    seal's edge crossed a digit, clearing it cut the digit in two, its line took one
    piece ("0" read as ")", "C", "5"), and the rest lies beside the line's box. Per
    line, its readings widened by each of `shares`."""
    if not lines:
        return []
    crops = [_crop(sheet.unmixed_gray, _wider(line, share)) for line in lines for share in shares]
    reads = engine.read_lines(crops)
    return [reads[i:i + len(shares)] for i in range(0, len(reads), len(shares))]


def _widened_denial(current: LineRead, wide: Sequence[LineRead]) -> LineRead:
    """A number read surely through a seal, doubted where one of its widened readings
    (see _widened_readings) is a different clean number read with some confidence:
    clearing a seal stroke's edges took the "2" of "28" and the left of its 8, and the
    rest read surely as "3", confirmed by its glyphs alone (synth-91-0005); the unmixed
    grey still showed an 8 ("8", and "t8" in the wider window); a "6" cut into specks
    inside the line's box left "26" for "266", the unmixed box read "266" (synth-91-0045).
    Only a doubt: agreeing or unclean widened readings change nothing."""
    current_value = parse_number(current.text)[0]
    denials = [read for read in wide if read.confidence >= DENIAL
               and (parsed := parse_number(read.text))[0] is not None and parsed[1] is None
               and parsed[0] != current_value and not _same_shapes(current.text, read.text)]
    return _doubted(current, max(denials, key=lambda r: r.confidence)) if denials else current


def _wider(line: _Line, share: float) -> _Line:
    """The line's box widened by `share` of its height each side and a tenth above and
    below (a digit's missing piece may reach beyond either end), within its cell."""
    x0, y0, x1, y1 = line.box
    left, top, right, bottom = line.room
    dx, dy = round(share * (y1 - y0)), round(0.1 * (y1 - y0))
    return _Line((max(left, x0 - dx), max(top, y0 - dy), min(right, x1 + dx),
                  min(bottom, y1 + dy)), line.room)


def _agreed(reads: Sequence[LineRead]) -> LineRead:
    """One reading where all read the same text, as sure as the least sure; else none."""
    if not reads or any(read.text != reads[0].text for read in reads):
        return LineRead(())
    return min(reads, key=lambda read: read.confidence)


def _widened_opinion(current: LineRead, wide: LineRead) -> LineRead:
    """The widened reading (see _widened_readings) when it is a clean number read surer
    than the reading so far, which was no clean number or a different one: it stands
    only as a rescued value (a check must confirm it, see scan.uncertainty), as the
    window may take in what is not the digit's. A clean number read so far is doubted
    by a different widened reading (_second_opinion)."""
    value, reason = parse_number(wide.text)
    if value is None or reason is not None or wide.confidence <= current.confidence:
        return current
    if current.text and parse_number(current.text)[1] is None:
        agreed = _second_opinion(current, wide)
        return replace(agreed, rescued=current.rescued or agreed.rescued)
    return replace(wide, rescued=True)


def _glyph_readings(engine: OcrEngine, sheet: _Sheet, lines: list[_Line],
                    reads: list[LineRead], context: _Context) -> list[LineRead]:
    """The lines read again from their glyphs only, a short one between known digits."""
    crops = [_glyphs_only(sheet, line) for line in lines]
    short = [len(read.text) <= SHORT_NUMBER for read in reads]
    again = engine.read_lines([_beside(crop, context) if doubled else _pad(crop)
                               for crop, doubled in zip(crops, short, strict=True)])
    return [_between(read, context) if doubled else read
            for read, doubled in zip(again, short, strict=True)]


def _confirmed_opinion(first: LineRead, again: LineRead) -> LineRead:
    """A number read surely through a seal, against its reading from its glyphs alone:
    a seal stroke crossing a digit reads as part of it (0 as 6, 3 as 8) with confidence.
    The same number stands as surely as the less sure reading; a different number is
    doubted (see _doubted); a reading that is no number confirms nothing, denies nothing.
    Readings agree by value (a remnant read as the minus of "-0") or by shape ("o", 0)."""
    value, reason = parse_number(again.text)
    if value is None or reason is not None:
        return first
    if value == parse_number(first.text)[0] or _same_shapes(first.text, again.text):
        sure = min(first.confidence, again.confidence)
        return LineRead(tuple(replace(g, confidence=min(g.confidence, sure))
                              for g in again.glyphs))
    return _doubted(again, first)


@dataclass(frozen=True)
class _Context:
    """A number read surely on the page, set on either side of a short unsure one: alone,
    a "0" reads as "o" or "Q" (nothing says it is a number); between printed digits of the
    same page it is read as a digit. Without one the crop is set beside its own copy."""

    crop: np.ndarray | None
    text: str


def _context(sheet: _Sheet, lines: list[_Line], reads: list[LineRead]) -> _Context:
    sure = [i for i, read in enumerate(reads)
            if not lines[i].parts and read.text.isdigit() and len(read.text) >= CONTEXT_DIGITS
            and read.confidence >= CONTEXT_CONFIDENCE]
    if not sure:
        return _Context(None, "")
    best = max(sure, key=lambda i: (reads[i].confidence, -i))
    return _Context(_glyphs_only(sheet, lines[best]), reads[best].text)


def _beside(crop: np.ndarray, context: _Context) -> np.ndarray:
    if context.crop is None:
        return _doubled(crop)
    known = _to_height(context.crop, crop.shape[0]) if crop.shape[0] else context.crop
    return _to_height(_pad(_side_by_side(known, crop, known)), NUMBER_HEIGHT)


def _between(read: LineRead, context: _Context) -> LineRead:
    """The reading of the unsure crop alone; nothing if the known number around it was
    not read back exactly (the recogniser then read the whole differently)."""
    if context.crop is None:
        return _single(read)
    known = len(context.text)
    glyphs = tuple(g for g in read.glyphs if g.text.strip())  # the gaps set between them
    texts = "".join(g.text for g in glyphs)
    if (len(glyphs) <= 2 * known or not texts.startswith(context.text)
            or not texts.endswith(context.text)):
        return LineRead(())
    return LineRead(glyphs[known:-known])


def _doubled(crop: np.ndarray) -> np.ndarray:
    """The crop twice, side by side: beside its own copy a lone digit is read in the
    context of a number."""
    return _pad(_side_by_side(crop, crop))


def _side_by_side(*crops: np.ndarray) -> np.ndarray:
    """Crops of one height in a row, a third of that height of paper between them (as
    between the digits of one number)."""
    height = crops[0].shape[0]
    gap = np.full((height, max(2, height // 3)), 255, np.uint8)
    pieces = [piece for crop in crops for piece in (gap, crop)][1:]
    return np.hstack(pieces)


def _single(read: LineRead) -> LineRead:
    """The reading of one copy of a doubled crop; nothing if the two copies disagree."""
    half = len(read.glyphs) // 2
    first, second = read.glyphs[:half], read.glyphs[half:]
    if not first or [g.text for g in first] != [g.text for g in second]:
        return LineRead(())
    return LineRead(tuple(replace(a, confidence=min(a.confidence, b.confidence))
                          for a, b in zip(first, second, strict=True)))


def _unclean_number(read: LineRead, sealed: bool = False, digit_wide: bool = False) -> bool:
    """A reading of what may be a number cell that cannot be trusted: unsure (through a
    seal, unsure once SEAL_TRUST applies), not a clean number ("Q", "3.", "0!": a seal
    remnant touching the digit read as part of it), or ink as narrow as a digit read as
    one character ("中" for a 0 crossed by a seal stroke) or as nothing."""
    text = read.text
    if not text:
        return digit_wide  # a CJK glyph is about as wide as tall
    lone_mark = digit_wide and len(text) == 1
    ascii_mark = len(text) <= 3 and text.isascii()  # "d", "b!": never a label
    if not (numeric_like(text) or ascii_mark or lone_mark):
        return False
    sure = SECOND_READING / SEAL_TRUST if sealed else SECOND_READING
    return read.confidence < sure or parse_number(text)[1] is not None


def _digit_wide(line: _Line) -> bool:
    x0, y0, x1, y1 = line.box
    return x1 - x0 <= DIGIT_WIDTH * (y1 - y0)


def _cleaned_opinion(first: LineRead, cleaned: LineRead) -> LineRead:
    """The reading of the glyph-only crop, when surer. A first reading of the same shapes
    as letters ("o" for 0) agrees with it; one that is no number at all ("Q") is no
    evidence against it, but it stands unless the crop reads as a number (a header's
    glyph read as "/" is no value); one that is a number and differs is evidence against
    it (see _second_opinion)."""
    if _same_shapes(first.text, cleaned.text):
        return cleaned if cleaned.confidence > first.confidence else first
    if first.text and parse_number(first.text)[1] is None:
        return _second_opinion(first, cleaned)
    if parse_number(cleaned.text)[0] is None:  # junk or nothing read as a mark ("/"): no number
        return first
    if cleaned.confidence <= first.confidence:
        return first
    return replace(cleaned, rescued=cleaned.text != first.text)


def _same_shapes(letters: str, digits: str) -> bool:
    """The letters are the digits' twins in print ("o" and "0", "l" and "1"): what tells
    them apart is only whether a number is being read."""
    return (bool(digits) and digits.isdigit() and len(letters) == len(digits)
            and letters != digits
            and all(DIGIT_TWINS.get(a, a) == b for a, b in zip(letters, digits, strict=True)))


def _glyphs_only(sheet: _Sheet, line: _Line) -> np.ndarray:
    """The line's grey with only its glyphs' ink (_glyph_mask), cut to them; thin
    strokes and specks beside them (seal remnants, noise) are painted white."""
    x0, y0, x1, y1 = line.box
    mask = _glyph_mask(sheet.ink[y0:y1, x0:x1])
    if mask is None:
        return sheet.gray[y0:y1, x0:x1]
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    top, bottom, left, right = rows[0], rows[-1] + 1, columns[0], columns[-1] + 1
    glyphs = np.where(mask, sheet.gray[y0:y1, x0:x1], 255).astype(np.uint8)
    return glyphs[top:bottom, left:right]


def _glyph_mask(ink: np.ndarray) -> np.ndarray | None:
    """A line's glyphs in its ink: components nearly as tall as the tallest (not as the
    line: a remnant may have grown its box), what lies between them at their height (a
    decimal point, a thousands comma) and a leading minus. None where there is no ink.
    Colour tells nothing here: digits under a seal can be as red as its remnants."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count < 2:
        return None
    tallest = int(stats[1:, cv2.CC_STAT_HEIGHT].max())
    tall = [k for k in range(1, count) if stats[k, cv2.CC_STAT_HEIGHT] >= GLYPH_HEIGHT * tallest]
    first = min(tall, key=lambda k: int(stats[k, cv2.CC_STAT_LEFT]))
    left = int(stats[first, cv2.CC_STAT_LEFT])
    right = max(int(stats[k, cv2.CC_STAT_LEFT] + stats[k, cv2.CC_STAT_WIDTH]) for k in tall)
    top = min(int(stats[k, cv2.CC_STAT_TOP]) for k in tall)
    bottom = max(int(stats[k, cv2.CC_STAT_TOP] + stats[k, cv2.CC_STAT_HEIGHT]) for k in tall)
    glyph = _whole_first_glyph(stats[1:count], stats[first])
    keep = [k for k in range(1, count) if k in tall or _leading_minus(stats[k], glyph)
            or _between_glyphs(stats[k], left, right, top, bottom)]
    return np.isin(labels, keep)


def _between_glyphs(stat: np.ndarray, left: int, right: int, top: int, bottom: int) -> bool:
    """Ink within the glyphs' span that starts at their height (a decimal point, a
    comma's head), not above them: a seal remnant over a 0 made it read as 6."""
    x, y, width = (int(stat[cv2.CC_STAT_LEFT]), int(stat[cv2.CC_STAT_TOP]),
                   int(stat[cv2.CC_STAT_WIDTH]))
    return left <= x and x + width <= right and top <= y < bottom


def _second_opinion(first: LineRead, second: LineRead) -> LineRead:
    """The surer reading; if the two disagree, it is trusted no more than the other
    reading is doubted (1 - its confidence): two confident readings that disagree
    are a doubtful value, while a clear digit where the first saw nothing stands."""
    if second.confidence <= first.confidence:
        return first
    if second.text == first.text:
        return second
    return _doubted(second, first)


def _doubted(read: LineRead, other: LineRead) -> LineRead:
    """`read`, trusted no more than the other reading of the same ink is doubted; where
    the two differ glyph by glyph, the other's glyph is among the runner-ups."""
    cap = 1.0 - other.confidence
    theirs = other.glyphs if len(other.glyphs) == len(read.glyphs) else (None,) * len(read.glyphs)
    return LineRead(tuple(replace(g, confidence=min(g.confidence, cap),
                                  alternatives=_with_runner_up(g, h))
                          for g, h in zip(read.glyphs, theirs, strict=True)))


def _with_runner_up(glyph: Glyph, other: Glyph | None) -> tuple[tuple[str, float], ...]:
    if other is None or other.text == glyph.text or any(
            text == other.text for text, _ in glyph.alternatives):
        return glyph.alternatives
    return (*glyph.alternatives, (other.text, other.confidence))


def table_parts(number: int, width: float, height: float, segments: list[Segment]
                ) -> tuple[list[TablePart], list[Segment]]:
    """The tables the shared detector will see, and the segments that make them."""
    stub = Page(number, width, height, [], segments, source="ocr")
    parts: list[TablePart] = []
    used: list[Segment] = []
    for network in segments_to_networks(segments):
        part = network_to_part(stub, network)
        if part is not None:
            parts.append(part)
            used.extend(network)
    return parts, used


def _hidden_rules(image: PageImage, parts: list[TablePart]) -> list[Segment]:
    """Column rules a seal hid, put back cell by cell: a cell spanning columns whose
    rule between them runs in other rows of the table, is missing here where seal ink
    covers most of its length (thick seal ink replaces print), and whose ink stands in
    two groups, one each side of the rule's place, both well clear of it (two values,
    "0" and "0", not one number across the rule). A merged cell's one centred number
    crosses or nears the place and keeps the cell whole, as does a header's or a
    label's text across its sub-columns. Without this the row's two values read as one
    ("00") under two columns and were refused (value_cell_over_columns); a ring can
    hide the rule over several rows (synth-91-0042)."""
    restored: list[Segment] = []
    for part in parts:
        for cell in part.cells:
            if cell.col_span < 2 or cell.row_span != 1 or cell.bbox is None:
                continue
            for col in range(cell.col + 1, cell.col + cell.col_span):
                if (_ruled_elsewhere(part, col)
                        and _hidden_rule_at(image, cell.bbox, part.xs[col])):
                    x = part.xs[col]
                    restored.append(Segment(x - RESTORED_WIDTH / 2, cell.bbox.top,
                                            x + RESTORED_WIDTH / 2, cell.bbox.bottom))
    return restored


def _ruled_elsewhere(part: TablePart, col: int) -> bool:
    """A rule runs at column `col`'s left edge in some row of the part: a cell starts
    there."""
    return any(c.col == col for c in part.cells)


def _hidden_rule_at(image: PageImage, box: BBox, x: float) -> bool:
    """Seal ink, or what it left of the rule, over nearly all the rule's place in the
    cell (no paper there), and the cell's ink in two groups clear of it on either side
    (see _hidden_rules)."""
    left, top, right, bottom = _pixels(box, image, inset=CELL_MARGIN)
    at = round(x / image.scale)
    if not left < at < right or bottom <= top:
        return False
    place = slice(max(left, at - RULE_PIECE), at + RULE_PIECE + 1)
    sealed = (image.seal[top:bottom, place] > 0).any(axis=1)
    covered = sealed | (image.ink[top:bottom, place] > 0).any(axis=1)  # or a rule's piece
    if (np.count_nonzero(sealed) < SEALED_RULE * (bottom - top)
            or np.count_nonzero(covered) < HIDDEN_RULE * (bottom - top)):
        return False  # paper shows where the rule would run: no rule was printed there
    count, labels, stats, _ = cv2.connectedComponentsWithStats(image.ink[top:bottom, left:right])
    starts = stats[:, cv2.CC_STAT_LEFT] + left
    ends = starts + stats[:, cv2.CC_STAT_WIDTH]
    piece = (starts >= at - RULE_PIECE) & (ends <= at + RULE_PIECE + 1)
    marks = [k for k in range(1, count) if not piece[k]]  # what the seal left of the rule aside
    if not marks:
        return False
    glyph = int(stats[marks, cv2.CC_STAT_HEIGHT].max())
    glyphs = [k for k in marks if stats[k, cv2.CC_STAT_HEIGHT] >= GLYPH_HEIGHT * glyph]
    columns = np.flatnonzero(np.isin(labels, glyphs).any(axis=0)) + left  # specks aside
    clear = RULE_CLEARANCE * glyph
    near = (np.abs(columns - at) < clear) & (np.abs(columns - at) > RULE_PIECE)
    return bool(glyph and columns.size and columns[0] < at - clear and columns[-1] > at + clear
                and not near.any())


def _table_rules(image: PageImage, segments: list[Segment], masks: RuleMasks) -> np.ndarray:
    """Rule pixels of the table rules only: other long runs are strokes of glyphs (a
    16 pt heading's verticals, "二十" run together), which must stay for the recogniser."""
    near = draw_segments(segments, masks.both.shape, image.dpi)
    return cv2.bitwise_and(masks.both, near)


def _free_rules(image: PageImage, masks: RuleMasks) -> np.ndarray:
    return layout.free_rules(masks.horizontal, image.dpi)


def _sheet(image: PageImage, rules: np.ndarray) -> _Sheet:
    """Rules and dust removed: the grey keeps only the print near kept ink, so crops do
    not carry seal remnants or scan noise into the recogniser."""
    keep = 255 - _dilate(rules, 2)
    ink, parts = _despecked(cv2.bitwise_and(image.ink, keep), image.dpi)
    if np.array_equal(image.faint_ink, image.ink):  # no seal ink cleared: one ink, one pass
        faint, near_print = ink, _dilate(ink, 2)  # every faint component touches the ink
    else:
        faint, parts = _despecked(cv2.bitwise_and(image.faint_ink, keep), image.dpi)
        near_print = _dilate(cv2.bitwise_or(ink, _touching(faint, ink)), 2)
    gray = np.where(near_print > 0, image.gray, np.uint8(255))
    if faint is ink and np.array_equal(image.unmixed, image.gray):
        faint_gray = gray  # one grey
    else:
        faint_gray = np.where(_dilate(faint, 2) > 0, image.unmixed, np.uint8(255))
    return _Sheet(gray, ink, faint, faint_gray, image.seal, faint_parts=parts,
                  unmixed=image.unmixed, may_be_print=image.may_be_print)


def _touching(faint: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """The faint-ink components that share a pixel with the ink: whole glyphs whose
    pale strokes the ink mask lost, but no separate pale marks."""
    count, labels = cv2.connectedComponents(faint, connectivity=8)
    shade = np.zeros(count, np.uint8)  # per label, looked up once per pixel
    shade[labels[ink > 0]] = 255
    shade[0] = 0
    return shade[labels]


def _dilate(mask: np.ndarray, size: int) -> np.ndarray:
    return cv2.dilate(mask, np.ones((size * 2 + 1, size * 2 + 1), np.uint8))


def _despecked(ink: np.ndarray, dpi: int) -> tuple[np.ndarray, _Parts]:
    """The ink without specks, and its components (labelled before the specks went:
    each speck is a whole component, so the others are the same)."""
    side = MIN_SPECK * dpi / 72
    count, labels, stats = components(ink)
    kept = np.zeros(count, bool)
    kept[1:] = (stats[1:, cv2.CC_STAT_WIDTH] >= side) | (stats[1:, cv2.CC_STAT_HEIGHT] >= side)
    shade = np.where(kept, 255, 0).astype(np.uint8)  # per label, looked up once per pixel
    return shade[labels], _Parts(labels, stats, kept)


# --- table cells -------------------------------------------------------------------------


def _table_lines(image: PageImage, parts: list[TablePart], sheet: _Sheet) -> list[_Line]:
    rooms = [_pixels(cell.bbox, image, inset=CELL_MARGIN) for part in parts
             for cell in part.cells]
    glyph = _glyph_height(sheet, rooms)
    return [line for room in rooms for line in cell_lines(sheet, room, glyph)]


def _glyph_height(sheet: _Sheet, rooms: list[Box]) -> float:
    """The page's usual glyph height: the median height of the cells' ink bands (most
    are whole lines of digits or characters, a few are parts of a glyph)."""
    heights = [b - a for x0, y0, x1, y1 in rooms if x1 > x0 and y1 > y0
               for a, b in ink_bands(sheet.ink[y0:y1, x0:x1].any(axis=1)) if b - a >= 3]
    return float(np.median(heights)) if heights else 0.0


def _pixels(box: BBox, image: PageImage, inset: float) -> Box:
    px = image.dpi / 72
    height, width = image.gray.shape
    return (max(0, round((box.x0 + inset) * px)), max(0, round((box.top + inset) * px)),
            min(width, round((box.x1 - inset) * px)), min(height, round((box.bottom - inset) * px)))


def cell_lines(sheet: _Sheet, room: Box, glyph: float = 0.0) -> list[_Line]:
    """The text of a cell as one line to read: its bands of (seal-free) ink, glyph parts
    merged, each widened to the whole glyphs of the plain ink it touches.

    A cell whose only ink is faint (print under a seal, or a washed-out digit) still gets
    a line, so that ink is read or reported unreadable, never taken for a blank cell;
    so does a cell without ink whose middle is under seal ink (_hidden_by_seal).
    """
    x0, y0, x1, y1 = room
    if x1 <= x0 or y1 <= y0:
        return []
    strong, faint = sheet.ink[y0:y1, x0:x1], sheet.faint[y0:y1, x0:x1]
    region = strong if strong.any() else faint
    if not region.any():
        return _hidden_by_seal(sheet, room, glyph)
    bands = ink_bands(region.any(axis=1))
    glyph = glyph or max(b - a for a, b in bands)
    bands = _without_dust(region, merge_thin(bands, glyph), glyph, sheet.seal[y0:y1, x0:x1])
    boxes = [_whole_glyphs(faint, _ink_box(region, top, bottom), sheet.faint_parts, room)
             for top, bottom in bands]
    boxes = [(a + x0, b + y0, c + x0, d + y0) for a, b, c, d in boxes
             if not _speck((a, b, c, d), glyph)]
    if not boxes:
        return _hidden_by_seal(sheet, room, glyph)
    union = (min(b[0] for b in boxes), min(b[1] for b in boxes),
             max(b[2] for b in boxes), max(b[3] for b in boxes))
    return [_Line(union, room, tuple(boxes) if len(boxes) > 1 else ())]


def _hidden_by_seal(sheet: _Sheet, room: Box, glyph: float = 0.0) -> list[_Line]:
    """A cell that shows no ink, its middle (where a value stands) under seal ink: what
    is printed there is unknown, not blank. Its middle is a line to read, which reads
    as nothing: the cell is reported unreadable (HIDDEN_DOUBT). A seal's star hid a "0"
    whose print was too pale even in the unmixed grey, and the cell was a silent null
    (synth-91-0036); a ring's thick stroke crossing the cell, a third of its middle,
    hid another (synth-107-0043): a digit's box anywhere across the middle under seal
    ink is enough (_digit_covered)."""
    x0, y0, x1, y1 = room
    dx, dy = round(HIDDEN_MARGIN * (x1 - x0)), round(HIDDEN_MARGIN * (y1 - y0))
    middle = (x0 + dx, y0 + dy, x1 - dx, y1 - dy)
    seal = sheet.seal[middle[1]:middle[3], middle[0]:middle[2]]
    if not seal.size:
        return []
    if (np.count_nonzero(seal) < HIDDEN_SHARE * seal.size
            and not _digit_covered(sheet.seal[y0:y1, x0:x1] > 0, glyph)):
        return []
    return [_Line(middle, room, hidden=True)]


def _digit_covered(seal: np.ndarray, glyph: float) -> bool:
    """Seal ink over most of a digit's box (glyph-high, HIDDEN_DIGIT_WIDTH wide) at the
    cell's mid-height, anywhere across it: where a digit can sit, a value may be hidden.
    A clean cell has no seal ink; a thin stroke crossing it covers too little."""
    height, width = seal.shape
    tall, wide = min(height, round(glyph)), min(width, round(HIDDEN_DIGIT_WIDTH * glyph))
    if tall < 1 or wide < 1:
        return False
    top = (height - tall) // 2
    per_column = np.count_nonzero(seal[top:top + tall], axis=0).astype(np.int64)
    sums = np.convolve(per_column, np.ones(wide, np.int64), mode="valid")
    return bool(sums.max() >= HIDDEN_DIGIT * tall * wide)


def _speck(box: Box, glyph: float) -> bool:
    """Ink too small on both sides to be any mark a cell holds: a digit, a dash ("-" is
    about half a glyph wide) or a slash. A sliver of seal or noise, read, becomes a "5"."""
    x0, y0, x1, y1 = box
    return x1 - x0 < SPECK_SHARE * glyph and y1 - y0 < SPECK_SHARE * glyph


def _without_dust(region: np.ndarray, bands: list[tuple[int, int]], glyph: float,
                  seal: np.ndarray) -> list[tuple[int, int]]:
    """Bands whose ink is not glyph-sized (specks left beside a number by a seal or
    noise), or is in seal colour and lower than the cell's print (a stroke's remnant),
    are dropped when the cell has a real line: read, they would add a '.', '-' or '/'."""
    if len(bands) < 2:
        return bands
    kept = [(a, b) for a, b in bands if _largest_part(region[a:b]) >= GLYPH_PART * glyph]
    coloured = [_coloured(region[a:b], seal[a:b]) for a, b in kept]
    printed = [b - a for (a, b), tint in zip(kept, coloured, strict=True) if not tint]
    kept = [(a, b) for (a, b), tint in zip(kept, coloured, strict=True)
            if not (tint and printed and b - a < max(printed))]
    return kept or bands


def _coloured(band: np.ndarray, seal: np.ndarray) -> bool:
    """Nearly all the band's ink in seal colour: print under a seal stays black, so this
    is what is left of a seal stroke."""
    ink = band > 0
    return np.count_nonzero(ink & (seal > 0)) >= SEAL_REMNANT * np.count_nonzero(ink)


def _largest_part(band: np.ndarray) -> int:
    count, _, stats, _ = cv2.connectedComponentsWithStats(band, connectivity=8)
    return max((max(int(s[cv2.CC_STAT_WIDTH]), int(s[cv2.CC_STAT_HEIGHT]))
                for s in stats[1:count]), default=0)


def _ink_box(region: np.ndarray, top: int, bottom: int) -> Box:
    """The band's box, left to right over its glyph-sized ink: dust beside a number
    (seal remnants, noise) stays out, while a minus sign or a decimal point between
    digits stays in."""
    band = region[top:bottom]
    count, _, stats, _ = cv2.connectedComponentsWithStats(band, connectivity=8)
    big = [s for s in stats[1:count]
           if max(s[cv2.CC_STAT_WIDTH], s[cv2.CC_STAT_HEIGHT]) >= GLYPH_PART * (bottom - top)]
    if not big:
        big = list(stats[1:count])
    first = min(big, key=lambda s: int(s[cv2.CC_STAT_LEFT]))
    left = int(first[cv2.CC_STAT_LEFT])
    right = max(int(s[cv2.CC_STAT_LEFT] + s[cv2.CC_STAT_WIDTH]) for s in big)
    glyph = _whole_first_glyph(stats[1:count], first)
    left = min([left, *(int(s[cv2.CC_STAT_LEFT]) for s in stats[1:count]
                        if _leading_minus(s, glyph))])
    top, bottom = _without_spikes(band[:, left:right], top, bottom)
    return (left, top, right, bottom)


def _whole_first_glyph(stats: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The first glyph's box over all its pieces (the components across its columns): a
    digit broken by a seal's unmixing is in pieces, and a minus is at the middle of the
    whole digit, not of its largest piece ("-2" read as "2")."""
    left = int(first[cv2.CC_STAT_LEFT])
    right = left + int(first[cv2.CC_STAT_WIDTH])
    pieces = [s for s in stats if s[cv2.CC_STAT_LEFT] < right
              and s[cv2.CC_STAT_LEFT] + s[cv2.CC_STAT_WIDTH] > left]
    top = min(int(s[cv2.CC_STAT_TOP]) for s in pieces)
    bottom = max(int(s[cv2.CC_STAT_TOP] + s[cv2.CC_STAT_HEIGHT]) for s in pieces)
    glyph = first.copy()
    glyph[cv2.CC_STAT_TOP], glyph[cv2.CC_STAT_HEIGHT] = top, bottom - top
    return glyph


def _leading_minus(stat: np.ndarray, first: np.ndarray) -> bool:
    """A thin dash just left of the number's first glyph, at that glyph's mid-height (not
    the band's: seal remnants can make the band taller): a minus sign, too small at 150
    dpi to pass for a glyph, which must not be cut off ("-3" read as "3")."""
    x, y, width, tall = (int(v) for v in stat[:4])
    left, top, height = (int(first[k]) for k in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP,
                                                 cv2.CC_STAT_HEIGHT))
    middle = y + tall / 2 - top
    return (width >= MINUS_SHAPE * tall and width >= MINUS_WIDTH * height
            and tall <= MINUS_THICKNESS * height and 0.3 * height <= middle <= 0.7 * height
            and 0 <= left - (x + width) <= height)


def _without_spikes(band: np.ndarray, top: int, bottom: int) -> tuple[int, int]:
    """Top and bottom without hair-thin rows (a seal stroke or a scratch touching a
    glyph): the recogniser wants the glyph to fill the line's height."""
    counts = np.count_nonzero(band, axis=1)
    if not counts.any():
        return top, bottom
    thin = counts <= SPIKE_SHARE * float(np.median(counts[counts > 0]))
    limit = int(MAX_SPIKE * (bottom - top))
    cut_top = next((i for i in range(limit) if not thin[i]), limit)
    cut_bottom = next((i for i in range(limit) if not thin[-1 - i]), limit)
    return top + cut_top, bottom - cut_bottom


def _whole_glyphs(faint: np.ndarray, box: Box, parts: _Parts | None = None,
                  room: Box = (0, 0, 0, 0)) -> Box:
    """The box grown to the faint-ink components that reach into it (the seal-free mask
    can lose a glyph's pale strokes, which the crop must not cut off), by at most a
    fraction of the line height: a seal arc touching a digit must not come along."""
    x0, y0, x1, y1 = box
    reach = round(MAX_GROWTH * (y1 - y0))
    for left, top, width, height in _touching_parts(faint, box, parts, room):
        if max(width, height) < GLYPH_PART * (box[3] - box[1]):
            continue  # dust beside a glyph, not a stroke of it
        x0, y0 = max(min(x0, left), box[0] - reach), max(min(y0, top), box[1] - reach)
        x1 = min(max(x1, left + width), box[2] + reach)
        y1 = min(max(y1, top + height), box[3] + reach)
    return (x0, y0, x1, y1)


def _touching_parts(faint: np.ndarray, box: Box, parts: _Parts | None, room: Box
                    ) -> np.ndarray:
    """(left, top, width, height) in `faint` (the room's ink) of its components that
    reach into the box: the page's, where all of them lie inside the room (labelling
    the room alone finds the same), else the room's own (a component the room cuts
    is other pieces in it)."""
    x0, y0, x1, y1 = box
    if parts is not None:
        labels = np.unique(parts.labels[room[1] + y0:room[1] + y1, room[0] + x0:room[0] + x1])
        stats = parts.stats[labels[parts.kept[labels]], :4] - (room[0], room[1], 0, 0)
        height, width = faint.shape
        if ((stats[:, 0] >= 0) & (stats[:, 1] >= 0) & (stats[:, 0] + stats[:, 2] <= width)
                & (stats[:, 1] + stats[:, 3] <= height)).all():
            return stats
    count, labels, stats, _ = cv2.connectedComponentsWithStats(faint, connectivity=8)
    touching = np.unique(labels[y0:y1, x0:x1])
    return stats[touching[touching > 0], :4]


def _crop(gray: np.ndarray, line: _Line) -> np.ndarray:
    """The line (or its parts side by side) with a white margin, as recognisers are
    trained on lines with some paper around them."""
    if not line.parts:
        return _pad(_cut(gray, line.box, line.room))
    cuts = [_cut(gray, box, line.room) for box in line.parts]
    height = max(c.shape[0] for c in cuts)
    gap = np.full((height, max(2, height // 2)), 255, np.uint8)
    pieces: list[np.ndarray] = []
    for cut in cuts:
        top = (height - cut.shape[0]) // 2
        pieces.append(cv2.copyMakeBorder(cut, top, height - cut.shape[0] - top, 0, 0,
                                         cv2.BORDER_CONSTANT, value=255))
        pieces.append(gap)
    return _pad(np.hstack(pieces[:-1]))


def _cut(gray: np.ndarray, box: Box, room: Box) -> np.ndarray:
    """The box itself (it already holds whole glyphs, see _whole_glyphs): beyond it
    there is only dust, which the recogniser would read as '.' or '-'. The margin the
    recogniser wants is added as paper (_pad); tight above and below, as it tells 0
    from o by how much of the height a glyph fills."""
    x0, y0, x1, y1 = box
    return gray[max(room[1], y0):min(room[3], y1), max(room[0], x0):min(room[2], x1)]


def _paper(height: int) -> tuple[int, int]:
    """The paper _pad puts at each side of a cut `height` px high, and above and below."""
    return max(2, height // 5), max(1, height // 10)


def _pad(crop: np.ndarray) -> np.ndarray:
    """Paper around the line, thin above and below (see _cut), wider at the sides; a
    short line (a number) scaled to the height it is read most surely at."""
    side, top = _paper(crop.shape[0])
    crop = cv2.copyMakeBorder(crop, top, top, side, side, cv2.BORDER_CONSTANT, value=255)
    if crop.size == 0 or crop.shape[1] > SHORT_LINE * crop.shape[0]:
        return crop
    return _to_height(crop, NUMBER_HEIGHT)


def _to_height(crop: np.ndarray, height: int) -> np.ndarray:
    """Resampled with a proper filter (area when shrinking, cubic when enlarging): the
    recogniser's own linear resize of a small or aliased crop costs it confidence."""
    width = max(1, round(crop.shape[1] * height / crop.shape[0]))
    method = cv2.INTER_AREA if crop.shape[0] > height else cv2.INTER_CUBIC
    return cv2.resize(crop, (width, height), interpolation=method)


def _under_seal(sheet: _Sheet, line: _Line) -> bool:
    x0, y0, x1, y1 = line.box
    box = sheet.seal[y0:y1, x0:x1]
    return box.size > 0 and np.count_nonzero(box) >= SEALED_SHARE * box.size


def _glyph_doubt(sheet: _Sheet, line: _Line, read: LineRead) -> str:
    """Why a number's reading cannot be trusted whatever its confidence: a lone "1" whose
    ink is no 1 (_unlike_one), or ink in more separate pieces, left to right, than
    characters were read. The recogniser folds a repeated digit ("11" read as "1") when
    nothing blank shows between them. Also unread ink (_unread_ink) or seal ink
    (_sealed_beside) just beside the glyphs read, where a digit may stand unread, and
    print the seal took from the glyphs themselves (_sealed_over)."""
    text = read.text
    if line.parts or not text or not all(ch in NUMBER_GLYPHS for ch in text):
        return ""
    x0, y0, x1, y1 = line.box
    ink = sheet.ink[y0:y1, x0:x1]
    glyphs = _glyph_mask(ink)  # a remnant off the digits is no mark of the number
    marks = ink > 0 if glyphs is None else glyphs
    if text == "1" and (unlike := _unlike_one(marks)):
        return unlike
    pieces = len(ink_bands(marks.any(axis=0)))
    if pieces <= len(text):
        if _outside_tables(sheet, line):
            return ""  # no cell: beside the line may stand its row's label
        return (_unread_ink(sheet, line, text, glyphs)
                or _sealed_beside(sheet, line, text, glyphs)
                or _sealed_over(sheet, line, text))
    read_as = f"{len(text)} character was" if len(text) == 1 else f"{len(text)} characters were"
    return f"the ink shows {pieces} separate marks, but {read_as} read"


def _outside_tables(sheet: _Sheet, line: _Line) -> bool:
    """A line read outside the tables: its room is the whole page, not a cell."""
    return line.room == (0, 0, sheet.ink.shape[1], sheet.ink.shape[0])


def _glyph_span(line: _Line, glyphs: np.ndarray | None) -> tuple[int, int]:
    """The page columns the glyphs read span (their mask's, _glyph_mask): specks of a
    digit inside the box are no glyph ("266" read as "26", the last 6 in specks within
    the box). The line's box where there is no mask."""
    x0, _, x1, _ = line.box
    if glyphs is None:
        return x0, x1
    columns = np.flatnonzero(glyphs.any(axis=0))
    return x0 + int(columns[0]), x0 + int(columns[-1]) + 1


def _unread_ink(sheet: _Sheet, line: _Line, text: str, glyphs: np.ndarray | None) -> str:
    """Ink of a glyph beside a number in its cell, at its height, that its line left out:
    a digit broken into small pieces by a seal's ring is no glyph-sized ink, so the line
    ended before it and "240.59" was read surely as "240.5" (synth-17-0020). `glyphs`:
    the line's _glyph_mask."""
    _, y0, _, y1 = line.box
    left, _, right, _ = line.room
    height = y1 - y0
    ink = sheet.ink[y0:y1] > 0
    x0, x1 = _glyph_span(line, glyphs)
    per_glyph = np.count_nonzero(ink[:, x0:x1]) / len(text)
    reach = round(UNREAD_REACH * height)
    for side, zone in (("after", ink[:, x1:min(right, x1 + reach)]),
                       ("before", ink[:, max(left, x0 - reach):x0])):
        rows, columns = np.flatnonzero(zone.any(axis=1)), np.flatnonzero(zone.any(axis=0))
        if (rows.size and np.ptp(rows) + 1 >= UNREAD_TALL * height
                and np.ptp(columns) + 1 >= UNREAD_WIDE * height
                and np.count_nonzero(zone) >= UNREAD_INK * per_glyph):
            return f"ink like a glyph's stands {side} the {text!r} read, and was not read"
    return ""


def _sealed_beside(sheet: _Sheet, line: _Line, text: str, glyphs: np.ndarray | None) -> str:
    """Seal ink over the band just beside the glyphs read, within the cell, with a trace
    of print there in the unmixed ink that the cleared sheet lost: a digit may have gone
    with the seal's ink. The "4" of "1974" lay under a seal's ring; clearing the ring
    took it, and a clean "197" was read surely (synth-97-0027). Seal over clean paper
    leaves no such trace, and doubting every number beside a seal cost 0.9 % of the
    exact cells. No digit follows a lone "0" (no number is written "05"), so only the
    band before it is looked at. The trace is the unmixed ink or a shade of the
    unmixed grey under the seal (_print_trace), as much ink as a "1" has."""
    x0, y0, x1, y1 = line.box
    left, _, right, _ = line.room
    marks = sheet.ink[y0:y1, x0:x1] > 0 if glyphs is None else glyphs
    per_glyph = np.count_nonzero(marks) / len(text)
    x0, x1 = _glyph_span(line, glyphs)
    height = y1 - y0
    reach = round(HIDDEN_REACH * height)
    bands = [(x1, min(right, x1 + reach), "after")] if text != "0" else []
    for a, b, side in (*bands, (max(left, x0 - reach), x0, "before")):
        if (b - a) * 2 < reach:
            continue  # no room for a digit between the glyphs and the cell's edge
        if (_tall_share(sheet.seal[y0:y1, a:b] > 0, height, HIDDEN_COVER * (b - a) * height)
                and _tall_share(_print_trace(sheet, (a, y0, b, y1)), height,
                                HIDDEN_TRACE * ONE_INK * per_glyph)):
            return f"seal ink {side} the digits read may hide a digit"
    return ""


def _sealed_over(sheet: _Sheet, line: _Line, text: str) -> str:
    """Print under seal ink over the glyphs read that the cleared sheet lost, as much as
    LOST_PRINT of the print it kept, or a stroke of it the luma still shows
    (_lost_stroke): the glyphs were read from what the seal left of them. A "无" (a
    null mark) under a ring 80 % opaque lost its left half, and the rest was read surely
    as "5" (synth-113-0055). Thin seal ink keeps the print under it in the ink; only
    where thick ink took it does this doubt."""
    x0, y0, x1, y1 = line.box
    seal = sheet.seal[y0:y1, x0:x1] > 0
    if not seal.any():
        return ""
    kept = sheet.ink[y0:y1, x0:x1] > 0
    lost = _print_trace(sheet, line.box) & seal & ~kept
    if (np.count_nonzero(lost) < LOST_PRINT * max(np.count_nonzero(kept), 1)
            and not _lost_stroke(sheet, line, text)):
        return ""
    return "seal ink over the glyphs read hides part of their print"


def _lost_stroke(sheet: _Sheet, line: _Line, text: str) -> bool:
    """A stroke of print under whole seal ink, apart from the print kept, that only the
    luma shows (PageImage.may_be_print, where it can tell: luma_judged): LOST_TALL of
    the line high, LOST_STROKE of one glyph's print. A seal character's stroke took the
    diagonal and bar of the 4 of "354" and left its stem, read surely as "351"
    (synth-123-0044): the unmixed grey kept the diagonal a few levels darker than the
    seal (no shade, no ink), the luma 2-3 noise levels darker; the print lost was a
    tenth of the line's. One stroke, not scattered pixels: noise makes specks."""
    if sheet.may_be_print is None:
        return False
    x0, y0, x1, y1 = line.box
    reach = 2 * JUDGED  # whole ink this far beyond the box still judges pixels in it
    left, top = max(0, x0 - reach), max(0, y0 - reach)
    window = sheet.seal[top:y1 + reach, left:x1 + reach]
    judged = luma_judged(whole_seal_ink(window))[y0 - top:y1 - top, x0 - left:x1 - left]
    kept = sheet.ink[y0:y1, x0:x1]
    dark = ((sheet.may_be_print[y0:y1, x0:x1] > 0) & (sheet.seal[y0:y1, x0:x1] > 0)
            & judged & (_dilate(kept, LOST_EDGE) == 0))
    count, _, stats, _ = cv2.connectedComponentsWithStats(dark.astype(np.uint8),
                                                          connectivity=8)
    per_glyph = np.count_nonzero(kept) / len(text)
    return any(stats[k, cv2.CC_STAT_HEIGHT] >= LOST_TALL * (y1 - y0)
               and stats[k, cv2.CC_STAT_AREA] >= LOST_STROKE * per_glyph
               for k in range(1, count))


def _print_trace(sheet: _Sheet, box: Box) -> np.ndarray:
    """Print seen in the box under seal ink: the unmixed ink, and pixels of the unmixed
    grey darker by SEAL_TRACE than the seal's own there (its median). Thick seal ink
    leaves print under it too pale for any ink mask: the "1" of "371" under a ring
    (83 % opaque, blurred) was about 215 grey on the ring's 233, and "37" was read
    surely (synth-105-0023). A hidden "1" has about half a digit's ink (ONE_INK).
    Where the page measured its seal's luma, a shade counts only where the luma is
    darker than the ink's own too (PageImage.may_be_print): the ink's edges, their
    colour coarse in JPEG, come out a shade darker in the unmixed grey, but they mix the
    ink with paper, paler in luma; print under the ink is darker."""
    x0, y0, x1, y1 = box
    trace = sheet.faint[y0:y1, x0:x1] > 0
    seal = sheet.seal[y0:y1, x0:x1] > 0
    if not seal.any():
        return trace
    gray = sheet.unmixed_gray[y0:y1, x0:x1]
    background = float(np.median(gray[seal]))
    strokes = cv2.blur(gray.astype(np.float32), (1, 3))  # a stroke runs on, noise does not
    shade = seal & (strokes < background - SEAL_TRACE)
    if sheet.may_be_print is not None:  # the ink's edges are a shade too, but paler in luma
        shade &= _dilate(sheet.may_be_print[y0:y1, x0:x1], 1) > 0
    return trace | shade


def _tall_share(mask: np.ndarray, height: int, least: float) -> bool:
    """At least `least` pixels set, spanning HIDDEN_TALL of the line's height."""
    rows = np.flatnonzero(mask.any(axis=1))
    return bool(rows.size and np.ptp(rows) + 1 >= HIDDEN_TALL * height
                and np.count_nonzero(mask) >= least)


def _unlike_one(marks: np.ndarray) -> str:
    """Why ink read as a lone "1" is no 1, which stands upright and taller than wide: a
    null mark on a seal's ring ("—", "/") read as "1" at 0.99 through the seal was a
    silent value (synth-50-0002, synth-47-0029)."""
    rows, columns = np.nonzero(marks)
    if not rows.size:
        return ""
    if np.ptp(columns) >= np.ptp(rows):
        return "the ink is a flat stroke like a '—' (a null mark), but '1' was read"
    if _lean(rows, columns) <= LEANING:
        return "the ink leans like a '/' (a null mark), but '1' was read"
    return ""


def _lean(ys: np.ndarray, xs: np.ndarray) -> float:
    """How far ink pixels (ys, xs) run right per pixel up (least squares of x on y): about
    0 for an upright "1", below -0.25 for a "/" in every font the generator uses."""
    spread = ys - ys.mean()
    scale = float((spread * spread).sum())
    return float(((xs - xs.mean()) * spread).sum()) / scale if scale else 0.0


def _char(image: PageImage, line: _Line, read: LineRead, sealed: bool, doubt: str = ""
          ) -> Char:
    scale = image.scale
    x0, y0, x1, y1 = line.box
    box = BBox(x0 * scale, y0 * scale, x1 * scale, y1 * scale)
    size = (y1 - y0) * scale
    if not read.glyphs:
        return OcrChar(UNREAD, box, size, 0.0, sealed=sealed,
                       doubt=HIDDEN_DOUBT if line.hidden else "")
    trust = SEAL_TRUST if sealed else 1.0
    confidence = read.confidence * trust
    if doubt:
        confidence = min(confidence, DOUBTED)
    return OcrChar(read.text, box, size, confidence,
                   tuple(g.alternatives for g in read.glyphs), sealed, doubt, read.rescued)


# --- text outside the tables ---------------------------------------------------------------


def _outside_lines(image: PageImage, parts: list[TablePart], sheet: _Sheet,
                   read_prose: bool) -> tuple[list[_Line], float]:
    """Pieces of text on the page with its tables blanked (see layout: a borderless
    table's cells come out one piece each): the title, and every piece of a short run of
    text (headings, borderless tables, page numbers); prose only if asked for. With the
    page's glyph height."""
    ink = sheet.ink.copy()
    for part in parts:
        x0, y0, x1, y1 = _pixels(part.bbox, image, inset=-2)
        ink[y0:y1, x0:x1] = 0
    height, width = ink.shape
    page: Box = (0, 0, width, height)
    glyph = layout.glyph_height(ink)
    pieces = layout.cut_pieces(ink, glyph)
    pieces = layout.without_lone_marks(layout.numbered_labels(pieces, glyph), glyph)
    pieces = layout.page_numbers(pieces, glyph, height)
    pieces = layout.dashes_in_line_height(pieces, glyph, height)
    if read_prose:
        return [_Line(p.box, page) for p in pieces], glyph
    title = TITLE_LINES if image.number == 1 else 0
    pieces = [p for p in pieces if not _dust(p.box, image.dpi)]
    if not pieces:
        return [], glyph
    text_width = max(p.box[2] for p in pieces) - min(p.box[0] for p in pieces)
    runs = layout.text_runs(pieces, glyph)
    tables = [_pixels(part.bbox, image, inset=0) for part in parts]
    prose = _prose(pieces, runs, glyph, max([text_width] + [b[2] - b[0] for b in tables]))
    kept = [i for run in runs if _short_run(pieces, run, text_width) for i in run
            if i not in prose]
    # page 1's first lines always: a title set barely larger than the text, wrapped
    # across the page, looks like prose, and without it agency and year are lost
    kept += [i for i, p in enumerate(pieces) if p.band < title]
    return [_Line(pieces[i].box, page, title=pieces[i].band < title)
            for i in sorted(set(kept))], glyph


def _short_run(pieces: list, run: list[int], text_width: int) -> bool:
    """Not a line of prose: prose is skipped, as it is long and the pipeline needs none.
    A label of a borderless table on a landscape page can be longer than MAX_SHORT_LINE
    glyphs, but it leaves the table's value columns room: it takes less than LABEL_SHARE
    of the width the page's text spans, while prose runs across it."""
    boxes = [pieces[i].box for i in run]
    width = max(b[2] for b in boxes) - min(b[0] for b in boxes)
    longest = max(MAX_SHORT_LINE * max(b[3] - b[1] for b in boxes), LABEL_SHARE * text_width)
    return width <= longest


def _dust(box: Box, dpi: int) -> bool:
    """Too small both ways to be a glyph or a mark worth reading: read, scan dust in a
    margin becomes a "1" or a "'" (each costs the recogniser as much as a number)."""
    limit = DUST * dpi / 72
    return box[2] - box[0] < limit and box[3] - box[1] < limit


def _prose(pieces: list, runs: list[list[int]], glyph: float, column: int) -> set[int]:
    """Pieces of prose lines: a text line as wide as the page's text column (its text or
    its tables, the wider), glyph-high, its runs nearly touching (text_runs splits a line
    of prose at a blank as wide as a glyph, "》（", and each half passes for a short run).
    A title is taller; page 1's first lines are read whatever this says. A borderless
    table's row leaves room between its columns."""
    found: set[int] = set()
    for line in _text_lines(pieces, runs):
        boxes = [pieces[i].box for run in line for i in run]
        spans = [(min(pieces[i].box[0] for i in run), max(pieces[i].box[2] for i in run))
                 for run in line]
        width = max(b[2] for b in boxes) - min(b[0] for b in boxes)
        tall = max(b[3] - b[1] for b in boxes)
        if (width >= PROSE_SPAN * column and tall <= PROSE_HEIGHT * glyph
                and sum(b - a for a, b in spans) >= PROSE_INK * width):
            found.update(i for run in line for i in run)
    return found


def _text_lines(pieces: list, runs: list[list[int]]) -> list[list[list[int]]]:
    """Runs (in text_runs' order: line by line, left to right) grouped by line."""
    lines: list[list[list[int]]] = []
    for run in runs:
        if lines and pieces[run[0]].box[0] > pieces[lines[-1][-1][-1]].box[0] \
                and _same_line(pieces[run[0]].box, pieces[lines[-1][-1][-1]].box):
            lines[-1].append(run)
        else:
            lines.append([run])
    return lines


def _same_line(a: Box, b: Box) -> bool:
    height = max(a[3] - a[1], b[3] - b[1], 1)
    return abs((a[1] + a[3]) - (b[1] + b[3])) / 2 <= 0.5 * height


def _outside_words(engine: OcrEngine, sheet: _Sheet, lines: list[_Line],
                   reads: list[LineRead], glyph: float) -> tuple[list[_Line], list[LineRead]]:
    """The pieces read outside the tables joined into words (layout.join_words), so
    that a label cut apart at its punctuation is one word again; a doubtful piece is
    read again with the word after it (layout.rejoin)."""
    if not lines:
        return [], []
    room = lines[0].room
    words = layout.join_words([ln.box for ln in lines], reads)
    seams = layout.doubtful_seams(words, glyph, SECOND_READING)
    unions = [_Line(layout.union(words[a][0], words[b][0]), room) for a, b in seams]
    words = layout.rejoin(words, seams, _read(engine, sheet, unions))
    return [_Line(box, room) for box, _, _ in words], [read for _, read, _ in words]
