"""Page images for OCR: the print under a seal's thick ink, on pages the degrader stamps."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from report_extract.scan.degrade import Degradation, TableBox, degrade_image
from report_extract.scan.engines import available_engines, get_engine
from report_extract.scan.image import INK_BELOW, prepare, unmix_seal
from report_extract.scan.reader import read_page
from report_extract.synth.fonts import font_path

DPI = 200
BOX = TableBox(40, 40, 320, 320)  # points: where the seal may go


def printed_page() -> np.ndarray:
    """A page of digits, 1000 px square at 200 dpi, in rows across the whole seal box."""
    page = np.full((1000, 1000), 255, np.uint8)
    for y in range(60, 980, 34):
        cv2.putText(page, "3180 2947 5063 8912 7405 6231 9058 4176", (20, y),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.9, 0, 2)
    return page


def stamped(page: np.ndarray, opacity: float, **scan: float) -> np.ndarray:
    spec = Degradation(dpi=DPI, stamp=True, seed=4, seal_opacity=opacity, **scan)
    image = Image.fromarray(page).convert("RGB")
    return np.asarray(degrade_image(image, spec, random.Random(4), BOX))


def inside_the_ink(page: np.ndarray) -> np.ndarray:
    """Where the seal's ink lies whole (3 px in from its edges): the same seal stamped on
    blank paper, without noise."""
    blank = stamped(np.full_like(page, 255), 0.0, jpeg_quality=95)
    inked = (blank.max(axis=2).astype(int) - blank.min(axis=2) > 60).astype(np.uint8)
    return cv2.distanceTransform(inked, cv2.DIST_L2, 3) > 3


def test_print_under_thick_seal_ink_is_ink_again_and_the_paper_under_it_paper():
    # thick ink (78 % opaque) leaves print under it at 78 % of the paper's white once the
    # seal's colour is divided out: too pale for ink, the digits were read as "J", "Q"
    page = printed_page()
    rgb = stamped(page, 0.78, blur=0.5, noise=5.0, jpeg_quality=60)
    inside = inside_the_ink(page)
    printed = inside & (cv2.erode(255 - page, np.ones((3, 3), np.uint8)) > 0)
    paper = inside & (cv2.dilate(255 - page, np.ones((9, 9), np.uint8)) == 0)
    assert printed.sum() > 300 and paper.sum() > 2_000  # the seal lies over the digits
    image = prepare(rgb, 1, DPI, deskew=False)
    assert np.mean(image.gray[printed] < INK_BELOW) > 0.9
    assert np.mean(image.ink[printed] > 0) > 0.8
    assert np.mean(image.ink[paper] > 0) < 0.01
    before = unmix_seal(rgb)[1]  # the seal-free grey by the colour alone
    assert np.mean(before[printed] < INK_BELOW) < 0.2
    # the luma tells print under whole ink from the ink over paper (traces of print)
    assert np.mean(image.may_be_print[printed] > 0) > 0.9
    assert np.mean(image.may_be_print[paper] > 0) < 0.1  # noise: one deviation


def test_without_print_hidden_under_the_ink_the_greys_are_the_seal_free_ones():
    # multiply-only ink leaves the print under it black (no seal colour): nothing to do
    page = printed_page()
    for rgb in (stamped(page, 0.0, noise=5.0), stamped(np.full_like(page, 255), 0.8)):
        image = prepare(rgb, 1, DPI, deskew=False)
        unmixed, seal_free = unmix_seal(rgb)
        assert np.array_equal(image.gray, seal_free)
        assert np.array_equal(image.unmixed, unmixed)


@pytest.mark.skipif("rapidocr" not in available_engines(), reason="OCR engine not installed")
@pytest.mark.skipif(font_path("ar-pl-uming") is None, reason="font missing: fonts-arphic-uming")
def test_a_number_under_the_seal_s_star_is_read_from_the_print_the_ink_hid():
    # the star's ink (80 % opaque) over a cell: its "58" was unreadable ("?")
    spec = Degradation(dpi=DPI, stamp=True, seed=3, seal_opacity=0.8, blur=0.4, noise=4.0,
                       jpeg_quality=70)

    def stamp(page: Image.Image) -> np.ndarray:
        return np.asarray(degrade_image(page, spec, random.Random(3), TableBox(22, 22, 338, 338)))

    blank = stamp(Image.new("RGB", (1000, 1000), "white"))
    inked = (blank.max(axis=2).astype(int) - blank.min(axis=2) > 60).astype(np.uint8)
    depth = cv2.distanceTransform(inked, cv2.DIST_L2, 3)
    y, x = np.unravel_index(int(np.argmax(depth)), depth.shape)  # the star's middle
    page = Image.new("RGB", (1000, 1000), "white")
    draw = ImageDraw.Draw(page)
    for rule in (x - 330, x - 110, x + 110, x + 330):  # 3 x 3 cells of 220 x 56 px
        draw.line((rule, y - 84, rule, y + 84), fill="black", width=2)
    for rule in (y - 84, y - 28, y + 28, y + 84):
        draw.line((x - 330, rule, x + 330, rule), fill="black", width=2)
    font = ImageFont.truetype(font_path("ar-pl-uming"), 29)  # 10.5 pt
    draw.text((x, y), "58", fill="black", font=font, anchor="mm")
    draw.text((x - 220, y), "3", fill="black", font=font, anchor="mm")
    read = read_page(prepare(stamp(page), 1, DPI, deskew=False), get_engine("rapidocr"))
    scale = DPI / 72
    cell = [c.text for c in read.chars if abs(c.bbox.x0 * scale - x) < 110
            and abs((c.bbox.top + c.bbox.bottom) / 2 * scale - y) < 28]
    assert cell == ["58"]
