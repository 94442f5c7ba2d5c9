"""Finding the inputs of a batch: files, folders, globs, zip archives, a list file.

A zip member is read in place; its path is shown as "archive.zip!/folder/name.pdf".
Every input is identified by the SHA-256 of its bytes and sniffed by its first bytes.
"""

from __future__ import annotations

import glob
import hashlib
import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from report_extract.read.html import is_web_page

MEMBER_SEP = "!/"
PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
HEAD_SIZE = 1024  # readers accept a PDF header anywhere in the first 1024 bytes
_CHUNK = 1 << 20
_GLOB_CHARS = set("*?[")


class InputNotFound(FileNotFoundError):
    """An input that names no file, folder or glob match."""


@dataclass(frozen=True)
class Source:
    """One input file: on disk, or a member of a zip archive on disk."""

    path: str  # as shown to people and recorded in the outputs
    file: str  # the file on disk (the archive, for a member)
    member: int | None = None  # index in the archive's infolist
    problem: str | None = None  # why it cannot be read at all (a broken archive)

    @property
    def source_file(self) -> str:
        return self.path.rsplit(MEMBER_SEP, 1)[-1].rsplit("/", 1)[-1].rsplit(os.sep, 1)[-1]


@dataclass(frozen=True)
class Identified:
    source: Source
    sha256: str
    size: int
    head: bytes
    problem: str | None = None  # unreadable: the bytes could not all be read

    @property
    def is_pdf(self) -> bool:
        """A report to extract: a PDF, or a web page (.html/.htm, known by its content)."""
        return self.problem is None and (PDF_MAGIC in self.head
                                         or is_web_page(self.head, self.source.path))


def expand_inputs(inputs: Iterable[str | os.PathLike], *,
                  from_list: str | os.PathLike | None = None,
                  exclude: str | os.PathLike | None = None) -> list[Source]:
    """All input files, each once, sorted by path (so "first path" is deterministic)."""
    names = [os.fspath(i) for i in inputs]
    if from_list is not None:
        names += read_list(Path(from_list))
    excluded = Path(exclude).resolve() if exclude is not None else None
    found: dict[str, Source] = {}
    for name in names:
        for source in _expand_one(name, excluded):
            found.setdefault(source.path, source)
    return [found[path] for path in sorted(found)]


def read_list(list_file: Path) -> list[str]:
    """Paths, one a line; blank lines and lines starting with "#" are ignored."""
    lines = list_file.read_text(encoding="utf-8-sig").splitlines()
    return [s for line in lines if (s := line.strip()) and not s.startswith("#")]


def _expand_one(name: str, excluded: Path | None) -> Iterator[Source]:
    path = Path(name)
    if path.is_dir():
        yield from _walk(path, excluded)
    elif path.is_file():
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
    for root, dirs, files in os.walk(folder):
        # Hidden entries are system litter (.DS_Store, .git); the output folder is ours.
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and (excluded is None or Path(root, d).resolve() != excluded))
        for name in sorted(files):
            if not name.startswith("."):
                yield from _file_sources(Path(root, name))


def _file_sources(path: Path) -> Iterator[Source]:
    shown = os.path.normpath(path)
    if not _starts_with(path, ZIP_MAGIC):
        yield Source(shown, shown)
        return
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        yield Source(shown, shown, problem=f"cannot read the zip archive: {exc}")
        return
    for index, info in enumerate(infos):
        member = member_name(info)
        if info.is_dir() or _is_litter(member):
            continue
        yield Source(f"{shown}{MEMBER_SEP}{member}", shown, member=index)


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name; Chinese names from Windows zips are GBK, not the cp437 zip assumes."""
    if info.flag_bits & 0x800:  # the archive says UTF-8
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _is_litter(member: str) -> bool:
    parts = member.split("/")
    return parts[0] == "__MACOSX" or parts[-1].startswith(".")


def _starts_with(path: Path, magic: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(magic)) == magic
    except OSError:
        return False


def identify_all(sources: Iterable[Source]) -> Iterator[Identified]:
    """Hash and sniff each source, opening each archive once for its members."""
    archive: tuple[str, zipfile.ZipFile] | None = None
    try:
        for source in sources:
            if source.member is None:
                yield _identify(source, lambda s=source: open(s.file, "rb"))  # noqa: SIM115
                continue
            if archive is None or archive[0] != source.file:
                if archive is not None:
                    archive[1].close()
                archive = (source.file, zipfile.ZipFile(source.file))
            zf = archive[1]
            info = zf.infolist()[source.member]
            yield _identify(source, lambda zf=zf, info=info: zf.open(info))
    finally:
        if archive is not None:
            archive[1].close()


def _identify(source: Source, opener) -> Identified:
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
    except (OSError, zipfile.BadZipFile, EOFError) as exc:  # EOFError, CRC errors: broken zip
        return Identified(source, digest.hexdigest(), size, head, f"cannot read the file: {exc}")
    return Identified(source, digest.hexdigest(), size, head, source.problem)


def read_source(source: Source) -> bytes:
    """The bytes of a zip member (for a worker)."""
    assert source.member is not None
    with zipfile.ZipFile(source.file) as archive:
        return archive.read(archive.infolist()[source.member])


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
