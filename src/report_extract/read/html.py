"""Read a report published as a web page (.html/.htm): its tables from the markup.

The page's tables become the same `Grid`s the PDF path detects (cells with row/column
spans), so normalize -> validate -> write are shared. A cell's provenance is its table
(index among the page's tables), row and column, and a CSS path to its element
(`GridCell.locator`); `page` and `bbox` are None, as a page has neither.

Decoding: a byte-order mark, else the charset the page declares (<meta charset> or
http-equiv Content-Type), else UTF-8, else GB18030 (GBK and GB2312 are read as GB18030,
their superset). Tables holding tables are layout, not data: only innermost tables are
read. Sections (二/三/四) come from the headings before each table, as for a PDF.
Metadata comes from the page's headings, meta tags and <title>, never from navigation.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from report_extract.detect.ruled import (
    Heading,
    TablePart,
    assign_sections,
    match_heading,
)
from report_extract.errors import NoTablesError, NotAPdfError
from report_extract.metadata import parse_title
from report_extract.models import TABLE_NAMES, BBox, Grid, GridCell
from report_extract.textclean import unify_radicals

HEAD_SIZE = 2048  # where a page declares its encoding (HTML5: the first 1024 bytes)
_MARKUP_RE = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|meta|title|table)\b", re.I)
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
# Chinese pages declare GB2312 or GBK and use characters only GB18030 has.
_ENCODING_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
                     "gb_2312-80": "gb18030", "cp936": "gb18030"}
_BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                     "table", "ul", "ol", "dd", "dt", "section", "article", "header", "footer",
                     "form", "blockquote", "center", "hr"})
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "col", "area", "base", "wbr",
                   "source", "param", "embed"})
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "select", "textarea",
                   "button", "iframe", "svg", "object"})
# Where navigation lives: never a source of metadata.
_CHROME_TAGS = frozenset({"nav", "a", "ul", "ol", "li", "footer", "header", "form", "button"})
_CHROME_WORDS = re.compile(r"nav|menu|crumb|side|footer|foot|bottom|top|header|search|link|"
                           r"logo|banner|position|location", re.I)
# Where tables and their cells' rows and columns may be closed implicitly.
_IMPLIED_END = {"td": {"td", "th"}, "th": {"td", "th"}, "tr": {"tr"}, "p": {"p"},
                "li": {"li"}, "option": {"option"}}
_TITLE_META = ("articletitle", "title", "dc.title", "og:title", "subject")
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
MAX_TITLE = 80  # characters: a longer block is body text, not a title


def looks_like_html(head: bytes) -> bool:
    """Do these first bytes start a web page (and not a PDF)?"""
    return b"%PDF-" not in head and bool(_MARKUP_RE.search(head[:HEAD_SIZE]))


def is_web_page(head: bytes, name: str) -> bool:
    """A web page to read as a report: markup, and not named .pdf (a page saved under a
    PDF's name is a failed download, a site's error page: refused as not a PDF)."""
    return looks_like_html(head) and not name.lower().endswith(".pdf")


def _css_escape(name: str) -> str:
    """An id or class name as a CSS identifier (what CSS.escape does, for the usual
    cases): characters other than letters, digits, "-", "_" and non-ASCII escaped, and a
    leading digit."""
    escaped = "".join(ch if ch.isalnum() or ch in "-_" or ord(ch) > 0x7F else f"\\{ch}"
                      for ch in name)
    return f"\\3{escaped[0]} {escaped[1:]}" if escaped[:1].isdigit() else escaped


@dataclass(eq=False)  # elements compare by identity (a tree's parent links loop)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    def css_path(self) -> str:
        """A selector of this element in a browser's DOM, e.g. `body > div.content >
        table:nth-of-type(3) > tbody > tr:nth-of-type(5) > td:nth-of-type(2)`: a browser
        puts a table's bare rows in a <tbody>, so one is named where the markup has none."""
        parts: list[str] = []
        node: Element | None = self
        while node is not None and node.tag not in ("html", "#root"):
            parts.append(node._css_step())
            if node.tag == "tr" and node.parent is not None and node.parent.tag == "table":
                parts.append("tbody")
            node = node.parent
        return " > ".join(reversed(parts))

    def _css_step(self) -> str:
        """tag#id, tag:nth-of-type(n) among same-tag siblings, else tag.class."""
        if self.attrs.get("id", "").strip():
            return f"{self.tag}#{_css_escape(self.attrs['id'].strip())}"
        siblings = self.parent.children if self.parent else []
        same = [c for c in siblings if isinstance(c, Element) and c.tag == self.tag]
        if len(same) > 1:
            return f"{self.tag}:nth-of-type({next(i for i, e in enumerate(same) if e is self) + 1})"
        classes = self.attrs.get("class", "").split()
        return self.tag + "".join(f".{_css_escape(name)}" for name in classes)

    def elements(self, tag: str | None = None) -> list[Element]:
        """Descendants in document order (of one tag, if given)."""
        found: list[Element] = []
        stack = [c for c in reversed(self.children) if isinstance(c, Element)]
        while stack:
            node = stack.pop()
            if tag is None or node.tag == tag:
                found.append(node)
            stack.extend(c for c in reversed(node.children) if isinstance(c, Element))
        return found


class _TreeBuilder(HTMLParser):
    """A forgiving tree: unclosed <td>/<tr>/<p> close where the next one opens, stray end
    tags close up to their element, as browsers (and Word's markup) need."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.node = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        closes = _IMPLIED_END.get(tag, set())
        if closes:
            self._close_implied(closes, stop={"table"} if tag in ("td", "th", "tr") else set())
        element = Element(tag, {k.lower(): v or "" for k, v in attrs}, self.node)
        self.node.children.append(element)
        if tag not in _VOID:
            self.node = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.node.children.append(Element(tag, {k.lower(): v or "" for k, v in attrs},
                                          self.node))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.node
        while node is not None and node.tag != tag:
            if tag in ("td", "th", "tr") and node.tag == "table":
                return  # an end tag of an outer table's cell does not close this table
            node = node.parent
        if node is not None and node.parent is not None:
            self.node = node.parent

    def handle_data(self, data: str) -> None:
        self.node.children.append(data)

    def _close_implied(self, tags: set[str], stop: set[str]) -> None:
        node: Element | None = self.node
        while node is not None and node.tag not in stop:
            if node.tag in tags:
                self.node = node.parent or self.root
                return
            node = node.parent


# --- decoding ------------------------------------------------------------------------------


def decode_page(data: bytes) -> str:
    """The page's text in the encoding it declares (see the module docstring)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    match = _CHARSET_RE.search(data[:HEAD_SIZE * 4])
    declared = match.group(1).decode("ascii").lower() if match else None
    tried = [_ENCODING_ALIASES.get(declared, declared)] if declared else []
    for encoding in (*tried, "utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode(tried[0] if tried else "utf-8", errors="replace")


def parse_page(text: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


# --- text ----------------------------------------------------------------------------------


def element_text(element: Element) -> str:
    """Text as a browser lays it out: block elements and <br> break lines, runs of spaces
    (and &nbsp;) inside a line are kept as one space, lines trimmed, empty lines dropped."""
    pieces: list[str] = []

    def walk(node: Element) -> None:
        for child in node.children:
            if isinstance(child, str):
                pieces.append(re.sub(r"[ \t\r\n\f]+", " ", child))
            elif child.tag not in _SKIP:
                block = child.tag in _BLOCKS
                if block:
                    pieces.append("\n")
                walk(child)
                if block:
                    pieces.append("\n")

    walk(element)
    lines = ("".join(pieces)).replace("\xa0", " ").split("\n")
    return unify_radicals("\n".join(s for line in lines if (s := re.sub(r" +", " ", line).strip())))


# --- the page ------------------------------------------------------------------------------


@dataclass
class HtmlPage:
    source_file: str
    grids: dict[str, Grid]
    agency: str | None
    year: int | None
    tables: int  # tables holding data (innermost) on the page


def read_html(path: str | os.PathLike[str], source_file: str | None = None) -> HtmlPage:
    """The report tables of a page; NoTablesError (the PDF path's words) without them."""
    path = Path(path)
    name = source_file or path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise NotAPdfError(name, "file not found") from error
    root = parse_page(decode_page(data))
    every = root.elements("table")  # a locator counts all the page's tables (1-based)
    number = {id(t): n for n, t in enumerate(every, 1)}
    tables = [t for t in every if not t.elements("table")]
    parts = [p for i, t in enumerate(tables)
             if (p := _table_part(t, i, number[id(t)])) is not None]
    if not parts:
        raise NoTablesError(name, "no ruled tables found in the report")
    assign_sections(parts, _headings(root, tables))
    grids = _grids(parts)
    if not grids:
        raise NoTablesError(
            name, "no statistical tables found (no table under headings 二/三/四 matches a "
                  "template)")
    agency, year = page_metadata(root)
    return HtmlPage(name, grids, agency, year, len(parts))


def _table_part(table: Element, index: int, number: int) -> TablePart | None:
    """A table as a part (page 1, its index as its place), or None for a table of less than
    two rows and two columns (layout, a search box). `number`: the table's place among all
    the page's tables, 1-based (its cells' locators name it)."""
    cells = table_cells(table, number)
    if not cells:
        return None
    n_rows = max(c.last_row for c in cells) + 1
    n_cols = max(c.last_col for c in cells) + 1
    if n_rows < 2 or n_cols < 2:
        return None
    place = BBox(0.0, float(index), 0.0, index + 0.5)
    return TablePart(1, place, [], [], cells, n_rows=n_rows, n_cols=n_cols)


def table_cells(table: Element, number: int = 1) -> list[GridCell]:
    """The table's cells on its grid (the HTML table model: a cell takes the first column
    free of cells spanning down from rows above), then columns and rows no cell has alone
    (Word's ghost columns, a height=0 row of empty cells) dropped. Each cell's locator:
    "table N, row R, column C: CSS path" (`number` N, R and C on that grid, 1-based)."""
    rows = [tr for tr in table.elements("tr") if _nearest_table(tr) is table]
    taken: set[tuple[int, int]] = set()
    placed: list[tuple[int, int, int, int, Element]] = []
    for r, tr in enumerate(rows):
        col = 0
        for td in (c for c in tr.children if isinstance(c, Element) and c.tag in ("td", "th")):
            while (r, col) in taken:
                col += 1
            row_span = max(1, min(_int(td.attrs.get("rowspan")), len(rows) - r))
            col_span = max(1, min(_int(td.attrs.get("colspan")), 1000))
            for dr in range(row_span):
                for dc in range(col_span):
                    taken.add((r + dr, col + dc))
            placed.append((r, col, row_span, col_span, td))
            col += col_span
    texts = {id(td): element_text(td) for *_, td in placed}
    placed = [p for p in placed if not _empty_row_cell(p, placed, texts)]
    keep_rows = _owned(placed, 0, 2)
    keep_cols = _owned(placed, 1, 3)
    cells = []
    for r, c, rs, cs, td in placed:
        rows_kept = [x for x in range(r, r + rs) if x in keep_rows]
        cols_kept = [x for x in range(c, c + cs) if x in keep_cols]
        if not rows_kept or not cols_kept:
            continue
        row, col = keep_rows[rows_kept[0]], keep_cols[cols_kept[0]]
        locator = f"table {number}, row {row + 1}, column {col + 1}: {td.css_path()}"
        cells.append(GridCell(row, col, len(rows_kept), len(cols_kept), texts[id(td)], None,
                              None, locator=locator))
    return sorted(cells, key=lambda c: (c.row, c.col))


def _nearest_table(node: Element) -> Element | None:
    parent = node.parent
    while parent is not None and parent.tag != "table":
        parent = parent.parent
    return parent


def _int(text: str | None) -> int:
    match = re.match(r"\s*(\d+)", text or "")
    return int(match.group(1)) if match else 1


def _empty_row_cell(cell: tuple, placed: list[tuple], texts: dict[int, str]) -> bool:
    """A cell of a row whose every cell is empty and one row tall (Word's height=0 row)."""
    row = cell[0]
    mine = [p for p in placed if p[0] == row]
    spanning = any(p[0] < row <= p[0] + p[2] - 1 for p in placed)
    return not spanning and all(p[2] == 1 and not texts[id(p[4])] for p in mine)


def _owned(placed: list[tuple], start: int, span: int) -> dict[int, int]:
    """Old index -> new index of the rows (or columns) some cell covers alone: a line no
    cell has to itself separates nothing."""
    owned = sorted({p[start] for p in placed if p[span] == 1})
    return {old: new for new, old in enumerate(owned)}


def _headings(root: Element, tables: list[Element]) -> list[Heading]:
    """Section headings in the text between tables, placed by the index of the table after
    them (a heading before table i sits just above it)."""
    headings: list[Heading] = []
    index = 0
    table_ids = {id(t): i for i, t in enumerate(tables)}
    for kind, item in _flow(root, table_ids):
        if kind == "table":
            index = item + 1
            continue
        for line in item.split("\n"):
            is_heading, name = match_heading(line)
            if is_heading:
                top = index - 0.25
                headings.append(Heading(1, top, top, name))
    return headings


def _flow(root: Element, table_ids: dict[int, int]) -> list[tuple[str, object]]:
    """The page in document order: ("text", a block's own text) and ("table", its index)."""
    flow: list[tuple[str, object]] = []

    def walk(node: Element) -> None:
        own: list[str] = []
        for child in node.children:
            if isinstance(child, str):
                own.append(child)
            elif child.tag in _SKIP:
                continue
            elif id(child) in table_ids:
                _flush(own)
                flow.append(("table", table_ids[id(child)]))
            elif child.tag in _BLOCKS:
                _flush(own)
                walk(child)
            else:
                own.append(_inline_text(child))
        _flush(own)

    def _flush(own: list[str]) -> None:
        text = element_text(Element("p", {}, None, list(own)))
        if text:
            flow.append(("text", text))
        own.clear()

    walk(root)
    return flow


def _inline_text(node: Element) -> str:
    return "".join(c if isinstance(c, str) else ("\n" if c.tag == "br" else _inline_text(c))
                   for c in node.children if isinstance(c, str) or c.tag not in _SKIP)


def _grids(parts: list[TablePart]) -> dict[str, Grid]:
    """One grid per section: its tables' rows one under the other."""
    grids: dict[str, Grid] = {}
    for name in TABLE_NAMES:
        mine = [p for p in parts if p.section == name]
        if not mine:
            continue
        cells: list[GridCell] = []
        offset = 0
        for part in mine:
            for cell in part.cells:
                cell.row += offset
                cells.append(cell)
            offset += part.n_rows
        grids[name] = Grid(cells, offset, max(p.n_cols for p in mine), [], section=name)
    return grids


# --- metadata ------------------------------------------------------------------------------


def page_metadata(root: Element) -> tuple[str | None, int | None]:
    """(agency, year) from the first of: a heading that reads as a report title, a title
    meta tag, <title>; navigation (menus, breadcrumbs, sidebars, footers) never counts."""
    content = [e for e in root.elements() if not _in_chrome(e)]
    candidates = [element_text(e) for e in content if e.tag in _HEADING_TAGS]
    candidates += [text for e in content if e.tag in ("p", "div", "span", "b", "strong")
                   and not e.elements("table") and len(text := element_text(e)) <= MAX_TITLE]
    metas = {m.attrs.get("name", m.attrs.get("property", "")).lower(): m.attrs.get("content", "")
             for m in root.elements("meta")}
    candidates += [metas[key] for key in _TITLE_META if metas.get(key)]
    candidates += [element_text(t) for t in root.elements("title")]
    year_only: tuple[str | None, int | None] = (None, None)
    for text in candidates:
        agency, year = parse_title(text.replace("\n", ""))
        if agency and year:
            return agency, year
        if year and year_only == (None, None):
            year_only = (None, year)
    return year_only


def _in_chrome(element: Element) -> bool:
    node: Element | None = element
    while node is not None:
        if node.tag in _CHROME_TAGS:
            return True
        marks = f"{node.attrs.get('class', '')} {node.attrs.get('id', '')}"
        if _CHROME_WORDS.search(marks):
            return True
        node = node.parent
    return False
