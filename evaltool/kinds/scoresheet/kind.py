"""The 评分表 behind core.kinds.FormKind."""
from __future__ import annotations

from typing import Any

from evaltool.core.kinds import FormKind, ReportFacts
from evaltool.core.model import Project, ScoreResult


class ScoreSheetKind(FormKind):
    name = "评分表"
    title = "项目支出绩效评价评分表"
    uses_shared_sheets = True  # 报告素材 (and 项目基本信息) in its template
    summarised = False  # collect consolidates 自评表 only
    pasteable = False
    grids_ok = False
    case_keys = ("评分指标", "评价人员", "绩效目标表")
    report_template = "report-scoresheet.md.j2"

    def check_rules(self, rules, written) -> None:
        from evaltool.kinds.scoresheet.framework import SECTION, sheet_rules

        if SECTION in written:  # the file's own 评分表 section (a set without one is refused when a 评分表 is read)
            sheet_rules(rules)

    def read_views(self, views, context) -> list[Project]:
        from evaltool.kinds.scoresheet.layout import project_from_views

        sheet = project_from_views(views)
        return [sheet] if sheet is not None else []

    def sheets_of(self, project: Project) -> set[str]:
        # Its 绩效目标表 sheet is part of the 评分表, not a 绩效目标表 (申报) form of its own.
        sheets = super().sheets_of(project)
        extra = (project.extra.get("_scoresheet") or {}).get("targets_sheet")
        return sheets | ({extra} if extra else set())

    def evaluate(self, project: Project, rules) -> ScoreResult:
        from evaltool.kinds.scoresheet.scoring import evaluate_sheet

        result = evaluate_sheet(project, rules)
        # What the reader found or tolerated (Project.read_findings) leads the findings, once.
        have = {id(f) for f in result.findings}
        result.findings[:0] = [f for f in project.read_findings if id(f) not in have]
        return result

    def result_dict(self, project: Project, result) -> dict[str, Any]:
        return result.result_dict(project)

    def cell_writes(self, project: Project, result):
        from evaltool.kinds.scoresheet.layout import cell_writes

        return cell_writes(project, result)

    def build_workbook(self, project: Project | None, rules: str | None):
        from evaltool.kinds.scoresheet.template import build_scoresheet_workbook

        return build_scoresheet_workbook(project, rules)

    def report_context(self, project: Project, result) -> dict[str, Any]:
        from evaltool.kinds.scoresheet.context import build_scoresheet_context

        return build_scoresheet_context(project, result)

    def write_form_table(self, doc, project: Project, result, context: dict) -> None:
        from evaltool.kinds.scoresheet.form_table import write_scoresheet_form

        write_scoresheet_form(doc, project, result, context)

    def report_facts(self, project: Project, result) -> ReportFacts:
        rate = result.rate_display if result.rate_display is not None else result.use_display
        return ReportFacts(
            form="评分表", rate_label="评分表的资金使用率（实际使用情况 ÷ 实际到位资金）", rate=rate,
            total=result.average if result.total is None else result.total, grade=result.grade,
            planned=result.planned, used=result.used, arrived=result.arrived, arrival=result.arrival_display)

    def print_result(self, project: Project, result) -> None:
        from evaltool.kinds.scoresheet.scoresheet_cli import print_sheet_result

        print_sheet_result(project, result)


KIND = ScoreSheetKind()
