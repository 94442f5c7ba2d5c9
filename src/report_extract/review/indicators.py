"""Key indicators per report, and agency x year matrices of them (the comparison page and
the notebook use the same numbers).

An indicator with an uncertain or missing term is missing (NaN), never estimated.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from report_extract.review.data import Dataset
from report_extract.templates import REVIEW_ROWS


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str  # for people, with the Chinese term
    percent: bool = False


INDICATORS = (
    Indicator("applications_received", "applications received 本年新收申请"),
    Indicator("share_disclosed", "share disclosed in full 予以公开占比", percent=True),
    Indicator("share_refused", "share refused 不予公开占比", percent=True),
    Indicator("reviews", "administrative reviews 行政复议"),
    Indicator("lawsuits", "lawsuits 行政诉讼"),
    Indicator("share_corrected", "share corrected (of concluded reviews and suits) 结果纠正占比",
              percent=True),
)
_WITHHELD_PREFIX = "withheld_"
_CASE_ROWS = tuple(spec.key for spec in REVIEW_ROWS)


def _values(cells: pd.DataFrame, table: str, column: str | None = None) -> pd.DataFrame:
    """value per (report, row[, column]) of one table, NaN where uncertain."""
    part = cells[cells["table"] == table]
    if column is not None:
        part = part[part["column"] == column]
    value = part["value"].where(part["uncertain_reason"].isna())
    return part.assign(value=value)


def indicator_table(ds: Dataset) -> pd.DataFrame:
    """One row per extracted report: agency_key, agency, year, report_id and INDICATORS."""
    apps = _values(ds.cells, "applications", "total").pivot_table(
        index="report_id", columns="row", values="value", aggfunc="first", dropna=False)
    handled = apps.get("total_handled")
    withheld = apps[[c for c in apps.columns if c.startswith(_WITHHELD_PREFIX)]]
    review = _values(ds.cells, "review_litigation").pivot_table(
        index="report_id", columns=["row", "column"], values="value", aggfunc="first",
        dropna=False)
    out = pd.DataFrame(index=apps.index.union(review.index))
    out["applications_received"] = apps.get("new")
    out["share_disclosed"] = _share(apps.get("disclosed"), handled)
    out["share_refused"] = _share(withheld.sum(axis=1, min_count=1).where(
        withheld.notna().all(axis=1)), handled)
    out["reviews"] = _col(review, "review", "total")
    out["lawsuits"] = _col(review, "suit_direct", "total") + _col(
        review, "suit_after_review", "total")
    corrected = sum(_col(review, row, "corrected") for row in _CASE_ROWS)
    concluded = sum(_col(review, row, col) for row in _CASE_ROWS
                    for col in ("upheld", "corrected", "other"))
    out["share_corrected"] = _share(corrected, concluded)
    meta = ds.reports.set_index("report_id")[["agency_key", "agency", "year"]]
    return meta.join(out, how="inner").reset_index().sort_values(
        ["agency_key", "year"], ignore_index=True)


def _col(frame: pd.DataFrame, row: str, column: str) -> pd.Series:
    if (row, column) in frame.columns:
        return frame[(row, column)]
    return pd.Series(float("nan"), index=frame.index)


def _share(part, whole) -> pd.Series | None:
    if part is None or whole is None:
        return None
    return (part / whole.where(whole > 0)).astype(float)


def matrix(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """Agencies (rows) x years (columns) of one indicator; the first report of an
    agency-year where several exist (they are listed as conflicts)."""
    known = table[table["year"].notna()]
    return known.pivot_table(index="agency_key", columns="year", values=key,
                             aggfunc="first", dropna=False)
