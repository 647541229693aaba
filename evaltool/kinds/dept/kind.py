"""The 部门整体支出绩效自评表 behind core.kinds.FormKind: each method hands over to its module."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from evaltool.core.kinds import FormKind, ReportFacts
from evaltool.core.model import Project, ScoreResult


class DeptKind(FormKind):
    name = "部门整体"
    title = "部门整体支出绩效自评表"
    subject = "部门"  # the whole department: publish reports it apart from the projects (FormKind.subject)
    summarised = True
    pasteable = True  # the Excel 导入案例 button lays a 部门整体 case into the open workbook
    grids_ok = True
    internal_sheets = ("部门报告素材",)  # the report's raw material: `evaltool publish` leaves it out
    report_template = "report-dept.md.j2"
    report_name = "部门整体支出绩效自评报告"  # file name of its report (FormKind.report_name)
    template_dir = str(Path(__file__).parent / "templates")

    def check_rules(self, rules, written) -> None:
        from evaltool.kinds.dept.scoring import SECTION, dept_rules

        if SECTION in written:  # checked when any rule file loads, not only when a 部门整体 form is read
            dept_rules(rules)

    def read_views(self, views, context) -> list[Project]:
        from evaltool.kinds.dept.reader import read_views

        return read_views(views, context)

    def case_from_dict(self, project: Project, data: dict, name: str) -> None:
        from evaltool.kinds.dept.model import case_from_dict

        case_from_dict(project, data, name)

    def case_to_dict(self, project: Project, out: dict[str, Any]) -> None:
        from evaltool.kinds.dept.model import case_to_dict

        case_to_dict(project, out)

    def evaluate(self, project: Project, rules) -> ScoreResult:
        from evaltool.kinds.dept.scoring import evaluate_dept

        return evaluate_dept(project, rules)

    def result_dict(self, project: Project, result) -> dict[str, Any]:
        from evaltool.kinds.dept.results import result_dict

        return result_dict(project, result)

    def cell_writes(self, project: Project, result):
        from evaltool.kinds.dept.writer import cell_writes

        return cell_writes(project, result)

    def build_workbook(self, project: Project | None, rules: str | None):
        from evaltool.kinds.dept.template import build_workbook

        return build_workbook(project, rules)

    def report_context(self, project: Project, result) -> dict[str, Any]:
        from evaltool.kinds.dept.report import report_context

        return report_context(project, result)

    def write_form_table(self, doc, project: Project, result, context: dict) -> None:
        from evaltool.kinds.dept.report import write_form_table

        write_form_table(doc, project, result, context)

    def report_facts(self, project: Project, result) -> ReportFacts:
        from evaltool.kinds.dept.report import report_facts

        return report_facts(project, result)

    def summary_row(self, project: Project, result, file: str) -> dict[str, Any]:
        from evaltool.kinds.dept.report import summary_row

        return summary_row(project, result, file)

    def print_result(self, project: Project, result) -> None:
        from evaltool.kinds.dept.report import print_result

        print_result(project, result)


KIND = DeptKind()
