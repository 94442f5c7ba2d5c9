"""Borderless tables: rebuild a cell grid from text alignment alone.

Used for a section whose heading is found but under which no ruled table is. Columns come
from where the numbers stand; each line holding numbers is a data row, and label lines
around it (wrapped labels are vertically centred on their numbers) join the nearest row.
Lines between data rows that read as headers ("信息内容 本年制发件数", "第二十条第（五）项")
are rows of their own. The result is a TablePart, so joining and normalizing are shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

from .detect import TablePart, _group_lines, chars_to_text, cluster_values
from .labels import match_label
from .models import BBox, Char, GridCell, Page
from .templates import ACTIVE_COLUMNS, ACTIVE_LABEL_HEADER, APPLICATION_COLUMNS, REVIEW_COLUMNS
from .textclean import label_key, looks_numeric, numbering

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
MARGIN = 0.1  # page numbers stand in the top or bottom tenth of the page
_PAGE_NUMBER = re.compile(r"^[-—–]?\s*\d{1,3}\s*[-—–]?$|^第\s*\d+\s*页")
_HEADER_SPECS = (*ACTIVE_COLUMNS, *APPLICATION_COLUMNS, *REVIEW_COLUMNS)


@dataclass
class Word:
    text: str
    bbox: BBox
    chars: list[Char]

    @property
    def center_x(self) -> float:
        return (self.bbox.x0 + self.bbox.x1) / 2

    @property
    def numeric(self) -> bool:
        """A value, or a null mark; "无" counts here, as in a borderless table it
        stands where a number would."""
        return looks_numeric(self.text) or self.text.strip() == "无"


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
    for group in _rejoined(_group_lines(chars)):
        box = _box(group)
        in_margin = box.top > page.height * (1 - MARGIN) or box.bottom < page.height * MARGIN
        if in_margin and _PAGE_NUMBER.match(chars_to_text(group).strip()):
            continue
        lines.append(Line(_words(group), box.top, box.bottom))
    return lines


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
    half_step = (centers[1] - centers[0]) / 2 if len(centers) > 1 else 20.0
    label_edge = min(min(w.bbox.x0 for w in numbers), centers[0] - half_step)
    # An unreadable value ("o" for 0) still stands in its column: without its centre it
    # would join the neighbouring column's cell and its own column would be lost.
    odd = [w for ln in lines if _is_data(ln) for w in ln.words if not w.numeric
           and w.bbox.x0 >= label_edge and len(w.text.strip()) <= ODD_VALUE]
    if odd:
        xs = [w.center_x for w in numbers] + _odd_columns(centers, [w.center_x for w in odd])
        centers = [sum(c) / len(c) for c in cluster_values(xs, COLUMN_SNAP)]
    label_words = [w for ln in lines if _is_data(ln) for w in ln.words
                   if w.bbox.x0 < label_edge and not w.numeric]
    label_x0 = [min(c) for c in cluster_values([w.bbox.x0 for w in label_words], LABEL_SNAP)]
    right = max(w.bbox.x1 for ln in lines for w in ln.words) + 1
    return Layout(label_edge, label_x0 or [label_edge - 1], _boundaries(centers, label_edge, right),
                  centers)


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
    layout = table_layout([ln for _, lines in pieces for ln in lines])
    if layout is None:
        return []
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
                  [Char(c.text, move(c.bbox), c.size, c.confidence) for c in w.chars])
             for w in line.words]
    return Line(words, line.top + dy, line.bottom + dy)


def borderless_part(page: Page, lines: list[Line], layout: Layout) -> TablePart | None:
    """The part of a borderless table on one page, in the table's shared layout."""
    data = [ln for ln in lines if _is_data(ln)]
    if not data:
        return None
    height = median(ln.bottom - ln.top for ln in lines)
    header, rows = _rows(lines, data, height, layout.label_edge)
    if any(_is_block_header(ln) for ln in header):  # table 二: headers are lines, per block
        rows = [("header", [ln]) for ln in header] + rows
        rows = _merge_wrapped_headers(rows, height, layout.label_edge)
        header = []
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
    would take the labels of two data lines.
    """
    data_rows = [i for i, (kind, _) in enumerate(rows) if kind == "data"]
    on_data_line = {id(w) for i in data_rows for w in rows[i][1][0].words}
    words = [w for i in data_rows for w in row_words[i] if _is_label_word(w, layout)]
    found: dict[int, list[tuple[int, list[Word]]]] = {}
    for col in sorted({_label_column(w, layout.label_x0) for w in words}):
        mine = sorted((w for w in words if _label_column(w, layout.label_x0) == col),
                      key=lambda w: w.bbox.top)
        def nearest(top: float, bottom: float) -> int:
            return min(data_rows, key=lambda i: abs(rows[i][1][0].center - (top + bottom) / 2))

        # Numbered labels ("1、…") mark their own starts; unnumbered ones (table 二) go
        # line by line to the nearest row.
        numbered = sum(bool(numbering(w.text)) for w in mine) >= 0.3 * len(mine)
        for block in _stack_blocks(mine, on_data_line, height, None if numbered else nearest):
            row = nearest(block[0].bbox.top, block[-1].bbox.bottom)
            found.setdefault(row, []).append((col, block))
    return found


def _stack_blocks(
    words: list[Word], on_data_line: set[int], height: float, nearest=None
) -> list[list[Word]]:
    blocks: list[list[Word]] = []
    for word in words:
        if blocks:
            block = blocks[-1]
            gap = word.bbox.top - block[-1].bbox.bottom
            second_data = id(word) in on_data_line and any(id(w) in on_data_line for w in block)
            other_row = nearest is not None and nearest(
                word.bbox.top, word.bbox.bottom) != nearest(block[0].bbox.top, block[0].bbox.bottom)
            if not (numbering(word.text) or gap > BLOCK_GAP * height or second_data
                    or other_row):
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
    lines: list[Line], data: list[Line], height: float, label_edge: float
) -> tuple[list[Line], list[tuple[str, list[Line]]]]:
    """The header lines above the data, and the rows: ("header"|"data", lines)."""
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
    for line in sorted(between, key=lambda ln: ln.top):
        if _is_header_line(line, label_edge):
            rows.append(("header", [line]))
            continue
        previous = [r for r in rows if r[0] == "header" and r[1][-1].bottom <= line.center]
        if previous and _continues_header(previous[-1][1][-1], line, height, label_edge):
            previous[-1][1].append(line)  # "本年新制作数" / "量": a header wrapped in two
            continue
        nearest = min((r for r in rows if r[0] == "data"),
                      key=lambda r: abs(r[1][0].center - line.center))
        if abs(nearest[1][0].center - line.center) <= 2.5 * height:
            nearest[1].append(line)
    rows.sort(key=lambda r: r[1][0].center)
    return header, rows


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
    `gap` character heights."""
    joined: list[tuple[int, int, list[Word]]] = []
    for first, last, word in sorted(spans, key=lambda s: s[2].bbox.x0):
        if joined:
            prev = joined[-1][2][-1]
            if word.bbox.x0 - prev.bbox.x1 < gap * (word.bbox.bottom - word.bbox.top):
                joined[-1] = (min(joined[-1][0], first), max(joined[-1][1], last),
                              [*joined[-1][2], word])
                continue
        joined.append((first, last, [word]))
    return joined


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
