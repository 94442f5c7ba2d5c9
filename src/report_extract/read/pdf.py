"""Ingest: PDF bytes -> Document (pages of characters and ruling segments).

Refuses, with one clear reason, what cannot be a text-layer report: not a PDF,
encrypted, truncated or corrupt, no pages, no text layer, beyond a limit
(report_extract.limits: checked before the parsers start on the file and on each page).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.pdftypes import PDFException, PDFObjRef, PDFStream, resolve1
from pdfminer.psparser import LIT, PSException
from pdfplumber.page import Page as PlumberPage
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException
from pdfplumber.utils.pdfinternals import resolve_all

from report_extract.errors import (
    PARSER_MODULES,
    CorruptPdfError,
    EmptyPdfError,
    EncryptedPdfError,
    NotAPdfError,
    NoTextLayerError,
    RecursiveStructureError,
    ReportError,
    raised_in,
    short,
)
from report_extract.limits import (
    DEFAULT,
    MB,
    Limits,
    check_file,
    check_page_box,
    check_page_content,
    check_page_count,
)
from report_extract.models import BBox, Char, Document, Page, Segment

# A ruling is a thin drawn object: lines, and rects/curves no thicker than this (pt).
MAX_RULING_THICKNESS = 2.5
# Fewer printable characters than this on a page means no usable text layer there.
MIN_TEXT_CHARS = 10
LITERAL_FORM = LIT("Form")


def read_document(
    path: str | os.PathLike[str], source_file: str | None = None, *, require_text: bool = True,
    limits: Limits = DEFAULT,
) -> Document:
    """Open a PDF and return its pages; raise an IngestError subclass for bad input.

    require_text=False leaves the "no text layer" refusal to the caller (the OCR router
    decides per page first, then calls check_text_layer).
    """
    path = Path(path)
    name = source_file or path.name
    _check_header(path, name)
    sizes = check_file(path, name, limits)
    where: list[int] = []  # the page being read, for messages
    try:
        # Our own handle, and no pdf.close(): that makes (unchecked) every page to close it.
        with path.open("rb") as handle:
            pdf = pdfplumber.open(handle)
            pages = [_read_page(page) for page in _pages(pdf, name, limits, sizes, where)]
            metadata = _metadata(pdf)
    except (PDFPasswordIncorrect, PDFEncryptionError) as error:
        raise EncryptedPdfError(name, "encrypted PDF: a password is needed to open it") from error
    except PdfminerException as error:
        raise _translate_pdfminer(name, error, where) from error
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as error:
        raise CorruptPdfError(name, f"corrupt or truncated PDF ({_at(where)}{_short(error)})") \
            from error
    except RecursionError as error:
        raise _recursive(name, where) from error
    except (ReportError, MemoryError):
        raise
    except Exception as error:
        if _recursion_in(error):  # parsers wrap it: MalformedPDFException(RecursionError)
            raise _recursive(name, where) from error
        if not raised_in(error, PARSER_MODULES):
            raise  # our own bug: reported as such at the file boundary
        raise CorruptPdfError(name, f"corrupt or truncated PDF ({_at(where)}"
                                    f"{type(error).__name__}: {_short(error)})") from error
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


def _pages(pdf: pdfplumber.PDF, name: str, limits: Limits, sizes: dict[int, int],
           where: list[int]) -> Iterator[PlumberPage]:
    """pdfplumber's pages, made one at a time, each checked before it is parsed: the
    count, the boxes (pdfplumber fails on a broken one with IndexError or
    MalformedPDFException) and the size of its content."""
    # Counted first (cheap: no content is parsed), so too many pages cost no parsing.
    for number, _ in enumerate(PDFPage.create_pages(pdf.doc), start=1):
        check_page_count(number, name, limits)
    doctop = 0.0
    for number, page_obj in enumerate(PDFPage.create_pages(pdf.doc), start=1):
        where[:] = [number]
        for label in ("MediaBox", "CropBox"):
            if label in page_obj.attrs or label == "MediaBox":
                check_page_box(number, resolve_all(page_obj.attrs.get(label)), name, limits,
                               label)
        check_page_content(number, _direct_size(page_obj, sizes), name, limits)
        budget = int(limits.max_page_content_mb * MB)
        check_page_content(number, _drawn_size(page_obj, budget), name, limits, drawn=True)
        page = PlumberPage(pdf, page_obj, page_number=number, initial_doctop=doctop)
        doctop += float(page.height)
        yield page


def _content_objects(page_obj: PDFPage) -> list[int | None]:
    """Object numbers of a page's content streams and of the forms it may draw."""
    numbers = [getattr(stream, "objid", None) for stream in page_obj.contents]
    xobjects = _xobjects(page_obj.resources)
    numbers += [ref.objid for ref in xobjects.values() if isinstance(ref, PDFObjRef)]
    return numbers


def _direct_size(page_obj: PDFPage, sizes: dict[int, int]) -> int:
    """Decoded bytes of a page's content streams and forms, as check_file measured them."""
    return sum(sizes.get(n, 0) for n in set(_content_objects(page_obj)) if n is not None)


_DO = re.compile(rb"/([^\s/\[\]<>(){}%]+)\s*Do\b")


def _drawn_size(page_obj: PDFPage, budget: int) -> int:
    """Bytes of content the interpreter will run for a page: its content streams, and
    each form it draws times the times it draws it (forms within forms multiply).
    Stops counting past `budget`."""
    memo: dict[int, int] = {}
    total = 0
    try:
        for stream in page_obj.contents:
            total += _drawn(stream, page_obj.resources, memo, set(), budget)
            if total > budget:
                break
    except (PDFSyntaxError, PSException, PDFException, ValueError, KeyError, TypeError):
        return 0  # unmeasurable here: the parser meets the damage and says what it is
    return total


def _drawn(stream: object, resources: object, memo: dict[int, int], stack: set[int],
           budget: int) -> int:
    if not isinstance(stream, PDFStream):
        return 0
    data = stream.get_data()
    total = len(data)
    xobjects = _xobjects(resources)
    for name, count in Counter(_DO.findall(data)).items():
        ref = xobjects.get(name.decode("latin-1"))
        form = resolve1(ref)
        if not isinstance(form, PDFStream) or resolve1(form.get("Subtype")) != LITERAL_FORM:
            continue
        key = ref.objid if isinstance(ref, PDFObjRef) else id(form)
        if key in stack:
            continue  # a form that draws itself: pdfminer refuses to run it again
        if key not in memo:
            memo[key] = _drawn(form, form.get("Resources") or resources, memo, stack | {key},
                               budget)
        total += count * memo[key]
        if total > budget:
            break
    return total


def _xobjects(resources: object) -> dict:
    resources = resolve1(resources)
    xobjects = resolve1(resources.get("XObject")) if isinstance(resources, dict) else None
    return xobjects if isinstance(xobjects, dict) else {}


def _metadata(pdf: pdfplumber.PDF) -> dict[str, str]:
    """The document information dictionary; damaged metadata is noted, not fatal."""
    try:
        return {str(k): str(v)[:1000] for k, v in (pdf.metadata or {}).items()}
    except (RecursionError, MemoryError):
        return {"unreadable_metadata": "self-referencing or too large"}
    except Exception as error:
        if not raised_in(error, PARSER_MODULES):
            raise
        return {"unreadable_metadata": f"{type(error).__name__}: {_short(error)}"}


def _translate_pdfminer(name: str, error: PdfminerException, where: list[int]) -> Exception:
    cause = error.args[0] if error.args else error
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
        return EncryptedPdfError(name, "encrypted PDF: a password is needed to open it")
    if _recursion_in(cause):
        return _recursive(name, where)
    if isinstance(cause, ReportError | MemoryError):
        return cause
    if isinstance(cause, MalformedPDFException | IndexError) and not where:
        return CorruptPdfError(name, f"corrupt PDF: a page box is broken ({_short(cause)})")
    return CorruptPdfError(name, f"corrupt or truncated PDF ({_at(where)}{_short(cause)})")


def _recursion_in(error: BaseException | None, depth: int = 0) -> bool:
    """Whether a RecursionError is this error or what it wraps (as cause or argument)."""
    if error is None or depth > 5:
        return False
    if isinstance(error, RecursionError):
        return True
    inner = [error.__cause__, error.__context__,
             *(a for a in error.args[:1] if isinstance(a, BaseException))]
    return any(_recursion_in(e, depth + 1) for e in inner)


def _recursive(name: str, where: list[int]) -> RecursiveStructureError:
    return RecursiveStructureError(name, f"corrupt PDF: {_at(where)}objects refer to "
                                         "themselves or nest without end")


def _at(where: list[int]) -> str:
    return f"page {where[0]}: " if where else ""


def _short(error: object) -> str:
    return short(error) if isinstance(error, BaseException) else str(error)[:120]


def _read_page(page: PlumberPage) -> Page:
    chars = [
        Char(c["text"], BBox(c["x0"], c["top"], c["x1"], c["bottom"]), float(c.get("size", 0)))
        for c in page.chars
        if c["text"].strip()
    ]
    segments = _rulings(page)
    result = Page(page.page_number, float(page.width), float(page.height), chars, segments)
    page.flush_cache()  # pdfplumber keeps parsed objects per page; release them (memory)
    return result


def _rulings(page: PlumberPage) -> list[Segment]:
    """Ruling segments: stroked lines, and thin (line-like) or stroked rects and curves.

    Filled rects without a stroke are cell backgrounds (WPS paints one per text line),
    so only their thin ones count, as those are how some producers draw lines.
    """
    segments: list[Segment] = []
    for line in page.lines:
        segments.append(Segment(line["x0"], line["top"], line["x1"], line["bottom"]))
    for rect in page.rects:
        width, height = rect["x1"] - rect["x0"], rect["bottom"] - rect["top"]
        if _is_invisible(rect):
            continue
        if min(width, height) <= MAX_RULING_THICKNESS:
            segments.append(_thin_rect_segment(rect, width, height))
        elif rect.get("stroke"):
            segments.extend(_rect_edges(rect))
    for curve in page.curves:
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
