"""`evaltool new --from-targets 目标表.xlsx`: the year-end 自评表 pre-filled from the 绩效目标表 filed in
spring — header, 年度总体目标 as 预期目标, 资金 as 年初预算数, every indicator with its 年度指标值
(direction, number and unit as one value) and its 权重 as 分值. What only the year end knows
(全年预算数, 全年执行数, 实际完成值, 偏差原因) is left for the clerk."""
from __future__ import annotations

from pathlib import Path

from evaltool.core.errors import InputError
from evaltool.core.model import FundRow, Indicator, Project
from evaltool.kinds.targets import layout as T
from evaltool.kinds.targets.compare import load_targets

SELF_EVAL = "自评表"  # what the 目标表 carries into; --kind may name no other kind


def selfeval_from_targets(path: str, kind: str | None = None, sheet: str | None = None) -> Project:
    from evaltool.core.kinds import DEFAULT_KIND

    target_kind = kind or DEFAULT_KIND
    if target_kind != SELF_EVAL:
        raise InputError(f"--from-targets 生成的是自评表，不能与 --kind {target_kind} 一起使用。")
    targets = load_targets(path)
    sheets = "、".join(f"“{t.sheet}”" for t in targets)
    if sheet is not None:
        targets = [t for t in targets if t.sheet == sheet]
        if not targets:
            raise InputError(f"{Path(path).name} 中没有名为“{sheet}”的绩效目标表工作表；其中的绩效目标表在工作表 {sheets}。")
    if len(targets) > 1:
        raise InputError(f"{Path(path).name} 中有 {len(targets)} 张绩效目标表（工作表 {sheets}）。"
                         "请用 --sheet 给出要生成自评表的那一张所在的工作表，例如 --sheet " + (targets[0].sheet or "绩效目标表") + "。")
    return from_targets(targets[0])


def from_targets(t: Project) -> Project:
    p = Project(kind=SELF_EVAL, year=t.year, name=t.name, department=t.department, unit=t.unit, rules=t.rules,
                goal_expected=t.goal_expected, source=t.source)
    for label in T.FUND_ROWS:
        row = t.funds.get(label)
        if row is not None and row.initial is not None:
            p.funds[label] = FundRow(label=label, initial=row.initial)
    rows = (t.extra.get("目标表") or {}).get("rows") or []
    for i, ind in enumerate(t.indicators):
        if (rows[i] if i < len(rows) else {}).get("占位"):
            continue  # a 二级 the 目标表 listed without an indicator
        p.indicators.append(Indicator(level1=ind.level1, level2=ind.level2, level3=ind.level3, target=ind.target,
                                      weight=ind.weight))
    return p


def from_grids(grids, where: str = "本工作簿") -> Project:
    """The 自评表 pre-filled from the one 绩效目标表 among an open workbook's sheets (the Excel and WPS
    由目标表生成自评表 button); InputError (Chinese) when there is none or more than one."""
    from evaltool.kinds.targets.reader import read_views
    from evaltool.workbook.reader import View

    targets = read_views([View(g) for g in grids])
    if not targets:
        raise InputError(f"{where}中没有找到绩效目标表（应有“三级指标”“指标值”列的绩效指标表）。"
                         "请先打开申报时的绩效目标表，或用“新建 → 新建绩效目标表”填好后再点此按钮。")
    if len(targets) > 1:
        sheets = "、".join(f"“{t.sheet}”" for t in targets)
        raise InputError(f"{where}中有 {len(targets)} 张绩效目标表（工作表 {sheets}），请只保留本项目的那一张。")
    return from_targets(targets[0])
