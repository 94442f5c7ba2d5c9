"""Detect: Document -> Grids, one per canonical table, joined across pages.

Ruling segments -> connected line networks (table parts) -> base grid from the distinct
line positions -> merged cells where no line separates neighbours -> text per cell.
Parts are assigned to sections 二/三/四 by the headings above them and joined.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from operator import attrgetter, itemgetter

from report_extract.detect.parts import (
    CharIndex,
    TablePart,
    bbox_of,
    chars_to_text,
    cluster_values,
    group_lines,
    line_text,
)
from report_extract.errors import NoTablesError
from report_extract.models import (
    TABLE_NAMES,
    BBox,
    CanonicalTable,
    Char,
    Document,
    Grid,
    GridCell,
    JoinDoubt,
    Page,
    Problem,
    Segment,
)
from report_extract.templates import END_HEADINGS, OTHER_HEADINGS, SECTION_HEADINGS
from report_extract.textclean import clean_text, label_key, looks_numeric

SNAP = 2.5  # pt: line positions closer than this are one line
COVER = 0.6  # a boundary counts as ruled where a segment covers this share of it
MIN_CELL = 3.0  # pt: thinner rows/columns are line doubling, not cells
# pt: rules closer than this are one doubled rule (a browser's `border-collapse: separate`
# draws the table's border and each cell's own, up to ~3.3 pt apart at a page's top)
DOUBLED_RULE = 4.0
OVERFLOW_GAP = 0.75  # of a glyph's height: a line hanging under a cut cell is this close
HEADING_SIMILARITY = 0.8


@dataclass
class TextLine:
    page: int
    top: float
    text: str
    bbox: BBox


# --- segments -> table parts ------------------------------------------------------------


def cluster_positions(values: list[float], snap: float = SNAP) -> list[float]:
    """Distinct positions: values within `snap` of their neighbour are averaged."""
    return [sum(c) / len(c) for c in cluster_values(values, snap)]


# pt: pieces of one rule closer than this (end to start) are one rule; a browser draws a
# rule as one filled rectangle per grid column, a ghost column's piece under a point wide.
PIECE_GAP = 1.0
PIECE_OFFSET = 0.5  # pt: pieces this close across the rule lie on the same line


def join_pieces(segments: list[Segment]) -> list[Segment]:
    """Collinear pieces of a rule joined into one segment.

    Chromium (Skia) prints a table's border as a filled rectangle per cell side, so the rule
    under a header spanning seven columns is seven pieces, most touching no vertical rule:
    left out of the network, their boundary read as unruled and the cells above and below
    merged. Pieces on one line (across it within PIECE_OFFSET) that meet end to start or
    overlap become one; others stay apart.
    """
    joined: list[Segment] = []
    # each piece as (across, start, end) along its rule, read once
    flat: list[tuple[float, float, float]] = []
    upright: list[tuple[float, float, float]] = []
    for s in segments:
        if s.x1 - s.x0 >= s.bottom - s.top:  # s.is_horizontal, inline: hundreds a page
            flat.append((s.top, s.x0, s.x1))
        else:
            upright.append((s.x0, s.top, s.bottom))
    for horizontal, pieces in ((True, flat), (False, upright)):
        lines: list[list[tuple[float, float, float]]] = []
        for piece in sorted(pieces, key=_FIRST):  # stable: ties keep the pieces' order
            if lines and piece[0] - lines[-1][0][0] <= PIECE_OFFSET:
                lines[-1].append(piece)
            else:
                lines.append([piece])
        for line in lines:
            runs: list[list[float]] = []
            for start, end in sorted([(p[1], p[2]) for p in line]):
                if runs and start <= runs[-1][1] + PIECE_GAP:
                    run = runs[-1]
                    if end > run[1]:  # max(run[1], end), inline (as max picks)
                        run[1] = end
                else:
                    runs.append([start, end])
            where = sum([p[0] for p in line]) / len(line)
            joined += [Segment(a, where, b, where) if horizontal else Segment(where, a, where, b)
                       for a, b in runs]
    return joined


_FIRST = itemgetter(0)  # a tuple's first item, as a sort key
_ROW_COL = attrgetter("row", "col")  # a cell's (row, col), as a sort key


def segments_to_networks(segments: list[Segment]) -> list[list[Segment]]:
    """Group ruling segments into connected networks (each a candidate table)."""
    segments = join_pieces(segments)
    horizontals: list[Segment] = []
    verticals: list[Segment] = []
    for s in segments:  # by is_horizontal, inline
        width, height = s.x1 - s.x0, s.bottom - s.top
        if width >= height:
            if width > MIN_CELL:
                horizontals.append(s)
        elif height > MIN_CELL:
            verticals.append(s)
    # verticals by x: a horizontal meets only those within its span (every pair was tried)
    by_x = sorted(range(len(verticals)), key=lambda j: verticals[j].x0)
    xs = [verticals[j].x0 for j in by_x]
    # a union-find over the segments' indexes in a list: horizontal i, vertical n + j
    n = len(horizontals)
    parent = list(range(n + len(verticals)))

    def find(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for i, h in enumerate(horizontals):
        lo, hi = bisect_left(xs, h.x0 - SNAP), bisect_right(xs, h.x1 + SNAP)
        # does h touch v (within SNAP each way)? Hundreds of pairs a page: written inline
        left, right, level = h.x0 - SNAP, h.x1 + SNAP, h.top
        for j in sorted(by_x[lo:hi]):
            v = verticals[j]
            if left <= v.x0 <= right and v.top - SNAP <= level <= v.bottom + SNAP:
                parent[find(i)] = find(n + j)
    # a network's segments: its horizontals, then its verticals, each in their order
    groups: dict[int, list[Segment]] = {}
    for i, h in enumerate(horizontals):
        groups.setdefault(find(i), []).append(h)
    for j, v in enumerate(verticals):
        groups.setdefault(find(n + j), []).append(v)
    networks = [g for g in groups.values() if _is_table_network(g)]
    return sorted(networks, key=lambda g: min(s.top for s in g))


def _is_table_network(segments: list[Segment]) -> bool:
    n_h = sum(1 for s in segments if s.is_horizontal)
    return n_h >= 2 and len(segments) - n_h >= 2


def _covered(intervals: list[tuple[float, float]], lo: float, hi: float) -> bool:
    """Is [lo, hi] covered for at least COVER of its length by the intervals (sorted:
    _segments_by_position sorts each position's once, not once per cell side)?"""
    length = hi - lo
    if length <= 0:
        return True
    covered = 0.0
    cursor = lo
    for a, b in intervals:
        a, b = max(a, cursor), min(b, hi)
        if b > a:
            covered += b - a
            cursor = b
    return covered >= COVER * length


def network_to_part(page: Page, network: list[Segment], index: CharIndex | None = None
                    ) -> TablePart | None:
    """Rebuild the cell grid of one line network, with spans and text. `index`: the
    page's chars indexed, if at hand (a page has several networks)."""
    h_segs = [s for s in network if s.is_horizontal]
    v_segs = [s for s in network if not s.is_horizontal]
    # The network's extents count as lines too: at a page break WPS often omits the
    # closing border, and the vertical lines alone show where the table ends.
    ys = _drop_thin(cluster_positions(
        [s.top for s in h_segs] + [min(s.top for s in v_segs), max(s.bottom for s in v_segs)]))
    xs = _drop_thin(cluster_positions(
        [s.x0 for s in v_segs] + [min(s.x0 for s in h_segs), max(s.x1 for s in h_segs)]))
    if len(xs) < 2 or len(ys) < 2:
        return None
    h_at = _segments_by_position(ys, [(s.top, (s.x0, s.x1)) for s in h_segs])
    v_at = _segments_by_position(xs, [(s.x0, (s.top, s.bottom)) for s in v_segs])
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    groups = _merged_cells(n_rows, n_cols, [
        (r, c, c + 1 < n_cols and not _covered(v_at[c + 1], ys[r], ys[r + 1]),
         r + 1 < n_rows and not _covered(h_at[r + 1], xs[c], xs[c + 1]))
        for r in range(n_rows) for c in range(n_cols)])
    bbox = BBox(xs[0], ys[0], xs[-1], ys[-1])
    # Only a text layer's open edge is a cut: a scan's is as likely a rule not found.
    text_layer = page.source != "ocr"
    open_top = _open_columns(h_at[0], xs) if text_layer else frozenset()
    open_bottom = _open_columns(h_at[-1], xs) if text_layer else frozenset()
    inside = (index or CharIndex(page.chars)).centred_in(bbox, tolerance=1)
    reach, below = _overflow(page, xs, bbox, open_bottom)
    chars = _CharIndex(list(inside) + below, ys)
    cells = [_make_cell(page.number, members, xs, ys, chars, reach)
             for members in groups.values()]
    cells.sort(key=_ROW_COL)
    return TablePart(page.number, bbox, xs, ys, cells, n_rows=n_rows, n_cols=n_cols,
                     open_top=open_top, open_bottom=open_bottom)


def _merged_cells(n_rows: int, n_cols: int, open_sides: list[tuple[int, int, bool, bool]]
                  ) -> dict[int, list[tuple[int, int]]]:
    """The base cells joined where no rule separates them: (row, col, open to the right,
    open below) per base cell -> groups of (row, col). A union-find over the cells'
    indexes (row * n_cols + col) in a list: a grid has hundreds of base cells."""
    parent = list(range(n_rows * n_cols))

    def find(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for r, c, right, down in open_sides:
        here = r * n_cols + c
        if right:
            parent[find(here)] = find(here + 1)
        if down:
            parent[find(here)] = find(here + n_cols)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            groups.setdefault(find(r * n_cols + c), []).append((r, c))
    return groups


def _open_columns(rules: list[tuple[float, float]], xs: list[float]) -> frozenset[int]:
    """The columns an outer edge of the table leaves without a rule."""
    return frozenset(c for c in range(len(xs) - 1) if not _covered(rules, xs[c], xs[c + 1]))


def _overflow(page: Page, xs: list[float], bbox: BBox, open_bottom: frozenset[int]
              ) -> tuple[dict[int, float], list[Char]]:
    """The text a cell cut by the page break paints below the table's open bottom: a
    browser prints a cell spanning rows up to the break, and the lines of its text that
    do not fit hang under the cut ("结果" in the cell, "维持" below it). Per open column:
    how far down its hanging lines reach (each within OVERFLOW_GAP of the one above; the
    table's bottom if none), and those glyphs."""
    reach: dict[int, float] = {}
    found: list[Char] = []
    if not open_bottom:
        return reach, found
    under = sorted((ch for ch in page.chars if ch.bbox.center[1] > bbox.bottom + 1),
                   key=lambda ch: ch.bbox.top)
    for col in open_bottom:
        bottom = bbox.bottom
        for ch in under:
            if not xs[col] <= _anchor(ch)[0] <= xs[col + 1]:
                continue
            if ch.bbox.top - bottom > OVERFLOW_GAP * (ch.bbox.bottom - ch.bbox.top):
                break
            bottom = max(bottom, ch.bbox.bottom)
            found.append(ch)
        reach[col] = bottom
    return reach, found


def _drop_thin(positions: list[float]) -> list[float]:
    kept: list[float] = []
    for p in positions:
        if kept and p - kept[-1] < DOUBLED_RULE:
            continue
        kept.append(p)
    return kept


def _segments_by_position(
    positions: list[float], items: list[tuple[float, tuple[float, float]]]
) -> list[list[tuple[float, float]]]:
    """For each line position, the intervals of the segments lying on it, sorted."""
    found: list[list[tuple[float, float]]] = [[] for _ in positions]
    for where, interval in items:
        nearest = min(range(len(positions)), key=lambda i: abs(positions[i] - where))
        if abs(positions[nearest] - where) <= SNAP + MIN_CELL:
            found[nearest].append(interval)
    for intervals in found:
        intervals.sort()
    return found


class _CharIndex:
    """A table's chars by the row band of their anchors, each band sorted by x: a cell
    looks only at the chars of its rows and columns, not at every char of the table (that
    was quadratic in the table's size), nor at every char of its columns."""

    def __init__(self, chars: list[Char], ys: list[float]):
        # band b holds the anchors ys[b - 1] <= y < ys[b] (the first and last: outside)
        bands: list[list[tuple[float, float, int]]] = [[] for _ in range(len(ys) + 1)]
        for order, ch in enumerate(chars):
            box = ch.bbox  # _anchor, inline: a table has hundreds of chars
            x, y = box.x0 + ANCHOR_X * (box.x1 - box.x0), (box.top + box.bottom) / 2
            bands[bisect_right(ys, y)].append((x, y, order))
        for band in bands:
            band.sort()
        self._chars = chars
        self._ys = ys
        self._bands = bands
        self._band_xs = [[x for x, _, _ in band] for band in bands]

    def inside(self, x0: float, top: float, x1: float, bottom: float) -> list[Char]:
        """The chars whose anchor lies in the box (edges included), in their page order."""
        found: list[int] = []
        ys, bands, band_xs = self._ys, self._bands, self._band_xs
        # a band's anchors are in [ys[b - 1], ys[b]): those of the box's y range are in
        # the bands from top's to bottom's
        for b in range(bisect_right(ys, top), bisect_right(ys, bottom) + 1):
            xs = band_xs[b]
            lo, hi = bisect_left(xs, x0), bisect_right(xs, x1)
            if lo < hi:
                found += [order for _, y, order in bands[b][lo:hi] if top <= y <= bottom]
        if not found:
            return []
        found.sort()
        chars = self._chars
        return [chars[order] for order in found]


def _make_cell(
    page: int, members: list[tuple[int, int]], xs: list[float], ys: list[float],
    chars: _CharIndex, reach: dict[int, float] | None = None,
) -> GridCell:
    """`reach`: how far below the table the text of a cell cut at its open bottom hangs
    (_overflow), by column."""
    if len(members) == 1:  # most cells: one base cell
        (r0, c0), = members
        r1, c1 = r0, c0
    else:
        rows = [r for r, _ in members]
        cols = [c for _, c in members]
        r0, r1, c0, c1 = min(rows), max(rows), min(cols), max(cols)
    x0, top, x1, bottom = xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]
    below = 0.0
    if reach and r1 == len(ys) - 2 and all(c in reach for c in range(c0, c1 + 1)):
        below = max(reach[c] for c in range(c0, c1 + 1))  # a cell cut at the open bottom
    # the box, down to the hanging text's reach where that is lower
    inside = chars.inside(x0, top, x1, below if below > bottom else bottom)
    if len(inside) == 1:  # most cells with text: one glyph (chars_to_text's own case)
        text, confidence = inside[0].text, inside[0].confidence
    else:
        text = chars_to_text(inside)
        confidence = min([ch.confidence for ch in inside]) if inside else 1.0
    return GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, text, page, BBox(x0, top, x1, bottom),
                    confidence)


ANCHOR_X = 0.3  # of a glyph's width from its left: where it belongs (_anchor)


def _anchor(ch: Char) -> tuple[float, float]:
    """Where a glyph belongs: left of its centre, since CJK punctuation ("、", "，") sits in
    the left of its box and a line may let it hang past the cell's right border."""
    return ch.bbox.x0 + ANCHOR_X * (ch.bbox.x1 - ch.bbox.x0), (ch.bbox.top + ch.bbox.bottom) / 2


# --- headings and sections ---------------------------------------------------------------


def text_lines(page: Page, exclude: list[BBox], index: CharIndex | None = None
               ) -> list[TextLine]:
    """Lines of text outside the given boxes (tables), top to bottom. `index`: the page's
    chars indexed, if at hand."""
    chars = page.chars
    if exclude:
        index = index or CharIndex(page.chars)
        inside = {order for box in exclude for order in index.orders_in(box, tolerance=1)}
        chars = [ch for order, ch in enumerate(page.chars) if order not in inside]
    # g[0].bbox.top is read before line_text sorts the line: its first char by centre
    return [
        TextLine(page.number, g[0].bbox.top, line_text(g), bbox_of(g)) for g in group_lines(chars)
    ]


_HEADING_KEYS: list[tuple[str | None, str]] = [
    *((name, label_key(h)) for name, hs in SECTION_HEADINGS.items() for h in hs),
    *((None, label_key(h)) for h in (*END_HEADINGS, *OTHER_HEADINGS)),
]


_MATCHERS = threading.local()


def _heading_matchers() -> list[tuple[str | None, str, SequenceMatcher]]:
    """A matcher per heading key, made once per thread: SequenceMatcher indexes its second
    sequence when given it, and every text line of every report is matched to the same
    headings (a matcher is changed by each match, so threads do not share them)."""
    matchers = getattr(_MATCHERS, "matchers", None)
    if matchers is None:
        matchers = [(name, key, SequenceMatcher(None, "", key)) for name, key in _HEADING_KEYS]
        _MATCHERS.matchers = matchers
    return matchers


def match_heading(text: str) -> tuple[bool, str | None]:
    """(is a section heading, the table it introduces or None for sections without one)."""
    key = label_key(text)
    if not key or len(key) > 40:
        return False, None
    best, best_ratio = None, 0.0
    for name, heading_key, matcher in _heading_matchers():
        if abs(len(key) - len(heading_key)) > 6:
            continue
        matcher.set_seq1(key)
        # the quick ratios are upper bounds of the ratio: one no better than the best so
        # far cannot replace it
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = name, ratio
    return best_ratio >= HEADING_SIMILARITY, best


# Words that only one table's text contains: the fallback when headings are unreadable.
_CONTENT_WORDS = {
    "active_disclosure": ("信息内容", "第二十条", "规章", "行政许可", "行政处罚", "收费"),
    "applications": ("本年新收", "上年结转", "予以公开", "不予公开", "无法提供", "不予处理",
                     "结转下年度", "申请人情况", "自然人"),
    "review_litigation": ("行政复议", "行政诉讼", "结果维持", "尚未审结", "复议后起诉"),
}


def classify_by_content(part: TablePart) -> str | None:
    text = clean_text(" ".join(c.text for c in part.cells))
    scores = {name: sum(w in text for w in words) for name, words in _CONTENT_WORDS.items()}
    best = max(scores, key=lambda n: scores[n])
    ranked = sorted(scores.values(), reverse=True)
    return best if ranked[0] >= 2 and ranked[0] > ranked[1] else None


@dataclass(frozen=True)
class Heading:
    page: int
    top: float
    bottom: float
    section: str | None  # the table it introduces; None for sections 一/五/六


def find_headings(document: Document, parts: list[TablePart],
                  indexes: dict[int, CharIndex] | None = None) -> list[Heading]:
    """Section headings outside tables, in reading order. `indexes`: pages' chars
    indexed (find_parts's), by page number, where at hand."""
    headings: list[Heading] = []
    for page in document.pages:
        boxes = [p.bbox for p in parts if p.page == page.number]
        for line in text_lines(page, boxes, (indexes or {}).get(page.number)):
            is_heading, name = match_heading(line.text)
            if is_heading:
                headings.append(Heading(page.number, line.top, line.bbox.bottom, name))
    return sorted(headings, key=lambda h: (h.page, h.top))


def assign_sections(parts: list[TablePart], headings: list[Heading]) -> None:
    """Set part.section from the nearest heading above it (or its content). A part with
    no heading between it and the part before continues that part's section, unless its
    content says otherwise: where a heading was unreadable (OCR) and the part before was
    placed by its content, the rows continued on the next page ("（六）其他处理", "（七）
    总计") went to the heading before, and table 三 lost them silently."""
    headings_seen = {h.section for h in headings}
    previous: TablePart | None = None
    for part in sorted(parts, key=lambda p: (p.page, p.bbox.top)):
        above = [h for h in headings if (h.page, h.top) < (part.page, part.bbox.top)]
        by_heading = above[-1].section if above else None
        by_content = classify_by_content(part)
        continued = previous is not None and previous.section is not None and not any(
            (previous.page, previous.bbox.top) < (h.page, h.top) for h in above)
        if continued and by_content in (None, previous.section):
            part.section = previous.section
        elif by_content and by_content != by_heading and by_content not in headings_seen:
            part.section = by_content
        else:
            part.section = by_heading if above else by_content
        previous = part


def section_regions(
    document: Document, headings: list[Heading], section: str
) -> list[tuple[Page, float, float]]:
    """(page, top, bottom) pieces of the text between a section's heading and the next."""
    starts = [i for i, h in enumerate(headings) if h.section == section]
    if not starts:
        return []
    start = headings[starts[0]]
    # The region ends at the next section's heading: a line inside the table that reads
    # like this section's own heading (a wrapped label "处理 政府信息公开申请") is no end.
    end = next((h for h in headings[starts[0] + 1:] if h.section != section), None)
    regions = []
    for page in document.pages:
        if page.number < start.page or (end and page.number > end.page):
            continue
        top = start.bottom + 1 if page.number == start.page else 0.0
        bottom = end.top - 1 if end and page.number == end.page else page.height
        if bottom > top:
            regions.append((page, top, bottom))
    return regions


def borderless_parts(
    document: Document, headings: list[Heading], sections: set[str]
) -> list[TablePart]:
    """Parts rebuilt from text alignment, for sections with a heading but no ruled table.

    The columns are found over all the section's pages at once, so that the parts of a
    table broken across pages share them and join like ruled parts do. A page whose
    text sits at another x (a scan's sheet shifted, another margin) is first moved onto
    the first page's words (page_offsets), and its parts' boxes moved back after.
    """
    from report_extract.detect.borderless import region_lines, table_parts

    parts = []
    for section in sorted(sections):
        regions = section_regions(document, headings, section)
        pieces = [(page, region_lines(page, top, bottom)) for page, top, bottom in regions]
        offsets = page_offsets([[w.bbox for ln in lines for w in ln.words if w.text.strip()]
                                for _, lines in pieces])
        pieces = [(page, region_lines(_moved_page(page, -dx), top, bottom) if dx else lines)
                  for (page, lines), (_, top, bottom), dx in zip(pieces, regions, offsets,
                                                                 strict=True)]
        moved_back = dict(zip((page.number for page, _ in pieces), offsets, strict=True))
        for part in table_parts(pieces):
            part.section = section
            _move_part(part, moved_back.get(part.page, 0.0))
            parts.append(part)
    return parts


WORD_ALIGN = 1.5  # pt: word edges this close after the shift line up


def page_offsets(words_per_page: list[list[BBox]]) -> list[float]:
    """Per page, how far right of the first page's its text stands: the shift lining up
    the most word edges (left edges of labels, centres of numbers alike: both keep their
    column); 0 unless a shift lines up clearly more than none does."""
    if not words_per_page or not words_per_page[0]:
        return [0.0] * len(words_per_page)
    reference = _edges(words_per_page[0])
    offsets = [0.0]
    for words in words_per_page[1:]:
        edges = _edges(words)
        at_zero = _lined_up(edges, reference, 0.0)
        best, count = 0.0, at_zero
        for shift in {round(e - r, 1) for e in edges for r in reference}:
            if 0 < abs(shift) <= MAX_PAGE_SHIFT:
                lined = _lined_up(edges, reference, shift)
                if (lined, -abs(shift)) > (count, -abs(best)):
                    best, count = shift, lined
        moved = count >= max(at_zero + 3, 2 * at_zero)
        offsets.append(best if moved else 0.0)
    return offsets


def _edges(boxes: list[BBox]) -> list[float]:
    """Left edges and centres, sorted (a NaN, which lines up with nothing, left out)."""
    return sorted({round(v, 1) for b in boxes for v in (b.x0, (b.x0 + b.x1) / 2) if v == v})


def _lined_up(edges: list[float], reference: list[float], shift: float) -> int:
    """How many edges, shifted, lie within WORD_ALIGN of a reference edge. `reference`
    is sorted: the nearest reference edges to a point are the two around it, so each
    edge looks at those two only (every shift tried used to compare every pair)."""
    count = 0
    last = len(reference) - 1
    for e in edges:
        at = e - shift
        i = bisect_left(reference, at)
        if (i <= last and abs(at - reference[i]) <= WORD_ALIGN) or (
                i > 0 and abs(at - reference[i - 1]) <= WORD_ALIGN):
            count += 1
    return count


def _moved_page(page: Page, dx: float) -> Page:
    """The page with its characters moved right by dx (a copy)."""
    chars = [replace(c, bbox=_moved_box(c.bbox, dx)) for c in page.chars]
    return Page(page.number, page.width, page.height, chars, page.segments, page.source)


def _moved_box(box: BBox, dx: float) -> BBox:
    return BBox(box.x0 + dx, box.top, box.x1 + dx, box.bottom)


def _move_part(part: TablePart, dx: float) -> None:
    """Back to its page's coordinates: boxes only, its columns stay the table's."""
    if not dx:
        return
    part.bbox = _moved_box(part.bbox, dx)
    for cell in part.cells:
        cell.bbox = _moved_box(cell.bbox, dx)


# --- joining parts into grids -------------------------------------------------------------


def find_parts(document: Document, indexes: dict[int, CharIndex] | None = None
               ) -> list[TablePart]:
    """The ruled table parts of every page. `indexes`: where given, each page with a
    table has its chars' index put there (find_headings looks in the same pages)."""
    parts: list[TablePart] = []
    for page in document.pages:
        networks = segments_to_networks(page.segments)
        index = CharIndex(page.chars) if networks else None
        if index is not None and indexes is not None:
            indexes[page.number] = index
        for network in networks:
            part = network_to_part(page, network, index)
            if part is not None and part.n_rows >= 1 and part.n_cols >= 2:
                parts.append(part)
    return parts


def detect_tables(document: Document) -> dict[str, Grid]:
    """The three canonical tables' grids (those found), keyed by table name."""
    indexes: dict[int, CharIndex] = {}
    parts = find_parts(document, indexes)
    headings = find_headings(document, parts, indexes)
    assign_sections(parts, headings)
    unruled = {h.section for h in headings if h.section} - {p.section for p in parts}
    parts += borderless_parts(document, headings, unruled)
    if not parts:
        raise NoTablesError(document.source_file, "no ruled tables found in the report")
    return parts_to_grids(document, parts)


def parts_to_grids(document: Document, parts: list[TablePart]) -> dict[str, Grid]:
    """Parts with their sections set -> one joined grid per canonical table."""
    grids: dict[str, Grid] = {}
    for name in TABLE_NAMES:
        mine = sorted((p for p in parts if p.section == name), key=lambda p: (p.page, p.bbox.top))
        if mine:
            grid = join_parts(mine)
            grid.section = name
            grids[name] = grid
    if not grids:
        raise NoTablesError(
            document.source_file,
            "no statistical tables found (no table under headings 二/三/四 matches a template)",
        )
    return grids


def join_parts(parts: list[TablePart]) -> Grid:
    """One grid from parts on consecutive pages: columns aligned, split merged cells rejoined.

    Each part is first registered to the parts before it by its structure (its border,
    else its column rules), not by page coordinates: a scanned page or a page printed
    with another margin puts the same table at another x. A part that aligns with
    nothing is still joined, and the grid names it in `join_doubts` (an uncertain join)."""
    registered, problems = register_parts(parts)
    # A doubted part's rules are left out of the table's columns, never interleaved with
    # them: its cells take the nearest columns, and are flagged (pipeline).
    doubted = {(d.page, d.bbox) for d in problems}
    xs = cluster_positions([x for part, part_xs in zip(parts, registered, strict=True)
                            if (part.page, part.bbox) not in doubted for x in part_xs],
                           snap=SNAP * 2)
    cells: list[GridCell] = []
    row_offset = 0
    previous_bottom: list[GridCell] = []
    previous_cut: set[int] = set()
    first_header: list[GridCell] = []
    for index, (part, part_xs) in enumerate(zip(parts, registered, strict=True)):
        columns = _nearest_columns(part_xs, xs)
        remapped = [_remap_columns(c, columns, row_offset) for c in part.cells]
        top_cut, bottom_cut = _cut_cells(part, remapped)
        if index:
            remapped = _drop_repeated_header(remapped, first_header, row_offset)
            # a cell cut only inside the table's leading header (no number above the break):
            # below it, a leaf label at a page's top is a row of its own
            cut = previous_cut | top_cut if not _has_number(cells) else set()
            remapped = _rejoin_split_cells(remapped, previous_bottom, row_offset, cut)
        else:
            first_header = _leading_header(remapped)
        cells.extend(remapped)
        previous_bottom = [c for c in remapped if c.last_row == row_offset + part.n_rows - 1]
        previous_cut = bottom_cut
        row_offset += part.n_rows
    cells = _compact_rows(cells)
    n_rows = max(c.last_row for c in cells) + 1
    return Grid(cells, n_rows, len(xs) - 1, sorted({p.page for p in parts}), bbox=parts[0].bbox,
                join_doubts=problems)


def flag_doubtful_joins(grids: dict[str, Grid], tables: dict[str, CanonicalTable]) -> None:
    """Refuse the values read from table parts that join_parts could not align (their
    columns are in doubt), and name each such part in its table's problems."""
    for name, grid in grids.items():
        table = tables.get(name)
        if table is None:
            continue
        for doubt in grid.join_doubts:
            reason = (f"the table's part on page {doubt.page} could not be aligned with its "
                      f"columns on the pages before (best shift {doubt.best_shift:+.1f} pt "
                      f"matched too few column rules)")
            table.problems.append(Problem(name, "uncertain_join", reason, page=doubt.page,
                                          bbox=doubt.bbox))
            for cell in table.cells:
                inside = (cell.page == doubt.page and cell.bbox is not None
                          and doubt.bbox.contains_point(*cell.bbox.center, tolerance=1))
                if inside and cell.uncertain is None:
                    table.refuse(cell, reason)


ALIGN_TOLERANCE = SNAP  # pt: a column rule this close to another after the shift is it
MAX_PAGE_SHIFT = 60.0  # pt: pages of one table are never further apart than this
MIN_ALIGNED = 0.6  # share of a part's column rules that must meet the table's


def register_parts(parts: list[TablePart]) -> tuple[list[list[float]], list[JoinDoubt]]:
    """Each part's column positions moved into the first part's frame, and the parts
    that could not be aligned.

    A part as wide as the table (within ALIGN_TOLERANCE) is registered by its border:
    its left and right rules meet the table's. Otherwise by its column rules: the shift
    that lays most of them on the table's (the nearest to none when several do). A part
    with neither is left where its page put it, and doubted."""
    frame = list(parts[0].xs)
    registered, doubts = [list(parts[0].xs)], []
    for part in parts[1:]:
        shift = _border_shift(part.xs, frame)
        if shift is None:
            shift, aligned = _rule_shift(part.xs, frame)
            # of the rules both sides could share: a frame made from a header-only part
            # (merged cells, 3 rules) cannot meet 60 % of a 10-column continuation's
            if aligned < max(3, MIN_ALIGNED * min(len(part.xs), len(frame))):
                doubts.append(JoinDoubt(part.page, part.bbox, shift))
                registered.append(list(part.xs))  # left out of the frame: no evidence
                continue
        moved = [x + shift for x in part.xs]
        registered.append(moved)
        frame = cluster_positions(frame + moved, snap=SNAP * 2)
    return registered, doubts


def _border_shift(xs: list[float], frame: list[float]) -> float | None:
    """The shift laying a part's outer rules on the table's, if it is as wide."""
    if abs((xs[-1] - xs[0]) - (frame[-1] - frame[0])) > ALIGN_TOLERANCE:
        return None
    shift = ((frame[0] - xs[0]) + (frame[-1] - xs[-1])) / 2
    return shift if abs(shift) <= MAX_PAGE_SHIFT else None


def _rule_shift(xs: list[float], frame: list[float]) -> tuple[float, int]:
    """(shift, rules aligned): the shift laying most rules of a part on the table's."""
    best_shift, best_count = 0.0, _aligned(xs, frame, 0.0)
    for x in xs:
        for f in frame:
            shift = f - x
            if abs(shift) > MAX_PAGE_SHIFT:
                continue
            count = _aligned(xs, frame, shift)
            if (count, -abs(shift)) > (best_count, -abs(best_shift)):
                best_shift, best_count = shift, count
    return best_shift, best_count


def _aligned(xs: list[float], frame: list[float], shift: float) -> int:
    return sum(any(abs(x + shift - f) <= ALIGN_TOLERANCE for f in frame) for x in xs)


def _nearest_columns(part_xs: list[float], xs: list[float]) -> list[int]:
    """For each of a part's column rules, the table's nearest (the first of equals):
    found once per part, not twice per cell."""
    return [min(range(len(xs)), key=lambda i: abs(xs[i] - x)) for x in part_xs]


def _remap_columns(cell: GridCell, columns: list[int], row_offset: int) -> GridCell:
    """The cell in the table's columns (`columns`: _nearest_columns) and rows."""
    c0 = columns[cell.col]
    c1 = max(columns[cell.col + cell.col_span], c0 + 1)
    return GridCell(cell.row + row_offset, c0, cell.row_span, c1 - c0, cell.text, cell.page,
                    cell.bbox, cell.confidence)


def _has_number(cells: list[GridCell]) -> bool:
    return any(looks_numeric(c.text) and c.text.strip() for c in cells)


def _leading_header(cells: list[GridCell]) -> list[GridCell]:
    """The cells above a part's first row with numbers."""
    first_data = None
    for cell in cells:  # a cell below the first number found so far is not read
        if (first_data is None or cell.row < first_data) and _has_number([cell]):
            first_data = cell.row
    return [c for c in cells if first_data is not None and c.row < first_data]


def _drop_repeated_header(
    cells: list[GridCell], first_header: list[GridCell], row_offset: int
) -> list[GridCell]:
    """Remove leading rows of a continuation that repeat the table's own header.

    Compared with the first part's header only: a later block of table 二 ("信息内容 |
    本年收费金额") shares words with it but is not a repeat, and must stay.
    """
    header_texts = {label_key(c.text) for c in first_header if c.text.strip()}
    header = _leading_header(cells)
    if not header or min(c.row for c in header) != row_offset:
        return cells
    texts = [label_key(c.text) for c in header if c.text.strip()]
    if texts and sum(t in header_texts for t in texts) >= 0.8 * len(texts):
        last = max(c.row for c in header)
        return [c for c in cells if c.row > last]
    return cells


def _cut_cells(part: TablePart, remapped: list[GridCell]) -> tuple[set[int], set[int]]:
    """Ids of the part's cells (as remapped) that an open edge cuts: in its first row with
    no rule over any of their columns, and in its last row with none under them."""
    def open_at(cell: GridCell, edge: frozenset[int]) -> bool:
        return all(c in edge for c in range(cell.col, cell.last_col + 1))

    pairs = list(zip(part.cells, remapped, strict=True))
    top = {id(r) for c, r in pairs if c.row == 0 and open_at(c, part.open_top)}
    bottom = {id(r) for c, r in pairs
              if c.last_row == part.n_rows - 1 and open_at(c, part.open_bottom)}
    return top, bottom


def _rejoin_split_cells(
    cells: list[GridCell], previous_bottom: list[GridCell], row_offset: int, cut: set[int],
) -> list[GridCell]:
    """A merged label cell cut by the page break continues at the top of the next part.

    Rejoined: "parent" cells (with another label cell to their right), and the cells of
    the table's header cut open at the break on both sides (ids in `cut`: a browser
    prints "法律服务" above the break and "机构" below it). A leaf label at the top of
    a page is a row of its own.
    """
    if not previous_bottom or not cells:
        return cells
    top = min(c.row for c in cells)
    top_cells = [c for c in cells if c.row == top]
    kept: list[GridCell] = []
    for cell in cells:
        partner = _split_partner(cell, top, top_cells, previous_bottom, cut)
        if partner is None:
            kept.append(cell)
            continue
        partner.text = _join_text(partner.text, cell.text)
        partner.row_span = cell.last_row - partner.row + 1
    return kept


def _split_partner(
    cell: GridCell, top: int, top_cells: list[GridCell], previous_bottom: list[GridCell],
    cut: set[int],
) -> GridCell | None:
    if cell.row != top or looks_numeric(cell.text) and cell.text.strip():
        return None
    for prev in previous_bottom:
        if prev.col != cell.col or prev.col_span != cell.col_span:
            continue
        if id(prev) in cut and id(cell) in cut:
            return prev
        if _is_parent(prev, previous_bottom) and _is_parent(cell, top_cells):
            return prev
    return None


def _is_parent(cell: GridCell, row_cells: list[GridCell]) -> bool:
    """A label cell with another label cell to its right in the same row."""
    return any(
        other.col > cell.last_col and not looks_numeric(other.text) and other.text.strip()
        for other in row_cells
    )


def _join_text(first: str, second: str) -> str:
    if not first.strip():
        return second
    if not second.strip():
        return first
    return f"{first}\n{second}"


def _compact_rows(cells: list[GridCell]) -> list[GridCell]:
    """Renumber rows so that rows dropped as repeated headers leave no gaps."""
    used = sorted({r for c in cells for r in range(c.row, c.last_row + 1)})
    index = {r: i for i, r in enumerate(used)}
    for cell in cells:
        last = index[cell.last_row]
        cell.row = index[cell.row]
        cell.row_span = last - cell.row + 1
    return cells
