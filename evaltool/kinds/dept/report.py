"""What the 部门整体支出绩效自评报告 says, from the scored form: the template context (every number
formatted once, here, so the text and the 附表 agree), the 附表 in Word, the consistency facts that
`evaltool check-report` compares a report with, and the form's 汇总 row."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from evaltool.core.decimals import fmt, fmt_percent, plain_number
from evaltool.core.kinds import ReportFacts
from evaltool.core.model import Project
from evaltool.kinds.dept import layout as D
from evaltool.kinds.dept.layout import PART_ROWS
from evaltool.kinds.dept.model import TASKS
from evaltool.kinds.dept.scoring import DeptResult
from evaltool.kinds.selfeval.context import build_levels
from evaltool.kinds.selfeval.form_table import form_places
from evaltool.report.context import (clean_unit, escape_markup, grade_scale, long_text, placeholder, raw_text,
                                     score_text)

MATERIAL_HINTS = {
    "部门概况": "部门职责、内设机构、人员编制和实有人数等基本情况",
    "预算执行偏差原因": "预算执行率未达到 100% 的原因及改进措施",
    "存在的问题": "部门整体支出管理和绩效目标完成中存在的问题及原因",
    "改进措施": "针对存在的问题，下一步的改进措施和建议",
    "其他需要说明的问题": "其他需要说明的情况",
}


def money(value: Decimal | None) -> str:
    return "未计算" if value is None else fmt(value, 2)


def rate_text(value: Decimal | None) -> str:
    return "未计算" if value is None else fmt_percent(value)


def _rules(project: Project, result: DeptResult):
    from evaltool.core.rules import load_rules

    try:
        return load_rules(project.rules or D.RULES)
    except Exception:  # noqa: BLE001 - the report still renders with the result's own numbers
        return None


def report_context(project: Project, result: DeptResult) -> dict[str, Any]:
    rules = _rules(project, result)
    dept = clean_unit(raw_text(project.name)) or "（未填写部门名称）"
    year = raw_text(project.year)
    material = {str(k): long_text(v) for k, v in (project.report or {}).items()}

    def text(key: str, hint: str | None = None) -> str:
        value = (material.get(key) or "").strip()
        return value or placeholder(hint or MATERIAL_HINTS.get(key, key))

    levels = build_levels(project, result)
    indicators = [i for lv in levels for i in lv.items]
    total_row = project.funds.get("年度资金总额")
    budget, actual = result.budget, result.actual
    unexecuted = budget - actual if budget is not None and actual is not None else None
    parts = [{"label": p.label, "initial": money(p.initial), "budget": money(p.budget), "actual": money(p.actual),
              "rate": rate_text(p.rate), "known": p.budget is not None} for p in result.parts]
    tasks = [{"n": t.n, "name": escape_markup(t.name) or f"任务{t.n}", "content": escape_markup(t.content),
              "status": escape_markup(t.status) or placeholder(f"任务“{t.name or t.n}”的完成情况"),
              "budget": money(t.budget) if t.budget is not None else "", "actual": money(t.actual) if t.actual is not None else ""}
             for t in result.tasks]
    projects = [{"n": r.n, "name": escape_markup(r.name) or f"项目{r.n}", "budget": money(r.budget), "actual": money(r.actual),
                 "rate": rate_text(r.rate), "score": score_text(r.score) if r.score is not None else "未自评",
                 "grade": r.grade or "—", "scored": r.score is not None} for r in result.projects]
    grades = [g for g, _ in rules.grades] if rules else ["优", "良", "中", "差"]
    counts = [{"grade": g, "count": sum(1 for r in result.projects if r.grade == g)} for g in grades]
    scored = [r for r in result.projects if r.score is not None]
    weak = [p for p, r in zip(projects, result.projects) if r.grade and grades and r.grade not in grades[:2]]
    return {
        "kind": D.KIND,
        "title_suffix": "部门整体支出绩效自评报告",
        "project": {"name": "", "dept": escape_markup(dept), "year": year, "unit": escape_markup(dept),
                    "department": escape_markup(clean_unit(raw_text(project.department))), "sheet": project.sheet or ""},
        "errors": [f.message for f in result.findings if f.severity == "error"],
        "material": material,
        "text": text,
        "placeholder": placeholder,
        "rule_name": escape_markup(result.rule_name),
        "grade_scale": grade_scale(rules.grades) if rules else "",
        "funds": {
            "initial": money(result.initial), "budget": money(budget), "actual": money(actual),
            "has_initial": result.initial is not None,
            "initial_differs": result.initial is not None and budget is not None and result.initial != budget,
            "rate": rate_text(result.rate_display), "rate_known": result.rate_display is not None,
            "rate_full": result.rate_display == 1, "over": result.rate is not None and result.rate > 1,
            "unexecuted": money(unexecuted) if unexecuted is not None and unexecuted > 0 else "",
            "overspent": money(-unexecuted) if unexecuted is not None and unexecuted < 0 else "",
            "rate_score": score_text(result.rate_score), "rate_weight": score_text(result.rate_weight, 0)
            if result.rate_weight is not None and result.rate_weight == result.rate_weight.to_integral_value()
            else score_text(result.rate_weight),
            "parts": parts, "parts_known": [x for x in parts if x["known"]],
            "has_row": total_row is not None and budget is not None,
        },
        "goal": {"expected": escape_markup(long_text(project.goal_expected)) or placeholder("年度总体目标（预期目标）"),
                 "actual": escape_markup(long_text(project.goal_actual)) or placeholder("年度总体目标的实际完成情况")},
        "tasks": tasks,
        "levels": levels,
        "indicator_count": len(indicators),
        "full_count": sum(1 for i in indicators if i.scored and i.full),
        "shortfalls": [i for i in indicators if i.scored and not i.full],
        "unscored": [i for i in indicators if not i.scored],
        "total": score_text(result.total) if result.total is not None else "",
        "grade": result.grade or "",
        "ungraded": escape_markup(result.ungraded or ""),
        "adjustments": [escape_markup(a.reason) for a in result.adjustments],  # 超额扣分, 总分上限
        "projects": projects,
        "project_count": len(projects),
        "project_budget": money(result.project_budget),
        "project_actual": money(result.project_actual),
        "project_rate": rate_text(result.project_rate),
        "project_scored": len(scored),
        "project_grades": [c for c in counts if c["count"]],
        "project_weak": weak,
        "project_scope": result.scope,
    }


# ---- 附表 --------------------------------------------------------------------------------------------
WIDTHS = (18, 24, 28, 30, 26, 24, 22, 18, 35)  # mm, on the 225 mm landscape type area


def write_form_table(doc, project: Project, result: DeptResult, context: dict) -> None:
    """附表: the filled 部门整体支出绩效自评表 with the computed 执行率, scores, 总分 and 等次 — three
    tables (header and 年度预算/任务/目标; 绩效指标, its header repeated on every page; 项目支出情况)."""
    from docx.shared import Mm, Pt

    from evaltool.report.docx_writer import landscape_section, set_style_id, style_id
    from evaltool.report.form_table import CENTER, LEFT, TableXml

    def table(nrows: int) -> TableXml:
        return TableXml(nrows, [Mm(w).twips for w in WIDTHS], style_id(doc, "表格文字"), style_id(doc, "Table Grid"))

    places = form_places(project)  # every score as the form's cells show it (the rule set's 小数位)

    def form_score(value: Decimal | None, missing: str = "") -> str:
        return missing if value is None else fmt(value, places)

    landscape_section(doc)
    heading = doc.add_paragraph()
    set_style_id(heading, style_id(doc, "Heading 1"))
    heading.add_run("附表")
    heading.paragraph_format.first_line_indent = Pt(0)
    title = doc.add_paragraph()
    set_style_id(title, style_id(doc, "公文标题"))
    title.add_run(D.TITLE)
    sub = doc.add_paragraph()
    sub.alignment = CENTER
    sub.paragraph_format.first_line_indent = Pt(0)
    sub.add_run(f"（{context['project']['year']}年度）")
    f = context["funds"]
    n_parts, n_tasks = len(result.parts), len(result.tasks)

    g = table(1 + 1 + 1 + n_parts + 1 + n_tasks + 2)
    r = 0
    g.put(r, 0, D.L_DEPT_NAME, bold=True, to=1)
    g.put(r, 2, context["project"]["dept"], align=LEFT, to=5)
    g.put(r, 6, D.L_YEAR, bold=True)
    g.put(r, 7, context["project"]["year"], to=8)
    r += 1
    g.put(r, 0, D.L_BUDGET, bold=True, down=r + 1 + n_parts)
    for c, label in enumerate(("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"), start=2):
        g.put(r, c, label, bold=True, to=8 if c == 7 else None)
    r += 1
    g.put(r, 1, D.L_TOTAL_ROW, bold=True)
    for c, value in enumerate((f["initial"] if f["has_initial"] else "", f["budget"], f["actual"], f["rate_weight"],
                               f["rate"], form_score(result.rate_score, "—")), start=2):
        g.put(r, c, value, to=8 if c == 7 else None)
    for k, part in enumerate(f["parts"]):
        r += 1
        g.put(r, 1, f"其中：{part['label']}" if k == 0 else part["label"])
        for c, value in enumerate((part["initial"] if part["initial"] != "未计算" else "", part["budget"],
                                   part["actual"], "/", part["rate"], "/"), start=2):
            g.put(r, c, value, to=8 if c == 7 else None)
    r += 1
    g.put(r, 0, D.L_TASKS, bold=True, down=r + n_tasks)
    for c, (label, to) in ((1, ("任务名称", 2)), (3, ("主要内容", 4)), (5, ("预算数", None)), (6, ("执行数", None)),
                           (7, ("完成情况", 8))):
        g.put(r, c, label, bold=True, to=to)
    for t in context["tasks"]:
        r += 1
        g.put(r, 1, t["name"], align=LEFT, to=2)
        g.put(r, 3, t["content"], align=LEFT, to=4)
        g.put(r, 5, t["budget"])
        g.put(r, 6, t["actual"])
        g.put(r, 7, t["status"], align=LEFT, to=8)
        g.no_split(r)
    r += 1
    g.put(r, 0, D.L_GOALS, bold=True, down=r + 1)
    g.put(r, 1, D.L_GOAL_EXPECTED, bold=True, to=4)
    g.put(r, 5, D.L_GOAL_ACTUAL, bold=True, to=8)
    g.put(r + 1, 1, context["goal"]["expected"], align=LEFT, to=4)
    g.put(r + 1, 5, context["goal"]["actual"], align=LEFT, to=8)
    g.add_to(doc)

    rows = list(result.indicators)
    g = table(1 + len(rows) + 2)
    for c, label in enumerate(("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                               "偏差原因分析及改进措施")):
        g.put(0, c, label, bold=True, to=8 if c == 7 else None)
    g.repeat_header(0)
    for k, ind in enumerate(rows):
        rr = 1 + k
        typed = project.indicators[ind.index] if ind.index < len(project.indicators) else None
        if k == 0 or ind.level1 != rows[k - 1].level1:
            end = k
            while end + 1 < len(rows) and rows[end + 1].level1 == ind.level1:
                end += 1
            g.put(rr, 0, ind.level1, down=1 + end)
        if k == 0 or (ind.level1, ind.level2) != (rows[k - 1].level1, rows[k - 1].level2):
            end = k
            while end + 1 < len(rows) and (rows[end + 1].level1, rows[end + 1].level2) == (ind.level1, ind.level2):
                end += 1
            g.put(rr, 1, ind.level2, down=1 + end)
        g.put(rr, 2, ind.level3, align=LEFT)
        g.put(rr, 3, raw_text(typed.target) if typed else "")
        g.put(rr, 4, raw_text(typed.actual) if typed else "")
        g.put(rr, 5, raw_text(plain_number(ind.weight)))
        g.put(rr, 6, form_score(ind.score, "未计分"))
        g.put(rr, 7, long_text(typed.deviation) if typed else "", align=LEFT, to=8)
        g.no_split(rr)
    r = 1 + len(rows)
    g.put(r, 0, D.L_TOTAL, bold=True, to=4)
    weights = sum((i.weight or Decimal(0) for i in rows), Decimal(0)) + (result.rate_weight or Decimal(0))
    g.put(r, 5, raw_text(plain_number(weights)), bold=True)
    g.put(r, 6, form_score(result.total, "无法计分") if context["total"] else "无法计分", bold=True, to=8)
    g.put(r + 1, 0, D.L_GRADE, bold=True, to=4)
    g.put(r + 1, 5, context["grade"] or "无法计分", bold=True, to=8)
    g.add_to(doc)

    n = len(result.projects)
    g = table(2 + n)
    g.put(0, 0, D.L_PROJECTS, bold=True, down=1 + n)
    for c, (label, to) in ((1, ("项目名称", 2)), (3, ("全年预算数", None)), (4, ("全年执行数", None)), (5, ("执行率", None)),
                           (6, ("自评得分", None)), (7, ("自评等次", 8))):
        g.put(0, c, label, bold=True, to=to)
    g.repeat_header(0)
    for k, (p, typed) in enumerate(zip(context["projects"], result.projects), start=1):
        g.put(k, 1, p["name"], align=LEFT, to=2)
        for c, key in ((3, "budget"), (4, "actual"), (5, "rate")):
            g.put(k, c, p[key])
        g.put(k, 6, form_score(typed.score, p["score"]))
        g.put(k, 7, p["grade"], to=8)
        g.no_split(k)
    g.put(1 + n, 1, D.L_PROJECT_SUM, bold=True, to=2)
    if context["project_count"]:
        g.put(1 + n, 3, context["project_budget"], bold=True)
        g.put(1 + n, 4, context["project_actual"], bold=True)
        g.put(1 + n, 5, context["project_rate"], bold=True)
    g.add_to(doc)


# ---- report ↔ form, 汇总, console ----------------------------------------------------------------------
def report_facts(project: Project, result: DeptResult) -> ReportFacts:
    return ReportFacts(
        form="部门整体支出绩效自评表", rate_label="部门整体支出绩效自评表的执行率（年度资金总额的全年执行数 ÷ 全年预算数）",
        rate=result.rate_display, total=result.total, grade=result.grade,
        table_texts=[("年度总体目标（实际完成情况）", project.goal_actual, "实际完成情况"),
                     ("年度总体目标（预期目标）", project.goal_expected, "预期目标"),
                     *((f"年度主要任务“{t.name or t.n}”的完成情况", t.status, f"{TASKS}[{t.n}].完成情况")
                       for t in result.tasks if t.status)],
        # The 其中 rows' and the listed projects' own figures: stated in the report, not the form's totals.
        blockers=(*(f"{label}执行率" for label in PART_ROWS), *PART_ROWS, "项目执行率", "项目合计执行率", "项目支出情况", "项目清单", "该项目",
                  *(r.name for r in result.projects)))


def summary_row(project: Project, result: DeptResult, file: str) -> dict[str, Any]:
    """The department's row in the 汇总 sheet: the 自评表's row (the 年度资金总额 row's money and
    执行率, the subtotals, 总分 and 等次), so the 汇总 and its per-主管部门 totals take it as one more
    line; only who and what it is differ."""
    from evaltool.core.results import text_or_none
    from evaltool.kinds.selfeval.summary import summary_row as form_row

    row = form_row(project, result, file)
    name = text_or_none(project.name)
    row.update({"主管部门": text_or_none(project.department) or name, "单位": name,
                "项目": f"部门整体支出（{len(result.projects)} 个项目）"})
    return row


def print_result(project: Project, result: DeptResult) -> None:
    from rich.table import Table

    from evaltool.console import console, esc, print_findings, print_total

    console.rule(f"{esc(raw_text(project.name) or '（未填写部门名称）')}  {D.TITLE}（{esc(raw_text(project.year))}年度）")
    places = form_places(project)  # scores as the form shows them: "20.00" beside "14.12", never "20"
    table = Table(title="年度预算（万元）", show_lines=False)
    for head in ("", "全年预算数", "全年执行数", "执行率", "得分"):
        table.add_column(head)
    table.add_row(D.L_TOTAL_ROW, money(result.budget), money(result.actual), rate_text(result.rate_display),
                  fmt(result.rate_score, places) if result.rate_score is not None else "—")
    for p in result.parts:
        table.add_row(f"  {p.label}", money(p.budget), money(p.actual), rate_text(p.rate), "/")
    console.print(table)
    ind = Table(title="绩效指标")
    for head in ("一级指标", "三级指标", "分值", "得分", "说明"):
        ind.add_column(head)
    for r in result.indicators:
        ind.add_row(esc(r.level1), esc(r.level3), fmt(r.weight), fmt(r.score, places) if r.score is not None else "—",
                    esc(r.explanation))
    console.print(ind)
    if result.projects:
        pt = Table(title=f"项目支出情况（{len(result.projects)} 个项目）")
        for head in ("项目名称", "全年预算数", "全年执行数", "执行率", "自评得分", "自评等次"):
            pt.add_column(head)
        for r in result.projects:
            pt.add_row(esc(r.name), money(r.budget), money(r.actual), rate_text(r.rate),
                       fmt(r.score, places) if r.score is not None else "—", esc(r.grade or "—"))
        pt.add_row("合计", money(result.project_budget), money(result.project_actual), rate_text(result.project_rate), "", "")
        console.print(pt)
    print_total(result)
    print_findings(result)


__all__ = ["report_context", "write_form_table", "report_facts", "summary_row", "print_result"]
