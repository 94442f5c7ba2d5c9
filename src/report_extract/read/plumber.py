"""The reference reader: pdfplumber (pdfminer) -> pages of characters and ruling segments.

Slower than read/pdfium.py, which is tested against it; imported only when chosen (or when
PDFium cannot open a file). Every page is checked against the limits before pdfminer parses
it (report_extract.limits): the count, the boxes, the size of its content as drawn.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
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
    EncryptedPdfError,
    RecursiveStructureError,
    ReportError,
    raised_in,
    short,
)
from report_extract.limits import (
    MB,
    Limits,
    check_page_box,
    check_page_content,
    check_page_count,
)
from report_extract.models import BBox, Char, Page
from report_extract.read.rulings import rulings
from report_extract.read.upright import (
    page_turns,
    quarter_turns,
    turn_box,
    turn_chars,
    turn_segments,
)
from report_extract.textclean import unify_radicals

LITERAL_FORM = LIT("Form")


def read_pages(path: Path, name: str, limits: Limits, sizes: Mapping[int, int]
               ) -> tuple[list[Page], dict[str, str]]:
    """The pages of a PDF and its Info metadata; an IngestError subclass for bad input.
    `sizes`: decoded stream sizes by object number (limits.check_file)."""
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
    return pages, metadata


def _pages(pdf: pdfplumber.PDF, name: str, limits: Limits, sizes: Mapping[int, int],
           where: list[int]) -> Iterator[PlumberPage]:
    """pdfplumber's pages, made one at a time, each checked before it is parsed."""
    doctop = 0.0
    for number, page_obj in _checked_pages(pdf, name, limits, sizes, where):
        page = PlumberPage(pdf, page_obj, page_number=number, initial_doctop=doctop)
        doctop += float(page.height)
        yield page


def _checked_pages(pdf: pdfplumber.PDF, name: str, limits: Limits, sizes: Mapping[int, int],
                   where: list[int]) -> Iterator[tuple[int, PDFPage]]:
    """The page objects, each checked before its content is parsed: the count, the boxes
    (pdfplumber fails on a broken one with IndexError or MalformedPDFException) and the
    size of its content, as stored and as drawn (forms drawn within forms multiply)."""
    # Counted first (cheap: no content is parsed), so too many pages cost no parsing.
    for number, _ in enumerate(PDFPage.create_pages(pdf.doc), start=1):
        check_page_count(number, name, limits)
    for number, page_obj in enumerate(PDFPage.create_pages(pdf.doc), start=1):
        where[:] = [number]
        for label in ("MediaBox", "CropBox"):
            if label in page_obj.attrs or label == "MediaBox":
                check_page_box(number, resolve_all(page_obj.attrs.get(label)), name, limits,
                               label)
        check_page_content(number, _direct_size(page_obj, sizes), name, limits)
        budget = int(limits.max_page_content_mb * MB)
        check_page_content(number, _drawn_size(page_obj, budget), name, limits, drawn=True)
        yield number, page_obj


def check_drawn_content(path: Path, name: str, limits: Limits, sizes: Mapping[int, int]) -> None:
    """Run the page checks alone, for a file another reader (PDFium) will parse: a form
    drawing forms 2**40 times is refused before PDFium runs it (it has no such bound)."""
    where: list[int] = []
    try:
        with path.open("rb") as handle:
            for _ in _checked_pages(pdfplumber.open(handle), name, limits, sizes, where):
                pass
    except ReportError:
        raise
    except Exception:  # pdfminer cannot walk it: the reader says what is wrong, if anything
        return


def _content_objects(page_obj: PDFPage) -> list[int | None]:
    """Object numbers of a page's content streams and of the forms it may draw."""
    numbers = [getattr(stream, "objid", None) for stream in page_obj.contents]
    xobjects = _xobjects(page_obj.resources)
    numbers += [ref.objid for ref in xobjects.values() if isinstance(ref, PDFObjRef)]
    return numbers


def _direct_size(page_obj: PDFPage, sizes: Mapping[int, int]) -> int:
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
