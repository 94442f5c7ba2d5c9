"""Convert whole archives: resumable, parallel, fault-isolated batches.

convert(inputs, out_dir) finds every input file (folders, globs, zip members, a list
file), identifies each by the SHA-256 of its bytes, extracts each unique PDF once in a
worker process (or on a Dask cluster), streams the results into part files recorded in a
manifest, and finally assembles the output tables from the parts, sorted by report id.

Re-running the same command skips what is done (and, with retry_failed, redoes failures);
a run killed at any moment loses at most the reports not yet flushed to a part.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from report_extract.batch.inputs import (
    Identified,
    InputNotFound,
    Source,
    expand_inputs,
    identify_all,
    not_pdf_reason,
)
from report_extract.batch.progress import Progress
from report_extract.batch.runners import DaskRunner, LocalRunner, RunnerError, default_workers
from report_extract.batch.versions import SCHEMA_ID, tool_version
from report_extract.batch.work import Extractor, Options, Outcome, Task
from report_extract.limits import Limits
from report_extract.write.files import FORMATS, TableSet, remove_temporaries
from report_extract.write.manifest import (
    DONE,
    FAILED,
    SKIPPED,
    Manifest,
    ManifestEntry,
    OutputLocked,
    PartStore,
    locked,
)
from report_extract.write.tables import failed_report_row

__all__ = ["InputNotFound", "Options", "OutputLocked", "RunnerError", "Summary", "convert",
           "file_sha256"]

FLUSH_SECONDS = 30.0  # a slow batch still reaches disk this often
KIND_NOT_PDF = "not_a_pdf"
KIND_UNREADABLE = "unreadable"
STAGE_INPUT = "input"

_KIND_WORDS = {
    "not_a_pdf": "not a PDF", "encrypted_pdf": "encrypted", "corrupt_pdf": "corrupt",
    "empty_pdf": "no pages", "no_text_layer": "no text layer", "no_tables": "no tables found",
    "template_mismatch": "unknown template", "timeout": "timed out", "crash": "crashed",
    "internal_error": "internal error", "ocr_not_installed": "OCR not installed",
    "out_of_memory": "out of memory", "unreadable": "unreadable",
    "too_large": "too large", "recursive_structure": "self-referencing structure",
    "bad_page_box": "broken page box",
}


@dataclass
class Summary:
    """What a convert run produced; str() is the closing line for people."""

    out_dir: str
    format: str
    converted: int = 0  # reports in the output
    earlier: int = 0  # of those, converted by an earlier run and reused
    failed: int = 0  # unique inputs that failed
    failed_by_kind: dict[str, int] = field(default_factory=dict)
    skipped: int = 0  # files that are not PDFs (and not named .pdf)
    duplicates: int = 0  # paths whose bytes another path already has
    checks_failed: int = 0  # failed consistency checks over the output's reports
    pages: int = 0  # pages extracted in this run
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failed == 0

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        converted = f"{self.converted} converted"
        if self.earlier:
            converted += f" ({self.earlier} in an earlier run)"
        failed = f"{self.failed} failed"
        if self.failed_by_kind:
            reasons = ", ".join(f"{n} {_KIND_WORDS.get(k, k.replace('_', ' '))}"
                                for k, n in sorted(self.failed_by_kind.items(),
                                                   key=lambda kv: (-kv[1], kv[0])))
            failed += f" ({reasons})"
        parts = [converted, failed, f"{self.checks_failed} checks failed",
                 f"{self.seconds:.1f} s", f"{self.pages_per_second:.1f} pages/s"]
        extra = []
        if self.skipped:
            extra.append(f"{self.skipped} skipped (not a PDF)")
        if self.duplicates:
            extra.append(f"{self.duplicates} duplicate{'s' if self.duplicates > 1 else ''}")
        return ", ".join(parts) + (f"; {', '.join(extra)}" if extra else "")


@dataclass
class _Plan:
    """The inputs of this run, grouped by identity, and what is left to do."""

    groups: dict[str, list[Source]]  # unique PDFs: sha256 -> paths, first = representative
    not_pdf: list[tuple[Identified, str]]  # (input, status: failed/skipped)
    todo: list[tuple[str, Source]]


def convert(inputs: Iterable[str | os.PathLike], out_dir: str | os.PathLike, *,
            format: str = "csv", workers: int | None = None, timeout: float | None = None,
            retry_failed: bool = False, dask_address: str | None = None,
            progress: bool | str = True, from_list: str | os.PathLike | None = None,
            detector: str = "pdfplumber", ocr: str = "auto", ocr_engine: str = "rapidocr",
            batch_size: int = 25, extractor: Extractor | None = None,
            limits: Limits | None = None) -> Summary:
    """Convert every PDF among `inputs` into the output tables in `out_dir`.

    `progress`: True (a bar on a terminal, lines otherwise), False, or one of
    "bar"/"lines"/"off". `ocr`: "auto" OCRs the pages without a usable text layer, "text"
    never OCRs (scanned reports fail), "ocr" OCRs every page; `ocr_engine`: "rapidocr" or
    "tesseract". A result of an earlier run is reused only if it was made with the same
    detector, ocr and ocr_engine. `extractor` replaces report_extract.extract (for tests;
    it must be picklable, i.e. a module-level function). `limits` bounds each file's work
    (report_extract.limits.Limits: pages, sizes, memory per worker; its timeout applies
    when `timeout` is None). Raises InputNotFound for an input
    that names nothing and OutputLocked when another convert writes to `out_dir`.
    """
    options = Options(detector, ocr, ocr_engine)
    if timeout is None and limits is not None:
        timeout = limits.timeout
    _check_options(format, workers, timeout, batch_size, options)
    started = time.monotonic()
    runner = (DaskRunner(dask_address, timeout) if dask_address
              else LocalRunner(workers or default_workers(), timeout,
                               limits.memory_mb if limits else None))
    out = Path(out_dir)
    with locked(out):
        remove_temporaries(out)
        sources = expand_inputs(inputs, from_list=from_list, exclude=out)
        manifest = Manifest(out)
        manifest.load()
        store = PartStore(out)
        store.remove_unreferenced({e.part for e in manifest.entries.values() if e.part})
        remove_temporaries(store.folder)
        plan = _plan(identify_all(sources), manifest, store, retry_failed, options)
        reporter = Progress(len(plan.todo), _progress_mode(progress))
        reporter.say(_describe(plan))
        tasks = [Task(sha, source, options, timeout, extractor, limits)
                 for sha, source in plan.todo]
        try:
            pages = _run(runner, tasks, plan, manifest, store, reporter, batch_size, options)
        finally:
            reporter.close()
        _record_not_pdf(plan, manifest, options)
        _assemble(out, format, plan, manifest, store)
        store.close()
    return _summarize(out, format, plan, manifest, pages, time.monotonic() - started)


def _check_options(fmt: str, workers: int | None, timeout: float | None,
                   batch_size: int, options: Options) -> None:
    from report_extract.pipeline import DETECTORS
    from report_extract.scan.route import ENGINES, MODES

    if options.detector not in DETECTORS:
        raise ValueError(f"unknown detector {options.detector!r}: "
                         f"use one of {', '.join(DETECTORS)}")
    if options.ocr not in MODES:
        raise ValueError(f"unknown OCR mode {options.ocr!r}: use one of {', '.join(MODES)}")
    if options.ocr_engine not in ENGINES:
        raise ValueError(f"unknown OCR engine {options.ocr_engine!r}: "
                         f"use one of {', '.join(ENGINES)}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if timeout is not None and timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, not {timeout}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")


def _progress_mode(progress: bool | str) -> str:
    if isinstance(progress, str):
        return progress
    return "auto" if progress else "off"


def _plan(items: Iterable[Identified], manifest: Manifest, store: PartStore,
          retry_failed: bool, options: Options) -> _Plan:
    groups: dict[str, list[Source]] = {}
    not_pdf: list[tuple[Identified, str]] = []
    for item in items:  # sorted by path: the first path of a group is its representative
        if item.is_pdf:
            groups.setdefault(item.sha256, []).append(item.source)
        else:
            named_pdf = item.source.path.lower().endswith(".pdf")
            broken = item.problem is not None
            not_pdf.append((item, FAILED if named_pdf or broken else SKIPPED))
    todo = [(sha, paths[0]) for sha, paths in groups.items()
            if not _reusable(manifest.entries.get(sha), store, retry_failed, options)]
    return _Plan(groups, not_pdf, todo)


def _reusable(entry: ManifestEntry | None, store: PartStore, retry_failed: bool,
              options: Options) -> bool:
    """A result from an earlier run is kept if the same tool made it the same way."""
    if entry is None or (entry.tool_version, entry.schema, Options.of(entry)) != (
            tool_version(), SCHEMA_ID, options):
        return False
    if entry.status == DONE:
        return entry.part is not None and (store.folder / entry.part).is_file()
    return entry.status == FAILED and not retry_failed


def _describe(plan: _Plan) -> str:
    done_before = len(plan.groups) - len(plan.todo)
    text = f"{len(plan.todo)} PDF files to convert"
    extra = []
    if done_before:
        extra.append(f"{done_before} done in an earlier run")
    duplicates = sum(len(paths) - 1 for paths in plan.groups.values())
    if duplicates:
        extra.append(f"{duplicates} duplicates")
    if plan.not_pdf:
        extra.append(f"{len(plan.not_pdf)} files that are not PDFs")
    return text + (f" ({', '.join(extra)})" if extra else "")


def _run(runner: LocalRunner | DaskRunner, tasks: list[Task], plan: _Plan, manifest: Manifest,
         store: PartStore, reporter: Progress, batch_size: int, options: Options) -> int:
    """Run the tasks, flushing results to parts; return the pages extracted."""
    buffer: list[Outcome] = []
    last_flush = time.monotonic()
    pages = 0
    outcomes = runner.run(tasks)
    try:
        for outcome in outcomes:
            buffer.append(outcome)
            pages += outcome.pages
            reporter.update(outcome.ok)
            if len(buffer) >= batch_size or time.monotonic() - last_flush > FLUSH_SECONDS:
                _flush(buffer, plan, manifest, store, options)
                buffer, last_flush = [], time.monotonic()
    finally:
        # Also on Ctrl-C: what finished is saved before the workers are stopped.
        _flush(buffer, plan, manifest, store, options)
        with contextlib.suppress(Exception):
            outcomes.close()
    return pages


def _flush(buffer: list[Outcome], plan: _Plan, manifest: Manifest, store: PartStore,
           options: Options) -> None:
    if not buffer:
        return
    finished = [o for o in buffer if o.ok]
    where = store.write([(o.sha256, o.rows) for o in finished]) if finished else {}
    entries = []
    for outcome in buffer:
        paths = [s.path for s in plan.groups.get(outcome.sha256, [])]
        entry = _entry(outcome.sha256, DONE if outcome.ok else FAILED, paths, options)
        entry.part, entry.offset, entry.length = where.get(outcome.sha256, (None, 0, 0))
        entry.pages, entry.n_check_failures = outcome.pages, outcome.n_check_failures
        entry.stage, entry.kind, entry.message = outcome.stage, outcome.kind, outcome.message
        entry.seconds = round(outcome.seconds, 3)
        entries.append(entry)
    manifest.append(entries)  # after the part is in place: the manifest never dangles


def _entry(sha: str, status: str, paths: list[str], options: Options) -> ManifestEntry:
    return ManifestEntry(sha, status, tool_version(), paths=paths, schema=SCHEMA_ID,
                         **options.as_dict())


def _record_not_pdf(plan: _Plan, manifest: Manifest, options: Options) -> None:
    entries = []
    for item, status in plan.not_pdf:
        known = manifest.entries.get(item.sha256)
        if known is None or known.status != status or item.source.path not in known.paths:
            entry = _entry(item.sha256, status, [item.source.path], options)
            entry.stage, entry.kind = STAGE_INPUT, _not_pdf_kind(item)
            entry.message = not_pdf_reason(item)
            entries.append(entry)
    manifest.append(entries)


def _not_pdf_kind(item: Identified) -> str:
    return KIND_UNREADABLE if item.problem else KIND_NOT_PDF


def _assemble(out: Path, fmt: str, plan: _Plan, manifest: Manifest, store: PartStore) -> None:
    """Write the output tables from the parts, one report at a time (memory stays flat)."""
    with TableSet(out, fmt) as tables:
        for sha in sorted(plan.groups):
            entry = manifest.entries[sha]
            if entry.status == DONE:
                for name, rows in store.read(entry.part, entry.offset, entry.length).items():
                    tables.write(name, rows)
            else:
                tables.write("reports", [failed_report_row(sha, plan.groups[sha][0].source_file)])
        tables.write("errors", sorted(_error_rows(plan, manifest), key=lambda r: r[1]))
        tables.write("inputs", sorted(_input_rows(plan, manifest), key=lambda r: r[0]))


def _error_rows(plan: _Plan, manifest: Manifest) -> Iterator[list]:
    for sha, paths in plan.groups.items():
        entry = manifest.entries[sha]
        if entry.status == FAILED:
            for source in paths:
                yield [source.source_file, source.path, sha, entry.stage, entry.message,
                       entry.kind]
    for item, status in plan.not_pdf:
        if status == FAILED:
            yield [item.source.source_file, item.source.path, item.sha256, STAGE_INPUT,
                   not_pdf_reason(item), _not_pdf_kind(item)]


def _input_rows(plan: _Plan, manifest: Manifest) -> Iterator[list]:
    for sha, paths in plan.groups.items():
        entry = manifest.entries[sha]
        status = "converted" if entry.status == DONE else FAILED
        for i, source in enumerate(paths):
            yield [source.path, source.source_file, sha, "duplicate" if i else status,
                   entry.kind]
    for item, status in plan.not_pdf:
        yield [item.source.path, item.source.source_file, item.sha256, status,
               _not_pdf_kind(item)]


def _summarize(out: Path, fmt: str, plan: _Plan, manifest: Manifest, pages: int,
               seconds: float) -> Summary:
    summary = Summary(str(out), fmt, pages=pages, seconds=seconds)
    kinds: Counter[str] = Counter()
    todo = {sha for sha, _ in plan.todo}
    for sha, paths in plan.groups.items():
        entry = manifest.entries[sha]
        summary.duplicates += len(paths) - 1
        if entry.status == DONE:
            summary.converted += 1
            summary.earlier += sha not in todo
            summary.checks_failed += entry.n_check_failures
        else:
            kinds[entry.kind or "unknown"] += 1
    failed_not_pdf = {item.sha256: _not_pdf_kind(item)
                      for item, status in plan.not_pdf if status == FAILED}
    kinds.update(failed_not_pdf.values())
    summary.skipped = sum(status == SKIPPED for _, status in plan.not_pdf)
    summary.failed = sum(kinds.values())
    summary.failed_by_kind = dict(kinds)
    return summary


def file_sha256(path: str | os.PathLike) -> str:
    """The report id of a PDF file: the SHA-256 of its bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
