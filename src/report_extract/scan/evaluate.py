"""Issue 5's scoring of an extraction against a truth file, under its first name: the
implementation is report_extract.scoring (shared with the benchmarks)."""

from ..scoring import CellScore, is_term, score_report

__all__ = ["CellScore", "is_term", "score_report"]
