"""LibreOffice headless: DOCX -> PDF for the docx producer, many files per start (a start
costs seconds), with a private profile so concurrent runs do not collide. The PDFs are
made byte-reproducible by fixing what LibreOffice stamps: date, document ID and checksum."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

APT_PACKAGE = "libreoffice-writer-nogui"
_CANDIDATES = ("soffice", "libreoffice", "/usr/lib/libreoffice/program/soffice")
BATCH = 60  # files per soffice start: bounded so one bad file costs little
_DATE_RE = re.compile(rb"/(?:CreationDate|ModDate)\(D:(\d{14})")
_ID_RE = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_CHECKSUM_RE = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]+)")


class OfficeMissingError(RuntimeError):
    """LibreOffice (soffice) or python-docx is missing: the docx producer cannot run."""


def find_program(candidates: tuple[str, ...]) -> str | None:
    """The first of `candidates` (names or paths) that is an installed program."""
    for name in candidates:
        found = shutil.which(name)
        if found:
            return found
    return None


def soffice() -> str | None:
    return find_program(_CANDIDATES)


def missing_message() -> str | None:
    """Why the docx producer cannot run here (None when it can)."""
    if soffice() is None:
        return (f"the docx producer needs LibreOffice: `apt-get install -y {APT_PACKAGE}` "
                "(soffice not found on PATH)")
    if importlib.util.find_spec("docx") is None:
        return "the docx producer needs python-docx: `pip install -e .[synth]`"
    return None


def require() -> str:
    message = missing_message()
    if message:
        raise OfficeMissingError(message)
    return soffice() or ""


def convert(docx_files: list[Path], out_dir: Path,
            stamps: list[str] | None = None) -> list[Path]:
    """Convert each DOCX to out_dir/<stem>.pdf; return the PDFs, in order. `stamps`
    (YYYYMMDDHHmmSS, one per file) replace the export dates LibreOffice writes."""
    exe = require()
    out_dir.mkdir(parents=True, exist_ok=True)
    for i in range(0, len(docx_files), BATCH):
        _convert_batch(exe, docx_files[i:i + BATCH], out_dir)
    pdfs = [out_dir / f"{f.stem}.pdf" for f in docx_files]
    for pdf, stamp in zip(pdfs, stamps or ["20000101000000"] * len(pdfs), strict=True):
        if not pdf.exists():
            raise RuntimeError(f"LibreOffice did not convert {pdf.stem}.docx")
        normalise_pdf(pdf, stamp)
    return pdfs


def _convert_batch(exe: str, files: list[Path], out_dir: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="synth-lo-") as profile:
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
               "--norestore", "--nolockcheck", "--convert-to", "pdf:writer_pdf_Export",
               "--outdir", str(out_dir), *map(str, files)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120 + 10 * len(files))


def normalise_pdf(path: Path, stamp: str) -> None:
    """Overwrite the export date (with `stamp`, YYYYMMDDHHmmSS), the /ID and /DocChecksum
    (with zeros) in place, byte for byte, so the xref offsets stay valid and one DOCX gives
    one PDF."""
    data = _DATE_RE.sub(lambda m: m[0][:-14] + stamp.encode(), path.read_bytes())
    data = _ID_RE.sub(lambda m: _zero_hex(m[0], m[1], m[2]), data)
    data = _CHECKSUM_RE.sub(lambda m: _zero_hex(m[0], m[1]), data)
    path.write_bytes(data)


def _zero_hex(whole: bytes, *ids: bytes) -> bytes:
    for hex_id in ids:
        whole = whole.replace(hex_id, b"0" * len(hex_id))
    return whole
