"""Evaluating a 运行监控表: 执行进度 against the time schedule, each indicator's forecast against its
target, and a traffic light (红/黄/绿) for the money, for each indicator and for the project.

Pure: a Project in (from a workbook or a case file), a MonitorResult out, every problem a Finding
with its cell. The thresholds come from the rule set's 运行监控 section (rules.py).
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from evaltool.core import values
from evaltool.core.decimals import fmt, fmt_percent, round_half_up
from evaltool.core.model import IndicatorResult, Location, Project, ScoreResult
from evaltool.core.reading import Collector, project_year, read_money
from evaltool.core.rules import RuleSet
from evaltool.core.seam import Percent
from evaltool.kinds.monitor import layout as M
from evaltool.kinds.monitor.rules import MonitorRules, monitor_rules, worse
from evaltool.workbook import layout as WL

HUNDRED = Decimal(100)
NOT_COMPUTED = "未计算"


@dataclass
class Watch:
    """One indicator's monitoring result."""

    n: int  # 1-based row in 监控指标
    level1: str
    level2: str
    level3: str
    target: str
    actual: str
    forecast: str
    likelihood: str | None
    reason: str  # 偏差原因 (category and text) as typed
    measure: str  # 纠偏措施 as typed
    light: str | None = None  # None: 未计算
    gap: Decimal | None = None  # how far the forecast falls short of the target (fraction)
    why: str = ""  # one Chinese line: why this light


@dataclass
class MonitorResult(ScoreResult):
    months: int | None = None  # last month of the monitoring period
    time_progress: Decimal | None = None  # months ÷ 12, rounded as shown
    progress: Decimal | None = None  # 执行进度, rounded as shown
    forecast_rate: Decimal | None = None  # 全年预计执行数 ÷ 全年预算数, rounded as shown
    budget_label: str = "全年预算数"
    executed: Decimal | None = None  # 1-N月执行数 (万元)
    forecast: Decimal | None = None  # 全年预计执行数 (万元)
    money_light: str | None = None
    money_why: str = ""
    watches: list[Watch] = field(default_factory=list)
    light: str | None = None  # the project's: the worst of money and indicators
    reasons: list[str] = field(default_factory=list)  # short Chinese reasons for every light not 绿
    # out cells (MonitorInfo.out keys) evaltool may write: not those holding what the clerk typed
    writable: set[str] = field(default_factory=set)

    @property
    def period(self) -> str:
        return f"1-{self.months}月" if self.months else NOT_COMPUTED


def _text(value: Any) -> str:
    if isinstance(value, Percent):  # 0.8 in a percent cell is what the clerk sees: 80%
        return value.text
    if isinstance(value, _dt.datetime) and value.time() == _dt.time():  # a date cell, never "00:00:00"
        return value.date().isoformat()
    return "" if value is None else " ".join(str(value).split())


def light_text(light: str | None) -> str:
    return f"{light}灯" if light else NOT_COMPUTED


def evaluate(project: Project, rules: RuleSet) -> MonitorResult:
    mr = monitor_rules(rules)
    out = Collector()
    out.findings.extend(project.read_findings)
    res = MonitorResult(rule_id=rules.id, rule_name=rules.name, rate=None, rate_display=None, rate_weight=None,
                        rate_score=None, rate_explanation="", indicators=[], subtotals={}, total=None, grade=None,
                        findings=out.findings)
    _header(project, out)
    _period(project, res, out)
    _money(project, rules, mr, res, out)
    _indicators(project, rules, mr, res, out)
    _duplicates(project, res, out)
    lights = [res.money_light, *(w.light for w in res.watches)]
    for light in lights:
        res.light = worse(res.light, light)
    _settle_out(project, res, out)
    res.indicators = [IndicatorResult(w.n - 1, w.level1, w.level2, w.level3, None, None, light_text(w.light), w.why)
                      for w in res.watches]
    return res


def where(project: Project, path: str) -> Location:
    return M.where_default(project, path)


# ---- header --------------------------------------------------------------------------------------
# (A formula without a saved result reads as empty: core/formulacells.py rewords such a finding.)
_HEADER_ASK = {"项目名称": "请填写项目全称。", "主管部门": "请填写主管部门全称。", "实施单位": "请填写实施单位全称。",
               "年度": "请填写四位年份，例如 2026。"}


def _header(p: Project, out: Collector) -> None:
    """项目名称/主管部门/实施单位/年度 (required, as on every kind's form) and the 年度总体目标 texts."""
    for label, attr in M.HEADER_FIELDS.items():
        if not _text(getattr(p, attr)):
            out.add("E-REQUIRED", "error", f"{label}未填写。{_HEADER_ASK[label]}", label, where(p, label))
    if _text(p.year) and project_year(p) is None:
        out.add("E-YEAR", "error", f"年度“{_text(p.year)}”无法识别，请填写四位年份，例如 2026。", "年度", where(p, "年度"))
    goals = p.extra.get(M.GOALS_KEY) or {}
    for name in M.GOAL_FIELDS:
        path = f"{M.GOALS_KEY}.{name}"
        if not _text(goals.get(name)) and (path in p.cells or not p.sheet):  # a hand-made sheet may lack the row
            out.add("W-GOAL", "warning", f"年度总体目标的“{name}”未填写，情况说明将无法引用。", name,
                    where(p, path))


# ---- period --------------------------------------------------------------------------------------
def _period(p: Project, res: MonitorResult, out: Collector) -> None:
    raw = p.extra.get(M.PERIOD_KEY)
    month = M.period_month(raw)
    info = M.info_of(p)
    headers = info.months if info else []
    if raw is not None and month is None:
        out.add("E-MON-PERIOD", "error", f"监控期间“{_text(raw)}”无法识别，请填写如“1-7月”（监控截止到 7 月）。",
                M.PERIOD_KEY, where(p, M.PERIOD_KEY))
    if month is None and headers:
        month = headers[0][0]
    for m, loc in headers:
        if m != month:
            out.add("W-MON-PERIOD", "warning", f"本列标题写的是 1-{m}月，与监控期间 1-{month}月 不一致；"
                    f"时间进度按 1-{month}月 计算。请把标题和监控期间改成同一期间。", "监控期间", loc)
    if month is None:
        if raw is None:
            out.add("E-MON-PERIOD", "error", "没有读到监控期间：请在“监控期间”填写如“1-7月”，或在列标题写明"
                    "“1-7月执行数”。没有期间就无法计算时间进度和预警。", M.PERIOD_KEY, where(p, M.PERIOD_KEY))
        return
    res.months = month


# ---- money ---------------------------------------------------------------------------------------
def _money(p: Project, rules: RuleSet, mr: MonitorRules, res: MonitorResult, out: Collector) -> None:
    funds = p.extra.get(M.FUNDS_KEY) or {}
    total = funds.get("年度资金总额")
    period = res.period if res.months else "1-N月"
    if not isinstance(total, dict):
        out.add("E-MON-UNREAD-FUNDS", "error", "没有读到项目资金表的“年度资金总额”行（表头应有“全年预算数”"
                f"“{period}执行数”等列），无法计算执行进度和资金预警。", "项目资金", where(p, M.FUNDS_KEY))
        res.money_why = "没有读到年度资金总额"
        return

    def at(col: str) -> Location:
        return where(p, f"{M.FUNDS_KEY}.年度资金总额.{col}")

    budget = read_money(total.get("全年预算数"), at("全年预算数"), "全年预算数", out)
    total_initial = None
    if total.get("全年预算数") is not None:  # else 年初预算数 is read below as the budget
        total_initial = read_money(total.get("年初预算数"), at("年初预算数"), "年初预算数", out)
    if budget is None and total.get("全年预算数") is None and total.get("年初预算数") is not None:
        budget = read_money(total.get("年初预算数"), at("年初预算数"), "年初预算数", out)
        if budget is not None:
            res.budget_label = "年初预算数"
            out.add("I-MON-BUDGET", "info", "全年预算数未填写（或没有该列），执行进度按年初预算数计算。",
                    "全年预算数", at("年初预算数"))
    executed = read_money(total.get("执行数"), at("执行数"), f"{period}执行数", out)
    forecast = read_money(total.get("全年预计执行数"), at("全年预计执行数"), "全年预计执行数", out)
    res.executed, res.forecast = executed, forecast
    res.budget = budget
    res.actual = executed
    if budget is None and total.get("全年预算数") is None and total.get("年初预算数") is None:
        out.add("E-MON-BUDGET", "error", "年度资金总额的全年预算数未填写，无法计算执行进度。请填写以万元为单位的数字。",
                "全年预算数", at("全年预算数"))
    elif budget is not None and budget <= 0:
        out.add("E-MON-BUDGET", "error", f"年度资金总额的{res.budget_label}为 {fmt(budget, 2)}，无法计算执行进度。"
                "请填写大于 0 的预算数（万元）。", res.budget_label, at(res.budget_label))
        budget = None
    if executed is None and total.get("执行数") is None:
        out.add("E-REQUIRED", "error", f"年度资金总额的{period}执行数未填写，无法计算执行进度。请填写截至监控期末"
                "的累计执行数（万元），没有支出填 0。", "执行数", at("执行数"))
    if forecast is None and total.get("全年预计执行数") is None:
        out.add("W-MON-FORECAST", "warning", "年度资金总额的全年预计执行数未填写。请填写预计到年底的执行数（万元）。",
                "全年预计执行数", at("全年预计执行数"))
    _fund_sum(p, funds, {"年初预算数": total_initial, "全年预算数": budget if res.budget_label == "全年预算数" else None,
                         "执行数": executed, "全年预计执行数": forecast}, period, out)
    places = rules.rate_places
    if res.months:
        res.time_progress = round_half_up(Decimal(res.months) / 12, places)
    if budget is None or executed is None:
        res.money_why = "执行进度无法计算"
        return
    res.rate = executed / budget
    res.progress = res.rate_display = round_half_up(res.rate, places)
    if executed > budget:
        out.add("W-MON-EXEC-OVER", "warning", f"{period}执行数 {fmt(executed, 2)} 万元超过{res.budget_label} "
                f"{fmt(budget, 2)} 万元，请核对。", "执行数", at("执行数"))
    if forecast is not None:
        res.forecast_rate = round_half_up(forecast / budget, places)
    if res.time_progress is None:
        res.money_why = f"执行进度 {fmt_percent(res.progress)}；没有监控期间，无法与时间进度比较"
        return
    lag = res.time_progress - res.progress
    if lag <= mr.tolerance:
        light = "绿"
        why = f"执行进度 {fmt_percent(res.progress)}，不低于时间进度 {fmt_percent(res.time_progress)}"
    else:
        light = "黄" if lag <= mr.yellow else "红"
        why = (f"执行进度 {fmt_percent(res.progress)} 低于时间进度 {fmt_percent(res.time_progress)}，"
               f"落后 {fmt(lag * HUNDRED, 2)} 个百分点")
        out.add("W-MON-PROGRESS", "warning",
                f"{period}执行进度 {fmt_percent(res.progress)}（执行数 {fmt(executed, 2)} ÷ {res.budget_label} {fmt(budget, 2)} 万元）"
                f"低于时间进度 {fmt_percent(res.time_progress)}，落后 {fmt(lag * HUNDRED, 2)} 个百分点，资金预警为"
                f"{light}灯。请分析原因并加快执行。", "执行进度", at("执行数"))
    if res.forecast_rate is not None and res.forecast_rate < mr.forecast_floor:
        light = worse(light, "黄") or light
        why += f"；全年预计执行率 {fmt_percent(res.forecast_rate)} 低于 {fmt_percent(mr.forecast_floor)}"
        out.add("W-MON-FORECAST", "warning",
                f"全年预计执行数 {fmt(forecast, 2)} 万元只占{res.budget_label}的 {fmt_percent(res.forecast_rate)}，"
                f"低于 {fmt_percent(mr.forecast_floor)}：年底可能形成结转结余。请说明原因，或按规定调整预算。",
                "全年预计执行数", at("全年预计执行数"))
    res.money_light, res.money_why = light, why
    if light != "绿":
        res.reasons.append(f"资金{light}灯：{why}")


def _fund_sum(p: Project, funds: dict, totals: dict[str, Decimal | None], period: str, out: Collector) -> None:
    """年度资金总额 = the sum of its 其中 rows, column by column (a warning: the progress uses the total)."""
    for col, total in totals.items():
        parts: list[tuple[str, Decimal]] = []
        for label in M.FUND_ROWS[1:]:
            raw = (funds.get(label) or {}).get(col)
            if raw is None:
                continue
            amount = read_money(raw, where(p, f"{M.FUNDS_KEY}.{label}.{col}"), f"{label}的{col}", out)
            if amount is None:
                break
            parts.append((label, amount))
        else:
            if total is None or not parts:
                continue
            summed = sum((a for _, a in parts), Decimal(0))
            if abs(summed - total) >= Decimal("0.005"):
                name = f"{period}执行数" if col == "执行数" else col
                out.add("W-MON-FUND-SUM", "warning",
                        f"年度资金总额的{name} {fmt(total, 2)} 万元不等于各资金行之和 {fmt(summed, 2)} 万元（"
                        + " + ".join(f"{label} {fmt(a, 2)}" for label, a in parts) + "），请核对。",
                        col, where(p, f"{M.FUNDS_KEY}.年度资金总额.{col}"))


# ---- indicators ----------------------------------------------------------------------------------
_SPLIT = re.compile(r"[、,，;；/]+")


def _indicators(p: Project, rules: RuleSet, mr: MonitorRules, res: MonitorResult, out: Collector) -> None:
    rows = p.extra.get(M.ROWS_KEY) or []
    if not rows:
        out.add("E-MON-NO-INDICATORS", "error", "没有读到绩效指标（表头应有“三级指标”“年度指标值”“全年预计完成值”"
                "“完成可能性”等列），无法监控目标完成情况。", "绩效指标", where(p, M.ROWS_KEY))
        return
    year = project_year(p)
    period = res.period if res.months else "1-N月"
    info = M.info_of(p)
    # how the form asks for a choice: a drop-down cell (our template), or √ in one of the published sub-columns
    pick_like = "在“确定能”“有可能”“完全不可能”中勾选一项（打√）" if info and info.likely_ticked else \
        "从下拉列表选择“确定能”“有可能”或“完全不可能”"
    pick_reason = "在偏差原因的分类列中勾选（打√）" if info and info.reason_ticked else "在“偏差原因类别”中从下拉列表选择"
    for n, item in enumerate(rows, start=1):
        def at(key: str, n: int = n) -> Location:
            return where(p, f"{M.ROWS_KEY}[{n}].{key}")

        name = _text(item.get("三级指标"))
        label = f"“{name}”" if name else f"第 {n} 个指标"
        reason = "；".join(x for x in (_text(item.get("偏差原因类别")), _text(item.get("偏差原因"))) if x)
        w = Watch(n, _text(item.get("一级指标")), _text(item.get("二级指标")), name, _text(item.get("年度指标值")),
                  _text(item.get("实际完成值")), _text(item.get("全年预计完成值")), None, reason,
                  _text(item.get("纠偏措施")))
        res.watches.append(w)
        if not name:
            out.add("E-REQUIRED", "error", f"第 {n} 个指标的三级指标未填写，请填写指标名称。", "三级指标", at("三级指标"))
        # 完成可能性
        raw_like = item.get("完成可能性")
        options = [M.likelihood_of(x) for x in _SPLIT.split(str(raw_like))] if raw_like is not None else []
        if raw_like is None or not str(raw_like).strip():
            out.add("E-REQUIRED", "error", f"{label}的完成可能性未填写，请{pick_like}。",
                    "完成可能性", at("完成可能性"))
        elif len(options) > 1:
            out.add("E-MON-LIKELY", "error", f"{label}的完成可能性勾选了多项（{_text(raw_like)}），请只选一项。",
                    "完成可能性", at("完成可能性"))
        elif options[0] is None:
            out.add("E-MON-LIKELY", "error", f"{label}的完成可能性“{_text(raw_like)}”无法识别，请{pick_like}。",
                    "完成可能性", at("完成可能性"))
        else:
            w.likelihood = options[0]
        like_light = mr.likelihood_light.get(w.likelihood) if w.likelihood else None
        # 全年预计完成值 against 年度指标值
        target = values.parse(item.get("年度指标值"), year)
        forecast = values.parse(item.get("全年预计完成值"), year)
        if target.kind == "empty":
            out.add("E-REQUIRED", "error", f"{label}的年度指标值未填写，请照绩效目标填写（如“≥1000条”）。",
                    "年度指标值", at("年度指标值"))
        if values.parse(item.get("实际完成值"), year).kind == "empty":
            out.add("W-MON-ACTUAL", "warning", f"{label}的{period}实际完成值未填写，请填写截至监控期末的完成情况。",
                    "实际完成值", at("实际完成值"))
        f_light, gap, f_why = None, None, ""
        if forecast.kind == "empty":
            out.add("E-REQUIRED", "error", f"{label}的全年预计完成值未填写，请填写预计到年底能完成的数值或情况。",
                    "全年预计完成值", at("全年预计完成值"))
        elif target.kind != "empty":
            f_light, gap, f_why, problem = _compare(target, forecast, rules, mr)
            if problem:
                out.add("W-MON-COMPARE", "warning", f"{label}的全年预计完成值“{values.shown(w.forecast)}”无法与年度指标值“{values.shown(w.target)}”"
                        f"比较（{problem}），指标预警只按完成可能性。请用与指标值相同的单位填写。",
                        "全年预计完成值", at("全年预计完成值"))
            elif f_light in ("黄", "红"):
                out.add("W-MON-BEHIND", "warning", f"{label}的全年预计完成值“{values.shown(w.forecast)}”{f_why}，"
                        f"指标预警为{f_light}灯。", "全年预计完成值", at("全年预计完成值"))
                if w.likelihood == "确定能":
                    out.add("W-MON-LIKELY", "warning", f"{label}的完成可能性填的是“确定能”，但全年预计完成值"
                            f"“{values.shown(w.forecast)}”达不到年度指标值“{values.shown(w.target)}”。请核对其中之一。", "完成可能性",
                            at("完成可能性"))
        w.gap = gap
        w.light = worse(like_light, f_light)
        parts = []
        if w.likelihood:
            parts.append(f"完成可能性“{w.likelihood}”")
        if f_why:
            parts.append(f"全年预计完成值{f_why}")
        w.why = "；".join(parts) or "完成可能性和全年预计完成值都无法使用"
        if w.light in ("黄", "红"):
            because = (f"完成可能性为“{w.likelihood}”" if like_light in ("黄", "红")
                       else "全年预计完成值达不到年度指标值")
            if not w.reason:
                out.add("E-MON-REASON", "error", f"{label}{because}，应填写偏差原因：{pick_reason}"
                        f"{'、'.join(mr.categories)}之一，并简要说明。", "偏差原因",
                        at("偏差原因类别") if f"{M.ROWS_KEY}[{n}].偏差原因类别" in p.cells else at("偏差原因"))
            elif not _text(item.get("偏差原因")) and f"{M.ROWS_KEY}[{n}].偏差原因" in p.cells:
                # a category alone ("经费保障") says where, not what went wrong
                out.add("E-MON-REASON", "error", f"{label}{because}，只选了偏差原因类别，“偏差原因说明”未填写：请简要说明"
                        "具体原因。", "偏差原因", at("偏差原因"))
            if not w.measure and f"{M.ROWS_KEY}[{n}].纠偏措施" in p.cells:  # the published form has no such column
                out.add("E-MON-MEASURE", "error", f"{label}{because}，应填写纠偏措施（下一步怎样保证目标完成，"
                        "或申请调整目标的理由）。", "纠偏措施", at("纠偏措施"))
            res.reasons.append(f"{label}{w.light}灯：{w.why}" + (f"；偏差原因：{w.reason}" if w.reason else ""))
        category = _text(item.get("偏差原因类别"))
        if category:
            bad = [c for c in _SPLIT.split(category) if c and c not in mr.categories]
            if bad:
                out.add("E-MON-CATEGORY", "error", f"{label}的偏差原因类别“{'、'.join(bad)}”不在规定的分类中，"
                        f"请{pick_reason}{'、'.join(mr.categories)}之一；具体情况写在“偏差原因说明”中。",
                        "偏差原因类别", at("偏差原因类别"))


def _compare(target: values.Parsed, forecast: values.Parsed, rules: RuleSet, mr: MonitorRules
             ) -> tuple[str | None, Decimal | None, str, str | None]:
    """(light, gap, why, problem) of a forecast against its target."""
    def light_for(gap: Decimal) -> str:
        return "绿" if gap <= 0 else ("黄" if gap <= mr.indicator_yellow else "红")

    if target.kind == "number" and forecast.kind == "number" and target.quantity and forecast.quantity:
        cmp = values.align(target.quantity, values.actual_as_compared(target, forecast) or forecast.quantity)
        if cmp.problem or cmp.target is None or cmp.actual is None:
            return None, None, "", cmp.problem or "单位不一致"
        t, f = cmp.target, cmp.actual
        direction = target.direction or rules.no_direction
        # Monitoring asks whether the target will be reached: only falling short of it counts (a forecast
        # above an "=" or bare target is no risk of not completing it); for ≤ targets, going over does.
        short = f - t if direction in ("le", "lt") else t - f
        if short <= 0:
            return "绿", Decimal(0), "达到年度指标值", None
        gap = short / abs(t) if t != 0 else Decimal(1)
        unit = cmp.unit or ""
        word = "高于" if direction in ("le", "lt") else "低于"
        return light_for(gap), gap, (f"{word}年度指标值 {fmt(t)}{unit}，相差 {fmt_percent(round_half_up(gap, 4))}"), None
    if target.kind in ("deadline", "date") and forecast.kind in ("date", "deadline") and target.date and forecast.date:
        # a date as the target (a date cell, "2026/11/30") is the deadline, as in the 自评表
        if forecast.date <= target.date:
            return "绿", Decimal(0), "不晚于年度指标值的期限", None
        return "红", Decimal(1), f"晚于年度指标值的期限 {values.shown(target.date)}", None
    if forecast.kind == "qualitative":
        band, why = rules.grade_reading(forecast.text)
        if band is None and why:
            # A negated or late forecast (不达标, 效果不明显, 延期完成) says the target is at risk: never green.
            grades = "、".join(f"“{b.name}”" for b in rules.qual_bands)
            return "黄", None, f"{why}，不能确认能达成（请改填评价等级：{grades}之一）", None
        if band is None:
            return None, None, "", "不是数值，也不是可识别的评价等级（如“达成预期指标”“按期完成”）"
        names = [b.name for b in rules.qual_bands]
        pos = names.index(band.name)
        light = "绿" if pos == 0 else ("红" if pos == len(names) - 1 else "黄")
        return light, None, ("预计达成" if light == "绿" else f"预计为“{band.name}”"), None
    if target.kind == "qualitative" and forecast.kind == "number":
        return None, None, "", "定性指标的预计完成值填了数字"
    return None, None, "", forecast.problem or target.problem or "两者类型不同"


def _duplicates(p: Project, res: MonitorResult, out: Collector) -> None:
    """Two rows of one 三级指标 name: the 自评表 (new --monitor) and the reviewers match rows by name."""
    def at_row(n: int) -> Location:
        return where(p, f"{M.ROWS_KEY}[{n}].三级指标")

    seen: dict[str, list[Watch]] = {}
    for w in res.watches:
        if w.level3:
            seen.setdefault(WL.label_key(w.level3), []).append(w)
    for same in seen.values():
        if len(same) < 2:
            continue
        cells = "、".join(str(at_row(w.n)) for w in same)
        for w in same[1:]:
            out.add("W-MON-DUP-NAME", "warning",
                    f"三级指标“{w.level3}”出现 {len(same)} 次（{cells}；二级指标分别为"
                    f"{'、'.join('“' + (x.level2 or '未填') + '”' for x in same)}）：年终带入自评表时无法确定偏差原因属于哪一个。"
                    "请把名称改得能区分（如写明具体内容），每个指标只写一行。", "三级指标", at_row(w.n))


# ---- the cells evaltool fills ----------------------------------------------------------------------
_PERCENT_KEYS = {"执行进度": "执行进度", "时间进度": "时间进度"}
_LABELS = {"资金预警": "资金预警", "综合预警": "综合预警"}


def out_values(res: MonitorResult) -> dict[str, Any]:
    """What evaltool writes into each out cell: percentages as text, lights as 红/黄/绿, else 未计算."""
    def pct(x: Decimal | None) -> str:
        return fmt_percent(x) if x is not None else NOT_COMPUTED

    values_ = {"执行进度": pct(res.progress), "时间进度": pct(res.time_progress),
               "资金预警": res.money_light or NOT_COMPUTED, "综合预警": res.light or NOT_COMPUTED}
    values_.update({f"预警[{w.n}]": w.light or NOT_COMPUTED for w in res.watches})
    return values_


def _same(current: Any, value: str, key: str) -> bool:
    if key in _PERCENT_KEYS:
        if value == NOT_COMPUTED:
            return False
        want = Decimal(value.rstrip("%")) / HUNDRED
        parsed = values.parse(current)
        if parsed.kind != "number" or parsed.quantity is None:
            return False
        got = parsed.quantity.value / HUNDRED if parsed.quantity.percent or isinstance(current, str) \
            else parsed.quantity.value
        return abs(got - want) < Decimal("0.00005")
    return _text(current).rstrip("灯") == value


_OURS = re.compile(r"^(?:\d+\.\d{2}%|[红黄绿]|未计算)$")


def _ours(current: Any) -> bool:
    """A value in the form evaltool writes (text "40.00%", 红/黄/绿, 未计算): a number typed over it is the clerk's."""
    return isinstance(current, str) and _OURS.match(current.strip()) is not None


def _settle_out(p: Project, res: MonitorResult, out: Collector) -> None:
    """Which out cells evaltool writes. On its own template, all (grey cells); on a hand-made sheet only
    empty cells and those it filled on its last run: a value the clerk typed stays, and if it differs
    from the computation a warning says so on its cell."""
    info = M.info_of(p)
    if info is None:
        return
    computed = out_values(res)
    for key, loc in info.out.items():
        value = computed.get(key)
        if value is None or not loc.cell:
            continue
        current = info.out_values.get(key)
        label = "预警" if key.startswith("预警[") else _PERCENT_KEYS.get(key) or _LABELS.get(key, key)
        if info.template or current is None or loc.cell in info.filled and _ours(current):
            res.writable.add(key)
            if info.template and current is not None and not _same(current, value, key):
                # the grey cells are evaltool's; a value there (typed, or an earlier run's) is not replaced unsaid
                out.add("I-FILLED", "info", f"本单元格原为“{_text(current)}”，evaltool 计分时将改为“{value}”"
                        "（浅灰色单元格由 evaltool 计算填写，手工填写的内容会被替换）。", label, loc)
            if not info.template:  # recorded in 校验结果, so the next run knows the cell is evaltool's
                out.add("I-FILLED", "info", f"evaltool 计算的{label}为“{value}”，填入本单元格。", label, loc)
        elif not _same(current, value, key):
            out.add("W-MON-TYPED", "warning", f"本单元格填写的{label}“{_text(current)}”与 evaltool 计算的“{value}”不同；"
                    "evaltool 没有改动本单元格，请核对。", label, loc)
