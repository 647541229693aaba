"""Results -> CellWrites for a 部门整体支出绩效自评表. Engine-free.

The cells it shares with the 自评表 (执行率 and 得分 of 年度资金总额, each indicator's 得分, 总分, 分值合计,
评价等次, the marks and notes of every finding, last run's marks cleared) are written as the 自评表
writer writes them, with the same promise: nothing the clerk typed is changed. This module adds the
执行率 of the 基本支出/项目支出 rows, each listed project's 执行率 and the list's 合计 row — into
evaltool's own grey cells (its template), or on a hand-made form only where the cell is empty.
"""
from __future__ import annotations

from typing import Any

from evaltool.core.decimals import plain_number
from evaltool.core.model import Project
from evaltool.core.seam import CellWrite
from evaltool.kinds.dept.layout import SHEET_REPORT
from evaltool.kinds.dept.model import PROJECTS
from evaltool.kinds.dept.reader import dept_cells
from evaltool.kinds.dept.scoring import DeptResult
from evaltool.kinds.selfeval.writer import form_cell_writes
from evaltool.workbook.writer import mark_write


def computed(result: DeptResult) -> dict[str, Any]:
    """Value for each of this module's computed cells (DeptCells.out keys)."""
    out: dict[str, Any] = {}
    for part in result.parts:
        out[f"{part.label}.执行率"] = plain_number(part.rate)
    for row in result.projects:
        out[f"{PROJECTS}[{row.n}].执行率"] = plain_number(row.rate)
    out[f"{PROJECTS}.合计.全年预算数"] = plain_number(result.project_budget)
    out[f"{PROJECTS}.合计.全年执行数"] = plain_number(result.project_actual)
    out[f"{PROJECTS}.合计.执行率"] = plain_number(result.project_rate)
    return out


def cell_writes(project: Project, result: DeptResult) -> list[CellWrite]:
    writes = form_cell_writes(project, result)
    cells = dept_cells(project)
    taken = {(w.sheet, w.cell): i for i, w in enumerate(writes)}
    sheet = project.sheet or ""
    for key, value in computed(result).items():
        loc = cells.out.get(key)
        if loc is None or not loc.cell or loc.cell in cells.inputs:
            continue
        current = cells.values.get(key)
        if not cells.template and current is not None:
            continue  # a hand-made form's own figure: checked (E-DEPT-PROJECT-RATE), never overwritten
        if cells.template or value is not None:
            style = "computed" if cells.template else "clear"
            at = taken.get((loc.sheet or sheet, loc.cell))
            if at is not None and writes[at].keep_value:  # a mark on this cell: keep the mark, write the value
                w = writes[at]
                writes[at] = CellWrite(w.sheet, w.cell, value=value, style=w.style, note=w.note)
            elif at is None:
                writes.append(CellWrite(loc.sheet or sheet, loc.cell, value=value, style=style, note=""))
    # Findings on the 部门报告素材 texts: marked where the clerk fixes them.
    on_report: dict[str, list] = {}
    for f in result.findings:
        if f.location.sheet == SHEET_REPORT and f.location.cell:
            on_report.setdefault(f.location.cell, []).append(f)
    writes += [mark_write(SHEET_REPORT, cell, found) for cell, found in on_report.items()]
    # Last run's marks there that are fixed now: the cell's own look back, evaltool's note gone.
    writes += [CellWrite(SHEET_REPORT, cell, style="input" if cells.template else "clear", note="", keep_value=True)
               for cell in sorted(cells.report_marked - set(on_report))]
    return writes


__all__ = ["cell_writes", "computed"]
