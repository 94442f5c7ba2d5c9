"""A synthetic report as a producer-neutral list of blocks (title, headings, paragraphs,
tables), so that the reportlab and the docx producer print the same report."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.pagesizes import A4, landscape

from report_extract import templates as T
from report_extract.synth.labels import Labeler
from report_extract.synth.table import Style, Table
from report_extract.synth.tables import active_table, applications_table, review_table
from report_extract.synth.variation import Variation

from . import filler, fonts

# Page geometry in points, shared by both producers.
MARGIN_X = 72.0
MARGIN_TOP = 72.0
MARGIN_BOTTOM = 64.0
FOOTER_Y = 36.0


@dataclass
class Title:
    lines: list[str]
    size: float


@dataclass
class Text:
    """A body paragraph, or a bold section heading kept with `keep` points of what follows."""

    text: str
    size: float
    heading: bool = False
    keep: float = 0.0


@dataclass
class TableBlock:
    name: str  # canonical table name
    table: Table


Block = Title | Text | TableBlock


@dataclass
class Document:
    title: str  # the PDF's metadata title
    page_size: tuple[float, float]
    style: Style  # table text; style.font is a reportlab font name that measures it
    variation: Variation
    blocks: list[Block] = field(default_factory=list)

    @property
    def text_width(self) -> float:
        return self.page_size[0] - 2 * MARGIN_X

    def printed_chars(self) -> Counter[str]:
        """Every character the report prints (white space aside), as many times as printed:
        a producer's PDF holds at least these (page numbers come on top)."""
        texts: list[str] = []
        for block in self.blocks:
            if isinstance(block, Title):
                texts += block.lines
            elif isinstance(block, Text):
                texts.append(block.text)
            else:
                texts += [cell.text for cell in block.table.cells]
        return Counter(ch for text in texts for ch in text if not ch.isspace())


def build_document(truth: dict[str, Any], v: Variation) -> Document:
    """The blocks of the report of `truth` as `v` prints it (same filler for both producers)."""
    agency, year, template = truth["agency"], truth["year"], truth["template"]
    page_size = landscape(A4) if v.landscape else A4
    style = Style(font=fonts.measuring_font(v.font_family), size=v.font_size,
                  min_row=v.font_size * 1.9)
    doc = Document(f"{agency}{year}年{T.REPORT_TITLE_SUFFIX}", page_size, style, v)
    rng = random.Random(f"filler:{v.seed}")
    body = round(v.font_size * 1.35 * 2) / 2
    add = doc.blocks.append

    def prose(paragraphs: list[str]) -> None:
        if v.body_text:
            doc.blocks.extend(Text(p, body) for p in paragraphs)

    # A truth may print its agency's name otherwise than it reads ("南京市 玄武区人民政府").
    add(_title(truth.get("printed_agency", agency), year, v))
    prose([filler.intro(rng, agency, year, template)])
    add(Text(T.OTHER_HEADINGS[0], body, heading=True))
    received = truth["tables"]["applications"]["new"]["total"] or 0
    prose(filler.overview(rng, agency, year, received))

    lab = Labeler(v)
    width = min(doc.text_width * v.col_scale, page_size[0] - 60)
    builders = (("active_disclosure", active_table), ("applications", applications_table),
                ("review_litigation", review_table))
    for name, build in builders:
        add(Text(rng.choice(T.SECTION_HEADINGS[name]), body, heading=True, keep=80))
        add(TableBlock(name, build(truth, v, lab, width, style)))

    add(Text(rng.choice(T.END_HEADINGS[:2]), body, heading=True))
    prose(filler.problems(rng, year))
    add(Text(T.END_HEADINGS[2], body, heading=True))
    prose(filler.other_matters(rng, year))
    return doc


def _title(agency: str, year: int, v: Variation) -> Title:
    line2 = f"{year}年{T.REPORT_TITLE_SUFFIX}"
    if v.title_wrap:
        return Title([agency, line2], 20.0)
    return Title([agency + line2], 18.0)


def page_number_text(style: str, page: int) -> str:
    """The footer text of page `page` ("" for none)."""
    return {"dash": f"- {page} -", "plain": str(page), "page": f"第 {page} 页",
            "none": ""}[style]
