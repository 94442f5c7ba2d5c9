"""Read: a file's bytes -> a Document (pages of characters with boxes and ruling segments).

`pdf` reads a PDF's text layer; the OCR reader for pages without one is `report_extract.scan`.
"""
