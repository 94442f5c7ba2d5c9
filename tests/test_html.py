"""Reports published as web pages (issue 13): read from the markup, exact against the
generator's truth; the page's encoding, site chrome, and a page without report tables."""

from __future__ import annotations

import csv
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("reportlab")

from click.testing import CliRunner  # noqa: E402

from report_extract.cli import main  # noqa: E402
from report_extract.errors import DetectorNotForPageError, NoTablesError  # noqa: E402
from report_extract.pipeline import extract  # noqa: E402
from report_extract.read.html import decode_page, page_metadata, parse_page  # noqa: E402
from report_extract.scoring import all_flags, report_dict, score_cells  # noqa: E402
from report_extract.synth.generate import write_report  # noqa: E402
from report_extract.synth.variation import Variation  # noqa: E402
from report_extract.synth.webstyle import WebStyle  # noqa: E402


def web_report(tmp_path: Path, name: str, template: str = "2021", **style) -> tuple[Path, dict]:
    base = Variation(template=template, seed=1234, repeat_header_after_break=True)
    variation = base.as_web("html")
    variation = replace(variation, web=replace(variation.web, **style))
    page, truth = write_report(name, variation, tmp_path)
    return page, json.loads(truth.read_text(encoding="utf-8"))


def assert_exact(page: Path, truth: dict) -> None:
    report = extract(page)
    data = report_dict(report)
    score = score_cells(data, truth, all_flags(data))
    assert score.wrong == []
    assert score.exact == score.total > 150
    assert (report.agency, report.year, report.template) == (
        truth["agency"], truth["year"], truth["template"])
    assert sorted(report.check_failures) == sorted(truth["expected_check_failures"])
    cell = next(c for c in report.all_cells() if c.row == "new" and c.column == "total")
    assert cell.page is None and cell.bbox is None  # a page has neither


def test_gbk_page_is_read_exactly(tmp_path):
    page, truth = web_report(tmp_path, "gbk", encoding="gbk", borders="double",
                             amount_yuan=True)
    raw = page.read_bytes()
    assert b"charset=gbk" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert truth["agency"] in decode_page(raw)
    assert_exact(page, truth)


def test_page_in_site_chrome_is_read_exactly(tmp_path):
    # a table-laid-out portal: nav in the layout table's left cell, a sidebar listing the
    # agency's earlier reports (other years: never the metadata), Word's ghost column
    page, truth = web_report(tmp_path, "chrome", template="2019", site="column",
                             borders="separate", misaligned_spans=True, title_in_body=False,
                             blank_zeros=False)
    text = decode_page(page.read_bytes())
    assert "当前位置：" in text and f"{truth['year'] - 1}年政府信息公开工作年度报告" in text
    assert_exact(page, truth)


def test_metadata_never_from_navigation():
    root = parse_page(
        "<html><head><title>政务公开_某某网站</title></head><body>"
        "<ul class='nav'><li><a>某某区人民政府2022年政府信息公开工作年度报告</a></li></ul>"
        "<div class='crumb'>当前位置：首页 &gt; 政务公开</div>"
        "<h1>某某区人民政府2023年政府信息公开工作年度报告</h1></body></html>")
    assert page_metadata(root) == ("某某区人民政府", 2023)


def test_page_without_tables_is_refused_in_one_line(tmp_path):
    page = tmp_path / "notice.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><title>通知</title>"
                    "</head><body><h1>关于年度报告的说明</h1><p>本年度报告见附件。</p>"
                    "<table><tr><td>搜索</td></tr></table></body></html>", encoding="utf-8")
    with pytest.raises(NoTablesError) as error:
        extract(page)
    assert str(error.value) == "notice.html: no ruled tables found in the report"
    result = CliRunner().invoke(main, ["extract", str(page)])
    assert result.exit_code == 1
    assert result.stderr == "error: notice.html: no ruled tables found in the report\n"


def test_cli_extract_and_convert_read_pages(tmp_path):
    page, truth = web_report(tmp_path / "pages", "page", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(page)])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["tables"]["applications"]["new"] == truth["tables"]["applications"]["new"]
    # a zip holding the page under a .htm name: sniffed by content
    archive = tmp_path / "web.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("年报/page.htm", page.read_bytes())
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["convert", str(archive), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    reports = (out / "reports.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(reports) == 2
    row = dict(zip(reports[0].split(","), reports[1].split(","), strict=True))
    assert (row["source_file"], row["agency"], row["year"], row["pages"]) == (
        "page.htm", truth["agency"], str(truth["year"]), "0")


def test_a_detector_asked_for_a_page_is_refused_not_ignored(tmp_path):
    # a detector finds a PDF's ruled tables; a page's tables are its markup: asked for
    # camelot, a page is refused with the reason and what to do (not read as if unasked)
    page, _ = web_report(tmp_path / "pages", "page")
    reason = ("the camelot detector finds ruled tables in a PDF; a web page's tables are "
              "read from its markup: leave out --detector camelot for it")
    with pytest.raises(DetectorNotForPageError) as error:
        extract(page, detector="camelot")
    assert str(error.value) == f"page.html: {reason}"
    result = CliRunner().invoke(main, ["extract", str(page), "--detector", "camelot"])
    assert result.exit_code == 1
    assert result.stderr == f"error: page.html: {reason}\n"
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["convert", str(page), "-o", str(out), "-q",
                                       "--detector", "camelot"])
    assert result.exit_code == 1
    with open(out / "errors.csv", encoding="utf-8-sig", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert (row["source_file"], row["kind"], row["message"]) == (
        "page.html", "detector_not_for_page", reason)
    assert extract(page).tables  # read without the option


def test_web_style_rejects_unknown_values():
    with pytest.raises(ValueError, match="encoding"):
        WebStyle(encoding="big5")


def test_generated_web_corpus_is_exact_and_never_silent(tmp_path):
    from report_extract.synth.generate import generate

    made = generate(13, tmp_path, 12, ("html",))
    assert len(made) == 12 and all(page.suffix == ".html" for page, _ in made)
    borders, encodings = set(), set()
    for page, truth_path in made:
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        borders.add(truth["variation"]["web"]["borders"])
        encodings.add(truth["variation"]["web"]["encoding"])
        data = report_dict(extract(page))
        score = score_cells(data, truth, all_flags(data))
        assert (score.unflagged, score.exact) == ([], score.total), page.name
        assert (data["agency"], data["year"]) == (truth["agency"], truth["year"])
    assert (len(borders), len(encodings)) == (3, 2)  # every border style, both encodings
