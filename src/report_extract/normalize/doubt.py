"""Doubt as a layer: named rules that make a value uncertain (null, its raw text and the
reason kept) where what was read may not be what was printed.

Alignment (normalize.tree, normalize.align) decides where each value stands; these rules
then decide which of the values placed cannot be trusted, mostly because a scan was read
by OCR. Each rule is a small function registered here with `doubt_rule`: its docstring
says what it catches and the case that made it necessary. `RULES` lists them all (the
report-level OCR rules of scan.uncertainty register themselves here too), and
`python -m report_extract.doubt_doc` writes the list to docs/doubt-rules.md.

Kinds of rule (`applies_to`): "value" (one value cell as read), "label" (a row label not
placed), "header" (a column header placed), "table" (a table after alignment), "report"
(a whole report after the checks: scan.uncertainty).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from report_extract.models import CanonicalCell, CanonicalTable, GridCell, Problem
from report_extract.normalize.labels import match_label
from report_extract.templates import OTHER_SPLIT_ROWS, LabelSpec, expected_cells
from report_extract.textclean import clean_text, label_key

LOW_CONFIDENCE = 0.9  # OCR confidence below which a reading is not trusted
RUN_TOGETHER = 1.75  # a header this many times its label's length is two run together
SURE_LABEL = 0.9  # OCR confidence of a label read surely
FAR_LABEL = 0.45  # similarity to the closest template label below which a label is none
OWN_LABEL = 4  # characters at least of an agency's own row label ("本" is a label's glyph)
BY_POSITION = "column_by_position"  # the problem kind naming a column placed by order


@dataclass(frozen=True)
class DoubtRule:
    """A named doubt: what it applies to, which producer it concerns, its function."""

    name: str
    applies_to: str  # "value", "label", "header", "table", "report"
    producer: str  # "ocr" (scans) or "any"
    function: Callable[..., Any]

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.function) or ""

    @property
    def where(self) -> str:
        return f"{self.function.__module__}.{self.function.__name__}"


RULES: dict[str, DoubtRule] = {}
F = TypeVar("F", bound=Callable[..., Any])


def doubt_rule(name: str, applies_to: str, producer: str = "ocr") -> Callable[[F], F]:
    """Register a function as the doubt rule `name`."""
    def register(function: F) -> F:
        RULES[name] = DoubtRule(name, applies_to, producer, function)
        return function
    return register


def read_by_ocr(cells: Sequence[GridCell]) -> bool:
    """Read by OCR: a text layer's characters have confidence 1.0, OCR's never do."""
    return any(c.confidence < 1.0 for c in cells)


# --- values ----------------------------------------------------------------------------------


@doubt_rule("low_confidence", "value")
def low_confidence(cell: GridCell, value: int | float | None, signed: bool) -> str | None:
    """A number the recogniser read with a confidence below 0.9: it may be another
    number (issue 5, scanned reports). scan.uncertainty adds the recogniser's other
    candidates to the reason, so a person can decide."""
    if value is None or cell.confidence >= LOW_CONFIDENCE:
        return None
    return f"low recognition confidence ({cell.confidence:.2f})"


@doubt_rule("negative_count_by_ocr", "value")
def negative_count(cell: GridCell, value: int | float | None, signed: bool) -> str | None:
    """A negative value OCR read in a column that cannot have one: a speck read as a
    minus. A text layer's "-5" is what was published (an inconsistency kept for the
    checks), so this applies to OCR only."""
    if signed or value is None or value >= 0 or not read_by_ocr([cell]):
        return None
    return f"a negative count read by OCR: {cell.text.strip()!r} (a speck read as a minus?)"


VALUE_RULES = (low_confidence, negative_count)


def value_doubt(cell: GridCell, value: int | float | None, signed: bool) -> str | None:
    """The first value rule that doubts a value read from `cell`, else None."""
    return next((reason for rule in VALUE_RULES if (reason := rule(cell, value, signed))), None)


@doubt_rule("value_cell_over_columns", "value", "any")
def spanning_reason(columns: Sequence[str]) -> str:
    """One value cell spanning several keyed columns: a rule between them was lost in a
    scan (or never printed), so which column its value belongs to cannot be told."""
    return (f"one value cell spans the columns {', '.join(columns)}: "
            "which column its value belongs to cannot be told")


@doubt_rule("cell_cut_in_parts", "value", "any")
def split_cell(cells: list[GridCell]) -> tuple[GridCell, str]:
    """A cell cut in parts under one column header (a seal stroke taken for a rule): a
    digit's ink may lie in the part that read as nothing, so its value cannot be told.
    Returns the parts as one cell (its text what each part read) and the reason."""
    texts = [c.text.strip() for c in cells]
    box = cells[0].bbox
    for cell in cells[1:]:
        box = box.union(cell.bbox)
    joined = GridCell(cells[0].row, cells[0].col, 1, cells[-1].last_col - cells[0].col + 1,
                      " ".join(t for t in texts if t), cells[0].page, box,
                      min(c.confidence for c in cells))
    read = " | ".join(repr(t) for t in texts)
    return joined, (f"a line inside this cell cuts it in {len(cells)} parts ({read}) under "
                    "one column header (a seal stroke taken for a rule?): its value cannot "
                    "be told")


# --- labels and headers --------------------------------------------------------------------


@doubt_rule("misread_label", "label")
def maybe_misread(label: GridCell, specs: Sequence[LabelSpec]) -> bool:
    """An unplaced OCR'd row label that may be a template label misread, so that a
    template row may be missing and the values around it in doubt: not one read surely
    and like no template label at all (an agency's own row, "其中：网上申请"), which is
    what a text layer's unplaced label always is; a glyph or two alone ("本") is a piece
    of a label, not one (synth-36-0023, synth-37-0015)."""
    if not read_by_ocr([label]):
        return False
    return (label.confidence < SURE_LABEL or len(label_key(label.text)) < OWN_LABEL
            or match_label(label.text, specs).score >= FAR_LABEL)


@doubt_rule("run_together_header", "header")
def run_together(header: GridCell, spec: LabelSpec) -> str | None:
    """An OCR'd column header far longer (1.75x) than the label it was placed as: two
    headers run together where a seal's ring hid the rule between them ("结果其他纠正
    结果"), so the value below may be two values read as one ("1" and "24" as 124 under
    本年新制作数量 in synth-47-0016)."""
    if not read_by_ocr([header]):
        return None
    if len(label_key(header.text)) < RUN_TOGETHER * len(label_key(spec.label)):
        return None
    return (f"column header {clean_text(header.text)!r} is far longer than "
            f"{spec.label} ({spec.key}): two headers may have run together "
            "where a rule was lost, and two values with them")


@doubt_rule("column_by_position", "header")
def by_position_reason(printed: str, spec: LabelSpec) -> str:
    """A value column whose header was not recognised, placed by its order among the
    headers read (normalize.tree.placed_by_order): its label's best key by its words is
    the key the template prints there, between the same placed neighbours, one to one
    with the keys missing there, at the same header level ("科研机构" under a seal read
    "4'研机不" in synth-107-0043: 28 cells lost); or it is then the one column left and
    the one key left, its label like no key ("其他" read "花", "自然人" read "白杰"); or
    one header cell over several unplaced value columns whose words are closest to the
    labels of as many keys missing there run together ("自然人业企业" where a seal hid
    the rule, synth-107-0042), one key per column in order. Never placed on order
    alone: a label whose best key is another stays unplaced. Its values are uncertain,
    as the label was not read; scan.uncertainty lets them stand only where read surely
    and every check they are a term of passes with them (problem confirmed_by_check):
    the checks confirm the digits; which column they are rests on the label's words and
    its place together. A value cell under two such columns
    is neither's (value_cell_over_columns)."""
    return (f"column header {printed!r} not recognised; it stands where the template "
            f"prints {spec.label} ({spec.key})")


# --- tables, after alignment ----------------------------------------------------------------


@dataclass
class Findings:
    """What alignment saw that table rules judge: OCR'd labels of rows with values that
    could not be placed, the table's template, and OCR'd rows placed with the column keys
    their header had."""

    misread: list[str] = field(default_factory=list)
    template: str | None = None
    headed: dict[str, set[str]] = field(default_factory=dict)

    @property
    def note(self) -> str:
        return ", ".join(repr(text) for text in self.misread)


def refuse_where(table: CanonicalTable, cells: list[CanonicalCell], reason: str) -> None:
    for cell in cells:
        table.refuse(cell, reason)


@doubt_rule("blanks_beside_unplaced_row", "table")
def blanks_beside_unplaced_row(table: CanonicalTable, found: Findings) -> None:
    """Where OCR read a row of values whose label could not be placed, the cells a placed
    row left blank are uncertain: their values may stand on the unplaced row (a tilted
    borderless scan split rows' numbers between the lines of their wrapped labels: 13
    silent cells in synth-48-0020)."""
    if not found.misread:
        return
    reason = (f"no value read in this row: a row of values was not placed ({found.note}) "
              "and may hold it")
    refuse_where(table, [c for c in table.cells if c.value is None and not c.raw_text
                         and c.uncertain is None], reason)


@doubt_rule("single_other_beside_unplaced_rows", "table")
def single_other_beside_unplaced_rows(table: CanonicalTable, found: Findings) -> None:
    """The single （六）其他处理 row read while OCR'd rows went unplaced, in a report
    whose table 二 is not the 2019 one: in the 2021 form that label stands beside its
    middle sub-row, whose values it may have taken."""
    if not found.misread or found.template == "2019" or table.name != "applications":
        return
    rows = {c.row for c in table.cells}
    if "other" not in rows or rows & set(OTHER_SPLIT_ROWS):
        return
    reason = (f"read as the single （六）其他处理 row while rows were not placed "
              f"({found.note}): the values may be those of a （六） sub-row")
    refuse_where(table, [c for c in table.cells if c.row == "other" and c.uncertain is None],
                 reason)


@doubt_rule("nothing_read_under_header", "table")
def nothing_read_under_header(table: CanonicalTable, found: Findings) -> None:
    """An OCR'd row of table 二 with nothing read under one of its columns, its header
    read: the cell is uncertain, not a printed blank (a rule lost between the header and
    the row put the row's 0 into the header cell "本年增/减0" under a seal: silent in
    synth-50-0005)."""
    if table.name != "active_disclosure" or not found.template:
        return
    columns_of = expected_cells(found.template)["active_disclosure"]
    have = {(c.row, c.column) for c in table.cells}
    for row, keys in found.headed.items():
        for column in columns_of.get(row, ()):
            if (row, column) not in have and column in keys:
                table.cells.append(table.refuse(
                    CanonicalCell(table.name, row, column, None, "", None, None),
                    f"no value read: nothing was read in this row under {column}"))


TABLE_RULES = (blanks_beside_unplaced_row, single_other_beside_unplaced_rows,
               nothing_read_under_header)


def apply_table_doubts(table: CanonicalTable, found: Findings) -> None:
    """Every table rule, in order, on a table after its alignment."""
    for rule in TABLE_RULES:
        rule(table, found)


def note_by_position(table: CanonicalTable, reason: str) -> None:
    """Name a column placed by the template's order (problem column_by_position), so
    that scan.uncertainty can find its values."""
    if not any(p.kind == BY_POSITION and p.message == reason for p in table.problems):
        table.problems.append(Problem(table.name, BY_POSITION, reason))


def markdown(rules: Sequence[DoubtRule]) -> str:
    """The rule list as docs/doubt-rules.md prints it."""
    lines = ["# Doubt rules", "",
             "Generated from the registry (`report_extract.normalize.doubt.RULES`) by",
             "`python -m report_extract.doubt_doc > docs/doubt-rules.md`; do not edit by hand.",
             "Each rule makes a value uncertain (null, raw text and reason kept) or reports",
             "what a producer may have lost. Template cells not placed at all are reported",
             "by the alignment itself (`missing_row` / `missing_column`, normalize.tree).", ""]
    for rule in rules:
        lines += [f"## `{rule.name}`", "",
                  f"Applies to: {rule.applies_to} · producer: {rule.producer} · "
                  f"code: `{rule.where}`", "", rule.doc, ""]
    return "\n".join(lines)
