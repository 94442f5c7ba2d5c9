"""Scanned reports: route pages without a usable text layer through OCR.

    document = read_document(path, require_text=False)
    document = route_document(document, mode="auto")   # OCR'd pages replaced in place

An OCR'd page is a models.Page like any other (ruling Segments + Chars with confidence,
source="ocr"), so detection, normalisation and validation are shared with text pages.
Heavy imports (OpenCV, onnxruntime) happen only when a page is actually OCR'd.
"""

from __future__ import annotations

from report_extract.errors import CorruptPdfError, IngestError
from report_extract.models import Document, Page
from report_extract.read.pdf import check_text_layer
from report_extract.scan.route import MODES, PageRoute, plan_routes

__all__ = ["MODES", "OcrNotInstalledError", "PageRoute", "ocr_pages", "plan_routes",
           "route_document"]


class OcrNotInstalledError(IngestError):
    """OCR was asked for (mode="ocr") but the engine is not installed."""


def route_document(
    document: Document,
    *,
    mode: str = "auto",
    engine: str = "rapidocr",
    dpi: int | None = None,
    progress: bool = False,
) -> Document:
    """Replace the pages that need OCR by their OCR'd versions; refuse a document that
    ends up with no text at all, as the text path does."""
    routes = plan_routes(document, mode)
    wanted = [r.page for r in routes if r.ocr]
    if not wanted:  # a text report: OpenCV and the OCR engine are not even imported
        check_text_layer(document)
        return document
    from report_extract.scan.engines import INSTALL_HINTS, available_engines

    if engine not in available_engines():
        if mode == "ocr":
            raise OcrNotInstalledError(document.source_file, INSTALL_HINTS.get(engine, engine))
        document.metadata["ocr_skipped_pages"] = ",".join(map(str, wanted))
        check_text_layer(document, f" ({INSTALL_HINTS.get(engine, engine)})")
        return document
    ocr_pages(document, wanted, engine=engine, dpi=dpi, progress=progress)
    check_text_layer(document, " (OCR found no text either)")
    return document


def ocr_pages(
    document: Document,
    numbers: list[int],
    *,
    engine: str = "rapidocr",
    dpi: int | None = None,
    progress: bool = False,
) -> None:
    """OCR the given pages (1-based) of the document's file and put them in its place.

    dpi: the rendering resolution; by default a scanned page's own (capped at
    DEFAULT_DPI, as more costs time and gains nothing), else DEFAULT_DPI.
    """
    import pypdfium2 as pdfium
    from tqdm import tqdm

    from report_extract.scan.engines import get_engine
    from report_extract.scan.image import page_dpi, prepare, render
    from report_extract.scan.reader import read_page

    ocr = get_engine(engine)
    try:
        pdf = pdfium.PdfDocument(document.path)
    except pdfium.PdfiumError as error:
        raise CorruptPdfError(document.source_file, f"corrupt PDF: pages {_numbers(numbers)} "
                              f"need OCR, but PDFium cannot open the file ({error})") from error
    used: list[str] = []
    skews: list[str] = []
    try:
        bar = tqdm(numbers, desc=f"OCR {document.source_file}", unit="page", leave=False,
                   disable=None if progress else True)  # None: off when not a TTY
        for number in bar:
            try:
                resolution = dpi or page_dpi(pdf[number - 1])
                _check_render_size(document.source_file, number, pdf[number - 1], resolution)
                pixels = render(pdf[number - 1], resolution)
            except pdfium.PdfiumError as error:
                raise CorruptPdfError(document.source_file, f"corrupt PDF: page {number} "
                                      f"cannot be rendered for OCR ({error})") from error
            image = prepare(pixels, number, resolution)
            page: Page = read_page(image, ocr)
            document.pages[number - 1] = page  # the rendered image is released here
            used.append(str(resolution))
            skews.append(f"{image.skew:.2f}")
    finally:
        pdf.close()
    document.metadata.update({
        "ocr_engine": engine, "ocr_dpi": ",".join(used),
        "ocr_pages": ",".join(map(str, numbers)), "ocr_skew_degrees": ",".join(skews)})


def _numbers(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:10])) + (", …" if len(numbers) > 10 else "")


def _check_render_size(name: str, number: int, page, resolution: int) -> None:
    from report_extract.errors import TooLargeError
    from report_extract.limits import MAX_RENDER_PIXELS

    width, height = page.get_size()
    pixels = width * height * (resolution / 72) ** 2
    if not pixels <= MAX_RENDER_PIXELS:
        raise TooLargeError(name, f"too large: page {number} would render to "
                                  f"{pixels / 1e6:.0f} megapixels for OCR, over the limit of "
                                  f"{MAX_RENDER_PIXELS / 1e6:.0f}")
