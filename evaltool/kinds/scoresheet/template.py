"""Builds the 评分表 workbook with openpyxl (blank from a framework, or pre-filled from a project).

Uses the 自评表 builder's cell helpers, print setup and the shared 报告素材/设置 sheets, so both
workbooks look, print and protect alike.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from evaltool.core.model import Project
from evaltool.core.rules import RuleSet, load_rules
from evaltool.kinds.scoresheet import layout as S
from evaltool.kinds.scoresheet.framework import Framework, sheet_rules
from evaltool.kinds.scoresheet.model import TIERS
from evaltool.workbook import layout as WL
from evaltool.workbook.cellvalue import put
from evaltool.core.fileio import atomic_write_bytes
from evaltool.workbook.template import text_row
from evaltool.workbook.template import build_help as build_sheet_help
from evaltool.workbook.template import (
    CENTER, FIXED_TIME, LEFT, TOPLEFT, Sheet, cell_font, list_validation, print_setup, protect_sheet, wrapped_row_height, rich_runs,
    add_validation, build_report, build_settings, deterministic_bytes,
)

COLS = {"一级指标": 1, "一级分值": 2, "二级指标": 3, "二级分值": 4, "三级指标": 5, "分值": 6, "得分": 7,
        "评分依据": 8, "计分说明": 9}
WIDTHS = {"A": 11, "B": 6, "C": 12, "D": 6, "E": 16, "F": 6.5, "G": 7.5, "H": 30, "I": 36}
LAST = 9
BLANK_EVALUATORS = 5
BLANK_TARGETS = 4
HELP = (
    ("评分表填表说明", True),
    ("一、“评分表”工作表：先填项目名称、单位、年度和资金情况（万元）。资金到位率 = 实际到位资金 ÷ 计划投资额，"
     "资金使用率（预算执行率）= 实际使用情况 ÷ 实际到位资金，由 evaltool 计算。", False),
    ("二、绩效评价指标评分：每个三级指标一行，填写分值、得分和评分依据。各三级指标分值之和应等于一级指标分值，"
     "合计 100 分。得分不能超过分值；扣分的指标请在评分依据中写明理由。", False),
    ("三、公式指标（如“到位率”“资金到位率”“预算执行率”）的得分可不填，evaltool 按比率计算；评价人员另有判断时可填写，"
     "evaltool 会提示与计算值不同。", False),
    ("四、评价人员：每位评价人员填写对项目的总评分。平均得分由 evaltool 计算，并与评分表总分核对，"
     "相差超过规则集允许的分数时标红。评价等次按平均得分确定（90 分及以上为优，80–90 良，60–80 中，60 以下差）。", False),
    ("五、“绩效目标表”：优、良、中、差四档标准照预算批复填写（如 1000条、700条、500条、300条，或 10%、14%、18%、18%以上），"
     "再填实际完成值，evaltool 自动判断越多越好还是越少越好，并给出达到的等级。", False),
    ("六、校验与计分：运行 evaltool score 文件名。有问题的单元格标红（错误）或标黄（警告）并附批注；"
     "evaltool 只填写浅灰色单元格，不改动您填写的内容。", False),
)


def _groups(project: Project | None, fw: Framework) -> list[dict[str, Any]]:
    rows = project.extra.get("评分指标") if project is not None else None
    if isinstance(rows, list) and rows:
        return [dict(r) for r in rows if isinstance(r, dict)]
    return fw.default_rows()


def build_scores(wb: Workbook, project: Project | None, rules: RuleSet, fw: Framework) -> Worksheet:
    ws = wb.create_sheet(S.SHEET_SCORES)
    s = Sheet(ws)
    for letter, width in WIDTHS.items():
        ws.column_dimensions[letter].width = width
    p = project
    info = p.basic_info if p else {}
    s.merge(1, 1, 1, LAST, S.TITLE_SCORES, kind="label", border=False)
    ws.cell(1, 1).font = cell_font(18, bold=True, name=WL.TITLE_FONT)
    for c in range(1, LAST + 1):
        ws.cell(1, c).fill = PatternFill()
    ws.row_dimensions[1].height = 34
    s.merge(2, 1, 2, 2, S.L_NAME, bold=True)
    s.merge(2, 3, 2, 6, p.name if p else None, kind="input", align=LEFT)
    s.cell(2, 7, S.L_YEAR, bold=True)
    s.merge(2, 8, 2, 9, p.year if p else None, kind="input", align=LEFT)
    s.merge(3, 1, 3, 2, S.L_DEPT, bold=True)
    s.merge(3, 3, 3, 6, p.department if p else None, kind="input", align=LEFT)
    s.cell(3, 7, S.L_UNIT, bold=True)
    s.merge(3, 8, 3, 9, p.unit if p else None, kind="input", align=LEFT)
    s.merge(4, 1, 4, LAST, S.SEC_BASIC, bold=True, align=LEFT)
    pairs = (("计划投资额", "资金到位率"), ("实际到位资金", "资金使用率"), ("实际使用情况", S.L_TYPE))
    for i, (fund, right) in enumerate(pairs):
        r = 5 + i
        s.merge(r, 1, r, 3, S.FUND_LABELS[fund], bold=True)
        s.merge(r, 4, r, 5, info.get(fund), kind="input")
        if right == S.L_TYPE:
            s.merge(r, 6, r, 7, S.L_TYPE, bold=True)
            s.merge(r, 8, r, 9, info.get(S.L_TYPE), kind="input")
            add_validation(ws, f"H{r}", formula1=list_validation(WL.PROJECT_TYPES), title="项目类型", prompt="从下拉列表中选择。")
        else:
            s.merge(r, 6, r, 7, S.RATE_LABELS[right], bold=True)
            s.merge(r, 8, r, 9, None, kind="computed", fmt="0.00%")
    named = info.get("资金来源")
    sources: dict[str, Any] = named if isinstance(named, dict) else {}
    s.merge(8, 1, 9, 3, S.L_SOURCES, bold=True)
    for i, label in enumerate(S.SOURCE_LABELS):
        r, column = 8 + i // 2, i % 2  # two sources a row: the left pair, then the right
        if column:
            s.cell(r, 8, label, bold=True)
            s.cell(r, 9, sources.get(label), kind="input")
        else:
            s.merge(r, 4, r, 5, label, bold=True)
            s.merge(r, 6, r, 7, sources.get(label), kind="input")
    add_validation(ws, "D5:D7", type_="any", title="资金（万元）", prompt="以万元为单位填写数字，如 195.01。")
    for r in range(2, 10):
        ws.row_dimensions[r].height = 30 if r == 6 else 22  # row 6: the two-line 资金使用率（预算执行率）

    s.merge(10, 1, 10, LAST, f"{S.SEC_SCORES}（框架：{fw.name}）", bold=True, align=LEFT)
    h = 11
    for key, col in COLS.items():
        s.cell(h, col, S.SCORE_HEADERS[key], bold=True)
    ws.row_dimensions[h].height = 24
    rows = _groups(project, fw)
    first = h + 1
    last = h + len(rows)
    for n, data in enumerate(rows):
        r = first + n
        s.cell(r, COLS["三级指标"], data.get("三级指标"), kind="input", align=LEFT)
        s.cell(r, COLS["分值"], data.get("分值"), kind="input")
        s.cell(r, COLS["得分"], data.get("得分"), kind="input", fmt="General")
        s.cell(r, COLS["评分依据"], data.get("评分依据"), kind="input", align=TOPLEFT)
        s.cell(r, COLS["计分说明"], None, kind="computed", align=LEFT)
        # formula rows get room for the 计分说明 evaltool writes (rate, computed score)
        ws.row_dimensions[r].height = wrapped_row_height([(data.get("评分依据"), 28), (data.get("三级指标"), 15)],
                                                  40 if fw.formula_of(data.get("三级指标")) else 22)
    for key, weight_key, keys in (("一级指标", "一级分值", ("一级指标",)), ("二级指标", "二级分值", ("一级指标", "二级指标"))):
        for a, b in rich_runs(rows, keys):
            s.merge(first + a, COLS[key], first + b, COLS[key], rows[a].get(key), kind="input")
            s.merge(first + a, COLS[weight_key], first + b, COLS[weight_key], None, kind="computed")
    t = last + 1
    s.cell(t, 1, S.L_TOTAL, bold=True)
    for key in ("一级分值", "二级分值", "分值", "得分"):
        s.cell(t, COLS[key], None, kind="computed", bold=True)
    for key in ("二级指标", "三级指标"):
        s.cell(t, COLS[key], None, kind="dead")
    s.merge(t, 8, t, 9, None, kind="dead")
    s.cell(t + 1, 1, S.L_GRADE, bold=True)
    s.merge(t + 1, 2, t + 1, LAST, None, kind="computed", bold=True, align=LEFT)
    s.cell(t + 2, 1, S.L_SUBTOTALS, bold=True)
    s.merge(t + 2, 2, t + 2, LAST, None, kind="computed", align=LEFT)
    for r in (t, t + 1, t + 2):
        ws.row_dimensions[r].height = 22
    if rows:
        def rng(key: str) -> str:
            return f"{chr(64 + COLS[key])}{first}:{chr(64 + COLS[key])}{last}"

        add_validation(ws, rng("一级指标"), formula1=list_validation(fw.level1), title="一级指标", prompt="从下拉列表中选择或改写。")
        add_validation(ws, rng("分值"), type_="decimal", operator="greaterThanOrEqual", formula1="0", strict=True,
                    title="分值", prompt="本三级指标的分值；同一一级指标下的分值之和应等于该一级指标的分值。")
        add_validation(ws, rng("得分"), type_="decimal", operator="greaterThanOrEqual", formula1="0", strict=True,
                    title="得分", prompt="0 到分值之间的分数。公式指标（到位率、预算执行率）可不填，由 evaltool 计算。")
        add_validation(ws, rng("评分依据"), type_="any", title="评分依据", prompt="扣分的指标请写明扣分理由。")

    # 三、评价人员
    e = t + 3
    s.merge(e, 1, e, LAST, S.SEC_PEOPLE, bold=True, align=LEFT)
    ph = e + 1
    spans = {"姓名": (1, 2), "职务": (3, 4), "单位": (5, 6), "项目评分": (7, 7), "签字": (8, 9)}
    for key, (c1, c2) in spans.items():
        s.merge(ph, c1, ph, c2, S.PEOPLE_HEADERS[key], bold=True)
    people = list(project.extra.get("评价人员") or []) if project else []
    count = max(len(people), 3) if people else BLANK_EVALUATORS
    for i in range(count):
        r = ph + 1 + i
        item = people[i] if i < len(people) and isinstance(people[i], dict) else {}
        for key, (c1, c2) in spans.items():
            s.merge(r, c1, r, c2, item.get(key), kind="input", align=CENTER)
        ws.row_dimensions[r].height = 24
    a = ph + 1 + count
    s.merge(a, 1, a, 2, "合计", bold=True)
    s.merge(a, 3, a, 4, None, kind="dead")
    s.merge(a, 5, a, 6, S.L_AVERAGE, bold=True)
    s.cell(a, 7, None, kind="computed", bold=True)
    s.merge(a, 8, a, 9, None, kind="dead")
    add_validation(ws, f"G{ph + 1}:G{a - 1}", type_="decimal", operator="between", formula1="0",
                formula2=str(int(fw.total_weight)), strict=True, title="项目评分",
                prompt="该评价人员对项目的总评分（0–100）。")
    text_row(ws, a + 1, LAST, S.FOOTNOTE, 42)
    text_row(ws, a + 2, LAST, "评价工作组组长（签字并单位盖章）：                                        年    月    日", 36,
             note=False)
    ws.freeze_panes = ws.cell(h + 1, 1)
    print_setup(ws, f"A1:I{a + 2}", landscape=False, title_rows=f"{h}:{h}")
    ws.page_setup.fitToHeight = 1 if len(rows) <= 40 else 0  # the seed's table is one signed page
    protect_sheet(ws)
    return ws


def build_targets(wb: Workbook, project: Project | None) -> Worksheet:
    ws = wb.create_sheet(S.SHEET_TARGETS)
    s = Sheet(ws)
    widths = {"A": 10, "B": 14, "C": 30, "D": 9, "E": 9, "F": 9, "G": 9, "H": 11, "I": 6, "J": 9, "K": 34}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    last = 11
    s.merge(1, 1, 1, last, S.TITLE_TARGETS, border=False)
    ws.cell(1, 1).font = cell_font(18, bold=True, name=WL.TITLE_FONT)
    for c in range(1, last + 1):
        ws.cell(1, c).fill = PatternFill()
    ws.row_dimensions[1].height = 34
    s.merge(2, 1, 2, 2, S.L_NAME, bold=True)
    s.merge(2, 3, 2, last, project.name if project else None, kind="input", align=LEFT)
    for key, col in (("指标类型", 1), ("指标名称", 2), ("绩效目标", 3)):
        s.merge(3, col, 4, col, S.TARGET_HEADERS[key], bold=True)
    s.merge(3, 4, 3, 7, "绩效标准", bold=True)
    for i, tier in enumerate(TIERS):
        s.cell(4, 4 + i, tier, bold=True)
    for key, col in (("实际完成值", 8), ("分值", 9), ("达到等级", 10), ("说明", 11)):
        s.merge(3, col, 4, col, S.TARGET_HEADERS[key], bold=True)
    items = list(project.extra.get("绩效目标表") or []) if project else []
    count = len(items) if items else BLANK_TARGETS
    for i in range(count):
        r = 5 + i
        item = items[i] if i < len(items) and isinstance(items[i], dict) else {}
        for key, col in (("指标类型", 1), ("指标名称", 2), ("绩效目标", 3), ("优", 4), ("良", 5), ("中", 6),
                         ("差", 7), ("实际完成值", 8), ("分值", 9)):
            s.cell(r, col, item.get(key), kind="input", align=TOPLEFT if key == "绩效目标" else CENTER)
        s.cell(r, 10, None, kind="computed")
        s.cell(r, 11, None, kind="computed", align=LEFT)
        ws.row_dimensions[r].height = wrapped_row_height([(item.get("绩效目标"), 28)], 30)
    end = 5 + count
    add_validation(ws, f"A5:A{end - 1}", formula1=list_validation(("产出指标", "成效指标", "效益指标", "满意度指标")),
                title="指标类型", prompt="从下拉列表中选择或改写。")
    add_validation(ws, f"D5:G{end - 1}", type_="any", title="绩效标准",
                prompt="越多越好的指标填各档下限（如 1000条、700条），越少越好的填上限（如 10%、14%）；差档可写“18%以上”。")
    add_validation(ws, f"H5:H{end - 1}", type_="any", title="实际完成值", prompt="填写数值和单位，如 1772条、0%。")
    ws.merge_cells(start_row=end, start_column=1, end_row=end, end_column=last)
    note = put(ws.cell(end, 1), "注：以预算批复的绩效目标为准填列；达到等级由 evaltool 按实际完成值判断（浅灰色单元格）。")
    note.font = cell_font(9, italic=True, color="595959")
    note.alignment = LEFT
    print_setup(ws, f"A1:K{end}", landscape=True, title_rows="3:4")
    protect_sheet(ws)
    return ws


def build_help(wb: Workbook) -> Worksheet:
    return build_sheet_help(wb, HELP)


def build_scoresheet_workbook(project: Project | None = None, rules: str | None = None,
                              framework: str | None = None) -> Workbook:
    """A 评分表 workbook: blank from the rule set's (or the named) framework, or filled from a project."""
    rule_ref = rules or (project.rules if project else None)
    rule_set = load_rules(rule_ref)
    sr = sheet_rules(rule_set)
    if framework:
        fw = sr.framework(framework)
    elif project is not None and project.extra.get("评分指标"):
        fw = sr.detect([r.get("一级指标") for r in project.extra["评分指标"] if isinstance(r, dict)])
    else:
        fw = sr.framework()
    wb = Workbook()
    wb.remove(wb.active)
    build_scores(wb, project, rule_set, fw)
    build_targets(wb, project)
    build_report(wb, project)
    build_settings(wb, rule_ref or rule_set.id, rule_set)
    build_help(wb)
    wb.active = 0
    props = wb.properties
    props.creator = props.lastModifiedBy = "evaltool"
    props.title = S.TITLE_SCORES
    props.created = props.modified = FIXED_TIME
    return wb


def write_scoresheet_workbook(path: str | os.PathLike, project: Project | None = None, rules: str | None = None,
                              framework: str | None = None) -> Path:
    path = Path(path)
    atomic_write_bytes(path, deterministic_bytes(build_scoresheet_workbook(project, rules, framework)))
    return path
