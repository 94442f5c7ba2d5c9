"""Score an extraction against a truth file: every truth cell is exact, wrong but flagged,
or wrong and silent (the one outcome that must never happen).

A cell the extraction lacks counts as null; numbers compare by value. What counts as
flagged depends on who asks, so both meanings are here:

- `all_flags`: everything the report told the user (benchmarks/accuracy.py): uncertain
  values, template cells reported missing (per-cell problems), a table reported missing,
  a null in a table with a label it could not place, a term of any failed check.
- `strict_flags`: issue 5's count (OCR): the value was refused as uncertain or reported
  missing per cell (missing_row / missing_column, naming its table, row and column), or
  it is a term of a failed check that the truth does not expect (a published
  inconsistency fails as printed whatever was read, so it excuses nothing).

Reports are scored as dicts (`report_dict`), so hand-made ones can be scored too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from report_extract.models import Report
from report_extract.templates import rule_terms

CellId = tuple[str, str, str]  # table, row, column
# normalize files an unreadable value as this problem kind, "row/column: reason"
UNCERTAIN_PROBLEM = "uncertain_value"
UNPLACED_PROBLEMS = frozenset({"unplaced_row", "unplaced_column", "duplicate_row"})
# normalize.tree files a template cell it could not place as one of these, with its row
# and column as fields
MISSING_PROBLEMS = frozenset({"missing_row", "missing_column"})


def is_term(table: str, row: str, column: str, identifier: str) -> bool:
    """Does the cell take part in the check "rule:subject" (spec rules 1-4: a report's own
    checks; a continuity check is between two reports)?"""
    rule, _, subject = identifier.partition(":")
    own, earlier = rule_terms(rule, subject)
    return not earlier and (table, row, column) in own


# --- the two sides -----------------------------------------------------------------------------


def report_dict(report: Report) -> dict[str, Any]:
    """The report's canonical JSON, its problems, and the cells it marked uncertain."""
    data = report.to_dict(details=True)
    data["uncertain_cells"] = [[c.table, c.row, c.column] for c in report.all_cells()
                               if c.uncertain]
    return data


def truth_cells(truth: dict[str, Any]) -> dict[CellId, Any]:
    return {(table, row, column): value
            for table, rows in truth["tables"].items()
            for row, columns in (rows or {}).items()
            for column, value in (columns or {}).items()}


def got_value(report: dict[str, Any], cell: CellId) -> Any:
    table, row, column = cell
    return ((report.get("tables") or {}).get(table) or {}).get(row, {}).get(column)


def values_equal(truth: Any, got: Any) -> bool:
    if truth is None or got is None:
        return truth is None and got is None
    return math.isclose(truth, got, rel_tol=1e-9, abs_tol=1e-9)


# --- what was flagged --------------------------------------------------------------------------


@dataclass(frozen=True)
class Flags:
    """What the extraction told the user was doubtful."""

    cells: frozenset[CellId] = frozenset()  # uncertain values
    tables: frozenset[str] = frozenset()  # tables it reported missing
    unplaced: frozenset[str] = frozenset()  # tables with a row or column it could not place
    checks: tuple[str, ...] = ()  # failed checks that flag their terms

    def cover(self, cell: CellId, got: Any = None) -> bool:
        """Reported uncertain, its table reported missing, a term of a flagging check, or
        left empty (null) in a table where a label could not be placed.

        An unplaced label never excuses a wrong number: only a missing one, since the user
        is told a row or column of that table was not read.
        """
        if cell in self.cells or cell[0] in self.tables:
            return True
        if got is None and cell[0] in self.unplaced:
            return True
        return any(is_term(*cell, identifier) for identifier in self.checks)


def all_flags(report: dict[str, Any]) -> Flags:
    """Everything the report told: uncertain cells (listed, or as problems, since
    to_dict() has no per-cell flag), missing tables, unplaced labels, any failed check."""
    cells = set(_uncertain_cells(report)) | _missing_cells(report)
    tables, unplaced = set(), set()
    for problem in report.get("problems") or []:
        kind, table = problem.get("kind"), problem.get("table")
        if kind == UNCERTAIN_PROBLEM:
            row, _, rest = problem.get("message", "").partition("/")
            cells.add((table, row, rest.partition(":")[0]))
        elif kind == "table_missing":
            tables.add(table)
        elif kind in UNPLACED_PROBLEMS:
            unplaced.add(table)
    return Flags(frozenset(cells), frozenset(tables), frozenset(unplaced),
                 tuple(report.get("check_failures") or ()))


def strict_flags(report: dict[str, Any], truth: dict[str, Any]) -> Flags:
    """Issue 5's count: cells marked uncertain, and terms of unexpected failed checks."""
    expected = set(truth.get("expected_check_failures") or ())
    return Flags(_uncertain_cells(report) | _missing_cells(report),
                 checks=tuple(f for f in report.get("check_failures") or () if f not in expected))


def _missing_cells(report: dict[str, Any]) -> frozenset[CellId]:
    """Template cells the report names as not placed (per-cell problems)."""
    return frozenset((p["table"], p["row"], p["column"]) for p in report.get("problems") or []
                     if p.get("kind") in MISSING_PROBLEMS and p.get("row"))


def _uncertain_cells(report: dict[str, Any]) -> frozenset[CellId]:
    return frozenset((table, row, column)
                     for table, row, column in report.get("uncertain_cells") or [])


# --- scoring ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrongCell:
    cell: CellId
    truth: Any
    got: Any
    flagged: bool

    def __str__(self) -> str:
        return f"{'.'.join(self.cell)}: truth {self.truth!r}, got {self.got!r}"


@dataclass
class CellScore:
    exact: int = 0
    wrong: list[WrongCell] = field(default_factory=list)  # in the truth's order

    @property
    def flagged(self) -> int:
        """Wrong (or unread) but reported as doubtful."""
        return sum(w.flagged for w in self.wrong)

    @property
    def unflagged(self) -> list[str]:
        """Wrong and silent: "table.row.column: truth X, got Y"."""
        return [str(w) for w in self.wrong if not w.flagged]

    @property
    def total(self) -> int:
        return self.exact + len(self.wrong)

    @property
    def exact_share(self) -> float:
        return self.exact / self.total if self.total else 1.0

    def add(self, other: CellScore) -> None:
        self.exact += other.exact
        self.wrong.extend(other.wrong)


def score_cells(report: dict[str, Any], truth: dict[str, Any], flags: Flags) -> CellScore:
    """Every truth cell of `truth` against the report dict, wrong ones judged by `flags`."""
    score = CellScore()
    for cell, value in truth_cells(truth).items():
        got = got_value(report, cell)
        if values_equal(value, got):
            score.exact += 1
        else:
            score.wrong.append(WrongCell(cell, value, got, flags.cover(cell, got)))
    return score


def score_report(report: Report, truth: dict[str, Any]) -> CellScore:
    """Issue 5's score of an extracted Report: flagged as `strict_flags` counts it."""
    data = report_dict(report)
    return score_cells(data, truth, strict_flags(data, truth))


def total_score(scores: Iterable[CellScore]) -> CellScore:
    total = CellScore()
    for score in scores:
        total.add(score)
    return total
