"""OCR benchmark: seconds per page and per report, and cell accuracy on degraded scans.

    python benchmarks/ocr.py                       # real report + two fixtures, both engines
    python benchmarks/ocr.py --engines rapidocr --presets office,poor --inputs a.pdf b.pdf
    python benchmarks/ocr.py --generate 10 --seed 7   # also 10 fresh synthetic reports
    python benchmarks/ocr.py --generate 10 --scan --presets ""   # 10 generated scans only
    python benchmarks/ocr.py --six-page 3 --presets ""   # 3 generated scans of 6 pages
    python benchmarks/ocr.py --presets real-scan --seeds 3   # real report, per-page recipe
    python benchmarks/ocr.py --presets "" --generate 60 --scan --jobs 2   # 60 drawn scans
    python benchmarks/ocr.py --presets "" --scans DIR --jobs 2   # scans kept by --keep DIR
    python benchmarks/ocr.py --presets "" --scans DIR --record before.json   # keep the results
    python benchmarks/ocr.py --presets "" --scans DIR --compare before.json  # ... and compare

Every input (a text PDF beside its NAME.truth.json) is turned into image-only PDFs by
report_extract.scan.degrade with each preset, then extracted with mode="ocr" by each
installed engine. With --scan, the --generate reports are written as scans by the
generator's scan switch instead, each with its own random degradations (recorded in its
truth), and are read as they are: preset "drawn". Per run: pages, seconds, seconds per
page, cells exact / wrong but flagged (uncertain or an unexpected failed check) / wrong
and silent (report_extract.scoring.score_report), metadata right. Then one line per
engine and preset, and the time a 6-page report takes at the measured rate. --six-page N
generates scans that really have six pages (landscape, 12 pt, with prose: as long as a
typical published report) and times them whole: preset "6-page".
Preset "real-scan" is an ordinary scanner's recipe as real scans show it (issue 17):
each page tilted on its own by up to 1.5 degrees on a canvas grown with the tilt,
shifted by a few points, a little larger or smaller, a seal over the ruled header whose
ink hides part of the print. The generator's scans (--scan) draw the same kinds of
variation per report (synth.variation.draw_scan). --silent lists every silent cell.
Degraded copies of the real report live only in a temporary folder, never committed.
Wall-clock times depend on the machine and its load: compare engines in one run. CPU
seconds (the reading process's own, all its threads) depend on it much less: they are
what --record keeps and --compare (an earlier --record of the same scans) or
--reference (a figure) sets the CPU s/page against, as a ratio. --compare also lists
the reports whose output (values, checks, problems, uncertain cells) changed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from report_extract.pipeline import extract
from report_extract.scan.degrade import degrade_pdf
from report_extract.scan.engines import available_engines, get_engine
from report_extract.scoring import CellScore, report_dict, score_report, total_score

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "real"
DEFAULT_FIXTURES = ("t2021-full", "t2019-seed-labels")
PRESETS: dict[str, dict] = {
    "clean": dict(dpi=300, angle=0.0, blur=0.0, noise=0.0, jpeg_quality=90, stamp=False),
    "office": dict(dpi=200, angle=0.8, blur=0.6, noise=6.0, jpeg_quality=70, stamp=True),
    "poor": dict(dpi=150, angle=-1.8, blur=0.9, noise=10.0, jpeg_quality=50, stamp=True),
    "real-scan": dict(dpi=200, angle=0.0, blur=0.6, noise=6.0, jpeg_quality=70, stamp=True,
                      page_tilt=1.5, page_shift=5.0, page_size=0.01, expand=True,
                      seal_on_rules=True, seal_opacity=0.6),
}
REPORT_PAGES = 6
DRAWN = "drawn"  # the preset name of reports the generator scanned with its own draw
SIX_PAGE = "6-page"  # ... and of those drawn long enough to fill six pages
MAX_TRIES = 40  # variations tried per six-page report wanted


@dataclass
class Run:
    engine: str
    preset: str
    file: str
    pages: int
    seconds: float
    cells: CellScore
    metadata_ok: bool
    cpu: float = 0.0  # CPU seconds of the reading process (all its threads)
    output: dict = field(default_factory=dict)  # scoring.report_dict of the report
    seed: int = 0  # the preset's degradation seed (--seeds)

    @property
    def per_page(self) -> float:
        return self.seconds / self.pages if self.pages else 0.0

    @property
    def cpu_per_page(self) -> float:
        return self.cpu / self.pages if self.pages else 0.0

    @property
    def key(self) -> str:
        """Names the run in --record/--compare; each degradation seed is its own run (the
        first keeps the plain name, as records made before seeds were told apart)."""
        seed = f"#{self.seed}" if self.seed else ""
        return f"{self.engine}/{self.preset}/{self.file}{seed}"


@dataclass
class Totals:
    runs: list[Run] = field(default_factory=list)

    def line(self, engine: str, preset: str) -> str:
        mine = [r for r in self.runs if (r.engine, r.preset) == (engine, preset)]
        cells = total_score(r.cells for r in mine)
        per_page = sum(r.seconds for r in mine) / max(1, sum(r.pages for r in mine))
        cpu = cpu_per_page(mine)
        return (f"{engine:10} {preset:9} files {len(mine):3}  cells {cells.total:5}  "
                f"exact {cells.exact_share:7.2%}  flagged {cells.flagged:4}  "
                f"silent {len(cells.unflagged):3}  metadata ok "
                f"{sum(r.metadata_ok for r in mine)}/{len(mine)}  "
                f"{per_page:5.2f} s/page  {per_page * REPORT_PAGES:5.1f} s per 6-page report  "
                f"CPU {cpu:5.2f} s/page")


def cpu_per_page(runs: list[Run]) -> float:
    return sum(r.cpu for r in runs) / max(1, sum(r.pages for r in runs))


def inputs(args: argparse.Namespace, work: Path) -> list[Path]:
    """The text PDFs to degrade with each preset."""
    if args.inputs:
        return [Path(p) for p in args.inputs]
    found = sorted(REAL.glob("*.pdf")) if REAL.is_dir() else []
    found += [REPO / "fixtures" / f"{name}.pdf" for name in DEFAULT_FIXTURES]
    if args.generate and not args.scan:
        found += generated(args, work)
    return [p for p in found if p.exists()]


def generated(args: argparse.Namespace, work: Path) -> list[Path]:
    """--generate N reports (with --scan: image-only scans, as the generator drew them)."""
    from report_extract.synth import generate

    made = generate(args.seed, work / "synth", args.generate, scan=1.0 if args.scan else 0.0)
    return [pdf for pdf, _ in made]


def drawn_scan_runs(args: argparse.Namespace, work: Path, engines: list[str]) -> list[Run]:
    """--generate N --scan with --jobs > 1: each process writes a scan and reads it at
    once (writing 60 scans first left the cores idle-waiting on one). The reports are
    those generate(seed, ..., N, scan=1.0) makes: same names, variations and scans."""
    import random
    from concurrent.futures import ProcessPoolExecutor

    from report_extract.synth.variation import Variation

    rng = random.Random(args.seed)
    jobs = [(f"synth-{args.seed}-{i:04d}", Variation.random(rng).with_scan(1.0), work / "synth",
             engines) for i in range(args.generate)]
    with ProcessPoolExecutor(args.jobs) as pool:
        return [run for runs in pool.map(_write_and_read, jobs) for run in runs]


def _write_and_read(job: tuple[str, object, Path, list[str]]) -> list[Run]:
    from report_extract.synth.generate import write_report

    name, variation, folder, engines = job
    pdf, _ = write_report(name, variation, folder)  # type: ignore[arg-type]
    return [report_run(pdf, pdf, engine, DRAWN) for engine in engines]


def six_page_scans(args: argparse.Namespace, work: Path) -> list[Path]:
    """--six-page N scans of exactly six pages: random variations set in landscape at
    12 pt with prose, scanned by the generator's own draw, kept when six pages long."""
    import random
    from dataclasses import replace

    import pypdfium2 as pdfium

    from report_extract.synth.generate import write_report
    from report_extract.synth.variation import FONT_SIZES, Variation

    rng, found = random.Random(f"six-page:{args.seed}"), []
    for attempt in range(MAX_TRIES * args.six_page):
        if len(found) == args.six_page:
            break
        variation = replace(Variation.random(rng), landscape=True, font_size=max(FONT_SIZES),
                            body_text=True).with_scan(1.0)
        pdf, _ = write_report(f"six-page-{args.seed}-{attempt:03d}", variation, work / "six")
        if len(pdfium.PdfDocument(pdf)) == REPORT_PAGES:
            found.append(pdf)
    return found


def truth_of(pdf: Path) -> dict:
    return json.loads(pdf.with_name(pdf.stem + ".truth.json").read_text(encoding="utf-8"))


def run_one(pdf: Path, scan: Path, engine: str, preset: str, seed: int = 0) -> Run:
    truth = truth_of(pdf)
    get_engine(engine)  # loaded once per process, not counted against the first report
    start, cpu = time.perf_counter(), time.process_time()
    report = extract(scan, mode="ocr", ocr_engine=engine, source_file=pdf.name)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    metadata_ok = (report.agency, report.year, report.template) == (
        truth["agency"], truth["year"], truth["template"])
    return Run(engine, preset, pdf.name, report.pages, seconds, score_report(report, truth),
               metadata_ok, cpu, report_dict(report), seed)


def preset_runs(pdfs: list[Path], presets: list[str], engines: list[str], seeds: int,
                work: Path) -> list[Run]:
    """Each text PDF degraded with each preset (and degradation seed), read by each engine."""
    runs = []
    for pdf in pdfs:
        for preset in presets:
            for seed in range(seeds):
                scan = work / f"{pdf.stem}.{preset}.{seed}.pdf"
                degrade_pdf(pdf, scan, seed=seed, **PRESETS[preset])
                runs += [report_run(pdf, scan, engine, preset, seed) for engine in engines]
    return runs


SHOW_SILENT = 3  # silent cells printed per run (--silent: all)


def report_run(pdf: Path, scan: Path, engine: str, preset: str, seed: int = 0) -> Run:
    """Read one scan and print its line."""
    run = run_one(pdf, scan, engine, preset, seed)
    print(f"{engine:10} {preset:9} {pdf.name:40} {run.pages} pages "
          f"{run.seconds:6.1f} s ({run.per_page:4.2f} s/page, CPU {run.cpu_per_page:4.2f})  exact "
          f"{run.cells.exact}/{run.cells.total}  flagged "
          f"{run.cells.flagged}  silent {len(run.cells.unflagged)} "
          f"{run.cells.unflagged[:SHOW_SILENT]}", flush=True)
    return run


def drawn_runs(scans: list[Path], engines: list[str], preset: str, jobs: int) -> list[Run]:
    """The generator's scans read as they are, by `jobs` processes."""
    work = [(scan, scan, engine, preset) for scan in scans for engine in engines]
    if jobs <= 1:
        return [report_run(*job) for job in work]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(_report_run_job, work))


def _report_run_job(job: tuple[Path, Path, str, str]) -> Run:
    return report_run(*job)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default=",".join(available_engines()))
    parser.add_argument("--presets", default="office,poor,real-scan")
    parser.add_argument("--inputs", nargs="*", help="text PDFs with NAME.truth.json beside")
    parser.add_argument("--generate", type=int, default=0, help="add N synthetic reports")
    parser.add_argument("--scan", action="store_true",
                        help=f"--generate scanned reports, each degraded by its own draw "
                             f"(preset {DRAWN!r}), instead of text ones degraded per preset")
    parser.add_argument("--six-page", type=int, default=0, metavar="N",
                        help=f"add N generated scans of {REPORT_PAGES} pages, timed whole")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seeds", type=int, default=1, help="degradation seeds per preset")
    parser.add_argument("--jobs", type=int, default=1,
                        help="processes reading the --generate/--six-page scans")
    parser.add_argument("--silent", action="store_true", help="print every silent cell")
    parser.add_argument("--scans", metavar="DIR",
                        help=f"also read the scans in DIR (NAME.pdf beside NAME.truth.json, "
                             f"e.g. made by an earlier --generate N --scan --keep DIR) as "
                             f"preset {DRAWN!r}")
    parser.add_argument("--record", metavar="FILE",
                        help="write each run's figures and output to FILE (JSON)")
    parser.add_argument("--compare", metavar="FILE",
                        help="an earlier --record of the same scans: CPU s/page before and "
                             "now, their ratio, and the reports whose output changed")
    parser.add_argument("--reference", type=float, metavar="S",
                        help="a CPU s/page figure to set this run's against")
    parser.add_argument("--keep", metavar="DIR",
                        help="write the scans to DIR and keep them (never inside the repo "
                             "for the real report's)")
    args = parser.parse_args(argv)
    if args.silent:
        global SHOW_SILENT
        SHOW_SILENT = 10**6
    engines = [e for e in args.engines.split(",") if e]
    if not engines:
        print("no OCR engine installed: pip install 'report-extract[ocr]'", file=sys.stderr)
        return 2
    presets = [p for p in args.presets.split(",") if p]
    totals = Totals()
    with tempfile.TemporaryDirectory(prefix="ocr-bench-") as tmp:
        work = Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        totals.runs += preset_runs(inputs(args, work), presets, engines, args.seeds, work)
        if args.generate and args.scan and args.jobs > 1:
            totals.runs += drawn_scan_runs(args, work, engines)
            presets.append(DRAWN)
        drawn = generated(args, work) if args.generate and args.scan and args.jobs <= 1 else []
        if args.scans:
            drawn += sorted(p for p in Path(args.scans).glob("*.pdf")
                            if p.with_name(p.stem + ".truth.json").exists())
        if drawn:
            totals.runs += drawn_runs(drawn, engines, DRAWN, args.jobs)
            presets += [DRAWN] if DRAWN not in presets else []
        if args.six_page:
            totals.runs += drawn_runs(six_page_scans(args, work), engines, SIX_PAGE,
                                      args.jobs)
            presets.append(SIX_PAGE)
    if not totals.runs:
        print("nothing to read: give --presets, --generate N --scan or --six-page N",
              file=sys.stderr)
        return 2
    print()
    for engine in engines:
        for preset in presets:
            print(totals.line(engine, preset))
    silent = sum(len(r.cells.unflagged) for r in totals.runs)
    print(f"median s/page over all runs: "
          f"{statistics.median(r.per_page for r in totals.runs):.2f}; silent wrong cells: "
          f"{silent}")
    cpu = cpu_per_page(totals.runs)
    print(f"CPU s/page over all runs: {cpu:.2f}")
    if args.reference:
        print(f"against the reference {args.reference:.2f} CPU s/page: "
              f"{args.reference / cpu:.2f}x as fast")
    if args.compare:
        compare(totals.runs, json.loads(Path(args.compare).read_text(encoding="utf-8")))
    if args.record:
        Path(args.record).write_text(json.dumps(record(totals.runs), ensure_ascii=False),
                                     encoding="utf-8")
    return 0


def record(runs: list[Run]) -> dict:
    return {"runs": [{"key": r.key, "pages": r.pages, "seconds": r.seconds, "cpu": r.cpu,
                      "exact": r.cells.exact, "flagged": r.cells.flagged,
                      "silent": len(r.cells.unflagged), "output": r.output} for r in runs]}


def compare(runs: list[Run], before: dict) -> None:
    """CPU s/page of the runs also in `before` (same engine, preset and file), before and
    now, and which of those reports' output changed, in which top-level parts."""
    earlier = {r["key"]: r for r in before["runs"]}
    both = [r for r in runs if r.key in earlier]
    if not both:
        print("--compare: no run of this one is in the record", file=sys.stderr)
        return
    pages = sum(r.pages for r in both)
    then = sum(earlier[r.key]["cpu"] for r in both) / pages
    now = cpu_per_page(both)
    print(f"compared with {len(both)} recorded runs: CPU {then:.2f} -> {now:.2f} s/page "
          f"({then / now:.2f}x as fast); exact {sum(earlier[r.key]['exact'] for r in both)}"
          f" -> {sum(r.cells.exact for r in both)}, flagged "
          f"{sum(earlier[r.key]['flagged'] for r in both)} -> "
          f"{sum(r.cells.flagged for r in both)}, silent "
          f"{sum(earlier[r.key]['silent'] for r in both)} -> "
          f"{sum(len(r.cells.unflagged) for r in both)}")
    changed = [(r.key, _changed_parts(r.output, earlier[r.key]["output"])) for r in both]
    changed = [(key, parts) for key, parts in changed if parts]
    print(f"reports whose output changed: {len(changed)} of {len(both)}")
    for key, parts in changed:
        print(f"  {key}: {', '.join(parts)}")


def _changed_parts(now: dict, then: dict) -> list[str]:
    now = json.loads(json.dumps(now, ensure_ascii=False))  # as recorded: lists, str keys
    return [part for part in sorted(set(now) | set(then)) if now.get(part) != then.get(part)]


if __name__ == "__main__":
    sys.exit(main())
