"""Dump what the text path makes of many PDFs, to compare two versions of the code byte for byte.

    python benchmarks/same_output.py OUT.txt samples fixtures ../shared/real /tmp/corpus
    cmp before.txt after.txt

Per PDF: `repr(read_document(pdf))` (the reader's pages) and `repr(extract(pdf))` (the whole
pipeline's result), or the error's one line. A speed change that is meant to change nothing
must leave this file identical.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from report_extract.errors import ReportError
from report_extract.pipeline import extract
from report_extract.read.pdf import read_document


def find_pdfs(inputs: list[Path]) -> list[Path]:
    """PDFs in the given files and folders (recursively), in a fixed order."""
    found: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found += sorted(item.rglob("*.pdf"))
        elif item.suffix.lower() == ".pdf":
            found.append(item)
    return found


def dump(pdf: Path) -> str:
    """The reader's and the pipeline's output for one PDF, as text."""
    parts = [f"== {pdf}"]
    for name, action in (("read", read_document), ("extract", extract)):
        try:
            parts.append(f"-- {name}\n{action(pdf)!r}")
        except ReportError as error:
            parts.append(f"-- {name} error\n{error}")
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("inputs", type=Path, nargs="+")
    args = parser.parse_args()
    pdfs = find_pdfs(args.inputs)
    with args.out.open("w", encoding="utf-8") as out:
        for number, pdf in enumerate(pdfs, 1):
            out.write(dump(pdf) + "\n")
            print(f"\r{number}/{len(pdfs)} {pdf.name}", end="", file=sys.stderr, flush=True)
    print(f"\n{len(pdfs)} PDFs -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
