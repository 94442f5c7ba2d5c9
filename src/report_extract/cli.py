"""The command line: a thin layer over report_extract.extract and report_extract.convert.

Typed errors become one line on stderr ("error: FILE: reason") and an exit status:
0 success, 1 a report could not be extracted (or a batch had failures), 2 bad usage,
130 interrupted.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
from pathlib import Path
from typing import NoReturn

import click

from report_extract import __version__
from report_extract.errors import ReportError

DETECTORS = ("pdfplumber", "camelot")  # report_extract.pipeline.DETECTORS (a test checks)
FORMATS = ("csv", "parquet", "xlsx")  # report_extract.write.FORMATS
# report_extract.scan.route.MODES and scan.route.ENGINES (a test checks): literal here, as
# importing scan.route costs pdfplumber at every start of the command.
OCR_MODES = ("auto", "text", "ocr")
OCR_ENGINES = ("rapidocr", "tesseract")
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

READERS = ("pdfium", "pdfplumber")  # report_extract.read.pdf.READERS (a test checks)
reader_option = click.option(
    "--reader", type=click.Choice(READERS), default="pdfium", show_default=True,
    help="How the text layer is read: PDFium (fast), or pdfplumber (the reference; slower).")
detector_option = click.option(
    "--detector", type=click.Choice(DETECTORS), default="pdfplumber", show_default=True,
    help="How a PDF's ruled tables are found: pdfplumber's lines, or camelot's lattice "
         "parser (a web page's tables are its markup: camelot refuses a page).")


def ocr_options(command):
    """--ocr and --ocr-engine, the same on every command."""
    command = click.option(
        "--ocr-engine", type=click.Choice(OCR_ENGINES), default="rapidocr", show_default=True,
        help="The OCR engine: rapidocr (offline; pip install -e \".[ocr]\") or tesseract "
             "(needs tesseract-ocr and tesseract-ocr-chi-sim).")(command)
    return click.option(
        "--ocr", "ocr", type=click.Choice(OCR_MODES), default="auto", show_default=True,
        help="When pages are read by OCR: auto = the pages with no usable text layer "
             "(scanned or garbled); text = never (a scanned report is refused); "
             "ocr = every page.")(command)


def configure_logging(level: str | None) -> None:
    """The PDF libraries (pdfminer, pdfplumber, fontTools, ...) log every oddity of a
    damaged or browser-printed file: hundreds of lines before our one error line. Logging
    is quiet unless a level is asked for (--verbose is "info"); then messages of that level
    and above go to stderr, Python warnings with them."""
    logging.captureWarnings(True)
    root = logging.getLogger()
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    if level:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s: %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(level.upper())
    else:
        root.addHandler(logging.NullHandler())  # also keeps logging's last-resort printer off
        root.setLevel(logging.CRITICAL + 1)


def _verbose(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        configure_logging("info")
    return value


def verbose_option(command):
    return click.option("-v", "--verbose", is_flag=True, expose_value=False,
                        callback=_verbose,
                        help="Show the PDF libraries' log messages and warnings.")(command)


def limit_options(command):
    """--timeout, --memory-limit and the size limits (report_extract.limits.Limits)."""
    from report_extract.limits import DEFAULT as LIMITS  # light: no parser imported

    options = [
        ("--timeout", float, LIMITS.timeout, "S",
         "Give up on a file after S seconds (0: no limit)."),
        ("--memory-limit", int, LIMITS.memory_mb, "MB",
         "Memory (address space) one file may use, per worker (0: no limit)."),
        ("--max-pages", int, LIMITS.max_pages, "N", "Refuse a PDF of more pages."),
        ("--max-page-side", float, LIMITS.max_page_side, "PT",
         "Refuse a page longer than this, in points."),
        ("--max-file-mb", float, LIMITS.max_file_mb, "MB", "Refuse a larger file."),
        ("--max-page-content-mb", float, LIMITS.max_page_content_mb, "MB",
         "Refuse a page whose content streams decode to more."),
        ("--max-stream-mb", float, LIMITS.max_stream_mb, "MB",
         "Refuse a stream that decodes to more (a decompression bomb is refused before "
         "it is inflated)."),
    ]
    for flag, kind, default, metavar, text in reversed(options):
        command = click.option(flag, type=click.FloatRange(min=0) if kind is float
                               else click.IntRange(min=0), default=default, show_default=True,
                               metavar=metavar, help=text)(command)
    return command


def make_limits(timeout: float, memory_limit: int, max_pages: int, max_page_side: float,
                max_file_mb: float, max_page_content_mb: float, max_stream_mb: float):
    from report_extract.limits import Limits

    try:
        return Limits(max_pages=max_pages, max_page_side=max_page_side, max_file_mb=max_file_mb,
                      max_page_content_mb=max_page_content_mb, max_stream_mb=max_stream_mb,
                      timeout=timeout or None, memory_mb=memory_limit or None)
    except ValueError as error:
        fail(f"bad limit: {error}", EXIT_USAGE)


def fail(message: str, status: int = EXIT_FAILED) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(status)


LOG_LEVELS = ("debug", "info", "warning", "error")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="report-extract")
@click.option("-v", "--verbose", is_flag=True,
              help="Log what is done, with the PDF libraries' messages and warnings "
                   "(same as --log-level info).")
@click.option("--log-level", type=click.Choice(LOG_LEVELS), default=None,
              help="Log messages of this level and above on stderr.  [default: none: the PDF "
                   "libraries log every oddity of a damaged file]")
def main(verbose: bool, log_level: str | None) -> None:
    """Extract the statistical tables of 政府信息公开工作年度报告 (government
    information-disclosure annual reports) from PDFs into canonical, validated data."""
    # a command's own --verbose comes after and turns logging on
    configure_logging(log_level or ("info" if verbose else None))


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@verbose_option
@detector_option
@reader_option
@ocr_options
@click.option("--details", is_flag=True,
              help='Add "problems" (unplaced labels, unreadable values) to the JSON.')
@limit_options
def extract(file: Path, detector: str, reader: str, ocr: str, ocr_engine: str,
            details: bool, **limit_values) -> None:
    """Print one report's canonical JSON (tables and check failures) to stdout.

    Labels that could not be placed and values that could not be read are listed on
    stderr as warnings (with --details, in the JSON too). On a terminal, a progress bar
    on stderr follows the pages being OCR'd. The work runs in a child process held to
    --timeout and --memory-limit.
    """
    from report_extract.limits import run_isolated
    from report_extract.pipeline import extract as extract_report

    limits = make_limits(**limit_values)

    def work():
        return extract_report(file, detector=detector, mode=ocr, ocr_engine=ocr_engine,
                              progress=True, limits=limits, reader=reader)

    try:
        report = run_isolated(work, file.name, limits)
    except ReportError as error:
        fail(str(error))
    for problem in report.problems:
        page = f" (page {problem.page})" if problem.page else ""
        click.echo(f"warning: {report.source_file}: {problem.table}: {problem.message}{page}",
                   err=True)
    try:  # the write stage: a bug in serialising, or a reader gone (`| head`)
        click.echo(json.dumps(report.to_dict(details=details), ensure_ascii=False, indent=2))
    except OSError as error:
        fail(f"{file.name}: cannot write the result ({error.strerror or error})")
    except Exception as error:
        from report_extract.errors import internal_error

        fail(str(internal_error(file.name, error)))


@main.command()
@click.argument("inputs", nargs=-1)
@click.option("-o", "--output", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the tables, the manifest and the part files.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="csv: UTF-8 with BOM (opens in Excel); parquet: typed, partitioned by year; "
                   "xlsx: one workbook tables.xlsx, a sheet per table, Chinese labels "
                   "in its second header row.")
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="Worker processes.  [default: all cores]")
@click.option("--retry-failed", is_flag=True, help="Retry files that failed in an earlier run.")
@click.option("--from-list", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A text file of inputs, one a line ('#' starts a comment).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Run on a dask.distributed scheduler, e.g. tcp://10.0.0.5:8786.")
@detector_option
@reader_option
@ocr_options
@click.option("--agencies", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A CSV of agency aliases (columns agency,same_as) linking names that "
                   "are one agency.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
@verbose_option
@limit_options
def convert(inputs: tuple[str, ...], out_dir: Path, fmt: str, workers: int | None,
            retry_failed: bool, from_list: Path | None,
            dask_address: str | None, detector: str, reader: str, ocr: str,
            ocr_engine: str, agencies: Path | None, quiet: bool, **limit_values) -> None:
    """Convert PDFs, folders (recursively), globs and .zip archives into tables in OUTDIR.

    Each unique file (by SHA-256) is converted once. Re-running the same command skips
    what is done (a change of --detector, --reader, --ocr or --ocr-engine redoes it); a
    killed run continues where it stopped. Files that cannot be converted (and inputs that name
    nothing) are listed in the errors table; the exit status is 1 if any failed. OUTDIR
    is a growing dataset: its tables hold every report converted into it, checked across
    years of one agency (see `report-extract check`).
    """
    from report_extract.batch import InputNotFound, OutputError, OutputLocked, RunnerError
    from report_extract.batch import convert as convert_batch
    from report_extract.dataset.identity import AliasError

    if not inputs and from_list is None:
        fail("nothing to convert: give files, folders or globs, or --from-list FILE",
             EXIT_USAGE)
    limits = make_limits(**limit_values)
    # A polite kill (SIGTERM) saves finished work like Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        summary = convert_batch(inputs, out_dir, format=fmt, workers=workers,
                                timeout=limits.timeout, retry_failed=retry_failed,
                                dask_address=dask_address, progress=not quiet,
                                from_list=from_list, detector=detector, ocr=ocr,
                                ocr_engine=ocr_engine, agencies=agencies, reader=reader,
                                limits=limits)
    except (InputNotFound, AliasError) as error:
        fail(str(error), EXIT_USAGE)
    except (OutputLocked, OutputError, RunnerError) as error:
        fail(str(error))
    except KeyboardInterrupt:
        fail("interrupted: finished reports are saved; run the same command again to continue",
             EXIT_INTERRUPTED)
    for message in summary.missing_inputs:
        click.echo(f"error: {message}", err=True)
    if not quiet:
        click.echo(str(summary))
    sys.exit(summary.exit_code)


@main.command()
@click.argument("output", type=click.Path(path_type=Path))
@click.option("-o", "--site", "site_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the site (index.html, compare.html, reports/, renders/).")
@click.option("--pdfs", "pdf_dirs", multiple=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder to find the PDFs in by name, where their recorded paths "
                   "no longer resolve (repeatable).")
@click.option("--crops", type=click.Choice(("all", "flagged", "none")), default="all",
              show_default=True,
              help="Which pages are rendered for the crops: those of every value, only "
                   "those of failed checks' and uncertain values, or none.")
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="Processes drawing the page renders.  [default: all cores]")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
def review(output: Path, site_dir: Path, pdf_dirs: tuple[Path, ...], crops: str,
           workers: int | None, quiet: bool) -> None:
    """Write a static review site of the convert output folder OUTPUT: an index of
    reports, one page per report (failed checks first, each value linked to a crop of
    its PDF page), and agencies compared. Open SITE/index.html; no server needed.

    Page renders are drawn once and reused by later builds.
    """
    from report_extract.review import OutputError, build_site

    try:
        summary = build_site(output, site_dir, pdf_dirs=pdf_dirs, crops=crops,
                             workers=workers, progress=not quiet)
    except OutputError as error:
        fail(str(error))
    for problem in summary.problems:
        click.echo(f"warning: {problem}", err=True)
    if not quiet:
        click.echo(str(summary))


@main.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--agencies", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A CSV of agency aliases (columns agency,same_as).")
def check(out_dir: Path, agencies: Path | None) -> None:
    """Check the dataset in OUT_DIR (made by convert) again: rules 5-6 between
    consecutive years of one agency and conflicting reports of one agency-year are run
    anew over all its reports (with the agency links of --agencies), with each report's
    own rules 1-4 as extraction ran them. The tables are rewritten; a line per failure
    is printed. Exit status 1 when an error-level check fails or reports conflict."""
    from report_extract.batch import OutputLocked
    from report_extract.batch.assemble import check_dataset
    from report_extract.dataset.identity import AliasError

    try:
        result = check_dataset(out_dir, agencies=agencies)
    except (FileNotFoundError, AliasError) as error:
        fail(str(error), EXIT_USAGE)
    except OutputLocked as error:
        fail(str(error))
    for line in result.lines:
        click.echo(line)
    click.echo(result.summary_line)
    sys.exit(EXIT_FAILED if result.failed else 0)


@main.command()
@click.option("--template", type=click.Choice(("2019", "2021")),
              help="Only this template's keys.  [default: both]")
def schema(template: str | None) -> None:
    """Print the canonical keys of every table with the labels each template prints.
    Every output folder also holds them as a data dictionary: datapackage.json."""
    from report_extract.dataset.package import schema_text

    click.echo(schema_text(template))


if __name__ == "__main__":
    main()
