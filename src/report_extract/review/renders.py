"""Page renders for the crops: each page that holds values, drawn once with pypdfium2.

A render covers the part of the page where the page's values lie (plus a margin), in grey
PNG at RENDER_SCALE; a value's crop is a window of it, positioned by the page (CSS), so
one image serves every value of a page. The file name says what was drawn (report, page,
region, scale): a rebuild reuses every render that exists and draws only new ones.

Why 1.5 px/pt and 16 greys: the first build of a large site is mostly drawing renders. At
2 px/pt, 256 greys, Pillow's PNG encoder, one cost about 20 ms CPU (more than half of it
encoding) and 146 KB; at 1.5 px/pt with 16 greys (4 bits a pixel, written here, no PNG
filter) about 11 ms and 55 KB. A 10.5 pt digit is still 16 px tall, and 16 greys keep
the anti-aliased edges smooth; lossless otherwise (a JPEG was as fast but 3 times larger
and blurs strokes). docs/review.md has the measurements.
"""

from __future__ import annotations

import contextlib
import os
import struct
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from report_extract.batch.inputs import MEMBER_SEP

RENDER_SCALE = 1.5  # pixels per point: 108 dpi, a 10.5 pt digit is 16 px tall
MARGIN = 36.0  # points of context around the values of a page
RENDERS = "renders"


@dataclass(frozen=True)
class Render:
    """One drawn region of a page: top-left at (left, top) points, `scale` px per point."""

    report_id: str
    pdf: str
    page: int  # 1-based, as in the cells table
    left: float
    top: float
    right: float
    bottom: float
    scale: float = RENDER_SCALE

    @property
    def name(self) -> str:
        box = "-".join(f"{v:.0f}" for v in (self.left, self.top, self.right, self.bottom))
        return f"{RENDERS}/{self.report_id[:16]}/p{self.page}-{box}@{self.scale:g}.png"

    @property
    def size(self) -> tuple[int, int]:
        """The image's size in pixels (pdfium rounds the same way)."""
        return (round((self.right - self.left) * self.scale),
                round((self.bottom - self.top) * self.scale))


def plan_renders(report_id: str, pdf: str, boxes: Iterable[tuple[int, float, float, float,
                                                                  float]]) -> dict[int, Render]:
    """The render of each page holding one of `boxes` (page, x0, top, x1, bottom)."""
    spans: dict[int, list[float]] = {}
    for page, x0, top, x1, bottom in boxes:
        span = spans.setdefault(page, [x0, top, x1, bottom])
        span[:] = [min(span[0], x0), min(span[1], top), max(span[2], x1), max(span[3], bottom)]
    return {page: Render(report_id, pdf, page, max(0.0, s[0] - MARGIN), max(0.0, s[1] - MARGIN),
                         s[2] + MARGIN, s[3] + MARGIN)
            for page, s in spans.items()}


def missing(renders: Iterable[Render], site: Path) -> list[Render]:
    return [r for r in renders if not (site / r.name).is_file()]


def draw(renders: list[Render], site: Path, *, workers: int | None = None,
         progress: Callable[[int, int], None] | None = None) -> list[str]:
    """Draw the renders (grouped by PDF, in worker processes); return one line per PDF
    that could not be drawn."""
    by_pdf: dict[str, list[Render]] = {}
    for render in renders:
        by_pdf.setdefault(render.pdf, []).append(render)
    jobs = [(pdf, group, str(site)) for pdf, group in by_pdf.items()]
    failures: list[str] = []
    done = 0
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    if workers == 1 or len(jobs) < 4:
        results: Iterable = map(_draw_pdf, jobs)
    else:
        pool = ProcessPoolExecutor(workers)
        results = pool.map(_draw_pdf, jobs, chunksize=8)
    try:
        for (_, group, _), failure in zip(jobs, results, strict=True):
            done += len(group)
            if failure:
                failures.append(failure)
            if progress:
                progress(done, len(renders))
    finally:
        if workers > 1 and len(jobs) >= 4:
            pool.shutdown()
    return failures


def _open(pdf_path: str):
    """A PDF on disk, or a member of a zip archive ("archive.zip!/member.pdf")."""
    import pypdfium2 as pdfium

    if MEMBER_SEP not in pdf_path:
        return pdfium.PdfDocument(pdf_path)
    archive, member = pdf_path.split(MEMBER_SEP, 1)
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():  # names in GBK were recorded decoded as GBK
            alias = info.filename
            if not info.flag_bits & 0x800:
                with contextlib.suppress(UnicodeError):
                    alias = info.filename.encode("cp437").decode("gbk")
            if member in (info.filename, alias):
                return pdfium.PdfDocument(opened.read(info))
    raise OSError(f"no member {member} in {archive}")


def _draw_pdf(job: tuple[str, list[Render], str]) -> str | None:
    import pypdfium2 as pdfium

    pdf_path, renders, site = job
    try:
        document = _open(pdf_path)
    except (pdfium.PdfiumError, OSError, zipfile.BadZipFile) as error:
        return f"{pdf_path}: cannot be opened for the crops ({error})"
    try:
        for render in renders:
            if render.page > len(document):
                return f"{pdf_path}: has no page {render.page}"
            _draw_page(document[render.page - 1], render, Path(site))
    finally:
        document.close()
    return None


def _draw_page(page, render: Render, site: Path) -> None:
    width, height = page.get_size()
    right, bottom = min(render.right, width), min(render.bottom, height)
    # pdfium crops by the margins cut from each side, bottom measured from the page's foot
    crop = (render.left, height - bottom, width - right, render.top)
    bitmap = page.render(scale=render.scale, crop=crop, grayscale=True)
    target = site / render.name
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".tmp-{os.getpid()}-{time.monotonic_ns()}-{target.name}")
    tmp.write_bytes(grey4_png(bitmap.to_numpy()))
    os.replace(tmp, target)


def grey4_png(pixels) -> bytes:
    """A PNG of 16 greys (4 bits a pixel) of an 8-bit grey image (height x width[, 1]):
    white stays white (15 is shown as 255), black black."""
    import numpy as np

    grey = np.asarray(pixels, dtype=np.uint8)
    grey = grey.reshape(grey.shape[0], grey.shape[1])
    height, width = grey.shape
    nearest = ((np.arange(256) * 15 + 127) // 255).astype(np.uint8)  # 0-255 -> 0-15
    levels = nearest[grey]
    if width % 2:  # two pixels a byte: pad the last with white
        levels = np.hstack([levels, np.full((height, 1), 15, np.uint8)])
    packed = (levels[:, 0::2] << 4) | levels[:, 1::2]
    rows = np.hstack([np.zeros((height, 1), np.uint8), packed])  # filter 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 4, 0, 0, 0, 0)  # 4-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)) + _chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data)))
