"""Project + ScoreResult -> CellWrites (and the 校验结果 sheet's content). Pure: no spreadsheet library.
What every kind's writes share is here (marks, findings placed by SheetInfo, the 校验结果 sheet);
each kind's own cell writes are its kind's (kinds/<name>/writer.py).

Computed values go into computed cells; findings are shown in place (fill + note) and listed in
校验结果; cells marked on the last run and now fine are cleared. A cell the clerk typed is never
given a value: on a hand-made form, a typed 得分 that disagrees is marked and the computed value is
put in the note instead.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from evaltool.core.decimals import fmt, fmt_percent, plain_number as _num, to_decimal
from evaltool.core.model import SEVERITY_LABEL, Finding, Location, Project, ScoreResult
from evaltool.core.results import UNGRADED_LABEL
from evaltool.core.seam import CellWrite
from evaltool.workbook import layout as L
from evaltool.workbook.reader import SCORED_KEY, SheetInfo, same_value, sheet_info

RANK = {"error": 3, "warning": 2, "info": 1}


def computed_values(project: Project, result: ScoreResult) -> dict[str, Any]:
    """Value for each named computed cell (the keys of SheetInfo.out)."""
    weights = [r.weight for r in result.indicators if r.weight is not None]
    weight_total = sum(weights, Decimal(0)) + (result.rate_weight or Decimal(0))
    subs = "；".join(f"{k} {fmt(v, 2) if v is not None else UNGRADED_LABEL}" for k, v in result.subtotals.items())
    ungraded = bool(result.ungraded)
    return {
        "执行率": _num(result.rate_display),
        "执行率得分": _num(result.rate_score),
        # An ungraded project's 总分/等次 cells say so: never 0, never the value of an earlier run.
        "总分": UNGRADED_LABEL if ungraded else _num(result.total),
        "分值合计": _num(weight_total),
        "等次": UNGRADED_LABEL if ungraded else result.grade,
        "小计": subs,
        **result.extra_values,
        **_subtotal_values(project, result),
    }


def _subtotal_values(project: Project, result: ScoreResult) -> dict[str, Any]:
    """The computed value of each subtotal row inside the indicator table (SheetInfo.subtotal_of)."""
    info = sheet_info(project)
    if info is None or not info.subtotal_of:
        return {}
    level1 = {r.index: r.level1 for r in result.indicators}
    out: dict[str, Any] = {}
    for key, (index, what) in info.subtotal_of.items():
        name = level1.get(index)
        if name is None:
            continue
        if what == "得分":
            out[key] = _num(result.subtotals.get(name))
        else:
            weights = [r.weight for r in result.indicators if r.level1 == name]
            known = [w for w in weights if w is not None]
            out[key] = _num(sum(known, Decimal(0))) if len(known) == len(weights) else None
    return out


def _display(name: str, value: Any) -> str:
    if value is None:
        return "—"
    if name.endswith("执行率") and isinstance(value, (int, float)):
        return fmt_percent(to_decimal(value))
    return str(value)


def place_findings(project: Project, result: ScoreResult) -> None:
    """Give every finding of a workbook project a sheet and cell (the core places some by path only)."""
    info = sheet_info(project)
    if info is None:
        return
    for f in result.findings:
        if not f.location.cell:
            loc = _place(project, info, f)
            if loc is not None and loc.cell:
                f.location = Location(sheet=loc.sheet or info.sheet, cell=loc.cell, path=f.location.path)
        if f.location.cell and not f.location.sheet:
            f.location = Location(sheet=info.sheet, cell=f.location.cell, path=f.location.path)


def findings_for(project: Project, result: ScoreResult) -> list[Finding]:
    """The core's findings, located on this sheet where possible (settle added the notes on typed
    computed cells, typed_findings), plus evaltool's notes on the computed values it writes into empty
    cells of a hand-made form (I-FILLED: about the write, so only where it writes)."""
    info = sheet_info(project)
    out: list[Finding] = []
    for f in result.findings:
        loc = f.location
        if info and not loc.cell:
            loc = _place(project, info, f) or loc
        out.append(Finding(f.code, f.severity, f.message, f.field, loc, f.indicator))
    if info is None or info.template:
        return out
    had = {(f.code, f.location.cell) for f in out}
    return out + [f for f in _out_cell_notes(project, result, info) if f.code == "I-FILLED"
                  or (f.code, f.location.cell) not in had]  # a result settle did not see (a test's, the server's)


def typed_findings(project: Project, result: ScoreResult) -> list[Finding]:
    """The notes on computed cells of a hand-made form that hold a value the clerk typed (a 总分 of 99
    where evaltool computes 94.70): W-TYPED-DIFFERS, I-COMPUTED, W-TYPED-UNGRADED. They are part of the
    result — check, score, --json, collect, --review and the buttons all list them (SWEEP S52), not
    only the 校验结果 sheet score writes."""
    info = sheet_info(project)
    if info is None:
        return []
    if info.template:
        # after a score, a grey cell that differs may be an earlier run's value made stale by an edit
        # elsewhere — evaltool's own, replaced without a word; only a never-scored form's was typed
        return [] if project.extra.get(SCORED_KEY) and _as_left(info) else _replaced(project, result, info)
    return [f for f in _out_cell_notes(project, result, info) if f.code != "I-FILLED"]


def _as_left(info: SheetInfo) -> bool:
    """Whether the grey score cells still add up as evaltool left them (indicator 得分 + 执行率得分 =
    总分): then a difference is an earlier run's value made stale by an edit elsewhere, not a typed one."""
    cells = [*info.indicator_out_values, info.out_values.get("执行率得分")]
    total = to_decimal(info.out_values.get("总分"))
    parts = [d for d in (to_decimal(v) for v in cells) if d is not None]
    if total is None or len(parts) != len(cells):
        return False
    return abs(sum(parts, Decimal(0)) - total) <= Decimal("0.011") * len(parts)  # each rounded to 0.01


def _replaced(project: Project, result: ScoreResult, info: SheetInfo) -> list[Finding]:
    """evaltool's own template: its grey cells are computed, so a value typed there is replaced when
    scoring — said, never silent (SWEEP S46; the 监控表 says the same)."""
    values = computed_values(project, result)
    exact = {"执行率得分": result.rate_score, "总分": result.total}
    targets = [(n, loc, values.get(n), info.out_values.get(n), exact.get(n)) for n, loc in info.out.items()]
    targets += [(f"第 {i + 1} 个指标的得分", loc, _num(r.score), cur, r.score) for i, (loc, cur, r) in
                enumerate(zip(info.indicator_out, info.indicator_out_values, result.indicators)) if loc]
    flagged = {f.location.cell for f in result.findings if f.code == "E-SCORE-MISMATCH"}  # said already
    out = []
    for label, loc, value, current, shown in targets:
        if not loc.cell or value is None or current is None or current == "" or loc.cell in flagged \
                or not _differs(current, value):
            continue
        if isinstance(current, str) and current.strip() == UNGRADED_LABEL:
            continue  # an earlier run's 无法计分
        text = str(shown) if isinstance(shown, Decimal) and value != UNGRADED_LABEL else _display(label, value)
        out.append(Finding("I-FILLED", "info", f"本单元格原为“{_display(label, current)}”，evaltool 计分时将改为“{text}”"
                           "（浅灰色单元格由 evaltool 计算填写，手工填写的内容会被替换）。", label,
                           Location(sheet=loc.sheet or info.sheet, cell=loc.cell, path=loc.path)))
    return out


def _out_cell_notes(project: Project, result: ScoreResult, info: SheetInfo) -> list[Finding]:
    out: list[Finding] = []
    values = computed_values(project, result)
    exact = {"执行率得分": result.rate_score, "总分": result.total}  # Decimals at the rule set's 小数位: 94.70
    targets = [(n, loc, values.get(n), info.out_values.get(n), exact.get(n)) for n, loc in info.out.items()]
    targets += [(f"第 {i + 1} 个指标的得分", loc, _num(r.score), cur, r.score) for i, (loc, cur, r) in
                enumerate(zip(info.indicator_out, info.indicator_out_values, result.indicators)) if loc]
    flagged = {f.location.cell for f in result.findings
               if f.location.sheet in (info.sheet, None) and f.code == "E-SCORE-MISMATCH"}
    for label, loc, value, current, shown in targets:
        if not loc.cell or value is None:
            continue
        text = str(shown) if isinstance(shown, Decimal) and value != UNGRADED_LABEL else _display(label, value)
        loc = Location(sheet=loc.sheet or info.sheet, cell=loc.cell, path=loc.path)
        if loc.cell in info.typed_out:
            if value == UNGRADED_LABEL:
                out.append(Finding("W-TYPED-UNGRADED", "warning",
                                   f"本项目无法计分（{result.ungraded}），本单元格手工填写的{label}“{current}”"
                                   "无法核实；evaltool 没有改动本单元格。", label, loc))
                continue
            if loc.cell in flagged or not _differs(current, value):
                continue
            severity = "warning" if label in ("总分", "等次") or label in info.subtotal_of else "info"
            out.append(Finding("I-COMPUTED" if severity == "info" else "W-TYPED-DIFFERS", severity,
                               f"evaltool 计算的{label}为 {text}，与本单元格手工填写的"
                               f"“{_display(label, current)}”不同；evaltool 没有改动本单元格，请核对。", label, loc))
        elif value == UNGRADED_LABEL:
            out.append(Finding("I-FILLED", "info", f"evaltool 在本单元格填入“{UNGRADED_LABEL}”：{result.ungraded}。",
                               label, loc))
        else:
            out.append(Finding("I-FILLED", "info", f"evaltool 填入计算的{label} {text}。", label, loc))
    return out


def _differs(current: Any, value: Any) -> bool:
    if current is None:
        return True
    if isinstance(value, float) and isinstance(current, str):
        from evaltool.core import values

        parsed = values.parse(current)
        if parsed.quantity is not None:
            q = parsed.quantity.value / (100 if parsed.quantity.unit == "%" else 1)
            return abs(float(q) - value) > 0.00005
    return not same_value(current, value)


def _place(project: Project, info: SheetInfo, f: Finding) -> Location | None:
    """A cell for a finding the core could only place by path (总分, 绩效指标, 项目资金…)."""
    path = f.location.path or ""
    if f.code in ("E-UNGRADED", "W-TOTAL-CAP"):  # about the 总分 itself, not the weights' sum
        return info.out.get("总分") or info.out.get("等次") or info.out.get("分值合计")
    if path == "总分" or f.code == "E-WEIGHT-TOTAL":
        return info.out.get("分值合计") or info.out.get("总分")
    if path.startswith("绩效指标"):
        first = project.indicators[0].cells.get("三级指标") if project.indicators else None
        return first or info.table or info.out.get("总分")
    if path.startswith("项目资金"):
        total = project.funds.get("年度资金总额")
        if total:
            return total.cells.get("全年预算数")
    return project.cells.get(path) if path in project.cells and project.cells[path].cell else None


def mark_write(sheet: str, cell: str, findings: list[Finding]) -> CellWrite:
    """The mark for one cell's findings (value kept): the worst severity colours it, every message is in the note."""
    worst = max(findings, key=lambda f: RANK[f.severity]).severity
    note = L.NOTE_PREFIX + "\n".join(f"{SEVERITY_LABEL[f.severity]}：{f.message}" for f in findings)
    return CellWrite(sheet, cell, style=worst, note=note, keep_value=True)


def marks_only(writes: list[CellWrite]) -> list[CellWrite]:
    """What 校验 writes of cell_writes(): problems shown, no value written. A computed cell with a
    finding keeps its value and gets only the mark; computed cells without one are left alone."""
    return [w if w.keep_value else dataclasses.replace(w, value=None, keep_value=True)
            for w in writes if w.keep_value or w.style in RANK]


def cell_writes(project: Project, result: ScoreResult) -> list[CellWrite]:
    """Everything to write into the project's sheet (its kind's writes): computed values, marks,
    notes, cleared marks."""
    from evaltool.core.kinds import kind_of

    return kind_of(project).cell_writes(project, result)


# ---- the 校验结果 sheet --------------------------------------------------------------------------------
@dataclass
class ResultsSheet:
    """Rows of the 校验结果 sheet; links: (row, col) -> (sheet, cell), 1-based in this sheet."""

    name: str = L.SHEET_RESULTS
    rows: list[list[Any]] = field(default_factory=list)
    links: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    header_rows: list[int] = field(default_factory=list)
    title_row: int = 1
    widths: tuple[float, ...] = (10, 28, 10, 8, 18, 14, 70, 10, 8)
    severity_rows: dict[int, str] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)  # rows whose text wraps (points)
    wrap_cols: tuple[int, ...] = (2, 6, 7)


def results_name(pairs) -> str:
    """The name of evaltool's 校验结果 sheet for these projects (reader.results_sheet_of): 校验结果, or
    校验结果(2) where the workbook has a sheet of that name that is not evaltool's."""
    from evaltool.workbook.reader import RESULTS_KEY

    return next((str(p.extra[RESULTS_KEY]) for p, _ in pairs if p.extra.get(RESULTS_KEY)), L.SHEET_RESULTS)


def results_note(pairs) -> str:
    """What to tell the clerk when evaltool's sheet could not take the usual name ("" otherwise)."""
    name = results_name(pairs)
    if name == L.SHEET_RESULTS:
        return ""
    return (f"工作簿中已有名为“{L.SHEET_RESULTS}”的工作表，但不是 evaltool 写的，它原样保留；"
            f"evaltool 的校验与计分结果写在“{name}”工作表中。")


def results_sheet(pairs: list[tuple[Project, ScoreResult]]) -> ResultsSheet:
    rs = ResultsSheet(name=results_name(pairs))
    rs.rows.append([L.RESULTS_TITLE])
    rs.heights[1] = 26
    rs.rows.append(["计分结果"])
    rs.rows.append(list(L.RESULTS_SUMMARY_HEADERS))
    rs.header_rows.append(len(rs.rows))
    all_findings: list[tuple[Project, ScoreResult, Finding]] = []
    for p, r in pairs:
        all_findings += [(p, r, f) for f in findings_for(p, r)]
        errors = sum(f.severity == "error" for f in r.findings)
        warnings = sum(f.severity == "warning" for f in r.findings)
        ungraded = bool(r.ungraded)
        rs.rows.append([p.sheet, p.name, UNGRADED_LABEL if ungraded else _num(r.total),
                        UNGRADED_LABEL if ungraded else r.grade, fmt_percent(r.rate_display), _num(r.rate_score),
                        r.rule_name, errors, warnings])
        info = sheet_info(p)
        if info and "总分" in info.out and info.out["总分"].cell:
            rs.links[(len(rs.rows), 1)] = (p.sheet or "", info.out["总分"].cell or "A1")
        if ungraded:  # why, right under the project's line, in the wide column
            text = f"“{p.sheet}”{UNGRADED_LABEL}：{r.ungraded}"
            rs.rows.append(["", f"{UNGRADED_LABEL}原因", None, None, None, None, text])
            units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) / (rs.widths[6] * 1.1)
            if units > 1:
                rs.heights[len(rs.rows)] = 15.0 * math.ceil(units) + 2
    rs.rows.append([])
    # the heading counts the rows listed under it (SWEEP S52: "共 4 条" above 9 rows)
    filled = sum(f.code == "I-FILLED" for _, _, f in all_findings)
    problems = len(all_findings) - filled
    head = "：未发现问题" if not problems else f"：共 {len(all_findings)} 条"
    if filled:
        head += (f"（其中 {filled} 条是 evaltool 填入计算值的说明）" if problems
                 else f"，下列 {filled} 条是 evaltool 填入计算值的说明")
    rs.rows.append(["校验结果" + head + ("，点击单元格地址可跳转" if all_findings else "")])
    rs.rows.append(list(L.RESULTS_HEADERS))
    rs.header_rows.append(len(rs.rows))
    values: dict[int, dict[str, Any]] = {}  # id(project) -> its computed values, made once
    for n, (p, r, f) in enumerate(all_findings, start=1):
        loc = f.location
        row = [n, loc.sheet or p.sheet, loc.cell or (loc.path or "—"), SEVERITY_LABEL[f.severity], f.code, f.field,
               f.message, None]
        if f.code == "I-FILLED":
            if id(p) not in values:
                values[id(p)] = computed_values(p, r)
            row[7] = _filled_value(p, loc, values[id(p)], r)
        rs.rows.append(row)
        rs.severity_rows[len(rs.rows)] = f.severity
        units = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in f.message) / (rs.widths[6] * 1.1),
                    sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(f.field)) / (rs.widths[5] * 1.1))
        if units > 1:
            rs.heights[len(rs.rows)] = 15.0 * math.ceil(units) + 2
        if loc.cell and (loc.sheet or p.sheet):
            rs.links[(len(rs.rows), 3)] = (loc.sheet or p.sheet or "", loc.cell)
    return rs


def _filled_value(p: Project, loc: Location, values: dict[str, Any], result: ScoreResult) -> Any:
    info = sheet_info(p)
    if info is None:
        return None
    for name, out_loc in info.out.items():
        if out_loc.cell == loc.cell:
            return values.get(name)
    for score_loc, r in zip(info.indicator_out, result.indicators):
        if score_loc and score_loc.cell == loc.cell:
            return _num(r.score)
    return None


__all__ = ["cell_writes", "marks_only", "mark_write", "results_sheet", "results_name", "results_note", "ResultsSheet",
           "computed_values", "findings_for", "typed_findings", "place_findings"]
