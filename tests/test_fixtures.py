"""The project's generated fixtures and samples: every cell, metadata and check equals truth.

Each fixture is named for what it exercises (see fixtures/manifest.json for its switches);
regenerate them with `python fixtures/generate.py`.
"""

from __future__ import annotations

import pytest
from conftest import FIXTURES, SAMPLES, cell_differences, load_truth, missing_cells

from report_extract.pipeline import extract
from report_extract.templates import AGENCY_EXTRA_ROWS
from report_extract.textclean import clean_text

GENERATED = sorted(FIXTURES.glob("*.pdf")) + sorted(SAMPLES.glob("*.pdf"))
REQUIRED = {"t2019-seed-labels", "split-merged-block", "spaced-headers", "wrapped-labels",
            "halfwidth-brackets", "published-inconsistency", "repeated-header", "t2021-full",
            "borderless", "three-line-2019", "docx-word-export", "extra-rows", "dropped-rows"}


def test_the_required_fixtures_exist():
    assert {p.stem for p in GENERATED} >= REQUIRED


@pytest.mark.parametrize("pdf", GENERATED, ids=lambda p: p.stem)
def test_fixture_equals_truth(pdf):
    truth = load_truth(pdf)
    report = extract(pdf)
    assert cell_differences(report.to_dict(), truth) == []
    assert (report.agency, report.year, report.template) == (
        truth["agency"], truth["year"], truth["template"])
    assert sorted(report.check_failures) == sorted(truth["expected_check_failures"])
    assert _problems(report) == _expected_problems(truth)


def _problems(report) -> list[tuple[str, ...]]:
    return sorted((p.table, p.kind, p.row, p.column) if p.row else
                  (p.table, p.kind, clean_text(p.raw_text)) for p in report.problems)


def _expected_problems(truth: dict) -> list[tuple[str, ...]]:
    """Rows an agency added to the template are reported as unplaced, never forced; the
    cells of rows it left out are reported missing, one problem each."""
    extra = truth.get("variation", {}).get("extra_rows", [])
    return sorted([*((AGENCY_EXTRA_ROWS[name][0], "unplaced_row", AGENCY_EXTRA_ROWS[name][2])
                     for name in extra), *missing_cells(truth)])


def test_split_merged_block_is_rejoined_across_pages():
    report = extract(FIXTURES / "split-merged-block.pdf")
    cells = report.tables["applications"].cells
    pages = {c.page for c in cells}
    assert len(pages) == 2  # the table really is split, and read from both pages


def test_seed_labels_give_the_2019_procurement_block_and_single_other_row():
    report = extract(FIXTURES / "t2019-seed-labels.pdf").to_dict()
    assert report["template"] == "2019"
    assert set(report["tables"]["active_disclosure"]["procurement"]) == {"items", "amount"}
    assert "other" in report["tables"]["applications"]
    assert "other_no_correction" not in report["tables"]["applications"]
