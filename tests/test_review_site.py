"""report-extract review: the static site of a convert output, checked as files and in
headless Chromium (console errors, links, crops, screenshots, the DOM of a failed check)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pdfplumber
import pytest
from browser_support import Browser, missing_reason
from click.testing import CliRunner
from conftest import SAMPLES, real_pdfs, requires_shared_real
from PIL import Image

import report_extract
from report_extract.cli import main
from report_extract.review import read_output
from report_extract.review.report_page import CROP_PAD_X, CROP_PAD_Y, page_name
from report_extract.review.site import build_site

SERIES = SAMPLES / "agencies"
# the published inconsistency, and both sides of the planted continuity break
PDFS = ["jiangsu-transport-2021.pdf", "xihu-district-2021.pdf", "xihu-district-2022.pdf"]
BROWSER_MISSING = missing_reason()
needs_browser = pytest.mark.skipif(BROWSER_MISSING is not None, reason=str(BROWSER_MISSING))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("review")
    summary = report_extract.convert([str(SERIES / name) for name in PDFS], root / "out",
                                     workers=1, progress=False)
    assert summary.converted == 3 and summary.failed == 0
    result = CliRunner().invoke(main, ["review", str(root / "out"), "-o", str(root / "site"),
                                       "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "3 reports: pages in" in result.output
    return root / "out", root / "site"


def _page_of(out: Path, source_file: str) -> str:
    reports = read_output(out).reports
    return page_name(reports.loc[reports["source_file"] == source_file, "report_id"].item())


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)
            elif name == "id":
                self.ids.add(value)
            elif name == "style" and "url(" in value:
                self.links += re.findall(r"url\('([^']+)'\)", value)


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_link_of_every_page_resolves(built):
    _, site = built
    pages = sorted(site.rglob("*.html"))
    assert len(pages) == 2 + 3
    parsed = {page: _parse(page) for page in pages}
    broken = []
    for page, links in parsed.items():
        for link in links.links:
            url = urlparse(link)
            target = (Path(unquote(url.path)) if url.scheme == "file"
                      else (page.parent / unquote(url.path)).resolve() if url.path else page)
            if url.scheme not in ("", "file") or not target.is_file():
                broken.append(f"{page.name}: {link}")
            elif url.fragment and url.fragment not in parsed[target].ids:
                broken.append(f"{page.name}: {link} (no such anchor)")
    assert broken == []
    assert any(link.startswith("file://") and link.endswith(".pdf")
               for link in parsed[site / _page_of(built[0], PDFS[0])].links)


def test_report_page_puts_failed_checks_first_and_marks_their_cells(built):
    out, site = built
    html = (site / _page_of(out, "jiangsu-transport-2021.pdf")).read_text(encoding="utf-8")
    sections = re.findall(r'<section[^>]* id="([^"]+)"', html)
    assert sections[0] == "checks"
    assert 'data-rule="review_litigation.total:review"' in html
    marked = re.findall(r'<td class="([^"]*)" id="(c-review_litigation-review-[a-z]+)"', html)
    assert [(cell, "fail" in cls) for cls, cell in marked] == [
        (f"c-review_litigation-review-{c}", True)
        for c in ("upheld", "corrected", "other", "pending", "total")]
    assert "fail" not in re.search(r'<td class="([^"]*)" id="c-review_litigation-suit_direct-'
                                   r'total"', html).group(1)
    assert "三、本年度办理结果" in html and "（本列数据的勾稽关系为" in html


def _assert_crops_show_digits(out: Path, site: Path, pdf_path: Path, table: str) -> int:
    """The highlighted box of each value's crop is its cell's box, and the page render
    holds, inside that box, the value's digits (the PDF's characters there)."""
    ds = read_output(out)
    cells = ds.cells[(ds.cells["source_file"] == pdf_path.name) & (ds.cells["table"] == table)]
    html = (site / _page_of(out, pdf_path.name)).read_text(encoding="utf-8")
    with pdfplumber.open(pdf_path) as pdf:
        for cell in cells.itertuples():
            anchor = re.search(rf'id="c-{cell.table}-{cell.row}-{cell.column}"><a href="\.\./'
                               r'([^"]+)" data-b="([^"]+)" data-o="([^"]+)"', html)
            render, box, origin = anchor.groups()
            assert [float(v) for v in box.split(",")] == pytest.approx(
                [cell.x0, cell.top, cell.x1, cell.bottom], abs=0.01)
            left, top, scale = (float(v) for v in origin.split(","))
            page = pdf.pages[int(cell.page) - 1]
            chars = page.crop((cell.x0, cell.top, cell.x1, cell.bottom)).chars
            assert "".join(c["text"] for c in chars if c["text"].strip()) == cell.raw_text
            image = Image.open(site / render).convert("L")
            ink = image.crop(tuple(round(v) for v in ((cell.x0 - left) * scale,
                                                       (cell.top - top) * scale,
                                                       (cell.x1 - left) * scale,
                                                       (cell.bottom - top) * scale)))
            assert ink.getextrema()[0] < 100, f"no ink in the box of {cell.row}/{cell.column}"
    return len(cells)


def test_crops_show_the_values_digits(built):
    out, site = built
    assert _assert_crops_show_digits(out, site, SERIES / PDFS[0], "review_litigation") == 15


@requires_shared_real()
def test_crops_of_a_real_report_show_its_digits(tmp_path):
    [pdf] = [p for p in real_pdfs() if p.name == "hongze-district-2023.pdf"]
    assert report_extract.convert([str(pdf)], tmp_path / "out", workers=1,
                                  progress=False).converted == 1
    build_site(tmp_path / "out", tmp_path / "site", workers=1)
    for table in ("applications", "review_litigation"):
        assert _assert_crops_show_digits(tmp_path / "out", tmp_path / "site", pdf, table) > 0


def test_continuity_break_links_to_the_earlier_years_cell(built):
    out, site = built
    later = (site / _page_of(out, "xihu-district-2022.pdf")).read_text(encoding="utf-8")
    earlier_page = _page_of(out, "xihu-district-2021.pdf")
    assert 'data-rule="continuity.carried:natural_person"' in later
    assert (f'href="../{earlier_page}#c-applications-carried_forward-natural_person"'
            in later)
    assert f'rel="earlier" href="../{earlier_page}"' in later
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.count("<tr data-status=") == 3


def test_review_of_a_folder_that_is_no_output_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["review", str(tmp_path), "-o", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert result.output == (f"error: {tmp_path}: no reports table (reports.csv, reports/ or "
                             "tables.xlsx); is it the -o folder of report-extract convert?\n")


def test_rebuild_reuses_renders_and_crops_none_draws_none(built, tmp_path):
    out, site = built
    again = build_site(out, site, workers=1)
    assert again.renders_drawn == 0 and again.renders_reused > 0
    bare = build_site(out, tmp_path / "bare", crops="none")
    assert bare.renders_drawn == 0 and not (tmp_path / "bare" / "renders").exists()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if BROWSER_MISSING:
        pytest.skip(BROWSER_MISSING)
    chromium = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


def _screenshot_ok(path: Path, width: int) -> None:
    image = Image.open(path)
    assert image.size[0] == width and image.size[1] >= 600
    assert len(image.convert("L").getcolors(256) or []) > 20  # not a blank page


@needs_browser
def test_pages_open_without_console_errors_and_screenshots(built, browser, tmp_path):
    out, site = built
    pages = {"index": site / "index.html", "compare": site / "compare.html",
             "report": site / _page_of(out, "jiangsu-transport-2021.pdf")}
    for kind, page in pages.items():
        browser.errors.clear()
        browser.open(page.as_uri())
        assert browser.errors == [], kind
        _screenshot_ok(browser.screenshot(tmp_path / f"{kind}.png", full_page=True), 1280)
        if kind == "compare":  # six charts, a line per agency
            assert browser.evaluate("document.querySelectorAll('svg polyline').length") == 12


@needs_browser
def test_failed_check_dom_and_crop_panel(built, browser):
    out, site = built
    browser.errors.clear()
    browser.open((site / _page_of(out, "jiangsu-transport-2021.pdf")).as_uri())
    assert browser.evaluate("document.querySelector('main, body > section').id") == "checks"
    assert browser.evaluate(
        "[...document.querySelectorAll('#checks li.check')].map(li => li.dataset.rule)"
    ) == ["review_litigation.total:review"]
    assert browser.evaluate("document.querySelectorAll('#checks figure.term .crop').length") == 5
    assert browser.evaluate("document.querySelectorAll('td.fail').length") == 5
    # every crop's page render loaded
    assert browser.evaluate("""Promise.all([...new Set([...document.querySelectorAll('td.v a')]
        .map(a => a.href))].map(u => new Promise(r => {const i = new Image();
        i.onload = () => r(i.naturalWidth); i.onerror = () => r(0); i.src = u;})))
        .then(ws => ws.every(w => w > 0))""") is True
    cell = read_output(out).cells.query(
        "source_file == 'jiangsu-transport-2021.pdf' and table == 'review_litigation' "
        "and row == 'review' and column == 'total'").iloc[0]
    browser.evaluate("document.querySelector('#c-review_litigation-review-total a').click()")
    shown = browser.evaluate("""(() => {const p = document.getElementById('crop-panel');
        const c = p.querySelector('.crop'), b = c.querySelector('.box');
        const a = document.querySelector('#c-review_litigation-review-total a');
        return {hidden: p.hidden, bg: getComputedStyle(c).backgroundPosition,
                box: [b.offsetLeft, b.offsetTop, b.offsetWidth, b.offsetHeight],
                origin: a.dataset.o}})()""")
    assert shown["hidden"] is False
    left, top, scale = (float(v) for v in shown["origin"].split(","))
    bg_x, bg_y = (float(v.rstrip("px")) for v in shown["bg"].split())
    box_left = left + (shown["box"][0] - bg_x) / scale  # the box in page points
    box_top = top + (shown["box"][1] - bg_y) / scale
    assert (box_left, box_top) == pytest.approx((cell.x0, cell.top), abs=0.6)
    assert shown["box"][2:] == pytest.approx(
        [(cell.x1 - cell.x0) * scale, (cell.bottom - cell.top) * scale], abs=2.5)
    assert shown["box"][0] == pytest.approx(CROP_PAD_X * scale, abs=1)
    assert shown["box"][1] == pytest.approx(CROP_PAD_Y * scale, abs=1)
    assert browser.errors == []


@needs_browser
def test_index_filters_and_sorts(built, browser):
    _, site = built
    browser.open((site / "index.html").as_uri())
    visible = "[...document.querySelectorAll('#reports tbody tr')].filter(r => !r.hidden)"
    assert browser.evaluate(f"{visible}.length") == 3
    browser.evaluate("const f = document.getElementById('filter'); f.value = '西湖';"
                     "f.dispatchEvent(new Event('input'))")
    assert browser.evaluate(f"{visible}.length") == 2
    browser.evaluate("const g = document.getElementById('filter'); g.value = '';"
                     "g.dispatchEvent(new Event('input'));"
                     "const c = document.getElementById('flagged'); c.checked = true;"
                     "c.dispatchEvent(new Event('change'))")
    assert sorted(browser.evaluate(f"{visible}.map(r => r.cells[9].textContent)")) == [
        "jiangsu-transport-2021.pdf", "xihu-district-2022.pdf"]
    browser.evaluate("document.querySelectorAll('#reports th')[1].click()")  # year
    years = browser.evaluate("[...document.querySelectorAll('#reports tbody tr')]"
                             ".map(r => r.cells[1].textContent)")
    assert years == sorted(years)
    assert browser.errors == []


def test_indicators_match_the_tables(built):
    from report_extract.review import indicator_table, matrix

    out, _ = built
    ds = read_output(out)
    table = indicator_table(ds)
    apps = pd.read_csv(out / "applications.csv", encoding="utf-8-sig")
    row = table[table["year"] == 2022].iloc[0]
    new = apps[(apps["year"] == 2022) & (apps["row"] == "new")]["total"].item()
    assert row["applications_received"] == new
    handled = apps[(apps["year"] == 2022) & (apps["row"] == "total_handled")]["total"].item()
    disclosed = apps[(apps["year"] == 2022) & (apps["row"] == "disclosed")]["total"].item()
    assert row["share_disclosed"] == pytest.approx(disclosed / handled)
    grid = matrix(table, "applications_received")
    assert list(grid.columns) == [2021, 2022] and len(grid) == 2


@needs_browser
def test_the_driver_sees_console_errors_and_missing_files(browser, tmp_path):
    """The no-error assertions above can fail: a page with faults reports each one."""
    page = tmp_path / "faulty.html"
    page.write_text('<img src="missing.png"><script>console.error("said");'
                    "undefined_function();</script>", encoding="utf-8")
    browser.errors.clear()
    browser.open(page.as_uri())
    text = " | ".join(browser.errors)
    assert "said" in text and "undefined_function" in text and "missing.png" in text, text


def test_crops_of_a_report_read_from_a_zip_archive(tmp_path):
    import zipfile

    archive = tmp_path / "reports.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(SERIES / PDFS[0], f"年报/{PDFS[0]}")
    assert report_extract.convert([str(archive)], tmp_path / "out", workers=1,
                                  progress=False).converted == 1
    summary = build_site(tmp_path / "out", tmp_path / "site", workers=1)
    assert summary.problems == [] and summary.pdfs_missing == 0
    assert summary.renders_drawn >= 2
    page = (tmp_path / "site" / _page_of(tmp_path / "out", PDFS[0])).read_text("utf-8")
    assert f'<a href="{archive.as_uri()}">' in page


def test_an_html_report_shows_its_values_without_crops(tmp_path):
    from report_extract.synth.generate import generate

    [(html, truth_path)] = generate(7, tmp_path / "in", 1, ("html",))
    truth = pd.read_json(truth_path, typ="series")
    report_extract.convert([str(html)], tmp_path / "out", workers=1, progress=False)
    summary = build_site(tmp_path / "out", tmp_path / "site")
    assert (summary.renders_drawn, summary.pdfs_missing, summary.problems) == (0, 0, [])
    page = tmp_path / "site" / _page_of(tmp_path / "out", html.name)
    text = page.read_text(encoding="utf-8")
    assert "<dt>source</dt><dd>HTML</dd>" in text
    assert "Its values have no place on a page (an HTML report), so no crops." in text
    assert 'class="error"' not in text and "renders/" not in text
    new = truth["tables"]["applications"]["new"]["total"]
    assert re.search(f'<td class="v" id="c-applications-new-total"><span title="原文 raw text: '
                     f'[^"]+">{new}</span></td>', text)
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "<td>HTML</td>" in index
    if BROWSER_MISSING is None:
        chromium = Browser(tmp_path / "profile")
        try:
            chromium.open(page.as_uri())
            assert chromium.errors == []
        finally:
            chromium.close()


def test_a_render_is_a_png_of_16_greys_of_the_page():
    import io

    import numpy as np

    from report_extract.review.renders import grey4_png

    grey = np.array([[0, 17, 128, 255, 255], [255, 240, 16, 15, 1]], np.uint8)
    image = Image.open(io.BytesIO(grey4_png(grey)))
    assert image.size == (5, 2)
    assert np.asarray(image.convert("L")).tolist() == [[0, 17, 136, 255, 255],
                                                       [255, 238, 17, 17, 0]]
