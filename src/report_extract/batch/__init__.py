"""Convert whole archives: resumable, parallel, fault-isolated batches.

convert(inputs, out_dir) finds every input file (folders, globs, zip members, a list
file), identifies each by the SHA-256 of its bytes, extracts each unique PDF once in a
worker process (or on a Dask cluster), streams the results into part files recorded in a
manifest, and finally assembles the output tables from the parts, sorted by report id.

Re-running the same command skips what is done (and, with retry_failed, redoes failures);
a run killed at any moment loses at most the reports in flight: each finished report is
on disk a few milliseconds after it comes back (batch.saver).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from report_extract.batch.inputs import (
    SKIPPED_KINDS,
    Identified,
    InputNotFound,
    Source,
    expand_inputs,
    identify_all,
    not_pdf_reason,
    read_list,
)
from report_extract.batch.progress import Progress
from report_extract.batch.runners import DaskRunner, LocalRunner, RunnerError, default_workers
from report_extract.batch.saver import GroupSaver
from report_extract.batch.versions import SCHEMA_ID, tool_version
from report_extract.batch.work import Extractor, Options, Outcome, Task
from report_extract.limits import Limits
from report_extract.write import FORMATS
from report_extract.write.files import OutputError, remove_temporaries, writing_to
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

__all__ = ["InputNotFound", "Options", "OutputError", "OutputLocked", "RunnerError", "Summary",
           "convert", "file_sha256"]

KIND_NOT_PDF = "not_a_pdf"
STAGE_INPUT = "input"

_KIND_WORDS = {
    "not_a_pdf": "not a PDF", "encrypted_pdf": "encrypted", "corrupt_pdf": "corrupt",
    "empty_pdf": "no pages", "no_text_layer": "no text layer", "no_tables": "no tables found",
    "template_mismatch": "unknown template", "timeout": "timed out", "crash": "crashed",
    "internal_error": "internal error", "ocr_not_installed": "OCR not installed",
    "out_of_memory": "out of memory", "unreadable": "unreadable",
    "special_file": "not a regular file", "corrupt_zip": "corrupt zip",
    "unsafe_member": "unsafe zip member", "zip_bomb": "zip bomb",
    "nested_too_deep": "zip nested too deep",
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
    failed: int = 0  # input paths that failed: the rows of the errors table
    failed_by_kind: dict[str, int] = field(default_factory=dict)
    skipped: int = 0  # files that are not PDFs (and not named .pdf)
    duplicates: int = 0  # paths whose bytes another path already has
    checks_failed: int = 0  # failed consistency checks over the output's reports
    missing: int = 0  # inputs that name no file (recorded in errors; counted in failed)
    missing_inputs: list[str] = field(default_factory=list)  # why, one line each
    in_dataset: int = 0  # reports in the output folder's tables, all runs
    continuity_failed: int = 0  # rules 5-6 between years of one agency that fail
    conflicts: int = 0  # agency-years with reports printing other values (conflicts table)
    copies: int = 0  # reports printing the same values as another of their agency-year
    stale: int = 0  # stored reports of an older table layout, left out of the tables
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
                 *([f"{self.continuity_failed} failed across years"]
                   if self.continuity_failed else []),
                 *([f"{self.conflicts} agency-years with conflicting reports"]
                   if self.conflicts else []),
                 f"{self.seconds:.1f} s", f"{self.pages_per_second:.1f} pages/s"]
        extra = []
        if self.skipped:
            extra.append(f"{self.skipped} skipped (not a PDF)")
        if self.duplicates:
            extra.append(f"{self.duplicates} duplicate{'s' if self.duplicates > 1 else ''}")
        if self.copies:
            extra.append(f"{self.copies} reports with the same values as another of their "
                         "agency-year (see versions)")
        if self.in_dataset > self.converted:
            extra.append(f"{self.in_dataset} reports in the dataset")
        if self.stale:
            extra.append(f"{self.stale} reports of an older table layout left out "
                         "(convert them again)")
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
            agencies: str | os.PathLike | None = None, reader: str = "pdfium",
            limits: Limits | None = None) -> Summary:
    """Convert every PDF among `inputs` into the output tables in `out_dir`.

    `progress`: True (a bar on a terminal, lines otherwise), False, or one of
    "bar"/"lines"/"off". `ocr`: "auto" OCRs the pages without a usable text layer, "text"
    never OCRs (scanned reports fail), "ocr" OCRs every page; `ocr_engine`: "rapidocr" or
    "tesseract". A result of an earlier run is reused only if it was made with the same
    detector, ocr, ocr_engine and reader ("pdfium", or "pdfplumber": the slower
    reference reader of the text layer). `extractor` replaces report_extract.extract (for
    tests; it must be picklable, i.e. a module-level function). An input that names nothing is
    recorded in `errors` (the others go on; the summary counts it failed). `agencies`: a
    CSV of agency aliases (report_extract.dataset.identity). The tables hold every report
    of the folder's manifest, this run's and earlier runs'. Raises OutputLocked when
    another convert writes to `out_dir` and OutputError when `out_dir` cannot be written
    (full, read-only): what finished before is kept, consistently, for the next run.
    `batch_size` is no longer used (each finished report is saved at once); it is
    accepted so that callers need not change. `limits` bounds each file's work
    (report_extract.limits.Limits: pages, sizes, memory per worker; its timeout applies
    when `timeout` is None).
    """
    options = Options(detector, ocr, ocr_engine, reader)
    if timeout is None and limits is not None:
        timeout = limits.timeout
    _check_options(format, workers, timeout, batch_size, options)
    from report_extract.dataset.identity import read_aliases

    aliases = read_aliases(agencies) if agencies is not None else None
    started = time.monotonic()
    runner = (DaskRunner(dask_address, timeout) if dask_address
              else LocalRunner(workers or default_workers(), timeout,
                               limits.memory_mb if limits else None))
    out = Path(out_dir)
    with writing_to(out), locked(out):
        remove_temporaries(out)
        sources, missing = _expand(inputs, from_list, out)
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
            pages = _run(runner, tasks, plan, manifest, store, reporter, options)
        finally:
            reporter.close()
        _record_not_pdf(plan, manifest, options)
        from report_extract.batch.assemble import assemble

        dataset = assemble(out, format, manifest, store, aliases=aliases,
                           missing=missing + _unread(plan), progress=_progress_mode(progress))
        store.close()
    summary = _summarize(out, format, plan, manifest, pages, time.monotonic() - started)
    summary.missing, summary.in_dataset = len(missing), dataset.reports
    summary.missing_inputs = [m.message for m in missing]
    summary.stale = dataset.stale
    summary.continuity_failed, summary.conflicts = (dataset.continuity_failures,
                                                    dataset.conflicts)
    summary.copies = dataset.copies
    if missing:
        summary.failed += len(missing)
        summary.failed_by_kind["not_found"] = len(missing)
    return summary


def _expand(inputs: Iterable[str | os.PathLike], from_list: str | os.PathLike | None,
            out: Path) -> tuple[list[Source], list]:
    """The input files, and the inputs that name nothing (each name expanded alone, so
    one stale line of a list file does not stop the batch)."""
    from report_extract.batch.assemble import MissingInput

    names = [os.fspath(i) for i in inputs]
    if from_list is not None:
        names += read_list(Path(from_list))
    # keyed by the exact name too: two names that read the same are two files
    found: dict[tuple[str, str], Source] = {}
    missing = []
    for name in names:
        try:
            for source in expand_inputs([name], exclude=out):
                found.setdefault((source.path, source.raw_path or ""), source)
        except InputNotFound as error:
            missing.append(MissingInput(name, str(error)))
    return [found[key] for key in sorted(found)], missing


def _check_options(fmt: str, workers: int | None, timeout: float | None,
                   batch_size: int, options: Options) -> None:
    from report_extract.pipeline import DETECTORS
    from report_extract.read.pdf import READERS
    from report_extract.scan.route import ENGINES, MODES

    if options.reader not in READERS:
        raise ValueError(f"unknown reader {options.reader!r}: use one of {', '.join(READERS)}")
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
            broken = item.problem is not None and item.kind not in SKIPPED_KINDS
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
        unread = sum(item.problem is not None for item, _ in plan.not_pdf)
        if len(plan.not_pdf) > unread:
            extra.append(f"{len(plan.not_pdf) - unread} files that are not PDFs")
        if unread:
            extra.append(f"{unread} not read: see errors")
    return text + (f" ({', '.join(extra)})" if extra else "")


def _run(runner: LocalRunner | DaskRunner, tasks: list[Task], plan: _Plan, manifest: Manifest,
         store: PartStore, reporter: Progress, options: Options) -> int:
    """Run the tasks, saving each result as it comes; return the pages extracted."""
    pages = 0
    saver: GroupSaver[Outcome] = GroupSaver(
        lambda batch: _flush(batch, plan, manifest, store, options))
    outcomes = runner.run(tasks)
    try:
        for outcome in outcomes:
            saver.put(outcome)  # on disk one sync later: a kill loses only what is in flight
            pages += outcome.pages
            reporter.update(outcome.ok)
    finally:
        # Also on Ctrl-C: what finished is saved before the workers are stopped.
        try:
            saver.close()
        finally:
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
        sources = plan.groups.get(outcome.sha256, [])
        entry = _entry(outcome.sha256, DONE if outcome.ok else FAILED, sources, options)
        entry.part, entry.offset, entry.length = where.get(outcome.sha256, (None, 0, 0))
        entry.pages, entry.n_check_failures = outcome.pages, outcome.n_check_failures
        entry.stage, entry.kind, entry.message = outcome.stage, outcome.kind, outcome.message
        entry.seconds = round(outcome.seconds, 3)
        entries.append(entry)
    manifest.append(entries)  # after the part is in place: the manifest never dangles


def _entry(sha: str, status: str, sources: list[Source], options: Options) -> ManifestEntry:
    return ManifestEntry(sha, status, tool_version(), paths=[s.path for s in sources],
                         raw_paths={s.path: s.raw_path for s in sources if s.raw_path},
                         schema=SCHEMA_ID,
                         **options.as_dict())


def _record_not_pdf(plan: _Plan, manifest: Manifest, options: Options) -> None:
    """Record the inputs that are not PDFs, one manifest entry per content (sha256) with
    every path it was found at, this run's and earlier runs'."""
    groups: dict[str, list[tuple[Identified, str]]] = {}
    for item, status in plan.not_pdf:
        if item.sha256:  # never read (a FIFO, a refused member): nothing to identify
            groups.setdefault(item.sha256, []).append((item, status))
    entries = []
    for sha, items in groups.items():
        item = items[0][0]
        status = FAILED if any(s == FAILED for _, s in items) else SKIPPED
        known = manifest.entries.get(sha)
        sources = [i.source for i, _ in items]
        if known and known.status == status and all(s.path in known.paths for s in sources):
            continue
        entry = _entry(sha, status, sources, options)
        if known is not None:
            entry.paths = known.paths + [p for p in entry.paths if p not in known.paths]
            entry.raw_paths = {**known.raw_paths, **entry.raw_paths}
        entry.stage, entry.kind = STAGE_INPUT, _not_pdf_kind(item)
        entry.message = not_pdf_reason(item)
        entries.append(entry)
    manifest.append(entries)


def _unread(plan: _Plan) -> list:
    """This run's inputs refused before their bytes were read (no manifest entry keeps
    them): recorded in the tables like the inputs that name nothing."""
    from report_extract.batch.assemble import MissingInput

    return [MissingInput(item.source.path, not_pdf_reason(item), _not_pdf_kind(item), status,
                         item.source.raw_path)
            for item, status in plan.not_pdf if not item.sha256]


def _not_pdf_kind(item: Identified) -> str:
    return item.kind or KIND_NOT_PDF


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
        else:  # one per path, as the errors table lists them
            kinds[entry.kind or "unknown"] += len(paths)
    kinds.update(_not_pdf_kind(item) for item, status in plan.not_pdf if status == FAILED)
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
