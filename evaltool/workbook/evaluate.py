"""Scoring a project read from a workbook, the same way for every caller (check, score, the Excel
buttons, collect): its rule set with the decimals the 设置 sheet asks for, every finding placed on
a cell, and the 设置 sheet's own problems. Pure: no spreadsheet library, no click.
"""
from __future__ import annotations

import dataclasses

from evaltool.core.model import Finding, Location, Project, ScoreResult
from evaltool.core.rules import RuleSet, load_rules
from evaltool.workbook import layout as L

# (id of the loaded rule set, places) -> (that rule set, its copy with those places): forms share a
# few rule sets, and the copy keeps its caches (grade words) from one form to the next.
_WITH_PLACES: dict[tuple[int, int], tuple[RuleSet, RuleSet]] = {}


def rule_set_for(project: Project, base: RuleSet | None = None) -> RuleSet:
    """The project's rule set (or `base`, one loaded already), with the 设置 sheet's 小数位 when the
    workbook gives one. InputError (Chinese) when the rule set cannot be loaded."""
    rules = base if base is not None else load_rules(project.rules)
    places = project.extra.get("小数位")
    if places is None or places == rules.places:
        return rules
    if base is not None:  # a one-off rule set (posted inline): not worth a cache entry
        return dataclasses.replace(rules, places=places)
    key = (id(rules), places)
    hit = _WITH_PLACES.get(key)
    if hit is None or hit[0] is not rules:
        hit = _WITH_PLACES[key] = (rules, dataclasses.replace(rules, places=places))
    return hit[1]


def display_places(project: Project) -> int:
    """Decimals every display of a project's scores uses (console, report, 附表): the 设置 sheet's
    小数位, else the rule set's — the places the scores were computed at; 2 if the rule set cannot load."""
    from evaltool.core.errors import InputError

    try:
        return rule_set_for(project).places
    except InputError:
        return 2


def settle(project: Project, result: ScoreResult) -> None:
    """What a workbook adds to the core's findings: each one placed on a cell, and the 设置 sheet's
    own problems (a newer template, an unusable 小数位)."""
    from evaltool.workbook.reader import sheet_info
    from evaltool.workbook.writer import place_findings, typed_findings

    place_findings(project, result)
    seen = {(f.code, f.location.cell) for f in result.findings}  # settled twice: noted once
    result.findings += [f for f in typed_findings(project, result) if (f.code, f.location.cell) not in seen]
    info = sheet_info(project)
    if info and info.version and info.version > L.TEMPLATE_VERSION:
        result.findings.append(Finding(
            "W-TEMPLATE-NEWER", "warning",
            f"本工作簿由较新的模板（版本 {info.version}）生成，当前 evaltool 只认识到版本 {L.TEMPLATE_VERSION}，"
            "部分内容可能没有读到。请升级 evaltool 后再计分。", L.L_VERSION,
            info.version_cell or Location(sheet=L.SHEET_SETTINGS)))
    bad = project.extra.get("小数位无效")
    if bad:
        raw, loc = bad
        result.findings.append(Finding("E-PLACES", "error", f"小数位“{raw}”无效，请填写 0 到 4 之间的整数，"
                                       "或留空按规则集。", L.L_PLACES, loc))
