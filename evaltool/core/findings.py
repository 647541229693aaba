"""The finding catalogue: every code evaltool gives, once, with its severity and a one-line summary.

Codes are stable (bureaus filter on them). The README's code table is generated from CATALOGUE
(`python3 tools/gen_codes.py`); tests/test_findings.py checks that the table agrees and that every
code written in the source is here. The severity follows the prefix: E- 错误, W- 警告, I- 提示.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    severity: str  # error | warning | info
    summary: str  # one line, Chinese
    scope: str  # 自评表, 评分表, 运行监控表, 报告, 读取, 汇总, 通用


_SEVERITY = {"E": "error", "W": "warning", "I": "info"}

_ENTRIES = [
    # ---- 读取：表格能否读到计分所需的内容 ----
    ("E-UNREAD-FUNDS", "没有读到项目资金表或年度资金总额行，无法计分", "自评表"),
    ("E-UNREAD-BUDGET", "年度资金总额的全年预算数未填写或没有该列，无法计分", "自评表"),
    ("E-UNREAD-ACTUAL", "年度资金总额的全年执行数未填写或没有该列，无法计分", "自评表"),
    ("E-UNREAD-INDICATORS", "没有读到绩效指标表或其中任何指标，无法计分", "自评表"),
    ("E-UNREAD-COLUMN", "缺少计分所需的列（如实际完成值），或两列读作同一栏目", "通用"),
    ("E-UNREAD-WEIGHT", "绩效指标表没有“分值”列，各指标无法计分", "自评表"),
    ("I-COLUMN-IGNORED", "不参与计分的列，未读取", "自评表"),
    ("I-FUND-A", "没有全年预算数列，按表头以“（A）”列作执行率分母", "自评表"),
    ("I-FUND-ROWS", "几行资金合并为同一资金行核对", "自评表"),
    ("W-FUND-ROWS", "合并核对的资金行中有一行不是数字，只按第一行核对", "自评表"),
    ("I-TARGET-SPLIT", "指标性质、指标值、度量单位几列合成年度指标值", "自评表"),
    ("W-READ-CELL", "单元格中的无效数值（如 NaN）按文字读取", "读取"),
    ("W-READ-STYLE", "格式部件有无效引用，按常规格式读取", "读取"),
    ("W-READ-REF", "单元格地址写法不规范，按位置读取", "读取"),
    ("W-READ-PART", "损坏或不需要的部件、工作表已略过", "读取"),
    ("W-READ-LIMIT", "超过行列或文字长度上限的部分没有读取", "读取"),
    ("W-HIDDEN-FORM", "隐藏的工作表中有表格：没有校验、计分或汇总", "读取"),
    ("W-READ-FORMULA", "公式没有保存计算结果（文件未经 Excel/WPS 计算），按空白读取", "读取"),
    ("W-TEMPLATE-NEWER", "工作簿由较新的模板生成，部分内容可能没有读到", "自评表"),
    ("E-PLACES", "“设置”中的小数位无效", "自评表"),
    # ---- 填写的值 ----
    ("E-CELL-ERROR", "单元格显示 Excel 错误值（#NAME? 等）", "通用"),
    ("E-REQUIRED", "必填项未填写", "通用"),
    ("E-YEAR", "年度无法识别", "通用"),
    ("E-NUMBER", "应填数字处不是数字", "通用"),
    ("E-NUMBER-RANGE", "数值过大或过小，不参与计算", "通用"),
    ("E-MONEY", "金额无法识别、为负数或单位不是金额", "通用"),
    ("I-MONEY-UNIT", "金额已按万元换算", "通用"),
    ("E-PARSE", "年度指标值或实际完成值无法识别", "自评表"),
    ("W-GOAL", "年度总体目标未填写", "自评表"),
    # ---- 资金与执行率 ----
    ("E-FUND-SUM", "年度资金总额不等于各资金行之和", "自评表"),
    ("E-FUND-TOTAL-EMPTY", "年度资金总额为 0 或未填，而各行填有金额，无法计分", "自评表"),
    ("W-FUND-OVER", "某资金行全年执行数超过全年预算数", "自评表"),
    ("E-RATE-BUDGET", "全年预算数为 0 或负数，无法计算执行率", "自评表"),
    ("W-RATE-OVER", "全年执行数超过全年预算数，执行率得分按 100% 封顶", "自评表"),
    ("W-RATE-REASON", "执行率未达 100%（或超过），应在报告素材中说明原因", "自评表"),
    ("E-SCORE-MISMATCH", "填报的执行率得分与计算不一致", "自评表"),
    # ---- 指标计分 ----
    ("E-KIND-MISMATCH", "年度指标值与实际完成值无法比较", "自评表"),
    ("E-UNIT", "实际完成值与年度指标值的单位无法换算", "自评表"),
    ("I-UNIT", "实际完成值已换算为年度指标值的单位", "自评表"),
    ("W-NO-DIRECTION", "年度指标值没有写明方向，暂按规则集的默认方向计分", "自评表"),
    ("W-FAR-ABOVE", "实际完成值远超目标，目标可能定得偏低（不扣分）", "自评表"),
    ("W-EXCESS-DEDUCT", "实际完成值超出目标达规则集的比例，按规则扣分（目标设置偏低）", "自评表"),
    ("E-QUAL-WORD", "定性指标的实际完成值不是可识别的评价等级", "自评表"),
    ("E-QUAL-NUMBER", "定性目标的实际完成值填了数字", "自评表"),
    ("E-QUAL-BAND", "定性得分不在所选等级的区间内", "自评表"),
    ("E-SCORE-OVER", "指标得分超过分值", "自评表"),
    ("E-DEVIATION", "得分低于分值但未填偏差原因分析及改进措施", "自评表"),
    ("E-UNKNOWN-L1", "一级指标不在规则集的指标体系中", "自评表"),
    ("W-UNKNOWN-L2", "二级指标不属于其一级指标", "自评表"),
    ("E-WEIGHT-L1", "一级指标下分值合计与规则集不符", "自评表"),
    ("E-WEIGHT-RATE", "项目资金（预算执行率）分值与规则集不符", "自评表"),
    ("E-WEIGHT-TOTAL", "全部分值合计不等于满分", "自评表"),
    ("W-TOTAL-CAP", "执行率低于规则集的界限，总分按上限封顶", "自评表"),
    ("E-UNGRADED", "无法计分的汇总说明（标在总分单元格）", "通用"),
    # ---- 写回工作簿 ----
    ("I-FILLED", "evaltool 填入的计算值（校验结果中记录）", "自评表"),
    ("I-COMPUTED", "手工填写的计算单元格与 evaltool 计算值不同（提示）", "自评表"),
    ("W-TYPED-DIFFERS", "手工填写的计算单元格与 evaltool 计算值不同", "自评表"),
    ("W-TYPED-UNGRADED", "项目无法计分，手工填写的计算单元格无法核实", "自评表"),
    # ---- 报告与报告素材 ----
    ("E-REPORT-NUMBER", "报告中的数字与表格不一致", "报告"),
    ("E-REPORT-ARITH", "报告中的百分比计算有误", "报告"),
    ("E-REPORT-GRADE", "报告中的等次与按总分计算的等次不一致", "报告"),
    ("W-REPORT-RESTATED", "报告中同一数量前后说法不一", "报告"),
    ("I-REPORT-CHECK", "报告素材的数字核对未能完成", "报告"),
    # ---- 评分表 ----
    ("E-SS-NO-ROWS", "评分表没有任何指标行", "评分表"),
    ("E-SS-UNKNOWN-L1", "一级指标不在评分框架中", "评分表"),
    ("W-SS-UNKNOWN-L2", "二级指标不在评分框架的该一级指标下", "评分表"),
    ("E-SS-WEIGHT-L1", "一级指标下分值合计与框架不符", "评分表"),
    ("E-SS-WEIGHT-TOTAL", "评分表全部分值合计不等于满分", "评分表"),
    ("E-SS-SCORE-MISSING", "指标得分未填写", "评分表"),
    ("E-SS-SCORE-NEG", "指标得分为负数", "评分表"),
    ("E-SS-SCORE-OVER", "指标得分超过分值", "评分表"),
    ("E-SS-FORMULA", "公式指标的填报得分与计算不一致", "评分表"),
    ("W-SS-FORMULA", "公式指标采用了与计算不同的填报得分", "评分表"),
    ("I-SS-FORMULA", "评价指标的填报得分与公式参考值不同（提示）", "评分表"),
    ("W-SS-BASIS", "扣分但评分依据中没有写明理由", "评分表"),
    ("W-SS-FUNDS", "项目基本信息的金额未填写，无法计算到位率或使用率", "评分表"),
    ("E-SS-PLANNED", "计划投资额为 0 或负数，无法计算资金到位率", "评分表"),
    ("E-SS-ARRIVED", "实际到位资金为 0，无法计算资金使用率", "评分表"),
    ("W-SS-ARRIVAL-OVER", "实际到位资金超过计划投资额", "评分表"),
    ("W-SS-USE-OVER", "实际使用超过实际到位资金", "评分表"),
    ("W-SS-SOURCES", "资金来源合计与计划投资额不一致", "评分表"),
    ("I-SS-NO-EVALUATORS", "评价人员未填写，等次按评分表总分确定", "评分表"),
    ("W-SS-EVAL-NAME", "评价人员姓名未填写", "评分表"),
    ("E-SS-EVAL-RANGE", "评价人员的项目评分超出 0 到满分", "评分表"),
    ("E-SS-EVAL-AVG", "评价人员平均得分与评分表总分相差超过允许偏差", "评分表"),
    ("W-SS-EVAL-SPREAD", "个人评分与评分表总分相差超过允许偏差", "评分表"),
    ("E-SS-TIER-MISSING", "绩效目标没有填写优良中差标准", "评分表"),
    ("E-SS-TIER-DIRECTION", "绩效标准无法判断越多越好还是越少越好", "评分表"),
    ("E-SS-TIER-ORDER", "绩效标准的顺序与方向不一致", "评分表"),
    ("E-SS-TIER-PARSE", "实际完成值无法与绩效标准比较", "评分表"),
    ("E-SS-TIER-UNIT", "绩效标准与实际完成值单位不一致", "评分表"),
    ("W-SS-TIER-ACTUAL", "绩效目标的实际完成值未填写", "评分表"),
    ("E-SS-REPORT-RATE", "报告中的到位率或使用率与评分表不一致", "评分表"),
    ("E-SS-REPORT-SCORE", "报告中的得分与评分表不一致", "评分表"),
    ("E-SS-REPORT-GRADE", "报告中的等次与评分表不一致", "评分表"),
    # ---- 运行监控表 ----
    ("E-MON-PERIOD", "监控期间未填写或无法识别，无法计算时间进度", "运行监控表"),
    ("W-MON-PERIOD", "列标题中的期间（如 1-6月）与监控期间不一致", "运行监控表"),
    ("E-MON-UNREAD-FUNDS", "没有读到项目资金表的年度资金总额行，无法计算执行进度", "运行监控表"),
    ("E-MON-BUDGET", "全年预算数未填写或不大于 0，无法计算执行进度", "运行监控表"),
    ("I-MON-BUDGET", "没有全年预算数，执行进度按年初预算数计算", "运行监控表"),
    ("W-MON-PROGRESS", "执行进度落后于时间进度（黄灯或红灯）", "运行监控表"),
    ("W-MON-EXEC-OVER", "执行数超过全年预算数", "运行监控表"),
    ("W-MON-FUND-SUM", "年度资金总额不等于各资金行之和", "运行监控表"),
    ("W-MON-FORECAST", "全年预计执行数未填写，或全年预计执行率低于规则集的下限", "运行监控表"),
    ("E-MON-NO-INDICATORS", "没有读到绩效指标，无法监控目标完成情况", "运行监控表"),
    ("E-MON-LIKELY", "完成可能性无法识别或选了多项", "运行监控表"),
    ("W-MON-LIKELY", "完成可能性为“确定能”，但全年预计完成值达不到年度指标值", "运行监控表"),
    ("W-MON-BEHIND", "全年预计完成值达不到年度指标值（黄灯或红灯）", "运行监控表"),
    ("W-MON-COMPARE", "全年预计完成值无法与年度指标值比较", "运行监控表"),
    ("W-MON-ACTUAL", "1-N月实际完成值未填写", "运行监控表"),
    ("E-MON-REASON", "亮黄灯或红灯的指标没有填写偏差原因", "运行监控表"),
    ("E-MON-MEASURE", "亮黄灯或红灯的指标没有填写纠偏措施", "运行监控表"),
    ("E-MON-CATEGORY", "偏差原因类别不在规定的分类中", "运行监控表"),
    ("W-MON-TYPED", "手工填写的执行进度或预警与 evaltool 计算的不同（未改动）", "运行监控表"),
    ("W-MON-DUP-NAME", "三级指标名称重复，年终带入自评表时无法确定对应哪一个", "运行监控表"),
    # ---- 绩效目标表（申报） ----
    ("W-TG-HEADER", "绩效目标表的主管部门、实施单位或年度未填写", "绩效目标表"),
    ("E-TG-FUND-SUM", "年度资金总额不等于财政拨款与其他资金之和", "绩效目标表"),
    ("E-TG-NO-INDICATORS", "绩效目标表中没有任何三级指标", "绩效目标表"),
    ("E-TG-NO-HEADER", "绩效目标表的绩效指标表找不到表头（三级指标、指标值列）", "绩效目标表"),
    ("W-TG-DUP-NAME", "三级指标名称重复，按名称对应指标时无法区分", "绩效目标表"),
    ("E-TG-L1-MISSING", "缺少规则集要求的一级指标", "绩效目标表"),
    ("W-TG-L1-UNKNOWN", "一级指标不在规则集的指标体系中", "绩效目标表"),
    ("W-TG-L2-UNKNOWN", "二级指标不属于其一级指标", "绩效目标表"),
    ("E-TG-L2-EMPTY", "二级指标下没有三级指标", "绩效目标表"),
    ("E-TG-NAME-EMPTY", "填写了指标值但三级指标名称未填写", "绩效目标表"),
    ("E-TG-TARGET-EMPTY", "三级指标的指标值未填写", "绩效目标表"),
    ("E-TG-VAGUE", "指标值没有数值（指标未细化量化）", "绩效目标表"),
    ("E-TG-DIRECTION", "指标值没有方向（≥ ≤ = ＞ ＜）或方向无法识别", "绩效目标表"),
    ("E-TG-DIRECTION-CONFLICT", "指标性质与指标值中写的方向不一致", "绩效目标表"),
    ("W-TG-UNIT", "指标值没有度量单位", "绩效目标表"),
    ("E-TG-WEIGHT-EMPTY", "有的指标填了权重，这个指标没有填", "绩效目标表"),
    ("E-TG-WEIGHT-L1", "一级指标的权重合计与规则集不一致", "绩效目标表"),
    ("E-TG-WEIGHT-TOTAL", "指标权重合计与规则集不一致", "绩效目标表"),
    ("W-TG-CHANGED", "自评表的年度指标值与申报的绩效目标表不一致", "自评表"),
    ("W-TG-DROPPED", "申报的绩效指标在自评表中没有", "自评表"),
    ("W-TG-ADDED", "自评表中的指标不在申报的绩效目标表中", "自评表"),
    ("W-TG-WEIGHT-CHANGED", "自评表的分值与绩效目标表申报的权重不一致", "自评表"),
    ("W-TG-FUND-CHANGED", "年初预算数与绩效目标表申报的年度资金总额不一致", "自评表"),
    ("W-TG-UNMATCHED", "绩效目标表中没有与本自评表项目名称相同的一张", "自评表"),
    # ---- 部门整体支出绩效自评表 ----
    ("E-DEPT-PART-SUM", "年度资金总额不等于基本支出与项目支出之和", "部门整体"),
    ("W-DEPT-PART-MISSING", "年度预算表中缺少基本支出或项目支出行，无法核对", "部门整体"),
    ("W-DEPT-PART-OVER", "基本支出或项目支出的全年执行数超过全年预算数", "部门整体"),
    ("W-DEPT-NO-TASKS", "没有读到年度主要任务", "部门整体"),
    ("E-DEPT-TASK-STATUS", "年度主要任务的完成情况未填写", "部门整体"),
    ("W-DEPT-TASK-OVER", "年度主要任务的执行数超过预算数", "部门整体"),
    ("W-DEPT-NO-PROJECTS", "有项目支出但没有读到项目支出情况（项目清单）", "部门整体"),
    ("E-DEPT-PROJECT-SUM", "项目清单的金额合计与年度预算的项目支出行不一致", "部门整体"),
    ("E-DEPT-PROJECT-RATE", "项目清单中填写的执行率与该项目的执行数 ÷ 预算数不一致", "部门整体"),
    ("W-DEPT-PROJECT-OVER", "项目清单中某项目的全年执行数超过全年预算数", "部门整体"),
    ("E-DEPT-PROJECT-SCORE", "项目清单中的自评得分不在 0 到满分之间", "部门整体"),
    ("W-DEPT-PROJECT-UNSCORED", "项目清单中某项目的自评得分未填写", "部门整体"),
    ("E-DEPT-PROJECT-GRADE", "项目清单中的自评等次与其自评得分按规则集所得不一致", "部门整体"),
    # ---- 汇总 ----
    ("E-RULES", "规则集无法使用，项目无法计分（汇总）", "汇总"),
    ("W-MACRO", "提交的工作簿含宏（宏不会运行）", "汇总"),
    ("W-DUPLICATE", "同一项目重复提交", "汇总"),
    # ---- 抽查（collect --review 的风险理由；不是填报表的问题，只在“抽查”工作表中列出）----
    ("I-RISK-HIGH-LOW", "抽查：总分高而执行率低", "汇总"),
    ("I-RISK-ALL-TOP", "抽查：全部定性指标自评为最高等级或满分", "汇总"),
    ("I-RISK-FAR-ABOVE", "抽查：定量指标实际完成值大幅超过目标", "汇总"),
    ("I-RISK-REPORT", "抽查：同一文件夹中的报告与表格数字不符", "汇总"),
    ("I-RISK-TYPED", "抽查：填报的得分与按规则计算的不同", "汇总"),
    ("I-RISK-SAME-TEXT", "抽查：偏差原因等文字与其他单位的表格完全相同", "汇总"),
    # ---- 公开 ----
    ("E-PUBLISH-NUMBER", "预算绩效情况说明中的数字与表格不一致", "公开"),
    ("W-PUBLISH-UNCHECKED", "预算绩效情况说明中的数字无法与表格核对", "公开"),
    ("W-PUBLISH-YEARS", "公开的表格年度不一致，情况说明合计了不同年度", "公开"),
]

CATALOGUE: dict[str, Code] = {c: Code(c, _SEVERITY[c[0]], s, scope) for c, s, scope in _ENTRIES}
assert len(CATALOGUE) == len(_ENTRIES), "a code is listed twice"


def severity_of(code: str) -> str:
    return CATALOGUE[code].severity


def markdown_table() -> str:
    """The README's code table."""
    label = {"error": "错误", "warning": "警告", "info": "提示"}
    lines = ["| 代码 | 级别 | 范围 | 说明 |", "| --- | --- | --- | --- |"]
    lines += [f"| `{c.code}` | {label[c.severity]} | {c.scope} | {c.summary} |" for c in CATALOGUE.values()]
    return "\n".join(lines)


__all__ = ["Code", "CATALOGUE", "severity_of", "markdown_table"]
