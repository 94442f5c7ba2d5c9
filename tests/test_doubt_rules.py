"""The doubt rules are one registry, each documented; docs/doubt-rules.md is generated
from it and must be up to date."""

from __future__ import annotations

from pathlib import Path

from report_extract.doubt_doc import doubt_rules_markdown
from report_extract.normalize.doubt import RULES

DOC = Path(__file__).resolve().parents[1] / "docs" / "doubt-rules.md"


def test_the_committed_doubt_rule_list_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == doubt_rules_markdown(), (
        "regenerate: python -m report_extract.doubt_doc > docs/doubt-rules.md")


def test_every_rule_says_what_it_catches():
    doubt_rules_markdown()  # registers scan.uncertainty's rules
    assert {"run_together_header", "column_by_position", "misread_label",
            "single_other_beside_unplaced_rows", "check_suspect"} <= set(RULES)
    assert [name for name, rule in RULES.items() if len(rule.doc) < 40] == []
