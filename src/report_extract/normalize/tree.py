"""Aligning a grid to its table's template tree (templates.ROW_TREES / COLUMN_TREES).

Normalizing is aligning: each template leaf (a row, a column) is either placed, on a
grid row or header cell with a score, or not placed. The rules of the alignment:

- numbering-aware: a printed numbering (一、 （一） 1.) that disagrees with the template
  path of a leaf lowers its score, and refuses the leaf where the label's own numbering
  disagrees (normalize.numbering, applied in labels.match_label);
- a parent is never a leaf: a label the template prints only over other labels
  ("（三）不予公开"), or a cell spanning rows with sub-labels beside it, places no values
  (`parent_reason`);
- order-preserving: rows placed against the template's order are refused
  (`out_of_order`); an agency's own rows may stand between template rows;
- a header label close to no template label (misread under a seal) may still be placed
  by its order among the headers read, where its words are closest to the key printed
  there (`placed_by_order`; its values in doubt: doubt.by_position_reason).

`flag_unplaced` then turns every cell of a template leaf that was not placed into a
per-cell problem (`missing_row` / `missing_column`, with table, row and column as
fields), in one place for every producer (normalize_tables calls it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from report_extract.models import CanonicalCell, CanonicalTable, Grid, GridCell, Problem
from report_extract.normalize.labels import MIN_SCORE, FrozenPaths, score, similarity
from report_extract.templates import (
    OTHER_FORMS,
    ROW_TREES,
    LabelSpec,
    parent_labels,
    template_cells,
)
from report_extract.textclean import clean_text, label_key

MISSING_ROW = "missing_row"
MISSING_COLUMN = "missing_column"
MISSING_KINDS = frozenset({MISSING_ROW, MISSING_COLUMN})
UNPLACED_KINDS = frozenset({"unplaced_row", "unplaced_column", "duplicate_row"})
PARENT_SCORE = 0.9  # a label this close to a parent-only template label is that parent


@cache  # the trees are fixed data; asked once per row label
def leaf_paths(table: str) -> Mapping[str, tuple[str, ...]]:
    """Each row key of the table -> its labels from the top parent down (read-only)."""
    return FrozenPaths(ROW_TREES[table].paths())


# --- parents -------------------------------------------------------------------------------


def is_parent_label(table: str, text: str) -> bool:
    """A label the template prints only as a parent over other labels."""
    key = label_key(text)
    if not key:
        return False
    return any(similarity(key, label_key(parent)) >= PARENT_SCORE
               for parent in parent_labels(table))


def spans_sub_labels(grid: Grid, cell: GridCell, first_value_col: int) -> bool:
    """A label cell spanning several rows with other labels beside it in those rows."""
    if cell.row_span < 2:
        return False
    return any(other is not cell and other.col > cell.last_col
               and other.last_col < first_value_col and other.text.strip()
               and cell.row <= other.row <= cell.last_row
               for other in grid.cells)


def parent_reason(table: str, grid: Grid | None, cell: GridCell, first_value_col: int
                  ) -> str | None:
    """Why a row's last label is a parent, not a leaf (None if it may be a leaf)."""
    if is_parent_label(table, cell.text):
        return "a parent label of the template alone places no values"
    if grid is not None and spans_sub_labels(grid, cell, first_value_col):
        return "a cell spanning several rows with sub-labels beside it is a parent"
    return None


# --- order ---------------------------------------------------------------------------------


def out_of_order(keys: Sequence[str], order: Sequence[str]) -> set[int]:
    """Indexes of `keys` (rows placed, in grid order) outside the longest run that keeps
    the template's `order`: rows placed against it."""
    rank = {key: i for i, key in enumerate(order)}
    ranks = [rank.get(key, -1) for key in keys]
    best: list[list[int]] = []  # best[i]: the longest increasing run ending at i
    for i, r in enumerate(ranks):
        runs = [best[j] for j in range(i) if ranks[j] < r]
        best.append([*max(runs, key=len, default=[]), i])
    keep = set(max(best, key=len, default=[]))
    return {i for i in range(len(keys)) if i not in keep}


# --- the alignment and its unplaced leaves --------------------------------------------------


@dataclass
class Alignment:
    """Which template leaves a grid was aligned to: rows with their scores, and per row
    the column leaves whose header stands over it (with scores)."""

    table: str
    rows: dict[str, float] = field(default_factory=dict)
    columns: dict[str, dict[str, float]] = field(default_factory=dict)
    # Rows of values were read whose labels may be template labels misread (OCR): a row
    # not placed may be among them, so its cells are unknown rather than not printed.
    rows_may_be_unread: bool = False

    def place_row(self, key: str, score: float) -> None:
        self.rows[key] = score

    def place_columns(self, row: str, columns: dict[str, float]) -> None:
        self.columns.setdefault(row, {}).update(columns)

    def placed(self, row: str, column: str) -> bool:
        return row in self.rows and column in self.columns.get(row, {})


def other_form(rows: Iterable[str]) -> str | None:
    """The form of table 三's （六） block the placed rows show ("2019": the single row,
    "2021": the sub-rows), or None if none of its rows was placed."""
    placed = set(rows)
    for form in ("2021", "2019"):
        if placed & set(OTHER_FORMS[form]):
            return form
    return None


def flag_unplaced(table: CanonicalTable, alignment: Alignment, template: str | None) -> None:
    """Every cell of a template leaf neither placed nor read is a per-cell problem:
    missing_row where its row was not placed, missing_column where its column was not.
    A leaf the report prints as absent is not missing: table 三's （六） block in the form
    not printed (when neither form was placed, both are missing: which one the report
    printed is unknown).

    A missing cell whose value is unknown is also a null cell, uncertain with the same
    reason, so that no check counts it as 0: every cell of a column not placed (its values
    were printed, or may have been), and those of a row not placed where rows of values
    may have been misread (`rows_may_be_unread`). A row simply not printed (an agency
    leaves out rows of zeros) has no cells: the spec counts it as null."""
    form = other_form(alignment.rows) if table.name == "applications" else None
    have = {(c.row, c.column) for c in table.cells}
    note = _unplaced_note(table)
    for row, columns in template_cells(table.name, template, form).items():
        for column in columns:
            if (row, column) in have or alignment.placed(row, column):
                continue
            kind = MISSING_COLUMN if row in alignment.rows else MISSING_ROW
            what = (f"no column header was read as {column}" if kind == MISSING_COLUMN
                    else f"no row was read as {row}")
            table.problems.append(Problem(table.name, kind, f"{row}/{column}: {what}{note}",
                                          row=row, column=column))
            if kind == MISSING_COLUMN or alignment.rows_may_be_unread:
                table.cells.append(CanonicalCell(table.name, row, column, None, "", None,
                                                 None, f"{what}{note}"))


def _unplaced_note(table: CanonicalTable) -> str:
    """The labels of the table that were not placed, as a note: a missing cell may be
    under one of them."""
    texts = dict.fromkeys(clean_text(p.raw_text) for p in table.problems
                          if p.kind in UNPLACED_KINDS and p.raw_text.strip())
    return f" (labels not placed: {', '.join(map(repr, texts))})" if texts else ""


# --- headers placed by their order ----------------------------------------------------------


def best_by_words(text: str, specs: Sequence[LabelSpec]) -> str | None:
    """The key whose template label a printed label is closest to by its words alone,
    however far; None when nothing of it is alike or two keys are as close."""
    key = label_key(text)
    ranked = sorted(((score(spec, key, ""), spec.key) for spec in specs), reverse=True)
    if not key or not ranked or ranked[0][0] <= 0:
        return None
    if len(ranked) > 1 and ranked[1][0] == ranked[0][0]:
        return None
    return ranked[0][1]


def best_run_together(text: str, specs: Sequence[LabelSpec], count: int,
                      placed: set[str]) -> tuple[str, ...] | None:
    """The `count` keys next to each other in the template's order, none in `placed`,
    whose labels run together are closest to a header's words (two headers read as
    one where a rule was lost); None when none is close (labels.MIN_SCORE) or two runs
    are as close."""
    key = label_key(text)
    runs = [specs[i:i + count] for i in range(len(specs) - count + 1)]
    ranked = sorted(((similarity(key, label_key("".join(spec.label for spec in run))),
                      tuple(spec.key for spec in run))
                     for run in runs if not placed & {spec.key for spec in run}),
                    reverse=True)
    if not key or not ranked or ranked[0][0] < MIN_SCORE:
        return None
    if len(ranked) > 1 and ranked[1][0] == ranked[0][0]:
        return None
    return ranked[0][1]


def placed_by_order(columns: Sequence[int], keys: dict[int, str],
                    labels: dict[int, str | None], order: Sequence[str]) -> dict[int, str]:
    """Unplaced header columns placed at the key the template's order puts them at:
    `columns` in grid order, `keys` those placed by their labels, `labels` each unplaced
    column's best key by its words (None: it may not be placed, e.g. at another header
    level). Between two placed neighbours (or a table edge) the unplaced columns must
    match the template keys missing there one to one, in order, each with that key as
    its best: never on order alone. Nothing is placed where the placed keys break the
    template's order."""
    rank = {key: i for i, key in enumerate(order)}
    marks = [(i, rank[keys[col]]) for i, col in enumerate(columns)
             if col in keys and keys[col] in rank]
    if [r for _, r in marks] != sorted({r for _, r in marks}):
        return {}
    placed: dict[int, str] = {}
    bounds = [(-1, -1), *marks, (len(columns), len(order))]
    for (start, low), (end, high) in zip(bounds, bounds[1:], strict=False):
        gap = columns[start + 1:end]
        missing = list(order[low + 1:high])
        if gap and len(gap) == len(missing) and all(
                labels.get(col) == key for col, key in zip(gap, missing, strict=True)):
            placed.update(zip(gap, missing, strict=True))
    return placed
