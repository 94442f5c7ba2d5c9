"""Text outside ruled tables cut into pieces the borderless-table code can place.

A borderless table (or a three-line one) has no cell rules to cut its text apart, and
its rows run into each other where a wrapped label or a block label ("（三）不予公开")
stands beside several rows. The ink is therefore cut recursively (an XY cut): into
horizontal bands at blank rows, each band into pieces at blank columns wider than
FINE_GAP of a glyph, and each piece again, until nothing splits. A piece is then one
line of one cell: a number, a header word, a stretch of a label.

FINE_GAP is narrow enough to keep header words of neighbouring narrow columns apart
(their cells' padding leaves about 0.6 glyph between them), so a label also falls
apart where CJK punctuation leaves blank paper ("（二）|部分公开", "的，|只计"). After
reading, such pieces are joined again (`join_words`) where the gap, less the blank
part of the punctuation's em box, is as narrow as between two glyphs of one word: the
text layer's char boxes are em boxes, and stream.py groups words as it would there.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from report_extract.scan.bands import NUMBER_GLYPHS, ink_bands, merge_thin
from report_extract.scan.engines import LineRead

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels, end-exclusive

FINE_GAP = 0.4  # of the glyph height: blank columns wider than this split a piece
LINE_GAP = 1.0  # of the glyph height: pieces closer than this are one run of text
SAME_LINE = 0.4  # of a piece's height: centres closer than this share a text line
JOIN_GAP = 0.35  # of the height: pieces of one word stand closer than this (em-corrected)
# Share of the height a CJK punctuation mark leaves blank in its em box, after or before
# its ink. The recogniser returns NFKC forms ("，" as ","), so both widths are listed.
_STOPS = "，。、：；！？,.:;!?"
TRAILING_BLANK = {ch: 0.7 for ch in _STOPS} | {ch: 0.5 for ch in "）》」』”’)"}
LEADING_BLANK = {ch: 0.5 for ch in "（《「『“‘(" + _STOPS}
MARK_SIZE = 0.5  # of the glyph height: ink this small beside a glyph is a punctuation mark
TALL_GLYPH = 0.85  # of the glyph height: CJK glyphs are this tall, digits are not
# of the glyph height: a lone mark this small is punctuation; the page's glyph height can
# come out a third too tall (title, headings), and a 150 dpi "0" is then half of it
LONE_MARK = 0.35
STACK_GAP = 2.0  # of the glyph height: vertical text's glyphs (spread out) stand this near
FLAT = 2.0  # width/height: a mark this flat is a dash ("-", "—"), not "、" or "."
SHORT_PREFIX = 0.8  # of a CJK piece's height: a digit (~0.7) or "一" before it is shorter
RULE_LENGTH = 60.0  # pt: horizontal runs this long are rules ("二十" at 22 pt: ~45)
MARGIN = 0.1  # of the page height: page numbers stand in its top or bottom tenth
PAGE_NUMBER_WIDTH = 6.0  # of the glyph height: "- 12 -", "第 12 页" are no wider
NULL_MARKS = frozenset("—–-/")
GLYPH_STRIPS = 8  # vertical strips of the page in which its glyph height is measured


@dataclass(frozen=True)
class Piece:
    box: Box
    band: int  # index of the page-wide ink band it lies in (the title is the first bands)


def glyph_height(ink: np.ndarray) -> float:
    """The page's usual glyph height: the median height of its ink bands, most of which
    are single lines (prose, headings, table rows). Bands are taken in vertical strips:
    across the whole page a column of vertical text (三、本年度办理结果 beside a borderless
    table) runs through the gaps between rows and joins them into bands many lines tall."""
    width = ink.shape[1]
    bands = [b - a for k in range(GLYPH_STRIPS)
             for a, b in ink_bands(ink[:, k * width // GLYPH_STRIPS:(k + 1) * width // GLYPH_STRIPS]
                                .any(axis=1)) if b - a >= 3]
    if not bands:
        return 0.0
    rough = float(np.median(bands))
    return float(np.median([h for h in bands if h <= 1.5 * rough]))


def cut_pieces(ink: np.ndarray, glyph: float) -> list[Piece]:
    """The ink's pieces top to bottom (by band), left to right within a band."""
    height, width = ink.shape
    pieces: list[Piece] = []
    bands = merge_thin(ink_bands(ink.any(axis=1)), glyph)
    for index, (top, bottom) in enumerate(bands):
        found: list[Box] = []
        _cut(ink, _tight(ink, (0, top, width, bottom)), glyph, found)
        found = _with_marks(found, glyph)
        pieces += [Piece(box, index) for box in sorted(found, key=lambda b: (b[1], b[0]))]
    return pieces


def free_rules(horizontal: np.ndarray, dpi: int) -> np.ndarray:
    """Pixels of the long horizontal rules among `horizontal` (rulings' rule mask), also
    those no table uses (a three-line table's, a rule under a heading): left in, a rule
    joins the line it runs under into one page-wide piece, and its edge gets into the
    crops of the numbers above it. Runs of RULE_LENGTH are rules: no glyph is that wide."""
    length = max(3, round(RULE_LENGTH * dpi / 72))
    return cv2.morphologyEx(horizontal, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))


def _cut(ink: np.ndarray, box: Box, glyph: float, out: list[Box]) -> None:
    """Split the box at blank rows, else at wide blank columns; keep it if neither."""
    x0, y0, x1, y1 = box
    region = ink[y0:y1, x0:x1]
    rows = merge_thin(ink_bands(region.any(axis=1)), glyph)
    if len(rows) > 1:
        for top, bottom in rows:
            _cut(ink, _tight(ink, (x0, y0 + top, x1, y0 + bottom)), glyph, out)
        return
    columns = _runs(region.any(axis=0), FINE_GAP * glyph)
    if len(columns) > 1:
        for left, right in columns:
            _cut(ink, _tight(ink, (x0 + left, y0, x0 + right, y1)), glyph, out)
        return
    out.append(box)


def _with_marks(boxes: list[Box], glyph: float) -> list[Box]:
    """Punctuation marks joined to the glyphs they follow ("的，"): alone, a comma's few
    pixels are read as anything. Only after a CJK-tall piece, so that a speck beside a
    number never becomes part of it."""
    marks = {i for i, b in enumerate(boxes)
             if max(b[2] - b[0], b[3] - b[1]) <= MARK_SIZE * glyph}
    out = [b for i, b in enumerate(boxes) if i not in marks]
    for index in sorted(marks, key=lambda i: boxes[i][0]):
        mark = boxes[index]
        host = _host(out, mark, glyph)
        if host is None:
            out.append(mark)
        else:
            out[host] = union(out[host], mark)
    return out


def _host(boxes: list[Box], mark: Box, glyph: float) -> int | None:
    """The CJK-tall piece just left of the mark on its line, if any."""
    best = None
    for index, box in enumerate(boxes):
        gap = mark[0] - box[2]
        tall = box[3] - box[1] >= TALL_GLYPH * glyph
        on_line = box[1] - MARK_SIZE * glyph <= mark[1] and mark[3] <= box[3] + MARK_SIZE * glyph
        if tall and on_line and 0 <= gap <= LINE_GAP * glyph and (
                best is None or box[2] > boxes[best][2]):
            best = index
    return best


def numbered_labels(pieces: list[Piece], glyph: float) -> list[Piece]:
    """A label's numbering joined to its text ("1" + "、" + "属于国家秘密"): the mark
    after a digit leaves blank paper in its em box, so the cut takes the three apart, and
    read alone the mark is "7" and the digit a value in a column of its own. A piece
    clearly shorter (SHORT_PREFIX) than the piece it is followed by on its line, within
    LINE_GAP and across marks only, is one piece with them: digits and "一" are shorter
    than CJK glyphs, which print alike. Values never stand that close before a label."""
    boxes = [p.box for p in pieces]
    joined: dict[int, list[int]] = {}
    taken: set[int] = set()
    for line in _lines(boxes):
        for start, index in enumerate(line):
            if index in taken or _mark(boxes[index], glyph):
                continue
            chain = _prefix_chain(boxes, line[start:], glyph)
            if chain:
                joined[index] = chain
                taken.update(chain)
    return _merged(pieces, joined)


def _prefix_chain(boxes: list[Box], line: list[int], glyph: float) -> list[int]:
    """The pieces from line[0] through marks to the first piece it is clearly shorter
    than, if all stand within LINE_GAP of each other; else none."""
    height = boxes[line[0]][3] - boxes[line[0]][1]
    for position in range(1, len(line)):
        left, right = boxes[line[position - 1]], boxes[line[position]]
        if not 0 <= right[0] - left[2] <= LINE_GAP * glyph:
            return []
        if height <= SHORT_PREFIX * (right[3] - right[1]):
            return line[:position + 1]
        if not _mark(right, glyph):
            return []
    return []


def without_lone_marks(pieces: list[Piece], glyph: float) -> list[Piece]:
    """Pieces without the punctuation marks no glyph took in (the "、" of a label printed
    vertically, a stray dot): read alone, "、" comes out as "/" or ",", which pass for a
    null mark or a number and make a value column among the labels. A flat mark stays:
    a dash is a null mark or a minus sign, and its reading is needed."""
    def small(box: Box, share: float) -> bool:
        width, height = box[2] - box[0], box[3] - box[1]
        return max(width, height) <= share * glyph and width < FLAT * height

    tall = [p.box for p in pieces if p.box[3] - p.box[1] >= TALL_GLYPH * glyph]
    return [p for p in pieces if not (small(p.box, LONE_MARK) or small(p.box, MARK_SIZE)
                                      and _stacked(p.box, tall, glyph))]


def _stacked(box: Box, tall: list[Box], glyph: float) -> bool:
    """CJK glyphs above and below the mark, in its column and near: it is a mark of text
    printed one glyph a line (digits in a value column are not that tall)."""
    def near(other: Box, above: bool) -> bool:
        gap = box[1] - other[3] if above else other[1] - box[3]
        return 0 <= gap <= STACK_GAP * glyph and other[0] < box[2] and box[0] < other[2]
    return any(near(b, True) for b in tall) and any(near(b, False) for b in tall)


def dashes_in_line_height(pieces: list[Piece], glyph: float, page_height: int) -> list[Piece]:
    """A dash standing alone ("—" for a null value) with the glyph height of paper
    around it: cropped to its own ink, a flat bar is stretched by the recogniser to a
    line's height and read as nothing or "一"; in a line's height it is a dash."""
    out = []
    for piece in pieces:
        x0, y0, x1, y1 = piece.box
        if _mark(piece.box, glyph) or y1 - y0 > MARK_SIZE * glyph or x1 - x0 < FLAT * (y1 - y0):
            out.append(piece)
            continue
        middle, half = (y0 + y1) / 2, glyph / 2
        box = (x0, max(0, round(middle - half)), x1, min(page_height, round(middle + half)))
        out.append(Piece(box, piece.band))
    return out


def page_numbers(pieces: list[Piece], glyph: float, page_height: int) -> list[Piece]:
    """A short run of text in the page's top or bottom margin is one piece: a page
    number ("- 2 -") read piece by piece loses its dashes (read alone as nothing, or
    "一"), and "2" alone is taken for a value of the table above it."""
    joined: dict[int, list[int]] = {}
    for run in text_runs(pieces, glyph):
        box = _union_all([pieces[i].box for i in run])
        in_margin = box[1] > (1 - MARGIN) * page_height or box[3] < MARGIN * page_height
        if len(run) > 1 and in_margin and box[2] - box[0] <= PAGE_NUMBER_WIDTH * glyph:
            joined[run[0]] = run
    return _merged(pieces, joined)


def _merged(pieces: list[Piece], joined: dict[int, list[int]]) -> list[Piece]:
    """Pieces with each group of `joined` (keyed by its first) made one, in place of its
    first piece."""
    gone = {i for group in joined.values() for i in group}
    out = []
    for index, piece in enumerate(pieces):
        if index in joined:
            out.append(Piece(_union_all([pieces[i].box for i in joined[index]]), piece.band))
        elif index not in gone:
            out.append(piece)
    return out


def _mark(box: Box, glyph: float) -> bool:
    return max(box[2] - box[0], box[3] - box[1]) <= MARK_SIZE * glyph


def _union_all(boxes: list[Box]) -> Box:
    box = boxes[0]
    for other in boxes[1:]:
        box = union(box, other)
    return box


def _runs(mask: np.ndarray, gap: float) -> list[tuple[int, int]]:
    """Runs of True joined across gaps of at most `gap`."""
    runs: list[list[int]] = []
    for start, end in ink_bands(mask):
        if runs and start - runs[-1][1] <= gap:
            runs[-1][1] = end
        else:
            runs.append([start, end])
    return [(a, b) for a, b in runs]


def _tight(ink: np.ndarray, box: Box) -> Box:
    x0, y0, x1, y1 = box
    region = ink[y0:y1, x0:x1]
    rows, cols = np.nonzero(region.any(axis=1))[0], np.nonzero(region.any(axis=0))[0]
    return (x0 + int(cols[0]), y0 + int(rows[0]), x0 + int(cols[-1]) + 1, y0 + int(rows[-1]) + 1)


def text_runs(pieces: list[Piece], glyph: float) -> list[list[int]]:
    """Indices of pieces grouped into runs of text: one line, gaps under LINE_GAP. A run
    as wide as prose is prose, whatever its pieces."""
    runs: list[list[int]] = []
    for line in _lines([p.box for p in pieces]):
        for index in line:
            run = runs[-1] if runs and runs[-1][0] in line else None
            if run and pieces[index].box[0] - pieces[run[-1]].box[2] <= LINE_GAP * glyph:
                run.append(index)
            else:
                runs.append([index])
    return runs


def _lines(boxes: list[Box]) -> list[list[int]]:
    """Indices grouped into text lines, each line left to right (as detect groups chars:
    by the centre of the line's first box, so staggered lines do not chain)."""
    lines: list[list[int]] = []
    for index in sorted(range(len(boxes)), key=lambda i: (_middle(boxes[i]), boxes[i][0])):
        first = boxes[lines[-1][0]] if lines else boxes[index]
        # the taller box's height: a comma's small piece belongs to its line's glyphs
        height = max(boxes[index][3] - boxes[index][1], first[3] - first[1], 1)
        if lines and abs(_middle(first) - _middle(boxes[index])) <= SAME_LINE * height:
            lines[-1].append(index)
        else:
            lines.append([index])
    return [sorted(line, key=lambda i: boxes[i][0]) for line in lines]


def _middle(box: Box) -> float:
    return (box[1] + box[3]) / 2


# --- joining a label's pieces after reading ------------------------------------------------


def is_number(text: str) -> bool:
    """A reading that is a value or a null mark: it stands as its own word."""
    return bool(text) and all(ch in NUMBER_GLYPHS or ch in NULL_MARKS or ch == " "
                              for ch in text)


def join_words(boxes: list[Box], reads: list[LineRead]) -> list[tuple[Box, LineRead, list[int]]]:
    """Neighbouring pieces of one line that are one word: their em-corrected gap is under
    JOIN_GAP of the height and neither is a number. Each word: its box, its reading (the
    pieces' glyphs, a space where the corrected gap is wide), the pieces it took."""
    words: list[tuple[Box, LineRead, list[int]]] = []
    for line in _lines(boxes):
        for index in line:
            box, read = boxes[index], reads[index]
            last = words[-1] if words and words[-1][2][-1] in line else None
            if last and _joins(last[0], last[1], box, read):
                words[-1] = (union(last[0], box), LineRead(last[1].glyphs + read.glyphs),
                             [*last[2], index])
            else:
                words.append((box, read, [index]))
    return words


def _joins(left: Box, left_read: LineRead, right: Box, right_read: LineRead) -> bool:
    if not left_read.glyphs or not right_read.glyphs:
        return False
    if is_number(left_read.text) or is_number(right_read.text):
        return False
    height = max(left[3] - left[1], right[3] - right[1])
    blank = TRAILING_BLANK.get(left_read.text[-1], 0.0) + LEADING_BLANK.get(right_read.text[0], 0.0)
    return right[0] - left[2] - blank * height <= JOIN_GAP * height


def union(a: Box, b: Box) -> Box:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


Word = tuple[Box, LineRead, list[int]]  # box, reading, the pieces it took


def doubtful_seams(words: list[Word], glyph: float, sure: float) -> list[tuple[int, int]]:
    """Neighbours on one line, within LINE_GAP, the left read less surely than `sure`:
    a short piece before a label ("一、" of "一、本年新收…", read alone as "1") is read
    again together with the label, see `rejoin`."""
    seams = []
    for line in _lines([w[0] for w in words]):
        for left, right in zip(line, line[1:], strict=False):
            gap = words[right][0][0] - words[left][0][2]
            if words[left][1].confidence < sure and 0 <= gap <= LINE_GAP * glyph:
                seams.append((left, right))
    return seams


def rejoin(words: list[Word], seams: list[tuple[int, int]], reads: list[LineRead]
           ) -> list[Word]:
    """Words joined at the seams whose reading together explains the gap: it ends with
    the right word's reading, and what stands before it joins by the punctuation rule."""
    out: dict[int, Word] = dict(enumerate(words))
    for (left, right), read in zip(seams, reads, strict=True):
        if left in out and right in out and _explains(words[left], words[right], read):
            out[left] = (union(words[left][0], words[right][0]), read,
                         [*words[left][2], *words[right][2]])
            del out[right]
    return list(out.values())


def _explains(left: Word, right: Word, read: LineRead) -> bool:
    tail = right[1].glyphs
    if not tail or len(read.glyphs) <= len(tail) or read.text[-len(tail):] != right[1].text:
        return False
    head = LineRead(read.glyphs[:-len(tail)])
    return _joins(left[0], head, right[0], right[1])
