"""Series of reports: several agencies over several years, each year's numbers carried on
from the year before by one function, `carry_over` (rule 5: carried_forward of year N is
carried_over of year N+1; rule 6: in_force moves by issued - repealed). Two sets use it:

**The dataset series** (`write_series`, tests/test_dataset*.py, benchmarks/dataset.py),
seeded, so that a dataset check finds exactly what was planted:

- one continuity break: an agency prints a carried_over (natural persons, and so the
  total) 3 above the year before's carried_forward, its own rules 1-4 still holding;
- one duplicate agency-year: a revised second report whose 行政复议 numbers differ;
- titles printed with spacing and width variants (spaces, an ideographic space), and one
  agency titled once without its city (洪泽区人民政府 for 淮安市洪泽区人民政府).

**The sample set** `samples/agencies/` (`write_samples`, tests/test_series.py): 3 agencies
× 2020-2023 printed with different switches, one continuity break and one published
inconsistency, listed in its faults.json.

    python -m report_extract.synth.series SEED OUT_DIR
    python -m report_extract.synth.series --samples samples/agencies
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from report_extract import templates as T
from report_extract.synth.generate import Job, truth_for, write_manifest, write_reports
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
                shift = {BREAK[2]: BREAK[3]} if (index, year) == BREAK[:2] else None
                carry_over(truth["tables"], before["tables"], shift=shift)
            if (index, year) == BREAK[:2]:
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
    carry_over(truth["tables"], before["tables"])
    return _finish(truth, source_file, truth["agency"])


def carry_over(tables: dict[str, Any], before: dict[str, Any], *,
               shift: dict[str, int] | None = None) -> None:
    """Make `tables` continue `before` (rule 5: carried_over is what `before` carried
    forward, plus `shift` in a column where a break is planted; rule 6 where both print
    in_force, i.e. both are template 2021), keeping rules 1-4: `new` absorbs the
    difference, and where it would go negative, more requests are disclosed."""
    apps = tables["applications"]
    for col in T.APPLICANT_COLUMNS:
        carried = (before["applications"]["carried_forward"][col] or 0) + (
            shift or {}).get(col, 0)
        apps["carried_over"][col] = carried
        new = apps["total_handled"][col] + apps["carried_forward"][col] - carried
        if new < 0:
            apps["disclosed"][col] += -new
            apps["total_handled"][col] += -new
            new = 0
        apps["new"][col] = new
    for row in apps.values():  # a row the template does not print keeps no total
        if row.get("total") is not None:
            row["total"] = sum(row[c] or 0 for c in T.APPLICANT_COLUMNS)
    active, previous = tables["active_disclosure"], before["active_disclosure"]
    for row in ("regulations", "normative_documents"):
        if "in_force" in active.get(row, {}) and "in_force" in previous.get(row, {}):
            cells, start = active[row], previous[row]["in_force"] or 0
            cells["repealed"] = min(cells["repealed"], start + cells["issued"])
            cells["in_force"] = start + cells["issued"] - cells["repealed"]


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


@dataclass(frozen=True)
class SampleAgency:
    slug: str  # file names: <slug>-<year>.pdf
    agency: str
    switches: tuple[tuple[str, Any], ...] = ()  # Variation switches its reports are printed with


SAMPLE_AGENCIES = (
    SampleAgency("hongze-district", "淮安市洪泽区人民政府"),
    SampleAgency("xihu-district", "杭州市西湖区人民政府", (("spaced_headers", True),)),
    SampleAgency("jiangsu-transport", "江苏省交通运输厅",
                 (("font_family", "ar-pl-uming"), ("shaded_headings", True))),
)
SAMPLE_YEARS = (2020, 2021, 2022, 2023)
# The planted faults: (slug, year). The break: that year's carried_over of natural_person
# is not what the year before carried forward (in-report rules still hold). The
# inconsistency: that report prints 行政复议 总计 one more than its parts.
CONTINUITY_BREAK = ("xihu-district", 2022)
BREAK_COLUMN = "natural_person"
INCONSISTENT_REPORT = ("jiangsu-transport", 2021)
SAMPLES_SEED = 1500


def sample_jobs(seed: int = SAMPLES_SEED) -> list[Job]:
    """Every report of the sample set, with its chained truth."""
    jobs = []
    for a, agency in enumerate(SAMPLE_AGENCIES):
        previous: dict[str, Any] | None = None
        for year in SAMPLE_YEARS:
            name = f"{agency.slug}-{year}"
            variation = Variation(template=template_of(year),
                                  seed=seed + 100 * a + year % 100, **dict(agency.switches))
            truth = truth_for(variation, f"{name}.pdf", agency=agency.agency, year=year)
            if previous is not None:
                shift = {BREAK_COLUMN: 3} if (agency.slug, year) == CONTINUITY_BREAK else None
                carry_over(truth["tables"], previous["tables"], shift=shift)
            if (agency.slug, year) == INCONSISTENT_REPORT:
                truth["tables"]["review_litigation"]["review"]["total"] += 1
            truth["expected_check_failures"] = failed_rules(truth["tables"])
            jobs.append(Job(name, variation, truth))
            previous = truth
    return jobs


def expected_sample_failures() -> list[dict[str, Any]]:
    """The continuity rules the sample set's published numbers violate (its faults.json)."""
    slug, year = CONTINUITY_BREAK
    agency = next(a.agency for a in SAMPLE_AGENCIES if a.slug == slug)
    return [{"agency": agency, "year": year, "rule": f"continuity.carried:{column}"}
            for column in (BREAK_COLUMN, "total")]


def write_samples(out_dir: str | Path, seed: int = SAMPLES_SEED) -> list[tuple[Path, Path]]:
    """Render the sample set into out_dir with manifest.json (switches) and faults.json."""
    out = Path(out_dir)
    jobs = sample_jobs(seed)
    made = write_reports(jobs, out)
    write_manifest({j.name: j.variation for j in jobs}, out / "manifest.json")
    faults = {"continuity_failures": expected_sample_failures(),
              "inconsistent_report": "-".join(map(str, INCONSISTENT_REPORT)) + ".pdf"}
    (out / "faults.json").write_text(json.dumps(faults, ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")
    return made


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m report_extract.synth.series",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("where", nargs="+", metavar="SEED OUT_DIR",
                        help="a seed and a folder; with --samples, the folder only")
    parser.add_argument("--samples", action="store_true",
                        help="write the sample set (samples/agencies/) instead")
    args = parser.parse_args()
    if args.samples:
        if len(args.where) != 1:
            parser.error("--samples takes one folder: the set's seed is fixed")
        for pdf, _ in write_samples(args.where[0]):
            print(pdf)
        return
    if len(args.where) != 2 or not args.where[0].isdigit():
        parser.error("give a seed (a whole number) and a folder")
    seed, out_dir = int(args.where[0]), args.where[1]
    series = write_series(seed, out_dir)
    print(f"{len(series.reports)} reports, {len(series.breaks)} planted continuity "
          f"failures, {len(series.duplicates)} conflicting cells", flush=True)


if __name__ == "__main__":
    main()
