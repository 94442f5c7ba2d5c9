"""The batch's durable state in OUTDIR: a JSON-lines manifest and binary part files.

Each run appends the rows of its finished reports to a part file of its own, one framed
record per report, made durable (fdatasync) before the manifest line that names it is
appended (and fsynced): the manifest never points at a missing or half-written record, and
a report is on disk before the next one is recorded. A record without a manifest line
(killed between the two) is ignored; a part no line names is removed. The last line for a
hash wins.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import struct
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.jsonl"
PARTS_DIR = "_parts"  # a leading "_" keeps dataset readers from scanning it
LOCK_NAME = ".lock"
_PART_RE = re.compile(r"^part-(\d+)\.bin$")
_OPEN_FILES = 32
_FRAME = struct.Struct(">I")  # length prefix of one compressed record

DONE = "done"
FAILED = "failed"
SKIPPED = "skipped"


@dataclass
class ManifestEntry:
    """What happened to one unique input (by SHA-256) in some run."""

    sha256: str
    status: str  # done / failed / skipped
    tool_version: str
    detector: str
    paths: list[str] = field(default_factory=list)
    # path -> its exact name escaped (batch.inputs.Source.raw_path), where `path` is not exact
    raw_paths: dict[str, str] = field(default_factory=dict)
    part: str | None = None  # where a done report's rows are stored
    offset: int = 0
    length: int = 0
    pages: int = 0
    n_check_failures: int = 0
    stage: str | None = None  # for failures
    kind: str | None = None
    message: str | None = None
    seconds: float = 0.0
    schema: str = ""  # the output tables' layout the stored rows follow
    # With detector, how the file was extracted (batch.work.Options). The defaults are
    # what a run made before these fields were recorded did.
    ocr: str = "auto"  # OCR mode: auto / text / ocr
    ocr_engine: str = "rapidocr"
    reader: str = "pdfplumber"  # the PDF reader (pdfium since issue 16; pdfplumber before)

    def to_json(self) -> str:
        return json_text(asdict(self))


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(data: Any) -> str:
    """JSON that is valid UTF-8 whatever the strings hold: a name that is not UTF-8 (lone
    surrogates, from os.fsdecode) is kept as \\udcXX escapes, which load back the same."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    if _LONE_SURROGATE.search(text) is None:
        return text
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class OutputLocked(RuntimeError):
    pass


_HELD: set[str] = set()  # folders this process has locked (POSIX locks do not see those)


@contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Refuse a second convert writing to the same folder at the same time."""
    out_dir.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(out_dir)
    if key in _HELD:
        raise OutputLocked(f"another convert is writing to {out_dir}")
    # A POSIX record lock, not flock(): forked workers do not inherit it, so it dies with
    # this process even if a worker outlives it for a moment.
    with open(out_dir / LOCK_NAME, "a") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise OutputLocked(f"another convert is writing to {out_dir}") from None
        _HELD.add(key)
        try:
            yield
        finally:
            _HELD.discard(key)
            fcntl.lockf(handle, fcntl.LOCK_UN)


class Manifest:
    def __init__(self, out_dir: Path):
        self.path = out_dir / MANIFEST_NAME
        self.entries: dict[str, ManifestEntry] = {}

    def load(self) -> dict[str, ManifestEntry]:
        if not self.path.exists():
            return self.entries
        self._drop_torn_tail()
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                entry = _parse(line)
                if entry is not None:
                    self.entries[entry.sha256] = entry
        return self.entries

    def _drop_torn_tail(self) -> None:
        # A kill during an append can leave a last line without its newline: drop it, or
        # the next append would glue onto it.
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            with open(self.path, "r+b") as handle:
                handle.truncate(data.rfind(b"\n") + 1)

    def append(self, entries: Iterable[ManifestEntry]) -> None:
        lines = [e.to_json() + "\n" for e in entries]
        if not lines:
            return
        new = not self.path.exists()
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write("".join(lines))
            handle.flush()
            os.fsync(handle.fileno())
        if new:
            _fsync_folder(self.path.parent)
        for entry in entries:
            self.entries[entry.sha256] = entry


def _parse(line: str) -> ManifestEntry | None:
    try:
        data: dict[str, Any] = json.loads(line)
        known = ManifestEntry.__dataclass_fields__
        return ManifestEntry(**{k: v for k, v in data.items() if k in known})
    except (ValueError, TypeError):
        return None  # an unreadable line is a report to redo, not a reason to stop


class PartStore:
    """Compressed JSON records of finished reports; each run appends to a part of its own."""

    def __init__(self, out_dir: Path):
        self.folder = out_dir / PARTS_DIR
        self._next = 1 + max((_part_number(p.name) for p in self._parts()), default=0)
        self._open: dict[str, Any] = {}
        self._appending: tuple[str, Any] | None = None  # this run's part: (name, file)

    def _parts(self) -> list[Path]:
        return [p for p in self.folder.glob("part-*.bin")] if self.folder.is_dir() else []

    def write(self, records: list[tuple[str, Any]]) -> dict[str, tuple[str, int, int]]:
        """Append (sha256, rows) records to this run's part and make them durable; return
        sha256 -> (part, offset, length)."""
        if not records:
            return {}
        name, handle = self._appending or self._start_part()
        where: dict[str, tuple[str, int, int]] = {}
        offset = handle.seek(0, os.SEEK_END)  # after a torn frame of a failed write too
        for sha, rows in records:
            blob = zlib.compress(json_text(rows).encode("utf-8"))
            handle.write(_FRAME.pack(len(blob)) + blob)
            where[sha] = (name, offset, _FRAME.size + len(blob))
            offset += _FRAME.size + len(blob)
        handle.flush()
        os.fdatasync(handle.fileno())
        return where

    def _start_part(self) -> tuple[str, Any]:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"part-{self._next:06d}.bin"
        self._next += 1
        handle = open(self.folder / name, "xb")  # noqa: SIM115 (closed in close())
        _fsync_folder(self.folder)  # the new name itself survives a power cut
        self._appending = (name, handle)
        return self._appending

    def read(self, part: str, offset: int, length: int) -> Any:
        handle = self._open.pop(part, None)
        if handle is None:
            # Reads go in report order, not part order: keep a few recent files open.
            if len(self._open) >= _OPEN_FILES:
                self._open.pop(next(iter(self._open))).close()
            handle = open(self.folder / part, "rb")  # noqa: SIM115 (closed in close())
        self._open[part] = handle  # most recently used last
        handle.seek(offset)
        frame = handle.read(length)
        (size,) = _FRAME.unpack_from(frame)
        return json.loads(zlib.decompress(frame[_FRAME.size:_FRAME.size + size]))

    def remove_unreferenced(self, referenced: set[str]) -> None:
        for part in self._parts():
            if part.name not in referenced:
                part.unlink(missing_ok=True)

    def close(self) -> None:
        if self._appending is not None:
            with contextlib.suppress(OSError):
                self._appending[1].close()
            self._appending = None
        for handle in self._open.values():
            with contextlib.suppress(OSError):
                handle.close()
        self._open.clear()


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _part_number(name: str) -> int:
    match = _PART_RE.match(name)
    return int(match.group(1)) if match else 0
