"""Batch conversion: archives, identity, resume, kill-safety, fault isolation, Dask."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from batch_support import (
    BUG,
    CRASH,
    FIXTURE_2019,
    FIXTURE_2021,
    HANG,
    HANG_NATIVE,
    HOLD,
    HOLD_ENV,
    MEMORY,
    NO_OCR_REASON,
    REPO,
    SLOW,
    encrypted,
    faulty_extract,
    ocr_installed,
    scanned,
    temp_leftovers,
    truncated,
    variant,
    write_zip,
)

from report_extract.batch import OutputLocked, convert, file_sha256, runners
from report_extract.write.manifest import Manifest, locked

pytestmark = pytest.mark.skipif(not FIXTURE_2021.is_file(),
                                reason=f"generated fixtures missing: {FIXTURE_2021}")
SCAN_REFUSAL = "no text layer on pages 1-3: scanned report, OCR needed"
TESSERACT_MISSING = "tesseract not installed: apt-get install tesseract-ocr tesseract-ocr-chi-sim"
TABLE_FILES = ("reports", "cells", "checks", "problems", "errors", "inputs",
               "active_disclosure", "applications", "review_litigation")


def rows(out: Path, table: str) -> list[dict[str, str]]:
    with open(out / f"{table}.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def dataset(out: Path) -> dict[str, bytes]:
    return {name: (out / f"{name}.csv").read_bytes() for name in TABLE_FILES}


def three_reports(folder: Path) -> list[Path]:
    return [variant(FIXTURE_2021, folder / "a.pdf", "a"),
            variant(FIXTURE_2019, folder / "sub" / "b.pdf", "b"),
            variant(FIXTURE_2021, folder / "sub" / "deeper" / "c.pdf", "c")]


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    """Nested folders, a zip (GBK names, a nested folder), duplicates and broken files."""
    root = tmp_path / "archive"
    good = three_reports(root)
    (root / "2023" / "dup-of-a.pdf").parent.mkdir(parents=True)
    (root / "2023" / "dup-of-a.pdf").write_bytes(good[0].read_bytes())
    (root / "download.pdf").write_text("<!DOCTYPE html><html><body>404</body></html>")
    (root / "notes.txt").write_text("not a report", encoding="utf-8")
    (root / "empty.pdf").write_bytes(b"")
    truncated(FIXTURE_2021, root / "broken" / "truncated.pdf")
    encrypted(FIXTURE_2021, root / "broken" / "locked.pdf")
    (root / ".DS_Store").write_bytes(b"\0junk")
    write_zip(root / "batch.zip", {
        "报告/洪泽区2023.pdf": variant(FIXTURE_2019, tmp_path / "z.pdf", "zipped").read_bytes(),
        "报告/副本.pdf": good[1].read_bytes(),  # same bytes as sub/b.pdf
        "readme.txt": b"hello",
    }, gbk_names=True)
    return root


def test_archive_is_recorded_correctly(archive: Path, tmp_path: Path):
    out = tmp_path / "out"
    summary = convert([archive], out, workers=2, progress=False)

    assert (summary.converted, summary.failed, summary.skipped, summary.duplicates) == (4, 4, 2, 2)
    assert summary.failed_by_kind == {"not_a_pdf": 2, "corrupt_pdf": 1, "encrypted_pdf": 1}
    assert summary.exit_code == 1
    assert str(summary).startswith(
        "4 converted, 4 failed (2 not a PDF, 1 corrupt, 1 encrypted), 0 checks failed, ")
    # a.pdf and c.pdf, b.pdf and the zipped one: other bytes, the same values (versions)
    assert (summary.copies, summary.conflicts) == (2, 0)
    assert str(summary).endswith("pages/s; 2 skipped (not a PDF), 2 duplicates, 2 reports "
                                 "with the same values as another of their agency-year "
                                 "(see versions)")

    reports = rows(out, "reports")
    assert [r["status"] for r in reports].count("ok") == 4
    assert [r["status"] for r in reports].count("failed") == 2  # the two broken PDFs
    assert [r["report_id"] for r in reports] == sorted(r["report_id"] for r in reports)
    zipped = next(r for r in reports if r["source_file"] == "洪泽区2023.pdf")
    assert zipped["template"] == "2019"

    errors = {Path(e["path"]).name: e for e in rows(out, "errors")}
    assert sorted(errors) == ["download.pdf", "empty.pdf", "locked.pdf", "truncated.pdf"]
    assert errors["download.pdf"]["message"] == "not a PDF (it is an HTML page)"
    assert errors["download.pdf"]["stage"] == "input"
    assert errors["empty.pdf"]["message"] == "empty file (0 bytes), not a PDF"
    assert errors["locked.pdf"]["message"] == "encrypted PDF: a password is needed to open it"
    assert errors["locked.pdf"]["stage"] == "ingest"
    assert errors["truncated.pdf"]["message"].startswith("corrupt or truncated PDF (")
    assert errors["truncated.pdf"]["sha256"] == file_sha256(archive / "broken/truncated.pdf")

    inputs = {r["path"]: r for r in rows(out, "inputs")}
    zip_path = str(archive / "batch.zip")
    assert inputs[f"{zip_path}!/报告/洪泽区2023.pdf"]["status"] == "converted"
    assert inputs[f"{zip_path}!/readme.txt"]["status"] == "skipped"
    assert inputs[str(archive / "notes.txt")]["status"] == "skipped"
    assert inputs[str(archive / "2023/dup-of-a.pdf")]["status"] == "converted"  # sorts first
    assert inputs[str(archive / "a.pdf")]["status"] == "duplicate"
    assert inputs[f"{zip_path}!/报告/副本.pdf"]["status"] == "converted"  # "batch" < "sub"
    assert inputs[str(archive / "sub/b.pdf")]["status"] == "duplicate"
    assert not any(".DS_Store" in path for path in inputs)
    assert not temp_leftovers(out)

    manifest = Manifest(out).load()
    assert manifest[file_sha256(archive / "a.pdf")].paths == [
        str(archive / "2023/dup-of-a.pdf"), str(archive / "a.pdf")]
    assert {e.tool_version for e in manifest.values()} == {"0.1.0"}


def test_rerun_skips_done_and_retries_failures_only_when_asked(tmp_path: Path):
    folder = tmp_path / "in"
    three_reports(folder)
    truncated(FIXTURE_2021, folder / "bad.pdf")
    out = tmp_path / "out"
    first = convert([folder], out, workers=1, progress=False)
    assert (first.converted, first.failed) == (3, 1)
    before = dataset(out)
    lines = Manifest(out).path.read_text().count("\n")

    again = convert([folder], out, workers=1, progress=False)
    assert (again.converted, again.earlier, again.failed, again.pages) == (3, 3, 1, 0)
    assert dataset(out) == before
    assert Manifest(out).path.read_text().count("\n") == lines  # nothing was redone

    retried = convert([folder], out, workers=1, progress=False, retry_failed=True)
    assert (retried.earlier, retried.failed) == (3, 1)
    assert Manifest(out).path.read_text().count("\n") == lines + 1  # only bad.pdf again
    assert dataset(out) == before


def test_new_files_are_added_and_output_matches_inputs(tmp_path: Path):
    folder = tmp_path / "in"
    a, b, c = three_reports(folder)
    out = tmp_path / "out"
    convert([a, b], out, workers=1, progress=False)
    summary = convert([a, b, c], out, workers=1, progress=False)
    assert (summary.converted, summary.earlier) == (3, 2)
    assert dataset(out) == dataset_of(convert_fresh([a, b, c], tmp_path / "fresh"))
    # The output is a growing dataset: a run on fewer files keeps the earlier reports.
    again = convert([a], out, workers=1, progress=False)
    assert (again.converted, again.in_dataset) == (1, 3)
    assert dataset(out) == dataset_of(tmp_path / "fresh")


def convert_fresh(inputs, out: Path) -> Path:
    convert(inputs, out, workers=1, progress=False)
    return out


def dataset_of(out: Path) -> dict[str, bytes]:
    return dataset(out)


def test_globs_lists_and_worker_counts_give_the_same_dataset(tmp_path: Path):
    folder = tmp_path / "in"
    three_reports(folder)
    listing = tmp_path / "list.txt"
    listing.write_text(f"# my reports\n{folder / 'a.pdf'}\n\n{folder / 'sub'}\n")
    by_list = convert([], tmp_path / "list", from_list=listing, workers=2, progress=False)
    by_glob = convert([str(folder / "**" / "*.pdf")], tmp_path / "glob", workers=1,
                      progress=False)
    assert by_list.converted == by_glob.converted == 3
    assert dataset(tmp_path / "list") == dataset(tmp_path / "glob")


def test_missing_inputs_are_errors_and_the_batch_goes_on(tmp_path: Path):
    good = variant(FIXTURE_2021, tmp_path / "in" / "good.pdf", "good")
    listing = tmp_path / "list.txt"
    listing.write_text(f"{good}\n{tmp_path / 'stale.pdf'}\n")
    summary = convert([str(tmp_path / "*.none")], tmp_path / "out", from_list=listing,
                      workers=1, progress=False)
    assert (summary.converted, summary.failed, summary.missing) == (1, 2, 2)
    assert summary.failed_by_kind == {"not_found": 2} and summary.exit_code == 1
    assert "2 failed (2 not found)" in str(summary)
    errors = rows(tmp_path / "out", "errors")
    assert [(e["path"], e["sha256"], e["stage"], e["kind"], e["message"]) for e in errors] == [
        (str(tmp_path / "*.none"), "", "input", "not_found",
         f"no file matches {tmp_path / '*.none'}"),
        (str(tmp_path / "stale.pdf"), "", "input", "not_found",
         f"no such file or folder: {tmp_path / 'stale.pdf'}")]
    assert [r["source_file"] for r in rows(tmp_path / "out", "reports")] == ["good.pdf"]


def test_second_writer_to_the_same_folder_is_refused(tmp_path: Path):
    out = tmp_path / "out"
    with locked(out), pytest.raises(OutputLocked, match="another convert"):
        convert([FIXTURE_2021], out, progress=False)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path;"
        "from report_extract.write.manifest import locked\n"
        "with locked(Path(sys.argv[1])):\n print('held', flush=True); time.sleep(60)"),
        str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(OutputLocked, match=f"another convert is writing to {out}"):
            convert([FIXTURE_2021], out, progress=False)
    finally:
        holder.kill()
        holder.wait()
    assert convert([FIXTURE_2021], out, progress=False).converted == 1


def test_faults_become_error_rows_and_the_batch_goes_on(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(runners, "GRACE", 1.0)  # how long a worker may ignore its alarm
    folder = tmp_path / "in"
    faults = {"crash": CRASH, "hang": HANG, "native-hang": HANG_NATIVE, "memory": MEMORY,
              "bug": BUG}
    for name, marker in faults.items():
        variant(FIXTURE_2021, folder / f"{name}.pdf", marker)
    three_reports(folder)
    started = time.monotonic()
    # The timeout leaves a loaded machine room for the good reports (a new worker's first
    # one imports the PDF stack): 1.5 s was seen to stop one of them.
    summary = convert([folder], tmp_path / "out", workers=2, timeout=5.0, progress=False,
                      extractor=faulty_extract)
    assert time.monotonic() - started < 30
    assert (summary.converted, summary.failed) == (3, 5)
    errors = {e["source_file"]: e for e in rows(tmp_path / "out", "errors")}
    assert {name: errors[f"{name}.pdf"]["kind"] for name in faults} == {
        "crash": "crash", "hang": "timeout", "native-hang": "timeout",
        "memory": "out_of_memory", "bug": "internal_error"}
    assert errors["crash.pdf"]["message"].startswith("the worker process died")
    assert errors["hang.pdf"]["message"] == (
        "no result after 5 s: stopped (raise --timeout for very long reports)")
    assert errors["memory.pdf"]["message"] == "ran out of memory while extracting"
    assert errors["bug.pdf"]["message"] == (
        "internal error (please report it): ZeroDivisionError: division by zero")
    assert all(e["stage"] for e in errors.values())


# The script restores Python's Ctrl-C handler: started from a background job, a process
# inherits SIGINT ignored (seen here under nohup), and Ctrl-C is what is being tested.
KILL_SCRIPT = textwrap.dedent("""
    import signal, sys
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.path.insert(0, {tests!r})
    from batch_support import faulty_extract
    from report_extract.batch import convert
    summary = convert([{folder!r}], sys.argv[1], workers=1, batch_size=2, progress=False,
                      extractor=faulty_extract)
    print(summary)
""")


@pytest.fixture(scope="module")
def kill_setup(tmp_path_factory) -> tuple[Path, Path]:
    """8 slow-ish reports (the fifth holds the killed run), a script converting them, and
    the uninterrupted run's output."""
    root = tmp_path_factory.mktemp("kill")
    folder = root / "in"
    for i in range(8):
        variant(FIXTURE_2021 if i % 2 else FIXTURE_2019, folder / f"r{i:02d}.pdf",
                (HOLD if i == 4 else SLOW) + str(i).encode())
    script = root / "run.py"
    script.write_text(KILL_SCRIPT.format(tests=str(REPO / "tests"), folder=str(folder)))
    subprocess.run([sys.executable, str(script), str(root / "whole")], check=True)
    return script, root / "whole"


def done_in(out: Path) -> list[str]:
    """The inputs the manifest records as done, read without touching the file (Manifest.load
    mends a torn last line: not while the run is still writing it)."""
    path = out / "manifest.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True) if path.exists() else []
    entries = [json.loads(line) for line in lines if line.endswith("\n")]
    return list(dict.fromkeys(e["sha256"] for e in entries if e.get("status") == "done"))


@pytest.mark.parametrize("kill", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_killed_run_then_rerun_equals_uninterrupted_run(tmp_path: Path, kill_setup, kill: int):
    script, whole = kill_setup
    killed = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, str(script), str(killed)],
                               stderr=subprocess.DEVNULL, env={**os.environ, HOLD_ENV: "1"})
    deadline = time.monotonic() + 60
    while len(done_in(killed)) < 2 and time.monotonic() < deadline:  # a part, recorded
        time.sleep(0.02)
    os.kill(process.pid, kill)
    assert process.wait() != 0
    assert not (killed / "reports.csv").exists(), "the run finished before it could be killed"
    assert 2 <= len(done_in(killed)) < 8

    subprocess.run([sys.executable, str(script), str(killed)], check=True)
    assert dataset(killed) == dataset(whole)
    assert not temp_leftovers(killed)


def test_parquet_dataset_is_readable_by_pandas_and_duckdb(tmp_path: Path):
    folder = tmp_path / "in"
    three_reports(folder)
    out = tmp_path / "out"
    convert([folder], out, format="parquet", workers=2, progress=False)
    cells = pd.read_parquet(out / "cells")
    assert len(cells) > 500 and cells["value"].dtype == "Int64"  # counts, nullable
    assert sorted(int(y) for y in cells["year"].unique()) == sorted(
        int(y) for y in pd.read_parquet(out / "reports")["year"].unique())
    duckdb = pytest.importorskip("duckdb")
    n = duckdb.sql(f"select count(*) from read_parquet('{out}/cells/**/*.parquet', "
                   "hive_partitioning=true)").fetchall()[0][0]
    assert n == len(cells)
    # Switching format reuses the stored results: the same numbers, no re-extraction.
    again = convert([folder], out, format="csv", workers=1, progress=False)
    assert again.earlier == 3 and len(rows(out, "cells")) == len(cells)


def test_dask_equals_local(tmp_path: Path):
    distributed = pytest.importorskip("dask.distributed")
    folder = tmp_path / "in"
    three_reports(folder)
    truncated(FIXTURE_2021, folder / "bad.pdf")
    local = convert([folder], tmp_path / "local", workers=2, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        remote = convert([folder], tmp_path / "dask", dask_address=cluster.scheduler_address,
                         progress=False)
    assert (remote.converted, remote.failed) == (local.converted, local.failed) == (3, 1)
    assert dataset(tmp_path / "dask") == dataset(tmp_path / "local")


def test_plain_progress_lines_for_logs():
    import io

    from report_extract.batch.progress import Progress

    stream = io.StringIO()
    progress = Progress(3, "auto", stream=stream, interval=0)  # StringIO is no terminal
    progress.say("3 PDF files to convert")
    progress.update(True)
    progress.update(False)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "3 PDF files to convert"
    assert lines[2].startswith("2/3 files (1 done, 1 failed), ")
    assert "files/s" in lines[2] and "left" in lines[2]
    quiet = io.StringIO()
    silent = Progress(3, "off", stream=quiet)
    silent.say("x")
    silent.update(True)
    assert quiet.getvalue() == ""


# --- OCR options ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> Path:
    """t2021-full.pdf as an image-only PDF (3 pages, no text layer)."""
    return scanned(FIXTURE_2021, tmp_path_factory.mktemp("scan") / "scan.pdf")


def scan_and_text(folder: Path, scan: Path) -> None:
    variant(FIXTURE_2021, folder / "good.pdf", "good")
    (folder / "scan.pdf").write_bytes(scan.read_bytes())


def errors_of(out: Path) -> list[tuple[str, str, str, str]]:
    return [(e["source_file"], e["stage"], e["kind"], e["message"]) for e in rows(out, "errors")]


def test_bad_ocr_options_are_refused_before_anything_is_written(tmp_path: Path):
    out = tmp_path / "out"
    with pytest.raises(ValueError) as mode:
        convert([FIXTURE_2021], out, ocr="always", progress=False)
    assert str(mode.value) == "unknown OCR mode 'always': use one of auto, text, ocr"
    with pytest.raises(ValueError) as engine:
        convert([FIXTURE_2021], out, ocr_engine="paddle", progress=False)
    assert str(engine.value) == "unknown OCR engine 'paddle': use one of rapidocr, tesseract"
    assert not out.exists()


def test_another_ocr_mode_or_engine_redoes_the_files(tmp_path: Path, scan: Path, monkeypatch):
    """Without an OCR engine (as without the ocr extra): each failure names what to do."""
    monkeypatch.setattr("report_extract.scan.engines.available_engines", lambda: [])
    folder, out = tmp_path / "in", tmp_path / "out"
    scan_and_text(folder, scan)
    manifest = Manifest(out).path

    text = convert([folder], out, ocr="text", workers=1, progress=False)
    assert (text.converted, text.failed, text.failed_by_kind) == (1, 1, {"no_text_layer": 1})
    assert str(text).startswith("1 converted, 1 failed (1 no text layer), 0 checks failed, ")
    assert errors_of(out) == [("scan.pdf", "ingest", "no_text_layer", SCAN_REFUSAL)]
    lines = manifest.read_text().count("\n")
    again = convert([folder], out, ocr="text", workers=1, progress=False)
    assert (again.earlier, again.failed, again.pages) == (1, 1, 0)
    assert manifest.read_text().count("\n") == lines  # the same options: nothing redone

    auto = convert([folder], out, workers=1, progress=False)
    assert (auto.converted, auto.earlier, auto.failed, auto.pages) == (1, 0, 1, 3)
    assert errors_of(out) == [("scan.pdf", "ingest", "no_text_layer",
                               f"{SCAN_REFUSAL} ({NO_OCR_REASON})")]

    tesseract = convert([folder], out, ocr_engine="tesseract", workers=1, progress=False)
    assert (tesseract.converted, tesseract.earlier, tesseract.failed) == (1, 0, 1)
    assert errors_of(out) == [("scan.pdf", "ingest", "no_text_layer",
                               f"{SCAN_REFUSAL} ({TESSERACT_MISSING})")]

    every_page = convert([folder], out, ocr="ocr", workers=1, progress=False)
    assert (every_page.converted, every_page.failed) == (0, 2)
    assert str(every_page).startswith("0 converted, 2 failed (2 OCR not installed), ")
    assert errors_of(out) == [("good.pdf", "ingest", "ocr_not_installed", NO_OCR_REASON),
                              ("scan.pdf", "ingest", "ocr_not_installed", NO_OCR_REASON)]
    assert [r["status"] for r in rows(out, "reports")] == ["failed", "failed"]

    recorded = {Path(e.paths[0]).name: (e.status, e.detector, e.ocr, e.ocr_engine)
                for e in Manifest(out).load().values()}
    assert recorded == {"good.pdf": ("failed", "pdfplumber", "ocr", "rapidocr"),
                        "scan.pdf": ("failed", "pdfplumber", "ocr", "rapidocr")}


def test_manifest_lines_from_before_the_ocr_options_mean_auto_rapidocr(tmp_path: Path):
    good = variant(FIXTURE_2021, tmp_path / "in" / "good.pdf", "good")
    out = tmp_path / "out"
    convert([good], out, workers=1, progress=False)
    manifest = Manifest(out).path
    line = json.loads(manifest.read_text())
    assert (line["detector"], line["ocr"], line["ocr_engine"]) == ("pdfplumber", "auto",
                                                                   "rapidocr")
    del line["ocr"], line["ocr_engine"]  # as the version before --ocr wrote it
    manifest.write_text(json.dumps(line) + "\n")
    entry = Manifest(out).load()[line["sha256"]]
    assert (entry.status, entry.ocr, entry.ocr_engine) == ("done", "auto", "rapidocr")

    reused = convert([good], out, workers=1, progress=False)
    assert (reused.converted, reused.earlier, reused.pages) == (1, 1, 0)
    redone = convert([good], out, ocr_engine="tesseract", workers=1, progress=False)
    assert (redone.converted, redone.earlier, redone.pages) == (1, 0, 3)


@pytest.mark.skipif(not ocr_installed(), reason=NO_OCR_REASON)
def test_a_scan_is_read_by_ocr_in_a_worker_like_its_text_layer(tmp_path: Path, scan: Path):
    """The one real OCR run of these tests (~10 s), in a forked worker."""
    folder, out = tmp_path / "in", tmp_path / "out"
    scan_and_text(folder, scan)
    summary = convert([folder], out, workers=2, progress=False)
    assert (summary.converted, summary.failed, summary.checks_failed) == (2, 0, 0)
    for table in ("active_disclosure", "applications", "review_litigation"):
        by_file: dict[str, list[dict[str, str]]] = {}
        for row in rows(out, table):
            file = row.pop("source_file")
            row.pop("report_id")
            by_file.setdefault(file, []).append(row)
        assert by_file["scan.pdf"] == by_file["good.pdf"] != [], table
    reports = {r["source_file"]: r for r in rows(out, "reports")}
    assert reports["scan.pdf"]["n_cells"] == reports["good.pdf"]["n_cells"]
    assert int(reports["scan.pdf"]["n_cells"]) > 100
