"""The text path stays light: reading a text report imports neither OpenCV, nor the OCR
engine, nor pdfplumber (the reference reader), nor pyarrow (only Parquet output needs it)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import FIXTURES, REPO, SAMPLES

HEAVY = ("cv2", "rapidocr_onnxruntime", "onnxruntime", "pdfplumber", "pdfminer", "pyarrow")


def _imported_after(code: str) -> list[str]:
    report = f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    process = subprocess.run([sys.executable, "-c", f"import json, sys\n{code}\n{report}"],
                             capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(process.stdout.strip().splitlines()[-1])


def test_extracting_a_text_report_imports_no_heavy_library():
    sample = sorted(SAMPLES.glob("*.pdf"))[0]
    code = f"from report_extract import extract\nextract({str(sample)!r})"
    assert _imported_after(code) == []


def test_converting_to_csv_imports_no_heavy_library(tmp_path):
    code = ("from report_extract import convert\n"
            f"convert([{str(FIXTURES / 't2021-full.pdf')!r}], {str(tmp_path / 'out')!r}, "
            "workers=1, progress=False)")
    assert _imported_after(code) == []


def test_converting_to_parquet_imports_pyarrow(tmp_path):
    code = ("from report_extract import convert\n"
            f"convert([{str(FIXTURES / 't2021-full.pdf')!r}], {str(tmp_path / 'out')!r}, "
            "workers=1, progress=False, format='parquet')")
    assert _imported_after(code) == ["pyarrow"]
