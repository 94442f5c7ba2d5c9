"""How each value was read: the source of each page (text layer, OCR, HTML) and the OCR
confidence of each cell, recorded on the Report after normalize (which works on text)."""

from __future__ import annotations

from report_extract.models import Document, Report


def record_provenance(report: Report, document: Document) -> None:
    """Set report.page_sources, and each OCR'd cell's confidence: the lowest score of
    the characters inside its box (a value is as sure as its least sure glyph)."""
    report.page_sources = {page.number: page.source for page in document.pages}
    pages = {page.number: page for page in document.pages if page.source == "ocr"}
    for cell in report.all_cells():
        page = pages.get(cell.page) if cell.page is not None else None
        if page is None or cell.bbox is None:
            continue
        box = cell.bbox
        scores = [c.confidence for c in page.chars
                  if box.contains_point(*c.bbox.center, tolerance=0.5)]
        cell.confidence = round(min(scores), 4) if scores else None
