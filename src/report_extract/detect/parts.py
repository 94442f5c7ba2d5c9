"""What the table detectors share: a table part on one page, text lines of glyphs, and
clusters of positions (detect.ruled and detect.borderless both build on these)."""

from __future__ import annotations

from dataclasses import dataclass

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
    out: list[str] = []
    for line in group_lines(chars):
        line.sort(key=lambda c: c.bbox.x0)
        text = line[0].text
        for prev, ch in zip(line, line[1:], strict=False):
            gap = ch.bbox.x0 - prev.bbox.x1
            text += (" " if gap > 0.3 * (ch.bbox.bottom - ch.bbox.top) else "") + ch.text
        out.append(text)
    return "\n".join(out)


def _center_y(ch: Char) -> float:
    return (ch.bbox.top + ch.bbox.bottom) / 2


def group_lines(chars: list[Char]) -> list[list[Char]]:
    """Chars grouped into text lines, top to bottom.

    Each char is compared with its line's first char, not the last one added, so that
    staggered lines side by side (a wrapped label beside centred numbers) do not chain.
    """
    lines: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: (_center_y(c), c.bbox.x0)):
        height = max(ch.bbox.bottom - ch.bbox.top, 1)
        if lines and abs(_center_y(lines[-1][0]) - _center_y(ch)) <= height * LINE_TOLERANCE:
            lines[-1].append(ch)
        else:
            lines.append([ch])
    return lines
