"""A small ruled-table engine on a reportlab canvas: merged cells, CJK wrapping, vertical
centring, and page breaks that never split a row but do split merged cells.

A split merged cell is drawn as one boxed piece per page; its wrapped text is laid out
over the whole (virtual) cell and each line is printed on the page its centre falls on,
so "（四）无法提供" may print "（四）无" on one page and "法提供" on the next.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

# Characters that may not start a line (kinsoku): they stay on the line before.
_NO_LINE_START = "，。、；：？！）》」』”’,.;:?!)%"
LINE_WIDTH = 0.5


@dataclass
class Cell:
    row: int
    col: int
    text: str
    row_span: int = 1
    col_span: int = 1
    align: str = "center"  # "left" or "center"
    bold: bool = False
    fill: bool = False  # grey background, as WPS shades heading rows
    vertical: bool = False  # one character per line (a Word table puts a break after each)

    @property
    def last_row(self) -> int:
        return self.row + self.row_span - 1


@dataclass
class Table:
    col_widths: list[float]
    n_rows: int
    cells: list[Cell]
    header_rows: int = 0  # leading rows that repeat_header redraws after a break
    break_before: int | None = None  # force a page break before this row
    rules: str = "grid"  # "grid": every cell boxed; "none"; "three_line": top/head/bottom


@dataclass(frozen=True)
class Style:
    font: str
    size: float
    pad: float = 3.0
    leading_factor: float = 1.25
    min_row: float = 0.0

    @property
    def leading(self) -> float:
        return self.size * self.leading_factor


def wrap(text: str, width: float, font: str, size: float) -> list[str]:
    """Wrap per character (CJK has no word breaks); explicit newlines are kept."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for ch in para:
            # Kinsoku keeps "，" off a line start, except in one-character-wide cells.
            if (line and stringWidth(line + ch, font, size) > width
                    and (ch not in _NO_LINE_START or len(line) < 2)):
                lines.append(line)
                line = "" if ch == " " else ch
            else:
                line += ch
        lines.append(line)
    return [ln.strip(" ") for ln in lines] if text.strip() else []


def _cell_width(table: Table, cell: Cell) -> float:
    return sum(table.col_widths[cell.col:cell.col + cell.col_span])


def _lines(table: Table, cell: Cell, style: Style) -> list[str]:
    return wrap(cell.text, _cell_width(table, cell) - 2 * style.pad, style.font, style.size)


def row_heights(table: Table, style: Style) -> list[float]:
    """Each row tall enough for its single-row cells; spanning cells stretch their rows."""
    one_line = style.leading + 2 * style.pad
    heights = [max(style.min_row, one_line)] * table.n_rows
    for cell in sorted(table.cells, key=lambda c: c.row_span):
        need = len(_lines(table, cell, style)) * style.leading + 2 * style.pad
        rows = range(cell.row, cell.last_row + 1)
        have = sum(heights[r] for r in rows)
        if need > have:
            extra = (need - have) / cell.row_span
            for r in rows:
                heights[r] += extra
    return heights


@dataclass
class Piece:
    """A run of consecutive rows drawn together on one page."""

    first: int
    end: int  # exclusive


def paginate(table: Table, heights: list[float], first_room: float, page_room: float,
             repeat_header: bool) -> list[list[Piece]]:
    """Rows per page: a list of pages, each a list of pieces drawn one under the other."""
    repeat = repeat_header and table.header_rows > 0
    header_h = sum(heights[:table.header_rows])
    bodies: list[Piece] = []
    start, used, room = 0, 0.0, first_room
    for r in range(table.n_rows):
        if r > start and r >= table.header_rows and (
                used + heights[r] > room or r == table.break_before):
            bodies.append(Piece(start, r))
            start, room, used = r, page_room, header_h if repeat else 0.0
        used += heights[r]
    bodies.append(Piece(start, table.n_rows))
    header = Piece(0, table.header_rows)
    return [[body] if i == 0 or not repeat else [header, body] for i, body in enumerate(bodies)]


def draw_piece(c: Canvas, table: Table, heights: list[float], style: Style, piece: Piece,
               x0: float, top: float) -> float:
    """Draw the rows of `piece` with their top at `top`; return the height drawn."""
    row_top = {r: top - sum(heights[piece.first:r]) for r in range(piece.first, piece.end + 1)}
    for cell in table.cells:
        first, end = max(cell.row, piece.first), min(cell.last_row + 1, piece.end)
        if first >= end:
            continue
        x = x0 + sum(table.col_widths[:cell.col])
        w = _cell_width(table, cell)
        y_top, y_bottom = row_top[first], row_top[end]
        if cell.fill:
            c.setFillGray(0.86)
            c.rect(x, y_bottom, w, y_top - y_bottom, stroke=0, fill=1)
            c.setFillGray(0)
        if table.rules == "grid":
            _box(c, x, y_bottom, w, y_top - y_bottom)
        offset = sum(heights[cell.row:first])  # of this piece inside the whole cell
        _cell_text(c, table, cell, style, heights, x, w, y_top, offset, y_top - y_bottom)
    return row_top[piece.first] - row_top[piece.end]


def draw_three_line_rules(c: Canvas, table: Table, heights: list[float], pieces: list[Piece],
                          x0: float, top: float) -> None:
    """A three-line table's rules on one page: a heavy top and bottom rule round the page's
    pieces, a thin rule under the header rows where they are on this page."""
    width = sum(table.col_widths)
    y = top
    header_y = None
    for piece in pieces:
        if piece.first < table.header_rows <= piece.end:
            header_y = y - sum(heights[piece.first:table.header_rows])
        y -= sum(heights[piece.first:piece.end])
    c.setLineWidth(LINE_WIDTH * 3)
    c.line(x0, top, x0 + width, top)
    c.line(x0, y, x0 + width, y)
    if header_y is not None:
        c.setLineWidth(LINE_WIDTH)
        c.line(x0, header_y, x0 + width, header_y)


def _box(c: Canvas, x: float, y: float, w: float, h: float) -> None:
    c.setLineWidth(LINE_WIDTH)
    c.line(x, y, x + w, y)
    c.line(x, y + h, x + w, y + h)
    c.line(x, y, x, y + h)
    c.line(x + w, y, x + w, y + h)


def _cell_text(c: Canvas, table: Table, cell: Cell, style: Style, heights: list[float],
               x: float, w: float, y_top: float, offset: float, piece_h: float) -> None:
    """Print the lines whose centre falls in this piece of the (maybe split) cell."""
    lines = _lines(table, cell, style)
    full_h = sum(heights[cell.row:cell.last_row + 1])
    first_centre = (full_h - len(lines) * style.leading) / 2 + style.leading / 2
    mine = [(first_centre + i * style.leading - offset, line) for i, line in enumerate(lines)]
    mine = [(centre, line) for centre, line in mine if 0 <= centre < piece_h]
    if not mine:
        return
    # Keep the lines of a split piece inside its box.
    half = style.leading / 2
    shift = max(0.0, half - mine[0][0]) or -max(0.0, mine[-1][0] + half - piece_h)
    c.setFont(style.font, style.size)
    for centre, line in mine:
        baseline = y_top - centre - shift - style.size * 0.36
        tx = x + style.pad
        if cell.align == "center":
            tx = x + (w - stringWidth(line, style.font, style.size)) / 2
        if cell.bold:
            c.setLineWidth(style.size / 40)
            c.drawString(tx, baseline, line, mode=2)
        else:
            c.drawString(tx, baseline, line)
