"""The 自评表's row in the 汇总 sheet (evaltool collect)."""
from __future__ import annotations

from typing import Any

from evaltool.core.decimals import plain_number as _num
from evaltool.core.results import text_or_none as _text


def summary_row(project, result, file: str) -> dict[str, Any]:
    """One 汇总 row. Subtotals use the rule set's 一级指标 names as keys (prefixed "小计:")."""
    from evaltool.core.results import UNGRADED_LABEL
    from evaltool.kinds.selfeval.scoring import RATE_LABEL

    row: dict[str, Any] = {
        "主管部门": _text(project.department),
        "单位": _text(project.unit),
        "项目": _text(project.name),
        "年度": _text(project.year),
        "预算数": _num(result.budget),
        "执行数": _num(result.actual),
        "执行率": _num(result.rate_display),
        "执行率得分": _num(result.rate_score),
    }
    for name, value in result.subtotals.items():
        if name != RATE_LABEL:
            row["小计:" + name] = _num(value)
    row.update({
        "总分": _num(result.total),  # None when ungraded: an empty cell, never 0
        "等次": UNGRADED_LABEL if result.ungraded else result.grade,
        "无法计分原因": result.ungraded,
        "错误数": sum(f.severity == "error" for f in result.findings),
        "警告数": sum(f.severity == "warning" for f in result.findings),
        "规则": result.rule_name,
        "文件": file,
        "工作表": project.sheet,
    })
    return row
