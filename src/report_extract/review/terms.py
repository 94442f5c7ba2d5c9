"""Which cells a check is about: the terms of each consistency rule of the spec, so a failed
check can mark them on the report page."""

from __future__ import annotations

from report_extract.templates import TermCell, rule_terms

Cell = TermCell  # (table, row, column)


def check_cells(rule: str, subject: str) -> list[Cell]:
    """The cells of this report a check of `rule` on `subject` adds up or compares."""
    return rule_terms(rule, subject)[0]


def earlier_cells(rule: str, subject: str) -> list[Cell]:
    """The cells of the earlier year's report a continuity check compares with."""
    return rule_terms(rule, subject)[1]
