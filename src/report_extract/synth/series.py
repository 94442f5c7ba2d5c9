"""A consistent series of reports: several agencies over several years, as a dataset.

Each agency's numbers carry over from year to year (rule 5: carried_forward of year N is
carried_over of year N+1; rule 6: in_force moves by issued - repealed), so a dataset
check finds exactly what was planted:

- one continuity break: an agency prints a carried_over (natural persons, and so the
  total) 3 above the year before's carried_forward, its own rules 1-4 still holding;
- one duplicate agency-year: a revised second report whose 行政复议 numbers differ;
- titles printed with spacing and width variants (spaces, an ideographic space), and one
  agency titled once without its city (洪泽区人民政府 for 淮安市洪泽区人民政府).

    python -m report_extract.synth.series SEED OUT_DIR
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from report_extract import templates as T
from report_extract.synth.generate import Job, write_reports
from report_extract.synth.truth import failed_rules, random_truth
from report_extract.synth.variation import Variation

SERIES_AGENCIES = ("淮安市洪泽区人民政府", "南京市玄武区人民政府", "哈尔滨市科学技术局",
                   "江苏省交通运输厅")
SERIES_YEARS = (2019, 2020, 2021, 2022)
# How titles print the names (agency index, year) -> printed name; the extractor reads
# the agency with its spacing removed, so `agency` in the truth is the name unspaced.
PRINTED = {
    (0, 2019): "洪泽区人民政府",  # the city left out: linked by its region prefix
    (1, 2020): "南京市 玄武区 人民政府",
    (2, 2021): "哈尔滨市\u3000科学技术局",  # an ideographic (full-width) space
    (3, 2022): "江苏省 交通运输厅",
}
BREAK = (1, 2021, "natural_person", 3)  # agency, later year, column, amount off
DUPLICATE = (2, 2022)  # agency, year of the revised second report
DUPLICATE_PRINTED = "哈尔滨市 科学技术局"


@dataclass
class Series:
    """What a series holds and what a dataset check must find in it."""

    reports: list[dict[str, Any]] = field(default_factory=list)  # {name, year, agency...}
    breaks: list[dict[str, Any]] = field(default_factory=list)  # failing rule-5 checks
    duplicates: list[dict[str, Any]] = field(default_factory=list)  # conflicting cells

    def to_json(self) -> str:
        return json.dumps({"reports": self.reports, "breaks": self.breaks,
                           "duplicates": self.duplicates}, ensure_ascii=False, indent=2)


def template_of(year: int) -> str:
    return "2019" if year < 2021 else "2021"


def series_truths(seed: int) -> tuple[list[tuple[str, dict[str, Any], Variation]], Series]:
    """(name, truth, variation) of every report of the series, and what it plants."""
    rng = random.Random(f"series:{seed}")
    made: list[tuple[str, dict[str, Any], Variation]] = []
    series = Series()
    for index, agency in enumerate(SERIES_AGENCIES):
        before: dict[str, Any] | None = None
        for year in SERIES_YEARS:
            template = template_of(year)
            truth = random_truth(rng, template, agency=agency, year=year)
            if before is not None:
                carry_over(truth["tables"], before["tables"], both_2021=(
                    before["template"] == template == "2021"))
            if (index, year) == BREAK[:2]:
                _shift_carried_over(truth["tables"], BREAK[2], BREAK[3])
                series.breaks += _break_records(agency, year, before, truth)
            name = f"series-{seed}-a{index}-{year}"
            printed = PRINTED.get((index, year), agency)
            truth = _finish(truth, f"{name}.pdf", printed)
            variation = Variation(template=template, seed=rng.randrange(1 << 30),
                                  title_wrap=rng.random() < 0.5)
            made.append((name, truth, variation))
            series.reports.append({"name": name, "agency": truth["agency"], "year": year,
                                   "agency_key": agency, "template": template})
            if (index, year) == DUPLICATE:
                revised = _revised(truth, f"{name}-revised.pdf")
                made.append((f"{name}-revised", revised, variation))
                series.reports.append({"name": f"{name}-revised", "agency": agency,
                                       "year": year, "agency_key": agency,
                                       "template": template})
                series.duplicates += _duplicate_records(agency, year, truth, revised)
            before = truth
    return made, series


def _finish(truth: dict[str, Any], source_file: str, printed: str) -> dict[str, Any]:
    truth["source_file"] = source_file
    truth["agency"] = "".join(printed.split())
    if printed != truth["agency"]:
        truth["printed_agency"] = printed
    truth["expected_check_failures"] = failed_rules(truth["tables"])
    return truth


def next_year(before: dict[str, Any], seed: int, *, agency: str | None = None,
              source_file: str = "next.pdf") -> dict[str, Any]:
    """A truth for the year after `before` (any canonical truth, a real report's too),
    its numbers continuing `before`'s (rules 5-6) and obeying rules 1-4."""
    year = before["year"] + 1
    template = template_of(year)
    truth = random_truth(random.Random(f"next:{seed}"), template,
                         agency=agency or before["agency"], year=year)
    carry_over(truth["tables"], before["tables"],
               both_2021=before["template"] == template == "2021")
    return _finish(truth, source_file, truth["agency"])


def carry_over(tables: dict[str, Any], before: dict[str, Any], *, both_2021: bool) -> None:
    """Make this year's numbers continue last year's (rules 5-6), keeping rules 1-4."""
    apps = tables["applications"]
    for col in T.APPLICANT_COLUMNS:
        _set_carried_over(apps, col, before["applications"]["carried_forward"][col] or 0)
    _retotal(apps)
    if both_2021:
        active = tables["active_disclosure"]
        for row in ("regulations", "normative_documents"):
            cells, start = active[row], before["active_disclosure"][row]["in_force"] or 0
            cells["repealed"] = min(cells["repealed"], start + cells["issued"])
            cells["in_force"] = start + cells["issued"] - cells["repealed"]


def _set_carried_over(apps: dict[str, Any], col: str, target: int) -> None:
    delta = target - apps["carried_over"][col]
    apps["carried_over"][col] = target
    if delta >= 0:  # more carried over: more handled (and disclosed)
        apps["total_handled"][col] += delta
        apps["disclosed"][col] += delta
    else:  # less carried over: more newly received
        apps["new"][col] -= delta


def _retotal(apps: dict[str, Any]) -> None:
    for cells in apps.values():
        if cells.get("total") is not None:
            cells["total"] = sum(cells[c] or 0 for c in T.APPLICANT_COLUMNS)


def _shift_carried_over(tables: dict[str, Any], col: str, amount: int) -> None:
    apps = tables["applications"]
    _set_carried_over(apps, col, apps["carried_over"][col] + amount)
    _retotal(apps)


def _break_records(agency: str, year: int, before: dict[str, Any] | None,
                   truth: dict[str, Any]) -> list[dict[str, Any]]:
    assert before is not None
    apps, old = truth["tables"]["applications"], before["tables"]["applications"]
    return [{"agency_key": agency, "year": year, "rule": T.RULE_CONTINUITY_CARRIED,
             "subject": col, "expected": old["carried_forward"][col],
             "found": apps["carried_over"][col]} for col in (BREAK[2], "total")]


def _revised(truth: dict[str, Any], source_file: str) -> dict[str, Any]:
    """The same report published again with one 行政复议 result more."""
    revised = json.loads(json.dumps(truth))
    review = revised["tables"]["review_litigation"]["review"]
    review["upheld"] += 1
    review["total"] += 1
    revised["printed_agency"] = DUPLICATE_PRINTED
    revised["agency"] = "".join(DUPLICATE_PRINTED.split())
    revised["source_file"] = source_file
    revised["expected_check_failures"] = failed_rules(revised["tables"])
    return revised


def _duplicate_records(agency: str, year: int, truth: dict[str, Any],
                       revised: dict[str, Any]) -> list[dict[str, Any]]:
    a, b = truth["tables"]["review_litigation"], revised["tables"]["review_litigation"]
    return [{"agency_key": agency, "year": year, "table": "review_litigation",
             "row": "review", "column": col, "values": sorted([a["review"][col],
                                                              b["review"][col]])}
            for col in ("upheld", "total")]


def write_series(seed: int, out_dir: str | Path) -> Series:
    """Write the series' PDFs and truths into out_dir, and series-SEED.json saying what
    a dataset check must find."""
    out = Path(out_dir)
    made, series = series_truths(seed)
    write_reports([Job(name, variation, truth) for name, truth, variation in made], out)
    (out / f"series-{seed}.json").write_text(series.to_json() + "\n", encoding="utf-8")
    return series


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m report_extract.synth.series",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("seed", type=int)
    parser.add_argument("out_dir")
    args = parser.parse_args()
    series = write_series(args.seed, args.out_dir)
    print(f"{len(series.reports)} reports, {len(series.breaks)} planted continuity "
          f"failures, {len(series.duplicates)} conflicting cells", flush=True)


if __name__ == "__main__":
    main()
