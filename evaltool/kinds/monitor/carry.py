"""The 运行监控表's 偏差原因 and 纠偏措施 carried into the year-end 自评表 (evaltool new --monitor).

Each monitored indicator is matched to the 自评表's indicator of the same 三级指标 name (spaces,
full-width characters and brackets ignored); its reason and measure become that indicator's
偏差原因分析及改进措施 unless the clerk has written one already. A name that more than one row of
either form uses is not carried at all (which row's reason belongs to which is a guess). Without a 自评表 to start from, one
is made from the 监控表 itself (header, money, the indicator rows). What was not carried is said.
Pure: Projects in, a Project and Chinese lines out.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from evaltool.core.errors import InputError
from evaltool.core.kinds import DEFAULT_KIND
from evaltool.core.model import Indicator, Project
from evaltool.kinds.monitor import layout as M
from evaltool.workbook import layout as WL

_FUND_COLUMNS = {"年初预算数": "initial", "全年预算数": "budget"}
CELL_CHARS = 32767  # Excel's limit for one cell: a longer carried text would be cut by the writer, unsaid


@dataclass
class Carried:
    project: Project  # the 自评表 to build
    carried: list[str] = field(default_factory=list)  # 三级指标 names whose text went in
    kept: list[str] = field(default_factory=list)  # the 自评表 already had a text: left as it was
    unmatched: list[str] = field(default_factory=list)  # monitored indicators with no 自评表 row
    # names used by more than one row of the 监控表 or of the 自评表: which text belongs where is a guess
    ambiguous: list[str] = field(default_factory=list)
    cut: list[str] = field(default_factory=list)  # carried, but longer than one Excel cell holds: shortened


def _key(name) -> str:
    return WL.label_key(name)


def _text(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def deviation_text(item: dict, period: str) -> str:
    """偏差原因分析及改进措施 as carried: "（1-7月运行监控）偏差原因：经费保障，配套资金到位晚。纠偏措施：……"."""
    reason = "，".join(x for x in (_text(item.get("偏差原因类别")), _text(item.get("偏差原因"))) if x)
    measure = _text(item.get("纠偏措施"))
    parts = []
    if reason:
        parts.append(f"偏差原因：{reason.rstrip('。')}。")
    if measure:
        parts.append(f"纠偏措施：{measure.rstrip('。')}。")
    return f"（{period}运行监控）" + "".join(parts) if parts else ""


def pick_monitor(projects: list[Project], name: str | None, file: str) -> Project:
    monitors = [p for p in projects if p.kind == M.KIND]
    if not monitors:
        raise InputError(f"{file} 中没有找到{M.TITLE}（表头应有“三级指标”“全年预计完成值”“完成可能性”等列）。"
                         "--monitor 应给出本项目的运行监控表。")
    if len(monitors) == 1:
        return monitors[0]
    from evaltool.core.names import name_key

    same = [p for p in monitors if name and name_key(p.name) == name_key(name)]  # a project's name (S62)
    if len(same) == 1:
        return same[0]
    sheets = "、".join(f"“{p.sheet}”（{_text(p.name) or '未填项目名称'}）" for p in monitors)
    raise InputError(f"{file} 中有多张运行监控表：{sheets}。请把本项目的那一张另存为单独的文件后再用 --monitor。")


def from_monitor(monitor: Project) -> Project:
    """A 自评表 made from a 监控表: header, 年初/全年预算数, and its indicators with their targets."""
    p = Project(kind=DEFAULT_KIND, name=monitor.name, department=monitor.department, unit=monitor.unit,
                year=monitor.year, rules=monitor.rules)
    for label, row in (monitor.extra.get(M.FUNDS_KEY) or {}).items():
        fund = p.fund(label)
        for col, attr in _FUND_COLUMNS.items():
            setattr(fund, attr, row.get(col))
    goals = monitor.extra.get(M.GOALS_KEY) or {}
    p.goal_expected = goals.get("全年预期目标")
    for item in monitor.extra.get(M.ROWS_KEY) or []:
        p.indicators.append(Indicator(level1=item.get("一级指标"), level2=item.get("二级指标"),
                                      level3=item.get("三级指标"), target=item.get("年度指标值")))
    return p


def carry(monitor: Project, selfeval: Project | None) -> Carried:
    if selfeval is not None and selfeval.kind != DEFAULT_KIND:
        raise InputError(f"--monitor 的偏差原因只能带入自评表，{selfeval.source or '所给文件'}是{selfeval.kind}。")
    out = Carried(selfeval if selfeval is not None else from_monitor(monitor))
    month = M.period_month(monitor.extra.get(M.PERIOD_KEY))
    if month is None:
        info = M.info_of(monitor)
        month = info.months[0][0] if info and info.months else None
    period = f"1-{month}月" if month else ""
    by_name: dict[str, list[Indicator]] = {}
    for ind in out.project.indicators:
        by_name.setdefault(_key(ind.level3), []).append(ind)
    rows = monitor.extra.get(M.ROWS_KEY) or []
    monitored: dict[str, int] = {}
    for item in rows:
        key = _key(item.get("三级指标"))
        monitored[key] = monitored.get(key, 0) + 1
    for item in rows:
        text = deviation_text(item, period)
        name = _text(item.get("三级指标"))
        if not text or not name:
            continue
        targets = by_name.get(_key(name))
        if monitored[_key(name)] > 1 or (targets and len(targets) > 1):
            if name not in out.ambiguous:
                out.ambiguous.append(name)
            continue
        if not targets:
            out.unmatched.append(name)
            continue
        for ind in targets:
            if _text(ind.deviation):
                out.kept.append(name)
            else:
                if len(text) > CELL_CHARS:
                    text = text[:CELL_CHARS - 1] + "…"
                    out.cut.append(name)
                ind.deviation = text
                out.carried.append(name)
    return out


__all__ = ["Carried", "carry", "from_monitor", "pick_monitor", "deviation_text"]
