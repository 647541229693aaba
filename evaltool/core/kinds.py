"""Form kinds: the declared interface every kind of form implements, and the one registry.

A kind (the 自评表, the 评分表, …) is one package under evaltool/kinds/ exposing a FormKind object.
The registry maps the kind's name (the case file's 类型) to "module:attribute" and imports the module
only when the kind is first needed, so the core imports no kind. Adding a kind is its package plus
one line in BUILTIN (or one register() call, as the tests' own kind does).

Every front end asks the project's kind instead of testing Project.kind: kind_of(project).evaluate,
.cell_writes, .report_context … There is no `kind ==` anywhere else.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for annotations only: the core imports no feature at run time
    from evaltool.core.model import Location, Project, ScoreResult
    from evaltool.core.rules import RuleSet
    from evaltool.core.seam import CellWrite

DEFAULT_KIND = "自评表"  # a case file without 类型, and a new blank workbook

# name -> "module:attribute" of its FormKind. Order is detection order: each kind in turn reads the
# sheets no earlier kind claimed (FormKind.sheets_of), so one workbook may hold forms of several kinds.
BUILTIN: dict[str, str] = {
    "运行监控表": "evaltool.kinds.monitor.kind:KIND",  # first: the 自评表 reader would take its 三级指标 table
    # 部门整体 before 自评表: its form has a 绩效指标 table too, and the 自评表 reader would take it.
    "部门整体": "evaltool.kinds.dept.kind:KIND",
    "自评表": "evaltool.kinds.selfeval.kind:KIND",
    "评分表": "evaltool.kinds.scoresheet.kind:KIND",
    "绩效目标表": "evaltool.kinds.targets.kind:KIND",
}

_REGISTRY: dict[str, str | FormKind] = dict(BUILTIN)
_ADDED: dict[str, str] = {}  # kinds added by register() as "module:attribute", handed to worker processes


@dataclass
class ReportFacts:
    """What the report ↔ table consistency check compares texts with, beyond the shared indicator
    rows and subtotals: how the texts call the form, its rate, money and total."""

    form: str  # how a message names the form ("自评表")
    rate_label: str  # how a message names the rate
    rate: Decimal | None  # the rate as shown on the form (fraction)
    total: Decimal | None
    grade: str | None
    planned: Decimal | None = None  # money a kind reports instead of the 年度资金总额 row (万元)
    used: Decimal | None = None
    arrived: Decimal | None = None
    arrival: Decimal | None = None  # 资金到位率 (fraction), when the kind has one
    # (label, text, location key) of the form's own texts that take part in the check
    table_texts: list[tuple[str, Any, str]] = field(default_factory=list)
    # Names whose figures the check leaves alone (a 部门整体 form's 基本支出执行率, its projects' own
    # figures): they belong to parts of the form that none of the facts above describes.
    blockers: tuple[str, ...] = ()
    # Where the rate is shown (its cell), when the form has one
    rate_where: Location | None = None
    # Further rates the kind's report states beside its rate, each (key, names in texts, label for
    # messages, value as a fraction, where): a 监控表's 时间进度 and 全年预计执行率 are not its 执行进度.
    rates: list[tuple[str, tuple[str, ...], str, Decimal | None, Location | None]] = field(default_factory=list)


class FormKind:
    """The declared interface of a kind of form. A kind overrides every method it supports; the
    defaults raise NotImplementedError (a programming error: a kind registered without a method the
    commands need), and a kind that refuses an operation for a clerk raises InputError in Chinese."""

    name: str = ""  # the 类型 in a case file, Project.kind
    title: str = ""  # what a clerk calls it, e.g. 项目支出绩效自评表
    summarised: bool = True  # whether `evaltool collect` gives it a 汇总 row
    # A sheet of its own in collect's output instead of 汇总 (its summary_row then gives "类型": name):
    # the sheet's name, its columns as (row key, header, number format, width), and the listing order
    # as (row key, {value: rank}) before 主管部门 / 单位 / file.
    summary_sheet: str | None = None
    summary_columns: list[tuple[str, str, str | None, int]] = []
    summary_order: tuple[str, dict[str, int]] | None = None
    pasteable: bool = False  # whether the Excel 导入案例 button can lay it into an open workbook
    grids_ok: bool = True  # whether the server's /api/new can return it as grids
    case_keys: tuple[str, ...] = ()  # top-level case-file keys kept in Project.extra
    # What one form evaluates: a 项目 (a project's spending) or the 部门 (a department's whole spending).
    # `evaltool publish` counts 项目 forms in the 情况说明's totals and reports the others apart, so a
    # department's money (which holds its projects') is never added to its projects'.
    subject: str = "项目"
    # Whether its evaluation is a self-evaluation with a 总分 and 等次: `evaltool collect --review`
    # lists only such forms for 抽查/复核 (a 目标表 or 监控表 has nothing to review against a grade).
    graded: bool = True
    # Whether the form reports a year's money spent: `evaltool collect` adds the 预算数/执行数 of such
    # 项目 forms into 主管部门汇总 and 图表. A 绩效目标表 only declares the budget it asks for (its
    # project's 自评表 reports the spending), so adding it would count that project twice.
    spending: bool = True
    # Whether the workbook's shared 报告素材 and 项目基本信息 sheets are this form's (the 自评表's and
    # 评分表's templates have them; a kind reading its own report sheet, or none, leaves them alone).
    uses_shared_sheets: bool = False
    # Sheets of the kind's workbook that are working material, not the form (never published)
    internal_sheets: tuple[str, ...] = ()
    # -- reading --
    def read_views(self, views: list, context: Any) -> list[Project]:
        """The forms of this kind in a workbook's sheets (workbook.reader.View objects), in sheet
        order; [] when there is none."""
        raise NotImplementedError

    def sheets_of(self, project: Project) -> set[str]:
        """The sheets a form read by read_views occupies: no later kind is offered them (a kind whose
        form spans sheets, like the 评分表 with its 绩效目标表 sheet, names them all)."""
        return {project.sheet} if project.sheet else set()

    def case_from_dict(self, project: Project, data: dict, name: str) -> None:
        """Fill the kind's own parts of a project from a case file's mapping (header keys are read
        already); CaseError (Chinese) on bad content."""

    def case_to_dict(self, project: Project, out: dict[str, Any]) -> None:
        """Add the kind's own parts of a project to a case file's mapping."""

    # -- scoring --
    def check_rules(self, rules: RuleSet, written: frozenset[str]) -> None:
        """Raise RuleError (Chinese, naming the file and key) when the kind's own section of a rule
        file is wrong. written: the top-level keys the file wrote itself (a section inherited from a
        built-in set is not checked again); a kind without a section of its own has nothing to check."""

    def evaluate(self, project: Project, rules: RuleSet) -> ScoreResult:
        raise NotImplementedError

    def result_dict(self, project: Project, result: ScoreResult) -> dict[str, Any]:
        """The --json form of a result."""
        raise NotImplementedError

    # -- writing --
    def cell_writes(self, project: Project, result: ScoreResult) -> list[CellWrite]:
        raise NotImplementedError

    def build_workbook(self, project: Project | None, rules: str | None) -> Any:
        """A new openpyxl Workbook of this kind: blank, or filled from project."""
        raise NotImplementedError

    # -- report --
    report_template: str = ""  # the template's file name
    # What its report is called: the tail of the report's title (a title line breaks before it, never
    # inside a word of it) and of the report's default file name (<workbook>-<report_name>.docx).
    report_name: str = "绩效评价报告"
    template_dir: str | None = None  # where it is; None: the built-in templates (report/templates/)

    def report_context(self, project: Project, result: ScoreResult) -> dict[str, Any]:
        raise NotImplementedError

    def write_form_table(self, doc: Any, project: Project, result: ScoreResult, context: dict) -> None:
        """The 附表 of the report."""
        raise NotImplementedError

    def report_facts(self, project: Project, result: ScoreResult) -> ReportFacts:
        raise NotImplementedError

    # -- consolidation --
    def summary_row(self, project: Project, result: ScoreResult, file: str) -> dict[str, Any]:
        """The project's row in the 汇总 sheet."""
        raise NotImplementedError

    # -- console --
    def print_result(self, project: Project, result: ScoreResult) -> None:
        """How `evaltool check/score` prints a scored project."""
        raise NotImplementedError

    def where(self, project: Project) -> Location | None:  # pragma: no cover - optional
        return None

    def indicator_rows(self, project: Project) -> int:
        """How many indicator rows the form holds (its report's 附表 repeats each: bounded)."""
        return len(project.indicators)


def register(name: str, target: str | FormKind) -> None:
    """Add a kind: "module:attribute" (imported when first needed) or the FormKind itself. A kind
    given by name reaches `evaltool collect`'s worker processes too (added())."""
    _REGISTRY[name] = target
    if isinstance(target, str):
        _ADDED[name] = target


def unregister(name: str) -> None:
    """Remove a kind added with register() (tests); a built-in kind is restored to its entry."""
    _ADDED.pop(name, None)
    if name in BUILTIN:
        _REGISTRY[name] = BUILTIN[name]
    else:
        _REGISTRY.pop(name, None)


def added() -> dict[str, str]:
    """The kinds register() added by "module:attribute" (a worker process registers them again)."""
    return dict(_ADDED)


def names() -> list[str]:
    return list(_REGISTRY)


def kind_named(name: str) -> FormKind:
    target = _REGISTRY[name]
    if isinstance(target, str):
        module, _, attr = target.partition(":")
        target = getattr(importlib.import_module(module), attr)
        _REGISTRY[name] = target
    assert isinstance(target, FormKind)
    return target


def kinds() -> list[FormKind]:
    """Every registered kind, in detection order."""
    return [kind_named(n) for n in _REGISTRY]


def check_rule_sections(rules: RuleSet, written: frozenset[str]) -> None:
    """Every registered kind checks its own section of a rule file (core/rules.py runs this when it
    loads one, so a broken 运行监控 section is refused when a 自评表 is checked too)."""
    for kind in kinds():
        kind.check_rules(rules, written)


def _hand_in_section_check() -> None:
    from evaltool.core.sections import add_section_check

    add_section_check(check_rule_sections)


def kind_of(project: Project | None) -> FormKind:
    """The kind of a project (None: the default kind, for a new blank form)."""
    return kind_named(DEFAULT_KIND if project is None else project.kind)


def evaluate(project: Project, rules: RuleSet | None = None) -> ScoreResult:
    """Score a project of any kind (its FormKind's scorer) and run every check; never raises on bad
    project data. rules: the rule set to use; None: the one the project names."""
    from evaltool.core.formulacells import explain
    from evaltool.core.rules import load_rules

    kind = kind_of(project)
    result = kind.evaluate(project, rules or load_rules(project.rules))
    explain(project, result, kind.sheets_of(project))  # "未填写" where the cell is a formula never calculated
    return result


def case_keys() -> tuple[str, ...]:
    """Top-level case-file keys that some kind keeps in Project.extra."""
    return tuple(k for kind in kinds() for k in kind.case_keys)


__all__ = ["FormKind", "ReportFacts", "DEFAULT_KIND", "BUILTIN", "register", "unregister", "added", "names", "kind_named",
           "kinds", "kind_of", "evaluate", "case_keys"]

_hand_in_section_check()  # the rules never import the kinds: the registry hands its check in
