from __future__ import annotations

import unicodedata

import pytest

from report_extract.textclean import (
    KANGXI_RADICALS,
    RADICALS_SUPPLEMENT,
    clean_text,
    label_key,
    looks_numeric,
    numbering,
    parse_amount_wan,
    parse_number,
    strip_numbering,
    unify_radicals,
)


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("总 计", "总计"),
        ("法律服 务机构", "法律服务机构"),
        ("结 果\n维持", "结果维持"),
        ("社会\n公益\n组织", "社会公益组织"),
        ("(一)予以公开", "（一）予以公开"),
        ("(-) 予以公开", "（一）予以公开"),
        ("１２３", "123"),
        ("三\n、\n本\n年\n度", "三、本年度"),
        ("第二- 十条", "第二-十条"),
    ],
)
def test_clean_text(raw, cleaned):
    assert clean_text(raw) == cleaned


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("（三）不予公开", "不予公开"),
        ("(三) 不予公开", "不予公开"),
        ("1.属于国家秘密", "属于国家秘密"),
        ("1、属于国家秘密", "属于国家秘密"),
        ("1．属于国家秘密", "属于国家秘密"),
        ("一、本年新收政府信息公开申请数量", "本年新收政府信息公开申请数量"),
        ("3.危及“三安全一稳定”", "危及三安全一稳定"),
        ('3.危及"三安全一稳定"', "危及三安全一稳定"),
        ("本年增/减", "本年增减"),
        ("（四）无\n法提供", "无法提供"),
    ],
)
def test_label_key(raw, key):
    assert label_key(raw) == key


def test_numbering_is_normalised_and_stripped():
    assert numbering("1、申请人") == "1."
    assert numbering("(六)其他处理") == "（六）"
    assert numbering("规章") == ""
    assert strip_numbering("2.重复申请") == "重复申请"
    # a decimal number is not numbering
    assert strip_numbering("7730.28") == "7730.28"


@pytest.mark.parametrize(
    ("raw", "value"),
    [("0", 0), ("21", 21), ("1,234", 1234), ("7730.28", 7730.28), ("-3", -3), ("+2", 2),
     ("１２", 12), (" 4 ", 4), ("", None), ("—", None), ("/", None), ("无", None), ("-", None)],
)
def test_parse_number(raw, value):
    assert parse_number(raw) == (value, None)


@pytest.mark.parametrize("raw", ["1O", "l2", "12a", "1,23", "两"])
def test_unreadable_numbers_are_null_with_a_reason(raw):
    value, reason = parse_number(raw)
    assert value is None
    assert reason == f"not a number: {raw!r}"


@pytest.mark.parametrize("raw", ["5\n0", "10 1", "1 234"])
def test_digits_split_by_space_or_line_are_not_joined(raw):
    assert parse_number(raw) == (None, f"digits split by a space or line break: {raw!r}")


def test_amounts_in_yuan_are_converted_to_wan():
    assert parse_amount_wan("75394432.52元") == (7539.443252, None)
    assert parse_amount_wan("12万元") == (12, None)
    assert parse_amount_wan("7730.28") == (7730.28, None)


def test_looks_numeric_separates_values_from_labels():
    assert looks_numeric("1,234") and looks_numeric("—") and looks_numeric("0")
    assert not looks_numeric("规章") and not looks_numeric("1.属于国家秘密")


@pytest.mark.parametrize("raw", ["01", "007", "-05", "０1"])
def test_a_leading_zero_is_not_read_as_a_number(raw):
    # Nobody prints "01": OCR reads a stray mark beside a 1, or a 0 and a 1 run together.
    assert parse_number(raw) == (None, f"a number with a leading zero: {raw.strip()!r}")


@pytest.mark.parametrize("raw", ["0", "0.5", "0.25", "10"])
def test_zero_itself_and_decimals_below_one_are_numbers(raw):
    assert parse_number(raw)[1] is None


# --- radical code points (issue 13) ----------------------------------------------------------


def test_kangxi_radicals_become_their_ideographs():
    # ⼈ U+2F08, ⾏ U+2F8F, ⽹ U+2F79, ⾃ U+2F83: as Chromium/Skia print 人, 行, 网, 自
    assert unify_radicals("⾏政许可") == "行政许可"
    assert unify_radicals("⾃然⼈") == "自然人"
    assert unify_radicals("⽹站") == "网站"
    assert label_key("（⼀）⾏政许可") == "行政许可"
    # every code point of the block maps to one unified ideograph (NFKC's)
    assert all(len(v) == 1 and "\u4e00" <= v <= "\u9fff" for v in KANGXI_RADICALS.values())
    assert len(KANGXI_RADICALS) == 0x2FD6 - 0x2F00


def test_supplement_radicals_become_their_ideographs():
    # ⺠ U+2EA0 and ⻓ U+2ED3: NFKC leaves them alone, the table maps them
    assert unicodedata.normalize("NFKC", "⺠⻓") == "⺠⻓"
    assert unify_radicals("上海市⼈⺠政府办公厅") == "上海市人民政府办公厅"
    assert unify_radicals("市⻓信箱 ⻔户网站 ⻢⻋") == "市长信箱 门户网站 马车"
    assert clean_text("⼈⺠ 政府") == "人民政府"
    assert all(0x2E80 <= ord(k) <= 0x2EF3 for k in RADICALS_SUPPLEMENT)


def test_radicals_without_an_ideograph_are_kept():
    assert unify_radicals("⺀") == "⺀"  # CJK RADICAL REPEAT: no ideograph of its shape
    assert unify_radicals("2023年") == "2023年"
