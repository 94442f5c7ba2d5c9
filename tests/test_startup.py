"""The text path stays light: extracting a text report imports neither OpenCV, nor the OCR
engine, nor pdfplumber (the reference reader), nor pyarrow (only the output tables need it)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO, SAMPLES

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
