"""The 运行监控表 behind core.kinds.FormKind: each method hands over to the module that does the work."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from evaltool.core.caseio import CaseError
from evaltool.core.kinds import FormKind, ReportFacts, ReportPart
from evaltool.core.model import Location, Project, ScoreResult
from evaltool.kinds.monitor import layout as M


class MonitorKind(FormKind):
    name = M.KIND
    title = M.TITLE
    summarised = True
    graded = False  # no 总分/等次: not in collect --review's 抽查 (FormKind.graded)
    pasteable = False
    grids_ok = False
    case_keys = (M.PERIOD_KEY, M.FUNDS_KEY, M.ROWS_KEY, M.GOALS_KEY)
    report_template = "report-monitor.md.j2"
    report_name = "绩效运行监控情况说明"
    template_dir = str(Path(__file__).parent / "templates")
    # collect lists these projects in a sheet of their own (collect/output.py), not in 汇总.
    summary_sheet = "运行监控"

    summary_columns = [
        ("预警", "预警", None, 6), ("主管部门", "主管部门", None, 24), ("单位", "单位", None, 24),
        ("项目", "项目", None, 28), ("年度", "年度", "0", 7), ("监控期间", "监控期间", None, 9),
        ("预算数", "全年预算数（万元）", "#,##0.00", 13), ("执行数", "执行数（万元）", "#,##0.00", 13),
        ("执行进度", "执行进度", "0.00%", 9), ("时间进度", "时间进度", "0.00%", 9),
        ("全年预计执行率", "全年预计执行率", "0.00%", 10), ("资金预警", "资金预警", None, 8),
        ("红灯指标", "红灯指标数", "0", 8), ("黄灯指标", "黄灯指标数", "0", 8), ("原因", "预警原因", None, 60),
        ("纠偏措施", "纠偏措施", None, 40), ("错误数", "错误数", "0", 7), ("警告数", "警告数", "0", 7),
        ("规则", "规则", None, 14), ("文件", "文件", None, 30), ("工作表", "工作表", None, 14),
    ]
    summary_order = ("预警", {"红": 0, "黄": 1, "绿": 2})  # red first: the bureau reads the late projects first

    def check_rules(self, rules, written) -> None:
        from evaltool.kinds.monitor.rules import SECTION, monitor_rules

        if SECTION in written:  # checked when any rule file loads, not only when a 监控表 is read
            monitor_rules(rules)

    def read_views(self, views, context) -> list[Project]:
        return M.read_views(views, context)

    def case_from_dict(self, project: Project, data: dict, name: str) -> None:
        funds = data.get(M.FUNDS_KEY)
        if funds is not None and (not isinstance(funds, dict) or not all(isinstance(v, dict) for v in funds.values())):
            raise CaseError(f"{name} 的“{M.FUNDS_KEY}”应写成 {{年度资金总额: {{全年预算数: …, 执行数: …, 全年预计执行数: …}}}}。")
        rows = data.get(M.ROWS_KEY)
        if rows is not None and (not isinstance(rows, list) or not all(isinstance(i, dict) for i in rows)):
            raise CaseError(f"{name} 的“{M.ROWS_KEY}”应是列表，每项写成 {{三级指标: …, 年度指标值: …, 全年预计完成值: …, "
                            "完成可能性: …}。")
        for where_, items in ([(f"{M.FUNDS_KEY} → {k}", v) for k, v in (funds or {}).items()]
                              + [(f"{M.ROWS_KEY}第 {n} 项", i) for n, i in enumerate(rows or [], start=1)]):
            for key, value in items.items():
                if isinstance(value, (list, dict, set, tuple)):  # one cell holds one value
                    raise CaseError(f"{name} 的“{where_}”中“{key}”应是一个值（数字或文字），现在是一个列表或表。")
        period = data.get(M.PERIOD_KEY)
        if isinstance(period, (list, dict)):
            raise CaseError(f"{name} 的“{M.PERIOD_KEY}”应是一个值，例如“1-7月”。")
        for label, row in (funds or {}).items():
            for key in row:
                project.cells[f"{M.FUNDS_KEY}.{label}.{key}"] = Location(path=f"{M.FUNDS_KEY}.{label}.{key}")
        for n, item in enumerate(rows or [], start=1):
            for key in M.ROW_INPUTS:
                project.cells[f"{M.ROWS_KEY}[{n}].{key}"] = Location(path=f"{M.ROWS_KEY}[{n}].{key}")
        project.cells[M.PERIOD_KEY] = Location(path=M.PERIOD_KEY)

    def case_to_dict(self, project: Project, out: dict[str, Any]) -> None:
        for key in self.case_keys:
            if key in project.extra:
                out[key] = project.extra[key]

    def evaluate(self, project: Project, rules) -> ScoreResult:
        from evaltool.kinds.monitor.evaluate import evaluate

        return evaluate(project, rules)

    def result_dict(self, project: Project, result) -> dict[str, Any]:
        from evaltool.kinds.monitor.report import result_dict

        return result_dict(project, result)

    def cell_writes(self, project: Project, result):
        from evaltool.kinds.monitor.writes import cell_writes

        return cell_writes(project, result)

    def build_workbook(self, project: Project | None, rules: str | None):
        from evaltool.kinds.monitor.template import build_workbook

        return build_workbook(project, rules)

    def report_context(self, project: Project, result) -> dict[str, Any]:
        from evaltool.kinds.monitor.report import report_context

        return report_context(project, result)

    def write_form_table(self, doc, project: Project, result, context: dict) -> None:
        from evaltool.kinds.monitor.report import write_form_table

        write_form_table(doc, project, result, context)

    def report_facts(self, project: Project, result) -> ReportFacts:
        info = M.info_of(project)
        out = info.out if info else {}
        budget = result.budget_label
        # The statement gives three rates; each is checked against its own figure, never the 执行进度.
        rates = [("time_progress", ("时间进度",), "运行监控表的时间进度（已过月数 ÷ 12）", result.time_progress,
                  out.get("时间进度")),
                 ("forecast_rate", ("全年预计执行率", "预计执行率"),
                  f"运行监控表的全年预计执行率（全年预计执行数 ÷ {budget}）", result.forecast_rate,
                  M.where_default(project, f"{M.FUNDS_KEY}.年度资金总额.全年预计执行数"))]
        executed_at = M.where_default(project, f"{M.FUNDS_KEY}.年度资金总额.执行数")
        # "1-7月执行250.00万元" is the period's 执行数; the light counts of the statement (SWEEP S49)
        parts = [ReportPart("period", (result.period,), "运行监控表“年度资金总额”", actual=result.executed,
                            where={"actual": executed_at})] if result.months else []
        parts.append(ReportPart("forecast", ("预计全年执行", "全年预计执行数"), "运行监控表“年度资金总额”",
                                actual=result.forecast,
                                where={"actual": M.where_default(project, f"{M.FUNDS_KEY}.年度资金总额.全年预计执行数")}))
        table = M.where_default(project, M.ROWS_KEY)
        green = sum(w.light == "绿" for w in result.watches)
        late = sum(w.light in ("黄", "红") for w in result.watches)
        counts = [("green", ("预计能够完成", "绿灯"), Decimal(green), "运行监控表中绿灯（预计能够完成）的指标数", table),
                  ("late", ("存在偏差", "黄灯或红灯"), Decimal(late), "运行监控表中黄灯或红灯（存在偏差）的指标数", table)]
        return ReportFacts(form=M.KIND, rate_label=f"运行监控表的执行进度（执行数 ÷ {budget}）",
                           rate=result.progress, total=None, grade=None, planned=result.budget, used=result.executed,
                           rate_where=out.get("执行进度"), rates=rates, parts=parts, counts=counts,
                           planned_label=f"运行监控表“年度资金总额”的{budget}",
                           planned_where=M.where_default(project, f"{M.FUNDS_KEY}.年度资金总额.{budget}"),
                           used_label=f"运行监控表“年度资金总额”的{result.period}执行数", used_where=executed_at,
                           table_where=table)

    def indicator_rows(self, project: Project) -> int:
        return len(project.extra.get(M.ROWS_KEY) or [])

    def summary_row(self, project: Project, result, file: str) -> dict[str, Any]:
        from evaltool.kinds.monitor.report import summary_row

        return summary_row(project, result, file)

    def print_result(self, project: Project, result) -> None:
        from evaltool.kinds.monitor.report import print_result

        print_result(project, result)


KIND = MonitorKind()
