"""The camelot detector backend: same grids and cells as our own detector."""

from __future__ import annotations

import camelot
import pytest
from camelot.core import Table
from conftest import FIXTURES, cell_differences, load_truth, real_pdfs, requires_shared_real

from report_extract.detect.camelot import (
    STACKED_NUMBERS_CONFIDENCE,
    detect_tables_camelot,
    table_to_part,
)
from report_extract.detect.ruled import detect_tables
from report_extract.errors import DetectError, NoTablesError
from report_extract.models import BBox, Char
from report_extract.pipeline import extract
from report_extract.read.pdf import read_document

PAGE_HEIGHT = 842.0


def _camelot_table() -> Table:
    """3 rows x 3 columns, PDF coordinates: a label spanning rows 1-2, a header over cols 1-2.

    +-------+-----------+
    | 项目  |   数量     |   y 800..780
    |       +-----+-----+
    |       | 甲  | 乙  |   y 780..760
    +-------+-----+-----+
    | 合计  |  1  | 5\\n0|   y 760..740
    +-------+-----+-----+
    x: 100    200   300   400
    """
    table = Table([(100, 200), (200, 300), (300, 400)], [(800, 780), (780, 760), (760, 740)])
    table.set_all_edges()
    table.cells[0][0].bottom = table.cells[1][0].top = False  # 项目 spans two rows
    table.cells[0][1].right = table.cells[0][2].left = False  # 数量 spans two columns
    table.page = 2
    texts = {(0, 0): "项目", (0, 1): "数量", (1, 1): "甲", (1, 2): "乙", (2, 0): "合计",
             (2, 1): "1", (2, 2): "5\n0"}
    for (r, c), text in texts.items():
        table.cells[r][c].text = text
    return table


def test_merged_cells_are_rebuilt_from_camelot_border_flags():
    part = table_to_part(_camelot_table(), PAGE_HEIGHT)
    assert (part.page, part.n_rows, part.n_cols) == (2, 3, 3)
    assert part.xs == [100, 200, 300, 400]
    assert part.ys == [42, 62, 82, 102]  # top-left origin: 842 - 800 = 42
    assert part.bbox == BBox(100, 42, 400, 102)
    assert [(c.row, c.col, c.row_span, c.col_span, c.text) for c in part.cells] == [
        (0, 0, 2, 1, "项目"), (0, 1, 1, 2, "数量"), (1, 1, 1, 1, "甲"), (1, 2, 1, 1, "乙"),
        (2, 0, 1, 1, "合计"), (2, 1, 1, 1, "1"), (2, 2, 1, 1, "5\n0")]
    assert part.cells[0].bbox == BBox(100, 42, 200, 82)


def test_cell_text_can_come_from_our_characters():
    def char(text, x, top):
        return Char(text, BBox(x, top, x + 10, top + 10))

    chars = [char("数", 220, 50), char("量", 232, 50), char("7", 330, 85), char("页", 20, 5)]
    part = table_to_part(_camelot_table(), PAGE_HEIGHT, chars)
    assert [(c.row, c.col, c.text) for c in part.cells if c.text] == [
        (0, 1, "数量"), (2, 2, "7")]


def test_two_numbers_in_one_cell_are_not_trusted():
    cells = table_to_part(_camelot_table(), PAGE_HEIGHT).cells
    assert [c.confidence for c in cells if c.text in ("1", "5\n0")] == [
        1.0, STACKED_NUMBERS_CONFIDENCE]


def test_a_camelot_failure_is_a_detect_error(monkeypatch):
    pdf = FIXTURES / "t2021-full.pdf"
    if not pdf.exists():
        pytest.skip(f"{pdf} not generated yet")
    document = read_document(pdf)

    def broken(*args, **kwargs):
        raise RuntimeError("pdfium could not render page 3")

    monkeypatch.setattr(camelot, "read_pdf", broken)
    with pytest.raises(DetectError, match=r"camelot lattice failed \(RuntimeError: pdfium"):
        detect_tables_camelot(document)


# --- real and generated reports ---------------------------------------------------------------


@requires_shared_real()
@pytest.mark.parametrize("pdf", real_pdfs(), ids=lambda p: p.name)
def test_real_report_every_cell_equals_truth(pdf):
    truth = load_truth(pdf)
    report = extract(pdf, detector="camelot")
    assert cell_differences(report.to_dict(), truth) == []
    assert (report.agency, report.year, report.template) == (
        truth["agency"], truth["year"], truth["template"])
    assert sorted(report.check_failures) == sorted(truth["expected_check_failures"])
    assert report.problems == []


@requires_shared_real()
@pytest.mark.parametrize("pdf", real_pdfs(), ids=lambda p: p.name)
def test_real_report_grids_have_the_same_shape_as_ours(pdf):
    document = read_document(pdf)
    ours, theirs = detect_tables(document), detect_tables_camelot(document)
    assert list(theirs) == list(ours)
    for name, grid in ours.items():
        def shape(g):
            return (g.n_rows, g.n_cols, g.pages,
                    sorted((c.row, c.col, c.row_span, c.col_span) for c in g.cells))
        assert shape(theirs[name]) == shape(grid), name


@pytest.mark.parametrize("name", ["split-merged-block"])  # one: camelot takes ~1.5 s a report
def test_generated_fixture_every_cell_equals_truth(name):
    pdf = FIXTURES / f"{name}.pdf"
    if not pdf.exists():
        pytest.skip(f"{pdf} not generated yet (python fixtures/generate.py)")
    truth = load_truth(pdf)
    report = extract(pdf, detector="camelot")
    assert cell_differences(report.to_dict(), truth) == []
    assert sorted(report.check_failures) == sorted(truth["expected_check_failures"])


# --- borderless: stream under the heading ----------------------------------------------------


def _borderless_pdf(path, *, with_table: bool = True) -> None:
    """Table 四 printed without rules, between heading 四 and heading 五."""
    synth_fonts = pytest.importorskip("report_extract.synth.fonts")
    canvas_module = pytest.importorskip("reportlab.pdfgen.canvas")
    try:
        font = synth_fonts.register("wqy-zenhei")
    except synth_fonts.FontMissingError as error:
        pytest.skip(str(error))
    c = canvas_module.Canvas(str(path), pagesize=(595, 842))
    c.setFont(font, 14)
    c.drawString(72, 770, "某某区人民政府2023年政府信息公开工作年度报告")
    c.setFont(font, 12)
    c.drawString(72, 732, "四、政府信息公开行政复议、行政诉讼情况")
    c.setFont(font, 7)
    header = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    values = ["10", "1", "0", "0", "0", "0", "0", "0", "0", "0", "5", "0", "0", "0", "0"]
    if with_table:
        c.drawString(40, 702, "行政复议")
        c.drawString(215, 702, "行政诉讼")
        for row, y in ((header, 684), (values, 666)):
            for i, text in enumerate(row):
                c.drawString(40 + i * 35, y, text)
    c.setFont(font, 12)
    c.drawString(72, 620, "五、存在的主要问题及改进情况")
    c.setFont(font, 10.5)
    c.drawString(72, 596, "无。")
    c.showPage()
    c.save()


def test_a_borderless_table_is_read_with_stream_below_its_heading(tmp_path):
    pdf = tmp_path / "borderless.pdf"
    _borderless_pdf(pdf)
    grids = detect_tables_camelot(read_document(pdf))
    assert list(grids) == ["review_litigation"]
    grid = grids["review_litigation"]
    texts = [c.text for c in grid.cells]
    assert grid.pages == [1]
    assert "10" in texts and "行政复议" in texts
    assert not any("五" in t or "无。" in t for t in texts)  # the area stops at heading 五


def test_a_heading_with_nothing_under_it_finds_no_table(tmp_path):
    # camelot stream raises TypeError on an area without text: such areas are not read
    pdf = tmp_path / "empty-section.pdf"
    _borderless_pdf(pdf, with_table=False)
    with pytest.raises(NoTablesError, match="camelot found no tables"):
        detect_tables_camelot(read_document(pdf))
