"""The synthetic report generator: truth obeys the rules, fixtures are current, PDFs read."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path
from types import ModuleType

import pytest

from report_extract import templates as T

pytest.importorskip("reportlab", reason="reportlab not installed (pip install .[synth])")

from report_extract.synth import Variation, failed_rules, random_truth, write_report  # noqa: E402
from report_extract.synth.fonts import missing_fonts  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

requires_fonts = pytest.mark.skipif(
    bool(missing_fonts()),
    reason=f"CJK fonts missing: apt-get install -y {' '.join(missing_fonts())}",
)


def _load_fixture_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fixtures_generate",
                                                  REPO / "fixtures" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("template", T.TEMPLATES)
def test_truth_obeys_rules(template: str) -> None:
    for seed in range(300):
        rng = random.Random(seed)
        mixed = template == "2021" and seed % 3 == 0
        truth = random_truth(rng, template, mixed_other_row=mixed, large=seed % 7 == 0)
        assert truth["expected_check_failures"] == [], seed
        assert failed_rules(truth["tables"]) == []


@pytest.mark.parametrize("template", T.TEMPLATES)
def test_inconsistency_is_listed(template: str) -> None:
    for seed in range(300):
        truth = random_truth(random.Random(seed), template, inconsistency=True)
        failures = truth["expected_check_failures"]
        assert failures, seed
        assert failures == failed_rules(truth["tables"])
        assert all(f.split(":")[0] in (T.RULE_BALANCE, T.RULE_RESULTS_SUM, T.RULE_ROW_TOTAL,
                                       T.RULE_REVIEW_TOTAL) for f in failures)


def test_truth_shape() -> None:
    for template in T.TEMPLATES:
        for mixed in ((False, True) if template == "2021" else (False,)):
            truth = random_truth(random.Random(1), template, mixed_other_row=mixed)
            assert set(truth) == {"source_file", "agency", "year", "template", "tables",
                                  "expected_check_failures"}
            cells = T.expected_cells(template)
            assert set(truth["tables"]["active_disclosure"]) == set(cells["active_disclosure"])
            apps = truth["tables"]["applications"]
            assert list(apps) == [r.key for r in T.APPLICATION_ROWS]  # all rows, both templates
            single = template == "2019" or mixed
            assert (apps["other"]["total"] is None) != single
            assert all((apps[k]["total"] is None) == single for k in T.OTHER_SPLIT_ROWS)
            assert truth["year"] in ((2019, 2020) if template == "2019" else range(2021, 2026))


def test_variation_random_is_reproducible() -> None:
    a = [Variation.random(random.Random(5)) for _ in range(3)]
    b = [Variation.random(random.Random(5)) for _ in range(3)]
    assert a == b
    assert a[0].name.startswith(f"t{a[0].template}+")


def test_fixture_truths_are_current() -> None:
    """The committed truth files equal what fixtures/generate.py makes now."""
    script = _load_fixture_script()
    for name in script.FIXTURE_SPECS:
        committed = json.loads((REPO / "fixtures" / f"{name}.truth.json").read_text("utf-8"))
        assert committed == script.fixture_truth(name), f"fixtures/{name}: rerun generate.py"
        assert (REPO / "fixtures" / f"{name}.pdf").stat().st_size < 150_000
    for name in script.SAMPLE_SPECS:
        committed = json.loads((REPO / "samples" / f"{name}.truth.json").read_text("utf-8"))
        assert committed == script.sample_truth(name), f"samples/{name}: rerun generate.py"
    failing = json.loads((REPO / "fixtures" / "published-inconsistency.truth.json").read_text())
    assert failing["expected_check_failures"]


@requires_fonts
def test_rendered_pdf_text(tmp_path: Path) -> None:
    pdfplumber = pytest.importorskip("pdfplumber")
    variation = Variation(template="2019", split_in_merged_block=True, seed=3)
    pdf_path, truth_path = write_report("r", variation, tmp_path)
    truth = json.loads(truth_path.read_text("utf-8"))
    with pdfplumber.open(pdf_path) as pdf:
        text = "".join(p.extract_text() for p in pdf.pages)
        tables = [t for p in pdf.pages for t in p.find_tables()]
    flat = text.replace("\n", "")
    assert f"{truth['agency']}{truth['year']}年{T.REPORT_TITLE_SUFFIX}" in flat
    for name in ("active_disclosure", "applications"):
        assert T.SECTION_HEADINGS[name][0] in text
    assert any(h in text for h in T.SECTION_HEADINGS["review_litigation"])
    assert T.spec_for(T.APPLICATION_ROWS, "total_handled").label in text
    assert len(tables) >= 4  # 二, 三 in two parts, 四


@requires_fonts
def test_rendering_is_deterministic(tmp_path: Path) -> None:
    variation = Variation(template="2021", spaced_headers=True, seed=9)
    a, _ = write_report("a", variation, tmp_path / "1")
    b, _ = write_report("a", variation, tmp_path / "2")
    assert a.read_bytes() == b.read_bytes()
