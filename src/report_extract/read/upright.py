"""Turning a page so that its text reads upright (shared by both PDF readers).

A page's text may run sideways in the coordinates a reader gives: a page turned with
/Rotate shows upright text sideways, and a scanned-then-typed landscape page may draw its
text turned inside an unturned page. Either way the tables are only found when the text
runs left to right, so the whole page (chars and rulings) is turned by quarter turns until
most of its characters do. All boxes here are top-down (origin top-left, y down).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from report_extract.models import BBox, Char, Segment

# More than this share of a page's characters must run one way for the page to be turned.
MAJORITY = 0.5


def quarter_turns(dx: float, dy: float) -> int:
    """Clockwise quarter turns that bring a text direction (top-down vector) to left-to-right.

    (1, 0) -> 0; (0, -1) (reading upwards) -> 1; (-1, 0) -> 2; (0, 1) (reading down) -> 3.
    """
    if abs(dx) >= abs(dy):
        return 0 if dx >= 0 else 2
    return 1 if dy < 0 else 3


def page_turns(directions: Iterable[int], default: int = 0) -> int:
    """The turns that make most characters upright; `default` when no direction dominates."""
    counts = Counter(directions)
    total = sum(counts.values())
    if not total:
        return default
    turns, count = counts.most_common(1)[0]
    return turns if count > MAJORITY * total else default


def turn_point(x: float, y: float, width: float, height: float, turns: int) -> tuple[float, float]:
    """A point of a width x height page, after turning the page clockwise `turns` times."""
    for _ in range(turns % 4):
        x, y, width, height = height - y, x, height, width
    return x, y


def turned_size(width: float, height: float, turns: int) -> tuple[float, float]:
    return (height, width) if turns % 2 else (width, height)


def turn_box(
    box: tuple[float, float, float, float], width: float, height: float, turns: int
) -> tuple[float, float, float, float]:
    """(x0, top, x1, bottom) after turning the page; still ordered x0 <= x1, top <= bottom."""
    if not turns % 4:
        return box
    ax, ay = turn_point(box[0], box[1], width, height, turns)
    bx, by = turn_point(box[2], box[3], width, height, turns)
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def turn_chars(chars: list[Char], width: float, height: float, turns: int) -> list[Char]:
    """Chars of a turned page; a char's size is its box's height there, as pdfminer's is."""
    if not turns % 4:
        return chars
    turned = []
    for c in chars:
        box = BBox(*turn_box((c.bbox.x0, c.bbox.top, c.bbox.x1, c.bbox.bottom),
                             width, height, turns))
        turned.append(Char(c.text, box, box.bottom - box.top, c.confidence))
    return turned


def turn_segments(
    segments: list[Segment], width: float, height: float, turns: int
) -> list[Segment]:
    if not turns % 4:
        return segments
    return [Segment(*turn_box((s.x0, s.top, s.x1, s.bottom), width, height, turns))
            for s in segments]
