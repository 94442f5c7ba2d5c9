"""Per-page routing: is the text layer usable, or must the page be read from its image?

A page goes to OCR when its text layer is garbage (glyphs without a Unicode mapping:
pdfminer's "(cid:NN)", private-use code points, U+FFFD) or when it is a picture: an image
covers much of it and the text layer has (almost) nothing there. A page with neither
text nor images (blank, or only lines) stays on the text path: OCR has nothing to read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from report_extract.models import BBox, Document, Page
from report_extract.read.pdf import MIN_TEXT_CHARS

MODES = ("auto", "text", "ocr")
# The engines scan.engines drives; named here, light to import (no OpenCV), so that options
# can be checked before any page needs OCR.
ENGINES = ("rapidocr", "tesseract")
GARBLED_SHARE = 0.3  # this share of unmapped glyphs makes a text layer unusable
IMAGE_COVER = 0.3  # an image over this share of the page makes it a picture page

_CID = re.compile(r"^\(cid:\d+\)$")


@dataclass(frozen=True)
class PageRoute:
    page: int  # 1-based
    ocr: bool
    reason: str


@lru_cache(maxsize=8192)  # asked of every char of every page; a report repeats few texts
def is_unmapped(text: str) -> bool:
    """A glyph whose Unicode is unknown: the text layer does not say what it shows."""
    if _CID.match(text):
        return True
    return any(_unmapped_code_point(ch) for ch in text)


def _unmapped_code_point(ch: str) -> bool:
    code = ord(ch)
    return (0xE000 <= code <= 0xF8FF or code >= 0xF0000 or code == 0xFFFD
            or (code < 0x20 and ch not in "\t\n\r"))


def garbled_share(page: Page) -> float:
    if not page.chars:
        return 0.0
    return sum(is_unmapped(c.text) for c in page.chars) / len(page.chars)


def plan_routes(document: Document, mode: str = "auto") -> list[PageRoute]:
    """The path of every page. mode "text"/"ocr" forces one path for all pages."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: choose one of {', '.join(MODES)}")
    if mode != "auto":
        return [PageRoute(p.number, mode == "ocr", f"forced ({mode})") for p in document.pages]
    pictures = _picture_boxes(document)
    return [_route(page, pictures.get(page.number, [])) for page in document.pages]


def _route(page: Page, pictures: list[BBox]) -> PageRoute:
    share = garbled_share(page)
    if share >= GARBLED_SHARE:
        return PageRoute(page.number, True, f"garbled text layer ({share:.0%} unmapped glyphs)")
    area = page.width * page.height
    covered = sum(_area(b) for b in pictures) / area if area else 0.0
    if covered >= IMAGE_COVER:
        inside = [c for c in page.chars
                  if any(b.contains_point(*c.bbox.center) for b in pictures)]
        if len(inside) < MIN_TEXT_CHARS:
            return PageRoute(page.number, True,
                             f"image page ({covered:.0%} covered, no text layer on it)")
    return PageRoute(page.number, False, "text layer")


def _area(box: BBox) -> float:
    return max(0.0, box.x1 - box.x0) * max(0.0, box.bottom - box.top)


def _picture_boxes(document: Document) -> dict[int, list[BBox]]:
    """Boxes (points, top-left origin) of the raster images on each page: those the reader
    found while reading (the file is not opened again), else read from the file.

    A file PDFium cannot open (pdfminer could: the text layer is read) has no pictures
    found: its pages are routed by their text layer, and the refusal is noted in the
    document's metadata (an image page then ends as "no text layer", as it would)."""
    if all(page.images is not None for page in document.pages):
        return {page.number: page.images or [] for page in document.pages}
    if not Path(document.path).exists():
        return {}
    import pypdfium2 as pdfium

    try:
        return _pdfium_picture_boxes(document.path)
    except pdfium.PdfiumError as error:
        document.metadata["pictures_unknown"] = f"PDFium cannot read the file ({error})"
        return {}


def _pdfium_picture_boxes(path: str) -> dict[int, list[BBox]]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    boxes: dict[int, list[BBox]] = {}
    pdf = pdfium.PdfDocument(path)
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            width, height = page.get_size()
            for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)):
                left, bottom, right, top = obj.get_bounds()
                box = BBox(max(left, 0), max(height - top, 0), min(right, width),
                           min(height - bottom, height))
                boxes.setdefault(index + 1, []).append(box)
    finally:
        pdf.close()
    return boxes
