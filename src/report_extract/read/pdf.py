"""Ingest: PDF bytes -> Document (pages of characters and ruling segments).

Refuses, with one clear reason, what cannot be a text-layer report: not a PDF,
encrypted, truncated or corrupt, no pages, no text layer.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from report_extract.errors import (
    CorruptPdfError,
    EmptyPdfError,
    EncryptedPdfError,
    NotAPdfError,
    NoTextLayerError,
)
from report_extract.models import BBox, Char, Document, Page, Segment
from report_extract.read.upright import (
    page_turns,
    quarter_turns,
    turn_box,
    turn_chars,
    turn_segments,
)
from report_extract.textclean import unify_radicals

if TYPE_CHECKING:
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

# Chromium's PDFs give their CID fonts no FontBBox: pdfminer warns once per glyph run
# (a hundred lines per report on stderr) and reads the text all the same.
logging.getLogger("pdfminer.pdffont").setLevel(logging.ERROR)

# A ruling is a thin drawn object: lines, and rects/curves no thicker than this (pt).
MAX_RULING_THICKNESS = 2.5
# Fewer printable characters than this on a page means no usable text layer there.
MIN_TEXT_CHARS = 10
# "pdfium" is fast (read/pdfium.py); "pdfplumber" (pdfminer) is the reference it is tested
# against. Only the chosen reader's library is imported.
READERS = ("pdfium", "pdfplumber")
DEFAULT_READER = "pdfium"


def read_document(
    path: str | os.PathLike[str], source_file: str | None = None, *, require_text: bool = True,
    reader: str = DEFAULT_READER,
) -> Document:
    """Open a PDF and return its pages; raise an IngestError subclass for bad input.

    require_text=False leaves the "no text layer" refusal to the caller (the OCR router
    decides per page first, then calls check_text_layer). reader: one of READERS.
    """
    if reader not in READERS:
        raise ValueError(f"unknown reader {reader!r}: choose one of {', '.join(READERS)}")
    path = Path(path)
    name = source_file or path.name
    _check_header(path, name)
    if reader == "pdfium":
        from report_extract.read.pdfium import PdfiumCannotOpen, read_pages

        try:
            pages, metadata = read_pages(path, name)
        except PdfiumCannotOpen:  # the reference reader reads it, or refuses it as ever
            pages, metadata = _read_with_pdfplumber(path, name)
    else:
        pages, metadata = _read_with_pdfplumber(path, name)
    if not pages:
        raise EmptyPdfError(name, "the PDF has no pages")
    if require_text:
        _check_text_layer(pages, name)
    return Document(source_file=name, path=str(path), pages=pages, metadata=metadata)


def _check_header(path: Path, name: str) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except FileNotFoundError as error:
        raise NotAPdfError(name, "file not found") from error
    except IsADirectoryError as error:
        raise NotAPdfError(name, "is a directory, not a PDF") from error
    if not head:
        raise NotAPdfError(name, "empty file (0 bytes), not a PDF")
    if b"%PDF-" not in head:
        kind = "an HTML page" if b"<html" in head.lower() or b"<!doctype" in head.lower() else ""
        detail = f"it is {kind}" if kind else "no %PDF- header"
        raise NotAPdfError(name, f"not a PDF ({detail})")


def _read_with_pdfplumber(path: Path, name: str) -> tuple[list[Page], dict[str, str]]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(path) as pdf:
            pages = [_read_page(page) for page in pdf.pages]
            metadata = {k: str(v) for k, v in (pdf.metadata or {}).items()}
    except (PDFPasswordIncorrect, PDFEncryptionError) as error:
        raise EncryptedPdfError(name, "encrypted PDF: a password is needed to open it") from error
    except PdfminerException as error:
        raise _translate_pdfminer(name, error) from error
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as error:
        raise CorruptPdfError(name, f"corrupt or truncated PDF ({_short(error)})") from error
    return pages, metadata


def _translate_pdfminer(name: str, error: PdfminerException) -> Exception:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    cause = error.args[0] if error.args else error
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return EncryptedPdfError(name, "encrypted PDF: a password is needed to open it")
    return CorruptPdfError(name, f"corrupt or truncated PDF ({_short(cause)})")


def _short(error: object) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:120]


def _read_page(page: pdfplumber.page.Page) -> Page:
    texts = [c for c in page.chars if c["text"].strip()]
    chars = [
        # radical code points (⼈, ⺠) as browsers print 人, 民: the ideographs from here on
        Char(unify_radicals(c["text"]), BBox(c["x0"], c["top"], c["x1"], c["bottom"]),
             float(c.get("size", 0)))
        for c in texts
    ]
    segments = rulings(page.lines, page.rects, page.curves)
    width, height = float(page.width), float(page.height)
    images = [BBox(max(i["x0"], 0.0), max(i["top"], 0.0), min(i["x1"], width),
                   min(i["bottom"], height)) for i in page.images]
    # a page whose text runs sideways (turned by /Rotate, or drawn turned) is turned upright
    turns = page_turns(quarter_turns(c["matrix"][0], -c["matrix"][1]) for c in texts)
    if turns:
        chars = turn_chars(chars, width, height, turns)
        segments = turn_segments(segments, width, height, turns)
        images = [BBox(*turn_box((i.x0, i.top, i.x1, i.bottom), width, height, turns))
                  for i in images]
        width, height = (height, width) if turns % 2 else (width, height)
    result = Page(page.page_number, width, height, chars, segments, images=images)
    page.flush_cache()  # pdfplumber keeps parsed objects per page; release them (memory)
    return result


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


def check_text_layer(document: Document, hint: str = "") -> None:
    """Refuse a document none of whose pages has text (after OCR, if any ran)."""
    _check_text_layer(document.pages, document.source_file, hint)


def _check_text_layer(pages: list[Page], name: str, hint: str = "") -> None:
    empty = [p.number for p in pages if len(p.chars) < MIN_TEXT_CHARS]
    if len(empty) == len(pages):
        raise NoTextLayerError(
            name,
            f"no text layer on pages {_page_ranges(empty)}: scanned report, OCR needed{hint}",
        )


def _page_ranges(numbers: list[int]) -> str:
    """[1,2,3,5] -> '1-3, 5'."""
    ranges: list[str] = []
    start = prev = numbers[0]
    for number in [*numbers[1:], None]:
        if number is not None and number == prev + 1:
            prev = number
            continue
        ranges.append(f"{start}-{prev}" if prev != start else f"{start}")
        if number is not None:
            start = prev = number
    return ", ".join(ranges)
