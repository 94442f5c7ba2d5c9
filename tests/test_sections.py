"""Parts are given to sections 二/三/四 by the headings above them, or by their content."""

from __future__ import annotations

from report_extract.detect.ruled import Heading, TablePart, assign_sections
from report_extract.models import BBox, GridCell


def _part(page: int, top: float, texts: list[str]) -> TablePart:
    box = BBox(72, top, 520, top + 20 * len(texts))
    cells = [GridCell(i, 0, 1, 1, text, page, BBox(72, top + 20 * i, 200, top + 20 * i + 20))
             for i, text in enumerate(texts)]
    return TablePart(page, box, [72, 200, 520], [], cells)


def test_a_part_with_no_heading_before_it_continues_the_section_of_the_part_before():
    # synth-44-0009: table 三's heading went unread, so its first part was placed by its
    # content; the rows it continued with on the next page went to table 二's heading
    # (the last one read), and table 三 lost （六）其他处理, （七）总计 and 四、结转 silently
    headings = [Heading(1, 600, 614, "active_disclosure"),
                Heading(3, 400, 414, "review_litigation")]
    active = _part(1, 628, ["信息内容", "规章", "行政许可"])
    applications = _part(2, 318, ["申请人情况", "自然人", "一、本年新收政府信息公开申请数量"])
    continued = _part(3, 71, ["（六）其他处理", "（七）总计", "四、结转下年度继续办理"])
    review = _part(3, 430, ["行政复议", "行政诉讼", "结果维持"])
    assign_sections([review, continued, applications, active], headings)
    assert [p.section for p in (active, applications, continued, review)] == [
        "active_disclosure", "applications", "applications", "review_litigation"]
