"""Hostile and broken PDFs (issue 19): every failure is one line with a typed reason, and
the work per file is bounded. The files are made by tests/hostile_fixtures.py from a
generated report; each reproduces a crash, hang or blow-up of an earlier version."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import tracemalloc

import pytest
from batch_support import ocr_installed
from conftest import FIXTURES, REPO
from hostile_fixtures import BUILDERS, build

from report_extract import limits as limits_module
from report_extract.errors import (
    BadPageBoxError,
    CorruptPdfError,
    ExtractTimeoutError,
    InternalError,
    NoTablesError,
    OutOfMemoryError,
    RecursiveStructureError,
    TooLargeError,
    WorkerCrashedError,
)
from report_extract.limits import Limits, check_file, run_isolated
from report_extract.pipeline import extract as extract_report

pytest.importorskip("pikepdf")

# The crash signatures below are pdfminer/pdfplumber's: they are tested on the reference
# reader. The PDFium reader (the default) reads every fixture to a report or a typed error:
# test_pdfium_reader_reads_each_fixture_or_refuses_it.
extract = functools.partial(extract_report, reader="pdfplumber")

BASE = FIXTURES / "t2021-full.pdf"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    return lambda name: build(name, folder)


@pytest.fixture(scope="module")
def base_report():
    return extract(BASE).to_dict()


def _same_tables(report, base_report) -> bool:
    return report.to_dict()["tables"] == base_report["tables"]


# --- crash signatures of issue 19 ----------------------------------------------------

PDFIUM_OUTCOMES = {  # what the PDFium reader makes of each fixture (None: a report)
    "pdfium-refuses": NoTablesError, "form-fanout": TooLargeError,
    "many-pages": TooLargeError, "huge-content": TooLargeError, "huge-page": TooLargeError,
    "flate-bomb": TooLargeError,
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_pdfium_reader_reads_each_fixture_or_refuses_it(hostile, name):
    expected = PDFIUM_OUTCOMES.get(name)
    if expected is None:
        assert extract_report(hostile(name), mode="text").tables
    else:
        with pytest.raises(expected):
            extract_report(hostile(name), mode="text")


def test_pdfium_refusal_in_the_router_is_not_a_crash(hostile):
    """Was: PdfiumError from the OCR router's own opening of the file (a traceback)."""
    path = hostile("pdfium-refuses")
    with pytest.raises(NoTablesError) as error:
        extract(path)
    assert str(error.value) == ("pdfium-refuses.pdf: no statistical tables found (no table "
                                "under headings 二/三/四 matches a template)")


@pytest.mark.skipif(not ocr_installed(), reason="rapidocr is not installed (the ocr extra)")
def test_pdfium_refusal_when_pages_need_ocr(hostile):
    path = hostile("pdfium-refuses")
    with pytest.raises(CorruptPdfError) as error:
        extract(path, mode="ocr")
    assert str(error.value) == (
        "pdfium-refuses.pdf: corrupt PDF: pages 1, 2, 3 need OCR, but PDFium cannot open the "
        "file (Failed to load document (PDFium: Data format error).)")


def test_short_mediabox(hostile):
    """Was: IndexError in pdfplumber's normalize_box."""
    with pytest.raises(BadPageBoxError) as error:
        extract(hostile("short-mediabox"))
    assert str(error.value) == ("short-mediabox.pdf: corrupt PDF: page 2 has a broken "
                                "/MediaBox ([0, 0, 612]), not four numbers")
    assert error.value.code == "bad_page_box"


def test_text_in_cropbox(hostile):
    """Was: MalformedPDFException in pdfplumber's normalize_box."""
    with pytest.raises(BadPageBoxError) as error:
        extract(hostile("text-in-cropbox"))
    assert str(error.value) == ("text-in-cropbox.pdf: corrupt PDF: page 3 has a broken "
                                "/CropBox ([b'a', 0, 612, 792]), not four numbers")


def test_self_referencing_object(hostile):
    """Was: RecursionError (wrapped in MalformedPDFException) in pdfplumber's pdfinternals."""
    with pytest.raises(RecursiveStructureError) as error:
        extract(hostile("self-containing-rotate"))
    assert str(error.value) == ("self-containing-rotate.pdf: corrupt PDF: page 1: objects "
                                "refer to themselves or nest without end")
    assert error.value.code == "recursive_structure"


def test_deeply_nested_metadata_does_not_stop_the_report(hostile, base_report):
    """Was: RecursionError in the dict comprehension over the metadata."""
    report = extract(hostile("deep-metadata"))
    assert _same_tables(report, base_report)


def test_damaged_utf16_title_is_read_with_a_replacement_character(hostile):
    """Was (fuzz, PDFium): UnicodeDecodeError from a lone surrogate in /Title."""
    from report_extract.read.pdf import read_document

    path = hostile("broken-utf16-title")
    assert read_document(path).metadata["Title"] == "报\ufffd告"
    assert extract_report(path, mode="text").agency == "金湖县人民政府办公室"


def test_self_drawing_form_and_resources(hostile, base_report):
    report = extract(hostile("self-drawing-form"))
    assert _same_tables(report, base_report)


def test_forms_drawing_forms_are_refused_before_running(hostile):
    """Was: a hang (2**40 form drawings from a few hundred bytes)."""
    with pytest.raises(TooLargeError) as error:
        extract(hostile("form-fanout"))
    assert str(error.value) == (
        "form-fanout.pdf: too large: page 1 draws more than 4 MB of content (forms drawn "
        "within forms; --max-page-content-mb)")


def test_decompression_bomb_is_refused_before_it_is_inflated(hostile):
    """Was: memory blow-ups. The bomb is measured chunk by chunk, never held."""
    import pikepdf

    path = hostile("flate-bomb")  # 64 MB of zeros in a ~65 KB stream
    with pikepdf.open(path) as pdf:
        number = pdf.pages[0].obj.Contents.objgen[0]
    limits = Limits(max_stream_mb=32)
    tracemalloc.start()
    try:
        with pytest.raises(TooLargeError) as error:
            check_file(path, path.name, limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20
    assert str(error.value) == (
        f"flate-bomb.pdf: too large: a stream (object {number}) decodes to over 32 MB "
        "(--max-stream-mb); refused before inflating it (decompression bomb?)")
    with pytest.raises(TooLargeError) as error:
        extract(path, limits=limits)
    assert error.value.code == "too_large"


def test_page_with_huge_content(hostile):
    with pytest.raises(TooLargeError) as error:
        extract(hostile("huge-content"))
    assert str(error.value) == ("huge-content.pdf: too large: page 1 has 6 MB of content, "
                                "over the limit of 4 MB (--max-page-content-mb)")


@pytest.mark.parametrize("reader", ["pdfium", "pdfplumber"])
def test_each_reader_refuses_huge_content_before_parsing_it(hostile, reader):
    """Was (PDFium): the page's 6 MB were parsed, 923 MB for a 60 MB page; now both
    readers refuse it from the raw bytes' measure, with the same words."""
    tracemalloc.start()
    try:
        with pytest.raises(TooLargeError) as error:
            extract_report(hostile("huge-content"), reader=reader, mode="text")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(error.value) == ("huge-content.pdf: too large: page 1 has 6 MB of content, "
                                "over the limit of 4 MB (--max-page-content-mb)")
    assert peak < 32 << 20


def test_page_contents_follow_the_page_tree(tmp_path):
    """The raw-bytes walk finds each page's streams in the page tree's order (PDFium's),
    also in a tree whose pages were reordered."""
    import pikepdf

    path = tmp_path / "reordered.pdf"
    with pikepdf.open(BASE) as pdf:
        pdf.pages.reverse()
        pdf.save(path, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    with pikepdf.open(path) as pdf:
        contents = [page.obj.Contents for page in pdf.pages]
        expected = tuple((c.objgen[0],) if isinstance(c, pikepdf.Stream)
                         else tuple(part.objgen[0] for part in c) for c in contents)
    assert len(expected) == 3
    assert check_file(path, path.name).page_contents == expected


def test_huge_page_on_pdfium(hostile):
    with pytest.raises(TooLargeError) as error:
        extract_report(hostile("huge-page"), mode="text")
    assert str(error.value) == ("huge-page.pdf: too large: page 2 is 200000 pt long, over the "
                                "limit of 5000 pt (--max-page-side)")


def test_huge_page(hostile):
    with pytest.raises(TooLargeError) as error:
        extract(hostile("huge-page"))
    assert str(error.value) == ("huge-page.pdf: too large: page 2 is 200000 pt long, over the "
                                "limit of 5000 pt (--max-page-side)")


def test_too_many_pages_are_refused_before_parsing(hostile):
    with pytest.raises(TooLargeError) as error:
        extract(hostile("many-pages"), limits=Limits(max_pages=1000, timeout=20))
    assert str(error.value) == "many-pages.pdf: too large: more than 1000 pages (--max-pages)"


def test_limits_are_overridable(hostile):
    report = extract(hostile("huge-page"), limits=Limits(max_page_side=300000))
    assert report.pages == 3


def test_real_report_passes_the_default_limits():
    real = REPO.parent / "shared" / "real"
    pdfs = sorted(real.glob("*.pdf")) if real.is_dir() else []
    if not pdfs:
        pytest.skip(f"real reports not available: {real} is absent (not part of the repo)")
    for pdf in pdfs:
        assert check_file(pdf, pdf.name) is not None
        assert extract(pdf, limits=Limits()).pages > 0


# --- the file boundary ----------------------------------------------------------------

def test_unknown_exception_becomes_an_internal_error(monkeypatch):
    import report_extract.pipeline as pipeline

    def broken(document):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(pipeline, "detect_tables", broken)
    with pytest.raises(InternalError) as error:
        extract(BASE)
    assert str(error.value) == ("t2021-full.pdf: internal error (please report it): "
                                "ZeroDivisionError: division by zero")
    assert (error.value.code, error.value.stage) == ("internal_error", "extract")
    assert isinstance(error.value.__cause__, ZeroDivisionError)


def test_memory_error_becomes_out_of_memory(monkeypatch):
    import report_extract.pipeline as pipeline

    def greedy(document):
        raise MemoryError

    monkeypatch.setattr(pipeline, "detect_tables", greedy)
    with pytest.raises(OutOfMemoryError) as error:
        extract(BASE)
    assert str(error.value) == ("t2021-full.pdf: ran out of memory while extracting (the "
                                "memory limit is --memory-limit)")


def test_timeout_holds_in_the_library(monkeypatch):
    import report_extract.pipeline as pipeline

    def endless(document):
        while True:
            pass

    monkeypatch.setattr(pipeline, "detect_tables", endless)
    with pytest.raises(ExtractTimeoutError) as error:
        extract(BASE, limits=Limits(timeout=0.5))
    assert str(error.value) == ("t2021-full.pdf: no result after 0.5 s: stopped (raise "
                                "--timeout for very long reports)")
    assert error.value.code == "timeout"


# --- run_isolated: the child process of `extract` -------------------------------------

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")


@needs_fork
def test_isolated_native_hang_is_killed(monkeypatch):
    monkeypatch.setattr(limits_module, "GRACE", 0.5)  # how long past the timeout it may run
    def blocked():  # the alarm cannot interrupt it: as a hang in native code
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        import time

        time.sleep(60)

    with pytest.raises(ExtractTimeoutError) as error:
        run_isolated(blocked, "x.pdf", Limits(timeout=0.5))
    assert str(error.value) == ("x.pdf: no result after 0.5 s: stopped (raise --timeout for "
                                "very long reports)")


@needs_fork
def test_isolated_native_crash_is_one_line():
    def crash():
        import faulthandler

        faulthandler.disable()
        os.kill(os.getpid(), signal.SIGSEGV)

    with pytest.raises(WorkerCrashedError) as error:
        run_isolated(crash, "x.pdf", Limits(timeout=10))
    assert str(error.value) == ("x.pdf: crash: the process extracting it died (SIGSEGV; a "
                                "crash in native code, e.g. PDFium, on a damaged file)")
    assert error.value.code == "crash"


@needs_fork
def test_isolated_memory_limit():
    def greedy():
        return len(bytearray(3 << 30))

    with pytest.raises(OutOfMemoryError):
        run_isolated(greedy, "x.pdf", Limits(timeout=30, memory_mb=2048))


@needs_fork
def test_isolated_result_and_typed_error_come_back(hostile):
    report = run_isolated(lambda: extract(BASE), "t2021-full.pdf", Limits(timeout=60))
    assert report.pages == 3
    with pytest.raises(BadPageBoxError) as error:
        run_isolated(lambda: extract(hostile("short-mediabox")), "short-mediabox.pdf")
    assert error.value.reason.startswith("corrupt PDF: page 2 has a broken /MediaBox")


# --- the command line -----------------------------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run([sys.executable, "-m", "report_extract.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_one_line_error_per_signature(hostile):
    for name, reason in (
            ("short-mediabox", "corrupt PDF: page 2 has a broken /MediaBox ([0, 0, 612]), "
                               "not four numbers"),
            ("self-containing-rotate", "corrupt PDF: page 1: objects refer to themselves or "
                                       "nest without end")):
        result = _cli("extract", "--reader", "pdfplumber", str(hostile(name)))
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert result.stderr.splitlines()[-1] == f"error: {name}.pdf: {reason}"


@needs_fork
def test_cli_timeout_holds_on_a_hang_in_content_interpretation(hostile, tmp_path):
    """2**30 form drawings let through by a raised content limit: a real hang in pdfminer's
    interpreter, stopped by --timeout."""
    from hostile_fixtures import form_fanout

    path = tmp_path / "fanout.pdf"
    path.write_bytes(form_fanout(BASE.read_bytes(), depth=30))
    result = _cli("extract", "--ocr", "text", "--timeout", "2",
                  "--max-page-content-mb", "100000", str(path))
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "error: fanout.pdf: no result after 2 s: stopped (raise --timeout for very long "
        "reports)")


def test_cli_rejects_a_bad_limit():
    result = _cli("extract", "--memory-limit", "10", str(BASE))
    assert result.returncode == 2
    assert result.stderr.strip() == "error: bad limit: memory_mb must be at least 256, not 10"


def test_limits_reject_nonsense():
    with pytest.raises(ValueError, match="max_pages must be positive, not 0"):
        Limits(max_pages=0)
    with pytest.raises(ValueError, match="timeout must be positive seconds, not -1"):
        Limits(timeout=-1)


# --- a batch with hostile files -------------------------------------------------------

def test_batch_records_each_hostile_file_and_resumes(hostile, tmp_path):
    """Good files in the same batch still convert; each failure is an errors row with its
    code and reason; a second run reuses results and failures (redoes them when asked)."""
    import csv
    import shutil

    from report_extract.batch import convert

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(BASE, folder / "good.pdf")
    for name in ("short-mediabox", "self-containing-rotate", "huge-page"):
        shutil.copy(hostile(name), folder / f"{name}.pdf")
    out = tmp_path / "out"
    limits = Limits(timeout=60)
    summary = convert([folder], out, workers=2, progress=False, limits=limits,
                      reader="pdfplumber")
    assert (summary.converted, summary.failed) == (1, 3)
    assert summary.failed_by_kind == {"bad_page_box": 1, "recursive_structure": 1,
                                      "too_large": 1}
    with open(out / "errors.csv", encoding="utf-8-sig", newline="") as handle:
        errors = {row["source_file"]: row for row in csv.DictReader(handle)}
    assert {name: (row["stage"], row["kind"], row["message"]) for name, row in errors.items()} \
        == {"short-mediabox.pdf": ("ingest", "bad_page_box", "corrupt PDF: page 2 has a broken "
                                   "/MediaBox ([0, 0, 612]), not four numbers"),
            "self-containing-rotate.pdf": ("ingest", "recursive_structure", "corrupt PDF: page "
                                           "1: objects refer to themselves or nest without end"),
            "huge-page.pdf": ("ingest", "too_large", "too large: page 2 is 200000 pt long, "
                              "over the limit of 5000 pt (--max-page-side)")}
    again = convert([folder], out, workers=2, progress=False, limits=limits,
                    reader="pdfplumber")
    assert (again.converted, again.earlier, again.failed, again.pages) == (1, 1, 3, 0)
    retried = convert([folder], out, workers=2, progress=False, limits=limits, reader="pdfplumber",
                      retry_failed=True)
    assert (retried.converted, retried.earlier, retried.failed) == (1, 1, 3)
    assert str(retried).startswith("1 converted (1 in an earlier run), 3 failed (1 broken "
                                   "page box, 1 self-referencing structure, 1 too large)")
