"""One report's page: failed checks first (their cells marked), uncertain values with raw
text, reason and OCR candidates, then the three tables as printed, each value linked to
its crop of the PDF page."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

import pandas as pd

from report_extract.review.layout import section
from report_extract.review.renders import Render
from report_extract.review.terms import check_cells, earlier_cells
from report_extract.templates import TABLE_COLUMNS, TABLE_ROWS, printed_label

CROP_PAD_X = 40.0  # points of context left and right of a value's box in its crop
CROP_PAD_Y = 12.0
TABLE_TITLES = {"active_disclosure": "二", "applications": "三", "review_litigation": "四"}
CANDIDATES = "OCR candidates:"


@dataclass
class ReportView:
    """What one report page shows, gathered by the site builder."""

    meta: object  # a row of the reports table (itertuples)
    cells: list  # the report's rows of the cells table (data.records_by_report)
    checks: list  # and of the checks table
    problems: pd.DataFrame
    conflicts: pd.DataFrame
    renders: dict[int, Render]  # page -> render; empty when the PDF was not found
    pdf_uri: str | None
    error: str | None = None  # why a failed report has no values
    neighbours: dict[str, str] = field(default_factory=dict)  # "earlier"/"later" -> page
    id_pages: dict[str, str] = field(default_factory=dict)  # report_id -> its page (all)
    crop_note: str = ""  # why values have no crop, when they have none
    source: str = ""  # text / OCR / HTML / text+OCR, from the reports table


def page_name(report_id: str) -> str:
    return f"reports/{report_id[:16]}.html"


def cell_id(table: str, row: str, column: str) -> str:
    return f"c-{table}-{row}-{column}"


def number_text(value) -> str:
    if value is None or pd.isna(value):
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def cell_label(table: str, row: str, column: str, template: str) -> str:
    known_rows = {s.key for s in TABLE_ROWS.get(table, ())}
    known_cols = {s.key for s in TABLE_COLUMNS.get(table, ())}
    row_label = printed_label(table, row, template) if row in known_rows else row
    col_label = (printed_label(table, column, template, column=True)
                 if column in known_cols else column)
    return f"表{TABLE_TITLES.get(table, table)} {row_label} / {col_label}"


def split_reason(reason: str | None) -> tuple[str, str]:
    """(reason, OCR candidates) of an uncertain value's reason text."""
    if not reason:
        return "", ""
    head, _, candidates = reason.partition(CANDIDATES)
    return head.strip().rstrip(";,；，").strip(), candidates.strip()


def crop_html(cell, render: Render | None) -> str:
    """A crop of the page around the cell's box, the box highlighted (CSS over the render)."""
    if render is None or pd.isna(cell.x0):
        return '<span class="nocrop">no crop</span>'
    s = render.scale
    wx, wy = cell.x0 - CROP_PAD_X, cell.top - CROP_PAD_Y
    width, height = (cell.x1 - cell.x0 + 2 * CROP_PAD_X) * s, (
        cell.bottom - cell.top + 2 * CROP_PAD_Y) * s
    box = (CROP_PAD_X * s, CROP_PAD_Y * s, (cell.x1 - cell.x0) * s, (cell.bottom - cell.top) * s)
    return (f'<span class="crop" style="width:{width:.0f}px;height:{height:.0f}px;'
            f"background-image:url('../{render.name}');background-position:"
            f'{-(wx - render.left) * s:.1f}px {-(wy - render.top) * s:.1f}px">'
            f'<span class="box" style="left:{box[0]:.1f}px;top:{box[1]:.1f}px;'
            f'width:{box[2]:.1f}px;height:{box[3]:.1f}px"></span></span>')


class _Values:
    """The report's cells by key, and how each is drawn in the printed tables."""

    def __init__(self, view: ReportView, marked: set[tuple[str, str, str]]):
        self.view = view
        self.marked = marked
        self.by_key = {(c.table, c.row, c.column): c for c in view.cells}

    def rows_present(self, table: str, template: str) -> set[str]:
        """Rows the report printed: the template's, and others holding a value or text (a
        2019 （六） row in a 2021 table); a row of the other template left null is not."""
        specs = {s.key: s for s in TABLE_ROWS.get(table, ())}
        rows = set()
        for (t, row, _), cell in self.by_key.items():
            spec = specs.get(row)
            if t == table and (spec is None or template in spec.templates
                               or not pd.isna(cell.value) or _printed(cell.raw_text)):
                rows.add(row)
        return rows

    def td(self, table: str, row: str, column: str) -> str:
        cell = self.by_key.get((table, row, column))
        if cell is None:
            return '<td class="absent" title="not printed"></td>'
        classes = ["v"]
        text = number_text(cell.value)
        title = f"原文 raw text: {cell.raw_text if isinstance(cell.raw_text, str) else ''}"
        if cell.uncertain_reason:
            classes.append("unc")
            text = f"⚠ {escape(str(cell.raw_text or '?'))}"
            title += f" — uncertain: {cell.uncertain_reason}"
        elif not text:
            classes.append("null")
            text = escape(str(cell.raw_text)) if isinstance(cell.raw_text, str) else ""
        if (table, row, column) in self.marked:
            classes.append("fail")
        return (f'<td class="{" ".join(classes)}" id="{cell_id(table, row, column)}">'
                f"{self.link(cell, text, title)}</td>")

    def link(self, cell, text: str, title: str) -> str:
        render = self.view.renders.get(int(cell.page)) if not pd.isna(cell.page) else None
        if render is None or pd.isna(cell.x0):
            return f'<span title="{escape(title)}">{text}</span>'
        box = ",".join(f"{v:.2f}" for v in (cell.x0, cell.top, cell.x1, cell.bottom))
        origin = f"{render.left:.2f},{render.top:.2f},{render.scale:g}"
        return (f'<a href="../{render.name}" data-b="{box}" data-o="{origin}" '
                f'data-p="{int(cell.page)}" title="{escape(title)}">{text}</a>')


def _printed(raw) -> bool:
    return isinstance(raw, str) and raw.strip() not in ("", "—", "-", "/", "无")


def render_report_page(view: ReportView) -> str:
    meta = view.meta
    failed = failed_checks(view.checks)
    marked = {key for check in failed
              for key in check_cells(check.rule, check.subject)}
    values = _Values(view, marked)
    template = str(meta.template) if isinstance(meta.template, str) else "2021"
    parts = [_header(view), _failed_checks(view, failed, values, template),
             _uncertain(view, values, template), _problems(view), _conflicts(view)]
    if view.error:
        parts.append(f'<section id="error"><h2>Not extracted</h2><p class="error">'
                     f"{escape(view.error)}</p></section>")
    elif isinstance(meta.template, str):
        parts += [section(t, template, values.td, values.rows_present(t, template))
                  for t in ("active_disclosure", "applications", "review_litigation")]
    title = f"{meta.agency or meta.source_file} {_year(meta)}"
    return _document(title, "".join(parts))


def _year(meta) -> str:
    return "" if pd.isna(meta.year) else str(int(meta.year))


def _header(view: ReportView) -> str:
    meta = view.meta
    nav = ['<a href="../index.html">all reports</a>', '<a href="../compare.html">compare</a>']
    for word, arrow in (("earlier", "← "), ("later", "→ ")):
        if word in view.neighbours:
            nav.append(f'<a rel="{word}" href="../{view.neighbours[word]}">{arrow}{word} year</a>')
    missing = " (not found)" if view.source == "HTML" else " (PDF not found: no crops)"
    pdf = (f'<a href="{escape(view.pdf_uri)}">{escape(meta.source_file)}</a>' if view.pdf_uri
           else escape(str(meta.source_file)) + missing)
    facts = [("agency 机关", meta.agency), ("year 年度", _year(meta)),
             ("template 模板", meta.template), ("source", view.source),
             ("pages", meta.pages), ("status", meta.status)]
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(_text(v))}</dd>" for k, v in facts)
    note = f'<p class="note">{escape(view.crop_note)}</p>' if view.crop_note else ""
    return (f'<nav>{" · ".join(nav)}</nav><h1>{escape(_text(meta.agency))} '
            f"{escape(_year(meta))}</h1><p>{pdf}</p><dl class=\"facts\">{dl}</dl>{note}")


def _text(value) -> str:
    return "—" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(
        value)


def failed_checks(checks: list) -> list:
    return [check for check in checks if not check.passed]


def _failed_checks(view: ReportView, failed: list, values: _Values,
                   template: str) -> str:
    if not failed:
        return ('<section id="checks"><h2>Checks</h2><p class="ok">'
                f"All {len(view.checks)} checks pass.</p></section>")
    items = [_failed_check(view, check, values, template) for check in failed]
    return (f'<section id="checks"><h2>Failed checks ({len(failed)} of {len(view.checks)})'
            f'</h2><ol class="failed">{"".join(items)}</ol></section>')


def _failed_check(view: ReportView, check, values: _Values, template: str) -> str:
    rule = f"{check.rule}:{check.subject}"
    crops = []
    for key in check_cells(check.rule, check.subject):
        cell = values.by_key.get(key)
        if cell is None:
            continue
        crops.append(_term(cell, template, values.view.renders, f"#{cell_id(*key)}"))
    other = getattr(check, "other_report_id", None)
    earlier = ""
    if isinstance(other, str) and other in view.id_pages:
        links = ", ".join(
            f'<a class="earlier" href="../{view.id_pages[other]}#{cell_id(*key)}">'
            f"{escape(cell_label(*key, template))}</a>"
            for key in earlier_cells(check.rule, check.subject))
        earlier = f"<p>compared with the earlier year's report: {links}</p>"
    return (f'<li class="check" data-rule="{escape(rule)}"><p><code>{escape(rule)}</code>: '
            f"expected {number_text(check.expected)}, found {number_text(check.found)}</p>"
            f'{earlier}<div class="terms">{"".join(crops)}</div></li>')


def _term(cell, template: str, renders: dict[int, Render], href: str) -> str:
    render = renders.get(int(cell.page)) if not pd.isna(cell.page) else None
    label = cell_label(cell.table, cell.row, cell.column, template)
    shown = number_text(cell.value) or _text(cell.raw_text)
    return (f'<figure class="term"><a href="{href}">{crop_html(cell, render)}</a>'
            f"<figcaption>{escape(label)} = <b>{escape(shown)}</b></figcaption></figure>")


def _uncertain(view: ReportView, values: _Values, template: str) -> str:
    rows = []
    for cell in view.cells:
        if not cell.uncertain_reason:
            continue
        reason, candidates = split_reason(cell.uncertain_reason)
        render = view.renders.get(int(cell.page)) if not pd.isna(cell.page) else None
        key = (cell.table, cell.row, cell.column)
        rows.append(f'<tr class="unc"><td><a href="#{cell_id(*key)}">'
                    f"{escape(cell_label(*key, template))}</a></td>"
                    f"<td><code>{escape(_text(cell.raw_text))}</code></td>"
                    f"<td>{escape(reason)}</td><td>{escape(candidates or '—')}</td>"
                    f"<td>{crop_html(cell, render)}</td></tr>")
    if not rows:
        return ""
    return (f'<section id="uncertain"><h2>Uncertain values ({len(rows)})</h2><table class="list">'
            "<tr><th>cell</th><th>raw text 原文</th><th>reason</th><th>OCR candidates</th>"
            f'<th>crop</th></tr>{"".join(rows)}</table></section>')


def _problems(view: ReportView) -> str:
    if view.problems.empty:
        return ""
    items = "".join(
        f"<li><code>{escape(_text(p.kind))}</code> {escape(_text(p.table))}: "
        f"{escape(_text(p.message))}</li>" for p in view.problems.itertuples())
    return (f'<section id="problems"><h2>Problems ({len(view.problems)})</h2>'
            f"<ul>{items}</ul></section>")


def _conflicts(view: ReportView) -> str:
    if view.conflicts.empty:
        return ""
    columns = [c for c in view.conflicts.columns if c not in ("agency_key",)]
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(_text(getattr(r, c, None)))}</td>"
                                    for c in columns) + "</tr>"
                   for r in view.conflicts.itertuples())
    return (f'<section id="conflicts"><h2>Conflicts ({len(view.conflicts)})</h2>'
            f'<table class="list"><tr>{head}</tr>{body}</table></section>')


def _document(title: str, body: str, depth: str = "../") -> str:
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title>"
            f'<link rel="stylesheet" href="{depth}assets/site.css"></head>'
            f'<body class="report">{body}<aside id="crop-panel" hidden></aside>'
            f'<script src="{depth}assets/site.js"></script></body></html>')
