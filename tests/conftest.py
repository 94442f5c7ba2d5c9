"""Shared test helpers: where the repo and ../shared are, and truth comparison."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_REAL = REPO.parent / "shared" / "real"
FIXTURES = REPO / "fixtures"
SAMPLES = REPO / "samples"


def real_pdfs() -> list[Path]:
    return sorted(SHARED_REAL.glob("*.pdf")) if SHARED_REAL.is_dir() else []


def requires_shared_real():
    return pytest.mark.skipif(
        not real_pdfs(),
        reason=f"real reports not available: {SHARED_REAL} is absent (it is not part of the repo)",
    )


def load_truth(pdf: Path) -> dict:
    return json.loads(pdf.with_name(pdf.stem + ".truth.json").read_text(encoding="utf-8"))


def cell_differences(extracted: dict, truth: dict) -> list[str]:
    """Every truth cell that the extraction gets wrong (absent counts as null), and extras."""
    wrong = []
    for table, rows in truth["tables"].items():
        got_rows = extracted["tables"].get(table, {})
        for row, columns in rows.items():
            for column, value in columns.items():
                got = got_rows.get(row, {}).get(column)
                if got != value:
                    wrong.append(f"{table}.{row}.{column}: truth {value!r}, got {got!r}")
        for row, columns in got_rows.items():
            for column, value in columns.items():
                if value is not None and column not in rows.get(row, {}):
                    wrong.append(f"{table}.{row}.{column}: not in truth, got {value!r}")
    return wrong
