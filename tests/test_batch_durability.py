"""Every finished report kept: a kill right after one finishes, a full or read-only output
folder (a clear one-line error, no temporary files, a manifest the next run continues from).

The full and read-only cases mount a small tmpfs (CI runs as root on a machine that allows
it; elsewhere they are skipped with the reason); a monkeypatched writer runs everywhere.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from batch_support import REPO, hand_report, temp_leftovers
from click.testing import CliRunner

from report_extract.batch import OutputError, convert
from report_extract.cli import main
from report_extract.write import files
from report_extract.write.manifest import Manifest, PartStore

HERE = Path(__file__).resolve().parent
LOG_ENV = "REPORT_EXTRACT_TEST_LOG"  # logged_extract appends each file it starts here
HOLD_ENV = "REPORT_EXTRACT_TEST_HOLD"  # ... and waits on a file holding b"hold"


def logged_extract(path, *, detector="pdfplumber", mode="auto", ocr_engine="rapidocr",
                   source_file=None, reader="pdfium"):
    if os.environ.get(LOG_ENV):
        with open(os.environ[LOG_ENV], "a", encoding="utf-8") as log:
            log.write(f"{source_file}\n")
    if os.environ.get(HOLD_ENV) and b"hold" in Path(path).read_bytes():
        time.sleep(60)
    return hand_report(source_file)


def fake_pdfs(folder: Path, n: int, hold: int | None = None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"r{i:02d}.pdf"
        path.write_bytes(b"%PDF-1.4 " + (b"hold " if i == hold else b"") + b"%d" % i)
        paths.append(path)
    return paths


def run(inputs, out: Path, **kwargs):
    return convert(inputs, out, workers=1, progress=False, extractor=logged_extract, **kwargs)


def tables(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))}


def started(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").split() if log.exists() else []


def assert_consistent(out: Path) -> None:
    """Every report the manifest calls done has its record in a part; nothing half-done."""
    entries = Manifest(out).load()
    store = PartStore(out)
    for entry in entries.values():
        if entry.status == "done":
            assert store.read(entry.part, entry.offset, entry.length)["reports"]
    store.close()
    assert not temp_leftovers(out)


KILL_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    from test_batch_durability import run
    print(run([{folder!r}], sys.argv[1]))
""")


def test_a_report_finished_before_a_kill_is_not_redone(tmp_path: Path):
    folder = tmp_path / "in"
    fake_pdfs(folder, 3, hold=1)
    script = tmp_path / "run.py"
    script.write_text(KILL_SCRIPT.format(tests=str(HERE), folder=str(folder)))
    out, log = tmp_path / "out", tmp_path / "log.txt"
    env = {**os.environ, LOG_ENV: str(log), "PYTHONPATH": str(REPO / "src")}
    process = subprocess.Popen([sys.executable, str(script), str(out)],
                               env={**env, HOLD_ENV: "1"}, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    # One worker: r01 starts once r00's result has been taken, the moment after it
    # finished; r00 is to be on disk within a second of that. Kill then.
    while "r01.pdf" not in started(log) and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(1.0)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert started(log) == ["r00.pdf", "r01.pdf"]
    assert [e.paths for e in Manifest(out).load().values()] == [[str(folder / "r00.pdf")]]

    subprocess.run([sys.executable, str(script), str(out)], env=env, check=True,
                   capture_output=True)
    assert started(log) == ["r00.pdf", "r01.pdf", "r01.pdf", "r02.pdf"]  # r00 not redone
    run([folder], tmp_path / "whole")
    assert tables(out) == tables(tmp_path / "whole")
    assert_consistent(out)


# -- full and read-only output folders -------------------------------------------------------

@pytest.fixture()
def small_fs(tmp_path: Path):
    """A 512 KB tmpfs (the tests need root and mount rights, as in CI)."""
    mount = shutil.which("mount")
    point = tmp_path / "fs"
    point.mkdir()
    made = subprocess.run([mount or "mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs",
                           str(point)], capture_output=True, text=True) if mount else None
    if made is None or made.returncode != 0:
        reason = made.stderr.strip() if made is not None else "no mount command"
        pytest.skip(f"cannot mount a small tmpfs here ({reason}); the monkeypatched "
                    "writer tests cover the same code")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def remount(point: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(point)], check=True)


def test_read_only_output_folder_is_a_clear_error(tmp_path: Path, small_fs: Path,
                                                  monkeypatch):
    inputs = fake_pdfs(tmp_path / "in", 3)
    out = small_fs / "out"
    run(inputs[:2], out)
    before = tables(out)
    remount(small_fs, "ro")
    with pytest.raises(OutputError) as caught:
        run(inputs, out)
    assert str(caught.value) == (
        f"cannot write the output to {out}: read-only file system; make it writable or "
        "choose another folder, then run the same command again (finished reports are kept)")
    result = CliRunner().invoke(main, ["convert", *map(str, inputs), "-o", str(out)])
    assert (result.exit_code, result.stderr) == (1, f"error: {caught.value}\n")
    assert tables(out) == before

    remount(small_fs, "rw")
    log = tmp_path / "log.txt"
    monkeypatch.setenv(LOG_ENV, str(log))
    assert run(inputs, out).earlier == 2
    assert started(log) == ["r02.pdf"]
    assert_consistent(out)


def test_full_output_folder_is_a_clear_error_and_the_next_run_continues(
        tmp_path: Path, small_fs: Path, monkeypatch):
    inputs = fake_pdfs(tmp_path / "in", 60)
    out = small_fs / "out"
    filler = small_fs / "filler"
    free = shutil.disk_usage(small_fs).free
    filler.write_bytes(bytes(free - 48 * 1024))  # room for the first reports only
    with pytest.raises(OutputError) as caught:
        run(inputs, out)
    assert str(caught.value) == (
        f"cannot write the output to {out}: no space left on device; free some space, "
        "then run the same command again (finished reports are kept)")
    assert_consistent(out)
    saved = [e for e in Manifest(out).load().values() if e.status == "done"]
    assert 0 < len(saved) < 60

    filler.unlink()
    log = tmp_path / "log.txt"
    monkeypatch.setenv(LOG_ENV, str(log))
    summary = run(inputs, out)
    monkeypatch.delenv(LOG_ENV)
    assert (summary.converted, summary.earlier) == (60, len(saved))
    assert len(started(log)) == 60 - len(saved)
    run(inputs, tmp_path / "whole")
    assert tables(out) == tables(tmp_path / "whole")
    assert_consistent(out)


def full_after(calls: int):
    """A write that fails as a full disk does after `calls` successful ones."""
    count = {"n": 0}

    def wrap(write):
        def failing(self, *args, **kwargs):
            count["n"] += 1
            if count["n"] > calls:
                raise OSError(errno.ENOSPC, "No space left on device")
            return write(self, *args, **kwargs)
        return failing
    return wrap


def full_after_records(records: int, saved: list):
    """A part store's write that fails as a full disk does once it would hold more than
    `records` reports (results arriving together are saved in one write, so calls are not
    counted); the records of the writes that succeeded are added to `saved`."""

    def wrap(write):
        def failing(self, batch, *args, **kwargs):
            if len(saved) + len(batch) > records:
                raise OSError(errno.ENOSPC, "No space left on device")
            saved.extend(batch)
            return write(self, batch, *args, **kwargs)
        return failing
    return wrap


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_disk_filling_while_the_tables_are_written(tmp_path: Path, monkeypatch, fmt: str):
    inputs = fake_pdfs(tmp_path / "in", 4)
    out = tmp_path / "out"
    run(inputs[:2], out, format=fmt)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and "_parts" not in
              p.parts and p.name != "manifest.jsonl"}
    sink = files.CsvSink if fmt == "csv" else files.ParquetFileSink
    monkeypatch.setattr(sink, "write", full_after(5)(sink.write))
    with pytest.raises(OutputError, match="^cannot write the output to .*: no space left on "):
        run(inputs, out, format=fmt)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and "_parts" not in
             p.parts and p.name != "manifest.jsonl"}
    assert after == before  # the previous tables stand, whole
    assert_consistent(out)
    assert len([e for e in Manifest(out).load().values() if e.status == "done"]) == 4
    monkeypatch.undo()
    assert run(inputs, out, format=fmt).earlier == 4


def test_a_disk_filling_while_a_report_is_saved(tmp_path: Path, monkeypatch):
    inputs = fake_pdfs(tmp_path / "in", 4)
    out = tmp_path / "out"
    saved: list = []
    monkeypatch.setattr(PartStore, "write", full_after_records(2, saved)(PartStore.write))
    with pytest.raises(OutputError, match="no space left on device"):
        run(inputs, out)
    assert len(saved) <= 2
    assert [e.status for e in Manifest(out).load().values()] == ["done"] * len(saved)
    assert_consistent(out)
    monkeypatch.undo()
    assert run(inputs, out).earlier == len(saved)
