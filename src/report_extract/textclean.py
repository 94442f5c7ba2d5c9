"""Cleaning of Chinese text as PDF extraction and OCR give it.

Everything that compares labels goes through `label_key`; everything that reads a number
goes through `normalize_width` first.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# clean_text, label_key, looks_numeric and parse_number are pure functions of a string,
# called on the same cell texts and labels again and again (~1,200 times a report, from
# align and labels): memoised per process, bounded
TEXT_CACHE = 8192

# Glyph confusions seen in extracted and OCR'd reports; each maps to what was printed.
_CONFUSIONS = {
    "(-)": "（一）",
    "（-）": "（一）",
    "(—)": "（一）",
    "（—）": "（一）",
    "灰伤": "无法提供",
}

# CJK Radicals Supplement code points -> the unified ideograph each stands for, where it
# has one (Unicode's EquivalentUnifiedIdeograph). Browser-printed PDFs (Skia with Noto CJK)
# and some WPS/Word exports put these in the text layer: 民 comes out as ⺠, 长 as ⻓. NFKC
# maps the Kangxi Radicals block (⼈ -> 人) but not this one, so it is written out here.
# Radicals with no ideograph of their own shape (⺀ REPEAT, the second-one hooks) are kept.
RADICALS_SUPPLEMENT = {
    "⺁": "厂", "⺅": "亻", "⺆": "冂", "⺇": "几", "⺉": "刂", "⺊": "卜", "⺋": "㔾",
    "⺎": "兀", "⺏": "尣", "⺐": "尢", "⺒": "巳", "⺓": "幺", "⺔": "彑", "⺖": "忄",
    "⺗": "㣺", "⺘": "扌", "⺙": "攵", "⺛": "旡", "⺝": "月", "⺞": "歺", "⺟": "母",
    "⺠": "民", "⺡": "氵", "⺢": "氺", "⺣": "灬", "⺤": "爫", "⺦": "丬", "⺧": "牜",
    "⺨": "犭", "⺩": "王", "⺪": "疋", "⺫": "罒", "⺬": "示", "⺭": "礻", "⺮": "𥫗",
    "⺯": "糹", "⺰": "纟", "⺲": "罒", "⺳": "㓁", "⺹": "耂", "⺺": "肀", "⺼": "月",
    "⺽": "臼", "⺾": "艹", "⺿": "艹", "⻀": "艹", "⻁": "虎", "⻂": "衤", "⻃": "覀",
    "⻄": "西", "⻅": "见", "⻆": "角", "⻈": "讠", "⻉": "贝", "⻊": "𧾷", "⻋": "车",
    "⻌": "辶", "⻍": "辶", "⻎": "辶", "⻏": "阝", "⻐": "钅", "⻑": "長", "⻒": "镸",
    "⻓": "长", "⻔": "门", "⻖": "阝", "⻘": "青", "⻙": "韦", "⻚": "页", "⻛": "风",
    "⻜": "飞", "⻝": "食", "⻟": "飠", "⻠": "饣", "⻡": "首", "⻢": "马", "⻣": "骨",
    "⻤": "鬼", "⻥": "鱼", "⻦": "鸟", "⻧": "卤", "⻨": "麦", "⻩": "黄", "⻪": "黾",
    "⻫": "斉", "⻬": "齐", "⻭": "歯", "⻮": "齿", "⻯": "竜", "⻰": "龙", "⻱": "龜",
    "⻲": "亀", "⻳": "龟",
}
# Kangxi Radicals (U+2F00-U+2FD5): NFKC gives each one's ideograph (⼈ -> 人, ⾏ -> 行).
KANGXI_RADICALS = {chr(cp): unicodedata.normalize("NFKC", chr(cp))
                   for cp in range(0x2F00, 0x2FD6)}
_RADICALS = str.maketrans({**KANGXI_RADICALS, **RADICALS_SUPPLEMENT})
_RADICAL_RE = re.compile("[\u2e80-\u2ef3\u2f00-\u2fd5]")

_SPACE_RE = re.compile(r"\s+")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
# "总 计", "法律服 务机构": whitespace with a CJK character or CJK punctuation on one side.
_CJK_PUNCT = r"\u3000-\u303f\uff08\uff09\uff0c\uff1a\uff1b"
_CJK_GAP_RE = re.compile(rf"(?<=[{_CJK}{_CJK_PUNCT}])\s+|\s+(?=[{_CJK}{_CJK_PUNCT}])")
# Numbering at the start of a label: 一、 （一） (一) 1. 1、 1．
_NUMBERING_RE = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十]+\s*[）)]|[一二三四五六七八九十]+\s*[、.．]"
    r"|\d+\s*[、.．](?!\d))\s*"
)


def unify_radicals(text: str) -> str:
    """Radical code points to the ideographs they stand for: "上海市人⺠政府" -> "上海市人民政府".

    Applied where text enters (the readers' characters), so labels, headings, metadata and
    raw_text all carry the ideographs a reader sees; clean_text applies it again for text
    from elsewhere.
    """
    return text.translate(_RADICALS) if _RADICAL_RE.search(text) else text


def normalize_width(text: str) -> str:
    """Full-width ASCII to half-width, and brackets/punctuation to one form.

    NFKC turns full-width digits and letters into ASCII; brackets are then set to
    the full-width forms the templates print, so "(一)" and "（一）" compare equal.
    """
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("(", "（").replace(")", "）").replace(":", "：")
    text = text.replace("\u201c", "“").replace('"', "“")
    return text


def remove_cjk_spaces(text: str) -> str:
    """Drop whitespace (including line breaks) that touches a CJK character."""
    return _CJK_GAP_RE.sub("", text)


def fix_confusions(text: str) -> str:
    for wrong, right in _CONFUSIONS.items():
        text = text.replace(wrong, right)
    return text


@lru_cache(maxsize=TEXT_CACHE)
def clean_text(text: str) -> str:
    """Readable cleaned text: widths unified, CJK spacing and wrapped lines joined."""
    text = fix_confusions(unify_radicals(text))
    text = normalize_width(text)
    text = remove_cjk_spaces(text)
    return _SPACE_RE.sub(" ", text).strip()


def strip_numbering(text: str) -> str:
    """'（三）不予公开' -> '不予公开'; '1.属于国家秘密' -> '属于国家秘密'."""
    return _NUMBERING_RE.sub("", text, count=1)


def numbering(text: str) -> str:
    """The numbering prefix of a label, normalised ('1、' -> '1.'), or ''."""
    match = _NUMBERING_RE.match(clean_text(text))
    if not match:
        return ""
    token = match.group(0).strip()
    return token.replace("、", ".").replace("．", ".") if token[0].isdigit() else token


_PUNCT_RE = re.compile(r"[\s“”\"'‘’、，,。.．：:；;（）()【】\[\]《》<>/\\\-—_]+")


@lru_cache(maxsize=TEXT_CACHE)
def label_key(text: str) -> str:
    """A comparison form of a label: cleaned, numbering stripped, punctuation removed."""
    return _PUNCT_RE.sub("", strip_numbering(clean_text(text)))


_NULL_TEXTS = {"", "—", "——", "-", "--", "/", "／", "无", "\\", "－", "–", "―"}
_SPLIT_DIGITS_RE = re.compile(r"\d\s+\d")
_LEADING_ZERO_RE = re.compile(r"^[+\-]?0\d")
_NUMBER_RE = re.compile(r"^[+\-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_NULL_MARKS = _NULL_TEXTS - {""}


@lru_cache(maxsize=TEXT_CACHE)
def parse_number(raw: str) -> tuple[int | float | None, str | None]:
    """Parse a printed number. Returns (value, reason); a reason means "not sure".

    Blank and dash-like cells are null (no reason); anything else that is not
    a clean number is null with a reason, so nobody ever gets a guessed value.
    Memoised: a report prints the same few numbers ("0", "1") in most of its cells.
    """
    text = normalize_width(raw).strip()
    if _SPLIT_DIGITS_RE.search(text):  # "5\n0": two numbers, or one broken? Not ours to say.
        return None, f"digits split by a space or line break: {raw.strip()!r}"
    text = _SPACE_RE.sub("", text)
    if text in _NULL_TEXTS:
        return None, None
    text = text.replace("，", ",")
    if not _NUMBER_RE.match(text):
        return None, f"not a number: {raw.strip()!r}"
    if _LEADING_ZERO_RE.match(text):  # "01": nobody prints that; a misread "0" or "1"?
        return None, f"a number with a leading zero: {raw.strip()!r}"
    digits = text.replace(",", "")
    if "." in digits:
        return float(digits), None
    return int(digits), None


_YUAN_RE = re.compile(r"^\s*([+\-]?[\d,，.]+)\s*元\s*$")
_WAN_RE = re.compile(r"^\s*([+\-]?[\d,，.]+)\s*万元\s*$")


def parse_amount_wan(raw: str) -> tuple[int | float | None, str | None]:
    """An amount in 万元; "75394432.52元" is converted, "12万元" is read as 12."""
    text = normalize_width(raw)
    for pattern, divisor in ((_WAN_RE, 1), (_YUAN_RE, 10000)):
        match = pattern.match(text)
        if match:
            value, reason = parse_number(match.group(1))
            if value is None or divisor == 1:
                return value, reason
            return round(value / divisor, 6), None
    return parse_number(raw)


@lru_cache(maxsize=TEXT_CACHE)
def looks_numeric(raw: str) -> bool:
    """True for cells that hold a value (or an explicit null mark), not a label."""
    text = _SPACE_RE.sub("", normalize_width(raw))
    if text in _NULL_MARKS:  # "无" alone in a cell is a null mark, not a label
        return True
    return bool(_NUMBER_RE.match(text.replace("，", ","))) or bool(
        _YUAN_RE.match(text) or _WAN_RE.match(text)
    )


# Punctuation and spacing an agency's name may be printed with or without (the dataset's
# agency_key, docs/dataset.md rule 1).
_AGENCY_PUNCT_RE = re.compile(r"[\s\"'“”‘’「」『』《》〈〉<>()（）\[\]【】{}、，,。.．·•・"
                              r":：;；!！?？/\\|_\-—–]+")


def agency_key(name: str | None) -> str | None:
    """The comparison form of a printed agency name (rule 1); None for no name."""
    if name is None:
        return None
    key = _AGENCY_PUNCT_RE.sub("", clean_text(name))
    return key or None
