"""Structural checks of a project against its rule set; each adds findings, none stops the rest."""
from __future__ import annotations

import functools
import operator
from itertools import chain
from collections import Counter
from decimal import Decimal

from evaltool.core import values
from evaltool.core.decimals import fmt, fmt_percent
from evaltool.core.model import (
    FUND_COLUMN_ATTR, FUND_COLUMNS, FUND_ROWS, INDICATOR_ATTR, Location, Project, ScoreResult,
)
from evaltool.core.rules import RuleSet

HEADER_FIELDS = (("name", "项目名称"), ("department", "主管部门"), ("unit", "实施单位"), ("year", "年度"))

# Excel's error values as a cell shows them (openpyxl and calamine give them as this text), and what
# each means in the clerk's terms.
EXCEL_ERRORS = {
    "#NAME?": "单元格里是 Excel 无法识别的公式",
    "#VALUE!": "公式中的值类型不对",
    "#REF!": "公式引用的单元格已被删除",
    "#DIV/0!": "公式除以了 0",
    "#N/A": "公式查找不到值",
    "#NUM!": "公式的数值无效",
    "#NULL!": "公式引用的区域不相交",
    "#SPILL!": "公式的结果区域被占用",
    "#CALC!": "公式计算出错",
    "#GETTING_DATA": "公式的数据尚未取回",
    "#FIELD!": "公式引用的字段不存在",
    "#BLOCKED!": "公式需要的功能被禁用",
    "#CONNECT!": "公式的外部连接失败",
    "#BUSY!": "公式仍在计算",
    "#UNKNOWN!": "公式的结果无法识别",
}
TEXT_FIELDS = frozenset({"年度指标值", "实际完成值", "三级指标", "项目名称", "主管部门", "实施单位", "预期目标",
                         "实际完成情况", "偏差原因分析及改进措施", "一级指标", "二级指标"})


def excel_error(raw) -> str | None:
    """The Excel error value a cell holds ("#NAME?", "#DIV/0!" …), or None."""
    if type(raw) is not str or not raw or raw[0] != "#":
        return None
    code = raw.strip().upper()
    return code if code in EXCEL_ERRORS else None


def _inputs(project: Project):
    """(what the cell is, form label, raw value, location, indicator index) for every input cell."""
    for attr, label in HEADER_FIELDS:
        yield label, label, getattr(project, attr), project.where(label), None
    for label, value in (("预期目标", project.goal_expected), ("实际完成情况", project.goal_actual)):
        yield f"年度总体目标的{label}", label, value, project.where(label), None
    for label, row in project.funds.items():
        for column, attr in (*FUND_COLUMN_ATTR.items(), ("得分", "entered_score")):
            loc = row.cells.get(column) or Location(path=f"项目资金.{label}.{column}")
            yield f"{label}的{column}", column, getattr(row, attr), loc, None
    weight_loc = project.cells.get("分值") or Location(sheet=project.sheet, path="项目资金.分值")
    yield "项目资金分值", "分值", project.fund_weight, weight_loc, None
    for i, ind in enumerate(project.indicators):
        name = str(ind.level3 or "").strip() if not excel_error(ind.level3) else ""
        for key, attr in INDICATOR_ATTR.items():
            yield f"“{name or f'第 {i + 1} 个指标'}”的{key}", key, getattr(ind, attr), ind.where(key), i


def _has_error_value(project: Project) -> bool:
    """Whether any input cell _inputs() lists holds an Excel error value: what check_cell_errors
    looks for, without building each cell's description (nearly every form has none)."""
    fund_attrs = (*FUND_COLUMN_ATTR.values(), "entered_score")
    # Every error value is text holding "#": one search over all of the form's values (their text
    # joined, in C) rules nearly every form out; the cell-by-cell test runs only when one has "#".
    cells = chain((getattr(project, attr) for attr, _ in HEADER_FIELDS),
                  (project.goal_expected, project.goal_actual, project.fund_weight),
                  (getattr(row, a) for row in project.funds.values() for a in fund_attrs),
                  chain.from_iterable(map(_indicator_cells, project.indicators)))
    try:
        if "#" not in "\x00".join(map(str, cells)):
            return False
    except Exception:  # noqa: BLE001 - a value without a text of its own: tested cell by cell
        pass
    if any(excel_error(getattr(project, attr)) for attr, _ in HEADER_FIELDS) \
            or excel_error(project.goal_expected) or excel_error(project.goal_actual) \
            or excel_error(project.fund_weight):
        return True
    if any(excel_error(getattr(row, a)) for row in project.funds.values() for a in fund_attrs):
        return True
    attrs = tuple(INDICATOR_ATTR.values())
    return any(excel_error(getattr(ind, a)) for ind in project.indicators for a in attrs)


_indicator_cells = operator.attrgetter(*INDICATOR_ATTR.values())  # an Indicator's input values, in C


def check_cell_errors(project: Project, out) -> None:
    """An error value (#NAME?, #DIV/0! …) in any input cell gets its own finding naming the cell and the
    fix; the vaguer 'not a number / cannot parse' findings for that cell are then left out."""
    if not _has_error_value(project):
        return
    for what, field, raw, loc, index in _inputs(project):
        code = excel_error(raw)
        if code is None:
            continue
        where = f"（{loc}）" if loc.cell else ""
        if code == "#NAME?" and field in ("年度指标值", "实际完成值"):
            fix = ("以“=”开头的内容（如 =7个）被 Excel/WPS 当成了公式。请重新输入为 ＝7个（全角等号）或 '=7个"
                   "（前面加英文单引号），或先把单元格设为“文本”格式再输入")
        elif code == "#NAME?":
            fix = ("单元格里是 Excel 无法识别的公式（常因内容以“=”“+”“-”开头）。请直接输入内容；须以“=”开头时，"
                   "请输入 ＝…（全角等号）或在前面加英文单引号 '")
        else:
            kind = "内容" if field in TEXT_FIELDS else "数字"
            fix = f"{EXCEL_ERRORS[code]}。请删除公式，直接填写{kind}"
        out.add("E-CELL-ERROR", "error", f"{what}{where}显示错误值 {code}：{fix}。", field, loc, index)
        out.errored.add((loc.sheet, loc.cell, loc.path))


def run_checks(project: Project, rules: RuleSet, result: ScoreResult, out) -> None:
    check_header(project, out)
    check_funds(project, out)
    check_indicators(project, rules, result, out)
    check_weights(project, rules, result, out)
    check_rate_reason(project, result, out)


def check_rate_reason(project: Project, result: ScoreResult, out) -> None:
    """A budget not fully spent (or overspent) needs its reason in the report, as a shortfall does."""
    rate = result.rate_display  # as the form shows it: 99.999% shows as 100.00% and needs no reason
    if rate is None or rate == 1 or (project.report.get("预算执行偏差原因") or "").strip():
        return
    what = "未达到" if rate < 1 else "超过"
    total = project.funds.get("年度资金总额")
    out.add("W-RATE-REASON", "warning",
            f"预算执行率为 {fmt_percent(rate)}，{what} 100%，请在“报告素材”的“预算执行偏差原因”中"
            "说明原因和改进措施，报告会引用。", "全年执行数",
            # Marked on the form's 全年执行数, where the clerk looks; the text goes on 报告素材.
            (total.cells.get("全年执行数") if total else None) or Location(path="项目资金.年度资金总额.全年执行数"))


def _blank(value) -> bool:
    if value is None:
        return True
    kind = type(value)
    if kind is str:
        return _blank_text(value)
    if kind is int or kind is float:
        return False  # a number is never blank (parse gives a number or "unknown"); no parse per cell
    return values.parse(value).kind == "empty"


@functools.lru_cache(maxsize=65536)
def _blank_text(text: str) -> bool:
    # The same names (一级/二级/三级指标) are checked in every form a bureau consolidates.
    return values.is_empty_text(text)


def check_header(project: Project, out) -> None:
    from evaltool.core.reading import project_year

    for attr, label in HEADER_FIELDS:
        if _blank(getattr(project, attr)):
            out.add("E-REQUIRED", "error", f"{label}未填写。", label, project.where(label))
    if not _blank(project.year) and project_year(project) is None:
        out.add("E-YEAR", "error", f"年度“{project.year}”无法识别，请填写四位年份，例如 2023。", "年度",
                project.where("年度"))
    for label, value in (("预期目标", project.goal_expected), ("实际完成情况", project.goal_actual)):
        if _blank(value):
            out.add("W-GOAL", "warning", f"年度总体目标的“{label}”未填写，报告将无法引用。", label,
                    project.where(label))


def check_funds(project: Project, out) -> None:
    from evaltool.core.reading import Collector, read_money

    quiet = Collector()  # the rate scorer already reported unreadable total-row amounts
    amounts: dict[str, dict[str, Decimal | None]] = {}
    for label in FUND_ROWS:
        row = project.funds.get(label)
        amounts[label] = {}
        for column in FUND_COLUMNS:
            raw = getattr(row, FUND_COLUMN_ATTR[column]) if row else None
            loc = (row.cells.get(column) if row else None) or Location(path=f"项目资金.{label}.{column}")
            sink = quiet if label == "年度资金总额" else out
            amounts[label][column] = read_money(raw, loc, f"{label}的{column}", sink)
    for column in FUND_COLUMNS:
        parts = [amounts[label][column] for label in FUND_ROWS[1:]]
        total = amounts["年度资金总额"][column]
        if total is None or all(p is None for p in parts):
            continue
        summed = sum((p or Decimal(0) for p in parts), Decimal(0))
        if summed != total:
            row = project.funds.get("年度资金总额")
            loc = (row.cells.get(column) if row else None) or Location(path=f"项目资金.年度资金总额.{column}")
            out.add("E-FUND-SUM", "error",
                    f"项目资金的{column}：年度资金总额 {fmt(total)} 万元不等于本年财政拨款、上年结转资金、"
                    f"其他资金之和 {fmt(summed)} 万元。请核对各行金额。", column, loc)
    for label in FUND_ROWS[1:]:
        budget, actual = amounts[label]["全年预算数"], amounts[label]["全年执行数"]
        if budget is not None and actual is not None and actual > budget:
            row = project.funds.get(label)
            out.add("W-FUND-OVER", "warning",
                    f"{label}的全年执行数 {fmt(actual)} 万元超过全年预算数 {fmt(budget)} 万元，请核实。",
                    "全年执行数", (row.cells.get("全年执行数") if row else None) or Location(path=f"项目资金.{label}"))


def check_indicators(project: Project, rules: RuleSet, result: ScoreResult, out) -> None:
    seen: Counter[tuple] = Counter()
    for i, (ind, res) in enumerate(zip(project.indicators, result.indicators)):
        label = res.level3 or f"第 {i + 1} 个指标"
        for attr, name in (("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标")):
            if _blank(getattr(ind, attr)):
                out.add("E-REQUIRED", "error", f"第 {i + 1} 个指标的{name}未填写。", name, ind.where(name), i)
        if res.level1 and res.level1 not in rules.level1_weights and not _blank(ind.level1):
            out.add("E-UNKNOWN-L1", "error",
                    f"一级指标“{ind.level1}”不在{rules.name}的指标体系中，请改为："
                    f"{'、'.join(rules.level1_weights)}。", "一级指标", ind.where("一级指标"), i)
        elif res.level2 and rules.framework.get(res.level1) and res.level2 not in rules.framework[res.level1] \
                and not _blank(ind.level2):
            out.add("W-UNKNOWN-L2", "warning",
                    f"二级指标“{ind.level2}”不属于“{res.level1}”，常用的二级指标有："
                    f"{'、'.join(rules.framework[res.level1])}。", "二级指标", ind.where("二级指标"), i)
        key = (res.level1, res.level2, res.level3)
        seen[key] += 1
        if res.level3 and seen[key] == 2:
            out.add("W-DUPLICATE", "warning", f"三级指标“{res.level3}”在“{res.level2}”下重复出现，请合并或改名。",
                    "三级指标", ind.where("三级指标"), i)
        typed = values.parse(ind.entered_score)
        if res.weight is not None and typed.kind == "number" and typed.quantity and typed.quantity.value > res.weight:
            out.add("E-SCORE-OVER", "error",
                    f"“{label}”的得分 {fmt(typed.quantity.value)} 超过分值 {fmt(res.weight)}，得分不能超过分值。",
                    "得分", ind.where("得分"), i)
        typed_value = typed.quantity.value if typed.kind == "number" and typed.quantity and not typed.direction \
            and typed.quantity.unit in (None, "分") else None
        if res.weight is not None and _blank(ind.deviation):
            if res.score is not None and res.score < res.weight and res.deduction and rules.excess is not None \
                    and res.score + res.deduction >= res.weight:
                # Lost only to the 超额扣分: the target was beaten by far, nothing is 未完成.
                why = rules.excess.reason
                out.add("E-DEVIATION", "error",
                        f"“{label}”超额完成，{why}（扣 {fmt(res.deduction)} 分），得分 {fmt(res.score)} 低于分值 "
                        f"{fmt(res.weight)}，请在“偏差原因分析及改进措施”中说明{why}的原因和改进措施"
                        "（如下一年度如何调整指标值）。", "偏差原因分析及改进措施", ind.where("偏差原因分析及改进措施"), i)
            elif res.score is not None and res.score < res.weight:
                out.add("E-DEVIATION", "error",
                        f"“{label}”得分 {fmt(res.score)} 低于分值 {fmt(res.weight)}，请在“偏差原因分析及改进措施”中"
                        "说明未完成的原因和改进措施。", "偏差原因分析及改进措施", ind.where("偏差原因分析及改进措施"), i)
            elif typed_value is not None and typed_value < res.weight:
                # The clerk's own score says the target was missed, whatever evaltool computes.
                out.add("E-DEVIATION", "error",
                        f"“{label}”填报的得分 {fmt(typed_value)} 低于分值 {fmt(res.weight)}，请在“偏差原因分析及改进措施”"
                        "中说明未完成的原因和改进措施。", "偏差原因分析及改进措施", ind.where("偏差原因分析及改进措施"), i)


def check_weights(project: Project, rules: RuleSet, result: ScoreResult, out) -> None:
    if result.rate_weight is not None and result.rate_weight != rules.rate_weight:
        out.add("E-WEIGHT-RATE", "error",
                f"项目资金（预算执行率）的分值为 {fmt(result.rate_weight)}，{rules.name}规定为 "
                f"{fmt(rules.rate_weight)} 分。", "分值", project.cells.get("分值") or Location(path="项目资金.分值"))
    sums: dict[str, Decimal] = {name: Decimal(0) for name in rules.level1_weights}
    first: dict[str, Location] = {}
    for ind, res in zip(project.indicators, result.indicators):
        if res.weight is not None and res.level1 in sums:
            sums[res.level1] += res.weight
            first.setdefault(res.level1, ind.where("分值"))
    for name, expected in rules.level1_weights.items():
        if sums[name] != expected:
            out.add("E-WEIGHT-L1", "error",
                    f"{name}下各三级指标分值合计 {fmt(sums[name])} 分，{rules.name}规定为 {fmt(expected)} 分，"
                    "请调整分值使其相符。", "分值", first.get(name) or Location(sheet=project.sheet, path=f"绩效指标.{name}"))
    weights = [r.weight for r in result.indicators if r.weight is not None]
    total = sum(weights, Decimal(0)) + (result.rate_weight or Decimal(0))
    if total != rules.total_weight:
        capped = f"总分暂按 {fmt(rules.total_weight)} 分封顶。" if total > rules.total_weight else ""
        out.add("E-WEIGHT-TOTAL", "error",
                f"全部分值合计 {fmt(total)} 分，应为 {fmt(rules.total_weight)} 分。{capped}", "分值",
                Location(sheet=project.sheet, path="总分"))
