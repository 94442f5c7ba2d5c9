"""Report metadata from the title: the issuing agency and the reporting year."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from report_extract.detect.parts import LEFT_EDGE, CharIndex, bbox_of, group_lines
from report_extract.detect.ruled import TextLine, chars_to_text, text_lines
from report_extract.models import BBox, Char, Document, Page, Problem
from report_extract.textclean import clean_text, unify_radicals

_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" + "9")
_TITLE_END = r"政府信息公开(?:工作)?年度?报告"
# OCR may not read the 告 of 报告 ("年度报生口": its parts read as two glyphs); what
# precedes it still names agency and year, read unsurely (title_doubt says so)
_TITLE_END_READ = r"政府信息公开(?:工作)?年度?报"


def _title_patterns(end: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    return (re.compile(rf"^(?P<agency>.*?)(?P<year>(?:19|20)\d\d)年度?{end}"),
            re.compile(rf"^(?P<year>(?:19|20)\d\d)年度?(?P<agency>.+?){end}"))


_PRINTED_TITLE = _title_patterns(_TITLE_END)
_OCR_TITLE = _title_patterns(_TITLE_END_READ)
TITLE_LINES = 4  # the title sits in the first lines of page 1
LOW_CONFIDENCE = 0.9  # as for values: an OCR reading less sure than this is doubtful
_AGENCY_JUNK = re.compile(r"[\s《》“”\"'、，,。.:：]")


def _year_digits(text: str) -> str:
    """二〇二三年 -> 2023年 (only four-numeral runs, so 一、 headings stay)."""
    return re.sub(r"[〇○零一二三四五六七八九]{4}(?=年)", lambda m: m.group(0).translate(_CN_DIGITS),
                  text)


def parse_title(text: str, *, ocr: bool = False) -> tuple[str | None, int | None]:
    """(agency, year) from title text such as '洪泽区人民政府 2023 年政府信息公开工作年度报告'.
    `ocr`: a title OCR read may end at its 报 (_TITLE_END_READ) where it has no 报告."""
    found = _parsed(text, _PRINTED_TITLE)
    if ocr and found == (None, None):
        return _parsed(text, _OCR_TITLE)
    return found


def _parsed(text: str, patterns: tuple[re.Pattern[str], ...]) -> tuple[str | None, int | None]:
    compact = _year_digits(re.sub(r"\s+", "", clean_text(text)))
    for pattern in patterns:
        match = pattern.search(compact)
        if match and _AGENCY_JUNK.sub("", match.group("agency")):
            return _AGENCY_JUNK.sub("", match.group("agency")), int(match.group("year"))
    for pattern in patterns:
        match = pattern.search(compact)
        if match:
            return None, int(match.group("year"))
    return None, None


TITLE_PAGES = 2  # a page's site chrome may push the title down, even to page 2
TITLE_WINDOW = 3  # lines: a title wraps over up to three
RUN_GAP = 2.0  # glyph heights: a wider gap on a line parts a title from a menu beside it


@dataclass
class _Run:
    """Glyphs side by side on one line with no wide gap: a title, a menu item."""

    page: int
    chars: list[Char]
    bbox: BBox
    height: float  # median glyph height: the print size
    # its cleaned text has the 告 of "报告", which every title pattern ends with: a window
    # of runs none of which has it is no title. (Cleaning maps characters one by one, and
    # 告 has no decomposition, so whether the cleaned text has it does not depend on the
    # characters' order or spacing, nor on the runs a window joins.)
    may_end_title: bool = True

    @cached_property
    def text(self) -> str:
        """The run's text (made only for the runs a title could be made of)."""
        return chars_to_text(self.chars)


def read_metadata(document: Document) -> tuple[str | None, int | None]:
    """(agency, year) from the report's title: the largest-printed run of up to three lines
    on the first pages that reads as one. A WPS report's title is its first lines; a page
    printed from a portal has the site's chrome around it (navigation beside it,
    breadcrumbs and the browser's header line above) and a sidebar of earlier years' titles
    in smaller print."""
    if not document.pages:
        return None, None
    runs = [run for page in document.pages[:TITLE_PAGES] if _has_gao_glyph(page)
            for run in _runs(page)]
    # a window is runs of one page from its first on: after the page's last run with 告,
    # none can end a title
    last_gao = {run.page: index for index, run in enumerate(runs) if run.may_end_title}
    best: tuple[tuple[float, int, int], str] | None = None
    for first, run in enumerate(runs):
        if first > last_gao.get(run.page, -1):
            continue
        window = [run]
        for count in range(1, TITLE_WINDOW + 1):
            if count > 1:
                below = _next_below(runs, first, window[-1])
                if below is None:
                    break
                window.append(below)
            if not any(r.may_end_title for r in window):
                continue
            text = "".join(r.text for r in window)
            agency, year = parse_title(text)
            if agency is not None and year is not None:
                height = sum(r.height for r in window) / len(window)
                rank = (-round(height, 1), count, first)
                if best is None or rank < best[0]:
                    best = (rank, text)
                break  # a longer window from this line only adds text to the title
    if best is not None:
        return parse_title(best[1])
    lines = text_lines(document.pages[0], [])[:TITLE_LINES]
    return parse_title("".join(line.text for line in lines),
                       ocr=document.pages[0].source == "ocr")


def _has_gao_glyph(page: Page) -> bool:
    """Could a run of the page end a title? Only a 告 cleans to a 告 (no other code point
    has it in its NFKC form or the radical table, and NFKC composes none into it), so a
    page without one has no run that may end a title, hence no window (a window stays on
    its page): its runs (most of a page 2 of tables) are not made."""
    return any("告" in ch.text for ch in page.chars)


def _runs(page: Page) -> list[_Run]:
    runs = []
    index = CharIndex(page.chars)
    for group in group_lines(page.chars):  # text_lines' lines; only their boxes matter
        chars = sorted(index.centred_in(bbox_of(group), tolerance=0.5), key=LEFT_EDGE)
        if not chars:
            continue
        gap = RUN_GAP * max(_median_height(chars), 1.0)
        piece = [chars[0]]
        for prev, ch in zip(chars, chars[1:], strict=False):
            if ch.bbox.x0 - prev.bbox.x1 > gap:
                runs.append(_run(page.number, piece))
                piece = []
            piece.append(ch)
        runs.append(_run(page.number, piece))
    return runs


def _median_height(chars: list[Char]) -> float:
    """The chars' middle height (the upper middle of an even count)."""
    return sorted([c.bbox.bottom - c.bbox.top for c in chars])[len(chars) // 2]


def _run(page: int, chars: list[Char]) -> _Run:
    return _Run(page, chars, bbox_of(chars), _median_height(chars),
                _has_gao("".join(ch.text for ch in chars)))


def _has_gao(text: str) -> bool:
    """Has the cleaned text the 告 of "报告"? Cleaning keeps a 告 and makes one only of a
    character NFKC or the radical table changes: text NFKC leaves as it is, with no
    radical, is not cleaned to know (most of a report's runs)."""
    if "告" in text:
        return True
    if unicodedata.is_normalized("NFKC", text) and unify_radicals(text) == text:
        return False
    return "告" in clean_text(text)


def _next_below(runs: list[_Run], first: int, last: _Run) -> _Run | None:
    """The next run under `last` on its page that shares some of its width (a wrapped
    title's next line), if close enough below to continue it."""
    for run in runs[first + 1:]:
        if run.page != last.page:
            return None  # runs are in page order: the page's runs are behind
        if run.bbox.top <= last.bbox.top + 1:
            continue
        if run.bbox.x0 < last.bbox.x1 and last.bbox.x0 < run.bbox.x1:
            gap = run.bbox.top - last.bbox.bottom
            return run if gap < 2 * max(last.height, run.height) else None
    return None


def title_doubt(document: Document, found: tuple[str | None, int | None] | None = None
                ) -> Problem | None:
    """The title as OCR read it, when unsure of it: the agency (or year) given may be
    misread ("沈阳" for "沭阳"), which a reader of the report must be told. Also when the
    agency or year `found` (read_metadata's) is missing: on a scan that is a title OCR
    lost, not a report without one, and a null must say why."""
    if not document.pages or document.pages[0].source != "ocr":
        return None  # a text layer's title is read exactly
    page = document.pages[0]
    lines = _title_lines(text_lines(page, [])[:TITLE_LINES])
    chars = [c for c in page.chars
             if any(line.bbox.contains_point(*c.bbox.center, tolerance=1) for line in lines)]
    confidence = min((c.confidence for c in chars), default=1.0)
    title = "".join(line.text for line in lines)
    box = lines[0].bbox if lines else None
    if confidence < LOW_CONFIDENCE:
        agency, year = parse_title(title, ocr=True)
        return Problem("report", "uncertain_metadata",
                       f"title read by OCR with low confidence ({confidence:.2f}): agency "
                       f"{agency!r} and year {year} may be misread", title, page.number, box)
    if found is not None and found != parse_title(title) and found == parse_title(title, ocr=True):
        agency, year = found
        return Problem("report", "uncertain_metadata",
                       f"the title's 报告 was not read by OCR: agency {agency!r} and year {year}, "
                       f"read before it, may be misread", title, page.number, box)
    if found is not None and None in found:
        agency, year = found
        return Problem("report", "uncertain_metadata",
                       f"no title with agency and year found in what OCR read of page 1: "
                       f"agency {agency!r} and year {year} are not known", title, page.number,
                       box)
    return None


def _title_lines(lines: list[TextLine]) -> list[TextLine]:
    """The lines up to the one that ends the title ("…年度报告")."""
    for count in range(1, len(lines) + 1):
        if re.search(_TITLE_END, re.sub(r"\s+", "", "".join(x.text for x in lines[:count]))):
            return lines[:count]
    return lines
