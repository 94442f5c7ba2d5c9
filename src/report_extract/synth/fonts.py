"""CJK TrueType fonts from Debian packages, registered with reportlab (subset-embedded)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont


@dataclass(frozen=True)
class FontFile:
    paths: tuple[str, ...]
    subfont_index: int
    apt_package: str


FONTS: dict[str, FontFile] = {
    "wqy-zenhei": FontFile(
        ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
         "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc"), 0, "fonts-wqy-zenhei"),
    "ar-pl-uming": FontFile(
        ("/usr/share/fonts/truetype/arphic/uming.ttc",
         "/usr/share/fonts/arphic/uming.ttc"), 0, "fonts-arphic-uming"),
}
APT_PACKAGES = tuple(f.apt_package for f in FONTS.values())


class FontMissingError(RuntimeError):
    """A CJK font the generator needs is not installed."""


def font_path(family: str) -> str | None:
    for path in FONTS[family].paths:
        if os.path.exists(path):
            return path
    return None


def missing_fonts() -> list[str]:
    """apt packages still to install for all families; empty when all are present."""
    return [f.apt_package for fam, f in FONTS.items() if font_path(fam) is None]


def register(family: str) -> str:
    """Register `family` with reportlab once; return its reportlab font name."""
    name = f"synth-{family}"
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    path = font_path(family)
    if path is None:
        raise FontMissingError(
            f"CJK font {family!r} not found; install it with "
            f"`apt-get install -y {FONTS[family].apt_package}`")
    pdfmetrics.registerFont(TTFont(name, path, subfontIndex=FONTS[family].subfont_index))
    return name
