"""Where the 自评表's template puts things, and the headers it prints (the readers never rely on
positions: they find labels, workbook/layout.py and 标签.yaml)."""
from __future__ import annotations

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
# Input vs computed: what the clerk types, and what evaltool fills (locked, grey) on the 自评表.
INPUT_FIELDS = ("年度", "项目名称", "主管部门", "实施单位", "年初预算数", "全年预算数", "全年执行数", "分值",
                "预期目标", "实际完成情况", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值",
                "偏差原因分析及改进措施", "自评得分")
COMPUTED_FIELDS = ("执行率", "执行率得分", "得分", "总分", "分值合计", "等次", "小计")
