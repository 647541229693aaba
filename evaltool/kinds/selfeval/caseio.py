"""The 自评表's parts of a case file (项目资金, 年度总体目标, 绩效指标); core/caseio.py reads and writes
the header keys every kind shares and hands the rest to the kind."""
from __future__ import annotations

from typing import Any

from evaltool.core.caseio import CaseError, described, drop_none, mapping, scalar_ok
from evaltool.core.decimals import plain_number as _plain
from evaltool.core.model import FUND_COLUMN_ATTR, FUND_ROWS, INDICATOR_ATTR, FundRow, Indicator, Location, Project

INDICATOR_KEYS = INDICATOR_ATTR
FUND_KEYS = {**FUND_COLUMN_ATTR, "得分": "entered_score"}


def form_from_dict(p: Project, data: dict, name: str) -> None:
    """The 自评表's own parts of a case file: 项目资金, 年度总体目标, 绩效指标."""
    funds_from_dict(p, data, name)
    goals = mapping(data, "年度总体目标", name)
    p.goal_expected, p.goal_actual = goals.get("预期目标"), goals.get("实际完成情况")
    p.cells["预期目标"] = Location(path="年度总体目标.预期目标")
    p.cells["实际完成情况"] = Location(path="年度总体目标.实际完成情况")
    indicators_from_dict(p, data, name)


def form_to_dict(p: Project, out: dict[str, Any]) -> None:
    """The 自评表's own parts of a case file's mapping."""
    funds: dict[str, Any] = {}
    for label in FUND_ROWS:
        row = p.funds.get(label)
        if row:
            funds[label] = drop_none({k: getattr(row, a) for k, a in FUND_KEYS.items()})
    if p.fund_weight is not None:
        funds["分值"] = _plain(p.fund_weight)
    out["项目资金"] = funds
    out["年度总体目标"] = drop_none({"预期目标": p.goal_expected, "实际完成情况": p.goal_actual})
    out["绩效指标"] = [drop_none({k: getattr(ind, a) for k, a in INDICATOR_KEYS.items()})
                   for ind in p.indicators]


def fund_rows(section: dict, labels, keys: dict[str, str], where: str, name: str, example: str) -> dict[str, FundRow]:
    """The money rows of a case file's section (项目资金, or the 部门整体's 年度预算 其中 rows), in
    label order; CaseError naming the row and key for a value that is not one number."""
    found: dict[str, FundRow] = {}
    for label in labels:
        row = section.get(label)
        if row is None:
            continue
        if not isinstance(row, dict):
            raise CaseError(f"{name} 的“{where} → {label}”应写成 {example}。")
        fr = FundRow(label=label)
        for key, attr in keys.items():
            value = row.get(key)
            if not scalar_ok(value):
                raise CaseError(f"{name} 的“{where} → {label} → {key}”应是一个数，现在是{described(value)}。")
            setattr(fr, attr, value)
            fr.cells[key] = Location(path=f"{where}.{label}.{key}")
        found[label] = fr
    return found


def funds_from_dict(p: Project, data: dict, name: str) -> None:
    funds = mapping(data, "项目资金", name)
    if not funds:
        raise CaseError(f"{name} 缺少“项目资金”，至少应有 年度资金总额: {{全年预算数: …, 全年执行数: …}}。")
    p.funds.update(fund_rows(funds, FUND_ROWS, FUND_KEYS, "项目资金", name, "{全年预算数: 35, 全年执行数: 34.5}"))
    unknown = [k for k in funds if k not in FUND_ROWS and k != "分值"]
    if unknown:
        raise CaseError(f"{name} 的“项目资金”中有无法识别的行：{'、'.join(map(str, unknown))}。"
                        f"可用的行：{'、'.join(FUND_ROWS)}、分值。")
    p.fund_weight = funds.get("分值")
    p.cells["分值"] = Location(path="项目资金.分值")


def indicators_from_dict(p: Project, data: dict, name: str) -> None:
    items = data.get("绩效指标")
    if items is None:
        raise CaseError(f"{name} 缺少“绩效指标”列表。")
    if not isinstance(items, list):
        raise CaseError(f"{name} 的“绩效指标”应是列表（每行以“- ”开头），现在是{described(items)}。")
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise CaseError(f"{name} 的“绩效指标”第 {n} 项应写成 {{一级指标: …, 二级指标: …, …}}。")
        ind = Indicator()
        for key, attr in INDICATOR_KEYS.items():
            value = item.get(key)
            if not scalar_ok(value):
                raise CaseError(f"{name} 的“绩效指标”第 {n} 项的“{key}”应是一个值，现在是{described(value)}。")
            setattr(ind, attr, value)
            ind.cells[key] = Location(path=f"绩效指标[{n}].{key}")
        p.indicators.append(ind)
