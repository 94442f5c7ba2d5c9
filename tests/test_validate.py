from __future__ import annotations

from report_extract.models import CanonicalCell, CanonicalTable, Report
from report_extract.templates import APPLICATION_COLUMNS, APPLICATION_ROWS
from report_extract.validate import check_continuity, check_report

APP_COLUMNS = [c.key for c in APPLICATION_COLUMNS]


def _table(name: str, values: dict[str, dict[str, float | None]], uncertain=()) -> CanonicalTable:
    table = CanonicalTable(name)
    for row, columns in values.items():
        for column, value in columns.items():
            reason = "not a number: 'l'" if (row, column) in uncertain else None
            table.cells.append(CanonicalCell(name, row, column, value, str(value), 1, None, reason))
    return table


def _applications(natural_person: dict[str, int]) -> dict[str, dict[str, int]]:
    """Only natural persons applied: every other applicant column 0, totals equal."""
    rows = {}
    for spec in APPLICATION_ROWS:
        if spec.key in natural_person:
            n = natural_person[spec.key]
            rows[spec.key] = {c: (n if c in ("natural_person", "total") else 0)
                              for c in APP_COLUMNS}
    return rows


def _report(applications=None, review=None, template="2021", active=None) -> Report:
    tables = {}
    if applications is not None:
        tables["applications"] = applications
    if review is not None:
        tables["review_litigation"] = review
    if active is not None:
        tables["active_disclosure"] = active
    return Report("x.pdf", "机关", 2023, template, tables)


BALANCED = {"new": 5, "carried_over": 1, "disclosed": 3, "not_processed_duplicate": 2,
            "total_handled": 5, "carried_forward": 1}


def test_a_consistent_report_passes_every_rule():
    report = _report(_table("applications", _applications(BALANCED)))
    checks = check_report(report)
    assert checks and all(c.passed for c in checks)
    rules = {c.rule for c in checks}
    assert rules == {"applications.balance", "applications.results_sum", "applications.row_total"}


def test_balance_and_results_sum_name_column_expected_and_found():
    numbers = dict(BALANCED, total_handled=6)
    checks = check_report(_report(_table("applications", _applications(numbers))))
    failed = {c.identifier: (c.expected, c.found) for c in checks if not c.passed}
    assert failed == {
        "applications.balance:natural_person": (6, 7),
        "applications.balance:total": (6, 7),
        "applications.results_sum:natural_person": (5, 6),
        "applications.results_sum:total": (5, 6),
    }


def test_row_total_names_the_row():
    values = _applications(BALANCED)
    values["disclosed"]["commercial"] = 1  # total still says 3
    checks = check_report(_report(_table("applications", values)))
    failed = sorted(c.identifier for c in checks if not c.passed)
    assert "applications.row_total:disclosed" in failed
    row_total = next(c for c in checks if c.identifier == "applications.row_total:disclosed")
    assert (row_total.expected, row_total.found) == (4, 3)


def test_review_total_as_published_in_hongze():
    review = _table("review_litigation", {
        "review": {"upheld": 10, "corrected": 1, "other": 0, "pending": 0, "total": 0},
        "suit_direct": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
    })
    checks = check_report(_report(review=review))
    assert [(c.identifier, c.expected, c.found, c.passed) for c in checks] == [
        ("review_litigation.total:review", 11, 0, False),
        ("review_litigation.total:suit_direct", 0, 0, True),
    ]
    assert checks[0].message == "review_litigation.total:review: expected 11, found 0"


def test_a_check_involving_an_unreadable_value_is_not_run():
    review = _table("review_litigation", {
        "review": {"upheld": None, "corrected": 1, "other": 0, "pending": 0, "total": 3},
    }, uncertain={("review", "upheld")})
    assert check_report(_report(review=review)) == []


def test_null_cells_count_as_zero_in_sums():
    review = _table("review_litigation", {
        "review": {"upheld": 2, "corrected": None, "other": None, "pending": None, "total": 2},
    })
    assert [c.passed for c in check_report(_report(review=review))] == [True]


def test_continuity_across_years():
    earlier = _report(_table("applications", _applications(dict(BALANCED, carried_forward=1))),
                      active=_table("active_disclosure", {
                          "regulations": {"issued": 1, "repealed": 0, "in_force": 10}}))
    later = _report(_table("applications", _applications({"new": 3, "carried_over": 2})),
                    active=_table("active_disclosure", {
                        "regulations": {"issued": 2, "repealed": 1, "in_force": 12}}))
    failed = sorted((c.identifier, c.expected, c.found)
                    for c in check_continuity(earlier, later) if not c.passed)
    assert failed == [
        ("continuity.carried:natural_person", 1, 2),
        ("continuity.carried:total", 1, 2),
        ("continuity.in_force:regulations", 11, 12),
    ]


def test_terms_read_that_already_exceed_the_total_fail_though_one_is_unreadable():
    # row （六）其他: 7 + ? + 1 + 6 = 9 cannot hold whatever the unreadable cell is
    row = {"natural_person": 7, "commercial": None, "research": 0, "public_interest": 1,
           "legal_services": 6, "other_org": 0, "total": 9}
    table = _table("applications", {"other": row}, uncertain={("other", "commercial")})
    failed = [c for c in check_report(_report(table)) if not c.passed]
    assert [(c.identifier, c.expected, c.found) for c in failed] == [
        ("applications.row_total:other", 14, 9)]
    assert failed[0].message == ("applications.row_total:other: the terms read alone sum to 14, "
                                 "above the total 9 (a term was unreadable)")


def test_terms_read_within_the_total_leave_the_check_unrun_when_one_is_unreadable():
    row = {"natural_person": 7, "commercial": None, "research": 0, "public_interest": 1,
           "legal_services": 0, "other_org": 0, "total": 9}
    table = _table("applications", {"other": row}, uncertain={("other", "commercial")})
    assert [c for c in check_report(_report(table)) if c.subject == "other"] == []
