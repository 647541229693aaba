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
    """The --json form of a result, as the project's kind gives it."""
    from evaltool.core.kinds import kind_of

    return kind_of(project).result_dict(project, result)
