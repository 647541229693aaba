"""Grids -> Projects: the kind-independent reading. A View over each Grid (labels found by their
key, merges resolved), the 设置 / 报告素材 / 项目基本信息 / 校验结果 sheets, and projects_from_grids, which
asks each registered kind to find its forms (the 自评表's reader is kinds/selfeval/reader.py).
Every block is found by its labels, never by fixed addresses.

So inserted or deleted rows, moved blocks, merged or unmerged cells and re-saves by WPS or
LibreOffice all read the same, and so does a form typed by hand that was never our template.
projects_from_grids is pure (no spreadsheet library): the xlwings engine reuses it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import compress
from typing import Any

from evaltool.core.decimals import to_decimal
from evaltool.core.errors import InputError
from evaltool.core.model import REPORT_FIELDS, Finding, Location, Project
from evaltool.core.seam import Grid, address
from evaltool.workbook import layout as L

LAYOUT_KEY = "_workbook"  # Project.extra key holding SheetInfo (never exported to case files)
# Project.extra key: (sheet, cell) evaltool marked on its last run in the sheets the form occupies
# (from 校验结果), for every kind, so a re-run on any kind's sheet knows which notes are its own.
MARKS_KEY = "_marked"
RESULTS_KEY = "_results_sheet"  # Project.extra: the name evaltool's 校验结果 sheet is written under
SCORED_KEY = "_scored_before"  # the workbook has evaltool's 校验结果 sheet: it was scored before


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
    # Subtotal rows inside the indicator table (SheetInfo.out keys such as "产出指标得分小计") -> (index of
    # an indicator of that 一级, "得分" | "分值"): their typed value is checked against the computed one.
    subtotal_of: dict[str, tuple[int, str]] = field(default_factory=dict)


def sheet_info(project: Project) -> SheetInfo | None:
    info = project.extra.get(LAYOUT_KEY)
    return info if isinstance(info, SheetInfo) else None


# Per-process caches of pure functions of their keys: forms repeat the same few hundred strings.
_KEY_CACHE: dict[str, Any] = {}  # cell text -> label_key, or _BLANK
_LABEL_KEYS: dict[str, str] = {}  # label asked for by the reader -> label_key
_LOCS: dict[tuple[str, int, int], Location] = {}  # (sheet, row, col) -> its Location
_BLANK: Any = object()  # _KEY_CACHE entry of white-space-only text: such a cell reads as empty
MAX_CACHED_ROW = 1000


def cached_label_key(label: str) -> str:
    key = _LABEL_KEYS.get(label)
    if key is None:
        key = _LABEL_KEYS[label] = L.label_key(label)
    return key


BASE_VOCAB = L.vocabulary()
_IS_TEXT = str.__instancecheck__  # isinstance(x, str), as a function of x alone


def _merge_maps(merged: list[tuple[int, int, int, int]]) -> tuple[dict, dict]:
    """(under: row -> {column: top-left of its range} for every cell of a merged range but its
    top-left, span: top-left -> range) for a sheet's merged ranges. Ranges that overlap (only a
    damaged file has them) resolve as before: the range listed last wins a cell."""
    under: dict[int, dict[int, tuple[int, int]]] = {}
    span: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for r1, c1, r2, c2 in merged:
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 5000:  # a whole-column merge: only its anchor matters
            r2 = min(r2, r1 + 200)
            c2 = min(c2, c1 + 50)
        home = (r1, c1)
        span[home] = (r1, c1, r2, c2)
        d = under.get(r1)
        if d is not None:
            d.pop(c1, None)  # an earlier range's cell is this one's top-left
        if c2 > c1:
            if d is None:
                under[r1] = dict.fromkeys(range(c1 + 1, c2 + 1), home)
            else:
                d.update(dict.fromkeys(range(c1 + 1, c2 + 1), home))
        if r2 > r1:
            cols = range(c1, c2 + 1)
            for r in range(r1 + 1, r2 + 1):
                d = under.get(r)
                if d is None:
                    under[r] = dict.fromkeys(cols, home)
                else:
                    d.update(dict.fromkeys(cols, home))
    return under, span


# ---- grid helpers ---------------------------------------------------------------------------------
class View:
    """A Grid with merged-cell lookups precomputed (a form has dozens of merges, read many times)."""

    def __init__(self, grid: Grid, vocab: L.Vocabulary | None = None):
        self.grid = grid
        self.vocab = vocab or BASE_VOCAB
        self.sheet = grid.sheet
        # row -> {column: its merged range's top-left} for cells under a merge but not its top-left
        under, self.span = _merge_maps(grid.merged)
        self.under = under
        values = grid.values
        self.nrows = len(values)
        self.ncols = max(map(len, values), default=0)
        # Cleaned values (blank text -> None) and an index of label keys -> cells, built once: the
        # reader asks "where is label X" hundreds of times per sheet. Only text is indexed (every
        # label is text), and a cell covered by a merge is found through its anchor. This loop runs
        # over every sheet of every file a bureau consolidates, hence its shape.
        self.cells: list[list[Any]] = []
        self.labels: dict[str, list[tuple[int, int]]] = {}
        self.covered_text: list[tuple[int, int, str]] = []  # (row, col, label key) of covered text
        labels, cache, append_row, covered_text = self.labels, _KEY_CACHE, self.cells.append, self.covered_text
        r = 0
        for row in values:
            r += 1
            out = row  # shared with the grid unless a blank text is cleared (copied then)
            texts = list(compress(enumerate(row, 1), map(_IS_TEXT, row)))  # (column, text): the filter runs in C
            if not texts:
                append_row(out)
                continue
            row_covered = under.get(r)
            for c, x in texts:
                key = cache.get(x)
                if key is None:
                    key = L.label_key(x) if x.strip() else _BLANK
                    if len(cache) < 65536:
                        cache[x] = key
                if key is _BLANK:
                    if out is row:
                        out = list(row)
                    out[c - 1] = None
                elif not key:
                    continue
                elif row_covered is None or c not in row_covered:
                    lst = labels.get(key)
                    if lst is None:
                        labels[key] = [(r, c)]
                    else:
                        lst.append((r, c))
                else:  # stale text under a merge: rare, kept for rows_with
                    covered_text.append((r, c, key))
            append_row(out)
        self._n = len(self.cells)
        self.header_rows: dict[int, Any] = {}  # the 自评表 reader's indicator-table headers, by row
        self.header_candidates: frozenset[int] | None = None
        self.continuations: set[int] = set()  # rows of indicator headers (also repeated ones)
        self.fund_rows: list[int] | None = None
        self.row_cells: dict[int, dict[int, Any]] = {}

    def raw(self, r: int, c: int) -> Any:
        if 0 < r <= self._n:
            row = self.cells[r - 1]
            if 0 < c <= len(row):
                return row[c - 1]
        return None

    def value(self, r: int, c: int, vertical: bool = True) -> Any:
        """The cell's value, or its merged range's value (vertical=False: only within the same row)."""
        d = self.under.get(r)
        if d is not None:
            a = d.get(c)
            if a is not None and (vertical or a[0] == r):
                r, c = a
        if 0 < r <= self._n:
            row = self.cells[r - 1]
            if 0 < c <= len(row):
                return row[c - 1]
        return None

    def row_values(self, r: int, items: list[tuple[str, int]], vertical: frozenset[str]) -> dict[str, Any]:
        """{name: self.value(r, c, vertical=name in vertical)} for (name, c) in items, in one call."""
        row = self.cells[r - 1] if 0 < r <= self._n else ()
        n = len(row)
        under = self.under.get(r)
        if under is None:  # nothing in the row lies under a merge: every cell reads as itself
            return {name: row[c - 1] if 0 < c <= n else None for name, c in items}
        out = {}
        for name, c in items:
            a = under.get(c)
            if a is not None:
                if a[0] != r:
                    out[name] = self.raw(*a) if name in vertical else (row[c - 1] if 0 < c <= n else None)
                else:
                    out[name] = self.raw(*a)
            else:
                out[name] = row[c - 1] if 0 < c <= n else None
        return out

    def row_locs(self, r: int, cols: list[int]) -> list[Location]:
        """[self.loc(r, c) for c in cols], in one call."""
        under, sheet, locs = self.under.get(r), self.sheet, _LOCS
        out = []
        for c in cols:
            hit = locs.get((sheet, r, c)) if under is None or c not in under else None
            out.append(hit if hit is not None else self.loc(r, c))
        return out

    def key(self, r: int, c: int) -> str:
        """label_key(self.value(r, c, vertical=False)) for text, "" otherwise."""
        d = self.under.get(r)
        a = d.get(c) if d is not None else None
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
            if key in keys and c in cols and self.under[r][c][0] != r:
                rows.add(r)
        return rows

    def home(self, r: int, c: int) -> tuple[int, int]:
        d = self.under.get(r)
        return d.get(c, (r, c)) if d is not None else (r, c)

    @property
    def anchor(self) -> dict[tuple[int, int], tuple[int, int]]:
        """{cell: its merged range's top-left} for every cell of a merged range (built when asked)."""
        out = {home: home for home in self.span}
        out.update({(r, c): a for r, d in self.under.items() for c, a in d.items()})
        return out

    def loc(self, r: int, c: int) -> Location:
        d = self.under.get(r)
        if d is not None:
            a = d.get(c)
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
        for r, c in self.labels.get(cached_label_key(label), ()):
            if r in rows and (cols is None or c in cols):
                return r, c
        return None

    def find_block(self, name: str, rows: range, cols: range | None = None) -> tuple[int, int] | None:
        """First cell (row by row) in rows × cols reading as any spelling of the vocabulary's block label."""
        hits = [(r, c) for key in self.vocab.block_keys(name) for r, c in self.labels.get(key, ())
                if r in rows and (cols is None or c in cols)]
        return min(hits) if hits else None

    def block_rows(self, name: str, cols: range | None = None) -> set[int]:
        return {r for key in self.vocab.block_keys(name) for r, c in self.labels.get(key, ())
                if cols is None or c in cols}

    def text(self, r: int, c: int) -> str:
        """The cell's text as printed, trimmed (for messages)."""
        val = self.value(r, c, vertical=False)
        return " ".join(str(val).split()) if val is not None else ""


KNOWN_LABELS = (L.L_NAME, L.L_DEPT, L.L_UNIT, L.L_YEAR, L.L_FUNDS, "项目资金", L.L_GOALS, L.L_INDICATORS,
                "项目实施单位")
_HEADER_BLOCKS = ("项目名称", "主管部门", "实施单位", "年度", "项目资金", "年度总体目标", "绩效指标")


def known_keys(vocab: L.Vocabulary) -> frozenset[str]:
    """Keys of the labels a header field's value stops at (the next label: the value was left empty)."""
    return frozenset(L.label_key(lab) for lab in KNOWN_LABELS).union(*(vocab.block_keys(b) for b in _HEADER_BLOCKS))


_KNOWN_KEYS = known_keys(BASE_VOCAB)


def _is_label(value: Any, keys: frozenset[str] = _KNOWN_KEYS) -> bool:
    """L.matches(value, lab) for some label whose key is in keys (one set lookup)."""
    if value is None:
        return False
    key = _KEY_CACHE.get(value) if type(value) is str else None
    if key is None or key is _BLANK:
        key = L.label_key(value)
    return key in keys


def value_right(v: View, r: int, c: int, stop: int | None = None,
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


def results_sheet_of(views: list[View]) -> tuple[View | None, str]:
    """evaltool's own 校验结果 sheet (its title cell is evaltool's, or it is empty) and the name to
    write it under. A clerk's own sheet that happens to be called 校验结果 (a 科室 review log) is never
    read as evaltool's marks nor replaced: evaltool's goes to 校验结果(2) (or the next free name)."""
    by_name = {v.sheet.lower(): v for v in views}  # Excel compares sheet names case-insensitively
    n = 1
    while True:
        name = L.SHEET_RESULTS if n == 1 else f"{L.SHEET_RESULTS}({n})"
        v = by_name.get(name.lower())
        if v is None:
            return None, name
        first = v.raw(1, 1) if v.nrows else None
        if (first is not None and str(first).strip() == L.RESULTS_TITLE) or not any(
                v.raw(r, c) is not None for r in range(1, v.nrows + 1) for c in range(1, v.ncols + 1)):
            return v, name
        n += 1


def same_value(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    da, db = to_decimal(a) if not isinstance(a, str) else None, to_decimal(b) if not isinstance(b, str) else None
    if da is not None and db is not None:
        return abs(da - db) < Decimal("0.000001")
    return str(a).strip() == str(b).strip()


def vocabulary_for(rules: str | None) -> L.Vocabulary:
    """The label vocabulary for a rule set: 标签.yaml plus the rule set's own 标签 entries, if any.
    A rule set that cannot be loaded gives the built-in vocabulary (scoring then reports the rule set's
    problem); 标签 entries written wrongly raise InputError naming the rule set."""
    from evaltool.core.rules import load_rules

    if not rules:
        return BASE_VOCAB
    try:
        rule_set = load_rules(rules)
    except InputError:
        return BASE_VOCAB
    extra = rule_set.raw.get("标签")
    if not extra:
        return BASE_VOCAB
    hit = _VOCABS.get(id(rule_set))
    if hit is None or hit[0] is not rule_set:
        hit = _VOCABS[id(rule_set)] = (rule_set, BASE_VOCAB.extended(extra, rule_set.source or str(rules)))
    return hit[1]


_VOCABS: dict[int, tuple[Any, L.Vocabulary]] = {}  # id(rule set) -> (rule set, its vocabulary)


def settings_rules(v: View | None) -> str | None:
    """The rule set the 设置 sheet names (the vocabulary must be known before the forms are read)."""
    if v is None:
        return None
    val = _read_labelled(v, (L.L_RULES,)).get(L.L_RULES, (None, None))[0]
    return str(val).strip() if val is not None and str(val).strip() else None


def settings_rule_file(v: View | None, folder=None) -> str | None:
    """settings_rules, with a rule file named by a relative path looked up beside the workbook
    (folder), then from the current folder; InputError naming the 设置 cell and both places when a
    file name is found in neither."""
    ref = settings_rules(v)
    if not ref or v is None:
        return ref
    from pathlib import Path

    from evaltool.core.rules import builtin_ids

    given = Path(ref).expanduser()
    if ref in builtin_ids() or given.is_absolute():
        return ref
    places = ([Path(folder)] if folder is not None else []) + [Path.cwd()]
    for place in places:
        if (place / given).is_file():
            return str((place / given).resolve())
    if given.suffix.lower() in (".yaml", ".yml") or len(given.parts) > 1:
        loc = _read_labelled(v, (L.L_RULES,)).get(L.L_RULES, (None, None))[1]
        where = f"“{v.sheet}”工作表{loc.cell}" if loc is not None and loc.cell else f"“{v.sheet}”工作表"
        looked = "、".join(dict.fromkeys(str(p) for p in places))
        raise InputError(f"{where}指定的规则文件“{ref}”找不到（找过的文件夹：{looked}）。请把规则文件放在工作簿所在的文件夹中，"
                         f"或在{loc.cell if loc is not None and loc.cell else '该单元格'}写出完整路径；"
                         f"内置规则集有：{'、'.join(builtin_ids())}。")
    return ref  # not a file name: load_rules says it is no known rule set


@dataclass
class ReadContext:
    """What projects_from_grids read once for every kind: the 校验结果 and 设置 sheets, and what the
    last run marked and filled (from 校验结果)."""

    results: Any  # View of 校验结果, or None
    settings: Any  # View of 设置, or None
    marked: dict
    filled: dict
    rules: str | None = None  # the rule set chosen for this run, or the one the 设置 sheet names


def projects_from_grids(grids: list[Grid], rules: str | None = None, folder=None) -> list[Project]:
    """Every form in the workbook's sheets, of every registered kind, in sheet order: each kind (in
    detection order) claims the sheets holding its forms; InputError if there is none.
    rules: the rule set chosen for this run (--rules), whose 标签 entries extend the label vocabulary;
    else the one the 设置 sheet names."""
    from evaltool.core.kinds import kinds

    views = [View(g) for g in grids]
    by_name = {v.sheet: v for v in views}
    settings = by_name.get(L.SHEET_SETTINGS) or next((v for v in views if "设置" in v.sheet), None)
    # folder: the workbook's own; a rule file the 设置 sheet names by a relative path is found there
    # first (the bureau runs collect from elsewhere), then from the current folder
    rules = rules or settings_rule_file(settings, folder)
    vocab = vocabulary_for(rules)
    if vocab is not BASE_VOCAB:
        for v in views:  # the label index does not depend on the vocabulary: only the lookups do
            v.vocab = vocab
    results, results_name = results_sheet_of(views)
    marked, filled = _read_results(results) if results else ({}, {})
    context = ReadContext(results, settings, marked, filled, rules)
    # Each kind, in detection order, reads the sheets no kind before it claimed: a workbook holding a
    # 自评表 beside a 部门整体 form (or a 监控表 beside a 目标表) yields both forms, each read, checked and
    # scored by its own kind, and a sheet is never read as two forms (the 自评表 reader would take the
    # 运行监控表's and the 部门整体's indicator tables, hence their place before it in BUILTIN).
    projects: list[Project] = []
    # A hidden sheet (a clerk's copy of last year's form, hidden): not read, since the clerk does not
    # see it on screen or on paper and publish leaves it out; a form on it is named in a warning.
    hidden = {g.sheet for g in grids if g.hidden}
    # A plain table (a project list, a copied 汇总): its labels are column headers, not a form's.
    tables = {v.sheet: h for v in views if v.sheet not in hidden for h in [list_header(v, vocab)] if h}
    claimed: set[str] = set(hidden) | set(tables)
    sharing: list[Project] = []  # forms of kinds whose template has the 报告素材 / 项目基本信息 sheets
    for kind in kinds():
        offered = [v for v in views if v.sheet not in claimed]
        if not offered:
            break
        found = kind.read_views(offered, context)
        for p in found:
            p.extra[RESULTS_KEY] = results_name
            sheets = kind.sheets_of(p)
            claimed |= sheets
            p.extra[MARKS_KEY] = {(s, c) for s in sheets for c in marked.get(s, ())}
            p.extra[SCORED_KEY] = results is not None  # its grey cells may hold an earlier run's values
        projects.extend(found)
        if kind.uses_shared_sheets:
            sharing.extend(found)
    order = {v.sheet: i for i, v in enumerate(views)}
    projects.sort(key=lambda p: order.get(p.sheet or "", len(order)))  # stable: a sheet's forms keep their order
    concealed = _hidden_forms([v for v in views if v.sheet in hidden], context) if hidden else []
    if not projects:
        if concealed:
            raise InputError("这个工作簿中的表格都在隐藏的工作表中（" + "、".join(f"“{s}”" for s in concealed) +
                             "），evaltool 只读取看得见的工作表。请在 Excel 或 WPS 中右键工作表标签，选“取消隐藏”，"
                             "再运行。")
        raise InputError(_no_form_message(views, kinds(), tables))
    for sheet in concealed:
        for p in projects:
            p.read_findings.append(Finding(
                "W-HIDDEN-FORM", "warning",
                "这张工作表是隐藏的，其中的表格没有校验、计分或汇总（常见于保留的上年表格）。"
                "如需提交这张表格，请在 Excel 或 WPS 中右键工作表标签，选“取消隐藏”后再运行；不需要就可以删除这张工作表。",
                "读取", Location(sheet=sheet, path=f"工作表“{sheet}”")))
    if settings:
        _apply_settings(settings, projects, rules)
    report = by_name.get(L.SHEET_REPORT)
    basic = by_name.get(L.SHEET_BASIC)
    # The shared sheets belong to the one such form (or the first of one sheet's forms); with several
    # sheets of such forms nobody can tell whose texts they are.
    if len(sharing) == 1 or len({p.sheet for p in sharing}) == 1:
        target = sharing[:1]
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


def _hidden_forms(views: list[View], context: "ReadContext") -> list[str]:
    """The hidden sheets that hold a form of some kind (read only to name them)."""
    from evaltool.core.kinds import kinds

    found: list[str] = []
    for kind in kinds():
        offered = [v for v in views if v.sheet not in found]
        if not offered:
            break
        try:
            found += [s for p in kind.read_views(offered, context) for s in sorted(kind.sheets_of(p)) if s not in found]
        except InputError:
            continue  # a damaged hidden form is still a hidden form nobody reads; no kind claimed it here
    order = {v.sheet: i for i, v in enumerate(views)}
    return sorted((s for s in found if s in order), key=order.__getitem__)


# The header fields that name a form (项目名称 …): in a table's header row they are column titles.
_IDENTITY = frozenset((L.L_NAME, L.L_DEPT, L.L_UNIT, L.L_YEAR))


def _table_label(vocab: L.Vocabulary, value: Any) -> bool:
    return isinstance(value, str) and bool(vocab.block(value) or vocab.fund_column(value)
                                           or vocab.indicator_column(value))


def list_header(v: View, vocab: L.Vocabulary = BASE_VOCAB) -> tuple[int, list[str]] | None:
    """(row, labels) when the sheet is a plain table rather than a form: among its first three rows,
    the first one with four or more cells is one header row — at least four known labels, two of them
    a form's header fields (项目名称, 主管部门, 实施单位, 年度) — and the two rows below hold values
    (not labels) under every such field: a project list, a copied 汇总. A form has a field's value
    beside its label, and below it the next label."""
    for r in range(1, min(v.nrows, 3) + 1):
        cells = [(c, x) for c in range(1, v.ncols + 1) if v.home(r, c) == (r, c)
                 for x in [v.value(r, c, vertical=False)] if x is not None and x != ""]
        if len(cells) < 4:
            continue
        labels = [(c, x) for c, x in cells if _table_label(vocab, x)]
        fields = [c for c, x in labels if vocab.block(x) in _IDENTITY]
        if len(labels) < 4 or len(fields) < 2 or r + 2 > v.nrows:
            return None
        for below in (r + 1, r + 2):
            for c in fields:
                x = v.value(below, c, vertical=False)
                if x is None or x == "" or _table_label(vocab, x):
                    return None
        return r, [str(x).strip() for _, x in labels]
    return None


def _no_form_message(views: list[View], registered: list, tables: dict | None = None) -> str:
    """Why no kind found a form: the sheets looked at, every kind looked for, and the kind a sheet's
    name or title suggests (a cleared 运行监控表 is named as one, not as a missing 自评表 table); a
    sheet that is a plain table (tables: sheet → its header row and labels) is named as one."""
    names = "、".join(f"“{v.sheet}”" for v in views) or "（无）"
    titled = [k for k in registered if k.title]
    hints = []
    shared = {L.SHEET_SETTINGS, L.SHEET_RESULTS, L.SHEET_REPORT, L.SHEET_BASIC, L.SHEET_HELP}
    for v in views:
        if v.sheet in shared or "报告素材" in v.sheet:  # every kind's workbook has these: no hint
            continue
        if tables and v.sheet in tables:
            row, labels = tables[v.sheet]
            shown = "".join(f"“{x}”" for x in labels[:4]) + ("等" if len(labels) > 4 else "")
            hints.append(f"工作表“{v.sheet}”是一张列表（第 {row} 行是{shown}列标题，下面是各行数据，如项目清单或复制的汇总表），"
                         "不是填报的表格")
            continue
        texts = [v.sheet] + [v.text(r, c) for r in range(1, min(v.nrows, 3) + 1) for c in range(1, min(v.ncols, 6) + 1)]
        hit = max((k for k in titled if any(k.title in t or k.name in t for t in texts if t)),
                  key=lambda k: len(k.title), default=None)  # 部门整体支出绩效自评表 before 自评表
        if hit is not None:
            hints.append(f"工作表“{v.sheet}”像是{hit.title}，但没有读到它的表格内容（标签可能被删除或改动）")
    kinds_text = "、".join(k.title for k in titled)
    head = (f"这个工作簿不是项目支出绩效自评表，也不是 evaltool 认识的其他表格：在工作表 {names} 中"
            "都没有找到“绩效指标”表（表头应包含“三级指标”“年度指标值”“实际完成值”“分值”）或其他表格的标签。")
    if hints:
        head += "；".join(hints) + "。"
    return (f"{head}evaltool 认识的表格：{kinds_text}。请用 evaltool new --kind 类型 生成标准模板后填写"
            "（不写 --kind 为自评表），或检查是否选错了文件。")


def _apply_settings(v: View, projects: list[Project], resolved: str | None = None) -> None:
    vals = _read_labelled(v, (L.L_RULES, L.L_PLACES, L.L_VERSION))
    rules = vals.get(L.L_RULES, (None, None))[0]
    if rules is not None and str(rules).strip() and resolved:
        rules = resolved  # the named file as found beside the workbook (settings_rule_file)
    places = vals.get(L.L_PLACES, (None, None))[0]
    raw_version = vals.get(L.L_VERSION, (None, None))[0]
    dec = to_decimal(raw_version)
    version = int(dec) if dec is not None and dec == dec.to_integral_value() else None
    for p in projects:
        if rules is not None and str(rules).strip():
            p.rules = str(rules).strip()
        if places is not None:
            d = to_decimal(places) if not isinstance(places, str) else to_decimal(L.norm(places))
            if d is not None and d == d.to_integral_value() and 0 <= d <= 4:  # as E-PLACES says
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
def read_workbook_projects(path, rules: str | None = None) -> list[Project]:
    """Projects in an .xlsx file (the openpyxl engine); InputError with a Chinese message for unusable files.
    rules: the rule set chosen for this run (its 标签 entries extend the label vocabulary)."""
    from evaltool.engines import engine

    grids, notes = engine("openpyxl").read_noted(path)
    from pathlib import Path

    projects = projects_from_grids(grids, rules, folder=Path(path).resolve().parent)
    for p in projects:
        p.source = str(path)
        p.read_findings.extend(note_findings(notes))
    return projects


def note_findings(notes) -> list:
    """The reading policy's notes (workbook/container.py: what was tolerated) as warnings."""

    def path(n) -> str | None:
        where = None if n.cell else (n.part or (f"工作表“{n.sheet}”" if n.sheet else None))
        return None if where and where in n.message else where  # said once: the message names it already

    return [Finding(n.code, "warning", n.message, "读取", Location(sheet=n.sheet, cell=n.cell, path=path(n)))
            for n in notes]


__all__ = ["projects_from_grids", "View", "value_right", "ReadContext", "read_workbook_projects", "SheetInfo", "sheet_info", "LAYOUT_KEY",
           "MARKS_KEY", "SCORED_KEY"]
