"""Normalize: Grid -> CanonicalTable (canonical keys, parsed values, provenance).

A label that cannot be placed is reported as a Problem, never forced onto a key; a value
that cannot be read is kept as raw text with a reason, never guessed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import reduce

from report_extract.models import BBox, CanonicalCell, CanonicalTable, Grid, GridCell, Problem
from report_extract.normalize.doubt import (
    Findings,
    apply_table_doubts,
    by_position_reason,
    maybe_misread,
    note_by_position,
    read_by_ocr,
    run_together,
    spanning_reason,
    split_cell,
    value_doubt,
)
from report_extract.normalize.labels import LabelMatch, match_label
from report_extract.normalize.numbering import label_numberings
from report_extract.normalize.tree import (
    Alignment,
    best_by_words,
    best_run_together,
    flag_unplaced,
    leaf_paths,
    out_of_order,
    parent_reason,
    placed_by_order,
)
from report_extract.templates import (
    ACTIVE_COLUMNS,
    ACTIVE_ROWS,
    APPLICATION_COLUMNS,
    APPLICATION_ROWS,
    RESULTS_BLOCK_LABEL,
    REVIEW_COLUMNS,
    REVIEW_ROWS,
    SIGNED_COLUMNS,
    LabelSpec,
    expected_cells,
    spec_for,
)
from report_extract.textclean import (
    clean_text,
    label_key,
    looks_numeric,
    parse_amount_wan,
    parse_number,
)

MIN_VALUES_IN_DATA_ROW = 1
LABEL_DIGITS = 0.5  # see _value_columns


@dataclass
class _Row:
    index: int
    labels: list[GridCell]  # label cells covering the row, left to right
    values: list[GridCell]  # value cells starting in the row, left to right


def _is_value(cell: GridCell) -> bool:
    return bool(cell.text.strip()) and looks_numeric(cell.text)


def _value_columns(grid: Grid) -> set[int]:
    """Columns that hold numbers in some row (single-column value cells), but for label
    columns: one left of the first value column that holds more labels than numbers, and
    numbers in fewer than LABEL_DIGITS of the rows the fullest column does, holds labels
    and a number in it is a misread label ("1" for a wrapped （二）部分公开… label; taken
    for a value column, it left every row without a label and the table empty). A sparse
    value column (cells left blank) has no labels in it."""
    numbers = Counter(c.col for c in grid.cells if _is_value(c))
    if not numbers:
        return set()
    words = Counter(c.col for c in grid.cells if c.text.strip() and not _is_value(c))
    most = max(numbers.values())
    first = min(col for col, n in numbers.items()
                if n >= LABEL_DIGITS * most or words[col] <= n)
    return {col for col in numbers if col >= first}


def _data_columns(rows: list[_Row]) -> list[int]:
    """Columns holding text in a data row: numbers, and what could not be read as one
    (a column whose only value is OCR junk must still be reported, not dropped)."""
    return sorted({v.col for r in rows for v in r.values if v.text.strip()})


def _split_rows(grid: Grid, first_value_col: int) -> list[_Row]:
    rows = []
    for index, covering in enumerate(grid.cells_covering_rows()):
        labels = [c for c in covering if c.last_col < first_value_col and c.text.strip()]
        values = [c for c in covering if c.row == index and c.col >= first_value_col]
        rows.append(_Row(index, labels, values))
    return rows


def _parse(cell: GridCell | None, decimal: bool, signed: bool = False
           ) -> tuple[int | float | None, str, str | None]:
    """Value, raw text and the reason it cannot be trusted."""
    if cell is None:
        return None, "", None
    value, reason = parse_amount_wan(cell.text) if decimal else parse_number(cell.text)
    if reason is None and not decimal and isinstance(value, float):  # "2.487" for 2,487
        reason = f"a count printed with a decimal point: {cell.text.strip()!r}"
    if reason is None:  # doubts about a value as read (normalize.doubt)
        reason = value_doubt(cell, value, signed)
    return value, cell.text.strip(), reason


def _canonical_cell(
    table: CanonicalTable, row: str, column: str, cell: GridCell | None, decimal: bool = False
) -> CanonicalCell:
    value, raw, reason = _parse(cell, decimal, column in SIGNED_COLUMNS)
    if reason:
        return _uncertain_cell(table, row, column, cell, reason)
    page = cell.page if cell else None
    bbox = cell.bbox if cell else None
    return CanonicalCell(table.name, row, column, value, raw, page, bbox, None,
                         locator=cell.locator if cell else None)


def _uncertain_cell(
    table: CanonicalTable, row: str, column: str, cell: GridCell | None, reason: str
) -> CanonicalCell:
    """A null value kept with its raw text and the reason, and reported as a problem."""
    raw = cell.text.strip() if cell else ""
    page = cell.page if cell else None
    bbox = cell.bbox if cell else None
    locator = cell.locator if cell else None
    return table.refuse(CanonicalCell(table.name, row, column, None, raw, page, bbox,
                                      locator=locator), reason)


@dataclass
class _RowCells:
    """A data row's value cells by keyed column (see _cells_by_column)."""

    single: dict[int, GridCell]
    spanning: dict[int, GridCell]  # one cell over several keyed columns
    split: dict[int, list[GridCell]]  # several cells under one column's header


def _cells_by_column(
    values: list[GridCell], columns: dict[int, str], parts: dict[int, int] | None = None
) -> _RowCells:
    """Each keyed column's value cell, and apart the columns whose value cell spans
    several keyed columns (a rule lost in a scan) and those whose cell is cut in parts
    under their one header (a seal stroke taken for a rule): those cannot be assigned.
    `parts`: grid columns under a keyed column's header cell, to that column."""
    parts = parts or {}
    rows = _RowCells({}, {}, {})
    in_parts: dict[int, list[GridCell]] = {}
    for value in values:
        covered = [col for col in columns if value.col <= col <= value.last_col]
        target = rows.spanning if len(covered) > 1 else rows.single
        target.update(dict.fromkeys(covered, value))
        owners = {parts[c] for c in range(value.col, value.last_col + 1) if c in parts}
        if not covered and len(owners) == 1:
            in_parts.setdefault(owners.pop(), []).append(value)
    for col, cells in in_parts.items():
        if col in rows.single:
            rows.split[col] = [rows.single[col], *cells]
        elif len(cells) == 1:
            rows.single[col] = cells[0]
        else:
            rows.split[col] = cells
    return rows


def _column_cell(
    table: CanonicalTable, key: str, col: int, columns: dict[int, str], cells: _RowCells,
    doubts: dict[int, str] | None = None,
) -> CanonicalCell:
    """The canonical cell of a data row (key) in a keyed column, from _cells_by_column;
    uncertain where `doubts` (see _run_together_headers) has a reason for the column."""
    cell = _column_value(table, key, col, columns, cells)
    reason = (doubts or {}).get(col)
    if reason and cell.uncertain is None and col in cells.single:
        table.refuse(cell, reason)
    return cell


def _run_together_headers(grid: Grid, columns: dict[int, str], header_end: int,
                          specs: Sequence[LabelSpec]) -> dict[int, str]:
    """The keyed columns whose OCR'd header is two run together (doubt.run_together):
    col -> reason."""
    spec_of = {spec.key: spec for spec in specs}
    doubts: dict[int, str] = {}
    for col, key in columns.items():
        leaf = _header_leaf(grid, col, header_end)
        if leaf is not None and (reason := run_together(leaf, spec_of[key])):
            doubts[col] = reason
    return doubts


def _column_value(
    table: CanonicalTable, key: str, col: int, columns: dict[int, str], cells: _RowCells,
) -> CanonicalCell:
    if col in cells.spanning:
        shared = [columns[c] for c in columns if cells.spanning.get(c) is cells.spanning[col]]
        return _uncertain_cell(table, key, columns[col], cells.spanning[col],
                               spanning_reason(shared))
    if col in cells.split:
        joined, reason = split_cell(cells.split[col])
        return _uncertain_cell(table, key, columns[col], joined, reason)
    return _canonical_cell(table, key, columns[col], cells.single.get(col))


def _unplaced(table: CanonicalTable, kind: str, cell: GridCell, reason: str) -> None:
    text = clean_text(cell.text)
    table.problems.append(
        Problem(table.name, kind, f"label {text!r} not placed: {reason}", cell.text, cell.page,
                cell.bbox, locator=cell.locator)
    )


def _place_row(
    table: CanonicalTable, specs: Sequence[LabelSpec], leaf: GridCell,
    parents: Sequence[GridCell], alignment: Alignment,
) -> str | None:
    """The template leaf a row's last label names (aligned to the template tree: its
    numbering must agree with the leaf's path), recorded in `alignment`; else None and
    the label reported as not placed."""
    group = " ".join(p.text for p in parents)
    match = match_label(leaf.text, specs, group, paths=leaf_paths(table.name),
                        printed=_numbered_labels([*parents, leaf]))
    if match.spec is None:
        _unplaced(table, "unplaced_row", leaf, match.reason)
        return None
    if match.spec.key in alignment.rows:
        _unplaced(table, "duplicate_row", leaf, f"{match.spec.key} was already read above")
        return None
    alignment.place_row(match.spec.key, match.score)
    return match.spec.key


def _place_blank_row(table: CanonicalTable, specs: Sequence[LabelSpec], leaf: GridCell,
                     parents: Sequence[GridCell], columns: Iterable[str], read: _Placing,
                     first_value_col: int = 0) -> None:
    """A row printed with a label and no values (its cells blank) is placed as printed:
    its cells are null, absent in the report, not missing. Only from a text layer: an
    OCR'd label without values may have lost them, so its cells stay unplaced (missing).
    Parents ("（三）不予公开" on a line of its own), labels naming no template row or one
    placed already (a wrapped label's second line) are passed over without a word."""
    if read_by_ocr([leaf, *parents]) or parent_reason(table.name, read.grid, leaf,
                                                     first_value_col):
        return
    match = match_label(leaf.text, specs, " ".join(p.text for p in parents),
                        paths=leaf_paths(table.name), printed=_numbered_labels([*parents, leaf]))
    if match.spec is None or match.spec.key in read.alignment.rows:
        return
    read.alignment.place_row(match.spec.key, match.score)
    read.alignment.place_columns(match.spec.key, dict.fromkeys(columns, 1.0))
    read.placed.append((match.spec.key, leaf))


@dataclass
class _Placing:
    """The rows of a grid placed so far: the alignment, and (key, label) in grid order."""

    grid: Grid
    alignment: Alignment
    placed: list[tuple[str, GridCell]]


def _numbered_labels(labels: Sequence[GridCell]) -> list[str]:
    """The texts of a row's labels whose numbering speaks for the row: not a label below
    another in the same column (a borderless wrapped label's line, "1、申请" under the
    end of "5、要求…", begins the next row's label)."""
    kept: list[GridCell] = []
    for cell in labels:
        if not any(k.col <= cell.last_col and cell.col <= k.last_col for k in kept):
            kept.append(cell)
    return [cell.text for cell in kept]


def _refuse_out_of_order(table: CanonicalTable, alignment: Alignment,
                         placed: list[tuple[str, GridCell]], specs: Sequence[LabelSpec]
                         ) -> None:
    """Rows placed against the template's order are not placed: their cells are taken
    out and their labels reported (a misread label is not let take another row's key)."""
    placed.sort(key=lambda entry: (entry[1].row, entry[1].col))
    wrong = out_of_order([key for key, _ in placed], [spec.key for spec in specs])
    for index in sorted(wrong):
        key, leaf = placed[index]
        table.cells = [c for c in table.cells if c.row != key]
        alignment.rows.pop(key, None)
        alignment.columns.pop(key, None)
        _unplaced(table, "unplaced_row", leaf,
                  f"read as {key}, which the template prints elsewhere in the table's order")


# --- applications (table 三) ----------------------------------------------------------------


def _is_results_block(cell: GridCell) -> bool:
    return label_key(RESULTS_BLOCK_LABEL) in label_key(cell.text) or (
        cell.row_span > 8 and "办理结果" in label_key(cell.text)
    )


def _header_leaf(grid: Grid, col: int, header_end: int) -> GridCell | None:
    """The lowest header cell above the data that covers this column."""
    above = [c for c in grid.cells if c.row < header_end and c.col <= col <= c.last_col
             and c.text.strip()]
    return max(above, key=lambda c: (c.last_row, -c.col_span), default=None)


def _column_keys(
    table: CanonicalTable, grid: Grid, columns: list[int], header_end: int,
    specs: Sequence[LabelSpec], *, unique: bool = True,
) -> tuple[dict[int, str], dict[int, int]]:
    """Keyed value columns, and apart the grid columns under the same header cell as a
    keyed column (a rule found inside a cell in some row): parts of that column."""
    keys: dict[int, str] = {}
    parts: dict[int, int] = {}
    keyed_by_leaf: dict[int, int] = {}  # id of a keyed column's header cell -> the column
    for col in columns:
        leaf = _header_leaf(grid, col, header_end)
        if leaf is None:
            table.problems.append(Problem(table.name, "unplaced_column",
                                          f"column {col + 1} has no header", page=None))
            continue
        if id(leaf) in keyed_by_leaf:
            parts[col] = keyed_by_leaf[id(leaf)]
            continue
        match = match_label(leaf.text, specs)
        if match.spec is None:
            match = _stacked_header(grid, col, header_end, specs) or match
        if match.spec is None or unique and match.spec.key in keys.values():
            _unplaced(table, "unplaced_column", leaf, match.reason or "duplicate column")
            continue
        keys[col] = match.spec.key
        keyed_by_leaf[id(leaf)] = col
    return keys, parts


def _stacked_header(grid: Grid, col: int, header_end: int, specs: Sequence[LabelSpec]
                    ) -> LabelMatch | None:
    """The column's header read from all its lines, top to bottom, where a borderless
    header printed on several lines (社会/公益/组织) was cut into several rows: the lowest
    line alone ("组织") names nothing."""
    lines = sorted((c for c in grid.cells if c.row < header_end and c.col == col
                    and c.col_span == 1 and c.text.strip()), key=lambda c: c.row)
    if len(lines) < 2:
        return None
    match = match_label("".join(c.text for c in lines), specs)
    return match if match.spec is not None else None


def _column_by_position(
    grid: Grid, columns: list[int], keys: dict[int, str], header_end: int,
    specs: Sequence[LabelSpec],
) -> list[tuple[int, str, str]]:
    """The value columns whose header was not placed but which stand where the template's
    order puts a key still missing: (column, key, reason) each. Either its label's best
    key by its words is that key and its place among the headers read is the key's
    (tree.placed_by_order: "4'研机不" for 科研机构 under a seal), or it is then the one
    column left and the one key left, its label like no key ("其他" read "花", "自然人"
    read "白杰"). Its values are then reported as uncertain, not assigned: the label was
    not read (scan.uncertainty lets them stand where the checks confirm them)."""
    unplaced = [col for col in columns if col not in keys]
    if not unplaced:
        return []
    order = [spec.key for spec in specs]
    leaves = {col: _header_leaf(grid, col, header_end) for col in columns}
    levels = {leaf.last_row for col in keys if (leaf := leaves[col]) is not None}
    best = {col: best_by_words(leaf.text, specs) if _at_level(leaf, col, levels) else None
            for col in unplaced if (leaf := leaves[col]) is not None}
    best.update(_run_together_best(leaves, unplaced, keys, levels, specs))
    found = placed_by_order(columns, keys, best, order)
    # then the one column left, its label like no key, where the one key left is printed
    known = {**keys, **found}
    left = [col for col in unplaced if col not in found]
    missing = [key for key in order if key not in known.values()]
    if len(left) == 1 and len(missing) == 1 and not _names_another(leaves[left[0]], specs):
        placed = sorted({**known, left[0]: missing[0]}.items())
        indexes = [order.index(key) for _, key in placed]
        if indexes == sorted(indexes):
            found[left[0]] = missing[0]
    spec_of = {spec.key: spec for spec in specs}
    return [(col, key, by_position_reason(clean_text(leaves[col].text) if leaves[col] else "",
                                          spec_of[key]))
            for col, key in sorted(found.items())]


def _run_together_best(leaves: dict[int, GridCell | None], unplaced: list[int],
                       keys: dict[int, str], levels: set[int], specs: Sequence[LabelSpec]
                       ) -> dict[int, str | None]:
    """Each column under an unplaced header cell over several value columns, all
    unplaced (two headers run together where a seal hid the rule: "自然人业企业" over
    自然人 and 商业企业 in synth-107-0042): the keys, in the template's order and none
    placed, whose labels run together are closest to its words, one per column."""
    best: dict[int, str | None] = {}
    for leaf in {id(leaf): leaf for col in unplaced if (leaf := leaves[col]) is not None
                 }.values():
        under = [col for col in unplaced if leaves[col] is leaf]
        if len(under) < 2 or leaf.last_row not in levels or not all(
                leaf.col <= col <= leaf.last_col for col in under):
            continue
        window = best_run_together(leaf.text, specs, len(under), set(keys.values()))
        if window is not None:
            best.update(zip(under, window, strict=True))
    return best


def _at_level(leaf: GridCell, col: int, levels: set[int]) -> bool:
    """A header cell over this one column only, ending on the row the placed headers end
    on: at the level of its siblings (not a group label over several columns)."""
    return leaf.col == col == leaf.last_col and leaf.last_row in levels


def _names_another(leaf: GridCell | None, specs: Sequence[LabelSpec]) -> bool:
    """A header whose words are like some template key's: not a label unread, so never
    placed on order alone."""
    return leaf is not None and best_by_words(leaf.text, specs) is not None


@dataclass
class _Columns:
    """Table 三's value columns as read: keyed columns, their parts, the column placed by
    position, the doubted headers; and the alignment with the rows placed so far."""

    grid: Grid
    first_value_col: int
    keys: dict[int, str]
    parts: dict[int, int]
    by_position: list[tuple[int, str, str]]
    doubts: dict[int, str]
    alignment: Alignment
    placed: list[tuple[str, GridCell]]  # rows placed, in grid order: key, label cell


def _application_row(table: CanonicalTable, row: _Row, read: _Columns) -> str:
    """Read one data row of table 三 into canonical cells. Returns the row's label when
    OCR read it and it could not be placed (perhaps a misread template row), else ""."""
    labels = [c for c in row.labels if not _is_results_block(c)]
    if not labels:
        table.problems.append(Problem(table.name, "unplaced_row",
                                      f"row {row.index + 1} has values but no label",
                                      page=row.values[0].page, bbox=row.values[0].bbox))
        return f"row {row.index + 1}" if read_by_ocr(row.values) else ""
    leaf, parents = _label_split_in_row(labels, row.index)
    parent = parent_reason(table.name, read.grid, leaf, read.first_value_col)
    if parent is not None:  # "（三）不予公开" alone: its values are no row's (issue 17)
        _unplaced(table, "unplaced_row", leaf, parent)
        return clean_text(leaf.text) if read_by_ocr(row.values) else ""
    key = _place_row(table, APPLICATION_ROWS, leaf, parents, read.alignment)
    if key is None:
        return clean_text(leaf.text) if maybe_misread(leaf, APPLICATION_ROWS) else ""
    read.placed.append((key, leaf))
    cells = _cells_by_column(row.values, read.keys, read.parts)
    for col in read.keys:
        table.cells.append(_column_cell(table, key, col, read.keys, cells, read.doubts))
    read.alignment.place_columns(key, dict.fromkeys(read.keys.values(), 1.0))
    for col, column, reason in read.by_position:
        value = next((v for v in row.values if v.col <= col <= v.last_col), None)
        shared = [read.keys.get(c, k) for c, k, _ in read.by_position
                  if value is not None and value.col <= c <= value.last_col]
        if len(shared) > 1:  # one value under two columns placed by order: whose?
            reason = spanning_reason(shared)
        table.cells.append(_uncertain_cell(table, key, column, value, reason))
    return ""


def _label_split_in_row(labels: list[GridCell], index: int
                        ) -> tuple[GridCell, list[GridCell]]:
    """The row's leaf label and its parents. A wrapped label whose lines OCR put into
    the label column's cells side by side ("（二）部分公开（区分处理的…" | "只计这一情形" |
    "不计" in synth-107-0049) is read as one label: where the last cell names no row,
    the cells of this row only after the first carry no numbering of their own (not a
    parent beside its child), and the first alone and all of them together name the
    same row. Else the last cell is the leaf, as printed."""
    leaf, parents = labels[-1], labels[:-1]
    paths = leaf_paths("applications")
    group = " ".join(p.text for p in parents)
    if match_label(leaf.text, APPLICATION_ROWS, group, paths=paths,
                   printed=_numbered_labels(labels)).spec is not None:
        return leaf, parents
    split = [c for c in labels if c.row == c.last_row == index]
    if len(split) < 2 or split[-1] is not leaf or any(
            label_numberings(c.text) for c in split[1:]):
        return leaf, parents
    joined = replace(split[0], text="".join(c.text for c in split),
                     col_span=leaf.last_col - split[0].col + 1,
                     bbox=_union(c.bbox for c in split))
    first = match_label(split[0].text, APPLICATION_ROWS, paths=paths,
                        printed=[split[0].text]).spec
    together = match_label(joined.text, APPLICATION_ROWS, paths=paths,
                           printed=[joined.text]).spec
    if first is None or together is None or first.key != together.key:
        return leaf, parents
    return joined, [c for c in labels if all(c is not s for s in split)]


def _union(boxes: Iterable[BBox | None]) -> BBox | None:
    known = [box for box in boxes if box is not None]
    return reduce(BBox.union, known) if known else None


def normalize_applications(grid: Grid, template: str | None = None) -> CanonicalTable:
    """Table 三. `template`: table 二's version, when known (it decides which （六） rows a
    table with unplaced OCR'd rows is missing)."""
    return align_applications(grid, template)[0]


def align_applications(grid: Grid, template: str | None = None
                       ) -> tuple[CanonicalTable, Alignment]:
    """Table 三 and its alignment to the template tree (normalize_applications)."""
    table = CanonicalTable("applications")
    alignment = Alignment(table.name)
    value_cols = sorted(_value_columns(grid))
    if not value_cols:
        return table, alignment
    first_value_col = value_cols[0]
    rows = _split_rows(grid, first_value_col)
    data_rows = [r for r in rows if sum(_is_value(v) for v in r.values) >= MIN_VALUES_IN_DATA_ROW]
    header_end = data_rows[0].index if data_rows else 0
    value_cols = _data_columns(data_rows)
    columns, parts = _column_keys(table, grid, value_cols, header_end, APPLICATION_COLUMNS)
    by_position = _column_by_position(grid, [c for c in value_cols if c not in parts], columns,
                                      header_end, APPLICATION_COLUMNS)
    for _, _, reason in by_position:
        note_by_position(table, reason)
    doubts = _run_together_headers(grid, columns, header_end, APPLICATION_COLUMNS)
    read = _Columns(grid, first_value_col, columns, parts, by_position, doubts, alignment, [])
    misread = [label for row in data_rows if (label := _application_row(table, row, read))]
    placing = _Placing(grid, alignment, read.placed)
    data_indexes = {r.index for r in data_rows}
    for row in rows[header_end:]:
        labels = [c for c in row.labels if not _is_results_block(c)]
        if (labels and labels[-1].row == row.index and row.index not in data_indexes
                and not any(v.text.strip() for v in row.values)):
            _place_blank_row(table, APPLICATION_ROWS, labels[-1], labels[:-1],
                             columns.values(), placing, first_value_col)
    _refuse_out_of_order(table, alignment, read.placed, APPLICATION_ROWS)
    apply_table_doubts(table, Findings(misread, template))
    alignment.rows_may_be_unread = bool(misread)
    return table, alignment


# --- review and litigation (table 四) ----------------------------------------------------


def _group_key(grid: Grid, col: int, leaf: GridCell | None) -> str | None:
    """The group header above a column's leaf: 行政复议 / 未经复议直接起诉 / 复议后起诉."""
    above = [c for c in grid.cells if leaf is not None and c.last_row < leaf.row
             and c.col <= col <= c.last_col and c.text.strip()]
    for cell in sorted(above, key=lambda c: -c.last_row):
        match = match_label(cell.text, REVIEW_ROWS)
        if match.spec is not None:
            return match.spec.key
    return None


def _column_groups(grid: Grid, value_cols: list[int], columns: dict[int, str],
                   header_end: int) -> list[list[int]]:
    """Value columns cut into groups, each ending with its 总计 column (the template's
    order), or where the group label above changes: a 总计 header OCR could not read
    ("?") must not join its group to the next one (both groups' cells were lost)."""
    groups: list[list[int]] = [[]]
    label: str | None = None
    for col in value_cols:
        above = _group_key(grid, col, _header_leaf(grid, col, header_end))
        if groups[-1] and above is not None and label is not None and above != label:
            groups.append([])
        label = above if not groups[-1] else label or above
        groups[-1].append(col)
        if columns.get(col) == "total":
            groups.append([])
            label = None
    return [g for g in groups if g]


def _group_keys(grid: Grid, group: list[int], header_end: int, row: _Row) -> str | None:
    """The row key of a column group: from the group labels above it (whichever of its
    columns they stand over, as a borderless header centres them), else the row label."""
    found = {_group_key(grid, col, _header_leaf(grid, col, header_end)) for col in group}
    found.discard(None)
    if len(found) == 1:
        return found.pop()
    for cell in reversed(row.labels):
        match = match_label(cell.text, REVIEW_ROWS)
        if match.spec is not None:
            return match.spec.key
    return None


def normalize_review(grid: Grid) -> CanonicalTable:
    return align_review(grid)[0]


def align_review(grid: Grid) -> tuple[CanonicalTable, Alignment]:
    """Table 四 and its alignment: its three rows are printed as column groups."""
    table = CanonicalTable("review_litigation")
    alignment = Alignment(table.name)
    value_cols = sorted(_value_columns(grid))
    if not value_cols:
        return table, alignment
    rows = _split_rows(grid, value_cols[0])
    data_rows = [r for r in rows if any(_is_value(v) for v in r.values)]
    header_end = data_rows[0].index
    # Leaf headers repeat once per group (行政复议, 直接起诉, 复议后起诉): not unique.
    data_cols = _data_columns(data_rows)
    columns, parts = _column_keys(table, grid, data_cols, header_end, REVIEW_COLUMNS,
                                  unique=False)
    groups = _column_groups(grid, [c for c in data_cols if c not in parts], columns, header_end)
    by_position = [_column_by_position(grid, group, {c: columns[c] for c in group if c in columns},
                                       header_end, REVIEW_COLUMNS) for group in groups]
    doubts = _run_together_headers(grid, columns, header_end, REVIEW_COLUMNS)
    placed: set[tuple[str, str]] = set()
    for row in data_rows:
        cells = _cells_by_column(row.values, columns, parts)
        for group, position in zip(groups, by_position, strict=True):
            key = _group_keys(grid, [c for c in group if c in columns], header_end, row)
            for col in (c for c in group if c in columns):
                column = columns[col]
                if key is None or (key, column) in placed:
                    table.problems.append(Problem(
                        table.name, "unplaced_column",
                        f"column {col + 1} ({column}): no distinct 行政复议/行政诉讼 group"))
                    continue
                placed.add((key, column))
                alignment.place_row(key, 1.0)
                alignment.place_columns(key, {column: 1.0})
                table.cells.append(_column_cell(table, key, col, columns, cells, doubts))
            for one in position if key is not None else []:
                _review_cell_by_position(table, key, row, one)
    # a column group's values that could not be placed may be any of its row's cells
    alignment.rows_may_be_unread = any(p.kind == "unplaced_column" for p in table.problems)
    return table, alignment


def _review_cell_by_position(table: CanonicalTable, key: str, row: _Row,
                             position: tuple[int, str, str]) -> None:
    """The value in a group's one column whose header was not read, where the group's one
    missing column stands in the template's order (_column_by_position): uncertain, as
    the label was not read."""
    col, column, reason = position
    if (key, column) in {(c.row, c.column) for c in table.cells}:
        return
    value = next((v for v in row.values if v.col <= col <= v.last_col), None)
    table.cells.append(_uncertain_cell(table, key, column, value, reason))
    note_by_position(table, reason)


# --- active disclosure (table 二) --------------------------------------------------------


def _header_row(cells: list[GridCell]) -> dict[tuple[int, int], str] | None:
    """Column ranges -> keys, when the row is a block's header ("信息内容 | 本年…")."""
    if len(cells) < 2 or any(_is_value(c) for c in cells):
        return None
    header: dict[tuple[int, int], str] = {}
    for cell in cells[1:]:
        match = match_label(cell.text, ACTIVE_COLUMNS)
        if match.spec is not None:
            header[(cell.col, cell.last_col)] = match.spec.key
    return header or None


def _columns_under(cell: GridCell, header: dict[tuple[int, int], str]) -> list[str]:
    """The header keys whose column ranges the cell overlaps, left to right."""
    return [key for (c0, c1), key in sorted(header.items())
            if min(c1, cell.last_col) >= max(c0, cell.col)]


def _header_doubts(cells: list[GridCell], header: dict[tuple[int, int], str]
                   ) -> dict[tuple[int, int], str]:
    """The header's column ranges whose OCR'd header is two run together
    (doubt.run_together): range -> reason."""
    return {span: reason for cell in cells if (span := (cell.col, cell.last_col)) in header
            and (reason := run_together(cell, spec_for(ACTIVE_COLUMNS, header[span])))}


def normalize_active(grid: Grid) -> CanonicalTable:
    return align_active(grid)[0]


def align_active(grid: Grid) -> tuple[CanonicalTable, Alignment]:
    """Table 二 and its alignment: each block's header places the columns of its rows."""
    table = CanonicalTable("active_disclosure")
    alignment = Alignment(table.name)
    placed: list[tuple[str, GridCell]] = []
    blanks: list[tuple[GridCell, tuple[str, ...]]] = []  # labels without values
    header: dict[tuple[int, int], str] = {}
    doubts: dict[tuple[int, int], str] = {}  # the header's run-together column headers
    misread: list[str] = []  # OCR'd labels of rows with values that were not placed
    headed: dict[str, set[str]] = {}  # OCR'd rows: the column keys their header had
    for cells in grid.rows():
        cells = [c for c in cells if c.text.strip()]
        new_header = _header_row(cells)
        if new_header:
            header, doubts = new_header, _header_doubts(cells, new_header)
            continue
        if len(cells) < 2:  # a heading row, or a label without values
            blanks.extend((cell, tuple(header.values())) for cell in cells if header)
            continue
        key = _place_row(table, ACTIVE_ROWS, cells[0], (), alignment)
        if key is None:
            if maybe_misread(cells[0], ACTIVE_ROWS):
                misread.append(clean_text(cells[0].text))
            continue
        for cell in cells[1:]:  # text that is not a number is an unreadable value
            _active_cells(table, key, cell, _columns_under(cell, header),
                          next(iter(_columns_under(cell, doubts)), None))
        placed.append((key, cells[0]))
        alignment.place_columns(key, dict.fromkeys(header.values(), 1.0))
        if read_by_ocr(cells):
            headed[key] = set(header.values())
    table.template = detect_template(set(header_keys(grid)))
    read = _Placing(grid, alignment, placed)
    for leaf, columns in blanks:
        _place_blank_row(table, ACTIVE_ROWS, leaf, (), columns, read)
    _refuse_out_of_order(table, alignment, placed, ACTIVE_ROWS)
    _refuse_misfits(table)
    apply_table_doubts(table, Findings(misread, table.template, headed))
    alignment.rows_may_be_unread = bool(misread)
    return table, alignment


def _template_columns(table: CanonicalTable) -> dict[str, tuple[str, ...]]:
    """Table 二's rows and their columns in the table's template (none if it is unknown)."""
    return expected_cells(table.template)["active_disclosure"] if table.template else {}


def _refuse_misfits(table: CanonicalTable) -> None:
    """Values under a column their row does not have in the template (a block's header
    row went unread, so the previous block's stood above them), or two under one column:
    none can be assigned. They are taken out and reported, and the row's own columns are
    uncertain cells that name them, so nothing is left silently blank."""
    columns_of = _template_columns(table)
    for row, columns in columns_of.items():
        cells = [c for c in table.cells if c.row == row]
        keys = [c.column for c in cells]
        misfits = [c for c in cells if c.column not in columns or keys.count(c.column) > 1]
        if not misfits:
            continue
        printed = ", ".join(repr(c.raw_text) for c in misfits)
        reason = (f"the values read in this row ({printed}) stand under columns it does not "
                  f"have ({', '.join(dict.fromkeys(c.column for c in misfits))})")
        table.cells = [c for c in table.cells if c not in misfits]
        for cell in misfits:
            table.problems.append(Problem(table.name, "unplaced_column", f"{row}: {reason}",
                                          cell.raw_text, cell.page, cell.bbox))
        have = {c.column for c in cells if c not in misfits}
        table.cells += [_uncertain_cell(table, row, column, None, f"no value read: {reason}")
                        for column in columns if column not in have]


def _active_cells(table: CanonicalTable, key: str, cell: GridCell, columns: list[str],
                  doubt: str | None) -> None:
    """The cell's value under the header's columns; uncertain where the one column's
    header is in doubt (`doubt`, _header_doubts)."""
    if not columns:
        _unplaced(table, "unplaced_column", cell, "no header above this value")
    elif len(columns) > 1:
        table.cells.extend(_uncertain_cell(table, key, column, cell, spanning_reason(columns))
                           for column in columns)
    else:
        canonical = _canonical_cell(table, key, columns[0], cell, columns[0] == "amount")
        if doubt and canonical.uncertain is None:
            table.refuse(canonical, doubt)
        table.cells.append(canonical)


def header_keys(grid: Grid) -> list[str]:
    keys: list[str] = []
    for cells in grid.rows():
        header = _header_row([c for c in cells if c.text.strip()])
        if header:
            keys.extend(header.values())
    return keys


def detect_template(keys: set[str]) -> str | None:
    """The template whose exclusive column labels the headers use."""
    votes = {"2019": 0, "2021": 0}
    for spec in ACTIVE_COLUMNS:
        if spec.key in keys and len(spec.templates) == 1:
            votes[spec.templates[0]] += 1
    if votes["2019"] == votes["2021"]:
        return None
    return max(votes, key=lambda t: votes[t])


def normalize_tables(grids: dict[str, Grid]) -> dict[str, CanonicalTable]:
    """Every table found, aligned to its template; then, in this one place for every
    producer, each template cell not placed is a per-cell problem (tree.flag_unplaced)."""
    aligned: dict[str, tuple[CanonicalTable, Alignment]] = {}
    if "active_disclosure" in grids:
        aligned["active_disclosure"] = align_active(grids["active_disclosure"])
    template = aligned["active_disclosure"][0].template if aligned else None
    if "applications" in grids:
        aligned["applications"] = align_applications(grids["applications"], template)
    if "review_litigation" in grids:
        aligned["review_litigation"] = align_review(grids["review_litigation"])
    for table, alignment in aligned.values():
        flag_unplaced(table, alignment, template)
    return {name: table for name, (table, _) in aligned.items()}
