"""Hand-made 绩效目标表 layouts, written with openpyxl the way units make them (shared by the
targets tests): other column orders, a two-row header, full-width symbols, merged cells, inserted
rows, the 2015 中期/年度 layout, label and value in one cell."""
from __future__ import annotations

from pathlib import Path

import openpyxl

INDICATORS = [  # (一级, 二级, 三级, 性质, 值, 单位, 权重)
    ("产出指标", "数量指标", "培训人次", "≥", 500, "人次", 20),
    ("产出指标", "数量指标", "宣传资料发放", "≥", 2000, "份", 10),
    ("产出指标", "质量指标", "培训合格率", "≥", 95, "%", 10),
    ("产出指标", "时效指标", "完成时间", None, "2025年12月31日前", None, 5),
    ("产出指标", "成本指标", "人均培训成本", "≤", 300, "元", 5),
    ("效益指标", "社会效益指标", "群众知晓率", "≥", 85, "%", 20),
    ("效益指标", "可持续影响指标", "长效机制建立", "定性", "达到预期目标", None, 10),
    ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥", 90, "%", 10),
]
FUNDS = {"年度资金总额": 120, "财政拨款": 100, "其他资金": 20}
NAME, DEPT, UNIT, YEAR = "基层干部培训项目", "某县委组织部", "某县干部学校", 2025
GOAL = "全年举办培训班 10 期，培训基层干部 500 人次，提升基层治理能力。"


def merge_runs(ws, col: int, first: int, values: list) -> None:
    """Merge each run of equal values in a column (as units merge 一级/二级), blanking the rest."""
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            if i - 1 > start:
                ws.merge_cells(start_row=first + start, start_column=col, end_row=first + i - 1, end_column=col)
            start = i


def province_split(path: Path, indicators=INDICATORS, fullwidth=False) -> Path:
    """A provincial layout: title rows, 主管部门/实施单位 on one line, funds as a row of labels with the
    amounts below, columns 一级 二级 三级 | 权重 | 指标值 (over 指标性质 / 指标值 / 度量单位) | 备注,
    一级 and 二级 merged, a blank row and an inserted 二级 row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025年绩效目标"
    ws["A1"] = "2025年度项目支出绩效目标申报表"
    ws["A3"] = "填报单位（盖章）：某县干部学校"
    ws["A4"], ws["C4"] = "项目名称", NAME
    ws["A5"], ws["C5"], ws["F5"], ws["G5"] = "主管部门及代码", DEPT, "实施单位", UNIT
    ws["A6"] = "项目资金\n（万元）"
    ws["C6"], ws["E6"], ws["G6"] = "资金总额", "其中：财政拨款", "其他资金"
    ws["C7"], ws["E7"], ws["G7"] = FUNDS["年度资金总额"], FUNDS["财政拨款"], FUNDS["其他资金"]
    ws.merge_cells("A6:B7")
    ws["A8"], ws["C8"] = "年度绩效目标", GOAL
    ws.merge_cells("C8:H8")
    hdr = 10
    for col, text in ((1, "一级指标"), (2, "二级指标"), (3, "三级指标"), (4, "权重（分值）"), (5, "指标值"), (8, "备注")):
        ws.cell(hdr, col, text)
    ws.merge_cells(start_row=hdr, start_column=5, end_row=hdr, end_column=7)
    for col in (1, 2, 3, 4, 8):
        ws.merge_cells(start_row=hdr, start_column=col, end_row=hdr + 1, end_column=col)
    ws.cell(hdr + 1, 5, "指标性质")
    ws.cell(hdr + 1, 6, "指标值")
    ws.cell(hdr + 1, 7, "计量单位")
    first = hdr + 2
    for i, (l1, l2, l3, d, v, u, w) in enumerate(indicators):
        r = first + i
        if fullwidth and isinstance(d, str):
            d = d.replace("≥", "＞＝").replace("≤", "＜＝")
        if fullwidth and isinstance(v, int):
            v = "".join(chr(ord(ch) + 0xFEE0) for ch in str(v))
        for col, value in ((1, l1), (2, l2), (3, l3), (4, w), (5, d), (6, v), (7, u)):
            ws.cell(r, col, value)
    merge_runs(ws, 1, first, [x[0] for x in indicators])
    merge_runs(ws, 2, first, [(x[0], x[1]) for x in indicators])
    end = first + len(indicators)
    ws.cell(end, 1, "合计")  # the weights' total row, as many provincial forms print it
    ws.cell(end, 4, sum(x[6] or 0 for x in indicators))
    ws.cell(end + 1, 1, "填报人：张三")
    wb.save(path)
    return path


def combined_target(path: Path, indicators=INDICATORS, extra_rows: int = 2) -> Path:
    """One 指标值 column holding direction and unit ("≥500人次"), 一级 not merged but left blank under its
    first row, no weights, the table moved right by one column with a 序号 column, label and value in
    one cell for the header fields, and the 总体目标 split into 中期目标 / 年度目标 (2015 layout)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "目标表"
    ws["B1"] = "项目支出绩效目标表"
    for _ in range(extra_rows):
        ws.insert_rows(2)
    r = 2 + extra_rows
    ws.cell(r, 2, f"项目名称：{NAME}")
    ws.cell(r + 1, 2, f"主管部门：{DEPT}")
    ws.cell(r + 1, 5, f"实施单位：{UNIT}")
    ws.cell(r + 2, 2, "项目资金（万元）")
    ws.cell(r + 2, 3, "中期资金总额")
    ws.cell(r + 2, 4, 360)
    ws.cell(r + 2, 5, "年度资金总额")
    ws.cell(r + 2, 6, FUNDS["年度资金总额"])
    ws.cell(r + 3, 3, "其中：财政拨款")
    ws.cell(r + 3, 4, 300)
    ws.cell(r + 3, 5, "其中：财政拨款")
    ws.cell(r + 3, 6, FUNDS["财政拨款"])
    ws.cell(r + 4, 3, "其他资金")
    ws.cell(r + 4, 4, 60)
    ws.cell(r + 4, 5, "其他资金")
    ws.cell(r + 4, 6, FUNDS["其他资金"])
    ws.cell(r + 5, 2, "总体目标")
    ws.cell(r + 5, 3, "中期目标（2024-2026年）")
    ws.cell(r + 5, 5, "年度目标")
    ws.cell(r + 6, 3, "三年培训 1500 人次")
    ws.cell(r + 6, 5, GOAL)
    hdr = r + 8
    for col, text in ((2, "序号"), (3, "一级指标"), (4, "二级指标"), (5, "三级指标"), (6, "年度指标值")):
        ws.cell(hdr, col, text)
    prev = None
    for i, (l1, l2, l3, d, v, u, _w) in enumerate(indicators):
        row = hdr + 1 + i
        target = v if d is None or d == "定性" else f"{d}{v}{u or ''}"
        ws.cell(row, 2, i + 1)
        ws.cell(row, 3, l1 if l1 != prev else None)
        ws.cell(row, 4, l2)
        ws.cell(row, 5, l3)
        ws.cell(row, 6, target)
        prev = l1
    wb.save(path)
    return path
