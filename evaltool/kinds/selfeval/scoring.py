"""Scoring of a 自评表: project + rule set -> 执行率, its points, each indicator's score with a one-line
Chinese explanation, subtotals per 一级指标, 总分 and 等次, plus every finding on the way.
"""
from __future__ import annotations

from decimal import Decimal

from evaltool.core import values
from evaltool.core.decimals import fmt, fmt_percent, round_half_up
from evaltool.core.adjustments import (
    cap_texts, capped_total, deduction_adjustment, deduction_texts, excess_deduction, excess_of,
)
from evaltool.core.model import (
    UNREADABLE_PREFIX, Adjustment, Finding, Indicator, IndicatorResult, Location, Project, ScoreResult,
)
from evaltool.core.rules import Band, RuleSet, capped_score, load_rules
from evaltool.core.seam import Percent
# Reading typed values into Decimals, with a finding for each problem (shared with checks.py).
from evaltool.core.reading import Collector, project_year, read_money, read_number

RATE_LABEL = "预算执行率"
GRADE_HINT = "达成预期指标 / 部分达成预期指标并具有一定效果 / 未达成预期指标且效果较差"


def _reported(project: Project, code: str) -> bool:
    """The reader already said this (layouts put E-UNREAD-* findings in read_findings)."""
    return any(f.code == code for f in project.read_findings)


def _column_unread(out: Collector, name: str) -> bool:
    return any(f.code == "E-UNREAD-COLUMN" and f.field == name for f in out.findings)


def _filled(row) -> bool:
    return any(values.parse(getattr(row, attr)).kind != "empty" for attr in ("initial", "budget", "actual"))


def _part_sums(project: Project) -> dict[str, Decimal]:
    """Sum of the 其中 rows' readable amounts per column (only columns where some part is non-zero)."""
    out: dict[str, Decimal] = {}
    quiet = Collector()
    for label, row in project.funds.items():
        if label == "年度资金总额":
            continue
        for key, attr in (("全年预算数", "budget"), ("全年执行数", "actual")):
            amount = read_money(getattr(row, attr), Location(), "", quiet)
            if amount:
                out[key] = out.get(key, Decimal(0)) + amount
    return out


# ---------------------------------------------------------------------------------------------
def score_rate(project: Project, rules: RuleSet, out: Collector):
    """(rate, rate as shown, weight, score, explanation, budget, actual): budget and actual are the
    年度资金总额 amounts in 万元 as read (None when absent or unreadable)."""
    total = project.funds.get("年度资金总额")
    def where(key: str) -> Location | None:
        return total.cells.get(key) if total else None

    label = "年度资金总额"
    weight_loc = project.cells.get("分值") or Location(sheet=project.sheet, path="项目资金.分值")
    weight = read_number(project.fund_weight, weight_loc, "项目资金分值", out, required=False)
    if weight is None:
        if values.parse(project.fund_weight).kind != "empty":  # typed but unreadable: never assume the rule's
            return None, None, None, None, f"未计分：项目资金分值“{project.fund_weight}”无法识别", None, None
        weight = rules.rate_weight
    if total is None:
        if not _reported(project, "E-UNREAD-FUNDS"):
            rows_read = [lab for lab, row in project.funds.items() if lab != label and _filled(row)]
            found = f"（读到了{'、'.join(rows_read)}行）" if rows_read else ""
            out.add("E-UNREAD-FUNDS", "error",
                    f"没有读到“年度资金总额”行{found}，无法计算执行率，本项目无法计分。"
                    "请在项目资金表中填写“年度资金总额”行的全年预算数和全年执行数。", label,
                    Location(sheet=project.sheet, path="项目资金.年度资金总额"))
        return None, None, weight, None, "未计分：没有读到年度资金总额行", None, None
    budget = read_money(total.budget, where("全年预算数") or Location(path="项目资金.年度资金总额.全年预算数"),
                        "年度资金总额的全年预算数", out)
    actual = read_money(total.actual, where("全年执行数") or Location(path="项目资金.年度资金总额.全年执行数"),
                        "年度资金总额的全年执行数", out)
    parts = _part_sums(project)
    for key, val in (("全年预算数", budget), ("全年执行数", actual)):
        raw = total.budget if key == "全年预算数" else total.actual
        empty = values.parse(raw).kind == "empty"
        loc = where(key) or Location(path=f"项目资金.年度资金总额.{key}")
        summed = parts.get(key)
        if (empty or val == 0) and summed:
            # A total row left 0 or blank while its 其中 rows hold money: the rate would be computed
            # on a made-up 0; the clerk is told the sum to type instead.
            said = "未填写" if empty else "为 0"
            out.add("E-FUND-TOTAL-EMPTY", "error",
                    f"年度资金总额的{key}{said}，但其中各行（本年财政拨款、上年结转资金、其他资金）合计 "
                    f"{fmt(summed)} 万元。请在本单元格填写年度资金总额的{key}（各行之和应为 {fmt(summed)}）；"
                    "改正前本项目无法计分。", key, loc)
        elif empty and key == "全年预算数" and not _reported(project, "E-UNREAD-BUDGET"):
            out.add("E-UNREAD-BUDGET", "error",
                    "年度资金总额的全年预算数未填写，无法计算执行率，本项目无法计分。请填写以万元为单位的数字。",
                    key, loc)
        elif empty and key == "全年执行数" and not _reported(project, "E-UNREAD-ACTUAL"):
            out.add("E-UNREAD-ACTUAL", "error",
                    "年度资金总额的全年执行数未填写，无法计算执行率，本项目无法计分。请填写以万元为单位的数字"
                    "（没有支出填 0）。", key, loc)
    if budget is None or actual is None:
        missing = [f"{key}{'未填写' if values.parse(raw).kind == 'empty' else '无法识别'}"
                   for key, raw, val in (("全年预算数", total.budget, budget), ("全年执行数", total.actual, actual))
                   if val is None]
        return None, None, weight, None, f"未计分：年度资金总额的{'、'.join(missing)}", budget, actual
    if (budget == 0 and parts.get("全年预算数")) or (actual == 0 and parts.get("全年执行数")):
        return None, None, weight, None, "未计分：年度资金总额为 0，而其中各行填有金额", budget, actual
    if budget <= 0:
        out.add("E-RATE-BUDGET", "error", "全年预算数为 0 或负数，无法计算执行率，本项目无法计分；"
                "请填写全年预算数（万元）。", "全年预算数", where("全年预算数"))
        return None, None, weight, None, "未计分：全年预算数为 0 或负数", budget, actual
    rate = actual / budget
    shown = round_half_up(rate, rules.rate_places)
    if rules.rate_method == "比例":
        share = min(rate, rules.rate_cap)
        score = capped_score(rules, weight, share)
        capped = "（超过 100% 按封顶计）" if rate > rules.rate_cap else ""
        expl = (f"执行率 {fmt(actual)} ÷ {fmt(budget)} = {fmt_percent(rate)}{capped}，按比例计分："
                f"{fmt(weight)} × {fmt_percent(share)} = {fmt(score, rules.places)}")
    else:
        share = next((s for floor, s in rules.rate_bands if rate >= floor), Decimal(0))
        floor = next((f for f, _ in rules.rate_bands if rate >= f), Decimal(0))
        score = capped_score(rules, weight, share)
        expl = (f"执行率 {fmt(actual)} ÷ {fmt(budget)} = {fmt_percent(rate)}，按分档计分：不低于 "
                f"{fmt_percent(floor, 0)} 得 {fmt_percent(share, 0)}，{fmt(weight)} × {fmt_percent(share, 0)} = "
                f"{fmt(score, rules.places)}")
    if rate > 1:
        out.add("W-RATE-OVER", "warning",
                f"全年执行数 {fmt(actual)} 万元超过全年预算数 {fmt(budget)} 万元（执行率 {fmt_percent(rate)}），"
                "请核实；执行率得分按 100% 封顶。", "全年执行数", where("全年执行数"))
    entered = total.entered_score
    if values.parse(entered).kind != "empty":
        loc = where("得分") or Location(path="项目资金.年度资金总额.得分")
        typed = read_number(entered, loc, "执行率得分", out)
        if typed is not None and round_half_up(typed, rules.places) != score:
            out.add("E-SCORE-MISMATCH", "error",
                    f"执行率得分：填报 {fmt(typed)} 与按执行率计算的 {fmt(score, rules.places)} 不一致"
                    f"（{rules.name}：{expl}）。请改为 {fmt(score, rules.places)}，"
                    "或在“设置”中选择本地区采用的规则集。", "执行率得分", loc)
    return rate, shown, weight, score, expl, budget, actual


# ---------------------------------------------------------------------------------------------
def _band_pick(rules: RuleSet, band: Band, weight: Decimal) -> Decimal:
    step = Decimal(1).scaleb(-rules.places)
    if rules.qual_default == "下限":
        return round_half_up(weight * band.low, rules.places)
    if rules.qual_default == "中值":
        return round_half_up(weight * (band.low + band.high) / 2, rules.places)
    top = round_half_up(weight * band.high, rules.places)
    if band.high_inclusive:
        return top
    # The top itself belongs to the band above: one scoring step below it, never below the floor.
    return max(top - step, round_half_up(weight * band.low, rules.places), Decimal(0))


def _band_text(rules: RuleSet, band: Band, weight: Decimal) -> str:
    low = fmt(round_half_up(weight * band.low, rules.places))
    high = fmt(round_half_up(weight * band.high, rules.places))
    return f"[{low}, {high}{']' if band.high_inclusive else ')'}"


def score_qualitative(i: int, ind: Indicator, text: str, weight: Decimal, rules: RuleSet,
                      out: Collector) -> tuple[Decimal | None, str]:
    band = rules.grade_of(text)
    loc = ind.where("实际完成值")
    if band is None:
        out.add("E-QUAL-WORD", "error",
                f"实际完成值“{values.shown(ind.actual)}”不是可识别的评价等级。定性指标请填写：{GRADE_HINT}"
                "（也可写“显著”“基本完成”“未完成”等常用词）。", "实际完成值", loc, i)
        return None, "未计分：无法识别评价等级"
    typed = None
    if values.parse(ind.entered_score).kind != "empty":
        typed = read_number(ind.entered_score, ind.where("得分"), "得分", out)
    if typed is not None:
        typed = round_half_up(typed, rules.places)
        share = typed / weight if weight else Decimal(0)
        if band.contains(share):
            return typed, f"定性指标：{band.name}，区间 {_band_text(rules, band, weight)}，取填报得分 {fmt(typed)}"
        picked = _band_pick(rules, band, weight)
        out.add("E-QUAL-BAND", "error",
                f"得分 {fmt(typed)} 不在“{band.name}”的区间 {_band_text(rules, band, weight)} 内。"
                f"请在该区间内填写得分，或改选与得分相符的评价等级；暂按 {fmt(picked, rules.places)} 计。", "得分",
                ind.where("得分"), i)
        return picked, f"定性指标：{band.name}，填报得分超出区间，按 {fmt(picked, rules.places)} 计"
    return _band_default(rules, band, weight)


# (places, qual_default, band, weight) -> (score, explanation): a rule set has a few bands and forms
# a few weights, so a consolidation of thousands of forms computes each once.
_BAND_DEFAULTS: dict[tuple, tuple[Decimal, str]] = {}


def _band_default(rules: RuleSet, band: Band, weight: Decimal) -> tuple[Decimal, str]:
    key = (rules.places, rules.qual_default, band, weight)
    hit = _BAND_DEFAULTS.get(key)
    if hit is None:
        picked = _band_pick(rules, band, weight)
        how = {"上限": "区间上限", "中值": "区间中值", "下限": "区间下限"}[rules.qual_default]
        hit = (picked, f"定性指标：{band.name}，区间 {_band_text(rules, band, weight)}，未填得分，"
                       f"取{how} {fmt(picked, rules.places)}")
        if len(_BAND_DEFAULTS) < 4096:
            _BAND_DEFAULTS[key] = hit
    return hit


def _deviation_share(t: Decimal, a: Decimal, short: Decimal, ts: str, as_: str, unit: str) -> tuple[Decimal, str]:
    """A target of 0 or below (≥-5%, ≤0): met -> full marks; short of it by `short` -> 1 − short ÷ |target|,
    so each point of deviation costs as much as under the ratio rule for a positive target (where
    1 − (t − a) ÷ t = a ÷ t), and 0 once the shortfall reaches the target's size (or for a target of 0)."""
    if short <= 0:
        return Decimal(1), f"目标 {ts}，实际 {as_}，达到目标"
    if t == 0:
        return Decimal(0), f"目标 {ts}，实际 {as_}，未达到目标，不得分"
    if short >= abs(t):
        return Decimal(0), f"目标 {ts}，实际 {as_}，未达到目标，差 {fmt(short)}{unit}，不小于目标值的绝对值，不得分"
    share = 1 - short / abs(t)
    return share, (f"目标 {ts}，实际 {as_}，未达到目标，差 {fmt(short)}{unit}，1 − {fmt(short)} ÷ {fmt(abs(t))} = "
                   f"{fmt_percent(share)}")


def score_quantitative(i: int, ind: Indicator, target: values.Parsed, actual: values.Parsed,
                       weight: Decimal, rules: RuleSet, out: Collector,
                       adjustments: list[Adjustment] | None = None
                       ) -> tuple[Decimal | None, str, str, Decimal | None]:
    """(score, method, explanation, excess) of a number against a number target; excess: how far the
    actual beats the target (core/adjustments.py excess_of). The rule set's 超额扣分, if any, is taken
    here from the score once it is computed: its reason in the explanation, a W-EXCESS-DEDUCT finding
    (instead of W-FAR-ABOVE) and an Adjustment appended to `adjustments`."""
    assert target.quantity and actual.quantity
    comp = values.align(target.quantity, actual.quantity)
    if comp.problem:
        out.add("E-UNIT", "error", comp.problem + "。请把实际完成值写成与年度指标值相同的单位，例如"
                f"“{target.quantity.text()}”。", "实际完成值", ind.where("实际完成值"), i)
        return None, "未计分", "未计分：单位不一致", None
    if comp.note:
        out.add("I-UNIT", "info", comp.note + "。", "实际完成值", ind.where("实际完成值"), i)
    t, a = comp.target, comp.actual
    assert t is not None and a is not None
    unit = comp.unit or ""
    direction = target.direction
    if direction is None:
        direction = rules.no_direction
        out.add("W-NO-DIRECTION", "warning",
                f"年度指标值“{values.shown(ind.target)}”没有写明方向，暂按“{values.DIRECTION_LABEL[direction]}”计分。"
                f"请写成“≥{target.quantity.text()}”（越多越好）、“≤{target.quantity.text()}”（越少越好）"
                f"或“={target.quantity.text()}”。", "年度指标值", ind.where("年度指标值"), i)
    ts, as_ = f"{fmt(t)}{unit}", f"{fmt(a)}{unit}"
    far_above = None
    if direction in ("ge", "gt"):
        method = "正向"
        if t <= 0:  # ≥-5%, ≥0: a ratio means nothing here; met or by how far it falls short
            share, how = _deviation_share(t, a, t - a, ts, as_, unit)
        else:
            share = a / t
            how = (f"{fmt(a)} ÷ {fmt(t)} ≥ 1" if share >= 1 else f"{fmt(a)} ÷ {fmt(t)} = {fmt_percent(share)}")
        if t > 0 and a > t * (1 + rules.far_above):
            far_above = (f"实际完成值 {as_} 超出目标 {ts} 达 {fmt_percent(a / t - 1, 0)}，年度指标值可能定得偏低；"
                         "请在偏差原因中说明（不扣分，由评价人员判断）。")
    elif direction in ("le", "lt"):
        method = "反向"
        if t <= 0:  # ≤-3% (a fall of at least 3%), ≤0
            share, how = _deviation_share(t, a, a - t, ts, as_, unit)
        elif a <= 0:
            share, how = Decimal(1), f"实际 {as_} {'为 0' if a == 0 else '低于 0'}"
        else:
            share = t / a
            how = (f"{fmt(t)} ÷ {fmt(a)} ≥ 1" if share >= 1 else f"{fmt(t)} ÷ {fmt(a)} = {fmt_percent(share)}")
        if t > 0 and a < t * (1 - rules.far_above) and a > 0:
            far_above = (f"实际完成值 {as_} 远优于目标 {ts}（低 {fmt_percent(1 - a / t, 0)}），年度指标值可能定得偏松；"
                         "请在偏差原因中说明（不扣分）。")
    else:
        method = "等于"
        if a == t:
            share, how = Decimal(1), f"{as_} = {ts}"
        elif a * t < 0:  # =-5% with +5%: the other way, however close the sizes
            share, how = Decimal(0), f"{as_} ≠ {ts}，与目标方向相反，不得分"
        else:
            big, small = max(abs(a), abs(t)), min(abs(a), abs(t))
            share = small / big if big else Decimal(1)
            how = f"{as_} ≠ {ts}，{fmt(small)} ÷ {fmt(big)} = {fmt_percent(share)}"
    share = max(Decimal(0), min(share, Decimal(1)))
    score = capped_score(rules, weight, share)
    if share >= 1:
        expl = f"{method}指标：{how}，得满分 {fmt(score, rules.places)}"
    else:
        expl = f"{method}指标：{how}，{fmt(weight)} × {fmt_percent(share)} = {fmt(score, rules.places)}"
    excess = excess_of(direction, t, a)
    taken = excess_deduction(rules, direction, excess, weight, score)
    if taken is not None and excess is not None:
        # The deduction says what the warning would have said, and what it costs.
        before, score = score, score - taken
        suffix, message = deduction_texts(rules, direction, excess, ts, as_, taken, before, score)
        expl += suffix
        out.add("W-EXCESS-DEDUCT", "warning", message, "实际完成值", ind.where("实际完成值"), i)
        if adjustments is not None:
            adjustments.append(deduction_adjustment(i, str(ind.level3 or "").strip() or f"第 {i + 1} 个指标", rules,
                                                    direction, excess, ts, as_, taken))
    elif far_above:
        out.add("W-FAR-ABOVE", "warning", far_above, "实际完成值", ind.where("实际完成值"), i)
    return score, method, expl, excess


def score_indicator(i: int, ind: Indicator, rules: RuleSet, year: int | None,
                    out: Collector, adjustments: list[Adjustment] | None = None) -> IndicatorResult:
    l1 = rules.canonical_level1(ind.level1)
    l2 = rules.canonical_level2(ind.level2, l1)
    l3 = str(ind.level3 or "").strip()
    label = l3 or f"第 {i + 1} 个指标"
    weight = read_number(ind.weight, ind.where("分值"), f"“{label}”的分值", out)

    def result(score, method, expl):
        return IndicatorResult(i, l1, l2, l3, weight, score, method, expl)

    if weight is None:
        return result(None, "未计分", "未计分：分值缺失或无效")
    if weight < 0:
        out.add("E-NUMBER", "error", f"“{label}”的分值不能为负数。", "分值", ind.where("分值"), i)
        return result(None, "未计分", "未计分：分值为负")
    if weight and not round_half_up(weight, rules.places):  # 1E-300: shows as 0 on the form, scores nothing
        out.add("E-NUMBER", "error", f"“{label}”的分值 {fmt(weight)} 按 {rules.places} 位小数为 0，不是有效的分值。"
                f"请填写分值，例如 10；不计分的指标请删除这一行。", "分值", ind.where("分值"), i)
        return result(None, "未计分", "未计分：分值过小")
    # A percent-formatted cell holding 0.93 is read as the 93% the clerk sees.
    target = values.parse(ind.target.text if isinstance(ind.target, Percent) else ind.target, year)
    actual = values.parse(ind.actual.text if isinstance(ind.actual, Percent) else ind.actual, year)
    actual = values.in_target_terms(target, actual)  # "12月" under "≤11月" is 12 月, not a date
    for parsed, name in ((target, "年度指标值"), (actual, "实际完成值")):
        if parsed.kind == "empty" and _column_unread(out, name):
            pass  # the reader said the column could not be read: not "未填写" on every row
        elif parsed.kind == "empty":
            out.add("E-REQUIRED", "error", f"“{label}”的{name}未填写。", name, ind.where(name), i)
        elif parsed.kind == "unknown":
            example = ("例如“≥1000条”“≤35万元”“=100%”“2022年12月31日前”或定性描述“持续推动”"
                       if name == "年度指标值" else f"例如“1062条”“93%”，定性指标填写：{GRADE_HINT}")
            out.add("E-PARSE", "error", f"“{label}”的{name}“{values.shown(parsed.raw)}”{parsed.problem}。请只写一个值，{example}。",
                    name, ind.where(name), i)
    if target.kind in ("empty", "unknown") or actual.kind in ("empty", "unknown"):
        return result(None, "未计分", "未计分：年度指标值或实际完成值无法识别")

    score: Decimal | None
    excess = deduction = None
    if actual.kind == "qualitative":
        score, expl = score_qualitative(i, ind, actual.text, weight, rules, out)
        method = "定性"
    elif target.kind == "qualitative":
        out.add("E-QUAL-NUMBER", "error",
                f"“{label}”的年度指标值“{values.shown(ind.target)}”是定性描述，实际完成值应填写评价等级：{GRADE_HINT}；"
                "如需按数值计分，请把年度指标值写成“≥…”“≤…”的形式。", "实际完成值", ind.where("实际完成值"), i)
        return result(None, "未计分", "未计分：定性指标填了数值")
    elif target.kind in ("deadline", "date") and actual.kind in ("date", "deadline"):
        # A date as the target (a date cell, "2025/11/30", as a 目标表's 完成时限 is copied) is the deadline.
        assert target.date and actual.date
        method = "时效"
        if actual.date <= target.date:
            score = round_half_up(weight, rules.places)
            expl = f"时效指标：{actual.date:%Y年%m月%d日} 完成，不晚于 {target.date:%Y年%m月%d日}，得满分 {fmt(score, rules.places)}"
        else:
            score = round_half_up(Decimal(0), rules.places)
            expl = f"时效指标：{actual.date:%Y年%m月%d日} 完成，晚于 {target.date:%Y年%m月%d日}，不得分"
    elif target.kind == "number" and actual.kind == "number":
        score, method, expl, excess = score_quantitative(i, ind, target, actual, weight, rules, out, adjustments)
        if adjustments and adjustments[-1].indicator == i:
            deduction = -adjustments[-1].amount
    else:
        t_text, a_text = values.shown(ind.target), values.shown(ind.actual)
        if target.kind in ("deadline", "date"):
            advice = (f"年度指标值是完成时限，实际完成值请填写完成日期（如“{target.date:%Y年%m月%d日}”之前的某一天）"
                      f"或评价等级：{GRADE_HINT}")
        elif target.kind == "number" and target.quantity is not None:
            advice = (f"年度指标值是数值目标，实际完成值请填写实际达到的数值和单位（与“{target.quantity.text()}”同一单位）"
                      f"或评价等级：{GRADE_HINT}")
        else:
            advice = f"数值目标请填数值，时效目标请填完成日期，或填写评价等级：{GRADE_HINT}"
        out.add("E-KIND-MISMATCH", "error", f"“{label}”的年度指标值“{t_text}”与实际完成值“{a_text}”无法比较。{advice}。",
                "实际完成值", ind.where("实际完成值"), i)
        return result(None, "未计分", "未计分：目标与实际类型不一致")

    if method != "定性" and values.parse(ind.entered_score).kind != "empty" and score is not None:
        typed = read_number(ind.entered_score, ind.where("得分"), "得分", out)
        if typed is not None and round_half_up(typed, rules.places) != score:
            out.add("E-SCORE-MISMATCH", "error",
                    f"“{label}”的得分：填报 {fmt(typed)} 与按规则计算的 {fmt(score, rules.places)} 不一致"
                    f"（{expl}）。请改为 {fmt(score, rules.places)}。", "得分", ind.where("得分"), i)
    done = result(score, method, expl)
    done.excess, done.deduction = excess, deduction
    return done


def evaluate_form(project: Project, rules: RuleSet | None = None) -> ScoreResult:
    """Score a 自评表 and run every check; never raises on bad project data.

    A project whose fund block, 执行率, indicator table or a needed weight could not be read (the
    reader's E-UNREAD-* findings, or what evaluate itself sees missing) is not graded: its result has
    ungraded = the reason, total = grade = None, and every subtotal it cannot compute is None.
    """
    from evaltool.kinds.selfeval.checks import check_cell_errors, run_checks

    rules = rules or load_rules(project.rules)

    out = Collector()
    out.findings.extend(project.read_findings)
    check_cell_errors(project, out)
    year = project_year(project)
    rate, shown, rate_weight, rate_score, rate_expl, budget, actual = score_rate(project, rules, out)
    if not project.indicators and not _reported(project, "E-UNREAD-INDICATORS"):
        out.add("E-UNREAD-INDICATORS", "error",
                "没有读到绩效指标表中的任何指标，本项目无法计分。请至少填写一行三级指标（含年度指标值、实际完成值和分值）。",
                "绩效指标", Location(sheet=project.sheet, path="绩效指标"))
    adjustments: list[Adjustment] = []  # the rule set's steps after the indicator scores, in order
    results = [score_indicator(i, ind, rules, year, out, adjustments) for i, ind in enumerate(project.indicators)]
    sums: dict[str, Decimal | None] = {RATE_LABEL: rate_score}
    for name in rules.level1_weights:
        sums[name] = Decimal(0)
    for r in results:
        prior = sums.get(r.level1, Decimal(0))
        sums[r.level1] = None if prior is None or r.score is None else prior + r.score
    subtotals = {k: None if v is None else round_half_up(v, rules.places) for k, v in sums.items()}
    reasons = ungraded_reasons(project, out.findings, rate_expl, rate_score, results)
    total = grade = uncapped = None
    if not reasons:
        # A total above the form's full marks only happens when weights add up to more (E-WEIGHT-TOTAL
        # says so); the form's 总分 still never exceeds its full marks.
        total = min(round_half_up(sum(subtotals.values(), Decimal(0)), rules.places),  # type: ignore[arg-type,type-var]
                    round_half_up(rules.total_weight, rules.places))
        # The rule set's 总分上限 comes last, on the total the indicators (after 超额扣分) add up to.
        summed = total
        total, cap = capped_total(rules, shown, summed)
        grade = rules.grade_for_total(total)
        if cap is not None and shown is not None:
            step, message = cap_texts(rules, cap, shown, summed, total, grade)
            adjustments.append(step)
            uncapped = summed
            out.add("W-TOTAL-CAP", "warning", message, "总分", project.where("总分"))
    result = ScoreResult(
        rule_id=rules.id, rule_name=rules.name, rate=rate, rate_display=shown,
        rate_weight=rate_weight, rate_score=rate_score, rate_explanation=rate_expl,
        indicators=results, subtotals=subtotals, total=total,  # type: ignore[arg-type]
        grade=grade, findings=out.findings, budget=budget, actual=actual,
        ungraded="；".join(reasons) if reasons else None,
        adjustments=adjustments if not reasons else [a for a in adjustments if a.kind != "总分上限"],
        uncapped_total=uncapped,
    )
    run_checks(project, rules, result, out)
    if result.ungraded:
        out.add("E-UNGRADED", "error", f"无法计分：{result.ungraded}。改正上述问题后再计分；在此之前本项目没有总分和等次。",
                "总分", Location(sheet=project.sheet, path="总分"))
    result.findings = out.findings
    return result


MAX_REASONS = 4


def ungraded_reasons(project: Project, findings: list[Finding], rate_expl: str, rate_score: Decimal | None,
                     results: list[IndicatorResult]) -> list[str]:
    """Why no 总分 can be given, in the clerk's terms; empty when the project can be graded."""
    reasons: list[str] = []
    for f in findings:
        if f.code.startswith(UNREADABLE_PREFIX):
            where = f"（{f.location}）" if f.location.cell else ""
            text = f.message.split("。")[0] + where
            if text not in reasons:
                reasons.append(text)
    if rate_score is None and not any(f.code in ("E-UNREAD-FUNDS", "E-UNREAD-BUDGET", "E-UNREAD-ACTUAL")
                                      for f in findings):
        reasons.append("执行率无法计算（" + rate_expl.removeprefix("未计分：") + "）")
    unscored = [r for r in results if r.score is None]
    for r in unscored[:MAX_REASONS]:
        label = r.level3 or f"第 {r.index + 1} 个指标"
        reasons.append(f"“{label}”未能计分（{r.explanation.removeprefix('未计分：')}）")
    if len(unscored) > MAX_REASONS:
        reasons.append(f"另有 {len(unscored) - MAX_REASONS} 个指标未能计分")
    return reasons


__all__ = ["evaluate_form", "score_rate", "score_indicator", "ungraded_reasons", "RATE_LABEL", "GRADE_HINT"]
