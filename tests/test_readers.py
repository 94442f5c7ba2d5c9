"""The PDFium reader (the default) and the pdfplumber reader (the reference) read the same.

Every fixture, sample, the real report (where ../shared/real is present) and a small
generated corpus: the same canonical report (values, checks, problems), the same characters
and rulings with boxes within 0.5 pt. Pages turned by /Rotate read as the unturned ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, SAMPLES, real_pdfs, requires_shared_real

from report_extract.batch import convert
from report_extract.models import BBox, Char, Document, Page, Report
from report_extract.pipeline import extract
from report_extract.read.pdf import READERS, read_document
from report_extract.scan.route import plan_routes
from report_extract.synth.fonts import missing_fonts
from report_extract.synth.generate import generate
from report_extract.write.manifest import Manifest

BOX_TOLERANCE = 0.5  # pt
GENERATED_SEED = 1616


def _committed() -> list[Path]:
    return [*sorted(SAMPLES.glob("*.pdf")), *sorted(FIXTURES.glob("*.pdf")), *real_pdfs()]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> list[Path]:
    """A few fresh reports (reportlab ones: docx needs LibreOffice, and has its fixture)."""
    if missing_fonts():
        pytest.skip(f"CJK fonts missing: apt-get install -y {' '.join(missing_fonts())}")
    made = generate(GENERATED_SEED, tmp_path_factory.mktemp("generated"), 8, ("reportlab",))
    return [pdf for pdf, _ in made]


def _canonical(report: Report) -> tuple[dict, list]:
    checks = [(c.identifier, c.passed, c.expected, c.found, c.message) for c in report.checks]
    return report.to_dict(details=True), checks


def _box_distance(a: BBox, b: BBox) -> float:
    return max(abs(a.x0 - b.x0), abs(a.top - b.top), abs(a.x1 - b.x1),
               abs(a.bottom - b.bottom))


def _nearest_distances(reference: list[Char], other: list[Char]) -> list[float]:
    """For each reference char, the distance to the nearest other char of the same text."""
    by_text: dict[str, list[BBox]] = {}
    for char in other:
        by_text.setdefault(char.text, []).append(char.bbox)
    return [min((_box_distance(c.bbox, b) for b in by_text.get(c.text, [])), default=1e9)
            for c in reference]


def _assert_same_pages(reference: Document, fast: Document) -> None:
    assert len(fast.pages) == len(reference.pages)
    for ref, got in zip(reference.pages, fast.pages, strict=True):
        where = f"{reference.source_file} page {ref.number}"
        assert (got.width, got.height) == pytest.approx((ref.width, ref.height), abs=0.01), where
        assert sorted(c.text for c in got.chars) == sorted(c.text for c in ref.chars), where
        assert max(_nearest_distances(ref.chars, got.chars), default=0) <= BOX_TOLERANCE, where
        ref_lines = sorted((s.x0, s.top, s.x1, s.bottom) for s in ref.segments)
        got_lines = sorted((s.x0, s.top, s.x1, s.bottom) for s in got.segments)
        assert len(got_lines) == len(ref_lines), where
        for a, b in zip(ref_lines, got_lines, strict=True):
            assert max(abs(x - y) for x, y in zip(a, b, strict=True)) <= BOX_TOLERANCE, where


def _assert_same_reports(pdf: Path) -> None:
    reference = extract(pdf, reader="pdfplumber")
    fast = extract(pdf, reader="pdfium")
    assert _canonical(fast) == _canonical(reference)
    for a, b in zip(reference.all_cells(), fast.all_cells(), strict=True):
        assert (a.page, a.raw_text) == (b.page, b.raw_text)
        if a.bbox is not None:
            assert _box_distance(a.bbox, b.bbox) <= BOX_TOLERANCE, (a, b)


@pytest.mark.parametrize("pdf", _committed(), ids=lambda p: p.name)
def test_both_readers_give_the_same_report(pdf):
    _assert_same_reports(pdf)
    _assert_same_pages(read_document(pdf, reader="pdfplumber"), read_document(pdf))


def test_both_readers_give_the_same_report_on_a_generated_corpus(generated):
    assert generated
    for pdf in generated:
        _assert_same_reports(pdf)
        _assert_same_pages(read_document(pdf, reader="pdfplumber"), read_document(pdf))


# --- turned pages -----------------------------------------------------------------------


def _turned_copy(source: Path, dest: Path, angles: tuple[int, ...]) -> Path:
    """The PDF with page i turned by angles[i % len(angles)] degrees (/Rotate)."""
    pypdf = pytest.importorskip("pypdf")
    reader, writer = pypdf.PdfReader(source), pypdf.PdfWriter()
    for index, page in enumerate(reader.pages):
        page.rotate(angles[index % len(angles)])
        writer.add_page(page)
    with dest.open("wb") as handle:
        writer.write(handle)
    return dest


def _as_original(report: Report, name: str) -> dict:
    report.source_file = name
    return _canonical(report)


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("angles", [(90,), (180,), (270,), (90, 270, 180)], ids=str)
def test_turned_pages_read_as_the_original(tmp_path, reader, angles, generated):
    original = generated[0]
    turned = _turned_copy(original, tmp_path / "turned.pdf", angles)
    expected = _canonical(extract(original, reader=reader))
    assert _as_original(extract(turned, reader=reader), original.name) == expected


@requires_shared_real()
@pytest.mark.parametrize("reader", READERS)
def test_a_turned_copy_of_the_real_report_reads_as_the_real_one(tmp_path, reader):
    real = real_pdfs()[0]
    turned = _turned_copy(real, tmp_path / "turned.pdf", (90,))
    report = extract(turned, reader=reader)
    assert sum(len(t.cells) for t in report.tables.values()) > 100
    assert _as_original(report, real.name) == _canonical(extract(real, reader=reader))


def test_a_page_turned_has_upright_size_and_boxes(tmp_path):
    original = FIXTURES / "t2021-full.pdf"
    turned = _turned_copy(original, tmp_path / "turned.pdf", (90,))
    for reader in READERS:
        page = read_document(turned, reader=reader).pages[0]
        upright = read_document(original, reader=reader).pages[0]
        assert (page.width, page.height) == pytest.approx((upright.width, upright.height))
        assert max(_nearest_distances(upright.chars, page.chars)) <= BOX_TOLERANCE


# --- unmapped glyphs ----------------------------------------------------------------------


def _without_unicode(tmp_path: Path) -> Path:
    """A text page whose font has no ToUnicode map: its glyphs' text is unknown."""
    pypdf = pytest.importorskip("pypdf")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from report_extract.synth.fonts import FONTS

    font = FONTS["wqy-zenhei"]
    path = next((p for p in font.paths if Path(p).is_file()), None)
    if path is None:
        pytest.skip(f"font missing: apt-get install -y {font.package}")
    pdfmetrics.registerFont(TTFont("wqy-16", path, subfontIndex=0))
    plain = tmp_path / "plain.pdf"
    pdf = canvas.Canvas(str(plain), invariant=1)
    pdf.setFont("wqy-16", 12)
    for line in range(10):
        pdf.drawString(72, 700 - 20 * line, "政府信息公开工作年度报告第二十条")
    pdf.save()
    reader, writer = pypdf.PdfReader(plain), pypdf.PdfWriter()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            ref.get_object().pop("/ToUnicode", None)
        writer.add_page(page)
    garbled = tmp_path / "garbled.pdf"
    with garbled.open("wb") as handle:
        writer.write(handle)
    return garbled


@pytest.mark.parametrize("reader", READERS)
def test_unmapped_glyphs_send_the_page_to_ocr(tmp_path, reader):
    document = read_document(_without_unicode(tmp_path), reader=reader, require_text=False)
    assert [(r.ocr, r.reason) for r in plan_routes(document)] == [
        (True, "garbled text layer (100% unmapped glyphs)")]


# --- the reader found the images: routing does not open the file again ----------------------


def test_routing_uses_the_images_the_reader_found():
    page = Page(1, 100.0, 100.0, [], [], images=[BBox(0, 0, 100, 100)])
    document = Document("x.pdf", "/nonexistent/x.pdf", [page])
    assert plan_routes(document)[0].reason == "image page (100% covered, no text layer on it)"


# --- batch: the reader is one of the options a stored result was made with -----------------


def test_a_changed_reader_redoes_the_file(tmp_path):
    source = tmp_path / "in" / "report.pdf"
    source.parent.mkdir()
    source.write_bytes((FIXTURES / "t2021-full.pdf").read_bytes())
    out = tmp_path / "out"
    first = convert([source], out, workers=1, progress=False, reader="pdfplumber")
    assert (first.converted, first.earlier) == (1, 0)
    again = convert([source], out, workers=1, progress=False, reader="pdfplumber")
    assert again.earlier == 1
    redone = convert([source], out, workers=1, progress=False)
    assert (redone.converted, redone.earlier) == (1, 0)
    assert [e.reader for e in Manifest(out).load().values()] == ["pdfium"]


def test_manifest_lines_from_before_the_reader_option_mean_pdfplumber(tmp_path):
    source = tmp_path / "in" / "report.pdf"
    source.parent.mkdir()
    source.write_bytes((FIXTURES / "t2021-full.pdf").read_bytes())
    out = tmp_path / "out"
    convert([source], out, workers=1, progress=False, reader="pdfplumber")
    manifest = Manifest(out).path
    line = json.loads(manifest.read_text())
    del line["reader"]  # as the version before --reader wrote it
    manifest.write_text(json.dumps(line) + "\n")
    assert convert([source], out, workers=1, progress=False, reader="pdfplumber").earlier == 1


def test_an_unknown_reader_is_refused():
    with pytest.raises(ValueError, match="unknown reader 'mupdf': choose one of pdfium, "):
        read_document(FIXTURES / "t2021-full.pdf", reader="mupdf")


def test_cli_readers_match_the_library():
    from report_extract import cli

    assert cli.READERS == READERS
