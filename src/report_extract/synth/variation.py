"""How one synthetic report is printed: every deviation from the clean template is a
named switch, so a failing extraction can be traced to the switch that caused it."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from report_extract import templates as T
from report_extract.scan.degrade import Degradation
from report_extract.synth.webstyle import WebStyle, draw_web

PRODUCERS = ("reportlab", "docx", "html", "chromium")
# The web producers (issue 13): the report as a portal page (synth/web.py), kept as .html
# ("html") or printed to PDF by headless Chromium ("chromium", synth/browser.py). Never
# drawn by Variation.random (that would change what every existing seed produces): a
# report is made a web one by Variation.as_web, with the page's switches from its own seed.
WEB_PRODUCERS = ("html", "chromium")
# Families a web page is set in: the Noto CJK ones print radical code points (⼈ for 人)
# in a Chromium PDF's text layer, the others do not.
WEB_FONT_FAMILIES = ("noto-sans-cjk", "noto-serif-cjk", "noto-sans-cjk", "wqy-zenhei",
                     "ar-pl-uming")
# Families each producer can embed: reportlab only TrueType, LibreOffice also CFF (Noto).
FONT_FAMILIES = ("wqy-zenhei", "ar-pl-uming", "ar-pl-ukai")
DOCX_FONT_FAMILIES = (*FONT_FAMILIES, "noto-sans-cjk", "noto-serif-cjk")
VERTICAL_BLOCKS = ("vertical", "wrapped", "row")
PAGE_NUMBERS = ("dash", "plain", "page", "none")
FONT_SIZES = (9.0, 10.0, 10.5, 12.0)
NULL_MARKS = ("—", "", "/", "无")
# Rows of table 三 before which split_in_merged_block forces a page break: each inside a
# merged group cell (（三）不予公开, （四）无法提供, （五）不予处理).
SPLIT_ROWS = ("withheld_third_party", "withheld_internal_affairs", "withheld_process_info",
              "unavailable_needs_creation", "unavailable_unclear", "not_processed_duplicate")

# The boolean switches, and how often Variation.random turns each on.
_SWITCH_ODDS = {
    "split_in_merged_block": 0.3,
    "repeat_header_after_break": 0.25,
    "spaced_headers": 0.4,
    "wrapped_labels": 0.35,
    "halfwidth_brackets": 0.25,
    "dunhao_numbering": 0.25,
    "label_typos": 0.3,
    "thousands_separators": 0.3,
    "null_marks": 0.2,
    "mixed_other_row": 0.3,  # only with template 2021
    "inconsistency": 0.2,
    "landscape": 0.1,
    "large_numbers": 0.15,
    "shaded_headings": 0.4,
    "title_wrap": 0.6,
    "borderless": 0.12,
    "body_text": 0.92,
}

# How a scan is drawn when a batch asks for scanned reports (issue 5). Never drawn by
# Variation.random: that would change what every existing seed produces. Scanner
# settings are picked from the values scanners offer; the paper's tilt, the optics'
# blur and the sensor's noise vary continuously (low, high, decimals kept).
SCAN_CHOICES: dict[str, tuple[int, ...]] = {
    "dpi": (150, 200, 240, 300),
    "jpeg_quality": (50, 60, 70, 80, 90),
}
SCAN_RANGES: dict[str, tuple[float, float, int]] = {
    "angle": (-2.0, 2.0, 2),  # degrees, counter-clockwise positive
    "blur": (0.0, 1.0, 2),  # Gaussian radius in pixels
    "noise": (0.0, 10.0, 1),  # standard deviation, 0-255 scale
}
SCAN_STAMP_ODDS = 0.8  # most scanned reports carry the agency's seal over the table
# Each sheet fed on its own (issue 17): its own tilt on top of the report's, its own
# few points of shift, a canvas a little larger or smaller. Drawn after the draws above,
# which keep their values.
SCAN_PAGE_RANGES: dict[str, tuple[float, float, int]] = {
    "page_tilt": (0.5, 1.5, 2),  # degrees either way, per page
    "page_shift": (2.0, 8.0, 1),  # pt either way, per page
    "page_size": (0.0, 0.02, 3),  # share of the page's width and height
    "seal_opacity": (0.0, 0.85, 2),  # thick seal ink hides print: a rule cut by the ring
}
SCAN_EXPAND_ODDS = 0.5  # the canvas grows with the tilt (else the corners are cropped)
SCAN_SEAL_ON_RULES_ODDS = 0.5  # of the stamped: the ring across the header's rules
# Fields left out of switches() while off, so files written before they existed stay
# byte-identical.
_OPTIONAL_SWITCHES = ("scan", "web", "even_page_shift")


@dataclass(frozen=True)
class Variation:
    """Rendering switches. Defaults print the clean official 2021 template."""

    template: str = "2021"
    font_family: str = "wqy-zenhei"
    font_size: float = 10.5  # table text; body text is a little larger
    col_scale: float = 1.0  # table width relative to the text width
    split_in_merged_block: bool = False  # force a page break inside 三 (reportlab only)
    split_row: str = "unavailable_needs_creation"  # the row that starts the new page
    repeat_header_after_break: bool = False  # redraw the header rows on the next page
    spaced_headers: bool = False  # "总 计", "结 果\n维持", "法律服 务机构"
    wrapped_labels: bool = False  # narrow label columns: long labels wrap
    halfwidth_brackets: bool = False  # "(一)" for "（一）"
    dunhao_numbering: bool = False  # "1、" for "1."
    label_typos: bool = False  # templates.PRINTED_VARIANTS, "第二十条 第（一）项"
    thousands_separators: bool = False  # "1,234"
    null_marks: bool = False  # table 二 zeros printed as null_mark, null in the truth
    null_mark: str = "—"
    mixed_other_row: bool = False  # 2021 table 二 with the 2019 single （六）其他处理 row
    inconsistency: bool = False  # one published number breaks the rules
    landscape: bool = False
    large_numbers: bool = False  # counts in the thousands
    shaded_headings: bool = False  # filled heading rows in table 二, as WPS prints them
    title_wrap: bool = True  # agency on line 1, "<year>年…报告" on line 2
    producer: str = "reportlab"  # "docx": python-docx + LibreOffice, as Word/WPS exports
    borderless: bool = False  # tables without the cell grid
    three_line: bool = False  # with borderless: rules above/below the table, under its header
    extra_rows: tuple[str, ...] = ()  # templates.AGENCY_EXTRA_ROWS keys the agency adds
    dropped_rows: tuple[str, ...] = ()  # all-zero rows left out (null in the truth)
    vertical_block: str = "vertical"  # 三、本年度办理结果: one char per line, wrapped, a row
    page_numbers: str = "dash"  # "- 1 -", "1", "第1页", or none
    body_text: bool = True  # the prose of sections 一, 五, 六 (headings are always printed)
    seed: int = 0  # drives the filler text and the per-label choices
    scan: Degradation | None = None  # written as an image-only scan with these degradations
    web: WebStyle | None = None  # a portal page (producers html, chromium): its switches
    # pt: everything on even pages printed this far right (reportlab only): a table's
    # continuation sits at another x than its start, as with mirrored margins
    even_page_shift: float = 0.0

    @classmethod
    def random(cls, rng: random.Random) -> Variation:
        template = rng.choice(("2019", "2021", "2021"))
        on = {name: rng.random() < odds for name, odds in _SWITCH_ODDS.items()}
        if template == "2019":
            on["mixed_other_row"] = False
        producer = "docx" if rng.random() < 0.3 else "reportlab"
        if producer == "docx":  # Word lays out the pages: no forced break
            on["split_in_merged_block"] = False
        on["three_line"] = on["borderless"] and rng.random() < 0.5
        dropped = _random_dropped(rng, template, on["mixed_other_row"])
        return cls(
            template=template,
            font_family=rng.choice(DOCX_FONT_FAMILIES if producer == "docx" else FONT_FAMILIES),
            font_size=rng.choice(FONT_SIZES),
            col_scale=rng.choice((0.9, 1.0, 1.0, 1.1)),
            split_row=rng.choice([r for r in SPLIT_ROWS if r not in dropped]),
            null_mark=rng.choice(NULL_MARKS),
            producer=producer,
            extra_rows=_random_extra(rng),
            dropped_rows=dropped,
            vertical_block=rng.choices(VERTICAL_BLOCKS, (0.7, 0.15, 0.15))[0],
            page_numbers=rng.choices(PAGE_NUMBERS, (0.5, 0.2, 0.15, 0.15))[0],
            seed=rng.randrange(1 << 30),
            **on,
        )

    def __post_init__(self) -> None:
        _check(self)

    def with_(self, **changes: Any) -> Variation:
        return replace(self, **changes)

    def with_scan(self, share: float = 1.0) -> Variation:
        """This variation, scanned with degradations drawn from its seed for `share` of
        all seeds (the same reports at any share, each with the same degradations)."""
        return replace(self, scan=draw_scan(self.seed, share))

    def as_web(self, producer: str) -> Variation:
        """This report as a portal page, kept as HTML or printed by Chromium: the page's
        switches are drawn from the report's own seed (the same for both producers), and
        what a Word-exported web page cannot print is set off (forced page breaks, a
        borderless grid, landscape). Zeros printed as blank cells are table 二's null marks."""
        if producer not in WEB_PRODUCERS:
            raise ValueError(f"as_web({producer!r}): expected one of {WEB_PRODUCERS}")
        web = draw_web(self.seed)
        nulls = {"null_marks": True, "null_mark": ""} if web.blank_zeros else {}
        return replace(self, producer=producer, web=web, split_in_merged_block=False,
                       borderless=False, three_line=False, landscape=False, scan=None,
                       font_family=WEB_FONT_FAMILIES[self.seed % len(WEB_FONT_FAMILIES)],
                       **nulls)

    def switches(self) -> dict[str, Any]:
        """All fields (optional switches only when on), for a manifest."""
        return {k: v for k, v in asdict(self).items()
                if not (k in _OPTIONAL_SWITCHES and v in (None, 0.0))}

    def truth_dict(self) -> dict[str, Any]:
        """The switches as JSON values, for a truth file's "variation" key."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.switches().items()}

    @property
    def name(self) -> str:
        """A short summary: template, font, size and the switches that are on."""
        parts = [f"t{self.template}", self.font_family, f"{self.font_size:g}pt"]
        if self.producer != "reportlab":
            parts.insert(0, self.producer)
        if self.col_scale != 1.0:
            parts.append(f"w{self.col_scale:g}")
        for f in fields(self):
            if (f.type in ("bool", bool) and getattr(self, f.name)
                    and f.name not in ("title_wrap", "body_text")):
                parts.append(f.name)
        parts += [f"extra:{k}" for k in self.extra_rows]
        parts += [f"drop:{k}" for k in self.dropped_rows]
        if self.vertical_block != "vertical":
            parts.append(f"block:{self.vertical_block}")
        if self.page_numbers != "dash":
            parts.append(f"pages:{self.page_numbers}")
        if not self.body_text:
            parts.append("no_body_text")
        if self.even_page_shift:
            parts.append(f"even_page_shift:{self.even_page_shift:g}")
        if self.scan is not None:
            parts.append(f"scan:{self.scan.dpi}dpi" + ("+stamp" if self.scan.stamp else ""))
        if self.web is not None:
            parts.append(self.web.name)
        return "+".join(parts)


def draw_scan(report_seed: int, share: float = 1.0) -> Degradation | None:
    """The degradations of a report's scan, or None for the reports left as text.

    A stream of its own, seeded from the report's seed: drawing it changes no other
    switch. The first draw decides whether the report is scanned, so a larger share
    scans a superset of the reports of a smaller one.
    """
    rng = random.Random(f"scan:{report_seed}")
    if rng.random() >= share:
        return None
    chosen = {name: rng.choice(values) for name, values in SCAN_CHOICES.items()}
    ranged = {name: round(rng.uniform(low, high), decimals)
              for name, (low, high, decimals) in SCAN_RANGES.items()}
    stamp, seed = rng.random() < SCAN_STAMP_ODDS, rng.randrange(1 << 30)
    per_page = {name: round(rng.uniform(low, high), decimals)
                for name, (low, high, decimals) in SCAN_PAGE_RANGES.items()}
    return Degradation(**chosen, **ranged, stamp=stamp, seed=seed, **per_page,
                       expand=rng.random() < SCAN_EXPAND_ODDS,
                       seal_on_rules=stamp and rng.random() < SCAN_SEAL_ON_RULES_ODDS)


def droppable_rows(template: str, single_other: bool) -> list[str]:
    """Rows a report of this template may leave out (see templates.DROPPABLE_ROWS)."""
    printed = {r for rows in T.expected_cells(template).values() for r in rows}
    if single_other:
        printed -= set(T.OTHER_SPLIT_ROWS)
    return [r for rows in T.DROPPABLE_ROWS.values() for r in rows if r in printed]


def _random_dropped(rng: random.Random, template: str, mixed: bool) -> tuple[str, ...]:
    if rng.random() >= 0.2:
        return ()
    rows = droppable_rows(template, template == "2019" or mixed)
    return tuple(sorted(rng.sample(rows, rng.randint(1, 3)), key=rows.index))


def _random_extra(rng: random.Random) -> tuple[str, ...]:
    if rng.random() >= 0.2:
        return ()
    keys = list(T.AGENCY_EXTRA_ROWS)
    return tuple(sorted(rng.sample(keys, rng.randint(1, 2)), key=keys.index))


def _check(v: Variation) -> None:
    """Reject switch values the renderers do not know."""
    allowed = {"producer": PRODUCERS,
               "vertical_block": VERTICAL_BLOCKS, "page_numbers": PAGE_NUMBERS,
               "font_family": FONT_FAMILIES if v.producer == "reportlab" else DOCX_FONT_FAMILIES}
    for name, values in allowed.items():
        if getattr(v, name) not in values:
            raise ValueError(f"Variation.{name}={getattr(v, name)!r}: expected one of {values}")
    if v.producer == "docx" and v.split_in_merged_block:
        raise ValueError("split_in_merged_block needs producer='reportlab': LibreOffice "
                         "ignores page breaks inside tables, Word layout places them")
    if v.even_page_shift and v.producer != "reportlab":
        raise ValueError("even_page_shift needs producer='reportlab' (it moves the canvas)")
    if v.three_line and not v.borderless:
        raise ValueError("three_line replaces the grid: it needs borderless=True")
    unknown = set(v.extra_rows) - set(T.AGENCY_EXTRA_ROWS)
    if unknown:
        raise ValueError(f"unknown extra_rows {sorted(unknown)}")
    bad = set(v.dropped_rows) - set(droppable_rows(v.template, v.template == "2019"
                                                    or v.mixed_other_row))
    if bad:
        raise ValueError(f"dropped_rows {sorted(bad)} cannot be dropped in this template")
    if v.scan is not None:
        _check_scan(v.scan)
    if (v.web is not None) != (v.producer in WEB_PRODUCERS):
        raise ValueError(f"producer {v.producer!r} with web={v.web!r}: the web producers "
                         f"{WEB_PRODUCERS} and a WebStyle go together (Variation.as_web)")
    if v.web is not None and (v.scan is not None or v.split_in_merged_block or v.borderless):
        raise ValueError("a web page is neither scanned, nor split by force, nor borderless")


def _check_scan(scan: Degradation) -> None:
    if not isinstance(scan, Degradation):
        raise ValueError(f"Variation.scan={scan!r}: expected a scan.degrade.Degradation")
    if scan.dpi <= 0 or not 1 <= scan.jpeg_quality <= 95:
        raise ValueError(f"Variation.scan: dpi {scan.dpi} must be > 0 and jpeg_quality "
                         f"{scan.jpeg_quality} within 1-95 (PIL's useful range)")
