"""Validate: the consistency rules (勾稽关系) of the spec, per report and across years.

A null cell counts as 0 in a sum (the report printed nothing there); a check whose
subject cell is absent, or that involves a value we could not read, is not run.
"""

from __future__ import annotations

from collections.abc import Iterable

from report_extract.models import CanonicalTable, CheckResult, Report
from report_extract.templates import (
    APPLICANT_COLUMNS,
    APPLICATION_COLUMNS,
    APPLICATION_ROWS,
    RESULT_ROWS,
    REVIEW_PARTS,
    REVIEW_ROWS,
    RULE_BALANCE,
    RULE_CONTINUITY_CARRIED,
    RULE_CONTINUITY_IN_FORCE,
    RULE_RESULTS_SUM,
    RULE_REVIEW_TOTAL,
    RULE_ROW_TOTAL,
    rule_terms,
)

TOLERANCE = 1e-6


class _Cells:
    """Lookup of a table's values that knows which cells were unreadable."""

    def __init__(self, table: CanonicalTable | None):
        self.values: dict[tuple[str, str], float | int | None] = {}
        self.uncertain: set[tuple[str, str]] = set()
        for cell in table.cells if table else []:
            self.values[(cell.row, cell.column)] = cell.value
            if cell.uncertain:
                self.uncertain.add((cell.row, cell.column))

    def present(self, row: str, column: str) -> bool:
        return self.values.get((row, column)) is not None

    def total(self, pairs: Iterable[tuple[str, str]]) -> float | None:
        """Sum with nulls as 0; None when any term is unreadable."""
        pairs = list(pairs)
        if any(p in self.uncertain for p in pairs):
            return None
        return sum(self.values.get(p) or 0 for p in pairs)

    def readable_total(self, pairs: Iterable[tuple[str, str]]) -> float:
        """Sum of the terms that were read (an unreadable count is at least 0)."""
        return sum(self.values.get(p) or 0 for p in pairs if p not in self.uncertain)


def _check(rule: str, subject: str, expected: float | None, found: float | None) -> CheckResult:
    passed = abs(expected - found) <= TOLERANCE
    message = "" if passed else f"{rule}:{subject}: expected {expected:g}, found {found:g}"
    return CheckResult(rule, subject, expected, found, passed, message)


def _compare(rule: str, subject: str, expected: float | None, found: float | None):
    if expected is None or found is None:
        return []
    return [_check(rule, subject, expected, found)]


def _sum_check(rule: str, subject: str, cells: _Cells, terms: Iterable[tuple[str, str]],
               total: tuple[str, str]) -> list[CheckResult]:
    """Terms summing to a total. With a term unreadable the sum cannot be checked, but
    the terms read can already exceed the total (counts are never negative): that
    failure names the terms too, so a misread one among them is not silent."""
    terms = list(terms)
    found = cells.total([total])
    expected = cells.total(terms)
    if expected is not None or found is None:
        return _compare(rule, subject, expected, found)
    least = cells.readable_total(terms)
    if least <= found + TOLERANCE:
        return []
    message = (f"{rule}:{subject}: the terms read alone sum to {least:g}, above the total "
               f"{found:g} (a term was unreadable)")
    return [CheckResult(rule, subject, least, found, False, message)]


def check_applications(table: CanonicalTable | None) -> list[CheckResult]:
    cells = _Cells(table)
    results: list[CheckResult] = []
    columns = [c.key for c in APPLICATION_COLUMNS]
    for col in columns:
        if not (cells.present("total_handled", col) or cells.present("carried_forward", col)):
            continue
        results += _compare(RULE_BALANCE, col,
                            cells.total([("new", col), ("carried_over", col)]),
                            cells.total([("total_handled", col), ("carried_forward", col)]))
    for col in columns:
        if cells.present("total_handled", col):
            results += _sum_check(RULE_RESULTS_SUM, col, cells,
                                  ((row, col) for row in RESULT_ROWS), ("total_handled", col))
    for row in (r.key for r in APPLICATION_ROWS):
        if cells.present(row, "total"):
            results += _sum_check(RULE_ROW_TOTAL, row, cells,
                                  ((row, col) for col in APPLICANT_COLUMNS), (row, "total"))
    return results


def check_review(table: CanonicalTable | None) -> list[CheckResult]:
    cells = _Cells(table)
    results: list[CheckResult] = []
    for row in (r.key for r in REVIEW_ROWS):
        if cells.present(row, "total"):
            results += _sum_check(RULE_REVIEW_TOTAL, row, cells,
                                  ((row, part) for part in REVIEW_PARTS), (row, "total"))
    return results


def check_report(report: Report) -> list[CheckResult]:
    """Rules 1-4 of the spec for one report."""
    return check_applications(report.tables.get("applications")) + check_review(
        report.tables.get("review_litigation")
    )


def check_continuity(earlier: Report, later: Report) -> list[CheckResult]:
    """Rules 5-6 across two consecutive reports of one agency (6 is a warning)."""
    before = _Cells(earlier.tables.get("applications"))
    after = _Cells(later.tables.get("applications"))
    results: list[CheckResult] = []
    for col in (c.key for c in APPLICATION_COLUMNS):
        if before.present("carried_forward", col) and after.present("carried_over", col):
            results += _compare(RULE_CONTINUITY_CARRIED, col,
                                before.total([("carried_forward", col)]),
                                after.total([("carried_over", col)]))
    if earlier.template == later.template == "2021":
        old = _Cells(earlier.tables.get("active_disclosure"))
        new = _Cells(later.tables.get("active_disclosure"))
        for row in ("regulations", "normative_documents"):
            if old.present(row, "in_force") and new.present(row, "in_force"):
                start = old.total([(row, "in_force")])
                change = new.total([(row, "issued")]), new.total([(row, "repealed")])
                if start is None or None in change:
                    continue
                results += _compare(RULE_CONTINUITY_IN_FORCE, row, start + change[0] - change[1],
                                    new.total([(row, "in_force")]))
    return results


WARNING_RULES = frozenset({RULE_CONTINUITY_IN_FORCE})  # counts are often revised: rule 6


def rule_severity(rule: str) -> str:
    """"warning" for rule 6, "error" for the others."""
    return "warning" if rule in WARNING_RULES else "error"


def rule_cells(rule: str, subject: str) -> list[str]:
    """The cells a check compares, as "table.row.column"; in a continuity check the
    earlier report's cells are prefixed "earlier:" and the later one's "later:"."""
    own, earlier = rule_terms(rule, subject)
    if not earlier:
        return [".".join(cell) for cell in own]
    return ([f"earlier:{'.'.join(cell)}" for cell in earlier]
            + [f"later:{'.'.join(cell)}" for cell in own])
