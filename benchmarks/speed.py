"""Seconds per report: our extraction beside camelot's lattice `read_pdf` on the same pages.

    python benchmarks/speed.py                       # samples/, fixtures/, ../shared/real/
    python benchmarks/speed.py --runs 5 some/dir a.pdf
    python benchmarks/speed.py --detectors pdfplumber,camelot

"ours" is the whole pipeline (`report_extract.extract`: ingest, detect, normalize, validate)
with each detector asked for; "camelot" is `camelot.read_pdf(flavor="lattice")` alone on
the pages where our detector found the tables, so camelot is not charged for text pages
and we are charged for everything. Each figure is the median of --runs runs, after one
untimed warm-up run (imports, font caches).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from report_extract.detect.ruled import detect_tables
from report_extract.errors import ReportError
from report_extract.pipeline import DETECTORS, extract
from report_extract.read.pdf import read_document

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FOLDERS = (REPO / "samples", REPO / "fixtures", REPO.parent / "shared" / "real")


@dataclass
class Timing:
    pdf: Path
    pages: list[int]  # the pages our detector found the tables on
    extract_seconds: dict[str, float] = field(default_factory=dict)  # by detector
    camelot_seconds: float | None = None
    error: str | None = None

    @property
    def ratio(self) -> float | None:
        """camelot lattice / ours (pdfplumber detector): how many times faster we are."""
        ours = self.extract_seconds.get("pdfplumber")
        if ours is None or self.camelot_seconds is None or ours <= 0:
            return None
        return self.camelot_seconds / ours


def find_pdfs(inputs: Sequence[Path]) -> list[Path]:
    """PDFs in the given files/folders; absent folders are skipped (../shared is optional)."""
    found: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found += sorted(item.glob("*.pdf"))
        elif item.is_file() and item.suffix.lower() == ".pdf":
            found.append(item)
    return found


def median_seconds(action: Callable[[], object], runs: int) -> float:
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def table_pages(pdf: Path) -> list[int]:
    grids = detect_tables(read_document(pdf))
    return sorted({page for grid in grids.values() for page in grid.pages})


def camelot_lattice(pdf: Path, pages: list[int]) -> None:
    import camelot

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        camelot.read_pdf(str(pdf), pages=",".join(map(str, pages)), flavor="lattice")


def time_report(pdf: Path, detectors: Sequence[str], runs: int) -> Timing:
    try:
        pages = table_pages(pdf)
    except ReportError as error:
        return Timing(pdf, [], error=error.reason)
    timing = Timing(pdf, pages)
    for detector in detectors:
        try:
            timing.extract_seconds[detector] = median_seconds(
                lambda d=detector: extract(pdf, detector=d), runs)
        except ReportError as error:
            timing.error = f"{detector}: {error.reason}"
    timing.camelot_seconds = median_seconds(lambda: camelot_lattice(pdf, pages), runs)
    return timing


def warm_up(pdf: Path, detectors: Sequence[str]) -> None:
    """One untimed pass: the first call pays for imports (cv2, pandas) and font caches."""
    try:
        pages = table_pages(pdf)
        for detector in detectors:
            extract(pdf, detector=detector)
        camelot_lattice(pdf, pages)
    except ReportError:
        pass


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_table(timings: list[Timing], detectors: Sequence[str]) -> None:
    name_width = max([len(t.pdf.name) for t in timings] + [6])
    headers = [f"ours[{d}]" for d in detectors] + ["camelot", "camelot/ours"]
    print(f"{'report':<{name_width}}  {'pages':>9}  " + "  ".join(f"{h:>19}" for h in headers))
    for t in timings:
        pages = ",".join(map(str, t.pages)) or "-"
        figures = [_fmt(t.extract_seconds.get(d)) for d in detectors]
        figures += [_fmt(t.camelot_seconds), _fmt(t.ratio, 1) + ("x" if t.ratio else "")]
        line = f"{t.pdf.name:<{name_width}}  {pages:>9}  " + "  ".join(f"{f:>19}" for f in figures)
        print(line + (f"  ({t.error})" if t.error else ""))


def summary(timings: list[Timing], detectors: Sequence[str]) -> str:
    ratios = [t.ratio for t in timings if t.ratio is not None]
    if not ratios:
        return "no report timed on both sides"
    parts = [f"{len(ratios)} reports"]
    for detector in detectors:
        seconds = [t.extract_seconds[detector] for t in timings if detector in t.extract_seconds]
        parts.append(f"ours[{detector}] median {statistics.median(seconds):.3f} s/report")
    camelot = [t.camelot_seconds for t in timings if t.camelot_seconds is not None]
    parts.append(f"camelot lattice median {statistics.median(camelot):.3f} s/report")
    parts.append(f"camelot/ours median {statistics.median(ratios):.1f}x "
                 f"(min {min(ratios):.1f}x, max {max(ratios):.1f}x)")
    return " · ".join(parts)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("inputs", nargs="*", type=Path,
                        help="PDFs or folders (default: samples/, fixtures/, ../shared/real/)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure (median)")
    parser.add_argument("--detectors", default="pdfplumber",
                        help="our pipeline's detectors to time, comma-separated "
                             f"({', '.join(DETECTORS)}); pdfplumber is always included")
    args = parser.parse_args(argv)
    detectors = ["pdfplumber", *(d for d in args.detectors.split(",") if d and d != "pdfplumber")]
    unknown = [d for d in detectors if d not in DETECTORS]
    if unknown:
        parser.error(f"unknown detector {unknown[0]!r}: choose from {', '.join(DETECTORS)}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    args.detectors = detectors
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    pdfs = find_pdfs(args.inputs or [f for f in DEFAULT_FOLDERS if f.is_dir()])
    if not pdfs:
        print("no PDFs found", file=sys.stderr)
        return 1
    warm_up(pdfs[0], args.detectors)
    timings = [time_report(pdf, args.detectors, args.runs) for pdf in pdfs]
    print_table(timings, args.detectors)
    print(summary(timings, args.detectors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
