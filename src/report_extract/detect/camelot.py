"""Detect with camelot: camelot's tables -> our TableParts -> sections -> Grids.

A second detector backend, so the benchmark can compare ours with camelot on the same
files. camelot finds the ruled tables (lattice: renders each page with pypdfium2 and finds
the lines with OpenCV) and assigns text to cells; everything after that is shared with
our own detector: sections from the headings (`detect.assign_sections`) and tables joined
across pages (`detect.join_parts`), so the two backends differ only in what camelot sees.

A section whose heading is printed but has no ruled table under it (a borderless table)
is read again with camelot's stream parser, restricted to the area below that heading.

Cell text is camelot's own by default. camelot 2.0 reads text with playa, whose glyph boxes
for the CFF CJK fonts LibreOffice embeds (Noto) sit about one font size too low, so text
lands in the row below; `text_from="document"` fills camelot's cells with our ingested
characters instead, to compare the table structure alone.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

from report_extract.detect.ruled import (
    Heading,
    TablePart,
    assign_sections,
    chars_to_text,
    find_headings,
    parts_to_grids,
    section_regions,
)
from report_extract.errors import DetectError, NoTablesError
from report_extract.models import BBox, Char, Document, Grid, GridCell, Page
from report_extract.textclean import looks_numeric

# split_text: pdfminer joins the numbers of neighbouring narrow cells into one text line
# ("0  0"); split it at the cell borders instead of giving it all to one cell.
LATTICE_OPTIONS: dict[str, Any] = {"split_text": True}
STREAM_OPTIONS: dict[str, Any] = {"split_text": True}
# Confidence of a cell holding several numbers on separate lines: camelot ran two columns
# (stream) or rows together, and "5\n0" must not be read as 50. Below normalize's 0.9,
# so the value is reported uncertain instead.
STACKED_NUMBERS_CONFIDENCE = 0.5
TEXT_SOURCES = ("camelot", "document")


def detect_tables_camelot(document: Document, *, text_from: str = "camelot") -> dict[str, Grid]:
    """The three canonical tables' grids (those found), keyed by table name."""
    if text_from not in TEXT_SOURCES:
        raise ValueError(f"text_from must be one of {TEXT_SOURCES}, not {text_from!r}")
    lattice = _read(document, "all", "lattice", LATTICE_OPTIONS)
    parts = _parts_from(document, lattice, text_from)
    headings = find_headings(document, parts)
    assign_sections(parts, headings)
    unruled = {h.section for h in headings if h.section} - {p.section for p in parts}
    parts += _stream_parts(document, headings, parts, unruled, text_from)
    if not parts:
        raise NoTablesError(document.source_file, "camelot found no tables in the report")
    return parts_to_grids(document, parts)


# --- camelot tables -> table parts --------------------------------------------------------


def _read(document: Document, pages: str, flavor: str, options: dict[str, Any]) -> list[Any]:
    import camelot  # heavy (OpenCV, pandas): only when this backend is chosen

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "No tables found on page-N" for every text page
            return list(camelot.read_pdf(document.path, pages=pages, flavor=flavor,
                                         suppress_stdout=True, **options))
    except Exception as error:  # camelot raises many kinds; the report fails, not the batch
        raise DetectError(document.source_file,
                          f"camelot {flavor} failed ({type(error).__name__}: {error})") from error


def _parts_from(document: Document, tables: Iterable[Any], text_from: str) -> list[TablePart]:
    pages = {page.number: page for page in document.pages}
    parts = []
    for table in tables:
        page = pages[int(table.page)]
        chars = page.chars if text_from == "document" else None
        parts.append(table_to_part(table, page.height, chars))
    return [p for p in parts if p.n_rows >= 1 and p.n_cols >= 2]


def table_to_part(table: Any, page_height: float, chars: list[Char] | None = None) -> TablePart:
    """One camelot Table as a TablePart: merged cells rebuilt from the cell border flags.

    camelot keeps a full base grid (`table.cells[row][col]`, PDF coordinates with the
    origin bottom-left) and marks on each base cell which of its borders are ruled; two
    neighbours with no ruling between them belong to one merged cell. With `chars`, the
    text of each cell is made from them rather than taken from camelot.
    """
    n_rows, n_cols = len(table.rows), len(table.cols)
    xs = [c[0] for c in table.cols] + [table.cols[-1][1]]
    ys = [page_height - r[0] for r in table.rows] + [page_height - table.rows[-1][1]]
    groups = _merged_groups(table.cells, n_rows, n_cols)
    page = int(table.page)
    cells = [_make_cell(table.cells, members, page, page_height, chars) for members in groups]
    cells.sort(key=lambda c: (c.row, c.col))
    bbox = BBox(xs[0], ys[0], xs[-1], ys[-1])
    return TablePart(page, bbox, xs, ys, cells, n_rows=n_rows, n_cols=n_cols)


def _merged_groups(cells: list[list[Any]], n_rows: int, n_cols: int) -> list[list[tuple[int, int]]]:
    """Base cells grouped into merged cells: union of neighbours with no ruling between."""
    parent = {(r, c): (r, c) for r in range(n_rows) for c in range(n_cols)}

    def find(item: tuple[int, int]) -> tuple[int, int]:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for r in range(n_rows):
        for c in range(n_cols):
            cell = cells[r][c]
            if c + 1 < n_cols and not (cell.right or cells[r][c + 1].left):
                parent[find((r, c))] = find((r, c + 1))
            if r + 1 < n_rows and not (cell.bottom or cells[r + 1][c].top):
                parent[find((r, c))] = find((r + 1, c))
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for item in parent:
        groups.setdefault(find(item), []).append(item)
    return list(groups.values())


def _make_cell(
    cells: list[list[Any]], members: list[tuple[int, int]], page: int, page_height: float,
    chars: list[Char] | None,
) -> GridCell:
    rows = [r for r, _ in members]
    cols = [c for _, c in members]
    r0, r1, c0, c1 = min(rows), max(rows), min(cols), max(cols)
    top_left, bottom_right = cells[r0][c0], cells[r1][c1]
    bbox = BBox(top_left.lb[0], page_height - top_left.rt[1],
                bottom_right.rt[0], page_height - bottom_right.lb[1])
    if chars is None:
        # camelot shifts a merged cell's text to its top-left base cell; join all the same,
        # in reading order, in case a text line stayed where it was printed.
        texts = [cells[r][c].text.strip() for r, c in sorted(members)]
        text = "\n".join(t for t in texts if t)
    else:
        text = chars_to_text([ch for ch in chars if bbox.contains_point(*ch.bbox.center)])
    return GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, text, page, bbox, _confidence(text))


def _confidence(text: str) -> float:
    numbers = [line for line in text.splitlines() if line.strip() and looks_numeric(line)]
    return STACKED_NUMBERS_CONFIDENCE if len(numbers) >= 2 else 1.0


# --- borderless tables: stream under the headings of missing sections -----------------------


def _stream_parts(
    document: Document, headings: list[Heading], ruled: list[TablePart], missing: set[str],
    text_from: str,
) -> list[TablePart]:
    parts: list[TablePart] = []
    for name in sorted(missing):
        for page, top, bottom in section_regions(document, headings, name):
            # camelot stream crashes (TypeError) on an area without text
            if not _has_text(page, top, bottom) or _holds_ruled_table(ruled, page.number, top,
                                                                        bottom):
                continue
            options = dict(STREAM_OPTIONS, table_areas=[_area(page, top, bottom)])
            tables = _read(document, str(page.number), "stream", options)
            for part in _parts_from(document, tables, text_from):
                part.section = name
                parts.append(part)
    return parts


def _has_text(page: Page, top: float, bottom: float) -> bool:
    return any(top <= ch.bbox.center[1] <= bottom for ch in page.chars)


def _holds_ruled_table(ruled: list[TablePart], page: int, top: float, bottom: float) -> bool:
    """A ruled table in the region went to another section by its content; stream would
    only read it again, worse."""
    return any(p.page == page and p.bbox.top < bottom and p.bbox.bottom > top for p in ruled)


def _area(page: Page, top: float, bottom: float) -> str:
    """camelot's table_areas: "x1,y1,x2,y2", left-top and right-bottom, origin bottom-left."""
    return f"0,{page.height - top:.2f},{page.width:.2f},{page.height - bottom:.2f}"
