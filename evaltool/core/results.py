"""Machine-readable results (the --json output), shared by the CLI, the consolidation and Excel."""
from __future__ import annotations

from typing import Any

from evaltool.core.decimals import fmt, plain_number as number
from evaltool.core.model import Project, ScoreResult

# What every display shows instead of a 总分 / 等次 when the project could not be graded.
UNGRADED_LABEL = "无法计分"


def text_or_none(v: Any) -> Any:
    """A value for a results row: text stripped (blank text is None), anything else as it is."""
    if v is None:
        return None
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def ungraded_text(result: ScoreResult) -> str | None:
    """'无法计分：<reason>' for an ungraded result, None for a graded one."""
    reason = result.ungraded
    return f"{UNGRADED_LABEL}：{reason}" if reason else None


def total_text(result: ScoreResult, places: int = 2) -> str:
    """The 总分 as shown: the number, or 无法计分 (never 0 or a dash standing for a number)."""
    return UNGRADED_LABEL if result.ungraded else fmt(result.total, places)


def grade_text(result: ScoreResult) -> str:
    return UNGRADED_LABEL if result.ungraded else (result.grade or "—")


def result_dict(project: Project, result: ScoreResult) -> dict[str, Any]:
    """The --json form of a result, as the project's kind gives it."""
    from evaltool.core.kinds import kind_of

    return kind_of(project).result_dict(project, result)


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
            }
            for r in result.indicators
        ],
        "小计": {k: number(v) for k, v in result.subtotals.items()},
        "总分": number(result.total),
        "等次": result.grade,
        "无法计分原因": result.ungraded,  # null when graded; then 总分/等次 are null too
        "错误数": sum(f.severity == "error" for f in result.findings),
        "警告数": sum(f.severity == "warning" for f in result.findings),
        "标记": [f.as_dict() for f in result.findings],
    }
