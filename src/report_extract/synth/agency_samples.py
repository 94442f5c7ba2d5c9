"""A multi-agency, multi-year set of reports whose years follow on from each other.

Each agency's year N+1 carries over exactly what year N carried forward (rule 5), and under
template 2021 its regulations in force follow from the year before (rule 6), so the set is
comparison material: one planted continuity break and one published inconsistency are the
only failures, and the manifest names them. `python -m report_extract.synth.agency_samples OUT`
writes it; samples/agencies/ is its committed output.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from report_extract.synth.generate import Job, truth_for, write_manifest, write_reports
from report_extract.synth.truth import failed_rules
from report_extract.synth.variation import Variation
from report_extract.templates import APPLICANT_COLUMNS


@dataclass(frozen=True)
class SeriesAgency:
    slug: str  # file names: <slug>-<year>.pdf
    agency: str
    switches: tuple[tuple[str, Any], ...] = ()  # Variation switches its reports are printed with


SERIES_AGENCIES = (
    SeriesAgency("hongze-district", "淮安市洪泽区人民政府"),
    SeriesAgency("xihu-district", "杭州市西湖区人民政府", (("spaced_headers", True),)),
    SeriesAgency("jiangsu-transport", "江苏省交通运输厅",
                 (("font_family", "ar-pl-uming"), ("shaded_headings", True))),
)
SERIES_YEARS = (2020, 2021, 2022, 2023)
# The planted faults: (slug, year). The break: that year's carried_over of natural_person
# is not what the year before carried forward (in-report rules still hold). The
# inconsistency: that report prints 行政复议 总计 one more than its parts.
CONTINUITY_BREAK = ("xihu-district", 2022)
BREAK_COLUMN = "natural_person"
INCONSISTENT_REPORT = ("jiangsu-transport", 2021)
SEED = 1500


def template_for(year: int) -> str:
    return "2019" if year <= 2020 else "2021"


def series_jobs(seed: int = SEED) -> list[Job]:
    """Every report of the set, with its chained truth."""
    jobs = []
    for a, agency in enumerate(SERIES_AGENCIES):
        previous: dict[str, Any] | None = None
        for year in SERIES_YEARS:
            name = f"{agency.slug}-{year}"
            variation = Variation(template=template_for(year),
                                  seed=seed + 100 * a + year % 100, **dict(agency.switches))
            truth = truth_for(variation, f"{name}.pdf", agency=agency.agency, year=year)
            if previous is not None:
                _follow_on(previous["tables"], truth["tables"],
                           shift=3 if (agency.slug, year) == CONTINUITY_BREAK else 0)
            if (agency.slug, year) == INCONSISTENT_REPORT:
                truth["tables"]["review_litigation"]["review"]["total"] += 1
            truth["expected_check_failures"] = failed_rules(truth["tables"])
            jobs.append(Job(name, variation, truth))
            previous = truth
    return jobs


def _follow_on(before: dict, tables: dict, *, shift: int) -> None:
    """Make `tables` carry over what `before` carried forward (plus `shift` in the break
    column) and keep every in-report rule: `new` absorbs the difference, and where it
    would go negative, more requests are disclosed."""
    apps = tables["applications"]
    for col in APPLICANT_COLUMNS:
        carried = before["applications"]["carried_forward"][col] + (
            shift if col == BREAK_COLUMN else 0)
        apps["carried_over"][col] = carried
        new = apps["total_handled"][col] + apps["carried_forward"][col] - carried
        if new < 0:
            apps["disclosed"][col] += -new
            apps["total_handled"][col] += -new
            new = 0
        apps["new"][col] = new
    for row in apps.values():
        row["total"] = sum(row[c] for c in APPLICANT_COLUMNS if row.get(c) is not None)
    active, previous = tables["active_disclosure"], before["active_disclosure"]
    for row in ("regulations", "normative_documents"):
        if "in_force" in active.get(row, {}) and "in_force" in previous.get(row, {}):
            cells = active[row]
            cells["in_force"] = previous[row]["in_force"] + cells["issued"] - cells["repealed"]


def expected_continuity_failures() -> list[dict[str, Any]]:
    """The continuity rules the set's published numbers violate (for its manifest)."""
    slug, year = CONTINUITY_BREAK
    agency = next(a.agency for a in SERIES_AGENCIES if a.slug == slug)
    return [{"agency": agency, "year": year, "rule": f"continuity.carried:{column}"}
            for column in (BREAK_COLUMN, "total")]


def write_series(out_dir: str | Path, seed: int = SEED) -> list[tuple[Path, Path]]:
    """Render the set into out_dir with manifest.json (switches and planted faults)."""
    out = Path(out_dir)
    jobs = series_jobs(seed)
    made = write_reports(jobs, out)
    write_manifest({j.name: j.variation for j in jobs}, out / "manifest.json")
    faults = {"continuity_failures": expected_continuity_failures(),
              "inconsistent_report": "-".join(map(str, INCONSISTENT_REPORT)) + ".pdf"}
    (out / "faults.json").write_text(json.dumps(faults, ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")
    return made


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m report_extract.synth.agency_samples",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    args = parser.parse_args()
    for pdf, _ in write_series(args.out_dir):
        print(pdf)


if __name__ == "__main__":
    main()
