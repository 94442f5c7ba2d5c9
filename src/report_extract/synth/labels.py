"""What a synthetic report prints for each label and value, under a Variation.

All label text comes from report_extract.templates; this module only deforms it the way
real reports do (brackets, numbering, spacing, typos).
"""

from __future__ import annotations

import random
import re

from report_extract import templates as T
from report_extract.synth.variation import Variation

_LEAF_NUMBER_RE = re.compile(r"^(\d+)\.")


class Labeler:
    """Printed text for labels and values; choices are stable per (seed, label)."""

    def __init__(self, variation: Variation):
        self.v = variation

    def _rng(self, label: str) -> random.Random:
        return random.Random(f"{self.v.seed}:{label}")

    def text(self, label: str) -> str:
        """Any label or heading: brackets and leaf numbering as the variation prints them."""
        if self.v.dunhao_numbering:
            label = _LEAF_NUMBER_RE.sub(r"\1、", label)
        if self.v.halfwidth_brackets:
            label = label.replace("（", "(").replace("）", ")")
        return label

    def row(self, table: str, key: str, template: str) -> str:
        label = T.printed_label(table, key, template)
        variants = T.PRINTED_VARIANTS.get(key, ())
        if self.v.label_typos and variants and self._rng(key).random() < 0.7:
            label = self._rng(key + "#").choice(variants)
        return self.text(label)

    def column(self, table: str, key: str, template: str) -> str:
        return self.header(T.printed_label(table, key, template, column=True))

    def header(self, label: str, *, narrow: bool = True) -> str:
        """A header cell: maybe spaced out, or broken if narrow ("总 计", "结 果\\n维持")."""
        rng = self._rng("hdr:" + label)
        if self.v.spaced_headers and rng.random() < 0.7:
            label = _spaced(label, rng, narrow)
        return self.text(label)

    def block_heading(self, heading: str) -> str:
        if self.v.label_typos and self._rng("heading:" + heading).random() < 0.5:
            heading = heading.replace(T.HEADING_SPACE_AFTER, T.HEADING_SPACE_AFTER + " ", 1)
        return self.text(heading)

    def value(self, value: int | float | None) -> str:
        if value is None:
            return self.v.null_mark
        if isinstance(value, float):
            if value == 0:
                return "0"
            return f"{value:,.2f}" if self.v.thousands_separators else f"{value:.2f}"
        return f"{value:,}" if self.v.thousands_separators else str(value)


def _spaced(label: str, rng: random.Random, narrow: bool) -> str:
    if len(label) == 2:
        return label[0] + rng.choice((" ", "  ", "\u3000")) + label[1]
    if len(label) == 4 and narrow:
        return rng.choice((label[:2] + "\n" + label[2:],
                           label[0] + " " + label[1] + "\n" + label[2:],
                           label[:2] + " " + label[2:]))
    if 4 <= len(label) <= 8:
        cut = rng.randint(2, len(label) - 2)
        return label[:cut] + " " + label[cut:]
    return label
