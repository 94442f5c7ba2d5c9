from __future__ import annotations

import pytest

from report_extract.metadata import parse_title, read_metadata, title_doubt
from report_extract.models import BBox, Char, Document, Page
from report_extract.normalize.labels import match_label
from report_extract.templates import APPLICATION_COLUMNS, APPLICATION_ROWS, LabelSpec


@pytest.mark.parametrize(
    ("printed", "group", "key"),
    [
        ("2.其他法律行政止公开", "（三）不予公开", "withheld_prohibited"),  # typo in a real file
        ("(二) 部分公开(区分处理的, 只计这一情形, 不计其他情形)", "", "partially_disclosed"),
        ("（二）部分公开", "", "partially_disclosed"),
        ("3.其他", "（六）其他处理", "other_other"),
        ("（六）其他处理", "", "other"),
        ("(七) 总计", "", "total_handled"),
        ("3. 补正后申请内容仍不明确", "灰伤", "unavailable_unclear"),  # garbled parent
        ("4.无正当理由大量反复 申请", "", "not_processed_excessive"),
        ("5.要求行政机关确认或重 新出具\n已获取信息", "", "not_processed_confirmation"),
        ("1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "（六）其他处理",
         "other_no_correction"),
    ],
)
def test_rows_are_placed_despite_typos_and_spacing(printed, group, key):
    match = match_label(printed, APPLICATION_ROWS, group)
    assert match.spec is not None and match.spec.key == key


@pytest.mark.parametrize(
    ("printed", "key"),
    [("商业\n企业", "commercial"), ("其 他", "other_org"), ("总 计", "total"),
     ("法律服 务机构", "legal_services"), ("社会\n公益\n组织", "public_interest")],
)
def test_columns_are_placed(printed, key):
    assert match_label(printed, APPLICATION_COLUMNS).spec.key == key


def test_a_label_that_matches_nothing_is_refused_with_a_reason():
    match = match_label("本年度收到的表扬信数量", APPLICATION_ROWS)
    assert match.spec is None
    assert match.reason.startswith("no template label is close (best: ")


def test_an_ambiguous_label_is_refused():
    specs = (LabelSpec("made", "本年新制作数量"), LabelSpec("published", "本年新公开数量"))
    match = match_label("本年新数量", specs)
    assert match.spec is None
    assert match.reason == "ambiguous: as close to 本年新制作数量 as to 本年新公开数量"


@pytest.mark.parametrize(
    ("title", "agency", "year"),
    [
        ("洪泽区人民政府\n2023 年政府信息公开工作年度报告", "洪泽区人民政府", 2023),
        ("哈尔滨市科学技术局 2020 年政府信息 公开工作年度报告", "哈尔滨市科学技术局", 2020),
        ("2021年淮安市洪泽区人民政府政府信息公开工作年度报告", "淮安市洪泽区人民政府", 2021),
        ("某某县财政局二〇二二年政府信息公开工作年度报告", "某某县财政局", 2022),
        ("《某某市生态环境局2024年度政府信息公开工作年度报告》", "某某市生态环境局", 2024),
    ],
)
def test_title_gives_agency_and_year(title, agency, year):
    assert parse_title(title) == (agency, year)


def test_title_without_agency_still_gives_year():
    assert parse_title("2023年政府信息公开工作年度报告") == (None, 2023)
    assert parse_title("工作总结") == (None, None)


def title_page(title_confidence: float) -> Document:
    """Page 1 with an OCR'd title line (one Char, as OCR gives it) and a heading below."""
    title = Char("沭阳县人民政府2023年政府信息公开工作年度报告", BBox(96, 72, 499, 90), 16,
                 title_confidence)
    heading = Char("一、总体情况", BBox(72, 120, 160, 134), 14, 0.5)
    return Document("scan.pdf", "scan.pdf", [Page(1, 595, 842, [title, heading], [], "ocr")])


def test_a_title_read_unsurely_by_ocr_is_reported_with_what_was_read():
    doubt = title_doubt(title_page(0.45))
    assert doubt is not None
    assert (doubt.table, doubt.kind, doubt.page) == ("report", "uncertain_metadata", 1)
    assert doubt.message == ("title read by OCR with low confidence (0.45): agency "
                             "'沭阳县人民政府' and year 2023 may be misread")
    assert doubt.raw_text == "沭阳县人民政府2023年政府信息公开工作年度报告"


def test_a_sure_title_is_no_doubt_whatever_the_lines_below_it():
    # the heading below the title was read at 0.5: it is not part of the title
    assert title_doubt(title_page(0.97)) is None


def test_a_scan_whose_title_ocr_lost_says_agency_and_year_are_not_known():
    # sure OCR of a line that is no title (the title itself was lost): the null agency
    # and year must carry their reason, not stand silently
    page = Page(1, 595, 842, [Char("告", BBox(290, 72, 306, 90), 16, 0.99)], [], "ocr")
    doubt = title_doubt(Document("scan.pdf", "scan.pdf", [page]), (None, None))
    assert doubt is not None
    assert (doubt.kind, doubt.raw_text, doubt.page) == ("uncertain_metadata", "告", 1)
    assert doubt.message == ("no title with agency and year found in what OCR read of page 1: "
                             "agency None and year None are not known")
    assert title_doubt(title_page(0.97), ("沭阳县人民政府", 2023)) is None


def ocr_title_page(title: str, confidence: float) -> Document:
    line = Char(title, BBox(96, 72, 499, 90), 16, confidence)
    return Document("scan.pdf", "scan.pdf", [Page(1, 595, 842, [line], [], "ocr")])


def test_a_title_whose_gao_ocr_did_not_read_still_gives_agency_and_year_with_a_doubt():
    # synth-123-0000: "年度报告" read "年度报生口" (the 告's parts as two glyphs)
    title = "金湖县人民政府办公室2020 年政府信息公开工作年度报生口"
    assert parse_title(title) == (None, None)  # a printed title must end in 报告
    assert parse_title(title, ocr=True) == ("金湖县人民政府办公室", 2020)
    document = ocr_title_page(title, 0.97)
    found = read_metadata(document)
    assert found == ("金湖县人民政府办公室", 2020)
    doubt = title_doubt(document, found)
    assert doubt is not None and doubt.kind == "uncertain_metadata"
    assert doubt.message == ("the title's 报告 was not read by OCR: agency '金湖县人民政府办公室' "
                             "and year 2020, read before it, may be misread")
    unsure = title_doubt(ocr_title_page(title, 0.51), found)
    assert unsure is not None and unsure.message == (
        "title read by OCR with low confidence (0.51): agency '金湖县人民政府办公室' and year "
        "2020 may be misread")


def test_a_text_layer_title_without_its_gao_gives_nothing():
    line = Char("金湖县人民政府办公室2020年政府信息公开工作年度报生口", BBox(96, 72, 499, 90), 16)
    document = Document("a.pdf", "a.pdf", [Page(1, 595, 842, [line], [], "text")])
    assert read_metadata(document) == (None, None)
