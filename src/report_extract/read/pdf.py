"""Ingest: PDF bytes -> Document (pages of characters and ruling segments).

Refuses, with one clear reason, what cannot be a text-layer report: not a PDF,
encrypted, truncated or corrupt, no pages, no text layer, beyond a limit
(report_extract.limits: checked before the parsers start on the file and on each page).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from report_extract.errors import (
    EmptyPdfError,
    NotAPdfError,
    NoTextLayerError,
)
from report_extract.limits import DEFAULT, Limits, check_file, check_pages_content
from report_extract.models import Document, Page

# pdfminer warns of every oddity it reads past: Chromium's CID fonts without FontBBox (a
# hundred lines per report), inline streams in a damaged file. Quieted where nobody set up
# logging (a library call: Python would print them); the CLI's --verbose shows them.
if not logging.getLogger().handlers:
    logging.getLogger("pdfminer").setLevel(logging.ERROR)

# Fewer printable characters than this on a page means no usable text layer there.
MIN_TEXT_CHARS = 10
# "pdfium" is fast (read/pdfium.py); "pdfplumber" (pdfminer) is the reference it is tested
# against. Only the chosen reader's library is imported.
READERS = ("pdfium", "pdfplumber")
DEFAULT_READER = "pdfium"


def read_document(
    path: str | os.PathLike[str], source_file: str | None = None, *, require_text: bool = True,
    reader: str = DEFAULT_READER, limits: Limits = DEFAULT,
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
    scan = check_file(path, name, limits)  # before any parser: a bomb is never inflated
    sizes = scan.sizes
    if reader == "pdfium":
        from report_extract.read.pdfium import PdfiumCannotOpen, read_pages

        if scan.may_draw_forms:  # PDFium has no bound on forms drawn within forms
            from report_extract.read.plumber import check_drawn_content

            check_drawn_content(path, name, limits, sizes)
        else:
            check_pages_content(scan, name, limits)
        try:
            pages, metadata = read_pages(path, name, limits)
        except PdfiumCannotOpen:  # the reference reader reads it, or refuses it as ever
            pages, metadata = _read_with_pdfplumber(path, name, limits, sizes)
    else:
        pages, metadata = _read_with_pdfplumber(path, name, limits, sizes)
    if not pages:
        raise EmptyPdfError(name, "the PDF has no pages")
    if require_text:
        _check_text_layer(pages, name)
    return Document(source_file=name, path=str(path), pages=pages, metadata=metadata)


def _check_header(path: Path, name: str) -> None:
    try:
        if path.exists() and not path.is_file() and not path.is_dir():
            # a FIFO or device: opening it could block for ever
            raise NotAPdfError(name, "not a regular file (a FIFO or device), not a PDF")
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


def _read_with_pdfplumber(path: Path, name: str, limits: Limits, sizes: Mapping[int, int]
                          ) -> tuple[list[Page], dict[str, str]]:
    from report_extract.read.plumber import read_pages  # pdfminer: imported only if used

    return read_pages(path, name, limits, sizes)


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
