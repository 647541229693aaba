"""The draft 预算绩效情况说明 for the 部门决算, and the check of its numbers against the forms.

Pure (no spreadsheet, no Word): rows of evaluated forms in, Markdown text out; a text (the draft as the
clerk edited it) and the same rows in, findings out. Every number the draft states is computed here
from the forms with Decimal, half-up, and the check reads the numbers back out of the text with the
report checker's extraction (report/consistency.find_mentions): a number in the summary part is tied
to the figure named just before it (项目 … 个, 全年预算数 … 万元, 优 … 个, 平均得分 … 分) and must
equal it at the precision written; each project's part goes through the report ↔ form checker of
that project (check_texts), as a narrative report would.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from evaltool.core.decimals import fmt, round_half_up
from evaltool.core.model import Finding, Location, Project, ScoreResult

HUNDRED = Decimal(100)
PENDING = "【待填写：{}】"
TITLE = "预算绩效情况说明"
# What the draft quotes from each form's texts (Project.report keys, as the 报告素材 sheet names them).
ACHIEVED_KEY, LESSONS_KEY, PROBLEMS_KEY, ADVICE_KEY = "实际完成情况", "主要经验及做法", "存在的问题及原因分析", "有关建议"
# The 报告素材 field names each kind uses for them, first found wins (自评表, 部门整体 …).
REPORT_KEYS = {LESSONS_KEY: (LESSONS_KEY, "主要经验", "经验做法"),
               PROBLEMS_KEY: (PROBLEMS_KEY, "存在的问题", "主要问题"),
               ADVICE_KEY: (ADVICE_KEY, "改进措施", "下一步改进措施", "建议")}
TEXT_CODES = ("E-REPORT-", "W-REPORT-", "I-REPORT-")
PROJECT = "项目"


@dataclass
class Row:
    """One published form, as the draft uses it."""

    project: Project
    result: ScoreResult
    file: str
    form: str  # the kind's title (项目支出绩效自评表 …)
    budget: Decimal | None  # 万元
    actual: Decimal | None
    rate: Decimal | None  # fraction, as the form shows it
    total: Decimal | None
    grade: str | None
    ungraded: str | None
    errors: int  # unresolved 错误 on the form (published anyway with --allow-errors)
    texts_ok: bool  # the 报告素材 texts agree with the form (else they are not quoted)
    subject: str = PROJECT  # what the form evaluates (FormKind.subject): 项目, or 部门 for the whole department
    graded: bool = True  # its kind gives a 总分 and 等次 (FormKind.graded; a 目标表 or 监控表 does not)

    @property
    def evaluated(self) -> bool:
        """Whether the form is an evaluation (its kind is graded, and it has a total or a reason for none):
        a 目标表 or 监控表 is published but is not part of the 绩效自评 the 情况说明 reports."""
        return self.graded and (self.total is not None or bool(self.ungraded))

    @property
    def heading(self) -> str:
        p = self.project
        name = str(p.name or (p.department if self.subject != PROJECT else None) or "（未填项目名称）")
        unit = str(self.project.unit or "").strip()
        return f"{name}（{unit}）" if unit and unit not in name else name


def row_of(project: Project, result: ScoreResult, file: str) -> Row:
    from evaltool.core.kinds import kind_of

    kind = kind_of(project)
    facts = kind.report_facts(project, result)
    budget = result.budget if result.budget is not None else facts.planned
    actual = result.actual if result.actual is not None else facts.used
    form_errors = [f for f in result.errors if not f.code.startswith(TEXT_CODES)]
    text_errors = [f for f in result.errors if f.code.startswith(TEXT_CODES)]
    return Row(project, result, file, kind.title or kind.name, budget, actual, facts.rate, facts.total,
               facts.grade, result.ungraded, len(form_errors), not text_errors, kind.subject or PROJECT,
               kind.graded)


@dataclass
class Figure:
    """A number of the summary part: the words that name it, its family (as find_mentions gives it)."""

    key: str
    words: tuple[str, ...]
    family: str
    value: Decimal
    label: str  # Chinese, for messages


@dataclass
class Totals:
    count: int
    by_form: dict[str, int]
    budget: Decimal | None
    actual: Decimal | None
    rate: Decimal | None  # fraction
    money_missing: int  # forms whose money was not read (not in the sums)
    grades: dict[str, int]
    graded: int
    average: Decimal | None
    ungraded: int
    with_errors: int
    years: list[str]
    departments: list[str]
    others: dict[str, int] = field(default_factory=dict)  # forms of another subject: {title: count}
    figures: list[Figure] = field(default_factory=list)


def grade_names(rows: list[Row]) -> list[str]:
    """The grades of the rule sets the forms use, best first (优 良 中 差 by default)."""
    from evaltool.core.rules import load_rules

    names: list[str] = []
    for ref in dict.fromkeys(r.project.rules for r in rows):
        try:
            rs = load_rules(ref)
        except Exception:  # noqa: BLE001 - a rule set that does not load leaves only the grades seen
            continue
        names += [str(g) for g, _ in rs.grades if str(g) not in names]
    for r in rows:
        if r.grade and r.grade not in names:
            names.append(r.grade)
    return names or ["优", "良", "中", "差"]


def totals(all_rows: list[Row]) -> Totals:
    """The summary's figures: the 项目 forms' sums and grades; forms of another subject (the whole
    department) only counted, since their money holds the projects'."""
    rows = [r for r in all_rows if r.subject == PROJECT]
    others: dict[str, int] = {}
    for r in all_rows:
        if r.subject != PROJECT:
            others[r.form] = others.get(r.form, 0) + 1
    budgets = [(r.budget, r.actual) for r in rows if r.budget is not None and r.actual is not None]
    budget = sum((b for b, _ in budgets), Decimal(0)) if budgets else None
    actual = sum((a for _, a in budgets), Decimal(0)) if budgets else None
    rate = actual / budget if budget is not None and actual is not None and budget > 0 else None
    graded = [(r, r.total) for r in rows if r.total is not None and not r.ungraded]
    grades = {g: sum(1 for r, _ in graded if r.grade == g) for g in grade_names(rows)}
    average = sum((t for _, t in graded), Decimal(0)) / len(graded) if graded else None
    by_form: dict[str, int] = {}
    for r in rows:
        by_form[r.form] = by_form.get(r.form, 0) + 1
    years = sorted({str(r.project.year) for r in all_rows if r.project.year})
    depts = list(dict.fromkeys(str(r.project.department).strip() for r in all_rows if r.project.department))
    t = Totals(len(rows), by_form, budget, actual, rate, len(rows) - len(budgets), grades, len(graded),
               average, len(rows) - len(graded), sum(1 for r in all_rows if r.errors), years, depts, others)
    fig = t.figures.append
    for form, n in others.items():
        fig(Figure(f"other:{form}", (form, form.replace("支出绩效自评表", ""), "整体"), "count:个", Decimal(n), f"{form}的份数"))
    fig(Figure("count", ("项目", "自评"), "count:个", Decimal(t.count), "表格份数"))
    for form, n in by_form.items():
        fig(Figure(f"form:{form}", (form,), "count:个", Decimal(n), f"{form}的份数"))
    if budget is not None:
        fig(Figure("budget", ("全年预算数", "预算数", "涉及资金", "资金"), "money", budget, "各表全年预算数之和"))
    if actual is not None:
        fig(Figure("actual", ("全年执行数", "执行数", "执行"), "money", actual, "各表全年执行数之和"))
    if rate is not None:
        fig(Figure("rate", ("预算执行率", "执行率"), "percent", rate * HUNDRED, "全年执行数之和 ÷ 全年预算数之和"))
    for g, n in grades.items():
        fig(Figure(f"grade:{g}", (g, f"“{g}”"), "count:个", Decimal(n), f"等次为“{g}”的项目数"))
    if average is not None:
        fig(Figure("average", ("平均得分", "平均分", "平均"), "score", average, "可计分项目总分的平均值"))
    fig(Figure("ungraded", ("无法计分",), "count:个", Decimal(t.ungraded), "无法计分的项目数"))
    fig(Figure("money_missing", ("未读到",), "count:个", Decimal(t.money_missing), "资金未读到的项目数"))
    fig(Figure("errors", ("错误",), "count:个", Decimal(t.with_errors), "有未改正错误的项目数"))
    return t


def _money(v: Decimal | None) -> str:
    return "未计算" if v is None else f"{fmt(v, 2)} 万元"


def _percent(v: Decimal | None) -> str:
    return "未计算" if v is None else f"{fmt(round_half_up(v * HUNDRED, 2), 2)}%"


def _clean_text(text: Any) -> str:
    """A form's text as one paragraph (line breaks joined, no Markdown headings or list marks), without
    the phone and ID numbers a clerk wrote into it: the draft is for publication, like the copy."""
    from evaltool.publish.privacy import blank_numbers

    t = " ".join(line.strip() for line in str(text or "").splitlines() if line.strip())
    return blank_numbers(t.lstrip("#>-* ").strip())[0]


def _texts(row: Row) -> dict[str, str]:
    p = row.project
    report = p.report or {}
    out = {ACHIEVED_KEY: _clean_text(p.goal_actual)}
    if row.texts_ok:  # a 报告素材 text that disagrees with the form is not carried into a public text
        for key, names in REPORT_KEYS.items():
            out[key] = next((t for t in (_clean_text(report.get(n)) for n in names) if t), "")
    if not out.get(PROBLEMS_KEY):
        reasons = [_clean_text(i.deviation) for i in p.indicators if _clean_text(i.deviation)]
        joined = "；".join(dict.fromkeys(r.rstrip("。；;") for r in reasons))  # never "…摸底。；偏远…"
        out[PROBLEMS_KEY] = joined + "。" if joined else ""
    return {k: v for k, v in out.items() if v and not v.startswith("【待")}


def project_sentence(row: Row) -> str:
    score = "无法计分" if row.ungraded or row.total is None else f"自评得分 {fmt(row.total, 2)} 分，评价等次为“{row.grade}”"
    return (f"{row.project.name or '该项目'}全年预算数 {_money(row.budget)}，全年执行数 {_money(row.actual)}，"
            f"预算执行率 {_percent(row.rate)}，{score}。")


def in_order(rows: list[Row]) -> list[Row]:
    """The order of the draft's third part: the projects, then the forms of the whole department."""
    return [r for r in rows if r.subject == PROJECT] + [r for r in rows if r.subject != PROJECT]


def draft_markdown(rows: list[Row]) -> str:
    """The draft (Markdown): the summary of the self-evaluation, then one part per project."""
    rows = in_order(rows)
    t = totals(rows)
    year = "、".join(t.years) if t.years else "【待填写：年度】"
    who = t.departments[0] if len(t.departments) == 1 else "本部门"
    lines = [f"# {year}年度{TITLE}（草稿）", "",
             f"> 本草稿由 evaltool 根据 {len(rows)} 张表格生成，数字均取自表格并已核对；【待填写】处请补充。"
             "修改后可用 `evaltool publish 表格文件夹 --check 本文件` 再次核对其中的数字。", ""]
    lines += ["## 一、绩效评价工作开展情况", ""]
    forms = "、".join(f"{form} {n} 个" for form, n in t.by_form.items())
    money = (f"涉及资金（全年预算数）{_money(t.budget)}，全年执行数 {_money(t.actual)}，预算执行率 {_percent(t.rate)}"
             if t.budget is not None else "涉及资金未计算（各表的资金均未读到）")
    if t.money_missing and t.budget is not None:
        money += f"（资金未读到的项目 {t.money_missing} 个，未计入）"
    others = "、".join(f"{form} {n} 个" for form, n in t.others.items())
    if t.count:
        lines += [f"根据预算绩效管理要求，{who}组织对{year}年度项目支出开展绩效自评，共自评项目 {t.count} 个"
                  + (f"（{forms}）" if len(t.by_form) > 1 else "") + f"，{money}"
                  + (f"；另填报{others}（见第三部分）" if others else "") + "。", ""]
    else:
        lines += [f"根据预算绩效管理要求，{who}组织对{year}年度支出开展绩效自评，填报{others}（见第三部分）。", ""]
    lines += ["## 二、绩效自评结果", ""]
    if not t.count:
        lines += ["各表的得分和等次见第三部分。", ""]
    dist = "、".join(f"{g} {n} 个" for g, n in t.grades.items())
    result = f"自评结果为：{dist}；平均得分 {fmt(t.average, 2)} 分" if t.average is not None else "各项目均无法计分，没有平均得分"
    if t.ungraded and t.average is not None:
        result += f"；无法计分的项目 {t.ungraded} 个，未计入等次和平均得分"
    if t.count:
        lines += [result + "。", ""]
    if t.with_errors:
        # "表格", not "项目": a 部门整体 form with errors is no project, and the draft's own check reads
        # the figure named last before a number ("有错误的项目 1 个" was checked as the project count)
        lines += [f"【注意：仍有未改正错误的表格 {t.with_errors} 个，公开前请核实。】", ""]
    lines += ["## 三、项目绩效目标完成情况及存在的问题", ""]
    for n, row in enumerate(rows, 1):
        texts = _texts(row)
        lines += [f"### {n}. {row.heading}", "", project_sentence(row), ""]
        lines += [f"绩效目标完成情况：{texts.get(ACHIEVED_KEY) or PENDING.format('年度总体目标实际完成情况')}", ""]
        if texts.get(LESSONS_KEY):
            lines += [f"主要经验及做法：{texts[LESSONS_KEY]}", ""]
        lines += [f"发现的主要问题及原因：{texts.get(PROBLEMS_KEY) or PENDING.format('存在的问题及原因分析')}", ""]
        lines += [f"下一步改进措施：{texts.get(ADVICE_KEY) or PENDING.format('有关建议')}", ""]
    return "\n".join(lines).rstrip() + "\n"


# ---- the check ---------------------------------------------------------------------------------------
HEAD_RE = re.compile(r"^\s*#*\s*(\d+)\s*[.、．]\s*(.+?)\s*$")


def sections(text: str, rows: list[Row]) -> tuple[list[str], dict[int, list[str]]]:
    """(the summary's lines, {row index: that project's lines}): a project's part starts at a line
    naming it as the draft does ("### 3. 项目名称（实施单位）"): by its number and heading, else by a
    heading or project name no other project has (the clerk renumbered or cut the unit)."""
    def unique(keys: list[str]) -> dict[str, int]:
        seen: dict[str, list[int]] = {}
        for i, k in enumerate(keys):
            seen.setdefault(k, []).append(i)
        return {k: v[0] for k, v in seen.items() if len(v) == 1 and k}

    heads = unique([row.heading for row in rows])
    names = unique([str(row.project.name or "") for row in rows])
    summary: list[str] = []
    parts: dict[int, list[str]] = {}
    current: int | None = None
    for line in text.splitlines():
        m = HEAD_RE.match(line)
        hit = None
        if m:
            n, head = int(m.group(1)), m.group(2)
            if 1 <= n <= len(rows) and rows[n - 1].heading == head and n - 1 not in parts:
                hit = n - 1
            else:
                hit = heads.get(head, names.get(head))
        if hit is not None:
            current = hit
            parts.setdefault(hit, [])
            continue
        (summary if current is None else parts[current]).append(line)
    return summary, parts


def duplicates(rows: list[Row]) -> list[Finding]:
    """The same project (实施单位, 项目名称, 年度) published twice: the draft would count it twice."""
    from evaltool.core.names import name_key

    seen: dict[tuple, list[str]] = {}
    shown: dict[tuple, tuple[str, str, str]] = {}  # as the first form wrote them
    for r in rows:
        key = (name_key(r.project.unit), name_key(r.project.name), name_key(r.project.year))
        shown.setdefault(key, (str(r.project.unit or ""), str(r.project.name or ""), str(r.project.year or "")))
        seen.setdefault(key, []).append(f"{r.file}“{r.project.sheet}”" if r.project.sheet else r.file)
    return [Finding("W-DUPLICATE", "warning", f"同一项目“{shown[key][1]}”（{shown[key][0] or '实施单位未填'}，"
                    f"{shown[key][2] or '年度未填'}）"
                    f"出现 {len(files)} 次：{'、'.join(files[:5])}。情况说明中重复计算了它的资金和等次，请只保留一份后再公开。",
                    "情况说明", Location(path="情况说明：一、二"))
            for key, files in seen.items() if len(files) > 1]


def _finding(code: str, message: str, where: str) -> Finding:
    severity = "error" if code.startswith("E-") else "warning"
    return Finding(code, severity, message, "情况说明", Location(path=where))


def _same(value: Decimal, stated: Decimal, places: int) -> bool:
    return round_half_up(value, places) == stated


def check_summary(lines: list[str], t: Totals, where: str) -> list[Finding]:
    from evaltool.report.consistency import find_mentions, split_sentences

    out: list[Finding] = []
    for sentence in split_sentences("\n".join(lines)):
        if sentence.startswith(">"):
            continue  # the draft's own note to the clerk
        last = 0
        for m in find_mentions(sentence):
            window = sentence[last:m.start]
            last = m.end
            family = m.family
            candidates = [f for f in t.figures if f.family == family]
            # the name closest before the number; at one place the longest name (不合格, not its 合格: S61)
            named = [(max((window.rfind(w) + len(w), len(w)) for w in f.words if w in window), f) for f in candidates
                     if any(w in window for w in f.words)]
            quote = sentence if len(sentence) <= 80 else sentence[:78] + "……"
            if named:
                fig = max(named, key=lambda x: x[0])[1]
                if not _same(fig.value, m.value, m.places):
                    out.append(_finding("E-PUBLISH-NUMBER", f"情况说明写“{m.text}”，而{fig.label}为 "
                                        f"{fmt(round_half_up(fig.value, max(m.places, 2 if family in ('money', 'percent', 'score') else 0)))}"
                                        f"{'' if family.startswith('count') else ' ' + m.unit}：“{quote}”", where))
            elif not any(_same(f.value, m.value, m.places) for f in candidates):
                out.append(_finding("W-PUBLISH-UNCHECKED", f"情况说明中的“{m.text}”无法与表格核对（前面没有写明是哪一项），"
                                    f"请自行核实：“{quote}”", where))
    return out


def mixed_years(rows: list[Row]) -> list[Finding]:
    """Forms of several years: a 部门决算 reports one year, so the sums would mix years."""
    years: dict[str, list[str]] = {}
    for r in rows:
        years.setdefault(str(r.project.year or "未填"), []).append(r.file)
    if len(years) < 2:
        return []
    listed = "；".join(f"{y}年：{'、'.join(dict.fromkeys(files))[:80]}" for y, files in sorted(years.items()))
    return [Finding("W-PUBLISH-YEARS", "warning", f"公开的表格不是同一年度的（{listed}），情况说明把它们合计在一起。"
                    "部门决算只说明一个年度：请只公开该年度的表格。", "年度", Location(path="情况说明：一、二"))]


def check_draft(text: str, rows: list[Row], source: str = "情况说明") -> list[Finding]:
    """Every number in the draft (as edited) that disagrees with the forms, as findings."""
    from evaltool.report.consistency import check_texts

    rows = in_order(rows)
    summary, parts = sections(text, rows)
    out = mixed_years(rows) + duplicates(rows) + check_summary(summary, totals(rows), f"{source}：一、二")
    for i, lines in sorted(parts.items()):
        row = rows[i]
        body = "\n".join(lines)
        if not body.strip():
            continue
        for f in check_texts(row.project, row.result, {f"{source}“{row.heading}”": body}):
            f.location = Location(path=f"{source}：{row.heading}")
            out.append(f)
    missing = [rows[i].heading for i in range(len(rows)) if i not in parts]
    if missing and parts:
        out.append(_finding("W-PUBLISH-UNCHECKED", "情况说明中没有找到这些项目的小标题，其段落未能逐项核对："
                            + "、".join(missing[:8]) + ("等" if len(missing) > 8 else ""), source))
    return out


__all__ = ["Row", "Totals", "Figure", "row_of", "totals", "draft_markdown", "project_sentence", "check_draft",
           "sections", "TITLE"]
