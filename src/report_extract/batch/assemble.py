"""The output folder as one dataset: every table rebuilt from all the reports its manifest
holds (this run's and earlier runs'), with the dataset checks (rules 5-6 across years,
conflicts) run again over all of them and the agency identities made anew.

Two passes over the stored parts keep memory flat: the first reads what identities and
rules 5-6 need (the agency, the year, a few cells of each report), the second writes.
Reports of one agency-year that conflict are read again to compare them.
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
    conflict_groups,
    continuity_cells,
    continuity_checks,
    group_conflicts,
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
    conflicts: int = 0  # agency-years with several reports
    linked: dict[str, Identity] = field(default_factory=dict)
    failures: list[Row] = field(default_factory=list)  # failing `checks` rows
    conflict_rows: list[Row] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """An error-level check failed, or reports conflict (warnings alone do not fail)."""
        return self.conflicts > 0 or any(r[7] == "error" for r in self.failures)

    @property
    def lines(self) -> list[str]:
        """A line per failing check and per conflicting cell, for people."""
        lines = [f"{r[7]}: {r[2]} {r[4]}: {r[12]}" for r in self.failures]
        lines += [f"conflict: {r[0]} {r[1]}: {r[9]}" for r in self.conflict_rows]
        return lines

    @property
    def summary_line(self) -> str:
        text = (f"{self.reports} reports checked: {self.check_failures} checks failed "
                f"within reports, {self.continuity_failures} across years, "
                f"{self.conflicts} agency-years with conflicting reports")
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
    # Pass 1: names, years and the cells of rules 5-6.
    firsts = {e.sha256: _first_pass(e, store) for e in usable}
    names = [s.meta[2] for s in firsts.values() if s.meta[2]]
    identities = identify(names, aliases)
    for identity in identities.values():
        if identity.note:
            LOG.info("agency %s: %s", identity.agency, identity.note)
    links = {i.name_key: i.agency_key for i in identities.values()}
    for stored in firsts.values():
        stored.meta[3] = links.get(stored.meta[3], stored.meta[3])
    dataset_checks = continuity_checks(firsts.values())
    conflict_rows = _conflicts(firsts, usable, store)
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
        tables.write("checks", dataset_checks)
        tables.write("errors", sorted(_error_rows(entries, missing), key=lambda r: r[1]))
        tables.write("inputs", sorted(_input_rows(entries, missing, stale),
                                      key=lambda r: r[0]))
        tables.write("agencies", _agency_rows(identities, firsts.values()))
        tables.write("conflicts", conflict_rows)
    reporter.close()
    summary.reports = len(usable)
    summary.failed_inputs = (sum(e.status == FAILED for e in entries)
                             + sum(m.status == FAILED for m in missing))
    summary.continuity_failures = sum(not r[10] for r in dataset_checks)
    summary.failures += [r for r in dataset_checks if not r[10]]
    summary.conflicts = len({(r[0], r[1]) for r in conflict_rows})
    summary.conflict_rows = conflict_rows
    LOG.info("%d checks across years failed, %d agency-years conflict",
             summary.continuity_failures, summary.conflicts)
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
    return StoredReport(entry.sha256, report[:6], continuity_cells(rows["cells"]))


def _conflicts(firsts: dict[str, StoredReport], usable: list[ManifestEntry],
               store: PartStore) -> list[Row]:
    """The conflicts table: the reports of each agency-year shared by several, with all
    their cells, read again one at a time (an archive can hold many copies of a report,
    and their cells together would not fit in memory)."""
    entries = {e.sha256: e for e in usable}
    rows: list[Row] = []
    for (agency, year), members in conflict_groups(firsts.values()):
        rows += group_conflicts(agency, year, (_with_cells(firsts[sha], entries[sha], store)
                                               for sha in members))
    return rows


def _with_cells(stored: StoredReport, entry: ManifestEntry, store: PartStore) -> StoredReport:
    rows = store.read(entry.part, entry.offset, entry.length)
    return StoredReport(stored.report_id, stored.meta, rows["cells"])


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
    failing = [r for r in rows.get("checks", []) if not r[10]]
    summary.check_failures += len(failing)
    summary.failures += failing


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
