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
from report_extract.batch.assemble import LINES_SHOWN, DatasetSummary
from report_extract.dataset.checks import (
    StoredReport,
    conflict_groups,
    conflicts,
    continuity_checks,
    group_conflicts,
    group_versions,
    values_digest,
    version_rows,
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
from report_extract.write.tables import CELLS, report_rows

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
             None, bool(doubt), doubt or None, None, "text"]
            for table, row, column, value, doubt in cells]
    return StoredReport(report_id, meta, rows)


def test_conflicts_name_each_differing_cell_and_copies_are_no_conflict():
    base = [("review_litigation", "review", "upheld", 1, None),
            ("applications", "new", "total", 5, None)]
    # The same values are one version (listed in versions), not a conflict.
    assert conflicts([_stored("a", "a.pdf", base), _stored("b", "b.pdf", base)]) == []
    unread = [("review_litigation", "review", "upheld", None, "digits overlap a ruling"),
              ("applications", "new", "total", 5, None),
              ("applications", "carried_over", "total", 0, None)]
    found = conflicts([_stored("b", "b.pdf", unread), _stored("a", "a.pdf", base)])
    assert [r[2:] for r in found] == [
        ["a", "b", "applications", "carried_over", "total", None, 0.0,
         "applications.carried_over.total: a.pdf prints nothing, b.pdf prints 0"],
        ["a", "b", "review_litigation", "review", "upheld", 1.0, None,
         "review_litigation.review.upheld: a.pdf prints 1, b.pdf prints a value that could "
         "not be read"]]


def test_conflicts_read_one_report_at_a_time_give_the_same_rows():
    """batch.assemble groups the reports into versions from their digests and loads each
    conflicting agency-year's version firsts one at a time from the stored parts
    (conflict_groups, group_conflicts): the same rows as conflicts over all the reports
    at once."""
    base = [("applications", "new", "total", 5, None)]
    other = [("applications", "new", "total", 6, None)]
    reports = [_stored("c", "c.pdf", other), _stored("a", "a.pdf", base),
               _stored("b", "b.pdf", base), _stored("d", "d.pdf", base, year=2022)]
    by_id = {r.report_id: r for r in reports}
    expected = conflicts(reports)
    meta_only = [StoredReport(r.report_id, r.meta, digest=r.digest) for r in reports]
    loads: list[str] = []

    def loaded(firsts):
        for first in firsts:
            loads.append(first.report_id)
            yield by_id[first.report_id]

    groups = conflict_groups(group_versions(meta_only))
    # 2023: versions a (a, b) and c; 2022 has one report: no conflict
    assert [(key, [f.report_id for f in firsts]) for key, firsts in groups] == [
        (("甲局", 2023), ["a", "c"])]
    streamed = [row for (agency, year), firsts in groups
                for row in group_conflicts(agency, year, loaded(firsts))]
    assert streamed == expected
    assert loads == ["a", "c"]  # b, a copy of a's values, is not read
    assert [r[2:9] for r in streamed] == [["a", "c", "applications", "new", "total", 5.0, 6.0]]


def test_a_version_is_its_values_not_its_printing():
    """What a conflict compares makes the version: the raw text, the page, the reason a
    value is unread do not; 1 and 1.0 are one value."""
    cells = [("applications", "new", "total", 5, None),
             ("review_litigation", "review", "upheld", None, "digits overlap a ruling")]
    one = _stored("a", "a.pdf", cells)
    other = _stored("b", "b.pdf", [("applications", "new", "total", 5.0, None),
                                   ("review_litigation", "review", "upheld", None, "blurred")])
    other.cells[0][CELLS.columns.index("raw_text")] = "5 "
    other.cells[0][CELLS.columns.index("page")] = 3
    assert values_digest(one.cells) == values_digest(other.cells)
    changed = _stored("c", "c.pdf", [("applications", "new", "total", 6, None), cells[1]])
    assert values_digest(changed.cells) != values_digest(one.cells)


def _carried(carried_forward: int | None = None, carried_over: int | None = None
             ) -> list[tuple]:
    cells = [("applications", "new", "natural_person", 7, None)]
    if carried_forward is not None:
        cells.append(("applications", "carried_forward", "natural_person", carried_forward,
                      None))
    if carried_over is not None:
        cells.append(("applications", "carried_over", "natural_person", carried_over, None))
    return cells


def test_copies_of_an_agency_year_are_checked_across_years_once_and_named():
    """Three copies of 甲局's 2022 report, two of its 2023 report and a 2023 report that
    prints other values: two versions of 2023, one of 2022, so rules 5-6 run twice (not
    3 x 3 times); every copy is in versions, and the check rows say how many each
    covers."""
    reports = [_stored("b3", "b3.pdf", _carried(1, 5), 2023),
               _stored("a2", "a2.pdf", _carried(4), 2022),
               _stored("b1", "b1.pdf", _carried(1, 4), 2023),
               _stored("a1", "a1.pdf", _carried(4), 2022),
               _stored("b2", "b2.pdf", _carried(1, 4), 2023),
               _stored("a3", "a3.pdf", _carried(4), 2022)]
    for stored in reports:
        stored.digest = values_digest(stored.cells)
    versions = group_versions(reports)
    assert list(version_rows(versions)) == [
        ["甲局", 2022, "a1", "a1", "a1.pdf", 3], ["甲局", 2022, "a1", "a2", "a2.pdf", 3],
        ["甲局", 2022, "a1", "a3", "a3.pdf", 3], ["甲局", 2023, "b1", "b1", "b1.pdf", 2],
        ["甲局", 2023, "b1", "b2", "b2.pdf", 2], ["甲局", 2023, "b3", "b3", "b3.pdf", 1]]
    loads: list[str] = []

    def load(stored: StoredReport) -> StoredReport:
        loads.append(stored.report_id)
        return stored

    cells = ("earlier:applications.carried_forward.natural_person; "
             "later:applications.carried_over.natural_person")
    assert list(continuity_checks(versions, load)) == [
        ["b1", "a1", "甲局", "甲局", 2023, "continuity.carried", "natural_person", "error",
         4, 4, True, cells, "continuity.carried:natural_person holds: expected 4, found 4 "
         "(a1.pdf for 2022 and 2 more reports of the same values, b1.pdf for 2023 and 1 "
         "more report of the same values; see versions)"],
        ["b3", "a1", "甲局", "甲局", 2023, "continuity.carried", "natural_person", "error",
         4, 5, False, cells, "continuity.carried:natural_person: expected 4, found 5 "
         "(a1.pdf for 2022 and 2 more reports of the same values, b3.pdf for 2023; see "
         "versions)"]]
    assert loads == ["a1", "b1", "b3"]  # each version's first report, read once
    assert [r[2:9] for r in conflicts(reports)] == [
        ["b1", "b3", "applications", "carried_over", "natural_person", 4.0, 5.0]]


def test_rules_5_6_read_each_version_once_and_a_lone_year_never():
    reports = [_stored(f"r{year}", f"{year}.pdf", _carried(year - 2000, year - 2001), year)
               for year in (2019, 2020, 2021, 2023)]
    for stored in reports:
        stored.digest = values_digest(stored.cells)
    loads: list[str] = []

    def load(stored: StoredReport) -> StoredReport:
        loads.append(stored.report_id)
        return stored

    rows = list(continuity_checks(group_versions(reports), load))
    assert [(r[0], r[1], r[10]) for r in rows] == [("r2020", "r2019", True),
                                                   ("r2021", "r2020", True)]
    assert loads == ["r2019", "r2020", "r2021"]  # 2023 has no neighbour year


def test_the_lines_check_prints_stop_at_a_thousand():
    summary = DatasetSummary()
    row = ["r", None, "甲局", "甲局", 2023, "rule", "total", "error", 1, 2, False, "", "fails"]
    for _ in range(LINES_SHOWN + 2):
        summary.add_failure(row)
    assert summary.failed
    assert len(summary.lines) == LINES_SHOWN + 1
    assert summary.lines[0] == "error: 甲局 2023: fails"
    assert summary.lines[-1] == ("... and 2 more failing checks and conflicting cells: see "
                                 "the checks and conflicts tables")


def test_copies_in_an_archive_are_one_version(tmp_path):
    """The same reports under other names and re-saved (other bytes, the same values):
    checked across years once, each copy listed in versions; two reports of one
    agency-year that print other values are still a conflict."""
    from batch_support import variant

    from report_extract.validate import check_continuity

    earlier, later = FIXTURES / "spaced-headers.pdf", FIXTURES / "docx-word-export.pdf"
    folder = tmp_path / "in"
    files = [variant(earlier, folder / "2021-a.pdf", "a"),
             variant(earlier, folder / "2021-b.pdf", "b"),
             variant(later, folder / "2022-a.pdf", "a"),
             variant(later, folder / "2022-b.pdf", "b"),
             variant(later, folder / "2022-c.pdf", "c"),
             variant(FIXTURES / "halfwidth-brackets.pdf", folder / "2020-a.pdf", "a"),
             variant(FIXTURES / "t2019-seed-labels.pdf", folder / "2020-b.pdf", "b")]
    summary = convert(files, tmp_path / "out", workers=2, progress=False)
    assert (summary.converted, summary.copies, summary.conflicts) == (7, 3, 1)
    assert str(summary).endswith("; 3 reports with the same values as another of their "
                                 "agency-year (see versions)")
    tables = report_extract.load(tmp_path / "out")
    ids = dict(zip(tables["reports"]["source_file"], tables["reports"]["report_id"],
                   strict=True))
    first_2021 = min(ids["2021-a.pdf"], ids["2021-b.pdf"])
    first_2022 = min(ids[f"2022-{c}.pdf"] for c in "abc")
    versions = tables["versions"]
    qingdao = versions[versions["agency_key"] == "青岛市卫生健康委员会"]
    assert sorted((r.year, r.source_file, r.version_id, r.n_same_values)
                  for r in qingdao.itertuples()) == [
        (2021, "2021-a.pdf", first_2021, 2), (2021, "2021-b.pdf", first_2021, 2),
        (2022, "2022-a.pdf", first_2022, 3), (2022, "2022-b.pdf", first_2022, 3),
        (2022, "2022-c.pdf", first_2022, 3)]
    checks = tables["checks"]
    across = checks[checks["other_report_id"].notna()]
    expected = check_continuity(report_extract.extract(earlier), report_extract.extract(later))
    assert len(across) == len(expected) > 0  # once, not 2 x 3 times
    assert set(zip(across["report_id"], across["other_report_id"], strict=True)) == {
        (first_2022, first_2021)}
    assert sorted(across["expected"].astype(float)) == sorted(float(c.expected)
                                                              for c in expected)
    names = {report_id: name for name, report_id in ids.items()}
    assert across["message"].str.endswith(
        f"({names[first_2021]} for 2021 and 1 more report of the same values, "
        f"{names[first_2022]} for 2022 and 2 more reports of the same values; "
        "see versions)").all()
    conflicting = tables["conflicts"]
    assert set(conflicting["agency_key"]) == {"哈尔滨市科学技术局"}
    assert set(conflicting["year"]) == {2020} and len(conflicting) > 0


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
