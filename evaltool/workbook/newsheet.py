"""A new form of any kind, to be added to a workbook that is open elsewhere (the Excel 新建 menu,
the WPS add-in through `evaltool serve`).

A kind's build_workbook gives a whole workbook; its first sheet is the form (the convention every
kind's template follows), the others (报告素材, 设置, 说明 …) are the sheets that go with it. The
form sheet gets a name the open workbook does not have yet; a companion sheet is added only when
the workbook has no sheet of that name (a second 自评表 shares the first one's 设置 and 说明).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evaltool.core.seam import Grid


@dataclass
class NewForm:
    kind: Any  # the FormKind
    workbook: Any  # the openpyxl Workbook the kind built
    name: str  # the new form sheet's name in the open workbook
    grid: Grid  # the form sheet's grid, already under `name`
    sheet: Any  # the form's openpyxl worksheet (formats, widths)
    extras: list[tuple[Grid, Any]] = field(default_factory=list)  # companion sheets the workbook lacks


def new_form(kind, project, rules: str | None, existing: list[str]) -> NewForm:
    """The kind's template (blank, or filled from project), its form sheet renamed for `existing`."""
    from evaltool.engines import engine
    from evaltool.workbook.service import new_sheet_name

    wb = kind.build_workbook(project, rules)
    grids = engine("openpyxl").read(wb)
    form_ws = wb.worksheets[0]
    grid = grids[0]
    name = new_sheet_name(existing, project, base=form_ws.title)
    grid.sheet = name
    taken = {x.lower() for x in existing} | {name.lower()}
    extras = [(g, ws) for g, ws in zip(grids[1:], wb.worksheets[1:]) if ws.title.lower() not in taken]
    return NewForm(kind, wb, name, grid, form_ws, extras)


def widths(ws) -> dict[str, float]:
    """The column widths a sheet sets (letter -> width)."""
    return {k: d.width for k, d in ws.column_dimensions.items() if d.width}
