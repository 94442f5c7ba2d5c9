"""Random ground truth for a synthetic report, in the spec's canonical JSON format.

The numbers obey consistency rules 1-4 of the spec unless `inconsistency` is set; then
one published number is perturbed and `expected_check_failures` lists the rules that the
final numbers really fail, as computed by `failed_rules` (the generator's own check).

Null policy: a row the report does not print is a row of nulls (2019's other_* rows, 2021's
`other` row). With `null_zeros`, zero cells of table 二 become null (printed as "—" etc.);
table 二 takes part in no rule. `dropped_rows` are rows the agency leaves out because they
are all zero: they are generated as zeros (so rules 1-4 hold) and then nulled. `failed_rules`
counts a null as 0, which only matters for unprinted rows, whose contribution is nothing.
"""

from __future__ import annotations

import random
from typing import Any

from report_extract import templates as T

Number = int | float | None
Rows = dict[str, dict[str, Number]]

AGENCIES = (
    "哈尔滨市科学技术局",
    "淮安市洪泽区人民政府",
    "南京市玄武区人民政府",
    "杭州市西湖区人民政府",
    "成都市武侯区人民政府",
    "苏州市吴江区人民政府",
    "广州市天河区人民政府",
    "济南市历下区人民政府",
    "长沙市岳麓区人民政府",
    "郑州市金水区人民政府",
    "黑龙江省生态环境厅",
    "江苏省交通运输厅",
    "浙江省市场监督管理局",
    "湖南省水利厅",
    "四川省教育厅",
    "武汉市自然资源和规划局",
    "西安市人力资源和社会保障局",
    "青岛市卫生健康委员会",
    "合肥市住房和城乡建设局",
    "昆明市财政局",
    "沭阳县人民政府",
    "宁乡市农业农村局",
    "桐乡市人民政府",
    "平阳县应急管理局",
    "盱眙县民政局",
    "长兴县司法局",
    "仪征市文化广电和旅游局",
    "宜兴市丁蜀镇人民政府",
    "金湖县人民政府办公室",
    "海门区统计局",
)

YEARS = {"2019": (2019, 2020), "2021": (2021, 2022, 2023, 2024, 2025)}

# Relative weights of the result rows: most requests are disclosed or not held.
_RESULT_WEIGHTS = {
    "disclosed": 40, "partially_disclosed": 10, "withheld_state_secret": 0.3,
    "withheld_prohibited": 0.5, "withheld_security_stability": 0.3,
    "withheld_third_party": 1.5, "withheld_internal_affairs": 1, "withheld_process_info": 1.5,
    "withheld_enforcement_files": 0.5, "withheld_inquiry": 1, "unavailable_not_held": 20,
    "unavailable_needs_creation": 4, "unavailable_unclear": 2, "not_processed_petition": 4,
    "not_processed_duplicate": 2, "not_processed_publication": 0.5,
    "not_processed_excessive": 0.5, "not_processed_confirmation": 0.5, "other": 3,
    "other_no_correction": 2, "other_unpaid_fee": 0.3, "other_other": 2,
}


def random_truth(
    rng: random.Random,
    template: str,
    *,
    inconsistency: bool = False,
    mixed_other_row: bool = False,
    null_zeros: bool = False,
    large: bool = False,
    dropped_rows: tuple[str, ...] = (),
    agency: str | None = None,
    year: int | None = None,
    source_file: str = "report.pdf",
) -> dict[str, Any]:
    """A canonical report dict. `large` forces some numbers into the thousands."""
    if template not in T.TEMPLATES:
        raise ValueError(f"unknown template {template!r}")
    if mixed_other_row and template != "2021":
        raise ValueError("mixed_other_row only applies to template 2021")
    single_other = template == "2019" or mixed_other_row
    tables = {
        "active_disclosure": _active(rng, template, large=large, null_zeros=null_zeros,
                                     dropped=dropped_rows),
        "applications": _applications(rng, single_other=single_other, large=large,
                                      dropped=dropped_rows),
        "review_litigation": _review(rng),
    }
    _drop(tables, dropped_rows)
    if inconsistency:
        _perturb(rng, tables)
    return {
        "source_file": source_file,
        "agency": agency or rng.choice(AGENCIES),
        "year": year or rng.choice(YEARS[template]),
        "template": template,
        "tables": tables,
        "expected_check_failures": failed_rules(tables),
    }


# --- table 二 ---------------------------------------------------------------------------


def _count(rng: random.Random, hi: int, p_zero: float = 0.4) -> int:
    """A small count, often zero, skewed low."""
    if rng.random() < p_zero:
        return 0
    return int(hi * rng.random() ** 2)


def _active(rng: random.Random, template: str, *, large: bool, null_zeros: bool,
            dropped: tuple[str, ...] = ()) -> Rows:
    big = 9000 if large else 600
    rows: Rows = {}
    for block in T.ACTIVE_BLOCKS[template]:
        for row in block.rows:
            rows[row] = {col: _active_value(rng, row, col, big) for col in block.columns}
            if row in dropped:  # drawn all the same, to keep the other numbers stable
                rows[row] = dict.fromkeys(block.columns, 0)
    if template == "2021":
        for row in ("regulations", "normative_documents"):
            cells = rows[row]
            cells["in_force"] = max(int(cells["in_force"] or 0), int(cells["issued"] or 0))
    if null_zeros:
        for cells in rows.values():
            for col, value in cells.items():
                if value == 0:
                    cells[col] = None
    return rows


def _active_value(rng: random.Random, row: str, col: str, big: int) -> Number:
    if col == "amount":
        # A zero amount is printed "0" and kept an int, as an extractor parses it.
        return 0 if rng.random() < 0.3 else round(rng.uniform(0.5, big), 2)
    if col == "change":
        return rng.choice((0, 0, 0, rng.randint(-5, 5)))
    if row == "regulations":
        return _count(rng, 4, p_zero=0.8)
    if col in ("decisions",) or row in ("licensing", "penalty", "other_services"):
        return _count(rng, big, p_zero=0.3)
    return _count(rng, 60)


# --- table 三 ---------------------------------------------------------------------------


def _applications(rng: random.Random, *, single_other: bool, large: bool,
                  dropped: tuple[str, ...] = ()) -> Rows:
    results = [r for r in T.RESULT_ROWS
               if ((r == "other") == single_other or r not in ("other", *T.OTHER_SPLIT_ROWS))
               and r not in dropped]
    rows: Rows = {r.key: {} for r in T.APPLICATION_ROWS}
    scale = 3000 if large else rng.choice((5, 10, 30, 30, 80, 300))
    for col in T.APPLICANT_COLUMNS:
        _fill_column(rng, rows, col, results, _column_size(rng, col, scale))
    for key, cells in rows.items():
        if key in ("other", *T.OTHER_SPLIT_ROWS, *dropped) and key not in results:
            for col in (*T.APPLICANT_COLUMNS, "total"):
                cells[col] = None
        else:
            cells["total"] = sum(int(cells[c] or 0) for c in T.APPLICANT_COLUMNS)
    return rows


def _column_size(rng: random.Random, col: str, scale: int) -> int:
    """How many requests one applicant class filed: natural persons dominate."""
    if col == "natural_person":
        return int(scale * (0.3 + 0.7 * rng.random()))
    if rng.random() < 0.65:
        return 0
    return int(scale * 0.15 * rng.random() ** 2)


def _fill_column(rng: random.Random, rows: Rows, col: str, results: list[str],
                 new: int) -> None:
    """One applicant column: new + carried_over == handled + carried_forward."""
    carried_over = 0 if rng.random() < 0.6 else int(new * 0.2 * rng.random())
    pending = 0 if rng.random() < 0.6 else int((new + carried_over) * 0.15 * rng.random())
    handled = new + carried_over - pending
    rows["new"][col] = new
    rows["carried_over"][col] = carried_over
    rows["carried_forward"][col] = pending
    rows["total_handled"][col] = handled
    for key, value in zip(results, _split(rng, handled, results), strict=True):
        rows[key][col] = value


def _split(rng: random.Random, total: int, keys: list[str]) -> list[int]:
    """Distribute `total` over `keys` by their weights, each request on its own draw."""
    weights = [_RESULT_WEIGHTS[k] * rng.uniform(0.2, 1.8) for k in keys]
    counts = [0] * len(keys)
    if total > 400:  # proportional first, then the rest at random, to stay fast
        share = sum(weights)
        for i, w in enumerate(weights):
            counts[i] = int(total * w / share * 0.9)
    for i in rng.choices(range(len(keys)), weights, k=total - sum(counts)):
        counts[i] += 1
    return counts


def _drop(tables: dict[str, Rows], dropped: tuple[str, ...]) -> None:
    """Null the rows the report leaves out; they must be all zero (or already null)."""
    for name in ("active_disclosure", "applications"):
        for key in dropped:
            cells = tables[name].get(key)
            if cells is None:
                continue
            if any(value for value in cells.values()):
                raise AssertionError(f"dropped row {key} is not all zero: {cells}")
            for col in cells:
                cells[col] = None


# --- table 四 ---------------------------------------------------------------------------


def _review(rng: random.Random) -> Rows:
    rows: Rows = {}
    for spec in T.REVIEW_ROWS:
        parts = {p: (0 if rng.random() < 0.7 else rng.randint(1, 12)) for p in T.REVIEW_PARTS}
        rows[spec.key] = {**parts, "total": sum(parts.values())}
    return rows


# --- the deliberate inconsistency ------------------------------------------------------


def _perturb(rng: random.Random, tables: dict[str, Rows]) -> None:
    """Change one published number so that some rules fail, as real reports do."""
    kind = rng.choice(("review_total", "app_cell", "app_total", "handled"))
    if kind == "review_total":
        row = rng.choice([r.key for r in T.REVIEW_ROWS])
        cells = tables["review_litigation"][row]
        cells["total"] = _off(rng, int(cells["total"] or 0))
        return
    apps = tables["applications"]
    if kind == "handled":
        col = rng.choice(("natural_person", "total"))
        apps["total_handled"][col] = _off(rng, int(apps["total_handled"][col] or 0))
        return
    printed = [k for k, cells in apps.items() if cells["total"] is not None]
    row = rng.choice(printed)
    col = "total" if kind == "app_total" else rng.choice(T.APPLICANT_COLUMNS)
    apps[row][col] = _off(rng, int(apps[row][col] or 0))


def _off(rng: random.Random, value: int) -> int:
    """A wrong value: usually a small slip, sometimes a printed 0."""
    if value > 0 and rng.random() < 0.3:
        return 0
    return value + rng.choice((1, 1, 2, 10))


# --- rules 1-4 -------------------------------------------------------------------------


def _v(rows: Rows, row: str, col: str) -> float:
    value = rows.get(row, {}).get(col)
    return 0 if value is None else value


def failed_rules(tables: dict[str, Rows]) -> list[str]:
    """Identifiers of the spec's rules 1-4 that `tables` fail, in a fixed order."""
    apps = tables["applications"]
    cols = [c.key for c in T.APPLICATION_COLUMNS]
    failures = []
    for col in cols:
        left = _v(apps, "new", col) + _v(apps, "carried_over", col)
        right = _v(apps, "total_handled", col) + _v(apps, "carried_forward", col)
        if left != right:
            failures.append(f"{T.RULE_BALANCE}:{col}")
    for col in cols:
        if sum(_v(apps, r, col) for r in T.RESULT_ROWS) != _v(apps, "total_handled", col):
            failures.append(f"{T.RULE_RESULTS_SUM}:{col}")
    for spec in T.APPLICATION_ROWS:
        cells = apps.get(spec.key, {})
        if cells.get("total") is None and all(v is None for v in cells.values()):
            continue  # an unprinted row
        if sum(_v(apps, spec.key, c) for c in T.APPLICANT_COLUMNS) != _v(apps, spec.key, "total"):
            failures.append(f"{T.RULE_ROW_TOTAL}:{spec.key}")
    review = tables["review_litigation"]
    for spec in T.REVIEW_ROWS:
        if sum(_v(review, spec.key, p) for p in T.REVIEW_PARTS) != _v(review, spec.key, "total"):
            failures.append(f"{T.RULE_REVIEW_TOTAL}:{spec.key}")
    return failures
