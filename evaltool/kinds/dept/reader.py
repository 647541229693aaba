"""Grids -> 部门整体支出绩效自评表 projects, every block found by its label (never a fixed address).

What the form shares with the 项目支出绩效自评表 (header fields, the 年度资金总额 row with 分值/执行率/得分,
年度总体目标, the 绩效指标 table with 总分/等次) is read by the 自评表 reader, which copes with inserted
rows, moved columns, merged or unmerged cells, split target columns and a rule set's own spellings.
This module finds the form (its title, or 部门名称 with a 基本支出/项目支出 row), then reads what only it
has: 部门名称, the 基本支出/项目支出 rows (in the 年度资金总额 row's columns), 年度主要任务 and the
项目支出情况 list, and the 部门报告素材 sheet. Pure: Views in, Projects out.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from evaltool.core.model import FUND_COLUMN_ATTR, Finding, FundRow, Location, Project
from evaltool.core.seam import address
from evaltool.kinds.dept import layout as D
from evaltool.kinds.dept.model import PARTS, PROJECT_KEYS, PROJECTS, TASK_KEYS, TASKS, part_rate, project_rate, project_sum
from evaltool.workbook import layout as WL
from evaltool.core import values
from evaltool.kinds.selfeval.reader import MONEY_UNITS_KEY, money_units, read_forms
from evaltool.workbook.reader import View, sheet_info, value_right

OUT = "_dept_out"  # Project.extra: DeptCells


@dataclass
class DeptCells:
    """Cells the writer fills beyond the 自评表's (执行率 of the 其中 rows, the project list's 执行率
    and 合计 row), with what they held when read; template: the workbook is evaltool's own template
    (its grey cells are evaltool's to overwrite)."""

    out: dict[str, Location] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    inputs: set[str] = field(default_factory=set)  # A1 of every input cell this module read
    template: bool = False
    report_marked: set[str] = field(default_factory=set)  # 部门报告素材 cells evaltool marked last run
    typed: set[str] = field(default_factory=set)  # out names whose cell holds the clerk's own value
    title_year: str | None = None  # A1 of the template's "（      年度）" under the title (score fills it)


def _keys(section: str) -> dict[str, str]:
    return D.vocabulary()[section]


def _block_hit(v: View, name: str, rows: range | None = None) -> tuple[int, int] | None:
    hits = [(r, c) for key in D.keys_for("区块", name) for r, c in v.labels.get(key, ())
            if rows is None or r in rows]
    return min(hits) if hits else None


def is_dept_sheet(v: View) -> bool:
    """The sheet holds a 部门整体支出绩效自评表: its title, or 部门名称 with a 基本支出/项目支出 row.
    One dict lookup per spelling: every sheet of every file a bureau consolidates passes here."""
    labels = v.labels
    title, name, parts = _detect_keys()
    if any(key in labels for key in title):
        return True
    return any(key in labels for key in name) and any(key in labels for key in parts)


@functools.lru_cache(maxsize=1)
def _detect_keys() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    return (tuple(D.vocabulary()["表名"]), tuple(D.keys_for("区块", "部门名称")), tuple(_keys("支出行")))


def _header(v: View, section: str, need: tuple[str, ...], rows: range) -> tuple[int, WL.ColumnChoice] | None:
    """The first row in rows naming every column in need (and maybe others), with the column of each
    name (WL.ColumnChoice: two cells naming one column are chosen between, or ambiguous)."""
    vocab = _keys(section)
    first = [r for key, name in vocab.items() if name == need[0] for r, _ in v.labels.get(key, ()) if r in rows]
    for r in sorted(set(first)):
        hits = []
        for c in range(1, v.ncols + 1):
            if v.home(r, c) != (r, c):
                continue
            key = v.key(r, c)
            name = vocab.get(key)
            if name:
                hits.append((name, c, key))
        choice = WL.ColumnChoice(hits)
        if all(n in choice.named() for n in need):
            return r, choice
    return None


def _stop_rows(v: View, p: Project, extra: set[int]) -> set[int]:
    rows = set(extra)
    for name in ("部门名称", "年度主要任务", "项目支出情况"):
        rows |= {r for key in D.keys_for("区块", name) for r, c in v.labels.get(key, ()) if c == 1 or v.home(r, c) == (r, c)}
    for name in ("年度总体目标", "预期目标", "绩效指标", "总分", "评价等次", "项目资金"):
        rows |= v.block_rows(name)
    if p.indicators:
        first = p.indicators[0].cells.get("三级指标")
        if first and first.cell:
            rows.add(_row(first.cell) - 1)
    return rows


def _row(cell: str) -> int:
    return int("".join(ch for ch in cell if ch.isdigit()))


def _col(cell: str) -> int:
    n = 0
    for ch in cell:
        if ch.isalpha():
            n = n * 26 + ord(ch.upper()) - 64
    return n


def _read_parts(v: View, p: Project, cells: DeptCells) -> None:
    total = p.funds.get("年度资金总额")
    if total is None or not total.cells:
        return
    locs = [loc for loc in total.cells.values() if loc.cell]
    top = _row(locs[0].cell or "A1")
    first_col = min(_col(loc.cell or "A1") for loc in locs)
    columns = {k: _col(loc.cell or "A1") for k, loc in total.cells.items() if k in FUND_COLUMN_ATTR and loc.cell}
    info = sheet_info(p)
    rate_loc = info.out.get("执行率") if info else None
    units = p.extra.get(MONEY_UNITS_KEY) or {}  # the 年度预算 header's unit (元 …), as the shared reader read it
    found: dict[str, FundRow] = {}
    for r in range(top + 1, min(top + 8, v.nrows + 1)):
        label = None
        for c in range(1, first_col):
            label = _keys("支出行").get(WL.row_label_key(v.text(r, c))) if v.text(r, c) else None
            if label:
                break
        if not label or label in found:
            continue
        fr = FundRow(label=label)
        for key, c in columns.items():
            loc = v.loc(r, c)
            fr.cells[key] = loc
            cells.inputs.add(loc.cell or "")
            setattr(fr, FUND_COLUMN_ATTR[key], values.amount_under(v.value(r, c, vertical=False), units.get(key)))
        found[label] = fr
        if rate_loc is not None and rate_loc.cell:
            loc = v.loc(r, _col(rate_loc.cell))
            cells.out[part_rate(label)] = loc
            cells.values[part_rate(label)] = v.value(r, _col(rate_loc.cell), vertical=False)
    p.extra[PARTS] = found


def _read_table(v: View, p: Project, cells: DeptCells, block: str, section: str, need: tuple[str, ...],
                keys: tuple[str, ...], stops: set[int], rows: range) -> tuple[int, dict[str, int]] | None:
    """A list block (年度主要任务, 项目清单): header, then one item per non-empty row up to a stop row."""
    found = _header(v, section, need, rows)
    if found is None:
        p.extra[block] = []
        return None
    hr, choice = found
    cols = choice.cols
    title = {TASKS: "年度主要任务表", PROJECTS: "项目支出情况表"}.get(block, block)
    for name, cs in choice.ambiguous.items():
        p.read_findings.append(Finding(
            "E-UNREAD-COLUMN", "error", f"{title}有 {len(cs)} 列都读作“{name}”："
            f"{'和'.join(f'“{v.text(hr, c)}”（{address(hr, c)}）' for c in cs)}，evaltool 不知道按哪一列读取，没有读取这几列。"
            f"请删去不用的列，或把要用的一列的表头改为“{name}”。", name, v.loc(hr, cs[0])))
    for name, cs in choice.passed.items():
        lost = "和".join(f"“{v.text(hr, c)}”（{address(hr, c)}）" for c in cs)
        p.read_findings.append(Finding(
            "I-COLUMN-IGNORED", "info", f"{title}的{lost}与“{v.text(hr, cols[name])}”（{address(hr, cols[name])}）"
            f"都可读作“{name}”：evaltool 按“{v.text(hr, cols[name])}”列读取，{lost}列未读取。", name, v.loc(hr, cs[0])))
    if need[0] not in cols:
        p.extra[block] = []
        return None
    hit = hr, cols
    money = {k: c for k, c in cols.items() if k in ("预算数", "执行数", "全年预算数", "全年执行数")}
    units = money_units(v, p, hr, min(cols.values()), money, title)
    p.cells[block] = v.loc(hr, cols[need[0]])
    out: list[dict[str, Any]] = []
    end = hr
    last_label = cols.get("项目名称", min(cols.values()))

    def is_sum(r: int) -> bool:  # the list's 合计 row: 合计 written in or left of the 项目名称 column
        return any(WL.label_key(v.text(r, c)) in ("合计", "总计", "小计") for c in range(1, last_label + 1))

    for r in range(v.below(hr, cols[need[0]]), v.nrows + 1):
        if r in stops or (block == PROJECTS and is_sum(r)):
            break
        item = {k: values.amount_under(v.value(r, c, vertical=False), units.get(k)) for k, c in cols.items() if k in keys}
        if block == PROJECTS and v.home(r, cols["项目名称"])[0] != r:
            item["项目名称"] = None  # a merged name from above is not a new project
        end = r
        if all(val is None for k, val in item.items() if k != "序号"):
            continue
        out.append(item)
        n = len(out)
        for k, c in cols.items():
            if k not in keys:
                continue
            loc = v.loc(r, c)
            p.cells[f"{block}[{n}].{k}"] = loc
            if block == PROJECTS and k == "执行率":
                cells.out[project_rate(n)] = loc
                cells.values[project_rate(n)] = item.get("执行率")
            else:
                cells.inputs.add(loc.cell or "")
    p.extra[block] = [{k: val for k, val in item.items() if val is not None} for item in out]
    if block == PROJECTS:
        r = end + 1
        if r <= v.nrows and is_sum(r):
            for k in ("全年预算数", "全年执行数", "执行率"):
                if k in cols and k not in units:  # sums are in 万元: never written into a 元 column
                    cells.out[project_sum(k)] = v.loc(r, cols[k])
                    cells.values[project_sum(k)] = v.value(r, cols[k], vertical=False)
    return hit


def _reread_goals(v: View, p: Project, stops: set[int], header_rows: set[int]) -> None:
    """The shared reader takes a goal's text down to the next block it knows; a 年度主要任务 or
    项目支出情况 block right below the goals is not one of those, so the text is read again up to it."""
    for label, attr in ((D.L_GOAL_EXPECTED, "goal_expected"), (D.L_GOAL_ACTUAL, "goal_actual")):
        hit = v.find_block(label, range(1, v.nrows + 1))
        if not hit:
            continue
        r, c = hit
        first = v.below(r, c)
        # The shared reader stopped at the 绩效指标 header (or a block it knows): re-read only when one
        # of this form's own blocks comes first.
        ends = [s for s in stops if s >= first]
        table = [s for s in header_rows if s >= first]
        if not ends or (table and min(table) < min(ends)):
            continue
        later = ends
        texts = []
        for rr in range(first, min(later)):
            val = v.value(rr, c)
            if val is not None and v.home(rr, c)[0] == rr:
                texts.append(str(val).strip())
        setattr(p, attr, "\n".join(texts) if texts else None)


def _indicator_rows(v: View, p: Project) -> set[int]:
    """Rows of the 绩效指标 table's header (where 三级指标 is named) and its first row."""
    rows = {r for key in v.vocab.keys_of("指标列", "三级指标") for r, _ in v.labels.get(key, ())}
    first = p.indicators[0].cells.get("三级指标") if p.indicators else None
    if first and first.cell:
        rows.add(_row(first.cell))
    return rows


def _year_from_title(v: View, p: Project) -> None:
    """No 年度 value: the year printed with the title ("…自评表（2024年度）") or on the line under it."""
    import re

    hits = sorted(rc for key in D.vocabulary()["表名"] for rc in v.labels.get(key, ()))
    if not hits:
        return
    r, c = hits[0]
    for rr in (r, v.below(r, c)):
        m = re.search(r"((?:19|20)\d{2})\s*年", v.text(rr, c) if rr == r else " ".join(
            v.text(rr, cc) for cc in range(1, v.ncols + 1) if v.home(rr, cc) == (rr, cc)))
        if m:
            p.year = int(m.group(1))
            p.cells[D.L_YEAR] = v.loc(rr, c)
            return


def _read_report(views: list[View], p: Project) -> None:
    fields = D.report_fields()
    sheet = next((v for v in views if v.sheet == D.SHEET_REPORT), None) or next(
        (v for v in views if "报告素材" in v.sheet and any(v.find(f, range(1, v.nrows + 1)) for f in fields)), None)
    if sheet is None:
        return
    for f in fields:
        hit = sheet.find(f, range(1, sheet.nrows + 1), range(1, min(sheet.ncols, 4) + 1))
        if not hit:
            continue
        val, loc = value_right(sheet, *hit, stop_keys=frozenset(WL.label_key(x) for x in fields))
        p.cells[f"报告素材.{f}"] = loc
        if val is not None and str(val).strip():
            p.report[f] = str(val).strip()


def read_views(views: list[View], context: Any) -> list[Project]:
    """The 部门整体支出绩效自评表 in the sheets, in sheet order; [] when there is none."""
    out: list[Project] = []
    skip = {WL.SHEET_REPORT, WL.SHEET_BASIC, WL.SHEET_HELP, D.SHEET_REPORT}
    for v in views:
        if v is context.results or v is context.settings or v.sheet in skip or not is_dept_sheet(v):
            continue
        p = read_forms([v], context, whole_sheet=True)[0]
        p.kind = D.KIND
        cells = DeptCells(template=context.settings is not None and any(
            key in v.labels for key in D.vocabulary()["表名"]) and bool(context.settings.find(WL.L_VERSION, range(1, 20))))
        p.extra[OUT] = cells
        cells.report_marked = set((getattr(context, "marked", None) or {}).get(D.SHEET_REPORT, set()))
        p.cells.pop("项目名称", None)
        p.name = None
        hit = _block_hit(v, "部门名称")
        if hit:
            stop = frozenset(WL.label_key(x) for x in (D.L_YEAR, D.L_SUPERVISOR, WL.L_UNIT, *D.FUND_HEADERS.values()))
            p.name, loc = value_right(v, *hit, stop_keys=stop)
            p.cells["部门名称"] = loc
            cells.inputs.add(loc.cell or "")
        else:
            p.cells["部门名称"] = Location(sheet=v.sheet, cell=address(1, 1))
        if p.unit is None:
            p.unit = p.name
        if p.year is None or (isinstance(p.year, str) and not p.year.strip()):
            _year_from_title(v, p)
        cells.title_year = next((v.loc(r, c).cell for r in range(1, min(v.nrows, 4) + 1)
                                 for c in range(1, v.ncols + 1)
                                 if v.home(r, c) == (r, c) and WL.TITLE_YEAR_BLANK.match(v.text(r, c) or "")), None)
        _read_parts(v, p, cells)
        project_rows = range(1, v.nrows + 1)
        base = _stop_rows(v, p, set())
        tasks = _read_table(v, p, cells, TASKS, "任务列", ("任务名称", "完成情况"), TASK_KEYS, base, project_rows)
        base_p = base | ({tasks[0]} if tasks else set())
        projects = _read_table(v, p, cells, PROJECTS, "项目列", ("项目名称",), PROJECT_KEYS, base_p, project_rows)
        mine = {h[0] for h in (tasks, projects) if h}
        mine |= {r for key in (*D.keys_for("区块", "年度主要任务"), *D.keys_for("区块", "项目支出情况"))
                 for r, _ in v.labels.get(key, ())}
        if mine:
            _reread_goals(v, p, mine, _indicator_rows(v, p))
            # Rows of the project list or tasks read as indicators (a list right under the table, no 总分 row).
            table = p.indicators[0].cells.get("三级指标") if p.indicators else None
            below = [r for r in mine if table and table.cell and r > _row(table.cell)]
            first_mine = min(below) if below else 0
            if below:
                keep = [i for i, ind in enumerate(p.indicators)
                        if not ind.cells.get("三级指标") or _row(ind.cells["三级指标"].cell or "A1") < first_mine]
                if len(keep) < len(p.indicators):
                    info = sheet_info(p)
                    p.indicators = [p.indicators[i] for i in keep]
                    if info:
                        info.indicator_out = [info.indicator_out[i] for i in keep]
                        info.indicator_out_values = [info.indicator_out_values[i] for i in keep]
        # The shared reader's findings name the 自评表's blocks; the fund block here is 年度预算.
        p.read_findings = [Finding(f.code, f.severity, f.message.replace("项目资金表", "年度预算表").replace(
            "“项目资金”表", "“年度预算”表").replace("项目资金", "年度预算"), f.field, f.location, f.indicator)
            for f in p.read_findings]
        _share_out_cells(p, cells)
        _read_report(views, p)
        out.append(p)
    return out


def _share_out_cells(p: Project, cells: DeptCells) -> None:
    """This form's own computed cells join the shared writer's (SheetInfo.out): written, recorded as
    I-FILLED in 校验结果 and known as evaltool's own on the next run. A hand-made form's cell that holds
    a value evaltool did not write there is the clerk's: left alone (a project's typed 执行率 is
    checked against its numbers instead)."""
    from evaltool.workbook.reader import same_value

    info = sheet_info(p)
    if info is None:
        return
    typed: set[str] = set()
    for name, loc in cells.out.items():
        value = cells.values.get(name)
        cell = loc.cell or ""
        if cells.template or value is None or (cell in info.filled and same_value(info.filled[cell], value)):
            info.out[name] = loc
            info.out_values[name] = value
        else:
            typed.add(name)
    for n, item in enumerate(p.extra.get(PROJECTS) or [], start=1):
        if project_rate(n) not in typed:
            item.pop("执行率", None)  # evaltool's own figure (or none): computed, not the clerk's
    cells.typed = typed


def dept_cells(project: Project) -> DeptCells:
    found = project.extra.get(OUT)
    return found if isinstance(found, DeptCells) else DeptCells()


__all__ = ["read_views", "is_dept_sheet", "dept_cells", "DeptCells"]
