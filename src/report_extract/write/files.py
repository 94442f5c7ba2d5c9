"""Atomic, streaming table writers: CSV (UTF-8 with BOM) and Parquet (typed, by year).

Each table is written to a temporary file or folder beside its final place and renamed
into place only when complete, so a reader never sees a half-written table and a failed
or killed run leaves the previous version intact.
"""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

from report_extract.write.tables import ALL_TABLES, Row, TableSpec

if TYPE_CHECKING:  # pyarrow is imported only to write Parquet
    import pyarrow as pa

FORMATS = ("csv", "parquet")
CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read the file as UTF-8 (Chinese text)
# The partition of reports whose year could not be read. Hive's null partition
# (__HIVE_DEFAULT_PARTITION__) would be the textbook choice, but pandas.read_parquet cannot
# read a dataset that has one ("Cannot yet unify dictionaries with nulls"), so: year=0.
UNKNOWN_YEAR = 0
TEMP_PREFIX = ".tmp-"
_ROW_GROUP = 20_000


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()


def _temp_file(path: Path) -> tuple[int, str]:
    """A temp file beside `path`, with the permissions a plain open() would give it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", dir=path.parent)
    os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600: outputs are for sharing
    return fd, tmp


def _temp_dir(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{path.name}.", dir=path.parent)
    os.chmod(tmp, 0o777 & ~_UMASK)
    return Path(tmp)


@contextmanager
def atomic_file(path: Path, mode: str = "w", **open_kwargs) -> Iterator[IO]:
    """Open a temporary file beside `path`; on success fsync and rename it onto `path`."""
    fd, tmp = _temp_file(path)
    try:
        with os.fdopen(fd, mode, **open_kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def replace_dir(tmp: Path, target: Path) -> None:
    """Put folder `tmp` in place of `target` (two renames; the old one is removed after)."""
    old = None
    if target.exists():
        old = target.with_name(f"{TEMP_PREFIX}{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def remove_temporaries(folder: Path) -> None:
    """Delete what a killed run left half-written (only our own temp names)."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.name.startswith(TEMP_PREFIX):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def table_path(out_dir: Path, spec: TableSpec, fmt: str) -> Path:
    if fmt == "csv":
        return out_dir / f"{spec.name}.csv"
    return out_dir / (spec.name if spec.by_year else f"{spec.name}.parquet")


class Sink(Protocol):
    def write(self, rows: Iterable[Row]) -> None: ...
    def commit(self) -> None: ...
    def abort(self) -> None: ...


def _csv_value(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value  # csv writes None as "", ints as "21", floats by repr ("7730.28")


class CsvSink:
    def __init__(self, spec: TableSpec, path: Path):
        self._path = path
        fd, self._tmp = _temp_file(path)
        self._handle = os.fdopen(fd, "w", encoding=CSV_ENCODING, newline="")
        self._writer = csv.writer(self._handle)
        self._writer.writerow(spec.columns)

    def write(self, rows: Iterable[Row]) -> None:
        self._writer.writerows([_csv_value(v) for v in row] for row in rows)

    def commit(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        os.replace(self._tmp, self._path)

    def abort(self) -> None:
        self._handle.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._tmp)


def _to_batch(schema: pa.Schema, rows: list[Row]) -> pa.RecordBatch:
    import pyarrow as pa

    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    arrays = [pa.array(list(col), type=field.type) for col, field in zip(columns, schema,
                                                                           strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


class ParquetFileSink:
    """One Parquet file, written in row groups as rows stream in."""

    def __init__(self, spec: TableSpec, path: Path):
        self._path = path
        self._schema = spec.schema
        fd, self._tmp = _temp_file(path)
        os.close(fd)
        import pyarrow.parquet as pq

        self._writer = pq.ParquetWriter(self._tmp, self._schema)
        self._buffer: list[Row] = []

    def write(self, rows: Iterable[Row]) -> None:
        self._buffer.extend(rows)
        if len(self._buffer) >= _ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            self._writer.write_batch(_to_batch(self._schema, self._buffer))
            self._buffer = []

    def commit(self) -> None:
        self._flush()
        self._writer.close()
        os.replace(self._tmp, self._path)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._writer.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._tmp)


class ParquetYearSink:
    """A Hive-partitioned dataset folder: TABLE/year=2023/part-0.parquet, one file per year.

    The year lives in the folder name (the Hive convention), not in the files, so pandas,
    pyarrow, polars and DuckDB all read it back as a column; an unknown year reads as 0.
    """

    def __init__(self, spec: TableSpec, path: Path):
        self._path = path
        self._year_index = spec.columns.index("year")
        self._spec = TableSpec(spec.name, tuple(f for f in spec.fields if f[0] != "year"))
        self._tmp = _temp_dir(path)
        self._sinks: dict[int | None, ParquetFileSink] = {}

    def _sink(self, year: int | None) -> ParquetFileSink:
        if year not in self._sinks:
            folder = self._tmp / f"year={UNKNOWN_YEAR if year is None else year}"
            folder.mkdir()
            self._sinks[year] = ParquetFileSink(self._spec, folder / "part-0.parquet")
        return self._sinks[year]

    def write(self, rows: Iterable[Row]) -> None:
        i = self._year_index
        for row in rows:
            self._sink(row[i]).write([row[:i] + row[i + 1:]])

    def commit(self) -> None:
        if not self._sinks:  # an empty table still gets a readable file with its columns
            self._sink(None)
        for sink in self._sinks.values():
            sink.commit()
        replace_dir(self._tmp, self._path)

    def abort(self) -> None:
        for sink in self._sinks.values():
            sink.abort()
        shutil.rmtree(self._tmp, ignore_errors=True)


def open_sink(out_dir: Path, spec: TableSpec, fmt: str) -> Sink:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    path = table_path(out_dir, spec, fmt)
    if fmt == "csv":
        return CsvSink(spec, path)
    return ParquetYearSink(spec, path) if spec.by_year else ParquetFileSink(spec, path)


class TableSet:
    """Sinks for several tables, committed together once everything is written."""

    def __init__(self, out_dir: Path, fmt: str, specs: Iterable[TableSpec] = ALL_TABLES):
        self._sinks: dict[str, Sink] = {}
        try:
            for spec in specs:
                self._sinks[spec.name] = open_sink(out_dir, spec, fmt)
        except BaseException:
            self.abort()
            raise

    def write(self, table: str, rows: Iterable[Row]) -> None:
        self._sinks[table].write(rows)

    def commit(self) -> None:
        pending = list(self._sinks.values())
        try:
            while pending:
                pending[0].commit()
                pending.pop(0)
        finally:
            for sink in pending:
                sink.abort()

    def abort(self) -> None:
        for sink in self._sinks.values():
            sink.abort()

    def __enter__(self) -> TableSet:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()
