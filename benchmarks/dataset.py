"""Assembling the dataset: the time and memory the dataset layer adds to a convert.

    python benchmarks/dataset.py                    # 2000 stored reports, CSV and Parquet
    python benchmarks/dataset.py --reports 500 --format csv

A generated series (report_extract.synth.series: 17 reports) is converted once; its stored
results are then copied into N stored reports (500 agencies x 4 years, each with the
series' cells), and the tables are assembled from them twice: as the dataset does it
(identities, versions, rules 5-6 across years, conflicts, streamed passes over the parts)
and, as the reference, one plain pass writing the stored rows as they are (what convert did
before the dataset layer). Prints seconds, ms per report and the ratio; peak RSS of the
process after each.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from report_extract.batch import convert
from report_extract.batch.assemble import assemble
from report_extract.batch.versions import SCHEMA_ID, tool_version
from report_extract.synth.series import write_series
from report_extract.write.files import TableSet
from report_extract.write.manifest import DONE, Manifest, ManifestEntry, PartStore
from report_extract.write.tables import ALL_TABLES, SPECS

YEARS = (2019, 2020, 2021, 2022)


def _stored_series(work: Path) -> list[dict]:
    series = work / "series"
    write_series(5, series)
    out = work / "series-out"
    convert([series], out, workers=2, progress=False)
    manifest = Manifest(out)
    store = PartStore(out)
    records = [store.read(e.part, e.offset, e.length) for e in manifest.load().values()
               if e.status == DONE]
    store.close()
    return records


def _fabricate(records: list[dict], n: int, out: Path) -> None:
    """n stored reports: agency i // 4, year YEARS[i % 4], rows of a series report."""
    out.mkdir(parents=True)
    store, manifest = PartStore(out), Manifest(out)
    batch = []
    for i in range(n):
        rows = records[i % len(records)]
        report_id = f"{i:064x}"
        agency = f"测试市第{i // 4}区人民政府"
        copy = {}
        for name, table_rows in rows.items():
            has_meta = "agency" in SPECS[name].columns
            copy[name] = [[report_id, *r[1:2], agency, agency, YEARS[i % 4], *r[5:]]
                          if has_meta else [report_id, *r[1:]] for r in table_rows]
        batch.append((report_id, copy))
        if len(batch) == 200 or i == n - 1:
            where = store.write(batch)
            manifest.append([ManifestEntry(sha, DONE, tool_version(), "pdfplumber",
                                           paths=[f"{sha[-8:]}.pdf"], part=p, offset=o,
                                           length=length, schema=SCHEMA_ID)
                             for sha, (p, o, length) in where.items()])
            batch = []
    store.close()


def _plain(out: Path, fmt: str) -> None:
    manifest, store = Manifest(out), PartStore(out)
    with TableSet(out, fmt, ALL_TABLES) as tables:
        for sha in sorted(manifest.load()):
            entry = manifest.entries[sha]
            for name, rows in store.read(entry.part, entry.offset, entry.length).items():
                tables.write(name, rows)
    store.close()


def _dataset(out: Path, fmt: str) -> None:
    manifest, store = Manifest(out), PartStore(out)
    manifest.load()
    summary = assemble(out, fmt, manifest, store)
    store.close()
    assert summary.reports == len(manifest.entries), summary


def _timed(step, out: Path, fmt: str) -> float:
    start = time.perf_counter()
    step(out, fmt)
    return time.perf_counter() - start


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--format", choices=("csv", "parquet"), action="append")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-dataset-") as tmp:
        work = Path(tmp)
        records = _stored_series(work)
        out = work / "out"
        _fabricate(records, args.reports, out)
        print(f"{args.reports} stored reports ({len(records)} distinct), "
              f"{sum(len(r['cells']) for r in records) // len(records)} cells each")
        for fmt in args.format or ["csv", "parquet"]:
            plain = _timed(_plain, out, fmt)
            plain_mb = _peak_mb()
            dataset = _timed(_dataset, out, fmt)
            per = 1000 / args.reports
            print(f"{fmt:8s} plain pass {plain:6.1f} s ({plain * per:5.1f} ms/report, peak "
                  f"{plain_mb:.0f} MB)  dataset {dataset:6.1f} s ({dataset * per:5.1f} "
                  f"ms/report, peak {_peak_mb():.0f} MB)  ratio {dataset / plain:.2f}",
                  flush=True)
            for spec in ALL_TABLES:  # the next format starts from no tables
                for suffix in ("", ".csv", ".parquet"):
                    path = out / f"{spec.name}{suffix}"
                    if path.is_dir():
                        shutil.rmtree(path)
                    elif path.exists():
                        path.unlink()


if __name__ == "__main__":
    sys.exit(main())
