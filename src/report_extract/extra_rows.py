"""The values of rows an agency adds to a table (行政确认, 其中：网上申请 …).

Normalize places the template's rows and reports any other labelled row as an
"unplaced_row" problem (its label, page and box). Here the row's value cells are found
again in the table's grid, under the columns the placed cells of the same grid show, so
the numbers are kept beside the label instead of being lost. A web page's cells have no
page and box: they are found by their locator.
"""

from __future__ import annotations

from report_extract.models import BBox, CanonicalTable, ExtraRow, Grid, GridCell
from report_extract.templates import TABLE_COLUMNS
from report_extract.textclean import clean_text, parse_amount_wan, parse_number

UNPLACED_ROW = "unplaced_row"


def extra_rows(grids: dict[str, Grid], tables: dict[str, CanonicalTable]) -> list[ExtraRow]:
    found: list[ExtraRow] = []
    for name, table in tables.items():
        grid = grids.get(name)
        if grid is None:
            continue
        columns: Placed | None = None  # found once, for a table with an extra row only
        for problem in table.problems:
            if problem.kind != UNPLACED_ROW or not problem.raw_text:
                continue
            label = _cell_of(grid, problem.page, problem.bbox, problem.locator)
            if label is not None:
                columns = _column_keys(grid, table) if columns is None else columns
                found += _row_values(name, grid, label, clean_text(problem.raw_text), columns)
    return found


Placed = dict[tuple[int, int], list[tuple[int, str]]]


def _column_keys(grid: Grid, table: CanonicalTable) -> Placed:
    """(grid column, span) -> [(grid row, canonical column key)] of the placed cells: a
    value of an extra row takes the key of the nearest placed cell shaped like it (table
    二's blocks put different columns at one position)."""
    placed: Placed = {}
    for cell in table.cells:
        grid_cell = _cell_of(grid, cell.page, cell.bbox, cell.locator)
        if grid_cell is not None:
            placed.setdefault((grid_cell.col, grid_cell.col_span), []).append(
                (grid_cell.row, cell.column))
    return placed


def _column_of(cell: GridCell, row: int, placed: Placed) -> str | None:
    candidates = placed.get((cell.col, cell.col_span), [])
    # The nearest row; at equal distance the one above (a block's own header is above).
    best = min(candidates, key=lambda c: (abs(c[0] - row), c[0] > row), default=None)
    return best[1] if best else None


def _cell_of(grid: Grid, page: int | None, box: BBox | None, locator: str | None
             ) -> GridCell | None:
    """The grid cell a value or label was read from: by its locator (a web page's cell),
    else by its page and box; None without either."""
    if locator is not None:
        return next((c for c in grid.cells if c.locator == locator), None)
    return _cell_at(grid, page, box) if box is not None else None


def _cell_at(grid: Grid, page: int | None, box: BBox) -> GridCell | None:
    x, y = box.center
    inside = [c for c in grid.cells if c.page == page and c.bbox.contains_point(x, y, 0.5)]
    return min(inside, key=lambda c: (c.bbox.x1 - c.bbox.x0) * (c.bbox.bottom - c.bbox.top),
               default=None)


def _row_values(table: str, grid: Grid, label: GridCell, text: str,
                placed: Placed) -> list[ExtraRow]:
    amounts = {spec.key for spec in TABLE_COLUMNS[table] if spec.decimal}
    values = [c for c in grid.cells_covering_row(label.row)
              if c.col > label.last_col and c.row_span <= label.row_span]
    rows = []
    for cell in values:
        column = _column_of(cell, label.row, placed)
        if column is None:
            continue  # a cell under no known column: its text stays in the PDF's problems
        value, _ = parse_amount_wan(cell.text) if column in amounts else parse_number(cell.text)
        rows.append(ExtraRow(table, text, column, value, cell.text, cell.page, cell.bbox,
                             cell.locator))
    return rows
