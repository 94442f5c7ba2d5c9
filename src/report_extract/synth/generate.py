"""Reproducible batches of synthetic reports: PDF + truth JSON + a manifest of switches.

Reports of the docx producer are written as DOCX first and converted together, in as few
LibreOffice starts as possible; without LibreOffice or python-docx they are skipped with a
warning. A report with the scan switch is drawn as text first, then replaced by its
image-only scan (report_extract.scan.degrade).
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from report_extract.synth.document import Document, build_document
from report_extract.synth.pdf import draw_document
from report_extract.synth.truth import random_truth
from report_extract.synth.variation import WEB_PRODUCERS, Variation

from . import office


@dataclass
class Job:
    """One report to write: `<name>.pdf` (`<name>.html` for the html producer) and
    `<name>.truth.json`."""

    name: str
    variation: Variation
    truth: dict[str, Any] | None = None


def truth_for(variation: Variation, source_file: str, **overrides: Any) -> dict[str, Any]:
    """The truth a variation implies (template, inconsistency, nulls, ...), from its seed,
    with the variation's switches under "variation"."""
    rng = random.Random(f"truth:{variation.seed}")
    truth = random_truth(
        rng, variation.template,
        inconsistency=variation.inconsistency,
        mixed_other_row=variation.mixed_other_row,
        null_zeros=variation.null_marks,
        large=variation.large_numbers,
        dropped_rows=variation.dropped_rows,
        source_file=source_file,
        **overrides,
    )
    truth["variation"] = variation.truth_dict()
    return truth


def write_truth(truth: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_report(name: str, variation: Variation, out_dir: Path,
                 truth: dict[str, Any] | None = None) -> tuple[Path, Path]:
    """Render `<name>.pdf` (or .html) and `<name>.truth.json` into out_dir. A docx report raises
    office.OfficeMissingError (naming the package) when LibreOffice or python-docx is absent."""
    if variation.producer == "docx":
        office.require()
    return write_reports([Job(name, variation, truth)], out_dir)[0]


def write_reports(jobs: list[Job], out_dir: Path) -> list[tuple[Path, Path]]:
    """Render every job; docx jobs are skipped (one warning) when they cannot be made.
    Returns the (pdf, truth) paths written, in job order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    docx_jobs = [j for j in jobs if j.variation.producer == "docx"]
    missing = office.missing_message() if docx_jobs else None
    if missing:
        print(f"warning: skipping {len(docx_jobs)} docx report(s): {missing}", file=sys.stderr)
        jobs = [j for j in jobs if j.variation.producer != "docx"]
        docx_jobs = []
    truths = {j.name: j.truth or truth_for(j.variation,
                                           f"{j.name}.{output_suffix(j.variation)}")
              for j in jobs}
    for job in jobs:
        if job.variation.producer == "reportlab":
            draw_document(build_document(truths[job.name], job.variation),
                          out_dir / f"{job.name}.pdf")
    _write_docx_reports(docx_jobs, truths, out_dir)
    _write_web_reports([j for j in jobs if j.variation.producer in WEB_PRODUCERS], truths,
                       out_dir)
    _scan_reports(jobs, truths, out_dir)
    made = []
    for job in jobs:
        write_truth(truths[job.name], out_dir / f"{job.name}.truth.json")
        made.append((out_dir / f"{job.name}.{output_suffix(job.variation)}",
                     out_dir / f"{job.name}.truth.json"))
    return made


def output_suffix(variation: Variation) -> str:
    return "html" if variation.producer == "html" else "pdf"


def _write_web_reports(jobs: list[Job], truths: dict[str, dict[str, Any]],
                       out_dir: Path) -> None:
    """The page of each web job; a chromium job's page is printed to PDF (and not kept)."""
    if not jobs:
        return
    from report_extract.synth import browser
    from report_extract.synth.web import write_page

    if any(j.variation.producer == "chromium" for j in jobs):
        browser.require()
    with tempfile.TemporaryDirectory(prefix="synth-web-") as tmp:
        for job in jobs:
            v, truth = job.variation, truths[job.name]
            assert v.web is not None
            document = build_document(truth, v)
            if v.producer == "html":
                write_page(document, truth, v.web, out_dir / f"{job.name}.html")
                continue
            page = Path(tmp) / f"{job.name}.html"
            write_page(document, truth, v.web, page)
            browser.print_to_pdf(page, out_dir / f"{job.name}.pdf",
                                 header_footer=v.web.print_header, dated=_published(truth))


def _write_docx_reports(jobs: list[Job], truths: dict[str, dict[str, Any]],
                        out_dir: Path) -> None:
    if not jobs:
        return
    documents = {j.name: build_document(truths[j.name], j.variation) for j in jobs}
    with tempfile.TemporaryDirectory(prefix="synth-docx-") as tmp:
        pdfs = dict(zip(documents, _docx_to_pdf(jobs, documents, truths, Path(tmp),
                                                cant_split=True), strict=True))
        # LibreOffice drops the body of a table whose rows may not break across pages
        # where such a table starts at a page's foot (synth-49-0007 lost table 二): those
        # are set again with rows free to break, and must then print everything.
        dropped = [j for j in jobs if _dropped_text(pdfs[j.name], documents[j.name])]
        if dropped:
            pdfs.update(zip((j.name for j in dropped), _docx_to_pdf(
                dropped, documents, truths, Path(tmp) / "again", cant_split=False), strict=True))
        for job in dropped:
            if missing := _dropped_text(pdfs[job.name], documents[job.name]):
                raise RuntimeError(f"LibreOffice left out text of {job.name}: {missing}")
        for pdf in pdfs.values():
            shutil.move(pdf, out_dir / pdf.name)


def _docx_to_pdf(jobs: list[Job], documents: dict[str, Document],
                 truths: dict[str, dict[str, Any]], work: Path, *, cant_split: bool
                 ) -> list[Path]:
    from report_extract.synth.word import write_docx  # python-docx is needed only here

    work.mkdir(parents=True, exist_ok=True)
    files = []
    for job in jobs:
        path = work / f"{job.name}.docx"
        write_docx(documents[job.name], path, truths[job.name]["year"], cant_split=cant_split)
        files.append(path)
    return office.convert(files, work / "pdf", [_published(truths[j.name]) for j in jobs])


def _dropped_text(pdf: Path, document: Document) -> str:
    """The characters the document prints that the PDF lacks ("" when none)."""
    import pdfplumber

    with pdfplumber.open(pdf) as opened:
        found = Counter(c["text"] for page in opened.pages for c in page.chars
                        if not c["text"].isspace())
    return "".join(sorted((document.printed_chars() - found).elements()))


def _scan_reports(jobs: list[Job], truths: dict[str, dict[str, Any]], out_dir: Path) -> None:
    """Replace the text PDF of each job with the scan switch by its image-only scan."""
    scans = {j.name: j.variation.scan for j in jobs if j.variation.scan is not None}
    if not scans:
        return
    from report_extract.scan.degrade import degrade_pdf  # renders pages: only needed for scans

    with tempfile.TemporaryDirectory(prefix="synth-scan-") as tmp:
        for name, scan in scans.items():
            pdf = out_dir / f"{name}.pdf"
            text_pdf = shutil.move(pdf, Path(tmp) / pdf.name)
            created = time.strptime(_published(truths[name]), "%Y%m%d%H%M%S")
            degrade_pdf(text_pdf, pdf, **asdict(scan), created=created)


def _published(truth: dict[str, Any]) -> str:
    """When the report is dated (YYYYMMDDhhmmss): mid-January after its year, so the
    files of a seed are the same bytes whenever they are made."""
    return f"{truth['year'] + 1}0115090000"


def write_manifest(entries: dict[str, Variation], path: Path) -> None:
    data = {name: {"name": v.name, **v.truth_dict()} for name, v in entries.items()}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def generate(seed: int, out_dir: str | Path, n: int,
             producers: tuple[str, ...] | None = None,
             scan: float = 0.0) -> list[tuple[Path, Path]]:
    """n random reports from `seed`; the same seed gives the same files. With `producers`,
    reports of other producers are left out (their names keep their numbers); with web
    producers (html, chromium) among them, all n reports are published as portal pages,
    taking those producers in turn (the same seed gives the same pages for either). `scan` is
    the share of reports written as image-only scans, each with degradations drawn from
    its own seed (variation.draw_scan); the other switches are those of the text run."""
    if not 0.0 <= scan <= 1.0:
        raise ValueError(f"scan share {scan} must be within 0-1")
    out = Path(out_dir)
    rng = random.Random(seed)
    jobs = [Job(f"synth-{seed}-{i:04d}", Variation.random(rng)) for i in range(n)]
    if scan:
        jobs = [Job(j.name, j.variation.with_scan(scan)) for j in jobs]
    web = [p for p in producers or () if p in WEB_PRODUCERS]
    if web:  # web reports are made from the drawn ones, not drawn (seeds stay stable)
        jobs = [Job(j.name, j.variation.as_web(web[i % len(web)])) for i, j in enumerate(jobs)]
    elif producers is not None:
        jobs = [j for j in jobs if j.variation.producer in producers]
    made = write_reports(jobs, out)
    written = {pdf.stem for pdf, _ in made}
    write_manifest({j.name: j.variation for j in jobs if j.name in written},
                   out / f"manifest-{seed}.json")
    return made
