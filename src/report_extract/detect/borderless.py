"""Borderless tables: rebuild a cell grid from text alignment alone.

Used for a section whose heading is found but under which no ruled table is. Columns come
from where the numbers stand (a column with none, all its cells empty, from its header);
each line holding numbers is a data row, and label lines around it (wrapped labels are
vertically centred on their numbers) join the nearest row. Lines between data rows that
read as headers ("信息内容 本年制发件数", "第二十条第（五）项") are rows of their own, and so,
in table 二, are label lines standing apart from every number (a row printed empty). The
result is a TablePart, so joining and normalizing are shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

from report_extract.detect.parts import TablePart, chars_to_text, cluster_values, group_lines
from report_extract.models import BBox, Char, GridCell, Page
from report_extract.normalize.labels import match_label
from report_extract.templates import (
    ACTIVE_COLUMNS,
    ACTIVE_LABEL_HEADER,
    APPLICATION_COLUMNS,
    REVIEW_COLUMNS,
)
from report_extract.textclean import label_key, looks_numeric, numbering

WORD_GAP = 0.5  # a gap wider than this many character heights separates two words
HEADER_WORD_GAP = 0.25  # header words in neighbouring narrow columns stand closer
COLUMN_SNAP = 8.0  # pt: number centres closer than this are one column
LABEL_SNAP = 6.0  # pt: label left edges closer than this are one label column
BLOCK_GAP = 0.9  # line heights: a wider gap between label lines starts a new label
SPACED_GAP = 1.2  # character heights: closer pieces of a header line are one label
STACK_GAP = 0.6  # line heights: lines of one wrapped cell stand closer than this
HEADER_GAP = 3.0  # line heights: a wider gap above the table ends its header
ODD_VALUE = 2  # characters: a short word among a row's values is an unreadable value
SPLIT_LINE = 0.35  # of the line height: a line's halves' centres stand closer than this
COMPLETE_LABEL = 0.85  # a header piece this close to a column label may be a whole one
HEADER_MATCH = 0.9  # a header word this close to a column label names that column
LABEL_SPLIT = 0.25  # character heights: a gap this wide at a label column's edge splits words
MARGIN = 0.1  # page numbers stand in the top or bottom tenth of the page
_POINTLESS_NUMBERING = re.compile(r"^\d \D")
_CHINESE = re.compile(r"[\u4e00-\u9fff]{2}")
_PAGE_NUMBER = re.compile(r"^[-—–]?\s*\d{1,3}\s*[-—–]?$|^第\s*\d+\s*页")
_HEADER_SPECS = (*ACTIVE_COLUMNS, *APPLICATION_COLUMNS, *REVIEW_COLUMNS)


@dataclass
class Word:
    text: str
    bbox: BBox
    chars: list[Char]
    in_label: bool = False  # a null mark that is a label's character ("无" of "（四）无法提供")

    @property
    def center_x(self) -> float:
        return (self.bbox.x0 + self.bbox.x1) / 2

    @property
    def numeric(self) -> bool:
        """A value, or a null mark; "无" counts here, as in a borderless table it
        stands where a number would (but not as a character of a label)."""
        return not self.in_label and (looks_numeric(self.text) or self.text.strip() == "无")


@dataclass
class Line:
    words: list[Word]
    top: float
    bottom: float

    @property
    def center(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def _starts_number(prev: Char, ch: Char) -> bool:
    """A label running close up to its first number: "…情形） 0" is two words."""
    gap = ch.bbox.x0 - prev.bbox.x1
    return ch.text.isdigit() and not prev.text.isdigit() and prev.text not in ",.-+" and (
        gap > 0.05 * (ch.bbox.bottom - ch.bbox.top))


def _words(chars: list[Char], gap: float = WORD_GAP) -> list[Word]:
    words: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: c.bbox.x0):
        height = ch.bbox.bottom - ch.bbox.top
        if (words and ch.bbox.x0 - words[-1][-1].bbox.x1 <= gap * height
                and not _starts_number(words[-1][-1], ch)):
            words[-1].append(ch)
        else:
            words.append([ch])
    return [Word(chars_to_text(w), _box(w), w) for w in words]


def _box(chars: list[Char]) -> BBox:
    box = chars[0].bbox
    for ch in chars[1:]:
        box = box.union(ch.bbox)
    return box


def region_lines(page: Page, top: float, bottom: float) -> list[Line]:
    """Text lines between two heights, without page numbers."""
    chars = [c for c in page.chars if top <= c.bbox.center[1] <= bottom]
    lines = []
    for group in _rejoined(group_lines(chars)):
        box = _box(group)
        in_margin = box.top > page.height * (1 - MARGIN) or box.bottom < page.height * MARGIN
        if in_margin and _PAGE_NUMBER.match(chars_to_text(group).strip()):
            continue
        lines.append(Line(_words(group), box.top, box.bottom))
    return lines


def _marked_label_nulls(words: list[Word]) -> list[Word]:
    """A null mark with a label to its right is a character of a vertically printed
    label ("无" of "（四）无法提供", one character a line): values stand right of the
    labels, and taken for a value it would make a value column of the label column."""
    for index, word in enumerate(words):
        if word.numeric and not _has_digit(word) and any(
                not w.numeric and len(w.text.strip()) > ODD_VALUE for w in words[index + 1:]):
            word.in_label = True
    return words


def _rejoined(groups: list[list[Char]]) -> list[list[Char]]:
    """Lines put together again where the grouping cut one in two: a line is grouped
    around its first char, and where that is a block label half a row off ("公开" of
    "（三）不予/公开") the row's chars of slightly different heights (OCR boxes are ink
    boxes) fall either side of the tolerance. Two lines are one where their centres
    stand within SPLIT_LINE of a line height and no char of one stands over the other's."""
    out: list[list[Char]] = []
    for group in sorted(groups, key=lambda g: _middle(_box(g))):
        if out and _halves(out[-1], group):
            out[-1] = out[-1] + group
        else:
            out.append(group)
    return out


def _halves(upper: list[Char], lower: list[Char]) -> bool:
    a, b = _box(upper), _box(lower)
    height = max(a.bottom - a.top, b.bottom - b.top)
    if abs(_middle(a) - _middle(b)) > SPLIT_LINE * height:
        return False
    return not any(u.bbox.x0 < w.bbox.x1 and w.bbox.x0 < u.bbox.x1 for u in upper for w in lower)


def _middle(box: BBox) -> float:
    return (box.top + box.bottom) / 2


def _is_data(line: Line) -> bool:
    return any(w.numeric for w in line.words)


def _is_block_header(line: Line) -> bool:
    """A block heading or header line of table 二 ("第二十条第（五）项", "信息内容 …")."""
    key = label_key(line.text)
    return "第二十条" in key or label_key(ACTIVE_LABEL_HEADER) in key


def _is_header_line(line: Line, label_edge: float) -> bool:
    """A header line between data rows, not a wrapped label: table 二's block lines, or
    column labels (or their first halves, "上一年项目数") on the value side."""
    if _is_block_header(line):
        return True
    hits = [w for w in line.words if match_label(w.text, _HEADER_SPECS).score >= 0.85]
    value_side = all(w.bbox.x0 >= label_edge for w in line.words)
    return len(hits) >= 2 or bool(hits) and value_side


def _boundaries(centers: list[float], left: float, right: float) -> list[float]:
    """Column edges: midway between neighbouring column centres."""
    mids = [(a + b) / 2 for a, b in zip(centers, centers[1:], strict=False)]
    return [left, *mids, right]


def _column_of(x: float, edges: list[float]) -> int:
    for index in range(len(edges) - 1):
        if x < edges[index + 1]:
            return index
    return len(edges) - 2


@dataclass
class Layout:
    """Columns of a borderless table, shared by all its pages."""

    label_edge: float  # labels stand left of this
    label_x0: list[float]  # left edges of the label columns (parents, leaves)
    value_edges: list[float]  # edges of the value columns
    value_centers: list[float] = field(default_factory=list)  # where their numbers stand

    @property
    def n_label(self) -> int:
        return len(self.label_x0)

    @property
    def xs(self) -> list[float]:
        return [self.label_x0[0] - 1, *self.label_x0[1:], *self.value_edges]


def table_layout(lines: list[Line]) -> Layout | None:
    """Value columns from where the numbers stand; label columns from label left edges."""
    numbers = [w for ln in lines if _is_data(ln) for w in ln.words if w.numeric]
    if not numbers:
        return None
    centers = [sum(c) / len(c) for c in cluster_values([w.center_x for w in numbers], COLUMN_SNAP)]
    empty = _empty_columns(lines, centers)
    centers = sorted(centers + empty)
    half_step = (centers[1] - centers[0]) / 2 if len(centers) > 1 else 20.0
    label_edge = min(min(w.bbox.x0 for w in numbers), centers[0] - half_step)
    # An unreadable value ("o" for 0) still stands in its column: without its centre it
    # would join the neighbouring column's cell and its own column would be lost.
    odd = [w for ln in lines if _is_data(ln) for w in ln.words if not w.numeric
           and w.bbox.x0 >= label_edge and len(w.text.strip()) <= ODD_VALUE]
    if odd:
        xs = [w.center_x for w in numbers] + empty + _odd_columns(
            centers, [w.center_x for w in odd])
        centers = [sum(c) / len(c) for c in cluster_values(xs, COLUMN_SNAP)]
    label_words = [w for ln in lines if _is_data(ln) for w in ln.words
                   if w.bbox.x0 < label_edge and not w.numeric]
    label_x0 = [min(c) for c in cluster_values([w.bbox.x0 for w in label_words], LABEL_SNAP)]
    right = max(w.bbox.x1 for ln in lines for w in ln.words) + 1
    return Layout(label_edge, label_x0 or [label_edge - 1], _boundaries(centers, label_edge, right),
                  centers)


def _empty_columns(lines: list[Line], centers: list[float]) -> list[float]:
    """Centres of columns no number stands in (all their cells printed empty, as table
    二's null marks may be), from their header words: a column label right of the row
    labels over no number. Without them the column's header and values fall into a
    neighbouring column, and a value is read under the wrong header."""
    label_right = max((w.bbox.x1 for ln in lines if _is_data(ln) for w in _row_labels(ln)),
                      default=0.0)
    found = [w.center_x for ln in lines if not _is_data(ln) for w in ln.words
             if w.bbox.x0 > label_right
             and not any(w.bbox.x0 <= x <= w.bbox.x1 for x in centers)
             and match_label(w.text, _HEADER_SPECS).score >= HEADER_MATCH]
    return [sum(c) / len(c) for c in cluster_values(found, COLUMN_SNAP)]


def _row_labels(line: Line) -> list[Word]:
    """The label words of a line with numbers: those left of its first number."""
    digits = [w.bbox.x0 for w in line.words if w.numeric and _has_digit(w)]
    if not digits:
        return []
    return [w for w in line.words if not w.numeric and w.bbox.x1 <= min(digits)]


def _odd_columns(centers: list[float], odd: list[float]) -> list[float]:
    """The centres of unreadable values that count for the columns: those standing in a
    number column, and where none, those of which at least two stand in one place (one
    alone is as likely a mark between the columns: seal ink read as "*" or "'")."""
    far = [x for x in odd if all(abs(x - c) > COLUMN_SNAP for c in centers)]
    return [x for x in odd if x not in far] + [
        x for c in cluster_values(far, COLUMN_SNAP) if len(c) >= 2 for x in c]


def table_parts(pieces: list[tuple[Page, list[Line]]]) -> list[TablePart]:
    """One part per page of a borderless table, all in one shared layout.

    A header left alone at the foot of a page (its rows start on the next page) is
    carried over to stand just above the next page's first line.
    """
    _mark_nulls_among_labels([ln for _, lines in pieces for ln in lines])
    layout = table_layout([ln for _, lines in pieces for ln in lines])
    if layout is None:
        return []
    pieces = [(page, [_split_at_label_columns(ln, layout) for ln in lines])
              for page, lines in pieces]
    parts: list[TablePart] = []
    carried: list[Line] = []
    for page, lines in pieces:
        lines = _place_above(carried, lines) if carried and lines else lines
        if lines and not any(_is_data(ln) for ln in lines):
            carried = _orphaned_header(lines, layout)
            continue
        carried = []
        part = borderless_part(page, lines, layout) if lines else None
        if part is not None:
            parts.append(part)
    return parts


def _mark_nulls_among_labels(lines: list[Line]) -> None:
    """A null mark standing where the row labels do is a character of a label printed
    one a line: the "无" of "（四）无法提供", alone on its line. Values stand right of
    all labels, so one left of where the labels of lines with numbers typically end
    (the median: a line of prose must not move it) is no value; taken for one it would
    make a value column of that label column. So is a lone digit there that numbers no
    label beside it: OCR read the "三" of a vertical "三、本年度办理结果" as "1" (the
    column made every label of the table a value, and table 三 lost its rows)."""
    ends = [max(w.bbox.x1 for w in words) for ln in lines if (words := _row_labels(ln))]
    label_right = median(ends) if ends else 0.0
    for line in lines:
        line.words = _numbering_joined(line.words)
        for word in line.words:
            mark = not _has_digit(word) or (len(word.text.strip()) == 1
                                            and not _numbers_label(word, line))
            if word.numeric and mark and word.bbox.x1 <= label_right:
                word.in_label = True


def _numbers_label(digit: Word, line: Line) -> bool:
    """The digit stands just before a word: the numbering of a label ("1" of "1.属于国家
    秘密", its point lost to OCR), which must keep its column."""
    return _numbered_word(digit, line.words) is not None


def _numbered_word(digit: Word, words: list[Word]) -> Word | None:
    height = digit.bbox.bottom - digit.bbox.top
    return next((w for w in words if w is not digit and 0 <= w.bbox.x0 - digit.bbox.x1 <= height),
                None)


def _numbering_joined(words: list[Word]) -> list[Word]:
    """A label's numbering digit, cut off by its lost point ("2" of "2.其他法律行政法规禁止
    公开"), joined to its label again: a lone digit with no number left of it, just
    before a word of Chinese. Left a number, it made a data line of a label's first
    line where the label wraps around its row's numbers, and the label became a row of
    its own with no values (its numbers went to the label's last line, "开")."""
    for digit in [w for w in words if w.numeric and len(w.text.strip()) == 1]:
        label = _numbered_word(digit, words)
        before = [w for w in words if w.numeric and _has_digit(w) and w.bbox.x1 <= digit.bbox.x0]
        if (digit.text.strip().isdigit() and not before and label is not None
                and not label.numeric and _CHINESE.match(label.text.strip())):
            chars = digit.chars + label.chars
            joined = Word(chars_to_text(chars), digit.bbox.union(label.bbox), chars)
            words = [joined if w is label else w for w in words if w is not digit]
    return words


def _has_digit(word: Word) -> bool:
    return any(ch.isdigit() for ch in word.text)


def _split_at_label_columns(line: Line, layout: Layout) -> Line:
    """Label words cut where they run across the start of a label column: a parent label
    printed one character a line ("三" of "（三）不予公开") stands so close to the leaf
    label beside it that the two read as one word ("三 第三方"), and the leaf's label
    would lose its line to the parent's column."""
    words: list[Word] = []
    for word in line.words:
        in_labels = word.bbox.x0 < layout.label_edge and not word.numeric
        words += _split_word(word, layout.label_x0[1:]) if in_labels else [word]
    return Line(_marked_label_nulls(words), line.top, line.bottom)  # "无" cut off "无 现成信"


def _split_word(word: Word, starts: list[float]) -> list[Word]:
    pieces: list[list[Char]] = [[word.chars[0]]]
    for ch in word.chars[1:]:
        prev = pieces[-1][-1]
        gap = ch.bbox.x0 - prev.bbox.x1
        # A numbering ("6" of "6、属于…", its 、 lost) is never cut off its label.
        if gap >= LABEL_SPLIT * (ch.bbox.bottom - ch.bbox.top) and any(
                prev.bbox.x1 - 1 <= x <= ch.bbox.x0 + 1 for x in starts
        ) and not looks_numeric(chars_to_text(pieces[-1])):
            pieces.append([ch])
        else:
            pieces[-1].append(ch)
    if len(pieces) == 1:
        return [word]
    return [Word(chars_to_text(p), _box(p), p) for p in pieces]


def _orphaned_header(lines: list[Line], layout: Layout) -> list[Line]:
    """The block of lines at the foot of a page, if it reads as a table header (words in
    the value columns, not prose running across the page)."""
    height = median(ln.bottom - ln.top for ln in lines)
    block = [lines[-1]]
    for line in reversed(lines[:-1]):
        if block[0].top - line.bottom > HEADER_GAP * height:
            break
        block.insert(0, line)
    width = layout.value_edges[-1] - layout.label_edge
    columnar = any(w.bbox.x0 >= layout.label_edge and w.bbox.x1 - w.bbox.x0 < width / 2
                   for ln in block for w in ln.words)
    return block if columnar else []


def _place_above(carried: list[Line], lines: list[Line]) -> list[Line]:
    height = median(ln.bottom - ln.top for ln in carried)
    dy = lines[0].top - 0.3 * height - carried[-1].bottom
    return [_shifted(ln, dy) for ln in carried] + lines


def _shifted(line: Line, dy: float) -> Line:
    def move(box: BBox) -> BBox:
        return BBox(box.x0, box.top + dy, box.x1, box.bottom + dy)

    words = [Word(w.text, move(w.bbox),
                  [Char(c.text, move(c.bbox), c.size, c.confidence) for c in w.chars],
                  w.in_label)
             for w in line.words]
    return Line(words, line.top + dy, line.bottom + dy)


def borderless_part(page: Page, lines: list[Line], layout: Layout) -> TablePart | None:
    """The part of a borderless table on one page, in the table's shared layout."""
    data = [ln for ln in lines if _is_data(ln)]
    if not data:
        return None
    height = median(ln.bottom - ln.top for ln in lines)
    header, rows = _rows(lines, data, height, layout)
    if any(_is_block_header(ln) for ln in header):  # table 二: headers are lines, per block
        rows = [("header", [ln]) for ln in header] + rows
        rows = _merge_wrapped_headers(rows, height, layout.label_edge)
        header = []
    elif any(kind == "header" and any(map(_is_block_header, members)) for kind, members in rows):
        # table 二 on a later page, its first lines a block's rows: its later blocks'
        # headers wrap as the first page's do ("上一年项目数" / "量" around "信息内容")
        rows = _merge_wrapped_headers(rows, height, layout.label_edge)
    cells = _header_block(header, page.number, layout)
    offset = max((c.last_row + 1 for c in cells), default=0)
    row_words = [[w for ln in members for w in ln.words] for _, members in rows]
    labels = _label_blocks(rows, row_words, layout, height)
    for index, ((kind, _), words) in enumerate(zip(rows, row_words, strict=True)):
        if kind == "header":
            cells += _header_cells(offset + index, words, page.number, layout)
        else:
            values = [w for w in words if not _is_label_word(w, layout)]
            cells += _data_cells(offset + index, values, page.number, layout)
            cells += [_cell(offset + index, col, 1, block, page.number)
                      for col, block in labels.get(index, [])]
    top = min(ln.top for ln in (header or data))
    box = BBox(layout.xs[0], top, layout.xs[-1], max(ln.bottom for ln in lines))
    return TablePart(page.number, box, layout.xs, [], cells, n_rows=offset + len(rows),
                     n_cols=len(layout.xs) - 1)


def _is_label_word(word: Word, layout: Layout) -> bool:
    return word.bbox.x0 < layout.label_edge and not word.numeric  # may run past the edge


def _label_blocks(
    rows: list[tuple[str, list[Line]]], row_words: list[list[Word]], layout: Layout,
    height: float,
) -> dict[int, list[tuple[int, list[Word]]]]:
    """Label cells by row: per label column, words stacked into blocks (one cell each),
    each block given to the data row nearest its centre (labels are vertically centred).

    A block ends where a numbered label begins ("3、其他"), at a wide gap, or where it
    would take the labels of two data lines or stand over the numbers of two (a wrapped
    label is no taller than its row: a label printed one character a line below a tall
    wrapped one would run on into the next rows, and move the block's centre to them).
    """
    data_rows = [i for i, (kind, _) in enumerate(rows) if kind == "data"]
    on_data_line = {id(w) for i in data_rows for w in rows[i][1][0].words}
    # Reading order, line by line: a label's numbering read as a word of its own may
    # stand lower than the rest of its line ("1、" under "本机关不掌握…"'s top), and by
    # top alone its line would be taken into the label above before the numbering.
    line_top = {id(w): ln.top for _, members in rows for ln in members for w in ln.words}
    centres = [rows[i][1][0].center for i in data_rows]
    words = [w for i in data_rows for w in row_words[i] if _is_label_word(w, layout)]
    found: dict[int, list[tuple[int, list[Word]]]] = {}
    for col in sorted({_label_column(w, layout.label_x0) for w in words}):
        mine = sorted((w for w in words if _label_column(w, layout.label_x0) == col),
                      key=lambda w: (line_top[id(w)], w.bbox.x0))
        def nearest(top: float, bottom: float) -> int:
            return min(data_rows, key=lambda i: abs(rows[i][1][0].center - (top + bottom) / 2))

        # Numbered labels ("1、…") mark their own starts; unnumbered ones (table 二) go
        # line by line to the nearest row. Single characters (a parent label printed one
        # a line, "（三）不予公开") are neither: counted, they outnumber the labels.
        long = [w for w in mine if len(w.text.strip()) > 1]
        numbered = bool(long) and sum(_numbered(w.text) for w in long) >= 0.3 * len(long)
        for block in _stack_blocks(mine, on_data_line, centres, height,
                                   None if numbered else nearest):
            row = nearest(min(w.bbox.top for w in block), max(w.bbox.bottom for w in block))
            found.setdefault(row, []).append((col, block))
    return found


def _numbered(text: str) -> bool:
    """A numbered label: "1、…", or "1 …" (its point lost to OCR, see _numbering_joined)."""
    return bool(numbering(text) or _POINTLESS_NUMBERING.match(text))


def _stack_blocks(
    words: list[Word], on_data_line: set[int], centres: list[float], height: float,
    nearest=None,
) -> list[list[Word]]:
    blocks: list[list[Word]] = []
    for word in words:
        if blocks:
            block = blocks[-1]
            top, bottom = min(w.bbox.top for w in block), max(w.bbox.bottom for w in block)
            gap = word.bbox.top - bottom
            second_data = id(word) in on_data_line and any(id(w) in on_data_line for w in block)
            first = min(block, key=lambda w: w.bbox.top)
            other_row = nearest is not None and nearest(
                word.bbox.top, word.bbox.bottom) != nearest(first.bbox.top, first.bbox.bottom)
            two_rows = sum(top <= c <= max(bottom, word.bbox.bottom) for c in centres) >= 2
            if not (_numbered(word.text) or gap > BLOCK_GAP * height or second_data
                    or other_row or two_rows):
                block.append(word)
                continue
        blocks.append([word])
    return blocks


def _label_lines_above(
    above: list[Line], first: Line, height: float, label_edge: float
) -> list[Line]:
    """Lines above the first numbers that begin its wrapped label, not the header.

    With no column header above (a continuation page) all label-side lines are labels;
    otherwise only those stacked right on top of the first data line.
    """
    is_label = [all(w.bbox.x0 < label_edge for w in ln.words) for ln in above]
    if all(is_label):
        return above
    found: list[Line] = []
    below = first
    for line, flag in zip(reversed(above), reversed(is_label), strict=True):
        if not flag or below.top - line.bottom > STACK_GAP * height:
            break
        found.insert(0, line)
        below = line
    return found


def _continues_header(header: Line, line: Line, height: float, label_edge: float) -> bool:
    return (line.top - header.bottom <= STACK_GAP * height
            and all(w.bbox.x0 >= label_edge for w in line.words)
            and "第二十条" not in label_key(line.text + header.text))


def _merge_wrapped_headers(
    rows: list[tuple[str, list[Line]]], height: float, label_edge: float
) -> list[tuple[str, list[Line]]]:
    merged: list[tuple[str, list[Line]]] = []
    for kind, members in rows:
        prev = merged[-1] if merged else None
        if (kind == "header" and prev and prev[0] == "header"
                and members[0].top - prev[1][-1].bottom <= STACK_GAP * height
                and "第二十条" not in label_key(members[0].text + prev[1][-1].text)):
            prev[1].extend(members)
        else:
            merged.append((kind, members))
    return merged


def _rows(
    lines: list[Line], data: list[Line], height: float, layout: Layout
) -> tuple[list[Line], list[tuple[str, list[Line]]]]:
    """The header lines above the data, and the rows: ("header"|"data", lines)."""
    label_edge = layout.label_edge
    first, last = data[0], data[-1]
    above = [ln for ln in lines if ln.center < first.top]
    label_start = _label_lines_above(above, first, height, label_edge)
    above = [ln for ln in above if ln not in label_start]
    header: list[Line] = []
    for line in reversed(above):  # the header ends where a wide gap (or prose) begins
        nearest = header[0].top if header else first.top
        if nearest - line.bottom > HEADER_GAP * height:
            break
        header.insert(0, line)
    rows: list[tuple[str, list[Line]]] = [("data", [ln]) for ln in data]
    between = label_start + [ln for ln in lines if first.top <= ln.center <= last.bottom + height
                             and not _is_data(ln)]
    # A block heading left at the foot of a page (its rows are on the next one).
    between += [ln for ln in lines if ln.center > last.bottom + height and _is_block_header(ln)]
    loose: list[Line] = []
    for line in sorted(between, key=lambda ln: ln.top):
        if _is_header_line(line, label_edge):
            rows.append(("header", [line]))
            continue
        previous = [r for r in rows if r[0] == "header" and r[1][-1].bottom <= line.center]
        if previous and _continues_header(previous[-1][1][-1], line, height, label_edge):
            previous[-1][1].append(line)  # "本年新制作数" / "量": a header wrapped in two
            continue
        loose.append(line)
    owners = _stacked_owners(loose, data, height, label_edge) if layout.n_label == 1 else {}
    by_data = {id(members[0]): members for kind, members in rows if kind == "data"}
    for line in loose:
        owner = owners.get(id(line), _nearest_data(line, data, height))
        if owner is None:
            continue
        if owner is line:  # a row of its own, with no values
            by_data[id(line)] = [line]
            rows.append(("data", by_data[id(line)]))
        else:
            by_data[id(owner)].append(line)
    rows.sort(key=lambda r: r[1][0].center)
    return header, rows


def _stacks(lines: list[Line], height: float) -> list[list[Line]]:
    """Lines in runs that stand line on line (one wrapped cell's), top to bottom."""
    runs: list[list[Line]] = []
    for line in sorted(lines, key=lambda ln: ln.top):
        if runs and line.top - max(ln.bottom for ln in runs[-1]) <= STACK_GAP * height:
            runs[-1].append(line)
        else:
            runs.append([line])
    return runs


def _stacked_owners(
    loose: list[Line], data: list[Line], height: float, label_edge: float
) -> dict[int, Line]:
    """With one label column (table 二): the line each label line belongs to.

    Every label line there is a row's label or a wrapped part of one, and a wrapped
    label stands line on line with its numbers' line (vertically centred on them): a
    label line joins the numbers it is stacked with. A run of label lines standing apart
    from every line with numbers is a row of its own, printed without values (null marks
    printed empty: "行政处罚" over "行政强制 306"); its first line owns the run. Joined to
    the nearest numbers, it would lend its label to their row.
    """
    labels = [ln for ln in loose if all(w.bbox.x0 < label_edge for w in ln.words)]
    on_data = {id(ln) for ln in data}
    owners: dict[int, Line] = {}
    for run in _stacks(labels + data, height):
        numbers = [ln for ln in run if id(ln) in on_data]
        for line in run:
            if id(line) not in on_data:
                owners[id(line)] = min(numbers, key=lambda ln: abs(ln.center - line.center),
                                       default=run[0])
    return owners


def _nearest_data(line: Line, data: list[Line], height: float) -> Line | None:
    """The data line a loose line joins: the nearest. One standing between data lines
    always joins (a long wrapped label's far lines stand far from its numbers); one
    beyond them only when close (else it is not the table's)."""
    nearest = min(data, key=lambda ln: abs(ln.center - line.center))
    inside = data[0].center <= line.center <= data[-1].center
    return nearest if inside or abs(nearest.center - line.center) <= 2.5 * height else None


def _spans(words: list[Word], layout: Layout) -> list[tuple[int, int, Word]]:
    """(first, last) value column under each header word (split at small gaps)."""
    pieces = [p for w in words if w.bbox.x1 > layout.label_edge + 1
              for p in _words(w.chars, HEADER_WORD_GAP)]
    found = []
    for word in pieces:
        first = _column_of(max(word.bbox.x0, layout.label_edge), layout.value_edges)
        last = _column_of(word.bbox.x1 - 0.5, layout.value_edges)
        found.append((first, last, word))
    return found


def _header_block(header: list[Line], page: int, layout: Layout) -> list[GridCell]:
    """The table's header: one leaf row where each column's bottom stack of words
    ("自"/"然"/"人") forms one cell, and above it rows of group labels ("法人或其他组织",
    "行政复议"), each over the columns its words cover."""
    words = [w for ln in header for w in ln.words]
    spans = _spans(words, layout)
    leaves: dict[int, list[Word]] = {}
    for col in {s[0] for s in spans if s[0] == s[1]}:
        stack = sorted((s[2] for s in spans if s[:2] == (col, col)), key=lambda w: w.bbox.top)
        leaves[col] = _bottom_stack(stack)
    in_leaf = {id(w) for ws in leaves.values() for w in ws}
    groups = sorted((s for s in spans if id(s[2]) not in in_leaf), key=lambda s: s[2].bbox.top)
    group_rows = cluster_values([s[2].bbox.top for s in groups], 2.0)
    row_of_top = {top: i for i, tops in enumerate(group_rows) for top in tops}
    leaf_row, n = len(group_rows), layout.n_label
    cells = []
    for row in range(leaf_row):
        mine = [s for s in groups if row_of_top[s[2].bbox.top] == row]
        for first, last, ws in _join_spaced(mine):
            cells.append(_cell(row, n + first, last - first + 1, ws, page))
    cells += [_cell(leaf_row, n + col, 1, ws, page) for col, ws in sorted(leaves.items())]
    corner = [w for w in words if w.bbox.x1 <= layout.label_edge + 1]
    if corner:
        cells.append(_cell(leaf_row, 0, n, corner, page))
    return cells


def _join_spaced(
    spans: list[tuple[int, int, Word]], gap: float = 2.0
) -> list[tuple[int, int, list[Word]]]:
    """Labels printed spaced out ("行政 复议") are one label: join pieces closer than
    `gap` character heights, unless the pieces so far already read as a column label
    that the next would spoil (neighbouring columns' labels may stand no farther apart
    than a label spaced with an ideographic space, "总　计")."""
    joined: list[tuple[int, int, list[Word]]] = []
    for first, last, word in sorted(spans, key=lambda s: s[2].bbox.x0):
        if joined:
            # from the group's right edge: its last piece may be a short wrapped line
            space = word.bbox.x0 - max(w.bbox.x1 for w in joined[-1][2])
            if space < gap * (word.bbox.bottom - word.bbox.top) and (
                    space <= 0 or _continues_label(joined[-1][2], word)):
                joined[-1] = (min(joined[-1][0], first), max(joined[-1][1], last),
                              [*joined[-1][2], word])
                continue
        joined.append((first, last, [word]))
    return joined


def _continues_label(words: list[Word], word: Word) -> bool:
    """Whether `word` may be read as the rest of the label `words` begin: not where those
    already read as a column label and the two together read worse
    ("本年新制作数量" beside "本年新公开数量")."""
    before = _header_score(words)
    return before < COMPLETE_LABEL or _header_score([*words, word]) >= before


def _header_score(words: list[Word]) -> float:
    text = chars_to_text([c for w in words for c in w.chars])  # in reading order
    return match_label(text, _HEADER_SPECS).score


def _bottom_stack(words: list[Word]) -> list[Word]:
    """The lowest words of a column that form its leaf header: the bottom run that reads
    best as a column label ("总"/"计" spaced over two lines), else the run that sits
    line on line (one wrapped header cell)."""
    best, best_score = None, 0.0
    for start in range(len(words) - 1, -1, -1):
        score = match_label(" ".join(w.text for w in words[start:]), _HEADER_SPECS).score
        if score > best_score + 1e-9:
            best, best_score = words[start:], score
    if best is not None and best_score >= 0.9:
        return best
    stack = [words[-1]]
    for word in reversed(words[:-1]):
        height = word.bbox.bottom - word.bbox.top
        if stack[0].bbox.top - word.bbox.bottom > STACK_GAP * height:
            break
        stack.insert(0, word)
    return stack


def _cell(row: int, col: int, span: int, words: list[Word], page: int) -> GridCell:
    chars = [c for w in words for c in w.chars]
    return GridCell(row, col, 1, span, chars_to_text(chars), page, _box(chars),
                    min((c.confidence for c in chars), default=1.0))


def _label_column(word: Word, label_x0: list[float]) -> int:
    columns = [i for i, x in enumerate(label_x0) if word.bbox.x0 >= x - LABEL_SNAP]
    return max(columns) if columns else 0


def _data_cells(row: int, words: list[Word], page: int, layout: Layout) -> list[GridCell]:
    """A data row's cells: label words by label column, values by value column. A value
    word over the number positions of two or more columns (two values run together, or
    ink between them read as one) is one cell spanning them, with whatever else stands
    in them: put in one column, it would leave the other blank, a null nobody printed."""
    ranges: list[tuple[int, int, list[Word]]] = []
    for word in sorted(words, key=lambda w: w.bbox.x0):
        if word.bbox.x0 < layout.label_edge and not word.numeric:  # may run past the edge
            first = last = _label_column(word, layout.label_x0)
        else:
            first, last = _value_columns(word, layout)
        if ranges and first <= ranges[-1][1]:  # same column, or under a spanning word
            ranges[-1] = (min(ranges[-1][0], first), max(ranges[-1][1], last),
                          [*ranges[-1][2], word])
        else:
            ranges.append((first, last, [word]))
    return [_cell(row, first, last - first + 1, ws, page) for first, last, ws in ranges]


def _value_columns(word: Word, layout: Layout) -> tuple[int, int]:
    """The first and last value column of a value word, as grid columns."""
    covered = [i for i, x in enumerate(layout.value_centers) if word.bbox.x0 <= x <= word.bbox.x1]
    if len(covered) >= 2:
        return layout.n_label + covered[0], layout.n_label + covered[-1]
    col = layout.n_label + _column_of(word.center_x, layout.value_edges)
    return col, col


def _header_cells(row: int, words: list[Word], page: int, layout: Layout) -> list[GridCell]:
    """A header line between data rows (table 二): label side first, then value columns."""
    n = layout.n_label
    label_side = [w for w in words if w.bbox.x1 <= layout.label_edge + 1]
    cells = [_cell(row, 0, n, label_side, page)] if label_side else []
    merged = _join_spaced(_spans(words, layout), SPACED_GAP)  # "总 计", "本年 新公开数量"
    cells += [_cell(row, n + first, last - first + 1, ws, page) for first, last, ws in merged]
    return cells
