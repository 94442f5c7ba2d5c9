"""Bounded work per file: limits that a hostile or broken PDF cannot get past.

A report is a few dozen pages of text and ruled tables; a damaged or malicious file can ask
for millions of pages, pages kilometres wide, a content stream of gigabytes, or a small
stream that inflates to gigabytes (a decompression bomb). Each is refused with a
TooLargeError before the parsers start on it:

- check_file: the file's size, then every stream's decoded size, inflated chunk by chunk
  and stopped at the cap, so a bomb is measured without ever being held in memory (a
  stream whose filters cannot make it larger than the limits, by their most expansion
  per byte, is measured only if a page check asks for it: fonts are not inflated);
- check_page: each page's box (four finite numbers enclosing an area, not too large) and
  the decoded size of its content streams (from check_file's measurements; for the PDFium
  reader, check_pages_content finds each page's streams by walking the page tree in the
  raw bytes, since PDFium parses a page's whole content as it loads it).

Time and memory are bounded around the whole extraction: `deadline` (a SIGALRM timer for
Python code, raising ExtractTimeoutError), `apply_memory_limit` (RLIMIT_AS in a worker),
and `run_isolated`, which runs one extraction in a child process with both, and kills it
at the deadline: the only way to stop a hang in native code (PDFium, zlib, OCR), and a
crash there becomes a one-line error instead of the end of the command.
"""

from __future__ import annotations

import contextlib
import math
import mmap
import os
import re
import signal
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from report_extract.errors import (
    BadPageBoxError,
    ExtractTimeoutError,
    OutOfMemoryError,
    ReportError,
    TooLargeError,
    WorkerCrashedError,
    internal_error,
)

MB = 1 << 20
MAX_RENDER_PIXELS = 150e6  # a page rendered for OCR (A0 at 300 dpi is 139 megapixels)
_CHUNK = 1 << 20  # inflate this much at a time


@dataclass(frozen=True)
class Limits:
    """What one file may cost. The defaults pass every real report with a wide margin
    (a report is ~10-60 A4 pages, streams of kilobytes, scans of a few MB per page)."""

    max_pages: int = 1000
    max_page_side: float = 5000.0  # points (1.76 m; A0's long side is 3370)
    max_file_mb: float = 1024.0
    # Decoded content (and forms, as drawn) of one page: a report's pages have < 100 KB;
    # pdfminer keeps ~1 KB per character, so 4 MB of dense text is already ~1-2 GB.
    max_page_content_mb: float = 4.0
    max_stream_mb: float = 256.0  # any one decoded stream (a 600 dpi RGB A4 scan is ~100)
    max_streams_total_mb: float = 4096.0  # all decoded streams of the file together
    timeout: float | None = 600.0  # seconds per file; None: no limit
    memory_mb: int | None = 4096  # address space of the process extracting; None: no limit

    def __post_init__(self) -> None:
        for name in ("max_pages", "max_page_side", "max_file_mb", "max_page_content_mb",
                     "max_stream_mb", "max_streams_total_mb"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)}")
        if self.timeout is not None and not self.timeout > 0:
            raise ValueError(f"timeout must be positive seconds, not {self.timeout}")
        if self.memory_mb is not None and self.memory_mb < 256:
            raise ValueError(f"memory_mb must be at least 256, not {self.memory_mb}")


UNLIMITED_TIME = None
DEFAULT = Limits()


# --- the file: size and decoded stream sizes ------------------------------------------

_STREAM = b"stream"
_OBJ = re.compile(rb"(\d+)\s+\d+\s+obj\b")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+)")
_NAME = re.compile(rb"/([^\s/\[\]<>()]+)")
_HEAD = 4096  # bytes before `stream` searched for its object number and dictionary


@dataclass(frozen=True)
class FileScan:
    """What check_file measured of a file's raw bytes, for the readers' checks."""

    # decoded size of each numbered object's stream (check_page_content)
    sizes: Mapping[int, int]
    # Form XObjects, or object streams that could hide them: only then can a page's drawn
    # content exceed what its streams hold (forms drawn within forms). Looked for in the
    # whole file, not only in stream dictionaries, which a hostile file may pad past _HEAD.
    may_draw_forms: bool
    # Per page, in the page tree's order, the object numbers of its content streams; found
    # in the raw bytes only where no form or object stream can hide a page's content (None
    # otherwise, or where the page tree cannot be walked: the reference reader then checks).
    page_contents: tuple[tuple[int, ...], ...] | None = None


def check_file(path: str | os.PathLike[str], name: str, limits: Limits = DEFAULT) -> FileScan:
    """Refuse a file too large or holding a stream that decodes too large; return the
    decoded size of each numbered object's stream and whether it may draw forms."""
    size = Path(path).stat().st_size
    if size > limits.max_file_mb * MB:
        raise TooLargeError(name, f"too large: the file is {size / MB:.0f} MB, over the limit "
                                  f"of {limits.max_file_mb:g} MB (--max-file-mb)")
    if size == 0:
        return FileScan({}, may_draw_forms=False)
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        sizes = _stream_sizes(data, Path(path), name, limits)
        if data.find(b"/Form") >= 0 or data.find(b"/ObjStm") >= 0:
            return FileScan(sizes, may_draw_forms=True)
        return FileScan(sizes, may_draw_forms=False,
                        page_contents=_page_contents(data, limits.max_pages + 1))


@dataclass(frozen=True)
class _Stream:
    """Where a stream's raw bytes are in the file, and its filters."""

    start: int
    end: int
    filters: tuple[bytes, ...]

    @property
    def decodes(self) -> bool:
        """Has it a filter decoded_size decodes (else its size is its length)?"""
        return bool(self.filters) and self.filters[0] in _DECODERS

    def measure(self, data: mmap.mmap, cap: int) -> int:
        """Its decoded size (decoded_size), counted up to just past `cap`."""
        if not self.decodes:
            return self.end - self.start  # not copied out of the file: it may be an image
        return decoded_size(data[self.start:self.end], list(self.filters), cap)


class StreamSizes(Mapping[int, int]):
    """The decoded size of each numbered object's stream (the largest, for a number
    defined more than once), measured when first asked for where check_file could leave
    it: a stream its filters cannot make larger than the limits. Most of a report's
    streams (fonts) are never asked for; a page's content streams are, by its check."""

    def __init__(self, path: Path, cap: int) -> None:
        self._path, self._cap = path, cap
        self._sizes: dict[int, int] = {}
        self._unmeasured: dict[int, list[_Stream]] = {}

    def add(self, number: int, size: int) -> None:
        self._sizes[number] = max(size, self._sizes.get(number, 0))

    def leave(self, number: int, stream: _Stream) -> None:
        self._unmeasured.setdefault(number, []).append(stream)

    def settle(self, measured: list[tuple[int, int]]) -> None:
        """The sizes of every stream left so far, measured after all (number, size)."""
        self._unmeasured.clear()
        for number, size in measured:
            self.add(number, size)

    def __getitem__(self, number: int) -> int:
        if number in self._unmeasured:
            with open(self._path, "rb") as handle, \
                    mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                self._measure(number, data)
        return self._sizes[number]

    def _measure(self, number: int, data: mmap.mmap) -> None:
        for stream in self._unmeasured.pop(number):
            self.add(number, stream.measure(data, self._cap))

    def __iter__(self) -> Iterator[int]:
        return iter(self._sizes.keys() | self._unmeasured.keys())

    def __len__(self) -> int:
        return len(self._sizes.keys() | self._unmeasured.keys())


def _stream_sizes(data: mmap.mmap, path: Path, name: str, limits: Limits) -> StreamSizes:
    """Each stream's decoded size against the limits, in the file's order.

    A stream whose encoded length times its filters' most expansion (most_decoded) is
    within the stream limit, and within what is left of the total's, is not decoded
    here: it cannot be the stream or the total over a limit. Once the total's bounds
    pass its limit, the streams left so far are measured, so the total is exact where
    it decides, and each refusal names the stream it always named."""
    cap, total_cap = int(limits.max_stream_mb * MB), int(limits.max_streams_total_mb * MB)
    sizes = StreamSizes(path, cap)
    total = 0  # bytes decoded, counting each stream left unmeasured at its bound
    left: list[tuple[int | None, _Stream, float]] = []  # unmeasured so far, with bounds
    for number, stream in _streams(data):
        bound = most_decoded(stream.end - stream.start, stream.filters)
        if stream.decodes and bound <= cap and total + bound <= total_cap:
            if number is not None:
                sizes.leave(number, stream)
            left.append((number, stream, bound))
            total += bound
            continue
        size = stream.measure(data, cap)
        if size > cap:
            where = f"object {number}" if number is not None else f"at byte {stream.start}"
            raise TooLargeError(name, f"too large: a stream ({where}) decodes to over "
                                      f"{limits.max_stream_mb:g} MB (--max-stream-mb); "
                                      "refused before inflating it (decompression bomb?)")
        if total + size > total_cap and left:  # the bounds are not enough: measure them
            measured = [(n, s.measure(data, cap)) for n, s, _ in left]
            total += sum(m for _, m in measured) - sum(b for _, _, b in left)
            sizes.settle([(n, m) for n, m in measured if n is not None])
            left.clear()
        total += size
        if total > total_cap:
            raise TooLargeError(name, f"too large: its streams decode to over "
                                      f"{limits.max_streams_total_mb:g} MB together")
        if number is not None:
            sizes.add(number, size)
    return sizes


def _streams(data: mmap.mmap) -> Iterator[tuple[int | None, _Stream]]:
    """Each stream keyword's object number (where one is near enough before it) and its
    raw bytes' span and filters. A keyword is "stream" followed by an end of line and
    not ending "endstream" (found by bytes.find: a regular expression beginning with a
    look-behind scans the file byte by byte, ten times slower)."""
    at = data.find(_STREAM)
    while at >= 0:
        after = at + len(_STREAM)
        start = after + 1 if data[after:after + 1] == b"\n" else (
            after + 2 if data[after:after + 2] == b"\r\n" else -1)
        if start < 0 or (at >= 3 and data[at - 3:at] == b"end"):
            at = data.find(_STREAM, at + 1)
            continue
        end = data.find(b"endstream", start)
        head = data[max(0, at - _HEAD):at]
        objects = list(_OBJ.finditer(head))
        number = int(objects[-1].group(1)) if objects else None
        dictionary = head[objects[-1].end():] if objects else head
        yield number, _Stream(start, end if end >= 0 else len(data), tuple(_filters(dictionary)))
        at = data.find(_STREAM, start)


_OBJ_KEYWORD = re.compile(rb"obj\b")  # a literal first: a digits-first pattern is 40x slower
_OBJ_NUMBERS = re.compile(rb"(?<![\d.])(\d+)\s+\d+\s+$")
_REF = re.compile(rb"(\d+)\s+\d+\s+R\b")
_ROOT = re.compile(rb"/Root\s+(\d+)\s+\d+\s+R\b")
_PAGES_REF = re.compile(rb"/Pages\s+(\d+)\s+\d+\s+R\b")
_KIDS = re.compile(rb"/Kids\s*\[([^\]]*)\]")
_CONTENTS = re.compile(rb"/Contents\s*(\[[^\]]*\]|\d+\s+\d+\s+R\b)")


def _page_contents(data: mmap.mmap, most: int) -> tuple[tuple[int, ...], ...] | None:
    """Each page's content stream objects, walking the page tree in the raw bytes (every
    object is in plain sight: the caller made sure there is no object stream). None where
    the tree cannot be walked (damage): the reference reader's checks decide then."""
    bodies = _object_bodies(data)
    roots = _ROOT.findall(data)
    catalog = bodies.get(int(roots[-1])) if roots else None
    pages_ref = _PAGES_REF.search(catalog) if catalog else None
    if pages_ref is None:
        return None
    found: list[tuple[int, ...]] = []
    pending, seen = [int(pages_ref.group(1))], set()
    while pending and len(found) < most:
        number = pending.pop()
        body = bodies.get(number)
        if body is None or number in seen:
            return None  # a dangling or looping tree: left to the reader that refuses it
        seen.add(number)
        kids = _KIDS.search(body)
        if kids:
            pending.extend(reversed([int(n) for n in _REF.findall(kids.group(1))]))
        else:
            found.append(_contents_of(body, bodies))
    return tuple(found)


def _object_bodies(data: mmap.mmap) -> dict[int, bytes]:
    """Each object's text up to its `stream` or `endobj` (the last definition wins, as in an
    incrementally updated file)."""
    bodies: dict[int, bytes] = {}
    for match in _OBJ_KEYWORD.finditer(data):
        numbers = _OBJ_NUMBERS.search(data, max(0, match.start() - 32), match.start())
        if numbers is None:
            continue
        start = match.end()
        ends = [i for i in (data.find(b"endobj", start, start + _HEAD),
                            data.find(b"stream", start, start + _HEAD)) if i >= 0]
        bodies[int(numbers.group(1))] = data[start:min(ends) if ends else start + _HEAD]
    return bodies


def _contents_of(page: bytes, bodies: dict[int, bytes]) -> tuple[int, ...]:
    contents = _CONTENTS.search(page)
    if contents is None:
        return ()
    refs = [int(n) for n in _REF.findall(contents.group(1))]
    if len(refs) == 1 and bodies.get(refs[0], b"").lstrip().startswith(b"["):
        refs = [int(n) for n in _REF.findall(bodies[refs[0]])]  # an array held by reference
    return tuple(refs)


def check_pages_content(scan: FileScan, name: str, limits: Limits = DEFAULT) -> None:
    """Each page's decoded content against the limit, before a parser runs it."""
    for number, objects in enumerate(scan.page_contents or (), start=1):
        check_page_content(number, sum(scan.sizes.get(n, 0) for n in set(objects)), name,
                           limits)


def _filters(dictionary: bytes) -> list[bytes]:
    found = _FILTER.findall(dictionary)
    return _NAME.findall(found[-1]) if found else []


# The most each filter's output can be, per byte of its input: a deflate code is at
# least two bits (a length and a distance) for at most 258 bytes (zlib's "1032:1"), a
# run-length pair two bytes for 128, an ASCII85 "z" one byte for four, two hex digits
# one byte. LZW's strings grow with its table: no bound, always decoded. An image codec
# ends the chain (decoded_size stops there).
_MOST_PER_BYTE = {b"FlateDecode": 1032, b"Fl": 1032, b"RunLengthDecode": 64, b"RL": 64,
                  b"ASCII85Decode": 4, b"A85": 4, b"ASCIIHexDecode": 0.5, b"AHx": 0.5}
_UNBOUNDED = (b"LZWDecode", b"LZW")


def most_decoded(length: int, filters: Sequence[bytes]) -> float:
    """The most a stream of `length` raw bytes can decode to through its filters."""
    most: float = length
    for name in filters:
        if name in _UNBOUNDED:
            return math.inf
        per_byte = _MOST_PER_BYTE.get(name)
        if per_byte is None:
            break  # an image codec, or a filter decoded_size does not know: it stops
        most = math.ceil(most * per_byte) + 1
    return most


def decoded_size(raw: bytes, filters: list[bytes], cap: int) -> int:
    """The size of a stream after its filters, counted up to just past `cap` (then it
    stops). Image codecs end the chain: the text reader never decodes images."""
    chunks: Iterable[bytes] = (raw,)
    for name in filters:
        decoder = _DECODERS.get(name)
        if decoder is None:
            break
        chunks = decoder(chunks)
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > cap:
            break
    return total


def _inflate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    inflater = zlib.decompressobj()
    try:
        for chunk in chunks:
            while chunk and not inflater.eof:
                out = inflater.decompress(chunk, _CHUNK)
                chunk = inflater.unconsumed_tail
                if out:
                    yield out
    except zlib.error:
        return  # readers stop at the damage too


def _lzw(chunks: Iterable[bytes]) -> Iterator[bytes]:
    from io import BytesIO

    from pdfminer.lzw import LZWDecoder

    pending = bytearray()
    try:
        for out in LZWDecoder(BytesIO(b"".join(chunks))).run():
            pending += out
            if len(pending) >= _CHUNK:
                yield bytes(pending)
                pending.clear()
    except Exception:  # noqa: BLE001 - damaged LZW data ends the stream, as in pdfminer
        pass
    yield bytes(pending)


def _run_length(chunks: Iterable[bytes]) -> Iterator[bytes]:
    data = b"".join(chunks)
    i = 0
    while i < len(data):
        length = data[i]
        if length == 128:
            return
        if length < 128:
            yield data[i + 1:i + 2 + length]
            i += length + 2
        else:
            yield data[i + 1:i + 2] * (257 - length)
            i += 2


def _ascii(decode: Callable[[bytes], bytes]) -> Callable[[Iterable[bytes]], Iterator[bytes]]:
    def decoder(chunks: Iterable[bytes]) -> Iterator[bytes]:
        try:
            yield decode(b"".join(chunks))
        except Exception:  # noqa: BLE001 - damaged data: nothing more decodes
            return
    return decoder


def ascii85decode(data: bytes) -> bytes:
    """PDF's ASCII85Decode (the stdlib's, so the fast path needs no pdfminer): up to "~>"."""
    import base64

    body = data.split(b"~>", 1)[0]
    if body.lstrip().startswith(b"<~"):
        body = body.lstrip()[2:]
    digits = body.translate(None, _A85_IGNORED)
    fast = _a85_groups(digits)
    if fast is not None:
        return fast
    return base64.a85decode(body, ignorechars=_A85_IGNORED)


_A85_IGNORED = b" \t\n\r\x0b\x0c\x00"
_A85_DIGITS = bytes(range(ord("!"), ord("u") + 1))
_A85_VALUES = bytes(max(c - 33, 0) for c in range(256))  # a digit's value, 0..84


def _a85_groups(digits: bytes) -> bytes | None:
    """base64.a85decode's result for the digits (whitespace removed), or None where it
    would raise (it then does) or a "z" stands for four zero bytes: decoded as one big
    number, base85 digit by digit (base64's pure-Python loop costs ~2 ms a report).

    Each 5-digit group is 4 bytes of a number written in base 2**32: its digits' j-th
    places, each a 4-byte word, times 85**(4-j), added up. A group's value fits 32 bits
    (no carry into its neighbour) unless its first digit is 82 or more ("s"-"u")."""
    if digits.translate(None, _A85_DIGITS):
        return None  # a "z", or a character a85decode refuses
    tail = len(digits) % 5
    if tail:  # the last group as base64 reads it: padded with "u", then cut
        digits += b"u" * (5 - tail)
    values = digits.translate(_A85_VALUES)
    groups = len(values) // 5
    firsts = values[0::5]
    for index, first in enumerate(firsts):
        if first >= 82 and _a85_value(values[index * 5:index * 5 + 5]) > 0xFFFFFFFF:
            return None  # an overflow: a85decode raises
    number = 0
    word = bytearray(4 * groups)
    for place in range(5):
        word[3::4] = values[place::5]
        number = number * 85 + int.from_bytes(word, "big")
    decoded = number.to_bytes(4 * groups, "big")
    return decoded[:len(decoded) - (5 - tail)] if tail else decoded


def _a85_value(group: bytes) -> int:
    value = 0
    for digit in group:
        value = value * 85 + digit
    return value


def asciihexdecode(data: bytes) -> bytes:
    """PDF's ASCIIHexDecode: hex digits up to ">", whitespace ignored, an odd last digit
    read as followed by 0."""
    import binascii

    digits = bytes(c for c in data.split(b">", 1)[0] if c not in b" \t\n\r\x0b\x0c\x00")
    return binascii.unhexlify(digits + b"0" if len(digits) % 2 else digits)


def _ascii_decoders() -> dict[bytes, Callable[[Iterable[bytes]], Iterator[bytes]]]:
    return {b"ASCII85Decode": _ascii(ascii85decode), b"A85": _ascii(ascii85decode),
            b"ASCIIHexDecode": _ascii(asciihexdecode), b"AHx": _ascii(asciihexdecode)}


_DECODERS: dict[bytes, Callable[[Iterable[bytes]], Iterator[bytes]]] = {
    b"FlateDecode": _inflate, b"Fl": _inflate, b"LZWDecode": _lzw, b"LZW": _lzw,
    b"RunLengthDecode": _run_length, b"RL": _run_length, **_ascii_decoders()}


# --- pages: count, box, content -------------------------------------------------------

def check_page_count(number: int, name: str, limits: Limits = DEFAULT) -> None:
    """Called with each page's number as pages are found: stops at the first one too many."""
    if number > limits.max_pages:
        raise TooLargeError(name, f"too large: more than {limits.max_pages} pages "
                                  "(--max-pages)")


def check_page_box(number: int, box: Any, name: str, limits: Limits = DEFAULT,
                   label: str = "MediaBox") -> tuple[float, float, float, float]:
    """A page box as four finite numbers enclosing an area no side of which is too long."""
    if (not isinstance(box, list | tuple) or len(box) != 4
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in box)):
        raise BadPageBoxError(name, f"corrupt PDF: page {number} has a broken /{label} "
                                    f"({_show(box)}), not four numbers")
    x0, y0, x1, y1 = (float(v) for v in box)
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)) or x0 == x1 or y0 == y1:
        raise BadPageBoxError(name, f"corrupt PDF: page {number} has a broken /{label} "
                                    f"({_show(box)}), enclosing no area")
    side = max(abs(x1 - x0), abs(y1 - y0))
    if side > limits.max_page_side:
        raise TooLargeError(name, f"too large: page {number} is {side:.0f} pt long, over the "
                                  f"limit of {limits.max_page_side:g} pt (--max-page-side)")
    return x0, y0, x1, y1


def check_page_content(number: int, size: int, name: str, limits: Limits = DEFAULT,
                       drawn: bool = False) -> None:
    """The decoded size of a page's content streams and forms (`drawn`: counted as many
    times as they are drawn, so forms drawing forms cannot multiply the work unseen)."""
    if size <= limits.max_page_content_mb * MB:
        return
    if drawn:  # counting stopped at the limit: the size is only a lower bound
        raise TooLargeError(name, f"too large: page {number} draws more than "
                                  f"{limits.max_page_content_mb:g} MB of content (forms drawn "
                                  "within forms; --max-page-content-mb)")
    raise TooLargeError(name, f"too large: page {number} has {size / MB:.0f} MB of content, "
                              f"over the limit of {limits.max_page_content_mb:g} MB "
                              "(--max-page-content-mb)")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


# --- time and memory ----------------------------------------------------------------

class _Expired(BaseException):
    """Raised by the alarm; a BaseException so that no parser's `except Exception` eats it."""


def timeout_reason(seconds: float) -> str:
    return f"no result after {seconds:g} s: stopped (raise --timeout for very long reports)"


@contextlib.contextmanager
def deadline(seconds: float | None, name: str) -> Iterator[None]:
    """Raise ExtractTimeoutError when `seconds` pass. A SIGALRM timer: it interrupts Python
    code (the parsers are Python), not a native call, and only works in the main thread
    (elsewhere, and for native code, a process boundary is needed: run_isolated).
    An earlier timer that is due first (a batch worker's) is left to ring; a later one is
    set again on the way out."""
    if (not seconds or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return
    outer, _ = signal.getitimer(signal.ITIMER_REAL)
    if outer and outer <= seconds:
        yield
        return

    def ring(signum, frame):
        raise _Expired()

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise ExtractTimeoutError(name, timeout_reason(seconds)) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 1e-3))


def apply_memory_limit(megabytes: int | None) -> bool:
    """Cap this process's address space (RLIMIT_AS): an allocation past it fails (Python
    raises MemoryError) instead of the machine swapping. False where not available."""
    if not megabytes:
        return False
    try:
        import resource
    except ImportError:  # not POSIX
        return False
    wanted = megabytes * MB
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (ValueError, OSError):
        return False
    return True


T = TypeVar("T")
GRACE = 5.0  # seconds past the deadline before a child that ignores its alarm is killed


def run_isolated(work: Callable[[], T], name: str, limits: Limits = DEFAULT) -> T:
    """work() in a forked child under the memory limit and the deadline; its result, or
    its ReportError raised here. Any other exception, the child's death, or a hang past
    the deadline becomes a one-line ReportError. Without fork: work() here, with the alarm.

    Why a child process and not only signal.alarm: the alarm cannot interrupt native code
    (PDFium rendering, inflating, OCR), a memory limit set on the command's own process
    would stay for the rest of it, and a crash in native code would end the command with
    no message. A fork costs a few milliseconds."""
    if not hasattr(os, "fork"):
        with deadline(limits.timeout, name):
            return _guarded(work, name)
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(work, name, limits, send), daemon=True)
    child.start()
    send.close()
    try:
        wait = None if limits.timeout is None else limits.timeout + GRACE
        if not receive.poll(wait):
            raise ExtractTimeoutError(name, timeout_reason(limits.timeout or 0))
        ok, value = receive.recv()
    except EOFError:  # the child died without a word
        child.join(1)
        raise _death(name, child.exitcode, limits) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receive.close()
    if ok:
        return value
    raise value


def _child(work: Callable[[], Any], name: str, limits: Limits, send) -> None:
    apply_memory_limit(limits.memory_mb)
    try:
        with deadline(limits.timeout, name):
            result = (True, _guarded(work, name))
    except ReportError as error:
        result = (False, error)
    try:
        send.send(result)
    except Exception as error:  # noqa: BLE001 - e.g. a result that cannot be pickled
        send.send((False, internal_error(name, error)))
    finally:
        send.close()


def _guarded(work: Callable[[], T], name: str) -> T:
    try:
        return work()
    except ReportError:
        raise
    except Exception as error:  # the file boundary: a bug or a parser's surprise
        raise internal_error(name, error) from error


def _death(name: str, exitcode: int | None, limits: Limits) -> ReportError:
    if exitcode is not None and exitcode < 0:
        try:
            how = signal.Signals(-exitcode).name
        except ValueError:
            how = f"signal {-exitcode}"
    else:
        how = f"exit status {exitcode}"
    if exitcode == -signal.SIGKILL and limits.memory_mb:
        return OutOfMemoryError(name, f"out of memory: the extraction was killed ({how})")
    return WorkerCrashedError(name, f"crash: the process extracting it died ({how}; a crash "
                                    "in native code, e.g. PDFium, on a damaged file)")
