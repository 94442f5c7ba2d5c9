"""Writers: Report -> rows, CSV with BOM, typed Parquet by year, atomic replacement."""

from __future__ import annotations

import csv

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from batch_support import hand_report, temp_leftovers

from report_extract.templates import TABLE_COLUMNS
from report_extract.write import (
    CELLS,
    CHECKS,
    ERRORS,
    PROBLEMS,
    REPORTS,
    TableSet,
    report_rows,
    write_reports,
)
from report_extract.write.files import UNKNOWN_YEAR, atomic_file
from report_extract.write.manifest import Manifest, ManifestEntry, PartStore

RID = "ab" * 32


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_table_columns_are_the_contract():
    assert CELLS.columns == [
        "report_id", "source_file", "agency", "agency_key", "year", "template", "table",
        "row", "column", "value", "amount", "raw_text", "page", "x0", "top", "x1", "bottom",
        "locator", "uncertain", "uncertain_reason", "confidence", "source"]
    assert REPORTS.columns == [
        "report_id", "source_file", "agency", "agency_key", "year", "template", "pages",
        "source", "ocr_pages", "ocr_engine", "n_cells", "n_check_failures", "n_problems",
        "status"]
    assert CHECKS.columns == ["report_id", "other_report_id", "agency", "agency_key", "year",
                              "rule", "subject", "severity", "expected", "found", "passed",
                              "cells", "message"]
    assert ERRORS.columns[:5] == ["source_file", "path", "sha256", "stage", "message"]
    assert PROBLEMS.columns == ["report_id", "table", "kind", "message", "raw_text", "page",
                                "locator"]


META = [RID, "report.pdf", "淮安市洪泽区人民政府", "淮安市洪泽区人民政府", 2023, "2021"]


def test_cells_sorted_by_table_row_and_column_order_of_the_templates():
    rows = report_rows(hand_report(), RID)["cells"]
    keys = [(r[6], r[7], r[8]) for r in rows]
    assert keys == [
        ("active_disclosure", "regulations", "issued"),
        ("active_disclosure", "regulations", "in_force"),
        ("active_disclosure", "fees", "amount"),
        ("applications", "new", "natural_person"),
        ("applications", "new", "commercial"),
        ("applications", "new", "total"),
        ("applications", "carried_over", "total"),
        ("review_litigation", "review", "upheld"),
        ("review_litigation", "review", "total"),
    ]
    first = rows[0]
    assert first[:6] == META
    assert first[9:] == [1, None, "1", 2, 10.12, 20.46, 30.79, 40.0, None, True,
                         "digits overlap a ruling", None, "text"]  # no locator in a PDF
    fees = rows[2]  # an amount: a decimal in 万元, not a count
    assert fees[9:12] == [None, 7539.443252, "75394432.52元"]
    commercial = rows[4]
    assert commercial[9:] == [None, None, "—", 3, None, None, None, None, None, False, None,
                              None, "text"]


def test_report_row_counts_and_status():
    (row,) = report_rows(hand_report(), RID)["reports"]
    assert row == [*META, 5, "text", None, None, 9, 1, 1, "partial"]


def test_checks_split_rule_and_subject_and_name_their_cells():
    rows = report_rows(hand_report(), RID)["checks"]
    cells = ("review_litigation.review.upheld; review_litigation.review.corrected; "
             "review_litigation.review.other; review_litigation.review.pending; "
             "review_litigation.review.total")
    assert rows[0] == [RID, None, "淮安市洪泽区人民政府", "淮安市洪泽区人民政府", 2023,
                       "review_litigation.total", "review", "error", 10, 0, False, cells,
                       "total 0, parts sum 10"]
    assert [r[5:8] for r in rows[1:]] == [["applications.balance", "natural_person", "error"],
                                          ["applications.row_total", "new", "error"]]
    assert rows[1][12] == "applications.balance:natural_person holds: expected 21, found 21"


def test_problems_rows():
    # a PDF: no locator
    assert report_rows(hand_report(), RID)["problems"] == [
        [RID, "applications", "unplaced_row", "row label 不明 matches no key", "不明", 4, None]]


def test_wide_tables_have_every_template_column_in_order():
    rows = report_rows(hand_report(), RID)
    active = rows["active_disclosure"]
    keys = [spec.key for spec in TABLE_COLUMNS["active_disclosure"]]
    assert [r[6] for r in active] == ["regulations", "fees"]
    regulations = dict(zip(keys, active[0][7:], strict=True))
    assert regulations["issued"] == 1 and regulations["in_force"] == 3
    assert regulations["repealed"] is None and regulations["amount"] is None
    assert dict(zip(keys, active[1][7:], strict=True))["amount"] == 7539.443252
    assert rows["applications"][0][6:10] == ["new", 21, None, None]


def test_csv_has_bom_header_and_chinese(tmp_path):
    write_reports([(RID, hand_report())], tmp_path)
    raw = (tmp_path / "cells.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfreport_id,source_file,")
    table = read_csv(tmp_path / "cells.csv")
    assert table[0] == CELLS.columns
    assert table[1][2] == "淮安市洪泽区人民政府"
    assert table[1][9] == "1"  # integers stay integers in CSV
    assert table[1][CELLS.columns.index("locator")] == ""  # a PDF's cell has none
    assert table[1][CELLS.columns.index("uncertain")] == "true"
    checks = read_csv(tmp_path / "checks.csv")
    assert checks[1][5:11] == ["review_litigation.total", "review", "error", "10", "0", "false"]
    amounts = pd.read_csv(tmp_path / "active_disclosure.csv", encoding="utf-8-sig")
    assert amounts.loc[amounts["row"] == "fees", "amount"].item() == pytest.approx(7539.443252)
    assert not temp_leftovers(tmp_path)


def test_parquet_schema_is_typed(tmp_path):
    write_reports([(RID, hand_report())], tmp_path, format="parquet")
    cells = ds.dataset(tmp_path / "cells", partitioning="hive").to_table()
    types = {f.name: f.type for f in cells.schema}
    assert types["value"] == pa.int64() and types["page"] == pa.int32()
    assert types["amount"] == pa.decimal128(20, 6) and types["uncertain"] == pa.bool_()
    assert types["year"] == pa.int32() and types["x0"] == pa.float64()
    assert cells.num_rows == 9
    part = tmp_path / "cells" / "year_partition=2023" / "part-0.parquet"
    assert pq.read_table(part).column("year").to_pylist() == [2023] * 9  # a file alone
    checks = pq.read_table(tmp_path / "checks.parquet")
    assert checks.schema.field("passed").type == pa.bool_()
    assert checks.schema.field("expected").type == pa.float64()
    frame = pd.read_parquet(tmp_path / "reports")
    assert frame["n_cells"].tolist() == [9] and frame["year"].iloc[0] + 1 == 2024


def test_parquet_unknown_year_is_partition_zero(tmp_path):
    # pandas cannot read a Hive null partition, so an unknown year is in partition 0; the
    # year column itself is null.
    write_reports([(RID, hand_report(year=None)), ("cd" * 32, hand_report("b.pdf"))],
                  tmp_path, format="parquet")
    assert (tmp_path / "reports" / f"year_partition={UNKNOWN_YEAR}").is_dir()
    frame = pd.read_parquet(tmp_path / "reports").sort_values("source_file")
    assert frame["year"].tolist()[0] == 2023 and pd.isna(frame["year"].tolist()[1])


def test_parquet_readable_by_duckdb(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    write_reports([(RID, hand_report())], tmp_path, format="parquet")
    rows = duckdb.sql(f"select year, count(*) from read_parquet('{tmp_path}/cells/**/*.parquet', "
                      "hive_partitioning=true) group by year").fetchall()
    assert rows == [(2023, 9)]
    year_type = duckdb.sql(f"select year from '{tmp_path}/cells/**/*.parquet'").types[0]
    assert str(year_type) == "INTEGER"


def test_parquet_all_years_unknown_is_readable(tmp_path):
    write_reports([(RID, hand_report(year=None))], tmp_path, format="parquet")
    assert pd.read_parquet(tmp_path / "cells")["year_partition"].astype(int).tolist() == [0] * 9


def test_empty_parquet_table_is_readable(tmp_path):
    write_reports([], tmp_path, format="parquet")
    frame = pd.read_parquet(tmp_path / "cells")
    assert len(frame) == 0 and "value" in frame.columns


def test_failed_write_keeps_previous_tables_and_leaves_no_temporaries(tmp_path):
    for fmt in ("csv", "parquet"):
        write_reports([(RID, hand_report())], tmp_path, format=fmt)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    for fmt in ("csv", "parquet"):
        with pytest.raises(RuntimeError), TableSet(tmp_path, fmt) as tables:
            tables.write("reports", report_rows(hand_report("other.pdf"), "ef" * 32)["reports"])
            raise RuntimeError("disk on fire")
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before
    assert not temp_leftovers(tmp_path)


def test_atomic_file_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "x.txt"
    target.write_text("old")
    with pytest.raises(ValueError), atomic_file(target) as handle:
        handle.write("new, half")
        raise ValueError
    assert target.read_text() == "old" and not temp_leftovers(tmp_path)


def test_manifest_survives_a_torn_last_line(tmp_path):
    manifest = Manifest(tmp_path)
    manifest.append([ManifestEntry("a" * 64, "done", "0.1.0", "pdfplumber", ["a.pdf"])])
    with open(manifest.path, "a", encoding="utf-8") as handle:
        handle.write('{"sha256": "bbbb", "sta')  # killed mid-append
    reloaded = Manifest(tmp_path)
    assert list(reloaded.load()) == ["a" * 64]
    reloaded.append([ManifestEntry("c" * 64, "failed", "0.1.0", "pdfplumber")])
    assert list(Manifest(tmp_path).load()) == ["a" * 64, "c" * 64]


def test_part_store_round_trip(tmp_path):
    store = PartStore(tmp_path)
    rows = report_rows(hand_report(), RID)
    where = store.write([(RID, rows), ("cd" * 32, {"reports": []})])
    part, offset, length = where[RID]
    assert part == "part-000001.bin"
    assert store.read(part, offset, length) == rows
    later = store.write([("ef" * 32, {"reports": [["x"]]})])  # the same run appends
    assert later["ef" * 32][:2] == ("part-000001.bin", where["cd" * 32][1] + where["cd" * 32][2])
    assert store.read(*later["ef" * 32]) == {"reports": [["x"]]}
    assert store.read(part, offset, length) == rows
    assert store.write([]) == {}
    next_run = PartStore(tmp_path)  # numbering continues after existing parts
    assert next_run.write([(RID, rows)])[RID][0] == "part-000002.bin"
    assert sorted(p.name for p in store.folder.iterdir()) == ["part-000001.bin",
                                                              "part-000002.bin"]
    store.close()
    next_run.close()


def test_a_parquet_table_fed_a_generator_holds_one_row_group_at_a_time(tmp_path):
    """The dataset's checks across years and conflicts come as generators of any length:
    a Parquet sink writes them a row group (20,000 rows) at a time, never all at once."""
    from report_extract.write.files import open_sink
    from report_extract.write.tables import CONFLICTS

    def rows():
        for i in range(45_000):
            yield ["甲局", 2023, "a", "b", "applications", "new", "total", float(i), None, "m"]

    sink = open_sink(tmp_path, CONFLICTS, "parquet")
    sink.write(rows())
    sink.commit()
    parquet = pq.ParquetFile(tmp_path / "conflicts.parquet")
    assert [parquet.metadata.row_group(i).num_rows
            for i in range(parquet.num_row_groups)] == [20_000, 20_000, 5_000]
    assert parquet.read().column("value").to_pylist()[-1] == 44_999.0
