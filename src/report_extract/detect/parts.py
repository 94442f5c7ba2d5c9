"""What the table detectors share: a table part on one page, text lines of glyphs, and
clusters of positions (detect.ruled and detect.borderless both build on these)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from operator import attrgetter

from report_extract.models import BBox, Char, GridCell

LINE_TOLERANCE = 0.4  # of a character's height: centres closer than this share a line


@dataclass
class TablePart:
    """A ruled table on one page, before sections are joined."""

    page: int
    bbox: BBox
    xs: list[float]
    ys: list[float]
    cells: list[GridCell]
    section: str | None = None
    n_rows: int = 0
    n_cols: int = 0
    # Columns whose top / bottom edge has no rule: where a page break cut the table, a
    # cell spanning rows goes on across the break (detect.ruled.join_parts rejoins it).
    open_top: frozenset[int] = frozenset()
    open_bottom: frozenset[int] = frozenset()


def cluster_values(values: list[float], snap: float) -> list[list[float]]:
    """Sorted values in runs whose neighbours lie within `snap` of each other."""
    clusters: list[list[float]] = []
    for value in sorted(values):
        if clusters and value - clusters[-1][-1] <= snap:
            clusters[-1].append(value)
        else:
            clusters.append([value])
    return clusters


def chars_to_text(chars: list[Char]) -> str:
    """Characters in reading order: lines top to bottom, a space where a gap is wide."""
    if len(chars) < 2:  # most cells: no lines to sort
        return chars[0].text if chars else ""
    return "\n".join(line_text(line) for line in group_lines(chars))


def line_text(line: list[Char]) -> str:
    """The text of one of group_lines' lines (sorted here, left to right), a space where
    a gap is wide: chars_to_text of it (grouped again, a line is that one line)."""
    if len(line) == 1:
        return line[0].text
    line.sort(key=LEFT_EDGE)
    pieces = [line[0].text]
    prev = line[0].bbox
    for ch in line[1:]:
        box = ch.bbox
        if box.x0 - prev.x1 > 0.3 * (box.bottom - box.top):
            pieces.append(" ")
        pieces.append(ch.text)
        prev = box
    return "".join(pieces)


def bbox_of(chars: list[Char]) -> BBox:
    """The box around the chars (as BBox.union over them, at once)."""
    boxes = [ch.bbox for ch in chars]
    return BBox(min([b.x0 for b in boxes]), min([b.top for b in boxes]),
                max([b.x1 for b in boxes]), max([b.bottom for b in boxes]))


LEFT_EDGE = attrgetter("bbox.x0")  # a char's left edge, as a sort key


def _center_y(ch: Char) -> float:
    return (ch.bbox.top + ch.bbox.bottom) / 2


def group_lines(chars: list[Char]) -> list[list[Char]]:
    """Chars grouped into text lines, top to bottom.

    Each char is compared with its line's first char, not the last one added, so that
    staggered lines side by side (a wrapped label beside centred numbers) do not chain.
    """
    # (centre y, x0, order): the order keeps equal keys in the chars' order, as a
    # stable sort would; the first char's centre of the current line is kept at hand
    boxes = [ch.bbox for ch in chars]
    keyed = sorted([((b.top + b.bottom) / 2, b.x0, order) for order, b in enumerate(boxes)])
    lines: list[list[Char]] = []
    line: list[Char] = []
    line_y = 0.0
    for y, _, order in keyed:
        box = boxes[order]
        height = box.bottom - box.top
        if height < 1:  # max(height, 1), inline (as max picks)
            height = 1
        if line and abs(line_y - y) <= height * LINE_TOLERANCE:
            line.append(chars[order])
        else:
            line = [chars[order]]
            lines.append(line)
            line_y = y
    return lines


class CharIndex:
    """A page's chars by their centres' y (and their centres' x beside): the chars centred
    in a box (a text line, a table) are found by bisection, not by testing every char of
    the page against it."""

    def __init__(self, chars: list[Char]):
        self._chars = chars
        boxes = [ch.bbox for ch in chars]
        centres = [(b.top + b.bottom) / 2 for b in boxes]
        # by centre, then by order (a stable sort of the ascending orders), the NaNs left out
        orders = [order for order, y in enumerate(centres) if y == y]
        orders.sort(key=centres.__getitem__)
        self._orders = orders
        self._ys = [centres[order] for order in orders]
        self._xs = [(boxes[order].x0 + boxes[order].x1) / 2 for order in orders]

    def orders_in(self, box: BBox, tolerance: float = 0.0) -> list[int]:
        """Positions (in the chars given) of the chars whose centre lies in the box
        (edges and tolerance included, as BBox.contains_point), ascending."""
        lo = bisect_left(self._ys, box.top - tolerance)
        hi = bisect_right(self._ys, box.bottom + tolerance)
        left, right = box.x0 - tolerance, box.x1 + tolerance
        return sorted([order for order, x in zip(self._orders[lo:hi], self._xs[lo:hi],
                                                 strict=True) if left <= x <= right])

    def centred_in(self, box: BBox, tolerance: float = 0.0) -> list[Char]:
        """The chars whose centre lies in the box, in their page order."""
        return [self._chars[order] for order in self.orders_in(box, tolerance)]
