"""Builds the 自评表 workbook with openpyxl: the blank template, or one pre-filled from a project
(the sheet helpers and the shared sheets are workbook/template.py's)."""
from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from evaltool.core.decimals import plain_number as _plain
from evaltool.core.model import FUND_COLUMN_ATTR, FUND_ROWS, Project
from evaltool.core.seam import col_letter
from evaltool.kinds.selfeval import layout as SL
from evaltool.workbook import layout as L
from evaltool.workbook import paper
from evaltool.workbook.template import text_row
from evaltool.workbook.template import (CENTER, FIXED_TIME, LEFT, TOPLEFT, Sheet, add_validation, build_basic, build_help,
                                        build_report, build_settings, cell_font, list_validation, protect_sheet, rich_runs, wrapped_row_height)

# Positions live in layout.py with the labels; short aliases for the builder.
# Positions live in layout.py with the labels; short aliases for the builder.
WIDTHS = SL.FORM_WIDTHS


IND_COLS = SL.FORM_IND_COLS


FUND_COLS = SL.FORM_FUND_COLS


FUND_SELF_COL = SL.FORM_FUND_SELF_COL


LAST_COL = SL.FORM_LAST_COL


BLANK_ROWS = L.BLANK_ROWS


def _groups(project: Project | None, rules) -> list[dict[str, Any]]:
    """Indicator rows to lay out: the project's, or the blank template's pre-grouped rows."""
    rows: list[dict[str, Any]] = []
    if project is not None and project.indicators:
        for ind in project.indicators:
            rows.append({"一级指标": ind.level1, "二级指标": ind.level2, "三级指标": ind.level3,
                         "年度指标值": ind.target, "实际完成值": ind.actual, "分值": ind.weight,
                         "自评得分": ind.entered_score, "偏差原因分析及改进措施": ind.deviation})
        return rows
    for l1, l2s in rules.framework.items():
        for l2 in l2s:
            for _ in range(BLANK_ROWS.get(l2, 1)):
                rows.append({"一级指标": l1, "二级指标": l2})
    return rows


def build_form(wb: Workbook, project: Project | None, rules, title: str = L.SHEET_FORM) -> Worksheet:
    ws = wb.create_sheet(title)
    s = Sheet(ws)
    for letter, width in WIDTHS.items():
        ws.column_dimensions[letter].width = width
    # Title and year.
    s.merge(1, 1, 1, LAST_COL, L.TITLE, kind="label", border=False)
    ws.cell(1, 1).font = cell_font(20, bold=True, name=L.TITLE_FONT)
    for c in range(1, LAST_COL + 1):
        ws.cell(1, c).fill = PatternFill()
    ws.row_dimensions[1].height = 36
    # Blank: a visible placeholder the clerk types over; 2023 then shows as "（2023年度）".
    year = project.year if project and project.year is not None else L.YEAR_PLACEHOLDER
    s.merge(2, 1, 2, LAST_COL, year, kind="input", border=False,
            fmt='"（"0"年度）"')
    ws.cell(2, 1).font = cell_font(12)
    ws.row_dimensions[2].height = 22
    # Header.
    s.merge(3, 1, 3, 2, L.L_NAME, kind="label", bold=True)
    s.merge(3, 3, 3, LAST_COL, project.name if project else None, kind="input", align=LEFT)
    s.merge(4, 1, 4, 2, L.L_DEPT, kind="label", bold=True)
    s.merge(4, 3, 4, 5, project.department if project else None, kind="input", align=LEFT)
    s.cell(4, 6, L.L_UNIT, kind="label", bold=True)
    s.merge(4, 7, 4, LAST_COL, project.unit if project else None, kind="input", align=LEFT)
    for r in (3, 4):
        ws.row_dimensions[r].height = 24
    # 项目资金（万元）.
    top = 5
    s.merge(top, 1, top + 4, 1, L.L_FUNDS, kind="label", bold=True)
    s.merge(top, 2, top, 3, None, kind="label")
    for key, col in FUND_COLS.items():
        s.cell(top, col, SL.FUND_HEADERS[key], kind="label", bold=True)
    s.cell(top, FUND_SELF_COL, SL.FUND_SELF_HEADER, kind="label", bold=True)
    ws.row_dimensions[top].height = 30
    for i, label in enumerate(FUND_ROWS):
        r = top + 1 + i
        row = project.funds.get(label) if project else None
        s.merge(r, 2, r, 3, SL.FUND_ROW_LABELS[label], kind="label", align=LEFT if i else CENTER, bold=i == 0)
        for key, attr in FUND_COLUMN_ATTR.items():
            s.cell(r, FUND_COLS[key], getattr(row, attr) if row else None, kind="input")
        if i == 0:
            weight = project.fund_weight if project and project.fund_weight is not None else rules.rate_weight
            s.cell(r, FUND_COLS["分值"], weight, kind="input")
            s.cell(r, FUND_COLS["执行率"], None, kind="computed", fmt="0.00%")
            s.cell(r, FUND_COLS["得分"], None, kind="computed", fmt=_score_fmt(rules))
            s.cell(r, FUND_SELF_COL, row.entered_score if row else None, kind="input")
        else:
            s.cell(r, FUND_COLS["分值"], "—", kind="dead")
            s.cell(r, FUND_COLS["执行率"], None, kind="dead")
            s.cell(r, FUND_COLS["得分"], None, kind="dead")
        ws.row_dimensions[r].height = 20
    # 年度总体目标.
    g = top + 5
    s.merge(g, 1, g + 1, 1, L.L_GOALS, kind="label", bold=True)
    s.merge(g, 2, g, 5, L.L_GOAL_EXPECTED, kind="label", bold=True)
    s.merge(g, 6, g, LAST_COL, L.L_GOAL_ACTUAL, kind="label", bold=True)
    exp = project.goal_expected if project else None
    act = project.goal_actual if project else None
    s.merge(g + 1, 2, g + 1, 5, exp, kind="input", align=TOPLEFT)
    s.merge(g + 1, 6, g + 1, LAST_COL, act, kind="input", align=TOPLEFT)
    ws.row_dimensions[g].height = 20
    ws.row_dimensions[g + 1].height = wrapped_row_height([(exp, SL.FORM_GOAL_WIDTHS[0]), (act, SL.FORM_GOAL_WIDTHS[1])],
                                                  SL.FORM_GOAL_ROW_PT)
    # 绩效指标 table.
    h = g + 2
    rows = _groups(project, rules)
    first, last = h + 1, h + len(rows)
    s.merge(h, 1, max(last, h), 1, L.L_INDICATORS, kind="label", bold=True)
    for key, col in IND_COLS.items():
        s.cell(h, col, L.IND_HEADERS[key], kind="label", bold=True)
    ws.row_dimensions[h].height = 30
    for n, data in enumerate(rows):
        r = first + n
        for key in ("三级指标", "年度指标值", "实际完成值", "分值", "偏差原因分析及改进措施", "自评得分"):
            align = LEFT if key in ("三级指标", "偏差原因分析及改进措施") else CENTER
            # Text format: "=7个" typed into a target stays text instead of becoming a formula (#NAME?).
            text = "@" if key in ("年度指标值", "实际完成值") else None
            s.cell(r, IND_COLS[key], data.get(key), kind="input", align=align, fmt=text)
        s.cell(r, IND_COLS["得分"], None, kind="computed", fmt=_score_fmt(rules))
        ws.row_dimensions[r].height = wrapped_row_height(
            [(data.get(key), WIDTHS[col_letter(IND_COLS[key])]) for key in
             ("三级指标", "年度指标值", "实际完成值", "偏差原因分析及改进措施")], SL.FORM_INDICATOR_ROW_PT)
    heights = paper.fit_groups([ws.row_dimensions[first + n].height for n in range(len(rows))],
                               [(d.get("一级指标"), d.get("二级指标")) for d in rows], [d.get("二级指标") for d in rows],
                               WIDTHS[col_letter(IND_COLS["二级指标"])])
    heights = paper.fit_groups(heights, [d.get("一级指标") for d in rows], [d.get("一级指标") for d in rows],
                               WIDTHS[col_letter(IND_COLS["一级指标"])])
    for n, height in enumerate(heights):
        ws.row_dimensions[first + n].height = height
    for key, keys in (("一级指标", ("一级指标",)), ("二级指标", ("一级指标", "二级指标"))):
        for a, b in rich_runs(rows, keys):
            s.merge(first + a, IND_COLS[key], first + b, IND_COLS[key], rows[a].get(key), kind="input")
    # 总分, 等次, 小计.
    t = last + 1
    s.merge(t, 1, t, 6, L.L_TOTAL, kind="label", bold=True)
    s.cell(t, 7, None, kind="computed", bold=True)
    s.cell(t, 8, None, kind="computed", bold=True, fmt=_score_fmt(rules))
    s.cell(t, 9, None, kind="dead")
    s.merge(t + 1, 1, t + 1, 6, L.L_GRADE, kind="label", bold=True)
    s.merge(t + 1, 7, t + 1, 8, None, kind="computed", bold=True)
    s.cell(t + 1, 9, None, kind="dead")
    s.merge(t + 2, 1, t + 2, 3, L.L_SUBTOTALS, kind="label", bold=True)
    s.merge(t + 2, 4, t + 2, LAST_COL, None, kind="computed", align=LEFT)
    for r in (t, t + 1, t + 2):
        ws.row_dimensions[r].height = 22
    text_row(ws, t + 3, LAST_COL, SL.FOOTNOTE, 30)
    # Typing aids.
    add_validation(ws, "A2", type_="whole", operator="between", formula1="1990", formula2="2100",
                title="年度", prompt="填写四位年份，例如 2023，显示为“（2023年度）”。")
    add_validation(ws, "C3", type_="any", title="项目名称", prompt="与预算批复一致的项目全称。")
    budget_rng = f"D{top + 1}:F{top + 4}"
    add_validation(ws, budget_rng, type_="any", title="项目资金（万元）",
                prompt="以万元为单位填写数字，如 35 或 34.5。年度资金总额应等于下面三行之和。")
    add_validation(ws, f"G{top + 1}", type_="any", title="执行率分值",
                prompt=f"预算执行率的分值，{rules.name}为 {_plain(rules.rate_weight)} 分。")
    if rows:
        def rng(key: str) -> str:
            letter = col_letter(IND_COLS[key])
            return f"{letter}{first}:{letter}{last}"

        add_validation(ws, rng("一级指标"), formula1=list_validation(rules.level1_weights), title="一级指标",
                    prompt="从下拉列表中选择。", strict=False)
        level2 = [x for xs in rules.framework.values() for x in xs]
        add_validation(ws, rng("二级指标"), formula1=list_validation(level2), title="二级指标", prompt="从下拉列表中选择。")
        add_validation(ws, rng("年度指标值"), type_="any", title="年度指标值",
                    prompt="写明方向和单位：≥1000条、≤1天、=100%、2023年12月31日前；定性指标写“持续推动”等。")
        add_validation(ws, rng("实际完成值"), formula1=list_validation(L.GRADE_CHOICES), title="实际完成值",
                    prompt="定量指标填实际数值和单位（如 1062条、93%）；定性指标从下拉列表选择评价等级。")
        add_validation(ws, rng("分值"), type_="any", title="分值", prompt="本指标的分值（数字）。同一一级指标下分值之和应等于该一级指标的分值。")
        add_validation(ws, rng("偏差原因分析及改进措施"), type_="any", title="偏差原因",
                    prompt="得分低于分值时必须填写未完成原因和改进措施。")
        add_validation(ws, rng("自评得分"), type_="decimal", operator="greaterThanOrEqual", formula1="0",
                    title="自评得分", strict=True,
                    prompt="仅定性指标可填：在所选评价等级的区间内自评得分；不填则取区间上限。定量指标不填，由 evaltool 计算。")
    # Freeze the title rows; print A4 landscape, one page wide, the indicator header row repeated,
    # pages broken between 一级 blocks.
    ws.freeze_panes = "A3"
    paper.paginate(ws, h, IND_COLS["一级指标"], LAST_COL, level2_col=IND_COLS["二级指标"])
    protect_sheet(ws)
    return ws


def _score_fmt(rules) -> str:
    return "0" if rules.places == 0 else "0." + "0" * rules.places


HELP_LINES = (
    ("填表说明", True),
    ("一、本工作簿是《项目支出绩效自评表》的标准模板，可在 Excel、WPS 和 LibreOffice 中直接填写，无需安装插件或启用宏。", False),
    ("二、白色单元格由填报单位填写；浅灰色单元格（执行率、得分、总分、评价等次、得分小计）由 evaltool 计分后自动填写，已锁定，请勿改动。"
     "工作表保护没有密码，如确需调整格式，可在“审阅 → 撤销工作表保护”后修改。", False),
    ("三、年度：填写四位年份（如 2023），标题下方显示为“（2023年度）”。", False),
    ("四、项目资金以万元为单位，只填数字（写成“35 万元”也能识别）。年度资金总额应等于本年财政拨款、上年结转资金、其他资金之和；"
     "执行率 = 全年执行数（B）÷ 全年预算数（A），执行率得分按“设置”中的规则集计算。", False),
    ("五、绩效指标：每个三级指标占一行。一级、二级指标单元格已按常用指标体系合并，可从下拉列表选择或改写。"
     "需要更多行时，在同一二级指标的行中间右键“插入”整行即可（合并单元格会随之扩展）；一级、二级指标留空的行沿用上一行。"
     "没有填写三级指标、指标值和分值的空行不参与计分，可以保留或删除。", False),
    ("六、年度指标值写明方向和单位，例如“≥1000条”“≤1天”“=100%”“2023年12月31日前”；实际完成值填写实际数值和单位，例如“1062条”“93%”。"
     "全角字符、空格、“以上”“不低于”等写法都能识别。", False),
    ("七、定性指标（年度指标值为“持续推动”“显著”“定性”等）：实际完成值从下拉列表选择评价等级——达成预期指标（分值的 80%–100%）、"
     "部分达成预期指标并具有一定效果（60%–80%）、未达成预期指标且效果较差（60% 以下）。"
     "如需自评具体分数，填在最右侧“自评得分（定性指标可填）”列，evaltool 会检查分数是否在所选等级的区间内；不填则按区间上限计分。"
     "该列不打印，得分列显示最终得分。定量指标的得分一律由 evaltool 计算，不必填写。", False),
    ("八、得分低于分值的指标，必须在“偏差原因分析及改进措施”中说明原因和改进措施。", False),
    ("九、“报告素材”工作表中的文字用于生成绩效评价报告；“项目基本信息”工作表按需填写；“设置”工作表选择规则集和小数位。", False),
    ("十、校验与计分：在命令行运行 evaltool check 文件名（只校验）或 evaltool score 文件名（计分并把结果写回本工作簿）。"
     "有问题的单元格会标红（错误）或标黄（警告）并附批注，全部问题列在“校验结果”工作表中，点击单元格地址可直接跳转。"
     "改正后再次计分，已改正单元格的标记会自动清除。evaltool 不会改动您填写的任何内容。", False),
    ("十一、打印：自评表已设置为 A4 横向、缩放为一页宽；表格跨页时每页重复指标表头行（一级指标、二级指标……），分页尽量不拆开同一个一级指标；计分时行高随三级指标、偏差原因等文字自动加高，打印不会截断。", False),
)


# ---- whole workbook -------------------------------------------------------------------------------------
def build_workbook(project: Project | None = None, rules: str | None = None) -> Workbook:
    """The template (project None) or a workbook pre-filled from a project (evaltool new --from)."""
    from openpyxl.packaging.custom import StringProperty

    from evaltool.core.rules import load_rules

    rule_set = load_rules(rules or (project.rules if project else None))
    wb = Workbook()
    wb.remove(wb.active)
    build_form(wb, project, rule_set)
    build_report(wb, project)
    build_basic(wb, project)
    build_settings(wb, rules or (project.rules if project else None) or rule_set.id, rule_set)
    build_help(wb, HELP_LINES)
    wb.active = 0
    wb.defined_names[L.VERSION_NAME] = DefinedName(L.VERSION_NAME, attr_text=str(L.TEMPLATE_VERSION))
    wb.custom_doc_props.append(StringProperty(name=L.VERSION_NAME, value=str(L.TEMPLATE_VERSION)))
    props = wb.properties
    props.creator = props.lastModifiedBy = "evaltool"
    props.title = L.TITLE
    props.created = props.modified = FIXED_TIME
    return wb
