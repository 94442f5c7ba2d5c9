"""The output tables as typed pandas DataFrames: `load(OUTDIR)` and Report.to_frames().

Types, the same from CSV and Parquet: counts Int64 (nullable), amounts decimals in 万元
(pandas ArrowDtype decimal128(20, 6)), year/page Int32, booleans `boolean`, text `string`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from report_extract.write.files import table_path
from report_extract.write.tables import (
    ALL_TABLES,
    REPORTS,
    SPECS,
    Row,
    TableSpec,
    pandas_dtype,
    record_batch,
    report_rows,
)
from report_extract.write.xlsx import WORKBOOK_NAME, read_workbook

if TYPE_CHECKING:
    import pandas as pd

    from report_extract.models import Report


def to_frame(table: pa.Table, spec: TableSpec) -> pd.DataFrame:
    """An Arrow table of `spec`'s columns as a typed DataFrame, columns in spec order."""
    table = table.select(spec.columns).cast(spec.schema)
    frame = table.to_pandas(types_mapper={f.type: pandas_dtype(f.type) for f in spec.schema}.get)
    if "raw_text" in frame:  # CSV cannot tell "" from null: a raw text is always a string
        frame["raw_text"] = frame["raw_text"].fillna("")
    return frame


def rows_frame(spec: TableSpec, rows: list[Row]) -> pd.DataFrame:
    return to_frame(pa.Table.from_batches([record_batch(spec.schema, rows)]), spec)


def report_frames(report: Report, report_id: str = "") -> dict[str, pd.DataFrame]:
    rows = report_rows(report, report_id)
    return {name: rows_frame(SPECS[name], table_rows) for name, table_rows in rows.items()}


def _read(out: Path, spec: TableSpec) -> pa.Table | None:
    csv_path, parquet_path = table_path(out, spec, "csv"), table_path(out, spec, "parquet")
    if csv_path.is_file():
        return _read_csv(csv_path, spec)
    if parquet_path.is_dir():
        import pyarrow.dataset as ds

        files = sorted(str(p) for p in parquet_path.rglob("*.parquet"))
        return ds.dataset(files, schema=spec.schema, format="parquet").to_table()
    if parquet_path.is_file():
        import pyarrow.parquet as pq

        return pq.read_table(parquet_path)
    return None


def _read_csv(path: Path, spec: TableSpec) -> pa.Table:
    import pyarrow.csv as pcsv

    # Read every column as text, then cast: pyarrow's own decimal and bool parsing of
    # CSV is narrower than what our writer prints.
    text_types = {name: pa.string() for name in spec.columns}
    table = pcsv.read_csv(path, read_options=pcsv.ReadOptions(encoding="utf8"),
                          convert_options=pcsv.ConvertOptions(column_types=text_types,
                                                              strings_can_be_null=True))
    missing = [name for name in spec.columns if name not in table.column_names]
    if missing:
        raise ValueError(f"{path}: no column {', '.join(missing)} "
                         "(an older table layout: convert again)")
    columns = []
    for field in spec.schema:
        column = table.column(field.name)
        if pa.types.is_boolean(field.type):
            import pyarrow.compute as pc

            column = pc.equal(column, "true")
        elif not pa.types.is_string(field.type):
            column = column.cast(field.type)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=spec.schema)


def load(out_dir: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """The tables of a convert output folder (CSV, Parquet or the xlsx workbook) as typed
    DataFrames, by table name. Raises FileNotFoundError for a folder without output
    tables, ValueError for tables of an older layout (lacking a column)."""
    out = Path(out_dir)
    if not out.is_dir():
        raise FileNotFoundError(f"{out}: no such output folder")
    frames = {}
    workbook = out / WORKBOOK_NAME
    if workbook.is_file() and not table_path(out, REPORTS, "csv").is_file() and not (
            table_path(out, REPORTS, "parquet").exists()):
        for name, table in read_workbook(workbook, ALL_TABLES).items():
            frames[name] = to_frame(table, SPECS[name])
    for spec in ALL_TABLES if not frames else ():
        table = _read(out, spec)
        if table is not None:
            frames[spec.name] = to_frame(table, spec)
    if "reports" not in frames:
        raise FileNotFoundError(f"{out}: no output tables here (convert some reports first)")
    return frames

