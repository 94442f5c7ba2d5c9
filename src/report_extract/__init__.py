"""report-extract: the statistical tables of 政府信息公开工作年度报告 PDFs as canonical data.

    report = report_extract.extract("report.pdf")      # one PDF -> Report (.to_dict())
    summary = report_extract.convert(["archive/"], "out", format="parquet")
    tables = report_extract.load("out")                 # {"cells": DataFrame, ...}

A report that cannot be extracted raises a ReportError (a missing file is also a
FileNotFoundError).

Both are imported on first use, so `import report_extract` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from report_extract.batch import Summary, convert
    from report_extract.dataset.frames import load
    from report_extract.errors import ReportError
    from report_extract.models import Report
    from report_extract.pipeline import extract

__all__ = ["Report", "ReportError", "Summary", "__version__", "convert", "extract", "load"]

_LAZY = {
    "extract": "report_extract.pipeline",
    "convert": "report_extract.batch",
    "Summary": "report_extract.batch",
    "load": "report_extract.dataset.frames",
    "ReportError": "report_extract.errors",
    "Report": "report_extract.models",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'report_extract' has no attribute {name!r}")
