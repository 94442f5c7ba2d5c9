"""Build the review site: index, one page per report, comparison page, page renders."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from report_extract.batch.inputs import MEMBER_SEP
from report_extract.review.assets import CSS, JS
from report_extract.review.compare_page import render_compare
from report_extract.review.data import Dataset, read_output, records_by_report
from report_extract.review.index_page import IndexRow, render_index
from report_extract.review.indicators import indicator_table
from report_extract.review.renders import Render, draw, missing, plan_renders
from report_extract.review.report_page import (
    CROP_PAD_X,
    CROP_PAD_Y,
    ReportView,
    failed_checks,
    page_name,
    render_report_page,
)
from report_extract.review.terms import check_cells
from report_extract.write.files import remove_temporaries, replace_dir

CROPS = ("all", "flagged", "none")


@dataclass
class SiteSummary:
    site: Path
    reports: int = 0
    renders_drawn: int = 0
    renders_reused: int = 0
    pdfs_missing: int = 0
    pages_seconds: float = 0.0
    renders_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)  # PDFs that could not be drawn

    def __str__(self) -> str:
        text = (f"{self.reports} reports: pages in {self.pages_seconds:.1f} s, "
                f"{self.renders_drawn} page renders drawn in {self.renders_seconds:.1f} s "
                f"({self.renders_reused} reused); open {self.site / 'index.html'}")
        if self.pdfs_missing:
            text += f"; {self.pdfs_missing} PDFs not found (no crops: pass --pdfs DIR)"
        return text


def build_site(output: str | os.PathLike, site: str | os.PathLike, *,
               pdf_dirs: tuple[str | os.PathLike, ...] = (), crops: str = "all",
               workers: int | None = None, progress: bool = False) -> SiteSummary:
    """Write the review site of a convert output folder into `site`."""
    if crops not in CROPS:
        raise ValueError(f"unknown crops {crops!r}: use one of {', '.join(CROPS)}")
    started = time.monotonic()
    ds = read_output(output)
    root = Path(site)
    summary = SiteSummary(root, reports=len(ds.reports))
    _write(root / "assets" / "site.css", CSS)
    _write(root / "assets" / "site.js", JS.replace("__PAD_X__", f"{CROP_PAD_X:g}").replace(
        "__PAD_Y__", f"{CROP_PAD_Y:g}"))
    renders = _write_pages(ds, root, [Path(d) for d in pdf_dirs], crops, summary,
                           _Progress("report pages", progress))
    summary.pages_seconds = time.monotonic() - started
    started = time.monotonic()
    todo = missing(renders, root)
    summary.renders_reused = len(renders) - len(todo)
    summary.problems = draw(todo, root, workers=workers,
                            progress=_Progress("page renders", progress))
    summary.renders_drawn = len(todo)
    summary.renders_seconds = time.monotonic() - started
    return summary


class _Progress:
    """'label: done/total' on stderr, at most every 2 s and at the end (or nothing)."""

    def __init__(self, label: str, on: bool):
        self.label, self.on, self.last = label, on, time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.on and (done == total or now - self.last >= 2.0):
            self.last = now
            print(f"{self.label}: {done}/{total}", file=sys.stderr, flush=True)


def _write(path: Path, text: str) -> None:
    """Write a file whole (temp + rename): an open browser never sees half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _reports_folder(root: Path) -> Path:
    """A fresh folder for the report pages, put in place of reports/ when all are written
    (one rename, not one per page; pages of reports no longer in the output go with it)."""
    remove_temporaries(root)
    tmp = root / f".tmp-reports-{os.getpid()}"
    tmp.mkdir(parents=True)
    return tmp


def _groups(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    if frame.empty or "report_id" not in frame:
        return {}
    return dict(tuple(frame.groupby("report_id", sort=False)))


def _write_pages(ds: Dataset, root: Path, pdf_dirs: list[Path], crops: str,
                 summary: SiteSummary, progress: _Progress) -> list[Render]:
    cells, checks = records_by_report(ds.cells), records_by_report(ds.checks)
    problems, conflicts = _groups(ds.problems), _groups(ds.conflicts)
    pdfs = _pdf_paths(ds, pdf_dirs)
    errors = _error_messages(ds)
    pages = {rid: page_name(rid) for rid in ds.reports["report_id"]}
    neighbours = _neighbours(ds.reports)
    empty = pd.DataFrame()
    all_renders: list[Render] = []
    index_rows = []
    folder = _reports_folder(root)
    for done, meta in enumerate(ds.reports.itertuples(), 1):
        progress(done, len(ds.reports))
        rid = meta.report_id
        mine, my_checks = cells.get(rid, []), checks.get(rid, [])
        pdf = pdfs.get(rid)
        summary.pdfs_missing += pdf is None and _has_boxes(mine)
        renders = _renders(rid, pdf, mine, my_checks, crops)
        all_renders += renders.values()
        view = ReportView(meta, mine, my_checks, problems.get(rid, empty),
                          conflicts.get(rid, empty), renders,
                          _uri(pdf), errors.get(rid),
                          neighbours.get(rid, {}), pages, _crop_note(crops, pdf, mine),
                          _source(meta))
        (folder / Path(pages[rid]).name).write_text(render_report_page(view),
                                                    encoding="utf-8")
        index_rows.append(_index_row(meta, view, pages[rid]))
    replace_dir(folder, root / "reports")
    _write(root / "index.html", render_index(index_rows, _summary_text(ds)))
    _write(root / "compare.html", render_compare(indicator_table(ds), _agency_failures(ds),
                                                 pages))
    return all_renders


def _renders(rid: str, pdf: Path | None, cells: list, checks: list,
             crops: str) -> dict[int, Render]:
    if pdf is None or crops == "none" or not cells:
        return {}
    boxed = [c for c in cells if c.page is not None and c.x0 is not None
             and not pd.isna(c.page) and not pd.isna(c.x0)]
    if crops == "flagged":
        keys = {k for c in failed_checks(checks) for k in check_cells(c.rule, c.subject)}
        boxed = [c for c in boxed if (c.table, c.row, c.column) in keys or c.uncertain_reason]
    return plan_renders(rid, str(pdf), ((int(c.page), c.x0, c.top, c.x1, c.bottom)
                                        for c in boxed))


def _has_boxes(cells: list) -> bool:
    return any(c.page is not None and c.x0 is not None for c in cells)


def _crop_note(crops: str, pdf: Path | None, cells: list) -> str:
    if not cells:
        return ""
    if not _has_boxes(cells):
        return "Its values have no place on a page (an HTML report), so no crops."
    if pdf is None:
        return "The PDF was not found, so values have no crops (review … --pdfs FOLDER)."
    if crops == "none":
        return "Built with --crops none: values have no crops."
    if crops == "flagged":
        return "Built with --crops flagged: only failed checks' and uncertain values have crops."
    return ""


def _pdf_paths(ds: Dataset, pdf_dirs: list[Path]) -> dict[str, Path]:
    """Each report's PDF: its input paths as recorded (absolute, or relative to the working
    folder or to the output's parent), else by name in one of `pdf_dirs`."""
    candidates: dict[str, list[str]] = {}
    if not ds.inputs.empty:
        for row in ds.inputs.itertuples():
            if isinstance(row.path, str) and isinstance(row.sha256, str):
                candidates.setdefault(row.sha256, []).append(row.path)
    found = {}
    for meta in ds.reports.itertuples():
        paths = candidates.get(meta.report_id, [])
        names = [n for n in (meta.source_file, *(Path(p).name for p in paths))
                 if isinstance(n, str)]
        hit = _existing([p for p in paths if MEMBER_SEP not in p], ds.folder, pdf_dirs, names)
        if hit is None:  # only in an archive: the member of the archive
            for path in (p for p in paths if MEMBER_SEP in p):
                archive, member = path.split(MEMBER_SEP, 1)
                where = _existing([archive], ds.folder, pdf_dirs, [Path(archive).name])
                if where is not None:
                    hit = Path(f"{where.resolve()}{MEMBER_SEP}{member}")
                    break
        if hit is not None:
            found[meta.report_id] = hit
    return found


def _uri(pdf: Path | None) -> str | None:
    """A link to the PDF, or to the archive holding it."""
    if pdf is None:
        return None
    return Path(str(pdf).split(MEMBER_SEP, 1)[0]).resolve().as_uri()


def _existing(paths: list[str], output: Path, pdf_dirs: list[Path],
              names: list[str]) -> Path | None:
    tries = [Path(p) for p in paths] + [output.parent / p for p in paths]
    tries += [d / n for d in pdf_dirs for n in names]
    return next((p for p in tries if p.is_file()), None)


def _error_messages(ds: Dataset) -> dict[str, str]:
    if ds.errors.empty:
        return {}
    return {r.sha256: f"{r.stage}: {r.message}" for r in ds.errors.itertuples()}


def _neighbours(reports: pd.DataFrame) -> dict[str, dict[str, str]]:
    links: dict[str, dict[str, str]] = {}
    known = reports[reports["year"].notna() & reports["agency_key"].notna()]
    for _, agency in known.groupby("agency_key", sort=False):
        by_year = {int(r.year): r.report_id for r in agency.itertuples()}
        for year, rid in by_year.items():
            if year - 1 in by_year:
                links.setdefault(rid, {})["earlier"] = page_name(by_year[year - 1])
            if year + 1 in by_year:
                links.setdefault(rid, {})["later"] = page_name(by_year[year + 1])
    return links


_SOURCES = {"text": "text", "ocr": "OCR", "html": "HTML"}


def _source(meta) -> str:
    """How the report was read, from the reports table: text, OCR, HTML, or text+OCR."""
    source = _s(meta.source)
    return "+".join(_SOURCES.get(part, part) for part in source.split("+")) if source else ""


def _index_row(meta, view: ReportView, page: str) -> IndexRow:
    failed = len(failed_checks(view.checks))
    uncertain = sum(1 for c in view.cells if c.uncertain_reason)
    return IndexRow(page, _s(meta.agency), "" if pd.isna(meta.year) else str(int(meta.year)),
                    _s(meta.template), view.source, _s(meta.status), failed, uncertain,
                    len(view.conflicts), len(view.problems), _s(meta.source_file))


def _s(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _summary_text(ds: Dataset) -> str:
    failed = ds.checks[~ds.checks["passed"].astype(bool)] if len(ds.checks) else ds.checks
    return (f"{len(ds.reports)} reports of {ds.reports['agency_key'].nunique()} agencies from "
            f"{ds.folder.name}; {len(failed)} failed checks; "
            f"{int(ds.cells['uncertain_reason'].notna().sum())} uncertain cells; "
            f"{len(ds.conflicts)} conflict rows.")


def _agency_failures(ds: Dataset) -> pd.DataFrame:
    meta = ds.reports[["report_id", "agency_key", "agency"]]
    # the agency of each row from the reports table (the rows may carry their own copy)
    checks = ds.checks[["report_id", "rule", "subject", "passed"]].merge(meta, on="report_id")
    failed = checks[~checks["passed"].astype(bool)]
    continuity = failed["rule"].str.startswith("continuity.")
    uncertain = ds.cells.loc[ds.cells["uncertain_reason"].notna(), ["report_id"]].merge(
        meta, on="report_id")
    conflicts = ds.conflicts[["report_id"]].merge(meta, on="report_id")
    rows = []
    for key, group in meta.groupby("agency_key", sort=True):
        mine = failed[failed["agency_key"] == key]
        rules = sorted(set(mine["rule"] + ":" + mine["subject"].astype(str)))
        rows.append({"agency_key": key, "agency": group["agency"].iloc[0],
                     "reports": len(group),
                     "failed_checks": int((~continuity[mine.index]).sum()),
                     "continuity_failures": int(continuity[mine.index].sum()),
                     "uncertain": int((uncertain["agency_key"] == key).sum()),
                     "conflicts": int((conflicts["agency_key"] == key).sum()),
                     "rules": ", ".join(rules)})
    return pd.DataFrame(rows)
