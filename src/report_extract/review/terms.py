"""Which cells a check is about: the terms of each consistency rule of the spec, so a failed
check can mark them on the report page."""

from __future__ import annotations

from report_extract.templates import (
    APPLICANT_COLUMNS,
    RESULT_ROWS,
    REVIEW_PARTS,
    RULE_BALANCE,
    RULE_CONTINUITY_CARRIED,
    RULE_CONTINUITY_IN_FORCE,
    RULE_RESULTS_SUM,
    RULE_REVIEW_TOTAL,
    RULE_ROW_TOTAL,
)

Cell = tuple[str, str, str]  # (table, row, column)
_BALANCE_ROWS = ("new", "carried_over", "total_handled", "carried_forward")


def check_cells(rule: str, subject: str) -> list[Cell]:
    """The cells of this report a check of `rule` on `subject` adds up or compares."""
    if rule == RULE_BALANCE:
        return [("applications", row, subject) for row in _BALANCE_ROWS]
    if rule == RULE_RESULTS_SUM:
        return [("applications", row, subject) for row in (*RESULT_ROWS, "total_handled")]
    if rule == RULE_ROW_TOTAL:
        return [("applications", subject, col) for col in (*APPLICANT_COLUMNS, "total")]
    if rule == RULE_REVIEW_TOTAL:
        return [("review_litigation", subject, col) for col in (*REVIEW_PARTS, "total")]
    if rule == RULE_CONTINUITY_CARRIED:
        return [("applications", "carried_over", subject)]
    if rule == RULE_CONTINUITY_IN_FORCE:
        return [("active_disclosure", subject, col) for col in ("issued", "repealed",
                                                                 "in_force")]
    return []


def earlier_cells(rule: str, subject: str) -> list[Cell]:
    """The cells of the earlier year's report a continuity check compares with."""
    if rule == RULE_CONTINUITY_CARRIED:
        return [("applications", "carried_forward", subject)]
    if rule == RULE_CONTINUITY_IN_FORCE:
        return [("active_disclosure", subject, "in_force")]
    return []
