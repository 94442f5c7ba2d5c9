"""The work for one file, run in a worker process (local pool or Dask worker).

Everything that can go wrong with one file ends here as a failed Outcome with a stage, a
kind and a message for people; only the death of the process itself escapes (the runner
records that).
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from types import TracebackType

from report_extract.batch.inputs import Source, read_source
from report_extract.errors import ReportError, internal_error, stage_of
from report_extract.limits import Limits
from report_extract.models import Report
from report_extract.write.tables import report_rows

# extract(path, *, detector=, mode=, ocr_engine=, reader=, source_file=) -> Report
Extractor = Callable[..., Report]

KIND_TIMEOUT = "timeout"
KIND_CRASH = "crash"
KIND_MEMORY = "out_of_memory"
KIND_INTERNAL = "internal_error"  # an exception that is not a ReportError: a bug to report


@dataclass(frozen=True)
class Options:
    """How a file is extracted: what makes a stored result reusable by a later run.

    The field names are the manifest's (a line written before a field existed loads with
    that field's default, which is how such a run extracted)."""

    detector: str = "pdfplumber"
    ocr: str = "auto"  # report_extract.scan.route.MODES
    ocr_engine: str = "rapidocr"  # report_extract.scan.route.ENGINES
    reader: str = "pdfium"  # report_extract.read.pdf.READERS

    @classmethod
    def of(cls, record: object) -> Options:
        """The options a manifest entry (or anything with these attributes) records."""
        return cls(**{f.name: getattr(record, f.name) for f in fields(cls)})

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def extract_kwargs(self) -> dict[str, str]:
        """The keyword arguments of report_extract.pipeline.extract."""
        return {"detector": self.detector, "mode": self.ocr, "ocr_engine": self.ocr_engine,
                "reader": self.reader}


@dataclass(frozen=True)
class Task:
    sha256: str
    source: Source
    options: Options = Options()
    timeout: float | None = None
    extractor: Extractor | None = None  # None: report_extract.pipeline.extract
    limits: Limits | None = None  # None: report_extract.limits.DEFAULT (with `timeout`)


@dataclass
class Outcome:
    sha256: str
    ok: bool
    rows: dict[str, list[list]] | None = None
    pages: int = 0
    n_check_failures: int = 0
    stage: str | None = None
    kind: str | None = None
    message: str | None = None
    seconds: float = 0.0


class _TimedOut(BaseException):
    """Raised by the alarm; a BaseException so no `except Exception` in a parser eats it."""


def process_one(task: Task) -> Outcome:
    start = time.perf_counter()
    try:
        with _alarm(task.timeout), _on_disk(task.source) as path:
            report = _extractor(task)(path, source_file=task.source.source_file,
                                      **_extract_kwargs(task))
        report.source_file = task.source.source_file
        return Outcome(task.sha256, True, report_rows(report, task.sha256), report.pages,
                       len(report.check_failures), seconds=time.perf_counter() - start)
    except ReportError as exc:
        return failed(task, exc.stage, error_kind(exc), exc.reason, start)
    except _TimedOut as exc:
        return failed(task, _stage_of(exc.__traceback__), KIND_TIMEOUT,
                      timeout_message(task.timeout), start)
    except MemoryError as exc:
        return failed(task, _stage_of(exc.__traceback__), KIND_MEMORY,
                      "ran out of memory while extracting", start)
    except Exception as exc:  # a parser bug must not stop the batch
        error = internal_error(task.source.source_file or "", exc)
        return failed(task, error.stage, error_kind(error), error.reason, start)


def failed(task: Task, stage: str, kind: str, message: str, start: float | None = None) -> Outcome:
    seconds = 0.0 if start is None else time.perf_counter() - start
    return Outcome(task.sha256, False, stage=stage, kind=kind, message=message, seconds=seconds)


def timeout_message(timeout: float | None) -> str:
    return f"no result after {timeout:g} s: stopped (raise --timeout for very long reports)"


def error_kind(exc: ReportError) -> str:
    """EncryptedPdfError -> "encrypted_pdf": a stable key to group failures by."""
    return exc.code


def _extract_kwargs(task: Task) -> dict:
    kwargs: dict = task.options.extract_kwargs()
    if task.extractor is None:  # a test's extractor takes no limits
        from dataclasses import replace

        from report_extract.limits import DEFAULT

        kwargs["limits"] = replace(task.limits or DEFAULT, timeout=task.timeout)
    return kwargs


def _extractor(task: Task) -> Extractor:
    if task.extractor is not None:
        return task.extractor
    from report_extract.pipeline import extract  # the lead's pipeline; imported in the worker

    return extract


def _stage_of(tb: TracebackType | None) -> str:
    """The pipeline stage whose code was running when it went wrong (deepest frame)."""
    return stage_of(tb)


@contextlib.contextmanager
def _alarm(seconds: float | None) -> Iterator[None]:
    """Interrupt pure-Python work after `seconds` (main thread only: Dask runs tasks in
    threads; there and for a hang in native code the runner's own deadline applies)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def ring(signum, frame):
        raise _TimedOut()

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _on_disk(source: Source) -> Iterator[str]:
    """A path to the source's bytes: the file itself, or a zip member in a temp folder
    (under its own name, so messages name it), deleted afterwards."""
    if source.member is None:
        yield source.file
        return
    folder = Path(tempfile.mkdtemp(prefix="report-extract-"))
    try:
        path = folder / (source.source_file or "member.pdf")
        path.write_bytes(read_source(source))
        yield str(path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
