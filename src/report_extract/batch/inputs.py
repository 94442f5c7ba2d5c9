"""Finding the inputs of a batch: files, folders, globs, zip archives, a list file.

A zip member is read in place; its path is shown as "archive.zip!/folder/name.pdf", and a
member of a zip inside it as "archive.zip!/inner.zip!/name.pdf" (archives nest at most
ZIP_MAX_DEPTH deep). Every input is identified by the SHA-256 of its bytes and sniffed by
its first bytes.

What cannot or must not be read is recorded with a reason and a kind, never followed and
never dropped: special files (FIFOs, devices: never opened, so a batch cannot block on
them), symlink loops, zip members whose names lead out of the archive or that are symbolic
links, zip bombs (limits on members, inflated sizes and ratios, checked before inflating),
archives nested too deep. A file name that is not valid UTF-8 is shown readably (GB18030
where that decodes it, as old Chinese archives are) and recorded exactly in `raw_path`
(escape_name: the bytes as \\xNN).
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import re
import shutil
import stat
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

MEMBER_SEP = "!/"
PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
HEAD_SIZE = 1024  # readers accept a PDF header anywhere in the first 1024 bytes

# Archive limits: every real archive of reports passes them, a zip bomb does not.
ZIP_MAX_DEPTH = 3  # the archive on disk is depth 1, a zip inside it 2, ...
ZIP_MAX_MEMBERS = 100_000
ZIP_MAX_MEMBER_BYTES = 1 << 30  # one member, inflated
ZIP_MAX_TOTAL_BYTES = 16 << 30  # all members of one archive, inflated
ZIP_MAX_RATIO = 100  # inflated / stored size (a PDF's streams are compressed already) ...
ZIP_RATIO_FLOOR = 16 << 20  # ... for members that inflate to more than this

KIND_UNREADABLE = "unreadable"
KIND_SPECIAL = "special_file"
KIND_CORRUPT_ZIP = "corrupt_zip"
KIND_UNSAFE = "unsafe_member"
KIND_BOMB = "zip_bomb"
KIND_TOO_DEEP = "nested_too_deep"
KIND_LOOP = "symlink_loop"
SKIPPED_KINDS = frozenset({KIND_LOOP})  # recorded as skipped, not as failed

_CHUNK = 1 << 20
_SPOOL = 64 << 20  # a nested archive is held in memory up to this size, on disk above
_GLOB_CHARS = set("*?[")
_ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
               ValueError)  # RuntimeError: encrypted; NotImplementedError: compression
_SPECIAL = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
            (stat.S_ISDIR, "a folder"))


class InputNotFound(FileNotFoundError):
    """An input that names no file, folder or glob match."""


@dataclass(frozen=True)
class Source:
    """One input file: on disk, or a member of a zip archive (maybe inside others) on disk."""

    path: str  # readable: as shown to people and recorded in the outputs
    file: str  # the file on disk as the OS names it (the outermost archive, for a member)
    member: int | None = None  # index in the innermost archive's infolist
    archives: tuple[int, ...] = ()  # indices of the archives the member is inside, outer first
    problem: str | None = None  # why it is not read (refused, or cannot be)
    problem_kind: str | None = None
    raw_path: str | None = None  # the exact name, escaped, where `path` is not exact

    @property
    def source_file(self) -> str:
        if MEMBER_SEP in self.path:  # Windows tools name members with backslashes too
            return re.split(r"[/\\]", self.path.rsplit(MEMBER_SEP, 1)[-1])[-1]
        return self.path.rsplit("/", 1)[-1].rsplit(os.sep, 1)[-1]

    @property
    def bytes_readable(self) -> bool:
        """Whether its bytes may be read (to hash them): not for refused or special files."""
        return self.problem is None or self.problem_kind == KIND_CORRUPT_ZIP


@dataclass(frozen=True)
class Identified:
    source: Source
    sha256: str  # "" for what was not read
    size: int
    head: bytes
    problem: str | None = None  # unreadable: the bytes could not all be read
    problem_kind: str | None = None

    @property
    def is_pdf(self) -> bool:
        return self.problem is None and PDF_MAGIC in self.head

    @property
    def kind(self) -> str | None:
        """Why it is not read, as a stable key (None: it was read)."""
        if self.problem is None:
            return None
        return self.problem_kind or KIND_UNREADABLE


# -- names ---------------------------------------------------------------------------------

def escape_name(raw: bytes) -> str:
    """A name's bytes as text that gives them back exactly (unescape_name): UTF-8 as it is,
    any other byte as \\xNN, a backslash as \\\\."""
    text = raw.decode("utf-8", "surrogateescape")
    return "".join("\\\\" if c == "\\" else f"\\x{ord(c) - 0xDC00:02x}"
                   if "\udc80" <= c <= "\udcff" else c for c in text)


def unescape_name(text: str) -> bytes:
    pieces = re.split(r"\\(\\|x[0-9a-f]{2})", text)
    out = bytearray()
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            out += piece.encode("utf-8")
        else:
            out += b"\\" if piece == "\\" else bytes([int(piece[1:], 16)])
    return bytes(out)


def readable_name(raw: bytes) -> str:
    """A name for people: each path component as UTF-8, else as GB18030, else with the
    bytes neither decodes shown as \\xNN."""
    return "/".join(_readable_part(part) for part in raw.split(b"/"))


def _readable_part(part: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return part.decode(encoding)
        except UnicodeDecodeError:
            continue
    return part.decode("utf-8", "backslashreplace")


def _shown(os_path: str) -> tuple[str, str | None]:
    """(readable path, the exact one escaped where the readable one is not exact)."""
    try:
        os_path.encode("utf-8")
        return os_path, None
    except UnicodeEncodeError:  # undecodable bytes, kept by the OS as lone surrogates
        raw = os.fsencode(os_path)
        return readable_name(raw), escape_name(raw)


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name; Chinese names from Windows zips are GBK, not the cp437 zip assumes."""
    return _member_names(info)[0]


def _member_names(info: zipfile.ZipInfo) -> tuple[str, str | None]:
    """(readable name, the exact bytes escaped where the name was not UTF-8)."""
    if info.flag_bits & 0x800:  # the archive says UTF-8
        return info.filename, None
    raw = info.filename.encode("cp437")  # zipfile decoded the bytes as cp437: undo that
    if raw.isascii():
        return info.filename, None
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return readable_name(raw), escape_name(raw)


# -- finding the inputs --------------------------------------------------------------------

def expand_inputs(inputs: Iterable[str | os.PathLike], *,
                  from_list: str | os.PathLike | None = None,
                  exclude: str | os.PathLike | None = None) -> list[Source]:
    """All input files, each once, sorted by path (so "first path" is deterministic)."""
    names = [os.fspath(i) for i in inputs]
    if from_list is not None:
        names += read_list(Path(from_list))
    excluded = Path(exclude).resolve() if exclude is not None else None
    found: dict[tuple, Source] = {}
    for name in names:
        for source in _expand_one(name, excluded):
            # Keyed by what is read: two odd names can have the same readable form.
            found.setdefault((source.file, source.archives, source.member), source)
    return sorted(found.values(), key=lambda s: (s.path, s.raw_path or ""))


def read_list(list_file: Path) -> list[str]:
    """Paths, one a line; blank lines and lines starting with "#" are ignored."""
    lines = list_file.read_text(encoding="utf-8-sig").splitlines()
    return [s for line in lines if (s := line.strip()) and not s.startswith("#")]


def _expand_one(name: str, excluded: Path | None) -> Iterator[Source]:
    path = Path(name)
    if path.is_dir():
        yield from _walk(path, excluded)
    elif os.path.lexists(path):  # a file, a FIFO, a dangling link: all recorded
        yield from _file_sources(path)
    elif _GLOB_CHARS & set(name):
        matches = sorted(glob.glob(name, recursive=True))
        if not matches:
            raise InputNotFound(f"no file matches {name}")
        for match in matches:
            yield from _expand_one(match, excluded)
    else:
        raise InputNotFound(f"no such file or folder: {name}")


def _walk(folder: Path, excluded: Path | None) -> Iterator[Source]:
    """Files under `folder`, following symlinked folders but reading each folder once."""
    seen = {_identity(folder)}
    errors: list[OSError] = []
    for root, dirs, files in os.walk(folder, followlinks=True, onerror=errors.append):
        keep = []
        # Hidden entries are system litter (.DS_Store, .git); the output folder is ours.
        for name in sorted(dirs):
            path = Path(root, name)
            if name.startswith(".") or (excluded is not None and path.resolve() == excluded):
                continue
            identity = _identity(path)
            # A link back up the tree, or a second link to a folder: read once.
            if identity is not None and identity in seen:
                shown, raw = _shown(os.path.normpath(path))
                yield Source(shown, os.path.normpath(path), raw_path=raw,
                             problem="a symbolic link to a folder already read: not followed",
                             problem_kind=KIND_LOOP)
                continue
            seen.add(identity)
            keep.append(name)
        dirs[:] = keep
        for name in sorted(files):
            if not name.startswith("."):
                yield from _file_sources(Path(root, name))
        yield from (_unreadable(Path(e.filename or root), e) for e in errors)
        errors.clear()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _unreadable(path: Path, exc: OSError) -> Source:
    shown, raw = _shown(os.path.normpath(path))
    return Source(shown, os.path.normpath(path), raw_path=raw, problem_kind=KIND_UNREADABLE,
                  problem=f"cannot read the file: {_reason(exc)}")


def _reason(exc: BaseException) -> str:
    # strerror, not str(exc): that repeats the path, which may not even be printable.
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    return str(exc) or type(exc).__name__


def _file_sources(path: Path) -> Iterator[Source]:
    file = os.path.normpath(path)
    shown, raw = _shown(file)
    try:
        what = _special(os.stat(file).st_mode)  # follows a symlink to what it names
    except OSError as exc:  # a dangling link, a symlink loop, no permission
        yield _unreadable(path, exc)
        return
    if what is not None:
        yield Source(shown, file, raw_path=raw, problem_kind=KIND_SPECIAL,
                     problem=f"not a regular file ({what}): not read")
        return
    if _head(file, len(ZIP_MAGIC)) != ZIP_MAGIC:
        yield Source(shown, file, raw_path=raw)
        return
    archive = _Where(shown, raw, file, ())
    try:
        with zipfile.ZipFile(file) as opened:
            yield from _members(opened, archive, depth=1)
    except _ZIP_ERRORS as exc:
        yield archive.refused(KIND_CORRUPT_ZIP, f"cannot read the zip archive: {_reason(exc)}")


def _special(mode: int) -> str | None:
    """What a file that is not a regular file is ("a FIFO"); None for a regular file."""
    return next((what for test, what in _SPECIAL if test(mode)), None)


def _head(file: str, size: int) -> bytes:
    try:
        with _open_regular(file) as handle:
            return handle.read(size)
    except OSError:
        return b""


class SpecialFile(OSError):
    """A path that turned out not to name a regular file when it was opened."""


def _open_regular(file: str) -> IO[bytes]:
    """Open a regular file for reading; never block on (or read) a FIFO or a device."""
    fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    what = _special(os.fstat(fd).st_mode)
    if what is not None:  # it changed since it was listed
        os.close(fd)
        raise SpecialFile(f"not a regular file ({what}): not read")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


@dataclass(frozen=True)
class _Where:
    """An archive being listed: its readable and exact paths, and how to reach it."""

    shown: str
    raw: str | None
    file: str
    archives: tuple[int, ...]

    def refused(self, kind: str, problem: str) -> Source:
        """The archive itself as an input that is not read."""
        if not self.archives:
            return Source(self.shown, self.file, raw_path=self.raw, problem=problem,
                          problem_kind=kind)
        *outer, index = self.archives
        return Source(self.shown, self.file, index, tuple(outer), problem, kind, self.raw)

    def member(self, index: int, name: str, raw_name: str | None) -> Source:
        raw = None
        if self.raw is not None or raw_name is not None:
            raw = f"{self.raw or escape_name(self.shown.encode())}{MEMBER_SEP}" \
                  f"{raw_name or escape_name(name.encode())}"
        return Source(f"{self.shown}{MEMBER_SEP}{name}", self.file, index, self.archives,
                      raw_path=raw)

    def inside(self, member: Source) -> _Where:
        assert member.member is not None
        return _Where(member.path, member.raw_path, self.file,
                      (*self.archives, member.member))


def _members(archive: zipfile.ZipFile, where: _Where, depth: int) -> Iterator[Source]:
    infos = archive.infolist()
    refusal = _archive_refusal(infos)
    if refusal is not None:
        yield where.refused(KIND_BOMB, refusal)
        return
    for index, info in enumerate(infos):
        name, raw_name = _member_names(info)
        refused = _member_refusal(info, name)
        if refused is None and (info.is_dir() or _is_litter(name)):
            continue
        source = where.member(index, name, raw_name)
        if refused is not None:
            yield replace(source, problem_kind=refused[0], problem=refused[1])
        elif not _is_zip(archive, info):
            yield source
        elif depth >= ZIP_MAX_DEPTH:
            yield replace(source, problem_kind=KIND_TOO_DEEP,
                          problem=f"a zip archive nested more than {ZIP_MAX_DEPTH} deep: "
                                  "not opened")
        else:
            inner = where.inside(source)
            try:
                with _nested(archive, info) as opened:
                    yield from _members(opened, inner, depth + 1)
            except _ZIP_ERRORS as exc:
                yield inner.refused(KIND_CORRUPT_ZIP,
                                    f"cannot read the zip archive: {_reason(exc)}")


def _archive_refusal(infos: list[zipfile.ZipInfo]) -> str | None:
    if len(infos) > ZIP_MAX_MEMBERS:
        return (f"a zip archive of {len(infos):,} members, above the limit of "
                f"{ZIP_MAX_MEMBERS:,} (a zip bomb?): not opened")
    total = sum(info.file_size for info in infos)
    if total > ZIP_MAX_TOTAL_BYTES:
        return (f"a zip archive that would inflate to {_size(total)}, above the limit of "
                f"{_size(ZIP_MAX_TOTAL_BYTES)} (a zip bomb?): not opened")
    return None


def _member_refusal(info: zipfile.ZipInfo, name: str) -> tuple[str, str] | None:
    """(kind, reason) for a member that must not be read, from its header alone."""
    if info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16):  # 3: Unix
        return KIND_UNSAFE, "a symbolic link inside the zip archive: not followed"
    parts = name.replace("\\", "/").split("/")
    if parts[0] == "" or re.match(r"[A-Za-z]:", parts[0]) or ".." in parts:
        return KIND_UNSAFE, ("a member name that leads out of the zip archive "
                             "(an absolute path or ..): not read")
    if info.file_size > ZIP_MAX_MEMBER_BYTES:
        return KIND_BOMB, (f"a zip member that would inflate to {_size(info.file_size)}, "
                           f"above the limit of {_size(ZIP_MAX_MEMBER_BYTES)}: not read")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > ZIP_RATIO_FLOOR and ratio > ZIP_MAX_RATIO:
        return KIND_BOMB, (f"a zip member that would inflate {ratio:,.0f} times to "
                           f"{_size(info.file_size)}, above the limit of {ZIP_MAX_RATIO} "
                           "times (a zip bomb?): not read")
    return None


def _size(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def _is_litter(member: str) -> bool:
    parts = member.replace("\\", "/").split("/")
    return parts[0] == "__MACOSX" or parts[-1].startswith(".")


def _is_zip(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    if info.file_size < len(ZIP_MAGIC):
        return False
    try:
        with archive.open(info) as handle:
            return handle.read(len(ZIP_MAGIC)) == ZIP_MAGIC
    except _ZIP_ERRORS:
        return False  # it fails again when read, and is recorded then


@contextlib.contextmanager
def _nested(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[zipfile.ZipFile]:
    """A zip member opened as a zip (its bytes in memory, or on disk when large)."""
    with tempfile.SpooledTemporaryFile(_SPOOL) as spool:
        with archive.open(info) as member:
            shutil.copyfileobj(member, spool, _CHUNK)
        spool.seek(0)
        with zipfile.ZipFile(spool) as opened:
            yield opened


class _Archives:
    """The archive chain last opened, kept open for the next member of the same archive
    (reopening a zip parses its whole central directory: 40 ms for 10,000 members)."""

    def __init__(self) -> None:
        self._key: tuple[str, tuple[int, ...]] | None = None
        self._stack = contextlib.ExitStack()
        self._innermost: zipfile.ZipFile | None = None
        self.pid = os.getpid()

    def get(self, file: str, archives: tuple[int, ...]) -> zipfile.ZipFile:
        if self._key == (file, archives) and self._innermost is not None:
            return self._innermost
        self.close()
        opened = self._stack.enter_context(zipfile.ZipFile(file))
        for index in archives:
            opened = self._stack.enter_context(_nested(opened, opened.infolist()[index]))
        self._key, self._innermost = (file, archives), opened
        return opened

    def close(self) -> None:
        self._key, self._innermost = None, None
        self._stack.close()
        self._stack = contextlib.ExitStack()


# -- reading them --------------------------------------------------------------------------

def identify_all(sources: Iterable[Source]) -> Iterator[Identified]:
    """Hash and sniff each source, opening each archive once for its members."""
    archives = _Archives()
    try:
        for source in sources:
            if not source.bytes_readable:
                yield Identified(source, "", 0, b"", source.problem, source.problem_kind)
            elif source.member is None:
                yield _identify(source, lambda s=source: _open_regular(s.file))
            else:
                yield _identify(source, lambda s=source: _open_member(archives, s))
    finally:
        archives.close()


def _open_member(archives: _Archives, source: Source) -> IO[bytes]:
    assert source.member is not None
    archive = archives.get(source.file, source.archives)
    return archive.open(archive.infolist()[source.member])


def _identify(source: Source, opener: Callable[[], IO[bytes]]) -> Identified:
    digest = hashlib.sha256()
    head = b""
    size = 0
    try:
        with opener() as handle:
            while chunk := handle.read(_CHUNK):
                if size < HEAD_SIZE:
                    head = (head + chunk)[:HEAD_SIZE]
                digest.update(chunk)
                size += len(chunk)
    except SpecialFile as exc:
        return Identified(source, "", 0, b"", str(exc), KIND_SPECIAL)
    except _ZIP_ERRORS as exc:  # EOFError, CRC errors: a broken zip
        return Identified(source, digest.hexdigest(), size, head,
                          f"cannot read the file: {_reason(exc)}", KIND_UNREADABLE)
    return Identified(source, digest.hexdigest(), size, head, source.problem,
                      source.problem_kind)


_WORKER = threading.local()  # per thread: Dask runs tasks in threads


def read_source(source: Source) -> bytes:
    """The bytes of a zip member (for a worker, which keeps its last archive open)."""
    archives: _Archives | None = getattr(_WORKER, "archives", None)
    if archives is None or archives.pid != os.getpid():
        archives = _WORKER.archives = _Archives()  # never a parent's open files after a fork
    with _open_member(archives, source) as handle:
        return handle.read()


def not_pdf_reason(item: Identified) -> str:
    """Why bytes are not a PDF, worded as report_extract.ingest words it for one file."""
    if item.problem:
        return item.problem
    if item.size == 0:
        return "empty file (0 bytes), not a PDF"
    head = item.head.lower()
    if b"<html" in head or b"<!doctype" in head:
        return "not a PDF (it is an HTML page)"
    return "not a PDF (no %PDF- header)"
