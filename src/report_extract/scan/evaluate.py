"""Score an extraction against a truth file the way issue 5 counts it.

Every truth cell is exact, or wrong but flagged (the value was refused as uncertain, or
a consistency check the truth does not expect fails on the cell's row or column), or
wrong and unflagged: the one outcome that must never happen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..models import Report
from ..templates import (
    APPLICANT_COLUMNS,
    RESULT_ROWS,
    RULE_BALANCE,
    RULE_RESULTS_SUM,
    RULE_REVIEW_TOTAL,
    RULE_ROW_TOTAL,
)

# The rows that are terms of the per-column rules (spec rules 1 and 2).
_BALANCE_ROWS = frozenset({"new", "carried_over", "total_handled", "carried_forward"})
_RESULTS_SUM_ROWS = frozenset({*RESULT_ROWS, "total_handled"})


@dataclass
class CellScore:
    exact: int = 0
    flagged: int = 0  # wrong (or unread) but reported as uncertain or by a check
    unflagged: list[str] = field(default_factory=list)  # wrong and silent

    @property
    def total(self) -> int:
        return self.exact + self.flagged + len(self.unflagged)

    @property
    def exact_share(self) -> float:
        return self.exact / self.total if self.total else 1.0

    def add(self, other: CellScore) -> None:
        self.exact += other.exact
        self.flagged += other.flagged
        self.unflagged.extend(other.unflagged)


def score_report(report: Report, truth: dict[str, Any]) -> CellScore:
    got = report.to_dict()["tables"]
    uncertain = {(c.table, c.row, c.column) for c in report.all_cells() if c.uncertain}
    unexpected = set(report.check_failures) - set(truth.get("expected_check_failures", []))
    score = CellScore()
    for table, rows in truth["tables"].items():
        for row, columns in rows.items():
            for column, value in columns.items():
                if got.get(table, {}).get(row, {}).get(column) == value:
                    score.exact += 1
                elif (table, row, column) in uncertain or _checked(table, row, column,
                                                                   unexpected):
                    score.flagged += 1
                else:
                    found = got.get(table, {}).get(row, {}).get(column)
                    score.unflagged.append(f"{table}.{row}.{column}: truth {value!r}, "
                                           f"got {found!r}")
    return score


def _checked(table: str, row: str, column: str, failures: set[str]) -> bool:
    """Is the cell a term of a check that failed (and that the truth does not expect)?"""
    return any(is_term(table, row, column, failure) for failure in failures)


def is_term(table: str, row: str, column: str, identifier: str) -> bool:
    """Does the cell take part in the check "rule:subject" (spec rules 1-4)?"""
    rule, _, subject = identifier.partition(":")
    if table == "applications":
        return (rule == RULE_BALANCE and subject == column and row in _BALANCE_ROWS
                or rule == RULE_RESULTS_SUM and subject == column and row in _RESULTS_SUM_ROWS
                or rule == RULE_ROW_TOTAL and subject == row
                and column in (*APPLICANT_COLUMNS, "total"))
    return table == "review_litigation" and rule == RULE_REVIEW_TOTAL and subject == row
