"""Render a whole synthetic annual report (title, sections 一-六, three ruled tables)."""

from __future__ import annotations

import random
from os import PathLike
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from report_extract import templates as T

from . import filler, fonts
from .labels import Labeler
from .table import Style, Table, draw_piece, paginate, row_heights, wrap
from .tables import active_table, applications_table, review_table
from .variation import Variation

MARGIN_X = 72.0
MARGIN_TOP = 72.0
MARGIN_BOTTOM = 64.0
FOOTER_Y = 36.0


class Flow:
    """A cursor running down pages of a canvas; writes page numbers "- N -"."""

    def __init__(self, canvas: Canvas, font: str, page_size: tuple[float, float]):
        self.c = canvas
        self.font = font
        self.width, self.height = page_size
        self.page = 1
        self.y = self.height - MARGIN_TOP

    @property
    def text_width(self) -> float:
        return self.width - 2 * MARGIN_X

    @property
    def room(self) -> float:
        return self.y - MARGIN_BOTTOM

    def new_page(self) -> None:
        self._footer()
        self.c.showPage()
        self.page += 1
        self.y = self.height - MARGIN_TOP

    def need(self, height: float) -> None:
        if self.room < height:
            self.new_page()

    def finish(self) -> None:
        self._footer()
        self.c.save()

    def _footer(self) -> None:
        # Odd pages right, even pages left, as Word's mirrored footers print them.
        text, size = f"- {self.page} -", 10.5
        w = stringWidth(text, self.font, size)
        x = self.width - MARGIN_X - w if self.page % 2 else MARGIN_X
        self.c.setFont(self.font, size)
        self.c.drawString(x, FOOTER_Y, text)

    def paragraph(self, text: str, size: float, *, indent: int = 2, centre: bool = False,
                  bold: bool = False, leading: float = 1.6, space_after: float = 0) -> None:
        """Wrapped body text; `indent` full-width characters before the first line."""
        lead = size * leading
        for line in wrap("\u3000" * indent + text, self.text_width, self.font, size):
            self.need(lead)
            self.y -= lead
            x = MARGIN_X
            if centre:
                x = (self.width - stringWidth(line, self.font, size)) / 2
            self.c.setFont(self.font, size)
            if bold:
                self.c.setLineWidth(size / 40)
                self.c.drawString(x, self.y + size * 0.25, line, mode=2)
            else:
                self.c.drawString(x, self.y + size * 0.25, line)
        self.y -= space_after

    def table(self, table: Table, style: Style, repeat_header: bool, centre_width: float) -> None:
        heights = row_heights(table, style)
        first_need = sum(heights[:table.header_rows + 1]) + 4
        self.need(first_need)
        page_room = self.height - MARGIN_TOP - MARGIN_BOTTOM
        x0 = (self.width - centre_width) / 2
        pages = paginate(table, heights, self.room - 4, page_room, repeat_header)
        for i, pieces in enumerate(pages):
            if i:
                self.new_page()
            self.y -= 4 if i == 0 else 0
            for piece in pieces:
                self.y -= draw_piece(self.c, table, heights, style, piece, x0, self.y)
        self.y -= 6


def render_pdf(truth: dict[str, Any], path: str | PathLike[str], variation: Variation) -> None:
    """Draw the report of `truth` to `path` as `variation` prints it."""
    font = fonts.register(variation.font_family)
    page_size = landscape(A4) if variation.landscape else A4
    canvas = Canvas(str(path), pagesize=page_size, invariant=1, pageCompression=1)
    canvas.setTitle(f"{truth['agency']}{truth['year']}年{T.REPORT_TITLE_SUFFIX}")
    flow = Flow(canvas, font, page_size)
    _write_report(flow, truth, variation)
    flow.finish()


def _write_report(flow: Flow, truth: dict[str, Any], v: Variation) -> None:
    rng = random.Random(f"filler:{v.seed}")
    agency, year, template = truth["agency"], truth["year"], truth["template"]
    body = round(v.font_size * 1.35 * 2) / 2
    lab = Labeler(v)
    _title(flow, agency, year, v)
    flow.paragraph(filler.intro(rng, agency, year, template), body)
    _heading(flow, T.OTHER_HEADINGS[0], body)
    received = truth["tables"]["applications"]["new"]["total"] or 0
    for para in filler.overview(rng, agency, year, received):
        flow.paragraph(para, body)

    style = Style(font=flow.font, size=v.font_size, min_row=v.font_size * 1.9)
    width = min(flow.text_width * v.col_scale, flow.width - 60)
    builders = (("active_disclosure", active_table), ("applications", applications_table),
                ("review_litigation", review_table))
    for name, build in builders:
        _heading(flow, rng.choice(T.SECTION_HEADINGS[name]), body, keep=80)
        table = build(truth, v, lab, width, style)
        flow.table(table, style, v.repeat_header_after_break, sum(table.col_widths))

    _heading(flow, rng.choice(T.END_HEADINGS[:2]), body)
    for para in filler.problems(rng, year):
        flow.paragraph(para, body)
    _heading(flow, T.END_HEADINGS[2], body)
    for para in filler.other_matters(rng, year):
        flow.paragraph(para, body)


def _title(flow: Flow, agency: str, year: int, v: Variation) -> None:
    size = 20.0 if v.title_wrap else 18.0
    flow.y -= size
    line2 = f"{year}年{T.REPORT_TITLE_SUFFIX}"
    lines = [agency, line2] if v.title_wrap else [agency + line2]
    for line in lines:
        flow.paragraph(line, size, indent=0, centre=True, leading=1.5)
    flow.y -= size


def _heading(flow: Flow, text: str, size: float, keep: float = 0) -> None:
    """A section heading, kept on the page with `keep` points of what follows."""
    flow.need(size * 1.6 + keep)
    flow.paragraph(text, size, indent=2, bold=True)
