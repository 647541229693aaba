"""Machine-readable results (the --json output), shared by the CLI, the consolidation and Excel."""
from __future__ import annotations

from typing import Any

from evaltool.core.decimals import fmt
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
    """The --json form of a result, as the project's kind gives it, with the keys every kind shares
    (COMMON_HEAD first, COMMON_TAIL last) so that a script over a folder of forms of any kind reads
    类型, 工作表, 规则, 错误数 … the same way. A kind's own value of a shared key wins."""
    from evaltool.core.kinds import kind_of

    own = dict(kind_of(project).result_dict(project, result))
    head = {"类型": project.kind, "项目名称": project.name, "主管部门": project.department,
            "实施单位": project.unit, "年度": project.year, "工作表": project.sheet,
            "规则": getattr(result, "rule_id", None)}
    tail = {"错误数": sum(f.severity == "error" for f in result.findings),
            "警告数": sum(f.severity == "warning" for f in result.findings),
            "标记": [f.as_dict() for f in result.findings]}
    out = {k: own.pop(k, v) for k, v in head.items()}
    rest = {k: own.pop(k, v) for k, v in tail.items()}
    return {**out, **own, **rest}


COMMON_HEAD = ("类型", "项目名称", "主管部门", "实施单位", "年度", "工作表", "规则")
COMMON_TAIL = ("错误数", "警告数", "标记")
