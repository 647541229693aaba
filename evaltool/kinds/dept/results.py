"""The --json form of a scored 部门整体支出绩效自评表: the 自评表's keys (执行率, 指标, 小计, 总分, 等次, 标记)
plus 年度预算's 其中 rows, 年度主要任务 and 项目支出情况, each row with its one-line explanation."""
from __future__ import annotations

from typing import Any

from evaltool.core.decimals import plain_number as number
from evaltool.core.model import Project
from evaltool.kinds.selfeval.results import form_result_dict
from evaltool.kinds.dept.layout import KIND
from evaltool.kinds.dept.scoring import DeptResult


def result_dict(project: Project, result: DeptResult) -> dict[str, Any]:
    out = {"类型": KIND, "部门名称": project.name}
    base = form_result_dict(project, result)
    base.pop("项目名称", None)
    base.pop("实施单位", None)
    marks = base.pop("标记")
    out.update(base)
    out.update({
        "年度资金总额": {"年初预算数": number(result.initial), "全年预算数": number(result.budget),
                       "全年执行数": number(result.actual)},
        "支出构成": [{"行": p.label, "年初预算数": number(p.initial), "全年预算数": number(p.budget),
                  "全年执行数": number(p.actual), "执行率": number(p.rate), "说明": p.explanation} for p in result.parts],
        "年度主要任务": [{"任务名称": t.name, "预算数": number(t.budget), "执行数": number(t.actual), "完成情况": t.status}
                   for t in result.tasks],
        "项目支出情况": [{"项目名称": r.name, "全年预算数": number(r.budget), "全年执行数": number(r.actual),
                    "执行率": number(r.rate), "自评得分": number(r.score), "自评等次": r.grade, "说明": r.explanation}
                   for r in result.projects],
        "项目合计": {"全年预算数": number(result.project_budget), "全年执行数": number(result.project_actual),
                 "执行率": number(result.project_rate), "口径": result.scope},
        "标记": marks,
    })
    return out


__all__ = ["result_dict"]
