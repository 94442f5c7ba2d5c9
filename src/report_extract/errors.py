"""Typed errors. Each carries the file, the pipeline stage, a stable code and a one-line reason.

The CLI prints `str(error)`: "FILE: reason". Batch mode records stage, code (its `kind`
column) and reason. `code` is stable: group and count failures by it, never by the text.
"""

from __future__ import annotations

import re
import traceback
from types import TracebackType

# Modules whose code is a parser of the file's bytes: an exception raised inside them while
# reading a file is the file's damage, not our bug.
PARSER_MODULES = ("pdfminer", "pdfplumber", "pypdfium2", "playa", "camelot", "zlib")
STAGES = ("read", "scan", "detect", "normalize", "validate", "write")


class ReportError(Exception):
    """A report that cannot be extracted. `stage` is ingest/detect/normalize/validate/write."""

    stage = "extract"
    code = "report_error"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "code" not in vars(cls):  # EncryptedPdfError -> "encrypted_pdf"
            name = cls.__name__.removesuffix("Error") or "report"
            cls.code = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()

    def __init__(self, source_file: str, reason: str):
        super().__init__(f"{source_file}: {reason}")
        self.source_file = source_file
        self.reason = reason

    def __reduce__(self):  # picklable (a child process sends it back to the CLI)
        return (type(self), (self.source_file, self.reason))


class IngestError(ReportError):
    stage = "ingest"
    code = "ingest_error"


class NotAPdfError(IngestError):
    code = "not_a_pdf"


class MissingFileError(IngestError, FileNotFoundError):
    """No file at the path given: both a ReportError and the FileNotFoundError Python
    code expects of a missing file."""


class EncryptedPdfError(IngestError):
    code = "encrypted_pdf"


class CorruptPdfError(IngestError):
    """The bytes are not a readable PDF: truncated, broken xref, damaged objects."""

    code = "corrupt_pdf"


class RecursiveStructureError(CorruptPdfError):
    """Objects that refer to themselves (resources, page tree, forms) or nest without end."""

    code = "recursive_structure"


class BadPageBoxError(CorruptPdfError):
    """A page's /MediaBox or /CropBox is not four numbers enclosing an area."""

    code = "bad_page_box"


class TooLargeError(IngestError):
    """Beyond a limit of report_extract.limits.Limits: pages, page size, content, streams."""

    code = "too_large"


class EmptyPdfError(IngestError):
    code = "empty_pdf"


class NoTextLayerError(IngestError):
    code = "no_text_layer"


class DetectorNotForPageError(IngestError):
    """A web page given with a table detector other than the default: a detector finds a
    PDF's ruled tables, a page's tables are its markup. Refused, never silently ignored."""

    code = "detector_not_for_page"


class DetectError(ReportError):
    stage = "detect"
    code = "detect_error"


class NoTablesError(DetectError):
    code = "no_tables"


class NormalizeError(ReportError):
    stage = "normalize"
    code = "normalize_error"


class TemplateMismatchError(NormalizeError):
    code = "template_mismatch"


class ExtractTimeoutError(ReportError):
    """The per-file time limit passed (report_extract.limits.Limits.timeout)."""

    code = "timeout"


class OutOfMemoryError(ReportError):
    """The per-file memory limit was reached (report_extract.limits.Limits.memory_mb)."""

    code = "out_of_memory"


class WorkerCrashedError(ReportError):
    """The process extracting the file died (a crash in native code, or killed)."""

    code = "crash"


class InternalError(ReportError):
    """An exception that is not a ReportError: a bug to report, caught at the file boundary."""

    code = "internal_error"

    def __init__(self, source_file: str, reason: str, stage: str = "extract"):
        super().__init__(source_file, reason)
        self.stage = stage

    def __reduce__(self):
        return (type(self), (self.source_file, self.reason, self.stage))


def short(error: BaseException, limit: int = 120) -> str:
    """The first line of an exception's message (its type if it has none), shortened."""
    text = str(error).strip()
    first = text.splitlines()[0] if text else type(error).__name__
    return first if len(first) <= limit else first[: limit - 1] + "…"


def raised_in(error: BaseException, prefixes: tuple[str, ...]) -> bool:
    """Whether the deepest frame of the error's traceback is in one of these packages."""
    module = ""
    for frame, _ in traceback.walk_tb(error.__traceback__):
        module = frame.f_globals.get("__name__", "")
    return module.split(".")[0] in prefixes


def stage_of(tb: TracebackType | None, default: str = "extract") -> str:
    """The pipeline stage whose code was running when it went wrong (deepest frame)."""
    stage = default
    for frame, _ in traceback.walk_tb(tb):
        parts = frame.f_globals.get("__name__", "").split(".")
        if len(parts) > 1 and parts[0] == "report_extract" and parts[1] in STAGES:
            stage = "ingest" if parts[1] in ("read", "scan") else parts[1]
    return stage


def internal_error(source_file: str, error: BaseException) -> ReportError:
    """An unexpected exception as a one-line typed error, at the file boundary."""
    if isinstance(error, ReportError):
        return error
    if isinstance(error, MemoryError):
        return OutOfMemoryError(source_file, "ran out of memory while extracting "
                                "(the memory limit is --memory-limit)")
    if isinstance(error, RecursionError):
        return RecursiveStructureError(
            source_file, "corrupt PDF: objects nest without end (self-referencing structure)")
    stage = stage_of(error.__traceback__)
    return InternalError(source_file, f"internal error (please report it): "
                                      f"{type(error).__name__}: {short(error)}", stage)
