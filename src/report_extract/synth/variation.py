"""How one synthetic report is printed: every deviation from the clean template is a
named switch, so a failing extraction can be traced to the switch that caused it."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

FONT_FAMILIES = ("wqy-zenhei", "ar-pl-uming")
FONT_SIZES = (9.0, 10.0, 10.5, 12.0)
NULL_MARKS = ("—", "", "/", "无")
# Rows of table 三 before which split_in_merged_block forces a page break: each inside a
# merged group cell (（三）不予公开, （四）无法提供, （五）不予处理).
SPLIT_ROWS = ("withheld_third_party", "withheld_internal_affairs", "withheld_process_info",
              "unavailable_needs_creation", "unavailable_unclear", "not_processed_duplicate")

# The boolean switches, and how often Variation.random turns each on.
_SWITCH_ODDS = {
    "split_in_merged_block": 0.3,
    "repeat_header_after_break": 0.25,
    "spaced_headers": 0.4,
    "wrapped_labels": 0.35,
    "halfwidth_brackets": 0.25,
    "dunhao_numbering": 0.25,
    "label_typos": 0.3,
    "thousands_separators": 0.3,
    "null_marks": 0.2,
    "mixed_other_row": 0.3,  # only with template 2021
    "inconsistency": 0.2,
    "landscape": 0.1,
    "large_numbers": 0.15,
    "shaded_headings": 0.4,
    "title_wrap": 0.6,
}


@dataclass(frozen=True)
class Variation:
    """Rendering switches. Defaults print the clean official 2021 template."""

    template: str = "2021"
    font_family: str = "wqy-zenhei"
    font_size: float = 10.5  # table text; body text is a little larger
    col_scale: float = 1.0  # table width relative to the text width
    split_in_merged_block: bool = False  # force a page break inside a merged block of 三
    split_row: str = "unavailable_needs_creation"  # the row that starts the new page
    repeat_header_after_break: bool = False  # redraw the header rows on the next page
    spaced_headers: bool = False  # "总 计", "结 果\n维持", "法律服 务机构"
    wrapped_labels: bool = False  # narrow label columns: long labels wrap
    halfwidth_brackets: bool = False  # "(一)" for "（一）"
    dunhao_numbering: bool = False  # "1、" for "1."
    label_typos: bool = False  # templates.PRINTED_VARIANTS, "第二十条 第（一）项"
    thousands_separators: bool = False  # "1,234"
    null_marks: bool = False  # table 二 zeros printed as null_mark, null in the truth
    null_mark: str = "—"
    mixed_other_row: bool = False  # 2021 table 二 with the 2019 single （六）其他处理 row
    inconsistency: bool = False  # one published number breaks the rules
    landscape: bool = False
    large_numbers: bool = False  # counts in the thousands
    shaded_headings: bool = False  # filled heading rows in table 二, as WPS prints them
    title_wrap: bool = True  # agency on line 1, "<year>年…报告" on line 2
    seed: int = 0  # drives the filler text and the per-label choices

    @classmethod
    def random(cls, rng: random.Random) -> Variation:
        template = rng.choice(("2019", "2021", "2021"))
        on = {name: rng.random() < odds for name, odds in _SWITCH_ODDS.items()}
        if template == "2019":
            on["mixed_other_row"] = False
        return cls(
            template=template,
            font_family=rng.choice(FONT_FAMILIES),
            font_size=rng.choice(FONT_SIZES),
            col_scale=rng.choice((0.9, 1.0, 1.0, 1.1)),
            split_row=rng.choice(SPLIT_ROWS),
            null_mark=rng.choice(NULL_MARKS),
            seed=rng.randrange(1 << 30),
            **on,
        )

    def with_(self, **changes: Any) -> Variation:
        return replace(self, **changes)

    def switches(self) -> dict[str, Any]:
        """All fields, for a manifest."""
        return asdict(self)

    @property
    def name(self) -> str:
        """A short summary: template, font, size and the switches that are on."""
        parts = [f"t{self.template}", self.font_family, f"{self.font_size:g}pt"]
        if self.col_scale != 1.0:
            parts.append(f"w{self.col_scale:g}")
        for f in fields(self):
            if f.type in ("bool", bool) and getattr(self, f.name) and f.name != "title_wrap":
                parts.append(f.name)
        return "+".join(parts)
