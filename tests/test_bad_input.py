"""Bad input is refused with one clear line naming the file and the reason."""

from __future__ import annotations

import functools
import sys

import pytest
from reportlab.pdfgen import canvas

from report_extract import pipeline
from report_extract.errors import (
    CorruptPdfError,
    EmptyPdfError,
    EncryptedPdfError,
    MissingFileError,
    NoTablesError,
    NotAPdfError,
    NoTextLayerError,
    TemplateMismatchError,
)
from report_extract.pipeline import extract
from report_extract.read.pdf import READERS


@pytest.fixture(autouse=True, params=READERS)
def reader(request, monkeypatch):
    """Every refusal is the same from both PDF readers (PDFium, and pdfplumber's)."""
    monkeypatch.setattr(sys.modules[__name__], "extract",
                        functools.partial(pipeline.extract, reader=request.param))
    return request.param


def _pdf(path, draw, encrypt=None, pages=1):
    pdf = canvas.Canvas(str(path), invariant=1, encrypt=encrypt)
    for _ in range(pages):
        draw(pdf)
        pdf.showPage()
    pdf.save()
    return path


def _text(pdf):
    pdf.drawString(72, 720, "Annual report on government information disclosure 2023")


def _lines_only(pdf):
    for y in range(100, 700, 50):
        pdf.line(72, y, 500, y)


def test_not_a_pdf(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_text("this is a text file", encoding="utf-8")
    with pytest.raises(NotAPdfError) as error:
        extract(path)
    assert str(error.value) == "report.pdf: not a PDF (no %PDF- header)"


def test_html_error_page_saved_as_pdf(tmp_path):
    path = tmp_path / "download.pdf"
    path.write_text("<!DOCTYPE html><html><body>404 Not Found</body></html>", encoding="utf-8")
    with pytest.raises(NotAPdfError) as error:
        extract(path)
    assert str(error.value) == "download.pdf: not a PDF (it is an HTML page)"


def test_empty_file(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(NotAPdfError) as error:
        extract(path)
    assert str(error.value) == "empty.pdf: empty file (0 bytes), not a PDF"


def test_truncated_pdf(tmp_path):
    whole = _pdf(tmp_path / "whole.pdf", _text, pages=3).read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(whole[: len(whole) // 3])
    with pytest.raises(CorruptPdfError) as error:
        extract(path)
    assert str(error.value).startswith("truncated.pdf: corrupt or truncated PDF (")


def test_encrypted_pdf(tmp_path):
    path = _pdf(tmp_path / "locked.pdf", _text, encrypt="secret")
    with pytest.raises(EncryptedPdfError) as error:
        extract(path)
    assert str(error.value) == "locked.pdf: encrypted PDF: a password is needed to open it"


def test_zero_pages(tmp_path):
    path = tmp_path / "nopages.pdf"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    body += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
             f"startxref\n{xref}\n%%EOF\n").encode()
    path.write_bytes(body)
    with pytest.raises(EmptyPdfError) as error:
        extract(path)
    assert str(error.value) == "nopages.pdf: the PDF has no pages"


def test_scanned_report_without_text_layer(tmp_path):
    path = _pdf(tmp_path / "scan.pdf", _lines_only, pages=6)
    with pytest.raises(NoTextLayerError) as error:
        extract(path)
    assert str(error.value) == "scan.pdf: no text layer on pages 1-6: scanned report, OCR needed"


def test_report_without_tables(tmp_path):
    path = _pdf(tmp_path / "prose.pdf", _text, pages=2)
    with pytest.raises(NoTablesError) as error:
        extract(path)
    assert str(error.value) == "prose.pdf: no ruled tables found in the report"


def test_missing_file(tmp_path):
    with pytest.raises(MissingFileError) as error:
        extract(tmp_path / "nowhere.pdf")
    assert str(error.value) == "nowhere.pdf: file not found"
    assert isinstance(error.value, FileNotFoundError)  # what Python code expects


def _foreign_table(pdf):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))  # built into reportlab
    pdf.setFont("STSong-Light", 12)
    pdf.drawString(72, 760, "三、收到和处理政府信息公开申请情况")
    rows = [("水果", "数量", "重量"), ("苹果", "1", "2"), ("香蕉", "3", "4")]
    for i, row in enumerate(rows):
        y = 730 - i * 24
        for j, text in enumerate(row):
            pdf.drawString(80 + j * 120, y - 16, text)
    for i in range(len(rows) + 1):
        pdf.line(72, 730 - i * 24, 432, 730 - i * 24)
    for j in range(4):
        pdf.line(72 + j * 120, 730, 72 + j * 120, 730 - len(rows) * 24)


def test_table_that_matches_no_template(tmp_path):
    path = _pdf(tmp_path / "fruit.pdf", _foreign_table)
    with pytest.raises(TemplateMismatchError) as error:
        extract(path)
    assert str(error.value) == (
        "fruit.pdf: tables found, but none matches the 2019 or 2021 template "
        "(label '数量' not placed: no template label is close (best: 自然人))"
    )
