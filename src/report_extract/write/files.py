"""Atomic, streaming table writers: CSV (UTF-8 with BOM) and Parquet (typed, by year).

Each table is written to a temporary file or folder beside its final place and renamed
into place only when complete, so a reader never sees a half-written table and a failed
or killed run leaves the previous version intact.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from report_extract.write.tables import ALL_TABLES, Row, TableSpec, record_batch

FORMATS = ("csv", "parquet")
CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read the file as UTF-8 (Chinese text)
# The partition of reports whose year could not be read. Hive's null partition
# (__HIVE_DEFAULT_PARTITION__) would be the textbook choice, but pandas.read_parquet cannot
# read a dataset that has one ("Cannot yet unify dictionaries with nulls"), so: 0.
UNKNOWN_YEAR = 0
# The Hive key of a by-year folder. Not "year": `year` is a column of every file (a file
# read alone has it), and pyarrow (so pandas) refuses a partition key that is also a file
# column ("Unable to merge: Field year has incompatible types: int32 vs dictionary").
PARTITION_KEY = "year_partition"
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


class OutputError(OSError):
    """The output folder cannot be written (full, read-only, no permission)."""

    def __str__(self) -> str:
        return self.strerror or super().__str__()


# Failures of writing itself; a permission error counts when it names the output folder.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG}
_ACCESS_ERRNOS = {errno.EACCES, errno.EPERM}
_ADVICE = {errno.ENOSPC: "free some space", errno.EDQUOT: "free some space",
           errno.EFBIG: "free some space"}


@contextmanager
def writing_to(out_dir: Path) -> Iterator[None]:
    """Turn a failure to write into `out_dir` into an OutputError, one line for people."""
    try:
        yield
    except OSError as exc:
        if isinstance(exc, OutputError) or not _is_output_failure(exc, out_dir):
            raise
        reason = (exc.strerror or str(exc)).lower()
        advice = _ADVICE.get(exc.errno, "make it writable or choose another folder")
        raise OutputError(exc.errno, f"cannot write the output to {out_dir}: {reason}; "
                          f"{advice}, then run the same command again (finished reports "
                          "are kept)") from exc


def _is_output_failure(exc: OSError, out_dir: Path) -> bool:
    if exc.errno in _WRITE_ERRNOS:
        return True
    if exc.errno in _ACCESS_ERRNOS and exc.filename is not None:
        named = os.path.abspath(os.fsdecode(exc.filename))
        return named.startswith(os.path.abspath(out_dir))
    return False


def table_path(out_dir: Path, spec: TableSpec, fmt: str) -> Path:
    if fmt == "csv":
        return out_dir / f"{spec.name}.csv"
    return out_dir / (spec.name if spec.by_year else f"{spec.name}.parquet")


class Sink(Protocol):
    def write(self, rows: Iterable[Row]) -> None: ...
    def commit(self) -> None: ...
    def abort(self) -> None: ...


# A name that is not UTF-8 reaches text as lone surrogates (os.fsdecode): the files show
# its bytes as \xNN (any other lone surrogate as \uXXXX) instead of failing to encode.
ESCAPE_ERRORS = "report_extract.escape"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogate(char: str) -> str:
    code = ord(char)
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def _escape_errors(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    if not _LONE_SURROGATE.fullmatch(bad[0]):
        raise exc
    return "".join(_escape_surrogate(c) for c in bad), exc.end


codecs.register_error(ESCAPE_ERRORS, _escape_errors)


def printable(text: str) -> str:
    """`text` with lone surrogates escaped as the files show them."""
    return _LONE_SURROGATE.sub(lambda m: _escape_surrogate(m.group()), text)


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_ESCAPE = "'"  # the convention Excel and LibreOffice show as text, not as part of it
# Text that is a plain number (raw "-3" of a 本年增/减 cell) is a number to a spreadsheet,
# not a formula: it stays as printed.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*%?|-")


def _looks_like_formula(text: str) -> bool:
    if not text:
        return False
    if text[0] == FORMULA_ESCAPE:  # escaped too, so that unescaping is unambiguous
        return _looks_like_formula(text[1:])
    return text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text)


def escape_csv_text(text: str) -> str:
    """A leading apostrophe on text a spreadsheet would run as a formula."""
    return FORMULA_ESCAPE + text if _looks_like_formula(text) else text


def unescape_csv_text(text: str) -> str:
    """The exact text escape_csv_text was given (for readers of our CSV files)."""
    if text.startswith(FORMULA_ESCAPE) and _looks_like_formula(text[1:]):
        return text[1:]
    return text


def _csv_value(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value and value[0] in "=+-@\t\r'":
        return escape_csv_text(value)
    return value  # csv writes None as "", ints as "21", floats by repr ("7730.28")


class CsvSink:
    def __init__(self, spec: TableSpec, path: Path):
        self._path = path
        fd, self._tmp = _temp_file(path)
        self._handle = os.fdopen(fd, "w", encoding=CSV_ENCODING, newline="",
                                 errors=ESCAPE_ERRORS)
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
        with contextlib.suppress(OSError):  # a full disk fails the close's flush again
            self._handle.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._tmp)


def _record_batch(schema: pa.Schema, rows: list[Row]) -> pa.RecordBatch:
    try:
        return record_batch(schema, rows)
    except UnicodeEncodeError:  # a name that is not UTF-8: escaped, as in CSV
        return record_batch(schema, [[printable(v) if isinstance(v, str) else v for v in row]
                                     for row in rows])


class ParquetFileSink:
    """One Parquet file, written in row groups as rows stream in."""

    def __init__(self, spec: TableSpec, path: Path):
        self._path = path
        self._schema = spec.schema
        fd, self._tmp = _temp_file(path)
        os.close(fd)
        self._writer = pq.ParquetWriter(self._tmp, self._schema)
        self._buffer: list[Row] = []

    def write(self, rows: Iterable[Row]) -> None:
        # Row by row: `rows` may be a generator of millions (the dataset checks), held
        # here a row group at a time.
        for row in rows:
            self._buffer.append(row)
            if len(self._buffer) >= _ROW_GROUP:
                self._flush()

    def _flush(self) -> None:
        if self._buffer:
            self._writer.write_batch(_record_batch(self._schema, self._buffer))
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
    """A Hive-partitioned dataset folder: TABLE/year_partition=2023/part-0.parquet, one
    file per year. Every file holds the `year` column (an integer, null when unknown), so
    pandas, pyarrow, polars and DuckDB read `year` as an integer from the folder or from
    one file; the folder key is an extra column (an unknown year is partition 0).
    """

    def __init__(self, spec: TableSpec, path: Path):
        self._path = path
        self._year_index = spec.columns.index("year")
        self._spec = spec
        self._tmp = _temp_dir(path)
        self._sinks: dict[int | None, ParquetFileSink] = {}

    def _sink(self, year: int | None) -> ParquetFileSink:
        if year not in self._sinks:
            folder = self._tmp / f"{PARTITION_KEY}={UNKNOWN_YEAR if year is None else year}"
            folder.mkdir()
            self._sinks[year] = ParquetFileSink(self._spec, folder / "part-0.parquet")
        return self._sinks[year]

    def write(self, rows: Iterable[Row]) -> None:
        i = self._year_index
        for row in rows:
            self._sink(row[i]).write([row])

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


class CommitOnExit:
    """A `with` block that commits what was written on a clean exit and aborts it (no
    table half-written) on an exception."""

    def commit(self) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


class TableSet(CommitOnExit):
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

