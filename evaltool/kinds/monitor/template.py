"""The 运行监控表 workbook, built by code (openpyxl): blank, or filled from a project.

Laid out as the published 项目支出绩效目标执行监控表 (财预〔2019〕136号附件): header fields, the 项目资金
block (年初预算数, 全年预算数, 1-N月执行数, 全年预计执行数, 执行进度, 时间进度, 预警), 年度总体目标,
and the 绩效指标 table (年度指标值, 1-N月实际完成值, 全年预计完成值, 完成可能性, 偏差原因, 纠偏措施,
预警). Where the published form has tick sub-columns, this one has drop-down lists (完成可能性,
偏差原因类别): one cell per choice reads and checks better; the reader takes both.
"""
from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from evaltool.core.model import Project
from evaltool.core.rules import load_rules
from evaltool.kinds.monitor import layout as M
from evaltool.kinds.monitor.rules import LIKELIHOODS, monitor_rules
from evaltool.workbook import layout as WL
from evaltool.workbook.cellvalue import put

DEFAULT_MONTH = 7  # the national 双监控 is made at the end of July
COLS = {"一级指标": 1, "二级指标": 2, "三级指标": 3, "年度指标值": 4, "实际完成值": 5, "全年预计完成值": 6,
        "完成可能性": 7, "偏差原因类别": 8, "偏差原因": 9, "纠偏措施": 10, "预警": 11}
HEADERS = {"偏差原因": "偏差原因说明"}
FUND_COLS = {"年初预算数": 3, "全年预算数": 4, "执行数": 5, "全年预计执行数": 6, "执行进度": 7, "时间进度": 8, "预警": 9}
WIDTHS = {"A": 10, "B": 14, "G": 11, "K": 7,
          **{chr(64 + COLS[k]): w for k, w in M.TEXT_WIDTHS.items()}}  # C-F, H-J hold the rows' texts
LAST = 11
ROW_YEAR, ROW_NAME, ROW_DEPT, ROW_FUND, ROW_GOAL = 2, 3, 4, 5, 10
ROW_IND = 12
LIGHT_FILLS = {"红": "FF9999", "黄": "FFEB9C", "绿": "C6EFCE"}
FOOTNOTE = (M.TEMPLATE_NOTE + "。"
            "2. 执行进度 = 1-N月执行数 ÷ 全年预算数，时间进度 = N ÷ 12（1-7月为 58.33%）；执行进度落后时间进度、"
            "全年预计完成值达不到年度指标值或完成可能性为“有可能”“完全不可能”时给出黄灯或红灯。"
            "3. 亮黄灯、红灯的指标必须选择偏差原因类别，写明偏差原因和纠偏措施；这些文字年终可带入自评表"
            "（evaltool new --monitor 本表）。")
HELP = (
    "运行监控表填表说明",
    "一、监控期间填写如“1-7月”；列标题中的“1-7月”随之生成。新建其他期间：evaltool new 文件名.xlsx "
    "--kind 运行监控表，再把监控期间和列标题改成“1-6月”“1-8月”等，evaltool 按标题读取。",
    "二、项目资金以万元为单位，只填数字。1-N月执行数填截至监控期末的累计执行数；全年预计执行数填预计到年底的执行数。",
    "三、每个三级指标一行：年度指标值照批复的绩效目标填写（如“≥1000条”），1-N月实际完成值填截至监控期末的完成情况，"
    "全年预计完成值填预计到年底的完成值，完成可能性从下拉列表选择确定能、有可能或完全不可能。",
    "四、完成可能性为“有可能”“完全不可能”，或全年预计完成值达不到年度指标值的指标，请选择偏差原因类别"
    "（经费保障、制度保障、人员保障、硬件条件保障、其他），写明偏差原因说明和纠偏措施。",
    "五、校验与计算：evaltool check 文件名（只校验）或 evaltool score 文件名（把执行进度、时间进度和红黄绿预警"
    "写回本表）。有问题的单元格标红或标黄并附批注，全部问题列在“校验结果”工作表中。",
    "六、汇总：财政局用 evaltool collect 文件夹 -o 汇总.xlsx 汇总各单位的监控表，“运行监控”工作表按预警列出每个项目。",
)

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
GREY = PatternFill("solid", start_color=WL.COLOR_COMPUTED, end_color=WL.COLOR_COMPUTED)
LABEL = PatternFill("solid", start_color=WL.COLOR_LABEL, end_color=WL.COLOR_LABEL)


def _cell(ws, r: int, c: int, value: Any = None, kind: str = "input", align: Alignment = CENTER, bold: bool = False):
    cell = ws.cell(r, c)
    if value is not None:
        put(cell, value)
    cell.font = Font(name=WL.FONT, size=10.5, bold=bold)
    cell.alignment = align
    cell.border = BORDER
    if kind == "computed":
        cell.fill = GREY
    elif kind == "label":
        cell.fill = LABEL
    return cell


def _merge(ws, r1: int, c1: int, r2: int, c2: int, value: Any = None, kind: str = "input", **kw) -> None:
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            _cell(ws, r, c, value if (r, c) == (r1, c1) else None, kind, **kw)
    if (r1, c1) != (r2, c2):
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def _list(ws, rng: str, items, title: str, prompt: str) -> None:
    dv = DataValidation(type="list", formula1='"' + ",".join(items) + '"', allow_blank=True)
    dv.promptTitle, dv.prompt, dv.showInputMessage = title[:32], prompt[:255], True
    dv.showErrorMessage, dv.errorStyle = True, "warning"  # a warning, not a stop: the check says more
    dv.errorTitle, dv.error = "请核对", "请从下拉列表中选择；其他写法 evaltool 校验时会提示。"
    dv.add(rng)
    ws.add_data_validation(dv)


def _rows(project: Project | None, rules) -> list[dict[str, Any]]:
    items = project.extra.get(M.ROWS_KEY) if project is not None else None
    if isinstance(items, list) and items:
        return [dict(i) for i in items if isinstance(i, dict)]
    rows: list[dict[str, Any]] = []
    for level1, level2s in rules.framework.items():
        for level2 in level2s:
            rows += [{"一级指标": level1, "二级指标": level2} for _ in range(WL.BLANK_ROWS.get(level2, 1))]
    return rows


def _runs(rows: list[dict[str, Any]], key: str, parent: str | None = None) -> list[tuple[int, int]]:
    """(first, last) index runs of rows sharing a 一级/二级 value (merged vertically, as printed)."""
    runs: list[tuple[int, int]] = []
    for i, row in enumerate(rows):
        same = (runs and row.get(key) and row.get(key) == rows[i - 1].get(key)
                and (parent is None or row.get(parent) == rows[i - 1].get(parent)))
        if same:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def build_sheet(wb: Workbook, project: Project | None, rules) -> None:
    mr = monitor_rules(rules)
    ws = wb.create_sheet(M.SHEET)
    month = M.period_month(project.extra.get(M.PERIOD_KEY)) if project is not None else None
    month = month or DEFAULT_MONTH
    period = f"1-{month}月"
    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width
    _merge(ws, 1, 1, 1, LAST, M.TITLE, kind="plain", bold=True)
    ws.cell(1, 1).font = Font(name=WL.TITLE_FONT, size=16, bold=True)
    for c in range(1, LAST + 1):
        ws.cell(1, c).border = Border()
    ws.row_dimensions[1].height = 32
    p = project
    _cell(ws, ROW_YEAR, 1, "年度", "label", bold=True)
    _cell(ws, ROW_YEAR, 2, p.year if p else None)
    _cell(ws, ROW_YEAR, 3, "监控期间", "label", bold=True)
    _merge(ws, ROW_YEAR, 4, ROW_YEAR, 5, period)
    _list(ws, "D2", [f"1-{m}月" for m in range(1, 13)], "监控期间", "监控截止月份，如 1-7月；列标题中的期间应与此一致。")
    _merge(ws, ROW_YEAR, 6, ROW_YEAR, 8, None, kind="plain")
    _merge(ws, ROW_YEAR, 9, ROW_YEAR, 10, "综合预警", "label", bold=True)
    _cell(ws, ROW_YEAR, 11, None, "computed")
    _cell(ws, ROW_NAME, 1, "项目名称", "label", bold=True)
    _merge(ws, ROW_NAME, 2, ROW_NAME, LAST, p.name if p else None, align=LEFT)
    _cell(ws, ROW_DEPT, 1, "主管部门", "label", bold=True)
    _merge(ws, ROW_DEPT, 2, ROW_DEPT, 5, p.department if p else None, align=LEFT)
    _cell(ws, ROW_DEPT, 6, "实施单位", "label", bold=True)
    _merge(ws, ROW_DEPT, 7, ROW_DEPT, LAST, p.unit if p else None, align=LEFT)

    # 项目资金
    funds = (p.extra.get(M.FUNDS_KEY) if p else None) or {}
    _merge(ws, ROW_FUND, 1, ROW_FUND + 4, 1, "项目资金（万元）", "label", bold=True)
    _cell(ws, ROW_FUND, 2, None, "label")
    for name, c in FUND_COLS.items():
        text = f"{period}执行数" if name == "执行数" else name
        if name == "预警":
            _merge(ws, ROW_FUND, c, ROW_FUND, LAST, text, "label", bold=True)
        else:
            _cell(ws, ROW_FUND, c, text, "label", bold=True)
    for i, label in enumerate(M.FUND_ROWS):
        r = ROW_FUND + 1 + i
        _cell(ws, r, 2, label if i == 0 else f"其中：{label}", "label", align=LEFT)
        row = funds.get(label) or {}
        for name in M.FUND_INPUTS:
            _cell(ws, r, FUND_COLS[name], row.get(name)).number_format = "#,##0.00"
        for name in M.FUND_OUTPUTS:
            c = FUND_COLS[name]
            if name == "预警":
                _merge(ws, r, c, r, LAST, None, "computed")
            else:
                _cell(ws, r, c, None, "computed").number_format = "0.00%"
    # 年度总体目标
    goals = (p.extra.get(M.GOALS_KEY) if p else None) or {}
    _merge(ws, ROW_GOAL, 1, ROW_GOAL + 1, 1, "年度总体目标", "label", bold=True)
    for i, name in enumerate(M.GOAL_FIELDS):
        r = ROW_GOAL + i
        _cell(ws, r, 2, name if i == 0 else f"{period}{name}", "label", bold=True)
        _merge(ws, r, 3, r, LAST, goals.get(name), align=LEFT)
        ws.row_dimensions[r].height = 45
    # 绩效指标
    for name, c in COLS.items():
        text = f"{period}{name}" if name == "实际完成值" else HEADERS.get(name, name)
        _cell(ws, ROW_IND, c, text, "label", bold=True)
    ws.row_dimensions[ROW_IND].height = 30
    rows = _rows(p, rules)
    first = ROW_IND + 1
    for i, item in enumerate(rows):
        r = first + i
        for name, c in COLS.items():
            if name == "预警":
                _cell(ws, r, c, None, "computed")
            elif name in ("一级指标", "二级指标"):
                continue
            else:
                _cell(ws, r, c, item.get(name), align=LEFT if name in ("偏差原因", "纠偏措施", "三级指标") else CENTER)
        ws.row_dimensions[r].height = M.row_height(item)
    for key, parent in (("一级指标", None), ("二级指标", "一级指标")):
        for a, b in _runs(rows, key, parent):
            _merge(ws, first + a, COLS[key], first + b, COLS[key], rows[a].get(key))
    last = first + max(len(rows), 1) - 1
    _list(ws, f"G{first}:G{last + 50}", LIKELIHOODS, "完成可能性", "全年目标能否完成：确定能、有可能、完全不可能。")
    _list(ws, f"H{first}:H{last + 50}", mr.categories, "偏差原因类别",
          "有可能或完全不可能完成、预计达不到指标值时必选，具体情况写在偏差原因说明中。")
    foot = last + 1
    _merge(ws, foot, 1, foot, LAST, FOOTNOTE, kind="plain", align=LEFT)
    ws.row_dimensions[foot].height = 62
    ws.cell(foot + 1, 1, "填报人：")
    ws.cell(foot + 1, 5, "联系电话：")
    ws.cell(foot + 1, 9, "填报日期：")
    for rng in (f"K{ROW_YEAR}", f"I{ROW_FUND + 1}", f"K{first}:K{last + 50}"):
        for light, color in LIGHT_FILLS.items():
            ws.conditional_formatting.add(rng, CellIsRule(operator="equal", formula=[f'"{light}"'],
                                                          fill=PatternFill("solid", start_color=color, end_color=color)))
    from evaltool.workbook import paper

    paper.print_setup(ws, f"A1:K{foot + 1}", landscape=True, title_rows=f"{ROW_IND}:{ROW_IND}")


def build_workbook(project: Project | None, rules: str | None) -> Workbook:
    rule_set = load_rules(rules or (project.rules if project else None))
    wb = Workbook()
    wb.remove(wb.active)
    build_sheet(wb, project, rule_set)
    ws = wb.create_sheet(WL.SHEET_SETTINGS)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 14, 24
    ws["A1"], ws["A2"] = WL.SETTINGS_TITLE, WL.L_RULES
    put(ws["B2"], rules or (project.rules if project else None) or rule_set.id)
    ws["C2"] = "执行进度、预警的阈值按此规则集的“运行监控”一节。"
    help_ws = wb.create_sheet(WL.SHEET_HELP)
    help_ws.column_dimensions["A"].width = 90
    for i, text in enumerate(HELP, start=1):
        cell = help_ws.cell(i, 1, text)
        cell.alignment = LEFT
        cell.font = Font(name=WL.TITLE_FONT if i == 1 else WL.FONT, size=16 if i == 1 else 11, bold=i == 1)
        help_ws.row_dimensions[i].height = 30 if i == 1 else 45
    wb.active = 0
    props = wb.properties
    props.creator = props.lastModifiedBy = "evaltool"
    props.title = M.TITLE
    return wb
