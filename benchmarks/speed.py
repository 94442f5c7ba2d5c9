"""Seconds per report: our extraction beside plain pdfplumber and camelot lattice, same run.

    python benchmarks/speed.py                       # samples/, fixtures/, ../shared/real/
    python benchmarks/speed.py --runs 5 some/dir a.pdf
    python benchmarks/speed.py --cli-runs 0          # without the command-line timing

Per report, each the median of --runs runs after one untimed warm-up (imports, caches),
as CPU seconds (this process's user + system: what the work costs, steady on a machine
shared with other work) and wall seconds:

- ours: `report_extract.extract(pdf)`, the whole pipeline (PDFium reader, ruled detector,
  normalize, validate) - tables with canonical keys, checked;
- ours[pdfplumber]: the same with the reference reader (`reader="pdfplumber"`);
- pdfplumber: plain `pdfplumber.open(pdf)` and `page.extract_tables()` on every page -
  cells as strings, no schema (a user of plain pdfplumber does not know the table pages);
- camelot: `camelot.read_pdf(flavor="lattice")` on the pages our detector found the
  tables on only, so camelot is not charged for text pages and we are charged for all.

Then the command line as a user runs it: `report-extract extract PDF` as a new process,
median wall seconds over --cli-runs runs, on the first real report (else the first PDF).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from report_extract.detect.ruled import detect_tables
from report_extract.errors import ReportError
from report_extract.pipeline import extract
from report_extract.read.pdf import read_document

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "real"
DEFAULT_FOLDERS = (REPO / "samples", REPO / "fixtures", REAL)
METHODS = ("ours", "ours[pdfplumber]", "pdfplumber", "camelot")


@dataclass(frozen=True)
class Figure:
    cpu: float  # seconds, median
    wall: float


@dataclass
class Timing:
    pdf: Path
    pages: list[int]  # the pages our detector found the tables on
    figures: dict[str, Figure] = field(default_factory=dict)  # by METHODS entry
    error: str | None = None

    def ratio(self, other: str) -> float | None:
        """How many times less CPU ours takes than `other`."""
        ours, theirs = self.figures.get("ours"), self.figures.get(other)
        if ours is None or theirs is None or ours.cpu <= 0:
            return None
        return theirs.cpu / ours.cpu


def find_pdfs(inputs: Sequence[Path]) -> list[Path]:
    """PDFs in the given files/folders; absent folders are skipped (../shared is optional)."""
    found: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found += sorted(item.glob("*.pdf"))
        elif item.is_file() and item.suffix.lower() == ".pdf":
            found.append(item)
    return found


def median_time(action: Callable[[], object], runs: int) -> Figure:
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(runs):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        action()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
    return Figure(statistics.median(cpu), statistics.median(wall))


def table_pages(pdf: Path) -> list[int]:
    grids = detect_tables(read_document(pdf))
    return sorted({page for grid in grids.values() for page in grid.pages})


def plain_pdfplumber(pdf: Path) -> None:
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            page.extract_tables()


def camelot_lattice(pdf: Path, pages: list[int]) -> None:
    import camelot

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        camelot.read_pdf(str(pdf), pages=",".join(map(str, pages)), flavor="lattice")


def actions(pdf: Path, pages: list[int]) -> dict[str, Callable[[], object]]:
    return {
        "ours": lambda: extract(pdf),
        "ours[pdfplumber]": lambda: extract(pdf, reader="pdfplumber"),
        "pdfplumber": lambda: plain_pdfplumber(pdf),
        "camelot": lambda: camelot_lattice(pdf, pages),
    }


def time_report(pdf: Path, runs: int) -> Timing:
    try:
        pages = table_pages(pdf)
    except ReportError as error:
        return Timing(pdf, [], error=error.reason)
    timing = Timing(pdf, pages)
    for method, action in actions(pdf, pages).items():
        try:
            timing.figures[method] = median_time(action, runs)
        except ReportError as error:
            timing.error = f"{method}: {error.reason}"
    return timing


def warm_up(pdf: Path) -> None:
    """One untimed pass: the first call pays for imports (cv2, pandas) and font caches."""
    try:
        for action in actions(pdf, table_pages(pdf)).values():
            action()
    except ReportError:
        pass


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_table(timings: list[Timing]) -> None:
    name_width = max([len(t.pdf.name) for t in timings] + [6])
    headers = [f"{m} cpu/wall" for m in METHODS] + ["pdfplumber/ours", "camelot/ours"]
    print(f"{'report':<{name_width}}  {'pages':>9}  " + "  ".join(f"{h:>23}" for h in headers))
    for t in timings:
        pages = ",".join(map(str, t.pages)) or "-"
        figures = [f"{_fmt(f.cpu)}/{_fmt(f.wall)}" if (f := t.figures.get(m)) else "-"
                   for m in METHODS]
        figures += [_fmt(t.ratio(m), 1) + ("x" if t.ratio(m) else "")
                    for m in ("pdfplumber", "camelot")]
        line = f"{t.pdf.name:<{name_width}}  {pages:>9}  " + "  ".join(f"{f:>23}" for f in figures)
        print(line + (f"  ({t.error})" if t.error else ""))


def summary(timings: list[Timing], label: str) -> str:
    timed = [t for t in timings if all(m in t.figures for m in METHODS)]
    if not timed:
        return f"{label}: no report timed by every method"
    parts = [f"{label}: {len(timed)} reports"]
    for method in METHODS:
        cpu = statistics.median(t.figures[method].cpu for t in timed)
        wall = statistics.median(t.figures[method].wall for t in timed)
        parts.append(f"{method} median {cpu:.3f} s CPU ({wall:.3f} s wall)/report")
    for other in ("pdfplumber", "camelot"):
        ratios = [r for t in timed if (r := t.ratio(other)) is not None]
        parts.append(f"{other}/ours median {statistics.median(ratios):.1f}x "
                     f"(min {min(ratios):.1f}x, max {max(ratios):.1f}x)")
    return "\n  ".join(parts)


def command_seconds(pdf: Path, runs: int) -> list[float]:
    """Wall seconds of `report-extract extract PDF` as a new process, each run.

    As an installed tool runs: with its modules' bytecode cached (pip compiles it on
    install). PYTHONDONTWRITEBYTECODE, where set (a sandbox, CI), would have every run
    compile all its modules from source again (~0.15 s more): it is left out of the
    command's environment, and one untimed run writes the caches."""
    command = shutil.which("report-extract", path=str(Path(sys.executable).parent))
    argv = [command] if command else [sys.executable, "-m", "report_extract.cli"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    seconds = []
    for run in range(runs + 1):
        start = time.perf_counter()
        subprocess.run([*argv, "extract", str(pdf)], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False, env=env)
        if run:
            seconds.append(time.perf_counter() - start)
    return seconds


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("inputs", nargs="*", type=Path,
                        help="PDFs or folders (default: samples/, fixtures/, ../shared/real/)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure (median)")
    parser.add_argument("--cli-runs", type=int, default=5,
                        help="runs of `report-extract extract` as a process (0: none)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    pdfs = find_pdfs(args.inputs or [f for f in DEFAULT_FOLDERS if f.is_dir()])
    if not pdfs:
        print("no PDFs found", file=sys.stderr)
        return 1
    print(load(), flush=True)
    warm_up(pdfs[0])
    timings = []
    for pdf in pdfs:
        timings.append(time_report(pdf, args.runs))
        print(f"  timed {pdf.name}", file=sys.stderr, flush=True)
    print_table(timings)
    print(summary(timings, "all"))
    real = [t for t in timings if t.pdf.parent.resolve() == REAL.resolve()]
    if real:
        print(summary(real, "real reports (../shared/real)"))
    if args.cli_runs:
        target = real[0].pdf if real else pdfs[0]
        seconds = command_seconds(target, args.cli_runs)
        print(f"report-extract extract {target.name} as a process: median "
              f"{statistics.median(seconds):.3f} s wall (min {min(seconds):.3f}, "
              f"max {max(seconds):.3f}; {args.cli_runs} runs)")
    print(load())
    return 0


if __name__ == "__main__":
    sys.exit(main())
