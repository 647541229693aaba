"""Scoring and checking a 部门整体支出绩效自评表. Pure: no spreadsheet library, never raises on bad data.

The 执行率 points on the 年度资金总额 row, each indicator's score, the rule set's 超额扣分 and 总分上限,
the weights and the 等次 are the 自评表's (its evaluate_form) under the form's rule set (部门整体, which
inherits 国家标准). What only this form has is checked here, with the rule set's 部门整体 section: 基本支出 +
项目支出 = 年度资金总额 (each column), every 年度主要任务 with its 完成情况, and the 项目支出情况 list —
each project's 执行率 and 等次 against its own numbers, and the list's totals against the 项目支出 row.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from evaltool.core import values
from evaltool.core.decimals import fmt, fmt_percent, round_half_up
from evaltool.core.model import FUND_COLUMN_ATTR, FUND_COLUMNS, Finding, Location, Project, ScoreResult
from evaltool.core.reading import Collector, project_year, read_money, read_number
from evaltool.core.rules import RuleError, RuleSet, load_rules
from evaltool.kinds.dept.layout import KIND, PART_ROWS, RULES
from evaltool.kinds.dept.model import PROJECTS, TASKS, items, part_rate, parts, project_rate, project_sum
from evaltool.kinds.selfeval.checks import HEADER_FIELDS
from evaltool.kinds.selfeval.scoring import evaluate_form

SECTION = "部门整体"
HEADER_LABELS = tuple(label for _, label in HEADER_FIELDS)  # the 自评表's; this form names itself by 部门名称
SCOPES = ("全部", "重点")


@dataclass
class DeptRules:
    scope: str  # 全部 | 重点
    tolerance: Decimal  # 万元
    task_status: bool  # 完成情况 required
    grade_check: bool


def dept_rules(rules: RuleSet) -> DeptRules:
    """The rule set's 部门整体 section; a set without one (国家标准, a bureau's own) takes the built-in
    部门整体 set's, so the numbers stay in data."""
    section = rules.raw.get(SECTION)
    if section is None:
        section = load_rules(RULES).raw.get(SECTION) or {}
    src = rules.source or f"规则集“{rules.id}”"
    if not isinstance(section, dict):
        raise RuleError(f"{src}中“{SECTION}”应写成 键: 值 的表，例如 “{SECTION}: {{项目清单口径: 全部}}”")
    scope = str(section.get("项目清单口径", "全部"))
    if scope not in SCOPES:
        raise RuleError(f"{src}中“{SECTION} → 项目清单口径”应为“全部”或“重点”，现为“{scope}”")
    tol = values.parse(section.get("金额允许差额", 0))
    if tol.kind != "number" or tol.quantity is None or tol.quantity.value < 0:
        raise RuleError(f"{src}中“{SECTION} → 金额允许差额”应为不小于 0 的数（万元），现为“{section.get('金额允许差额')}”")
    status = str(section.get("任务完成情况", "必填"))
    if status not in ("必填", "可不填"):
        raise RuleError(f"{src}中“{SECTION} → 任务完成情况”应为“必填”或“可不填”，现为“{status}”")
    check = section.get("项目等次核对", "是")
    return DeptRules(scope, tol.quantity.value, status == "必填", check in (True, "是"))


@dataclass
class PartResult:
    label: str  # 基本支出 | 项目支出
    initial: Decimal | None
    budget: Decimal | None
    actual: Decimal | None
    rate: Decimal | None  # as shown (rate_places)
    explanation: str


@dataclass
class TaskResult:
    n: int
    name: str
    content: str
    budget: Decimal | None
    actual: Decimal | None
    status: str  # 完成情况 as typed


@dataclass
class ProjectRow:
    n: int
    name: str
    budget: Decimal | None
    actual: Decimal | None
    rate: Decimal | None  # computed, as shown
    score: Decimal | None  # 自评得分
    grade: str | None  # 自评等次 as typed (or, when blank, the rule set's for the score)
    explanation: str


@dataclass
class DeptResult(ScoreResult):
    """ScoreResult plus what a 部门整体支出绩效自评表 adds; the shared fields keep the CLI, the
    consistency check and consolidation working as for any form."""

    initial: Decimal | None = None  # 年度资金总额 年初预算数
    parts: list[PartResult] = field(default_factory=list)
    tasks: list[TaskResult] = field(default_factory=list)
    projects: list[ProjectRow] = field(default_factory=list)
    project_budget: Decimal | None = None  # the list's sums (None: no list, or a row unreadable)
    project_actual: Decimal | None = None
    project_rate: Decimal | None = None
    scope: str = "全部"
    rate_places: int = 4


def _blank(value: Any) -> bool:
    return values.parse(value).kind == "empty"


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def _rate(actual: Decimal | None, budget: Decimal | None, places: int) -> Decimal | None:
    if actual is None or budget is None or budget <= 0:
        return None
    return round_half_up(actual / budget, places)


def typed_fraction(raw: Any) -> Decimal | None:
    """A rate as the clerk typed it, as a fraction: 0.8068, a 80.68%-formatted cell, "80.68%", or 80.68."""
    from evaltool.core.decimals import to_decimal
    from evaltool.core.seam import Percent

    if isinstance(raw, Percent):
        value = to_decimal(repr(float(raw)))
        return None if value is None else value * raw.factor / 100
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        value = to_decimal(raw)
    else:
        parsed = values.parse(raw)
        if parsed.kind != "number" or parsed.quantity is None or parsed.direction:
            return None
        if parsed.quantity.percent:
            return parsed.quantity.value / 100
        value = parsed.quantity.value
    if value is None:
        return None
    return value / 100 if value > Decimal("1.5") else value  # 80.68 typed means 80.68%


def check_header(project: Project, out: Collector) -> None:
    for label, value in (("部门名称", project.name), ("年度", project.year)):
        if _blank(value):
            out.add("E-REQUIRED", "error", f"{label}未填写。" + ("请填写部门（单位）的全称。" if label == "部门名称" else
                                                            "请填写四位年份，例如 2024。"), label, project.where(label))
    if not _blank(project.year) and project_year(project) is None:
        out.add("E-YEAR", "error", f"年度“{project.year}”无法识别，请填写四位年份，例如 2024。", "年度", project.where("年度"))
    for label, value in (("预期目标", project.goal_expected), ("实际完成情况", project.goal_actual)):
        if _blank(value):
            out.add("W-GOAL", "warning", f"年度总体目标的“{label}”未填写，报告将无法引用。", label, project.where(label))


def score_parts(project: Project, rules: RuleSet, dr: DeptRules, out: Collector) -> list[PartResult]:
    """基本支出 and 项目支出: their 执行率 (shown, not scored), and their sum against 年度资金总额."""
    total = project.funds.get("年度资金总额")
    found = parts(project)
    results = []
    amounts: dict[str, dict[str, Decimal | None]] = {}
    for label in PART_ROWS:
        row = found.get(label)
        if row is None:
            continue
        got = {}
        for col in FUND_COLUMNS:
            raw = getattr(row, FUND_COLUMN_ATTR[col])
            loc = row.cells.get(col) or Location(path=f"年度预算.{label}.{col}")
            got[col] = read_money(raw, loc, f"{label}的{col}", out)
        amounts[label] = got
        budget, actual = got["全年预算数"], got["全年执行数"]
        rate = _rate(actual, budget, rules.rate_places)
        expl = (f"{label}执行率 {fmt(actual)} ÷ {fmt(budget)} = {fmt_percent(rate)}（只作说明，不单独计分）"
                if rate is not None else f"{label}执行率未计算（全年预算数或全年执行数未填写或为 0）")
        if budget is not None and actual is not None and actual > budget:
            out.add("W-DEPT-PART-OVER", "warning", f"{label}的全年执行数 {fmt(actual)} 万元超过全年预算数 {fmt(budget)} 万元，"
                    "请核实。", "全年执行数", row.cells.get("全年执行数") or Location(path=f"年度预算.{label}"))
        results.append(PartResult(label, got["年初预算数"], budget, actual, rate, expl))
    if total is None or len(amounts) < len(PART_ROWS):
        if total is not None and amounts:
            missing = [x for x in PART_ROWS if x not in amounts]
            out.add("W-DEPT-PART-MISSING", "warning",
                    f"年度预算表中没有读到“{'、'.join(missing)}”行，无法核对基本支出与项目支出之和。"
                    f"请在年度资金总额下按支出性质列出{'、'.join(PART_ROWS)}两行。", "年度预算",
                    total.cells.get("全年预算数") or Location(path="年度预算"))
        return results
    quiet = Collector()
    for col in FUND_COLUMNS:
        whole = read_money(getattr(total, FUND_COLUMN_ATTR[col]), Location(), "", quiet)
        if whole is None:
            continue
        raws = [getattr(found[label], FUND_COLUMN_ATTR[col]) for label in PART_ROWS]
        got_parts = [amounts[label][col] for label in PART_ROWS]
        if all(_blank(raw) for raw in raws):
            continue  # a column left blank in both 其中 rows (年初预算数, often)
        if any(x is None and not _blank(raw) for x, raw in zip(got_parts, raws)):
            continue  # unreadable: read_money has said so on its cell
        pieces = [x if x is not None else Decimal(0) for x in got_parts]
        summed = sum(pieces, Decimal(0))  # type: ignore[arg-type]
        if abs(summed - whole) > dr.tolerance:
            loc = total.cells.get(col) or Location(path=f"年度预算.年度资金总额.{col}")
            detail = " + ".join(f"{label} {fmt(x)}" for label, x in zip(PART_ROWS, pieces))
            out.add("E-DEPT-PART-SUM", "error",
                    f"年度预算的{col}：年度资金总额 {fmt(whole)} 万元不等于基本支出与项目支出之和 {fmt(summed)} 万元"
                    f"（{detail}），相差 {fmt(whole - summed)} 万元。请核对这三行的{col}。", col, loc)
    return results


def score_tasks(project: Project, dr: DeptRules, out: Collector) -> list[TaskResult]:
    results = []
    rows = items(project, TASKS)
    if not rows:
        out.add("W-DEPT-NO-TASKS", "warning", "没有读到年度主要任务。请列出本年度的主要任务及其完成情况，报告要逐项说明。",
                TASKS, project.where(TASKS))
    for n, t in enumerate(rows, start=1):
        where = lambda k: project.where(f"{TASKS}[{n}].{k}")  # noqa: E731
        name = _text(t.get("任务名称"))
        label = f"年度主要任务“{name}”" if name else f"第 {n} 项年度主要任务"
        if not name:
            out.add("E-REQUIRED", "error", f"{label}的任务名称未填写。", "任务名称", where("任务名称"))
        status = _text(t.get("完成情况"))
        if not status and dr.task_status:
            out.add("E-DEPT-TASK-STATUS", "error", f"{label}的完成情况未填写。请写明完成了什么、完成到什么程度"
                    "（未完成的写明原因）。", "完成情况", where("完成情况"))
        budget = read_money(t.get("预算数"), where("预算数"), f"{label}的预算数", out)
        actual = read_money(t.get("执行数"), where("执行数"), f"{label}的执行数", out)
        if budget is not None and actual is not None and actual > budget:
            out.add("W-DEPT-TASK-OVER", "warning", f"{label}的执行数 {fmt(actual)} 万元超过预算数 {fmt(budget)} 万元，请核实。",
                    "执行数", where("执行数"))
        results.append(TaskResult(n, name, _text(t.get("主要内容")), budget, actual, status))
    return results


def score_projects(project: Project, rules: RuleSet, dr: DeptRules, out: Collector
                   ) -> tuple[list[ProjectRow], Decimal | None, Decimal | None]:
    results: list[ProjectRow] = []
    sums: list[Decimal | None] = [Decimal(0), Decimal(0)]
    full = rules.total_weight
    grades = [g for g, _ in rules.grades]
    for n, item in enumerate(items(project, PROJECTS), start=1):
        where = lambda k: project.where(f"{PROJECTS}[{n}].{k}")  # noqa: E731
        name = _text(item.get("项目名称"))
        label = f"项目“{name}”" if name else f"项目支出情况第 {n} 行"
        if not name:
            out.add("E-REQUIRED", "error", f"{label}的项目名称未填写。", "项目名称", where("项目名称"))
        budget = read_money(item.get("全年预算数"), where("全年预算数"), f"{label}的全年预算数", out)
        actual = read_money(item.get("全年执行数"), where("全年执行数"), f"{label}的全年执行数", out)
        for key, amount in (("全年预算数", budget), ("全年执行数", actual)):
            if amount is None and _blank(item.get(key)):
                out.add("E-REQUIRED", "error", f"{label}的{key}未填写（万元，没有支出填 0）。", key, where(key))
        for i, amount in enumerate((budget, actual)):
            sums[i] = None if sums[i] is None or amount is None else sums[i] + amount  # type: ignore[operator]
        rate = _rate(actual, budget, rules.rate_places)
        parts_text = [f"执行率 {fmt(actual)} ÷ {fmt(budget)} = {fmt_percent(rate)}" if rate is not None else "执行率未计算"]
        if budget is not None and actual is not None and actual > budget:
            out.add("W-DEPT-PROJECT-OVER", "warning", f"{label}的全年执行数 {fmt(actual)} 万元超过全年预算数 "
                    f"{fmt(budget)} 万元，请核实。", "全年执行数", where("全年执行数"))
        typed_rate = item.get("执行率")
        if rate is not None and not _blank(typed_rate):
            shown = typed_fraction(typed_rate)
            exact = actual / budget  # type: ignore[operator]
            places = max(2, -shown.as_tuple().exponent) if shown is not None else 2  # type: ignore[operator]
            if shown is None or round_half_up(exact, places) != round_half_up(shown, places):
                out.add("E-DEPT-PROJECT-RATE", "error",
                        f"{label}的执行率填为“{_text(typed_rate)}”，按全年执行数 {fmt(actual)} ÷ 全年预算数 {fmt(budget)} "
                        f"应为 {fmt_percent(rate)}。请改为 {fmt_percent(rate)}（或核对两个金额）。", "执行率", where("执行率"))
        score = None
        if not _blank(item.get("自评得分")):
            score = read_number(item.get("自评得分"), where("自评得分"), f"{label}的自评得分", out)
            if score is not None and not Decimal(0) <= score <= full:
                out.add("E-DEPT-PROJECT-SCORE", "error", f"{label}的自评得分 {fmt(score)} 不在 0 到 {fmt(full)} 分之间，"
                        "请照该项目的《项目支出绩效自评表》填写总分。", "自评得分", where("自评得分"))
                score = None
        else:
            out.add("W-DEPT-PROJECT-UNSCORED", "warning", f"{label}的自评得分未填写。请照该项目的《项目支出绩效自评表》"
                    "填写总分；尚未自评的项目请在备注中说明。", "自评得分", where("自评得分"))
        typed_grade = _text(item.get("自评等次"))
        grade = typed_grade or None
        if score is not None:
            should = rules.grade_for_total(score)
            parts_text.append(f"自评得分 {fmt(score)} 分，按{rules.name}为“{should}”")
            if typed_grade and dr.grade_check:
                stated = {"优秀": "优", "良好": "良", "中等": "中", "合格": "中", "较差": "差"}.get(typed_grade, typed_grade)
                if stated not in grades:
                    out.add("E-DEPT-PROJECT-GRADE", "error", f"{label}的自评等次“{typed_grade}”不是可用的等次，请填写"
                            f"{'、'.join(grades)}之一（自评得分 {fmt(score)} 分应为“{should}”）。", "自评等次", where("自评等次"))
                elif stated != should:
                    out.add("E-DEPT-PROJECT-GRADE", "error", f"{label}的自评等次填为“{typed_grade}”，自评得分 {fmt(score)} 分"
                            f"按{rules.name}应为“{should}”。请核对该项目自评表的总分和等次。", "自评等次", where("自评等次"))
            grade = grade or should
        results.append(ProjectRow(n, name, budget, actual, rate, score, grade, "；".join(parts_text)))
    return results, sums[0], sums[1]


def check_project_sums(project: Project, rules: RuleSet, dr: DeptRules, rows: list[ProjectRow],
                       budget: Decimal | None, actual: Decimal | None, out: Collector) -> None:
    """The list against the 项目支出 row of 年度预算: equal (口径 全部) or not above it (口径 重点)."""
    row = parts(project).get("项目支出")
    if not rows:
        if row is not None:
            quiet = Collector()
            amount = read_money(row.budget, Location(), "", quiet)
            if amount:
                out.add("W-DEPT-NO-PROJECTS", "warning",
                        f"年度预算中项目支出 {fmt(amount)} 万元，但没有读到项目支出情况（项目清单）。请列出本部门的项目及各自的"
                        "全年预算数、全年执行数、自评得分和自评等次。", "项目支出情况", project.where(PROJECTS))
        return
    if row is None:
        return
    quiet = Collector()
    for col, summed in (("全年预算数", budget), ("全年执行数", actual)):
        whole = read_money(getattr(row, FUND_COLUMN_ATTR[col]), Location(), "", quiet)
        if whole is None or summed is None:
            continue
        loc = row.cells.get(col) or Location(path=f"年度预算.项目支出.{col}")
        names = "、".join(f"{r.name or r.n} {fmt(r.budget if col == '全年预算数' else r.actual)}" for r in rows[:6])
        more = f"等 {len(rows)} 个项目" if len(rows) > 6 else f"共 {len(rows)} 个项目"
        if dr.scope == "全部" and abs(summed - whole) > dr.tolerance:
            out.add("E-DEPT-PROJECT-SUM", "error",
                    f"项目支出情况中各项目的{col}合计 {fmt(summed)} 万元（{names}，{more}），与年度预算中“项目支出”的"
                    f"{col} {fmt(whole)} 万元不一致，相差 {fmt(whole - summed)} 万元。规则集要求列出全部项目："
                    "请补齐漏列的项目或核对金额。", col, loc)
        elif dr.scope == "重点" and summed - whole > dr.tolerance:
            out.add("E-DEPT-PROJECT-SUM", "error",
                    f"项目支出情况中所列重点项目的{col}合计 {fmt(summed)} 万元（{more}），超过年度预算中“项目支出”的"
                    f"{col} {fmt(whole)} 万元。请核对各项目的金额。", col, loc)


def evaluate_dept(project: Project, rules: RuleSet | None = None) -> DeptResult:
    """Score a 部门整体支出绩效自评表 and run every check; never raises on bad project data.

    The 自评表's scorer does what the two forms share — 执行率 points on 年度资金总额, each indicator,
    the rule set's 超额扣分 and 总分上限, weights, 等次, 无法计分 — so a rule set's steps apply here as
    they do there; this adds the 部门 header, the 其中 rows, 年度主要任务 and the project list."""
    rules = rules or load_rules(project.rules or RULES)
    dr = dept_rules(rules)
    base = evaluate_form(project, rules)
    ungraded = [f for f in base.findings if f.code == "E-UNGRADED"]
    shared = [f for f in base.findings if f.code != "E-UNGRADED" and not (
        f.code in ("E-REQUIRED", "E-YEAR", "W-GOAL") and f.field in (*HEADER_LABELS, "年度", "预期目标", "实际完成情况"))]
    out = Collector()
    out.findings.extend(shared)
    check_header(project, out)
    quiet = Collector()
    initial = None
    if project.funds.get("年度资金总额") is not None:
        initial = read_money(project.funds["年度资金总额"].initial, Location(), "", quiet)
    result = DeptResult(**{f.name: getattr(base, f.name) for f in fields(ScoreResult)},
                        initial=initial, scope=dr.scope, rate_places=rules.rate_places)
    result.parts = score_parts(project, rules, dr, out)
    result.tasks = score_tasks(project, dr, out)
    result.projects, result.project_budget, result.project_actual = score_projects(project, rules, dr, out)
    if not result.projects:
        result.project_budget = result.project_actual = None
    result.project_rate = _rate(result.project_actual, result.project_budget, rules.rate_places)
    check_project_sums(project, rules, dr, result.projects, result.project_budget, result.project_actual, out)
    out.findings.extend(ungraded)  # the 无法计分 summary stays last
    result.extra_values = computed(result)
    # The shared scorer speaks of a project and its 项目资金 table; this form is a department's 年度预算.
    result.findings = [f if _ours(f.message) == f.message else Finding(
        f.code, f.severity, _ours(f.message), f.field, f.location, f.indicator) for f in out.findings]
    result.ungraded = _ours(result.ungraded) if result.ungraded else None
    return result


def computed(result: DeptResult) -> dict[str, Any]:
    """Value of each of this form's own computed cells, by name (None: not computable, the cell is
    left empty — never 0)."""
    from evaltool.core.decimals import plain_number

    out: dict[str, Any] = {part_rate(p.label): plain_number(p.rate) for p in result.parts}
    out.update({project_rate(r.n): plain_number(r.rate) for r in result.projects})
    out[project_sum("全年预算数")] = plain_number(result.project_budget)
    out[project_sum("全年执行数")] = plain_number(result.project_actual)
    out[project_sum("执行率")] = plain_number(result.project_rate)
    return out


def _ours(text: str) -> str:
    return text.replace("本项目", "部门整体").replace("项目资金表", "年度预算表").replace(
        "项目资金（预算执行率）", "年度预算（预算执行率）").replace("项目资金的", "年度预算的").replace(
        "“报告素材”", "“部门报告素材”")


__all__ = ["evaluate_dept", "DeptResult", "PartResult", "TaskResult", "ProjectRow", "dept_rules", "KIND"]
