"""One submitted file -> its 汇总 rows, findings and problems. Runs inside worker processes.

Kept light on imports (no pandas, no openpyxl) so that worker processes start fast and stay small.
Nothing here writes to the input file: it is read once into memory and parsed from there, and
macros in it are only detected (never run, never copied).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaltool.core.results import text_or_none as _text
from evaltool.workbook.container import Package, Refused, preflight, read_file

# Test-only: a file whose name contains this value makes the worker abort as a native reader
# crash would (os.abort), so the isolation of such files is tested with a real process death.
ABORT_HOOK_ENV = "EVALTOOL_TEST_ABORT_ON"

@dataclass
class FileOutcome:
    """What the main process keeps of one file: plain picklable values only."""

    file: str  # display name (relative to the folder given)
    rows: list[dict[str, Any]] = field(default_factory=list)
    # (file, sheet, cell, 级别, 说明, 代码, 项目)
    findings: list[tuple] = field(default_factory=list)
    problem: str | None = None  # why the file could not be read (Chinese); None = read
    macro: bool = False
    earlier_summary: bool = False  # an earlier 汇总: skipped, neither read nor listed as a problem
    public_copy: bool = False  # (with earlier_summary) a public copy publish wrote, skipped likewise
    # a workbook read whole whose forms are of kinds collect does not summarise (评分表): their titles
    not_summarised: str | None = None


class Unreadable(Exception):
    """The file cannot be used; the message is Chinese and says what to do."""


# The calamine engine reads submitted files (engines/calamine_engine.py); names kept here for callers.
from evaltool.engines.calamine_engine import SUMMARY_SHEETS, EarlierSummary  # noqa: E402,F401


def read_package(pkg: Package, data: bytes, skip: frozenset[str], engine: str = "calamine") -> tuple[list, list]:
    """(grids, notes) of a file the reading policy accepted, read by the registered engine
    (engines/__init__.py): python-calamine first (fast); where it fails, the same repairs-and-
    fallbacks `evaltool check` uses (a deeper pre-flight, then openpyxl), so the 汇总 and check give
    every file the same verdict. engine "openpyxl" reads with openpyxl only."""
    from evaltool.engines import Preflighted, engine as registered

    return registered(engine).read_noted(Preflighted(pkg, data, skip))


def _unread_sheets() -> frozenset[str]:
    """The template's basic-information and help sheets: nothing on them is scored or checked, so
    a consolidation does not read them (报告素材 is read: its 预算执行偏差原因 answers a check)."""
    from evaltool.workbook import layout as L

    return frozenset((L.SHEET_BASIC, L.SHEET_HELP))


def project_row(project, result, file: str) -> dict[str, Any]:
    """One 汇总 row, as the project's kind gives it."""
    from evaltool.core.kinds import kind_of

    row = kind_of(project).summary_row(project, result, file)
    row.setdefault("类型", project.kind)
    return row


def finding_tuple(file: str, project, f) -> tuple:
    from evaltool.core.model import SEVERITY_LABEL

    loc = f.location
    return (file, loc.sheet or project.sheet, loc.cell or "", SEVERITY_LABEL.get(f.severity, f.severity),
            f.message, f.code, _text(project.name))


def process_file(path: str, file: str, rules: str | None = None, engine: str = "calamine",
                 review: bool = False) -> FileOutcome:
    """Read, score and summarise one workbook. Never raises: problems come back in the outcome.
    engine "openpyxl" skips python-calamine (a file that crashed it is read again that way).
    review: each row also carries the 抽查 facts (collect/review.py) under review.REVIEW_KEY."""
    out = FileOutcome(file=file)
    p = Path(path)
    try:
        _process(p, file, rules, out, engine, review)
    except Unreadable as exc:
        out.problem = str(exc)
    except EarlierSummary as exc:
        out.earlier_summary = True
        out.public_copy = exc.public
        out.rows, out.findings = [], []
        return out
    except MemoryError:
        out.problem = "文件过大，读取时内存不足，已跳过。"
    except Exception as exc:  # noqa: BLE001 - one odd file must never stop a 500-file consolidation
        from evaltool.core.errors import InputError

        if isinstance(exc, InputError):
            out.problem = str(exc)
        else:
            from evaltool.support import log_exception

            log = log_exception(exc, "evaltool-collect.log")
            out.problem = ("读取或计分这个文件时程序出现意外问题，已跳过此文件" +
                           (f"（详细信息已记录在 {log}，请发给技术支持）。" if log else "。"))
    if out.problem:
        out.rows, out.findings = [], []  # a file is either summarised whole or listed as unreadable
    if out.macro:
        out.findings.insert(0, (file, "", "", "警告",
                                "文件含宏（VBA 代码）：汇总时没有运行、也没有复制其中的宏。建议填报单位另存为"
                                "不含宏的 .xlsx 工作簿后提交（很多邮件网关会拦截含宏文件）。", "W-MACRO", None))
    return out


def _process(p: Path, file: str, rules: str | None, out: FileOutcome, engine: str = "calamine",
             review: bool = False) -> None:
    hook = os.environ.get(ABORT_HOOK_ENV)
    if hook and hook in file:
        os.abort()  # test-only (see ABORT_HOOK_ENV): stands for a native crash while reading
    try:
        data = read_file(p)  # the reading policy's one message per reason, as check gives it
        pkg = preflight(data, p.suffix.lower(), stored=engine == "calamine")
    except Refused as exc:
        raise Unreadable(str(exc)) from None
    out.macro = pkg.macro or p.suffix.lower() == ".xlsm"
    grids, notes = read_package(pkg, data, _unread_sheets(), engine)
    del data, pkg
    from evaltool.workbook.reader import note_findings, projects_from_grids

    # the rule set's 标签 entries extend the vocabulary; a rule file 设置 names is found beside the file
    projects = projects_from_grids(grids, rules, folder=p.resolve().parent)
    del grids
    for pr in projects:
        pr.read_findings.extend(note_findings(notes))
    from evaltool.core.kinds import kind_of

    summarised = [pr for pr in projects if kind_of(pr).summarised]
    if not summarised:
        # read, and not a problem: the bureau consolidates self-evaluations, a 评分表 has no 汇总 row
        titles = dict.fromkeys(kind_of(pr).title or kind_of(pr).name for pr in projects)
        out.not_summarised = "、".join(titles)
        return
    projects = summarised
    from evaltool.core.errors import InputError
    from evaltool.core.kinds import evaluate
    from evaltool.workbook.evaluate import rule_set_for, settle

    rows, findings = out.rows, out.findings
    for project in projects:
        project.source = file
        if rules:
            project.rules = rules
        try:
            rule_set = rule_set_for(project)  # as `evaltool check` scores it: the 设置 sheet's 小数位 too
        except InputError as exc:
            rows.append({"主管部门": _text(project.department), "单位": _text(project.unit),
                         "项目": _text(project.name), "年度": _text(project.year), "等次": "无法计分",
                         "无法计分原因": f"规则集无法使用：{exc}", "错误数": 1, "警告数": 0,
                         "文件": file, "工作表": project.sheet, "类型": project.kind})
            if review and kind_of(project).graded:
                from evaltool.collect.review import REVIEW_KEY

                rows[-1][REVIEW_KEY] = {"表格类型": kind_of(project).title}  # listed with its reason, no risks
            findings.append((file, project.sheet, "", "错误", f"无法计分：{exc}", "E-RULES", _text(project.name)))
            continue
        result = evaluate(project, rule_set)
        settle(project, result)
        rows.append(kind_of(project).summary_row(project, result, file))
        # the kind, for duplicates (a project's 目标表 and its 自评表 are no duplicates) and totals
        rows[-1].setdefault("类型", project.kind)
        if review and kind_of(project).graded:  # only self-evaluations with a 总分 are reviewed
            from evaltool.collect.review import REVIEW_KEY, project_facts

            # alone: the only reviewed form of the workbook (a 目标表 beside it has no report to check)
            alone = sum(1 for pr in projects if kind_of(pr).graded) == 1
            rows[-1][REVIEW_KEY] = project_facts(project, result, rule_set, p, alone=alone)
        findings.extend(finding_tuple(file, project, f) for f in result.findings)


def warm(every_rule_set: bool = True) -> None:
    """Import everything process_file uses and parse the built-in rule sets, once, in the process
    that worker processes fork from: each worker would otherwise pay ~30 ms for them at its start.
    every_rule_set=False: only the default rule set (one worker reads only what its files name)."""
    try:
        import evaltool.kinds.selfeval.checks  # noqa: F401 - imported lazily by the 自评表's evaluate_form
        import evaltool.kinds.selfeval.summary  # noqa: F401 - the 汇总 row
        import evaltool.workbook.evaluate  # noqa: F401
        import evaltool.workbook.writer  # noqa: F401
        import evaltool.workbook.xlsx_engine  # noqa: F401 - read_package's cut_long_text
        import lxml.etree  # noqa: F401 - the pre-flight parses the workbook part with it
        import python_calamine  # noqa: F401
        from evaltool.core.kinds import kinds

        kinds()  # the registered form kinds, loaded (each worker would load them at its first file)
        from evaltool.core.rules import builtin_ids, load_rules
        from evaltool.core.kinds import evaluate  # noqa: F401
        from evaltool.workbook.reader import projects_from_grids  # noqa: F401

        for rule_id in [None, *builtin_ids()] if every_rule_set else [None]:
            load_rules(rule_id)
    except Exception:  # noqa: BLE001 - only a head start: a worker reports any real problem per file
        pass


def process_chunk(items: list[tuple[str, str]], rules: str | None = None,
                  engine: str = "calamine", added_kinds: dict[str, str] | None = None,
                  review: bool = False) -> list[FileOutcome]:
    """Worker entry point: a chunk of (path, display name) pairs. added_kinds: the form kinds the
    calling process registered (core.kinds.added()), registered here too."""
    if added_kinds:
        from evaltool.core.kinds import register

        for name, target in added_kinds.items():
            register(name, target)
    return [process_file(path, file, rules, engine, review) for path, file in items]
