"""The national templates (2019 and 2021) as data: keys, printed labels, aliases, layout.

Every label the extractor matches against and every label the generator prints comes
from here. Keys are the contract of ../shared/spec/report-format.md: never rename them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

TEMPLATES = ("2019", "2021")
BOTH = TEMPLATES


@dataclass(frozen=True)
class LabelSpec:
    """A canonical row or column: its key, the official printed label, accepted variants."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    group: str = ""  # the merged parent label printed beside it, e.g. "（三）不予公开"
    templates: tuple[str, ...] = BOTH
    decimal: bool = False  # the value may carry decimals (amounts in 万元)
    signed: bool = False  # the value may be negative (a year's change); counts never are

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class Block:
    """One sub-table of table 二: a heading row, a header row, its rows and columns."""

    heading: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]


# --- Table 二: active_disclosure -------------------------------------------------------

ACTIVE_ROWS: tuple[LabelSpec, ...] = (
    LabelSpec("regulations", "规章"),
    LabelSpec("normative_documents", "行政规范性文件", ("规范性文件",)),
    LabelSpec("licensing", "行政许可"),
    LabelSpec("other_services", "其他对外管理服务事项", templates=("2019",)),
    LabelSpec("penalty", "行政处罚"),
    LabelSpec("coercion", "行政强制"),
    LabelSpec("fees", "行政事业性收费"),
    LabelSpec("procurement", "政府集中采购", templates=("2019",)),
)

ACTIVE_COLUMNS: tuple[LabelSpec, ...] = (
    LabelSpec("issued", "本年制发件数", templates=("2021",)),
    LabelSpec("repealed", "本年废止件数", templates=("2021",)),
    LabelSpec("in_force", "现行有效件数", templates=("2021",)),
    LabelSpec("decisions", "本年处理决定数量", ("处理决定数量",)),
    LabelSpec("amount", "本年收费金额（单位：万元）", ("本年收费金额", "采购总金额（万元）",
                                                   "采购总金额"), decimal=True),
    LabelSpec("made", "本年新制作数量", templates=("2019",)),
    LabelSpec("published", "本年新公开数量", templates=("2019",)),
    LabelSpec("total_published", "对外公开总数量", templates=("2019",)),
    LabelSpec("prior_items", "上一年项目数量", templates=("2019",)),
    LabelSpec("change", "本年增/减", ("本年增减",), templates=("2019",), signed=True),
    LabelSpec("items", "采购项目数量", templates=("2019",)),
)
# Column keys whose values may be negative; every other value is a count or an amount.
SIGNED_COLUMNS = frozenset(spec.key for spec in ACTIVE_COLUMNS if spec.signed)

# The header cell above the row labels of each block.
ACTIVE_LABEL_HEADER = "信息内容"

ACTIVE_BLOCKS: dict[str, tuple[Block, ...]] = {
    "2021": (
        Block("第二十条第（一）项", ("regulations", "normative_documents"),
              ("issued", "repealed", "in_force")),
        Block("第二十条第（五）项", ("licensing",), ("decisions",)),
        Block("第二十条第（六）项", ("penalty", "coercion"), ("decisions",)),
        Block("第二十条第（八）项", ("fees",), ("amount",)),
    ),
    "2019": (
        Block("第二十条第（一）项", ("regulations", "normative_documents"),
              ("made", "published", "total_published")),
        Block("第二十条第（五）项", ("licensing", "other_services"),
              ("prior_items", "change", "decisions")),
        Block("第二十条第（六）项", ("penalty", "coercion"),
              ("prior_items", "change", "decisions")),
        Block("第二十条第（八）项", ("fees",), ("prior_items", "change")),
        Block("第二十条第（九）项", ("procurement",), ("items", "amount")),
    ),
}

# How the 2019 template prints two labels that 2021 renamed.
ACTIVE_PRINTED_2019 = {"normative_documents": "规范性文件", "decisions": "处理决定数量",
                       "amount": "采购总金额（万元）"}

# --- Table 三: applications ------------------------------------------------------------

RESULTS_BLOCK_LABEL = "三、本年度办理结果"
APPLICANT_HEADER = "申请人情况"
ORG_GROUP_LABEL = "法人或其他组织"
APPLICATIONS_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

APPLICATION_COLUMNS: tuple[LabelSpec, ...] = (
    LabelSpec("natural_person", "自然人"),
    LabelSpec("commercial", "商业企业"),
    LabelSpec("research", "科研机构"),
    LabelSpec("public_interest", "社会公益组织"),
    LabelSpec("legal_services", "法律服务机构"),
    LabelSpec("other_org", "其他"),
    LabelSpec("total", "总计"),
)
APPLICANT_COLUMNS = tuple(c.key for c in APPLICATION_COLUMNS if c.key != "total")

_WITHHELD = "（三）不予公开"
_UNAVAILABLE = "（四）无法提供"
_NOT_PROCESSED = "（五）不予处理"
_OTHER = "（六）其他处理"

APPLICATION_ROWS: tuple[LabelSpec, ...] = (
    LabelSpec("new", "一、本年新收政府信息公开申请数量"),
    LabelSpec("carried_over", "二、上年结转政府信息公开申请数量"),
    LabelSpec("disclosed", "（一）予以公开"),
    LabelSpec("partially_disclosed", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    LabelSpec("withheld_state_secret", "1.属于国家秘密", group=_WITHHELD),
    LabelSpec("withheld_prohibited", "2.其他法律行政法规禁止公开", group=_WITHHELD),
    LabelSpec("withheld_security_stability", "3.危及“三安全一稳定”", group=_WITHHELD),
    LabelSpec("withheld_third_party", "4.保护第三方合法权益", group=_WITHHELD),
    LabelSpec("withheld_internal_affairs", "5.属于三类内部事务信息", group=_WITHHELD),
    LabelSpec("withheld_process_info", "6.属于四类过程性信息", group=_WITHHELD),
    LabelSpec("withheld_enforcement_files", "7.属于行政执法案卷", group=_WITHHELD),
    LabelSpec("withheld_inquiry", "8.属于行政查询事项", group=_WITHHELD),
    LabelSpec("unavailable_not_held", "1.本机关不掌握相关政府信息", group=_UNAVAILABLE),
    LabelSpec("unavailable_needs_creation", "2.没有现成信息需要另行制作", group=_UNAVAILABLE),
    LabelSpec("unavailable_unclear", "3.补正后申请内容仍不明确", group=_UNAVAILABLE),
    LabelSpec("not_processed_petition", "1.信访举报投诉类申请", group=_NOT_PROCESSED),
    LabelSpec("not_processed_duplicate", "2.重复申请", group=_NOT_PROCESSED),
    LabelSpec("not_processed_publication", "3.要求提供公开出版物", group=_NOT_PROCESSED),
    LabelSpec("not_processed_excessive", "4.无正当理由大量反复申请", group=_NOT_PROCESSED),
    LabelSpec("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息",
              group=_NOT_PROCESSED),
    LabelSpec("other", "（六）其他处理", templates=("2019",)),
    LabelSpec("other_no_correction",
              "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
              group=_OTHER, templates=("2021",)),
    LabelSpec("other_unpaid_fee",
              "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
              group=_OTHER, templates=("2021",)),
    LabelSpec("other_other", "3.其他", group=_OTHER, templates=("2021",)),
    LabelSpec("total_handled", "（七）总计"),
    LabelSpec("carried_forward", "四、结转下年度继续办理"),
)

# Rows whose sum is total_handled (rule 2), in printed order.
RESULT_ROWS = tuple(
    r.key for r in APPLICATION_ROWS
    if r.key not in {"new", "carried_over", "total_handled", "carried_forward"}
)
OTHER_SPLIT_ROWS = ("other_no_correction", "other_unpaid_fee", "other_other")

# --- Table 四: review_litigation --------------------------------------------------------

REVIEW_ROWS: tuple[LabelSpec, ...] = (
    LabelSpec("review", "行政复议"),
    LabelSpec("suit_direct", "未经复议直接起诉"),
    LabelSpec("suit_after_review", "复议后起诉"),
)
LITIGATION_GROUP_LABEL = "行政诉讼"

REVIEW_COLUMNS: tuple[LabelSpec, ...] = (
    LabelSpec("upheld", "结果维持"),
    LabelSpec("corrected", "结果纠正"),
    LabelSpec("other", "其他结果"),
    LabelSpec("pending", "尚未审结"),
    LabelSpec("total", "总计"),
)
REVIEW_PARTS = ("upheld", "corrected", "other", "pending")

# --- Section headings -------------------------------------------------------------------

SECTION_HEADINGS: dict[str, tuple[str, ...]] = {
    "active_disclosure": ("二、主动公开政府信息情况",),
    "applications": ("三、收到和处理政府信息公开申请情况",),
    "review_litigation": ("四、政府信息公开行政复议、行政诉讼情况",
                          "四、政府信息公开行政诉讼、行政复议情况"),
}
# Headings that end table 四's section.
END_HEADINGS = ("五、存在的主要问题及改进情况", "五、存在的主要问题及改进措施",
                "六、其他需要报告的事项")
OTHER_HEADINGS = ("一、总体情况",)

# --- Consistency rules (identifiers as the spec names them) ------------------------------

RULE_BALANCE = "applications.balance"
RULE_RESULTS_SUM = "applications.results_sum"
RULE_ROW_TOTAL = "applications.row_total"
RULE_REVIEW_TOTAL = "review_litigation.total"
RULE_CONTINUITY_CARRIED = "continuity.carried"
RULE_CONTINUITY_IN_FORCE = "continuity.in_force"

TermCell = tuple[str, str, str]  # (table, row, column)
BALANCE_ROWS = ("new", "carried_over", "total_handled", "carried_forward")


def rule_terms(rule: str, subject: str) -> tuple[list[TermCell], list[TermCell]]:
    """The cells a check of `rule` on `subject` adds up or compares: the report's own, and
    (continuity rules only) the earlier year's report's. One table for validate's check
    rows, the review site's marks and the scorer's flags."""
    terms = _RULE_TERMS.get(rule)
    return terms(subject) if terms else ([], [])


_RULE_TERMS = {
    RULE_BALANCE: lambda col: ([("applications", r, col) for r in BALANCE_ROWS], []),
    RULE_RESULTS_SUM: lambda col: (
        [("applications", r, col) for r in (*RESULT_ROWS, "total_handled")], []),
    RULE_ROW_TOTAL: lambda row: (
        [("applications", row, c) for c in (*APPLICANT_COLUMNS, "total")], []),
    RULE_REVIEW_TOTAL: lambda row: (
        [("review_litigation", row, p) for p in (*REVIEW_PARTS, "total")], []),
    RULE_CONTINUITY_CARRIED: lambda col: (
        [("applications", "carried_over", col)], [("applications", "carried_forward", col)]),
    RULE_CONTINUITY_IN_FORCE: lambda row: (
        [("active_disclosure", row, c) for c in ("issued", "repealed", "in_force")],
        [("active_disclosure", row, "in_force")]),
}

TABLE_ROWS: dict[str, tuple[LabelSpec, ...]] = {
    "active_disclosure": ACTIVE_ROWS,
    "applications": APPLICATION_ROWS,
    "review_litigation": REVIEW_ROWS,
}
TABLE_COLUMNS: dict[str, tuple[LabelSpec, ...]] = {
    "active_disclosure": ACTIVE_COLUMNS,
    "applications": APPLICATION_COLUMNS,
    "review_litigation": REVIEW_COLUMNS,
}


def spec_for(specs: tuple[LabelSpec, ...], key: str) -> LabelSpec:
    for spec in specs:
        if spec.key == key:
            return spec
    raise KeyError(key)


def printed_label(table: str, key: str, template: str, *, column: bool = False) -> str:
    """The label the official template of `template` prints for a row or column key."""
    specs = TABLE_COLUMNS[table] if column else TABLE_ROWS[table]
    if table == "active_disclosure" and template == "2019" and key in ACTIVE_PRINTED_2019:
        return ACTIVE_PRINTED_2019[key]
    return spec_for(specs, key).label


def expected_cells(template: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """Rows and columns each table has in a template: {table: {row: columns}}."""
    active: dict[str, tuple[str, ...]] = {}
    for block in ACTIVE_BLOCKS[template]:
        for row in block.rows:
            active[row] = block.columns
    app_cols = tuple(c.key for c in APPLICATION_COLUMNS)
    applications = {r.key: app_cols for r in APPLICATION_ROWS if template in r.templates}
    review_cols = tuple(c.key for c in REVIEW_COLUMNS)
    review = {r.key: review_cols for r in REVIEW_ROWS}
    return {"active_disclosure": active, "applications": applications,
            "review_litigation": review}


# --- Printed variants seen in real reports (used by the synthetic generator) -------------

REPORT_TITLE_SUFFIX = "政府信息公开工作年度报告"

# Row labels as real files misprint them, by row key: typos, stray spaces, ASCII quotes,
# half-width commas. The extractor must still place them; the generator prints them.
PRINTED_VARIANTS: dict[str, tuple[str, ...]] = {
    "withheld_prohibited": ("2.其他法律行政止公开",),
    "withheld_security_stability": ('3.危及"三安全一稳定"', "3.危及三安全一稳定"),
    "not_processed_excessive": ("4.无正当理由大量反复 申请",),
    "not_processed_confirmation": ("5.要求行政机关确认或重新 出具已获取信息",),
    "partially_disclosed": ("（二）部分公开（区分处理的,只计这一情形,不计其他情形）",),
}
# Table 二 block headings with the stray space seen in real files ("第二十条 第（一）项").
HEADING_SPACE_AFTER = "第二十条"

# Rows some agencies add to a table, by a generator key: (table, the canonical row printed
# just before it, label). They carry no canonical key: an extractor must report them as
# unplaced labels and never force them onto a canonical row.
AGENCY_EXTRA_ROWS: dict[str, tuple[str, str, str]] = {
    "online_applications": ("applications", "new", "其中：网上申请"),
    "other_notes": ("applications", "total_handled", "（八）其他说明"),
    "confirmation": ("active_disclosure", "coercion", "行政确认"),
    "payment": ("active_disclosure", "licensing", "行政给付"),
}
# Rows agencies leave out when they are all zero (seen: no 8.属于行政查询事项, no 2019
# procurement block). The generator only drops rows from this list.
DROPPABLE_ROWS: dict[str, tuple[str, ...]] = {
    "active_disclosure": ("other_services", "fees", "procurement"),
    "applications": ("withheld_enforcement_files", "withheld_inquiry", "unavailable_unclear",
                     "not_processed_excessive", "not_processed_confirmation",
                     "other_unpaid_fee"),
}


# --- Each table's template as a tree ----------------------------------------------------------
#
# Rows and columns as the template prints them: parents (merged cells such as
# "（三）不予公开", "法人或其他组织") with their children, leaves carrying the canonical key.
# normalize aligns a grid's row labels and header cells to these trees (normalize.tree).


@dataclass(frozen=True)
class TemplateNode:
    """A printed row or column label: a parent (key None) over children, or a leaf (key)."""

    label: str
    key: str | None = None
    children: tuple[TemplateNode, ...] = ()
    templates: tuple[str, ...] = BOTH

    @property
    def is_leaf(self) -> bool:
        return self.key is not None

    def leaves(self, template: str | None = None) -> tuple[TemplateNode, ...]:
        """The leaves under this node, in printed order (of `template`, or of both)."""
        if template is not None and template not in self.templates:
            return ()
        if self.is_leaf:
            return (self,)
        return tuple(leaf for child in self.children for leaf in child.leaves(template))

    def paths(self, above: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
        """Each leaf key -> the labels from the top parent down to the leaf."""
        here = (*above, self.label)
        if self.is_leaf:
            return {self.key: here} if self.key else {}
        return {key: path for child in self.children for key, path in child.paths(here).items()}


def _leaf(spec: LabelSpec) -> TemplateNode:
    return TemplateNode(spec.label, spec.key, templates=spec.templates)


def _grouped(specs: tuple[LabelSpec, ...]) -> tuple[TemplateNode, ...]:
    """Leaves in order, those sharing a `group` label gathered under one parent node."""
    nodes: list[TemplateNode] = []
    for spec in specs:
        if not spec.group:
            nodes.append(_leaf(spec))
        elif nodes and not nodes[-1].is_leaf and nodes[-1].label == spec.group:
            last = nodes[-1]
            nodes[-1] = TemplateNode(last.label, None, (*last.children, _leaf(spec)),
                                     tuple(t for t in BOTH if t in last.templates
                                           or t in spec.templates))
        else:
            nodes.append(TemplateNode(spec.group, None, (_leaf(spec),), spec.templates))
    return tuple(nodes)


def _application_row_tree() -> TemplateNode:
    first, results, last = (APPLICATION_ROWS[:2], APPLICATION_ROWS[2:-2], APPLICATION_ROWS[-2:])
    return TemplateNode("", None, (
        *map(_leaf, first),
        TemplateNode(RESULTS_BLOCK_LABEL, None, _grouped(results)),
        *map(_leaf, last),
    ))


def _active_row_tree() -> TemplateNode:
    blocks = [TemplateNode(block.heading, None,
                           tuple(_leaf(spec_for(ACTIVE_ROWS, row)) for row in block.rows),
                           (template,))
              for template in TEMPLATES for block in ACTIVE_BLOCKS[template]]
    return TemplateNode("", None, tuple(blocks))


ROW_TREES: dict[str, TemplateNode] = {
    "active_disclosure": _active_row_tree(),
    "applications": _application_row_tree(),
    "review_litigation": TemplateNode("", None, tuple(map(_leaf, REVIEW_ROWS))),
}
# Table 四 prints its three "rows" as column groups: 行政复议 | 行政诉讼 (two sub-groups).
COLUMN_TREES: dict[str, TemplateNode] = {
    "applications": TemplateNode(APPLICANT_HEADER, None, (
        _leaf(APPLICATION_COLUMNS[0]),
        TemplateNode(ORG_GROUP_LABEL, None, tuple(map(_leaf, APPLICATION_COLUMNS[1:-1]))),
        _leaf(APPLICATION_COLUMNS[-1]),
    )),
    "review_litigation": TemplateNode("", None, tuple(map(_leaf, REVIEW_COLUMNS))),
    "active_disclosure": TemplateNode(ACTIVE_LABEL_HEADER, None, tuple(map(_leaf,
                                                                          ACTIVE_COLUMNS))),
}
# The two printed forms of the （六） block of table 三: one row (2019) or three (2021).
# A report prints one of them whatever its table 二's version; the other is then absent.
OTHER_FORMS: dict[str, tuple[str, ...]] = {"2019": ("other",), "2021": OTHER_SPLIT_ROWS}


@cache
def parent_labels(table: str) -> frozenset[str]:
    """Labels the table's template prints only over other labels, never beside values.
    Found once per table (every row label of every report is checked against them)."""
    parents: set[str] = set()

    def visit(node: TemplateNode) -> None:
        if not node.is_leaf and node.label:
            parents.add(node.label)
        for child in node.children:
            visit(child)

    for tree in (ROW_TREES.get(table), COLUMN_TREES.get(table)):
        if tree is not None:
            visit(tree)
    leaves = {leaf.label for tree in (ROW_TREES[table], COLUMN_TREES[table])
              for leaf in tree.leaves()}
    return frozenset(parents - leaves)  # （六）其他处理 is a leaf in 2019


def template_cells(table: str, template: str | None, other_form: str | None = None
                   ) -> dict[str, tuple[str, ...]]:
    """The leaf cells {row: columns} of a table's template. Table 二's are its version's
    (None: both versions', as which one is printed is not known: its headers did not
    tell); table 三's （六） block is `other_form`'s ("2019": the single row, "2021": the
    three sub-rows; None: both, likewise)."""
    if table == "active_disclosure":
        if template:
            return expected_cells(template)["active_disclosure"]
        both: dict[str, tuple[str, ...]] = {}
        for version in ("2019", "2021"):
            for row, columns in expected_cells(version)["active_disclosure"].items():
                both[row] = tuple(dict.fromkeys((*both.get(row, ()), *columns)))
        return both
    columns = tuple(leaf.key for leaf in COLUMN_TREES[table].leaves() if leaf.key)
    rows = [leaf.key for leaf in ROW_TREES[table].leaves() if leaf.key]
    if table == "applications" and other_form is not None:
        absent = {key for form, keys in OTHER_FORMS.items() if form != other_form for key in keys}
        rows = [row for row in rows if row not in absent]
    return dict.fromkeys(rows, columns)
