"""samples/agencies/: the committed multi-agency, multi-year set is the generator's output,
and its years follow on from each other except where a fault is planted."""

from __future__ import annotations

import json

from conftest import SAMPLES

from report_extract.synth.series import (
    CONTINUITY_BREAK,
    INCONSISTENT_REPORT,
    SAMPLE_AGENCIES,
    SAMPLE_YEARS,
    sample_jobs,
)
from report_extract.templates import APPLICATION_COLUMNS

SERIES = SAMPLES / "agencies"


def test_committed_truths_are_the_generators():
    jobs = sample_jobs()
    assert len(jobs) == len(SAMPLE_AGENCIES) * len(SAMPLE_YEARS) == 12
    for job in jobs:
        committed = json.loads((SERIES / f"{job.name}.truth.json").read_text("utf-8"))
        assert committed == job.truth, f"samples/agencies/{job.name}: rerun synth.series --samples"
        assert (SERIES / f"{job.name}.pdf").is_file()
    assert {j.variation.template for j in jobs} == {"2019", "2021"}


def test_years_follow_on_except_the_planted_break():
    truths = {(j.name.rsplit("-", 1)[0], j.truth["year"]): j.truth for j in sample_jobs()}
    breaks = []
    for (slug, year), truth in truths.items():
        before = truths.get((slug, year - 1))
        if before is None:
            continue
        forward = before["tables"]["applications"]["carried_forward"]
        over = truth["tables"]["applications"]["carried_over"]
        breaks += [(slug, year, c.key) for c in APPLICATION_COLUMNS
                   if forward[c.key] != over[c.key]]
    assert breaks == [(*CONTINUITY_BREAK, "natural_person"), (*CONTINUITY_BREAK, "total")]
    failing = {key: t["expected_check_failures"] for key, t in truths.items()
               if t["expected_check_failures"]}
    assert failing == {INCONSISTENT_REPORT: ["review_litigation.total:review"]}


def test_rule_6_never_makes_a_negative_count():
    # carry_over once left 淮安市洪泽区人民政府 2022 with -6 regulations in force
    in_force = [cells["in_force"] for job in sample_jobs()
                for cells in job.truth["tables"]["active_disclosure"].values()
                if "in_force" in cells]
    assert in_force and min(in_force) >= 0
