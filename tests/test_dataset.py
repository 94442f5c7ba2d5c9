"""The output folder as a dataset: a generated series of 4 agencies x 4 years (both
templates, one planted continuity break, one duplicate agency-year, titles printed with
spacing and width variants) converted in two runs into one folder."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner

from report_extract import load
from report_extract.batch import convert
from report_extract.cli import main
from report_extract.synth.series import SERIES_AGENCIES, write_series
from report_extract.write.files import table_path
from report_extract.write.tables import ALL_TABLES, SPECS

SEED = 11


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    folder = tmp_path_factory.mktemp("series")
    return folder, write_series(SEED, folder)


@pytest.fixture(scope="module")
def parquet_out(series, tmp_path_factory):
    """The series converted in two runs: 2019-2020 first, then 2021-2022 (and the
    revised duplicate) into the same folder."""
    folder, _ = series
    out = tmp_path_factory.mktemp("dataset") / "out"
    first = convert([str(folder / "*-2019.pdf"), str(folder / "*-2020.pdf")], out,
                    format="parquet", workers=2, progress=False)
    second = convert([str(folder / "*-2021.pdf"), str(folder / "*-2022*.pdf")], out,
                     format="parquet", workers=2, progress=False)
    return out, first, second


@pytest.fixture(scope="module")
def csv_out(parquet_out, tmp_path_factory):
    """The same dataset as CSV: the stored results are reused, only the tables are new."""
    out, _, _ = parquet_out
    copy = tmp_path_factory.mktemp("csv") / "out"
    copy.mkdir()
    shutil.copytree(out / "_parts", copy / "_parts")
    shutil.copy(out / "manifest.jsonl", copy / "manifest.jsonl")
    return copy


def short(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    return sorted(tuple(None if pd.isna(v) else v for v in row)
                  for row in frame[columns].itertuples(index=False))


def test_two_runs_make_one_dataset_of_every_report(series, parquet_out):
    _, planted = series
    out, first, second = parquet_out
    assert (first.converted, first.in_dataset, first.failed) == (8, 8, 0)
    assert (second.converted, second.in_dataset, second.failed) == (9, 17, 0)
    reports = load(out)["reports"]
    assert sorted(reports["source_file"]) == sorted(f"{r['name']}.pdf"
                                                   for r in planted.reports)
    assert set(reports["status"]) == {"ok"}


def test_the_planted_break_is_found_exactly(series, parquet_out):
    _, planted = series
    out, _, second = parquet_out
    tables = load(out)
    checks, reports = tables["checks"], tables["reports"]
    failing = checks[~checks["passed"]]
    assert short(failing, ["agency_key", "year", "rule", "subject", "expected", "found"]) == \
        sorted((b["agency_key"], b["year"], b["rule"], b["subject"], b["expected"],
                b["found"]) for b in planted.breaks)
    assert set(failing["severity"]) == {"error"}
    ids = dict(zip(reports["source_file"], reports["report_id"], strict=True))
    later, earlier = f"series-{SEED}-a1-2021.pdf", f"series-{SEED}-a1-2020.pdf"
    assert set(failing["report_id"]) == {ids[later]}
    assert set(failing["other_report_id"]) == {ids[earlier]}
    natural = failing[failing["subject"] == "natural_person"].iloc[0]
    assert natural["cells"] == ("earlier:applications.carried_forward.natural_person; "
                                "later:applications.carried_over.natural_person")
    assert natural["message"].endswith(f"({earlier} for 2020, {later} for 2021)")
    assert second.continuity_failed == 2
    # Every consecutive pair was checked: 4 agencies x 3 pairs (+1 for the duplicate).
    carried = checks[checks["rule"] == "continuity.carried"]
    assert len(carried.groupby(["report_id", "other_report_id"])) == 13
    in_force = checks[checks["rule"] == "continuity.in_force"]
    assert set(in_force["year"]) == {2022} and set(in_force["severity"]) == {"warning"}


def test_the_planted_duplicate_is_a_conflict_never_merged(series, parquet_out):
    _, planted = series
    out, _, second = parquet_out
    tables = load(out)
    conflicts, reports = tables["conflicts"], tables["reports"]
    found = [(r.agency_key, r.year, r.table, r.row, r.column,
              sorted([int(r.value), int(r.other_value)])) for r in conflicts.itertuples()]
    assert found == [(d["agency_key"], d["year"], d["table"], d["row"], d["column"],
                      d["values"]) for d in planted.duplicates]
    both = reports[(reports["agency_key"] == SERIES_AGENCIES[2]) & (reports["year"] == 2022)]
    assert set(conflicts["report_id"]) | set(conflicts["other_report_id"]) == set(
        both["report_id"])
    review = tables["review_litigation"]
    assert len(review[review["report_id"].isin(both["report_id"])
                      & (review["row"] == "review")]) == 2  # both kept as printed
    assert second.conflicts == 1


def test_agency_names_printed_differently_are_one_agency(parquet_out):
    out, _, _ = parquet_out
    tables = load(out)
    assert set(tables["reports"]["agency_key"]) == set(SERIES_AGENCIES)
    agencies = tables["agencies"].set_index("agency")
    hongze = agencies.loc["洪泽区人民政府"]
    assert (hongze["agency_key"], hongze["linked_by"]) == ("淮安市洪泽区人民政府",
                                                            "region_prefix")
    assert hongze["note"] == ("洪泽区人民政府 is 淮安市洪泽区人民政府 without its region "
                              "prefix 淮安市")
    # Spaced and full-width-spaced titles read as the name itself: no link needed.
    assert pd.isna(agencies.loc["南京市玄武区人民政府", "linked_by"])
    assert agencies["n_reports"].sum() == 17


def test_every_table_reads_typed_in_pandas_polars_and_duckdb(parquet_out):
    import duckdb
    import polars as pl

    out, _, _ = parquet_out
    for spec in ALL_TABLES:
        path = table_path(out, spec, "parquet")
        frame = pd.read_parquet(path)  # plain pandas: the files' pandas metadata types it
        pattern = f"{path}/**/*.parquet" if path.is_dir() else str(path)
        polars = pl.read_parquet(pattern).schema
        relation = duckdb.sql(f"select * from read_parquet('{pattern}')")
        duck = dict(zip(relation.columns, map(str, relation.types), strict=True))
        for name, type_ in spec.fields:
            where = (spec.name, name)
            assert str(frame[name].dtype) == _pandas_name(type_), (*where, frame[name].dtype)
            assert str(polars[name]) == _polars_name(type_), (*where, polars[name])
            assert duck[name] == _duckdb_name(type_), (*where, duck[name])
        if "year" in frame and len(frame):
            assert (frame["year"] + 1).tolist() == [y + 1 for y in frame["year"]]
    counts = pd.read_parquet(out / "applications")["natural_person"]
    assert counts.dtype == "Int64" and counts.astype(str).str.isdigit().all()  # "21", not "21.0"
    amounts = pd.read_parquet(out / "active_disclosure")["amount"].dropna()
    assert all(isinstance(v, Decimal) for v in amounts) and len(amounts) > 0


def _pandas_name(type_: pa.DataType) -> str:
    if pa.types.is_decimal(type_):
        return "object"  # Decimal values
    return {pa.string(): "string", pa.int32(): "Int32", pa.int64(): "Int64",
            pa.float64(): "Float64", pa.bool_(): "boolean"}[type_]


def _polars_name(type_: pa.DataType) -> str:
    if pa.types.is_decimal(type_):
        return f"Decimal(precision={type_.precision}, scale={type_.scale})"
    return {pa.string(): "String", pa.int32(): "Int32", pa.int64(): "Int64",
            pa.float64(): "Float64", pa.bool_(): "Boolean"}[type_]


def _duckdb_name(type_: pa.DataType) -> str:
    if pa.types.is_decimal(type_):
        return f"DECIMAL({type_.precision},{type_.scale})"
    return {pa.string(): "VARCHAR", pa.int32(): "INTEGER", pa.int64(): "BIGINT",
            pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN"}[type_]


def test_load_gives_the_same_typed_frames_from_csv_and_parquet(parquet_out, csv_out):
    out, _, _ = parquet_out
    again = convert([], csv_out, workers=1, progress=False)  # nothing to do: tables only
    assert (again.converted, again.in_dataset) == (0, 17)
    from_parquet, from_csv = load(out), load(csv_out)
    assert from_parquet.keys() == from_csv.keys() == {s.name for s in ALL_TABLES}
    for name, frame in from_parquet.items():
        other = from_csv[name]
        assert frame.dtypes.to_dict() == other.dtypes.to_dict(), name
        key = [c for c in ("report_id", "table", "row", "column", "rule", "subject",
                           "other_report_id", "agency", "path") if c in frame]
        left = frame.sort_values(key).reset_index(drop=True) if key else frame
        right = other.sort_values(key).reset_index(drop=True) if key else other
        pd.testing.assert_frame_equal(left, right, check_exact=True)
    cells = from_csv["cells"]
    assert str(cells["value"].dtype) == "Int64" and str(cells["year"].dtype) == "Int32"
    assert str(cells["uncertain"].dtype) == "boolean"
    assert str(cells["raw_text"].dtype) == "string" and not cells["raw_text"].isna().any()
    amounts = cells.loc[cells["column"] == "amount", "amount"].dropna()
    assert len(amounts) and all(isinstance(v, Decimal) for v in amounts)
    assert cells["source"].unique().tolist() == ["text"] and cells["confidence"].isna().all()


def test_frictionless_validates_the_data_package(csv_out, parquet_out):
    frictionless = pytest.importorskip("frictionless")
    for out in (csv_out, parquet_out[0]):
        report = frictionless.validate(str(out / "datapackage.json"))
        assert report.valid, (out, report.flatten(["type", "note"])[:5])
        rows = {task.name: task.stats.get("rows", 0) for task in report.tasks}
        assert (rows["reports"], rows["conflicts"]) == (17, 2)  # every year's file read
    package = frictionless.Package(str(csv_out / "datapackage.json"))
    assert {r.name for r in package.resources} == {s.name for s in ALL_TABLES}
    amount = package.get_resource("active_disclosure").schema.get_field("amount")
    assert (amount.title, amount.type) == ("本年收费金额（单位：万元） / 采购总金额（万元）",
                                           "number")
    assert amount.to_dict()["unit"] == "万元"
    cells = package.get_resource("cells").schema
    assert cells.primary_key == ["report_id", "table", "row", "column"]
    assert cells.foreign_keys[0]["reference"] == {"resource": "reports", "fields": ["report_id"]}


def test_frictionless_finds_a_broken_table(csv_out, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    broken = tmp_path / "broken"
    shutil.copytree(csv_out, broken, ignore=shutil.ignore_patterns("_parts"))
    text = (broken / "checks.csv").read_text(encoding="utf-8-sig")
    (broken / "checks.csv").write_text(text.replace(",true,", ",maybe,", 1),
                                       encoding="utf-8-sig")
    report = frictionless.validate(str(broken / "datapackage.json"))
    assert not report.valid
    assert report.flatten(["type"])[0] == ["type-error"]


def test_check_command_reruns_every_check(parquet_out, tmp_path):
    out, _, _ = parquet_out
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    result = CliRunner().invoke(main, ["check", str(copy)])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("error: 南京市玄武区人民政府 2021: continuity.carried:"
                               "natural_person: expected ")
    assert [line.split(":")[0] for line in lines[:-1]] == ["error", "error", "conflict",
                                                           "conflict"]
    assert lines[-1] == ("17 reports checked: 0 checks failed within reports, 2 across "
                         "years, 1 agency-years with conflicting reports; 1 agency names "
                         "linked (see agencies)")
    assert load(copy)["checks"].equals(load(out)["checks"])
    verbose = CliRunner().invoke(main, ["--verbose", "check", str(copy)])
    assert ("INFO: report_extract.batch.assemble: agency 洪泽区人民政府: 洪泽区人民政府 is "
            "淮安市洪泽区人民政府 without its region prefix 淮安市") in verbose.stderr.splitlines()


def test_check_command_with_an_alias_file(parquet_out, tmp_path):
    out, _, _ = parquet_out
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("agency,same_as\n江苏省交通运输厅,江苏省交通厅\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(copy), "--agencies", str(aliases)])
    assert result.exit_code == 1
    tables = load(copy)
    agencies = tables["agencies"].set_index("agency")
    assert agencies.loc["江苏省交通运输厅", "linked_by"] == "alias_file"
    reports = tables["reports"]
    assert set(reports.loc[reports["agency"] == "江苏省交通运输厅", "agency_key"]) == {
        "江苏省交通厅"}


def test_check_command_on_a_folder_without_tables(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {tmp_path}: no output tables here (convert some "
                             "reports first)\n")


def test_schema_command_prints_keys_with_labels():
    result = CliRunner().invoke(main, ["schema", "--template", "2019"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "template 2019"
    assert "      made                           本年新制作数量" in lines
    assert "      amount                         采购总金额（万元）  [万元, decimal]" in lines
    assert "      other                          （六）其他处理" in lines
    assert not any("other_no_correction" in line for line in lines)


def test_specs_all_have_descriptions():
    from report_extract.dataset.package import datapackage

    package = datapackage(Path("/nonexistent"), "csv")
    for resource in package["resources"]:
        assert resource["description"], resource["name"]
        for field in resource["schema"]["fields"]:
            assert field["description"], (resource["name"], field["name"])
    assert set(SPECS) == {r["name"] for r in package["resources"]}
