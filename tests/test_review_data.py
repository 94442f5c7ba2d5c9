"""review/data.py reads the output folder through report_extract.load(): uncertain flag +
reason, amounts apart, continuity checks and conflicts as the dataset holds them."""

from __future__ import annotations

import pandas as pd
import pytest

from report_extract.review import OutputError, read_output
from report_extract.write.tables import SPECS

A, B = "a" * 64, "b" * 64


def _write(folder, name, rows):
    """A table as convert writes it: every column of its spec, those not given empty."""
    frame = pd.DataFrame(rows, columns=SPECS[name].columns, dtype=object)
    frame.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8-sig")


def _cell(rid, year, row, column, value, **extra):
    return {"report_id": rid, "source_file": f"{year}.pdf", "agency": "洪泽区人民政府",
            "year": year, "template": "2021", "table": "applications", "row": row,
            "column": column, "value": value, "raw_text": str(value), "page": 3, "x0": 1,
            "top": 2, "x1": 3, "bottom": 4, **extra}


def _reports(folder, **extra):
    _write(folder, "reports", [
        {"report_id": rid, "source_file": f"{year}.pdf", "agency": "洪泽区人民政府",
         "year": year, "template": "2021", "pages": 3, "status": "ok", **extra}
        for rid, year in ((A, 2022), (B, 2023))])


def test_an_output_of_an_older_layout_is_one_clear_error(tmp_path):
    pd.DataFrame([{"report_id": A, "source_file": "a.pdf", "agency": "x", "year": 2022}]).to_csv(
        tmp_path / "reports.csv", index=False)
    with pytest.raises(OutputError, match=r"reports.csv: no column agency_key, template, "
                       r".* \(an older table layout: convert again\)"):
        read_output(tmp_path)


def test_dataset_layer_output_is_taken_as_it_is(tmp_path):
    _reports(tmp_path, agency_key="洪泽区人民政府", source="ocr")
    _write(tmp_path, "cells", [
        _cell(A, 2022, "carried_forward", "total", 5, amount=None, uncertain="false",
              uncertain_reason=None),
        _cell(B, 2023, "new", "total", None, amount=None, uncertain="true",
              uncertain_reason="OCR read below 0.9; OCR candidates: 1 (0.89), 7 (0.08)"),
        {**_cell(B, 2023, "fees", "amount", None, amount=7539.44, uncertain="false",
                 uncertain_reason=None), "table": "active_disclosure"}])
    _write(tmp_path, "checks", [{"report_id": B, "other_report_id": A,
                                 "rule": "continuity.carried", "subject": "total",
                                 "expected": 5, "found": 6, "passed": "false"}])
    _write(tmp_path, "conflicts", [{"agency_key": "洪泽区人民政府", "year": 2023,
                                    "report_id": B, "table": "applications", "row": "new",
                                    "column": "total", "value": 3}])
    ds = read_output(tmp_path)
    assert len(ds.checks) == 1  # the dataset's own: nothing computed here
    assert ds.cells["value"].tolist()[2] == 7539.44
    assert ds.cells["uncertain_reason"].tolist()[:2] == [
        None, "OCR read below 0.9; OCR candidates: 1 (0.89), 7 (0.08)"]
    assert ds.conflicts["report_id"].tolist() == [B]
    assert ds.reports["source"].tolist() == ["ocr", "ocr"]
    from report_extract.review import build_site
    from report_extract.review.report_page import page_name

    summary = build_site(tmp_path, tmp_path / "site")
    assert summary.pdfs_missing == 2 and summary.renders_drawn == 0
    page = (tmp_path / "site" / page_name(B)).read_text(encoding="utf-8")
    assert '<section id="conflicts"><h2>Conflicts (1)</h2>' in page
    assert "(PDF not found: no crops)" in page
    assert "<td>OCR read below 0.9</td><td>1 (0.89), 7 (0.08)</td>" in page
    assert f'href="../{page_name(A)}#c-applications-carried_forward-total"' in page


def test_a_report_that_failed_has_a_page_with_its_error(tmp_path):
    _write(tmp_path, "reports", [
        {"report_id": A, "source_file": "broken.pdf", "agency": None, "year": None,
         "template": None, "pages": 0, "status": "failed"}])
    _write(tmp_path, "errors", [{"source_file": "broken.pdf", "path": "in/broken.pdf",
                                 "sha256": A, "stage": "read",
                                 "message": "broken.pdf: truncated PDF", "kind": "corrupt_pdf"}])
    from report_extract.review import build_site
    from report_extract.review.report_page import page_name

    summary = build_site(tmp_path, tmp_path / "site")
    assert summary.reports == 1 and summary.pdfs_missing == 0
    page = (tmp_path / "site" / page_name(A)).read_text(encoding="utf-8")
    assert '<p class="error">read: broken.pdf: truncated PDF</p>' in page
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<tr data-status="failed" data-flagged="0">' in index
    assert "(agency unread)" in index
