"""The synthetic report generator: truth obeys the rules, fixtures are current, PDFs read."""

from __future__ import annotations

import importlib.util
import json
import random
from dataclasses import asdict
from pathlib import Path
from types import ModuleType

import pytest

from report_extract import templates as T

pytest.importorskip("reportlab", reason="reportlab not installed (pip install .[synth])")

from report_extract.scan.degrade import Degradation  # noqa: E402
from report_extract.synth import (  # noqa: E402
    Variation,
    failed_rules,
    generate,
    office,
    random_truth,
    truth_for,
    write_report,
)
from report_extract.synth.fonts import missing_fonts  # noqa: E402
from report_extract.synth.generate import write_manifest  # noqa: E402
from report_extract.synth.variation import (  # noqa: E402
    DOCX_FONT_FAMILIES,
    FONT_FAMILIES,
    PAGE_NUMBERS,
    PRODUCERS,
    SCAN_STAMP_ODDS,
    VERTICAL_BLOCKS,
    WEB_PRODUCERS,
    draw_scan,
    droppable_rows,
)

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


def test_fixture_manifests_are_current(tmp_path: Path) -> None:
    """The switches of the committed fixtures and samples are written as before, to the
    byte: a new switch that is off adds nothing to them."""
    script = _load_fixture_script()
    write_manifest({n: v for n, (v, _) in script.FIXTURE_SPECS.items()}, tmp_path / "f.json")
    write_manifest({n: v for n, (v, _, _) in script.SAMPLE_SPECS.items()}, tmp_path / "s.json")
    assert (tmp_path / "f.json").read_bytes() == (REPO / "fixtures" / "manifest.json").read_bytes()
    assert (tmp_path / "s.json").read_bytes() == (REPO / "samples" / "manifest.json").read_bytes()


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


# --- the variation switches -------------------------------------------------------------


def _pdf_text_and_lines(path: Path) -> tuple[str, list[dict]]:
    pdfplumber = pytest.importorskip("pdfplumber")
    with pdfplumber.open(path) as pdf:
        text = "\n".join(p.extract_text() for p in pdf.pages)
        lines = [ln for p in pdf.pages for ln in (*p.lines, *p.rects)]
    return text, lines


def test_variation_random_exercises_every_switch() -> None:
    rng = random.Random(0)
    drawn = [Variation.random(rng) for _ in range(400)]
    seen: dict[str, set] = {}
    for v in drawn:
        for name, value in v.switches().items():
            seen.setdefault(name, set()).add(bool(value) if isinstance(value, tuple) else value)
    for name, values in seen.items():
        if name in ("seed", "split_row", "null_mark"):
            continue
        assert len(values) >= 2, f"Variation.random never varies {name}"
    # the web producers are never drawn (Variation.as_web makes a report a web one)
    assert seen["producer"] == set(PRODUCERS) - set(WEB_PRODUCERS)
    assert seen["vertical_block"] == set(VERTICAL_BLOCKS)
    assert seen["page_numbers"] == set(PAGE_NUMBERS)
    assert seen["font_family"] == set(DOCX_FONT_FAMILIES)
    for v in drawn:  # the switches are consistent with each other
        assert v.split_row not in v.dropped_rows
        assert not (v.producer == "docx" and v.split_in_merged_block)
        assert v.producer == "docx" or v.font_family in FONT_FAMILIES


def test_variation_rejects_unknown_values() -> None:
    with pytest.raises(ValueError, match="producer"):
        Variation(producer="wps")
    with pytest.raises(ValueError, match="font_family"):
        Variation(font_family="noto-sans-cjk")  # CFF: reportlab cannot embed it
    with pytest.raises(ValueError, match="three_line"):
        Variation(three_line=True)
    with pytest.raises(ValueError, match="split_in_merged_block"):
        Variation(producer="docx", split_in_merged_block=True)
    with pytest.raises(ValueError, match="extra_rows"):
        Variation(extra_rows=("nonsense",))
    with pytest.raises(ValueError, match="dropped_rows"):
        Variation(template="2021", dropped_rows=("procurement",))  # a 2019-only row


def test_truth_records_the_variation() -> None:
    v = Variation(template="2019", extra_rows=("confirmation",), dropped_rows=("fees",), seed=4)
    truth = truth_for(v, "x.pdf")
    assert set(truth) == {"source_file", "agency", "year", "template", "tables",
                          "expected_check_failures", "variation"}
    assert truth["variation"] == v.truth_dict()
    assert truth["variation"]["extra_rows"] == ["confirmation"]
    json.dumps(truth)  # JSON-clean


def test_extra_rows_leave_the_truth_unchanged() -> None:
    plain = truth_for(Variation(seed=8), "x.pdf")
    extra = truth_for(Variation(seed=8, extra_rows=tuple(T.AGENCY_EXTRA_ROWS)), "x.pdf")
    assert extra["tables"] == plain["tables"]
    assert extra["expected_check_failures"] == plain["expected_check_failures"]


@pytest.mark.parametrize("template", T.TEMPLATES)
def test_dropped_rows_are_null_and_the_rules_hold(template: str) -> None:
    for seed in range(200):
        rows = droppable_rows(template, template == "2019")
        dropped = tuple(random.Random(seed).sample(rows, 1 + seed % 3))
        inconsistent = seed % 4 == 0
        truth = random_truth(random.Random(seed), template, dropped_rows=dropped,
                             inconsistency=inconsistent)
        for table in ("active_disclosure", "applications"):
            for key in dropped:
                if key in truth["tables"][table]:
                    assert all(v is None for v in truth["tables"][table][key].values())
        assert truth["expected_check_failures"] == failed_rules(truth["tables"])
        assert bool(truth["expected_check_failures"]) == inconsistent, seed


@requires_fonts
def test_extra_and_dropped_rows_are_printed_as_switched(tmp_path: Path) -> None:
    v = Variation(template="2019", extra_rows=tuple(T.AGENCY_EXTRA_ROWS),
                  dropped_rows=("procurement", "withheld_inquiry"), seed=12)
    pdf_path, _ = write_report("r", v, tmp_path)
    text, _ = _pdf_text_and_lines(pdf_path)
    flat = text.replace("\n", "").replace(" ", "")
    for _, _, label in T.AGENCY_EXTRA_ROWS.values():
        assert label in flat
    assert "政府集中采购" not in flat and "第二十条第（九）项" not in flat
    assert "属于行政查询事项" not in flat
    assert "属于行政执法案卷" in flat


@requires_fonts
@pytest.mark.parametrize("three_line", [False, True])
def test_borderless_tables_have_no_grid(tmp_path: Path, three_line: bool) -> None:
    pdf_path, _ = write_report("r", Variation(borderless=True, three_line=three_line, seed=5),
                               tmp_path)
    text, lines = _pdf_text_and_lines(pdf_path)
    assert T.spec_for(T.APPLICATION_ROWS, "total_handled").label in text
    if not three_line:
        assert lines == []
    else:
        assert lines and all(abs(ln["top"] - ln["bottom"]) < 0.01 for ln in lines)
        assert len(lines) <= 4 * 3  # top, bottom and a header rule per table and page


@requires_fonts
@pytest.mark.parametrize("block", VERTICAL_BLOCKS)
def test_results_block_variants(tmp_path: Path, block: str) -> None:
    pdf_path, _ = write_report("r", Variation(vertical_block=block, seed=6), tmp_path)
    text, _ = _pdf_text_and_lines(pdf_path)
    lines = text.split("\n")
    if block == "row":
        assert any(ln.startswith(T.RESULTS_BLOCK_LABEL) for ln in lines)
    else:
        assert T.RESULTS_BLOCK_LABEL not in text  # printed down a merged column


@requires_fonts
def test_page_numbers_and_no_body_text(tmp_path: Path) -> None:
    pdf_path, _ = write_report("r", Variation(page_numbers="page", body_text=False, seed=7),
                               tmp_path)
    text, _ = _pdf_text_and_lines(pdf_path)
    assert "第 1 页" in text
    assert "本报告根据" not in text  # the intro paragraph is body text
    assert T.END_HEADINGS[2] in text


def test_pdf_normalisation_keeps_the_length(tmp_path: Path) -> None:
    raw = (b"%PDF-1.6\n<</CreationDate(D:20261127221453Z')>>\ntrailer\n<</ID [ <0A1B> <0A1B> ]"
           b"\n/DocChecksum /6AA6EB>>\n")
    path = tmp_path / "x.pdf"
    path.write_bytes(raw)
    office.normalise_pdf(path, "20240115090000")
    done = path.read_bytes()
    assert len(done) == len(raw)
    assert b"D:20240115090000Z'" in done and b"<0000> <0000>" in done
    assert b"/DocChecksum /000000" in done


def test_docx_reports_are_skipped_without_libreoffice(tmp_path: Path, monkeypatch,
                                                      capsys) -> None:
    monkeypatch.setattr(office, "soffice", lambda: None)
    with pytest.raises(office.OfficeMissingError, match=office.APT_PACKAGE):
        write_report("d", Variation(producer="docx"), tmp_path)
    made = generate(3, tmp_path, 12, producers=("docx",))
    assert made == []
    assert office.APT_PACKAGE in capsys.readouterr().err


requires_office = pytest.mark.skipif(office.missing_message() is not None,
                                     reason=str(office.missing_message()))


@requires_office
@requires_fonts
def test_docx_producer(tmp_path: Path) -> None:
    """One LibreOffice start for three reports; the PDFs read and are reproducible."""
    from report_extract.synth.generate import Job, write_reports

    variations = {
        "a": Variation(template="2019", producer="docx", font_family="ar-pl-uming", seed=1),
        "b": Variation(producer="docx", borderless=True, three_line=True,
                       repeat_header_after_break=True, vertical_block="wrapped", seed=2),
        "c": Variation(producer="docx", seed=1, extra_rows=("online_applications",)),
    }
    made = write_reports([Job(k, v) for k, v in variations.items()], tmp_path / "1")
    assert [p.stem for p, _ in made] == list(variations)
    text, lines = _pdf_text_and_lines(made[0][0])
    truth = json.loads(made[0][1].read_text("utf-8"))
    assert truth["variation"]["producer"] == "docx"
    flat = text.replace("\n", "").replace(" ", "")  # Word spaces digits from CJK
    assert f"{truth['year']}年{T.REPORT_TITLE_SUFFIX}" in flat
    assert "政府集中采购" in flat and lines
    assert "其中：网上申请" in _pdf_text_and_lines(made[2][0])[0]
    again, _ = write_report("a", variations["a"], tmp_path / "2")
    assert again.read_bytes() == made[0][0].read_bytes()


@requires_office
@requires_fonts
def test_a_table_libreoffice_would_drop_is_printed_whole(tmp_path: Path) -> None:
    """synth-49-0007: landscape, table 二 starts at the foot of page 1. With rows that may
    not break across pages LibreOffice printed its first row only, and the truth claimed
    eight values the PDF did not hold; set again with rows free to break, it prints all."""
    from report_extract.pipeline import extract

    rng = random.Random(49)
    variation = [Variation.random(rng) for _ in range(8)][7]
    assert (variation.producer, variation.landscape) == ("docx", True)
    pdf, truth_path = write_report("r", variation, tmp_path)
    truth = json.loads(truth_path.read_text("utf-8"))
    got = extract(pdf).to_dict()["tables"]["active_disclosure"]
    assert got == truth["tables"]["active_disclosure"]


# --- the scan switch (issue 5) ------------------------------------------------------------------

SCAN = Degradation(dpi=150, angle=1.4, blur=0.5, noise=5.0, jpeg_quality=70, stamp=True, seed=4)


def _page_pixels(path: Path) -> list[bytes]:
    pdfium = pytest.importorskip("pypdfium2")
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [pdf[i].render(scale=0.5).to_pil().tobytes() for i in range(len(pdf))]
    finally:
        pdf.close()


def test_scan_is_never_drawn_at_random() -> None:
    rng = random.Random(0)
    assert all(Variation.random(rng).scan is None for _ in range(400))
    assert "scan" not in Variation().switches()  # off: absent from truths and manifests
    assert Variation(scan=SCAN).switches()["scan"] == asdict(SCAN)


def test_scan_draws_cover_the_issue_ranges() -> None:
    drawn = [draw_scan(seed) for seed in range(400)]
    assert all(d is not None for d in drawn)
    assert {d.dpi for d in drawn} == {150, 200, 240, 300}
    assert {d.jpeg_quality for d in drawn} == {50, 60, 70, 80, 90}
    angles = [d.angle for d in drawn]
    assert -2.0 <= min(angles) < -1.8 and 1.8 < max(angles) <= 2.0  # tilted both ways
    assert all(0 <= d.blur <= 1 and 0 <= d.noise <= 10 for d in drawn)
    stamped = sum(d.stamp for d in drawn) / len(drawn)
    assert abs(stamped - SCAN_STAMP_ODDS) < 0.06
    assert len({d.seed for d in drawn}) == len(drawn)
    # issue 17: every sheet on its own, as real scanners feed them
    assert all(0.5 <= d.page_tilt <= 1.5 and 2 <= d.page_shift <= 8 for d in drawn)
    assert {d.expand for d in drawn} == {True, False}
    assert not any(d.seal_on_rules and not d.stamp for d in drawn)
    assert 0.3 < sum(d.seal_on_rules for d in drawn) / len(drawn) < 0.5


def test_a_scan_share_picks_nested_reports_with_the_same_draws() -> None:
    third = {seed: draw_scan(seed, 0.3) for seed in range(400)}
    scanned = {seed for seed, d in third.items() if d is not None}
    assert 90 < len(scanned) < 150
    assert scanned <= {seed for seed in range(400) if draw_scan(seed, 0.6) is not None}
    assert all(third[seed] == draw_scan(seed) for seed in scanned)
    assert all(draw_scan(seed, 0.0) is None for seed in range(50))


def test_variation_rejects_a_bad_scan() -> None:
    with pytest.raises(ValueError, match="Degradation"):
        Variation(scan={"dpi": 200})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="jpeg_quality"):
        Variation(scan=Degradation(jpeg_quality=0))


@requires_fonts
def test_scan_switch_writes_an_image_only_report(tmp_path: Path) -> None:
    pdfplumber = pytest.importorskip("pdfplumber")
    variation = Variation(template="2019", body_text=False, seed=31, scan=SCAN)
    pdf_path, truth_path = write_report("s", variation, tmp_path / "1")
    text_path, text_truth = write_report("s", variation.with_(scan=None), tmp_path / "text")
    with pdfplumber.open(pdf_path) as scan, pdfplumber.open(text_path) as text:
        assert len(scan.pages) == len(text.pages) >= 2
        assert all(p.chars == [] and len(p.images) == 1 for p in scan.pages)
        assert all(abs(a.width - b.width) < 1 and abs(a.height - b.height) < 1
                   for a, b in zip(scan.pages, text.pages, strict=True))  # whole pixels
    truth = json.loads(truth_path.read_text("utf-8"))
    assert truth["variation"]["scan"] == asdict(SCAN)
    assert "+scan:150dpi+stamp" in variation.name
    plain = json.loads(text_truth.read_text("utf-8"))
    assert {k: v for k, v in truth.items() if k != "variation"} == {
        k: v for k, v in plain.items() if k != "variation"}
    again, _ = write_report("s", variation, tmp_path / "2")
    assert again.read_bytes() == pdf_path.read_bytes()  # creation date fixed, not "now"
    assert _page_pixels(again) != _page_pixels(text_path)


@requires_fonts
def test_generate_scans_a_share_and_leaves_the_rest(tmp_path: Path) -> None:
    # seed 29: two reportlab reports of three, one of them scanned (at 150 dpi: quick)
    text = generate(29, tmp_path / "text", 3, producers=("reportlab",))
    mixed = generate(29, tmp_path / "mixed", 3, producers=("reportlab",), scan=0.5)
    kinds = []
    for (text_pdf, _), (pdf, truth_path) in zip(text, mixed, strict=True):
        switches = json.loads(truth_path.read_text("utf-8"))["variation"]
        if "scan" in switches:
            assert switches["scan"] == asdict(draw_scan(switches["seed"]))
            assert _page_pixels(pdf) != _page_pixels(text_pdf)
        else:
            assert pdf.read_bytes() == text_pdf.read_bytes()
        kinds.append("scan" in switches)
    assert kinds == [True, False]
    manifest = json.loads((tmp_path / "mixed" / "manifest-29.json").read_text("utf-8"))
    assert ["scan" in m for m in manifest.values()] == kinds
    with pytest.raises(ValueError, match="share"):
        generate(29, tmp_path / "bad", 1, scan=1.5)


@requires_fonts
def test_a_scanned_report_is_read_exactly_or_flagged(tmp_path: Path) -> None:
    """One OCR run (~10 s): what the scan switch makes, the OCR path reads, and every
    cell it gets wrong it says so (issue 5's count, report_extract.scoring)."""
    pytest.importorskip("rapidocr_onnxruntime",
                        reason="OCR engine not installed: pip install -e '.[ocr]' in the checkout")
    from report_extract.pipeline import extract
    from report_extract.scoring import score_report

    scan = Degradation(dpi=200, angle=-1.2, blur=0.6, noise=6.0, jpeg_quality=70, stamp=True,
                       seed=41)
    pdf_path, truth_path = write_report("s", Variation(seed=41, body_text=False, scan=scan),
                                        tmp_path)
    truth = json.loads(truth_path.read_text("utf-8"))
    report = extract(pdf_path)
    score = score_report(report, truth)
    assert score.unflagged == []
    assert score.exact_share >= 0.95  # not just everything refused
    assert (report.agency, report.year, report.template) == (
        truth["agency"], truth["year"], truth["template"])


@requires_fonts
@pytest.mark.parametrize("borderless", [False, True])
def test_a_continuation_page_with_a_6pt_wider_left_margin_joins_exactly(
        tmp_path: Path, borderless: bool) -> None:
    """Issue 17: table 三 broken across pages 2 and 3, page 3 printed 6 pt further left
    than page 2 (even pages 6 pt right): joined by page x, the columns interleaved."""
    import pdfplumber

    from report_extract.pipeline import extract

    variation = Variation(seed=5, split_in_merged_block=True, body_text=False,
                          even_page_shift=6.0, borderless=borderless)
    pdf, truth_path = write_report("shifted", variation, tmp_path)
    with pdfplumber.open(pdf) as opened:
        lefts = [min(c["x0"] for c in page.chars) for page in opened.pages]
    assert [round(b - a, 1) for a, b in zip(lefts, lefts[1:], strict=False)] == [6.0, -6.0]
    from report_extract.scoring import score_report

    report = extract(pdf)
    score = score_report(report, json.loads(truth_path.read_text("utf-8")))
    assert (score.exact, score.wrong) == (score.total, [])
    assert not [p for p in report.problems if p.kind == "uncertain_join"]
    assert "even_page_shift" not in Variation().switches()  # off: truths stay as they were
    with pytest.raises(ValueError, match="even_page_shift"):
        Variation(producer="docx", even_page_shift=6.0)
