"""Reports printed to PDF from a portal page by headless Chromium (issue 13): radical code
points in the text layer, borders as filled rectangles (here `border-collapse: separate`:
every rule doubled), the title inside site chrome with the browser's header line, and table
三 broken across pages inside a row. One generated file for the module (Chromium is slow)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

pytest.importorskip("reportlab")

from report_extract.detect.ruled import join_pieces  # noqa: E402
from report_extract.models import Segment  # noqa: E402
from report_extract.pipeline import extract  # noqa: E402
from report_extract.read.pdf import read_document  # noqa: E402
from report_extract.scoring import all_flags, report_dict, score_cells  # noqa: E402
from report_extract.synth import browser  # noqa: E402
from report_extract.synth.generate import write_report  # noqa: E402
from report_extract.synth.variation import Variation  # noqa: E402

KANGXI = range(0x2F00, 0x2FD6)
SUPPLEMENT = range(0x2E80, 0x2EF4)


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> tuple[Path, dict]:
    if browser.missing_message():
        pytest.skip(browser.missing_message())
    rng = random.Random(5)
    drawn = [Variation.random(rng) for _ in range(2)][1]
    # python -m report_extract.synth 5 OUT 2 --producer html --producer chromium: its 2nd
    variation = drawn.as_web("chromium")
    assert variation.font_family == "noto-sans-cjk" and variation.web is not None
    assert (variation.web.borders, variation.web.site, variation.web.print_header) == (
        "separate", "column", True)
    pdf, truth = write_report("printed", variation, tmp_path_factory.mktemp("chromium"))
    return pdf, json.loads(truth.read_text(encoding="utf-8"))


def test_radicals_in_the_text_layer_are_read_as_ideographs(printed):
    pdf, truth = printed
    import pdfplumber

    with pdfplumber.open(pdf) as opened:
        raw = "".join(c["text"] for page in opened.pages for c in page.chars)
    assert "⺠" in raw and "⾏" in raw and "⼈" in raw  # 民 行 人 as Skia + Noto print them
    assert any(ord(ch) in SUPPLEMENT for ch in raw) and any(ord(ch) in KANGXI for ch in raw)
    document = read_document(pdf)
    read = "".join(c.text for page in document.pages for c in page.chars)
    assert not any(ord(ch) in KANGXI or ord(ch) in SUPPLEMENT for ch in read)
    report = extract(pdf)
    # the title (人民政府), headings (一、二、…) and labels (行政许可, 自然人) all matched
    assert (report.agency, report.year, report.template) == (
        truth["agency"], truth["year"], truth["template"])
    assert "人民" in report.agency
    raw_texts = [c.raw_text for c in report.all_cells()]
    assert not any(ord(ch) in KANGXI or ord(ch) in SUPPLEMENT for t in raw_texts for ch in t)


def test_table_broken_inside_a_row_across_pages_is_exact(printed):
    pdf, truth = printed
    report = extract(pdf)
    data = report_dict(report)
    score = score_cells(data, truth, all_flags(data))
    assert score.wrong == []
    assert score.exact == score.total == 219
    assert sorted(report.check_failures) == sorted(truth["expected_check_failures"])
    pages = {c.page for c in report.tables["applications"].cells}
    assert len(pages) == 2  # table 三 runs over two printed pages
    # natural_person's header row began at the foot of the first page and printed on the
    # next: its values are still read as natural_person
    first = min(pages)
    assert report.tables["applications"].value("new", "natural_person") == (
        truth["tables"]["applications"]["new"]["natural_person"])
    assert any(c.page == first for c in report.tables["applications"].cells)


def test_pieces_of_one_rule_are_joined():
    # a rule printed as one rectangle per column (two a hair lower), a ghost column's
    # 0.6 pt piece between; a second rule further down stays apart
    pieces = [Segment(100, 50.0, 150, 50.0), Segment(150, 50.2, 200.0, 50.2),
              Segment(200.0, 50.0, 200.6, 50.0), Segment(200.6, 50.1, 300, 50.1),
              Segment(100, 80.0, 300, 80.0),
              Segment(100, 10, 100, 40), Segment(100.3, 40, 100.3, 90), Segment(100, 95, 100, 99)]
    joined = sorted((round(s.x0), round(s.top), round(s.x1), round(s.bottom))
                    for s in join_pieces(pieces))
    assert joined == [(100, 10, 100, 90), (100, 50, 300, 50), (100, 80, 300, 80),
                      (100, 95, 100, 99)]
