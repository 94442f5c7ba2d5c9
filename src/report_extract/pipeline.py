"""extract(path) -> Report: ingest -> detect -> normalize -> validate, one report."""

from __future__ import annotations

import os

from report_extract.detect.ruled import detect_tables, flag_doubtful_joins
from report_extract.errors import TemplateMismatchError
from report_extract.metadata import read_metadata, title_doubt
from report_extract.models import TABLE_NAMES, CanonicalTable, Document, Grid, Problem, Report
from report_extract.normalize.align import normalize_tables
from report_extract.read.pdf import read_document
from report_extract.validate import check_report

DETECTORS = ("pdfplumber", "camelot")


def detect_grids(document: Document, detector: str = "pdfplumber") -> dict[str, Grid]:
    if detector == "pdfplumber":
        return detect_tables(document)
    if detector == "camelot":
        from report_extract.detect.camelot import detect_tables_camelot

        return detect_tables_camelot(document)
    raise ValueError(f"unknown detector {detector!r}: choose one of {', '.join(DETECTORS)}")


def extract(
    path: str | os.PathLike[str], *, detector: str = "pdfplumber", source_file: str | None = None,
    mode: str = "auto", ocr_engine: str = "rapidocr", progress: bool = False,
) -> Report:
    """Extract one report. Raises a ReportError subclass (with file and reason) on bad input.

    mode: "auto" reads each page's text layer, or OCRs the page when it is a picture or
    its text layer is garbled; "text" never OCRs; "ocr" OCRs every page.
    progress: a progress bar over OCR'd pages (shown only on a terminal).
    """
    document = read_document(path, source_file, require_text=mode == "text")
    if mode != "text":  # OCR routing (issue 5): scan/ is imported only here
        from report_extract.scan import route_document

        document = route_document(document, mode=mode, engine=ocr_engine, progress=progress)
    return extract_document(document, detector=detector)


def extract_document(document: Document, *, detector: str = "pdfplumber") -> Report:
    grids = detect_grids(document, detector)
    tables = normalize_tables(grids)
    flag_doubtful_joins(grids, tables)
    if not any(t.cells for t in tables.values()):
        raise TemplateMismatchError(
            document.source_file,
            "tables found, but none matches the 2019 or 2021 template "
            f"({_first_problem(tables)})",
        )
    for name in TABLE_NAMES:
        if name not in tables:
            tables[name] = CanonicalTable(name, problems=[
                Problem(name, "table_missing", f"table {name} not found in the report")])
    agency, year = read_metadata(document)
    doubt = title_doubt(document)
    report = Report(document.source_file, agency, year, _template(tables, year), tables,
                    pages=len(document.pages), notes=[doubt] if doubt else [])
    report.checks = check_report(report)
    if any(page.source == "ocr" for page in document.pages):  # OCR candidates (issue 5)
        from report_extract.scan.uncertainty import explain_ocr_values

        explain_ocr_values(report, document)
    return report


def _template(tables: dict[str, CanonicalTable], year: int | None) -> str | None:
    """Table 二's headers decide; else the （六） rows of table 三; else the year."""
    active = tables.get("active_disclosure")
    if active is not None and active.template:
        return active.template
    applications = tables.get("applications")
    rows = {c.row for c in applications.cells} if applications else set()
    if rows & {"other_no_correction", "other_unpaid_fee", "other_other"}:
        return "2021"
    if year is not None:
        return "2021" if year >= 2021 else "2019"
    return None


def _first_problem(tables: dict[str, CanonicalTable]) -> str:
    problems = [p for t in tables.values() for p in t.problems]
    return problems[0].message if problems else "no labelled rows"
