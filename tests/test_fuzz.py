"""A short run of benchmarks/fuzz.py: mutants of the fixtures under limits, 2 workers.

The long run (10,000 cases) is by hand: see docs/hostile-input.md."""

from __future__ import annotations

import importlib.util
import json
import random
import sys

import pytest
from conftest import FIXTURES, REPO

pytest.importorskip("pikepdf")

_spec = importlib.util.spec_from_file_location("fuzz_benchmark", REPO / "benchmarks" / "fuzz.py")
fuzz = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = fuzz  # dataclasses look their module up while being built
_spec.loader.exec_module(fuzz)

from report_extract.synth.hostile import MUTATORS, mutate  # noqa: E402


def test_mutants_are_reproducible():
    data = (FIXTURES / "t2021-full.pdf").read_bytes()
    for seed in range(12):
        first = mutate(data, random.Random(seed))
        assert first == mutate(data, random.Random(seed))
        assert first[1] != data


def test_every_mutator_changes_the_file():
    data = (FIXTURES / "t2021-full.pdf").read_bytes()
    for name, mutator in MUTATORS.items():
        if name != "flate_bomb":  # its own test: test_hostile_input (bombs take seconds)
            assert mutator(data, random.Random(1)) != data, name


def test_short_fuzz_run_has_no_crash_hang_or_memory_blowup(tmp_path):
    cases = 40
    status = fuzz.main(["--cases", str(cases), "--seed", "2026", "--workers", "2",
                        "--timeout", "30", "--ocr", "text", "--out", str(tmp_path),
                        "--mutators", *[m for m in MUTATORS if m != "flate_bomb"]])
    results = [json.loads(line) for line in
               (tmp_path / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(results) == cases
    bad = [(r["case"], r["mutator"], r["class"], r["message"]) for r in results
           if r["class"] in fuzz.BAD]
    assert bad == []
    assert status == 0
    assert {r["class"] for r in results} <= {"ok", "error", "timeout"}
    assert all(r["peak_mb"] < 1536 for r in results)
