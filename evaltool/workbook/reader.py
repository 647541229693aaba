"""Grids -> Projects: finds every block of a 自评表 by its labels, never by fixed addresses.

So inserted or deleted rows, moved blocks, merged or unmerged cells and re-saves by WPS or
LibreOffice all read the same, and so does a form typed by hand that was never our template.
projects_from_grids is pure (no spreadsheet library): the xlwings engine reuses it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from evaltool.core.decimals import to_decimal
from evaltool.core.errors import InputError
from evaltool.core.model import FUND_COLUMN_ATTR, INDICATOR_ATTR, REPORT_FIELDS, FundRow, Indicator, Location, Project
from evaltool.core.seam import Grid, address
from evaltool.workbook import layout as L

LAYOUT_KEY = "_workbook"  # Project.extra key holding SheetInfo (never exported to case files)


@dataclass
class SheetInfo:
    """What the writer needs to know about where a project sits in its sheet."""

    sheet: str
    template: bool  # made from our template: 得分 etc. are computed cells, clerk scores in 自评得分
    version: int | None = None  # template version from the 设置 sheet, if any
    version_cell: Location | None = None
    out: dict[str, Location] = field(default_factory=dict)  # computed cells: 执行率, 执行率得分, 总分, …
    out_values: dict[str, Any] = field(default_factory=dict)  # their current values
    indicator_out: list[Location | None] = field(default_factory=list)  # each indicator's 得分 cell
    indicator_out_values: list[Any] = field(default_factory=list)
    typed_out: set[str] = field(default_factory=set)  # out cells (A1) holding a value the clerk typed
    inputs: set[str] = field(default_factory=set)  # A1 of every input cell read
    marked: set[str] = field(default_factory=set)  # cells evaltool marked on the last run
    report_marked: set[str] = field(default_factory=set)  # …and on the 报告素材 sheet
    filled: dict[str, Any] = field(default_factory=dict)  # cells evaltool filled last run -> value
    table: Location | None = None  # the 三级指标 cell of the table's first row (for table-wide findings)


def sheet_info(project: Project) -> SheetInfo | None:
    info = project.extra.get(LAYOUT_KEY)
    return info if isinstance(info, SheetInfo) else None


# Per-process caches of pure functions of their keys: forms repeat the same few hundred strings.
_KEY_CACHE: dict[str, Any] = {}  # cell text -> label_key, or _BLANK
_LABEL_KEYS: dict[str, str] = {}  # label asked for by the reader -> label_key
_LOCS: dict[tuple[str, int, int], Location] = {}  # (sheet, row, col) -> its Location
_BLANK: Any = object()  # _KEY_CACHE entry of white-space-only text: such a cell reads as empty
MAX_CACHED_ROW = 1000


def _label_key(label: str) -> str:
    key = _LABEL_KEYS.get(label)
    if key is None:
        key = _LABEL_KEYS[label] = L.label_key(label)
    return key


def _per_text(fn: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    """fn(value), remembered for each text: forms repeat the same labels file after file."""
    seen: dict[str, str | None] = {}

    def cached(value: Any) -> str | None:
        if value is None:
            return None
        if type(value) is not str:
            return fn(value)
        try:
            return seen[value]
        except KeyError:
            key = fn(value)
            if len(seen) < 65536:
                seen[value] = key
            return key

    return cached


_fund_header_key = _per_text(L.fund_header_key)  # 项目资金 header cell -> its column name
_fund_row_key = _per_text(L.fund_row_key)  # 项目资金 label cell -> its row name


# ---- grid helpers ---------------------------------------------------------------------------------
class View:
    """A Grid with merged-cell lookups precomputed (a form has dozens of merges, read many times)."""

    def __init__(self, grid: Grid):
        self.grid = grid
        self.sheet = grid.sheet
        self.anchor: dict[tuple[int, int], tuple[int, int]] = {}
        self.span: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        for r1, c1, r2, c2 in grid.merged:
            if (r2 - r1 + 1) * (c2 - c1 + 1) > 5000:  # a whole-column merge: only its anchor matters
                r2 = min(r2, r1 + 200)
                c2 = min(c2, c1 + 50)
            self.span[(r1, c1)] = (r1, c1, r2, c2)
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    self.anchor[(r, c)] = (r1, c1)
        self.nrows, self.ncols = grid.nrows, grid.ncols
        # Cleaned values (blank text -> None) and an index of label keys -> cells, built once: the
        # reader asks "where is label X" hundreds of times per sheet. Only text is indexed (every
        # label is text), and a cell covered by a merge is found through its anchor. This loop runs
        # over every sheet of every file a bureau consolidates, hence its shape.
        covered = {rc for rc, a in self.anchor.items() if rc != a}
        self.cells: list[list[Any]] = []
        self.labels: dict[str, list[tuple[int, int]]] = {}
        self.covered_text: list[tuple[int, int, str]] = []  # (row, col, label key) of covered text
        labels, cache, append_row, covered_text = self.labels, _KEY_CACHE, self.cells.append, self.covered_text
        for r, row in enumerate(grid.values, start=1):
            out = list(row)
            for c in [c for c, x in enumerate(row, start=1) if isinstance(x, str)]:
                x = row[c - 1]
                key = cache.get(x)
                if key is None:
                    key = L.label_key(x) if x.strip() else _BLANK
                    if len(cache) < 65536:
                        cache[x] = key
                if key is _BLANK:
                    out[c - 1] = None
                elif not key:
                    continue
                elif (r, c) not in covered:
                    lst = labels.get(key)
                    if lst is None:
                        labels[key] = [(r, c)]
                    else:
                        lst.append((r, c))
                else:  # stale text under a merge: rare, kept for rows_with
                    covered_text.append((r, c, key))
            append_row(out)
        self._n = len(self.cells)
        self.header_rows: dict[int, dict[str, int] | None] = {}
        self.header_candidates: frozenset[int] | None = None

    def raw(self, r: int, c: int) -> Any:
        if 0 < r <= self._n:
            row = self.cells[r - 1]
            if 0 < c <= len(row):
                return row[c - 1]
        return None

    def value(self, r: int, c: int, vertical: bool = True) -> Any:
        """The cell's value, or its merged range's value (vertical=False: only within the same row)."""
        a = self.anchor.get((r, c))
        if a is not None and a != (r, c) and (vertical or a[0] == r):
            r, c = a
        if 0 < r <= self._n:
            row = self.cells[r - 1]
            if 0 < c <= len(row):
                return row[c - 1]
        return None

    def row_values(self, r: int, items: list[tuple[str, int]], vertical: frozenset[str]) -> dict[str, Any]:
        """{name: self.value(r, c, vertical=name in vertical)} for (name, c) in items, in one call."""
        row = self.cells[r - 1] if 0 < r <= self._n else ()
        n, anchor, out = len(row), self.anchor, {}
        for name, c in items:
            a = anchor.get((r, c))
            if a is not None and a[0] != r and name in vertical:
                out[name] = self.raw(*a)
            elif a is not None and a[0] == r and a[1] != c:
                out[name] = self.raw(*a)
            else:
                out[name] = row[c - 1] if 0 < c <= n else None
        return out

    def key(self, r: int, c: int) -> str:
        """label_key(self.value(r, c, vertical=False)) for text, "" otherwise."""
        a = self.anchor.get((r, c))
        if a is not None and a[0] == r:
            r, c = a
        value = self.raw(r, c)  # a cell covered from above: only its own (stale) text counts
        if not isinstance(value, str):
            return ""
        key = _KEY_CACHE.get(value)
        return L.label_key(value) if key is None or key is _BLANK else key

    def rows_with(self, keys: frozenset[str], cols: range) -> set[int]:
        """Rows where some cell in cols reads as one of the label keys: {r | key(r, c) in keys}."""
        rows = {r for key in keys for r, c in self.labels.get(key, ()) if c in cols}
        for r, c, key in self.covered_text:  # cells covered from above read their own text
            if key in keys and c in cols and self.anchor[(r, c)][0] != r:
                rows.add(r)
        return rows

    def home(self, r: int, c: int) -> tuple[int, int]:
        return self.anchor.get((r, c), (r, c))

    def loc(self, r: int, c: int) -> Location:
        a = self.anchor.get((r, c))
        if a is not None:
            r, c = a
        # Shared per (sheet, cell): forms repeat the same sheet names and cells, and nothing
        # changes a Location once made.
        key = (self.sheet, r, c)
        hit = _LOCS.get(key)
        if hit is None:
            hit = Location(sheet=self.sheet, cell=address(r, c))
            if r <= MAX_CACHED_ROW and len(_LOCS) < 100_000:
                _LOCS[key] = hit
        return hit

    def right_of(self, r: int, c: int) -> int:
        """First column right of the (possibly merged) cell at r, c."""
        span = self.span.get(self.home(r, c))
        return (span[3] if span else c) + 1

    def value_col(self, r: int, c: int, fallback: int | None) -> int:
        """Column of the value that belongs to the label at r, c.

        With merge information this is simply right of the label's merged range. Engines that cannot
        report merges (xlwings' remote engine, xlwings Server) give none: then the value is the first
        filled cell right of the label, or, on a blank form, the column the layout puts it in.
        """
        if self.grid.merged or self.home(r, c) != (r, c) or (r, c) in self.span:
            return self.right_of(r, c)
        for cc in range(c + 1, self.ncols + 1):
            if self.raw(r, cc) not in (None, ""):
                return cc
        return fallback if fallback and fallback > c else c + 1

    def below(self, r: int, c: int) -> int:
        span = self.span.get(self.home(r, c))
        return (span[2] if span else r) + 1

    def find(self, label: str, rows: range, cols: range | None = None) -> tuple[int, int] | None:
        """First cell (row by row) in rows × cols that reads as the label."""
        for r, c in self.labels.get(_label_key(label), ()):
            if r in rows and (cols is None or c in cols):
                return r, c
        return None


KNOWN_LABELS = (L.L_NAME, L.L_DEPT, L.L_UNIT, L.L_YEAR, L.L_FUNDS, "项目资金", L.L_GOALS, L.L_INDICATORS,
                "项目实施单位")


_KNOWN_KEYS = frozenset(L.label_key(lab) for lab in KNOWN_LABELS)


def _is_label(value: Any, keys: frozenset[str] = _KNOWN_KEYS) -> bool:
    """L.matches(value, lab) for some label whose key is in keys (one set lookup)."""
    if value is None:
        return False
    key = _KEY_CACHE.get(value) if type(value) is str else None
    if key is None or key is _BLANK:
        key = L.label_key(value)
    return key in keys


def _value_right(v: View, r: int, c: int, stop: int | None = None,
                 stop_keys: frozenset[str] = _KNOWN_KEYS) -> tuple[Any, Location]:
    """The value typed to the right of a label, and its cell (the first cell right when empty).

    A cell reading as one of stop_keys (label keys) is the next label: the value was left empty.
    """
    first = v.right_of(r, c)
    end = min(stop or v.ncols, v.ncols)
    col = first
    while col <= end:
        val = v.value(r, col, vertical=False)
        if _is_label(val, stop_keys):
            break
        if val is not None:
            return val, v.loc(r, col)
        col = v.right_of(r, col)
    return None, Location(sheet=v.sheet, cell=address(*v.home(r, first)))


# ---- finding forms --------------------------------------------------------------------------------
def _header_candidates(v: View) -> list[int]:
    """Rows that can hold the 绩效指标 header: every such header names 三级指标 (from the label index)."""
    return sorted({r for key in ("三级指标", "三级") for r, _ in v.labels.get(key, ())})


def _indicator_header(v: View, r: int) -> dict[str, int] | None:
    if v.header_candidates is None:
        v.header_candidates = frozenset(_header_candidates(v))
    if r not in v.header_candidates:
        return None
    if r not in v.header_rows:
        v.header_rows[r] = _find_indicator_header(v, r)
    return v.header_rows[r]


def _find_indicator_header(v: View, r: int) -> dict[str, int] | None:
    cols: dict[str, int] = {}
    for c in range(1, v.ncols + 1):
        if v.home(r, c) != (r, c):
            continue
        key = L.indicator_header_key(v.raw(r, c))
        if key and key not in cols:
            cols[key] = c
    if "三级指标" in cols and "分值" in cols and ("年度指标值" in cols or "实际完成值" in cols):
        return cols
    return None


_VERTICAL_KEYS = frozenset({"一级指标", "二级指标"})  # columns whose merged cells span rows
STOP_LABELS = (L.L_TOTAL, "合计", "总计", L.L_GRADE, "等次", "评价等级", L.L_SUBTOTALS, L.TITLE, L.L_NAME)
STOP_KEYS = frozenset(L.label_key(s) for s in STOP_LABELS)  # one set lookup per cell, not nine matches


def _year_from(value: Any) -> Any:
    if value is None:
        return None
    dec = to_decimal(value) if not isinstance(value, str) else None
    if dec is not None and dec == dec.to_integral_value() and 1990 <= dec <= 2100:
        return int(dec)
    if isinstance(value, str):
        m = re.search(r"((?:19|20)\d{2})\s*年", L.norm(value)) or re.fullmatch(r"\(?((?:19|20)\d{2})\)?", L.norm(value))
        if m:
            return int(m.group(1))
    return None


def _form_regions(v: View) -> list[tuple[int, int, dict[str, int], int]]:
    """(top, header_row, columns, last_row) for each 绩效指标 table; a sheet may hold several forms.
    A header row repeated inside a table (printed on each page) does not start a new form."""
    headers = [(r, cols) for r in _header_candidates(v) if (cols := _indicator_header(v, r))]
    regions: list[list[Any]] = []
    for h, cols in headers:
        start = 1
        if regions:
            lo = regions[-1][1] + 1
            start = next((r for r in range(lo, h) if v.find(L.TITLE, range(r, r + 1))
                          or v.find(L.L_NAME, range(r, r + 1))), 0)
            if not start:
                continue  # a repeated header: the table goes on
            regions[-1][3] = start - 1
        regions.append([start, h, cols, v.nrows])
    return [tuple(x) for x in regions]  # type: ignore[misc]


# ---- one form -------------------------------------------------------------------------------------
def _read_form(v: View, top: int, h: int, cols: dict[str, int], end: int) -> Project:
    p = Project(sheet=v.sheet)
    info = SheetInfo(sheet=v.sheet, template=False)
    p.extra[LAYOUT_KEY] = info

    def keep(name: str, value: Any, loc: Location, target: dict[str, Location]) -> Any:
        target[name] = loc
        if loc.cell:
            info.inputs.add(loc.cell)
        return value

    head_rows = range(top, h)
    region = range(top, end + 1)  # blocks may have been moved below the table
    # Header fields.
    for label, attr in ((L.L_NAME, "name"), (L.L_DEPT, "department"), (L.L_UNIT, "unit")):
        hit = v.find(label, region) or (v.find("项目实施单位", region) if label == L.L_UNIT else None)
        if hit:
            val, loc = _value_right(v, *hit)
            setattr(p, attr, keep(label, val, loc, p.cells))
    # Year: a 年度 label, else a cell near the title such as 2023 or "（2023年度）".
    hit = v.find(L.L_YEAR, head_rows)
    if hit:
        val, loc = _value_right(v, *hit)
        p.year = keep(L.L_YEAR, _year_from(val) or val, loc, p.cells)
    else:
        title = v.find(L.TITLE, head_rows) or v.find("绩效自评表", head_rows)
        scan_from = title[0] if title else top
        found = False
        for r in range(scan_from, min(scan_from + 3, h)):
            for c in range(1, v.ncols + 1):
                if v.home(r, c) != (r, c):
                    continue
                year = _year_from(v.raw(r, c))  # also "项目支出绩效自评表（2022年度）" in one cell
                if year is not None:
                    p.year = keep(L.L_YEAR, year, v.loc(r, c), p.cells)
                    found = True
                    break
            if found:
                break
        if not found and title:
            # Our template: the year cell is the row under the title, empty.
            r = v.below(*title)
            p.cells[L.L_YEAR] = Location(sheet=v.sheet, cell=address(r, title[1]))
    _read_funds(v, p, info, region)
    _read_goals(v, p, region)
    _read_indicators(v, p, info, h, cols, end)
    return p


def _read_funds(v: View, p: Project, info: SheetInfo, rows: range) -> None:
    header = None
    for r in rows:
        keys: dict[str, int] = {}
        for c in range(1, v.ncols + 1):
            key = _fund_header_key(v.raw(r, c))
            if key and key not in keys and v.home(r, c) == (r, c):
                keys[key] = c
        if "全年预算数" in keys and "全年执行数" in keys:
            header = (r, keys)
            break
    if header is None:
        return
    hr, keys = header
    if "自评得分" in keys:
        info.template = True
    first_data = min(keys.values())
    for r in range(hr + 1, min(hr + 10, rows.stop)):
        label = None
        for c in range(1, first_data):
            label = _fund_row_key(v.value(r, c, vertical=False))
            if label:
                break
        if not label or label in p.funds:
            continue
        fr = FundRow(label=label)
        for key, attr in FUND_COLUMN_ATTR.items():
            if key in keys:
                loc = v.loc(r, keys[key])
                fr.cells[key] = loc
                info.inputs.add(loc.cell or "")
                setattr(fr, attr, v.value(r, keys[key], vertical=False))
        p.funds[label] = fr
        if label != "年度资金总额":
            continue
        if "分值" in keys:
            loc = v.loc(r, keys["分值"])
            p.cells["分值"] = loc
            info.inputs.add(loc.cell or "")
            p.fund_weight = v.value(r, keys["分值"], vertical=False)
        for key, name in (("执行率", "执行率"), ("得分", "执行率得分")):
            if key in keys:
                info.out[name] = v.loc(r, keys[key])
                info.out_values[name] = v.value(r, keys[key], vertical=False)
        if "自评得分" in keys:
            loc = v.loc(r, keys["自评得分"])
            fr.cells["得分"] = loc
            info.inputs.add(loc.cell or "")
            fr.entered_score = v.value(r, keys["自评得分"], vertical=False)
        elif "得分" in keys:
            fr.cells["得分"] = info.out["执行率得分"]
            fr.entered_score = info.out_values["执行率得分"]


def _read_goals(v: View, p: Project, rows: range) -> None:
    for label, attr in ((L.L_GOAL_EXPECTED, "goal_expected"), (L.L_GOAL_ACTUAL, "goal_actual")):
        hit = v.find(label, rows)
        if not hit:
            continue
        r, c = hit
        # The text sits under its label (several rows may hold it in a hand-typed form).
        first = v.below(r, c)
        texts, loc = [], Location(sheet=v.sheet, cell=address(*v.home(first, c)))
        for rr in range(first, rows.stop):
            if _indicator_header(v, rr) or any(v.find(lab, range(rr, rr + 1), range(1, c + 1))
                                               for lab in (L.L_INDICATORS, L.L_FUNDS, "项目资金") + STOP_LABELS):
                break
            val = v.value(rr, c)
            if val is not None and v.home(rr, c)[0] == rr:
                if not texts:
                    loc = v.loc(rr, c)
                texts.append(str(val).strip())
        p.cells[label] = loc
        setattr(p, attr, "\n".join(texts) if texts else None)
    if L.L_GOAL_EXPECTED not in p.cells and L.L_GOAL_ACTUAL not in p.cells:  # one text beside 年度总体目标
        hit = v.find(L.L_GOALS, rows)
        if hit:
            val, loc = _value_right(v, *hit)
            p.goal_expected = val
            p.cells[L.L_GOAL_EXPECTED] = loc


def _read_indicators(v: View, p: Project, info: SheetInfo, h: int, cols: dict[str, int], end: int) -> None:
    if "自评得分" in cols:
        info.template = True
    label_cols = range(1, (cols.get("三级指标") or 4) + 1)
    info.table = Location(sheet=v.sheet, cell=address(*v.home(h + 1, cols["三级指标"])))
    prev: Indicator | None = None
    r = h + 1
    # Rows where the table ends at a 项目资金 / 年度总体目标 / 预期目标 label (as v.find on each row).
    block_rows = {r for r, _ in v.labels.get(_label_key(L.L_FUNDS), ())}
    for label in (L.L_GOALS, L.L_GOAL_EXPECTED):
        block_rows.update(r for r, c in v.labels.get(_label_key(label), ()) if c in label_cols)
    block_rows |= v.rows_with(STOP_KEYS, label_cols)  # 总分 / 等次 / a next form's title end the table
    # Per row, columns read as (cols key, Indicator attribute, column); hoisted out of the loop,
    # which runs for every indicator of every file a bureau consolidates.
    col_items = list(cols.items())
    typed_cols = [(k, a, cols[k]) for k, a in INDICATOR_ATTR.items()  # 一级/二级 and 得分 have rules of their own
                  if k in cols and a not in ("level1", "level2", "entered_score")]
    level_cols = [(k, a, cols[k]) for k, a in INDICATOR_ATTR.items() if k in cols and a in ("level1", "level2")]
    content_keys = [k for k in ("三级指标", "年度指标值", "实际完成值", "分值", "自评得分", "偏差原因分析及改进措施")
                    if k in cols]
    score_col, self_col = cols.get("得分"), cols.get("自评得分")
    inputs, loc_of = info.inputs, v.loc
    while r <= end:
        if r in block_rows:
            break
        if _indicator_header(v, r):  # the header repeated on a later page
            r += 1
            continue
        row = v.row_values(r, col_items, _VERTICAL_KEYS)
        score_typed = score_col is not None and not info.template and row.get("得分") is not None
        if not score_typed and all(row[k] is None for k in content_keys):
            r += 1
            continue
        ind = Indicator()
        cells = ind.cells
        for key, attr, c in typed_cols:
            loc = cells[key] = loc_of(r, c)
            inputs.add(loc.cell or "")
            setattr(ind, attr, row[key])
        # 一级/二级: merged cells give their value to every row; an unmerged blank row inherits from
        # the row above (rows inserted inside a block, or a re-save that split the merge).
        l1_inherited = False
        for key, attr, c in level_cols:
            val, loc = row[key], loc_of(r, c)
            if val is None and prev is not None and (key == "一级指标" or l1_inherited or
                                                     L.norm(ind.level1) == L.norm(prev.level1)):
                val, loc = getattr(prev, attr), prev.cells.get(key, loc)
                if key == "一级指标":
                    l1_inherited = True
            cells[key] = loc
            inputs.add(loc.cell or "")
            setattr(ind, attr, val)
        out_loc = loc_of(r, score_col) if score_col is not None else None
        if self_col is not None:
            loc = cells["得分"] = loc_of(r, self_col)
            inputs.add(loc.cell or "")
            ind.entered_score = row["自评得分"]
        elif out_loc is not None:
            cells["得分"] = out_loc
            ind.entered_score = row["得分"]
        info.indicator_out.append(out_loc)
        info.indicator_out_values.append(row.get("得分"))
        p.indicators.append(ind)
        prev = ind
        r += 1
    # 总分 / 等次 / 得分小计 rows follow the table.
    score_col, weight_col = cols.get("得分"), cols.get("分值")
    for rr in range(r, min(r + 8, end + 1)):
        for c in label_cols:
            val = v.value(rr, c, vertical=False)
            if v.home(rr, c) != (rr, c):
                continue
            if (L.matches(val, L.L_TOTAL) or L.matches(val, "合计") or L.matches(val, "总计")) and "总分" not in info.out:
                if score_col:
                    info.out["总分"] = v.loc(rr, score_col)
                    info.out_values["总分"] = v.value(rr, score_col, vertical=False)
                if weight_col:
                    info.out["分值合计"] = v.loc(rr, weight_col)
                    info.out_values["分值合计"] = v.value(rr, weight_col, vertical=False)
            elif (L.matches(val, L.L_GRADE) or L.matches(val, "等次") or L.matches(val, "评价等级")) \
                    and "等次" not in info.out:
                col = v.value_col(rr, c, weight_col)
                info.out["等次"] = v.loc(rr, col)
                info.out_values["等次"] = v.value(rr, col, vertical=False)
            elif L.matches(val, L.L_SUBTOTALS) and "小计" not in info.out:
                col = v.value_col(rr, c, cols.get("三级指标"))
                info.out["小计"] = v.loc(rr, col)
                info.out_values["小计"] = v.value(rr, col, vertical=False)


# ---- other sheets -------------------------------------------------------------------------------------
def _read_labelled(v: View, labels) -> dict[str, tuple[Any, Location]]:
    """Label/value sheets (设置, 报告素材, 项目基本信息): the value is the cell right of the label."""
    out = {}
    for label in labels:
        hit = v.find(label, range(1, v.nrows + 1), range(1, min(v.ncols, 4) + 1))
        if hit:
            r, c = hit
            col = v.right_of(r, c)
            out[label] = (v.value(r, col, vertical=False), v.loc(r, col))
    return out


def _read_results(v: View) -> tuple[dict[str, set[str]], dict[str, dict[str, Any]]]:
    """Cells evaltool marked or filled on its last run, from the 校验结果 sheet it wrote."""
    marked: dict[str, set[str]] = {}
    filled: dict[str, dict[str, Any]] = {}
    for r in range(1, v.nrows + 1):
        if not (L.matches(v.raw(r, 1), L.RESULTS_HEADERS[0]) and L.matches(v.raw(r, 2), L.RESULTS_HEADERS[1])
                and L.matches(v.raw(r, 3), L.RESULTS_HEADERS[2])):
            continue
        cols = {L.norm(v.raw(r, c)): c for c in range(1, v.ncols + 1) if v.raw(r, c) is not None}
        for rr in range(r + 1, v.nrows + 1):
            sheet, cell = v.raw(rr, 2), v.raw(rr, 3)
            if sheet is None and cell is None and v.raw(rr, 1) is None:
                break
            if not sheet or not cell or not re.fullmatch(r"\$?[A-Z]{1,3}\$?\d+", str(cell).strip()):
                continue
            sheet, cell = str(sheet), str(cell).replace("$", "").strip()
            code = v.raw(rr, cols.get("代码", 5))
            if code == "I-FILLED":
                filled.setdefault(sheet, {})[cell] = v.raw(rr, cols.get(L.norm(L.RESULTS_FILLED), 8))
            else:
                marked.setdefault(sheet, set()).add(cell)
    return marked, filled


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    da, db = to_decimal(a) if not isinstance(a, str) else None, to_decimal(b) if not isinstance(b, str) else None
    if da is not None and db is not None:
        return abs(da - db) < Decimal("0.000001")
    return str(a).strip() == str(b).strip()


def projects_from_grids(grids: list[Grid]) -> list[Project]:
    """Every 自评表 in the workbook's sheets, in sheet order; InputError if there is none."""
    views = [View(g) for g in grids]
    by_name = {v.sheet: v for v in views}
    settings = by_name.get(L.SHEET_SETTINGS) or next((v for v in views if "设置" in v.sheet), None)
    results = by_name.get(L.SHEET_RESULTS)
    marked, filled = _read_results(results) if results else ({}, {})
    projects: list[Project] = []
    for v in views:
        if v is results or v is settings or v.sheet in (L.SHEET_REPORT, L.SHEET_BASIC, L.SHEET_HELP):
            continue
        for top, h, cols, end in _form_regions(v):
            p = _read_form(v, top, h, cols, end)
            info = sheet_info(p)
            assert info is not None
            info.marked = set(marked.get(v.sheet, set()))
            info.report_marked = set(marked.get(L.SHEET_REPORT, set()))
            info.filled = dict(filled.get(v.sheet, {}))
            _settle_typed(p, info)
            projects.append(p)
    if not projects:  # an evaluation scoring table (评分表) workbook instead
        from evaltool.scoresheet.layout import project_from_views as scoresheet_project

        sheet = scoresheet_project(views)
        projects += [sheet] if sheet is not None else []
    if not projects:
        names = "、".join(f"“{g.sheet}”" for g in grids) or "（无）"
        raise InputError(
            f"这个工作簿不是项目支出绩效自评表：在工作表 {names} 中都没有找到“绩效指标”表"
            "（表头应包含“三级指标”“年度指标值”“实际完成值”“分值”）。"
            "请用 evaltool new 生成标准模板后填写，或检查是否选错了文件。")
    if settings:
        _apply_settings(settings, projects)
    report = by_name.get(L.SHEET_REPORT)
    basic = by_name.get(L.SHEET_BASIC)
    if len(projects) == 1 or len({p.sheet for p in projects}) == 1:
        target = projects[:1]
    else:
        target = []
    for p in target:
        if report:
            texts = _read_labelled(report, REPORT_FIELDS)
            p.report = {k: str(val).strip() for k, (val, _) in texts.items() if val is not None}
            # Findings about a narrative text point at its cell on the 报告素材 sheet.
            p.cells.update({f"报告素材.{k}": loc for k, (_, loc) in texts.items()})
        if basic:
            p.basic_info = _read_basic(basic)
    return projects


def _settle_typed(p: Project, info: SheetInfo) -> None:
    """Hand-made forms: an out cell counts as typed unless evaltool itself filled it with that value."""
    if info.template:
        return

    def typed(loc: Location | None, value: Any) -> bool:
        if loc is None or loc.cell is None or value is None:
            return False
        return not (loc.cell in info.filled and _same(info.filled[loc.cell], value))

    for name, loc in info.out.items():
        if typed(loc, info.out_values.get(name)):
            info.typed_out.add(loc.cell or "")
    for ind, loc, value in zip(p.indicators, info.indicator_out, info.indicator_out_values):
        if typed(loc, value):
            info.typed_out.add(loc.cell or "")  # type: ignore[union-attr]
        elif loc is not None and ind.cells.get("得分") == loc:
            ind.entered_score = None  # evaltool's own earlier value, not the clerk's
    total = p.funds.get("年度资金总额")
    out = info.out.get("执行率得分")
    if total and out and total.cells.get("得分") == out and not typed(out, total.entered_score):
        total.entered_score = None


def _apply_settings(v: View, projects: list[Project]) -> None:
    vals = _read_labelled(v, (L.L_RULES, L.L_PLACES, L.L_VERSION))
    rules = vals.get(L.L_RULES, (None, None))[0]
    places = vals.get(L.L_PLACES, (None, None))[0]
    raw_version = vals.get(L.L_VERSION, (None, None))[0]
    dec = to_decimal(raw_version)
    version = int(dec) if dec is not None and dec == dec.to_integral_value() else None
    for p in projects:
        if rules is not None and str(rules).strip():
            p.rules = str(rules).strip()
        if places is not None:
            d = to_decimal(places) if not isinstance(places, str) else to_decimal(L.norm(places))
            if d is not None and d == d.to_integral_value() and 0 <= d <= 6:
                p.extra["小数位"] = int(d)
            else:
                p.extra["小数位无效"] = (places, vals[L.L_PLACES][1])
        info = sheet_info(p)
        if info:
            info.version = version
            info.version_cell = vals.get(L.L_VERSION, (None, None))[1]


def _read_basic(v: View) -> dict[str, Any]:
    info: dict[str, Any] = {}
    for label, (val, _) in _read_labelled(v, L.BASIC_FIELDS).items():
        if val is not None:
            info[L.strip_paren(L.norm(label))] = val
    hit = v.find(L.BASIC_SOURCE_LABEL, range(1, v.nrows + 1))
    if hit:
        sources = {}
        rows = range(v.below(*hit), v.nrows + 1)
        for label in L.BASIC_SOURCES:
            h2 = v.find(label, rows, range(1, 3))
            if h2:
                val = v.value(h2[0], v.right_of(*h2), vertical=False)
                if val is not None:
                    sources[label] = val
        if sources:
            info["资金来源"] = sources
    return info


# ---- files ------------------------------------------------------------------------------------------------
def read_workbook_projects(path) -> list[Project]:
    """Projects in an .xlsx file (openpyxl); InputError with a Chinese message for unusable files."""
    from evaltool.workbook import xlsx_engine

    grids = xlsx_engine.read_grids(path)
    projects = projects_from_grids(grids)
    for p in projects:
        p.source = str(path)
    return projects


__all__ = ["projects_from_grids", "read_workbook_projects", "SheetInfo", "sheet_info", "LAYOUT_KEY"]
