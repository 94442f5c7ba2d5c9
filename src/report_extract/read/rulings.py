"""Ruling segments from a page's drawn objects, the same for every PDF reader.

The objects are pdfplumber's dicts (x0, top, x1, bottom, stroke, fill,
non_stroking_color); read/pdfium.py makes the same from PDFium's page objects.
"""

from __future__ import annotations

from report_extract.models import Segment

# A ruling is a thin drawn object: lines, and rects/curves no thicker than this (pt).
MAX_RULING_THICKNESS = 2.5


def rulings(lines: list[dict], rects: list[dict], curves: list[dict]) -> list[Segment]:
    """Ruling segments: stroked lines, and thin (line-like) or stroked rects and curves.

    The objects are pdfplumber's (x0, top, x1, bottom, stroke, fill, non_stroking_color);
    the PDFium reader makes the same. Filled rects without a stroke are cell backgrounds
    (WPS paints one per text line), so only their thin ones count, as those are how some
    producers draw lines.
    """
    segments: list[Segment] = []
    for line in lines:
        segments.append(Segment(line["x0"], line["top"], line["x1"], line["bottom"]))
    for rect in rects:
        width, height = rect["x1"] - rect["x0"], rect["bottom"] - rect["top"]
        if _is_invisible(rect):
            continue
        if min(width, height) <= MAX_RULING_THICKNESS:
            segments.append(_thin_rect_segment(rect, width, height))
        elif rect.get("stroke"):
            segments.extend(_rect_edges(rect))
    for curve in curves:
        width, height = curve["x1"] - curve["x0"], curve["bottom"] - curve["top"]
        if min(width, height) <= MAX_RULING_THICKNESS and max(width, height) > 2:
            segments.append(_thin_rect_segment(curve, width, height))
    return segments


def _is_invisible(obj: dict) -> bool:
    """A white, unstroked fill draws nothing on a white page."""
    if obj.get("stroke"):
        return False
    color = obj.get("non_stroking_color")
    if not obj.get("fill"):
        return True
    return isinstance(color, tuple | list) and len(color) in (1, 3) and min(color) >= 0.99


def _thin_rect_segment(obj: dict, width: float, height: float) -> Segment:
    if width >= height:
        mid = (obj["top"] + obj["bottom"]) / 2
        return Segment(obj["x0"], mid, obj["x1"], mid)
    mid = (obj["x0"] + obj["x1"]) / 2
    return Segment(mid, obj["top"], mid, obj["bottom"])


def _rect_edges(rect: dict) -> list[Segment]:
    x0, top, x1, bottom = rect["x0"], rect["top"], rect["x1"], rect["bottom"]
    return [
        Segment(x0, top, x1, top),
        Segment(x0, bottom, x1, bottom),
        Segment(x0, top, x0, bottom),
        Segment(x1, top, x1, bottom),
    ]
