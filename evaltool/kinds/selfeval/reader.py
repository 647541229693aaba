"""Views -> 自评表 projects: finds every block of a 自评表 (header fields, 项目资金, 年度总体目标, the
绩效指标 table) by its labels, never by fixed addresses. Pure (no spreadsheet library); the View and
the shared sheets are workbook/reader.py's."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from evaltool.core import values
from evaltool.core.decimals import fmt, to_decimal
from evaltool.core.model import (FUND_COLUMN_ATTR, INDICATOR_ATTR, UNREADABLE_PREFIX, Finding, FundRow, Indicator,
                                 Location, Project)
from evaltool.core.seam import address
from evaltool.workbook import layout as L
from evaltool.workbook.reader import (LAYOUT_KEY, ReadContext, SheetInfo, View, cached_label_key, known_keys,
                                      same_value, sheet_info, value_right)


# ---- finding forms --------------------------------------------------------------------------------
@dataclass
class Header:
    """A 绩效指标 table header: one row, or two (a group label such as 年度指标值 over 指标性质/指标值/度量单位,
    or a label split over two cells); its columns by standard name, whatever their order."""

    row: int  # first header row
    last: int  # last header row: the table's rows start below it
    cols: dict[str, int]  # standard column name -> column
    parts: dict[str, int]  # 指标性质 / 度量单位 -> column (a target split over several columns)
    cells: dict[str, tuple[int, int]]  # standard name -> the header cell naming it
    ignored: list[tuple[int, int]]  # header cells evaltool does not read (指标解释, 备注, 序号, …)
    # standard name -> header cells that name it equally (read from none of them), and -> cells passed
    # over for the one written as the standard name itself (L.ColumnChoice)
    ambiguous: dict[str, list[tuple[int, int]]]
    passed: dict[str, list[tuple[int, int]]]


_NEEDED_COLUMNS = ("一级指标", "三级指标", "年度指标值", "实际完成值", "分值")


_SUPPORT_COLUMNS = frozenset({"一级指标", "二级指标", "年度指标值", "实际完成值", "分值", "得分"})


def _keys_for(vocab: L.Vocabulary, section: str, name: str) -> frozenset[str]:
    return vocab.keys_of(section, name)


_CANDIDATE_COLUMNS = ("三级指标", "一级指标", "二级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")


def _header_candidates(v: View) -> list[int]:
    """Rows that can hold (half of) the 绩效指标 header, from the label index: every header names 三级指标,
    and one split over two rows names some column whole in one of its rows."""
    rows = {r for key in _keys_for(v.vocab, "指标列", "三级指标") for r, _ in v.labels.get(key, ())}
    if not rows:  # 三级指标 itself split over two rows ("三级" / "指标"): the rows naming other columns
        keys = frozenset().union(*(_keys_for(v.vocab, "指标列", n) for n in _CANDIDATE_COLUMNS))
        rows = {r for key in keys for r, _ in v.labels.get(key, ())}
    return sorted(rows)


def _indicator_header(v: View, r: int) -> Header | None:
    if v.header_candidates is None:
        v.header_candidates = frozenset(_header_candidates(v))
    if r not in v.header_candidates:
        return None
    if r not in v.header_rows:
        v.header_rows[r] = _find_indicator_header(v, r)
    return v.header_rows[r]


def _classify(vocab: L.Vocabulary, text: Any) -> tuple[str, str] | None:
    """("col", name) or ("part", name) for a header text the table reads, else None."""
    if not isinstance(text, str):
        return None
    name = vocab.indicator_column(text)
    if name:
        return "col", name
    name = vocab.target_part(text)
    return ("part", name) if name else None


def _header_row_cells(v: View, r: int) -> dict[int, Any]:
    """{column: value} of the filled cells that start in row r (a cell merged down from above is not
    r's). Asked several times per candidate row: remembered per View."""
    hit = v.row_cells.get(r)
    if hit is None:
        row = v.cells[r - 1] if 0 < r <= len(v.cells) else ()
        under = v.under.get(r) or {}
        hit = v.row_cells[r] = {c: val for c, val in enumerate(row, start=1) if val is not None and c not in under}
    return hit


def _continues(v: View, upper: int, lower: int, check: int) -> bool:
    """Row `check` (upper or lower) completes the two-row header of rows upper/lower: each of its cells is a
    column label, alone or read together with the cell of the other row ("年度" over "指标值"), and it is
    no data row."""
    cells = _header_row_cells(v, check)
    if not cells:
        return False
    vocab = v.vocab
    for c, val in cells.items():
        if not isinstance(val, str):
            return False
        if _classify(vocab, val) or vocab.block(val) == "绩效指标":
            continue
        other = v.value(lower if check == upper else upper, c, vertical=False)
        if isinstance(other, str) and _classify(vocab, val + other if check == upper else other + val):
            continue
        return False
    return True


def _find_indicator_header(v: View, r: int) -> Header | None:
    top, bottom = r, None
    if r + 1 <= v.nrows and _continues(v, r, r + 1, r + 1):
        bottom = r + 1
    elif r > 1 and _continues(v, r - 1, r, r - 1):
        top, bottom = r - 1, r
    vocab = v.vocab
    cols: dict[str, int] = {}
    parts: dict[str, int] = {}
    cells: dict[str, tuple[int, int]] = {}
    used: set[tuple[int, int]] = set()
    texts: dict[tuple[int, int], Any] = {}
    hits: list[tuple[str, str, int, tuple[int, int], str]] = []  # (col|part, name, column, header cell, key)
    seen: dict[tuple[int, int], int] = {}
    # Only columns with a header cell in either row (or under a group label merged across the top row).
    columns = set(_header_row_cells(v, top))
    for c in list(columns):
        span = v.span.get((top, c))
        if span:
            columns.update(range(span[1], span[3] + 1))
    if bottom is not None:
        columns.update(_header_row_cells(v, bottom))
    for c in sorted(columns):
        th = v.home(top, c)
        t = v.raw(*th) if th[0] == top else None  # a horizontally merged group gives its text to each column
        if t is not None and th == (top, c):
            texts[th] = t
        b: Any = None
        bh = th  # the bottom cell's home, read only where b holds its text
        if bottom is not None:
            bh = v.home(bottom, c)
            if bh == (bottom, c):
                b = v.raw(bottom, c)
                if b is not None:
                    texts[bh] = b
        options: list[tuple[Any, tuple[tuple[int, int], ...]]] = []
        if isinstance(t, str) and isinstance(b, str):
            options.append((t + b, (th, bh)))
        if b is not None:
            options.append((b, (bh,)))
        if t is not None and (b is None or th == (top, c)) and not (bottom is not None and b is None and th != (top, c)):
            options.append((t, (th,)))
        for text, homes in options:
            hit = _classify(vocab, text)
            if hit is None:
                continue
            kind, name = hit
            used.update(homes)
            if homes[-1] not in seen:  # else the same label again (a merged cell's other columns)
                seen[homes[-1]] = c
                hits.append((kind, name, c, homes[-1], L.label_key(text)))
            break
    ambiguous: dict[str, list[tuple[int, int]]] = {}
    passed: dict[str, list[tuple[int, int]]] = {}
    for kind, target in (("col", cols), ("part", parts)):
        home_of = {c: home for k, _, c, home, _ in hits if k == kind}
        choice = L.ColumnChoice((name, c, key) for k, name, c, _, key in hits if k == kind)
        for name, c in choice.cols.items():
            target[name] = c
            cells[name] = home_of[c]
        ambiguous.update({n: [home_of[c] for c in cs] for n, cs in choice.ambiguous.items()})
        passed.update({n: [home_of[c] for c in cs] for n, cs in choice.passed.items()})
    # 三级指标 and a target or an actual: an evaluation scoring table (评分表: 一级/分值/三级/得分) is no 自评表.
    named = cols.keys() | ambiguous.keys()
    if "三级指标" not in cols or not ({"年度指标值", "实际完成值"} & named) or len(_SUPPORT_COLUMNS & named) < 2:
        return None
    ignored = [rc for rc, val in sorted(texts.items(), key=lambda x: (x[0][1], x[0][0]))
               if rc not in used and not _classify(vocab, val) and vocab.block(val) is None]
    return Header(row=top, last=bottom if bottom is not None else top, cols=cols, parts=parts, cells=cells,
                  ignored=ignored, ambiguous=ambiguous, passed=passed)


_VERTICAL_KEYS = frozenset({"一级指标", "二级指标"})  # columns whose merged cells span rows


STOP_LABELS = (L.L_TOTAL, "合计", "总计", L.L_GRADE, "等次", "评价等级", L.L_SUBTOTALS, L.TITLE, L.L_NAME)


STOP_KEYS = frozenset(L.label_key(s) for s in STOP_LABELS)  # one set lookup per cell, not nine matches


def _stop_keys(vocab: L.Vocabulary) -> frozenset[str]:
    """Labels that end a 绩效指标 table: 总分 / 等次 / 得分小计 rows, a next form's title or 项目名称."""
    cache = vocab.__dict__.setdefault("_reader_keys", {})
    hit = cache.get("stop")
    if hit is None:
        hit = cache["stop"] = STOP_KEYS.union(*(vocab.block_keys(b) for b in ("总分", "评价等次", "得分小计", "项目名称")))
    return hit


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


def _form_regions(v: View) -> list[tuple[int, Header, int]]:
    """(top, header, last_row) for each 绩效指标 table; a sheet may hold several forms.
    A header repeated inside a table (printed on each page) does not start a new form."""
    headers: list[Header] = []
    for r in _header_candidates(v):
        hdr = _indicator_header(v, r)
        if hdr is not None and not (headers and hdr.row <= headers[-1].last):  # found from its other row too
            headers.append(hdr)
    for hdr in headers:
        v.continuations.update(range(hdr.row, hdr.last + 1))
    regions: list[list[Any]] = []
    for hdr in headers:
        start = 1
        if regions:
            lo = regions[-1][1].last + 1
            start = next((r for r in range(lo, hdr.row) if v.find(L.TITLE, range(r, r + 1))
                          or v.find_block("项目名称", range(r, r + 1))), 0)
            if not start:
                continue  # a repeated header: the table goes on
            regions[-1][2] = start - 1
        regions.append([start, hdr, v.nrows])
    return [tuple(x) for x in regions]  # type: ignore[misc]


def _unread(p: Project, code: str, message: str, field_name: str, loc: Location) -> None:
    p.read_findings.append(Finding(UNREADABLE_PREFIX + code, "error", message, field_name, loc))


def _note(p: Project, code: str, message: str, field_name: str, loc: Location, severity: str = "info") -> None:
    p.read_findings.append(Finding(code, severity, message, field_name, loc))


def _quoted(names) -> str:
    return "".join(f"“{n}”" for n in names)


def _cells_quoted(v: View, r: int, cols) -> str:
    """'“年初目标值”（E12）和“调整后目标值”（F12）' for header cells of row r."""
    return "和".join(f"“{v.text(r, c)}”（{address(r, c)}）" for c in cols)


def _passed_text(table: str, v: View, losers: list[tuple[int, int]], winner: tuple[int, int], name: str) -> str:
    lost = "和".join(f"“{v.text(*rc)}”（{address(*rc)}）" for rc in losers)
    return (f"{table}的{lost}与“{v.text(*winner)}”（{address(*winner)}）都可读作“{name}”：evaltool 按"
            f"“{v.text(*winner)}”列计算，{lost}列未读取。")


def _read_form(v: View, top: int, hdr: Header | None, end: int) -> Project:
    p = Project(sheet=v.sheet)
    info = SheetInfo(sheet=v.sheet, template=False)
    p.extra[LAYOUT_KEY] = info

    def keep(name: str, value: Any, loc: Location, target: dict[str, Location]) -> Any:
        target[name] = loc
        if loc.cell:
            info.inputs.add(loc.cell)
        return value

    h = hdr.row if hdr else end + 1
    head_rows = range(top, h)
    region = range(top, end + 1)  # blocks may have been moved below the table
    known = _known_keys_of(v.vocab)
    # Header fields.
    for label, attr in ((L.L_NAME, "name"), (L.L_DEPT, "department"), (L.L_UNIT, "unit")):
        hit = v.find_block(label, region)
        if hit:
            val, loc = value_right(v, *hit, stop_keys=known)
            setattr(p, attr, keep(label, val, loc, p.cells))
    # Year: a 年度 label, else a cell near the title such as 2023 or "（2023年度）".
    hit = v.find_block(L.L_YEAR, head_rows)
    if hit:
        val, loc = value_right(v, *hit, stop_keys=known)
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
    _read_funds(v, p, info, region, top)
    _read_goals(v, p, region)
    if hdr is not None:
        _read_indicators(v, p, info, hdr, end)
    else:
        _unread(p, "INDICATORS", "没有找到“绩效指标”表（表头应有" + _quoted(("一级指标", "二级指标", "三级指标", "年度指标值",
                "实际完成值", "分值", "得分")) + "等列）；各指标无法计分。请按自评表样式补上绩效指标表，"
                "或用 evaltool new 生成标准模板后填写。", "绩效指标", Location(sheet=v.sheet, cell=address(top, 1)))
    return p


def _known_keys_of(vocab: L.Vocabulary) -> frozenset[str]:
    cache = vocab.__dict__.setdefault("_reader_keys", {})
    hit = cache.get("known")
    if hit is None:
        hit = cache["known"] = known_keys(vocab)
    return hit


_AMOUNT_COLUMNS = ("年初预算数", "全年预算数", "全年执行数")


def _fund_header_rows(v: View) -> list[int]:
    """Rows naming an amount or 执行率 column (from the label index): only these can head 项目资金."""
    if v.fund_rows is None:
        keys = frozenset().union(*(v.vocab.keys_of("资金列", n) for n in (*_AMOUNT_COLUMNS, "执行率")))
        v.fund_rows = sorted({r for key in keys for r, _ in v.labels.get(key, ())})
    return v.fund_rows


def _fund_header(v: View, rows: range) -> tuple[int, L.ColumnChoice] | None:
    vocab = v.vocab
    for r in _fund_header_rows(v):
        if r not in rows:
            continue
        hits = []
        for c, val in _header_row_cells(v, r).items():
            key = vocab.fund_column(val) if isinstance(val, str) else None
            if key:
                hits.append((key, c, L.label_key(val)))
        # 执行率（B/A）: a header marked (A) is the denominator, one marked (B) the numerator.
        choice = L.ColumnChoice(hits, lambda name, c: _fund_marked(name, v.raw(r, c)))
        named = choice.named()
        amounts = sum(k in named for k in _AMOUNT_COLUMNS)
        if amounts >= 2 or (amounts == 1 and "执行率" in named):
            return r, choice
    return None


def _fund_marked(name: str, text: Any) -> bool:
    return (name == "全年预算数" and L.is_denominator(text)) or (name == "全年执行数" and "(b)" in L.norm(text).lower())


def _number(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, str):
        return to_decimal(L.norm(value)) if L.norm(value) else None
    return to_decimal(value)


def _read_funds(v: View, p: Project, info: SheetInfo, rows: range, top: int) -> None:
    vocab = v.vocab
    header = _fund_header(v, rows)
    if header is None:
        total_spelling = vocab.spellings("资金行", "年度资金总额")
        hit = next((rc for rc in sorted(rc for key, name in vocab.keys["资金行"].items() if name == "年度资金总额"
                                        for rc in v.labels.get(key, ()))
                    if rc[0] in rows and vocab.block(v.raw(*rc)) != "总分"), None)
        if hit:
            _unread(p, "FUNDS", f"找到“{v.text(*hit)}”行（{address(*hit)}），但没有找到项目资金表的表头（应有"
                    f"{vocab.spellings('资金列', '全年预算数', 2)}和{vocab.spellings('资金列', '全年执行数', 2)}列）；"
                    "执行率无法计算。请在该行上方加上这些列标题。", "项目资金", v.loc(*hit))
        else:
            _unread(p, "FUNDS", f"没有找到“项目资金”表（应有{total_spelling}行和“全年预算数”“全年执行数”列）；"
                    "执行率无法计算。请按自评表样式补上项目资金表。", "项目资金", Location(sheet=v.sheet, cell=address(top, 1)))
        return
    hr, choice = header
    keys = choice.cols
    if "自评得分" in keys:
        info.template = True
    found = [v.text(hr, keys[k]) for k in _AMOUNT_COLUMNS if k in keys]
    header_cols = sorted({*keys.values(), *(c for cs in choice.ambiguous.values() for c in cs)})
    for name, cs in choice.ambiguous.items():
        code = {"全年预算数": "BUDGET", "全年执行数": "ACTUAL"}.get(name, "COLUMN")
        _unread(p, code, f"项目资金表有 {len(cs)} 列都读作“{name}”：{_cells_quoted(v, hr, cs)}，evaltool 不知道按哪一列"
                f"计算{'执行率' if code != 'COLUMN' else ''}，没有读取这几列。请删去不用的列，或把要用的一列的表头改为"
                f"“{name}”。", name, v.loc(hr, cs[0]))
    for name, cs in choice.passed.items():
        _note(p, "I-COLUMN-IGNORED", _passed_text("项目资金表", v, [(hr, c) for c in cs], (hr, keys[name]), name),
              name, v.loc(hr, cs[0]))
    budget_col = keys.get("全年预算数")
    if budget_col is None and "全年预算数" not in choice.ambiguous:
        a_col = next((c for c in sorted(keys.values()) if L.is_denominator(v.raw(hr, c))), None)
        if a_col is not None and a_col != keys.get("全年执行数"):
            budget_col = a_col
            _note(p, "I-FUND-A", f"项目资金表没有“全年预算数”列：按表头所写，以“{v.text(hr, a_col)}”列作为执行率的分母"
                  f"（A），执行率 = “{v.text(hr, keys['全年执行数']) if '全年执行数' in keys else '全年执行数'}” ÷ "
                  f"“{v.text(hr, a_col)}”。", "全年预算数", v.loc(hr, a_col))
        else:
            _unread(p, "BUDGET", f"找到{_quoted(found)}列，但没有“全年预算数”列"
                    f"{vocab.spellings('资金列', '全年预算数', 3)[len('“全年预算数”'):]}；执行率无法计算。"
                    "请在项目资金表中加上“全年预算数（A）”列并填写。", "全年预算数", v.loc(hr, header_cols[0]))
    if "全年执行数" not in keys and "全年执行数" not in choice.ambiguous:
        _unread(p, "ACTUAL", f"找到{_quoted(found)}列，但没有“全年执行数”列"
                f"{vocab.spellings('资金列', '全年执行数', 3)[len('“全年执行数”'):]}；执行率无法计算。"
                "请在项目资金表中加上“全年执行数（B）”列并填写。", "全年执行数", v.loc(hr, header_cols[0]))
    columns = {k: c for k, c in keys.items() if k in FUND_COLUMN_ATTR}
    if budget_col is not None:
        columns["全年预算数"] = budget_col
        if keys.get("年初预算数") == budget_col:
            del columns["年初预算数"]
    first_data = header_cols[0]
    extra = [c for c, val in _header_row_cells(v, hr).items()
             if c > first_data and c not in header_cols and vocab.block(val) is None
             and not any(c in cs for cs in choice.passed.values())]
    if extra:
        _note(p, "I-COLUMN-IGNORED", f"项目资金表的{_quoted(v.text(hr, c) for c in extra)}列不参与计分，evaltool 未读取。",
              "项目资金", v.loc(hr, extra[0]))
    units = money_units(v, p, hr, first_data, columns, "项目资金表")
    # Rows under the header, up to the next block (年度总体目标, 绩效指标, …).
    stop = v.block_rows("年度总体目标") | v.block_rows("绩效指标") | v.block_rows("预期目标") | v.continuations
    by_label: dict[str, list[int]] = {}
    for r in range(hr + 1, min(hr + 12, rows.stop)):
        if r in stop:
            break
        for c in range(1, first_data):
            label = vocab.fund_row(v.value(r, c, vertical=False))
            if label:
                by_label.setdefault(label, []).append(r)
                break
    for label, rs in by_label.items():
        r = rs[0]
        fr = FundRow(label=label)
        for key, c in columns.items():
            loc = v.loc(r, c)
            fr.cells[key] = loc
            info.inputs.add(loc.cell or "")
            setattr(fr, FUND_COLUMN_ATTR[key], values.amount_under(v.value(r, c, vertical=False), units.get(key)))
        if len(rs) > 1:
            _merge_fund_rows(v, p, fr, rs, columns, first_data, units)
        p.funds[label] = fr
    total_rows = by_label.get("年度资金总额")
    if not total_rows:
        total_spelling = vocab.spellings("资金行", "年度资金总额")
        _unread(p, "FUNDS", f"找到项目资金表的表头（第 {hr} 行：{_quoted(found)}），但表头下没有{total_spelling}行；"
                "执行率无法计算。请在表头下第一行写“年度资金总额”并填写金额。", "年度资金总额", v.loc(hr + 1, 1))
        return
    r = total_rows[0]
    if "分值" in keys:
        loc = v.loc(r, keys["分值"])
        p.cells["分值"] = loc
        info.inputs.add(loc.cell or "")
        p.fund_weight = v.value(r, keys["分值"], vertical=False)
    for key, name in (("执行率", "执行率"), ("得分", "执行率得分")):
        if key in keys:
            info.out[name] = v.loc(r, keys[key])
            info.out_values[name] = v.value(r, keys[key], vertical=False)
    fr = p.funds["年度资金总额"]
    if "自评得分" in keys:
        loc = v.loc(r, keys["自评得分"])
        fr.cells["得分"] = loc
        info.inputs.add(loc.cell or "")
        fr.entered_score = v.value(r, keys["自评得分"], vertical=False)
    elif "得分" in keys:
        fr.cells["得分"] = info.out["执行率得分"]
        fr.entered_score = info.out_values["执行率得分"]


_RATE_TEXT = {"元": "10000 元 = 1 万元", "千元": "10 千元 = 1 万元", "亿元": "1 亿元 = 10000 万元"}
MONEY_UNITS_KEY = "_money_units"  # Project.extra: {fund column: money unit its header states}, when not 万元


def money_units(v: View, p: Project, hr: int, first_data: int, columns: dict[str, int], table: str) -> dict[str, str]:
    """{amount column: 元 / 千元 / 亿元} when a fund table's header states a unit other than 万元 (its column
    header “全年预算数（元）”, else the block label “项目资金（元）” or a “单位：元” line just above): the amounts
    are read in that unit and scored in 万元, said once per header cell in I-MONEY-UNIT. Label matching
    drops these notes, so without this 2000000 元 would be read as 2000000 万元 (SWEEP S30)."""
    block: tuple[str, tuple[int, int]] | None = None
    for r in range(max(1, hr - 2), hr + 1):
        for c in range(1, (first_data if r == hr else v.ncols + 1)):
            unit = L.money_unit(v.raw(r, c)) if v.home(r, c) == (r, c) else None
            if unit:
                block = (unit, (r, c))
    out: dict[str, str] = {}
    said: dict[tuple[int, int], list[str]] = {}
    for key, c in columns.items():
        hit = L.money_unit(v.raw(*v.home(hr, c)))
        unit, cell = (hit, v.home(hr, c)) if hit else block or (None, (hr, c))
        if unit and unit != "万元":
            out[key] = unit
            said.setdefault(cell, []).append(key)
    by_unit: dict[str, list[tuple[int, int]]] = {}
    for cell, keys in said.items():
        by_unit.setdefault(out[keys[0]], []).append(cell)
    for unit, cells in by_unit.items():
        keys = [k for cell in cells for k in said[cell]]
        _note(p, "I-MONEY-UNIT", f"{table}的金额单位是{unit}（{'、'.join(f'{address(*rc)}“{v.text(*rc)}”' for rc in cells)}）："
              f"evaltool 按万元计算和汇总，{'、'.join(keys)}读取时已换算为万元（{_RATE_TEXT[unit]}）；表中填写的数字不变。",
              keys[0], v.loc(*cells[0]))
    if out:
        p.extra[MONEY_UNITS_KEY] = out
    return out


def _merge_fund_rows(v: View, p: Project, fr: FundRow, rs: list[int], columns: dict[str, int], first_data: int,
                     units: dict[str, str]) -> None:
    """Several rows that are one row of the national form (四川：财政专户管理资金、单位资金、其他资金 are all 其他资金):
    their amounts are added, so the total-vs-parts check still holds; if one is no number, the first row is used."""
    names = [next((v.text(r, c) for c in range(1, first_data) if v.vocab.fund_row(v.value(r, c, vertical=False))), "")
             for r in rs]
    summed: dict[str, Decimal | None] = {}
    for key, c in columns.items():
        vals = [values.amount_under(v.value(r, c, vertical=False), units.get(key)) for r in rs]
        nums = [_number(x) for x in vals]
        if any(x is not None and n is None for x, n in zip(vals, nums)):
            _note(p, "W-FUND-ROWS", f"{_quoted(names)}几行都算作“{fr.label}”，但其中有一行的{key}不是数字，"
                  f"只按“{names[0]}”一行核对。", key, v.loc(rs[0], c), "warning")
            return
        summed[key] = sum((n for n in nums if n is not None), Decimal(0)) if any(n is not None for n in nums) else None
    for key, total in summed.items():
        setattr(fr, FUND_COLUMN_ATTR[key], total)
    _note(p, "I-FUND-ROWS", f"{_quoted(names)}几行都算作“{fr.label}”，核对各行之和时按它们的合计"
          f"（{'，'.join(f'{k} {fmt(s)}' for k, s in summed.items() if s is not None)}）计。", fr.label, v.loc(rs[0], 1))


def _read_goals(v: View, p: Project, rows: range) -> None:
    stop_keys = _stop_keys(v.vocab) | v.vocab.block_keys("绩效指标") | v.vocab.block_keys("项目资金") \
        | {L.label_key(L.L_FUNDS)}
    fund_rows: set[int] | None = None
    for label, attr in ((L.L_GOAL_EXPECTED, "goal_expected"), (L.L_GOAL_ACTUAL, "goal_actual")):
        hit = v.find_block(label, rows)
        if not hit:
            continue
        r, c = hit
        # The text sits under its label (several rows may hold it in a hand-typed form).
        first = v.below(r, c)
        texts: list[str] = []
        loc = Location(sheet=v.sheet, cell=address(*v.home(first, c)))
        stops = v.rows_with(stop_keys, range(1, c + 1))
        if fund_rows is None:  # the same for both labels
            fund_rows = {r for r in _fund_header_rows(v) if _fund_header(v, range(r, r + 1))}
        for rr in range(first, rows.stop):
            if rr in stops or rr in v.continuations or _indicator_header(v, rr) or rr in fund_rows:
                break
            val = v.value(rr, c)
            if val is not None and v.home(rr, c)[0] == rr:
                if not texts:
                    loc = v.loc(rr, c)
                texts.append(str(val).strip())
        p.cells[label] = loc
        setattr(p, attr, "\n".join(texts) if texts else None)
    if L.L_GOAL_EXPECTED not in p.cells and L.L_GOAL_ACTUAL not in p.cells:  # one text beside 年度总体目标
        hit = v.find_block(L.L_GOALS, rows)
        if hit:
            val, loc = value_right(v, *hit, stop_keys=_known_keys_of(v.vocab))
            p.goal_expected = val
            p.cells[L.L_GOAL_EXPECTED] = loc


_PLACEHOLDER = re.compile(r"(指标\d*|[….。·、]+|\d+)")  # template rows left as printed: "指标2", "……"


def _target_text(vocab: L.Vocabulary, direction: Any, value: Any, unit: Any) -> Any:
    """指标性质 / 指标值 / 度量单位 as one target ("≥", 100, "%" -> "≥100%"; 定性 -> the value's words)."""
    sign = vocab.direction(direction) if direction is not None else None
    if sign is None and isinstance(direction, str) and direction.strip():
        sign = direction.strip()  # a sign the vocabulary does not list: the core's parser decides
    if value is None:
        return None if sign in (None, "定性") else None
    if sign == "定性":
        return value
    if isinstance(value, float) and hasattr(value, "text"):  # seam.Percent: 0.95 shown as 95%, as the clerk sees it
        text = value.text
    else:
        num = _number(value) if not isinstance(value, (bool, str)) else None
        text = format(num.normalize(), "f") if num is not None else str(value).strip()
    u = str(unit).strip() if unit is not None else ""
    if u and L.norm(text).endswith(L.norm(u)):
        u = ""  # the unit typed in both columns
    return f"{sign or ''}{text}{u}"


def _read_indicators(v: View, p: Project, info: SheetInfo, hdr: Header, end: int) -> None:
    vocab = v.vocab
    cols = hdr.cols
    h = hdr.last
    if "自评得分" in cols:
        info.template = True
    where = Location(sheet=v.sheet, cell=address(*hdr.cells["三级指标"]))
    found = [n for n in ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分") if n in cols]
    found_text = _quoted(v.text(*hdr.cells[n]) for n in found)
    for name, homes in hdr.ambiguous.items():
        code = "WEIGHT" if name == "分值" else "COLUMN"
        _unread(p, code, f"绩效指标表有 {len(homes)} 列都读作“{name}”："
                f"{'和'.join(f'“{v.text(*rc)}”（{address(*rc)}）' for rc in homes)}，evaltool 不知道按哪一列计分，"
                f"没有读取这几列；各指标无法计分。请删去不用的列，或把要计分的一列的表头改为“{name}”。", name, v.loc(*homes[0]))
    for name, homes in hdr.passed.items():
        _note(p, "I-COLUMN-IGNORED", _passed_text("绩效指标表", v, homes, hdr.cells[name], name), name, v.loc(*homes[0]))
    for name in _NEEDED_COLUMNS:
        if name in cols or name in hdr.ambiguous:
            continue
        code, why = ("WEIGHT", "各指标无法计分") if name == "分值" else ("COLUMN", "各指标无法计分")
        if name == "一级指标":
            why = "无法按一级指标汇总得分"
        also = vocab.spellings("指标列", name, 3)[len(name) + 2:]
        _unread(p, code, f"找到{found_text}列，但没有“{name}”列{also}；{why}。"
                f"请在绩效指标表中加上“{name}”列并填写。", name, where)
    if hdr.parts:
        _note(p, "I-TARGET-SPLIT", f"年度指标值分{_quoted(v.text(*hdr.cells[n]) for n in ('指标性质', '年度指标值', '度量单位') if n in hdr.cells)}"
              "几列填写：evaltool 把同一行的这几列合起来作为年度指标值（如“≥”“100”“%”读作“≥100%”）。",
              "年度指标值", Location(sheet=v.sheet, cell=address(*hdr.cells.get("年度指标值", hdr.cells["三级指标"]))))
    if hdr.ignored:
        _note(p, "I-COLUMN-IGNORED", f"绩效指标表的{_quoted(v.text(*rc) for rc in hdr.ignored)}列不参与计分，evaltool 未读取。",
              "绩效指标", v.loc(*hdr.ignored[0]))
    label_cols = range(1, (cols.get("三级指标") or 4) + 1)
    info.table = Location(sheet=v.sheet, cell=address(*v.home(h + 1, cols["三级指标"])))
    prev: Indicator | None = None
    r = h + 1
    # Rows where the table ends: a 项目资金 / 年度总体目标 / 预期目标 label, 总分 / 等次 / a next form's title.
    block_rows = v.block_rows("项目资金") | {r for r, _ in v.labels.get(cached_label_key(L.L_FUNDS), ())}
    block_rows |= v.block_rows("年度总体目标", label_cols) | v.block_rows("预期目标", label_cols)
    block_rows |= v.rows_with(_stop_keys(vocab), label_cols)
    # Per row, columns read as (cols key, Indicator attribute, column); hoisted out of the loop,
    # which runs for every indicator of every file a bureau consolidates.
    col_items = list(cols.items()) + [("__" + k, c) for k, c in hdr.parts.items()]
    typed_cols = [(k, a, cols[k]) for k, a in INDICATOR_ATTR.items()  # 一级/二级 and 得分 have rules of their own
                  if k in cols and a not in ("level1", "level2", "entered_score")]
    level_cols = [(k, a, cols[k]) for k, a in INDICATOR_ATTR.items() if k in cols and a in ("level1", "level2")]
    content_keys = [k for k in ("三级指标", "年度指标值", "实际完成值", "分值", "自评得分", "偏差原因分析及改进措施")
                    if k in cols]
    value_keys = [k for k in ("年度指标值", "实际完成值", "分值", "自评得分", "__指标性质", "__度量单位")
                  if k in cols or k[2:] in hdr.parts]
    score_col, self_col = cols.get("得分"), cols.get("自评得分")
    split = bool(hdr.parts)
    # The cells each row gives its Indicator, in one row_locs call: typed columns, 一级/二级, the
    # split target's parts, then 得分 (computed) and 自评得分.
    loc_cols = [c for _, _, c in typed_cols] + [c for _, _, c in level_cols] + list(hdr.parts.values())
    n_typed, n_level = len(typed_cols), len(level_cols)
    parts_at = slice(n_typed + n_level, len(loc_cols))
    if score_col is not None:
        loc_cols.append(score_col)
    if self_col is not None:
        loc_cols.append(self_col)
    typed_keys = [(key, attr) for key, attr, _ in typed_cols]
    split_target = "年度指标值" not in cols and "指标性质" in hdr.parts
    inputs, row_locs, repeated = info.inputs, v.row_locs, v.continuations
    out_locs, out_values, indicators = info.indicator_out, info.indicator_out_values, p.indicators
    template = info.template
    while r <= end:
        if r in block_rows:
            break
        if r in repeated:  # the header repeated on a later page
            r += 1
            continue
        row = v.row_values(r, col_items, _VERTICAL_KEYS)
        score_typed = score_col is not None and not template and row.get("得分") is not None
        if not score_typed and all(row[k] is None for k in content_keys):
            r += 1
            continue
        if row.get("分值") is None and not score_typed and all(row[k] is None for k in value_keys) \
                and isinstance(row.get("三级指标"), str) and _PLACEHOLDER.fullmatch(L.norm(row["三级指标"])):
            r += 1  # a template row never filled in ("指标2", "……")
            continue
        locs = row_locs(r, loc_cols)
        cells: dict[str, Location] = {}
        ind = Indicator(cells=cells)
        i = 0
        for key, attr in typed_keys:
            loc = cells[key] = locs[i]
            i += 1
            inputs.add(loc.cell or "")
            setattr(ind, attr, row[key])
        if split:
            ind.target = _target_text(vocab, row.get("__指标性质"), row.get("年度指标值"), row.get("__度量单位"))
            for loc in locs[parts_at]:
                inputs.add(loc.cell or "")
            if split_target:
                cells["年度指标值"] = locs[n_typed + n_level + list(hdr.parts).index("指标性质")]
        # 一级/二级: merged cells give their value to every row; an unmerged blank row inherits from
        # the row above (rows inserted inside a block, or a re-save that split the merge).
        l1_inherited = False
        for key, attr, c in level_cols:
            val, loc = row[key], locs[i]
            i += 1
            if val is None and prev is not None and (key == "一级指标" or l1_inherited or
                                                     L.norm(ind.level1) == L.norm(prev.level1)):
                val, loc = getattr(prev, attr), prev.cells.get(key, loc)
                if key == "一级指标":
                    l1_inherited = True
            cells[key] = loc
            inputs.add(loc.cell or "")
            setattr(ind, attr, val)
        i = parts_at.stop
        out_loc = None
        if score_col is not None:
            out_loc = locs[i]
            i += 1
        if self_col is not None:
            loc = cells["得分"] = locs[i]
            inputs.add(loc.cell or "")
            ind.entered_score = row["自评得分"]
        elif out_loc is not None:
            cells["得分"] = out_loc
            ind.entered_score = row["得分"]
        out_locs.append(out_loc)
        out_values.append(row.get("得分"))
        indicators.append(ind)
        prev = ind
        r += 1
    # 总分 / 等次 / 得分小计 rows follow the table.
    score_col, weight_col = cols.get("得分"), cols.get("分值")
    for rr in range(r, min(r + 8, end + 1)):
        for c in label_cols:
            val = v.value(rr, c, vertical=False)
            if v.home(rr, c) != (rr, c) or val is None:
                continue
            block = vocab.block(val)
            if block == "总分" and "总分" not in info.out:
                if score_col:
                    info.out["总分"] = v.loc(rr, score_col)
                    info.out_values["总分"] = v.value(rr, score_col, vertical=False)
                if weight_col:
                    info.out["分值合计"] = v.loc(rr, weight_col)
                    info.out_values["分值合计"] = v.value(rr, weight_col, vertical=False)
            elif block == "评价等次" and "等次" not in info.out:
                col = v.value_col(rr, c, weight_col)
                info.out["等次"] = v.loc(rr, col)
                info.out_values["等次"] = v.value(rr, col, vertical=False)
            elif block == "得分小计" and "小计" not in info.out:
                col = v.value_col(rr, c, cols.get("三级指标"))
                info.out["小计"] = v.loc(rr, col)
                info.out_values["小计"] = v.value(rr, col, vertical=False)


def read_forms(views: list, context: ReadContext, whole_sheet: bool = False) -> list[Project]:
    """Every 自评表 in the sheets (View objects), in sheet order; [] when there is none.
    whole_sheet: a sheet another kind has recognised is read as one form even without a 绩效指标 table."""
    projects: list[Project] = []
    marked, filled = context.marked, context.filled
    for v in views:
        if v is context.results or v is context.settings or v.sheet in (L.SHEET_REPORT, L.SHEET_BASIC, L.SHEET_HELP):
            continue
        regions: list[tuple[int, Header | None, int]] = list(_form_regions(v))
        if not regions and (whole_sheet or _fund_header(v, range(1, v.nrows + 1))
                            and v.find_block(L.L_NAME, range(1, v.nrows + 1))):
            regions = [(1, None, v.nrows)]  # a 自评表 without a readable 绩效指标 table: never graded
        for top, hdr, end in regions:
            p = _read_form(v, top, hdr, end)
            info = sheet_info(p)
            assert info is not None
            info.marked = set(marked.get(v.sheet, set()))
            info.report_marked = set(marked.get(L.SHEET_REPORT, set()))
            info.filled = dict(filled.get(v.sheet, {}))
            _settle_typed(p, info)
            projects.append(p)
    return projects


def _settle_typed(p: Project, info: SheetInfo) -> None:
    """Hand-made forms: an out cell counts as typed unless evaltool itself filled it with that value."""
    if info.template:
        return

    def typed(loc: Location | None, value: Any) -> bool:
        if loc is None or loc.cell is None or value is None:
            return False
        return not (loc.cell in info.filled and same_value(info.filled[loc.cell], value))

    for name, loc in info.out.items():
        if typed(loc, info.out_values.get(name)):
            info.typed_out.add(loc.cell or "")
    for ind, score_loc, value in zip(p.indicators, info.indicator_out, info.indicator_out_values):
        if score_loc is not None and typed(score_loc, value):
            info.typed_out.add(score_loc.cell or "")
        elif score_loc is not None and ind.cells.get("得分") == score_loc:
            ind.entered_score = None  # evaltool's own earlier value, not the clerk's
    total = p.funds.get("年度资金总额")
    out = info.out.get("执行率得分")
    if total and out and total.cells.get("得分") == out and not typed(out, total.entered_score):
        total.entered_score = None
