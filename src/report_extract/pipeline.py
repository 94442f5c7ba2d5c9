"""extract(path) -> Report: ingest -> detect -> normalize -> validate, one report."""

from __future__ import annotations

import os
import stat

from report_extract.detect.ruled import detect_tables, flag_doubtful_joins
from report_extract.errors import (
    DetectorNotForPageError,
    MissingFileError,
    ReportError,
    TemplateMismatchError,
    internal_error,
)
from report_extract.extra_rows import extra_rows
from report_extract.limits import DEFAULT, Limits, deadline
from report_extract.metadata import read_metadata, title_doubt
from report_extract.models import (
    NO_PAGE,
    TABLE_NAMES,
    CanonicalTable,
    Document,
    Grid,
    Problem,
    Report,
)
from report_extract.normalize.align import normalize_tables
from report_extract.provenance import record_provenance
from report_extract.read.pdf import DEFAULT_READER, read_document
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
    reader: str = DEFAULT_READER, limits: Limits = DEFAULT,
) -> Report:
    """Extract one report. Raises a ReportError subclass (with file and reason) on bad input.

    mode: "auto" reads each page's text layer, or OCRs the page when it is a picture or
    its text layer is garbled; "text" never OCRs; "ocr" OCRs every page.
    progress: a progress bar over OCR'd pages (shown only on a terminal).
    A web page (.html/.htm, sniffed by content) is read from its markup (read/html.py);
    with a detector other than the default it is refused (DetectorNotForPageError).
    limits: what the file may cost (report_extract.limits); its timeout holds here for
    Python code in the main thread (for native code too, see limits.run_isolated).
    This is the file boundary: any other exception becomes a one-line ReportError
    (InternalError with its type and message, OutOfMemoryError, RecursiveStructureError).
    """
    name = source_file or os.path.basename(os.fspath(path))
    try:
        with deadline(limits.timeout, name):
            return _extract(path, detector, source_file, mode, ocr_engine, progress, limits,
                            reader)
    except ReportError:
        raise
    except Exception as error:
        raise internal_error(name, error) from error


def _extract(path: str | os.PathLike[str], detector: str, source_file: str | None, mode: str,
             ocr_engine: str, progress: bool, limits: Limits, reader: str) -> Report:
    if not os.path.lexists(path):
        raise MissingFileError(source_file or os.path.basename(os.fspath(path)),
                               "file not found")
    if is_html(path, source_file):
        if detector != DETECTORS[0]:  # the default: no detector asked for
            raise DetectorNotForPageError(
                source_file or os.path.basename(os.fspath(path)),
                f"the {detector} detector finds ruled tables in a PDF; a web page's tables are "
                f"read from its markup: leave out --detector {detector} for it")
        return extract_html(path, source_file=source_file)
    document = read_document(path, source_file, require_text=mode == "text", limits=limits,
                             reader=reader)
    if mode != "text":  # OCR routing (issue 5): scan/ is imported only here
        from report_extract.scan import route_document

        document = route_document(document, mode=mode, engine=ocr_engine, progress=progress)
    report = extract_document(document, detector=detector)
    if any(source == "ocr" for source in report.page_sources.values()):
        report.ocr_engine = ocr_engine
    return report


def is_html(path: str | os.PathLike[str], source_file: str | None = None) -> bool:
    """Is the file a web page? By its first bytes, as a PDF is known by its header."""
    from report_extract.read.html import HEAD_SIZE, is_web_page

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False  # a FIFO or device is never opened here (it could block)
        with open(path, "rb") as handle:
            return is_web_page(handle.read(HEAD_SIZE), source_file or os.fspath(path))
    except OSError:
        return False  # the PDF reader words what is wrong with the path


def extract_html(path: str | os.PathLike[str], *, source_file: str | None = None) -> Report:
    """A report published as a web page: its tables from the markup, then the PDF path's
    normalize -> validate. The report has no pages (0) and its cells no page."""
    from report_extract.read.html import read_html

    page = read_html(path, source_file)
    report = _report(page.source_file, page.grids, page.agency, page.year, pages=0)
    report.page_sources = {NO_PAGE: "html"}
    return report


def extract_document(document: Document, *, detector: str = "pdfplumber") -> Report:
    grids = detect_grids(document, detector)
    agency, year = read_metadata(document)
    doubt = title_doubt(document, (agency, year))
    report = _report(document.source_file, grids, agency, year, pages=len(document.pages),
                     notes=[doubt] if doubt else [])
    record_provenance(report, document)
    if any(page.source == "ocr" for page in document.pages):  # OCR candidates (issue 5)
        from report_extract.scan.uncertainty import explain_ocr_values

        explain_ocr_values(report, document)
    return report


def _report(source_file: str, grids: dict[str, Grid], agency: str | None, year: int | None,
            *, pages: int, notes: list[Problem] | None = None) -> Report:
    """Normalized and checked tables of the grids found, as a Report."""
    tables = normalize_tables(grids)
    flag_doubtful_joins(grids, tables)
    if not any(t.cells for t in tables.values()):
        raise TemplateMismatchError(
            source_file,
            "tables found, but none matches the 2019 or 2021 template "
            f"({_first_problem(tables)})",
        )
    for name in TABLE_NAMES:
        if name not in tables:
            tables[name] = CanonicalTable(name, problems=[
                Problem(name, "table_missing", f"table {name} not found in the report")])
    report = Report(source_file, agency, year, _template(tables, year), tables, pages=pages,
                    notes=notes or [])
    report.checks = check_report(report)
    report.extra_rows = extra_rows(grids, tables)
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
