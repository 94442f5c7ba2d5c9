"""Make image-only "scanned" PDFs from text PDFs: test material for the OCR path.

Each page is rendered to pixels, degraded the way office scanners and fax-era archives
degrade documents (low resolution, tilt, blur, noise, JPEG blocks, a red seal stamped
over the table), and wrapped back into a PDF that has no text layer.

A real scanner feeds each sheet on its own: every page gets its own tilt (`page_tilt`),
sits a few points off where the last one sat (`page_shift`), on a canvas that grows with
the tilt or crops it (`expand`) and whose size varies a little (`page_size`). These
per-page draws come from a stream of their own per page, so a recipe without them makes
the same bytes as before they existed.
"""

from __future__ import annotations

import io
import math
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pdfplumber
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFilter, ImageFont

# Fonts tried for the seal's text; without one the ring and star are still drawn.
SEAL_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
SEAL_RED = (220, 30, 40)
MIN_TABLE_RULINGS = 8  # a page with fewer drawn lines has no table to stamp


@dataclass(frozen=True)
class Degradation:
    """How to spoil a page. Angles in degrees, counter-clockwise positive."""

    dpi: int = 200
    angle: float = 0.0
    blur: float = 0.0  # Gaussian radius in pixels
    noise: float = 0.0  # Gaussian noise standard deviation, 0-255 scale
    jpeg_quality: int = 75
    stamp: bool = False
    seed: int = 0
    page_tilt: float = 0.0  # degrees: each page tilted by its own angle within +-this, too
    page_shift: float = 0.0  # pt: each page's content moved by its own offset within +-this
    page_size: float = 0.0  # share: each page's canvas as much wider/taller or narrower
    expand: bool = False  # the canvas grows to hold the tilted page (else: corners cropped)
    seal_on_rules: bool = False  # the seal's ring crosses the table's ruled header
    seal_opacity: float = 0.0  # share of the print under seal ink the seal hides (0: none)


@dataclass(frozen=True)
class PagePlacement:
    """How one sheet lay on the scanner's glass."""

    angle: float  # degrees, counter-clockwise positive
    shift: tuple[float, float]  # pt, right and down
    size: tuple[float, float]  # canvas width and height relative to the page's


def page_placement(spec: Degradation, index: int) -> PagePlacement:
    """Page `index`'s (0-based) own tilt, shift and canvas size: drawn from a stream of
    the recipe's seed and the page alone, so each page is reproducible on its own."""
    if not (spec.page_tilt or spec.page_shift or spec.page_size):
        return PagePlacement(spec.angle, (0.0, 0.0), (1.0, 1.0))
    rng = random.Random(f"page:{spec.seed}:{index}")
    angle = spec.angle + rng.uniform(-spec.page_tilt, spec.page_tilt)
    shift = (rng.uniform(-spec.page_shift, spec.page_shift),
             rng.uniform(-spec.page_shift, spec.page_shift))
    size = (1 + rng.uniform(-spec.page_size, spec.page_size),
            1 + rng.uniform(-spec.page_size, spec.page_size))
    return PagePlacement(round(angle, 3), shift, size)


def degrade_pdf(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    *,
    dpi: int = 200,
    angle: float = 0.0,
    blur: float = 0.0,
    noise: float = 0.0,
    jpeg_quality: int = 75,
    stamp: bool = False,
    seed: int = 0,
    page_tilt: float = 0.0,
    page_shift: float = 0.0,
    page_size: float = 0.0,
    expand: bool = False,
    seal_on_rules: bool = False,
    seal_opacity: float = 0.0,
    created: time.struct_time | None = None,
) -> Path:
    """Write an image-only PDF of `src` with the given degradations; return its path.

    `created` fixes the PDF's creation date (default: now), for reproducible files."""
    spec = Degradation(dpi, angle, blur, noise, jpeg_quality, stamp, seed, page_tilt,
                       page_shift, page_size, expand, seal_on_rules, seal_opacity)
    rng = random.Random(seed)
    stamp_boxes = _table_boxes(src) if stamp else {}
    images: list[Image.Image] = []
    pdf = pdfium.PdfDocument(str(src))
    try:
        for index in range(len(pdf)):
            image = pdf[index].render(scale=dpi / 72).to_pil().convert("RGB")
            box = stamp_boxes.get(index)
            images.append(degrade_image(image, spec, rng, box, page_placement(spec, index)))
    finally:
        pdf.close()
    return write_image_pdf(images, dst, dpi=dpi, jpeg_quality=jpeg_quality, created=created)


def degrade_image(
    image: Image.Image,
    spec: Degradation,
    rng: random.Random,
    table_box: TableBox | None = None,
    placement: PagePlacement | None = None,
) -> Image.Image:
    """Degrade one page image. `table_box` (PDF points) is where a stamp may go;
    `placement` how the sheet lay on the glass (default: tilted by spec.angle)."""
    if spec.stamp and table_box is not None:
        image = _stamp(image, table_box, spec, rng)
    placement = placement or PagePlacement(spec.angle, (0.0, 0.0), (1.0, 1.0))
    if placement.shift != (0.0, 0.0) or placement.size != (1.0, 1.0) or spec.expand:
        image = _place(image, placement, spec)
    elif placement.angle:
        # Paper tilted on the glass: the page content turns, the scan frame does not.
        image = image.rotate(placement.angle, resample=Image.Resampling.BICUBIC,
                             expand=False, fillcolor=(255, 255, 255))
    if spec.blur:
        image = image.filter(ImageFilter.GaussianBlur(spec.blur))
    if spec.noise:
        image = _add_noise(image, spec.noise, rng)
    return _jpeg_roundtrip(image, spec.jpeg_quality)


def _place(image: Image.Image, placement: PagePlacement, spec: Degradation) -> Image.Image:
    """The sheet turned and moved on a canvas of its own size: grown with the tilt
    (spec.expand) or the page's own, then made a little larger or smaller."""
    turned = image.rotate(placement.angle, resample=Image.Resampling.BICUBIC,
                          expand=spec.expand, fillcolor=(255, 255, 255))
    width = round(turned.width * placement.size[0])
    height = round(turned.height * placement.size[1])
    px = spec.dpi / 72
    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    canvas.paste(turned, (round((width - turned.width) / 2 + placement.shift[0] * px),
                          round((height - turned.height) / 2 + placement.shift[1] * px)))
    return canvas


def _add_noise(image: Image.Image, sigma: float, rng: random.Random) -> Image.Image:
    generator = np.random.default_rng(rng.randrange(2**32))
    pixels = np.asarray(image, dtype=np.float32)
    noisy = pixels + generator.normal(0.0, sigma, pixels.shape[:2])[..., None]
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def _jpeg_roundtrip(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


@dataclass(frozen=True)
class TableBox:
    """The box of a page's rulings in points, and the y of its horizontal rules (top to
    bottom): where a seal may go."""

    x0: float
    top: float
    x1: float
    bottom: float
    rules: tuple[float, ...] = ()


def _table_boxes(src: str | os.PathLike[str]) -> dict[int, TableBox]:
    """Per page (0-based), the box of its drawn rulings: where a table is."""
    boxes: dict[int, TableBox] = {}
    with pdfplumber.open(src) as pdf:
        for index, page in enumerate(pdf.pages):
            objects = page.lines + page.rects
            if len(objects) >= MIN_TABLE_RULINGS:
                flat = sorted({round(o["top"], 1) for o in objects
                               if o["x1"] - o["x0"] > 3 * (o["bottom"] - o["top"])})
                boxes[index] = TableBox(
                    min(o["x0"] for o in objects), min(o["top"] for o in objects),
                    max(o["x1"] for o in objects), max(o["bottom"] for o in objects),
                    tuple(flat))
            page.flush_cache()
    return boxes


def _seal_centre(box: TableBox, radius: int, scale: float, spec: Degradation,
                 rng: random.Random) -> tuple[int, int]:
    """Where the seal goes (pixels): over the table's right part; with seal_on_rules,
    its ring's lower arc across one of the first rules under the header, at any angle
    from steep to nearly along it (the rule cut into pieces by the ring)."""
    x0, top, x1, bottom = (v * scale for v in (box.x0, box.top, box.x1, box.bottom))
    cx = int(rng.uniform(x0 + 0.55 * (x1 - x0), x1 - 0.2 * (x1 - x0)))
    if spec.seal_on_rules and len(box.rules) >= 2:
        rule = rng.choice(box.rules[1:4]) * scale
        return cx, int(rule - radius * rng.uniform(0.3, 0.95))
    return cx, int(rng.uniform(top + 0.3 * (bottom - top), bottom - 0.2 * (bottom - top)))


def _stamp(image: Image.Image, box: TableBox, spec: Degradation,
           rng: random.Random) -> Image.Image:
    """A red official seal (ring, star, arc of text) printed over part of the table.

    Seal ink is translucent: multiplying keeps black lines and digits black under it,
    as on paper, while the red covers the white around them. Thick ink hides some of
    the print too (spec.seal_opacity): there the seal's red replaces the black.
    """
    scale = spec.dpi / 72
    radius = int(rng.uniform(55, 75) / 2 * 2 * scale)  # a 38-42 mm seal is ~110 pt across
    cx, cy = _seal_centre(box, radius, scale, spec, rng)
    layer = Image.new("RGB", image.size, (255, 255, 255))
    draw = ImageDraw.Draw(layer)
    width = max(2, radius // 14)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=SEAL_RED,
                 width=width)
    _star(draw, cx, cy, radius * 0.3)
    _seal_text(layer, cx, cy, radius, rng)
    seal = np.asarray(layer, dtype=np.uint16)
    stamped = np.asarray(image, dtype=np.uint16) * seal // 255
    if spec.seal_opacity:
        inked = (seal != 255).any(axis=2, keepdims=True)
        hidden = (stamped * (1 - spec.seal_opacity) + seal * spec.seal_opacity)
        stamped = np.where(inked, hidden.astype(np.uint16), stamped)
    return Image.fromarray(stamped.astype(np.uint8))


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    points = []
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.4
        theta = -math.pi / 2 + k * math.pi / 5
        points.append((cx + radius * math.cos(theta), cy + radius * math.sin(theta)))
    draw.polygon(points, fill=SEAL_RED)


def _seal_text(layer: Image.Image, cx: int, cy: int, radius: int, rng: random.Random) -> None:
    """Characters along the upper arc, each turned to face the centre, like a real seal."""
    font = _seal_font(int(radius * 0.28))
    text = rng.choice(("人民政府办公室", "政务公开专用章", "人民政府信息公开"))
    span = math.radians(220)
    for k, char in enumerate(text):
        theta = -math.pi / 2 - span / 2 + span * (k + 0.5) / len(text)
        tile = Image.new("RGBA", (int(radius * 0.4),) * 2, (255, 255, 255, 0))
        ImageDraw.Draw(tile).text((tile.width / 2, tile.height / 2), char, fill=SEAL_RED,
                                  font=font, anchor="mm")
        tile = tile.rotate(-math.degrees(theta) - 90, resample=Image.Resampling.BICUBIC)
        x = int(cx + radius * 0.72 * math.cos(theta) - tile.width / 2)
        y = int(cy + radius * 0.72 * math.sin(theta) - tile.height / 2)
        layer.paste(tile, (x, y), tile)


def _seal_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in SEAL_FONTS:
        if os.path.exists(path):
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def write_image_pdf(
    images: list[Image.Image], dst: str | os.PathLike[str], *, dpi: int, jpeg_quality: int = 75,
    created: time.struct_time | None = None,
) -> Path:
    """Wrap page images into an image-only PDF whose page size matches `dpi`."""
    dst = Path(dst)
    first, rest = images[0], images[1:]
    # PIL stamps the current time unless told: a fixed date makes the bytes reproducible
    dates = {"creationDate": created, "modDate": created} if created else {}
    first.save(dst, "PDF", save_all=True, append_images=rest, resolution=float(dpi),
               quality=jpeg_quality, **dates)
    return dst
