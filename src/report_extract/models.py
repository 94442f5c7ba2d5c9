"""Typed objects passed between the pipeline stages.

ingest -> Document (pages of chars and ruling segments)
detect -> list[Grid] (cells with spans, boxes, pages; tables joined across pages)
normalize -> CanonicalTable (keys, parsed values, raw text, provenance)
validate -> list[CheckResult]
Report bundles everything for one PDF; writers take Reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TABLE_NAMES = ("active_disclosure", "applications", "review_litigation")


NO_PAGE = 0  # the key of Report.page_sources for what has no page (a web page)

# BBox, Char and Segment write their fields into __dict__ in their own __init__: the
# one a frozen dataclass generates goes through object.__setattr__ per field (~0.8 us
# a box, ~0.45 this way; a report makes thousands). Same fields, equality, hashing,
# repr, pickling and frozenness: dataclass keeps a class's own __init__.


@dataclass(frozen=True)
class BBox:
    """A box in PDF points, origin top-left (pdfplumber's convention)."""

    x0: float
    top: float
    x1: float
    bottom: float

    def __init__(self, x0: float, top: float, x1: float, bottom: float) -> None:
        fields = self.__dict__
        fields["x0"], fields["top"], fields["x1"], fields["bottom"] = x0, top, x1, bottom

    @property
    def center(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.top + self.bottom) / 2

    def union(self, other: BBox) -> BBox:
        return BBox(
            min(self.x0, other.x0),
            min(self.top, other.top),
            max(self.x1, other.x1),
            max(self.bottom, other.bottom),
        )

    def contains_point(self, x: float, y: float, tolerance: float = 0.0) -> bool:
        return (
            self.x0 - tolerance <= x <= self.x1 + tolerance
            and self.top - tolerance <= y <= self.bottom + tolerance
        )


@dataclass(frozen=True)
class Char:
    """One glyph (or, from OCR, one recognised text box) with its box.

    `confidence` is 1.0 for a text layer; OCR sets its own score.
    """

    text: str
    bbox: BBox
    size: float = 0.0
    confidence: float = 1.0

    def __init__(self, text: str, bbox: BBox, size: float = 0.0,
                 confidence: float = 1.0) -> None:
        fields = self.__dict__
        fields["text"], fields["bbox"], fields["size"] = text, bbox, size
        fields["confidence"] = confidence


@dataclass(frozen=True)
class Segment:
    """A ruling line, horizontal or vertical, in page coordinates."""

    x0: float
    top: float
    x1: float
    bottom: float

    def __init__(self, x0: float, top: float, x1: float, bottom: float) -> None:
        fields = self.__dict__
        fields["x0"], fields["top"], fields["x1"], fields["bottom"] = x0, top, x1, bottom

    @property
    def is_horizontal(self) -> bool:
        return (self.x1 - self.x0) >= (self.bottom - self.top)


@dataclass
class Page:
    number: int  # 1-based, as a PDF viewer shows it
    width: float
    height: float
    chars: list[Char]
    segments: list[Segment]
    source: str = "text"  # "text" (text layer) or "ocr"
    # boxes of its raster images, found by the reader (None: not looked for; the OCR
    # router then opens the file to find them)
    images: list[BBox] | None = None


@dataclass
class Document:
    source_file: str  # file name as given to the user
    path: str
    pages: list[Page]
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class GridCell:
    """A cell of a rebuilt table grid; spans count base rows/columns.

    A cell read from a web page's markup has no page and no box (None); `locator` then
    names its element (a CSS path with the table's and the cell's place).
    """

    row: int
    col: int
    row_span: int
    col_span: int
    text: str
    page: int | None
    bbox: BBox | None
    confidence: float = 1.0
    locator: str | None = None

    @property
    def last_row(self) -> int:
        return self.row + self.row_span - 1

    @property
    def last_col(self) -> int:
        return self.col + self.col_span - 1


@dataclass(frozen=True)
class JoinDoubt:
    """A table part that could not be aligned with the parts before it (detect's
    join_parts): its cells' columns are in doubt."""

    page: int
    bbox: BBox  # of the part, in its page's coordinates
    best_shift: float  # pt: the shift that aligned the most column rules, not taken


@dataclass
class Grid:
    """One logical table: possibly several ruled parts joined across pages."""

    cells: list[GridCell]
    n_rows: int
    n_cols: int
    pages: list[int]
    section: str | None = None  # a TABLE_NAMES entry once assigned
    bbox: BBox | None = None  # of the first part
    join_doubts: list[JoinDoubt] = field(default_factory=list)

    def rows(self) -> list[list[GridCell]]:
        """Cells by the row they start in, left to right."""
        by_row: list[list[GridCell]] = [[] for _ in range(self.n_rows)]
        for cell in self.cells:
            by_row[cell.row].append(cell)
        for row in by_row:
            row.sort(key=lambda c: c.col)
        return by_row

    def cells_covering_row(self, row: int) -> list[GridCell]:
        found = [c for c in self.cells if c.row <= row <= c.last_row]
        return sorted(found, key=lambda c: c.col)

    def cells_covering_rows(self) -> list[list[GridCell]]:
        """cells_covering_row of every row, the cells gone through once (not per row)."""
        covering: list[list[GridCell]] = [[] for _ in range(self.n_rows)]
        for cell in self.cells:
            for row in range(max(cell.row, 0), min(cell.last_row + 1, self.n_rows)):
                covering[row].append(cell)
        for cells in covering:
            cells.sort(key=lambda c: c.col)
        return covering


@dataclass
class CanonicalCell:
    table: str
    row: str
    column: str
    value: int | float | None
    raw_text: str
    page: int | None
    bbox: BBox | None
    uncertain: str | None = None  # reason, when the value could not be trusted
    confidence: float | None = None  # the OCR score of its text; None on a text layer
    locator: str | None = None  # a web page's cell: its place (GridCell.locator); PDF: None


@dataclass
class Problem:
    """Something the extractor could not do cleanly: an unplaced label, a doubtful value."""

    table: str
    kind: str  # "unplaced_row", "unplaced_column", "uncertain_value", "duplicate_row", ...
    message: str
    raw_text: str = ""
    page: int | None = None
    bbox: BBox | None = None
    # The template cell a per-cell problem is about (missing_row, missing_column), else "".
    row: str = ""
    column: str = ""
    locator: str | None = None  # a web page's cell the problem is about (GridCell.locator)


@dataclass(frozen=True)
class ExtraRow:
    """One value of a row an agency adds to a table (行政确认, 其中：网上申请): the row has
    no canonical key, so it is kept under its printed label."""

    table: str
    label: str  # as printed (cleaned of line breaks)
    column: str  # the canonical column key the value stands under
    value: int | float | None
    raw_text: str
    page: int | None
    bbox: BBox | None
    locator: str | None = None  # a web page's cell: its place (GridCell.locator); PDF: None


@dataclass
class CanonicalTable:
    name: str
    cells: list[CanonicalCell] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    template: str | None = None  # only active_disclosure decides it

    def value(self, row: str, column: str) -> int | float | None:
        for cell in self.cells:
            if cell.row == row and cell.column == column:
                return cell.value
        return None

    def refuse(self, cell: CanonicalCell, reason: str) -> CanonicalCell:
        """Make a cell's value unknown (null), keeping its raw text, and report why."""
        cell.value, cell.uncertain = None, reason
        self.problems.append(Problem(self.name, "uncertain_value",
                                     f"{cell.row}/{cell.column}: {reason}", cell.raw_text,
                                     cell.page, cell.bbox))
        return cell

    def as_nested(self) -> dict[str, dict[str, int | float | None]]:
        nested: dict[str, dict[str, int | float | None]] = {}
        for cell in self.cells:
            nested.setdefault(cell.row, {})[cell.column] = cell.value
        return nested


@dataclass(frozen=True)
class CheckResult:
    rule: str  # e.g. "applications.balance"
    subject: str  # column or row key
    expected: float | None
    found: float | None
    passed: bool
    message: str = ""

    @property
    def identifier(self) -> str:
        return f"{self.rule}:{self.subject}"


@dataclass
class Report:
    source_file: str
    agency: str | None
    year: int | None
    template: str | None
    tables: dict[str, CanonicalTable]
    checks: list[CheckResult] = field(default_factory=list)
    pages: int = 0
    notes: list[Problem] = field(default_factory=list)  # of the report itself: its title
    # page -> text / ocr / html; a web page's cells have no page: NO_PAGE -> html
    page_sources: dict[int, str] = field(default_factory=dict)
    ocr_engine: str | None = None  # the engine that read the OCR'd pages
    extra_rows: list[ExtraRow] = field(default_factory=list)

    @property
    def check_failures(self) -> list[str]:
        return [c.identifier for c in self.checks if not c.passed]

    @property
    def problems(self) -> list[Problem]:
        return [*self.notes, *(p for t in self.tables.values() for p in t.problems)]

    def all_cells(self) -> list[CanonicalCell]:
        return [c for name in TABLE_NAMES if name in self.tables for c in self.tables[name].cells]

    def to_frames(self, report_id: str = "") -> dict[str, Any]:
        """This report's output tables as typed pandas DataFrames (as report_extract.load
        gives them for a whole output folder)."""
        from report_extract.dataset.frames import report_frames

        return report_frames(self, report_id)

    def to_dict(self, *, details: bool = False) -> dict[str, Any]:
        """The spec's canonical report JSON plus "check_failures".

        details=True adds "problems": labels not placed and values not read, each with
        its raw text and page, so a user can look them up in the PDF.
        """
        result: dict[str, Any] = {
            "source_file": self.source_file,
            "agency": self.agency,
            "year": self.year,
            "template": self.template,
            "tables": {
                name: self.tables[name].as_nested() if name in self.tables else {}
                for name in TABLE_NAMES
            },
            "check_failures": self.check_failures,
        }
        if details:
            result["problems"] = [
                {"table": p.table, "kind": p.kind, "message": p.message, "raw_text": p.raw_text,
                 "page": p.page, **({"row": p.row, "column": p.column} if p.row else {})}
                for p in self.problems
            ]
        return result
