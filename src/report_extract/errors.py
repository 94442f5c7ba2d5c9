"""Typed errors. Each carries the file, the pipeline stage and a one-line reason.

The CLI prints `str(error)`: "FILE: reason". Batch mode records stage and reason.
"""

from __future__ import annotations


class ReportError(Exception):
    """A report that cannot be extracted. `stage` is ingest/detect/normalize/validate/write."""

    stage = "extract"

    def __init__(self, source_file: str, reason: str):
        super().__init__(f"{source_file}: {reason}")
        self.source_file = source_file
        self.reason = reason


class IngestError(ReportError):
    stage = "ingest"


class NotAPdfError(IngestError):
    pass


class MissingFileError(IngestError, FileNotFoundError):
    """No file at the path given: both a ReportError and the FileNotFoundError Python
    code expects of a missing file."""


class EncryptedPdfError(IngestError):
    pass


class CorruptPdfError(IngestError):
    pass


class EmptyPdfError(IngestError):
    pass


class NoTextLayerError(IngestError):
    pass


class DetectError(ReportError):
    stage = "detect"


class NoTablesError(DetectError):
    pass


class NormalizeError(ReportError):
    stage = "normalize"


class TemplateMismatchError(NormalizeError):
    pass
