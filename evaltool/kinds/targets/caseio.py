"""A 绩效目标表 as a case file (类型: 绩效目标表):

    项目资金: {年度资金总额: 100, 本年财政拨款: 80, 其他资金: 20}     # 万元
    年度总体目标: 完成……
    绩效指标:
      - {一级指标: 产出指标, 二级指标: 数量指标, 三级指标: 培训人次, 指标值: "≥500人次", 权重: 10}

指标值 may instead be given as 指标性质 / 指标值 / 度量单位 (then they are kept apart, as on the sheet)."""
from __future__ import annotations

from typing import Any

from evaltool.core.caseio import CaseError
from evaltool.core.decimals import plain_number
from evaltool.core.model import FundRow, Indicator, Location, Project
from evaltool.kinds.targets import layout as T

INDICATOR_KEYS = ("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重", "指标解释")


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float)) and not isinstance(value, bool)


def targets_from_dict(p: Project, data: dict, name: str) -> None:
    from evaltool.kinds.targets.reader import is_timely, target_text

    funds = data.get("项目资金") or {}
    if not isinstance(funds, dict):
        raise CaseError(f"{name} 的“项目资金”应写成 {{年度资金总额: 100, 本年财政拨款: 80, 其他资金: 20}}。")
    for label, value in funds.items():
        if label not in T.FUND_ROWS:
            raise CaseError(f"{name} 的“项目资金”中有无法识别的行“{label}”；可用的行：{'、'.join(T.FUND_ROWS)}。")
        if not _scalar(value):
            raise CaseError(f"{name} 的“项目资金 → {label}”应是以万元为单位的一个数。")
        row = FundRow(label=label, initial=value)
        row.cells["金额"] = Location(path=f"项目资金.{label}")
        p.funds[label] = row
    goal = data.get("年度总体目标")
    if not _scalar(goal):
        raise CaseError(f"{name} 的“年度总体目标”应是一段文字。")
    p.goal_expected = goal
    p.cells["年度总体目标"] = Location(path="年度总体目标")
    items = data.get("绩效指标") or []
    if not isinstance(items, list):
        raise CaseError(f"{name} 的“绩效指标”应是列表（每行以“- ”开头）。")
    header = {"一级指标": 1, "二级指标": 2, "三级指标": 3, "指标值": 4, "权重": 5}
    rows = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not all(_scalar(item.get(k)) for k in INDICATOR_KEYS):
            raise CaseError(f"{name} 的“绩效指标”第 {n} 项应写成 {{一级指标: …, 二级指标: …, 三级指标: …, 指标值: …}}。")
        unknown = [k for k in item if k not in INDICATOR_KEYS]
        if unknown:
            raise CaseError(f"{name} 的“绩效指标”第 {n} 项有无法识别的键：{'、'.join(map(str, unknown))}。"
                            f"可用的键：{'、'.join(INDICATOR_KEYS)}。")
        ind = Indicator(level1=item.get("一级指标"), level2=item.get("二级指标"), level3=item.get("三级指标"),
                        weight=item.get("权重"))
        ind.target = target_text(T.vocabulary(), item.get("指标性质"), item.get("指标值"), item.get("度量单位"),
                                 timely=is_timely(item.get("二级指标")))
        for key in INDICATOR_KEYS:
            ind.cells[key] = Location(path=f"绩效指标[{n}].{key}")
        if item.get("指标性质") is not None:
            header["指标性质"] = 6
        if item.get("度量单位") is not None:
            header["度量单位"] = 7
        rows.append({"性质": item.get("指标性质"), "值": item.get("指标值"), "单位": item.get("度量单位"),
                     "解释": item.get("指标解释"),
                     "占位": all(item.get(k) in (None, "") for k in ("三级指标", "指标值", "权重"))})
        p.indicators.append(ind)
    if not any(item.get("权重") is not None for item in items if isinstance(item, dict)):
        header.pop("权重")
    p.extra["目标表"] = {"rows": rows, "header": header, "inputs": []}
    p.cells["绩效指标"] = Location(path="绩效指标")
    p.cells["权重"] = Location(path="绩效指标")


def targets_to_dict(p: Project, out: dict[str, Any]) -> None:
    out["项目资金"] = {label: plain_number(row.initial) for label, row in p.funds.items() if row.initial is not None}
    if p.goal_expected is not None:
        out["年度总体目标"] = p.goal_expected
    rows = (p.extra.get("目标表") or {}).get("rows") or []
    items = []
    for i, ind in enumerate(p.indicators):
        row = rows[i] if i < len(rows) else {}
        if row.get("占位"):
            continue
        item: dict[str, Any] = {"一级指标": ind.level1, "二级指标": ind.level2, "三级指标": ind.level3}
        if row.get("性质") is not None or row.get("单位") is not None:
            item.update({"指标性质": row.get("性质"), "指标值": row.get("值"), "度量单位": row.get("单位")})
        else:
            item["指标值"] = ind.target
        item["权重"] = ind.weight
        item["指标解释"] = row.get("解释")
        items.append({k: plain_number(v) for k, v in item.items() if v not in (None, "")})
    out["绩效指标"] = items
