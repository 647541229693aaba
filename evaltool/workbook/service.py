"""The service layer: load -> evaluate -> settle -> plan writes (-> the engine writes). The one path
every front end shares.

The command line (openpyxl grids of a file, or a case file), the Excel buttons (xlwings grids of the
open book), `evaltool serve` (grids posted as JSON by the WPS add-in) and `evaltool collect` all call
the functions here, so a form scores, marks and lists its problems identically whichever way it
arrives. Options are parameters (check_texts: the 报告素材 ↔ table check). Pure: no spreadsheet
library, no click, no rich; what differs by form kind is asked of core.kinds.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from evaltool.core.model import Project, ScoreResult
from evaltool.core.seam import CellWrite, Grid


# A value in a computed (grey) cell of evaltool's template: check and collect say it will be replaced,
# score (CLI, Excel/WPS 计分, the server) that it was (SWEEP S46: one policy for every kind).
WILL_REPLACE = "evaltool 计分时将改为"
REPLACED = "evaltool 已按本次计算改为"


@dataclass
class Plan:
    """Everything a front end writes, computed before its first write."""

    results: list[tuple[Project, ScoreResult]]
    writes: list[CellWrite]
    sheet: object  # writer.ResultsSheet: the 校验结果 sheet's content
    ours: set[tuple[str, str]]  # (sheet, cell) evaltool marked on the last run (from 校验结果)

    def as_tuple(self):
        return self.results, self.writes, self.sheet, self.ours


def load(path: str, rules: str | None = None) -> list[Project]:
    """Projects in a case file (.yaml) or a workbook file (.xlsx, one per form found)."""
    from pathlib import Path

    from evaltool.core.caseio import load_case
    from evaltool.core.errors import InputError

    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        projects = [load_case(path)]
    else:
        try:
            from evaltool.engines import engine
        except ImportError:
            raise InputError(f"无法识别的文件类型：{Path(path).name}。请提供 .yaml 案例文件。") from None
        grids, notes = engine("openpyxl").read_noted(path)  # notes: what the reading policy tolerated
        # the rule set's 标签 entries extend the vocabulary; a rule file 设置 names is found beside the file
        projects = read(grids, str(path), rules, notes, folder=Path(path).resolve().parent)
    if rules:
        for p in projects:
            p.rules = rules
    return projects


def read(grids: list[Grid], source: str | None = None, rules: str | None = None, notes=(), folder=None) -> list[Project]:
    """The 自评表 (or 评分表) projects in a workbook's grids; InputError (Chinese) when there is none.
    rules: the rule set chosen for this run (its 标签 entries extend the label vocabulary).
    notes: what the reading policy tolerated (xlsx_engine.read_noted), added to each project.
    folder: the workbook's folder on disk, where a rule file the 设置 sheet names by a relative path is
    looked for first (never given for what a server client sends: no client text is a server path)."""
    from evaltool.workbook.reader import note_findings, projects_from_grids

    projects = projects_from_grids(grids, rules, folder=folder)
    for p in projects:
        p.read_findings.extend(note_findings(notes))
        if source is not None:
            p.source = source
        if rules:
            p.rules = rules
    return projects


def score(projects: list[Project], rule_set=None, check_texts: bool = True) -> list[tuple[Project, ScoreResult]]:
    """Score each project with its rule set (or `rule_set`, a RuleSet given inline, e.g. one posted to
    `evaltool serve` as text) and the 设置 sheet's 小数位; check_texts: also check the 报告素材
    texts against the table (what check, score and the Excel 校验 do; collect does not)."""
    from evaltool.core.kinds import evaluate as evaluate_one
    from evaltool.workbook.evaluate import rule_set_for

    out = []
    for p in projects:
        result = evaluate_one(p, rule_set_for(p, rule_set))  # a workbook's 设置 sheet may override the decimals
        if check_texts and any((v or "").strip() for v in (p.report or {}).values()):  # no text: nothing to load
            from evaltool.report.consistency import material_findings

            result.findings.extend(material_findings(p, result))
        out.append((p, result))
    return out


def evaluate(projects: list[Project], rule_set=None, check_texts: bool = True) -> list[tuple[Project, ScoreResult]]:
    """score(), then every finding placed on a cell of the workbook (settle)."""
    from evaltool.workbook.evaluate import settle

    out = score(projects, rule_set, check_texts)
    for p, result in out:
        settle(p, result)
    return out


def ours(projects: list[Project]) -> set[tuple[str, str]]:
    """(sheet, cell) evaltool marked on the last run in the projects' sheets, whatever their kind
    (an engine that cannot read a note's text replaces only these)."""
    from evaltool.workbook.reader import MARKS_KEY, sheet_info

    out: set[tuple[str, str]] = set()
    for p in projects:
        out |= set(p.extra.get(MARKS_KEY) or ())
        info = sheet_info(p)
        if info is not None:
            out |= {(cast(str, p.sheet), c) for c in info.marked}  # a sheet_info comes with its sheet
    return out


def plan_projects(projects: list[Project], marks_only: bool = False, rule_set=None) -> Plan:
    """校验 (marks_only: problems shown, no value written) or 计分 of projects already read."""
    from evaltool.workbook import writer

    results = evaluate(projects, rule_set)
    if not marks_only:  # 计分 writes the computed cells: what check calls "将改为" is done now
        for _, r in results:
            for f in r.findings:
                if f.code == "I-FILLED" and WILL_REPLACE in f.message:
                    f.message = f.message.replace(WILL_REPLACE, REPLACED)
    writes = [w for p, r in results for w in writer.cell_writes(p, r)]
    if marks_only:
        writes = writer.marks_only(writes)
    return Plan(results, writes, writer.results_sheet(results), ours(projects))


def plan(grids: list[Grid], marks_only: bool = False, source: str | None = None, rules: str | None = None,
         rule_set=None) -> Plan:
    return plan_projects(read(grids, source, rules), marks_only, rule_set)


def write(plan: Plan, engine: str, source, target=None, prepared: bytes | None = None) -> None:
    """The last step: the plan's cell writes and 校验结果 sheet into the workbook, through the engine
    registered under `engine` (openpyxl: into target, a file, atomically; xlwings: the open book).
    prepared: the file engine's bytes made already (xlsx_engine.score_target's patched package)."""
    from evaltool.engines import engine as registered

    registered(engine).write(source, plan.writes, plan.sheet, plan.ours, target, prepared)


def new_sheet_name(existing: list[str], project: Project | None = None, base: str | None = None) -> str:
    """A name for a new form sheet that the workbook does not have yet (the project's name, or the
    kind's form sheet name `base`, 自评表 by default)."""
    from evaltool.workbook import layout as L

    blank = base or L.SHEET_FORM
    base = blank if project is None or not project.name else str(project.name)[:25]
    for ch in '[]:*?/\\':
        base = base.replace(ch, "")
    base = base.strip("'") or blank
    name, n = base, 1
    taken = {x.lower() for x in existing}  # Excel and WPS compare sheet names case-insensitively
    while name.lower() in taken:
        n += 1
        name = f"{base}{n}"
    return name


def summary(results, verb: str) -> str:
    """What the 校验 / 计分 buttons tell the clerk (Excel dialog, WPS message, server response)."""
    from evaltool.core.decimals import fmt
    from evaltool.core.kinds import kind_of

    lines = []
    for p, r in results:
        e = len(r.errors)
        w = sum(f.severity == "warning" for f in r.findings)
        head = f"“{p.sheet}”：{p.name or '（未填项目名称）'}"
        kind = kind_of(p)
        if verb == "计分" and not kind.graded:  # a 目标表 or 监控表: no 总分 to show as "—"
            head += f"，{kind.title or kind.name}不计分"
        elif verb == "计分":
            if r.ungraded:
                head += f"，无法计分（{r.ungraded}），总分和等次未填"
            else:
                head += f"，总分 {fmt(r.total, 2) if r.total is not None else '—'}，等次 {r.grade or '—'}"
        lines.append(f"{head}；{e} 个错误、{w} 个警告。")
    from evaltool.workbook.writer import results_name, results_note

    tail = f"有问题的单元格已标色并加了批注，全部问题列在“{results_name(results)}”工作表中（点击地址可跳转）。"
    if not any(r.findings for _, r in results):
        tail = "没有发现问题。"
    tail += ("\n" + results_note(results)) if results_note(results) else ""
    return f"{verb}完成。\n" + "\n".join(lines) + "\n" + tail


__all__ = ["Plan", "load", "read", "score", "evaluate", "plan", "plan_projects", "write", "ours", "new_sheet_name", "summary"]
