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


def missing_cells(truth: dict) -> list[tuple[str, str, str, str]]:
    """The per-cell problems a report of `truth` must give for the rows its agency left
    out (variation "dropped_rows"): (table, "missing_row", row, column)."""
    from report_extract.templates import DROPPABLE_ROWS, template_cells

    dropped = set(truth.get("variation", {}).get("dropped_rows") or ())
    form = "2021" if any(r.startswith("other_") for r in truth["tables"]["applications"]) \
        else "2019"
    return [(table, "missing_row", row, column)
            for table, rows in DROPPABLE_ROWS.items()
            for row, columns in template_cells(table, truth["template"], form).items()
            if row in rows and row in dropped for column in columns]
