"""Real published reports (../shared/real, not in the repo) against their hand-checked truth."""

from __future__ import annotations

import pytest
from conftest import cell_differences, load_truth, real_pdfs, requires_shared_real

from report_extract.pipeline import extract

pytestmark = requires_shared_real()


@pytest.mark.parametrize("pdf", real_pdfs(), ids=lambda p: p.name)
def test_every_cell_equals_truth(pdf):
    truth = load_truth(pdf)
    report = extract(pdf).to_dict()
    assert cell_differences(report, truth) == []


@pytest.mark.parametrize("pdf", real_pdfs(), ids=lambda p: p.name)
def test_metadata_equals_truth(pdf):
    truth = load_truth(pdf)
    report = extract(pdf)
    assert (report.source_file, report.agency, report.year, report.template) == (
        truth["source_file"], truth["agency"], truth["year"], truth["template"])


@pytest.mark.parametrize("pdf", real_pdfs(), ids=lambda p: p.name)
def test_checks_flag_exactly_the_published_inconsistencies(pdf):
    truth = load_truth(pdf)
    report = extract(pdf)
    assert sorted(report.check_failures) == sorted(truth["expected_check_failures"])
    assert report.problems == []


def test_hongze_provenance_points_at_the_printed_number():
    pdf = next(p for p in real_pdfs() if p.name == "hongze-district-2023.pdf")
    report = extract(pdf)
    cell = next(c for c in report.tables["active_disclosure"].cells
                if (c.row, c.column) == ("fees", "amount"))
    assert (cell.value, cell.raw_text, cell.page) == (7730.28, "7730.28", 3)
    assert cell.bbox.x0 < cell.bbox.x1 and cell.bbox.top < cell.bbox.bottom
    review = next(c for c in report.tables["review_litigation"].cells
                  if (c.row, c.column) == ("suit_after_review", "upheld"))
    assert (review.value, review.page) == (5, 4)
