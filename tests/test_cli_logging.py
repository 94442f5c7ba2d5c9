"""The PDF libraries' logging is quiet unless --verbose (issue 20, case 8).

A copy of a fixture whose font descriptors lack /FontBBox makes pdfminer log "Could not get
FontBBox from font descriptor" for each font, as browser-printed PDFs do; it is read with
the pdfplumber reader (PDFium, the default, logs nothing of the kind).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from batch_support import FIXTURE_2021, REPO

pytestmark = pytest.mark.skipif(not FIXTURE_2021.is_file(),
                                reason=f"generated fixtures missing: {FIXTURE_2021}")
NOISE = "Could not get FontBBox from font descriptor"


@pytest.fixture(scope="module")
def noisy_pdf(tmp_path_factory) -> Path:
    data = FIXTURE_2021.read_bytes()
    assert b"/FontBBox" in data
    path = tmp_path_factory.mktemp("noisy") / "no-fontbbox.pdf"
    path.write_bytes(data.replace(b"/FontBBox", b"/FontBBoy"))  # same length: xref holds
    return path


def cli(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "report_extract.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO / "src")})


def test_extract_is_quiet_unless_verbose(noisy_pdf: Path):
    quiet = cli("extract", "--reader", "pdfplumber", noisy_pdf)
    assert quiet.returncode == 0
    assert quiet.stderr == ""
    for verbose in (["extract", "--verbose"], ["-v", "extract"]):
        loud = cli(*verbose, "--reader", "pdfplumber", noisy_pdf)
        assert loud.returncode == 0
        assert f"WARNING: pdfminer.pdffont: {NOISE}" in loud.stderr
        assert loud.stdout == quiet.stdout


def test_convert_workers_are_quiet_unless_verbose(noisy_pdf: Path, tmp_path: Path):
    quiet = cli("convert", noisy_pdf, "-o", tmp_path / "quiet", "-q", "--workers", "1",
                "--reader", "pdfplumber")
    assert (quiet.returncode, quiet.stderr) == (0, "")
    loud = cli("convert", noisy_pdf, "-o", tmp_path / "loud", "-q", "--workers", "1", "-v",
               "--reader", "pdfplumber")
    assert loud.returncode == 0
    assert NOISE in loud.stderr
