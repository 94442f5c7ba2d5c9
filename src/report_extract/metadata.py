"""Report metadata from the title: the issuing agency and the reporting year."""

from __future__ import annotations

import re

from report_extract.detect.ruled import TextLine, text_lines
from report_extract.models import Document, Problem
from report_extract.textclean import clean_text

_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" + "9")
_TITLE_END = r"政府信息公开(?:工作)?年度?报告"
_AGENCY_FIRST = re.compile(rf"^(?P<agency>.*?)(?P<year>(?:19|20)\d\d)年度?{_TITLE_END}")
_YEAR_FIRST = re.compile(rf"^(?P<year>(?:19|20)\d\d)年度?(?P<agency>.+?){_TITLE_END}")
TITLE_LINES = 4  # the title sits in the first lines of page 1
LOW_CONFIDENCE = 0.9  # as for values: an OCR reading less sure than this is doubtful
_AGENCY_JUNK = re.compile(r"[\s《》“”\"'、，,。.:：]")


def _year_digits(text: str) -> str:
    """二〇二三年 -> 2023年 (only four-numeral runs, so 一、 headings stay)."""
    return re.sub(r"[〇○零一二三四五六七八九]{4}(?=年)", lambda m: m.group(0).translate(_CN_DIGITS),
                  text)


def parse_title(text: str) -> tuple[str | None, int | None]:
    """(agency, year) from title text such as '洪泽区人民政府 2023 年政府信息公开工作年度报告'."""
    compact = _year_digits(re.sub(r"\s+", "", clean_text(text)))
    for pattern in (_AGENCY_FIRST, _YEAR_FIRST):
        match = pattern.search(compact)
        if match and _AGENCY_JUNK.sub("", match.group("agency")):
            return _AGENCY_JUNK.sub("", match.group("agency")), int(match.group("year"))
    for pattern in (_AGENCY_FIRST, _YEAR_FIRST):
        match = pattern.search(compact)
        if match:
            return None, int(match.group("year"))
    return None, None


def read_metadata(document: Document) -> tuple[str | None, int | None]:
    if not document.pages:
        return None, None
    lines = text_lines(document.pages[0], [])[:TITLE_LINES]
    return parse_title("".join(line.text for line in lines))


def title_doubt(document: Document) -> Problem | None:
    """The title as OCR read it, when unsure of it: the agency (or year) given may be
    misread ("沈阳" for "沭阳"), which a reader of the report must be told."""
    if not document.pages or document.pages[0].source != "ocr":
        return None  # a text layer's title is read exactly
    page = document.pages[0]
    lines = _title_lines(text_lines(page, [])[:TITLE_LINES])
    chars = [c for c in page.chars
             if any(line.bbox.contains_point(*c.bbox.center, tolerance=1) for line in lines)]
    confidence = min((c.confidence for c in chars), default=1.0)
    if confidence >= LOW_CONFIDENCE:
        return None
    title = "".join(line.text for line in lines)
    agency, year = parse_title(title)
    return Problem("report", "uncertain_metadata",
                   f"title read by OCR with low confidence ({confidence:.2f}): agency {agency!r} "
                   f"and year {year} may be misread", title, page.number, lines[0].bbox)


def _title_lines(lines: list[TextLine]) -> list[TextLine]:
    """The lines up to the one that ends the title ("…年度报告")."""
    for count in range(1, len(lines) + 1):
        if re.search(_TITLE_END, re.sub(r"\s+", "", "".join(x.text for x in lines[:count]))):
            return lines[:count]
    return lines
