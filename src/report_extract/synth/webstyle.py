"""The switches of a report published as a portal page (issue 13), drawn per report.

Kept apart from web.py (which renders) so that variation.py can import it without the
renderer's dependencies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SITES = ("portal", "column")  # two site templates: header + nav, or a table-laid-out page
BORDERS = ("collapse", "double", "separate")  # Word's 1pt grid, double rules, spaced cells
ENCODINGS = ("utf-8", "gbk")


@dataclass(frozen=True)
class WebStyle:
    site: str = "portal"
    borders: str = "collapse"
    encoding: str = "utf-8"  # the page's declared (and actual) encoding
    blank_zeros: bool = False  # table 二's zeros left as blank cells (null in the truth)
    amount_yuan: bool = False  # 收费金额 printed in 元 ("123400.00元"), not 万元
    misaligned_spans: bool = False  # Word's thin ghost columns: spans differ per row
    title_in_body: bool = True  # the Word content repeats the title under the page's <h1>
    print_header: bool = False  # chromium: the browser's header (title, date) and footer
    # (URL, "1/3"); its date is the day of printing, so such a PDF differs from day to day
    seed: int = 0

    def __post_init__(self) -> None:
        for name, allowed in (("site", SITES), ("borders", BORDERS), ("encoding", ENCODINGS)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"WebStyle.{name}={getattr(self, name)!r}: expected one of "
                                 f"{allowed}")

    @property
    def name(self) -> str:
        parts = [f"web:{self.site}", self.borders, self.encoding]
        parts += [flag for flag in ("blank_zeros", "amount_yuan", "misaligned_spans",
                                    "print_header") if getattr(self, flag)]
        return "+".join(parts)


def draw_web(report_seed: int) -> WebStyle:
    """A page's switches from a stream of its own, seeded by the report's seed: the html
    and the chromium producer publish the same page."""
    rng = random.Random(f"web:{report_seed}")
    return WebStyle(
        site=rng.choice(SITES),
        borders=rng.choice(BORDERS),
        encoding=rng.choice(ENCODINGS),
        blank_zeros=rng.random() < 0.3,
        amount_yuan=rng.random() < 0.3,
        misaligned_spans=rng.random() < 0.3,
        title_in_body=rng.random() < 0.5,
        print_header=rng.random() < 0.4,
        seed=rng.randrange(1 << 30),
    )
