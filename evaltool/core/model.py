"""The project as the core sees it: raw values exactly as typed, plus where each came from.

Values stay raw (str, int, float, Decimal or None) so that parsing, and every finding about
parsing, happens in one place (values.py) whatever the source: a case file, a workbook, Excel.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import field as dc_field
from decimal import Decimal
from typing import Any

# Order and labels of the 项目资金 rows, as on the official form.
FUND_ROWS = ("年度资金总额", "本年财政拨款", "上年结转资金", "其他资金")
FUND_COLUMNS = ("年初预算数", "全年预算数", "全年执行数")
FUND_COLUMN_ATTR = {"年初预算数": "initial", "全年预算数": "budget", "全年执行数": "actual"}  # FundRow fields
# 绩效指标 columns -> Indicator fields, in the form's order
INDICATOR_ATTR = {
    "一级指标": "level1", "二级指标": "level2", "三级指标": "level3", "年度指标值": "target",
    "实际完成值": "actual", "分值": "weight", "得分": "entered_score", "偏差原因分析及改进措施": "deviation",
}
# 报告素材: the clerk's own words for the report, in the order the national outline uses them.
REPORT_FIELDS = (
    "项目背景",
    "主要内容及实施情况",
    "预算执行偏差原因",
    "绩效评价工作过程",
    "项目决策情况",
    "项目过程情况",
    "主要经验及做法",
    "存在的问题及原因分析",
    "有关建议",
    "其他需要说明的问题",
)

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
# A finding whose code starts with this says a block, column, weight or the 执行率 the score needs
# could not be read: the project then gets no 总分 and no 等次 anywhere ("无法计分"), never a guess.
UNREADABLE_PREFIX = "E-UNREAD-"


@dataclass
class Location:
    """Where a value lives: a workbook cell (sheet + A1 cell) or a path in a case file."""

    sheet: str | None = None
    cell: str | None = None
    path: str | None = None

    def __str__(self) -> str:
        if self.cell:
            return f"{self.sheet}!{self.cell}" if self.sheet else self.cell
        return self.path or ""


@dataclass
class Finding:
    code: str  # stable, e.g. "E-FUND-SUM"; tests and bureaus filter on it
    severity: str  # error | warning | info
    message: str  # Chinese, says what is wrong and what to type instead
    field: str = ""  # the form label concerned, e.g. "执行率得分", "分值"
    location: Location = dc_field(default_factory=Location)
    indicator: int | None = None  # index into Project.indicators, when about one

    def as_dict(self) -> dict[str, Any]:
        return {
            "代码": self.code,
            "级别": SEVERITY_LABEL[self.severity],
            "字段": self.field,
            "位置": str(self.location),
            "工作表": self.location.sheet,
            "单元格": self.location.cell,
            "说明": self.message,
        }


@dataclass
class FundRow:
    label: str
    initial: Any = None  # 年初预算数
    budget: Any = None  # 全年预算数 (A)
    actual: Any = None  # 全年执行数 (B)
    entered_score: Any = None  # 得分 as typed by the clerk (total row only)
    cells: dict[str, Location] = field(default_factory=dict)


@dataclass
class Indicator:
    level1: Any = None
    level2: Any = None
    level3: Any = None
    target: Any = None  # 年度指标值
    actual: Any = None  # 实际完成值
    weight: Any = None  # 分值
    entered_score: Any = None  # 得分 as typed (optional)
    deviation: Any = None  # 偏差原因分析及改进措施
    cells: dict[str, Location] = field(default_factory=dict)

    def where(self, name: str, fallback: Location | None = None) -> Location:
        return self.cells.get(name) or fallback or Location()


@dataclass
class Project:
    kind: str = "自评表"  # 自评表 | 评分表
    year: Any = None
    name: Any = None  # 项目名称
    department: Any = None  # 主管部门
    unit: Any = None  # 实施单位
    rules: str | None = None  # rule-set id or path; None = default
    funds: dict[str, FundRow] = field(default_factory=dict)
    fund_weight: Any = None  # 项目资金 分值
    goal_expected: Any = None  # 年度总体目标 预期目标
    goal_actual: Any = None  # 年度总体目标 实际完成情况
    indicators: list[Indicator] = field(default_factory=list)
    report: dict[str, str] = field(default_factory=dict)  # 报告素材
    basic_info: dict[str, Any] = field(default_factory=dict)  # 项目基本信息
    extra: dict[str, Any] = field(default_factory=dict)  # kind-specific blocks (评分表 etc.)
    expected: dict[str, Any] | None = None  # 期望 (test cases only)
    sheet: str | None = None  # sheet it was read from, if any
    cells: dict[str, Location] = field(default_factory=dict)  # header fields' locations
    source: str | None = None  # file it came from
    # What the reader noticed about the layout (missing blocks/columns as E-UNREAD-*, extra columns as
    # info), in the clerk's terms with the cell; evaluate() adds them to the result's findings.
    read_findings: list[Finding] = field(default_factory=list)

    def where(self, name: str) -> Location:
        return self.cells.get(name) or Location(sheet=self.sheet, path=name)

    def fund(self, label: str) -> FundRow:
        return self.funds.setdefault(label, FundRow(label=label))


@dataclass
class IndicatorResult:
    index: int
    level1: str
    level2: str
    level3: str
    weight: Decimal | None
    score: Decimal | None
    method: str  # 正向 | 反向 | 等于 | 定性 | 时效 | 未计分
    explanation: str  # one line, Chinese
    # How far the actual beats its target, as a share of the target (正向: actual ÷ target − 1; 反向:
    # 1 − actual ÷ target, None for an actual of 0); None for other indicators or when behind target.
    excess: Decimal | None = None
    deduction: Decimal | None = None  # points taken by the rule set's 超额扣分 (already out of score)


@dataclass
class Adjustment:
    """A step of the rule set applied after the indicator scores (超额扣分, 总分上限), with its
    one-line Chinese reason; amount is negative (points taken)."""

    kind: str  # 超额扣分 | 总分上限
    amount: Decimal
    reason: str
    indicator: int | None = None  # index into the results' indicators (超额扣分)


@dataclass
class ScoreResult:
    rule_id: str
    rule_name: str
    rate: Decimal | None  # 执行率, unrounded
    rate_display: Decimal | None  # 执行率 rounded as shown (4 places = 2 in %)
    rate_weight: Decimal | None
    rate_score: Decimal | None
    rate_explanation: str
    indicators: list[IndicatorResult]
    subtotals: dict[str, Decimal | None]  # per 一级指标, including "预算执行率"; None: not computable
    total: Decimal | None
    grade: str | None
    findings: list[Finding]
    budget: Decimal | None = None  # 年度资金总额 全年预算数 in 万元, as read (None: absent or unreadable)
    actual: Decimal | None = None  # 年度资金总额 全年执行数 in 万元
    # Why the project has no 总分/等次 (shown as "无法计分：…"); None when it is graded.
    ungraded: str | None = None
    adjustments: list[Adjustment] = field(default_factory=list)  # in the order applied
    uncapped_total: Decimal | None = None  # the 总分 before the rule set's 总分上限 cut it (None: not cut)
    # Values of a kind's own computed cells (SheetInfo.out names beyond the 自评表's), written, recorded
    # in 校验结果 and recognised on the next run like the shared ones.
    extra_values: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]
