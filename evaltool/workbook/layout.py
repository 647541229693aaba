"""Everything evaltool knows about the look of the 自评表 workbook, in one place.

The template builder places these labels; the reader finds blocks by the same labels (never by fixed
addresses); the writer and both engines take style names from here. Engine-free: no openpyxl.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

# Bump when the layout changes in a way a reader must know about; stored as a defined name and
# as a visible cell on the 设置 sheet (the pure reader sees only values, not defined names).
TEMPLATE_VERSION = 1
VERSION_NAME = "evaltool_template_version"
TEMPLATE_FILENAME = "项目支出绩效自评表.xlsx"

# ---- sheet names -------------------------------------------------------------------------------
SHEET_FORM = "自评表"
SHEET_REPORT = "报告素材"
SHEET_BASIC = "项目基本信息"
SHEET_SETTINGS = "设置"
SHEET_HELP = "说明"
SHEET_RESULTS = "校验结果"

# ---- labels on the 自评表 --------------------------------------------------------------------------
TITLE = "项目支出绩效自评表"
L_NAME, L_DEPT, L_UNIT, L_YEAR = "项目名称", "主管部门", "实施单位", "年度"
L_FUNDS = "项目资金（万元）"
YEAR_PLACEHOLDER = "（      年度）"
FUND_ROW_LABELS = {  # model label -> label as printed on the form
    "年度资金总额": "年度资金总额：",
    "本年财政拨款": "其中：本年财政拨款",
    "上年结转资金": "上年结转资金",
    "其他资金": "其他资金",
}
# Fund block columns: key -> printed header.
FUND_HEADERS = {
    "年初预算数": "年初预算数",
    "全年预算数": "全年预算数（A）",
    "全年执行数": "全年执行数（B）",
    "分值": "分值",
    "执行率": "执行率（B/A）",
    "得分": "得分",
}
FUND_SELF_HEADER = "自评得分（可不填）"
L_GOALS = "年度总体目标"
L_GOAL_EXPECTED, L_GOAL_ACTUAL = "预期目标", "实际完成情况"
L_INDICATORS = "绩效指标"
# Indicator table columns: key -> printed header. "自评得分" is evaltool's addition: the clerk's own
# score for a qualitative indicator (checked against its band); 得分 itself is always computed.
IND_HEADERS = {
    "一级指标": "一级指标",
    "二级指标": "二级指标",
    "三级指标": "三级指标",
    "年度指标值": "年度指标值",
    "实际完成值": "实际完成值",
    "分值": "分值",
    "得分": "得分",
    "偏差原因分析及改进措施": "偏差原因分析及改进措施",
    "自评得分": "自评得分（定性指标可填）",
}
L_TOTAL = "总分"
L_GRADE = "评价等次"
L_SUBTOTALS = "得分小计"
FOOTNOTE = ("注：浅灰色单元格（执行率、得分、总分、等次、小计）由 evaltool 计分后自动填写，请勿手工填写；"
            "白色单元格由填报单位填写。填表方法见“说明”工作表。")

# Where the template puts things (the reader never relies on these: it finds labels).
# Column widths (characters) as on the paper form; J is evaltool's input helper, not printed.
FORM_WIDTHS = {"A": 6.5, "B": 12, "C": 15, "D": 30, "E": 15, "F": 15, "G": 7, "H": 9, "I": 26, "J": 13}
FORM_IND_COLS = {"一级指标": 2, "二级指标": 3, "三级指标": 4, "年度指标值": 5, "实际完成值": 6, "分值": 7, "得分": 8,
                 "偏差原因分析及改进措施": 9, "自评得分": 10}
FORM_FUND_COLS = {"年初预算数": 4, "全年预算数": 5, "全年执行数": 6, "分值": 7, "执行率": 8, "得分": 9}
FORM_FUND_SELF_COL = 10  # J: the clerk's own 执行率得分, optional, checked against the rule
FORM_LAST_COL = 9  # I: last printed column
# Row heights (points) the template starts from; score grows them to fit the text (workbook/paper.py).
FORM_INDICATOR_ROW_PT = 30.0
FORM_GOAL_ROW_PT = 64.0
# 年度总体目标 texts are merged over B:E and F:I: their widths in characters.
FORM_GOAL_WIDTHS = (sum(FORM_WIDTHS[c] for c in "BCDE"), sum(FORM_WIDTHS[c] for c in "FGHI"))
# Blank template: pre-grouped rows per 二级指标 (the clerk inserts rows inside a group for more).
BLANK_ROWS = {"数量指标": 3, "质量指标": 2, "时效指标": 2, "成本指标": 2, "经济效益指标": 1, "社会效益指标": 2,
              "生态效益指标": 1, "可持续影响指标": 1, "服务对象满意度指标": 2}
# Input vs computed: what the clerk types, and what evaltool fills (locked, grey) on the 自评表.
INPUT_FIELDS = ("年度", "项目名称", "主管部门", "实施单位", "年初预算数", "全年预算数", "全年执行数", "分值",
                "预期目标", "实际完成情况", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值",
                "偏差原因分析及改进措施", "自评得分")
COMPUTED_FIELDS = ("执行率", "执行率得分", "得分", "总分", "分值合计", "等次", "小计")

# Other sheets.
REPORT_TITLE = "绩效评价报告素材"
REPORT_HINTS = {
    "项目背景": "项目立项依据、资金来源、主要用途等。",
    "主要内容及实施情况": "项目主要建设或服务内容、组织实施过程、完成情况。",
    "预算执行偏差原因": "执行率未达到 100%（或超过预算）时，说明原因和改进措施；执行率 100% 可不填。",
    "绩效评价工作过程": "本次自评的组织、分工、资料收集和评价步骤；不填时报告使用通用表述。",
    "项目决策情况": "立项依据、绩效目标设定、资金分配的决策过程。",
    "项目过程情况": "资金管理（到位、支付、合规）和组织实施（管理制度及执行）情况。",
    "主要经验及做法": "可推广的经验、有效的管理措施。",
    "存在的问题及原因分析": "没有问题时填“无”。",
    "有关建议": "没有建议时填“无”。",
    "其他需要说明的问题": "没有时填“无”。",
}
BASIC_TITLE = "项目基本信息表"
BASIC_FIELDS = ("项目负责人", "联系电话", "地址", "邮编", "项目类型", "计划投资额（万元）", "实际到位资金（万元）",
                "实际使用情况（万元）")
BASIC_SOURCE_LABEL = "资金来源（万元）"
BASIC_SOURCES = ("中央财政", "省财政", "市县财政", "其他资金")
PROJECT_TYPES = ("经常性项目", "一次性项目")
SETTINGS_TITLE = "计分设置"
L_RULES = "规则集"
L_PLACES = "小数位"
L_VERSION = "模板版本"
RESULTS_TITLE = "evaltool 校验与计分结果"
RESULTS_SUMMARY_HEADERS = ("工作表", "项目名称", "总分", "等次", "执行率", "执行率得分", "规则集", "错误", "警告")
RESULTS_FILLED = "写入值"  # I-FILLED rows: a value evaltool put into an empty cell of a hand-made form
RESULTS_HEADERS = ("序号", "工作表", "单元格", "级别", "代码", "字段", "说明", RESULTS_FILLED)

# Grade words offered in the 实际完成值 dropdown (any other value may still be typed).
GRADE_CHOICES = ("达成预期指标", "部分达成预期指标并具有一定效果", "未达成预期指标且效果较差")

# ---- looks: style name -> attributes both engines understand ------------------------------------
FONT = "宋体"
TITLE_FONT = "黑体"
COLOR_INPUT = "FFFFFF"
COLOR_COMPUTED = "E7E6E6"
COLOR_LABEL = "F2F2F2"
# Only the fill changes: the clerk's own fonts and colours stay as they were.
STYLES: dict[str, dict[str, Any]] = {
    # What a computed cell looks like (also restores it after a mark is cleared).
    "computed": {"fill": COLOR_COMPUTED},
    # A template input cell with no problem.
    "input": {"fill": None},
    # A cell of a hand-made sheet with no problem: no fill at all.
    "clear": {"fill": None},
    "error": {"fill": "FFC7CE"},
    "warning": {"fill": "FFEB9C"},
    "info": {"fill": "DDEBF7"},
}
NOTE_AUTHOR = "evaltool"
NOTE_PREFIX = "【evaltool】"  # evaltool's notes start with this, so a re-run replaces only its own


def note_after(exists: bool, current: str | None, new: str, ours: bool = False) -> str | None:
    """The note a cell gets when evaltool writes `new` there ("": evaltool has nothing to say): the
    text to set, "" to delete the note, None to leave it as it is. The clerk's own note is never
    lost: evaltool's text goes after it. A note that exists but cannot be read (current None, as on
    xlwings' remote engine) counts as evaltool's when `ours` (evaltool wrote it last run)."""
    if not exists:
        return new or None
    if current.startswith(NOTE_PREFIX) if current is not None else ours:
        return new
    if not new or current is None:
        return None
    return current.split(NOTE_PREFIX)[0].rstrip() + "\n" + new

# ---- label matching --------------------------------------------------------------------------------
_PUNCT = str.maketrans({"：": "", ":": "", "（": "(", "）": ")", "　": ""})


# The reader asks these of every label cell many times, and forms repeat the same few hundred
# strings: caching them makes reading (and the bureau's consolidation of 1,000s of files) ~3× faster.
@functools.lru_cache(maxsize=32768)
def _norm_text(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(_PUNCT))


def norm(value: Any) -> str:
    """A cell as a label: half-width, no white space or colons (hand-typed forms vary in these)."""
    if value is None:
        return ""
    return _norm_text(value if isinstance(value, str) else str(value))


@functools.lru_cache(maxsize=32768)
def strip_paren(text: str) -> str:
    """'全年预算数(A)' -> '全年预算数'; '产出指标(50分)' -> '产出指标'."""
    return re.sub(r"\([^)]*\)", "", text)


@functools.lru_cache(maxsize=32768)
def _matches_text(text: str, label: str) -> bool:
    want = norm(label)
    return text == want or strip_paren(text) == strip_paren(want)


def label_key(value: Any) -> str:
    """What two cells share exactly when they read as the same label (see matches)."""
    text = norm(value)
    return strip_paren(text) if text else ""


def matches(value: Any, label: str) -> bool:
    """True when a cell reads as the label, allowing stray spaces, colons and (…) notes."""
    text = norm(value)
    return bool(text) and _matches_text(text, label)


def fund_row_key(value: Any) -> str | None:
    """Which 项目资金 row a label cell names, if any ("其中：本年财政拨款" -> 本年财政拨款)."""
    text = norm(value).replace("其中", "")
    if not text or len(text) > 12:
        return None
    for key in FUND_ROW_LABELS:
        if text.startswith(key) or (key == "年度资金总额" and text in ("资金总额", "年度资金总", "合计")):
            return key
    return None


def fund_header_key(value: Any) -> str | None:
    text = strip_paren(norm(value))
    if not text or len(text) > 10:
        return None
    if text.startswith("自评得分") or text.startswith("自评分"):
        return "自评得分"
    for key in ("年初预算数", "全年预算数", "全年执行数", "执行率", "分值", "得分"):
        if text.startswith(key):
            return key
    if text in ("预算数",):
        return "全年预算数"
    if text in ("执行数", "实际执行数"):
        return "全年执行数"
    return None


def indicator_header_key(value: Any) -> str | None:
    text = strip_paren(norm(value))
    if not text or len(text) > 16:
        return None
    if text.startswith("自评得分") or text.startswith("自评分"):
        return "自评得分"
    if text.startswith("偏差"):
        return "偏差原因分析及改进措施"
    for key in ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"):
        if text == key:
            return key
    aliases = {"指标值": "年度指标值", "目标值": "年度指标值", "年度目标值": "年度指标值", "实际值": "实际完成值",
               "完成值": "实际完成值", "实际完成情况": "实际完成值", "权重": "分值", "一级": "一级指标",
               "二级": "二级指标", "三级": "三级指标", "评分": "得分", "自评得分": "自评得分"}
    return aliases.get(text)
