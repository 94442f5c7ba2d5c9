"""Helpers for the write/batch/CLI tests: hand-built Reports, bad inputs, fault injection.

`faulty_extract` is the real pipeline with faults on demand: a marker appended after the
PDF's end (still a valid PDF) makes the worker crash, hang, run out of memory or raise.
It is a module-level function so worker processes can unpickle it.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import time
import zipfile
from pathlib import Path

from report_extract.models import (
    BBox,
    CanonicalCell,
    CanonicalTable,
    CheckResult,
    Problem,
    Report,
)

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
SHARED_REAL = REPO.parent / "shared" / "real"  # ../shared/real beside the repo
FIXTURE_2021 = FIXTURES / "t2021-full.pdf"
FIXTURE_2019 = FIXTURES / "t2019-seed-labels.pdf"

CRASH = b"%FAULT-CRASH\n"  # the worker process dies (SIGSEGV, as a native crash would)
HANG = b"%FAULT-HANG\n"  # sleeps in Python: the in-worker alarm stops it
HANG_NATIVE = b"%FAULT-HANG-NATIVE\n"  # ignores the alarm: the parent must kill the worker
MEMORY = b"%FAULT-MEMORY\n"  # raises MemoryError
BUG = b"%FAULT-BUG\n"  # raises an ordinary exception, as a parser bug would
SLOW = b"%FAULT-SLOW\n"  # takes a moment (for kill tests)
# Waits (a minute at most) while the environment names HOLD_ENV: the kill tests' run
# is then surely still going when it is killed, however loaded the machine.
HOLD = b"%FAULT-HOLD\n"
HOLD_ENV = "REPORT_EXTRACT_TEST_HOLD"


def faulty_extract(path, *, detector="pdfplumber", mode="auto", ocr_engine="rapidocr",
                   source_file=None, reader="pdfium") -> Report:
    from report_extract.pipeline import extract

    tail = Path(path).read_bytes()[-64:]
    if CRASH in tail:
        faulthandler.disable()  # pytest's traceback dump would only be noise here
        os.kill(os.getpid(), signal.SIGSEGV)
    if HANG_NATIVE in tail:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(600)
    if HANG in tail:
        time.sleep(600)
    if MEMORY in tail:
        raise MemoryError
    if BUG in tail:
        raise ZeroDivisionError("division by zero")
    if SLOW in tail:
        time.sleep(0.15)
    if HOLD in tail and os.environ.get(HOLD_ENV):
        time.sleep(60)
    return extract(path, detector=detector, mode=mode, ocr_engine=ocr_engine,
                   source_file=source_file, reader=reader)


def variant(source: Path, dest: Path, tag: bytes | str = b"") -> Path:
    """A copy of a PDF with a comment after its end: same content, another SHA-256."""
    tag = tag.encode() if isinstance(tag, str) else tag
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(source.read_bytes() + b"\n%" + tag.lstrip(b"%"))
    return dest


def scanned(source: Path, dest: Path) -> Path:
    """An image-only copy of a PDF (150 dpi, clean): what a scanner makes of it."""
    from report_extract.scan.degrade import degrade_pdf

    dest.parent.mkdir(parents=True, exist_ok=True)
    return degrade_pdf(source, dest, dpi=150, seed=0)


def ocr_installed() -> bool:
    from report_extract.scan.engines import available_engines

    return "rapidocr" in available_engines()


NO_OCR_REASON = ("OCR engine not installed: pip install -e '.[ocr]' in the checkout "
                 "(rapidocr-onnxruntime)")


def truncated(source: Path, dest: Path) -> Path:
    data = source.read_bytes()
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data[: len(data) // 2])
    return dest


def encrypted(source: Path, dest: Path, password: str = "secret") -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(password)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "wb") as handle:
        writer.write(handle)
    return dest


def write_zip(dest: Path, members: dict[str, bytes], *, gbk_names: bool = False) -> Path:
    """A zip; with gbk_names the names are GBK bytes without the UTF-8 flag, as Windows
    tools write them (zipfile itself always flags non-ASCII names as UTF-8)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    renames: dict[bytes, bytes] = {}
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, (name, data) in enumerate(members.items()):
            if gbk_names and not name.isascii():
                raw = name.encode("gbk")
                placeholder = f"@{i}@".ljust(len(raw), "_").encode()
                renames[placeholder] = raw
                name = placeholder.decode()
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            archive.writestr(info, data)
    blob = dest.read_bytes()
    for placeholder, raw in renames.items():  # same length: offsets stay valid
        blob = blob.replace(placeholder, raw)
    dest.write_bytes(blob)
    return dest


def hand_report(source_file: str = "report.pdf", *, year: int | None = 2023,
                agency: str | None = "淮安市洪泽区人民政府") -> Report:
    """A small Report with every kind of content the writers handle, in scrambled order."""
    box = BBox(10.123, 20.456, 30.789, 40.001)
    applications = CanonicalTable("applications", cells=[
        CanonicalCell("applications", "carried_over", "total", 0, "0", 3, box),
        CanonicalCell("applications", "new", "total", 21, "21", 3, box),
        CanonicalCell("applications", "new", "natural_person", 21, "2 1", 3, box),
        CanonicalCell("applications", "new", "commercial", None, "—", 3, None),
    ], problems=[Problem("applications", "unplaced_row", "row label 不明 matches no key",
                         "不明", 4)])
    active = CanonicalTable("active_disclosure", template="2021", cells=[
        CanonicalCell("active_disclosure", "fees", "amount", 7539.443252,
                      "75394432.52元", 2, box, uncertain=None),
        CanonicalCell("active_disclosure", "regulations", "in_force", 3, "3", 2, box),
        CanonicalCell("active_disclosure", "regulations", "issued", 1, "1", 2, box,
                      uncertain="digits overlap a ruling"),
    ])
    review = CanonicalTable("review_litigation", cells=[
        CanonicalCell("review_litigation", "review", "total", 0, "0", 4, box),
        CanonicalCell("review_litigation", "review", "upheld", 10, "10", 4, box),
    ])
    checks = [
        CheckResult("review_litigation.total", "review", 10, 0, False, "total 0, parts sum 10"),
        CheckResult("applications.balance", "natural_person", 21, 21, True),
        CheckResult("applications.row_total:new", "", 21, 21, True),
    ]
    return Report(source_file, agency, year, "2021",
                  {"review_litigation": review, "applications": applications,
                   "active_disclosure": active}, checks, pages=5)


def temp_leftovers(folder: Path) -> list[Path]:
    """Files or folders a writer left half-done (temporary names)."""
    return [p for p in folder.rglob("*") if p.name.startswith(".tmp-")]
