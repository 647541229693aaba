"""A scored 运行监控表 back into its sheet: 执行进度, 时间进度 and the 预警 lights into their cells,
a mark and note on every cell a finding names, and evaltool's earlier marks cleared. Engine-free."""
from __future__ import annotations

from typing import Any

from evaltool.core.decimals import fmt_percent, plain_number
from evaltool.core.seam import CellWrite
from evaltool.kinds.monitor import layout as M
from evaltool.kinds.monitor.evaluate import NOT_COMPUTED, MonitorResult
from evaltool.workbook import layout as WL
from evaltool.workbook.writer import mark_write


def cell_writes(project, result: MonitorResult) -> list[CellWrite]:
    info = M.info_of(project)
    if info is None:  # a case file: nothing to write into
        return []
    sheet = project.sheet or info.sheet
    writes: list[CellWrite] = []

    def put(key: str, value: Any, note: str = "", height: float | None = None) -> None:
        loc = info.out.get(key)
        if loc is not None and loc.cell and key in result.writable:  # never over what the clerk typed
            text = WL.NOTE_PREFIX + note if note else ""  # "": drop the note of an earlier run
            writes.append(CellWrite(loc.sheet or sheet, loc.cell, value, "computed", text, row_height=height))

    # On our template a number in its 0.00% cell (as the 自评表's 执行率: a figure a published or
    # summed copy can use); on a hand-made sheet text ("40.00%"): its cell may have no percent
    # format, and a bare 0.4 there would read as 0.4.
    def rate(x):
        if x is None:
            return NOT_COMPUTED
        return plain_number(x) if info.template else fmt_percent(x)

    put("执行进度", rate(result.progress))
    put("时间进度", rate(result.time_progress))
    put("资金预警", result.money_light or NOT_COMPUTED, result.money_why)
    items = project.extra.get(M.ROWS_KEY) or []
    for w in result.watches:
        # On the template the row grows with the texts typed into it, so the printed form cuts none.
        height = M.row_height(items[w.n - 1]) if info.template and w.n <= len(items) else None
        put(f"预警[{w.n}]", w.light or NOT_COMPUTED, w.why, height)
    put("综合预警", result.light or NOT_COMPUTED, "；".join(result.reasons))

    marked: dict[tuple[str, str], list] = {}
    for f in result.findings:
        if f.location.cell:
            marked.setdefault((f.location.sheet or sheet, f.location.cell), []).append(f)
    for cell in info.inputs:
        if (sheet, cell) not in marked:
            writes.append(CellWrite(sheet, cell, style="input", note="", keep_value=True))
    writes += [mark_write(s, c, fs) for (s, c), fs in marked.items()]
    seen: dict[tuple[str, str, bool], int] = {}
    for i, w in enumerate(writes):  # one write per cell and kind (a merged cell is named by each row)
        seen[(w.sheet, w.cell, w.keep_value)] = i
    return [w for i, w in enumerate(writes) if seen[(w.sheet, w.cell, w.keep_value)] == i]
