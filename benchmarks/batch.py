"""Batch throughput and memory: 1 and 2 local workers and a Dask LocalCluster.

    python benchmarks/batch.py                 # 100 and 1,000 reports (several minutes)
    python benchmarks/batch.py --configs local-2 --sizes 100 1000   # issue 16's figure
    python benchmarks/batch.py --sizes 20 50   # a quick look
    python benchmarks/batch.py --synth 20      # pool of 20 freshly generated reports

The archive is made of copies of a pool of report PDFs (the repo's fixtures and samples,
or --synth N generated ones), each with a different comment appended after its end: the
same content, but a different SHA-256, so every copy is converted. Each configuration
runs in its own process; peak memory is the largest sum of RSS over that process and all
its children (workers, Dask nanny and workers), sampled every 0.1 s; "main MB" is the
peak RSS of the converting process alone (where the dataset is assembled: it grows with
the archive if anything does), "worker MB" the largest worker's. CPU s/report is
user + system time over the whole process tree (Dask's includes its cluster's start): on
a machine shared with other work, wall-clock speed-up is noisy but CPU per report is not:
the load average is printed before and after each run. Workers are forked once and stay
for all the files (imports and caches warm).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
CONFIGS = ("local-1", "local-2", "dask-2")


@dataclass
class Result:
    config: str
    reports: int
    seconds: float
    pages: int
    failed: int
    peak_mb: float
    cpu_seconds: float  # user + system over the process tree: insensitive to other load
    main_mb: float  # peak RSS of the converting process (the dataset's assembly)
    worker_mb: float  # peak RSS of the largest worker process
    rows: dict[str, int]  # dataset rows: checks across years, conflicts, versions

    @property
    def cpu_per_report(self) -> float:
        return self.cpu_seconds / self.reports

    @property
    def reports_per_s(self) -> float:
        return self.reports / self.seconds

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds


def make_pool(work: Path, synth: int) -> list[Path]:
    if synth:
        from report_extract.synth import generate

        return [pdf for pdf, _ in generate(7, work / "pool", synth)]
    return sorted([*REPO.glob("fixtures/*.pdf"), *REPO.glob("samples/*.pdf")])


def make_archive(folder: Path, pool: list[Path], n: int) -> None:
    """n unique PDFs in nested folders, cycling through the pool."""
    for i in range(n):
        source = pool[i % len(pool)]
        dest = folder / f"batch-{i // 100:02d}" / f"{i:05d}-{source.name}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(source.read_bytes() + f"\n%benchmark copy {i}\n".encode())


def run_one(config: str, archive: str, out: str) -> None:
    """In a child process: convert and print the summary as JSON."""
    from report_extract.batch import convert

    if config.startswith("dask"):
        from dask.distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster:
            started = time.monotonic()  # not counting the cluster's start
            summary = convert([archive], out, dask_address=cluster.scheduler_address,
                              progress=False)
            seconds = time.monotonic() - started
    else:
        started = time.monotonic()
        summary = convert([archive], out, workers=int(config.split("-")[1]), progress=False)
        seconds = time.monotonic() - started
    main = _own_peak_mb()
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"converted": summary.converted, "failed": summary.failed,
                      "pages": summary.pages, "seconds": seconds, "main_mb": main,
                      "worker_mb": workers, "rows": dataset_rows(Path(out))}))


def _own_peak_mb() -> float:
    """This process's peak RSS since it started. Not ru_maxrss: Linux carries that over
    exec from the parent, so a benchmark that generated its pool would show its own size."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dataset_rows(out: Path) -> dict[str, int]:
    """Rows of the tables made across reports: the checks between years (those with an
    other_report_id), conflicts and versions."""
    counts = {}
    for name, table, wanted in (("checks across years", "checks", "other_report_id"),
                                ("conflicts", "conflicts", None),
                                ("versions", "versions", None)):
        with open(out / f"{table}.csv", encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            index = header.index(wanted) if wanted else None
            counts[name] = sum(1 for row in reader if index is None or row[index])
    return counts


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # a process may end while we look
            total += p.memory_info().rss
    return total


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(config: str, archive: Path, out: Path) -> Result:
    cpu_before = _children_cpu()
    command = [sys.executable, __file__, "--run-one", config, str(archive), str(out)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True)
    watched = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, tree_rss(watched))
        time.sleep(0.1)
    data = json.loads(child.stdout.read().strip().splitlines()[-1])
    return Result(config, data["converted"], data["seconds"], data["pages"], data["failed"],
                  peak / 2**20, _children_cpu() - cpu_before, data["main_mb"],
                  data["worker_mb"], data["rows"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS)
    parser.add_argument("--synth", type=int, default=0, help="generate a pool of N reports")
    parser.add_argument("--run-one", nargs=3, metavar=("CONFIG", "ARCHIVE", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_one:
        run_one(*args.run_one)
        return
    work = Path(tempfile.mkdtemp(prefix="batch-bench-"))
    try:
        pool = make_pool(work, args.synth)
        print(f"pool: {len(pool)} distinct report PDFs; {psutil.cpu_count()} cores")
        print(f"{'config':8} {'reports':>7} {'seconds':>8} {'reports/s':>9} {'pages/s':>8} "
              f"{'speed-up':>8} {'peak MB':>8} {'CPU s/report':>12} {'main MB':>8} "
              f"{'worker MB':>9}  dataset rows")
        results: list[Result] = []
        for size in args.sizes:
            archive = work / f"archive-{size}"
            make_archive(archive, pool, size)
            base = None
            for config in args.configs:
                print(f"  ({_load()})", flush=True)
                result = measure(config, archive, work / f"out-{size}-{config}")
                base = base or result.seconds
                results.append(result)
                print(f"{config:8} {result.reports:7d} {result.seconds:8.1f} "
                      f"{result.reports_per_s:9.2f} {result.pages_per_s:8.1f} "
                      f"{base / result.seconds:8.2f} {result.peak_mb:8.0f} "
                      f"{result.cpu_per_report:12.2f} {result.main_mb:8.0f} "
                      f"{result.worker_mb:9.0f}  "
                      + ", ".join(f"{n} {t}" for t, n in result.rows.items())
                      + (f"  ({result.failed} failed)" if result.failed else ""), flush=True)
            shutil.rmtree(archive)
        print(f"  ({_load()})")
        _memory_growth(results, args.sizes)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def _memory_growth(results: list[Result], sizes: list[int]) -> None:
    if len(sizes) < 2:
        return
    small, large = min(sizes), max(sizes)
    for config in {r.config for r in results}:
        peaks = {r.reports: r.peak_mb for r in results if r.config == config}
        if small in peaks and large in peaks:
            print(f"{config}: peak memory {peaks[small]:.0f} MB for {small} reports, "
                  f"{peaks[large]:.0f} MB for {large} ({peaks[large] / peaks[small]:.2f}x)")


if __name__ == "__main__":
    main()
