"""The 自评表 behind core.kinds.FormKind: each method hands over to the module that does the work."""
from __future__ import annotations

from typing import Any

from evaltool.core.kinds import FormKind, ReportFacts
from evaltool.core.model import Project, ScoreResult


class SelfEvalKind(FormKind):
    name = "自评表"
    title = "项目支出绩效自评表"
    uses_shared_sheets = True  # 报告素材 (and 项目基本信息) in its template
    summarised = True
    pasteable = True
    grids_ok = True
    report_template = "report.md.j2"

    def read_views(self, views, context) -> list[Project]:
        from evaltool.kinds.selfeval.reader import read_forms
        from evaltool.kinds.targets.reader import split_views

        # A 绩效目标表 sheet is not a 自评表 lacking 实际完成值: it is left to its own kind, and
        # when it stands beside a 自评表 the 自评表 is checked against it.
        views, targets = split_views(views, context)
        projects = read_forms(views, context)
        if projects and targets:
            from evaltool.kinds.targets.compare import attach_from_views

            attach_from_views(projects, targets, context)
        return projects

    def case_from_dict(self, project: Project, data: dict, name: str) -> None:
        from evaltool.kinds.selfeval.caseio import form_from_dict

        form_from_dict(project, data, name)

    def case_to_dict(self, project: Project, out: dict[str, Any]) -> None:
        from evaltool.kinds.selfeval.caseio import form_to_dict

        form_to_dict(project, out)

    def evaluate(self, project: Project, rules) -> ScoreResult:
        from evaltool.kinds.selfeval.scoring import evaluate_form

        result = evaluate_form(project, rules)
        if project.extra.get("_绩效目标表"):  # checked beside the 绩效目标表 it was filed with
            from evaltool.kinds.targets.compare import findings

            result.findings.extend(findings(project, rules))
        return result

    def result_dict(self, project: Project, result: ScoreResult) -> dict[str, Any]:
        from evaltool.kinds.selfeval.results import form_result_dict

        return form_result_dict(project, result)

    def cell_writes(self, project: Project, result: ScoreResult):
        from evaltool.kinds.selfeval.writer import form_cell_writes

        return form_cell_writes(project, result)

    def build_workbook(self, project: Project | None, rules: str | None):
        from evaltool.kinds.selfeval.template import build_workbook

        return build_workbook(project, rules)

    def report_context(self, project: Project, result: ScoreResult) -> dict[str, Any]:
        from evaltool.kinds.selfeval.context import build_context

        return build_context(project, result)

    def write_form_table(self, doc, project: Project, result: ScoreResult, context: dict) -> None:
        from evaltool.kinds.selfeval.form_table import write_form

        write_form(doc, project, result, context)

    def report_facts(self, project: Project, result: ScoreResult) -> ReportFacts:
        return ReportFacts(
            form="自评表", rate_label="自评表的执行率（全年执行数 ÷ 全年预算数）", rate=result.rate_display,
            total=result.total, grade=result.grade,
            table_texts=[("年度总体目标（实际完成情况）", project.goal_actual, "实际完成情况"),
                         ("年度总体目标（预期目标）", project.goal_expected, "预期目标")])

    def summary_row(self, project: Project, result: ScoreResult, file: str) -> dict[str, Any]:
        from evaltool.kinds.selfeval.summary import summary_row

        return summary_row(project, result, file)

    def print_result(self, project: Project, result: ScoreResult) -> None:
        from evaltool.kinds.selfeval.selfeval_cli import print_form_result

        print_form_result(project, result)


KIND = SelfEvalKind()
