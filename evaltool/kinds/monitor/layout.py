"""The 运行监控表 in a workbook: its labels (标签.yaml beside this file), grids -> Project. Engine-free.

Every block is found by its labels, never by a fixed address, so a clerk's inserted rows, moved
columns, merged cells and the published layout (偏差原因分析 and 完成目标可能性 as ticked sub-columns
under a merged group header) all read. The monitoring period comes from the 监控期间 field, the
title, or the column headers themselves ("1-7月执行数": 7).
"""
from __future__ import annotations

import contextvars
import datetime as _dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from evaltool.core.model import Location, Project
from evaltool.core.values import amount_under
from evaltool.workbook import layout as WL
from evaltool.core.seam import address
from evaltool.workbook.reader import View, value_right

KIND = "运行监控表"
TITLE = "项目支出绩效运行监控表"
SHEET = "运行监控表"
INFO_KEY = "_monitor"  # Project.extra key of MonitorInfo (never exported to case files)
PERIOD_KEY, FUNDS_KEY, ROWS_KEY, GOALS_KEY = "监控期间", "监控资金", "监控指标", "监控目标"
FUND_ROWS = ("年度资金总额", "本年财政拨款", "上年结转资金", "其他资金")
FUND_INPUTS = ("年初预算数", "全年预算数", "执行数", "全年预计执行数")
FUND_OUTPUTS = ("执行进度", "时间进度", "预警")
ROW_INPUTS = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "全年预计完成值", "完成可能性",
              "偏差原因类别", "偏差原因", "纠偏措施")
HEADER_FIELDS = {"项目名称": "name", "主管部门": "department", "实施单位": "unit", "年度": "year"}
GOAL_FIELDS = ("全年预期目标", "目标实际完成情况")


# Widths (Excel characters) of the template's indicator columns that hold text: rows grow to fit it.
TEXT_WIDTHS = {"三级指标": 20, "年度指标值": 13, "实际完成值": 13, "全年预计完成值": 13, "偏差原因类别": 12,
               "偏差原因": 24, "纠偏措施": 24}
ROW_PT = 30.0  # an indicator row's height at least


def row_height(item: dict[str, Any]) -> float:
    """Points an indicator row of the template needs to print its texts whole (wrapped)."""
    from evaltool.workbook import paper

    return paper.row_height([(item.get(k), w) for k, w in TEXT_WIDTHS.items() if item.get(k) is not None], ROW_PT)


@functools.lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    # libyaml's loader where PyYAML has it: 0.5 ms instead of 4, paid before a consolidation's first file
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load((Path(__file__).parent / "标签.yaml").read_text("utf-8"), Loader=loader)  # noqa: S506 - safe loader
    assert isinstance(data, dict)
    return data


def _key(text: Any) -> str:
    return WL.label_key(text)


@functools.lru_cache(maxsize=16)
def _base_section(name: str) -> dict[str, str]:
    """label key -> standard name for one section of 标签.yaml."""
    out: dict[str, str] = {}
    for std, words in (vocabulary().get(name) or {}).items():
        for w in [std, *(words or [])]:
            out.setdefault(_key(w), str(std))
    return out


# A rule set's own spellings (运行监控 → 标签), while its workbook is read: section -> {key: name}.
_EXTRA: contextvars.ContextVar[dict[str, dict[str, str]]] = contextvars.ContextVar("monitor_labels", default={})
EXTENDABLE = ("字段", "资金行", "资金列", "指标列", "完成可能性")


def _section(name: str) -> dict[str, str]:
    extra = _EXTRA.get().get(name)
    return {**_base_section(name), **extra} if extra else _base_section(name)


def label_extension(entries: Any, source: str) -> dict[str, dict[str, str]]:
    """A rule set's 运行监控 → 标签 entries ({指标列: {全年预计完成值: [年底预计数]}}) as lookups; InputError
    (Chinese, naming the rule set) when they are not written so."""
    from evaltool.core.errors import InputError

    where = f"{source}中“运行监控 → 标签"
    if not isinstance(entries, dict):
        raise InputError(f"{where}”应写成 分类: {{标准名称: [写法, …]}}，例如 {{指标列: {{全年预计完成值: [年底预计数]}}}}")
    out: dict[str, dict[str, str]] = {}
    for section, names in entries.items():
        if section not in EXTENDABLE:
            raise InputError(f"{where} → {section}”不是可补充的分类；可补充的分类有：{'、'.join(EXTENDABLE)}。")
        known = set(_base_section(section).values())
        if not isinstance(names, dict):
            raise InputError(f"{where} → {section}”应写成 标准名称: [写法, …]")
        for name, words in names.items():
            if str(name) not in known:
                raise InputError(f"{where} → {section} → {name}”不是标准名称；可用的有：{'、'.join(sorted(known))}。")
            for w in [words] if isinstance(words, (str, int, float)) else words if isinstance(words, list) else [None]:
                if w is None:
                    raise InputError(f"{where} → {section} → {name}”应是写法的列表，例如 [年底预计数]")
                out.setdefault(str(section), {})[_key(str(w))] = str(name)
    return out


def spellings(section: str, name: str) -> frozenset[str]:
    return frozenset(k for k, std in _section(section).items() if std == name)


@functools.lru_cache(maxsize=1)
def _ticks() -> frozenset[str]:
    return frozenset(WL.norm(t) for t in vocabulary().get("勾选") or ())


@functools.lru_cache(maxsize=1)
def _end_keys() -> frozenset[str]:
    return frozenset(_key(t) for t in vocabulary().get("结束") or ())


# "1-7月执行数", "1—7月份执行数", "1至7月实际完成值", "截至7月底执行数", "7月执行数"
_PERIOD_PREFIX = re.compile(r"^(?:截至|截止|至)?(?:(\d{1,2})月?份?[-~—–－至到])?(\d{1,2})月份?(?:底|末)?(?:累计)?(.*)$")
# a period inside a longer text ("（2026年1-7月）", "监控期间：1至7月")
_PERIOD_IN = re.compile(r"(?:(?<!\d)(\d{1,2})\s*月?\s*[-~—–－至到]\s*|截至|截止)(\d{1,2})\s*月")


def split_period(text: Any) -> tuple[int | None, str]:
    """(end month or None, the label without its period prefix) of a header cell."""
    norm = WL.norm(text)
    m = _PERIOD_PREFIX.match(norm)
    if m:
        start, end = int(m.group(1) or 1), int(m.group(2))
        if 1 <= start <= end <= 12 and m.group(3):
            return end, m.group(3)
    return None, norm


_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(r"十[一二]?|[一二两三四五六七八九]")
# a period's end date: 截至2026年7月31日, 7月底, 2026-07-31, 2026/7/31 (month and day alone, "1-7", is a span)
_PERIOD_DATE = re.compile(r"^(?:截至|截止|至)?(?:(?:(?:19|20)\d{2}\s*年\s*)?(\d{1,2})\s*月(?:\d{1,2}\s*日|底|末)"
                          r"|(?:19|20)\d{2}\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*\d{1,2})(?:止|为止)?$")
_PERIOD_BARE = re.compile(r"^(\d{1,2})\s*[-~—–－至到]\s*(\d{1,2})$")


def _cn_number(text: str) -> int:
    if text.startswith("十"):
        return 10 + _CN_DIGITS.get(text[1:], 0)
    return _CN_DIGITS[text]


def period_month(value: Any) -> int | None:
    """The last month of a monitoring period as typed: "1-7月", "1至7月", "截至7月底", "7月", 7."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (_dt.date, _dt.datetime)):  # "2026/7/31" typed into Excel becomes a date
        return value.month
    if isinstance(value, (int, float)):
        return int(value) if value == int(value) and 1 <= value <= 12 else None
    text = _CN_NUMBER.sub(lambda m: str(_cn_number(m.group(0))), WL.norm(value))  # 一至七月
    m = _PERIOD_DATE.match(text)
    if m:  # 截至2026年7月31日, 2026-07-31, 7月底
        month = int(m.group(1) or m.group(2))
        return month if 1 <= month <= 12 else None
    m = _PERIOD_BARE.match(text)
    if m:  # "1-7": a span of months without 月
        start, end = int(m.group(1)), int(m.group(2))
        return end if 1 <= start <= end <= 12 else None
    text = re.sub(r"^(?:19|20)\d{2}年度?", "", text)
    m = _PERIOD_PREFIX.match(text)
    if m and m.group(3) in ("", "份"):
        start, end = int(m.group(1) or 1), int(m.group(2))
        return end if 1 <= start <= end <= 12 else None
    m = _PERIOD_IN.search(text)
    if m:
        start, end = int(m.group(1) or 1), int(m.group(2))
        return end if 1 <= start <= end <= 12 else None
    return None


def classify(section: str, text: Any) -> tuple[str | None, int | None]:
    """(standard name, period month) of a header cell of 资金列 or 指标列."""
    if not isinstance(text, str) or not text.strip():
        return None, None
    names = _section(section)
    hit = names.get(_key(text))
    if hit:
        return hit, None
    month, rest = split_period(text)
    if month is not None:
        hit = names.get(_key(rest))
        if hit:
            return hit, month
    return None, None


def likelihood_of(value: Any) -> str | None:
    """The standard 完成可能性 option a cell's text names, or None."""
    return _section("完成可能性").get(_key(value)) if isinstance(value, str) else None


def is_tick(value: Any) -> bool:
    if value is True:
        return True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == 1
    return isinstance(value, str) and WL.norm(value) in _ticks()


@dataclass
class MonitorInfo:
    """Where a project sits in its sheet: computed cells, input cells, period headers."""

    sheet: str
    out: dict[str, Location] = field(default_factory=dict)  # 执行进度, 时间进度, 资金预警, 综合预警, 预警[n]
    inputs: list[str] = field(default_factory=list)  # A1 of every cell read (their old marks are cleared)
    months: list[tuple[int, Location]] = field(default_factory=list)  # periods named by column headers
    header_row: int = 0  # the indicator header's (first) row
    template: bool = False  # our template: its grey out cells are evaltool's to write
    out_values: dict[str, Any] = field(default_factory=dict)  # what the out cells hold now
    filled: set[str] = field(default_factory=set)  # A1 of cells evaltool filled on its last run (校验结果)
    # the published layout's √ sub-columns instead of drop-down cells: messages say 勾选, not 下拉列表
    likely_ticked: bool = False
    reason_ticked: bool = False


def info_of(project: Project) -> MonitorInfo | None:
    info = project.extra.get(INFO_KEY)
    return info if isinstance(info, MonitorInfo) else None


# ---- finding the blocks ------------------------------------------------------------------------
_DETECT = ("完成可能性", "全年预计完成值")


def _detect_keys() -> frozenset[str]:
    return _base_detect_keys() if not _EXTRA.get() else frozenset().union(*(spellings("指标列", n) for n in _DETECT))


@functools.lru_cache(maxsize=1)
def _base_detect_keys() -> frozenset[str]:  # asked of every workbook a consolidation reads
    return frozenset().union(*(spellings("指标列", n) for n in _DETECT))


@dataclass
class IndicatorHeader:
    row: int
    data: int  # first data row
    cols: dict[str, int]
    months: dict[str, int]  # column name -> period month from its header
    reason_ticks: dict[int, str]  # column -> 偏差原因 category (published layout)
    likely_ticks: dict[int, str]  # column -> 完成可能性 option (published layout)
    choice: WL.ColumnChoice | None = None  # which of several cells naming one column was read (or none)
    cell_of: dict[int, tuple[int, int]] = field(default_factory=dict)  # column -> its header cell


def _label_key(section: str, text: Any) -> str:
    """The key a header cell names its column by, as classify reads it: without a period prefix
    ("1-7月执行数" -> 执行数)."""
    key = _key(text)
    if key in _section(section):
        return key
    month, rest = split_period(text)
    return _key(rest) if month is not None else key


def _choose(hits: list[tuple[str, int, str]], cols: dict[str, int], months: dict[str, int],
            month_of: dict[int, int]) -> WL.ColumnChoice:
    """cols / months as the ColumnChoice of the header's cells says (hits: (name, column, key))."""
    choice = WL.ColumnChoice(hits)
    cols.clear()
    cols.update(choice.cols)
    months.clear()
    months.update({n: month_of[c] for n, c in cols.items() if c in month_of})
    return choice


def choice_findings(v: View, table: str, choice: WL.ColumnChoice | None, cell_of: dict[int, tuple[int, int]]) -> list:
    """E-UNREAD-COLUMN for a column several header cells name equally, I-COLUMN-IGNORED for one passed over."""
    from evaltool.core.model import Finding

    out: list = []
    if choice is None:
        return out

    def said(cs: list[int]) -> str:
        return "和".join(f"“{v.text(*cell_of[c])}”（{address(*cell_of[c])}）" for c in cs)

    for name, cs in choice.ambiguous.items():
        out.append(Finding("E-UNREAD-COLUMN", "error", f"{table}有 {len(cs)} 列都读作“{name}”：{said(cs)}，evaltool 不知道"
                           f"按哪一列读取，没有读取这几列。请删去不用的列，或把要用的一列的表头改为“{name}”。", name,
                           v.loc(*cell_of[cs[0]])))
    for name, cs in choice.passed.items():
        win = choice.cols[name]
        out.append(Finding("I-COLUMN-IGNORED", "info", f"{table}的{said(cs)}与{said([win])}都可读作“{name}”：evaltool 按"
                           f"“{v.text(*cell_of[win])}”列读取，{said(cs)}列未读取。", name, v.loc(*cell_of[cs[0]])))
    return out


def _indicator_header(v: View) -> IndicatorHeader | None:
    cells = sorted({rc for k in spellings("指标列", "三级指标") for rc in v.labels.get(k, ())})
    categories = {_key(c): c for c in vocabulary_categories()}
    for r, c3 in cells:
        # Sub-headers (ticked 偏差原因 categories, 完成可能性 options) only under a two-row header,
        # whose single labels (三级指标) span both rows: else row r+1 is the first indicator.
        two_rows = v.below(r, c3) >= r + 2
        cols: dict[str, int] = {}
        months: dict[str, int] = {}
        reasons: dict[int, str] = {}
        likely: dict[int, str] = {}
        used_sub = False
        hits: list[tuple[str, int, str]] = []
        cell_of: dict[int, tuple[int, int]] = {}
        month_of: dict[int, int] = {}
        for c in range(1, v.ncols + 1):
            top = v.value(r, c, vertical=False)
            sub = v.raw(r + 1, c) if two_rows and v.home(r + 1, c) == (r + 1, c) else None
            name, month = classify("指标列", top)
            if name in ("偏差原因", "偏差原因类别") and _key(sub) in categories:
                reasons[c] = categories[_key(sub)]
                used_sub = True
                continue
            if name == "完成可能性" and likelihood_of(sub):
                likely[c] = likelihood_of(sub)  # type: ignore[assignment]
                used_sub = True
                continue
            home, text = v.home(r, c), top
            if name is None and sub is not None:
                name, month = classify("指标列", sub)
                used_sub = used_sub or name is not None
                home, text = (r + 1, c), sub
            if name and home not in cell_of.values():  # a label merged across columns names its first one
                cell_of[c] = home
                hits.append((name, c, _label_key("指标列", text)))
                if month:
                    month_of[c] = month
        choice = _choose(hits, cols, months, month_of)
        if "三级指标" in cols and ({"完成可能性", "全年预计完成值"} & choice.named() or likely):
            return IndicatorHeader(r, r + 2 if used_sub or two_rows else r + 1, cols, months, reasons, likely,
                                   choice, cell_of)
    return None


def vocabulary_categories() -> tuple[str, ...]:
    from evaltool.kinds.monitor.rules import CATEGORIES

    return CATEGORIES


def _fund_header(v: View, before: int) -> tuple[int, dict[str, int], dict[str, int], WL.ColumnChoice] | None:
    for r in range(1, before):
        cols: dict[str, int] = {}
        months: dict[str, int] = {}
        hits: list[tuple[str, int, str]] = []
        month_of: dict[int, int] = {}
        for c in range(1, v.ncols + 1):
            if v.home(r, c) != (r, c):
                continue
            name, month = classify("资金列", v.raw(r, c))
            if name:
                hits.append((name, c, _label_key("资金列", v.raw(r, c))))
                if month:
                    month_of[c] = month
        choice = _choose(hits, cols, months, month_of)
        if cols and "执行数" in choice.named() and ({"全年预算数", "年初预算数"} & choice.named()):
            return r, cols, months, choice
    return None


def _fund_row_label(v: View, r: int, first_col: int) -> str | None:
    names = _section("资金行")
    for c in range(1, first_col):
        val = v.value(r, c, vertical=False)
        if isinstance(val, str):
            hit = names.get(WL.row_label_key(WL.norm(val)))
            if hit:
                return hit
    return None


# ---- reading -----------------------------------------------------------------------------------
# The template's footnote (template.FOOTNOTE) starts so: a sheet carrying it is our template.
TEMPLATE_NOTE = "注：1. 白色单元格由填报单位填写，浅灰色单元格（执行进度、时间进度、预警）由 evaltool 计算后填写"


def read_views(views: list[View], context: Any = None) -> list[Project]:
    """The 运行监控表s in a workbook's sheets; the run's rule set may add spellings (运行监控 → 标签)."""
    extra = _rule_labels(getattr(context, "rules", None))
    token = _EXTRA.set(extra) if extra else None
    try:
        return _read_views(views, context)
    finally:
        if token is not None:
            _EXTRA.reset(token)


def _rule_labels(ref: str | None) -> dict[str, dict[str, str]]:
    if not ref:
        return {}
    from evaltool.core.errors import InputError
    from evaltool.core.rules import load_rules

    try:
        rules = load_rules(ref)
    except InputError:
        return {}  # scoring reports the rule set's own problem
    section = rules.raw.get("运行监控")
    entries = section.get("标签") if isinstance(section, dict) else None
    return label_extension(entries, rules.source or str(ref)) if entries else {}


def _read_views(views: list[View], context: Any = None) -> list[Project]:
    keys = _detect_keys()
    out = []
    for v in views:
        if not any(k in v.labels for k in keys):
            continue  # one dict lookup per spelling: most sheets a consolidation reads stop here
        hdr = _indicator_header(v)
        if hdr is not None:
            p = _read(v, hdr)
            info = info_of(p)
            assert info is not None
            info.filled = set((getattr(context, "filled", None) or {}).get(v.sheet, {}))
            info.likely_ticked, info.reason_ticked = bool(hdr.likely_ticks), bool(hdr.reason_ticks)
            for key, loc in info.out.items():
                if loc.cell:
                    info.out_values[key] = v.value(*_rc(loc.cell), vertical=False)
            out.append(p)
    return out


def _rc(a1: str) -> tuple[int, int]:
    from evaltool.core.seam import parse_address

    return parse_address(a1)


def _read(v: View, hdr: IndicatorHeader) -> Project:
    p = Project(kind=KIND, sheet=v.sheet)
    info = MonitorInfo(sheet=v.sheet, header_row=hdr.row)
    p.extra[INFO_KEY] = info

    def keep(path: str, loc: Location) -> None:
        p.cells[path] = loc
        if loc.cell:
            info.inputs.append(loc.cell)

    field_names = _section("字段")
    stop = frozenset(field_names) | frozenset(_section("资金列")) | frozenset(_section("资金行"))
    top = range(1, hdr.row)
    found: dict[str, tuple[int, int]] = {}
    for rc, name in sorted((rc, std) for k, std in field_names.items() for rc in v.labels.get(k, ()) if rc[0] < hdr.row):
        found.setdefault(name, rc)  # the first (row by row) cell reading as the field's label
    for k, cells_at in v.labels.items():  # "1-7月目标实际完成情况", as our template writes it: the period is no part of the name
        month, rest = split_period(k) if k not in field_names else (None, k)
        name = field_names.get(_key(rest)) if month else None
        above = [rc for rc in cells_at if rc[0] < hdr.row]
        if name in GOAL_FIELDS and name not in found and above:
            found[name] = min(above)
    for name, (r, c) in found.items():
        value, loc = value_right(v, r, c, stop_keys=stop)
        if name in HEADER_FIELDS:
            setattr(p, HEADER_FIELDS[name], value)
            keep(name, loc)
        elif name == PERIOD_KEY:
            p.extra[PERIOD_KEY] = value
            keep(PERIOD_KEY, loc)
        elif name == "综合预警":
            info.out["综合预警"] = loc
        elif name in GOAL_FIELDS:
            if value is not None:
                p.extra.setdefault(GOALS_KEY, {})[name] = value
            keep(f"{GOALS_KEY}.{name}", loc)
    # A title such as "项目支出绩效运行监控表（2026年1-7月）" names the year and the period.
    for r in top:
        for c in range(1, v.ncols + 1):
            val = v.raw(r, c)
            if not isinstance(val, str) or v.home(r, c) != (r, c):
                continue
            if p.year is None and (m := re.search(r"((?:19|20)\d{2})\s*年", WL.norm(val))):
                p.year = int(m.group(1))
                keep("年度", v.loc(r, c))
            if (PERIOD_KEY not in p.extra and "月" in val and _key(val) not in field_names and period_month(val)
                    and classify("资金列", val)[0] is None):  # "1-7月执行数" is a column, read below
                p.extra[PERIOD_KEY] = val
                keep(PERIOD_KEY, v.loc(r, c))
    if isinstance(p.year, str) and (m := re.search(r"((?:19|20)\d{2})", WL.norm(p.year))):
        p.year = int(m.group(1))

    funds: dict[str, dict[str, Any]] = {}
    p.read_findings.extend(choice_findings(v, "绩效指标表", hdr.choice, hdr.cell_of))
    fh = _fund_header(v, hdr.row)
    if fh is not None:
        fr, fcols, fmonths, fchoice = fh
        p.read_findings.extend(choice_findings(v, "项目资金表", fchoice, {c: (fr, c) for c in range(1, v.ncols + 1)}))
        for name, month in fmonths.items():
            info.months.append((month, v.loc(fr, fcols[name])))
        first = min(fcols.values())
        from evaltool.kinds.selfeval.reader import money_units  # the 自评表's rule for a header saying 元

        units = money_units(v, p, fr, first, {n: c for n, c in fcols.items() if n in FUND_INPUTS}, "项目资金表")
        for r in range(v.below(fr, first), hdr.row):
            label = _fund_row_label(v, r, first)
            if label is None or label in funds:
                continue
            row: dict[str, Any] = {}
            for name in FUND_INPUTS:
                if name in fcols:
                    row[name] = amount_under(v.value(r, fcols[name], vertical=False), units.get(name))
                    keep(f"{FUNDS_KEY}.{label}.{name}", v.loc(r, fcols[name]))
            funds[label] = {k: x for k, x in row.items() if x is not None}
            if label == "年度资金总额":
                for name in FUND_OUTPUTS:
                    if name in fcols:
                        info.out["资金预警" if name == "预警" else name] = v.loc(r, fcols[name])
        p.cells[FUNDS_KEY] = v.loc(fr, first)
    p.extra[FUNDS_KEY] = funds

    for name, month in hdr.months.items():
        info.months.append((month, v.loc(hdr.row, hdr.cols[name])))
    rows: list[dict[str, Any]] = []
    end_keys = _end_keys()
    first_col = min([*hdr.cols.values(), *hdr.reason_ticks, *hdr.likely_ticks])
    for r in range(hdr.data, v.nrows + 1):
        texts = [v.key(r, c) for c in range(1, v.ncols + 1) if v.home(r, c) == (r, c)]
        lead = WL.norm(v.value(r, first_col, vertical=False))
        if any(t.startswith(k) for t in texts if t for k in end_keys) or lead.startswith(("注", "说明")):
            info.template = lead.startswith(WL.norm(TEMPLATE_NOTE))
            break
        if r in {rr for k in spellings("指标列", "三级指标") for rr, _ in v.labels.get(k, ())}:
            continue  # a header repeated on the next printed page
        item: dict[str, Any] = {}
        locs: dict[str, Location] = {}
        for name, c in hdr.cols.items():
            if name == "预警":
                continue
            item[name] = v.value(r, c) if name in ("一级指标", "二级指标") else v.value(r, c, vertical=False)
            locs[name] = v.loc(r, c)
        ticked = [(c, opt) for c, opt in hdr.likely_ticks.items() if is_tick(v.raw(r, c))]
        if hdr.likely_ticks:
            item["完成可能性"] = "、".join(opt for _, opt in ticked) or None
            locs["完成可能性"] = v.loc(r, ticked[0][0] if ticked else min(hdr.likely_ticks))
        if hdr.reason_ticks:
            cats, texts_ = [], []
            for c, cat in hdr.reason_ticks.items():
                val = v.raw(r, c)
                if val is None or (isinstance(val, str) and not val.strip()):
                    continue
                cats.append(cat)
                if not is_tick(val):
                    texts_.append(str(val).strip())
            item["偏差原因类别"] = "、".join(cats) or None
            if texts_ and not item.get("偏差原因"):
                item["偏差原因"] = "；".join(texts_)
            where = min(hdr.reason_ticks)
            locs.setdefault("偏差原因类别", v.loc(r, where))
            locs.setdefault("偏差原因", v.loc(r, where))
        if all(item.get(k) in (None, "") for k in ("三级指标", "年度指标值", "实际完成值", "全年预计完成值",
                                                     "完成可能性", "偏差原因", "纠偏措施")):
            continue
        rows.append({k: x for k, x in item.items() if x is not None})
        n = len(rows)
        for name, loc in locs.items():
            keep(f"{ROWS_KEY}[{n}].{name}", loc)
        if "预警" in hdr.cols:
            info.out[f"预警[{n}]"] = v.loc(r, hdr.cols["预警"])
    p.extra[ROWS_KEY] = rows
    p.cells[ROWS_KEY] = v.loc(hdr.row, hdr.cols["三级指标"])
    return p


def where_default(p: Project, path: str) -> Location:
    """A finding's place: the cell of path, else the block's header cell, else the path itself."""
    if path in p.cells:
        return p.cells[path]
    block = path.split(".")[0].split("[")[0]
    loc = p.cells.get(block)
    if loc is not None and loc.cell:
        return Location(sheet=loc.sheet, cell=loc.cell, path=path)
    return Location(sheet=p.sheet, path=path)
