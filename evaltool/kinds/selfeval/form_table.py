"""The attached 附表 of a 自评表 report: the filled 项目支出绩效自评表 as a Word table, with the
computed 执行率, scores and 总分 in place (the same numbers the narrative states)."""
from __future__ import annotations

from docx.shared import Pt

from evaltool.core.decimals import fmt
from evaltool.core.model import FUND_ROWS, Project, ScoreResult
from evaltool.kinds.selfeval.context import build_context
from evaltool.report.context import raw_text
from evaltool.report.docx_writer import landscape_section
from evaltool.report.form_table import LEFT, heading, new_table, runs

# Column widths (mm) on the 225 mm landscape type area.
WIDTHS = (18, 18, 22, 45, 27, 27, 13, 21, 34)
FUND_LABELS = {"年度资金总额": "年度资金总额", "本年财政拨款": "其中：本年财政拨款",
               "上年结转资金": "上年结转资金", "其他资金": "其他资金"}


def form_places(project: Project) -> int:
    """Decimals of the form's 得分 cells (the rule set's, or the 设置 sheet's 小数位)."""
    from evaltool.core.errors import InputError
    from evaltool.workbook.evaluate import rule_set_for

    try:
        return rule_set_for(project).places
    except InputError:
        return 2


def write_form(doc, project: Project, result: ScoreResult, context: dict | None = None) -> None:
    ctx = context or build_context(project, result)
    landscape_section(doc)
    heading(doc, "附表", "项目支出绩效自评表", f"（{ctx['project']['year']}年度）")
    places = form_places(project)

    def form_score(value) -> str:
        """A score as its cell on the form shows it (number format 0.00 with the rule set's decimals)."""
        return "" if value is None else fmt(value, places)

    # Two tables drawn as one: the project part, then the indicators, whose header row repeats on
    # every page (w:tblHeader works only on a table's first rows).
    grid = new_table(doc, 9, WIDTHS)
    for r in range(9):
        grid.no_split(r)
    put = grid.put

    # Header
    put(0, 0, "项目名称", bold=True)
    put(0, 1, raw_text(project.name), align=LEFT, to=8)
    put(1, 0, "主管部门", bold=True)
    put(1, 1, raw_text(project.department), align=LEFT, to=4)
    put(1, 5, "实施单位", bold=True)
    put(1, 6, raw_text(project.unit), align=LEFT, to=8)

    # 项目资金（万元）
    r0 = 2
    put(r0, 0, "项目资金\n（万元）", bold=True, down=r0 + 4)
    put(r0, 1, "", to=2)
    for c, label in zip(range(3, 9), ("年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率\n（B/A）", "得分")):
        put(r0, c, label, bold=True)
    funds = ctx["funds"]
    for k, (label, view) in enumerate(zip(FUND_ROWS, funds["rows"])):
        r = r0 + 1 + k
        put(r, 1, FUND_LABELS[label], align=LEFT, to=2)
        put(r, 3, view.initial if view.has_initial else "")
        put(r, 4, view.budget)
        put(r, 5, view.actual)
        if label == "年度资金总额":
            put(r, 6, funds["rate_weight"])
            put(r, 7, funds["rate_form"])
            put(r, 8, form_score(result.rate_score) if result.rate_score is not None else funds["rate_score_form"])
        else:
            put(r, 6, "—")
            put(r, 7, "")
            put(r, 8, "")

    # 年度总体目标
    r0 = 7
    put(r0, 0, "年度总体目标", bold=True, down=r0 + 1)
    put(r0, 1, "预期目标", bold=True, to=4)
    put(r0, 5, "实际完成情况", bold=True, to=8)
    put(r0 + 1, 1, raw_text(project.goal_expected), align=LEFT, to=4)
    put(r0 + 1, 5, raw_text(project.goal_actual), align=LEFT, to=8)
    grid.add_to(doc)

    # A hairline paragraph keeps the two tables apart (adjacent tables are joined into one on import).
    gap = doc.add_paragraph()
    gap.paragraph_format.first_line_indent = Pt(0)
    gap.paragraph_format.space_before = gap.paragraph_format.space_after = Pt(0)
    gap.paragraph_format.line_spacing = Pt(1)
    gap.add_run().font.size = Pt(1)

    # 绩效指标: 一级/二级 merged vertically as on the paper form
    indicators = ctx["indicators"]
    grid = new_table(doc, 1 + len(indicators) + 1, WIDTHS)
    put = grid.put
    grid.no_split(0)
    grid.repeat_header(0)
    # 绩效指标 stays in the header row: a merged cell reaching into the body stops LibreOffice
    # from repeating the header; the body's first column is merged blank beside the indicators.
    put(0, 0, "绩效指标", bold=True)
    if indicators:
        put(1, 0, "", down=len(indicators))
    for c, label in enumerate(("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                               "偏差原因分析及改进措施"), start=1):
        put(0, c, label, bold=True)
    for first, last in runs([i.level1 for i in indicators]):
        put(1 + first, 1, indicators[first].level1, down=1 + last)
    for first, last in runs([(i.level1, i.level2) for i in indicators]):
        put(1 + first, 2, indicators[first].level2, down=1 + last)
    for k, i in enumerate(indicators):
        r = 1 + k
        if len(i.name) + len(i.deviation) < 120:
            grid.no_split(r)  # only a very long row may break across pages
        put(r, 3, i.name, align=LEFT)
        put(r, 4, i.target)
        put(r, 5, i.actual)
        put(r, 6, i.weight)
        put(r, 7, form_score(i.score_value) if i.scored else "未计分")
        put(r, 8, i.deviation, align=LEFT)

    # 总分
    r = 1 + len(indicators)
    grid.no_split(r)
    put(r, 0, "总分", bold=True, to=5)
    put(r, 6, ctx["total_weight"], bold=True)
    total = ctx["total_form"] if result.ungraded or result.total is None else form_score(result.total)
    put(r, 7, total, bold=True)
    # The rule set's 超额扣分 / 总分上限 under the grade, worded as the narrative words them.
    steps = "".join(f"\n{a.reason}" for a in result.adjustments)
    put(r, 8, f"评价等次：{ctx['grade']}" + (f"\n计分调整：{steps}" if steps else ""), bold=True)
    grid.add_to(doc)
