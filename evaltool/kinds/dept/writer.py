"""Results -> CellWrites for a 部门整体支出绩效自评表. Engine-free.

The cells it shares with the 自评表 (执行率 and 得分 of 年度资金总额, each indicator's 得分, 总分, 分值合计,
评价等次, the marks and notes of every finding, last run's marks cleared) are written as the 自评表
writer writes them, with the same promise: nothing the clerk typed is changed. The 执行率 of the
基本支出/项目支出 rows, each listed project's 执行率 and the list's 合计 row go the same way (the reader
adds them to the shared SheetInfo.out, their values are ScoreResult.extra_values). This module keeps
evaltool's template looking like itself and marks the 部门报告素材 sheet.
"""
from __future__ import annotations

from dataclasses import replace

from evaltool.core.model import Project
from evaltool.core.reading import project_year
from evaltool.core.seam import CellWrite
from evaltool.kinds.dept.layout import SHEET_REPORT
from evaltool.kinds.dept.reader import dept_cells
from evaltool.kinds.dept.scoring import DeptResult
from evaltool.kinds.selfeval.writer import form_cell_writes
from evaltool.workbook.reader import sheet_info
from evaltool.workbook.writer import mark_write


def cell_writes(project: Project, result: DeptResult) -> list[CellWrite]:
    writes = form_cell_writes(project, result)
    cells = dept_cells(project)
    if cells.template:
        # On evaltool's own template its grey cells stay grey and its white ones white when a mark is
        # cleared or a value written (the shared writer restores a hand-made form's own look instead).
        info = sheet_info(project)
        grey = ({loc.cell for loc in info.out.values()} | {loc.cell for loc in info.indicator_out if loc}) if info else set()
        writes = [replace(w, style="computed" if w.cell in grey else "input") if w.style == "clear" else w
                  for w in writes]
    # Findings on the 部门报告素材 texts: marked where the clerk fixes them.
    on_report: dict[str, list] = {}
    for f in result.findings:
        if f.location.sheet == SHEET_REPORT and f.location.cell:
            on_report.setdefault(f.location.cell, []).append(f)
    writes += [mark_write(SHEET_REPORT, cell, found) for cell, found in on_report.items()]
    # Last run's marks there that are fixed now: the cell's own look back, evaltool's note gone.
    writes += [CellWrite(SHEET_REPORT, cell, style="input" if cells.template else "clear", note="", keep_value=True)
               for cell in sorted(cells.report_marked - set(on_report))]
    year = project_year(project)
    if cells.title_year and year:
        # the title's "（      年度）" (template text, not the clerk's) shows the 年度 typed beside it,
        # as the 自评表's and the 目标表's titles do: a printed or published form never has a blank year
        writes.append(CellWrite(project.sheet, cells.title_year, value=f"（{year}年度）"))
    return writes


__all__ = ["cell_writes"]
