"""convert --format xlsx: one workbook, read back by openpyxl and by LibreOffice headless."""

from __future__ import annotations

import csv
import shutil
import subprocess

import pytest
from batch_support import hand_report
from click.testing import CliRunner
from conftest import SAMPLES, load_truth

from report_extract.cli import main
from report_extract.write import REPORT_TABLES, write_reports
from report_extract.write import xlsx as xlsx_module
from report_extract.write.xlsx import WORKBOOK_NAME

openpyxl = pytest.importorskip("openpyxl")

SAMPLE = SAMPLES / "sample-2022-district.pdf"
SHEETS = ["reports", "cells", "checks", "problems", "extra_rows", "active_disclosure",
          "applications", "review_litigation", "errors", "inputs", "agencies", "conflicts",
          "versions"]


@pytest.fixture(scope="module")
def workbook_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx")
    result = CliRunner().invoke(main, ["convert", str(SAMPLE), "-o", str(out), "--format",
                                       "xlsx", "--workers", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def _rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_convert_writes_one_workbook_with_a_sheet_per_table(workbook_dir):
    assert sorted(p.name for p in workbook_dir.iterdir()
                  if p.is_file() and not p.name.startswith(".")) == [
        "datapackage.json", "manifest.jsonl", WORKBOOK_NAME]
    book = openpyxl.load_workbook(workbook_dir / WORKBOOK_NAME)
    assert book.sheetnames == SHEETS
    sheet = book["applications"]
    keys, labels = _rows(sheet)[:2]
    assert keys[6:] == ("row", "natural_person", "commercial", "research", "public_interest",
                        "legal_services", "other_org", "total")
    assert labels[2:] == ("机关", "机关标识", "年度", "模板", "行", "自然人", "商业企业",
                          "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == f"A2:N{sheet.max_row}"


def test_workbook_values_are_the_truth_as_numbers(workbook_dir):
    truth = load_truth(SAMPLE)
    book = openpyxl.load_workbook(workbook_dir / WORKBOOK_NAME)
    sheet = book["applications"]
    header = _rows(sheet)[0]
    for row in sheet.iter_rows(min_row=3):
        record = dict(zip(header, row, strict=True))
        assert record["agency"].value == truth["agency"] == "成都市武侯区人民政府"
        assert record["year"].value == truth["year"] and record["year"].data_type == "n"
        for column, value in truth["tables"]["applications"][record["row"].value].items():
            assert record[column].value == value, (record["row"].value, column)
            if value is not None:
                assert record[column].data_type == "n"
    cells = _rows(book["cells"])
    at = {key: i for i, key in enumerate(cells[0])}
    fees = [r for r in cells[2:] if r[at["row"]] == "fees" and r[at["column"]] == "amount"]
    assert [r[at["amount"]] for r in fees] == [
        truth["tables"]["active_disclosure"]["fees"]["amount"]]


def test_labels_and_control_characters(tmp_path):
    report = hand_report()
    cell = report.tables["applications"].cells[1]
    cell.raw_text = "2\x0b1"  # a control character xlsx (XML) cannot hold
    [path] = write_reports([("r1", report)], tmp_path, format="xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [spec.name for spec in REPORT_TABLES]
    cells = _rows(book["cells"])
    assert cells[1][cells[0].index("uncertain")] == "存疑"
    assert cells[1][cells[0].index("uncertain_reason")] == "存疑原因"
    assert "2\\x0b1" in [r[cells[0].index("raw_text")] for r in cells[2:]]
    review = _rows(book["review_litigation"])
    assert review[1][-5:] == ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def test_a_value_that_looks_like_a_formula_is_text(tmp_path):
    report = hand_report()
    report.source_file = "=HYPERLINK(1).pdf"
    [path] = write_reports([("r1", report)], tmp_path, format="xlsx")
    sheet = openpyxl.load_workbook(path)["reports"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=3, column=header.index("source_file") + 1)
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1).pdf", "s")


def test_a_table_longer_than_a_sheet_goes_on_in_the_next(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_module, "MAX_SHEET_ROWS", 6)  # two header rows + 4 rows
    [path] = write_reports([("r1", hand_report())], tmp_path, format="xlsx")
    book = openpyxl.load_workbook(path)
    parts = [_rows(book[name]) for name in ("cells", "cells (2)", "cells (3)")]
    assert [len(p) - 2 for p in parts] == [4, 4, 1]  # the report has 9 cells
    assert all(p[1][0] == "报告编号（文件SHA-256）" for p in parts)
    assert book["cells (2)"].auto_filter.ref == "A2:V6"  # 22 columns
    from report_extract import load

    cells = load(tmp_path)["cells"]  # read on through the continuation sheets
    assert len(cells) == 9 and str(cells["value"].dtype) == "Int64"


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed; .ci/run installs "
                           "libreoffice-calc-nogui")
def test_libreoffice_reads_chinese_text_and_numeric_cells(workbook_dir, tmp_path):
    # Every sheet to CSV, text cells quoted (token 7): a bare field is a numeric cell.
    export = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,false,false,false,-1"
    done = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", export, "--outdir", str(tmp_path), str(workbook_dir / WORKBOOK_NAME)],
        capture_output=True, text=True, timeout=120)
    exported = tmp_path / "tables-applications.csv"
    assert exported.is_file(), done.stdout + done.stderr
    text = exported.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[1].split(",")[7:] == ['"自然人"', '"商业企业"', '"科研机构"', '"社会公益组织"',
                                       '"法律服务机构"', '"其他"', '"总计"']
    truth = load_truth(SAMPLE)["tables"]["applications"]["new"]
    new_row = next(r for r in csv.reader(lines[2:]) if r[6] == "new")
    assert new_row[2] == "成都市武侯区人民政府"
    assert [int(v) for v in new_row[7:]] == [truth[c] for c in (
        "natural_person", "commercial", "research", "public_interest", "legal_services",
        "other_org", "total")]
    bare = next(line for line in lines[2:] if ',"new",' in line)
    assert bare.endswith("," + ",".join(new_row[7:]))  # the numbers are not quoted: numbers


def test_the_review_reader_reads_the_workbook(workbook_dir):
    from report_extract.review import read_output

    truth = load_truth(SAMPLE)
    ds = read_output(workbook_dir)
    assert ds.reports["agency"].tolist() == [truth["agency"]]
    assert ds.reports["template"].tolist() == [truth["template"]]
    new = ds.cells.query("table == 'applications' and row == 'new' and column == 'total'")
    assert new["value"].tolist() == [truth["tables"]["applications"]["new"]["total"]]
    assert ds.reports["source"].tolist() == ["text"]
    assert ds.reports["agency_key"].tolist() == [truth["agency"]]
