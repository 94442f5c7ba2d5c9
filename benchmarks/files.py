"""Batch file-system costs: many tiny zip members, and saving each report as it finishes.

    python benchmarks/files.py                    # 10,000 tiny members, 1,000 saves
    python benchmarks/files.py --members 2000     # a quicker look

zip: the same N tiny one-page PDFs (made here; each fails fast, so the figure is the
batch's own overhead per file) converted by `convert --workers 2` from a zip and from a
folder: files/s of each and their ratio (the reference is the folder). A worker used to
reopen the zip for every member, parsing its whole central directory each time.

durability: the cost of making one finished report durable (its rows appended to the part
file and fdatasynced, then its manifest line appended and fsynced): alone (the latency,
against a 1 s report), and per report when results arrive faster than the disk syncs
(batch.saver writes those together: the amortised cost), against the old 25-report parts.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests"))


def tiny_pdf(i: int) -> bytes:
    """A valid one-page PDF, a few hundred bytes, different for each i."""
    stream = b"BT /F1 12 Tf 20 100 Td (tiny %d) Tj ET" % i
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return out


def convert_seconds(source: Path, out: Path) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "report_extract.cli", "convert", str(source), "-o",
                    str(out), "--workers", "2", "-q"], check=False,
                   env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"})
    return time.monotonic() - started


def measure_zip(work: Path, members: int) -> None:
    folder = work / "folder"
    folder.mkdir()
    with zipfile.ZipFile(work / "tiny.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(members):
            data = tiny_pdf(i)
            archive.writestr(f"reports/{i:05d}.pdf", data)
            (folder / f"{i:05d}.pdf").write_bytes(data)
    zipped = convert_seconds(work / "tiny.zip", work / "out-zip")
    plain = convert_seconds(folder, work / "out-folder")
    print(f"zip of {members:,} tiny members: {members / zipped:.1f} files/s ({zipped:.1f} s); "
          f"same files in a folder: {members / plain:.1f} files/s ({plain:.1f} s); "
          f"zip/folder speed {plain / zipped:.2f}")
    started = time.perf_counter()
    for _ in range(5):
        with zipfile.ZipFile(work / "tiny.zip") as archive:
            archive.infolist()
    reopen = (time.perf_counter() - started) / 5
    print(f"reopening that zip: {reopen * 1000:.1f} ms, i.e. {reopen * members:.0f} s over the "
          "batch if a worker reopened it per member (as it did)")


def measure_durability(work: Path, saves: int) -> None:
    from batch_support import hand_report

    from report_extract.batch.saver import GroupSaver
    from report_extract.write.manifest import Manifest, ManifestEntry, PartStore
    from report_extract.write.tables import report_rows

    rows = report_rows(hand_report(), "ab" * 32)

    def saving(folder: Path):
        folder.mkdir()
        store, manifest = PartStore(folder), Manifest(folder)

        def save(batch: list[int]) -> None:
            where = store.write([(f"{i:064x}", rows) for i in batch])
            manifest.append([ManifestEntry(sha, "done", "0", "pdfplumber", [f"{sha}.pdf"],
                                           *where[sha]) for sha in where])
        return save, store

    save, store = saving(work / "alone")
    times = []
    for i in range(saves):
        started = time.perf_counter()
        save([i])
        times.append(time.perf_counter() - started)
    store.close()
    median, p95 = statistics.median(times), sorted(times)[int(0.95 * len(times))]
    print(f"saving one report durably: median {median * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms "
          f"over {saves:,} ({median * 100:.2f} % of a 1 s report)")

    for label, batch in (("grouped as they come", None), ("in 25-report parts (old)", 25)):
        save, store = saving(work / str(batch))
        started = time.perf_counter()
        if batch is None:
            saver: GroupSaver[int] = GroupSaver(save)
            for i in range(saves):
                saver.put(i)
            saver.close()
        else:
            for first in range(0, saves, batch):
                save(list(range(first, min(first + batch, saves))))
        seconds = time.perf_counter() - started
        store.close()
        print(f"  {label}: {seconds / saves * 1000:.2f} ms per report")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--saves", type=int, default=1_000)
    parser.add_argument("--only", choices=("zip", "durability"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-files-") as tmp:
        work = Path(tmp)
        if args.only in (None, "durability"):
            measure_durability(work, args.saves)
        if args.only in (None, "zip"):
            measure_zip(work, args.members)


if __name__ == "__main__":
    main()
