"""The chromium producer: a portal page printed to PDF by headless Chromium (Debian's
`chromium`, /usr/bin/chromium; `.ci/run` installs it), as a researcher saves a web report.

Skia's PDFs are what the extractor must read as well as WPS ones: borders drawn as filled
rectangles (two per double rule, one per cell side with `border-collapse: separate`),
tables split wherever the page falls, <thead> rows repeated on every page, and with Noto
CJK fonts radical code points (⼈ for 人, ⺠ for 民) in the text layer.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

from report_extract.synth.office import find_program

APT_PACKAGE = "chromium"
_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
TIMEOUT = 120  # s per page: a stuck browser must not hang a corpus run
_DATE_RE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}")


class BrowserMissingError(RuntimeError):
    """Chromium is not installed: the chromium producer cannot run."""


def chromium() -> str | None:
    return find_program(_CANDIDATES)


def missing_message() -> str | None:
    if chromium() is None:
        return (f"the chromium producer needs Chromium: `apt-get install -y {APT_PACKAGE}` "
                "(chromium not found)")
    return None


def require() -> None:
    if (message := missing_message()) is not None:
        raise BrowserMissingError(message)


def print_to_pdf(page: Path, pdf: Path, *, header_footer: bool = False,
                 dated: str | None = None) -> None:
    """Print `page` to `pdf` as the browser's "Save as PDF" does; header_footer adds the
    browser's lines (date and title on top, URL and "1/3" at the foot). `dated`
    (YYYYMMDDhhmmss) replaces the print time in the PDF's dates, so a page printed twice
    gives the same bytes (except the header line's date, which Chromium prints as text)."""
    require()
    with tempfile.TemporaryDirectory(prefix="synth-chromium-") as profile:
        command = [chromium() or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-background-networking", "--disable-component-update",
                   "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                   f"--print-to-pdf={pdf}"]
        if not header_footer:
            command.append("--no-pdf-header-footer")
        command.append(page.resolve().as_uri())
        # Chromium looks for a D-Bus session and logs when there is none: quiet it.
        env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                              env=env, check=False)
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"Chromium could not print {page.name} (exit {done.returncode}): "
                           f"{tail}")
    if dated is not None:  # same length: the cross-reference offsets stay right
        stamp = dated.encode("ascii")
        pdf.write_bytes(_DATE_RE.sub(lambda m: b"/" + m.group(1) + b" (D:" + stamp,
                                     pdf.read_bytes()))
