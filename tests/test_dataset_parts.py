"""The parts of the dataset layer: agency identity, alias files, extra rows, OCR
provenance, the Python API."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import fields

import pytest
from batch_support import FIXTURES, REPO, hand_report
from conftest import SHARED_REAL, load_truth, requires_shared_real

import report_extract
from report_extract.batch import convert
from report_extract.dataset.checks import (
    StoredReport,
    conflict_groups,
    conflicts,
    group_conflicts,
)
from report_extract.dataset.identity import (
    AliasError,
    agency_key,
    identify,
    read_aliases,
    region_prefix,
)
from report_extract.models import BBox, CanonicalCell, Char, Document, Page
from report_extract.provenance import record_provenance
from report_extract.synth.generate import Job, write_reports
from report_extract.synth.series import next_year
from report_extract.synth.tables import extra_row_values
from report_extract.synth.variation import Variation
from report_extract.templates import AGENCY_EXTRA_ROWS
from report_extract.write.tables import report_rows

# --- agency identity -------------------------------------------------------------------


@pytest.mark.parametrize(("printed", "key"), [
    ("淮安市 洪泽区人民政府", "淮安市洪泽区人民政府"),  # spacing
    ("淮安市\u3000洪泽区\n人民政府", "淮安市洪泽区人民政府"),  # ideographic space, a break
    ("“淮安市洪泽区人民政府”", "淮安市洪泽区人民政府"),  # quotes
    ("金湖县人民政府办公室（县政府研究室）", "金湖县人民政府办公室县政府研究室"),
    ("金湖县人民政府办公室(县政府研究室)", "金湖县人民政府办公室县政府研究室"),  # width
    ("ＸＸ市第１中学", "XX市第1中学"),  # full-width letters and digits
    ("\u2f08民政府", "人民政府"),  # a Kangxi radical for 人
    ("", None),
    (None, None),
])
def test_agency_key_normalizes_width_spacing_radicals_punctuation(printed, key):
    assert agency_key(printed) == key


def test_different_words_stay_different_bodies():
    assert agency_key("金湖县人民政府办公室") != agency_key("金湖县人民政府办公厅")
    found = identify(["金湖县人民政府办公室", "金湖县人民政府办公厅", "财政局", "昆明市财政局"])
    assert {i.agency_key for i in found.values()} == {
        "金湖县人民政府办公室", "金湖县人民政府办公厅", "财政局", "昆明市财政局"}
    assert not any(i.linked_by for i in found.values())  # 财政局 names no region: not linked


def test_region_prefix_links_a_chain_and_says_so():
    assert region_prefix("淮安市洪泽区人民政府", "洪泽区人民政府") == "淮安市"
    assert region_prefix("江苏省淮安市洪泽区人民政府", "洪泽区人民政府") == "江苏省淮安市"
    assert region_prefix("淮安市洪泽区人民政府", "淮安市洪泽区人民政府") is None
    assert region_prefix("淮安市洪泽区财政局", "洪泽区人民政府") is None
    found = identify(["洪泽区人民政府", "淮安市洪泽区人民政府", "江苏省淮安市洪泽区人民政府"])
    assert {i.agency_key for i in found.values()} == {"江苏省淮安市洪泽区人民政府"}
    assert found["洪泽区人民政府"].note == (
        "洪泽区人民政府 is 淮安市洪泽区人民政府 without its region prefix 淮安市; "
        "淮安市洪泽区人民政府 is 江苏省淮安市洪泽区人民政府 without its region prefix 江苏省")


def test_an_ambiguous_short_name_is_not_linked():
    found = identify(["西湖区人民政府", "杭州市西湖区人民政府", "南昌市西湖区人民政府"])
    short = found["西湖区人民政府"]
    assert (short.agency_key, short.linked_by) == ("西湖区人民政府", "")
    assert short.note == ("西湖区人民政府 may be any of 南昌市西湖区人民政府, 杭州市西湖区人民政府 "
                          "(region prefixes differ): not linked")


def test_alias_file_links_and_is_checked(tmp_path):
    good = tmp_path / "aliases.csv"
    good.write_text("\ufeff# renamed in 2022\nagency,same_as\n"
                    "金湖县人民政府办公厅,金湖县人民政府办公室\n", encoding="utf-8")
    aliases = read_aliases(good)
    assert aliases == {"金湖县人民政府办公厅": "金湖县人民政府办公室"}
    found = identify(["金湖县人民政府办公厅", "金湖县人民政府办公室"], aliases)
    assert found["金湖县人民政府办公厅"].agency_key == "金湖县人民政府办公室"
    assert found["金湖县人民政府办公厅"].linked_by == "alias_file"
    columns = tmp_path / "columns.csv"
    columns.write_text("name,alias\na,b\n", encoding="utf-8")
    with pytest.raises(AliasError, match=f"^{columns}: the alias file needs the columns "
                                         "agency,same_as$"):
        read_aliases(columns)
    twice = tmp_path / "twice.csv"
    twice.write_text("agency,same_as\n甲局,乙局\n甲局,丙局\n", encoding="utf-8")
    with pytest.raises(AliasError, match=f"^{twice}: line 3: 甲局 is given as the same as "
                                         "two different agencies$"):
        read_aliases(twice)


# --- extra rows ------------------------------------------------------------------------


def test_extra_rows_keep_their_values_under_their_printed_labels():
    truth = json.loads((FIXTURES / "extra-rows.truth.json").read_text(encoding="utf-8"))
    switches = {f.name for f in fields(Variation)}
    variation = Variation(**{k: tuple(v) if isinstance(v, list) else v
                             for k, v in truth["variation"].items() if k in switches})
    report = report_extract.extract(FIXTURES / "extra-rows.pdf")
    found: dict[str, dict[str, int | float | None]] = {}
    for extra in report.extra_rows:
        found.setdefault(extra.label, {})[extra.column] = extra.value
        assert extra.raw_text == str(extra.value) and extra.page and extra.bbox
    expected = {AGENCY_EXTRA_ROWS[key][2]: extra_row_values(variation, key, truth["tables"])
                for key in variation.extra_rows}
    assert found == expected
    rows = report_rows(report, "r")["extra_rows"]
    assert rows[0][6:11] == ["active_disclosure", "行政确认", "decisions",
                             expected["行政确认"]["decisions"], None]


# --- OCR provenance --------------------------------------------------------------------


def _char(text: str, x: float, confidence: float) -> Char:
    return Char(text, BBox(x, 10, x + 5, 20), 10, confidence)


def test_ocr_pages_engine_and_cell_confidence_are_recorded():
    report = hand_report()
    pages = [Page(number, 600, 800, [], []) for number in range(1, 6)]
    pages[2] = Page(3, 600, 800, [_char("2", 10, 0.97), _char("1", 16, 0.81),
                                  _char("9", 200, 0.10)], [], source="ocr")
    report.ocr_engine = "rapidocr"
    cell = CanonicalCell("applications", "new", "natural_person", 21, "21", 3,
                         BBox(8, 8, 30, 22))
    report.tables["applications"].cells = [cell]
    record_provenance(report, Document("report.pdf", "report.pdf", pages))
    assert cell.confidence == 0.81  # its least sure glyph; the far "9" is not in it
    rows = report_rows(report, "r")
    assert rows["reports"][0][7:10] == ["ocr+text", "3", "rapidocr"]
    (cell_row,) = [r for r in rows["cells"] if r[6] == "applications"]
    assert cell_row[-2:] == [0.81, "ocr"]
    text_cells = [r for r in rows["cells"] if r[6] == "active_disclosure"]
    assert {(r[-2], r[-1]) for r in text_cells} == {(None, "text")}


# --- Python API ------------------------------------------------------------------------


def test_a_missing_file_is_a_file_not_found_error_and_a_report_error(tmp_path):
    with pytest.raises(FileNotFoundError) as caught:
        report_extract.extract(tmp_path / "nope.pdf")
    assert isinstance(caught.value, report_extract.ReportError)
    assert str(caught.value) == "nope.pdf: file not found"


def test_report_to_frames_is_typed():
    frames = hand_report().to_frames("r1")
    cells = frames["cells"]
    assert str(cells["value"].dtype) == "Int64" and str(cells["page"].dtype) == "Int32"
    assert cells["uncertain"].tolist()[0] is True
    assert cells["value"].tolist()[:2] == [1, 3] and cells["report_id"].eq("r1").all()
    assert str(frames["reports"]["year"].dtype) == "Int32"


def test_load_of_a_folder_without_tables(tmp_path):
    with pytest.raises(FileNotFoundError, match="no output tables here"):
        report_extract.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="no such output folder"):
        report_extract.load(tmp_path / "nope")


def test_python_dash_m_runs_the_command_line():
    result = subprocess.run([sys.executable, "-m", "report_extract", "--version"],
                            capture_output=True, text=True, cwd=REPO, check=False,
                            env={"PYTHONPATH": str(REPO / "src")})
    assert (result.returncode, result.stdout) == (0, "report-extract, version 0.1.0\n")


def test_log_level_options():
    from click.testing import CliRunner

    from report_extract.cli import main

    assert CliRunner().invoke(main, ["--log-level", "debug", "schema"]).exit_code == 0
    assert CliRunner().invoke(main, ["--verbose", "schema"]).exit_code == 0
    wrong = CliRunner().invoke(main, ["--log-level", "loud", "schema"])
    assert wrong.exit_code == 2 and "'loud' is not one of" in wrong.stderr


def test_convert_refuses_an_unusable_alias_file_before_any_work(tmp_path):
    from click.testing import CliRunner

    from report_extract.cli import main

    aliases = tmp_path / "aliases.csv"
    aliases.write_text("agency\n甲局\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["convert", str(FIXTURES / "t2021-full.pdf"), "-o",
                                       str(tmp_path / "out"), "--agencies", str(aliases)])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {aliases}: the alias file needs the columns "
                             "agency,same_as\n")
    assert not (tmp_path / "out").exists()


@requires_shared_real()
def test_the_real_district_and_its_next_year_under_its_full_name(tmp_path):
    """The real 2023 report titles itself 洪泽区人民政府; a generated 2024 report continuing
    its numbers titles itself 淮安市洪泽区人民政府: one agency, checked across the years."""
    real = SHARED_REAL / "hongze-district-2023.pdf"
    truth = next_year(load_truth(real), 3, agency="淮安市洪泽区人民政府",
                      source_file="hongze-2024.pdf")
    (pdf, _), = write_reports([Job("hongze-2024", Variation(seed=3), truth)], tmp_path / "in")
    summary = convert([real, pdf], tmp_path / "out", workers=2, progress=False)
    assert (summary.converted, summary.continuity_failed, summary.conflicts) == (2, 0, 0)
    tables = report_extract.load(tmp_path / "out")
    assert set(tables["reports"]["agency_key"]) == {"淮安市洪泽区人民政府"}
    checks = tables["checks"]
    across = checks[checks["other_report_id"].notna()]
    assert sorted(across["rule"].value_counts().items()) == [("continuity.carried", 7),
                                                             ("continuity.in_force", 2)]
    assert across["passed"].all() and set(across["year"]) == {2024}


def test_writing_a_big_dataset_shows_progress_in_reports():
    import io

    from report_extract.batch.progress import Progress

    stream = io.StringIO()
    progress = Progress(2, "lines", stream=stream, interval=0, desc="writing tables",
                        unit="report")
    progress.update(True)
    progress.close()
    assert stream.getvalue().startswith("1/2 reports (1 done, 0 failed), ")
    assert "reports/s" in stream.getvalue()


def _stored(report_id: str, source_file: str, cells: list[tuple], year: int = 2023
            ) -> StoredReport:
    """A stored report of 甲局 (2023) with cells (table, row, column, value, uncertain)."""
    meta = [report_id, source_file, "甲局", "甲局", year, "2021"]
    rows = [[*meta, table, row, column, value, None, str(value), 1, None, None, None, None,
             bool(doubt), doubt or None, None, "text"]
            for table, row, column, value, doubt in cells]
    return StoredReport(report_id, meta, rows)


def test_conflicts_name_each_differing_cell_and_same_values_say_so():
    base = [("review_litigation", "review", "upheld", 1, None),
            ("applications", "new", "total", 5, None)]
    same = conflicts([_stored("a", "a.pdf", base), _stored("b", "b.pdf", base)])
    assert same == [["甲局", 2023, "a", "b", None, None, None, None, None,
                     "a.pdf and b.pdf print the same values"]]
    unread = [("review_litigation", "review", "upheld", None, "digits overlap a ruling"),
              ("applications", "new", "total", 5, None),
              ("applications", "carried_over", "total", 0, None)]
    found = conflicts([_stored("b", "b.pdf", unread), _stored("a", "a.pdf", base)])
    assert [r[4:] for r in found] == [
        ["applications", "carried_over", "total", None, 0.0,
         "applications.carried_over.total: a.pdf prints nothing, b.pdf prints 0"],
        ["review_litigation", "review", "upheld", 1.0, None,
         "review_litigation.review.upheld: a.pdf prints 1, b.pdf prints a value that could "
         "not be read"]]


def test_conflicts_read_one_report_at_a_time_give_the_same_rows():
    """batch.assemble groups the reports by agency-year from their metadata and loads
    each group's reports one at a time from the stored parts (conflict_groups,
    group_conflicts): the same rows as conflicts over all the reports at once."""
    base = [("applications", "new", "total", 5, None)]
    other = [("applications", "new", "total", 6, None)]
    reports = [_stored("c", "c.pdf", other), _stored("a", "a.pdf", base),
               _stored("b", "b.pdf", base), _stored("d", "d.pdf", base, year=2022)]
    by_id = {r.report_id: r for r in reports}
    loads: list[str] = []

    def loaded(ids):
        for report_id in ids:
            loads.append(report_id)
            yield by_id[report_id]

    groups = conflict_groups(reports)
    assert groups == [(("甲局", 2023), ["a", "b", "c"])]  # 2022 has one report: no conflict
    streamed = [row for (agency, year), ids in groups
                for row in group_conflicts(agency, year, loaded(ids))]
    assert streamed == conflicts(reports)
    assert loads == ["a", "b", "c"]
    assert [r[2:9] for r in streamed] == [
        ["a", "b", None, None, None, None, None],
        ["a", "c", "applications", "new", "total", 5.0, 6.0]]


@pytest.mark.parametrize("variation", [
    Variation(template="2021", borderless=True, three_line=True, spaced_headers=True,
              wrapped_labels=True, extra_rows=tuple(AGENCY_EXTRA_ROWS), seed=7),
    Variation(template="2019", extra_rows=("online_applications", "other_notes"), seed=6),
], ids=["borderless-2021", "ruled-2019"])
def test_extra_rows_of_generated_reports(variation, tmp_path):
    ((pdf, truth_path),) = write_reports([Job("extra", variation)], tmp_path)
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    found: dict[str, dict[str, int | float | None]] = {}
    for extra in report_extract.extract(pdf).extra_rows:
        found.setdefault(extra.label, {})[extra.column] = extra.value
    assert found == {AGENCY_EXTRA_ROWS[key][2]: extra_row_values(variation, key,
                                                                 truth["tables"])
                     for key in variation.extra_rows}
