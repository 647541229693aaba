"""Scoring a 评分表: formula and judgement indicators, subtotals, total, evaluators, 等次, and the
achieved tier of each 绩效目标表 row. Pure: no spreadsheet library, never raises on bad data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from evaltool.core import values
from evaltool.core.decimals import fmt, fmt_percent, round_half_up
from evaltool.core.model import UNREADABLE_PREFIX, IndicatorResult, Location, Project, ScoreResult
from evaltool.core.reading import Collector, project_year, read_money, read_number
from evaltool.core.rules import RuleSet, capped_score, load_rules
from evaltool.kinds.scoresheet.framework import Framework, SheetRules, sheet_rules
from evaltool.kinds.scoresheet.model import TIERS, ScoreSheet, TargetRow, sheet_from_project

DIRECTION_WORDS = {"ge": "越多越好", "le": "越少越好"}
_GE_WORDS = ("以上", "不低于", "不少于", "不小于", "至少", "大于", "高于", "超过", "≥", ">")
_LE_WORDS = ("以下", "以内", "低于", "不超过", "不高于", "不大于", "少于", "小于", "控制在", "≤", "<")


@dataclass
class TargetResult:
    n: int
    kind: str  # 指标类型
    name: str  # 指标名称
    direction: str | None  # ge | le
    tier: str | None  # 优 良 中 差
    actual: str  # as typed, normalised
    weight: Decimal | None
    score: Decimal | None  # weight × share of the tier, when the row has a 分值
    explanation: str


@dataclass
class SheetResult(ScoreResult):
    """ScoreResult plus what a 评分表 adds; the generic fields keep the CLI and consolidation working."""

    framework: str = ""
    planned: Decimal | None = None  # 计划投资额
    arrived: Decimal | None = None  # 实际到位资金
    used: Decimal | None = None  # 实际使用情况
    arrival_rate: Decimal | None = None  # 资金到位率, unrounded
    use_rate: Decimal | None = None  # 资金使用率 (= 预算执行率), unrounded
    # 资金到位率 / 资金使用率 → (rate, numerator, denominator): the one place that says which amount is
    # divided by which. It repeats the fields above, so it stays out of repr and ==.
    fund_rates: dict[str, tuple[Decimal | None, Decimal | None, Decimal | None]] = field(
        default_factory=dict, repr=False, compare=False)
    rate_places: int = 4
    level2: dict[tuple[str, str], tuple[Decimal, Decimal]] = field(default_factory=dict)  # (一级, 二级) → (分值, 得分)
    level1_weights: dict[str, Decimal] = field(default_factory=dict)  # as the framework sets them
    weight_sums: dict[str, Decimal] = field(default_factory=dict)  # 一级 → its rows' 分值; absent: no row has one
    weight_total: Decimal = Decimal(0)  # all rows' 分值
    evaluators: list[tuple[str, Decimal | None]] = field(default_factory=list)
    average: Decimal | None = None  # 评价人员平均得分
    targets: list[TargetResult] = field(default_factory=list)

    @property
    def arrival_display(self) -> Decimal | None:
        return None if self.arrival_rate is None else round_half_up(self.arrival_rate, self.rate_places)

    @property
    def use_display(self) -> Decimal | None:
        return self.rate_display  # the generic 执行率 as shown is the 资金使用率, rounded once in evaluate_sheet

    @property
    def target_tiers(self) -> dict[str, str | None]:
        return {t.name: t.tier for t in self.targets}

    def result_dict(self, project: Project) -> dict[str, Any]:
        from evaltool.core.decimals import plain_number as number

        return {
            "类型": "评分表",
            "项目名称": project.name,
            "主管部门": project.department,
            "实施单位": project.unit,
            "年度": project.year,
            "工作表": project.sheet,
            "规则": self.rule_id,
            "框架": self.framework,
            "计划投资额": number(self.planned),
            "实际到位资金": number(self.arrived),
            "实际使用情况": number(self.used),
            "资金到位率": number(self.arrival_display),
            "资金使用率": number(self.use_display),
            "预算执行率": number(self.use_display),
            "指标": [
                {"序号": r.index + 1, "一级指标": r.level1, "二级指标": r.level2, "三级指标": r.level3,
                 "分值": number(r.weight), "得分": number(r.score), "计分方式": r.method, "说明": r.explanation}
                for r in self.indicators
            ],
            "二级小计": [{"一级指标": k[0], "二级指标": k[1], "分值": number(w), "得分": number(s)}
                     for k, (w, s) in self.level2.items()],
            "小计": {k: number(v) for k, v in self.subtotals.items()},
            "总分": number(self.total),
            "评价人员": [{"姓名": n, "项目评分": number(s)} for n, s in self.evaluators],
            "评价人员平均得分": number(self.average),
            "等次": self.grade,
            "无法计分原因": self.ungraded,
            "绩效目标等级": self.target_tiers,
            "绩效目标": [{"指标名称": t.name, "方向": DIRECTION_WORDS.get(t.direction or "", None),
                      "实际完成值": t.actual, "等级": t.tier, "分值": number(t.weight), "得分": number(t.score),
                      "说明": t.explanation} for t in self.targets],
            "错误数": sum(f.severity == "error" for f in self.findings),
            "警告数": sum(f.severity == "warning" for f in self.findings),
            "标记": [f.as_dict() for f in self.findings],
        }


def _blank(value: Any) -> bool:
    return values.parse(value).kind == "empty"


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


# ---- funds -----------------------------------------------------------------------------------
def score_funds(sheet: ScoreSheet, out: Collector
                ) -> tuple[Decimal | None, Decimal | None, Decimal | None, dict[str, tuple]]:
    """计划投资额, 实际到位资金, 实际使用情况 and the rates {name: (rate, numerator, denominator)}."""
    amounts = {}
    for key in ("计划投资额", "实际到位资金", "实际使用情况"):
        amounts[key] = read_money(sheet.fund(key), sheet.fund_where(key), f"项目基本信息的{key}", out)
        if amounts[key] is None and _blank(sheet.fund(key)):
            need = {"计划投资额": "资金到位率", "实际到位资金": "资金到位率和资金使用率",
                    "实际使用情况": "资金使用率"}[key]
            out.add("W-SS-FUNDS", "warning", f"项目基本信息的{key}（万元）未填写，无法计算{need}。", key,
                    sheet.fund_where(key))
    planned, arrived, used = amounts["计划投资额"], amounts["实际到位资金"], amounts["实际使用情况"]
    arrival = use = None
    if planned is not None and arrived is not None:
        if planned <= 0:
            out.add("E-SS-PLANNED", "error", "计划投资额为 0 或负数，无法计算资金到位率；请填写以万元为单位的计划投资额。",
                    "计划投资额", sheet.fund_where("计划投资额"))
        else:
            arrival = arrived / planned
            if arrived > planned:
                out.add("W-SS-ARRIVAL-OVER", "warning",
                        f"实际到位资金 {fmt(arrived)} 万元超过计划投资额 {fmt(planned)} 万元，请核实。",
                        "实际到位资金", sheet.fund_where("实际到位资金"))
    if arrived is not None and used is not None:
        if arrived <= 0:
            if used > 0 or planned:
                out.add("E-SS-ARRIVED", "error", "实际到位资金为 0，无法计算资金使用率；请填写实际到位资金（万元）。",
                        "实际到位资金", sheet.fund_where("实际到位资金"))
        else:
            use = used / arrived
            if used > arrived:
                out.add("W-SS-USE-OVER", "warning",
                        f"实际使用 {fmt(used)} 万元超过实际到位资金 {fmt(arrived)} 万元，请核实。",
                        "实际使用情况", sheet.fund_where("实际使用情况"))
    sources = sheet.project.basic_info.get("资金来源")
    if isinstance(sources, dict) and sources and planned is not None:
        parts = [read_money(v, sheet.project.where(f"项目基本信息.资金来源.{k}"), f"资金来源的{k}", out)
                 for k, v in sources.items()]
        known = [p for p in parts if p is not None]
        if len(known) == len(parts) and sum(known, Decimal(0)) != planned:
            out.add("W-SS-SOURCES", "warning",
                    f"资金来源合计 {fmt(sum(known, Decimal(0)))} 万元与计划投资额 {fmt(planned)} 万元不一致，请核对。",
                    "资金来源", sheet.project.where("项目基本信息.资金来源"))
    rates = {"资金到位率": (arrival, arrived, planned), "资金使用率": (use, used, arrived)}
    return planned, arrived, used, rates


# ---- indicator rows ----------------------------------------------------------------------------
def score_rows(sheet: ScoreSheet, fw: Framework, sr: SheetRules, rates: dict[str, tuple], out: Collector
               ) -> list[IndicatorResult]:
    places = sr.base.places
    results = []
    for row in sheet.rows:
        i = row.n - 1
        loc = lambda key: sheet.where("评分指标", row.n, key)  # noqa: E731
        l1 = fw.canonical_level1(row.level1)
        l2 = fw.canonical_level2(row.level2, l1)
        l3 = _text(row.level3)
        label = l3 or f"评分表第 {row.n} 行"
        for key, value in (("一级指标", row.level1), ("三级指标", row.level3)):
            if _blank(value):
                out.add("E-REQUIRED", "error", f"评分表第 {row.n} 行的{key}未填写。", key, loc(key), i)
        if l1 and not _blank(row.level1) and l1 not in fw.level1:
            out.add("E-SS-UNKNOWN-L1", "error",
                    f"一级指标“{row.level1}”不在评分表框架“{fw.name}”中，请改为：{'、'.join(fw.level1)}。",
                    "一级指标", loc("一级指标"), i)
        elif l1 in fw.level1 and fw.level1[l1].level2 and l2 not in fw.level1[l1].level2 and not _blank(row.level2):
            out.add("W-SS-UNKNOWN-L2", "warning",
                    f"二级指标“{row.level2}”不是框架“{fw.name}”中“{l1}”下的二级指标（"
                    f"{'、'.join(fw.level1[l1].level2)}），请核实。", "二级指标", loc("二级指标"), i)
        weight = read_number(row.weight, loc("分值"), f"“{label}”的分值", out)
        if weight is not None and weight < 0:
            out.add("E-NUMBER", "error", f"“{label}”的分值不能为负数。", "分值", loc("分值"), i)
            weight = None

        def result(score, method, expl):
            return IndicatorResult(i, l1, l2, l3, weight, score, method, expl)

        entered = None
        if not _blank(row.score):
            entered = read_number(row.score, loc("得分"), f"“{label}”的得分", out)
        if weight is None:
            results.append(result(None, "未计分", "未计分：分值缺失或无效"))
            continue
        weight_text = fmt(weight)
        if entered is not None and entered < 0:
            out.add("E-SS-SCORE-NEG", "error", f"“{label}”的得分 {fmt(entered)} 不能为负数，请填写 0 到 {weight_text} 之间的分数。",
                    "得分", loc("得分"), i)
            entered = Decimal(0)
        if entered is not None and entered > weight:
            out.add("E-SS-SCORE-OVER", "error",
                    f"“{label}”的得分 {fmt(entered)} 超过分值 {weight_text}，得分不能超过分值；暂按 {weight_text} 计。",
                    "得分", loc("得分"), i)
            entered = weight
        formula = fw.formula_of(l3)
        rate = rates.get(formula) if formula else None
        if formula and rate is not None and rate[0] is not None:
            value, num, den = rate
            computed = capped_score(sr.base, weight, value)
            basis = f"{formula} {fmt(num)} ÷ {fmt(den)} = {fmt_percent(value)}，{weight_text} × {fmt_percent(min(value, Decimal(1)))} = {fmt(computed, places)}"
            if entered is None:
                results.append(result(computed, "公式", f"公式：{basis}"))
                continue
            entered = round_half_up(entered, places)
            if entered == computed:
                results.append(result(entered, "公式", f"公式：{basis}"))
                continue
            if sr.formula_mode == "计算":
                out.add("E-SS-FORMULA", "error",
                        f"“{label}”的得分：填报 {fmt(entered)}，按{basis}。请改为 {fmt(computed, places)}。",
                        "得分", loc("得分"), i)
                results.append(result(computed, "公式", f"公式指标：{basis}（填报 {fmt(entered)} 未采用）"))
            else:
                if _blank(row.basis):
                    out.add("W-SS-FORMULA", "warning",
                            f"“{label}”填报得分 {fmt(entered)}，按{basis}。采用填报得分；如有扣分理由请写入评分依据，"
                            "否则请改为计算值。", "得分", loc("得分"), i)
                else:
                    out.add("I-SS-FORMULA", "info",
                            f"“{label}”填报得分 {fmt(entered)}（评分依据：{_text(row.basis)[:40]}），按{basis}。",
                            "得分", loc("得分"), i)
                results.append(result(entered, "评价", f"评价人员评分 {fmt(entered)}（按{formula} "
                                                     f"{fmt_percent(value)} 应为 {fmt(computed, places)}）"))
            continue
        if entered is None and not _blank(row.score):
            results.append(result(None, "未计分", "未计分：得分无效"))  # already reported by read_number
            continue
        if entered is None:
            out.add("E-SS-SCORE-MISSING", "error",
                    f"“{label}”的得分未填写，请按评分依据填写 0 到 {weight_text} 之间的分数。", "得分", loc("得分"), i)
            results.append(result(None, "未计分", "未计分：得分未填写"))
            continue
        entered = round_half_up(entered, places)
        if entered < weight and _blank(row.basis):
            out.add("W-SS-BASIS", "warning",
                    f"“{label}”扣了 {fmt(weight - entered)} 分（{fmt(entered)} / {weight_text}），请在“评分依据”中写明扣分理由。",
                    "评分依据", loc("评分依据"), i)
        note = "，满分" if entered == weight else f"，扣 {fmt(weight - entered)} 分"
        results.append(result(entered, "评价", f"评价人员评分 {fmt(entered)} / {weight_text}{note}"))
    return results


def sum_weights(results: list[IndicatorResult]) -> tuple[dict[str, Decimal], Decimal]:
    """分值 per 一级 and in all. A 一级 none of whose rows has a 分值 is left out: its cell stays blank, not 0."""
    sums: dict[str, Decimal] = {}
    total = Decimal(0)
    for r in results:
        if r.weight is not None:
            sums[r.level1] = sums.get(r.level1, Decimal(0)) + r.weight
            total += r.weight
    return sums, total


def check_weights(sheet: ScoreSheet, fw: Framework, results: list[IndicatorResult], sums: dict[str, Decimal],
                  total: Decimal, out: Collector) -> None:
    first: dict[str, Location] = {}
    for row, res in zip(sheet.rows, results):
        if res.weight is not None:
            first.setdefault(res.level1, sheet.where("评分指标", row.n, "分值"))
    if not sheet.rows:
        out.add("E-SS-NO-ROWS", "error", "评分表中没有任何指标行，请按评分框架填写三级指标、分值和得分。", "评分指标",
                sheet.project.where("评分指标"))
        return
    for name, l1 in fw.level1.items():
        given = sums.get(name, Decimal(0))
        if given != l1.weight:
            out.add("E-SS-WEIGHT-L1", "error",
                    f"“{name}”下各三级指标分值合计 {fmt(given)} 分，框架“{fw.name}”规定为 {fmt(l1.weight)} 分，"
                    "请调整分值使其相符。", "分值", first.get(name) or sheet.project.where(f"评分指标.{name}"))
    if total != fw.total_weight:
        out.add("E-SS-WEIGHT-TOTAL", "error", f"评分表全部分值合计 {fmt(total)} 分，应为 {fmt(fw.total_weight)} 分。",
                "分值", sheet.project.where("评分指标.总分"))


# ---- evaluators ------------------------------------------------------------------------------
def score_evaluators(sheet: ScoreSheet, sr: SheetRules, total: Decimal | None, max_score: Decimal,
                     out: Collector) -> tuple[list[tuple[str, Decimal | None]], Decimal | None]:
    places = sr.base.places
    scores: list[tuple[str, Decimal | None]] = []
    kept = []  # the rows behind `scores`, for their cells
    for ev in sheet.evaluators:
        name = _text(ev.name) or f"第 {ev.n} 位评价人员"
        if _blank(ev.score) and _blank(ev.name):
            continue  # an empty line of the block ("……")
        where = sheet.where("评价人员", ev.n, "项目评分")
        score = read_number(ev.score, where, f"{name}的项目评分", out)
        if score is not None and not Decimal(0) <= score <= max_score:
            out.add("E-SS-EVAL-RANGE", "error", f"{name}的项目评分 {fmt(score)} 应在 0 到 {fmt(max_score)} 之间。",
                    "项目评分", where)
            score = None
        if _blank(ev.name) and score is not None:
            out.add("W-SS-EVAL-NAME", "warning", f"第 {ev.n} 位评价人员的姓名未填写。", "姓名",
                    sheet.where("评价人员", ev.n, "姓名"))
        scores.append((name, score))
        kept.append(ev)
    given = [s for _, s in scores if s is not None]
    if not scores:
        out.add("I-SS-NO-EVALUATORS", "info", "评价人员未填写；等次按评分表总分确定。", "评价人员",
                sheet.project.where("评价人员"))
        return scores, None
    if not given:
        return scores, None
    average = round_half_up(sum(given, Decimal(0)) / len(given), places)
    if total is not None:
        gap = abs(average - total)
        if gap > sr.average_tolerance:
            listed = "、".join(f"{n} {fmt(s)}" for n, s in scores if s is not None)
            out.add("E-SS-EVAL-AVG", "error",
                    f"评价人员平均得分 {fmt(average)}（{listed}）与评分表总分 {fmt(total)} 相差 {fmt(gap)} 分，"
                    f"超过规则允许的 {fmt(sr.average_tolerance)} 分。请核对各评价人员的评分或评分表各项得分。",
                    "平均得分", sheet.project.where("评价人员.平均得分"))
        for (name, score), ev in zip(scores, kept):
            if score is not None and abs(score - total) > sr.personal_tolerance:
                out.add("W-SS-EVAL-SPREAD", "warning",
                        f"{name}的项目评分 {fmt(score)} 与评分表总分 {fmt(total)} 相差 {fmt(abs(score - total))} 分，"
                        f"超过 {fmt(sr.personal_tolerance)} 分，请核实。", "项目评分",
                        sheet.where("评价人员", ev.n, "项目评分"))
    return scores, average


# ---- 绩效目标表 tiers ---------------------------------------------------------------------------
def _direction_from_text(text: str) -> str | None:
    text = values.normalize(text)
    le = min((text.find(w) for w in _LE_WORDS if w in text), default=-1)
    ge = min((text.find(w) for w in _GE_WORDS if w in text), default=-1)
    if le >= 0 and (ge < 0 or le < ge):
        return "le"
    if ge >= 0:
        return "ge"
    return None


def tier_of(row: TargetRow, sheet: ScoreSheet, rules: RuleSet, year: int | None, out: Collector) -> TargetResult:
    name = _text(row.name) or f"绩效目标表第 {row.n} 行"
    loc = lambda key: sheet.where("绩效目标表", row.n, key)  # noqa: E731
    weight = None
    if not _blank(row.weight):
        weight = read_number(row.weight, loc("分值"), f"“{name}”的分值", out)

    def result(direction, tier, expl, actual_text=""):
        score = None
        if tier is not None and weight is not None:
            score = round_half_up(weight * rules.tiers.get(tier, Decimal(0)), rules.places)
        return TargetResult(row.n, _text(row.kind), name, direction, tier, actual_text or _text(row.actual),
                            weight, score, expl)

    actual = values.parse(row.actual, year)
    if actual.kind == "empty":
        out.add("W-SS-TIER-ACTUAL", "warning", f"“{name}”的实际完成值未填写，无法确定达到的等级。", "实际完成值",
                loc("实际完成值"))
        return result(None, None, "未定级：实际完成值未填写")
    standards = {t: values.parse(row.tiers.get(t), year) for t in TIERS}
    given = {t: p for t, p in standards.items() if p.kind != "empty"}
    if not given:
        out.add("E-SS-TIER-MISSING", "error", f"“{name}”没有填写优、良、中、差的绩效标准。", "优", loc("优"))
        return result(None, None, "未定级：没有绩效标准")

    if actual.kind == "qualitative" or all(p.kind == "qualitative" for p in given.values()):
        typed = values.normalize(_text(row.actual))
        for t, p in given.items():
            if p.kind == "qualitative" and p.text == typed:
                return result(None, t, f"实际完成情况“{values.shown(row.actual)}”与“{t}”的标准相同，定为{t}")
        out.add("E-SS-TIER-PARSE", "error",
                f"“{name}”的实际完成值“{values.shown(row.actual)}”无法与绩效标准比较。请填写数值和单位（如“1772条”“0%”），"
                "或照抄达到的那一档标准的文字。", "实际完成值", loc("实际完成值"))
        return result(None, None, "未定级：实际完成值无法比较")
    if actual.kind != "number" or actual.quantity is None:
        out.add("E-SS-TIER-PARSE", "error",
                f"“{name}”的实际完成值“{values.shown(row.actual)}”不是数值，请填写数值和单位，例如“1772条”“0%”。",
                "实际完成值", loc("实际完成值"))
        return result(None, None, "未定级：实际完成值无法识别")

    levels: dict[str, Decimal] = {}
    first: values.Parsed | None = None
    base: values.Comparable | None = None  # the first standard against the actual
    for t, p in given.items():
        if p.kind != "number" or p.quantity is None:
            out.add("E-SS-TIER-PARSE", "error",
                    f"“{name}”的“{t}”标准“{row.tiers.get(t)}”不是数值，请填写如“1000条”“10%”的标准值。", t, loc(t))
            return result(None, None, f"未定级：“{t}”标准无法识别")
        comp = values.align(p.quantity, actual.quantity)
        if comp.problem:
            out.add("E-SS-TIER-UNIT", "error",
                    f"“{name}”：“{t}”标准“{row.tiers.get(t)}”与实际完成值“{values.shown(row.actual)}”的单位不一致，无法比较。"
                    f"请把实际完成值写成与标准相同的单位，例如“{p.quantity.text()}”。", "实际完成值", loc("实际完成值"))
            return result(None, None, "未定级：单位不一致")
        if first is None:
            first, base = p, comp
        assert first.quantity is not None and comp.target is not None  # a number, aligned without a problem
        if p.quantity.unit == first.quantity.unit:
            levels[t] = comp.target
            continue
        # A standard in another unit than the first's (优 "1万元", 良 "5000元"): compared in the first's unit.
        level = values.align(first.quantity, p.quantity)
        if level.problem:
            top = next(iter(levels))
            out.add("E-SS-TIER-UNIT", "error",
                    f"“{name}”：“{t}”标准“{row.tiers.get(t)}”与“{top}”标准“{row.tiers.get(top)}”的单位不一致，"
                    "无法比较。请把各档标准写成相同的单位。", t, loc(t))
            return result(None, None, "未定级：单位不一致")
        assert level.actual is not None
        levels[t] = level.actual
    # given is not empty and every standard in it is a number: the first one set first and base.
    assert first is not None and first.quantity is not None and base is not None and base.actual is not None
    a_value = base.actual
    unit = first.quantity.unit or ""

    order = [t for t in TIERS if t in levels]
    direction = None
    for t in order[1:]:
        if levels[t] != levels[order[0]]:
            direction = "ge" if levels[order[0]] > levels[t] else "le"
            break
    if direction is None:  # one standard only, or all equal: the words decide
        hints = [standards["优"].direction, _direction_from_text(_text(row.goal))]
        bad = standards["差"].direction
        if bad in ("ge", "gt"):
            hints.insert(0, "le")  # "差: 18%以上": high is bad
        elif bad in ("le", "lt"):
            hints.insert(0, "ge")
        direction = next(({"gt": "ge", "lt": "le"}.get(h, h) for h in hints if h), None)
    if direction is None:
        out.add("E-SS-TIER-DIRECTION", "error",
                f"“{name}”无法判断是越多越好还是越少越好：请在标准中写明，例如“≥1000条”或“≤10%”。", "优", loc("优"))
        return result(None, None, "未定级：方向不明")
    ge = direction == "ge"
    for hi, lo in zip(order, order[1:]):
        if (levels[hi] < levels[lo]) if ge else (levels[hi] > levels[lo]):
            out.add("E-SS-TIER-ORDER", "error",
                    f"“{name}”的绩效标准顺序不一致：{DIRECTION_WORDS[direction]}，但“{hi}”的标准 "
                    f"{fmt(levels[hi])}{unit} {'低于' if ge else '高于'}“{lo}”的标准 {fmt(levels[lo])}{unit}。"
                    "请按优、良、中、差的顺序填写。", lo, loc(lo))
            return result(direction, None, "未定级：标准顺序不一致")
    a_text = f"{fmt(a_value)}{unit}"
    sign = "≥" if ge else "≤"
    # The worst tier is whatever fails every threshold above it; its own value only marks the range.
    for t in order:
        if t == "差":
            break
        if (a_value >= levels[t]) if ge else (a_value <= levels[t]):
            return result(direction, t, f"{DIRECTION_WORDS[direction]}：实际 {a_text} {sign} “{t}”的标准 "
                                        f"{fmt(levels[t])}{unit}，定为{t}", a_text)
    lowest = next((t for t in reversed(order) if t != "差"), None)
    if lowest is None:
        return result(direction, "差", f"{DIRECTION_WORDS[direction]}：只有“差”的标准，定为差", a_text)
    return result(direction, "差", f"{DIRECTION_WORDS[direction]}：实际 {a_text} 未达到“{lowest}”的标准 "
                                   f"{fmt(levels[lowest])}{unit}，定为差", a_text)


# ---- entry point -------------------------------------------------------------------------------
def evaluate_sheet(project: Project, rules: RuleSet | None = None) -> SheetResult:
    """Score a 评分表 project and run its checks; never raises on bad project data."""
    rules = rules or load_rules(project.rules)
    sr = sheet_rules(rules)
    sheet = sheet_from_project(project)
    fw = sr.detect([r.level1 for r in sheet.rows])
    out = Collector()
    year = project_year(project)
    for attr, label in (("name", "项目名称"), ("unit", "实施单位"), ("year", "年度")):
        if _blank(getattr(project, attr)):
            out.add("E-REQUIRED", "error", f"{label}未填写。", label, project.where(label))

    planned, arrived, used, rates = score_funds(sheet, out)
    arrival, use = rates["资金到位率"][0], rates["资金使用率"][0]
    results = score_rows(sheet, fw, sr, rates, out)
    weight_sums, weight_total = sum_weights(results)
    check_weights(sheet, fw, results, weight_sums, weight_total, out)

    places = rules.places
    subtotals: dict[str, Decimal | None] = {name: Decimal(0) for name in fw.level1}
    level2: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    for r in results:
        prior = subtotals.get(r.level1, Decimal(0))
        # A 一级 with a row that could not be scored has no subtotal (None), never a sum that counts it as 0.
        subtotals[r.level1] = None if prior is None or r.score is None else prior + r.score
        w, s = level2.get((r.level1, r.level2), (Decimal(0), Decimal(0)))
        level2[(r.level1, r.level2)] = (w + (r.weight or Decimal(0)), s + (r.score or Decimal(0)))
    subtotals = {k: None if v is None else round_half_up(v, places) for k, v in subtotals.items()}
    level2 = {k: (w, round_half_up(s, places)) for k, (w, s) in level2.items()}
    # Never grade what could not be read (as for the 自评表): no rows, or a row without a usable 分值/得分.
    reasons = [f.message.split("。")[0] for f in out.findings if f.code.startswith(UNREADABLE_PREFIX)]
    reasons += [f.message.split("。")[0] for f in project.read_findings if f.code.startswith(UNREADABLE_PREFIX)]
    if not sheet.rows:
        reasons.append("评分表中没有读到任何指标行")
    unscored = [r for r in results if r.score is None]
    for r in unscored[:4]:
        reasons.append(f"“{r.level3 or f'评分表第 {r.index + 1} 行'}”未能计分（{r.explanation.removeprefix('未计分：')}）")
    if len(unscored) > 4:
        reasons.append(f"另有 {len(unscored) - 4} 行未能计分")
    # Graded only when nothing is unscored: then no subtotal is None.
    total = None if reasons else round_half_up(sum((s for s in subtotals.values() if s is not None), Decimal(0)), places)

    evaluators, average = score_evaluators(sheet, sr, total, fw.total_weight, out)
    graded = average if average is not None else total
    grade = None if reasons or graded is None else rules.grade_for_total(graded)
    if reasons:
        out.add("E-UNGRADED", "error", f"无法计分：{'；'.join(reasons)}。改正上述问题后再计分；在此之前本评分表没有总分和等次。",
                "总分", sheet.project.where("评分指标.总分"))
    targets = [tier_of(row, sheet, rules, year, out) for row in sheet.targets]
    return SheetResult(
        rule_id=rules.id, rule_name=rules.name, rate=use, rate_display=None if use is None else
        round_half_up(use, rules.rate_places), rate_weight=None, rate_score=None,
        rate_explanation="", indicators=results, subtotals=subtotals, total=total, grade=grade,
        findings=[*project.read_findings, *out.findings], ungraded="；".join(reasons) if reasons else None,
        framework=fw.name, planned=planned, arrived=arrived, used=used, arrival_rate=arrival, use_rate=use,
        fund_rates=rates,
        rate_places=rules.rate_places, level2=level2,
        level1_weights={k: v.weight for k, v in fw.level1.items()}, weight_sums=weight_sums,
        weight_total=weight_total,
        evaluators=evaluators, average=average, targets=targets,
    )


__all__ = ["evaluate_sheet", "SheetResult", "TargetResult", "tier_of"]
