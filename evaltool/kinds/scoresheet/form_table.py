"""The attached 附表 of a 评分表 report: 项目基本信息 (funds), 绩效评价指标评分 and 评价人员."""
from __future__ import annotations

from typing import Any

from docx.shared import Emu

from evaltool.core.model import Project, ScoreResult
from evaltool.report.context import raw_text
from evaltool.report.docx_writer import style_id
from evaltool.report.form_table import LEFT, TableXml, heading, new_table, runs

SHEET_WIDTHS = (26, 13, 28, 13, 46, 13, 17)  # 一级 分值 二级 分值 三级 分值 得分 on the 156 mm portrait type area


def write_scoresheet_form(doc, project: Project, result: ScoreResult, context: dict) -> None:
    """附表 of a 评分表 report: 项目基本信息 (funds), 绩效评价指标评分 and 评价人员, as in seed 001."""
    from docx.enum.section import WD_SECTION

    doc.add_section(WD_SECTION.NEW_PAGE)  # portrait, same margins as the report
    heading(doc, "附表", "绩效评价指标评分表", f"（{context['project']['year']}年度）")
    funds = context["funds"]
    grid = new_table(doc, 3, (26,) * 6, narrow=False)
    grid.put(0, 0, "项目名称", bold=True)
    grid.put(0, 1, raw_text(project.name), align=LEFT, to=5)
    grid.put(1, 0, "实施单位", bold=True)
    grid.put(1, 1, raw_text(project.unit), align=LEFT, to=2)
    grid.put(1, 3, "主管部门", bold=True)
    grid.put(1, 4, raw_text(project.department), align=LEFT, to=5)
    for c, (label, value) in enumerate((("计划投资额（万元）", funds["planned"]), ("实际到位资金（万元）", funds["arrived"]),
                                        ("实际使用情况（万元）", funds["used"]))):
        grid.put(2, 2 * c, label, bold=True)
        grid.put(2, 2 * c + 1, value)
    grid.add_to(doc)
    doc.add_paragraph()

    rows = list(result.indicators)
    grid = new_table(doc, 2 + len(rows), SHEET_WIDTHS)
    for c, label in enumerate(("一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "得分")):
        grid.put(0, c, label, bold=True)
    levels = {lv["name"]: lv for lv in context["levels"]}
    for first, last in runs([r.level1 for r in rows]):
        name = rows[first].level1
        grid.put(1 + first, 0, name, down=1 + last)
        grid.put(1 + first, 1, levels.get(name, {}).get("weight", ""), down=1 + last)
    for first, last in runs([(r.level1, r.level2) for r in rows]):
        lv = levels.get(rows[first].level1, {})
        group: dict[str, Any] = next((g for g in lv.get("groups", []) if g["name"] == rows[first].level2), {})
        grid.put(1 + first, 2, rows[first].level2, down=1 + last)
        grid.put(1 + first, 3, group.get("weight", ""), down=1 + last)
    for k, r in enumerate(rows):
        grid.put(1 + k, 4, r.level3, align=LEFT)
        grid.put(1 + k, 5, raw_text(r.weight))
        grid.put(1 + k, 6, raw_text(r.score) if r.score is not None else "未计分")
    last_row = 1 + len(rows)
    grid.put(last_row, 0, "总分", bold=True)
    grid.put(last_row, 1, raw_text(sum((r.weight or 0 for r in rows), 0)), bold=True)
    grid.put(last_row, 2, f"评价等次：{context['grade']}", bold=True, to=5)
    grid.put(last_row, 6, context["total"], bold=True)
    grid.add_to(doc)

    if context["evaluators"]:
        doc.add_paragraph()
        # python-docx's add_table widths: the type area shared evenly, no fixed layout
        width = Emu(doc._block_width // 4).twips
        grid = TableXml(2 + len(context["evaluators"]), [width] * 4, style_id(doc, "表格文字"),
                        style_id(doc, "Table Grid"), fixed=False, narrow=False)
        for c, label in enumerate(("评价人员", "职务/职称", "单位", "项目评分")):
            grid.put(0, c, label, bold=True)
        for k, e in enumerate(context["evaluators"], start=1):
            for c, key in enumerate(("name", "title", "unit", "score")):
                grid.put(k, c, e[key])
        end = 1 + len(context["evaluators"])
        grid.put(end, 0, "平均得分", bold=True, to=2)
        grid.put(end, 3, context["average"], bold=True)
        grid.add_to(doc)
