"""Batches against the file system: odd names, special files, links, hostile zips, formula
cells, counts (issue 20; issue 19's archive attacks).

Most tests use `quick_extract` (a hand-built Report for any PDF) since what they test is
how inputs are found and recorded; one converts real fixtures by the real pipeline.
"""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from batch_support import FIXTURE_2019, FIXTURE_2021, REPO, hand_report, variant, write_zip

from report_extract.batch import convert, inputs
from report_extract.batch.inputs import escape_name, unescape_name
from report_extract.errors import CorruptPdfError
from report_extract.write import write_reports
from report_extract.write.files import escape_csv_text, unescape_csv_text

HERE = Path(__file__).resolve().parent


def quick_extract(path, *, detector="pdfplumber", mode="auto", ocr_engine="rapidocr",
                  source_file=None, reader="pdfium"):
    data = Path(path).read_bytes()
    if b"broken" in data:
        raise CorruptPdfError(source_file, "corrupt or truncated PDF (test)")
    return hand_report(source_file or Path(path).name)


def fake_pdf(path: Path, tag: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 test " + tag.encode())
    return path


def run(inputs_, out: Path, **kwargs):
    return convert(inputs_, out, workers=1, progress=False, extractor=quick_extract, **kwargs)


def rows(out: Path, table: str) -> list[dict[str, str]]:
    with open(out / f"{table}.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def by_path(out: Path, table: str) -> dict[str, dict[str, str]]:
    return {r["path"]: r for r in rows(out, table)}


# -- odd names ------------------------------------------------------------------------------

GBK_NAME = "洪泽区2023年报.pdf".encode("gbk")
LATIN1_NAME = b"caf\xe9.pdf"


def test_name_escaping_round_trips():
    for raw in (GBK_NAME, LATIN1_NAME, b"a\\xe9\\b.pdf", "报告.pdf".encode(), b"\xff\xfe"):
        assert unescape_name(escape_name(raw)) == raw
    assert escape_name(LATIN1_NAME) == "caf\\xe9.pdf"
    assert escape_name(b"a\\x.pdf") == "a\\\\x.pdf"  # a real backslash is doubled
    assert inputs.readable_name(GBK_NAME) == "洪泽区2023年报.pdf"
    assert inputs.readable_name(LATIN1_NAME) == "caf\\xe9.pdf"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_names_that_are_not_utf8_are_converted_and_recorded_exactly(tmp_path: Path, fmt: str):
    folder = tmp_path / "in"
    folder.mkdir()
    raw_folder = os.fsencode(folder)
    for name, source in ((GBK_NAME, FIXTURE_2019), (LATIN1_NAME, FIXTURE_2021)):
        with open(raw_folder + b"/" + name, "wb") as handle:
            handle.write(source.read_bytes() + b"\n%" + name)
    variant(FIXTURE_2021, folder / "报告.pdf", "utf8")
    write_zip(folder / "old.zip", {"旧报告.pdf": FIXTURE_2019.read_bytes() + b"\n%zip"},
              gbk_names=True)
    out = tmp_path / "out"

    summary = convert([folder], out, format=fmt, workers=1, progress=False)
    assert (summary.converted, summary.failed) == (4, 0)
    if fmt == "csv":
        recorded = {r["path"]: {k: v or None for k, v in r.items()} for r in rows(out, "inputs")}
    else:
        table = pd.read_parquet(out / "inputs.parquet").astype(object)
        recorded = {r["path"]: r for r in table.where(table.notna(), None).to_dict("records")}
    gbk = recorded[f"{folder}/洪泽区2023年报.pdf"]
    assert unescape_name(gbk["raw_path"]) == raw_folder + b"/" + GBK_NAME
    latin = recorded[f"{folder}/caf\\xe9.pdf"]
    assert unescape_name(latin["raw_path"]) == raw_folder + b"/" + LATIN1_NAME
    assert latin["source_file"] == "caf\\xe9.pdf"
    assert recorded[f"{folder}/报告.pdf"]["raw_path"] is None  # exact already
    member = recorded[f"{folder}/old.zip!/旧报告.pdf"]
    assert unescape_name(member["raw_path"]).endswith(b"!/" + "旧报告.pdf".encode("gbk"))
    assert {r["status"] for r in recorded.values()} == {"converted"}

    again = convert([folder], out, format=fmt, workers=1, progress=False)  # the manifest loads
    assert (again.converted, again.earlier, again.failed) == (4, 4, 0)


def test_two_odd_names_with_the_same_readable_form_are_both_kept(tmp_path: Path):
    folder = os.fsencode(tmp_path / "in")
    os.mkdir(folder)
    for raw in (b"caf\xe9.pdf", b"caf\\xe9.pdf"):  # bytes, and a name with a backslash
        with open(folder + b"/" + raw, "wb") as handle:
            handle.write(b"%PDF-1.4 " + raw)
    out = tmp_path / "out"
    assert run([tmp_path / "in"], out).converted == 2
    assert sorted(unescape_name(r["raw_path"] or escape_name(os.fsencode(r["path"])))
                  for r in rows(out, "inputs")) == sorted(
        [folder + b"/caf\xe9.pdf", folder + b"/caf\\xe9.pdf"])


# -- special files, links ------------------------------------------------------------------

def test_fifo_and_device_inputs_never_block(tmp_path: Path):
    folder = tmp_path / "in"
    fake_pdf(folder / "good.pdf", "good")
    os.mkfifo(folder / "x.pdf")
    (folder / "zero.pdf").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "given.pdf")
    out = tmp_path / "out"
    script = ("import sys; sys.path.insert(0, sys.argv[1]);"
              "from test_batch_files import run;"
              "print(run([sys.argv[2], sys.argv[3]], sys.argv[4]))")
    done = subprocess.run([sys.executable, "-c", script, str(HERE), str(folder),
                           str(tmp_path / "given.pdf"), str(out)],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert done.returncode == 0, done.stderr  # run() prints no progress: check the CLI's
    cli = subprocess.run([sys.executable, "-m", "report_extract.cli", "convert", str(folder),
                          "-o", str(tmp_path / "cli"), "--timeout", "10"],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert cli.stderr.splitlines()[0] == "1 PDF files to convert (2 not read: see errors)"
    assert done.stdout.startswith("1 converted, 3 failed (3 not a regular file)")
    errors = by_path(out, "errors")
    assert errors[str(folder / "x.pdf")]["message"] == "not a regular file (a FIFO): not read"
    assert errors[str(folder / "zero.pdf")]["message"] == (
        "not a regular file (a character device): not read")
    assert errors[str(tmp_path / "given.pdf")]["kind"] == "special_file"
    assert by_path(out, "inputs")[str(folder / "good.pdf")]["status"] == "converted"


def test_symlink_loops_are_recorded_and_linked_folders_read_once(tmp_path: Path):
    folder = tmp_path / "in"
    fake_pdf(folder / "a.pdf", "a")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to("..")  # a loop
    elsewhere = fake_pdf(tmp_path / "elsewhere" / "e.pdf", "e").parent
    (folder / "linked").symlink_to(elsewhere)  # a folder outside: read
    (folder / "loop1.pdf").symlink_to("loop2.pdf")
    (folder / "loop2.pdf").symlink_to("loop1.pdf")
    (folder / "dangling.pdf").symlink_to(tmp_path / "gone.pdf")
    out = tmp_path / "out"

    summary = run([folder], out)
    assert (summary.converted, summary.failed, summary.skipped) == (2, 3, 1)
    recorded = by_path(out, "inputs")
    assert recorded[str(folder / "linked" / "e.pdf")]["status"] == "converted"
    assert recorded[str(folder / "sub" / "up")] | {"sha256": ""} == {
        "path": str(folder / "sub" / "up"), "source_file": "up", "sha256": "",
        "status": "skipped", "kind": "symlink_loop", "raw_path": ""}
    errors = by_path(out, "errors")
    assert errors[str(folder / "loop1.pdf")]["message"] == (
        "cannot read the file: too many levels of symbolic links")
    assert errors[str(folder / "dangling.pdf")]["message"] == (
        "cannot read the file: no such file or directory")
    assert {e["kind"] for e in errors.values()} == {"unreadable"}


def test_a_file_that_cannot_be_read_is_an_error_row(tmp_path: Path, monkeypatch):
    folder = tmp_path / "in"
    fake_pdf(folder / "good.pdf", "good")
    locked = fake_pdf(folder / "locked.pdf", "locked")
    real_open = inputs._open_regular

    def open_regular(file: str):  # root reads anything: deny as a shared drive would
        if file == str(locked):
            raise PermissionError(13, "Permission denied")
        return real_open(file)

    monkeypatch.setattr(inputs, "_open_regular", open_regular)
    out = tmp_path / "out"
    summary = run([folder], out)
    assert (summary.converted, summary.failed_by_kind) == (1, {"unreadable": 1})
    assert by_path(out, "errors")[str(locked)]["message"] == (
        "cannot read the file: permission denied")


# -- zips ----------------------------------------------------------------------------------

def raw_zip(dest: Path, members: dict[str, bytes], *,
            symlinks: dict[str, str] | None = None) -> Path:
    """A zip with names as given (backslashes and .. kept) and Unix symlink members."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data,
                             zipfile.ZIP_DEFLATED)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return dest


def test_zip_members_that_lead_out_or_are_links_are_refused_and_recorded(tmp_path: Path):
    pdf = b"%PDF-1.4 member "
    (tmp_path / "in").mkdir()
    archive = raw_zip(tmp_path / "in" / "attack.zip", {
        "..\\..\\evil.pdf": pdf + b"1", "../up.pdf": pdf + b"2", "/abs.pdf": pdf + b"3",
        "C:\\Windows\\c.pdf": pdf + b"4", "folder\\ok.pdf": pdf + b"5",
    }, symlinks={"link.pdf": "/etc/passwd"})
    out = tmp_path / "out"
    summary = run([archive], out)
    assert (summary.converted, summary.failed) == (1, 5)
    assert summary.failed_by_kind == {"unsafe_member": 5}
    errors = by_path(out, "errors")
    leads_out = ("a member name that leads out of the zip archive (an absolute path or ..): "
                 "not read")
    for name in ("..\\..\\evil.pdf", "../up.pdf", "/abs.pdf", "C:\\Windows\\c.pdf"):
        assert errors[f"{archive}!/{name}"]["message"] == leads_out
    assert errors[f"{archive}!/..\\..\\evil.pdf"]["source_file"] == "evil.pdf"
    assert errors[f"{archive}!/link.pdf"]["message"] == (
        "a symbolic link inside the zip archive: not followed")
    ok = by_path(out, "inputs")[f"{archive}!/folder\\ok.pdf"]
    assert (ok["status"], ok["source_file"]) == ("converted", "ok.pdf")
    assert not list(tmp_path.rglob("evil.pdf")) and not list(tmp_path.rglob("up.pdf"))


def test_zip_bombs_are_refused_before_inflating(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(inputs, "_identify", _never_for_bombs(inputs._identify, tmp_path))
    zeros = b"%PDF-1.4 " + bytes(20 << 20)  # 20 MB that deflate ~1000 times
    ratio = raw_zip(tmp_path / "ratio.zip", {"bomb.pdf": zeros, "fine.pdf": b"%PDF-1.4 fine"})
    summary = run([ratio], tmp_path / "out1")
    assert (summary.converted, summary.failed_by_kind) == (1, {"zip_bomb": 1})
    assert by_path(tmp_path / "out1", "errors")[f"{ratio}!/bomb.pdf"]["message"] == (
        "a zip member that would inflate 1,028 times to 20.0 MB, above the limit of 100 "
        "times (a zip bomb?): not read")

    folder = tmp_path / "in"
    folder.mkdir()
    raw_zip(folder / "many.zip", {f"{i}.pdf": b"%%PDF-1.4 %d" % i for i in range(5)})
    raw_zip(folder / "big.zip", {"a.pdf": b"%PDF-1.4 " + b"a" * 3000,
                                 "b.pdf": b"%PDF-1.4 " + b"b" * 3000})
    raw_zip(folder / "member.zip", {"large.pdf": b"%PDF-1.4 " + os.urandom(4500)})
    monkeypatch.setattr(inputs, "ZIP_MAX_MEMBERS", 4)
    monkeypatch.setattr(inputs, "ZIP_MAX_TOTAL_BYTES", 5000)
    monkeypatch.setattr(inputs, "ZIP_MAX_MEMBER_BYTES", 4096)
    out = tmp_path / "out2"
    summary = run([folder], out)
    assert (summary.converted, summary.failed_by_kind) == (0, {"zip_bomb": 3})
    errors = by_path(out, "errors")
    assert errors[f"{folder}/many.zip"]["message"] == (
        "a zip archive of 5 members, above the limit of 4 (a zip bomb?): not opened")
    assert errors[f"{folder}/big.zip"]["message"] == (
        "a zip archive that would inflate to 5.9 KB, above the limit of 4.9 KB "
        "(a zip bomb?): not opened")
    assert errors[f"{folder}/member.zip!/large.pdf"]["message"] == (
        "a zip member that would inflate to 4.4 KB, above the limit of 4.0 KB: not read")


def _never_for_bombs(identify, root: Path):
    def checked(source, opener):
        name = source.path.removeprefix(str(root))
        assert not any(w in name for w in ("bomb", "large", "many", "big")), source
        return identify(source, opener)
    return checked


def nested(dest: Path, depth: int) -> bytes:
    """level1.zip holding a PDF and level2.zip, ... down to level{depth}.zip."""
    inner = b""
    for level in range(depth, 0, -1):
        members = {f"p{level}.pdf": b"%%PDF-1.4 level %d" % level}
        if inner:
            members[f"level{level + 1}.zip"] = inner
        raw_zip(dest, members)
        inner = dest.read_bytes()
    return inner


def test_nested_zips_are_opened_to_a_fixed_depth(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    nested(folder / "level1.zip", 5)
    raw_zip(folder / "other.zip", {"broken.zip": b"PK\x03\x04 not really a zip"})
    out = tmp_path / "out"
    summary = run([folder], out)
    assert (summary.converted, summary.failed_by_kind) == (
        3, {"nested_too_deep": 1, "corrupt_zip": 1})
    z1 = f"{folder}/level1.zip"
    z3 = f"{z1}!/level2.zip!/level3.zip"
    recorded = by_path(out, "inputs")
    assert {p for p, r in recorded.items() if r["status"] == "converted"} == {
        f"{z1}!/p1.pdf", f"{z1}!/level2.zip!/p2.pdf", f"{z3}!/p3.pdf"}
    errors = by_path(out, "errors")
    assert errors[f"{z3}!/level4.zip"]["message"] == (
        "a zip archive nested more than 3 deep: not opened")
    assert errors[f"{folder}/other.zip!/broken.zip"]["message"].startswith(
        "cannot read the zip archive: ")
    reports = {r["source_file"] for r in rows(out, "reports")}
    assert reports == {"p1.pdf", "p2.pdf", "p3.pdf"}


def test_a_worker_reads_members_of_a_large_archive_without_reopening_it(tmp_path: Path):
    archive = raw_zip(tmp_path / "many.zip", {f"{i}.txt": b"x" for i in range(2000)})
    sources = inputs.expand_inputs([archive])
    opened = []
    real = zipfile.ZipFile

    class Counting(real):
        def __init__(self, *args, **kwargs):
            opened.append(args[0])
            super().__init__(*args, **kwargs)

    zipfile.ZipFile = Counting
    try:
        assert [inputs.read_source(s) for s in sources[:50]] == [b"x"] * 50
    finally:
        zipfile.ZipFile = real
    assert len(opened) == 1


# -- counts, formulas ------------------------------------------------------------------------

def test_summary_counts_equal_the_errors_table(tmp_path: Path):
    folder = tmp_path / "in"
    for name in ("e1.pdf", "e2.pdf", "sub/e3.pdf"):  # the same (empty) bytes three times
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"")
    fake_pdf(folder / "bad.pdf", "broken")
    fake_pdf(folder / "copy-of-bad.pdf", "broken")
    fake_pdf(folder / "good.pdf", "good")
    os.mkfifo(folder / "pipe.pdf")
    out = tmp_path / "out"
    summary = run([folder], out)
    errors = rows(out, "errors")
    assert summary.failed == len(errors) == 6
    assert summary.failed_by_kind == dict(Counter(e["kind"] for e in errors)) == {
        "not_a_pdf": 3, "corrupt_pdf": 2, "special_file": 1}
    assert str(summary).startswith(
        "1 converted, 6 failed (3 not a PDF, 2 corrupt, 1 not a regular file), ")


def test_formula_cells_are_escaped_in_csv_and_exact_in_parquet(tmp_path: Path):
    report = hand_report("=HYPERLINK(1).pdf", agency="@SUM(A1)")
    cell = report.tables["applications"].cells[0]
    cell.value, cell.raw_text = -3, "-3"  # a number, not a formula: stays as printed
    report.tables["applications"].cells[1].raw_text = "+cmd|' /C calc'!A0"
    write_reports([("r1", report)], tmp_path / "csv")
    write_reports([("r1", report)], tmp_path / "pq", format="parquet")

    csv_cells = rows(tmp_path / "csv", "cells")
    assert {c["source_file"] for c in csv_cells} == {"'=HYPERLINK(1).pdf"}
    assert {c["agency"] for c in csv_cells} == {"'@SUM(A1)"}
    assert ("-3", "-3") in {(c["value"], c["raw_text"]) for c in csv_cells}
    assert "'+cmd|' /C calc'!A0" in {c["raw_text"] for c in csv_cells}
    pq_cells = pd.read_parquet(tmp_path / "pq" / "cells")
    assert set(pq_cells["source_file"]) == {"=HYPERLINK(1).pdf"}
    assert "+cmd|' /C calc'!A0" in set(pq_cells["raw_text"])
    assert -3.0 in set(pq_cells["value"])


@pytest.mark.parametrize("text", ["=1+1", "+x", "-x", "@x", "\t=x", "\rx", "'=x", "''=x",
                                  "'plain", "plain", "-3", "+1.5", "-1,234", "-", "", "x=1"])
def test_csv_escaping_round_trips(text: str):
    escaped = escape_csv_text(text)
    assert unescape_csv_text(escaped) == text
    assert escaped == text or escaped == "'" + text
    assert not escaped.startswith(("=", "+", "@", "\t", "\r")) or text in ("+1.5",)
