"""The index of reports: one row each, sortable (click a header) and filterable (site.js)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass
class IndexRow:
    page: str
    agency: str
    year: str
    template: str
    source: str
    status: str
    failed_checks: int
    uncertain: int
    conflicts: int
    problems: int
    source_file: str


COLUMNS = (("agency", "agency 机关", "text"), ("year", "year 年度", "num"),
           ("template", "template 模板", "text"), ("source", "source", "text"),
           ("status", "status", "text"), ("failed_checks", "failed checks", "num"),
           ("uncertain", "uncertain cells", "num"), ("conflicts", "conflicts", "num"),
           ("problems", "problems", "num"), ("source_file", "file", "text"))


def render_index(rows: list[IndexRow], summary: str) -> str:
    head = "".join(f'<th data-type="{kind}" tabindex="0">{escape(label)}</th>'
                   for _, label, kind in COLUMNS)
    body = "".join(_row(r) for r in rows)
    statuses = sorted({r.status for r in rows})
    options = "".join(f'<option value="{escape(s)}">{escape(s)}</option>' for s in statuses)
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>report-extract review</title>"
        '<link rel="stylesheet" href="assets/site.css"></head><body class="index">'
        '<nav><a href="index.html">all reports</a> · <a href="compare.html">compare agencies'
        f"</a></nav><h1>Reports</h1><p>{escape(summary)}</p>"
        '<form class="filters" onsubmit="return false">'
        '<input id="filter" type="search" placeholder="filter: agency, year, file…">'
        f'<select id="status"><option value="">any status</option>{options}</select>'
        '<label><input id="flagged" type="checkbox"> only with failed checks, uncertain '
        'cells or conflicts</label> <span id="shown"></span></form>'
        f'<table id="reports" class="list sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
        '<script src="assets/site.js"></script></body></html>')


def _row(r: IndexRow) -> str:
    flagged = r.failed_checks or r.uncertain or r.conflicts
    cells = []
    for key, _, _ in COLUMNS:
        value = getattr(r, key)
        text = escape(str(value))
        if key == "agency":
            text = f'<a href="{escape(r.page)}">{text or "(agency unread)"}</a>'
        klass = ' class="bad"' if key in ("failed_checks", "conflicts") and value else ""
        cells.append(f"<td{klass}>{text}</td>")
    return (f'<tr data-status="{escape(r.status)}" data-flagged="{1 if flagged else 0}">'
            f'{"".join(cells)}</tr>')
