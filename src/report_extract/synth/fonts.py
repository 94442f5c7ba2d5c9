"""CJK fonts from Debian packages: TrueType ones registered with reportlab (subset-embedded),
all of them usable by LibreOffice (the docx producer), which also embeds CFF (Noto CJK)."""

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
    office_name: str  # the family name Word/LibreOffice (fontconfig) knows it by
    reportlab: bool = True  # TrueType outlines: reportlab can embed it


FONTS: dict[str, FontFile] = {
    "wqy-zenhei": FontFile(
        ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
         "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc"), 0, "fonts-wqy-zenhei",
        "WenQuanYi Zen Hei"),
    "ar-pl-uming": FontFile(
        ("/usr/share/fonts/truetype/arphic/uming.ttc",
         "/usr/share/fonts/arphic/uming.ttc"), 0, "fonts-arphic-uming", "AR PL UMing CN"),
    "ar-pl-ukai": FontFile(
        ("/usr/share/fonts/truetype/arphic/ukai.ttc",
         "/usr/share/fonts/arphic/ukai.ttc"), 0, "fonts-arphic-ukai", "AR PL UKai CN"),
    "noto-sans-cjk": FontFile(
        ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",), 0, "fonts-noto-cjk",
        "Noto Sans CJK SC", reportlab=False),
    "noto-serif-cjk": FontFile(
        ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",), 0, "fonts-noto-cjk",
        "Noto Serif CJK SC", reportlab=False),
}
# Measures text for a family reportlab cannot load (CJK glyphs are 1 em in all of them).
STAND_IN = "wqy-zenhei"
APT_PACKAGES = tuple(dict.fromkeys(f.apt_package for f in FONTS.values()))


class FontMissingError(RuntimeError):
    """A CJK font the generator needs is not installed."""


def font_path(family: str) -> str | None:
    for path in FONTS[family].paths:
        if os.path.exists(path):
            return path
    return None


def missing_fonts(families: tuple[str, ...] | None = None) -> list[str]:
    """apt packages still to install for `families` (default: all reportlab ones)."""
    if families is None:
        families = tuple(name for name, f in FONTS.items() if f.reportlab)
    missing = [FONTS[fam].apt_package for fam in families if font_path(fam) is None]
    return list(dict.fromkeys(missing))


def require(family: str) -> None:
    if font_path(family) is None:
        raise FontMissingError(
            f"CJK font {family!r} not found; install it with "
            f"`apt-get install -y {FONTS[family].apt_package}`")


def register(family: str) -> str:
    """Register `family` with reportlab once; return its reportlab font name."""
    name = f"synth-{family}"
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    if not FONTS[family].reportlab:
        raise FontMissingError(f"{family!r} is a CFF font: reportlab cannot embed it")
    require(family)
    pdfmetrics.registerFont(TTFont(name, font_path(family),
                                   subfontIndex=FONTS[family].subfont_index))
    return name


def measuring_font(family: str) -> str:
    """A reportlab font name to measure text set in `family` (itself, or a stand-in)."""
    return register(family if FONTS[family].reportlab else STAND_IN)
