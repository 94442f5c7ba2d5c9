"""The output folder as one dataset: every table rebuilt from all the reports its manifest
holds (this run's and earlier runs'), with the dataset checks (rules 5-6 across years,
conflicts) run again over all of them and the agency identities made anew.

Memory stays flat whatever the archive holds: a first pass over the stored parts keeps
of each report only its metadata and the digest of its values (which version of its
agency-year it is); the second writes the reports' rows; rules 5-6 and the conflicts read
again only the versions' first reports, two years of one agency at a time, and their rows
are written as they are made (an archive of many conflicting reports makes many).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from report_extract.batch.inputs import Source
from report_extract.batch.progress import Progress
from report_extract.batch.versions import SCHEMA_ID
from report_extract.dataset.checks import (
    StoredReport,
    Version,
    conflict_groups,
    continuity_cells,
    continuity_checks,
    group_conflicts,
    group_versions,
    values_digest,
    version_rows,
)
from report_extract.dataset.identity import Identity, identify
from report_extract.write import FORMATS, open_tables
from report_extract.write.files import remove_temporaries
from report_extract.write.manifest import (
    DONE,
    FAILED,
    SKIPPED,
    Manifest,
    ManifestEntry,
    PartStore,
    locked,
)
from report_extract.write.tables import ALL_TABLES, SPECS, Row, failed_report_row
from report_extract.write.xlsx import WORKBOOK_NAME, XLSX

LOG = logging.getLogger(__name__)
BIG_DATASET = 500  # reports: writing their tables takes long enough to say so
LINES_SHOWN = 1000  # failing checks and conflicting cells printed by `check`; the rest counted
STAGE_INPUT = "input"
KIND_NOT_FOUND = "not_found"


@dataclass(frozen=True)
class MissingInput:
    """An input that was not read, so has no manifest entry: a path that names nothing (a
    stale line of a list file), or a file refused before its bytes were read (a FIFO, an
    unsafe zip member: batch.inputs)."""

    path: str
    message: str
    kind: str = KIND_NOT_FOUND
    status: str = "failed"
    raw_path: str | None = None


@dataclass
class DatasetSummary:
    reports: int = 0  # reports in the tables
    failed_inputs: int = 0  # inputs that failed, all runs
    stale: int = 0  # stored results of an older table layout, left out
    check_failures: int = 0  # rules 1-4, all reports
    continuity_failures: int = 0  # rules 5 (errors) and 6 (warnings) that fail
    conflicts: int = 0  # agency-years with several versions (reports printing other values)
    copies: int = 0  # reports printing the same values as an earlier one of their agency-year
    error_failed: bool = False  # an error-level check failed
    linked: dict[str, Identity] = field(default_factory=dict)
    shown: list[str] = field(default_factory=list)  # the first LINES_SHOWN of `lines`
    not_shown: int = 0  # the lines past those

    def add_failure(self, row: Row) -> None:
        """A failing `checks` row."""
        self.error_failed = self.error_failed or row[7] == "error"
        self._line(f"{row[7]}: {row[2]} {row[4]}: {row[12]}")

    def add_conflict(self, row: Row) -> None:
        """A `conflicts` row."""
        self._line(f"conflict: {row[0]} {row[1]}: {row[9]}")

    def _line(self, line: str) -> None:
        if len(self.shown) < LINES_SHOWN:
            self.shown.append(line)
        else:
            self.not_shown += 1

    @property
    def failed(self) -> bool:
        """An error-level check failed, or reports conflict (warnings alone do not fail)."""
        return self.conflicts > 0 or self.error_failed

    @property
    def lines(self) -> list[str]:
        """A line per failing check and per conflicting cell, for people (the first
        LINES_SHOWN of them: an archive can hold millions)."""
        more = ([f"... and {self.not_shown} more failing checks and conflicting cells: see "
                 "the checks and conflicts tables"] if self.not_shown else [])
        return self.shown + more

    @property
    def summary_line(self) -> str:
        text = (f"{self.reports} reports checked: {self.check_failures} checks failed "
                f"within reports, {self.continuity_failures} across years, "
                f"{self.conflicts} agency-years with conflicting reports")
        if self.copies:
            text += (f"; {self.copies} reports print the same values as another of their "
                     "agency-year (checked once: see versions)")
        if self.linked:
            text += f"; {len(self.linked)} agency names linked (see agencies)"
        if self.stale:
            text += (f"; {self.stale} reports of an older table layout left out "
                     "(convert them again)")
        return text


def detect_format(out: Path) -> str:
    """The format an existing output folder was written in."""
    if (out / "reports.csv").is_file():
        return "csv"
    if (out / "reports").is_dir():
        return "parquet"
    if (out / WORKBOOK_NAME).is_file():
        return XLSX
    raise FileNotFoundError(f"{out}: no output tables here (convert some reports first)")


def assemble(out: Path, fmt: str, manifest: Manifest, store: PartStore, *,
             aliases: dict[str, str] | None = None,
             missing: Iterable[MissingInput] = (), progress: str = "off") -> DatasetSummary:
    """Write every table of `out` from the manifest's reports; return what was found.
    `progress`: a batch.progress mode for the writing of the reports' rows."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    summary = DatasetSummary()
    entries = [manifest.entries[sha] for sha in sorted(manifest.entries)]
    usable = [e for e in entries if e.status == DONE and _readable(e, store)]
    usable_ids = {e.sha256 for e in usable}
    stale = {e.sha256 for e in entries if e.status == DONE} - usable_ids
    summary.stale = len(stale)
    LOG.info("assembling %d reports into %s (%s)", len(usable), out, fmt)
    # Pass 1: names, years and which version of its agency-year each report is.
    firsts = {e.sha256: _first_pass(e, store) for e in usable}
    names = [s.meta[2] for s in firsts.values() if s.meta[2]]
    identities = identify(names, aliases)
    for identity in identities.values():
        if identity.note:
            LOG.info("agency %s: %s", identity.agency, identity.note)
    links = {i.name_key: i.agency_key for i in identities.values()}
    for stored in firsts.values():
        stored.meta[3] = links.get(stored.meta[3], stored.meta[3])
    versions = group_versions(firsts.values())
    summary.conflicts = len(conflict_groups(versions))
    summary.copies = sum(len(v.members) - 1 for v in versions)
    reading = _Reading({e.sha256: e for e in usable}, store)
    missing = list(missing)
    reporter = Progress(len(usable), progress, desc="writing tables", unit="report")
    if len(usable) >= BIG_DATASET:
        reporter.say(f"writing the tables of {len(usable)} reports")
    with open_tables(out, fmt, ALL_TABLES) as tables:
        for entry in entries:
            if entry.sha256 in usable_ids:
                _write_report(tables, entry, store, links, summary)
                reporter.update(True)
            elif entry.status == FAILED and entry.stage != STAGE_INPUT:
                tables.write("reports", [failed_report_row(entry.sha256, _shown(entry))])
        reporter.close()
        tables.write("checks", _counted_checks(continuity_checks(versions, reading.continuity),
                                               summary))
        tables.write("errors", sorted(_error_rows(entries, missing), key=lambda r: r[1]))
        tables.write("inputs", sorted(_input_rows(entries, missing, stale),
                                      key=lambda r: r[0]))
        tables.write("agencies", _agency_rows(identities, firsts.values()))
        tables.write("conflicts", _conflicts(versions, reading, summary))
        tables.write("versions", version_rows(versions))
    summary.reports = len(usable)
    summary.failed_inputs = (sum(e.status == FAILED for e in entries)
                             + sum(m.status == FAILED for m in missing))
    LOG.info("%d checks across years failed, %d agency-years conflict, %d reports are "
             "copies of another's values", summary.continuity_failures, summary.conflicts,
             summary.copies)
    summary.linked = {k: v for k, v in identities.items() if v.linked_by}
    from report_extract.dataset.package import write_datapackage

    write_datapackage(out, fmt)
    return summary


def _readable(entry: ManifestEntry, store: PartStore) -> bool:
    return (entry.part is not None and entry.schema == SCHEMA_ID
            and (store.folder / entry.part).is_file())


def _first_pass(entry: ManifestEntry, store: PartStore) -> StoredReport:
    rows = store.read(entry.part, entry.offset, entry.length)
    (report,) = rows["reports"]
    return StoredReport(entry.sha256, report[:6], digest=values_digest(rows["cells"]))


@dataclass
class _Reading:
    """Reads a stored report's cells again, for the versions' first reports."""

    entries: dict[str, ManifestEntry]
    store: PartStore

    def _cells(self, stored: StoredReport) -> list[Row]:
        entry = self.entries[stored.report_id]
        return self.store.read(entry.part, entry.offset, entry.length)["cells"]

    def continuity(self, stored: StoredReport) -> StoredReport:
        """With the cells rules 5-6 read."""
        return StoredReport(stored.report_id, stored.meta,
                            continuity_cells(self._cells(stored)), stored.digest)

    def every_cell(self, stored: StoredReport) -> StoredReport:
        return StoredReport(stored.report_id, stored.meta, self._cells(stored), stored.digest)


def _counted_checks(rows: Iterable[Row], summary: DatasetSummary) -> Iterator[Row]:
    for row in rows:
        if not row[10]:
            summary.continuity_failures += 1
            summary.add_failure(row)
        yield row


def _conflicts(versions: list[Version], reading: _Reading, summary: DatasetSummary
               ) -> Iterator[Row]:
    """The conflicts table: the versions of each agency-year that has several, their
    first reports with all their cells read again one at a time (an archive can hold
    many versions of a report, and their cells together would not fit in memory)."""
    for (agency, year), firsts in conflict_groups(versions):
        for row in group_conflicts(agency, year, map(reading.every_cell, firsts)):
            summary.add_conflict(row)
            yield row


def _write_report(tables, entry: ManifestEntry, store: PartStore,
                  links: dict[str, str], summary: DatasetSummary) -> None:
    rows = store.read(entry.part, entry.offset, entry.length)
    for name, table_rows in rows.items():
        if name not in SPECS:
            continue
        if "agency_key" in SPECS[name].columns:
            index = SPECS[name].columns.index("agency_key")
            for row in table_rows:
                row[index] = links.get(row[index], row[index])
        tables.write(name, table_rows)
    # The report's own checks as extraction ran them (rules 1-4, and with OCR the checks
    # over a doubtful value's candidates): they depend on nothing outside the report.
    for row in rows.get("checks", []):
        if not row[10]:
            summary.check_failures += 1
            summary.add_failure(row)


def _shown(entry: ManifestEntry) -> str:
    return Source(entry.paths[0], entry.paths[0]).source_file if entry.paths else ""


def _error_rows(entries: list[ManifestEntry], missing: list[MissingInput]) -> Iterator[Row]:
    for entry in entries:
        if entry.status == FAILED:
            for path in entry.paths:
                yield [Source(path, path).source_file, path, entry.sha256, entry.stage,
                       entry.message, entry.kind]
    for item in missing:
        if item.status == FAILED:
            yield [Source(item.path, item.path).source_file, item.path, None, STAGE_INPUT,
                   item.message, item.kind]


def _input_rows(entries: list[ManifestEntry], missing: list[MissingInput],
                stale: set[str]) -> Iterator[Row]:
    for entry in entries:
        status = {DONE: "converted", FAILED: FAILED, SKIPPED: SKIPPED}.get(entry.status,
                                                                           entry.status)
        if entry.sha256 in stale:  # an older layout's rows: convert the file again
            status = "stale"
        for i, path in enumerate(entry.paths):
            shown = "duplicate" if i and entry.status == DONE else status
            yield [path, Source(path, path).source_file, entry.sha256, shown, entry.kind,
                   entry.raw_paths.get(path)]
    for item in missing:
        yield [item.path, Source(item.path, item.path).source_file, None, item.status,
               item.kind, item.raw_path]


def _agency_rows(identities: dict[str, Identity], reports: Iterable[StoredReport]
                 ) -> list[Row]:
    counts: dict[str, int] = {}
    for stored in reports:
        if stored.meta[2]:
            counts[stored.meta[2]] = counts.get(stored.meta[2], 0) + 1
    return [[i.agency, i.name_key, i.agency_key, i.linked_by or None, i.note or None,
             counts.get(name, 0)] for name, i in sorted(identities.items())]


def check_dataset(out_dir: str | os.PathLike, *, agencies: str | os.PathLike | None = None
                  ) -> DatasetSummary:
    """Run every check again on an existing output folder and rewrite its tables (in the
    format they are in). Raises FileNotFoundError for a folder convert never wrote."""
    from report_extract.dataset.identity import read_aliases

    out = Path(out_dir)
    fmt = detect_format(out)
    manifest = Manifest(out)
    if not manifest.path.is_file():
        raise FileNotFoundError(f"{out}: no {manifest.path.name} here (convert some reports "
                                "first)")
    aliases = read_aliases(agencies) if agencies is not None else None
    with locked(out):
        remove_temporaries(out)
        manifest.load()
        store = PartStore(out)
        try:
            return assemble(out, fmt, manifest, store, aliases=aliases)
        finally:
            store.close()
