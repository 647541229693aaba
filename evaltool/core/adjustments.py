"""Rule-set steps applied after the indicator scores (issue 16 item 4): 超额扣分 on an indicator whose
actual beats its target by the rule set's margin, and 总分上限 linked to 执行率. Each step gives a
one-line Chinese reason (the indicator's explanation, the result's adjustments) and a finding, so
check, score, report, collect and --json all say why a score is lower than the indicators suggest.

Pure and kind-neutral: a form kind's scorer calls these with numbers it has computed.
"""
from __future__ import annotations

from decimal import Decimal

from evaltool.core.decimals import fmt, fmt_percent, round_half_up
from evaltool.core.model import Adjustment
from evaltool.core.rules import RuleSet, TotalCap


def percent(value: Decimal) -> str:
    """0.3 -> '30%', 0.2999 -> '29.99%' (two places, whole percentages without them)."""
    text = fmt_percent(value, 2)
    return text.replace(".00%", "%")


def excess_of(direction: str, target: Decimal, actual: Decimal) -> Decimal | None:
    """How far an actual beats its target, as a share of the target: 正向 (a − t) ÷ t, 反向 (t − a) ÷ t.
    None when it does not beat it, for = targets, for a target of 0 or less, and for an actual of 0
    on a ≤ target (0 起事故 is the goal itself, not a lax target)."""
    if target <= 0:
        return None
    if direction in ("ge", "gt"):
        return (actual - target) / target if actual > target else None
    if direction in ("le", "lt"):
        return (target - actual) / target if 0 < actual < target else None
    return None


def excess_deduction(rules: RuleSet, direction: str, excess: Decimal | None, weight: Decimal,
                     score: Decimal) -> Decimal | None:
    """Points the rule set's 超额扣分 takes from an indicator (never more than it scored), or None."""
    rule = rules.excess
    if rule is None or excess is None or excess < rule.margin:
        return None
    if direction in ("le", "lt") and not rule.reverse:
        return None
    amount = rule.points if rule.points is not None else round_half_up(weight * (rule.share or Decimal(0)), rules.places)
    return min(round_half_up(amount, rules.places), score)


def deduction_texts(rules: RuleSet, direction: str, excess: Decimal, target: str, actual: str,
                    taken: Decimal, before: Decimal, after: Decimal) -> tuple[str, str]:
    """(explanation suffix, finding message) of an 超额扣分. The indicator is achieved — beaten by far —
    so every text says 超额完成 and the rule set's reason (目标设置偏低), never 未达到/未完成."""
    rule = rules.excess
    assert rule is not None
    verb = "优于" if direction in ("le", "lt") else "超出"
    how = (f"扣 {fmt(rule.points)} 分" if rule.points is not None
           else f"扣分值的 {percent(rule.share or Decimal(0))}")
    suffix = (f"；超额完成，实际{verb}目标 {percent(excess)}，{rule.reason}（扣 {fmt(taken)} 分），"
              f"得 {fmt(after, rules.places)}")
    message = (f"超额完成：实际完成值 {actual} {verb}目标 {target} 达 {percent(excess)}，{rule.reason}"
               f"（扣 {fmt(taken)} 分；{rules.name}：{verb}目标 {percent(rule.margin)} 及以上{how}），该指标得分 "
               f"{fmt(before, rules.places)} → {fmt(after, rules.places)}。请核实年度指标值是否定得偏低，"
               f"并在偏差原因分析及改进措施中说明{rule.reason}的原因。")
    return suffix, message


def deduction_adjustment(index: int, label: str, rules: RuleSet, direction: str, excess: Decimal,
                         target: str, actual: str, taken: Decimal) -> Adjustment:
    rule = rules.excess
    assert rule is not None
    verb = "优于" if direction in ("le", "lt") else "超出"
    return Adjustment("超额扣分", -taken, f"“{label}”超额完成：实际完成值 {actual} {verb}目标 {target} 达 "
                                    f"{percent(excess)}，{rule.reason}（扣 {fmt(taken)} 分）", index)


def capped_total(rules: RuleSet, rate_shown: Decimal | None, total: Decimal) -> tuple[Decimal, TotalCap | None]:
    """The 总分 after the rule set's 总分上限 (the 执行率 as the form shows it decides the band), and the
    band that cut it (None when the total was within its band's cap, or no band applies)."""
    cap = rules.total_cap_for(rate_shown)
    if cap is None:
        return total, None
    limit = round_half_up(cap.cap, rules.places)
    return (limit, cap) if total > limit else (total, None)


def cap_texts(rules: RuleSet, cap: TotalCap, rate_shown: Decimal, before: Decimal, after: Decimal,
              grade: str) -> tuple[Adjustment, str]:
    """(adjustment with its one-line reason, finding message) of a 总分上限 that cut the total."""
    # The rate as the form shows it (75.00%): the band is decided on that figure (README).
    reason = (f"执行率 {fmt_percent(rate_shown, 2)} {cap.condition()}，总分不超过 {fmt(cap.cap)} 分："
              f"{fmt(before, rules.places)} → {fmt(after, rules.places)}")
    message = (f"执行率 {fmt_percent(rate_shown, 2)} {cap.condition()}，按{rules.name}总分不超过 {fmt(cap.cap)} 分："
               f"各项得分合计 {fmt(before, rules.places)} 分，总分按 {fmt(after, rules.places)} 分计（等次 {grade}）。"
               "提高执行率或核实全年执行数；这一上限不是填报错误，不需要改表。")
    return Adjustment("总分上限", after - before, reason), message


__all__ = ["excess_of", "excess_deduction", "deduction_texts", "deduction_adjustment", "capped_total", "cap_texts",
           "percent"]
