"""How long `report-extract review` takes on a large output, and how big the site is.

    python benchmarks/review.py                 # 2,000 reports
    python benchmarks/review.py --reports 500 --workers 2 --browser   # + pages in Chromium

Converting 2,000 PDFs would measure convert, not review: the samples (samples/ and
samples/agencies/, 15 reports) are converted once, and their rows are repeated under new
report ids, agencies (4 years each) and years into an output folder of N reports whose
inputs point at the sample PDFs. Every report has its own page renders, as if its PDF were
its own. Prints: the build with every crop (renders drawn), the rebuild (renders reused),
and a build with --crops none; seconds, reports/s, site size, and the machine's load.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from report_extract import convert  # noqa: E402
from report_extract.review import build_site  # noqa: E402
from report_extract.synth.truth import AGENCIES  # noqa: E402

YEARS = (2020, 2021, 2022, 2023)


def _read(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig", dtype=str,
                       keep_default_na=False, na_values=[""])


def base_output(work: Path) -> Path:
    out = work / "base"
    summary = convert([str(REPO / "samples")], out, workers=2, progress=False)
    print(f"base: {summary}")
    return out


def repeat(base: Path, n: int, out: Path) -> None:
    """An output folder of n reports made from the base reports' rows."""
    reports, cells, checks = _read(base, "reports"), _read(base, "cells"), _read(base, "checks")
    inputs = _read(base, "inputs")
    paths = dict(zip(inputs["sha256"], inputs["path"], strict=False))
    new_reports, new_cells, new_checks, new_inputs = [], [], [], []
    cells_of = dict(tuple(cells.groupby("report_id")))
    checks_of = dict(tuple(checks.groupby("report_id")))
    for i in range(n):
        src = reports.iloc[i % len(reports)]
        rid = hashlib.sha256(f"{src.report_id}-{i}".encode()).hexdigest()
        agency = f"{AGENCIES[(i // len(YEARS)) % len(AGENCIES)]}{i // len(YEARS) // 30 + 1}"
        year = YEARS[i % len(YEARS)]
        meta = {"report_id": rid, "agency": agency, "agency_key": agency, "year": str(year)}
        new_reports.append(src.to_frame().T.assign(**meta))
        new_cells.append(cells_of[src.report_id].assign(**meta))
        own = checks_of[src.report_id]  # a report's own rules: years across are not repeated
        new_checks.append(own[own["other_report_id"].isna()].assign(**meta))
        path = str(Path(paths[src.report_id]).resolve())
        new_inputs.append({"path": path, "source_file": src.source_file, "sha256": rid,
                           "status": "converted", "kind": None, "raw_path": None})
    out.mkdir(parents=True)
    for name, frames in (("reports", new_reports), ("cells", new_cells),
                         ("checks", new_checks)):
        pd.concat(frames, ignore_index=True).to_csv(out / f"{name}.csv", index=False,
                                                     encoding="utf-8-sig")
    pd.DataFrame(new_inputs).to_csv(out / "inputs.csv", index=False, encoding="utf-8-sig")
    _read(base, "problems").iloc[0:0].to_csv(out / "problems.csv", index=False,
                                             encoding="utf-8-sig")


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def _cpu() -> float:
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                         resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(label: str, n: int, out: Path, site: Path, **options) -> None:
    start, cpu = time.monotonic(), _cpu()
    summary = build_site(out, site, **options)
    seconds = time.monotonic() - start
    print(f"{label:<28} {seconds:7.1f} s  CPU {_cpu() - cpu:6.1f} s  "
          f"{n / seconds:5.0f} reports/s  "
          f"pages {summary.pages_seconds:5.1f} s  renders {summary.renders_drawn:5d} drawn "
          f"{summary.renders_reused:5d} reused in {summary.renders_seconds:5.1f} s  "
          f"site {size_mb(site):7.1f} MB")


def open_in_chromium(site: Path) -> None:
    """Open the index, the comparison page and a few report pages in headless Chromium:
    load time and console errors (tests/browser_support.py drives it)."""
    sys.path.insert(0, str(REPO / "tests"))
    from browser_support import Browser, missing_reason

    if reason := missing_reason():
        print(f"browser check skipped: {reason}")
        return
    reports = sorted((site / "reports").glob("*.html"))
    pages = [site / "index.html", site / "compare.html",
             *reports[:: max(1, len(reports) // 6)][:6]]
    with tempfile.TemporaryDirectory() as profile:
        browser = Browser(Path(profile))
        try:
            for page in pages:
                browser.errors.clear()
                start = time.monotonic()
                browser.open(page.as_uri())
                rows = browser.evaluate("document.querySelectorAll('tr').length")
                print(f"chromium {page.relative_to(site)}: {time.monotonic() - start:5.1f} s, "
                      f"{rows} table rows, {len(browser.errors)} console errors "
                      f"{browser.errors[:3]}")
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--keep", metavar="DIR", help="keep the output and sites here")
    parser.add_argument("--browser", action="store_true",
                        help="then open pages of the site in headless Chromium")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="review-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        out = work / f"out-{args.reports}"
        if not out.exists():
            repeat(base_output(work), args.reports, out)
        print(f"{args.reports} reports, {os.cpu_count()} cores, load average before "
              f"{os.getloadavg()[0]:.1f}, --workers {args.workers}")
        site = work / "site"
        shutil.rmtree(site, ignore_errors=True)
        timed("first build (all crops)", args.reports, out, site, workers=args.workers)
        timed("rebuild (renders cached)", args.reports, out, site, workers=args.workers)
        bare = work / "site-none"
        shutil.rmtree(bare, ignore_errors=True)
        timed("--crops none", args.reports, out, bare, crops="none")
        print(f"load average after {os.getloadavg()[0]:.1f}")
        if args.browser:
            open_in_chromium(site)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
