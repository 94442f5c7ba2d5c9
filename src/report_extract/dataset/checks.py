"""Checks over the whole dataset: rules 5-6 between consecutive years of one agency, and
conflicts (several reports for one agency-year), from the reports' stored cells."""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from report_extract.models import TABLE_NAMES, CanonicalCell, CanonicalTable, Report
from report_extract.validate import check_continuity
from report_extract.write.tables import CELLS, Row, cell_sort_key, check_row

_C = {name: i for i, name in enumerate(CELLS.columns)}
# The cells rules 5-6 read: kept for every report while the dataset is assembled.
CONTINUITY_CELLS = frozenset({
    ("applications", "carried_forward"), ("applications", "carried_over"),
    ("active_disclosure", "regulations"), ("active_disclosure", "normative_documents")})


@dataclass
class StoredReport:
    """What the dataset checks need of one stored report."""

    report_id: str
    meta: list  # the leading columns of its rows (agency_key already linked)
    cells: list[Row] = field(default_factory=list)

    @property
    def agency_key(self) -> str | None:
        return self.meta[3]

    @property
    def year(self) -> int | None:
        return self.meta[4]

    def report(self) -> Report:
        """A Report holding the stored cells (for validate's rules)."""
        tables = {name: CanonicalTable(name) for name in TABLE_NAMES}
        for row in self.cells:
            tables[row[_C["table"]]].cells.append(cell_of(row))
        return Report(self.meta[1], self.meta[2], self.meta[4], self.meta[5], tables)


def cell_of(row: Row) -> CanonicalCell:
    value = row[_C["value"]] if row[_C["amount"]] is None else row[_C["amount"]]
    return CanonicalCell(row[_C["table"]], row[_C["row"]], row[_C["column"]], value,
                         row[_C["raw_text"]], row[_C["page"]], None,
                         row[_C["uncertain_reason"]] if row[_C["uncertain"]] else None)


def cell_value(row: Row) -> int | float | None:
    return row[_C["value"]] if row[_C["amount"]] is None else row[_C["amount"]]


# What `cell_of` reads of a stored cell: all a continuity cell keeps (see continuity_cells)
_CELL_FIELDS = tuple(_C[name] for name in ("value", "amount", "raw_text", "page", "uncertain",
                                           "uncertain_reason"))
_CELL_KEYS = tuple(_C[name] for name in ("table", "row", "column"))


def continuity_cells(cells: Iterable[Row]) -> list[Row]:
    """The cells rules 5-6 read, kept for every report of an archive while the dataset
    is assembled: so each keeps only what `cell_of` reads (the rest None) and shares its
    key strings with every other report's, a few hundred bytes a cell."""
    kept: list[Row] = []
    for r in cells:
        if (r[_C["table"]], r[_C["row"]]) in CONTINUITY_CELLS:
            row: Row = [None] * len(r)
            for i in _CELL_KEYS:
                row[i] = sys.intern(r[i]) if isinstance(r[i], str) else r[i]
            for i in _CELL_FIELDS:
                row[i] = r[i]
            kept.append(row)
    return kept


def continuity_checks(reports: Iterable[StoredReport]) -> list[Row]:
    """Rules 5-6 for every pair of reports of one agency in consecutive years (every
    combination where a year has several reports: conflicts are flagged, never chosen)."""
    by_year: dict[str, dict[int, list[StoredReport]]] = defaultdict(lambda: defaultdict(list))
    for stored in reports:
        if stored.agency_key and stored.year:
            by_year[stored.agency_key][stored.year].append(stored)
    rows: list[Row] = []
    for agency in sorted(by_year):
        years = by_year[agency]
        for year in sorted(years):
            for later in years[year]:
                for earlier in years.get(year - 1, []):
                    rows += [_between(earlier, later, check)
                             for check in check_continuity(earlier.report(), later.report())]
    return rows


def _between(earlier: StoredReport, later: StoredReport, check) -> Row:
    row = check_row(later.report_id, earlier.report_id, later.meta, check)
    row[-1] = f"{row[-1]} ({earlier.meta[1]} for {earlier.year}, {later.meta[1]} for {later.year})"
    return row


def conflicts(reports: Iterable[StoredReport]) -> list[Row]:
    """The cells in which reports of one (agency_key, year) differ, each report against
    the first (by report id). Reports that agree in every cell are still listed, with
    one row saying so: two reports for one agency-year is itself worth knowing."""
    groups: dict[tuple[str, int], list[StoredReport]] = defaultdict(list)
    for stored in reports:
        if stored.agency_key and stored.year:
            groups[(stored.agency_key, stored.year)].append(stored)
    rows: list[Row] = []
    for (agency, year), members in sorted(groups.items()):
        if len(members) > 1:
            rows += group_conflicts(agency, year, sorted(members, key=lambda s: s.report_id))
    return rows


def conflict_groups(reports: Iterable[StoredReport]
                    ) -> list[tuple[tuple[str, int], list[str]]]:
    """The agency-years with several reports, in order, each with its reports' ids in
    order: what `conflicts` compares, so that a caller holding only the reports' metadata
    can load each group's reports one at a time (batch.assemble)."""
    groups: dict[tuple[str, int], list[str]] = defaultdict(list)
    for stored in reports:
        if stored.agency_key and stored.year:
            groups[(stored.agency_key, stored.year)].append(stored.report_id)
    return [(key, sorted(members)) for key, members in sorted(groups.items())
            if len(members) > 1]


def group_conflicts(agency: str, year: int, members: Iterable[StoredReport]) -> list[Row]:
    """The conflict rows of one agency-year: each report (in report id order) against
    the first. Only the first and the one compared are held at a time."""
    reports = iter(members)
    first = next(reports)
    rows: list[Row] = []
    for other in reports:
        rows += _differences(agency, year, first, other)
    return rows


def _differences(agency: str, year: int, first: StoredReport, other: StoredReport
                 ) -> list[Row]:
    a, b = _values(first), _values(other)
    rows = []
    for key in sorted(a.keys() | b.keys(), key=_cell_order):
        if a.get(key) != b.get(key):
            left, right = a.get(key), b.get(key)
            rows.append([agency, year, first.report_id, other.report_id, *key,
                         _float(left), _float(right),
                         f"{'.'.join(key)}: {first.meta[1]} prints {_shown(left)}, "
                         f"{other.meta[1]} prints {_shown(right)}"])
    if not rows:
        rows.append([agency, year, first.report_id, other.report_id, None, None, None,
                     None, None, f"{first.meta[1]} and {other.meta[1]} print the same values"])
    return rows


def _values(stored: StoredReport) -> dict[tuple[str, str, str], object]:
    return {(r[_C["table"]], r[_C["row"]], r[_C["column"]]):
            ("unread" if r[_C["uncertain"]] else cell_value(r)) for r in stored.cells}


def _cell_order(key: tuple[str, str, str]) -> tuple:
    return cell_sort_key(CanonicalCell(*key, None, "", None, None))


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _shown(value: object) -> str:
    if value is None:
        return "nothing"
    if value == "unread":
        return "a value that could not be read"
    return f"{value:g}" if isinstance(value, float) else str(value)
