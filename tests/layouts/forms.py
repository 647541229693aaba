"""Published 项目支出绩效自评表 layouts, rebuilt by code as real .xlsx files, each with its numbers
computed by hand.

Every builder writes one workbook in the shape a province publishes (labels, column order, merges,
header rows, fund rows as printed there) and returns nothing; EXPECTED says what evaltool must compute
for it. Sources: the national form (财预〔2020〕10号 附件), the seeds (Anhui 霍邱 2022, Jiangxi 宜春 2022),
published forms found on government sites (Beijing 海淀 2016, Sichuan 青神 2023 “部门预算项目支出绩效自评表”,
Hebei 廊坊 2019, Anhui 池州 2022) and reconstructions where only the description was found (Yunnan's
指标性质/指标值/度量单位 split, Hubei's 资金执行率 form with 指标解释/评分标准 columns).

The indicator set is the same in each (so a wrong column mapping shows as a wrong number), scored by the
national rule: 正向 score = 分值 × min(实际/目标, 1):
  1 产出/数量  培训人数     ≥100人  96人   20  -> 20 × 0.96        = 19.20
  2 产出/质量  培训合格率   ≥95%    98%    15  -> full               = 15.00
  3 产出/时效  按时完成率   =100%   100%   15  -> full               = 15.00
  4 效益/社会  服务覆盖率   ≥90%    81%    30  -> 30 × 81/90 = 0.9   = 27.00
  5 满意度     学员满意度   ≥90%    95%    10  -> full               = 10.00
  subtotals 产出 49.20, 效益 27.00, 满意度 10.00; indicators 86.20.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import openpyxl

NAME = "职业技能培训项目"
DEPT = "某县人力资源和社会保障局"
UNIT = "某县职业技能培训中心"
GOAL_EXPECTED = "全年培训100人，合格率不低于95%。"
GOAL_ACTUAL = "全年培训96人，合格率98%。"

# (一级, 二级, 三级, 性质, 指标值, 单位, 实际完成值, 分值, 偏差原因)
INDICATORS = [
    ("产出指标", "数量指标", "培训人数", "≥", 100, "人", "96人", 20, "4人因工作调动未能参训，下年提前摸底。"),
    ("产出指标", "质量指标", "培训合格率", "≥", 95, "%", "98%", 15, None),
    ("产出指标", "时效指标", "按时完成率", "=", 100, "%", "100%", 15, None),
    ("效益指标", "社会效益指标", "服务覆盖率", "≥", 90, "%", "81%", 30, "偏远乡镇覆盖不足，下年增设教学点。"),
    ("满意度指标", "服务对象满意度指标", "学员满意度", "≥", 90, "%", "95%", 10, None),
]
BASE_SCORES = ["19.20", "15.00", "15.00", "27.00", "10.00"]
BASE_SUBTOTALS = {"产出指标": "49.20", "效益指标": "27.00", "满意度指标": "10.00"}


def target(ind) -> str:
    """The target as one cell; "=" typed as "＝" (as clerks are told: a leading "=" makes Excel a formula)."""
    sign = "＝" if ind[3] == "=" else ind[3]
    return f"{sign}{ind[4]}{ind[5]}"


class Sheet:
    def __init__(self, title: str = "自评表"):
        self.wb = openpyxl.Workbook()
        self.ws = self.wb.active
        self.ws.title = title

    def put(self, r: int, c: int, *values: Any) -> None:
        for i, v in enumerate(values):
            if v is not None:
                self.ws.cell(r, c + i, v)

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)

    def save(self, path: Path) -> None:
        self.wb.save(path)


def _levels(s: Sheet, first: int, rows: list, c1: int, c2: int, mode: str) -> None:
    """一级 (column c1) and 二级 (c2) as published: merged down their block, repeated, or left blank."""
    r = first
    for i, ind in enumerate(rows):
        same1 = i > 0 and rows[i - 1][0] == ind[0]
        same2 = same1 and rows[i - 1][1] == ind[1]
        if mode == "repeat" or not same1:
            s.put(r + i, c1, ind[0])
        if mode == "repeat" or not same2:
            s.put(r + i, c2, ind[1])
    if mode == "merge":
        i = 0
        while i < len(rows):
            j = i
            while j + 1 < len(rows) and rows[j + 1][0] == rows[i][0]:
                j += 1
            s.merge(first + i, c1, first + j, c1)
            i = j + 1


# ---- the national form (财预〔2020〕10号 附件) ------------------------------------------------------
def national(path: Path, *, year="（2023年度）", fund_rows=("年度资金总额：", "其中：当年财政拨款", "上年结转资金", "其他资金"),
             funds=((200, 200, 180), (200, 200, 180), (0, 0, 0), (0, 0, 0)), level_mode="merge",
             l1_suffix=True, total_label="总分") -> None:
    """A1 title; 项目名称/主管部门/实施单位; 项目资金（万元） with 年初预算数/全年预算数/全年执行数/分值/执行率/得分;
    年度总体目标 预期目标|实际完成情况; 绩效指标 一级/二级/三级/年度指标值/实际完成值/分值/得分/偏差原因分析及改进措施."""
    s = Sheet()
    s.put(1, 1, "项目支出绩效自评表")
    s.merge(1, 1, 1, 9)
    s.put(2, 1, year)
    s.merge(2, 1, 2, 9)
    s.put(3, 1, "项目名称", None, NAME)
    s.merge(3, 1, 3, 2)
    s.merge(3, 3, 3, 9)
    s.put(4, 1, "主管部门", None, DEPT, None, None, "实施单位", UNIT)
    s.merge(4, 1, 4, 2)
    s.merge(4, 3, 4, 5)
    s.merge(4, 7, 4, 9)
    s.put(5, 1, "项目资金（万元）", None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    s.merge(5, 1, 9, 2)
    for i, (label, amounts) in enumerate(zip(fund_rows, funds)):
        s.put(6 + i, 3, label, *amounts)
        if i == 0:
            s.put(6, 7, 10)
        else:
            s.put(6 + i, 7, "—")
    s.put(10, 1, "年度总体目标", None, "预期目标", None, None, None, "实际完成情况")
    s.merge(10, 1, 11, 2)
    s.merge(10, 3, 10, 6)
    s.merge(10, 7, 10, 9)
    s.put(11, 3, GOAL_EXPECTED, None, None, None, GOAL_ACTUAL)
    s.merge(11, 3, 11, 6)
    s.merge(11, 7, 11, 9)
    s.put(12, 1, "绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
          "偏差原因分析及改进措施")
    rows = [((f"{i[0]}（{ {'产出指标': 50, '效益指标': 30, '满意度指标': 10}[i[0]]}分）" if l1_suffix else i[0]),) + i[1:]
            for i in INDICATORS]
    for k, ind in enumerate(rows):
        s.put(13 + k, 4, ind[2], target(ind), ind[6], ind[7], None, ind[8])
    _levels(s, 13, rows, 2, 3, level_mode)
    end = 13 + len(rows)
    s.merge(12, 1, end - 1, 1)
    s.put(end, 1, total_label)
    s.merge(end, 1, end, 6)
    s.put(end, 7, 100)
    s.save(path)


# ---- Anhui 霍邱 2022 (seed 002): “项目资金 (万元)”, 本年财政拨款, 一级 with （50分）, codes in 主管部门 ---------
def anhui(path: Path) -> None:
    national(path, year="(2022年度)", fund_rows=("年度资金总额：", "其中：本年财政拨款", "上年结转资金", "其他资金"),
             funds=((265.69, 265.69, 137), (265.69, 265.69, 137), (0, 0, 0), (0, 0, 0)))
    wb = openpyxl.load_workbook(path)
    ws = wb["自评表"]
    ws["A5"] = "项目资金 (万元)"
    ws["C4"] = "021-" + DEPT
    ws["G4"] = "021001-" + UNIT
    wb.save(path)


# ---- Hebei 廊坊 2019: header words broken over lines inside cells, 其中:当年财政拨款, template rows left ------
def hebei(path: Path) -> None:
    s = Sheet()
    s.put(1, 1, "附件1")
    s.put(2, 1, "项目支出绩效自评表")
    s.merge(2, 1, 2, 9)
    s.put(3, 1, "( 2019年度)")
    s.put(4, 1, "项目名称", None, NAME)
    s.put(5, 1, "主管部门", None, DEPT, None, None, "实施单位", UNIT)
    s.put(6, 1, "项目资金\n(万元)", None, None, "年初\n预算数", "全年\n预算数", "全年\n执行数", "分值", "执行率", "得分")
    s.merge(6, 1, 9, 2)
    s.put(7, 3, "年度资金总额", 43.2, 43.2, 37.24, 10)
    s.put(8, 3, "其中:当年财政拨款", 43.2, 43.2, 37.24)
    s.put(9, 3, "      上年结转资金")
    s.put(10, 3, "  其他资金")
    s.put(11, 1, "年度总体目标", None, "预期目标", None, None, None, "实际完成情况")
    s.put(12, 3, GOAL_EXPECTED, None, None, None, GOAL_ACTUAL)
    s.put(13, 1, "绩效指标", "一级指标", "二级指标", "三级指标", "年度\n指标值", "实际\n完成值", "分值", "得分",
          "偏差原因分析及改进措施")
    r = 14
    level2_printed = {"社会效益指标": "社会效益\n指标", "服务对象满意度指标": "服务对象满意度指标"}
    for k, ind in enumerate(INDICATORS):
        s.put(r, 2, ind[0] if k == 0 or INDICATORS[k - 1][0] != ind[0] else None)
        s.put(r, 3, level2_printed.get(ind[1], ind[1]), f"指标{1}{ind[2]}", target(ind), ind[6], ind[7], None, ind[8])
        # the printed template's unused rows stay: "指标2", "……"
        s.put(r + 1, 4, "指标2")
        s.put(r + 2, 4, "……")
        r += 3
    s.put(r, 1, "总分", None, None, None, None, None, 100)
    s.save(path)


# ---- Beijing 海淀 2016: only 年初预算数（A）/全年执行数（B）; 分值 before 年度指标值（A）; 全年实际值（B）; 得分计算方法 ----
def beijing(path: Path, with_a: bool = True) -> None:
    s = Sheet()
    s.put(1, 1, "项目支出绩效自评表（2016年度）")
    s.merge(1, 1, 1, 10)
    s.put(2, 1, "项目名称", None, NAME)
    s.put(3, 1, "主管部门及代码", None, "[115]" + DEPT, None, None, "实施单位：", UNIT)
    head = ["年初预算数（A）", "全年执行数（B）", "分值（10分）", "执行率（B/A）", "得分", "得分计算方法"]
    if not with_a:
        head = head[1:]
    s.put(4, 1, "项目资金（万元）", None, None, *head)
    s.merge(4, 1, 6, 2)
    amounts = [310.2, 154.74] if with_a else [154.74]
    s.put(5, 3, "年度资金总额：", *amounts, 10, None, None, "执行率*该指标分值，最高不得超过分值上限。")
    s.put(6, 3, "其中：本年一般公共预算拨款", *amounts)
    s.put(7, 3, "其他资金")
    s.put(8, 1, "年度总体目标", None, GOAL_EXPECTED)
    s.merge(8, 3, 8, 10)
    s.put(9, 1, "绩效指标", "一级指标", "二级指标", "三级指标", "分值", "年度指标值（A）", "全年实际值（B）", "得分计算方法",
          "得分", "未完成原因分析")
    for k, ind in enumerate(INDICATORS):
        s.put(10 + k, 4, ind[2], ind[7], target(ind), ind[6], "完成值达到指标值，记满分；未达到的按B/A计分。", None,
              ind[8])
    _levels(s, 10, INDICATORS, 2, 3, "merge")
    s.merge(9, 1, 9 + len(INDICATORS), 1)
    s.put(10 + len(INDICATORS), 1, "总分", None, None, None, 100)
    s.save(path)


def beijing_without_a(path: Path) -> None:
    beijing(path, with_a=False)


# ---- Sichuan 青神 2023 “部门预算项目支出绩效自评表”: 年初预算/调整后预算数/预算执行数/权重, rows 总额/财政资金/
# 财政专户管理资金/单位资金/其他资金; 指标性质/指标值/度量单位/完成值/权重/未完成原因分析; 合计 row -------------------
def sichuan(path: Path) -> None:
    s = Sheet("510000_0013zp")
    s.put(1, 1, "报表编号:510000_0013zp")
    s.put(2, 1, "部门预算项目支出绩效自评表(2023年度)")
    s.merge(2, 1, 2, 11)
    s.put(3, 1, "项目名称", None, NAME)
    s.put(4, 1, "主管部门", None, DEPT, None, None, None, "实施单位 (盖章)", None, UNIT)
    s.put(5, 1, "项目基本情况", "1.项目年度目标完成情况")
    s.put(6, 2, "项目年度目标", None, None, None, None, "年度目标完成情况")
    s.put(7, 2, GOAL_EXPECTED, None, None, None, None, GOAL_ACTUAL)
    s.put(8, 1, "预算执行情况(10分)", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分",
          "原因")
    s.merge(8, 1, 13, 1)
    s.put(9, 2, "总额", 238.93, 251.89, 239.30, None, 10)
    s.put(10, 2, "其中:财政资金", 200, 210, 200)
    s.put(11, 2, "财政专户管理资金", 0, 0, 0)
    s.put(12, 2, "单位资金", 38.93, 41.89, 39.30)
    s.put(13, 2, "其他资金")
    s.put(14, 1, "绩效指标(90分)", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重",
          "得分", "未完成原因分析")
    for k, ind in enumerate(INDICATORS):
        s.put(15 + k, 4, ind[2], ind[3], ind[4], ind[5], ind[6], ind[7], None, ind[8])
    _levels(s, 15, INDICATORS, 2, 3, "repeat")
    s.merge(14, 1, 14 + len(INDICATORS), 1)
    end = 15 + len(INDICATORS)
    s.put(end, 1, "合计", None, None, None, None, None, None, None, 100)
    s.put(end + 1, 1, "评价结论", "结合自评情况，说明项目自评总分。")
    s.save(path)


# ---- Yunnan: 年度指标值 over 指标性质 | 指标值 | 度量单位 (two header rows, the rest merged down) --------------
def yunnan(path: Path, merged: bool = True) -> None:
    s = Sheet()
    s.put(1, 1, "项目支出绩效自评表")
    s.put(2, 1, "（2023年度）")
    s.put(3, 1, "项目名称", None, NAME)
    s.put(4, 1, "主管部门", None, DEPT, None, None, None, "实施单位", None, UNIT)
    s.put(5, 1, "项目资金（万元）", None, None, "年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）", "得分")
    s.merge(5, 1, 9, 2)
    s.put(6, 3, "年度资金总额", 150, 150, 148.5, 10)
    s.put(7, 3, "其中：当年财政拨款", 150, 150, 148.5)
    s.put(8, 3, "上年结转资金")
    s.put(9, 3, "其他资金")
    s.put(10, 1, "年度总体目标", None, "预期目标", None, None, None, None, "实际完成情况")
    s.put(11, 3, GOAL_EXPECTED, None, None, None, None, GOAL_ACTUAL)
    top = ["一级指标", "二级指标", "三级指标", "年度指标值", None, None, "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    s.put(12, 1, "绩效指标", *top)
    s.put(13, 5, "指标性质", "指标值", "度量单位")
    s.merge(12, 5, 12, 7)
    if merged:
        for c in (2, 3, 4, 8, 9, 10, 11):
            s.merge(12, c, 13, c)
    for k, ind in enumerate(INDICATORS):
        s.put(14 + k, 4, ind[2], ind[3], ind[4], ind[5], ind[6], ind[7], None, ind[8])
    _levels(s, 14, INDICATORS, 2, 3, "merge")
    s.merge(12, 1, 13 + len(INDICATORS), 1)
    s.put(14 + len(INDICATORS), 1, "总分", None, None, None, None, None, None, 100)
    s.save(path)


def yunnan_unmerged(path: Path) -> None:
    yunnan(path, merged=False)


# ---- Hubei: 资金执行率, 其中：财政拨款, 年度目标值, 指标解释 and 评分标准 columns, 一级 repeated on every row ------
def hubei(path: Path) -> None:
    s = Sheet("项目自评表")
    s.put(1, 1, "2023年度项目支出绩效自评表")
    s.put(2, 1, "项目名称", NAME, None, "实施单位", UNIT)
    s.put(3, 1, "主管部门", DEPT)
    s.put(4, 1, "资金来源", "全年预算数", "全年执行数", "资金执行率", "分值", "得分")
    s.put(5, 1, "年度资金总额", 120, 96, None, 10)
    s.put(6, 1, "其中：财政拨款", 100, 80)
    s.put(7, 1, "其他资金", 20, 16)
    s.put(8, 1, "年度目标", GOAL_EXPECTED)
    s.put(9, 1, "一级指标", "二级指标", "三级指标", "指标解释", "年度目标值", "实际完成值", "评分标准", "分值", "得分", "偏差原因")
    for k, ind in enumerate(INDICATORS):
        s.put(10 + k, 1, ind[0], ind[1], ind[2], "按年度实际统计", target(ind), ind[6], "达到目标值得满分", ind[7], None, ind[8])
    s.put(10 + len(INDICATORS), 1, "合计", None, None, None, None, None, None, 100)
    s.save(path)


# ---- Jiangxi 宜春 2022 (seed 004, 宜春2022 rule set 10/60/25/5): labels split over two unmerged rows ----------
JIANGXI_WEIGHTS = [25, 20, 15, 25, 5]


def jiangxi(path: Path) -> None:
    s = Sheet()
    s.put(1, 1, "项目支出绩效自评表")
    s.put(2, 1, "2022年度")
    s.put(3, 1, "项目名称", None, NAME)
    s.put(4, 1, "主管部门", None, DEPT, None, None, "实施单位", UNIT)
    s.put(5, 1, "项目资金（万元）", None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    s.put(6, 3, "年度资金总额", 219.91, 219.91, 219.91, 10)
    s.put(7, 3, "其中：财政拨款", 219.91, 219.91, 219.91)
    s.put(8, 3, "上年结转资金", 0, 0, 0)
    s.put(9, 3, "其他资金", 0, 0, 0)
    s.put(10, 1, "年度总体目标", None, "预期目标", None, None, None, "实际完成情况")
    s.put(11, 3, GOAL_EXPECTED, None, None, None, GOAL_ACTUAL)
    s.put(12, 1, "绩效指标", "一级指标", "二级指标", "三级指标", "年度", "实际", "分值", "得分", "偏差原因分析")
    s.put(13, 5, "指标值", "完成值", None, None, "及改进措施")
    l1 = {"产出指标": "产出指标（60分）", "效益指标": "效益指标（25分）", "满意度指标": "满意度指标（5分）"}
    rows = [(l1[i[0]],) + i[1:7] + (w, i[8]) for i, w in zip(INDICATORS, JIANGXI_WEIGHTS)]
    for k, ind in enumerate(rows):
        s.put(14 + k, 4, ind[2], target(ind), ind[6], ind[7], None, ind[8])
    _levels(s, 14, rows, 2, 3, "merge")
    s.put(14 + len(rows), 1, "总分", None, None, None, None, None, 100)
    s.save(path)


# ---- a form re-saved with traditional characters (WPS 繁简转换), full-width brackets and colons -------------
def traditional(path: Path) -> None:
    s = Sheet()
    s.put(1, 1, "項目支出績效自評表")
    s.put(2, 1, "（2023年度）")
    s.put(3, 1, "項目名稱：", None, NAME)
    s.put(4, 1, "主管部門：", None, DEPT, None, None, "實施單位：", UNIT)
    s.put(5, 1, "項目資金（萬元）", None, None, "年初預算數", "全年預算數（Ａ）", "全年執行數（Ｂ）", "分值", "執行率（Ｂ／Ａ）", "得分")
    s.put(6, 3, "年度資金總額：", 100, 100, 100, 10)
    s.put(7, 3, "其中：當年財政撥款", 100, 100, 100)
    s.put(8, 3, "上年結轉資金")
    s.put(9, 3, "其他資金")
    s.put(10, 1, "年度總體目標", None, "預期目標", None, None, None, "實際完成情況")
    s.put(11, 3, GOAL_EXPECTED, None, None, None, GOAL_ACTUAL)
    s.put(12, 1, "績效指標", "一級指標", "二級指標", "三級指標", "年度指標值", "實際完成值", "分值", "得分", "偏差原因分析及改進措施")
    for k, ind in enumerate(INDICATORS):
        s.put(13 + k, 4, ind[2], target(ind), ind[6], ind[7], None, ind[8])
    _levels(s, 13, INDICATORS, 2, 3, "merge")
    s.put(13 + len(INDICATORS), 1, "總分", None, None, None, None, None, 100)
    s.save(path)


# ---- Zhejiang-style two-page print: the header repeated mid-table; labels with NBSP / ideographic / zero-width
# spaces; 调整后预算数 / 实际执行数 --------------------------------------------------------------------------
def zhejiang(path: Path) -> None:
    s = Sheet()
    s.put(1, 1, "项目支出绩效自评表")
    s.put(2, 1, "（2023年度）")
    s.put(3, 1, "项目\u00a0名称", None, NAME)
    s.put(4, 1, "主管\u3000部门", None, DEPT, None, None, "实施\u200b单位", UNIT)
    s.put(5, 1, "项目资金（万元）", None, None, "年初预算数", "调整后预算数", "实际执行数", "分值", "执行率", "得分")
    s.put(6, 3, "年度资金总额\u00a0", 80, 80, 60, 10)
    s.put(7, 3, "其中：本年财政拨款", 80, 80, 60)
    s.put(8, 3, "上年结转资金")
    s.put(9, 3, "其他资金")
    s.put(10, 1, "年度总体目标", None, "预期目标", None, None, None, "实际完成情况")
    s.put(11, 3, GOAL_EXPECTED, None, None, None, GOAL_ACTUAL)
    header = ("绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
    s.put(12, 1, *header)
    r = 13
    for k, ind in enumerate(INDICATORS):
        if k == 3:  # page 2 starts: the header printed again
            s.put(r, 1, *header)
            r += 1
        s.put(r, 2, ind[0], ind[1], ind[2], target(ind), ind[6], ind[7], None, ind[8])
        r += 1
    s.put(r, 1, "总分", None, None, None, None, None, 100)
    s.save(path)


# ---- Guizhou-style hand-typed form: no merges at all, 一级/二级 left blank under their first row ----------------
def guizhou(path: Path) -> None:
    s = Sheet()
    s.put(1, 1, "项目支出绩效自评表")
    s.put(2, 1, "评价年度", 2023)
    s.put(3, 1, "项目名称", NAME)
    s.put(4, 1, "主管部门", DEPT, "实施单位", UNIT)
    s.put(5, 1, "项目资金", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    s.put(6, 1, "资金总额", 300, 300, 90, 10)
    s.put(7, 1, "财政拨款", 300, 300, 90)
    s.put(8, 1, "结转资金")
    s.put(9, 1, "自有资金")
    s.put(10, 1, "总体目标", GOAL_EXPECTED)
    s.put(11, 1, "一级指标", "二级指标", "三级指标", "指标值", "完成值", "权重", "得分", "偏差原因")
    for k, ind in enumerate(INDICATORS):
        s.put(12 + k, 3, ind[2], target(ind), ind[6], ind[7], None, ind[8])
    _levels(s, 12, INDICATORS, 1, 2, "blank")
    s.put(12 + len(INDICATORS), 1, "合计", None, None, None, None, 100)
    s.save(path)


# ---- Shandong-style: 序号 first, 指标解释 and 备注 columns, 实际完成值 left of 年度指标值 ----------------------------
def shandong(path: Path) -> None:
    s = Sheet()
    s.put(1, 1, "项目支出绩效自评表")
    s.put(2, 1, "（2023年度）")
    s.put(3, 1, "项目名称", None, NAME)
    s.put(4, 1, "主管部门", None, DEPT, None, None, "实施单位", UNIT)
    s.put(5, 1, "项目资金（万元）", None, "全年预算数", "全年执行数", "执行率", "分值", "得分", "年初预算数")
    s.put(6, 2, "年度资金总额", 50, 45, None, 10, None, 50)
    s.put(7, 2, "其中：财政资金", 50, 45, None, None, None, 50)
    s.put(8, 2, "其他资金", 0, 0, None, None, None, 0)
    s.put(9, 1, "年度总体目标", None, GOAL_EXPECTED)
    s.put(10, 1, "序号", "一级指标", "二级指标", "三级指标", "指标解释", "实际完成值", "年度指标值", "分值", "得分",
          "偏差原因分析及改进措施", "备注")
    for k, ind in enumerate(INDICATORS):
        s.put(11 + k, 1, k + 1, ind[0], ind[1], ind[2], "按统计数", ind[6], target(ind), ind[7], None, ind[8])
    s.put(11 + len(INDICATORS), 1, None, "总分", None, None, None, None, None, 100)
    s.save(path)


# ---- Anhui 池州 2022: 一级 with （xx分）, 其中：本年财政拨款, single-row header, 评价等次 row ----------------------
def anhui_chizhou(path: Path) -> None:
    national(path, year="(2022年度)", funds=((90, 90, 89.974), (90, 90, 89.974), (None, None, None),
                                            (None, None, None)), level_mode="merge")


# ---- a form that lacks the indicator weights: 分值 column removed ---------------------------------------------
def no_weight(path: Path) -> None:
    national(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["自评表"]
    for row in ws.iter_rows(min_row=12, max_row=20, min_col=7, max_col=7):
        for cell in row:
            cell.value = None
    ws["G12"] = "备注"
    wb.save(path)


# id -> (builder, rule set or None, expected). Hand computation of 执行率 and its score beside each.
LAYOUTS: dict[str, tuple[Callable[[Path], None], str | None, dict[str, Any]]] = {
    # 180 / 200 = 90.00% -> 10 × 0.9 = 9.00; total 9.00 + 86.20 = 95.20 优
    "national": (national, None, {"执行率": "0.9000", "执行率得分": "9.00", "总分": "95.20", "等次": "优"}),
    # seed 002: 137 / 265.69 = 51.5638% -> 51.56%, 10 × 0.515638 = 5.16; total 5.16 + 86.20 = 91.36 优
    "anhui_huoqiu": (anhui, None, {"执行率": "0.5156", "执行率得分": "5.16", "总分": "91.36", "等次": "优"}),
    # 89.974 / 90 = 99.971% -> 99.97%, 10 × 0.99971 = 9.9971 -> 10.00; total 10.00 + 86.20 = 96.20 优
    "anhui_chizhou": (anhui_chizhou, None, {"执行率": "0.9997", "执行率得分": "10.00", "总分": "96.20", "等次": "优"}),
    # B/A = 154.74 / 310.2 = 49.884% -> 49.88%, 10 × 0.49884 = 4.9884 -> 4.99; total 4.99 + 86.20 = 91.19 优
    "beijing": (beijing, None, {"执行率": "0.4988", "执行率得分": "4.99", "总分": "91.19", "等次": "优"}),
    # 239.30 / 251.89 = 95.002% -> 95.00%, 10 × 0.95002 = 9.50; total 9.50 + 86.20 = 95.70 优
    "sichuan": (sichuan, None, {"执行率": "0.9500", "执行率得分": "9.50", "总分": "95.70", "等次": "优"}),
    # 148.5 / 150 = 99.00% -> 9.90; total 9.90 + 86.20 = 96.10 优
    "yunnan": (yunnan, None, {"执行率": "0.9900", "执行率得分": "9.90", "总分": "96.10", "等次": "优"}),
    "yunnan_unmerged": (yunnan_unmerged, None, {"执行率": "0.9900", "执行率得分": "9.90", "总分": "96.10", "等次": "优"}),
    # 37.24 / 43.2 = 86.204% -> 86.20%, 10 × 0.86204 = 8.62; total 8.62 + 86.20 = 94.82 优
    "hebei": (hebei, None, {"执行率": "0.8620", "执行率得分": "8.62", "总分": "94.82", "等次": "优"}),
    # 96 / 120 = 80.00% -> 8.00; total 8.00 + 86.20 = 94.20 优
    "hubei": (hubei, None, {"执行率": "0.8000", "执行率得分": "8.00", "总分": "94.20", "等次": "优"}),
    # 宜春2022: 219.91 / 219.91 = 100% -> 10.00; 25 × 0.96 = 24.00, 20, 15 (产出 59.00), 25 × 0.9 = 22.50, 5;
    # total 10 + 59 + 22.50 + 5 = 96.50 优
    "jiangxi": (jiangxi, "宜春2022", {"执行率": "1.0000", "执行率得分": "10.00", "总分": "96.50", "等次": "优",
                                    "得分": ["24.00", "20.00", "15.00", "22.50", "5.00"],
                                    "小计": {"产出指标": "59.00", "效益指标": "22.50", "满意度指标": "5.00"}}),
    # 100 / 100 = 100% -> 10.00; total 96.20 优
    "traditional": (traditional, None, {"执行率": "1.0000", "执行率得分": "10.00", "总分": "96.20", "等次": "优"}),
    # 60 / 80 = 75.00% -> 7.50; total 7.50 + 86.20 = 93.70 优
    "zhejiang": (zhejiang, None, {"执行率": "0.7500", "执行率得分": "7.50", "总分": "93.70", "等次": "优"}),
    # 90 / 300 = 30.00% -> 10 × 0.3 = 3.00; total 3.00 + 86.20 = 89.20 良
    "guizhou": (guizhou, None, {"执行率": "0.3000", "执行率得分": "3.00", "总分": "89.20", "等次": "良"}),
    # 45 / 50 = 90.00% -> 9.00; total 95.20 优
    "shandong": (shandong, None, {"执行率": "0.9000", "执行率得分": "9.00", "总分": "95.20", "等次": "优"}),
    # Forms that truly lack a needed column: no 总分, no 等次; the finding names the missing label.
    "beijing_without_a": (beijing_without_a, None, {"无法计分": "E-UNREAD-BUDGET", "缺少": "全年预算数"}),
    "no_weight": (no_weight, None, {"无法计分": "E-UNREAD-WEIGHT", "缺少": "分值"}),
}


def expected_scores(exp: dict[str, Any]) -> list[str]:
    return exp.get("得分", BASE_SCORES)


def expected_subtotals(exp: dict[str, Any]) -> dict[str, str]:
    return exp.get("小计", BASE_SUBTOTALS)
