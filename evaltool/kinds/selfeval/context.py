"""What a 自评表 report's template sees: the scored form as plain, pre-formatted values (funds,
indicators by 一级/二级指标, 总分), on top of report/context.py's common_context."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from evaltool.core import values
from evaltool.core.adjustments import percent
from evaltool.core.decimals import fmt, fmt_percent
from evaltool.core.model import FUND_ROWS, Project, ScoreResult
from evaltool.core.results import UNGRADED_LABEL
from evaltool.core.seam import Percent
from evaltool.report.context import (common_context, escape_markup, fund_amount, grade_scale, long_text, money,
                                     percent_text, placeholder, raw_text, rules_of, score_text, unique_labels)


def _actual_text(ind: Any) -> str:
    """The 实际完成值 as the report states it: as typed, except a bare fraction under a percent
    target, which scoring reads as a percentage (0.93 under ≥90% is 93%), so the text says 93%."""
    if ind is None:
        return ""
    raw = getattr(ind, "actual", None)
    if not isinstance(raw, Percent) and isinstance(raw, (int, float, Decimal, str)) and not isinstance(raw, bool):
        target, actual = values.parse(getattr(ind, "target", None)), values.parse(raw)
        compared = values.actual_as_compared(target, actual)
        if compared is not None and actual.quantity is not None and compared.unit != actual.quantity.unit:
            return compared.text()
    return raw_text(raw)


@dataclass
class IndicatorView:
    index: int  # 0-based position on the form
    level1: str
    level2: str
    name: str  # 三级指标 as typed
    label: str  # short form for prose (unique within the report)
    target: str
    actual: str
    weight: str
    score: str
    weight_value: Decimal | None
    score_value: Decimal | None
    method: str
    explanation: str
    qualitative: bool
    full: bool  # scored its whole weight
    scored: bool
    deviation: str  # 偏差原因分析及改进措施 as typed ("" when empty)
    deviation_or_placeholder: str
    far_above: bool = False  # the result far exceeds the target: the target may have been set too low
    # The rule set's 超额扣分 took points: the target was beaten by far (超额完成), not missed. Its
    # sentence ("超额完成年度指标值（超出目标 30%），目标设置偏低（扣 2 分）"), "" otherwise.
    deducted: bool = False
    deduction: str = ""


class _Shortfalls:
    """shortfalls and unscored of a level's items, worded once for 一级 and 二级 alike."""

    if TYPE_CHECKING:  # each level has its items: a field of Level2View, a property of Level1View
        @property
        def items(self) -> list[IndicatorView]: ...

    @property
    def shortfalls(self) -> list[IndicatorView]:
        return [i for i in self.items if i.scored and not i.full]

    @property
    def unscored(self) -> list[IndicatorView]:
        return [i for i in self.items if not i.scored]


@dataclass
class Level2View(_Shortfalls):
    name: str
    weight: str
    score: str
    items: list[IndicatorView] = field(default_factory=list)


@dataclass
class Level1View(_Shortfalls):
    name: str
    weight: str
    score: str
    groups: list[Level2View] = field(default_factory=list)

    @property
    def items(self) -> list[IndicatorView]:
        return [i for g in self.groups for i in g.items]


@dataclass
class FundView:
    label: str
    initial: str
    budget: str
    actual: str
    has_initial: bool
    nonzero: bool


def _sum(values_: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values_ if v is not None]
    return sum(present, Decimal(0)) if present else None


def build_levels(project: Project, result: ScoreResult) -> list[Level1View]:
    from evaltool.workbook.evaluate import display_places

    places = display_places(project)  # the scores' own places (设置 小数位 3: 95.156, never 95.16)
    levels: dict[str, Level1View] = {}
    raw_by_index = {i: ind for i, ind in enumerate(project.indicators)}
    far_above = {f.indicator for f in result.findings if f.code == "W-FAR-ABOVE" and f.indicator is not None}
    level_sums: dict[str, list[Decimal]] = {}
    group_sums: dict[tuple[str, str], list[Decimal]] = {}
    labels = unique_labels([r.level3 for r in result.indicators])
    rules = rules_of(project, result)
    why = rules.excess.reason if rules is not None and rules.excess is not None else "目标设置偏低"
    for r, label in zip(result.indicators, labels):
        ind = raw_by_index.get(r.index)
        l1 = r.level1 or "（未填一级指标）"
        l2 = r.level2 or "（未填二级指标）"
        deviation = raw_text(getattr(ind, "deviation", None)) if ind is not None else ""
        scored = r.score is not None and r.weight is not None
        full = r.score is not None and r.weight is not None and r.score >= r.weight
        deducted = (scored and not full and bool(r.deduction) and r.excess is not None
                    and r.score + r.deduction >= r.weight)  # type: ignore[operator]
        deduction = (f"超额完成年度指标值（{'优于' if r.method == '反向' else '超出'}目标 "
                     f"{percent(r.excess)}），{why}（扣 {fmt(r.deduction)} 分）") if deducted else ""  # type: ignore[arg-type]
        if deducted:
            hint = f"“{label}”超额完成、{why}被扣分，请在自评表“偏差原因分析及改进措施”栏说明{why}的原因和改进措施"
        elif scored and not full:
            hint = f"“{label}”得分低于分值，请在自评表“偏差原因分析及改进措施”栏说明未完成的原因和改进措施"
        else:
            hint = f"“{label}”的偏差原因"
        view = IndicatorView(
            index=r.index, level1=escape_markup(l1), level2=escape_markup(l2), name=escape_markup(r.level3),
            label=escape_markup(label),
            target=raw_text(getattr(ind, "target", None)) if ind is not None else "",
            actual=_actual_text(ind),
            weight=score_text(r.weight, places), score=score_text(r.score, places),
            weight_value=r.weight, score_value=r.score, method=r.method, explanation=r.explanation,
            qualitative=r.method == "定性", full=full, scored=scored,
            deviation=deviation, deviation_or_placeholder=deviation or placeholder(hint),
            far_above=r.index in far_above, deducted=deducted, deduction=escape_markup(deduction),
        )
        lv = levels.setdefault(l1, Level1View(l1, "", ""))
        group = next((g for g in lv.groups if g.name == l2), None)
        if group is None:
            group = Level2View(l2, "", "")
            lv.groups.append(group)
        group.items.append(view)
        level_sums.setdefault(l1, [Decimal(0), Decimal(0)])
        group_sums.setdefault((l1, l2), [Decimal(0), Decimal(0)])
        for sums in (level_sums[l1], group_sums[(l1, l2)]):
            sums[0] += r.weight or Decimal(0)
            sums[1] += r.score or Decimal(0)
    for l1, lv in levels.items():
        lv.weight = score_text(level_sums[l1][0], places)
        # The 一级 subtotal is the scorer's own (rounded once, as on the form).
        lv.score = score_text(result.subtotals.get(l1, level_sums[l1][1]), places)
        for g in lv.groups:
            g.weight = score_text(group_sums[(l1, g.name)][0], places)
            g.score = score_text(group_sums[(l1, g.name)][1], places)
    return list(levels.values())


def build_context(project: Project, result: ScoreResult) -> dict[str, Any]:
    """The template context for one scored 自评表 (common_context's keys, plus its own)."""
    rules = rules_of(project, result)
    rows: list[FundView] = []
    amounts: dict[str, dict[str, Decimal | None]] = {}
    for label in FUND_ROWS:
        row = project.funds.get(label)
        a = {k: fund_amount(getattr(row, attr)) if row else None
             for k, attr in (("initial", "initial"), ("budget", "budget"), ("actual", "actual"))}
        amounts[label] = a
        rows.append(FundView(label, money(a["initial"]), money(a["budget"]), money(a["actual"]),
                             a["initial"] is not None,
                             any(v not in (None, Decimal(0)) for v in a.values())))
    total = amounts["年度资金总额"]
    budget, actual, initial = total["budget"], total["actual"], total["initial"]
    unexecuted = budget - actual if budget is not None and actual is not None else None
    levels = build_levels(project, result)
    indicators = [i for lv in levels for i in lv.items]
    shortfalls = [i for i in indicators if i.scored and not i.full]
    unscored = [i for i in indicators if not i.scored]
    output_levels = [lv for lv in levels if "产出" in lv.name]
    other_levels = [lv for lv in levels if "产出" not in lv.name]
    rate_display = result.rate_display
    from evaltool.workbook.evaluate import display_places

    places = display_places(project)
    ctx = common_context(project, result)
    ctx["project"]["subject_project"] = ctx["project"]["subject"] + (
        "" if raw_text(project.name).endswith("项目") else "项目")
    ctx.update({
        "rule_name": escape_markup(result.rule_name),
        "grade_scale": grade_scale(rules.grades) if rules else "90分及以上为优，80分（含）至90分为良，60分（含）至80分为中，60分以下为差",
        "qualitative_bands": [b.name for b in rules.qual_bands] if rules else
        ["达成预期指标", "部分达成预期指标并具有一定效果", "未达成预期指标且效果较差"],
        "rate_method": rules.rate_method if rules else "比例",
        "funds": {
            "rows": rows,
            "parts": [r for r in rows[1:] if r.nonzero],
            "budget": money(budget),
            "initial": money(initial),
            "has_initial": initial is not None,
            "initial_differs": initial is not None and budget is not None and initial != budget,
            "actual": money(actual),
            "unexecuted": money(unexecuted),
            "over": unexecuted is not None and unexecuted < 0,
            "overspent": money(-unexecuted) if unexecuted is not None and unexecuted < 0 else "",
            "rate": percent_text(rate_display),
            "rate_form": fmt_percent(rate_display),  # as on the form: 100.00%
            "rate_score_form": fmt(result.rate_score, places),
            "rate_known": rate_display is not None,
            "rate_full": rate_display is not None and rate_display >= 1,
            "rate_weight": score_text(result.rate_weight, places),
            "rate_score": score_text(result.rate_score, places),
            "rate_explanation": result.rate_explanation,
        },
        "goal": {
            "expected": long_text(project.goal_expected).replace("\n", "") or placeholder("年度总体目标的预期目标（自评表“年度总体目标”栏）"),
            "actual": long_text(project.goal_actual).replace("\n", "") or placeholder("年度总体目标的实际完成情况（自评表“年度总体目标”栏）"),
        },
        "levels": levels,
        "output_levels": output_levels,
        "other_levels": other_levels,
        "indicators": indicators,
        "indicator_count": len(indicators),
        "full_count": sum(1 for i in indicators if i.full),
        "shortfalls": shortfalls,
        "unscored": unscored,
        "subtotals": [(name, score_text(value, places)) for name, value in result.subtotals.items()],
        # Ungraded: every place a template prints the 总分 or 等次 reads 无法计分, never a number.
        "total": UNGRADED_LABEL if result.ungraded else score_text(result.total, places),
        "total_form": UNGRADED_LABEL if result.ungraded else fmt(result.total, places),
        "total_weight": score_text(sum((i.weight_value or Decimal(0) for i in indicators),
                                       result.rate_weight or Decimal(0)), places),
        "grade": UNGRADED_LABEL if result.ungraded else (result.grade or "—"),
        "ungraded": escape_markup(result.ungraded or ""),  # the reason; "" when graded
        # The rule set's 超额扣分 / 总分上限, one line each (the 附表 prints the same lines).
        "adjustments": [escape_markup(a.reason) for a in result.adjustments],
    })
    return ctx
