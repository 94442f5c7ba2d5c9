"""Page images for OCR: render, grey out coloured marks, deskew, binarise.

Coordinates: pixels of the rendered page; `points()` turns them into PDF points
(top-left origin, as models.BBox) by the factor 72/dpi.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import pypdfium2 as pdfium

# OpenCV's own thread pool off: reports are read in parallel by processes (batch), and on
# a 2-core machine its threads spent ~6 % more CPU per page than they saved in wall time.
OPENCV_THREADS = 1
cv2.setNumThreads(OPENCV_THREADS)

DEFAULT_DPI = 200  # enough for 10.5 pt table digits; 300 costs 2x the time for no gain
MIN_DPI = 100  # a coarser scan is still rendered at this (the rules need some pixels)
MAX_SKEW = 5.0  # degrees searched either way; scanners rarely tilt a page more
COARSE_STEP = 0.2
FINE_STEP = 0.02
SKEW_SAMPLE = 300_000  # ink pixels used for the projection profile (speed)
SEAL_RED, SEAL_WEAKEST = 0.86, 0.15  # a seal's red and weakest channel (220, 30, 40)
SEAL_CHROMA = 40  # max-min channel spread above which a pixel is coloured ink
NEUTRAL_CHROMA = 6  # below this spread a pixel is grey (scanner and JPEG noise)
SEAL_PALE = 190  # coloured pixels paler than this (once unmixed) are seal, not print
INK_BELOW = 200  # grey level: darker may be ink (with local contrast); paler is paper
UNDER_SEAL_BLUR = 0.7  # px at 200 dpi: luma smoothed so thin print under ink beats noise
UNDER_SEAL_DEEP = 3.0  # px inside the seal's ink: where it is whole (measured on)
UNDER_SEAL_DARK = 4.0  # noise deviations below the ink's luma: print under the ink
UNDER_SEAL_PAPER = 2.0  # ... above this many below it: paper under the ink (white)
UNDER_SEAL_CORE = 10  # percentile of the print under the ink taken as black
LUMA_NOISE = 2.0  # luma levels: JPEG quantisation alone moves the ink's luma this much
JPEG_BLOCK = 15  # px: a dark mark's ringing reaches across its 8 px JPEG block
UNDER_SEAL_PRINT = 40  # px at 200 dpi: less print than this under the ink shows no hiding
DARKER_THAN_INK = 1.0  # noise deviations: a seal pixel this much darker than the ink's luma
JUDGED = 9  # px: the luma judges seal pixels this close to whole ink (a 4 px reach)


@dataclass
class PageImage:
    """A rendered, deskewed page: grey pixels, ink mask, and how it was made."""

    number: int  # 1-based page number
    gray: np.ndarray  # uint8, white paper = 255, seal removed: what the OCR reads
    ink: np.ndarray  # uint8 0/255 (ink = 255) of `gray`: rules and text lines
    faint_ink: np.ndarray  # ink before pale seal remnants were cleared: faintest print
    unmixed: np.ndarray  # grey before pale seal remnants were cleared (second readings)
    seal: np.ndarray  # uint8 0/255: clearly coloured pixels (seal ink)
    dpi: int
    skew: float  # degrees (counter-clockwise positive) removed by deskewing
    # seal pixels darker in luma than the seal's ink over paper (print under it), or too
    # far from whole ink for the luma to tell; None where the page has no whole seal ink
    # to measure (_restore_under_seal)
    may_be_print: np.ndarray | None = None

    @property
    def scale(self) -> float:
        """Points per pixel."""
        return 72.0 / self.dpi

    @property
    def size_points(self) -> tuple[float, float]:
        height, width = self.gray.shape
        return width * self.scale, height * self.scale


def page_dpi(page: pdfium.PdfPage) -> int:
    """The resolution to render a page at: that of its largest image (a scan), not
    above DEFAULT_DPI nor below MIN_DPI; DEFAULT_DPI for a page without images.

    Rendering a scan at its own resolution avoids resampling it twice."""
    import pypdfium2.raw as pdfium_c

    best, area = DEFAULT_DPI, 0.0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)):
        left, bottom, right, top = obj.get_bounds()
        width_px, _ = obj.get_px_size()
        if right - left > 0 and (right - left) * (top - bottom) > area:
            area = (right - left) * (top - bottom)
            best = round(width_px / ((right - left) / 72))
    return int(min(DEFAULT_DPI, max(MIN_DPI, best)))


def render(page: pdfium.PdfPage, dpi: int) -> np.ndarray:
    """RGB pixels of one PDF page at `dpi`."""
    bitmap = page.render(scale=dpi / 72, rev_byteorder=True)  # RGB(x), not PDFium's BGR
    return np.array(bitmap.to_numpy()[..., :3])  # a copy: the bitmap's buffer is freed


def brightest(rgb: np.ndarray) -> np.ndarray:
    """Grey as the brightest channel: tinted cell fills turn pale, black print stays."""
    return rgb.max(axis=2) if rgb.ndim == 3 else rgb


def unmix_seal(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Grey of the paper and print under a translucent red seal: (unmixed, seal-free).

    Seal ink multiplies the page by its colour S; per pixel, how much seal lies on it
    (alpha) follows from the ratio of its weakest channel to red, and the print under
    it is red / (1 - alpha (1 - S_red)). Black print under the seal stays black, the
    seal itself turns almost white. Other pixels keep their brightest channel (blue or
    grey cell fills turn pale).

    The seal-free grey also sets pale pixels that are still clearly coloured to paper
    white: JPEG's coarse colour sampling leaves seal strokes darker than the unmixing
    expects, and seal text must not be read. Darker ones are print under the seal.
    """
    if rgb.ndim == 2:
        return rgb, rgb
    return _unmix(_Colours.of(rgb))


@dataclass
class _Colours:
    """Whole-page channel passes that the seal's unmixing and its mask share."""

    red: np.ndarray
    weakest: np.ndarray  # of green and blue
    light: np.ndarray  # brightest channel
    chroma: np.ndarray  # brightest - darkest channel

    @classmethod
    def of(cls, rgb: np.ndarray) -> _Colours:
        # OpenCV's per-channel max/min: numpy's reduction over the 3-wide last axis took
        # a third of a second per page at 200 dpi.
        red, green, blue = cv2.split(np.ascontiguousarray(rgb))
        weakest = cv2.min(green, blue)
        light = cv2.max(red, cv2.max(green, blue))
        return cls(red, weakest, light, cv2.subtract(light, cv2.min(red, weakest)))

    @property
    def reddish(self) -> np.ndarray:
        """Pixels whose strongest channel is red, and tinted (not scanner grey)."""
        return (self.red == self.light) & (self.chroma > NEUTRAL_CHROMA)


def _unmix(colours: _Colours) -> tuple[np.ndarray, np.ndarray]:
    light, chroma = colours.light, colours.chroma
    unmixed = light.copy()
    where = np.nonzero(colours.reddish)  # only reddish pixels: none on most pages
    if where[0].size:
        r = colours.red[where].astype(np.float32) / 255
        ratio = colours.weakest[where].astype(np.float32) / 255 / np.maximum(r, 1e-3)
        alpha = np.clip((1 - ratio) / ((1 - SEAL_WEAKEST) - ratio * (1 - SEAL_RED)), 0, 1)
        unmixed[where] = (np.clip(r / (1 - alpha * (1 - SEAL_RED)), 0, 1) * 255
                          ).astype(np.uint8)
    seal_free = unmixed.copy()
    seal_free[(chroma > SEAL_CHROMA) & (unmixed > SEAL_PALE)] = 255
    return unmixed, seal_free


def binarize(gray: np.ndarray, dpi: int) -> np.ndarray:
    """Ink mask (255 = ink). Adaptive so uneven scan brightness does not matter; the
    global cut drops the pale remains of seals and backgrounds."""
    block = max(15, int(dpi / 6) | 1)
    adaptive = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C,
                                     cv2.THRESH_BINARY_INV, block, 15)
    dark = (gray < INK_BELOW).astype(np.uint8) * 255
    return cv2.bitwise_and(adaptive, dark)


def estimate_skew(ink: np.ndarray, max_angle: float = MAX_SKEW) -> float:
    """The page's tilt in degrees (counter-clockwise positive), by projection profile.

    Table rules and text lines make the row histogram of ink sharpest when the page
    is level; search coarse then fine. Accurate to a few hundredths of a degree.
    """
    ys, xs = np.nonzero(ink)
    if len(xs) < 100:
        return 0.0
    if len(xs) > SKEW_SAMPLE:
        pick = np.random.default_rng(0).choice(len(xs), SKEW_SAMPLE, replace=False)
        xs, ys = xs[pick], ys[pick]
    xs = xs.astype(np.float64) - ink.shape[1] / 2
    ys = ys.astype(np.float64)
    coarse = _best_angle(xs, ys, np.arange(-max_angle, max_angle + 1e-9, COARSE_STEP))
    fine = np.arange(coarse - COARSE_STEP, coarse + COARSE_STEP + 1e-9, FINE_STEP)
    return float(_best_angle(xs, ys, fine))


def _best_angle(xs: np.ndarray, ys: np.ndarray, angles: np.ndarray) -> float:
    scores = [_sharpness(xs, ys, angle) for angle in angles]
    return float(angles[int(np.argmax(scores))])


def _sharpness(xs: np.ndarray, ys: np.ndarray, angle: float) -> float:
    # A counter-clockwise tilt raises the right end of a rule (smaller y); undo it.
    # In place: 72 angles a page, and each new array of 300,000 is fresh memory.
    levelled = xs * np.tan(np.radians(angle))
    levelled += ys
    levelled -= levelled.min()  # >= 0 exactly: the minimum is one of its values
    counts = np.bincount(levelled.astype(np.int64))
    return float(np.dot(counts, counts))


def rotate(image: np.ndarray, angle: float) -> np.ndarray:
    """Rotate counter-clockwise by `angle` degrees about the centre, white outside."""
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def _rotate_mask(mask: np.ndarray, angle: float) -> np.ndarray:
    """A 0/255 mask rotated as rotate() turns the page, still 0/255."""
    return (rotate(255 - mask, angle) < 128).astype(np.uint8) * 255  # rotate() fills white


def prepare(rgb: np.ndarray, number: int, dpi: int, *, deskew: bool = True) -> PageImage:
    """Grey without the seal, deskewed (the angle measured on the ink), and binarised.

    `faint_ink` keeps what the seal removal may take too (print under a seal that JPEG
    tinted): a cell with only faint ink is still read, never taken for blank. Print
    that thick seal ink hid in part is put back into both greys (_restore_under_seal). A page
    without coloured ink (most pages) has one grey: it is rotated and binarised once.
    """
    if rgb.ndim == 2:
        unmixed, gray, seal = rgb, rgb, np.zeros(rgb.shape, np.uint8)
        darker = None
    else:
        colours = _Colours.of(rgb)
        unmixed, gray = _unmix(colours)
        seal = _seal(colours)
        darker = _restore_under_seal(rgb, seal, dpi, (unmixed, gray))
    plain = np.array_equal(unmixed, gray)  # no seal ink was cleared from the grey
    ink = binarize(gray, dpi)
    skew = estimate_skew(ink) if deskew else 0.0
    if abs(skew) >= FINE_STEP:
        gray = rotate(gray, -skew)
        unmixed = gray if plain else rotate(unmixed, -skew)
        if seal.any():
            seal = _rotate_mask(seal, -skew)
        if darker is not None:
            darker = _rotate_mask(darker, -skew)
        ink = binarize(gray, dpi)
    faint_ink = ink.copy() if plain else binarize(unmixed, dpi)
    return PageImage(number, gray, ink, faint_ink, unmixed.copy() if plain else unmixed,
                     seal, dpi, skew, darker)


def seal_mask(rgb: np.ndarray) -> np.ndarray:
    """Pixels of a seal's red ink, 255; none on a grey page. Other colours are not a seal:
    a blue fill behind heading rows is bounded by rules that must stay rules."""
    if rgb.ndim == 2:
        return np.zeros(rgb.shape, np.uint8)
    return _seal(_Colours.of(rgb))


def _seal(colours: _Colours) -> np.ndarray:
    return ((colours.chroma > SEAL_CHROMA) & (colours.red >= colours.light)).astype(
        np.uint8) * 255


def _restore_under_seal(rgb: np.ndarray, seal: np.ndarray, dpi: int,
                        greys: tuple[np.ndarray, ...]) -> np.ndarray | None:
    """Print under thick seal ink put back into the greys (in place); returns the mask of
    seal pixels whose luma is darker than the ink's own (None without whole ink).

    Thick ink hides a share o of the print under it: there a pixel is S((1-o)P + o)
    (S the seal's colour, P the print), so dividing out S leaves print at o of the
    paper's white, too pale to pass for ink. In luma the print under the ink is still
    the only thing darker than the ink over paper (the ink's soft edges are paler,
    which its colour, coarse in JPEG, does not tell). The ink's own luma over paper
    and its noise come from the seal's inside, the print's from the pixels there
    clearly darker; between them the luma is stretched to white...black. With no
    print under the ink (o = 0: print under the ink stays black, no seal colour) the
    greys are left as they were."""
    found = _print_under_seal(rgb, seal, dpi)
    if found is None:
        return None
    x0, y0, x1, y1 = found.box
    if found.grey is not None:
        for grey in greys:
            np.minimum(grey[y0:y1, x0:x1], found.grey, out=grey[y0:y1, x0:x1])
    darker = np.zeros(seal.shape, np.uint8)
    darker[y0:y1, x0:x1] = found.darker
    return darker


@dataclass
class _UnderSeal:
    """What the luma shows under a seal's ink, over the seal's box."""

    box: tuple[int, int, int, int]
    darker: np.ndarray  # 255: seal pixels darker than the ink's own luma (print under it)
    grey: np.ndarray | None  # the print under the ink, white elsewhere; None: none shows


def _print_under_seal(rgb: np.ndarray, seal: np.ndarray, dpi: int) -> _UnderSeal | None:
    """The print under the seal's ink as the luma shows it; None without whole ink."""
    left, top, wide, tall = cv2.boundingRect(seal)  # of its nonzero pixels; fast
    if not wide:
        return None
    height, width = seal.shape
    x0, y0 = max(0, left - 2), max(0, top - 2)
    x1, y1 = min(width, left + wide + 2), min(height, top + tall + 2)
    mask = seal[y0:y1, x0:x1]
    deep = whole_seal_ink(mask)
    if not deep.any():
        return None
    luma = cv2.cvtColor(np.ascontiguousarray(rgb[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    luma = cv2.GaussianBlur(luma.astype(np.float32), (0, 0), UNDER_SEAL_BLUR * dpi / 200)
    under = luma[deep]
    ink = float(np.median(under))
    above = under[under >= ink] - ink
    noise = max(LUMA_NOISE, 1.4826 * float(np.median(above))) if above.size else LUMA_NOISE
    darker = (mask > 0) & ((luma < ink - DARKER_THAN_INK * noise) | ~luma_judged(deep))
    darker = darker.astype(np.uint8) * 255
    return _UnderSeal((x0, y0, x1, y1), darker,
                      _stretched(luma, mask, deep, ink, noise, dpi))


def whole_seal_ink(seal: np.ndarray) -> np.ndarray:
    """Pixels UNDER_SEAL_DEEP inside the seal's ink (a 0/255 mask): where it is whole;
    its edges (JPEG's ringing, colour bleeding) are not read."""
    return cv2.distanceTransform(seal, cv2.DIST_L2, 3) > UNDER_SEAL_DEEP


def luma_judged(deep: np.ndarray) -> np.ndarray:
    """Pixels where the luma tells print under seal ink from the ink over paper: beside
    whole ink (`deep`, a ring's band, the star); under the thin strokes of the seal's
    text it never reaches the ink's own."""
    return cv2.dilate(deep.astype(np.uint8), np.ones((JUDGED, JUDGED), np.uint8)) > 0


def _stretched(luma: np.ndarray, mask: np.ndarray, deep: np.ndarray, ink: float,
               noise: float, dpi: int) -> np.ndarray | None:
    """The luma of the seal's pixels stretched from the print's level under the ink
    (black) to just below the ink's own (white); None where too little print shows."""
    # print the ink did not hide (black, no seal colour: outside the mask) rings in JPEG
    # for a few pixels around it, darker than the ink: not print under it
    unhidden = ((mask == 0) & (luma < ink / 2)).astype(np.uint8)
    if unhidden.any():
        deep = deep & (cv2.dilate(unhidden, np.ones((JPEG_BLOCK, JPEG_BLOCK), np.uint8)) == 0)
    dark = luma[deep]
    dark = dark[dark < ink - UNDER_SEAL_DARK * noise]
    if dark.size < UNDER_SEAL_PRINT * (dpi / 200) ** 2:
        return None
    black = float(np.percentile(dark, UNDER_SEAL_CORE))
    white = ink - UNDER_SEAL_PAPER * noise
    if white - black < 2 * noise:
        return None
    grey = np.clip((luma - black) * (255 / (white - black)), 0, 255).astype(np.uint8)
    grey[mask == 0] = 255
    return grey
