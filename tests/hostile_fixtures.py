"""Regression fixtures for hostile input, made by script from a generated report.

Each builder turns fixtures/t2021-full.pdf (made by report_extract.synth) into one file
that crashed, hung or blew up an earlier version (issue 19), with the same damage. Tests
build them in a temporary folder; to look at them:

    python tests/hostile_fixtures.py OUTDIR
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Callable
from pathlib import Path

from report_extract.synth.hostile import open_pdf, save_pdf

REPO = Path(__file__).resolve().parents[1]
BASE = REPO / "fixtures" / "t2021-full.pdf"


def pdfium_refuses(data: bytes) -> bytes:
    """A middle part cut out: pdfminer still reads the text layer, PDFium refuses the file
    (PdfiumError from the OCR router's second opening)."""
    cut = int(len(data) * 0.77)
    return data[:cut] + data[cut + len(data) // 7:]


def short_mediabox(data: bytes) -> bytes:
    """/MediaBox [0 0 612]: IndexError in pdfplumber's normalize_box."""
    import pikepdf

    pdf = open_pdf(data)
    pdf.pages[1].obj.MediaBox = pikepdf.Array([0, 0, 612])
    return save_pdf(pdf)


def text_in_cropbox(data: bytes) -> bytes:
    """/CropBox [(a) 0 612 792]: MalformedPDFException in pdfplumber's normalize_box."""
    import pikepdf

    pdf = open_pdf(data)
    pdf.pages[2].obj.CropBox = pikepdf.Array([pikepdf.String("a"), 0, 612, 792])
    return save_pdf(pdf)


def self_containing_rotate(data: bytes) -> bytes:
    """A page's /Rotate: an array that contains itself. pdfminer reads it as 0, pdfplumber
    resolves it without end (RecursionError in pdfinternals.resolve_all)."""
    import pikepdf

    pdf = open_pdf(data)
    rotate = pdf.make_indirect(pikepdf.Array([90]))
    rotate.append(rotate)
    pdf.pages[0].obj.Rotate = rotate
    return save_pdf(pdf)


def deep_metadata(data: bytes) -> bytes:
    """A document-info /Title of arrays nested 5000 deep: RecursionError in the dict
    comprehension over the metadata."""
    import pikepdf

    pdf = open_pdf(data)
    info = pdf.make_indirect(pikepdf.Dictionary(Title=pikepdf.String("deep")))
    pdf.trailer.Info = info
    raw = save_pdf(pdf)
    return raw.replace(b"/Title (deep)", b"/Title " + b"[" * 5000 + b"]" * 5000, 1)


def broken_utf16_title(data: bytes) -> bytes:
    """A /Title in UTF-16 whose second unit is a lone surrogate (a flipped byte): was a
    UnicodeDecodeError in pypdfium2's metadata reading (fuzz case 968, seed 2026)."""
    import pikepdf

    pdf = open_pdf(data)
    title = "报告".encode("utf-16-be")
    pdf.trailer.Info = pdf.make_indirect(pikepdf.Dictionary(
        Title=pikepdf.String(b"\xfe\xff" + title[:2] + b"\xd8\x00" + title[2:])))
    return save_pdf(pdf)


def self_drawing_form(data: bytes) -> bytes:
    """A page's /Resources that contain themselves, and a form XObject that draws itself."""
    import pikepdf

    pdf = open_pdf(data)
    page = pdf.pages[0].obj
    form = pdf.make_stream(b"q /Loop Do Q")
    form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
    form.BBox = pikepdf.Array([0, 0, 100, 100])
    form.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Loop=form))
    resources = pdf.make_indirect(pikepdf.Dictionary(page.Resources))
    resources.Self = resources
    resources.XObject = pikepdf.Dictionary(Loop=form)
    page.Resources = resources
    page.Contents = pdf.make_stream(page.Contents.read_bytes() + b"\nq /Loop Do Q\n")
    return save_pdf(pdf)


def form_fanout(data: bytes, depth: int = 40) -> bytes:
    """Forms that each draw the next twice, `depth` deep: 2**depth drawings from a few
    hundred bytes (a hang in content-stream interpretation, no cycle to detect)."""
    import pikepdf

    pdf = open_pdf(data)
    leaf = pdf.make_stream(b"0 0 1 1 re f")
    leaf.Type, leaf.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
    leaf.BBox = pikepdf.Array([0, 0, 1, 1])
    form = leaf
    for _ in range(depth):
        parent = pdf.make_stream(b"q /F Do Q q /F Do Q")
        parent.Type, parent.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        parent.BBox = pikepdf.Array([0, 0, 1, 1])
        parent.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(F=form))
        form = parent
    page = pdf.pages[0].obj
    page.Resources.XObject = pikepdf.Dictionary(Top=form)
    page.Contents = pdf.make_stream(page.Contents.read_bytes() + b"\nq /Top Do Q\n")
    return save_pdf(pdf)


def flate_bomb(data: bytes, megabytes: int = 64) -> bytes:
    """Page 1's contents: a ~60 KB stream that inflates to `megabytes` MB of zeros."""
    import pikepdf

    pdf = open_pdf(data)
    packer = zlib.compressobj(9)
    packed = b"".join(packer.compress(bytes(1 << 20)) for _ in range(megabytes))
    stream = pdf.make_stream(b"")
    stream.write(packed + packer.flush(), filter=pikepdf.Name.FlateDecode)
    pdf.pages[0].obj.Contents = stream
    return save_pdf(pdf)


def huge_content(data: bytes, megabytes: int = 6) -> bytes:
    """Page 1's contents: `megabytes` MB of text-showing operators (compressed small)."""
    import pikepdf

    pdf = open_pdf(data)
    line = b"BT /F1 8 Tf 10 10 Td (0123456789) Tj ET\n"
    stream = pdf.make_stream(b"")
    stream.write(zlib.compress(line * ((megabytes << 20) // len(line)), 6),
                 filter=pikepdf.Name.FlateDecode)
    pdf.pages[0].obj.Contents = stream
    return save_pdf(pdf)


def huge_page(data: bytes) -> bytes:
    """Page 2 is 200,000 pt (70 m) square."""
    import pikepdf

    pdf = open_pdf(data)
    pdf.pages[1].obj.MediaBox = pikepdf.Array([0, 0, 200000, 200000])
    return save_pdf(pdf)


def many_pages(data: bytes, count: int = 1500) -> bytes:
    """Page 1 repeated: `count` pages in all."""
    pdf = open_pdf(data)
    for _ in range(count - len(pdf.pages)):
        pdf.pages.append(pdf.pages[0])
    return save_pdf(pdf)


BUILDERS: dict[str, Callable[[bytes], bytes]] = {
    "pdfium-refuses": pdfium_refuses, "short-mediabox": short_mediabox,
    "text-in-cropbox": text_in_cropbox, "self-containing-rotate": self_containing_rotate,
    "deep-metadata": deep_metadata, "broken-utf16-title": broken_utf16_title,
    "self-drawing-form": self_drawing_form,
    "form-fanout": form_fanout, "flate-bomb": flate_bomb, "huge-content": huge_content,
    "huge-page": huge_page, "many-pages": many_pages,
}


def build(name: str, folder: Path) -> Path:
    path = folder / f"{name}.pdf"
    path.write_bytes(BUILDERS[name](BASE.read_bytes()))
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile")
    out.mkdir(parents=True, exist_ok=True)
    for builder in BUILDERS:
        print(build(builder, out))
