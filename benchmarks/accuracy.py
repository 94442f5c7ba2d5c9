"""Accuracy of the extraction against truth files, per report, detector and variation switch.

    python benchmarks/accuracy.py FOLDER [FOLDER...]  # *.pdf/*.html beside *.truth.json
    python benchmarks/accuracy.py --generate 300 --seed 1 --out corpus/s1
    python benchmarks/accuracy.py --generate 100 --producer html --detectors pdfplumber
    python benchmarks/accuracy.py --generate 100 --producer chromium --detectors pdfplumber
    python benchmarks/accuracy.py --generate 20 --scan 0.5 --detectors pdfplumber
    python benchmarks/accuracy.py ../shared/real --detectors pdfplumber,camelot

Per report and detector: which tables were found, cells exact (over all truth cells; a
cell the extraction lacks counts as null), metadata (agency/year/template) correct, failed
checks equal to the truth's `expected_check_failures`, seconds, and how many wrong cells
were flagged to the user. Then the same per value of each switch in the truth's
"variation" dict, one summary line per detector and which detector wins where, and one per
producer (reportlab, docx, html, chromium; "html"/"pdf" by suffix without a variation) with
`silent: N`, the truth cells wrong with nothing flagged (the number that must stay 0).

The scoring functions (`score_report`, `score_error`, `summarize`) take plain dicts so the
tests can check them on hand-made reports.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from report_extract.models import TABLE_NAMES
from report_extract.scoring import CellId, all_flags, report_dict, score_cells, truth_cells

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CSV = REPO / "benchmarks" / "results" / "accuracy.csv"
DETECTORS = ("pdfplumber", "camelot")
# Switches that differ in every file say nothing as a group: seeds, and the scan's
# continuous parameters (report_extract.synth.variation.SCAN_RANGES).
UNGROUPED_SWITCHES = frozenset({"seed", "name", "scan.seed", "scan.angle", "scan.blur",
                                "scan.noise"})
MAX_SWITCH_VALUES = 12
# Switches a truth leaves out while they are off, and the value they then group under.
OPTIONAL_SWITCHES = {"scan": "off", "web": "off"}
UNGROUPED_SWITCHES = UNGROUPED_SWITCHES | {"web.seed"}
REPORT_SUFFIXES = (".pdf", ".html", ".htm")


@dataclass
class FileScore:
    file: str
    detector: str
    tables_found: dict[str, bool]
    cells_total: int
    cells_exact: int
    wrong: list[str]  # "table.row.column: truth X, got Y"
    wrong_flagged: int  # wrong cells reported uncertain or named by a failed check
    extra: list[str]  # non-null cells the truth does not have
    metadata_wrong: list[str]  # "year: truth 2023, got 2022"
    checks_ok: bool
    check_difference: str = ""  # what differs from expected_check_failures
    seconds: float = 0.0
    error: str | None = None
    variation: dict[str, Any] = field(default_factory=dict)

    @property
    def metadata_ok(self) -> bool:
        return not self.metadata_wrong

    @property
    def fully_correct(self) -> bool:
        return (self.error is None and self.cells_exact == self.cells_total and not self.extra
                and self.metadata_ok and self.checks_ok and all(self.tables_found.values()))

    @property
    def cell_accuracy(self) -> float:
        return self.cells_exact / self.cells_total if self.cells_total else 1.0

    @property
    def producer(self) -> str:
        """Who made the file: the generator's producer, else its kind by suffix."""
        made_by = self.variation.get("producer")
        if made_by:
            return str(made_by)
        return "html" if self.file.lower().endswith((".html", ".htm")) else "pdf"


# --- scoring one report ---------------------------------------------------------------------


def _tables_in(truth: dict[str, Any]) -> list[str]:
    return [name for name in TABLE_NAMES if truth["tables"].get(name)]


def score_report(
    report: dict[str, Any], truth: dict[str, Any], *, detector: str = "", seconds: float = 0.0
) -> FileScore:
    """Score an extracted report dict (Report.to_dict() / report_dict()) against a truth;
    a wrong cell counts as flagged for anything the report told (scoring.all_flags)."""
    cells = score_cells(report, truth, all_flags(report))
    failures = sorted(report.get("check_failures") or [])
    wanted = sorted(truth.get("expected_check_failures") or [])
    return FileScore(
        file=truth.get("source_file") or report.get("source_file") or "",
        detector=detector,
        tables_found={name: bool((report.get("tables") or {}).get(name))
                      for name in _tables_in(truth)},
        cells_total=cells.total,
        cells_exact=cells.exact,
        wrong=[str(w) for w in cells.wrong],
        wrong_flagged=cells.flagged,
        extra=_extra_cells(report, truth_cells(truth)),
        metadata_wrong=[f"{key}: truth {truth.get(key)!r}, got {report.get(key)!r}"
                        for key in ("agency", "year", "template")
                        if truth.get(key) != report.get(key)],
        checks_ok=failures == wanted,
        check_difference=_check_difference(failures, wanted),
        seconds=seconds,
        variation=dict(truth.get("variation") or {}),
    )


def score_error(
    truth: dict[str, Any], message: str, *, detector: str = "", seconds: float = 0.0
) -> FileScore:
    """A report that could not be extracted: no table found, no cell read (not even the
    null ones), and every cell flagged, as the user got an error instead of numbers."""
    expected = truth_cells(truth)
    return FileScore(
        file=truth.get("source_file") or "", detector=detector,
        tables_found=dict.fromkeys(_tables_in(truth), False),
        cells_total=len(expected), cells_exact=0,
        wrong=[f"{'.'.join(c)}: truth {v!r}, not extracted" for c, v in expected.items()],
        wrong_flagged=len(expected), extra=[], metadata_wrong=["no report"], checks_ok=False,
        check_difference="no report", seconds=seconds, error=message,
        variation=dict(truth.get("variation") or {}),
    )


def _extra_cells(report: dict[str, Any], expected: dict[CellId, Any]) -> list[str]:
    return [f"{table}.{row}.{column}: got {value!r}"
            for table, rows in (report.get("tables") or {}).items()
            for row, columns in (rows or {}).items()
            for column, value in (columns or {}).items()
            if value is not None and (table, row, column) not in expected]


def _check_difference(failures: list[str], wanted: list[str]) -> str:
    unexpected = [f for f in failures if f not in wanted]
    missed = [f for f in wanted if f not in failures]
    parts = ([f"unexpected {', '.join(unexpected)}"] if unexpected else []) + (
        [f"missed {', '.join(missed)}"] if missed else [])
    return "; ".join(parts)


# --- running the extractor --------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    pdf: Path
    truth: Path
    variation: dict[str, Any] = field(default_factory=dict)  # from a manifest, if any


def find_cases(folders: Iterable[Path]) -> list[Case]:
    """X.pdf (or X.html, X.htm) beside X.truth.json (files without truth are left out), with
    the switches the generator wrote for X in the folder's manifest*.json when the truth
    has none."""
    cases = []
    for folder in folders:
        variations = load_manifests(folder)
        files = sorted(f for f in folder.iterdir() if f.suffix.lower() in REPORT_SUFFIXES)
        for pdf in files:
            truth = pdf.with_name(pdf.stem + ".truth.json")
            if truth.is_file():
                cases.append(Case(pdf, truth, variations.get(pdf.stem, {})))
    return cases


def load_manifests(folder: Path) -> dict[str, dict[str, Any]]:
    variations: dict[str, dict[str, Any]] = {}
    for manifest in sorted(folder.glob("manifest*.json")):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            variations.update({k: v for k, v in data.items() if isinstance(v, dict)})
    return variations


def run_one(case: Case, detector: str) -> FileScore:
    from report_extract.errors import ReportError
    from report_extract.pipeline import extract

    truth = json.loads(case.truth.read_text(encoding="utf-8"))
    truth.setdefault("source_file", case.pdf.name)
    truth.setdefault("variation", case.variation)
    start = time.perf_counter()
    try:
        report = extract(case.pdf, detector=detector)
    except ReportError as error:
        return score_error(truth, error.reason, detector=detector,
                           seconds=time.perf_counter() - start)
    except Exception as error:  # a crash is a result too: one file must not stop 300
        return score_error(truth, f"crash: {type(error).__name__}: {error}", detector=detector,
                           seconds=time.perf_counter() - start)
    return score_report(report_dict(report), truth, detector=detector,
                        seconds=time.perf_counter() - start)


def is_page(case: Case) -> bool:
    return case.pdf.suffix.lower() in (".html", ".htm")


def run_all(cases: Sequence[Case], detectors: Sequence[str], jobs: int = 1) -> list[FileScore]:
    """Every PDF under every detector; a web page under the default one only: its tables
    are its markup (extract refuses a page with another detector)."""
    tasks = [(case, d) for case in cases for d in (DETECTORS[:1] if is_page(case) else detectors)]
    if jobs <= 1:
        return [run_one(*task) for task in tasks]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(run_one, *zip(*tasks, strict=True)))


# --- aggregating ---------------------------------------------------------------------------------


@dataclass
class Totals:
    reports: int = 0
    fully_correct: int = 0
    cells_total: int = 0
    cells_exact: int = 0
    wrong: int = 0
    wrong_flagged: int = 0
    tables_total: int = 0
    tables_found: int = 0
    metadata_ok: int = 0
    checks_ok: int = 0
    errors: int = 0
    seconds: float = 0.0

    def add(self, score: FileScore) -> None:
        self.reports += 1
        self.fully_correct += score.fully_correct
        self.cells_total += score.cells_total
        self.cells_exact += score.cells_exact
        self.wrong += len(score.wrong)
        self.wrong_flagged += score.wrong_flagged
        self.tables_total += len(score.tables_found)
        self.tables_found += sum(score.tables_found.values())
        self.metadata_ok += score.metadata_ok
        self.checks_ok += score.checks_ok
        self.errors += score.error is not None
        self.seconds += score.seconds

    @property
    def percent(self) -> float:
        return 100.0 * self.cells_exact / self.cells_total if self.cells_total else 100.0

    @property
    def silent(self) -> int:
        """Truth cells wrong (or missing) with nothing in the output flagging them."""
        return self.wrong - self.wrong_flagged

    def line(self) -> str:
        return (f"cells: {self.cells_exact}/{self.cells_total} exact ({self.percent:.2f}%)"
                f" · reports fully correct: {self.fully_correct}/{self.reports}")

    def details(self) -> str:
        per_report = self.seconds / self.reports if self.reports else 0.0
        return (f"silent: {self.silent} · wrong cells flagged: {self.wrong_flagged}/{self.wrong} · "
                f"tables found: {self.tables_found}/{self.tables_total} · "
                f"metadata: {self.metadata_ok}/{self.reports} · "
                f"checks as expected: {self.checks_ok}/{self.reports} · "
                f"errors: {self.errors} · {per_report:.2f} s/report")


def summarize(scores: Iterable[FileScore]) -> dict[str, Totals]:
    """Totals per detector, in the order the detectors first appear."""
    totals: dict[str, Totals] = {}
    for score in scores:
        totals.setdefault(score.detector, Totals()).add(score)
    return totals


def summarize_producers(scores: Iterable[FileScore]) -> dict[tuple[str, str], Totals]:
    """Totals per (producer, detector), in the order they first appear."""
    totals: dict[tuple[str, str], Totals] = {}
    for score in scores:
        totals.setdefault((score.producer, score.detector), Totals()).add(score)
    return totals


def switch_groups(scores: Sequence[FileScore]) -> dict[tuple[str, str], list[FileScore]]:
    """Scores grouped by (switch, value) for every switch of the truths' variation dicts.

    A list-valued switch (rows an agency added) groups by each element, "(none)" if empty;
    a dict-valued one (scan) as in `switch_values`.
    """
    flat = [switch_values(score.variation) for score in scores]
    values: dict[str, set[str]] = {}
    for switches in flat:
        for name, value in switches.items():
            values.setdefault(name, set()).update(_value_texts(value))
    for name, off in OPTIONAL_SWITCHES.items():
        if name in values:  # compared with the reports without it
            for switches in flat:
                values[name].update(_value_texts(switches.setdefault(name, off)))
    groups: dict[tuple[str, str], list[FileScore]] = {}
    for name in sorted(values):
        if name in UNGROUPED_SWITCHES or len(values[name]) > MAX_SWITCH_VALUES:
            continue
        for score, switches in zip(scores, flat, strict=True):
            for text in _value_texts(switches[name]) if name in switches else []:
                groups.setdefault((name, text), []).append(score)
    return dict(sorted(groups.items()))


def switch_values(variation: dict[str, Any]) -> dict[str, Any]:
    """The switches as grouped: one given as a dict of parameters (scan) is "on", each
    parameter a switch "scan.dpi"; an optional switch set to null is left out (off)."""
    flat: dict[str, Any] = {}
    for name, value in variation.items():
        if isinstance(value, dict):
            flat[name] = "on"
            flat.update({f"{name}.{key}": v for key, v in value.items()})
        elif value is not None or name not in OPTIONAL_SWITCHES:
            flat[name] = value
    return flat


def _value_texts(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [_value_text(v) for v in value] or ["(none)"]
    return [_value_text(value)]


def _value_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def winner(totals: dict[str, Totals]) -> str:
    """The detector with the most exact cells (then most fully correct reports), or a tie."""
    if len(totals) < 2:
        return ""
    ranked = sorted(totals.items(), key=lambda kv: (kv[1].cells_exact, kv[1].fully_correct),
                    reverse=True)
    best, second = ranked[0][1], ranked[1][1]
    if (best.cells_exact, best.fully_correct) == (second.cells_exact, second.fully_correct):
        return "tie"
    return ranked[0][0]


def file_wins(scores: Sequence[FileScore]) -> dict[str, int]:
    """Per file, which detector got more cells exact: counts of wins and ties."""
    by_file: dict[str, dict[str, int]] = {}
    for score in scores:
        by_file.setdefault(score.file, {})[score.detector] = score.cells_exact
    counts: dict[str, int] = {}
    for exact in by_file.values():
        if len(exact) < 2:
            continue
        best = max(exact.values())
        leaders = [d for d, n in exact.items() if n == best]
        key = leaders[0] if len(leaders) == 1 else "tie"
        counts[key] = counts.get(key, 0) + 1
    return counts


# --- output ------------------------------------------------------------------------------------

CSV_FIELDS = ("file", "detector", "error", *(f"found_{t}" for t in TABLE_NAMES), "cells_exact",
              "cells_total", "cell_accuracy", "wrong_flagged", "extra_cells", "metadata_ok",
              "checks_ok", "fully_correct", "seconds", "variation", "wrong", "metadata_wrong",
              "check_difference")
SWITCH_CSV_FIELDS = ("switch", "value", "detector", "reports", "cells_exact", "cells_total",
                     "cell_accuracy", "fully_correct", "wrong", "wrong_flagged", "winner")


def csv_row(score: FileScore) -> dict[str, Any]:
    found = {f"found_{t}": ("" if t not in score.tables_found
                            else "yes" if score.tables_found[t] else "no") for t in TABLE_NAMES}
    return {
        "file": score.file, "detector": score.detector, "error": score.error or "", **found,
        "cells_exact": score.cells_exact, "cells_total": score.cells_total,
        "cell_accuracy": f"{score.cell_accuracy:.4f}", "wrong_flagged": score.wrong_flagged,
        "extra_cells": len(score.extra), "metadata_ok": score.metadata_ok,
        "checks_ok": score.checks_ok, "fully_correct": score.fully_correct,
        "seconds": f"{score.seconds:.3f}",
        "variation": json.dumps(score.variation, ensure_ascii=False, sort_keys=True),
        "wrong": "; ".join(score.wrong + score.extra), "metadata_wrong": "; ".join(
            score.metadata_wrong), "check_difference": score.check_difference,
    }


def switch_rows(scores: Sequence[FileScore]) -> list[dict[str, Any]]:
    rows = []
    for (name, value), group in switch_groups(scores).items():
        totals = summarize(group)
        best = winner(totals)
        for detector, t in totals.items():
            rows.append({"switch": name, "value": value, "detector": detector,
                         "reports": t.reports, "cells_exact": t.cells_exact,
                         "cells_total": t.cells_total, "cell_accuracy": f"{t.percent:.2f}",
                         "fully_correct": t.fully_correct, "wrong": t.wrong,
                         "wrong_flagged": t.wrong_flagged, "winner": best})
    return rows


def write_csv(path: Path, rows: Sequence[dict[str, Any]], fields: Sequence[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads CJK
        writer = csv.DictWriter(handle, fieldnames=list(fields))
        writer.writeheader()
        writer.writerows(rows)


def print_files(scores: Sequence[FileScore]) -> None:
    width = max([len(s.file) for s in scores] + [4])
    print(f"{'file':<{width}}  {'detector':<10}  {'二 三 四':<8}  {'cells':>9}  {'flagged':>7}"
          f"  meta  checks  {'s':>6}")
    for s in scores:
        found = " ".join("y" if s.tables_found.get(t) else ("n" if t in s.tables_found else "-")
                         for t in TABLE_NAMES)
        print(f"{s.file:<{width}}  {s.detector:<10}  {found:<8}  "
              f"{s.cells_exact:>4}/{s.cells_total:<4}  {s.wrong_flagged:>3}/{len(s.wrong):<3}  "
              f"{'ok' if s.metadata_ok else 'NO':<4}  {'ok' if s.checks_ok else 'NO':<6}  "
              f"{s.seconds:>6.2f}" + (f"  {s.error}" if s.error else ""))


def print_switches(rows: Sequence[dict[str, Any]]) -> None:
    """One line per switch value, the detectors side by side."""
    if not rows:
        return
    print("\nby variation switch (cells exact · reports fully correct · wrong cells flagged):")
    lines: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        lines.setdefault(f"{r['switch']}={r['value']}", []).append(r)
    width = max(len(label) for label in lines)
    for label, group in lines.items():
        figures = "  ".join(
            f"{r['detector']} {r['cell_accuracy']:>6}% {r['fully_correct']:>3}/{r['reports']:<3}"
            f" {r['wrong_flagged']}/{r['wrong']}" for r in group)
        best = group[0]["winner"]
        print(f"  {label:<{width}}  n={group[0]['reports']:<4} {figures}"
              + (f"  winner: {best}" if best else ""))


def print_summary(scores: Sequence[FileScore]) -> None:
    print()
    for detector, totals in summarize(scores).items():
        print(f"{detector}: {totals.line()}")
        print(f"{'':>{len(detector)}}  {totals.details()}")
    producers = summarize_producers(scores)
    if producers:
        print("\nper producer:")
        width = max(len(f"{p} ({d})") for p, d in producers)
        for (producer, detector), totals in producers.items():
            print(f"  {f'{producer} ({detector})':<{width}}  {totals.line()} · "
                  f"silent: {totals.silent}")
    wins = file_wins(scores)
    if wins:
        print("per file, more cells exact: "
              + ", ".join(f"{name} {count}" for name, count in sorted(wins.items())))
        print(f"overall winner: {winner(summarize(scores))}")


# --- corpus generation ------------------------------------------------------------------------


def generate(count: int, seed: int, out: Path, scan: float = 0.0,
             producers: Sequence[str] | None = None) -> None:
    """Make a corpus with the synth generator (needs the `synth` extra: reportlab, fonts);
    `scan` of its reports as image-only scans (read by OCR: needs the `ocr` extra);
    `producers` as for `python -m report_extract.synth --producer` (html and chromium
    publish every report as a portal page; chromium needs /usr/bin/chromium)."""
    try:
        from report_extract.synth import generate as synth_generate
    except ImportError as error:
        raise SystemExit(f"cannot generate: report_extract.synth unavailable ({error})") from error
    synth_generate(seed, out, count, tuple(producers) if producers else None, scan=scan)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="*", type=Path,
                        help="folders of *.pdf with *.truth.json beside them")
    parser.add_argument("--detectors", default="pdfplumber,camelot",
                        help=f"comma-separated, from {', '.join(DETECTORS)}")
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV,
                        help="per-file results; the by-switch table goes beside it "
                             "(*_by_switch.csv)")
    parser.add_argument("--generate", type=int, metavar="N", help="generate N reports first")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--out", type=Path, help="where --generate writes (default corpus/sSEED)")
    parser.add_argument("--scan", type=float, nargs="?", const=1.0, default=0.0,
                        metavar="SHARE", help="with --generate: this share of the reports "
                        "(default all) as image-only scans, read by OCR (~10 s a report)")
    parser.add_argument("--producer", action="append", metavar="NAME",
                        help="with --generate: only this producer (repeatable): reportlab, "
                             "docx, html, chromium (the web ones publish every report as a "
                             "page)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    args = parser.parse_args(argv)
    args.detectors = [d for d in args.detectors.split(",") if d]
    for detector in args.detectors:
        if detector not in DETECTORS:
            parser.error(f"unknown detector {detector!r}: choose from {', '.join(DETECTORS)}")
    if args.generate is None and not args.folders:
        parser.error("give folders to score, or --generate N")
    if not 0.0 <= args.scan <= 1.0:
        parser.error(f"--scan {args.scan}: a share within 0-1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    folders = list(args.folders)
    if args.generate is not None:
        out = args.out or REPO / "corpus" / f"s{args.seed}"
        generate(args.generate, args.seed, out, args.scan, args.producer)
        folders.append(out)
    cases = find_cases(folders)
    if not cases:
        print("no *.pdf or *.html with a *.truth.json beside it in "
              + ", ".join(map(str, folders)),
              file=sys.stderr)
        return 1
    if any(map(is_page, cases)) and args.detectors != list(DETECTORS[:1]):
        print(f"note: web pages are scored under {DETECTORS[0]} only (their tables are "
              "their markup)", file=sys.stderr)
    scores = run_all(cases, args.detectors, args.jobs)
    print_files(scores)
    switches = switch_rows(scores)
    print_switches(switches)
    print_summary(scores)
    write_csv(args.csv, [csv_row(s) for s in scores], CSV_FIELDS)
    write_csv(args.csv.with_name(args.csv.stem + "_by_switch.csv"), switches, SWITCH_CSV_FIELDS)
    print(f"\nwritten: {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
