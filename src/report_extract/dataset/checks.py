"""Checks over the whole dataset, from the reports' stored cells: the versions of each
agency-year (its reports grouped by the values they print), rules 5-6 between the versions
of consecutive years of one agency, and conflicts (several versions of one agency-year)."""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
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
    digest: bytes = b""  # values_digest of all its cells: which version it is

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


@dataclass
class Version:
    """The reports of one agency-year that print the same values (every cell's value, an
    unread cell as unread): re-downloads, one PDF under two names, a re-exported file. It
    is checked across years once, as its first report (by report id); `members` are all
    of them, the first included."""

    agency_key: str
    year: int
    members: list[StoredReport]

    @property
    def first(self) -> StoredReport:
        return self.members[0]


def values_digest(cells: Iterable[Row]) -> bytes:
    """SHA-256 of a report's values as `conflicts` compares them: two reports of one
    agency-year with the same digest have no cell that differs."""
    values = sorted(_cell_values(cells).items(), key=lambda item: item[0])
    text = json.dumps([[*key, _canonical(value)] for key, value in values], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).digest()


def _canonical(value: object) -> object:
    # 1 == 1.0 for the comparison, so one text for the digest
    return int(value) if isinstance(value, float) and value.is_integer() else value


def group_versions(reports: Iterable[StoredReport]) -> list[Version]:
    """The versions of every agency-year, in (agency_key, year, first report id) order.
    A report needs its `digest` (values_digest) set; one without agency or year is in
    none (it is checked against no other report)."""
    groups: dict[tuple[str, int, bytes], list[StoredReport]] = defaultdict(list)
    for stored in reports:
        if stored.agency_key and stored.year:
            groups[(stored.agency_key, stored.year, stored.digest)].append(stored)
    versions = [Version(agency, year, sorted(members, key=lambda s: s.report_id))
                for (agency, year, _), members in groups.items()]
    return sorted(versions, key=lambda v: (v.agency_key, v.year, v.first.report_id))


def version_rows(versions: Iterable[Version]) -> Iterator[Row]:
    """The `versions` table: a row per report, naming the version's first report."""
    for version in versions:
        for stored in version.members:
            yield [version.agency_key, version.year, version.first.report_id,
                   stored.report_id, stored.meta[1], len(version.members)]


Loader = Callable[[StoredReport], StoredReport]


def _as_is(stored: StoredReport) -> StoredReport:
    return stored


def continuity_checks(versions: Iterable[Version], load: Loader = _as_is) -> Iterator[Row]:
    """Rules 5-6 for every pair of versions of one agency in consecutive years (every
    combination where a year has several versions: conflicts are flagged, never chosen),
    each run once on the versions' first reports. `load` gives a first report with the
    cells rules 5-6 read (continuity_cells); only two years of one agency are loaded at
    a time."""
    by_agency: dict[str, dict[int, list[Version]]] = defaultdict(lambda: defaultdict(list))
    for version in versions:
        by_agency[version.agency_key][version.year].append(version)
    for agency in sorted(by_agency):
        years = by_agency[agency]
        loaded: dict[int, list[tuple[Version, Report]]] = {}
        for year in sorted(years):
            if year - 1 not in years and year + 1 not in years:
                continue  # no neighbour: nothing to check, nothing to read
            loaded = {y: v for y, v in loaded.items() if y == year - 1}
            loaded[year] = [(v, load(v.first).report()) for v in years[year]]
            for later, later_report in loaded[year]:
                for earlier, earlier_report in loaded.get(year - 1, []):
                    for check in check_continuity(earlier_report, later_report):
                        yield _between(earlier, later, check)


def _between(earlier: Version, later: Version, check) -> Row:
    row = check_row(later.first.report_id, earlier.first.report_id, later.first.meta, check)
    see = "; see versions" if len(earlier.members) + len(later.members) > 2 else ""
    row[-1] = f"{row[-1]} ({_named(earlier)}, {_named(later)}{see})"
    return row


def _named(version: Version) -> str:
    copies = len(version.members) - 1
    text = f"{version.first.meta[1]} for {version.year}"
    if copies:
        text += f" and {copies} more report{'s' if copies > 1 else ''} of the same values"
    return text


def conflicts(reports: Iterable[StoredReport]) -> list[Row]:
    """The cells in which the versions of one (agency_key, year) differ, each version
    against the first (by report id), over reports held in memory with all their cells
    (batch.assemble loads them one at a time: conflict_groups, group_conflicts)."""
    reports = list(reports)
    for stored in reports:
        stored.digest = values_digest(stored.cells)
    rows: list[Row] = []
    for (agency, year), firsts in conflict_groups(group_versions(reports)):
        rows += group_conflicts(agency, year, firsts)
    return rows


def conflict_groups(versions: Iterable[Version]
                    ) -> list[tuple[tuple[str, int], list[StoredReport]]]:
    """The agency-years with several versions, in order, each with its versions' first
    reports in report id order: what `group_conflicts` compares."""
    groups: dict[tuple[str, int], list[StoredReport]] = defaultdict(list)
    for version in versions:
        groups[(version.agency_key, version.year)].append(version.first)
    return [(key, sorted(firsts, key=lambda s: s.report_id))
            for key, firsts in sorted(groups.items()) if len(firsts) > 1]


def group_conflicts(agency: str, year: int, members: Iterable[StoredReport]) -> Iterator[Row]:
    """The conflict rows of one agency-year: each version's first report (in report id
    order) against the first one's. Only the first and the one compared are held at a
    time."""
    reports = iter(members)
    first = next(reports)
    for other in reports:
        yield from _differences(agency, year, first, other)


def _differences(agency: str, year: int, first: StoredReport, other: StoredReport
                 ) -> list[Row]:
    a, b = _cell_values(first.cells), _cell_values(other.cells)
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


def _cell_values(cells: Iterable[Row]) -> dict[tuple[str, str, str], object]:
    return {(r[_C["table"]], r[_C["row"]], r[_C["column"]]):
            ("unread" if r[_C["uncertain"]] else cell_value(r)) for r in cells}


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
