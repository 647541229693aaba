"""The 部门整体支出绩效自评表 as a Project: what is where, and the case file's form of it.

The parts it shares with the 项目支出绩效自评表 use the same Project fields, so the shared scoring and
checks apply unchanged: the 年度资金总额 row is Project.funds["年度资金总额"] (with 分值 in fund_weight),
年度总体目标 is goal_expected/goal_actual, the 绩效指标 table is Project.indicators. What only this form
has lives in Project.extra: the 基本支出/项目支出 rows (FundRow, under PARTS), and the 年度主要任务 and
项目清单 lists (label → raw value, as typed). Locations: Project.where("项目清单[2].全年执行数").
"""
from __future__ import annotations

from typing import Any

from evaltool.core.caseio import CaseError, scalar_ok
from evaltool.kinds.selfeval.caseio import form_from_dict, form_to_dict, fund_rows
from evaltool.core.decimals import plain_number
from evaltool.core.model import FUND_COLUMN_ATTR, FundRow, Location, Project
from evaltool.kinds.dept.layout import KIND, PART_ROWS

PARTS = "_dept_parts"  # Project.extra: {"基本支出": FundRow, "项目支出": FundRow}
TASKS = "年度主要任务"
PROJECTS = "项目清单"
BUDGET = "年度预算"  # the case file's name of the fund block
TASK_KEYS = ("任务名称", "主要内容", "预算数", "执行数", "完成情况")
PROJECT_KEYS = ("项目名称", "全年预算数", "全年执行数", "执行率", "自评得分", "自评等次", "备注")
HEADER = {"部门名称": "name", "主管部门": "department"}


def part_rate(label: str) -> str:
    """Names of this form's computed cells (SheetInfo.out keys, also shown in 校验结果's I-FILLED rows)."""
    return f"{label}的执行率"


def project_rate(n: int) -> str:
    return f"项目清单第 {n} 项的执行率"


def project_sum(column: str) -> str:
    return f"项目清单合计的{column}"


def parts(project: Project) -> dict[str, FundRow]:
    found = project.extra.get(PARTS)
    return found if isinstance(found, dict) else {}


def items(project: Project, block: str) -> list[dict[str, Any]]:
    found = project.extra.get(block)
    return [x for x in found if isinstance(x, dict)] if isinstance(found, list) else []


def _list(data: dict, key: str, keys: tuple[str, ...], name: str, example: str) -> list[dict[str, Any]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise CaseError(f"{name} 的“{key}”应是列表（每项以“- ”开头），例如 - {example}")
    for n, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise CaseError(f"{name} 的“{key}”第 {n} 项应写成 {example}")
        for k, v in item.items():
            if k not in keys:
                raise CaseError(f"{name} 的“{key}”第 {n} 项有无法识别的键“{k}”，可用的键：{'、'.join(keys)}。")
            if not scalar_ok(v):
                raise CaseError(f"{name} 的“{key}”第 {n} 项的“{k}”应是一个值。")
    return value


def case_from_dict(p: Project, data: dict, name: str) -> None:
    """年度预算 (年度资金总额, 基本支出, 项目支出, 分值), 年度总体目标, 绩效指标, 年度主要任务, 项目清单."""
    for key, attr in HEADER.items():
        value = data.get(key)
        if not scalar_ok(value):
            raise CaseError(f"{name} 的“{key}”应是一个值。")
        if value is not None:
            setattr(p, attr, value)
        p.cells[key] = Location(path=key)
    if p.unit is None:
        p.unit = p.name
    budget = data.get(BUDGET)
    if budget is not None and not isinstance(budget, dict):
        raise CaseError(f"{name} 的“{BUDGET}”应是“键: 值”的表，例如 年度资金总额: {{全年预算数: 1250, 全年执行数: 1187.5}}。")
    if not isinstance(budget, dict):
        raise CaseError(f"{name} 缺少“{BUDGET}”，至少应有 年度资金总额: {{全年预算数: …, 全年执行数: …}}。")
    shared = {"项目资金": {k: v for k, v in budget.items() if k not in PART_ROWS}, **data}
    unknown = [k for k in budget if k not in (*PART_ROWS, "年度资金总额", "本年财政拨款", "上年结转资金", "其他资金", "分值")]
    if unknown:
        raise CaseError(f"{name} 的“{BUDGET}”中有无法识别的行：{'、'.join(map(str, unknown))}。可用的行：年度资金总额、"
                        f"{'、'.join(PART_ROWS)}、本年财政拨款、上年结转资金、其他资金、分值。")
    try:
        form_from_dict(p, shared, name)  # 年度资金总额, 年度总体目标, 绩效指标: as in a 自评表 case
    except CaseError as exc:
        raise CaseError(str(exc).replace("项目资金", BUDGET)) from None
    p.extra[PARTS] = fund_rows(budget, PART_ROWS, FUND_COLUMN_ATTR, BUDGET, name, "{全年预算数: 300, 全年执行数: 290}")
    for row in p.funds.values():  # paths say 年度预算, as the case file does
        row.cells = {k: Location(path=(loc.path or "").replace("项目资金", BUDGET)) for k, loc in row.cells.items()}
    p.cells["分值"] = Location(path=f"{BUDGET}.分值")
    tasks = _list(data, TASKS, TASK_KEYS, name, "{任务名称: 春耕生产, 主要内容: …, 完成情况: 已完成}")
    projects = _list(data, PROJECTS, PROJECT_KEYS, name, "{项目名称: …, 全年预算数: 500, 全年执行数: 480, 自评得分: 92}")
    for block, rows, keys in ((TASKS, tasks, TASK_KEYS), (PROJECTS, projects, PROJECT_KEYS)):
        p.extra[block] = [dict(x) for x in rows]
        for n in range(1, len(rows) + 1):
            for key in keys:
                p.cells[f"{block}[{n}].{key}"] = Location(path=f"{block}[{n}].{key}")
        p.cells[block] = Location(path=block)


def case_to_dict(p: Project, out: dict[str, Any]) -> None:
    for key, attr in HEADER.items():
        if getattr(p, attr) is not None:
            out[key] = plain_number(getattr(p, attr))
    out.pop("项目名称", None)
    if out.get("实施单位") == out.get("部门名称"):
        out.pop("实施单位", None)
    form_to_dict(p, out)
    budget = out.pop("项目资金")
    for label, row in parts(p).items():
        budget[label] = {k: plain_number(getattr(row, a)) for k, a in FUND_COLUMN_ATTR.items() if getattr(row, a) is not None}
    out[BUDGET] = budget
    goals, indicators = out.pop("年度总体目标"), out.pop("绩效指标")
    out[TASKS] = [{k: plain_number(v) for k, v in t.items() if v is not None} for t in items(p, TASKS)]
    out["年度总体目标"] = goals
    out["绩效指标"] = indicators
    out[PROJECTS] = [{k: plain_number(v) for k, v in t.items() if v is not None} for t in items(p, PROJECTS)]


__all__ = ["KIND", "PARTS", "TASKS", "PROJECTS", "parts", "items", "case_from_dict", "case_to_dict"]
