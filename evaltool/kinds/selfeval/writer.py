"""The 自评表's cell writes: computed values into its computed cells, findings in place (fill +
note), last run's marks cleared, row heights for the texts typed. Pure: no spreadsheet library."""
from __future__ import annotations

from typing import Any

from evaltool.core.decimals import plain_number as _num
from evaltool.core.model import Finding, Location, Project, ScoreResult
from evaltool.core.seam import CellWrite
from evaltool.kinds.selfeval import layout as SL
from evaltool.workbook import layout as L
from evaltool.workbook.reader import sheet_info
from evaltool.workbook.writer import computed_values, findings_for, mark_write


def form_cell_writes(project: Project, result: ScoreResult) -> list[CellWrite]:
    """cell_writes of a 自评表."""
    info = sheet_info(project)
    if info is None:
        return []
    sheet = info.sheet
    writes: dict[str, CellWrite] = {}
    # 1. Computed values into computed cells.
    values = computed_values(project, result)
    targets: list[tuple[Location, Any]] = [(loc, values.get(name)) for name, loc in info.out.items()]
    targets += [(loc, _num(r.score)) for loc, r in zip(info.indicator_out, result.indicators) if loc]
    for loc, value in targets:
        if not loc.cell:
            continue
        if info.template:
            writes[loc.cell] = CellWrite(sheet, loc.cell, value=value, style="computed", note="")
        elif loc.cell not in info.typed_out and (value is not None or loc.cell in info.filled):
            # A value evaltool filled on an earlier run and cannot compute now is cleared, not left stale.
            writes[loc.cell] = CellWrite(sheet, loc.cell, value=value, style="clear", note="")
    # 2. Findings in place: worst severity colours the cell, every message goes into the note.
    by_cell: dict[str, list[Finding]] = {}
    for f in findings_for(project, result):
        if f.location.sheet == sheet and f.location.cell and f.code != "I-FILLED":
            by_cell.setdefault(f.location.cell, []).append(f)
    for cell, found in by_cell.items():
        mark = mark_write(sheet, cell, found)
        prior = writes.get(cell)
        if prior is not None and not prior.keep_value:  # the computed value still goes in
            mark = CellWrite(sheet, cell, value=prior.value, style=mark.style, note=mark.note)
        writes[cell] = mark
    # 3. Marks of the last run that are fixed now: restore the cell's own look, drop evaltool's note.
    computed = {loc.cell for loc in info.out.values()} | {loc.cell for loc in info.indicator_out if loc}
    for cell in sorted(info.marked):
        if cell in writes:
            continue
        if info.template:
            style = "computed" if cell in computed else "input"
        else:
            style = "clear"
        writes[cell] = CellWrite(sheet, cell, style=style, note="", keep_value=True)
    # 报告素材 texts whose numbers disagree with the form: marked on their own cells too (the clerk
    # fixes the text where it is), and last run's marks there cleared once fixed.
    on_report: dict[str, list[Finding]] = {}
    for f in findings_for(project, result):
        if f.location.sheet == L.SHEET_REPORT and f.location.cell and sheet != L.SHEET_REPORT:
            on_report.setdefault(f.location.cell, []).append(f)
    report_writes = [mark_write(L.SHEET_REPORT, cell, found) for cell, found in on_report.items()]
    report_writes += [CellWrite(L.SHEET_REPORT, cell, style="input" if info.template else "clear", note="",
                                keep_value=True) for cell in sorted(info.report_marked - set(on_report))]
    # The promise, enforced: no value ever goes into a cell the clerk types in.
    for cell, w in writes.items():
        if not w.keep_value and (cell in info.inputs or cell in info.typed_out):
            writes[cell] = CellWrite(sheet, cell, style=w.style, note=w.note, keep_value=True)
    return list(writes.values()) + report_writes + (row_heights(project, sheet) if info.template else [])


def row_heights(project: Project, sheet: str) -> list[CellWrite]:
    """Heights for the template rows score owns (indicator rows, the 年度总体目标 text row), from the
    texts the clerk typed: a row never stays too short for its wrapped text."""
    from evaltool.workbook import paper

    def width(loc: Location | None) -> float:
        col = "".join(ch for ch in (loc.cell or "") if ch.isalpha()) if loc else ""
        return SL.FORM_WIDTHS.get(col, 15)

    out: list[CellWrite] = []
    rows = [ind for ind in project.indicators if ind.cells.get("三级指标") is not None
            and ind.cells["三级指标"].cell and (ind.cells["三级指标"].sheet or sheet) == sheet]
    heights = [paper.row_height([(getattr(ind, attr), width(ind.cells.get(key))) for key, attr in
                                 (("三级指标", "level3"), ("年度指标值", "target"), ("实际完成值", "actual"),
                                  ("偏差原因分析及改进措施", "deviation"))], SL.FORM_INDICATOR_ROW_PT)
               for ind in rows]
    # Consecutive rows of one 一级/二级 share a merged cell whose name must fit their total height.
    for key, keys, names in (("二级指标", [(i.level1, i.level2) for i in rows], [i.level2 for i in rows]),
                             ("一级指标", [i.level1 for i in rows], [i.level1 for i in rows])):
        w = width(next((i.cells.get(key) for i in rows if i.cells.get(key)), None))
        heights = paper.fit_groups(heights, keys, names, w)
    for ind, h in zip(rows, heights):
        out.append(CellWrite(sheet, ind.cells["三级指标"].cell or "", keep_value=True, row_height=h))  # rows have a cell
    goal = project.cells.get(L.L_GOAL_EXPECTED)
    if goal is not None and goal.cell and (goal.sheet or sheet) == sheet:
        out.append(CellWrite(sheet, goal.cell, keep_value=True, row_height=paper.row_height(
            [(project.goal_expected, SL.FORM_GOAL_WIDTHS[0]), (project.goal_actual, SL.FORM_GOAL_WIDTHS[1])],
            SL.FORM_GOAL_ROW_PT)))
    return out
