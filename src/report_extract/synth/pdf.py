"""Render a whole synthetic report with reportlab (title, sections 一-六, three tables)."""

from __future__ import annotations

from os import PathLike
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from report_extract.synth.document import (
    FOOTER_Y,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    Document,
    TableBlock,
    Text,
    Title,
    build_document,
    page_number_text,
)
from report_extract.synth.table import (
    Style,
    Table,
    draw_piece,
    draw_three_line_rules,
    paginate,
    row_heights,
    wrap,
)
from report_extract.synth.variation import Variation

from . import fonts


class Flow:
    """A cursor running down pages of a canvas; writes the page numbers."""

    def __init__(self, canvas: Canvas, font: str, page_size: tuple[float, float],
                 page_numbers: str = "dash", even_page_shift: float = 0.0):
        self.c = canvas
        self.even_page_shift = even_page_shift
        self.font = font
        self.width, self.height = page_size
        self.page_numbers = page_numbers
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
        if self.even_page_shift and self.page % 2 == 0:  # showPage reset the transform
            self.c.translate(self.even_page_shift, 0)

    def need(self, height: float) -> None:
        if self.room < height:
            self.new_page()

    def finish(self) -> None:
        self._footer()
        self.c.save()

    def _footer(self) -> None:
        text, size = page_number_text(self.page_numbers, self.page), 10.5
        if not text:
            return
        w = stringWidth(text, self.font, size)
        # "- N -": odd pages right, even pages left, as Word's mirrored footers print them.
        x = (self.width - w) / 2
        if self.page_numbers == "dash":
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
            top = self.y
            for piece in pieces:
                self.y -= draw_piece(self.c, table, heights, style, piece, x0, self.y)
            if table.rules == "three_line":
                draw_three_line_rules(self.c, table, heights, pieces, x0, top)
        self.y -= 6


def render_pdf(truth: dict[str, Any], path: str | PathLike[str], variation: Variation) -> None:
    """Draw the report of `truth` to `path` as `variation` prints it."""
    draw_document(build_document(truth, variation), path)


def draw_document(doc: Document, path: str | PathLike[str]) -> None:
    v = doc.variation
    font = fonts.register(v.font_family)
    canvas = Canvas(str(path), pagesize=doc.page_size, invariant=1, pageCompression=1)
    canvas.setTitle(doc.title)
    flow = Flow(canvas, font, doc.page_size, v.page_numbers, v.even_page_shift)
    style = doc.style
    for block in doc.blocks:
        if isinstance(block, Title):
            _title(flow, block)
        elif isinstance(block, Text) and block.heading:
            flow.need(block.size * 1.6 + block.keep)
            flow.paragraph(block.text, block.size, indent=2, bold=True)
        elif isinstance(block, Text):
            flow.paragraph(block.text, block.size)
        elif isinstance(block, TableBlock):
            table = block.table
            flow.table(table, style, v.repeat_header_after_break, sum(table.col_widths))
    flow.finish()


def _title(flow: Flow, title: Title) -> None:
    flow.y -= title.size
    for line in title.lines:
        flow.paragraph(line, title.size, indent=0, centre=True, leading=1.5)
    flow.y -= title.size
