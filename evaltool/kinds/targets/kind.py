"""The 绩效目标表 (申报) behind core.kinds.FormKind: each method hands over to the module doing the work."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from evaltool.core.kinds import FormKind, ReportFacts
from evaltool.core.model import Project, ScoreResult
from evaltool.kinds.targets import layout as T


class TargetsKind(FormKind):
    name = T.NAME
    title = T.TITLE
    summarised = True
    graded = False  # no 总分/等次: not in collect --review's 抽查 (FormKind.graded)
    pasteable = True
    grids_ok = True
    spending = False  # a declared budget, not money spent: kept out of collect's totals
    report_template = "report-targets.md.j2"
    report_name = T.REPORT_NAME
    template_dir = str(Path(__file__).parent / "templates")

    def check_rules(self, rules, written) -> None:
        from evaltool.core.errors import InputError
        from evaltool.core.rules import RuleError
        from evaltool.kinds.targets.checks import SECTION, check_settings

        if SECTION in written:
            try:
                check_settings(rules)  # checked when any rule file loads, not only when a 目标表 is read
            except InputError as exc:  # its message names the set; a file's load names the file
                where = rules.source or f"规则集“{rules.name}”"
                raise RuleError(str(exc).replace(f"规则集“{rules.name}”", where, 1)) from None

    def read_views(self, views, context) -> list[Project]:
        from evaltool.kinds.targets.reader import read_views

        return read_views(views, context)

    def case_from_dict(self, project: Project, data: dict, name: str) -> None:
        from evaltool.kinds.targets.caseio import targets_from_dict

        targets_from_dict(project, data, name)

    def case_to_dict(self, project: Project, out: dict[str, Any]) -> None:
        from evaltool.kinds.targets.caseio import targets_to_dict

        targets_to_dict(project, out)

    def evaluate(self, project: Project, rules) -> ScoreResult:
        from evaltool.kinds.targets.checks import evaluate_targets

        return evaluate_targets(project, rules)

    def result_dict(self, project: Project, result: ScoreResult) -> dict[str, Any]:
        from evaltool.kinds.targets.output import result_dict

        return result_dict(project, result)

    def cell_writes(self, project: Project, result: ScoreResult):
        from evaltool.kinds.targets.output import cell_writes

        return cell_writes(project, result)

    def build_workbook(self, project: Project | None, rules: str | None):
        from evaltool.kinds.targets.template import build_targets_workbook

        return build_targets_workbook(project, rules)

    def report_context(self, project: Project, result: ScoreResult) -> dict[str, Any]:
        from evaltool.kinds.targets.output import report_context

        return report_context(project, result)

    def write_form_table(self, doc, project: Project, result: ScoreResult, context: dict) -> None:
        from evaltool.kinds.targets.output import write_form_table

        write_form_table(doc, project, result, context)

    def report_facts(self, project: Project, result: ScoreResult) -> ReportFacts:
        total_row = project.funds.get("年度资金总额")
        return ReportFacts(form=T.NAME, rate_label="", rate=None, total=None, grade=None, planned=result.budget,
                           table_texts=[("年度总体目标", project.goal_expected, "年度总体目标")],
                           planned_label=f"{T.NAME}的年度资金总额",
                           planned_where=(total_row.cells.get("金额") if total_row else None) or project.where("项目资金"))

    def summary_row(self, project: Project, result: ScoreResult, file: str) -> dict[str, Any]:
        from evaltool.kinds.targets.output import summary_row

        return summary_row(project, result, file)

    def print_result(self, project: Project, result: ScoreResult) -> None:
        from evaltool.kinds.targets.output import print_result

        print_result(project, result)


KIND = TargetsKind()
