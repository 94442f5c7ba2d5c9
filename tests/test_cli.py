"""The command line: help everywhere, exact one-line errors, exit codes, no partial output."""

from __future__ import annotations

import csv
import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from batch_support import (
    FIXTURE_2021,
    NO_OCR_REASON,
    REPO,
    SHARED_REAL,
    encrypted,
    ocr_installed,
    scanned,
    temp_leftovers,
    truncated,
    variant,
)
from click.testing import CliRunner

from report_extract import pipeline
from report_extract.cli import DETECTORS, FORMATS, OCR_ENGINES, OCR_MODES, main
from report_extract.scan.route import ENGINES, MODES
from report_extract.write import FORMATS as WRITE_FORMATS

pytestmark = pytest.mark.skipif(not FIXTURE_2021.is_file(),
                                reason=f"generated fixtures missing: {FIXTURE_2021}")
HONGZE = SHARED_REAL / "hongze-district-2023.pdf"
SCAN_REFUSAL = "no text layer on pages 1-3: scanned report, OCR needed"
needs_ocr = pytest.mark.skipif(not ocr_installed(), reason=NO_OCR_REASON)


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> Path:
    """t2021-full.pdf as an image-only PDF (3 pages, no text layer)."""
    return scanned(FIXTURE_2021, tmp_path_factory.mktemp("scan") / "scan.pdf")


@pytest.fixture()
def no_ocr_engine(monkeypatch):
    """As on a machine without the ocr extra (nor tesseract)."""
    monkeypatch.setattr("report_extract.scan.engines.available_engines", lambda: [])


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("command", [[], ["extract"], ["convert"], ["check"], ["schema"],
                                     ["review"]])
def test_every_command_has_help(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ")
    assert "--help" in result.stdout


def test_every_command_is_covered_by_the_help_test():
    assert sorted(main.commands) == ["check", "convert", "extract", "review", "schema"]


def test_cli_choices_match_the_library():
    assert DETECTORS == pipeline.DETECTORS
    assert FORMATS == WRITE_FORMATS
    assert OCR_MODES == MODES
    assert OCR_ENGINES == ENGINES


def test_starting_the_command_imports_neither_pdf_nor_ocr_libraries():
    process = subprocess.run([sys.executable, "-c", (
        "import sys, report_extract.cli\n"
        "print(sorted(m for m in ('cv2', 'pdfplumber', 'numpy') if m in sys.modules))")],
        capture_output=True, text=True, check=True)
    assert process.stdout == "[]\n"


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout == "report-extract, version 0.1.0\n"


def test_extract_prints_the_canonical_json(tmp_path):
    result = run("extract", FIXTURE_2021)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    printed = json.loads(result.stdout)
    assert printed == pipeline.extract(FIXTURE_2021).to_dict()
    assert list(printed) == ["source_file", "agency", "year", "template", "tables",
                             "check_failures"]
    assert "\\u" not in result.stdout  # Chinese printed as Chinese


def test_extract_warns_of_unplaced_labels_and_details_lists_them():
    extra = FIXTURE_2021.with_name("extra-rows.pdf")
    result = run("extract", extra)
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        "warning: extra-rows.pdf: active_disclosure: label '行政确认' not placed: "
        "no template label is close (best: 行政许可) (page 2)")
    detailed = json.loads(run("extract", "--details", extra).stdout)
    assert [p["raw_text"] for p in detailed["problems"]] == ["行政确认", "其中：网上申请",
                                                            "（八）其他说明"]


@pytest.mark.skipif(not HONGZE.is_file(), reason=f"real report not available: {HONGZE} "
                    "is absent (../shared is not part of the repo)")
def test_extract_real_report():
    result = run("extract", HONGZE)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["year"], report["template"]) == (2023, "2021")
    assert "review_litigation.total:review" in report["check_failures"]


def _bad_inputs(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, the exact reason the CLI prints after "error: NAME: ")."""
    folder.mkdir(parents=True, exist_ok=True)
    text = folder / "notes.pdf"
    text.write_text("minutes of the meeting, not a PDF", encoding="utf-8")
    html = folder / "download.pdf"
    html.write_text("<!DOCTYPE html><html><body>404 Not Found</body></html>")
    empty = folder / "empty.pdf"
    empty.write_bytes(b"")
    return {
        "text": (text, "not a PDF (no %PDF- header)"),
        "html": (html, "not a PDF (it is an HTML page)"),
        "empty": (empty, "empty file (0 bytes), not a PDF"),
        "encrypted": (encrypted(FIXTURE_2021, folder / "locked.pdf"),
                      "encrypted PDF: a password is needed to open it"),
        "missing": (folder / "missing.pdf", "file not found"),
    }


@pytest.mark.parametrize("case", ["text", "html", "empty", "encrypted", "missing"])
def test_extract_bad_input_exact_message(tmp_path, case):
    path, reason = _bad_inputs(tmp_path / "in")[case]
    before = sorted(tmp_path.rglob("*"))
    result = run("extract", path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"error: {path.name}: {reason}\n"
    assert sorted(tmp_path.rglob("*")) == before  # nothing written, nothing half-written


def test_extract_truncated_pdf(tmp_path):
    path = truncated(FIXTURE_2021, tmp_path / "truncated.pdf")
    result = run("extract", path)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("error: truncated.pdf: corrupt or truncated PDF (")
    assert result.stderr.endswith(")\n") and result.stderr.count("\n") == 1


def test_extract_error_is_one_line_without_traceback_from_the_installed_command(tmp_path):
    path, reason = _bad_inputs(tmp_path)["encrypted"]
    process = subprocess.run([sys.executable, "-m", "report_extract.cli", "extract", str(path)],
                             capture_output=True, text=True)
    assert process.returncode == 1
    assert process.stderr == f"error: locked.pdf: {reason}\n"


def test_unknown_detector_is_a_usage_error():
    result = run("extract", FIXTURE_2021, "--detector", "ocr")
    assert result.exit_code == 2
    assert "Invalid value for '--detector'" in result.stderr


def test_convert_bad_inputs_are_listed_and_exit_1(tmp_path):
    folder = tmp_path / "in"
    cases = _bad_inputs(folder)
    cases.pop("missing")
    truncated(FIXTURE_2021, folder / "truncated.pdf")
    variant(FIXTURE_2021, folder / "good.pdf", "good")
    out = tmp_path / "out"
    result = run("convert", folder, "-o", out, "--workers", "2")
    assert result.exit_code == 1
    assert result.stdout.startswith("1 converted, 5 failed (3 not a PDF, 1 corrupt, "
                                    "1 encrypted), 0 checks failed, ")
    assert result.stderr.splitlines()[0] == "3 PDF files to convert (3 files that are not PDFs)"
    errors = (out / "errors.csv").read_text(encoding="utf-8-sig").splitlines()
    messages = {line.split(",")[0]: line for line in errors[1:]}
    for path, reason in cases.values():
        assert reason in messages[path.name]
    assert not temp_leftovers(out)


def test_convert_success_exit_0_and_quiet(tmp_path):
    good = variant(FIXTURE_2021, tmp_path / "in" / "good.pdf", "good")
    result = run("convert", good, "-o", tmp_path / "out", "--format", "parquet", "--quiet")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert (tmp_path / "out" / "cells" / "year=2025").is_dir() or any(
        (tmp_path / "out" / "cells").iterdir())
    again = run("convert", good, "-o", tmp_path / "out", "--format", "parquet")
    assert again.exit_code == 0
    assert again.stdout.startswith("1 converted (1 in an earlier run), 0 failed, ")


def test_convert_usage_errors(tmp_path):
    # A missing input is recorded as failed (errors table) and the batch goes on.
    missing = run("convert", tmp_path / "nope", "-o", tmp_path / "missing", "-q")
    assert missing.exit_code == 1
    assert missing.stderr == f"error: no such file or folder: {tmp_path / 'nope'}\n"
    nothing = run("convert", "-o", tmp_path / "out")
    assert nothing.exit_code == 2
    assert nothing.stderr == ("error: nothing to convert: give files, folders or globs, "
                              "or --from-list FILE\n")
    no_output = run("convert", FIXTURE_2021)
    assert no_output.exit_code == 2 and "Missing option '-o'" in no_output.stderr
    bad_workers = run("convert", FIXTURE_2021, "-o", tmp_path / "out", "--workers", "0")
    assert bad_workers.exit_code == 2
    assert not (tmp_path / "out" / "reports.csv").exists()


def test_convert_from_list(tmp_path):
    good = variant(FIXTURE_2021, tmp_path / "in" / "good.pdf", "good")
    listing = tmp_path / "list.txt"
    listing.write_text(f"# reports to do\n{good}\n", encoding="utf-8")
    result = run("convert", "--from-list", listing, "-o", tmp_path / "out", "-q")
    assert result.exit_code == 0
    assert (tmp_path / "out" / "reports.csv").read_text(encoding="utf-8-sig").count("\n") == 2


def test_extract_text_mode_refuses_a_scan(scan):
    result = run("extract", "--ocr", "text", scan)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: scan.pdf: {SCAN_REFUSAL}\n"


@pytest.mark.parametrize(("args", "reason"), [
    ([], f"{SCAN_REFUSAL} ({NO_OCR_REASON})"),
    (["--ocr", "ocr"], NO_OCR_REASON),
    (["--ocr-engine", "tesseract"], f"{SCAN_REFUSAL} (tesseract not installed: apt-get install "
                                    "tesseract-ocr tesseract-ocr-chi-sim)"),
], ids=["auto", "ocr", "tesseract"])
def test_extract_scan_without_the_ocr_engine_is_one_line_error(scan, no_ocr_engine, args,
                                                               reason):
    result = run("extract", *args, scan)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: scan.pdf: {reason}\n"


def test_extract_ocr_mode_on_a_text_report_needs_the_engine_too(no_ocr_engine):
    result = run("extract", "--ocr", "ocr", FIXTURE_2021)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: t2021-full.pdf: {NO_OCR_REASON}\n"


def test_unknown_ocr_mode_and_engine_are_usage_errors():
    mode = run("extract", FIXTURE_2021, "--ocr", "always")
    assert mode.exit_code == 2
    assert ("Invalid value for '--ocr': 'always' is not one of 'auto', 'text', 'ocr'."
            in mode.stderr)
    engine = run("convert", FIXTURE_2021, "-o", "unused", "--ocr-engine", "paddle")
    assert engine.exit_code == 2
    assert ("Invalid value for '--ocr-engine': 'paddle' is not one of 'rapidocr', "
            "'tesseract'." in engine.stderr)


@needs_ocr
def test_extract_reads_a_scan_with_a_progress_bar_on_a_terminal(scan, tmp_path):
    """The one real OCR run of these tests (~10 s): stderr is a terminal, stdout a file."""
    leader, follower = pty.openpty()
    # A real terminal has a size; tqdm draws nothing on a 0-column one.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    stdout = tmp_path / "stdout.json"
    with open(stdout, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "report_extract.cli", "extract", str(scan)],
            stdout=out, stderr=follower, cwd=REPO)
    os.close(follower)
    shown = b""
    while True:  # read the terminal until the child closes it
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child has exited
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 0, shown.decode(errors="replace")
    terminal = shown.decode(errors="replace")
    assert "OCR scan.pdf:   0%|" in terminal and "| 3/3 [" in terminal and "page/s" in terminal
    assert "warning:" not in terminal and "error:" not in terminal
    printed = json.loads(stdout.read_text(encoding="utf-8"))
    text_layer = pipeline.extract(FIXTURE_2021).to_dict()
    assert printed["source_file"] == "scan.pdf"
    assert {k: v for k, v in printed.items() if k != "source_file"} == {
        k: v for k, v in text_layer.items() if k != "source_file"}


def test_convert_ocr_options_reach_the_batch(tmp_path, scan, no_ocr_engine):
    folder = tmp_path / "in"
    variant(FIXTURE_2021, folder / "good.pdf", "good")
    (folder / "scan.pdf").write_bytes(scan.read_bytes())
    out = tmp_path / "out"

    def errors() -> list[tuple[str, str, str, str]]:
        with open(out / "errors.csv", encoding="utf-8-sig", newline="") as handle:
            return [(r["source_file"], r["stage"], r["kind"], r["message"])
                    for r in csv.DictReader(handle)]

    text = run("convert", folder, "-o", out, "--workers", "1", "--ocr", "text")
    assert text.exit_code == 1
    assert text.stdout.startswith("1 converted, 1 failed (1 no text layer), 0 checks failed, ")
    assert errors() == [("scan.pdf", "ingest", "no_text_layer", SCAN_REFUSAL)]
    auto = run("convert", folder, "-o", out, "--workers", "1")  # another mode: both redone
    assert auto.exit_code == 1
    assert auto.stderr.splitlines()[0] == "2 PDF files to convert"
    assert auto.stdout.startswith("1 converted, 1 failed (1 no text layer), 0 checks failed, ")
    assert errors() == [("scan.pdf", "ingest", "no_text_layer",
                         f"{SCAN_REFUSAL} ({NO_OCR_REASON})")]
