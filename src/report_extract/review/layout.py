"""The three tables laid out as the template prints them, as HTML rows.

Labels are the template's (templates.py); each value cell is drawn by a callback the
report page gives (it knows the values, their marks and crops).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from report_extract.templates import (
    ACTIVE_BLOCKS,
    ACTIVE_LABEL_HEADER,
    APPLICANT_HEADER,
    APPLICATION_ROWS,
    APPLICATIONS_CORNER,
    LITIGATION_GROUP_LABEL,
    ORG_GROUP_LABEL,
    RESULTS_BLOCK_LABEL,
    REVIEW_COLUMNS,
    REVIEW_ROWS,
    SECTION_HEADINGS,
    printed_label,
)

ValueCell = Callable[[str, str, str], str]  # (table, row, column) -> "<td …>…</td>"
_OUTER_ROWS = ("new", "carried_over", "carried_forward")


def _th(text: str, colspan: int = 1, rowspan: int = 1, cls: str = "") -> str:
    span = (f' colspan="{colspan}"' if colspan > 1 else "") + (
        f' rowspan="{rowspan}"' if rowspan > 1 else "")
    klass = f' class="{cls}"' if cls else ""
    return f"<th{span}{klass}>{escape(text)}</th>"


def section(table: str, template: str, value: ValueCell, rows_present: set[str]) -> str:
    heading = escape(SECTION_HEADINGS[table][0])
    body = {"active_disclosure": _active, "applications": _applications,
            "review_litigation": _review}[table](template, value, rows_present)
    return (f'<section class="table" id="t-{table}"><h2>{heading}</h2>'
            f'<div class="scroll"><table class="printed">{body}</table></div></section>')


def _spans(n: int, width: int) -> list[int]:
    """Column spans that share `width` columns among n (a block with fewer columns)."""
    return [width // n + (1 if i < width % n else 0) for i in range(n)]


def _active(template: str, value: ValueCell, rows_present: set[str]) -> str:
    width = max(len(block.columns) for block in ACTIVE_BLOCKS[template])
    out = []
    for block in ACTIVE_BLOCKS[template]:
        spans = _spans(len(block.columns), width)
        out.append(f"<tr>{_th(block.heading, width + 1, cls='block')}</tr>")
        labels = "".join(_th(printed_label("active_disclosure", col, template, column=True),
                             span) for col, span in zip(block.columns, spans, strict=True))
        out.append(f"<tr>{_th(ACTIVE_LABEL_HEADER)}{labels}</tr>")
        for row in block.rows:
            if row not in rows_present:
                continue
            cells = "".join(_spanned(value("active_disclosure", row, col), span)
                            for col, span in zip(block.columns, spans, strict=True))
            out.append(f"<tr>{_th(printed_label('active_disclosure', row, template))}"
                       f"{cells}</tr>")
    return "".join(out)


def _spanned(cell: str, span: int) -> str:
    return cell.replace("<td", f'<td colspan="{span}"', 1) if span > 1 else cell


def _applications(template: str, value: ValueCell, rows_present: set[str]) -> str:
    columns = ("natural_person", "commercial", "research", "public_interest",
               "legal_services", "other_org", "total")

    def label(column: str) -> str:
        return printed_label("applications", column, template, column=True)

    head = (f"<tr>{_th(APPLICATIONS_CORNER, 3, 3, 'corner')}{_th(APPLICANT_HEADER, 7)}</tr>"
            f"<tr>{_th(label('natural_person'), 1, 2)}{_th(ORG_GROUP_LABEL, 5)}"
            f"{_th(label('total'), 1, 2)}</tr>"
            f"<tr>{''.join(_th(label(c)) for c in columns[1:6])}</tr>")
    rows = [spec for spec in APPLICATION_ROWS
            if spec.key in rows_present or (template in spec.templates
                                            and spec.key in _OUTER_ROWS)]
    results = [spec for spec in rows if spec.key not in _OUTER_ROWS]
    out = [head]
    group_seen: set[str] = set()
    for spec in rows:
        labels = ""
        if spec.key in _OUTER_ROWS:
            labels = _th(spec.label, 3)
        else:
            if spec is results[0]:
                labels += _th(RESULTS_BLOCK_LABEL, 1, len(results), "vertical")
            if spec.group and spec.group not in group_seen:
                group_seen.add(spec.group)
                size = sum(1 for r in results if r.group == spec.group)
                labels += _th(spec.group, 1, size)
            labels += _th(spec.label) if spec.group else _th(spec.label, 2)
        values = "".join(value("applications", spec.key, col) for col in columns)
        out.append(f"<tr>{labels}{values}</tr>")
    return "".join(out)


def _review(template: str, value: ValueCell, rows_present: set[str]) -> str:
    review, direct, after = (spec.label for spec in REVIEW_ROWS)
    columns = [spec.key for spec in REVIEW_COLUMNS]
    labels = "".join(_th(spec.label) for spec in REVIEW_COLUMNS)
    head = (f"<tr>{_th(review, 5, 2)}{_th(LITIGATION_GROUP_LABEL, 10)}</tr>"
            f"<tr>{_th(direct, 5)}{_th(after, 5)}</tr><tr>{labels * 3}</tr>")
    values = "".join(value("review_litigation", spec.key, col)
                     for spec in REVIEW_ROWS for col in columns)
    return f"{head}<tr>{values}</tr>"
