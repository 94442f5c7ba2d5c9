"""Ruling lines of a page image -> Segments in PDF points, for the shared detector.

Morphological opening with a long, thin kernel keeps only runs of ink longer than any
glyph stroke: the table rules. Each connected run becomes one Segment; pieces of one
rule are joined, faded stretches bridged where faint ink shows the rule goes on, and
runs that are not rules (glyph strokes in line, seal arcs) are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from report_extract.models import Segment
from report_extract.scan.bands import components
from report_extract.scan.image import PageImage

MIN_H_RULE = 20.0  # pt: shorter horizontal runs are strokes of glyphs (一 is ~9 pt)
MIN_V_RULE = 11.0  # pt: rows can be ~14 pt tall; a 10.5 pt glyph's stroke is shorter
MAX_RULE_THICKNESS = 3.5  # pt: thicker dark areas are fills or blots, not lines
GAP_BRIDGE = 1.5  # pt: gaps in a rule left by noise or JPEG are closed first
LINE_SNAP = 1.5  # pt: pieces this close across the rule lie on one rule
MAX_GAP = 3.0  # pt: longer breaks are real (and a heading glyph above a rule is apart)
ANCHOR = 3.0  # pt: a rule's end this close to another rule meets it
MAX_BRIDGE = 80.0  # pt: the longest faded stretch of a rule that is bridged (a cell)
BRIDGE_EVIDENCE = 0.8  # share of a gap that must show faint ink along the rule
SIDE_FAR = 4.0  # pt either side of a rule's position searched for its darkest line
SIDE_GAP, SIDE = 0.7, 1.5  # pt beyond the rule's edge, and wide: where paper should be
SIDE_TEXT = 4.0  # pt beside a rule within which text on both sides means a text line
PAPER = 200  # grey level: a rule's blurred edge ends where the mean gets this pale
DARK_INK_MAX = 170  # grey level: print beside a rule is darker (and darker than halfway)
MAX_ATTACHED = 0.3  # share of a rule's length with print beside it: more is glyph strokes
SEAL_SIDE = 3.0  # pt beside a run looked at for seal ink (a seal stroke is ~7 pt wide)
SEAL_CROSSING = 12.0  # pt: the most of a column rule's gap taken as unknown (a ring's crossing)
RULE_PIECE = 4.0  # pt of a rule seen leaving its end before a long stretch under seal
MIN_KNOWN = 0.1  # share of a gap not under seal ink below which the seal decides alone
SEAL_EDGE = 0.7  # share of a run's length with seal ink on one side only: a stroke's edge


@dataclass
class RuleMasks:
    horizontal: np.ndarray  # uint8 0/255
    vertical: np.ndarray
    _labelled: dict[bool, tuple[int, np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False, compare=False)

    @property
    def both(self) -> np.ndarray:
        return cv2.bitwise_or(self.horizontal, self.vertical)

    def labelled(self, *, horizontal: bool) -> tuple[int, np.ndarray, np.ndarray]:
        """The runs of one mask: (count, labels, stats) of its connected components,
        found once per page for find_segments and seal_edges both."""
        if horizontal not in self._labelled:
            mask = self.horizontal if horizontal else self.vertical
            self._labelled[horizontal] = components(mask)
        return self._labelled[horizontal]


def rule_masks(page: PageImage) -> RuleMasks:
    """Pixels of horizontal and of vertical rules."""
    px = page.dpi / 72
    bridge = max(2, round(GAP_BRIDGE * px))
    thick = round(MAX_RULE_THICKNESS * px) + 1
    horizontal = _open_along(page.ink, (round(MIN_H_RULE * px), 1), (bridge, 1))
    vertical = _open_along(page.ink, (1, round(MIN_V_RULE * px)), (1, bridge))
    return RuleMasks(_without_blobs(horizontal, (1, thick)),
                     _without_blobs(vertical, (thick, 1)))


def _without_blobs(mask: np.ndarray, across: tuple[int, int]) -> np.ndarray:
    """The mask without areas thicker across than a rule: fills, blots, and glyphs whose
    strokes the bridging closed into a block (a bold "量" set right on a rule). Left in,
    such a block joined the rule it touches into one piece too thick to be a rule, and
    the rule was lost (the one beside a column of vertical text, synth-36-0003)."""
    blobs = cv2.morphologyEx(mask, cv2.MORPH_OPEN,
                             cv2.getStructuringElement(cv2.MORPH_RECT, across))
    return cv2.bitwise_and(mask, cv2.bitwise_not(blobs))


def _open_along(ink: np.ndarray, long: tuple[int, int], bridge: tuple[int, int]) -> np.ndarray:
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(
        cv2.MORPH_RECT, bridge))
    return cv2.morphologyEx(closed, cv2.MORPH_OPEN, cv2.getStructuringElement(
        cv2.MORPH_RECT, long))


def find_segments(page: PageImage, masks: RuleMasks | None = None) -> list[Segment]:
    """Ruling segments in points (top-left origin), horizontal and vertical."""
    masks = masks or rule_masks(page)
    limit = MAX_RULE_THICKNESS * page.dpi / 72
    horizontal = join_collinear(_components(masks, page.scale, limit, horizontal=True),
                                horizontal=True)
    vertical = join_collinear(_components(masks, page.scale, limit, horizontal=False),
                              horizontal=False)
    horizontal = _without_seal_edges(
        [h for h in horizontal if not _inside_text(h, page, horizontal=True)], page,
        horizontal=True)
    vertical = _without_seal_edges(
        [v for v in vertical if not _inside_text(v, page, horizontal=False)], page,
        horizontal=False)
    horizontal = bridge_gaps(horizontal, page, horizontal=True)
    vertical = bridge_gaps(vertical, page, horizontal=False)
    # Only rules already anchored are extended: a seal stroke must not become one.
    kept = anchored(horizontal, vertical)
    horizontal = [s for s in kept if s.is_horizontal]
    vertical = [extend_to_rules(s, horizontal, page, horizontal=False)
                for s in kept if not s.is_horizontal]
    horizontal = [extend_to_rules(h, vertical, page, horizontal=True) for h in horizontal]
    # Pieces of one rule extended to meet are one rule again.
    vertical = join_collinear(vertical, horizontal=False)
    horizontal = join_collinear(horizontal, horizontal=True)
    return anchored(horizontal, vertical, both_ends=True)


def _components(masks: RuleMasks, scale: float, limit: float, *, horizontal: bool
                ) -> list[Segment]:
    count, _, stats = masks.labelled(horizontal=horizontal)
    segments: list[Segment] = []
    for stat in stats[1:count]:
        thickness = stat[cv2.CC_STAT_HEIGHT if horizontal else cv2.CC_STAT_WIDTH]
        if thickness <= limit:
            segments.append(_segment_of(stat, scale, horizontal))
    return segments


# --- joining pieces of one rule ----------------------------------------------------------


def join_collinear(segments: list[Segment], *, horizontal: bool) -> list[Segment]:
    """Join pieces of one rule broken by a blot, a seal or a faded stretch.

    Pieces on the same line (within LINE_SNAP) whose gap is under MAX_GAP join; a rule
    that is really absent (a merged cell) leaves a gap of a whole cell, much wider.
    """
    return _join_along(segments, horizontal, lambda a, b: _gap(a, b, horizontal) <= MAX_GAP)


def bridge_gaps(segments: list[Segment], page: PageImage, *, horizontal: bool
                ) -> list[Segment]:
    """Join collinear pieces across a longer gap where the page still shows a rule.

    A thin rule under a seal or in a washed-out scan can fade for a whole cell; the
    detector would then merge two cells into one. The gap is bridged only if faint ink
    runs along nearly all of it, which an absent rule (a merged cell) does not show.
    """
    return _join_along(segments, horizontal,
                       lambda a, b: _bridgeable(a, b, page, horizontal))


def _join_along(segments: list[Segment], horizontal: bool,
                joins: Callable[[Segment, Segment], bool]) -> list[Segment]:
    """Per line (pieces within LINE_SNAP across), pieces in order along it, each joined
    to the previous when `joins` says so."""
    out: list[Segment] = []
    for line in _by_line(segments, horizontal):
        line.sort(key=lambda s: s.x0 if horizontal else s.top)
        current = last = line[0]
        for seg in line[1:]:
            # A line chains pieces within LINE_SNAP of the next: a glyph's stroke 7 pt
            # beside a rule, linked to it through strokes between, is no piece of it
            # (joined, it moved the rule to their middle: synth-91-0023's 尚未审结|总计).
            if abs(_across(seg, horizontal) - _across(last, horizontal)) <= LINE_SNAP and joins(
                    current, seg):
                current, last = _union(current, seg, horizontal), seg
            else:
                out.append(current)
                current = last = seg
        out.append(current)
    return out


def _across(segment: Segment, horizontal: bool) -> float:
    """Where a segment stands across its direction: a row rule's top, a column rule's x0."""
    return segment.top if horizontal else segment.x0


def _by_line(segments: list[Segment], horizontal: bool) -> list[list[Segment]]:
    lines: list[list[Segment]] = []
    for seg in sorted(segments, key=lambda s: _across(s, horizontal)):
        if lines and _across(seg, horizontal) - _across(lines[-1][-1], horizontal) <= LINE_SNAP:
            lines[-1].append(seg)
        else:
            lines.append([seg])
    return lines


def _gap(a: Segment, b: Segment, horizontal: bool) -> float:
    """Distance along the line from the end of a to the start of b (negative: overlap)."""
    return b.x0 - a.x1 if horizontal else b.top - a.bottom


def _union(a: Segment, b: Segment, horizontal: bool) -> Segment:
    if horizontal:
        mid = (a.top + b.top) / 2
        return Segment(min(a.x0, b.x0), mid, max(a.x1, b.x1), mid)
    mid = (a.x0 + b.x0) / 2
    return Segment(mid, min(a.top, b.top), mid, max(a.bottom, b.bottom))


def _bridgeable(a: Segment, b: Segment, page: PageImage, horizontal: bool) -> bool:
    gap = _gap(a, b, horizontal)
    if gap <= 0:
        return True
    if gap > MAX_BRIDGE:
        return False
    start = a.x1 if horizontal else a.bottom
    across = (a.top + b.top) / 2 if horizontal else (a.x0 + b.x0) / 2
    return _ink_along(page, start, start + gap, across, horizontal) >= BRIDGE_EVIDENCE


def _ink_along(page: PageImage, start: float, end: float, across: float,
               horizontal: bool, *, to_next_rule: bool = False) -> float:
    """Share of positions in [start, end] (pt) with faint ink within a rule's width,
    counting only the positions where the page can tell: under seal ink without print
    the print is unknown, not paper. Removing a seal whose ink hid a rule removes the
    rule's pixels too (real scans: a ring cut a rule into pieces 3.3-3.6 pt apart, and
    table 四's header cells merged). A gap almost wholly under seal ink is taken as
    ruled; an absent rule (a merged cell) still shows paper beside the seal. A column
    rule gets at most SEAL_CROSSING of unknown (tables stand one above the other), but
    where it runs `to_next_rule` (no row rule between) and is seen leaving it
    (_seal_cut_rule)."""
    px = page.dpi / 72
    reach = max(1, round(LINE_SNAP * px))
    lo, hi, mid = round(start * px), round(end * px), round(across * px)
    rows = slice(max(0, mid - reach), mid + reach + 1)
    if horizontal:
        ink, seal = page.faint_ink[rows, lo:hi].any(axis=0), page.seal[rows, lo:hi].any(axis=0)
    else:
        ink, seal = page.faint_ink[lo:hi, rows].any(axis=1), page.seal[lo:hi, rows].any(axis=1)
    if not ink.size:
        return 0.0
    unknown = int(np.count_nonzero(seal & ~ink))
    if unknown > (MAX_BRIDGE if horizontal else SEAL_CROSSING) * px and not (
            to_next_rule and _seal_cut_rule(ink, seal, px)):
        # A column rule is not carried through a seal's star or text: bridged, it joined
        # table 二 to table 三 across the heading between them (synth-17-0032).
        return float(np.count_nonzero(ink)) / ink.size
    if ink.size - unknown < MIN_KNOWN * ink.size:
        return 1.0
    return float(np.count_nonzero(ink)) / (ink.size - unknown)


def _seal_cut_rule(ink: np.ndarray, seal: np.ndarray, px: float) -> bool:
    """Does a long stretch under seal ink continue a rule that shows? Along the gap no
    clean paper shows (every position is print or seal ink), and from one of its ends a
    piece of the rule runs on into the seal at least RULE_PIECE: the rule is seen leaving
    the rule it meets, then the seal hides the rest (synth-107-0009: a column rule under
    a seal's disk showed 19 pt, then 20 pt of seal, and two header cells merged). Glyph
    strokes of a heading between two tables stand apart from both tables' rules."""
    paper = int(np.count_nonzero(~ink & ~seal))
    if paper > GAP_BRIDGE * px:
        return False
    piece = RULE_PIECE * px
    return _run_from_start(ink) >= piece or _run_from_start(ink[::-1]) >= piece


def _run_from_start(mask: np.ndarray) -> int:
    """Length of the run of True at the start of a 1-D mask."""
    off = np.flatnonzero(~mask)
    return int(off[0]) if off.size else int(mask.size)


# --- telling rules from glyph strokes ------------------------------------------------------


def seal_edges(page: PageImage, masks: RuleMasks) -> np.ndarray:
    """Pixels of the rule-like runs that are seal strokes' edges (_seal_edge): left in
    the ink, such an edge in a cell is read as a "|" or "1" beside its number. None on
    a page without seal ink (most pages): nothing is labelled or looked at there."""
    out = np.zeros_like(masks.vertical)
    if not page.seal.any():
        return out
    limit = MAX_RULE_THICKNESS * page.dpi / 72
    for horizontal in (True, False):
        count, labels, stats = masks.labelled(horizontal=horizontal)
        thickness = stats[:, cv2.CC_STAT_HEIGHT if horizontal else cv2.CC_STAT_WIDTH]
        edge = np.zeros(count, bool)
        edge[1:] = [thickness[label] <= limit
                    and _seal_edge(_segment_of(stats[label], page.scale, horizontal), page,
                                   horizontal=horizontal) for label in range(1, count)]
        out[edge[labels]] = 255
    return out


def _segment_of(stat: np.ndarray, scale: float, horizontal: bool) -> Segment:
    x, y, w, h = (int(v) for v in stat[:4])
    if horizontal:
        mid = (y + h / 2) * scale
        return Segment(x * scale, mid, (x + w) * scale, mid)
    mid = (x + w / 2) * scale
    return Segment(mid, y * scale, mid, (y + h) * scale)


def _without_seal_edges(segments: list[Segment], page: PageImage, *, horizontal: bool
                        ) -> list[Segment]:
    """The runs that are not seal strokes' edges (_seal_edge), but for one that lies on
    the line of a rule beyond the seal, within a bridgeable gap: there a seal's ring ran
    along a rule (its ink on one side only), and dropped, the rule lost its stretch
    under the seal and two columns their rule in the rows the seal covers."""
    edges = [s for s in segments if _seal_edge(s, page, horizontal=horizontal)]
    rules = [s for s in segments if s not in edges]
    return rules + [e for e in edges if _on_rule_line(e, rules, horizontal)]


def _on_rule_line(seg: Segment, rules: list[Segment], horizontal: bool) -> bool:
    def across(s: Segment) -> float:
        return s.top if horizontal else s.x0

    return any(abs(across(r) - across(seg)) <= LINE_SNAP
               and max(_gap(r, seg, horizontal), _gap(seg, r, horizontal)) <= MAX_BRIDGE
               for r in rules)


def _seal_edge(seg: Segment, page: PageImage, *, horizontal: bool) -> bool:
    """Is this run the dark edge of a seal stroke (JPEG leaves a stroke's outline less
    coloured than its middle, so it stays in the seal-free ink), not a rule? Along most
    of its length seal ink lies on one side of it only; a rule under a seal has the seal
    on both sides, and one beside a seal paper on both."""
    px = page.dpi / 72
    side = max(2, round(SEAL_SIDE * px))
    at = round((seg.top if horizontal else seg.x0) * px)
    lo = round((seg.x0 if horizontal else seg.top) * px)
    hi = round((seg.x1 if horizontal else seg.bottom) * px)
    seal = page.seal if horizontal else page.seal.T  # rows run across, columns along
    before = seal[max(0, at - 1 - side):max(0, at - 1), lo:hi] > 0
    after = seal[at + 2:at + 2 + side, lo:hi] > 0
    if before.size == 0 or after.size == 0:
        return False
    one_side = (before.mean(axis=0) > 0.5) != (after.mean(axis=0) > 0.5)
    return bool(one_side.size) and float(one_side.mean()) >= SEAL_EDGE


def _inside_text(seg: Segment, page: PageImage, *, horizontal: bool) -> bool:
    """Is this long run a line of glyph strokes (the aligned verticals of characters
    stacked one per line, 法/律/服/务), not a rule? A rule runs between cells with paper
    on both sides; glyph strokes have other strokes attached along much of their length.
    """
    px = page.dpi / 72
    reach, gap, width = round(SIDE_FAR * px), max(1, round(SIDE_GAP * px)), round(SIDE * px)
    at = round((seg.top if horizontal else seg.x0) * px)
    lo = round((seg.x0 if horizontal else seg.top) * px)
    hi = round((seg.x1 if horizontal else seg.bottom) * px)
    gray = page.gray if horizontal else page.gray.T  # rows run across, columns along
    band = gray[max(0, at - reach):at + reach + 1, lo:hi].astype(np.float32)
    if band.shape[0] < 3 or band.shape[1] == 0:
        return False
    profile = band.mean(axis=1)
    centre = int(np.argmin(profile))  # the rule's own position: the darkest line
    first, last = centre, centre
    while first > 0 and profile[first - 1] < PAPER:
        first -= 1
    while last + 1 < len(profile) and profile[last + 1] < PAPER:
        last += 1
    # Print beside it is about as dark as the rule itself; noise and seal remnants paler.
    dark = band < min(DARK_INK_MAX, (float(profile[centre]) + PAPER) / 2)
    if _share(_beside(dark, first, last, gap, width), both=False) > MAX_ATTACHED:
        return True
    # Text on both sides, near: a text line runs through it (cells keep text apart).
    wide = round(SIDE_TEXT * px)
    top = max(0, at - reach - gap - wide)
    ink = (page.ink if horizontal else page.ink.T)[top:at + reach + gap + wide + 1, lo:hi]
    shift = max(0, at - reach) - top  # band row 0 is ink row `shift`
    sides = _beside(ink > 0, first + shift, last + shift, gap, wide)
    if not horizontal and _clear_run(sides) >= MIN_V_RULE * px:
        # A rule of narrow columns passes close to two-character headers on both sides
        # but runs on between paper through a value row; glyph strokes in a column of
        # text have text beside them all along (synth-107-0000's table 四 lost three).
        return False
    return _share(sides, both=True) > MAX_ATTACHED


def _clear_run(sides: tuple[np.ndarray, np.ndarray]) -> int:
    """The longest stretch along a run with no mark on either side of it."""
    if not sides[0].size or not sides[1].size:
        return 0
    marked = sides[0].any(axis=0) | sides[1].any(axis=0)
    longest = run = 0
    for mark in marked:
        run = 0 if mark else run + 1
        longest = max(longest, run)
    return longest


def _beside(mask: np.ndarray, first: int, last: int, gap: int, width: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """The bands of `mask` rows just before `first` and just after `last`."""
    return (mask[max(0, first - gap - width):max(0, first - gap)],
            mask[last + 1 + gap:last + 1 + gap + width])


def _share(sides: tuple[np.ndarray, np.ndarray], *, both: bool) -> float:
    """Share of positions along the rule with a mark beside it (on both sides)."""
    hits = [side.any(axis=0) if side.size else None for side in sides]
    if both:
        if hits[0] is None or hits[1] is None:
            return 0.0
        return float((hits[0] & hits[1]).mean())
    present = [h for h in hits if h is not None]
    return float(np.logical_or.reduce(present).mean()) if present else 0.0


def anchored(horizontal: list[Segment], vertical: list[Segment], *, both_ends: bool = False
             ) -> list[Segment]:
    """Segments with an end (both ends) on a perpendicular rule, or crossing two.

    A table rule runs from rule to rule, or across several (a column rule at a page
    break without a closing rule); the long strokes that glyphs make when they stand
    close ("二十" in 第二十条, a character above its like in a wrapped label), or a
    seal's, do not. One end is enough before faded ends are extended (extend_to_rules).
    """
    need = 2 if both_ends else 1
    keep_h = [h for h in horizontal if _is_anchored(h, vertical, need, horizontal=True)]
    keep_v = [v for v in vertical if _is_anchored(v, horizontal, need, horizontal=False)]
    return [*keep_h, *keep_v]


def _is_anchored(seg: Segment, others: list[Segment], ends_needed: int, *,
                 horizontal: bool) -> bool:
    ends: set[int] = set()
    crossings = 0
    for other in others:
        ends |= _ends_on(seg, other, horizontal=horizontal)
        crossings += _crosses(seg, other, horizontal=horizontal)
        if len(ends) >= ends_needed or crossings >= 2:
            return True
    return False


def _ends_on(seg: Segment, other: Segment, *, horizontal: bool) -> set[int]:
    """Which ends of seg (0 start, 1 end) lie on the perpendicular `other`."""
    if horizontal:  # seg horizontal, other vertical
        if not other.top - ANCHOR <= seg.top <= other.bottom + ANCHOR:
            return set()
        return {i for i, x in enumerate((seg.x0, seg.x1)) if abs(x - other.x0) <= ANCHOR}
    if not other.x0 - ANCHOR <= seg.x0 <= other.x1 + ANCHOR:
        return set()
    return {i for i, y in enumerate((seg.top, seg.bottom)) if abs(y - other.top) <= ANCHOR}


def _crosses(seg: Segment, other: Segment, *, horizontal: bool) -> bool:
    if horizontal:  # seg horizontal, other vertical
        return (seg.x0 < other.x0 < seg.x1
                and other.top - ANCHOR <= seg.top <= other.bottom + ANCHOR)
    return seg.top < other.top < seg.bottom and other.x0 - ANCHOR <= seg.x0 <= other.x1 + ANCHOR


def extend_to_rules(seg: Segment, others: list[Segment], page: PageImage, *,
                    horizontal: bool) -> Segment:
    """Extend a rule whose end faded out to the perpendicular rule it runs into (the
    table's bottom or side), where faint ink shows it continues."""
    start, end = (seg.x0, seg.x1) if horizontal else (seg.top, seg.bottom)
    at = seg.top if horizontal else seg.x0
    crossing = [o.x0 if horizontal else o.top for o in others
                if (o.top - ANCHOR <= at <= o.bottom + ANCHOR if horizontal
                    else o.x0 - ANCHOR <= at <= o.x1 + ANCHOR)]
    # The farthest rule the faint ink reaches: nearer "rules" may be glyph strokes.
    before = sorted(c for c in crossing if start - MAX_BRIDGE <= c < start - ANCHOR)
    for c in before:
        if _continues_to(page, c, start, at, horizontal, to_next_rule=c == before[-1]):
            start = c
            break
    after = sorted((c for c in crossing if end + ANCHOR < c <= end + MAX_BRIDGE), reverse=True)
    for c in after:
        if _continues_to(page, end, c, at, horizontal, to_next_rule=c == after[-1]):
            end = c
            break
    return _span(start, end, at, horizontal)


def _span(start: float, end: float, at: float, horizontal: bool) -> Segment:
    return Segment(start, at, end, at) if horizontal else Segment(at, start, at, end)


def _continues_to(page: PageImage, start: float, end: float, at: float,
                  horizontal: bool, *, to_next_rule: bool = False) -> bool:
    """Faint ink runs along [start, end], and it is a rule, not glyph strokes. Only to
    the next rule is a stretch under seal ink taken as ruled (_seal_cut_rule): beyond a
    row rule hidden under a seal's star the rule would run into the next table."""
    return (_ink_along(page, start, end, at, horizontal,
                       to_next_rule=to_next_rule) >= BRIDGE_EVIDENCE
            and not _inside_text(_span(start, end, at, horizontal), page,
                                 horizontal=horizontal))


def draw_segments(segments: list[Segment], shape: tuple[int, int], dpi: int) -> np.ndarray:
    """A mask of the segments, as thick as the thickest rule: where rule pixels may be."""
    mask = np.zeros(shape, np.uint8)
    px = dpi / 72
    width = max(3, round(MAX_RULE_THICKNESS * px))
    for seg in segments:
        cv2.line(mask, (round(seg.x0 * px), round(seg.top * px)),
                 (round(seg.x1 * px), round(seg.bottom * px)), 255, width)
    return mask
