"""Reading a 绩效目标表 from a workbook's sheets, by label (kinds/targets/标签.yaml), never by address.

What it finds: the 绩效指标 table (一级/二级/三级指标, 指标值, and where the layout has them
指标性质, 度量单位, 权重 — in any column order, the header on one row or two), the header fields
above it (项目名称, 主管部门, 实施单位, 年度), the 项目资金 amounts (年度资金总额, 其中：财政拨款,
其他资金; the 年度 column where a 中期 column stands beside it) and the 年度总体目标 text. Inserted
rows, moved columns, merged 一级/二级 cells, full-width symbols and a header split over two rows
all read. Values stay raw: checks.py parses them, so every problem is a finding on its cell.
"""
from __future__ import annotations

import re
from typing import Any

from evaltool.core import values
from evaltool.core.model import FundRow, Indicator, Location, Project
from evaltool.core.seam import Percent
from evaltool.kinds.targets import layout as T
from evaltool.workbook import layout as L

HEADER_FIELDS = {"项目名称": "name", "主管部门": "department", "实施单位": "unit", "年度": "year"}
LEVELS = ("一级指标", "二级指标")  # carried down from the row above when left empty (merged or not)
ROW_FIELDS = ("三级指标", "指标性质", "指标值", "度量单位", "权重", "指标解释")
YEAR_RE = re.compile(r"(20\d\d|19\d\d)\s*年")
SPLIT_LABEL = re.compile(r"^(.{2,12}?)[:：]\s*(.+)$", re.S)


class Header:
    def __init__(self, row: int, last: int, cols: dict[str, int], cells: dict[str, tuple[int, int]],
                 ambiguous: dict[str, list[tuple[int, int]]] | None = None,
                 passed: dict[str, tuple[list[tuple[int, int]], tuple[int, int]]] | None = None):
        self.row, self.last, self.cols, self.cells = row, last, cols, cells
        # L.ColumnChoice: name -> header cells naming it equally (none read); name -> (cells passed over, winner)
        self.ambiguous = ambiguous or {}
        self.passed = passed or {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _header_names(v, r: int, vocab: T.Vocabulary) -> tuple[dict[str, int], bool, L.ColumnChoice]:
    """{standard column name: column} in row r, whether the row holds a column that only a form of
    completed values has (实际完成值, 得分 …), and the choice between cells naming one column."""
    hits = []
    excluded = False
    for c in range(1, v.ncols + 1):
        if v.home(r, c) != (r, c):
            continue
        value = v.value(r, c)
        if not isinstance(value, str):
            continue
        name = vocab.lookup("指标列", value)
        if name:
            hits.append((name, c, T.label_key(value)))
        elif T.label_key(value) in vocab.excluded:
            excluded = True
    choice = L.ColumnChoice(hits)
    return dict(choice.cols), excluded, choice


def find_header(v, vocab: T.Vocabulary) -> Header | None:
    """The 绩效指标 table's header: 三级指标 and 指标值 named, nothing a 自评表 or 监控表 has."""
    keys = vocab.keys_of("指标列", "三级指标")
    rows = sorted({r for key in keys for r, _ in v.labels.get(key, ())})
    for r in rows:
        cols, excluded, choice = _header_names(v, r, vocab)
        if excluded or "三级指标" not in cols:
            continue
        cells = {name: (r, c) for name, c in cols.items()}
        ambiguous = {n: [(r, c) for c in cs] for n, cs in choice.ambiguous.items()}
        passed = {n: ([(r, c) for c in cs], (r, choice.cols[n])) for n, cs in choice.passed.items()}
        last = r
        # A second header row: 指标值 over 指标性质 / 指标值 / 度量单位, or labels split over two rows.
        if r + 1 <= v.nrows:
            below, excluded_below, choice_below = _header_names(v, r + 1, vocab)
            if excluded_below:
                continue
            c3 = cols["三级指标"]
            # a header's second row, not a first indicator: the 三级指标 header reaches down into it
            # (merged) or it has no 三级指标 of its own
            continues = v.home(r + 1, c3)[0] == r or v.value(r + 1, c3, vertical=False) is None
            if (below or choice_below.ambiguous) and continues:
                for name, c in below.items():
                    if name == "指标值" or name not in cols:
                        cols[name] = c
                        cells[name] = (r + 1, c)
                        ambiguous.pop(name, None)
                        passed.pop(name, None)
                for name, cs in choice_below.ambiguous.items():
                    if name == "指标值" or name not in cols:
                        cols.pop(name, None)
                        cells.pop(name, None)
                        ambiguous[name] = [(r + 1, c) for c in cs]
                passed.update({n: ([(r + 1, c) for c in cs], (r + 1, choice_below.cols[n]))
                               for n, cs in choice_below.passed.items() if cols.get(n) == choice_below.cols[n]})
                last = r + 1
                span = v.span.get(cells.get("指标值", (0, 0)))
                if "指标值" not in below and span is not None and span[3] > span[1]:
                    continue  # 指标值 over several columns, none of them named 指标值: not guessed
        if "指标值" in ambiguous:
            return Header(r, last, cols, cells, ambiguous, passed)  # read_view names the cells
        if "指标值" not in cols or list(cols.values()).count(cols["指标值"]) > 1:
            continue
        return Header(r, last, cols, cells, ambiguous, passed)
    return None


def is_targets_sheet(v, vocab: T.Vocabulary | None = None) -> bool:
    """A sheet holding a 绩效目标表's 绩效指标 table (三级指标 and 指标值, nothing only a form of
    results has), unless it says it is a 自评表. The 自评表 reader leaves such sheets alone: a 目标表
    beside a 自评表 in one workbook is what the 自评表 is compared with, not a 自评表 without
    实际完成值."""
    vocab = vocab or T.vocabulary()
    named = vocab.is_title(v.sheet) or "目标" in v.sheet
    if not named:  # the sheet's label index, not its cells: this runs for every sheet a 自评表 read sees
        named = any("目标" in key and vocab.is_title_key(key) and any(r <= 4 for r, _ in spots)
                    for key, spots in v.labels.items())
    if not named and ("自评" in v.sheet or any("自评" in key and any(r <= 4 for r, _ in spots)
                                              for key, spots in v.labels.items())):
        return False  # a 自评表 that lost its 实际完成值 column stays a 自评表 (and is told so)
    # Untitled: a table of targets only (三级指标 and 指标值, no 实际完成值, 得分 or 偏差原因) is a 目标表.
    return find_header(v, vocab) is not None


def split_views(views: list, context=None) -> tuple[list, list]:
    """(the sheets that are not 绩效目标表s, the ones that are); context: the reader's ReadContext."""
    vocab = T.vocabulary_for(getattr(context, "rules", None))
    targets = [v for v in views if is_targets_sheet(v, vocab)]
    return [v for v in views if not any(v is t for t in targets)], targets


def _anchors(v, rows: range) -> list[tuple[int, int, str]]:
    out = []
    for r in rows:
        for c in range(1, v.ncols + 1):
            if v.home(r, c) == (r, c):
                value = v.value(r, c)
                if isinstance(value, str) and value.strip():
                    out.append((r, c, value))
    return out


def _is_label(vocab: T.Vocabulary, value: Any) -> bool:
    return bool(vocab.lookup("区块", value) or vocab.lookup("资金行", value) or vocab.lookup("指标列", value)
                or vocab.is_title(value))


def _value_right(v, vocab, r: int, c: int) -> tuple[Any, tuple[int, int] | None, bool]:
    """(value, its cell, stopped at a label): the first filled cell right of the label at r, c in its row."""
    col = v.right_of(r, c)
    first = None
    while col <= v.ncols:
        home = v.home(r, col)
        value = v.value(r, col, vertical=False)
        if first is None:
            first = home
        if _is_label(vocab, value):
            return None, first, True
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return value, home, False
        col = v.right_of(r, col)
    return None, first, False


def _value_below(v, r: int, c: int) -> tuple[Any, tuple[int, int]]:
    below = v.below(r, c)
    return v.value(below, c, vertical=False), v.home(below, c)


def _loc(v, rc: tuple[int, int] | None, fallback: str) -> Location:
    if rc is None:
        return Location(sheet=v.sheet, path=fallback)
    return v.loc(*rc)


def read_view(v, vocab: T.Vocabulary | None = None) -> Project | None:
    """The 绩效目标表 on one sheet, or None when the sheet has none."""
    vocab = vocab or T.vocabulary()
    hdr = find_header(v, vocab)
    if hdr is None:
        return None
    p = Project(kind=T.NAME, sheet=v.sheet)
    info: dict[str, Any] = {"rows": [], "header": hdr.cols, "inputs": []}
    p.extra["目标表"] = info
    top = _anchors(v, range(1, hdr.row))
    _read_header_fields(v, vocab, p, top, info)
    _read_funds(v, vocab, p, top, info)
    _read_goal(v, vocab, p, top, info)
    _choice_findings(v, p, hdr)
    if "指标值" in hdr.ambiguous:
        info["headless"] = True  # which target column is meant is not guessed: no row is read
    else:
        _read_indicators(v, vocab, p, hdr, info)
    tr, tc = hdr.cells["三级指标"]
    p.cells["绩效指标"] = v.loc(tr, tc)
    if "权重" in hdr.cells:
        p.cells["权重"] = v.loc(*hdr.cells["权重"])
    return p


def _choice_findings(v, p: Project, hdr: Header) -> None:
    """Two header cells naming one column (SWEEP S41): the one passed over is said; two equal ones are an error."""
    from evaltool.core.model import Finding

    def said(cells) -> str:
        return "和".join(f"“{v.text(*rc)}”（{v.loc(*rc).cell}）" for rc in cells)

    for name, cells in hdr.ambiguous.items():
        code = "E-TG-NO-HEADER" if name == "指标值" else "E-UNREAD-COLUMN"
        p.read_findings.append(Finding(code, "error", f"绩效指标表有 {len(cells)} 列都读作“{name}”：{said(cells)}，"
                                       "evaltool 不知道按哪一列读取，没有读取这几列。请删去不用的列，或把要用的一列的"
                                       f"表头改为“{name}”。", name, v.loc(*cells[0])))
    for name, (cells, win) in hdr.passed.items():
        p.read_findings.append(Finding("I-COLUMN-IGNORED", "info", f"绩效指标表的{said(cells)}与{said([win])}都可读作"
                                       f"“{name}”：evaltool 按“{v.text(*win)}”列读取，{said(cells)}列未读取。", name,
                                       v.loc(*cells[0])))


def _input(info: dict, loc: Location) -> None:
    if loc.cell:
        info["inputs"].append(loc.cell)


def _read_header_fields(v, vocab, p: Project, top, info) -> None:
    found: set[str] = set()
    for r, c, text in top:
        name = vocab.lookup("区块", text)
        value: Any = None
        where: tuple[int, int] | None = None
        if name not in HEADER_FIELDS:
            m = SPLIT_LABEL.match(text.strip())  # "项目名称：某某项目" typed in one cell
            name = vocab.lookup("区块", m.group(1)) if m else None
            if name not in HEADER_FIELDS or name in found or m is None:
                continue
            value, where = m.group(2).strip(), (r, c)
        elif name in found:
            continue
        else:
            value, where, stopped = _value_right(v, vocab, r, c)
            if value is None and stopped:
                below, at = _value_below(v, r, c)
                if below is not None and not _is_label(vocab, below):
                    value, where = below, at
        found.add(name)
        setattr(p, HEADER_FIELDS[name], value)
        p.cells[name] = _loc(v, where, name)
        _input(info, p.cells[name])
    for r, c, text in top:  # the template's "（    年度）" under the title: score fills in the year
        if r <= 4 and L.TITLE_YEAR_BLANK.match(text):
            info["title_year"] = v.loc(r, c).cell
            break
    if p.year is not None and not isinstance(p.year, int):
        from evaltool.core.reading import project_year

        # "2026年" / "2026年度" / 2026.0 read as the other kinds read them (collect's 年度 column and the
        # duplicate and matching keys compare years); what no year can be made of stays for check to say
        p.year = project_year(p) or p.year
    if p.year is None:  # "（2025年度）" under the title, or "2025年度项目支出绩效目标表"
        for r, c, text in top:
            m = YEAR_RE.search(text)
            if m and r <= 4 and not vocab.lookup("区块", text):
                p.year = int(m.group(1))
                p.cells["年度"] = v.loc(r, c)
                break


def _read_funds(v, vocab, p: Project, top, info) -> None:
    mid_cols = {c for r, c, text in top if vocab.lookup("区块", text) == "中期资金总额"}
    labels: dict[str, list[tuple[int, int, str]]] = {}
    for r, c, text in top:
        m = SPLIT_LABEL.match(text.strip())
        name = vocab.lookup("资金行", text) or (vocab.lookup("资金行", m.group(1)) if m else None)
        if name and c not in mid_cols:
            labels.setdefault(name, []).append((r, c, text))
    total = labels.get("年度资金总额", [])
    anchor = total[0] if total else None
    # A money unit the block label states (“项目资金（元）”) or a fund row's own label (“年度资金总额（元）”):
    # bare amounts are read in it and kept in 万元, as the 自评表 does (SWEEP S30).
    block_unit = next(((L.money_unit(text), (r, c)) for r, c, text in top
                       if vocab.lookup("区块", text) == "项目资金" and L.money_unit(text)), None)
    converted: dict[tuple[int, int], tuple[str, list[str]]] = {}
    for name in T.FUND_ROWS:
        spots = labels.get(name, [])
        if not spots:
            continue
        if anchor is not None and name != "年度资金总额":
            # the rows under the 年度资金总额 label, in its column, before anything further away
            spots = sorted(spots, key=lambda s: (s[1] != anchor[1], abs(s[0] - anchor[0]), s[1]))
        r, c, text = spots[0]
        m = SPLIT_LABEL.match(text.strip())
        if m and vocab.lookup("资金行", text) is None:
            value, where = m.group(2).strip(), (r, c)
        else:
            value, where, stopped = _value_right(v, vocab, r, c)
            if value is None:  # labels in a row, amounts under them
                below, at = _value_below(v, r, c)
                if below is not None and not _is_label(vocab, below):
                    value, where = below, at
        own = L.money_unit(m.group(1) if m and vocab.lookup("资金行", text) is None else text)
        unit, said = (own, (r, c)) if own else block_unit or (None, (r, c))
        if unit and unit != "万元" and values.amount_under(value, unit) is not value:
            value = values.amount_under(value, unit)
            converted.setdefault(said, (unit, []))[1].append(name)
        row = FundRow(label=name, initial=value)
        row.cells["金额"] = _loc(v, where, f"项目资金.{name}")
        p.funds[name] = row
        _input(info, row.cells["金额"])
    for r, c, text in top:
        if vocab.lookup("区块", text) == "项目资金":
            p.cells["项目资金"] = v.loc(r, c)
            break
    if converted:
        from evaltool.core.model import Finding

        for (r, c), (unit, names) in converted.items():
            p.read_findings.append(Finding(
                "I-MONEY-UNIT", "info", f"项目资金的金额单位是{unit}（{v.loc(r, c).cell}“{v.text(r, c)}”）：evaltool 按万元"
                f"核对和汇总，{'、'.join(names)}读取时已换算为万元（{_RATE_TEXT[unit]}）；表中填写的数字不变。",
                names[0], v.loc(r, c)))


_RATE_TEXT = {"元": "10000 元 = 1 万元", "千元": "10 千元 = 1 万元", "亿元": "1 亿元 = 10000 万元"}


def _read_goal(v, vocab, p: Project, top, info) -> None:
    annual_keys = vocab.keys_of("区块", "年度目标")
    has_mid = any(vocab.lookup("区块", t) == "中期目标" for _, _, t in top)
    where: tuple[int, int] | None = None
    value: Any = None
    if has_mid:  # 总体目标 split into 中期目标 | 年度目标 columns: the annual one, below its label
        for r, c, text in top:
            if T.label_key(text) in annual_keys:
                value, where = _value_below(v, r, c)
                break
    if where is None:
        # the 年度总体目标 label (beside a 中期目标, only its own spellings that do not say 年度目标)
        goal_keys = vocab.keys_of("区块", "年度总体目标") - (annual_keys if has_mid else frozenset())
        for r, c, text in top:
            if T.label_key(text) in goal_keys:
                value, where, _ = _value_right(v, vocab, r, c)
                if where is None:  # nothing right of it: the text is under the label
                    value, where = _value_below(v, r, c)
                break
    if where is None:
        return
    p.goal_expected = value
    p.cells["年度总体目标"] = v.loc(*where)
    _input(info, p.cells["年度总体目标"])


def _stop_row(v, vocab, r: int, first_col: int) -> bool:
    """A row that ends the table: a 表尾 label (备注, 填报人 …) or a new title."""
    for c in range(1, min(first_col + 1, v.ncols) + 1):
        value = v.value(r, c, vertical=False)
        if isinstance(value, str) and value.strip():
            key = T.label_key(value)
            if vocab.lookup("区块", value) == "表尾" or vocab.is_title(value):
                return True
            m = SPLIT_LABEL.match(value.strip())
            if m and vocab.lookup("区块", m.group(1)) == "表尾" or key.startswith("注"):
                return True
    return False


def _read_indicators(v, vocab, p: Project, hdr: Header, info) -> None:
    cols = hdr.cols
    first_col = min(cols.values())
    prev = {name: None for name in LEVELS}
    for r in range(hdr.last + 1, v.nrows + 1):
        if _stop_row(v, vocab, r, first_col):
            break
        if vocab.lookup("指标列", v.value(r, cols["三级指标"], vertical=False)) == "三级指标":
            continue  # the header repeated (a table printed over two pages)
        own = {name: v.value(r, c, vertical=False) for name, c in cols.items()}
        if isinstance(own.get("指标值"), Percent):  # typed 85% in Excel: the cell holds 0.85, shown 85%
            own["指标值"] = own["指标值"].text
        if any(vocab.is_total(own.get(name)) for name in (*LEVELS, "三级指标")):
            continue  # a 合计 / 小计 row: the weights' sum, not an indicator
        merged = {name: v.value(r, cols[name]) for name in LEVELS if name in cols}
        if all(_text(x) == "" if isinstance(x, str) else x is None for x in own.values()) and not any(
                merged.get(n) is not None and v.home(r, cols[n])[0] != r for n in LEVELS):
            continue  # a blank row
        ind = Indicator()
        row: dict[str, Any] = {"row": r}
        for name in LEVELS:
            if name not in cols:
                continue
            value = merged.get(name)
            typed = value is not None and not (isinstance(value, str) and not value.strip())
            if not typed:
                value = prev[name] if name == "一级指标" or ind.level1 == prev["一级指标"] else None
            if name == "一级指标" and typed and value != prev["一级指标"]:
                prev["二级指标"] = None
            prev[name] = value
            setattr(ind, "level1" if name == "一级指标" else "level2", value)
            ind.cells[name] = v.loc(r, cols[name])
            row[name + "在本行"] = v.home(r, cols[name])[0] == r and typed
        for name in ROW_FIELDS:
            if name in cols:
                ind.cells[name] = v.loc(r, cols[name])
                _input(info, ind.cells[name])
        ind.level3 = own.get("三级指标")
        ind.weight = own.get("权重")
        row.update({"性质": own.get("指标性质"), "值": own.get("指标值"), "单位": own.get("度量单位"),
                    "解释": own.get("指标解释")})
        ind.target = target_text(vocab, row["性质"], row["值"], row["单位"], timely=is_timely(ind.level2))
        row["占位"] = all(_text(x) == "" if isinstance(x, str) else x is None
                        for x in (ind.level3, row["值"], ind.weight))
        p.indicators.append(ind)
        info["rows"].append(row)


def is_timely(level2: Any) -> bool:
    """A 时效指标 row (its 二级 says 时效): a month there is a month of the year."""
    return isinstance(level2, str) and "时效" in level2


def target_text(vocab, direction: Any, value: Any, unit: Any, timely: bool = False) -> Any:
    """The target as one value, as a 自评表's 年度指标值 holds it: "≥" "95" "%" -> "≥95%".
    timely: a 时效指标 row, where "≤" "11" "月" is the deadline "11月底前" (the 自评表 reads "11月"
    as a month of the year, so "≤11月" could be compared with no completion it can read)."""
    d = vocab.direction(direction) if direction is not None else None
    if value is not None and (dated := _date_target(d, value)) is not None:
        return dated
    if timely and d == "≤" and _text(unit) == "月" and _month(value) is not None:
        return f"{_month(value)}月底前"
    if direction is None and unit is None:
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip() if not isinstance(value, (int, float)) else _plain(value)
    if d and d != "定性" and not re.match(r"^[≥≤=<>＞＜≧≦]", text):
        text = d + text
    u = _text(unit) if isinstance(unit, str) else ("" if unit is None else str(unit))
    if u and not text.endswith(u) and d != "定性":
        text += u
    return text


def _month(value: Any) -> int | None:
    from evaltool.core.decimals import to_decimal

    d = to_decimal(value.strip() if isinstance(value, str) else value) if not isinstance(value, bool) else None
    return int(d) if d is not None and d == int(d) and 1 <= d <= 12 else None


def _date_target(d: str | None, value: Any) -> str | None:
    """A 时效指标's date as the 自评表 reads a deadline: a cell date or "2026-11-30" under ≤ / ＜ (or
    no 指标性质) becomes "2026年11月30日前" — never "2026-11-30 00:00:00"; a date with another
    direction is shown as a date ("2026年11月30日") for check to flag. A text already saying 前 /
    以前 is kept as typed (no "≤" put in front of it). None: not a date."""
    import datetime as dt

    from evaltool.core import values

    if isinstance(value, dt.datetime):
        day: dt.date | None = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        parsed = values.parse(value)
        if parsed.kind == "deadline":
            return value.strip()
        # only a full date with its year: "11月" alone is left to the shared parser
        day = parsed.date if parsed.kind == "date" and re.match(r"\s*(19|20)\d\d", value) else None
    else:
        day = None
    if day is None:
        return None
    text = f"{day.year}年{day.month}月{day.day}日"
    return text + "前" if d in (None, "≤", "<") else text


def _plain(value: Any) -> str:
    from evaltool.core.decimals import fmt, to_decimal

    dec = to_decimal(value)
    return fmt(dec) if dec is not None else str(value)


# evaltool's own sheets: a 校验结果 sheet repeats the form's title, it is not a form without a table
NOT_FORMS = frozenset((L.SHEET_RESULTS, L.SHEET_SETTINGS, L.SHEET_HELP, L.SHEET_REPORT, L.SHEET_BASIC))


def is_titled(v, vocab: T.Vocabulary) -> bool:
    """A sheet that says it is a 绩效目标表 by a title in its first four rows. The sheet's name
    alone is not enough: a sheet cleared of everything gets the shared "not a form" message, which
    names the kind its sheet name suggests."""
    return any(vocab.is_title_key(key) and any(r <= 4 for r, _ in spots) for key, spots in v.labels.items())


def read_headless(v, vocab: T.Vocabulary) -> Project:
    """A titled 绩效目标表 whose 绩效指标 header cannot be found (merged over its column names,
    cleared): read as a 目标表 with the header fields it has and one finding naming the missing
    columns, instead of being taken for a broken 自评表 (whose advice names columns a 目标表 lacks)."""
    from evaltool.core.model import Finding

    p = Project(kind=T.NAME, sheet=v.sheet)
    info: dict[str, Any] = {"rows": [], "header": {}, "inputs": [], "headless": True}
    p.extra["目标表"] = info
    found = {name: spots[0] for name in ("三级指标", "指标值")
             for key in vocab.keys_of("指标列", name) for spots in [v.labels.get(key)] if spots}
    block = [r for key in vocab.keys_of("区块", "绩效指标") for r, _ in v.labels.get(key, ())]
    end = min([r for r, _ in found.values()] + block + [v.nrows + 1])
    top = _anchors(v, range(1, end))
    _read_header_fields(v, vocab, p, top, info)
    _read_funds(v, vocab, p, top, info)
    _read_goal(v, vocab, p, top, info)
    missing = [name for name in ("三级指标", "指标值") if name not in found]
    if block:
        r = block[0]
        c = next(c for key in vocab.keys_of("区块", "绩效指标") for rr, c in v.labels.get(key, ()) if rr == r)
        where = v.loc(r, c)
    elif found:
        where = v.loc(*min(found.values()))
    else:
        where = Location(sheet=v.sheet, path="绩效指标")
    what = ("缺少" + "、".join(f"“{m}”" for m in missing) + "列") if missing else "“三级指标”“指标值”不在同一表头行上"
    p.cells["绩效指标"] = where
    p.read_findings.append(Finding(
        "E-TG-NO-HEADER", "error",
        f"工作表“{v.sheet}”是{T.TITLE}，但找不到绩效指标表的表头（{what}）：请在指标表上方一行分别写明"
        "“一级指标”“二级指标”“三级指标”“指标性质”“指标值”“度量单位”列名，每个列名占一格（不要把几个列名合并成一格），"
        "或用 evaltool new --kind 绩效目标表 重新生成空表后抄入。", "绩效指标", where))
    return p


def read_views(views: list, context=None) -> list[Project]:
    """Every 绩效目标表 in the sheets, in sheet order; [] when there is none. context (the reader's
    ReadContext): the 校验结果 and 设置 sheets are skipped, and the cells the last run marked are
    kept so that marks no finding names any more are cleared."""
    vocab = T.vocabulary_for(getattr(context, "rules", None))
    skip = {id(getattr(context, "results", None)), id(getattr(context, "settings", None))}
    marked = getattr(context, "marked", None) or {}
    out = []
    for v in views:
        if id(v) in skip or v.sheet == T.SHEET_HELP:
            continue
        p = read_view(v, vocab)
        # a titled sheet with no label at all (cleared) holds no form: the commands say no form was found
        if p is None and v.sheet not in NOT_FORMS and v.labels and is_titled(v, vocab):
            p = read_headless(v, vocab)
        if p is not None:
            p.extra["目标表"]["marked"] = set(marked.get(v.sheet, set()))
            out.append(p)
    return out


__all__ = ["read_views", "read_view", "find_header", "is_targets_sheet", "split_views", "target_text"]
