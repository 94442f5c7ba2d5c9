"""The comparison page: agency x year matrices of the key indicators with a chart each,
and the check failures per agency."""

from __future__ import annotations

from html import escape

import pandas as pd

from report_extract.review.charts import line_chart
from report_extract.review.indicators import INDICATORS, Indicator, matrix

MAX_LINES = 8  # more agencies than this: the chart shows the median and the middle half


def render_compare(table: pd.DataFrame, failures: pd.DataFrame, pages: dict[str, str]) -> str:
    """`table`: indicator_table; `failures`: agency_key, agency, reports, failed_checks,
    continuity_failures, uncertain, conflicts, rules; `pages`: report_id -> page."""
    pages_by_cell = {(r.agency_key, int(r.year)): pages[r.report_id]
                     for r in table.itertuples() if not pd.isna(r.year) and r.report_id in pages}
    sections = [_indicator(table, ind, pages_by_cell) for ind in INDICATORS]
    nav = '<nav><a href="index.html">all reports</a> · <a href="compare.html">compare</a></nav>'
    toc = " · ".join(f'<a href="#{i.key}">{escape(i.label)}</a>' for i in INDICATORS)
    return ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            "<title>compare agencies</title>"
            '<link rel="stylesheet" href="assets/site.css"></head><body class="compare">'
            f"{nav}<h1>Agencies compared</h1><p>{toc} · "
            '<a href="#failures">check failures per agency</a></p>'
            f'{"".join(sections)}{_failures(failures)}'
            '<script src="assets/site.js"></script></body></html>')


def _indicator(table: pd.DataFrame, ind: Indicator, pages: dict) -> str:
    grid = matrix(table, ind.key)
    years = [int(y) for y in grid.columns]
    head = "".join(f"<th>{y}</th>" for y in years)
    rows = []
    for agency, values in grid.iterrows():
        cells = []
        for year, value in zip(years, values, strict=True):
            text = "" if pd.isna(value) else (f"{value:.0%}" if ind.percent else f"{value:g}")
            page = pages.get((agency, year))
            cells.append(f'<td><a href="{page}">{text or "—"}</a></td>' if page
                         else "<td></td>")
        rows.append(f"<tr><th>{escape(str(agency))}</th>{''.join(cells)}</tr>")
    series, band = _series(grid)
    chart = line_chart(ind.label, series, percent=ind.percent, band=band)
    return (f'<section class="indicator" id="{ind.key}"><h2>{escape(ind.label)}</h2>{chart}'
            f'<div class="scroll"><table class="matrix"><tr><th>agency</th>{head}</tr>'
            f'{"".join(rows)}</table></div></section>')


def _series(grid: pd.DataFrame) -> tuple[dict, dict | None]:
    if len(grid) <= MAX_LINES:
        series = {str(agency): {int(y): float(v) for y, v in values.items() if not pd.isna(v)}
                  for agency, values in grid.iterrows()}
        return series, None
    median = {int(y): float(grid[y].median()) for y in grid.columns if grid[y].notna().any()}
    band = {int(y): (float(grid[y].quantile(0.25)), float(grid[y].quantile(0.75)))
            for y in grid.columns if grid[y].notna().any()}
    return {f"median of {len(grid)}": median}, band


def _failures(failures: pd.DataFrame) -> str:
    head = ("<tr><th>agency</th><th>reports</th><th>failed checks (in report)</th>"
            "<th>continuity failures</th><th>uncertain cells</th><th>conflicts</th>"
            "<th>rules failed</th></tr>")
    rows = "".join(
        f"<tr><th>{escape(str(r.agency))}</th><td>{r.reports}</td>"
        f'<td class="{"bad" if r.failed_checks else ""}">{r.failed_checks}</td>'
        f'<td class="{"bad" if r.continuity_failures else ""}">{r.continuity_failures}</td>'
        f"<td>{r.uncertain}</td><td>{r.conflicts}</td><td>{escape(r.rules)}</td></tr>"
        for r in failures.itertuples())
    return (f'<section id="failures"><h2>Check failures per agency</h2>'
            f'<table class="list">{head}{rows}</table></section>')
