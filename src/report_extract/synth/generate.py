"""Reproducible batches of synthetic reports: PDF + truth JSON + a manifest of switches."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from .pdf import render_pdf
from .truth import random_truth
from .variation import Variation


def truth_for(variation: Variation, source_file: str, **overrides: Any) -> dict[str, Any]:
    """The truth a variation implies (template, inconsistency, nulls, ...), from its seed."""
    rng = random.Random(f"truth:{variation.seed}")
    return random_truth(
        rng, variation.template,
        inconsistency=variation.inconsistency,
        mixed_other_row=variation.mixed_other_row,
        null_zeros=variation.null_marks,
        large=variation.large_numbers,
        source_file=source_file,
        **overrides,
    )


def write_truth(truth: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_report(name: str, variation: Variation, out_dir: Path,
                 truth: dict[str, Any] | None = None) -> tuple[Path, Path]:
    """Render `<name>.pdf` and `<name>.truth.json` into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf_path = out_dir / f"{name}.pdf"
    truth_path = out_dir / f"{name}.truth.json"
    truth = truth or truth_for(variation, pdf_path.name)
    render_pdf(truth, pdf_path, variation)
    write_truth(truth, truth_path)
    return pdf_path, truth_path


def write_manifest(entries: dict[str, Variation], path: Path) -> None:
    data = {name: {"name": v.name, **v.switches()} for name, v in entries.items()}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def generate(seed: int, out_dir: str | Path, n: int) -> list[tuple[Path, Path]]:
    """n random reports from `seed`; the same seed gives the same files."""
    out = Path(out_dir)
    rng = random.Random(seed)
    made: list[tuple[Path, Path]] = []
    manifest: dict[str, Variation] = {}
    for i in range(n):
        variation = Variation.random(rng)
        name = f"synth-{seed}-{i:04d}"
        made.append(write_report(name, variation, out))
        manifest[name] = variation
    write_manifest(manifest, out / f"manifest-{seed}.json")
    return made
