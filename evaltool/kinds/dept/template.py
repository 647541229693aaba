"""Builds the 部门整体支出绩效自评表 workbook with openpyxl: blank, or pre-filled from a project.

The form as provinces publish it (财政部 部门整体支出绩效自评表 and its local copies): 部门（单位）名称 and
年度; 年度预算 with 年度资金总额 and, 其中, 基本支出 and 项目支出 (年初预算数, 全年预算数, 全年执行数, 分值,
执行率, 得分); 年度主要任务 with 完成情况; 年度总体目标 (预期目标 / 实际完成情况); 绩效指标 with 总分 and
评价等次; and the department's 项目支出情况 (each project's budget, execution, 自评得分 and 自评等次) with a
合计 row. Uses the 自评表 builder's cell helpers, print setup and the shared 设置/说明 sheets.
"""
from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from evaltool.core.model import FUND_COLUMN_ATTR, Project
from evaltool.core.rules import RuleSet, load_rules
from evaltool.kinds.dept import layout as D
from evaltool.kinds.dept.model import PROJECTS, TASKS, items, parts
from evaltool.workbook import layout as WL
from evaltool.workbook.template import text_row
from evaltool.workbook.template import (
    CENTER, FIXED_TIME, LEFT, TOPLEFT, Sheet, add_validation, build_help, build_settings, cell_font, list_validation,
    print_setup, protect_sheet, wrapped_row_height,
)

WIDTHS = {"A": 9, "B": 14, "C": 16, "D": 20, "E": 14, "F": 13, "G": 9, "H": 9, "I": 24}
LAST = 9
FUND_COLS = {"年初预算数": 3, "全年预算数": 4, "全年执行数": 5, "分值": 6, "执行率": 7, "得分": 8}
TASK_SPANS = {"任务名称": (2, 2), "主要内容": (3, 4), "预算数": (5, 5), "执行数": (6, 6), "完成情况": (7, 9)}
IND_COLS = {"一级指标": 1, "二级指标": 2, "三级指标": 3, "年度指标值": 4, "实际完成值": 5, "分值": 6, "得分": 7,
            "偏差原因分析及改进措施": 8}
PROJECT_SPANS = {"项目名称": (2, 3), "全年预算数": (4, 4), "全年执行数": (5, 5), "执行率": (6, 6), "自评得分": (7, 7),
                 "自评等次": (8, 8), "备注": (9, 9)}
BLANK_TASKS = 5
BLANK_PROJECTS = 8
HELP = (
    ("部门整体支出绩效自评表填表说明", True),
    ("一、本工作簿是《部门整体支出绩效自评表》的标准模板，可在 Excel、WPS 和 LibreOffice 中直接填写，无需宏。"
     "白色单元格由部门填写；浅灰色单元格由 evaltool 计分后自动填写。", False),
    ("二、年度预算以万元为单位：年度资金总额一行填写部门全部资金；“其中”的基本支出与项目支出两行之和应等于年度资金总额。"
     "执行率 = 全年执行数（B）÷ 全年预算数（A），执行率得分只在年度资金总额一行计算。", False),
    ("三、年度主要任务：每项任务一行，写明主要内容和完成情况（完成情况必填）；有对应预算的填预算数和执行数。", False),
    ("四、年度总体目标与绩效指标的填法与《项目支出绩效自评表》相同：年度指标值写明方向和单位（如“≥1000户”“≤5天”），"
     "定性指标的实际完成值填写评价等级；得分低于分值的指标须填写偏差原因分析及改进措施。", False),
    ("五、项目支出情况：列出本部门的项目（规则集“部门整体 → 项目清单口径”为“全部”时列全部项目，其全年预算数、全年执行数"
     "合计应等于年度预算中的“项目支出”一行），自评得分和自评等次照各项目的自评表填写。", False),
    ("六、“部门报告素材”工作表的文字用于生成部门整体支出绩效自评报告（evaltool report 文件名）。", False),
    ("七、校验与计分：evaltool check 文件名（只校验）或 evaltool score 文件名（计分并写回）。有问题的单元格标红（错误）"
     "或标黄（警告）并附批注，全部问题列在“校验结果”工作表中。evaltool 不改动您填写的内容。", False),
)


def _default_indicators(rules: RuleSet) -> list[dict[str, Any]]:
    """One blank row per 二级指标 of the rule set's 指标体系 (a 一级 without 二级 gets one row)."""
    rows = []
    for l1 in rules.level1_weights:
        for l2 in rules.framework.get(l1) or [None]:
            rows.append({"一级指标": l1, "二级指标": l2})
    return rows


def _runs(rows: list[dict[str, Any]], key: str, within: str | None = None) -> list[tuple[int, int]]:
    """(first, last) index of each run of equal, non-empty values in rows[key] (within runs of `within`)."""
    out, start = [], 0
    for i in range(1, len(rows) + 1):
        same = i < len(rows) and rows[i].get(key) == rows[start].get(key) and (
            within is None or rows[i].get(within) == rows[start].get(within))
        if not same:
            if rows[start].get(key) not in (None, ""):
                out.append((start, i - 1))
            start = i
    return out


def build_form(wb: Workbook, project: Project | None, rules: RuleSet) -> Worksheet:
    ws = wb.create_sheet(D.SHEET_FORM)
    s = Sheet(ws)
    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width
    p = project
    s.merge(1, 1, 1, LAST, D.TITLE, border=False)
    ws.cell(1, 1).font = cell_font(18, bold=True, name=WL.TITLE_FONT)
    for c in range(1, LAST + 1):
        ws.cell(1, c).fill = PatternFill()
    ws.row_dimensions[1].height = 34
    year = p.year if p and p.year is not None else None
    s.merge(2, 1, 2, LAST, f"（{year}年度）" if year else WL.YEAR_PLACEHOLDER, border=False)
    ws.cell(2, 1).fill = PatternFill()
    s.merge(3, 1, 3, 2, D.L_DEPT_NAME, bold=True)
    s.merge(3, 3, 3, 6, p.name if p else None, kind="input", align=LEFT)
    s.cell(3, 7, D.L_YEAR, bold=True)
    s.merge(3, 8, 3, 9, year, kind="input")
    s.merge(4, 1, 4, 2, D.L_SUPERVISOR, bold=True)
    s.merge(4, 3, 4, 9, p.department if p else None, kind="input", align=LEFT)
    for r in (3, 4):
        ws.row_dimensions[r].height = 24

    # 年度预算 (rows 5–8)
    s.merge(5, 1, 8, 1, D.L_BUDGET, bold=True)
    s.cell(5, 2, None, kind="label")
    for key, col in FUND_COLS.items():
        s.cell(5, col, D.FUND_HEADERS[key], bold=True)
    s.cell(5, 9, None, kind="dead")
    ws.row_dimensions[5].height = 30  # 全年执行数（B）, 执行率（B/A） take two lines
    total = p.funds.get("年度资金总额") if p else None
    found = parts(p) if p else {}
    rows = [(D.L_TOTAL_ROW, total)] + [(label, found.get(label)) for label in D.PART_ROWS]
    for i, (label, row) in enumerate(rows):
        r = 6 + i
        s.cell(r, 2, label if i == 0 else f"其中：{label}" if i == 1 else label, bold=i == 0)
        for key in ("年初预算数", "全年预算数", "全年执行数"):
            s.cell(r, FUND_COLS[key], getattr(row, FUND_COLUMN_ATTR[key]) if row else None, kind="input", fmt="#,##0.00")
        if i == 0:
            s.cell(r, FUND_COLS["分值"], p.fund_weight if p and p.fund_weight is not None else rules.rate_weight,
                   kind="input")
            s.cell(r, FUND_COLS["得分"], None, kind="computed", fmt="0.00")
        else:
            s.cell(r, FUND_COLS["分值"], "/", kind="dead")
            s.cell(r, FUND_COLS["得分"], "/", kind="dead")
        s.cell(r, FUND_COLS["执行率"], None, kind="computed", fmt="0.00%")
        s.cell(r, 9, None, kind="dead")
        ws.row_dimensions[r].height = 22
    add_validation(ws, "C6:E8", type_="any", title="金额（万元）", prompt="以万元为单位填写数字，如 1286.5。")

    # 年度主要任务
    tasks = items(p, TASKS) if p else []
    count = max(len(tasks), 1) if tasks else BLANK_TASKS
    th = 9
    s.merge(th, 1, th + count, 1, D.L_TASKS, bold=True)
    for key, (c1, c2) in TASK_SPANS.items():
        s.merge(th, c1, th, c2, D.TASK_HEADERS[key], bold=True)
    ws.row_dimensions[th].height = 30
    for i in range(count):
        r = th + 1 + i
        t = tasks[i] if i < len(tasks) else {}
        for key, (c1, c2) in TASK_SPANS.items():
            align = TOPLEFT if key in ("主要内容", "完成情况") else CENTER
            s.merge(r, c1, r, c2, t.get(key), kind="input", align=align, fmt="#,##0.00" if key in ("预算数", "执行数") else None)
        ws.row_dimensions[r].height = wrapped_row_height([(t.get("主要内容"), 32), (t.get("完成情况"), 44)], 30)

    # 年度总体目标
    g = th + count + 1
    s.merge(g, 1, g + 1, 1, D.L_GOALS, bold=True)
    s.merge(g, 2, g, 5, D.L_GOAL_EXPECTED, bold=True)
    s.merge(g, 6, g, 9, D.L_GOAL_ACTUAL, bold=True)
    s.merge(g + 1, 2, g + 1, 5, p.goal_expected if p else None, kind="input", align=TOPLEFT)
    s.merge(g + 1, 6, g + 1, 9, p.goal_actual if p else None, kind="input", align=TOPLEFT)
    ws.row_dimensions[g + 1].height = wrapped_row_height(
        [(p.goal_expected if p else None, 60), (p.goal_actual if p else None, 52)], 64)

    # 绩效指标
    h = g + 2
    for key, col in IND_COLS.items():
        if key == "偏差原因分析及改进措施":
            s.merge(h, col, h, 9, D.IND_HEADERS[key], bold=True)
        else:
            s.cell(h, col, D.IND_HEADERS[key], bold=True)
    ws.row_dimensions[h].height = 30
    inds = [{k: getattr(ind, a) for k, a in (("一级指标", "level1"), ("二级指标", "level2"), ("三级指标", "level3"),
                                            ("年度指标值", "target"), ("实际完成值", "actual"), ("分值", "weight"),
                                            ("偏差原因分析及改进措施", "deviation"))}
            for ind in (p.indicators if p else [])] or _default_indicators(rules)
    first = h + 1
    for n, data in enumerate(inds):
        r = first + n
        for key in ("三级指标", "年度指标值", "实际完成值", "分值"):
            s.cell(r, IND_COLS[key], data.get(key), kind="input", align=LEFT if key == "三级指标" else CENTER)
        s.cell(r, IND_COLS["得分"], None, kind="computed", fmt="General")
        s.merge(r, 8, r, 9, data.get("偏差原因分析及改进措施"), kind="input", align=TOPLEFT)
        ws.row_dimensions[r].height = wrapped_row_height([(data.get("三级指标"), 15), (data.get("偏差原因分析及改进措施"), 30)], 24)
        for key in ("一级指标", "二级指标"):
            s.cell(r, IND_COLS[key], data.get(key), kind="input")
    for a, b in _runs(inds, "一级指标"):
        if b > a:
            s.merge(first + a, 1, first + b, 1, inds[a].get("一级指标"), kind="input")
    for a, b in _runs(inds, "二级指标", "一级指标"):
        if b > a:
            s.merge(first + a, 2, first + b, 2, inds[a].get("二级指标"), kind="input")
    last = first + len(inds) - 1
    add_validation(ws, f"A{first}:A{last}", formula1=list_validation(rules.level1_weights), title="一级指标",
                   prompt="从下拉列表中选择或改写。")
    add_validation(ws, f"E{first}:E{last}", type_="any", title="实际完成值",
                   prompt="定量指标填实际数值和单位；定性指标填：" + "、".join(WL.GRADE_CHOICES) + "。")
    t = last + 1
    s.cell(t, 1, D.L_TOTAL, bold=True)
    for col in (2, 3, 4, 5):
        s.cell(t, col, None, kind="dead")
    s.cell(t, IND_COLS["分值"], None, kind="computed", bold=True)
    s.cell(t, IND_COLS["得分"], None, kind="computed", bold=True, fmt="0.00")
    s.merge(t, 8, t, 9, None, kind="dead")
    s.cell(t + 1, 1, D.L_GRADE, bold=True)
    s.merge(t + 1, 2, t + 1, LAST, None, kind="computed", bold=True, align=LEFT)
    for r in (t, t + 1):
        ws.row_dimensions[r].height = 22

    # 项目支出情况
    projects = items(p, PROJECTS) if p else []
    pcount = len(projects) if projects else BLANK_PROJECTS
    ph = t + 2
    s.merge(ph, 1, ph + pcount + 1, 1, D.L_PROJECTS, bold=True)
    for key, (c1, c2) in PROJECT_SPANS.items():
        s.merge(ph, c1, ph, c2, D.PROJECT_HEADERS[key], bold=True)
    ws.row_dimensions[ph].height = 30
    for i in range(pcount):
        r = ph + 1 + i
        item = projects[i] if i < len(projects) else {}
        for key, (c1, c2) in PROJECT_SPANS.items():
            if key == "执行率":
                s.cell(r, c1, None, kind="computed", fmt="0.00%")
                continue
            money = key in ("全年预算数", "全年执行数")
            s.merge(r, c1, r, c2, item.get(key), kind="input", align=LEFT if key == "项目名称" else CENTER,
                    fmt="#,##0.00" if money else None)
        ws.row_dimensions[r].height = wrapped_row_height([(item.get("项目名称"), 28)], 22)
    sr = ph + 1 + pcount
    s.merge(sr, 2, sr, 3, D.L_PROJECT_SUM, bold=True)
    for key in ("全年预算数", "全年执行数"):
        s.cell(sr, PROJECT_SPANS[key][0], None, kind="computed", fmt="#,##0.00", bold=True)
    s.cell(sr, PROJECT_SPANS["执行率"][0], None, kind="computed", fmt="0.00%", bold=True)
    for col in (7, 8, 9):
        s.cell(sr, col, None, kind="dead")
    ws.row_dimensions[sr].height = 22
    if pcount:
        add_validation(ws, f"H{ph + 1}:H{sr - 1}", formula1=list_validation(n for n, _ in rules.grades),
                       title="自评等次", prompt="照该项目的《项目支出绩效自评表》填写。")
    text_row(ws, sr + 1, LAST, D.FOOTNOTE, 40)
    text_row(ws, sr + 2, LAST, "填报人：              联系电话：              单位负责人（签字）：              （单位盖章）", 30,
             note=False)
    print_setup(ws, f"A1:I{sr + 2}", landscape=False, title_rows=f"{h}:{h}")
    protect_sheet(ws)
    return ws


def build_report_sheet(wb: Workbook, project: Project | None) -> Worksheet:
    ws = wb.create_sheet(D.SHEET_REPORT)
    s = Sheet(ws)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 90
    s.merge(1, 1, 1, 2, D.REPORT_TITLE, border=False)
    ws.cell(1, 1).font = cell_font(16, bold=True, name=WL.TITLE_FONT)
    ws.cell(1, 1).fill = ws.cell(1, 2).fill = PatternFill()
    ws.row_dimensions[1].height = 30
    s.cell(2, 1, "栏目", bold=True)
    s.cell(2, 2, "内容（生成部门整体支出绩效自评报告时引用；按 Alt+Enter 换行）", bold=True)
    fields = D.report_fields()
    for i, key in enumerate(fields):
        r = 3 + i
        text = (project.report.get(key) if project else None) or None
        s.cell(r, 1, key, bold=True)
        s.cell(r, 2, text, kind="input", align=TOPLEFT)
        ws.row_dimensions[r].height = max(60.0, wrapped_row_height([(text, 88)]))
    print_setup(ws, f"A1:B{2 + len(fields)}", landscape=False)
    protect_sheet(ws)
    return ws


def build_workbook(project: Project | None = None, rules: str | None = None) -> Workbook:
    """The blank 部门整体支出绩效自评表 (project None) or one filled from a project."""
    ref = rules or (project.rules if project else None) or D.RULES
    rule_set = load_rules(ref)
    wb = Workbook()
    wb.remove(wb.active)
    build_form(wb, project, rule_set)
    build_report_sheet(wb, project)
    build_settings(wb, ref, rule_set)
    build_help(wb, HELP)
    wb.active = 0
    props = wb.properties
    props.creator = props.lastModifiedBy = "evaltool"
    props.title = D.TITLE
    props.created = props.modified = FIXED_TIME
    return wb


__all__ = ["build_workbook", "build_form"]
