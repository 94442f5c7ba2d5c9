"""Provenance of a web page's value (issue 13): the cell's place, "table N, row R, column C:
CSS path", carried from the markup to the canonical cell and written in the `locator`
column of cells (null for a PDF, whose cells have a page and a box instead)."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("reportlab")

from browser_support import Browser, missing_reason  # noqa: E402

from report_extract.pipeline import extract  # noqa: E402
from report_extract.read.html import Element, element_text, parse_page, table_cells  # noqa: E402
from report_extract.synth.generate import write_report  # noqa: E402
from report_extract.synth.tables import extra_row_values  # noqa: E402
from report_extract.synth.variation import Variation  # noqa: E402
from report_extract.templates import AGENCY_EXTRA_ROWS  # noqa: E402
from report_extract.write import write_reports  # noqa: E402
from report_extract.write.tables import report_rows  # noqa: E402

CONTENT = ("body > table.layout > tbody > tr > td:nth-of-type(2) > div:nth-of-type(2) > "
           "div:nth-of-type(2) > div.WordSection1")


@pytest.fixture(scope="module")
def portal_page(tmp_path_factory) -> Path:
    """A generated report inside a table-laid-out portal (its layout table is the page's
    table 1), table 三's header in a <thead> of its own."""
    variation = Variation(template="2021", seed=1234, repeat_header_after_break=True)
    variation = variation.as_web("html")
    variation = replace(variation, web=replace(variation.web, site="column"))
    page, _ = write_report("portal", variation, tmp_path_factory.mktemp("locator"))
    return page


def test_html_values_carry_their_locator_into_the_cells_output(portal_page, tmp_path):
    report = extract(portal_page)
    write_reports([("r1", report)], tmp_path)
    with open(tmp_path / "cells.csv", encoding="utf-8-sig", newline="") as handle:
        rows = {(r["table"], r["row"], r["column"]): r for r in csv.DictReader(handle)}
    fees = rows["active_disclosure", "fees", "amount"]
    assert fees["locator"] == (f"table 2, row 14, column 2: {CONTENT} > table:nth-of-type(1) > "
                               "tbody > tr:nth-of-type(14) > td:nth-of-type(2)")
    new_total = rows["applications", "new", "total"]
    assert new_total["locator"] == (
        f"table 3, row 4, column 10: {CONTENT} > table:nth-of-type(2) > tbody > "
        "tr:nth-of-type(1) > td:nth-of-type(8)")
    upheld = rows["review_litigation", "review", "upheld"]
    assert upheld["locator"] == (f"table 4, row 4, column 1: {CONTENT} > table:nth-of-type(3) > "
                                 "tbody > tr > td:nth-of-type(1)")
    assert (fees["page"], fees["x0"], new_total["page"]) == ("", "", "")  # a page has neither
    # every value's locator names the element its raw text was read from
    root = parse_page(portal_page.read_text(encoding="utf-8"))
    tables = root.elements("table")
    for row in rows.values():
        match = re.fullmatch(r"table (\d+), row \d+, column \d+: (.+)", row["locator"])
        assert match, row
        element = _select(root, match.group(2))
        assert element_text(element) == row["raw_text"]
        assert _inside(element, tables[int(match.group(1)) - 1])


def test_locators_find_their_cells_in_a_browser(portal_page, tmp_path):
    if missing_reason():
        pytest.skip(missing_reason())
    cells = extract(portal_page).all_cells()
    selectors = [c.locator.split(": ", 1)[1] for c in cells]
    browser = Browser(tmp_path / "profile")
    try:
        browser.open(portal_page.resolve().as_uri())
        found = browser.evaluate(
            f"{json.dumps(selectors)}.map(s => {{ const e = document.querySelector(s); "
            "return e === null ? null : e.innerText.replace(/\\s+/g, ''); })")
    finally:
        browser.close()
    assert found == [re.sub(r"\s+", "", c.raw_text) for c in cells]


def test_rows_an_agency_adds_keep_their_values_on_a_page(tmp_path):
    # 行政确认, 其中：网上申请 …: found again by their cells' locators (a page has no boxes)
    variation = Variation(template="2021", seed=7, extra_rows=tuple(AGENCY_EXTRA_ROWS))
    page, truth_path = write_report("extra", variation.as_web("html"), tmp_path)
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    report = extract(page)
    found: dict[str, dict[str, int | float | None]] = {}
    for extra in report.extra_rows:
        found.setdefault(extra.label, {})[extra.column] = extra.value
        assert extra.page is None and extra.bbox is None
        assert re.fullmatch(r"table \d+, row \d+, column \d+: body > .+ > td(:nth-of-type\(\d+\))?",
                            extra.locator)
    assert found == {AGENCY_EXTRA_ROWS[key][2]: extra_row_values(variation, key, truth["tables"])
                     for key in variation.extra_rows}
    # the problems table names where each unplaced label stands
    problems = report_rows(report, "r")["problems"]
    labels = {row[4]: row[6] for row in problems if row[2] == "unplaced_row"}
    assert set(labels) == {AGENCY_EXTRA_ROWS[key][2] for key in variation.extra_rows}
    assert all(locator.startswith("table ") for locator in labels.values())


def test_locator_of_hand_markup():
    # bare rows (a browser puts them in a <tbody>), an id and a class a selector must
    # escape, a cell spanning rows, inside a layout table: the page's table 2
    root = parse_page(
        '<html><body><table class="layout"><tr><td><div id="1st">'
        '<table><tr><td rowspan="2">项目</td><td class="a b">本年</td></tr>'
        '<tr><td id="v:1">7</td></tr></table></div></td></tr></table></body></html>')
    inner = root.elements("table")[1]
    assert [(c.row, c.col, c.text, c.locator) for c in table_cells(inner, 2)] == [
        (0, 0, "项目", "table 2, row 1, column 1: body > table.layout > tbody > tr > td > "
                       "div#\\31 st > table > tbody > tr:nth-of-type(1) > td:nth-of-type(1)"),
        (0, 1, "本年", "table 2, row 1, column 2: body > table.layout > tbody > tr > td > "
                       "div#\\31 st > table > tbody > tr:nth-of-type(1) > td:nth-of-type(2)"),
        (1, 1, "7", "table 2, row 2, column 2: body > table.layout > tbody > tr > td > "
                    "div#\\31 st > table > tbody > tr:nth-of-type(2) > td#v\\:1")]


def _select(root: Element, selector: str) -> Element:
    """The element a locator's CSS path names in the parsed page: steps of tag, .class
    and :nth-of-type(n), with the <tbody> a browser implies where the markup has none."""
    node = root.elements("html")[0]
    for step in selector.split(" > "):
        tag, nth = re.fullmatch(r"([a-z0-9]+)(?:\.[\w.-]+)?(?::nth-of-type\((\d+)\))?",
                                step).groups()
        if tag == "tbody" and not any(isinstance(c, Element) and c.tag == "tbody"
                                      for c in node.children):
            continue  # implied
        same = [c for c in node.children if isinstance(c, Element) and c.tag == tag]
        node = same[int(nth or 1) - 1]
    return node


def _inside(element: Element, ancestor: Element) -> bool:
    node: Element | None = element
    while node is not None and node is not ancestor:
        node = node.parent
    return node is ancestor
