"""The command line: help everywhere, exact one-line errors, exit codes, no partial output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from batch_support import (
    FIXTURE_2021,
    SHARED_REAL,
    encrypted,
    temp_leftovers,
    truncated,
    variant,
)
from click.testing import CliRunner

from report_extract import pipeline
from report_extract.cli import DETECTORS, FORMATS, main
from report_extract.write import FORMATS as WRITE_FORMATS

pytestmark = pytest.mark.skipif(not FIXTURE_2021.is_file(),
                                reason=f"generated fixtures missing: {FIXTURE_2021}")
HONGZE = SHARED_REAL / "hongze-district-2023.pdf"


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("command", [[], ["extract"], ["convert"]])
def test_every_command_has_help(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ")
    assert "--help" in result.stdout


def test_every_command_is_covered_by_the_help_test():
    assert sorted(main.commands) == ["convert", "extract"]


def test_cli_choices_match_the_library():
    assert DETECTORS == pipeline.DETECTORS
    assert FORMATS == WRITE_FORMATS


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
    missing = run("convert", tmp_path / "nope", "-o", tmp_path / "out")
    assert missing.exit_code == 2
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
