"""python -m report_extract.doubt_doc > docs/doubt-rules.md: the doubt rules registered in
normalize.doubt (values, labels, headers, tables) and scan.uncertainty (whole OCR'd
reports), as a Markdown list. tests/test_doubt_rules.py checks the committed file."""

from __future__ import annotations

from report_extract.normalize.doubt import RULES, markdown


def doubt_rules_markdown() -> str:
    import report_extract.scan.uncertainty  # noqa: F401  (registers the report-level rules)

    return markdown(list(RULES.values()))


if __name__ == "__main__":
    print(doubt_rules_markdown(), end="")
