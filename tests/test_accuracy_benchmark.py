"""Scoring of benchmarks/accuracy.py on hand-made report dicts: exact counts."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys

import pytest
from conftest import REPO

_spec = importlib.util.spec_from_file_location("accuracy_benchmark",
                                               REPO / "benchmarks" / "accuracy.py")
accuracy = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = accuracy  # dataclasses look their module up while being built
_spec.loader.exec_module(accuracy)

APPLICANTS = ("natural_person", "commercial", "research", "public_interest", "legal_services",
              "other_org")


def _app_row(natural_person: int) -> dict[str, int]:
    return {**dict.fromkeys(APPLICANTS, 0), "natural_person": natural_person,
            "total": natural_person}


# 8 + 4*7 + 5 = 41 truth cells; one of them (fees/amount) null.
TRUTH = {
    "source_file": "a.pdf",
    "agency": "某某区人民政府",
    "year": 2023,
    "template": "2021",
    "tables": {
        "active_disclosure": {
            "regulations": {"issued": 1, "repealed": 0, "in_force": 4},
            "licensing": {"decisions": 7},
            "fees": {"amount": None},
            "penalty": {"decisions": 2},
            "coercion": {"decisions": 0},
            "normative_documents": {"issued": 3},
        },
        "applications": {
            "new": _app_row(5),
            "disclosed": _app_row(4),
            "total_handled": _app_row(4),
            "carried_forward": _app_row(1),
        },
        "review_litigation": {
            "review": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1},
        },
    },
    "expected_check_failures": [],
    "variation": {"template": "2021", "spaced_headers": True, "seed": 17},
}
N_CELLS = 41


def _report(**changes) -> dict:
    """A perfect extraction of TRUTH (the null fees cell left out), then changes applied."""
    report = {k: copy.deepcopy(v) for k, v in TRUTH.items()
              if k not in ("expected_check_failures", "variation")}
    del report["tables"]["active_disclosure"]["fees"]
    report.update(check_failures=[], problems=[])
    for path, value in changes.items():
        table, row, column = path.split("__")
        report["tables"][table].setdefault(row, {})[column] = value
    return report


def test_a_perfect_report_is_fully_correct():
    score = accuracy.score_report(_report(), TRUTH, detector="pdfplumber", seconds=0.5)
    assert (score.cells_exact, score.cells_total) == (N_CELLS, N_CELLS)
    assert score.tables_found == {"active_disclosure": True, "applications": True,
                                  "review_litigation": True}
    assert score.metadata_ok and score.checks_ok and score.fully_correct
    assert (score.wrong, score.extra, score.wrong_flagged) == ([], [], 0)
    assert score.variation == TRUTH["variation"]


def test_a_missing_cell_counts_as_null():
    report = _report()
    del report["tables"]["active_disclosure"]["licensing"]
    score = accuracy.score_report(report, TRUTH)
    # fees/amount (null in truth, absent) is exact; licensing/decisions (7, absent) is wrong
    assert score.cells_exact == N_CELLS - 1
    assert score.wrong == ["active_disclosure.licensing.decisions: truth 7, got None"]
    assert not score.fully_correct


def test_a_wrong_cell_under_a_failed_check_is_flagged():
    report = _report(applications__new__natural_person=6, applications__new__total=6)
    report["check_failures"] = ["applications.balance:natural_person",
                                "applications.balance:total"]
    score = accuracy.score_report(report, TRUTH)
    assert score.cells_exact == N_CELLS - 2
    assert score.wrong_flagged == 2
    assert not score.checks_ok
    assert score.check_difference == (
        "unexpected applications.balance:natural_person, applications.balance:total")


def test_a_failed_check_flags_only_its_own_terms():
    # disclosed is not a term of the balance rule (new + carried_over = handled + forward)
    report = _report(applications__disclosed__commercial=1)
    report["check_failures"] = ["applications.balance:commercial"]
    assert accuracy.score_report(report, TRUTH).wrong_flagged == 0
    report["check_failures"] = ["applications.results_sum:commercial"]
    assert accuracy.score_report(report, TRUTH).wrong_flagged == 1
    report["check_failures"] = ["applications.row_total:disclosed"]
    assert accuracy.score_report(report, TRUTH).wrong_flagged == 1


def test_review_cells_are_flagged_by_their_row_total():
    report = _report(review_litigation__review__upheld=2)
    assert accuracy.score_report(report, TRUTH).wrong_flagged == 0
    report["check_failures"] = ["review_litigation.total:review"]
    assert accuracy.score_report(report, TRUTH).wrong_flagged == 1


def test_uncertain_values_are_flagged_from_problems_or_the_cell_list():
    report = _report(active_disclosure__penalty__decisions=None,
                     active_disclosure__coercion__decisions=None)
    report["problems"] = [{"table": "active_disclosure", "kind": "uncertain_value",
                           "message": "penalty/decisions: not a number: 'l2'", "raw_text": "l2",
                           "page": 2}]
    assert accuracy.score_report(report, TRUTH).wrong_flagged == 1
    report["uncertain_cells"] = [["active_disclosure", "coercion", "decisions"]]
    score = accuracy.score_report(report, TRUTH)
    # coercion's truth is 0: null is wrong there even though it is flagged
    assert (score.cells_exact, score.wrong_flagged) == (N_CELLS - 2, 2)


def test_a_missing_table_flags_its_cells_but_an_unplaced_label_does_not():
    report = _report()
    report["tables"]["review_litigation"] = {}
    report["problems"] = [{"table": "active_disclosure", "kind": "unplaced_row",
                           "message": "label 'x' not placed"}]
    score = accuracy.score_report(report, TRUTH)
    assert score.tables_found["review_litigation"] is False
    assert (len(score.wrong), score.wrong_flagged) == (5, 0)  # zeros too: null is not 0
    report["problems"].append({"table": "review_litigation", "kind": "table_missing",
                               "message": "table review_litigation not found in the report"})
    assert accuracy.score_report(report, TRUTH).wrong_flagged == 5


def test_extra_cells_and_wrong_metadata_spoil_full_correctness():
    report = _report(active_disclosure__fees__amount=3.5)
    report["year"] = 2022
    score = accuracy.score_report(report, TRUTH)
    assert score.extra == []  # fees/amount is a truth cell: a wrong one, not an extra
    assert score.wrong == ["active_disclosure.fees.amount: truth None, got 3.5"]
    assert score.metadata_wrong == ["year: truth 2023, got 2022"]
    report = _report(active_disclosure__licensing__change=None,
                     active_disclosure__procurement__items=3)
    score = accuracy.score_report(report, TRUTH)
    assert score.extra == ["active_disclosure.procurement.items: got 3"]  # a null is no extra
    assert score.cells_exact == N_CELLS and not score.fully_correct


def test_numbers_compare_by_value():
    report = _report(active_disclosure__regulations__in_force=4.0)
    assert accuracy.score_report(report, TRUTH).fully_correct


def test_an_error_finds_no_table_and_reads_no_cell():
    score = accuracy.score_error(TRUTH, "no ruled tables found in the report",
                                 detector="camelot", seconds=0.2)
    assert score.tables_found == dict.fromkeys(
        ("active_disclosure", "applications", "review_litigation"), False)
    assert (score.cells_exact, score.cells_total, score.wrong_flagged) == (0, N_CELLS, N_CELLS)
    assert score.error == "no ruled tables found in the report"
    assert not score.fully_correct and not score.checks_ok


def _scores():
    good = accuracy.score_report(_report(), TRUTH, detector="pdfplumber")
    wrong = _report(applications__new__natural_person=6)
    wrong["check_failures"] = ["applications.balance:natural_person"]
    other_truth = dict(TRUTH, source_file="b.pdf",
                       variation={"template": "2019", "spaced_headers": True, "seed": 3})
    return [
        good,
        accuracy.score_report(wrong, TRUTH, detector="camelot"),
        accuracy.score_report(_report(), other_truth, detector="pdfplumber"),
        accuracy.score_error(other_truth, "camelot found no tables", detector="camelot"),
    ]


def test_summary_lines_per_detector():
    totals = accuracy.summarize(_scores())
    assert list(totals) == ["pdfplumber", "camelot"]
    assert totals["pdfplumber"].line() == (
        "cells: 82/82 exact (100.00%) · reports fully correct: 2/2")
    assert totals["camelot"].line() == (
        "cells: 40/82 exact (48.78%) · reports fully correct: 0/2")
    assert (totals["camelot"].wrong, totals["camelot"].wrong_flagged) == (42, 42)
    assert (totals["camelot"].tables_found, totals["camelot"].tables_total) == (3, 6)


def test_breakdown_by_switch_value_and_winners():
    scores = _scores()
    groups = accuracy.switch_groups(scores)
    assert list(groups) == [("spaced_headers", "true"), ("template", "2019"),
                            ("template", "2021")]  # seed differs per file: no group
    assert [s.detector for s in groups[("template", "2021")]] == ["pdfplumber", "camelot"]
    assert accuracy.winner(accuracy.summarize(groups[("template", "2021")])) == "pdfplumber"
    assert accuracy.file_wins(scores) == {"pdfplumber": 2}
    rows = accuracy.switch_rows(scores)
    assert rows[0] == {"switch": "spaced_headers", "value": "true", "detector": "pdfplumber",
                       "reports": 2, "cells_exact": 82, "cells_total": 82,
                       "cell_accuracy": "100.00", "fully_correct": 2, "wrong": 0,
                       "wrong_flagged": 0, "winner": "pdfplumber"}


def test_equal_detectors_tie():
    same = [accuracy.score_report(_report(), TRUTH, detector=d) for d in ("a", "b")]
    assert accuracy.winner(accuracy.summarize(same)) == "tie"
    assert accuracy.file_wins(same) == {"tie": 1}


def test_cases_take_switches_from_the_manifest(tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "x.truth.json").write_text(json.dumps(TRUTH), encoding="utf-8")
    (tmp_path / "no-truth.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "manifest-1.json").write_text(json.dumps({"x": {"landscape": True}}))
    cases = accuracy.find_cases([tmp_path])
    assert [(c.pdf.name, c.variation) for c in cases] == [("x.pdf", {"landscape": True})]


def test_csv_row_is_flat(tmp_path):
    row = accuracy.csv_row(_scores()[1])
    assert set(row) == set(accuracy.CSV_FIELDS)
    assert (row["found_applications"], row["cells_exact"], row["wrong_flagged"]) == ("yes", 40, 1)
    path = tmp_path / "out" / "a.csv"
    accuracy.write_csv(path, [row], accuracy.CSV_FIELDS)
    assert path.read_text(encoding="utf-8-sig").splitlines()[0].startswith("file,detector,")


@pytest.mark.parametrize("argv", [[], ["x", "--detectors", "tabula"]])
def test_bad_arguments_are_refused(argv):
    with pytest.raises(SystemExit):
        accuracy.parse_args(argv)


def test_list_switches_group_by_element():
    scores = [accuracy.score_report(_report(), dict(TRUTH, source_file=f"{i}.pdf",
                                                    variation={"extra_rows": rows}))
              for i, rows in enumerate([["a", "b"], [], ["b"]])]
    groups = accuracy.switch_groups(scores)
    assert {k: [s.file for s in v] for k, v in groups.items()} == {
        ("extra_rows", "(none)"): ["1.pdf"], ("extra_rows", "a"): ["0.pdf"],
        ("extra_rows", "b"): ["0.pdf", "2.pdf"]}


def test_scan_groups_on_off_and_by_its_discrete_parameters():
    scan = {"dpi": 200, "angle": -0.63, "blur": 0.05, "noise": 6.0, "jpeg_quality": 50,
            "stamp": True, "seed": 5696}
    variations = [{"template": "2021", "scan": scan}, {"template": "2021"},
                  {"template": "2021", "scan": dict(scan, dpi=300, angle=1.2, seed=7)}]
    scores = [accuracy.score_report(_report(), dict(TRUTH, source_file=f"{i}.pdf",
                                                    variation=v))
              for i, v in enumerate(variations)]
    groups = {k: [s.file for s in v] for k, v in accuracy.switch_groups(scores).items()}
    assert groups == {
        ("scan", "off"): ["1.pdf"], ("scan", "on"): ["0.pdf", "2.pdf"],
        ("scan.dpi", "200"): ["0.pdf"], ("scan.dpi", "300"): ["2.pdf"],
        ("scan.jpeg_quality", "50"): ["0.pdf", "2.pdf"],
        ("scan.stamp", "true"): ["0.pdf", "2.pdf"],
        ("template", "2021"): ["0.pdf", "1.pdf", "2.pdf"],
    }  # seed, angle, blur and noise differ per report: no groups
    assert scores[0].variation["scan"] == scan  # the CSV keeps the parameters


def test_an_expected_failure_flags_for_the_benchmark_but_not_for_issue_5():
    """accuracy counts a wrong cell under any failed check as flagged; issue 5's count
    (scoring.strict_flags, the OCR benchmark's) only under a check the truth does not
    expect, since a published inconsistency fails whatever was read."""
    from report_extract.scoring import all_flags, score_cells, strict_flags

    truth = dict(TRUTH, expected_check_failures=["applications.balance:natural_person"])
    report = _report(applications__new__natural_person=6)
    report["check_failures"] = ["applications.balance:natural_person"]
    assert accuracy.score_report(report, truth).wrong_flagged == 1
    assert score_cells(report, truth, all_flags(report)).flagged == 1
    strict = score_cells(report, truth, strict_flags(report, truth))
    assert (strict.exact, strict.flagged) == (N_CELLS - 1, 0)
    assert strict.unflagged == ["applications.new.natural_person: truth 5, got 6"]
    report["uncertain_cells"] = [["applications", "new", "natural_person"]]
    assert score_cells(report, truth, strict_flags(report, truth)).unflagged == []
