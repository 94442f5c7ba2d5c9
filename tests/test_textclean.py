from __future__ import annotations

import pytest

from report_extract.textclean import (
    clean_text,
    label_key,
    looks_numeric,
    numbering,
    parse_amount_wan,
    parse_number,
    strip_numbering,
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
