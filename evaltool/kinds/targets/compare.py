"""A 自评表 checked beside its 绩效目标表: the targets changed, dropped or added since filing.

The 目标表 comes from `evaltool check 自评表.xlsx --targets 目标表.xlsx` (attach) or from the same
workbook (attach_from_views, called by the 自评表's reader). The 自评表's kind calls findings() after
scoring; every finding is on the 自评表's cell and names the 目标表's value and cell.

Indicators are matched by 三级指标 name within their 一级/二级 (names compared as labels are:
full-width, spaces and brackets do not matter), then by name alone (a 二级 renamed is not a dropped
target). Targets are compared as values: "≥500人次" and "＞＝500 人次" are the same target.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from evaltool.core import values
from evaltool.core.decimals import fmt
from evaltool.core.errors import InputError
from evaltool.core.model import Finding, Location, Project
from evaltool.kinds.targets import layout as T

KEY = "_绩效目标表"  # Project.extra of a 自评表: the 目标表 projects to compare it with
SOURCE = "_绩效目标表来源"  # how a message names where they came from


def attach(projects: list[Project], targets: list[Project], source: str) -> None:
    """Compare every form in `projects` that is not itself a 目标表 with `targets` (from `source`)."""
    if not targets:
        raise InputError(f"{source} 中没有找到绩效目标表（应有“三级指标”“指标值”列的绩效指标表）。"
                         "请确认 --targets 给的是申报时的绩效目标表。")
    forms = [p for p in projects if p.kind != T.NAME]
    if not forms:
        raise InputError("--targets 用于把自评表与申报时的绩效目标表比对，但要检查的文件本身就是绩效目标表。"
                         "请写成：evaltool check 自评表.xlsx --targets 目标表.xlsx")
    from evaltool.core.kinds import DEFAULT_KIND, kind_named

    if not any(p.kind == DEFAULT_KIND for p in forms):  # only the 自评表 compares itself with its targets
        shown = "、".join(dict.fromkeys(kind_named(p.kind).title or p.kind for p in forms))
        raise InputError(f"--targets 只用于把{kind_named(DEFAULT_KIND).title}与申报时的绩效目标表比对，要检查的文件是{shown}，"
                         "不会比对。请去掉 --targets，或写成：evaltool check 自评表.xlsx --targets 目标表.xlsx")
    for p in forms:
        p.extra[KEY] = targets
        p.extra[SOURCE] = source


def attach_from_views(projects, views, context=None) -> None:
    """The 目标表 sheets of the workbook the 自评表s were read from."""
    from evaltool.kinds.targets.reader import read_views

    targets = read_views(views, context)
    for p in projects:
        p.extra[KEY] = targets
        p.extra[SOURCE] = "本工作簿"


def load_targets(path: str) -> list[Project]:
    """The 绩效目标表s in a file (a workbook or a case file), also when it holds a 自评表 beside them."""
    from pathlib import Path

    from evaltool.workbook import service

    try:
        projects = service.load(path)
    except InputError as exc:
        raise InputError(f"无法读取绩效目标表 {Path(path).name}：{exc}") from None
    found = [p for p in projects if p.kind == T.NAME]
    if not found:
        found = [t for p in projects for t in p.extra.get(KEY) or []]
    if not found:
        raise InputError(f"{Path(path).name} 中没有找到绩效目标表：读到的是{projects[0].kind if projects else '空的工作簿'}。"
                         "请给出申报时填报的绩效目标表。")
    return found


def _key(value: Any) -> str:
    from evaltool.workbook.layout import label_key

    return label_key(value) if value is not None else ""


def _target_key(raw: Any, year: int | None) -> tuple:
    """What two targets share when they state the same thing."""
    parsed = values.parse(raw, year)
    if parsed.kind == "number" and parsed.quantity is not None:
        return ("number", parsed.direction, parsed.quantity.value.normalize(), parsed.quantity.unit)
    if parsed.kind in ("deadline", "date"):
        return (parsed.kind, parsed.date)
    return ("text", parsed.text)


def _weight(raw: Any) -> Decimal | None:
    parsed = values.parse(raw)
    return parsed.quantity.value if parsed.kind == "number" and parsed.quantity and not parsed.direction else None


def _show(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None and str(value).strip() else "（空）"


def _pick(form: Project, targets: list[Project]) -> Project | None:
    if len(targets) == 1:
        return targets[0]
    from evaltool.core.names import name_key

    name = name_key(form.name)  # a project's name: bracket content counts (项目（一期）≠ 项目（二期）)
    return next((t for t in targets if name_key(t.name) == name and name), None)


def findings(form: Project, rules) -> list[Finding]:
    """The comparison of one 自评表 with the 目标表 attached to it ([] when there is none)."""
    targets = form.extra.get(KEY)
    if not targets:
        return []
    source = form.extra.get(SOURCE) or "绩效目标表"
    target = _pick(form, targets)
    if target is None:
        names = "、".join(f"“{_show(t.name)}”" for t in targets)
        return [Finding("W-TG-UNMATCHED", "warning", f"{source}中有 {len(targets)} 张绩效目标表（{names}），"
                        f"没有一张的项目名称与本表“{_show(form.name)}”相同，未能比对指标。", "项目名称",
                        form.where("项目名称"))]
    from evaltool.core.reading import project_year

    year = project_year(form) or project_year(target)
    out: list[Finding] = []
    from evaltool.core.names import name_key

    if len(targets) == 1 and name_key(form.name) and name_key(target.name) and name_key(form.name) != name_key(target.name):
        # the one 目标表 given is compared all the same, but it may be another project's
        out.append(Finding("W-TG-UNMATCHED", "warning", f"本表项目名称“{_show(form.name)}”与{source}中绩效目标表的项目名称"
                           f"“{_show(target.name)}”不同：请确认比对的是本项目申报的绩效目标表；是同一项目的，请统一项目名称。",
                           "项目名称", form.where("项目名称")))
    rows = (target.extra.get("目标表") or {}).get("rows") or []
    filed = [(i, t) for i, t in enumerate(target.indicators) if not (rows[i] if i < len(rows) else {}).get("占位")]
    if not filed:
        return []  # a blank 目标表 (just added from the 新建 menu): nothing was filed to compare with

    def where_filed(t, name: str) -> str:
        loc = t.cells.get(name)
        return f"{source} {loc}" if loc is not None and str(loc) else source

    def level(ind, attr: str) -> str:
        raw = getattr(ind, attr)
        if raw is None or not str(raw).strip():
            return ""
        return rules.canonical_level1(str(raw)) if attr == "level1" else str(raw)

    def l2(ind) -> str:
        raw = ind.level2
        return rules.canonical_level2(str(raw), level(ind, "level1")) if raw is not None and str(raw).strip() else ""

    mine = [(j, ind) for j, ind in enumerate(form.indicators) if ind.level3 is not None and str(ind.level3).strip()]
    used: set[int] = set()
    pairs: list[tuple[Any, int, Any]] = []
    dropped = []
    for _, t in filed:
        exact = [(j, ind) for j, ind in mine if j not in used and _key(ind.level3) == _key(t.level3)
                 and level(ind, "level1") == level(t, "level1") and l2(ind) == l2(t)]
        loose = exact or [(j, ind) for j, ind in mine if j not in used and _key(ind.level3) == _key(t.level3)]
        if loose:
            j, ind = loose[0]
            used.add(j)
            pairs.append((t, j, ind))
            if len(loose) > 1:  # several rows of this name: paired in order, which may be the wrong one
                cells = "、".join(str(x.where("三级指标")) for _, x in loose)
                out.append(Finding("W-TG-DUP-NAME", "warning",
                                   f"三级指标“{_show(t.level3)}”在自评表中有 {len(loose)} 行（{cells}），与申报的绩效目标"
                                   f"（{where_filed(t, '三级指标')}）无法一一对应，已按出现顺序比对：请把同名指标改为不同的名称"
                                   "（与目标表一致），比对才可靠。", "三级指标", ind.where("三级指标"), j))
        else:
            dropped.append(t)
    for t, j, ind in pairs:
        name = _show(t.level3)
        if _target_key(ind.target, year) != _target_key(t.target, year):
            out.append(Finding("W-TG-CHANGED", "warning",
                               f"“{name}”的年度指标值“{_show(ind.target)}”与申报的绩效目标（{where_filed(t, '指标值')}）"
                               f"“{_show(t.target)}”不一致：申报后的目标不应自行改动；确经批准调整的，请在偏差原因分析中写明调整依据，"
                               "否则请改回申报的指标值。", "年度指标值", ind.where("年度指标值"), j))
        w_new, w_old = _weight(ind.weight), _weight(t.weight)
        if w_old is not None and w_new is not None and w_new != w_old:
            out.append(Finding("W-TG-WEIGHT-CHANGED", "warning",
                               f"“{name}”的分值 {fmt(w_new)} 与绩效目标表申报的权重 {fmt(w_old)}（{where_filed(t, '权重')}）不一致。",
                               "分值", ind.where("分值"), j))
    for t in dropped:
        cell = _drop_cell(form, mine, level(t, "level1"), l2(t), level, l2)
        out.append(Finding("W-TG-DROPPED", "warning",
                           f"申报的绩效指标“{_show(t.level1)} / {_show(t.level2)} / {_show(t.level3)}”（指标值“{_show(t.target)}”，"
                           f"{where_filed(t, '三级指标')}）在自评表中没有：请补上这一指标并填写实际完成值；指标经批准取消的，请在偏差原因分析中说明。",
                           "三级指标", cell))
    for j, ind in mine:
        if j not in used:
            out.append(Finding("W-TG-ADDED", "warning",
                               f"“{_show(ind.level3)}”（年度指标值“{_show(ind.target)}”）不在申报的绩效目标表（{source}）中："
                               "自评应按申报的指标进行；新增指标经批准的，请在偏差原因分析中说明依据。", "三级指标",
                               ind.where("三级指标"), j))
    out += _fund_findings(form, target, source)
    return out


def _drop_cell(form: Project, mine, l1: str, l2_name: str, level, l2) -> Location:
    """Where a dropped target belongs on the 自评表: its 二级's cell, its 一级's, or the table's."""
    for test in (lambda ind: level(ind, "level1") == l1 and l2(ind) == l2_name,
                 lambda ind: level(ind, "level1") == l1):
        for _, ind in mine:
            if test(ind):
                return ind.where("二级指标")
    if form.indicators:
        return form.indicators[0].where("三级指标")
    return form.where("绩效指标")


def _fund_findings(form: Project, target: Project, source: str) -> list[Finding]:
    from evaltool.core.reading import Collector, read_money

    filed_row = target.funds.get("年度资金总额")
    row = form.funds.get("年度资金总额")
    if filed_row is None or row is None:
        return []
    quiet = Collector()  # unreadable amounts are each form's own findings
    filed = read_money(filed_row.initial, Location(), "年度资金总额", quiet)
    initial = read_money(row.initial, Location(), "年初预算数", quiet)
    if filed is None or initial is None or filed == initial:
        return []
    loc = filed_row.cells.get("金额")
    return [Finding("W-TG-FUND-CHANGED", "warning",
                    f"年度资金总额的年初预算数 {fmt(initial)} 万元与绩效目标表申报的 {fmt(filed)} 万元"
                    f"（{source}{' ' + str(loc) if loc is not None and str(loc) else ''}）不一致：年初预算数应为申报时的预算，"
                    "预算调整请填在全年预算数中。", "年初预算数", row.cells.get("年初预算数") or form.where("年初预算数"))]
