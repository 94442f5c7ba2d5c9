"""The docx producer: the report as a Word document (python-docx), real Word tables with
merged cells, for LibreOffice to lay out and export as PDF (see office.py), the way most
published reports are WPS/Word exports. Page breaks fall where Word layout puts them."""

from __future__ import annotations

import datetime as dt
from os import PathLike

from docx import Document as new_document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from report_extract.synth.document import (
    FOOTER_Y,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    Document,
    TableBlock,
    Text,
    Title,
    page_number_text,
)
from report_extract.synth.table import Cell, Table

from . import fonts

_FILL = "DBDBDB"  # the grey of draw_piece's fill (0.86)


def write_docx(doc: Document, path: str | PathLike[str], year: int, *,
               cant_split: bool = True) -> None:
    """Write `doc` as a .docx; core properties are fixed (dated early in year + 1).
    `cant_split`: no table row is broken across pages (as reports are usually set)."""
    v = doc.variation
    fonts.require(v.font_family)
    family = fonts.FONTS[v.font_family].office_name
    d = new_document()
    _setup_page(d, doc, v.landscape)
    _set_style_font(d, "Normal", family)
    _footers(d, v.page_numbers)
    for block in doc.blocks:
        if isinstance(block, Title):
            for line in block.lines:
                p = _paragraph(d, line, block.size, centre=True)
                p.paragraph_format.space_after = Pt(block.size * 0.5)
        elif isinstance(block, Text):
            p = _paragraph(d, block.text, block.size, indent=0 if block.heading else 2,
                           bold=block.heading)
            p.paragraph_format.keep_with_next = block.heading
        elif isinstance(block, TableBlock):
            _table(d, block.table, doc.style.size, v.repeat_header_after_break, cant_split)
            d.add_paragraph().paragraph_format.space_after = Pt(0)
    stamp = dt.datetime(year + 1, 1, 15, 9, 0, 0)
    props = d.core_properties
    props.title, props.author, props.last_modified_by = doc.title, "", ""
    props.created = props.modified = stamp
    props.revision = 1
    d.save(str(path))


def _setup_page(d: DocxDocument, doc: Document, landscape: bool) -> None:
    section = d.sections[0]
    width, height = doc.page_size
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Pt(width), Pt(height)
    section.left_margin = section.right_margin = Pt(MARGIN_X)
    section.top_margin, section.bottom_margin = Pt(MARGIN_TOP), Pt(MARGIN_BOTTOM)
    section.footer_distance = Pt(FOOTER_Y - 8)


def _set_style_font(d: DocxDocument, style_name: str, family: str) -> None:
    style = d.styles[style_name]
    style.font.name = family
    _east_asia(style.element.get_or_add_rPr(), family)
    fmt = style.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)


def _east_asia(rpr: OxmlElement, family: str) -> None:
    """w:rFonts: CJK text uses w:eastAsia, which python-docx's font.name does not set."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), family)


def _paragraph(d: DocxDocument, text: str, size: float, *, centre: bool = False,
               indent: int = 2, bold: bool = False) -> Paragraph:
    p = d.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing = 1.5
    if centre:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        fmt.first_line_indent = Pt(size * indent)
    run = p.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold or None
    return p


# --- footers ----------------------------------------------------------------------------


def _footers(d: DocxDocument, style: str) -> None:
    if style == "none":
        return
    section = d.sections[0]
    if style == "dash":  # mirrored: odd pages right, even pages left
        d.settings.odd_and_even_pages_header_footer = True
        _page_field(section.footer.paragraphs[0], style, WD_ALIGN_PARAGRAPH.RIGHT)
        _page_field(section.even_page_footer.paragraphs[0], style, WD_ALIGN_PARAGRAPH.LEFT)
    else:
        _page_field(section.footer.paragraphs[0], style, WD_ALIGN_PARAGRAPH.CENTER)


def _page_field(p: Paragraph, style: str, align: WD_ALIGN_PARAGRAPH) -> None:
    """Text around a PAGE field, as page_number_text prints page "#"."""
    p.alignment = align
    before, after = page_number_text(style, 0).split("0")
    if before:
        p.add_run(before).font.size = Pt(10.5)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "21")
    rpr.append(size)
    run.append(rpr)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    p._p.append(field)
    if after:
        p.add_run(after).font.size = Pt(10.5)


# --- tables -----------------------------------------------------------------------------


def _table(d: DocxDocument, table: Table, size: float, repeat_header: bool,
           cant_split: bool) -> DocxTable:
    t = d.add_table(rows=table.n_rows, cols=len(table.col_widths))
    if table.rules == "grid":
        t.style = d.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    _cell_margins(t, pad=3.0)
    for i, width in enumerate(table.col_widths):
        t.columns[i].width = Pt(width)
    for i, row in enumerate(t.rows):
        row.height = Pt(size * 1.9)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        _row_flags(row._tr, cant_split=cant_split,
                   header=repeat_header and i < table.header_rows)
    # The grid's cells before any merge: python-docx's table.cell() re-reads the whole
    # grid on each call (seconds per report); cells never overlap, so these stay valid.
    grid = [[_Cell(tc, t) for tc in tr.tc_lst] for tr in t._tbl.tr_lst]
    for cell in table.cells:
        _fill_cell(grid, table, cell, size)
    if table.rules == "three_line":
        _three_line(t, table)
    return t


def _cell_margins(t: DocxTable, pad: float) -> None:
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(pad * 20)))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    _insert(t._tbl.tblPr, mar, _TBLPR_AFTER_CELLMAR)


def _row_flags(tr: OxmlElement, *, cant_split: bool, header: bool) -> None:
    trpr = tr.get_or_add_trPr()
    for flag, on in (("w:cantSplit", cant_split), ("w:tblHeader", header)):
        if on:
            trpr.insert(0, OxmlElement(flag))


def _fill_cell(grid: list[list[_Cell]], table: Table, cell: Cell, size: float) -> None:
    target = grid[cell.row][cell.col]
    if cell.row_span > 1 or cell.col_span > 1:
        target = target.merge(grid[cell.last_row][cell.col + cell.col_span - 1])
    target.width = Pt(sum(table.col_widths[cell.col:cell.col + cell.col_span]))
    target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = target.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if cell.align == "center" else WD_ALIGN_PARAGRAPH.LEFT
    text = "\n".join(cell.text.replace("\n", "")) if cell.vertical else cell.text
    if text:
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.bold = cell.bold or None
    if cell.fill:
        _shade(target)


def _shade(cell: _Cell) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), _FILL)
    _insert(cell._tc.get_or_add_tcPr(), shd, _TCPR_AFTER_SHD)


# Schema order: the children that must follow the one inserted.
_TCPR_AFTER_SHD = ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
                   "w:hideMark")
_TCPR_AFTER_BORDERS = ("w:shd", *_TCPR_AFTER_SHD)
_TBLPR_AFTER_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
_TBLPR_AFTER_CELLMAR = ("w:tblLook",)


def _insert(parent: OxmlElement, child: OxmlElement, successors: tuple[str, ...]) -> None:
    """Insert `child` before the first of `successors` present, else append it."""
    for name in successors:
        found = parent.find(qn(name))
        if found is not None:
            found.addprevious(child)
            return
    parent.append(child)


def _three_line(t: DocxTable, table: Table) -> None:
    """Heavy rules above and below the table, a thin one under the header rows."""
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "bottom"):
        borders.append(_border(side, 12))
    _insert(t._tbl.tblPr, borders, _TBLPR_AFTER_BORDERS)
    if table.header_rows:  # every physical cell of the last header row, merged ones too
        for tc in t.rows[table.header_rows - 1]._tr.tc_lst:
            tc_borders = OxmlElement("w:tcBorders")
            tc_borders.append(_border("bottom", 4))
            _insert(tc.get_or_add_tcPr(), tc_borders, _TCPR_AFTER_BORDERS)


def _border(side: str, eighths: int) -> OxmlElement:
    el = OxmlElement(f"w:{side}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(eighths))
    el.set(qn("w:space"), "0")
    el.set(qn("w:color"), "000000")
    return el
