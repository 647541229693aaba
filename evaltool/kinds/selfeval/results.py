"""The --json form of a 自评表's result."""
from __future__ import annotations

from typing import Any

from evaltool.core.decimals import plain_number as number
from evaltool.core.model import Project, ScoreResult


def form_result_dict(project: Project, result: ScoreResult) -> dict[str, Any]:
    """The --json form of a 自评表's result."""
    return {
        "项目名称": project.name,
        "主管部门": project.department,
        "实施单位": project.unit,
        "年度": project.year,
        "工作表": project.sheet,
        "规则": result.rule_id,
        "执行率": number(result.rate_display),
        "执行率分值": number(result.rate_weight),
        "执行率得分": number(result.rate_score),
        "执行率说明": result.rate_explanation,
        "指标": [
            {
                "序号": r.index + 1,
                "一级指标": r.level1,
                "二级指标": r.level2,
                "三级指标": r.level3,
                "分值": number(r.weight),
                "得分": number(r.score),
                "计分方式": r.method,
                "说明": r.explanation,
                "超额扣分": number(r.deduction),  # null when the rule set took nothing
            }
            for r in result.indicators
        ],
        "小计": {k: number(v) for k, v in result.subtotals.items()},
        "总分": number(result.total),
        # The rule set's steps after the indicator scores (超额扣分, 总分上限), each with its reason;
        # 分数 is negative. The subtotals add up to 封顶前总分 when a 总分上限 cut the total (else null).
        "调整": [{"类型": a.kind, "序号": None if a.indicator is None else a.indicator + 1,
                  "三级指标": None if a.indicator is None else result.indicators[a.indicator].level3,
                  "分数": number(a.amount), "说明": a.reason} for a in result.adjustments],
        "封顶前总分": number(result.uncapped_total),
        "等次": result.grade,
        "无法计分原因": result.ungraded,  # null when graded; then 总分/等次 are null too
        "错误数": sum(f.severity == "error" for f in result.findings),
        "警告数": sum(f.severity == "warning" for f in result.findings),
        "标记": [f.as_dict() for f in result.findings],
    }
