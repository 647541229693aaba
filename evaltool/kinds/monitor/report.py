"""The 运行监控表's 监控情况说明 (report context and 附表), its 汇总 row, --json form and console print."""
from __future__ import annotations

from typing import Any

from evaltool.core.decimals import fmt, fmt_percent, plain_number
from evaltool.kinds.monitor import layout as M
from evaltool.kinds.monitor.evaluate import NOT_COMPUTED, MonitorResult, light_text


def _pct(value) -> str:
    return fmt_percent(value) if value is not None else NOT_COMPUTED


def _money(value) -> str:
    return fmt(value, 2) if value is not None else NOT_COMPUTED


def report_context(project, result: MonitorResult) -> dict[str, Any]:
    from evaltool.report.context import clean_unit, long_text, raw_text

    name = raw_text(project.name)
    goals = project.extra.get(M.GOALS_KEY) or {}
    late = [w for w in result.watches if w.light in ("黄", "红")]
    return {
        "kind": M.KIND,
        "project": {"name": name, "year": raw_text(project.year), "unit": clean_unit(raw_text(project.unit)),
                    "department": raw_text(project.department), "subject": f"“{name}”"},
        "title_suffix": "绩效运行监控情况说明",
        "period": result.period,
        "time_progress": _pct(result.time_progress),
        "progress": _pct(result.progress),
        "budget_label": result.budget_label,
        "budget": _money(result.budget),
        "executed": _money(result.executed),
        "forecast": _money(result.forecast),
        "forecast_rate": _pct(result.forecast_rate),
        "money_light": light_text(result.money_light),
        "money_why": raw_text(result.money_why),
        "light": light_text(result.light),
        "goal_expected": long_text(goals.get("全年预期目标")),
        "goal_actual": long_text(goals.get("目标实际完成情况")),
        "indicators": len(result.watches),
        "green": sum(w.light == "绿" for w in result.watches),
        "late": [{"name": raw_text(w.level3), "light": light_text(w.light), "why": raw_text(w.why),
                  "reason": raw_text(w.reason), "measure": raw_text(w.measure),
                  "likelihood": w.likelihood or NOT_COMPUTED} for w in late],
        "uncomputed": [raw_text(w.level3) for w in result.watches if w.light is None],
        "errors": sum(f.severity == "error" for f in result.findings),
    }


TABLE_HEADERS = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "全年预计完成值", "完成可能性", "预警")


def write_form_table(doc, project, result: MonitorResult, context: dict) -> None:
    doc.add_paragraph(f"附表：{M.TITLE}（{result.period}）")
    money = doc.add_table(rows=2, cols=6)
    for c, text in enumerate((result.budget_label, f"{result.period}执行数", "全年预计执行数", "执行进度", "时间进度",
                              "资金预警")):
        money.cell(0, c).text = text
    for c, text in enumerate((context["budget"], context["executed"], context["forecast"], context["progress"],
                              context["time_progress"], context["money_light"])):
        money.cell(1, c).text = text
    table = doc.add_table(rows=1 + len(result.watches), cols=len(TABLE_HEADERS))
    for c, text in enumerate(TABLE_HEADERS):
        table.cell(0, c).text = f"{result.period}{text}" if text == "实际完成值" else text
    for r, w in enumerate(result.watches, start=1):
        for c, text in enumerate((w.level1, w.level2, w.level3, w.target, w.actual, w.forecast,
                                  w.likelihood or "", light_text(w.light))):
            table.cell(r, c).text = text


def summary_row(project, result: MonitorResult, file: str) -> dict[str, Any]:
    """The project's row in the 汇总 workbook's 运行监控 sheet (MonitorKind.summary_columns)."""
    from evaltool.core.results import text_or_none as _text

    late = [w for w in result.watches if w.light in ("黄", "红")]
    return {
        "类型": M.KIND,  # collect lists it on the kind's own sheet (FormKind.summary_sheet)
        "主管部门": _text(project.department), "单位": _text(project.unit), "项目": _text(project.name),
        "年度": _text(project.year), "监控期间": result.period if result.months else None,
        "预算数": plain_number(result.budget), "执行数": plain_number(result.executed),
        "执行进度": plain_number(result.progress), "时间进度": plain_number(result.time_progress),
        "全年预计执行率": plain_number(result.forecast_rate),
        "资金预警": result.money_light or NOT_COMPUTED,
        "红灯指标": sum(w.light == "红" for w in result.watches),
        "黄灯指标": sum(w.light == "黄" for w in result.watches),
        "预警": result.light or NOT_COMPUTED,
        "原因": "\n".join(result.reasons) or None,
        "纠偏措施": "\n".join(f"“{w.level3}”：{w.measure}" for w in late if w.measure) or None,
        "错误数": sum(f.severity == "error" for f in result.findings),
        "警告数": sum(f.severity == "warning" for f in result.findings),
        "规则": result.rule_name, "文件": file, "工作表": project.sheet,
    }


def result_dict(project, result: MonitorResult) -> dict[str, Any]:
    return {
        # the keys every kind's JSON has first (a script over a folder counts errors alike), then the 监控表's own
        "类型": M.KIND, "项目名称": project.name, "主管部门": project.department, "实施单位": project.unit,
        "年度": project.year, "工作表": project.sheet, "规则": result.rule_id,
        "错误数": sum(f.severity == "error" for f in result.findings),
        "警告数": sum(f.severity == "warning" for f in result.findings),
        "监控期间": result.period, "时间进度": plain_number(result.time_progress),
        "执行进度": plain_number(result.progress), "全年预计执行率": plain_number(result.forecast_rate),
        "预算数": plain_number(result.budget), "执行数": plain_number(result.executed),
        "资金预警": result.money_light or NOT_COMPUTED, "资金说明": result.money_why,
        "综合预警": result.light or NOT_COMPUTED, "预警原因": result.reasons,
        "指标": [{"三级指标": w.level3, "年度指标值": w.target, "全年预计完成值": w.forecast,
                "完成可能性": w.likelihood, "预警": w.light or NOT_COMPUTED, "说明": w.why,
                "偏差原因": w.reason, "纠偏措施": w.measure} for w in result.watches],
        "标记": [f.as_dict() for f in result.findings],
    }


_STYLE = {"红": "bold red", "黄": "bold yellow", "绿": "bold green"}


def print_result(project, result: MonitorResult) -> None:
    from evaltool.console import console, esc, print_findings

    title = f"{esc(project.name or '（未填项目名称）')}  运行监控（{esc(result.period)}）"
    if project.sheet:
        title += f"  [dim]（工作表：{esc(project.sheet)}）[/]"
    console.rule(title)

    def light(x: str | None) -> str:
        return f"[{_STYLE[x]}]{x}灯[/]" if x else "[dim]未计算[/]"

    console.print(f"执行进度 {_pct(result.progress)}    时间进度 {_pct(result.time_progress)}    "
                  f"全年预计执行率 {_pct(result.forecast_rate)}    资金预警 {light(result.money_light)}")
    for w in result.watches:
        console.print(f"  {light(w.light)}  {esc(w.level3 or '（未填三级指标）')}  [dim]{esc(w.why)}[/]")
    console.print(f"[bold]综合预警 {light(result.light)}[/]")
    print_findings(result)
