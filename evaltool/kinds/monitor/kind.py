"""The 运行监控表 behind core.kinds.FormKind: each method hands over to the module that does the work."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from evaltool.core.caseio import CaseError
from evaltool.core.kinds import FormKind, ReportFacts
from evaltool.core.model import Location, Project, ScoreResult
from evaltool.kinds.monitor import layout as M


class MonitorKind(FormKind):
    name = M.KIND
    title = M.TITLE
    summarised = True
    pasteable = False
    grids_ok = False
    case_keys = (M.PERIOD_KEY, M.FUNDS_KEY, M.ROWS_KEY, M.GOALS_KEY)
    report_template = "report-monitor.md.j2"
    template_dir = str(Path(__file__).parent / "templates")
    # collect lists these projects in a sheet of their own (collect/output.py), not in 汇总.
    summary_sheet = "运行监控"

    @property
    def summary_columns(self):
        from evaltool.kinds.monitor.report import SUMMARY_COLUMNS

        return SUMMARY_COLUMNS

    @property
    def summary_order(self):
        from evaltool.kinds.monitor.report import SUMMARY_ORDER

        return SUMMARY_ORDER

    def read_views(self, views, context) -> list[Project]:
        return M.read_views(views)

    def case_from_dict(self, project: Project, data: dict, name: str) -> None:
        funds = data.get(M.FUNDS_KEY)
        if funds is not None and (not isinstance(funds, dict) or not all(isinstance(v, dict) for v in funds.values())):
            raise CaseError(f"{name} 的“{M.FUNDS_KEY}”应写成 {{年度资金总额: {{全年预算数: …, 执行数: …, 全年预计执行数: …}}}}。")
        rows = data.get(M.ROWS_KEY)
        if rows is not None and (not isinstance(rows, list) or not all(isinstance(i, dict) for i in rows)):
            raise CaseError(f"{name} 的“{M.ROWS_KEY}”应是列表，每项写成 {{三级指标: …, 年度指标值: …, 全年预计完成值: …, "
                            "完成可能性: …}}。")
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
        return ReportFacts(form=M.KIND, rate_label="运行监控表的执行进度（执行数 ÷ 全年预算数）",
                           rate=result.progress, total=None, grade=None, planned=result.budget, used=result.executed)

    def summary_row(self, project: Project, result, file: str) -> dict[str, Any]:
        from evaltool.kinds.monitor.report import summary_row

        return summary_row(project, result, file)

    def print_result(self, project: Project, result) -> None:
        from evaltool.kinds.monitor.report import print_result

        print_result(project, result)


KIND = MonitorKind()
