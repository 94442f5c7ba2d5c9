"""Runs of ink along an axis ("bands"), and the glyph parts among them joined: what the
scan reader and its layout analysis share."""

from __future__ import annotations

import cv2
import numpy as np

THIN_BAND = 0.6  # a band thinner than this share of the cell's glyph height is a part
HAIR_GAP = 0.15  # of the glyph height: bands closer than this are one glyph's parts
MAX_MERGED = 1.5  # ... and are merged while the union stays glyph-sized
NUMBER_GLYPHS = frozenset("0123456789,.")  # characters that stand apart in a printed number


def ink_bands(rows: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True: [start, end) pairs."""
    padded = np.concatenate(([False], rows, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def merge_thin(bands: list[tuple[int, int]], glyph: float) -> list[tuple[int, int]]:
    """Join bands that are parts of one glyph (三, 二, the flag of a 5) rather than lines.

    A band thinner than a glyph, or a hair's gap from its neighbour, joins the nearer
    neighbour while the union stays about one glyph tall.
    """
    if len(bands) < 2:
        return bands
    merged = list(bands)
    changed = True
    while changed and len(merged) > 1:
        changed = False
        for i, (a, b) in enumerate(merged):
            j = _nearer_neighbour(merged, i)
            gap = max(merged[j][0] - b, a - merged[j][1])
            if b - a >= THIN_BAND * glyph and gap > HAIR_GAP * glyph:
                continue
            lo, hi = min(a, merged[j][0]), max(b, merged[j][1])
            if hi - lo <= MAX_MERGED * glyph:
                merged[min(i, j)] = (lo, hi)
                del merged[max(i, j)]
                changed = True
                break
    return merged


def _nearer_neighbour(bands: list[tuple[int, int]], i: int) -> int:
    gaps = []
    if i > 0:
        gaps.append((bands[i][0] - bands[i - 1][1], i - 1))
    if i + 1 < len(bands):
        gaps.append((bands[i + 1][0] - bands[i][1], i + 1))
    return min(gaps)[1]


def components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """(count, labels, stats) of OpenCV's 8-connected labelling of a page-sized mask,
    labelled within the rectangle that holds its ink: OpenCV's cost is per pixel, ink or
    not (~27 ms for a 200 dpi page, ~55 % of which is blank margin on a page of tables).
    The same labels and stats as labelling the whole page, but for row 0 (the
    background's), which is the rectangle's. The rectangle starts on even coordinates:
    the labelling scans 2 x 2 blocks, so it sees the same blocks and numbers the
    components in the same order."""
    x, y, width, height = cv2.boundingRect(mask)
    labels = np.zeros(mask.shape, np.int32)
    if not width:
        return 1, labels, np.array([[0, 0, mask.shape[1], mask.shape[0], mask.size]], np.int32)
    left, top = x & ~1, y & ~1
    right, bottom = x + width, y + height
    count, inner, stats, _ = cv2.connectedComponentsWithStats(
        np.ascontiguousarray(mask[top:bottom, left:right]), connectivity=8)
    labels[top:bottom, left:right] = inner
    stats[1:, cv2.CC_STAT_LEFT] += left
    stats[1:, cv2.CC_STAT_TOP] += top
    return count, labels, stats
