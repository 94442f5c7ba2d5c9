"""A small corpus generated at test time, two reports per variation switch, read exactly.

The committed fixtures are one report per switch; this generates fresh ones (other seeds,
the switch combined with random others) so a change in the extractor or the generator is
measured, not only the fixtures. Needs the CJK fonts (and LibreOffice for docx); the
benchmark `benchmarks/accuracy.py --generate 300` is the large version.
"""

from __future__ import annotations

import dataclasses
import json
import random

import pytest
from conftest import cell_differences, missing_cells

from report_extract.pipeline import extract
from report_extract.synth.fonts import missing_fonts
from report_extract.synth.generate import Job, write_reports
from report_extract.synth.variation import Variation

SWITCHES: dict[str, dict] = {
    "template-2019": {"template": "2019"},
    "split_in_merged_block": {"split_in_merged_block": True, "producer": "reportlab"},
    "repeat_header_after_break": {"split_in_merged_block": True, "producer": "reportlab",
                                  "repeat_header_after_break": True},
    "spaced_headers": {"spaced_headers": True},
    "wrapped_labels": {"wrapped_labels": True},
    "halfwidth_brackets+dunhao": {"halfwidth_brackets": True, "dunhao_numbering": True},
    "label_typos": {"label_typos": True},
    "thousands_separators": {"thousands_separators": True, "large_numbers": True},
    "null_marks": {"null_marks": True},
    "mixed_other_row": {"template": "2021", "mixed_other_row": True},
    "inconsistency": {"inconsistency": True},
    "landscape": {"landscape": True},
    "borderless": {"borderless": True, "three_line": False},
    "three_line": {"borderless": True, "three_line": True},
    "dropped_rows": {"dropped_rows": ("withheld_inquiry", "unavailable_unclear")},
    "docx": {"producer": "docx", "split_in_merged_block": False},
}


pytestmark = pytest.mark.skipif(
    bool(missing_fonts()),
    reason=f"CJK fonts missing: apt-get install -y {' '.join(missing_fonts())}")


def _variation(seed: int, overrides: dict) -> Variation:
    base = Variation.random(random.Random(seed))
    # extra rows are checked by the fixtures; dropped rows only where asked (they depend
    # on the template, which an override may change)
    fields = {"extra_rows": (), "dropped_rows": (), **overrides}
    if fields.get("producer") == "docx" or base.producer == "docx":
        fields.setdefault("split_in_merged_block", False)
    if not fields.get("borderless", base.borderless):
        fields["three_line"] = False
    if fields.get("template", base.template) == "2019":
        fields["mixed_other_row"] = False
    return dataclasses.replace(base, **fields)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    jobs = [Job(f"{name}-{k}", _variation(1000 * k + i, overrides))
            for i, (name, overrides) in enumerate(SWITCHES.items()) for k in (1, 2)]
    written = write_reports(jobs, out)
    return {pdf.stem: (pdf, truth) for pdf, truth in written}


@pytest.mark.parametrize("name", [f"{s}-{k}" for s in SWITCHES for k in (1, 2)])
def test_generated_report_is_read_exactly(corpus, name):
    if name not in corpus:
        pytest.skip("docx reports need LibreOffice (apt-get install libreoffice-writer-nogui)")
    pdf, truth_path = corpus[name]
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    report = extract(pdf)
    assert cell_differences(report.to_dict(), truth) == []
    assert (report.agency, report.year, report.template) == (
        truth["agency"], truth["year"], truth["template"])
    assert sorted(report.check_failures) == sorted(truth["expected_check_failures"])
    assert sorted((p.table, p.kind, p.row, p.column) for p in report.problems) == sorted(
        missing_cells(truth))
