"""The fast PDF reader: pages of chars and rulings through PDFium (pypdfium2's raw API).

It gives the same `Page`s as the pdfplumber reader (read/pdf.py, kept as the reference)
in about a tenth of the time: pdfminer's pure-Python tokenizer is slow on the WPS files
that write every glyph as its own text object. What it must do to agree with pdfminer:

- a char's box is pdfminer's: its advance along the baseline, `size` high from the
  descent line. PDFium's loose box runs from ascent to descent, so only its descent side
  is kept; its tight (ink) box would split numbers ("41 19" for 4119).
- `FPDFText_GetFontSize` is the raw `Tf` size: the size is that times the text matrix's
  scale across the baseline.
- PDFium adds spaces and line breaks of its own (`FPDFText_IsGenerated`): dropped, as
  are whitespace glyphs (the pdfplumber reader drops those too).
- a glyph PDFium cannot map to Unicode becomes U+FFFD, so that the OCR router sees a
  garbled text layer as it sees pdfminer's "(cid:NN)".
- rulings are path objects (also inside form XObjects), split into subpaths and sorted
  into lines, rectangles and curves by pdfminer's rules, then into Segments by the same
  rules as the pdfplumber reader (`read.pdf.rulings`).
"""

from __future__ import annotations

import ctypes
import math
import mmap
import re
import struct
import threading
from collections.abc import Iterable
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from report_extract.errors import CorruptPdfError
from report_extract.limits import DEFAULT, Limits, check_page_box, check_page_count
from report_extract.models import BBox, Char, Page, Segment
from report_extract.read.rulings import MAX_RULING_THICKNESS, rulings
from report_extract.read.upright import (
    page_turns,
    quarter_turns,
    turn_box,
    turned_size,
)
from report_extract.textclean import unify_radicals

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
# pdfminer compares a rectangle's corners exactly; PDFium keeps points as float32
SAME_POINT = 1e-3
# PDFium is not thread-safe: one document is read at a time per process (threads of a
# Dask worker or of a caller's pool wait their turn; processes do not)
_PDFIUM = threading.Lock()


def _plain(function: object, restype: object) -> object:
    """`function` (a pypdfium2.raw binding) with no argument types declared: it is then
    called with handles as c_void_p (or _Handle) objects, indexes as Python ints (C int)
    and byref()s, which ctypes passes as they are. Declared argument types cost more than
    the call itself (~0.5 us of ~0.7 with pypdfium2's typed pointers, ~0.15 of ~0.3 with
    c_void_p); a report makes some 25,000 of these calls."""
    address = ctypes.cast(function, ctypes.c_void_p).value
    return ctypes.CFUNCTYPE(restype)(address)


class _Handle(ctypes.c_void_p):
    """A PDFium object handle as a function returns it: as a c_void_p subclass, ctypes
    keeps it an object (not an int, which it would pass as a 32-bit C int)."""


def _address(handle: object) -> ctypes.c_void_p:
    """A pypdfium2 handle (a typed pointer) as the argument _plain's functions take."""
    return ctypes.c_void_p(ctypes.cast(handle, ctypes.c_void_p).value)


class _Calls:
    """The PDFium functions read for every glyph and path, as _plain makes them."""

    def __init__(self) -> None:
        i = ctypes.c_int
        self.text_count = _plain(raw.FPDFText_CountChars, i)
        self.text_unicode = _plain(raw.FPDFText_GetUnicode, ctypes.c_uint)
        self.text_map_error = _plain(raw.FPDFText_HasUnicodeMapError, i)
        self.text_loose_box = _plain(raw.FPDFText_GetLooseCharBox, i)
        self.text_matrix = _plain(raw.FPDFText_GetMatrix, i)
        self.text_origin = _plain(raw.FPDFText_GetCharOrigin, i)
        self.text_font_size = _plain(raw.FPDFText_GetFontSize, ctypes.c_double)
        self.page_count = _plain(raw.FPDFPage_CountObjects, i)
        self.page_object = _plain(raw.FPDFPage_GetObject, _Handle)
        self.form_count = _plain(raw.FPDFFormObj_CountObjects, i)
        self.form_object = _plain(raw.FPDFFormObj_GetObject, _Handle)  # index: c_ulong
        self.object_type = _plain(raw.FPDFPageObj_GetType, i)
        self.object_matrix = _plain(raw.FPDFPageObj_GetMatrix, i)
        self.object_bounds = _plain(raw.FPDFPageObj_GetBounds, i)
        self.fill_color = _plain(raw.FPDFPageObj_GetFillColor, i)
        self.draw_mode = _plain(raw.FPDFPath_GetDrawMode, i)
        self.segment_count = _plain(raw.FPDFPath_CountSegments, i)
        self.segment = _plain(raw.FPDFPath_GetPathSegment, _Handle)
        self.segment_type = _plain(raw.FPDFPathSegment_GetType, i)
        self.segment_point = _plain(raw.FPDFPathSegment_GetPoint, i)
        self.segment_close = _plain(raw.FPDFPathSegment_GetClose, i)


_CALL = _Calls()
_LINETO = raw.FPDF_SEGMENT_LINETO
_BACKGROUND_KINDS = [raw.FPDF_SEGMENT_MOVETO] + [_LINETO] * 4


class PdfiumCannotOpen(Exception):
    """PDFium refused the file (corrupt, encrypted, no pages...): the reference reader
    then reads it or says why, in the same words as ever."""


def read_pages(path: Path, name: str, limits: Limits = DEFAULT
               ) -> tuple[list[Page], dict[str, str]]:
    """The pages of a PDF (with their images' boxes) and its Info metadata."""
    with _PDFIUM:
        return _read_pages(path, name, limits)


def _read_pages(path: Path, name: str, limits: Limits) -> tuple[list[Page], dict[str, str]]:
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        raise PdfiumCannotOpen(str(error)) from error
    try:
        check_page_count(len(pdf), name, limits)  # before any page is parsed
        flat = _fonts_without_descent(path)
        pages = [_read_page(pdf, index, flat, name, limits) for index in range(len(pdf))]
        metadata = _metadata(pdf)
    except pdfium.PdfiumError as error:
        raise CorruptPdfError(name, f"corrupt or truncated PDF ({error})") from error
    finally:
        pdf.close()
    return pages, metadata


def _metadata(pdf: pdfium.PdfDocument) -> dict[str, str]:
    """The Info entries that have text. Decoded here, not by pypdfium2: a damaged string
    (a lone surrogate) would raise there; here it reads with U+FFFD, as pdfminer does."""
    found: dict[str, str] = {}
    for key in pdf.METADATA_KEYS:
        tag = key.encode("ascii")
        size = raw.FPDF_GetMetaText(pdf.raw, tag, None, 0)
        if size <= 2:  # the terminating NUL only
            continue
        buffer = ctypes.create_string_buffer(size)
        raw.FPDF_GetMetaText(pdf.raw, tag, buffer, size)
        found[key] = buffer.raw[:size - 2].decode("utf-16-le", errors="replace")
    return found


class _PageFrame:
    """Top-down coordinates of the page's media box, turned so its text reads upright."""

    def __init__(self, page: pdfium.PdfPage, turns_if_no_text: int):
        left, bottom, right, top = (ctypes.c_float() for _ in range(4))
        if raw.FPDFPage_GetMediaBox(page.raw, left, bottom, right, top):
            box = (left.value, bottom.value, right.value, top.value)
        else:  # inherited from the page tree, which GetMediaBox does not look at
            rect = raw.FS_RECTF()
            raw.FPDF_GetPageBoundingBox(page.raw, rect)
            box = (rect.left, rect.bottom, rect.right, rect.top)
        self.media_box = box
        self.x0, self.y1 = min(box[0], box[2]), max(box[1], box[3])
        self.width, self.height = abs(box[2] - box[0]), abs(box[3] - box[1])
        self.turns = turns_if_no_text

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """A user-space box (any corner order) -> (x0, top, x1, bottom) upright."""
        xs = sorted((x0 - self.x0, x1 - self.x0))
        ys = sorted((self.y1 - y0, self.y1 - y1))
        return turn_box((xs[0], ys[0], xs[1], ys[1]), self.width, self.height, self.turns)

    @property
    def size(self) -> tuple[float, float]:
        return turned_size(self.width, self.height, self.turns)


def _read_page(pdf: pdfium.PdfDocument, index: int, flat: set[str], name: str,
               limits: Limits) -> Page:
    page = pdf[index]
    textpage = raw.FPDFText_LoadPage(page.raw)
    try:
        frame = _PageFrame(page, raw.FPDFPage_GetRotation(page.raw) % 4)
        if frame.width and frame.height:  # a box PDFium could not mend is read as ever
            check_page_box(index + 1, frame.media_box, name, limits)  # e.g. 70 m long
        # on a page without /Rotate (most) the upright glyphs are made Chars as read
        glyphs = _glyphs(textpage, flat, None if frame.turns else frame)
        if not frame.turns and set(map(type, glyphs)) <= {Char}:
            # all upright, made Chars as read (most pages): their directions are all 0,
            # so page_turns leaves the page unturned, and _chars would copy the list
            chars = glyphs
        else:
            turns = page_turns((g.direction if type(g) is _Glyph else 0 for g in glyphs),
                               default=frame.turns)
            if turns != frame.turns and not frame.turns:  # its glyphs turn it after all
                glyphs = _glyphs(textpage, flat, None)
            frame.turns = turns
            chars = _chars(glyphs, frame)
        drawing = _read_drawing(page, frame)
        segments = drawing.lines + rulings([], drawing.rects, drawing.curves)
        width, height = frame.size
        return Page(index + 1, width, height, chars, segments, images=drawing.images)
    finally:
        raw.FPDFText_ClosePage(textpage)
        page.close()


def _chars(glyphs: list[_Glyph | _Upright | Char], frame: _PageFrame) -> list[Char]:
    """The glyphs' Chars on the upright page (as _Glyph.char, with its common case
    inline: a report has thousands of glyphs, upright on an unturned page)."""
    if frame.turns:  # _glyphs made no Char
        return [_upright_char(*g, frame) if type(g) is tuple else g.char(frame)
                for g in glyphs]
    left, top = frame.x0, frame.y1
    chars = []
    for g in glyphs:
        if type(g) is Char:
            chars.append(g)
            continue
        if type(g) is _Glyph:
            chars.append(g.char(frame))
            continue
        text, lo, hi, y0, size = g  # y0: the descent line, then `size` above it
        chars.append(Char(text, BBox(lo - left, top - (y0 + size), hi - left, top - y0), size))
    return chars


# The common glyph, reading rightwards in user space, not vertical writing, as a
# tuple (cheaper to make than a _Glyph): text, its advance's ends along the baseline,
# its descent line's y (the baseline plus the descent) and its size
_Upright = tuple[str, float, float, float, float]


def _upright_char(text: str, lo: float, hi: float, y0: float, size: float,
                  frame: _PageFrame) -> Char:
    """_Glyph.char of an _Upright glyph on a turned page."""
    box = BBox(*frame.box(lo, y0, hi, y0 + size))
    own = -frame.turns % 4  # the glyph's turns on the upright page
    return Char(text, box, size if own % 2 == 0 else box.bottom - box.top)


class _Glyph:
    """One glyph in user space (y up): its origin on the baseline, its extent along the
    baseline, its size across it, and its descent line's offset from the baseline (pt,
    negative below it)."""

    __slots__ = ("advance", "descent", "direction", "origin", "size", "text")

    def __init__(self, text: str, origin: tuple[float, float], advance: tuple[float, float],
                 size: float, descent: float, direction: int):
        self.text, self.origin, self.advance = text, origin, advance
        self.size, self.descent, self.direction = size, descent, direction

    def char(self, frame: _PageFrame) -> Char:
        x0, y0, x1, y1 = self.user_box()
        if frame.turns == 0 and self.direction == 0:  # most glyphs: no turning, no sorting
            return Char(self.text, BBox(x0 - frame.x0, frame.y1 - y1, x1 - frame.x0,
                                        frame.y1 - y0), self.size)
        box = BBox(*frame.box(x0, y0, x1, y1))
        own = (self.direction - frame.turns) % 4  # the glyph's turns on the upright page
        size = self.size if own % 2 == 0 else box.bottom - box.top  # pdfminer: box height
        return Char(self.text, box, size)

    def user_box(self) -> tuple[float, float, float, float]:
        """pdfminer's box: the advance along the baseline, `size` across from the descent.

        direction (top-down quarter turns): 0 reads rightwards, 1 upwards, 2 leftwards
        (upside down), 3 downwards; the glyph's "up" is +y, -x, -y, +x in user space.
        """
        (ox, oy), (lo, hi) = self.origin, self.advance
        low = self.descent
        if self.direction == 0:
            return lo, oy + low, hi, oy + low + self.size
        if self.direction == 1:
            return ox - low - self.size, lo, ox - low, hi
        if self.direction == 2:
            return lo, oy - low - self.size, hi, oy - low
        return ox + low, lo, ox + low + self.size, hi


# A loose box this many times the size is PDFium's box for vertical writing, drawn at
# the raw Tf size (not scaled by the text matrix): the char origin places the glyph.
VERTICAL_BOX = 1.5


def _glyphs(textpage: raw.FPDF_TEXTPAGE, flat: set[str], unturned: _PageFrame | None
            ) -> list[_Glyph | _Upright | Char]:
    """The page's glyphs; `flat`: the fonts whose descriptor says their descent is 0.
    `unturned`: the page's frame where it has no turns; its upright glyphs are then
    made Chars here (as _chars would), else _Uprights.

    PDFium's own spaces and line breaks (`FPDFText_IsGenerated`) are whitespace, dropped
    with the PDF's own whitespace glyphs (the pdfplumber reader drops those too).
    """
    handle = _address(textpage)
    unicode, map_error = _CALL.text_unicode, _CALL.text_map_error
    loose_box, char_matrix = _CALL.text_loose_box, _CALL.text_matrix
    char_origin, font_size = _CALL.text_origin, _CALL.text_font_size
    fonts: dict[int, bool] = {}  # font handle -> has no descent
    # PDFium writes a glyph's loose box (FS_RECTF), matrix (FS_MATRIX) and origin (two
    # doubles) into one buffer, read back by one unpack: 12 ctypes field reads cost more
    buffer = ctypes.create_string_buffer(_GLYPH_BUFFER.size)
    rect_ref, matrix_ref = ctypes.byref(buffer, 0), ctypes.byref(buffer, 16)
    ox_ref, oy_ref = ctypes.byref(buffer, 40), ctypes.byref(buffer, 48)
    read_buffer = _GLYPH_BUFFER.unpack_from
    glyphs: list[_Glyph | _Upright | Char] = []
    left_edge, top_edge = (unturned.x0, unturned.y1) if unturned else (0.0, 0.0)
    count = _CALL.text_count(handle)
    pair_end = -1  # the low surrogate just read with its high one
    for current in range(count):
        if current == pair_end:
            continue
        code = unicode(handle, current)
        if code in _WHITESPACE:
            continue
        if 0xD800 <= code < 0xDC00 and current + 1 < count:  # a surrogate pair: one glyph
            low = unicode(handle, current + 1)
            if 0xDC00 <= low < 0xE000:
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                pair_end = current + 1
        # PDFium gives the char code of a glyph it cannot map: U+FFFD says so
        if code == 0 or map_error(handle, current) or code > 0x10FFFF:
            text = "\ufffd"
        elif code in _SPACES:
            continue
        else:
            text = chr(code)
            if _RADICALS_FIRST <= code <= _RADICALS_LAST:
                # radical code points (⼈, ⺠) as browsers print 人, 民: the ideographs
                text = unify_radicals(text)
        loose_box(handle, current, rect_ref)
        char_matrix(handle, current, matrix_ref)
        char_origin(handle, current, ox_ref, oy_ref)
        left, top, right, bottom, a, b, c, d, _, _, origin_x, base = read_buffer(buffer)
        size = font_size(handle, current) * (abs(d) if c == 0 else math.hypot(c, d))
        # max(right - left, top - bottom) and min(bottom - base, 0.0) below, inline (as
        # max and min pick, NaN included)
        width, height = right - left, top - bottom
        if b == 0 and a > 0 and (height if height > width else width) <= VERTICAL_BOX * size + 1:
            # direction 0, _glyph's common case, inline: a Char or an _Upright
            if flat and _is_flat(textpage, current, flat, fonts):
                y0 = base + 0.0
            else:
                drop = bottom - base
                y0 = base + (0.0 if drop > 0.0 else drop)
            if unturned:  # _chars' Char, made here
                glyphs.append(Char(text, BBox(left - left_edge, top_edge - (y0 + size),
                                              right - left_edge, top_edge - y0), size))
            else:
                glyphs.append((text, left, right, y0, size))
            continue
        direction = 0 if b == 0 and a > 0 else quarter_turns(a, -b)  # user space is y up
        glyph = _glyph(text, (origin_x, base), (left, right, bottom, top), size, direction)
        if flat and _is_flat(textpage, current, flat, fonts):
            glyph.descent = 0.0
        glyphs.append(glyph)
    return glyphs


# left, top, right, bottom (FS_RECTF); a, b, c, d, e, f (FS_MATRIX); origin x, y (doubles)
_GLYPH_BUFFER = struct.Struct("=4f6f2d")
_WHITESPACE = frozenset(map(ord, " \t\r\n\u3000\xa0"))
# every code point str.strip() removes (str.isspace): a glyph of one is dropped. Written
# out: finding them at import takes ~0.7 ms of every start-up
_SPACES = frozenset((*range(0x09, 0x0E), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680,
                     *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000))


# The code points unify_radicals maps (CJK Radicals Supplement, Kangxi Radicals), and
# the block between, which it leaves alone
_RADICALS_FIRST, _RADICALS_LAST = 0x2E80, 0x2FD5


Box = tuple[float, float, float, float]  # left, right, bottom, top (user space)
Extent = tuple[float, float, float, float]  # min x, min y, max x, max y (user space)


def _glyph(text: str, origin: tuple[float, float], loose: Box, size: float,
           direction: int) -> _Glyph:
    """The glyph's box parts from PDFium's loose box: its extent along the baseline and
    its descent side (the other side is `size` away, as pdfminer draws it)."""
    left, right, bottom, top = loose
    if max(right - left, top - bottom) > VERTICAL_BOX * size + 1:
        # vertical writing: pdfminer's box starts at the origin, size square, no descent
        return _Glyph(text, origin, (origin[0], origin[0] + size), size, 0.0, 0)
    if direction == 0:  # the descent side's offset from the baseline ("up" positive)
        return _Glyph(text, origin, (left, right), size, min(bottom - origin[1], 0.0), 0)
    offset = {1: origin[0] - right, 2: origin[1] - top, 3: left - origin[0]}[direction]
    along = (left, right) if direction == 2 else (bottom, top)
    return _Glyph(text, origin, along, size, min(offset, 0.0), direction)


# A font descriptor (uncompressed, as LibreOffice writes them): its name and descent.
_DESCRIPTOR = re.compile(rb"<<[^<>]*?/FontDescriptor[^<>]*>>")
_FONT_NAME = re.compile(rb"/FontName\s*/(?:[A-Z]{6}\+)?([^\s/<>\[\]()]+)")
_ZERO_DESCENT = re.compile(rb"/Descent\s+-?0(?:\.0*)?(?![.\d])")


def _fonts_without_descent(path: Path) -> set[str]:
    """Fonts whose descriptor gives no descent, or 0 (LibreOffice writes such).

    pdfminer takes a font's descent from its descriptor only, so their glyphs' boxes
    stand on the baseline; PDFium measures the font program instead. PDFium's API does
    not show the descriptor, so the file is searched for it (descriptors inside
    compressed object streams are not seen: their fonts keep PDFium's descent).
    """
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(b"/FontDescriptor") < 0:
            return set()
        flat: set[str] = set()
        for descriptor in _DESCRIPTOR.finditer(data):
            text = descriptor.group()
            name = _FONT_NAME.search(text)
            if name and (b"/Descent" not in text or _ZERO_DESCENT.search(text)):
                flat.add(name.group(1).decode("latin-1"))
    return flat


def _is_flat(textpage: raw.FPDF_TEXTPAGE, index: int, flat: set[str],
             fonts: dict[int, bool]) -> bool:
    font = raw.FPDFTextObj_GetFont(raw.FPDFText_GetTextObject(textpage, index))
    key = ctypes.cast(font, ctypes.c_void_p).value or 0
    if key not in fonts:
        buffer = ctypes.create_string_buffer(256)
        length = raw.FPDFFont_GetBaseFontName(font, buffer, 256) if font else 0
        name = buffer.value.decode("utf-8", "replace") if length else ""
        fonts[key] = name.split("+", 1)[-1] in flat
    return fonts[key]


# --- rulings and images -------------------------------------------------------------------


class _Drawing:
    """A page's path objects as pdfplumber's rects and curves, its lines as the Segments
    `rulings` makes of pdfplumber's lines (their box only: most paths are lines), and its
    images.

    Objects are PDFium handles (_Handle, as _CALL's functions take them); the ctypes
    buffers are made once per page: a page has hundreds of paths."""

    def __init__(self, frame: _PageFrame):
        self.frame = frame
        self.lines: list[Segment] = []
        self.rects: list[dict] = []
        self.curves: list[dict] = []
        self.images: list[BBox] = []
        self._by_kind = {"rect": self.rects, "curve": self.curves}
        self._matrix = raw.FS_MATRIX()
        self._read_matrix = _MATRIX.unpack_from
        # a straight line's two points (x, y floats each), read back by one unpack
        self._points = ctypes.create_string_buffer(_POINTS.size)
        self._read_points = _POINTS.unpack_from
        self._fill_mode, self._stroke = ctypes.c_int(), ctypes.c_int()
        self._rgba = [ctypes.c_uint() for _ in range(4)]
        self._x, self._y = ctypes.c_float(), ctypes.c_float()
        byref = ctypes.byref
        self._matrix_ref = byref(self._matrix)
        self._fill_mode_ref, self._stroke_ref = byref(self._fill_mode), byref(self._stroke)
        self._rgba_refs = tuple(byref(c) for c in self._rgba)
        self._x_ref, self._y_ref = byref(self._x), byref(self._y)
        self._point_refs = tuple(byref(self._points, offset) for offset in (0, 4, 8, 12))
        self._bounds = [ctypes.c_float() for _ in range(4)]  # left, bottom, right, top
        self._bounds_refs = tuple(byref(v) for v in self._bounds)

    def visit(self, obj: _Handle, outer: Matrix, kind: int | None = None) -> None:
        kind = _CALL.object_type(obj) if kind is None else kind
        if kind == raw.FPDF_PAGEOBJ_PATH:
            self.add_path(obj, outer)
        elif kind == raw.FPDF_PAGEOBJ_FORM:
            matrix = _multiply(self._object_matrix(obj), outer)
            for index in range(_CALL.form_count(obj)):
                self.visit(_CALL.form_object(obj, ctypes.c_ulong(index)), matrix)
        elif kind == raw.FPDF_PAGEOBJ_IMAGE:
            self.images.append(self._image_box(_multiply(self._object_matrix(obj), outer)))

    def add_path(self, obj: _Handle, outer: Matrix) -> None:
        call = _CALL
        call.draw_mode(obj, self._fill_mode_ref, self._stroke_ref)
        stroke, fill = self._stroke.value != 0, self._fill_mode.value != 0
        color = None
        if not stroke:
            if not fill or self._is_background(obj):
                return  # a clipping path ("W n"), or a fill no ruling can come from
            # the colour only decides for unstroked paths (a white fill draws nothing)
            if call.fill_color(obj, *self._rgba_refs):
                color = tuple(c.value / 255 for c in self._rgba[:3])
        matrix = self._object_matrix(obj)
        if outer is not IDENTITY:
            matrix = _multiply(matrix, outer)
        # one straight line ("m l", "m l h") as _classify would make it of _subpaths, inline:
        # most paths are such (ruled tables)
        if call.segment_count(obj) == 2:
            first, second = call.segment(obj, 0), call.segment(obj, 1)
            # else "m m", "m c", "m h l": left to _subpaths
            if call.segment_type(second) == _LINETO and not call.segment_close(first):
                x1_ref, y1_ref, x2_ref, y2_ref = self._point_refs
                call.segment_point(first, x1_ref, y1_ref)
                call.segment_point(second, x2_ref, y2_ref)
                x1, y1, x2, y2 = self._read_points(self._points)
                a, b, c, d, e, f = matrix
                px, py = a * x1 + c * y1 + e, b * x1 + d * y1 + f
                qx, qy = a * x2 + c * y2 + e, b * x2 + d * y2 + f
                # its box without the lists: min/max of two, the first of equals
                self.lines.append(Segment(*self._upright(
                    qx if qx < px else px, qy if qy < py else py,
                    qx if qx > px else px, qy if qy > py else py)))
                return
        self._add([(kind, _extent(points)) for kind, points
                   in map(_classify, self._subpaths(obj, matrix)) if kind is not None],
                  stroke, fill, color)

    def _add(self, shapes: Iterable[tuple[str, Extent]], stroke: bool, fill: bool,
             color: tuple[float, ...] | None) -> None:
        """The shapes, by kind ((min x, min y, max x, max y) in user space), on the
        upright page: a line as its Segment (rulings' of its dict), else its dict."""
        for kind, extent in shapes:
            x0, top, x1, bottom = self._upright(*extent)
            if kind == "line":
                self.lines.append(Segment(x0, top, x1, bottom))
                continue
            self._by_kind[kind].append({"x0": x0, "top": top, "x1": x1, "bottom": bottom,
                                        "stroke": stroke, "fill": fill,
                                        "non_stroking_color": color})

    def _upright(self, low_x: float, low_y: float, high_x: float, high_y: float
                 ) -> tuple[float, float, float, float]:
        """A user-space extent as (x0, top, x1, bottom) on the upright page."""
        frame = self.frame
        if frame.turns:
            return frame.box(low_x, low_y, high_x, high_y)
        x0 = frame.x0  # frame.box's common case, inline
        return low_x - x0, frame.y1 - high_y, high_x - x0, frame.y1 - low_y

    def _is_background(self, obj: _Handle) -> bool:
        """An unstroked filled polygon of four straight sides, thick both ways: a cell's
        or a text line's background (WPS paints one per line). pdfplumber's rulings would
        drop it as a rect or curve alike, and reading its segments is most of a page's
        drawing time."""
        call = _CALL
        if call.segment_count(obj) != 5:
            return False
        if not call.object_bounds(obj, *self._bounds_refs):
            return False
        left, bottom, right, top = (v.value for v in self._bounds)
        if min(right - left, top - bottom) <= MAX_RULING_THICKNESS + 0.5:
            return False
        kinds = [call.segment_type(call.segment(obj, index)) for index in range(5)]
        return kinds == _BACKGROUND_KINDS

    def _object_matrix(self, obj: _Handle) -> Matrix:
        if not _CALL.object_matrix(obj, self._matrix_ref):
            return IDENTITY
        return self._read_matrix(self._matrix)  # (a, b, c, d, e, f)

    def _subpaths(self, obj: _Handle, matrix: Matrix) -> list[Subpath]:
        """The path's subpaths as pdfminer sees them: (operator, x, y) in user space.

        A Bezier curve becomes one "c" at its end point (pdfminer keeps only that); a
        closing flag becomes an "h" back to the subpath's start.
        """
        x, y = self._x, self._y
        get_segment, get_type, get_point, get_close = (
            _CALL.segment, _CALL.segment_type, _CALL.segment_point, _CALL.segment_close)
        x_ref, y_ref = self._x_ref, self._y_ref
        moveto, bezierto = raw.FPDF_SEGMENT_MOVETO, raw.FPDF_SEGMENT_BEZIERTO
        a, b, c, d, e, f = matrix  # _apply, inline
        subpaths: list[Subpath] = []
        bezier = 0
        for index in range(_CALL.segment_count(obj)):
            segment = get_segment(obj, index)
            get_point(segment, x_ref, y_ref)
            px, py = x.value, y.value
            point = (a * px + c * py + e, b * px + d * py + f)
            # the first segment starts a subpath whatever its type
            kind = get_type(segment) if index else moveto
            if kind == moveto:
                subpaths.append([("m", *point)])
                bezier = 0
            elif kind == bezierto:
                bezier += 1
                if bezier % 3:
                    continue  # a control point
                subpaths[-1].append(("c", *point))
            else:
                subpaths[-1].append(("l", *point))
            if get_close(segment):
                start = subpaths[-1][0]
                subpaths[-1].append(("h", start[1], start[2]))
        return subpaths

    def _image_box(self, matrix: Matrix) -> BBox:
        """The image's box on the page, clipped to the page (an image is drawn on 0..1)."""
        corners = [_apply(matrix, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        x0, top, x1, bottom = self.frame.box(min(xs), min(ys), max(xs), max(ys))
        width, height = self.frame.size
        return BBox(max(x0, 0.0), max(top, 0.0), min(x1, width), min(bottom, height))


Subpath = list[tuple[str, float, float]]
Point = tuple[float, float]


def _read_drawing(page: pdfium.PdfPage, frame: _PageFrame) -> _Drawing:
    drawing = _Drawing(frame)
    get_object, get_type = _CALL.page_object, _CALL.object_type
    text, path = raw.FPDF_PAGEOBJ_TEXT, raw.FPDF_PAGEOBJ_PATH
    handle = _address(page.raw)
    for index in range(_CALL.page_count(handle)):
        obj = get_object(handle, index)
        kind = get_type(obj)
        if kind == path:
            drawing.add_path(obj, IDENTITY)
        elif kind != text:  # WPS writes every glyph as a text object: thousands a report
            drawing.visit(obj, IDENTITY, kind)
    return drawing


_MATRIX = struct.Struct("=6f")  # FS_MATRIX
_POINTS = struct.Struct("=4f")  # two points' x, y as FPDFPathSegment_GetPoint writes them


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m, then n (PDF's row-vector convention)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _classify(subpath: Subpath) -> tuple[str | None, list[tuple[float, float]]]:
    """pdfminer's kinds: "line" (m l), "rect" (four axis-parallel sides, closed), "curve"."""
    shape = "".join(op for op, _, _ in subpath)
    points = [(x, y) for _, x, y in subpath]
    if len(shape) > 3 and shape.endswith("lh") and _same(points[-2], points[0]):
        shape = shape[:-2] + "h"  # a redundant "l" back to the start before "h"
        points.pop(-2)
    if shape in ("ml", "mlh"):
        return "line", points[:2]
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = points
        square = (_near(x0, x1) and _near(y1, y2) and _near(x2, x3) and _near(y3, y0)) or (
            _near(y0, y1) and _near(x1, x2) and _near(y2, y3) and _near(x3, x0))
        if _same(points[0], points[4]) and square:
            return "rect", [points[0], points[2]]
    if len(points) < 2:
        return None, points
    return "curve", points


def _extent(points: list[Point]) -> Extent:
    """(min x, min y, max x, max y) of the points."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _near(a: float, b: float) -> bool:
    return abs(a - b) <= SAME_POINT


def _same(p: tuple[float, float], q: tuple[float, float]) -> bool:
    return _near(p[0], q[0]) and _near(p[1], q[1])
