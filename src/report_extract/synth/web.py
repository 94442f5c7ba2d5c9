"""The html producer: a report as an agency's portal publishes it (issue 13).

The report's blocks (synth/document.py) become Word-exported HTML (`MsoNormalTable`, inline
styles, `<p class=MsoNormal><span>` in every cell, `&nbsp;` for spaces and empty cells)
inside a site template: a header with a search box, navigation, breadcrumbs "当前位置：首页 >
政务公开 > …", the article's <h1>, "来源：… 时间：…", a sidebar of earlier years' reports
(titles of the same agency that metadata must not take) and a footer. Two templates:
"portal" (div layout) and "column" (an old portal laid out by a table around the article).
"""

from __future__ import annotations

import html
import random
from pathlib import Path

from report_extract.synth.document import Document, TableBlock, Text, Title
from report_extract.synth.table import Cell, Table
from report_extract.synth.webstyle import WebStyle

from . import fonts

NAV = ("首页", "政务公开", "政务服务", "互动交流", "走进本地", "专题专栏")
CRUMBS = ("首页", "政务公开", "政府信息公开年报")
GHOST = 1  # px: the width of a ghost column Word adds where cell edges nearly line up
_CSS = """
body { margin: 0; font-size: 12pt; color: #333; }
.top { height: 60px; background: #b51c1c; color: #fff; padding: 8px 20px; }
.top .logo { font-size: 20pt; float: left; }
.top .search { float: right; margin-top: 12px; }
.nav { list-style: none; margin: 0; padding: 6px 20px; background: #eee; }
.nav li { display: inline; margin-right: 24px; font-size: 11pt; }
.crumb { padding: 6px 20px; font-size: 9pt; color: #666; }
.article { padding: 0 20px; }
.article h1 { font-size: 18pt; text-align: center; font-weight: bold; margin: 12px 0; }
.info { text-align: center; font-size: 9pt; color: #888; border-bottom: 1px solid #ccc;
        padding-bottom: 6px; margin-bottom: 12px; }
.side { font-size: 9pt; padding: 6px 20px; }
.side h3 { font-size: 10pt; }
.footer { font-size: 9pt; color: #666; text-align: center; border-top: 2px solid #b51c1c;
          padding: 8px; margin-top: 16px; }
@page { size: A4; margin: 15mm 12mm; }
"""


def render_page(doc: Document, truth: dict, style: WebStyle) -> str:
    """The whole page as text (the caller encodes it in style.encoding)."""
    agency, year = truth["agency"], truth["year"]
    rng = random.Random(f"page:{style.seed}")
    site = f"{agency}门户网站" if agency.endswith("政府") else f"{agency}网站"
    family = fonts.FONTS[doc.variation.font_family].office_name
    content = _word_content(doc, style, family)
    article = (f'<div class="article"><h1 class="title">{_text(doc.title)}</h1>\n'
               f'<div class="info">来源：{_text(agency)}&nbsp;&nbsp;时间：{year + 1}-01-15'
               f'&nbsp;&nbsp;浏览次数：{rng.randrange(100, 9999)}&nbsp;&nbsp;'
               f'【字体：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】</div>\n'
               f'<div class="content">{content}</div></div>')
    side = _sidebar(agency, year)
    if style.site == "portal":
        body = "\n".join((_header(site), _nav(), _crumbs(), article, side, _footer(agency, rng)))
    else:  # an old portal: the page laid out by a borderless table, nav in its left cell
        body = "\n".join((
            _header(site),
            '<table class="layout" width="100%" border="0" cellspacing="0" cellpadding="0">'
            f'<tr><td valign="top" width="140">{_nav_list()}{side}</td>'
            f'<td valign="top">{_crumbs()}{article}</td></tr></table>',
            _footer(agency, rng)))
    charset = "gbk" if style.encoding == "gbk" else "utf-8"
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
        f"<title>{_text(doc.title)}_{_text(site)}</title>\n"
        f'<meta name="SiteName" content="{_attr(site)}" />\n'
        f'<meta name="ArticleTitle" content="{_attr(doc.title)}" />\n'
        f'<meta name="PubDate" content="{year + 1}-01-15 09:00" />\n'
        f'<meta name="ContentSource" content="{_attr(agency)}" />\n'
        f"<style>{_CSS}body {{ font-family: '{family}'; }}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def write_page(doc: Document, truth: dict, style: WebStyle, path: Path) -> None:
    # A GBK page holds only what GBK can encode; anything else as a character reference.
    encoding = "gbk" if style.encoding == "gbk" else "utf-8"
    path.write_bytes(render_page(doc, truth, style).encode(encoding, "xmlcharrefreplace"))


# --- site chrome ---------------------------------------------------------------------------


def _header(site: str) -> str:
    return (f'<div class="top"><div class="logo">{_text(site)}</div>'
            '<div class="search"><form action="#"><input type="text" name="q" '
            'value="请输入关键字" /><input type="submit" value="搜索" /></form></div></div>')


def _nav() -> str:
    return '<ul class="nav">' + "".join(f'<li><a href="#">{n}</a></li>' for n in NAV) + "</ul>"


def _nav_list() -> str:
    return "".join(f'<p><a href="#">{n}</a></p>' for n in NAV)


def _crumbs() -> str:
    links = " &gt; ".join(f'<a href="#">{c}</a>' for c in CRUMBS)
    return f'<div class="crumb">当前位置：{links}</div>'


def _sidebar(agency: str, year: int) -> str:
    """Earlier years' reports of the same agency: report titles that are not this one."""
    items = "".join(f'<li><a href="#">{_text(agency)}{y}年政府信息公开工作年度报告</a></li>'
                    for y in (year - 1, year - 2))
    return f'<div class="side"><h3>往年年报</h3><ul>{items}</ul></div>'


def _footer(agency: str, rng: random.Random) -> str:
    return (f'<div class="footer">主办：{_text(agency)}&nbsp;&nbsp;承办：{_text(agency)}办公室'
            f'<br />网站标识码：{rng.randrange(10**9, 10**10)}&nbsp;&nbsp;'
            f'ICP备{rng.randrange(10**7, 10**8)}号&nbsp;&nbsp;联系我们&nbsp;|&nbsp;网站地图</div>')


# --- the Word content ------------------------------------------------------------------------


def _word_content(doc: Document, style: WebStyle, family: str) -> str:
    out = ['<div class="WordSection1">']
    size = doc.style.size
    for block in doc.blocks:
        if isinstance(block, Title):
            if style.title_in_body:
                lines = "<br />".join(_text(line) for line in block.lines)
                out.append(f'<p class="MsoNormal" align="center" style="text-align:center">'
                           f'<b><span style="font-size:16.0pt;font-family:{family}">{lines}'
                           "</span></b></p>")
        elif isinstance(block, Text):
            indent = "" if block.heading else "text-indent:24.0pt;"
            text = f"<b>{_text(block.text)}</b>" if block.heading else _text(block.text)
            out.append(f'<p class="MsoNormal" style="{indent}line-height:150%">'
                       f'<span style="font-size:{block.size:g}pt;font-family:{family}">'
                       f"{text}</span></p>")
        elif isinstance(block, TableBlock):
            out.append(_table(block.table, doc, style, family, size))
            out.append('<p class="MsoNormal">&nbsp;</p>')
    out.append("</div>")
    return "\n".join(out)


def _table(table: Table, doc: Document, style: WebStyle, family: str, size: float) -> str:
    widths = [round(w * 4 / 3) for w in table.col_widths]  # pt -> px
    ghost = _ghost_column(table) if style.misaligned_spans else None
    if style.borders == "separate":
        attrs = ('border="1" cellspacing="2" cellpadding="0" '
                 'style="border-collapse:separate;border:solid windowtext 1.0pt"')
    else:
        attrs = ('border="1" cellspacing="0" cellpadding="0" '
                 'style="border-collapse:collapse;border:none"')
    out = [f'<table class="MsoNormalTable" width="{sum(widths)}" {attrs}>']
    if ghost is not None:  # the grid Word declares: a 1px column beside column `ghost`
        cols = [*widths[:ghost + 1], GHOST, *widths[ghost + 1:]]
        out.append("<colgroup>" + "".join(f'<col width="{w}" />' for w in cols) + "</colgroup>")
    repeat = doc.variation.repeat_header_after_break and table.header_rows > 0
    by_row: dict[int, list[Cell]] = {}
    for cell in table.cells:
        by_row.setdefault(cell.row, []).append(cell)
    height = round(size * 1.9, 1)
    for r in range(table.n_rows):
        if repeat and r == 0:
            out.append("<thead>")
        if repeat and r == table.header_rows:
            out.append("</thead><tbody>")
        out.append(f'<tr style="height:{height:g}pt">')
        for cell in sorted(by_row.get(r, []), key=lambda c: c.col):
            out.append(_td(cell, table, widths, ghost, style, family, size))
        out.append("</tr>")
    out.append("</tbody></table>" if repeat else "</table>")
    return "\n".join(out)


def _ghost_column(table: Table) -> int:
    """The base column after which Word saw the cell edges a pixel apart between the header
    rows and the body: the edge before the last column (总计, or 现行有效件数)."""
    return len(table.col_widths) - 2


def _ghost_span(cell: Cell, table: Table, ghost: int) -> int:
    """A cell's colspan in a grid with a ghost column after column `ghost`: a cell running
    over it covers it; at the edge, the body cell ending there covers it, and in the header
    rows the cell starting after it does."""
    last = cell.col + cell.col_span - 1
    header = cell.row < table.header_rows if table.header_rows else cell.bold
    crosses = cell.col <= ghost < last
    if crosses or (last == ghost and not header) or (cell.col == ghost + 1 and header):
        return cell.col_span + 1
    return cell.col_span


def _td(cell: Cell, table: Table, widths: list[int], ghost: int | None, style: WebStyle,
        family: str, size: float) -> str:
    span = cell.col_span if ghost is None else _ghost_span(cell, table, ghost)
    width = sum(widths[cell.col:cell.col + cell.col_span])
    border = {"collapse": "solid windowtext 1.0pt", "double": "double windowtext 2.25pt",
              "separate": "solid windowtext 1.0pt"}[style.borders]
    css = [f"width:{width * 3 / 4:.1f}pt", f"border:{border}", "padding:0cm 5.4pt 0cm 5.4pt"]
    if cell.fill:
        css.append("background:#D9D9D9")
    attrs = f' width="{width}"'
    if cell.row_span > 1:
        attrs += f' rowspan="{cell.row_span}"'
    if span > 1:
        attrs += f' colspan="{span}"'
    align = "center" if cell.align == "center" else "left"
    text = _cell_text(cell)
    if cell.bold and text != "&nbsp;":
        text = f"<b>{text}</b>"
    return (f'<td{attrs} valign="middle" style="{";".join(css)}">'
            f'<p class="MsoNormal" align="{align}" style="text-align:{align}">'
            f'<span style="font-size:{size:g}pt;font-family:{family}">{text}</span></p></td>')


def _cell_text(cell: Cell) -> str:
    if not cell.text.strip():
        return "&nbsp;"
    if cell.vertical:  # Word puts a break after each character
        return "<br />".join(_text(ch) for ch in cell.text if not ch.isspace())
    return "<br />".join(_text(line) for line in cell.text.split("\n"))


def _text(text: str) -> str:
    """Escaped, with spaces as Word exports them (&nbsp;, so runs of them stay)."""
    return html.escape(text, quote=False).replace(" ", "&nbsp;")


def _attr(text: str) -> str:
    return html.escape(text, quote=True)
