"""The 汇总 workbook: rows, summaries per 主管部门, charts, findings, unreadable files.

Written with openpyxl in write-only mode (rows stream to disk, so memory does not grow with the
number of findings), to a temporary file renamed into place. Every piece of text is written as a
text cell: whatever a clerk typed, nothing in the output is a formula.
"""
from __future__ import annotations

import datetime as _dt
import functools
import math
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from evaltool.core.decimals import plain_number, round_half_up, to_decimal
from evaltool.core.fileio import atomic_path
from evaltool.workbook.cellvalue import FORMULA_LEADS, looks_like_formula

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_TEXT = 32_767
GRADES = ("优", "良", "中", "差")  # the national standard's; a rule set may name its own (S60)
UNGRADED = "无法计分"  # projects with no 总分/等次 (something could not be read); never counted as 差

# Scores as each form computed them: 2 decimals, up to 4 when the form's 小数位 (设置 or rule set) asks
# for more — a 95.156 of 小数位 3 is shown as 95.156, not 95.16.
SCORE_FORMAT = "0.00##"
# Output column -> (header shown, number format, width)
FIXED_COLUMNS = [
    ("主管部门", "主管部门", None, 28),
    ("单位", "单位", None, 28),
    ("项目", "项目", None, 32),
    ("年度", "年度", "0", 7),
    ("预算数", "预算数（万元）", "#,##0.00", 13),
    ("执行数", "执行数（万元）", "#,##0.00", 13),
    ("执行率", "执行率", "0.00%", 9),
    ("执行率得分", "执行率得分", SCORE_FORMAT, 10),
]
TAIL_COLUMNS = [
    ("总分", "总分", SCORE_FORMAT, 8),
    ("等次", "等次", None, 6),
    ("无法计分原因", "无法计分原因", None, 40),
    ("错误数", "错误数", "0", 7),
    ("警告数", "警告数", "0", 7),
    ("规则", "规则", None, 14),
    ("文件", "文件", None, 36),
    ("工作表", "工作表", None, 16),
]
SUBTOTAL_PREFIX = "小计:"
RATE_BINS = [  # (label, lower bound inclusive, upper bound exclusive)
    ("低于60%", None, Decimal("0.6")),
    ("60%–70%", Decimal("0.6"), Decimal("0.7")),
    ("70%–80%", Decimal("0.7"), Decimal("0.8")),
    ("80%–90%", Decimal("0.8"), Decimal("0.9")),
    ("90%–95%", Decimal("0.9"), Decimal("0.95")),
    ("95%–100%", Decimal("0.95"), Decimal("1")),
    ("100%", Decimal("1"), Decimal("1.0000001")),
    ("超过100%", Decimal("1.0000001"), None),
]


# Characters a cell cannot hold: openpyxl's ILLEGAL_CHARACTERS_RE (control characters) plus what
# XML cannot hold at all (lone surrogates from a file name read with surrogate escapes, U+FFFE/F).
_BAD_TEXT_RE = __import__("re").compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# ---- cells -----------------------------------------------------------------------------------
def clean_text(text: str) -> str:
    # 汇总 text repeats (部门, 单位, 规则, finding messages): short texts are cleaned once.
    return _clean_short(text) if len(text) <= 200 else _clean(text)


def _clean(text: str) -> str:
    out = _BAD_TEXT_RE.sub("", text) if _BAD_TEXT_RE.search(text) else text
    if len(out) > EXCEL_MAX_TEXT:
        out = out[: EXCEL_MAX_TEXT - 1] + "…"
    return out


_clean_short = functools.lru_cache(maxsize=65536)(_clean)


def plain(value: Any) -> Any:
    """A value Excel can hold: None for missing/NaN, python numbers, cleaned text."""
    t = type(value)  # the common types first: every cell of a 汇总 passes here
    if t is str:
        return clean_text(value)
    if t is int or value is None:
        return value
    if t is float:
        return None if value != value else value
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, (int, _dt.date, _dt.datetime)):
        return value
    pandas = sys.modules.get("pandas")  # pandas.NA only exists where pandas was imported
    if pandas is not None and value is getattr(pandas, "NA", object()):
        return None
    return clean_text(str(value))


def text_cell(ws, value: str, style=None):
    """A cell that Excel shows as text even when the text starts like a formula (= + - @) or an
    error code (#N/A): openpyxl would otherwise store "=..." as a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    if style:
        _apply(cell, style)
    _quote(cell, value)
    return cell


def _quote(cell, value) -> None:
    """Excel's quotePrefix mark on text that starts like a formula (cellvalue.FORMULA_LEADS), so it
    stays text when someone edits or pastes the cell; the text itself is not changed."""
    quote = isinstance(value, str) and looks_like_formula(value)
    if quote or (cell.has_style and cell.quotePrefix):
        cell.quotePrefix = quote


def _apply(cell, style: dict) -> None:
    for key, val in style.items():
        setattr(cell, key, val)


class SheetWriter:
    """Appends rows to a write-only sheet: text as text, numbers with a number format per column.

    Plain text and numbers (nearly every cell of a 汇总) are serialised straight to XML elements,
    the same elements openpyxl writes, at a fraction of openpyxl's per-cell cost; headers, bold
    rows and any other value type go through openpyxl's own cell writer."""

    def __init__(self, wb, title: str, headers: list[str], formats: list[str | None] | None = None,
                 widths: list[int] | None = None, one_page: bool = False, ws=None):
        from openpyxl.styles import Alignment, Font, PatternFill

        self.ws = ws if ws is not None else wb.create_sheet(title)
        self.formats = formats or [None] * len(headers)
        for i, w in enumerate(widths or []):
            from openpyxl.utils import get_column_letter

            self.ws.column_dimensions[get_column_letter(i + 1)].width = w
        self.ws.freeze_panes = "A2"
        # Printed on A4 landscape with the header row repeated: the bureau prints these; one page
        # wide only while the text stays legible (workbook/paper.py, the one print setup).
        from evaltool.workbook.paper import table_print_setup

        table_print_setup(self.ws, [(widths or [])[i] if i < len(widths or []) else None
                                    for i in range(len(headers))], one_page=one_page)
        self.header_style = {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="DDEBF7"),
                             "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True)}
        self.rows = 0
        self.ncols = len(headers)
        from openpyxl.cell import WriteOnlyCell

        self._text = [text_cell(self.ws, "") for _ in headers]
        self._num = []
        for fmt in self.formats:
            cell = WriteOnlyCell(self.ws)
            if fmt:
                cell.number_format = fmt
            self._num.append(cell)
        # Must follow every sheet setting above: openpyxl writes them when the first row arrives.
        quoted = text_cell(self.ws, "=")  # the style of text that starts like a formula
        self._fast = _FastRows.install(self.ws, self._num, quoted) if FAST_CELLS else None
        self.append([text_cell(self.ws, clean_text(h), self.header_style) for h in headers], raw=True)

    def append(self, values: Iterable[Any], raw: bool = False, bold: bool = False) -> None:
        if raw:
            self.ws.append(list(values))
            self.rows += 1
            return
        if bold:
            self._append_bold(values)
            return
        if self._fast is not None:
            self.rows += 1
            self._fast.append(self.rows, [plain(v) for v in values])
            return
        out = []
        for i, v in enumerate(values):
            v = plain(v)
            if isinstance(v, str):
                # Write-only rows go to disk on append, so one cell object per column is reused.
                cell = self._text[i] if i < len(self._text) else text_cell(self.ws, "")
                cell.value = v
                cell.data_type = "s"
                _quote(cell, v)
                out.append(cell)
            elif v is not None and i < len(self._num):
                cell = self._num[i]
                if type(v) not in (int, float):  # a date would leave its date format on the shared cell
                    from openpyxl.cell import WriteOnlyCell

                    cell = WriteOnlyCell(self.ws)
                    if self.formats[i]:
                        cell.number_format = self.formats[i]
                cell.value = v
                out.append(cell)
            else:
                out.append(v)
        self.ws.append(out)
        self.rows += 1

    def _append_bold(self, values: Iterable[Any]) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        out = []
        for i, v in enumerate(values):
            v = plain(v)
            if isinstance(v, str):
                out.append(text_cell(self.ws, v, {"font": Font(bold=True)}))
            elif v is not None:
                cell = WriteOnlyCell(self.ws, value=v)
                cell.font = Font(bold=True)
                if i < len(self.formats) and self.formats[i]:
                    cell.number_format = self.formats[i]
                out.append(cell)
            else:
                out.append(v)
        self.ws.append(out)
        self.rows += 1

    def autofilter(self) -> None:
        from openpyxl.utils import get_column_letter

        if self.rows > 1:
            self.ws.auto_filter.ref = f"A1:{get_column_letter(self.ncols)}{self.rows}"


FAST_CELLS = True  # tests switch this off to compare against openpyxl's own cell writer
_XML_SPECIAL_RE = __import__("re").compile("[&<>\r]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def _xml_text(text: str) -> str:
    # "\r" as a character reference: a parser would otherwise turn "\r\n" into "\n".
    return text.translate(_XML_ESCAPES) if _XML_SPECIAL_RE.search(text) else text


class _Ready(list):
    """A row from _FastRows.append: lists of ready <c> elements and placed openpyxl cells."""


def _raw_writer(ws):
    """openpyxl's worksheet writer, streaming into a file object this module holds, so that
    rows already rendered as XML text are written as bytes between lxml's own writes."""
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import xmlfile

    class RawWorksheetWriter(WorksheetWriter):
        raw = None

        def get_stream(self):  # openpyxl's get_stream, with the file opened here
            with open(self.out, "wb") as fh, xmlfile(fh) as xf:
                self.raw = fh
                with xf.element("worksheet", xmlns=SHEET_MAIN_NS):
                    try:
                        while True:
                            el = (yield)
                            if el is True:
                                yield xf
                            elif el is not None:
                                xf.write(el)
                    except GeneratorExit:
                        pass

    writer = RawWorksheetWriter(ws)
    return writer if hasattr(writer.xf, "send") else None


class _FastRows:
    """Replaces a write-only worksheet's row stream (openpyxl's WriteOnlyWorksheet._write_rows) with
    one that takes rows already rendered as XML text. Relies on openpyxl's write-only internals
    (WorksheetWriter.get_stream, _writer.xf, _rows, stable since openpyxl 2.6) and lxml's
    xmlfile.flush; install() returns None when they are missing, and SheetWriter then uses the
    plain openpyxl path."""

    def __init__(self, ws, number_cells, quoted):
        from openpyxl.cell._writer import write_cell
        from openpyxl.utils import get_column_letter

        self.ws = ws
        self._quote_style = f' s="{quoted.style_id}"'
        self._write_cell = write_cell
        # Style ids registered once per column; the same ids openpyxl's cells would get.
        self._num_style = [f' s="{c.style_id}"' if c.has_style else "" for c in number_cells]
        self._formats = [c.number_format if c.has_style else None for c in number_cells]
        self._letters = [get_column_letter(i) for i in range(1, len(number_cells) + 1)]
        self._letter = lambda i: get_column_letter(i + 1)
        self._sink = None

    @classmethod
    def install(cls, ws, number_cells, quoted):
        try:
            if ws._writer is not None or ws._rows is not None:
                return None
            writer = _raw_writer(ws)
            if writer is None:
                return None
            ws._writer = writer
            writer.write_top()
            fast = cls(ws, number_cells, quoted)
            fast._sink = fast._rows(writer)
            next(fast._sink)
            if not hasattr(fast._xf, "flush"):
                fast._sink.close()
                return None
            ws._rows = fast._sink  # ws.append() and ws.close() now use this stream
            return fast
        except (AttributeError, ImportError, TypeError):
            return None

    def _rows(self, writer):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import Cell

        try:
            xf = writer.xf.send(True)
        except StopIteration:
            self.ws._already_saved()
        self._xf = xf
        ws, write_cell = self.ws, self._write_cell
        pending: list[str] = []  # rendered rows not yet written

        def flush():
            if pending:
                xf.flush()  # lxml's buffered output first, so the bytes land in document order
                writer.raw.write("".join(pending).encode("utf-8"))
                pending.clear()

        with xf.element("sheetData"):
            row_idx = 0
            try:
                while True:
                    row = yield
                    row_idx += 1
                    if type(row) is str:  # from append(): the whole <row> element as text
                        pending.append(row)
                        if len(pending) >= 1000:
                            flush()
                        continue
                    flush()
                    with xf.element("row", {"r": str(row_idx)}):
                        if isinstance(row, _Ready):  # from append(): placed cells
                            for item in row:
                                write_cell(xf, ws, item, item.has_style)
                            continue
                        for col, item in enumerate(row, 1):  # ws.append(): as openpyxl does
                            if item is None:
                                continue
                            if not isinstance(item, Cell):
                                item = WriteOnlyCell(ws, value=item)
                            item.row, item.column = row_idx, col
                            if item._value is None and not item.has_style:
                                continue
                            write_cell(xf, ws, item, item.has_style)
            except GeneratorExit:
                pass
            flush()
        writer.xf.send(None)

    def append(self, row_idx: int, values: list) -> None:
        """Plain values (after plain()): text always as inline text, never a formula.

        The row is rendered as XML text and written as bytes: building an element per cell from
        Python (openpyxl's way) costs several times more."""
        letters, run = self._letters, [f'<row r="{row_idx}">']
        for i, v in enumerate(values):
            t = type(v)
            if t is str:
                ref = f"{letters[i] if i < len(letters) else self._letter(i)}{row_idx}"
                if not v:  # openpyxl writes empty text as an empty cell
                    run.append(f'<c r="{ref}" t="inlineStr"/>')
                else:
                    space = ' xml:space="preserve"' if v[0].isspace() or v[-1].isspace() else ""
                    style = self._quote_style if v[0] in FORMULA_LEADS else ""
                    run.append(f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{_xml_text(v)}</t></is></c>')
            elif t is int or (t is float and math.isfinite(v)):
                ref = f"{letters[i] if i < len(letters) else self._letter(i)}{row_idx}"
                style = self._num_style[i] if i < len(self._num_style) else ""
                run.append(f'<c r="{ref}"{style} t="n"><v>{"%.16g" % v}</v></c>')  # as openpyxl's safe_string
            elif v is None:
                continue
            else:  # bool, date, inf: openpyxl writes this row, with each column's number format
                self._sink.send(self._cells(row_idx, values))
                return
        run.append("</row>")
        self._sink.send("".join(run))

    def _cells(self, row_idx: int, values: list) -> _Ready:
        from openpyxl.cell import WriteOnlyCell

        out = _Ready()
        for i, v in enumerate(values):
            if v is None:
                continue
            cell = WriteOnlyCell(self.ws)
            if type(v) is str:
                cell.value = v
                cell.data_type = "s"
                _quote(cell, v)
            else:
                if i < len(self._formats) and self._formats[i]:
                    cell.number_format = self._formats[i]
                cell.value = v
            cell.row, cell.column = row_idx, i + 1
            out.append(cell)
        return out


# ---- frames ----------------------------------------------------------------------------------
_MISSING: Any = object()  # a row without the column


class Rows:
    """The 汇总 table by column, with the values pandas' DataFrame.from_records gave them (without
    importing pandas, ~0.5 s of CPU at every run): a column holding only numbers with a float or a
    blank among them holds floats; a blank (missing, None, NaN) is None."""

    def __init__(self, columns: list[str], records: list[list[Any]]):
        self.columns = columns
        self.records = records
        self._index = {c: i for i, c in enumerate(columns)}

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, column: str) -> list[Any]:
        i = self._index[column]
        return [r[i] for r in self.records]


def _blank(v: Any) -> bool:
    return v is None or v is _MISSING or (type(v) is float and v != v)


def _as_frame_column(values: list[Any]) -> list[Any]:
    """One column as pandas typed it: int64 (all whole numbers, none blank), float64 (numbers with
    a float or a blank among them: whole numbers become floats), else objects as they are."""
    numeric = filled = False
    floats = blanks = False
    for v in values:
        if _blank(v):
            blanks = True
            continue
        t = type(v)
        if t is float:
            floats = True
        elif t is not int:
            break
        filled = True
    else:
        numeric = filled
    if numeric and (floats or blanks):
        return [None if _blank(v) else float(v) for v in values]
    return [None if _blank(v) else v for v in values]


SORT_COLUMNS = ("主管部门", "单位", "文件", "工作表")


def rows_frame(rows: list[dict]) -> tuple[Rows, list[str]]:
    """The 汇总 table, columns in form order, sorted by 主管部门 / 单位 / file."""
    fixed = [c for c, *_ in FIXED_COLUMNS]
    tail = [c for c, *_ in TAIL_COLUMNS]
    subtotal_cols: list[str] = []
    for row in rows:
        for key in row:
            if key.startswith(SUBTOTAL_PREFIX) and key not in subtotal_cols:
                subtotal_cols.append(key)
    columns = fixed + subtotal_cols + tail
    by_column = [_as_frame_column([row.get(c, _MISSING) for row in rows]) for c in columns]
    records = [list(r) for r in zip(*by_column)] if rows else []
    # Keys as text (a clerk may type a unit code as a number); blanks sort last; stable.
    at = [columns.index(c) for c in SORT_COLUMNS]
    records.sort(key=lambda r: tuple("\uffff" if r[i] is None else str(r[i]) for i in at))
    return Rows(columns, records), subtotal_cols


def _dec(value: Any) -> Decimal | None:
    value = plain(value)
    return None if isinstance(value, str) else to_decimal(value)


def department_frame(df):
    """department_records as a pandas DataFrame (for callers holding one)."""
    import pandas as pd

    return pd.DataFrame.from_records(department_records(df))


def _positive(v: Any) -> bool:
    # pandas.to_numeric(errors="coerce").fillna(0) > 0, for one value
    if _blank(v):
        return False
    try:
        return float(v) > 0
    except (TypeError, ValueError):
        return False


def grade_names(found, rules: str | None = None) -> tuple[str, ...]:
    """The 等次 columns of 主管部门汇总, 图表 and the console: the grades of the rule set in use
    (collect --rules; else the national standard's), highest first; where the forms were graded
    by sets of their own (优秀/良好/合格/不合格, named in their 设置 sheets) those found, after the
    set's grades that occur. found: the grades the projects got (any iterable, repeats allowed)."""
    from evaltool.core.rules import load_rules

    try:
        base = tuple(name for name, _ in load_rules(rules).grades)
    except Exception:  # noqa: BLE001 - a rule set that fails to load was reported already
        base = GRADES
    seen = [g for g in dict.fromkeys(str(g) for g in found if not _blank(g)) if g != UNGRADED]
    extra = [g for g in seen if g not in base]
    if not extra:
        return base
    return tuple(g for g in base if g in seen) + tuple(extra)


def department_records(df, grades: tuple[str, ...] | None = None) -> list[dict]:
    """Summaries per 主管部门 (count, budget, mean 执行率, grade distribution), plus a 合计 row.
    df: the 汇总 table (Rows, or anything giving a column's values by name).

    Sums, means and ratios are Decimal, half-up: a float sum formatted to two places would round
    a half to even (0.625 -> 0.62) where Excel shows 0.63."""
    dept = ["（未填主管部门）" if _blank(v) else str(v) for v in df["主管部门"]]
    grade = [UNGRADED if _blank(v) else str(v) for v in df["等次"]]
    errors = [_positive(v) for v in df["错误数"]]
    fields = ("预算数", "执行数", "执行率", "总分")
    columns = {f: [_dec(v) for v in df[f]] for f in fields}
    groups: dict[str, dict] = {}
    overall = _department_totals()
    for i, name in enumerate(dept):
        group = groups.get(name)
        if group is None:
            group = groups[name] = _department_totals()
        for acc in (group, overall):
            acc["项目数"] += 1
            acc["有错误的项目数"] += errors[i]
            acc["等次"][grade[i]] = acc["等次"].get(grade[i], 0) + 1
            for f in fields:
                d = columns[f][i]
                if d is not None:
                    acc[f] += d
                    acc[f + "数"] += 1
            # 总执行率 divides only what one project has both of: a project with a 预算数 but no
            # 执行数 (unread, an error cell) would otherwise lower the ratio of all the others
            budget_i, actual_i = columns["预算数"][i], columns["执行数"][i]
            if budget_i is not None and actual_i is not None:
                acc["配对预算数"] += budget_i
                acc["配对执行数"] += actual_i
            else:
                acc["未计入总执行率"] += 1
    records = []
    columns_of_grades = (grades or grade_names(df["等次"])) + (UNGRADED,)  # once, not per 主管部门 (loads a rule set)
    for name, a in sorted(groups.items()) + [("合计", overall)]:
        budget, actual = round_half_up(a["预算数"], 2), round_half_up(a["执行数"], 2)
        paired_budget, paired_actual = round_half_up(a["配对预算数"], 2), round_half_up(a["配对执行数"], 2)
        records.append({
            "主管部门": name,
            "项目数": a["项目数"],
            "预算数合计": budget,
            "执行数合计": actual,
            "总执行率": round_half_up(paired_actual / paired_budget, 4) if paired_budget > 0 else None,
            "平均执行率": round_half_up(a["执行率"] / a["执行率数"], 4) if a["执行率数"] else None,
            "平均总分": round_half_up(a["总分"] / a["总分数"], 2) if a["总分数"] else None,
            **{k: a["等次"].get(k, 0) for k in columns_of_grades},
            "有错误的项目数": a["有错误的项目数"],
            "未计入总执行率的项目数": a["未计入总执行率"],
        })
    return records


def _department_totals() -> dict:
    acc: dict = {"项目数": 0, "有错误的项目数": 0, "等次": {}, "未计入总执行率": 0,
                 "配对预算数": Decimal(0), "配对执行数": Decimal(0)}
    for f in ("预算数", "执行数", "执行率", "总分"):
        acc[f], acc[f + "数"] = Decimal(0), 0
    return acc


def rate_bins(df) -> list[tuple[str, int]]:
    counts = {label: 0 for label, *_ in RATE_BINS}
    missing = 0
    for v in df["执行率"]:
        d = _dec(v)
        if d is None:
            missing += 1
            continue
        for label, low, high in RATE_BINS:
            if (low is None or d >= low) and (high is None or d < high):
                counts[label] += 1
                break
    out = list(counts.items())
    if missing:
        out.append(("未计算", missing))
    return out


# ---- the workbook ----------------------------------------------------------------------------
class CollectionWriter:
    """The 汇总 workbook, built while the files are read: findings stream into 问题清单 as they
    arrive (write-only sheets spool to disk, so memory stays flat), the sheets that need every row
    (汇总, summaries, charts) are filled in finish(). Sheets are created up front in their final order."""

    def __init__(self):
        from openpyxl import Workbook

        self.wb = Workbook(write_only=True)
        # Reserved now, filled in finish(): write-only sheets keep the order they were created in.
        self._reserved = {t: self.wb.create_sheet(t) for t in ("汇总", "主管部门汇总", "图表")}
        self._findings = SheetWriter(self.wb, "问题清单", FINDING_HEADERS, None, [36, 16, 8, 6, 90, 16, 30])
        self.n_findings = 0

    def add_findings(self, findings: Iterable[tuple]) -> None:
        room = EXCEL_MAX_ROWS - 2  # header, and the closing note when there are more
        for f in findings:
            self.n_findings += 1
            if self.n_findings <= room:
                self._findings.append(f)

    def discard(self) -> None:
        discard_workbook(self.wb)

    def finish(self, output: Path, rows: list[dict], summary, extra=None) -> None:
        """extra(wb): writes more sheets before the save (collect --review's 抽查 sheets)."""
        room = EXCEL_MAX_ROWS - 2
        if self.n_findings > room:
            self._findings.append(["", "", "", "提示", f"问题共 {self.n_findings} 条，超过 Excel 的行数上限，其余 "
                                                     f"{self.n_findings - room} 条未列出。请分批汇总。"])
        self._findings.autofilter()
        rows, own = split_kind_rows(rows)
        df, subtotal_cols = rows_frame(rows)
        _write_rows(self.wb, df, subtotal_cols, ws=self._reserved["汇总"])
        for position, (kind, kind_rows) in enumerate(own, start=1):
            _write_kind_rows(self.wb, kind, kind_rows, position)
        # 主管部门汇总 and 图表 add up the projects' spending only: a 绩效目标表's declared budget
        # (its project's 自评表 reports the money) and a whole department's form (its money holds its
        # projects') stay listed in 汇总 but out of the totals (FormKind.spending / .subject).
        counted = rows_frame([r for r in rows if counts_in_totals(r)])[0] if len(df) else df
        grades = tuple(getattr(summary, "grade_names", None) or GRADES)  # the rule set's names (S60)
        dept = department_records(counted, grades) if len(counted) else None
        _write_departments(self.wb, dept, ws=self._reserved["主管部门汇总"], grades=grades)
        _write_charts(self.wb, counted, ws=self._reserved["图表"], grades=grades)
        _write_unreadable(self.wb, summary)
        _write_about(self.wb, summary, self.n_findings)
        if extra is not None:
            extra(self.wb)
        save_atomic(self.wb, Path(output))


def discard_workbook(wb) -> None:
    """Close a write-only workbook that will not be saved: each sheet's row stream before its
    file stream (left to the garbage collector they close in any order, and lxml complains),
    then its temporary file."""
    for ws in getattr(wb, "worksheets", []):
        writer = getattr(ws, "_writer", None)
        for stream in (getattr(ws, "_rows", None), getattr(writer, "xf", None)):
            try:
                if stream is not None:
                    stream.close()
            except Exception:  # noqa: BLE001 - discarding: nothing of it is kept
                pass
        try:
            if writer is not None:
                writer.cleanup()
        except Exception:  # noqa: BLE001
            pass


def save_atomic(wb, output: Path) -> None:
    """openpyxl's save_workbook, with the fastest deflate level: the sheets are mostly repeated
    text, so the file is barely larger, and a 1,000-project 汇总 is written in half the time."""
    import datetime
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    with atomic_path(output) as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1) as archive:
            wb.properties.modified = datetime.datetime.now(tz=datetime.timezone.utc).replace(tzinfo=None)
            ExcelWriter(wb, archive).save()


def _write_rows(wb, df, subtotal_cols: list[str], ws=None) -> None:
    spec = FIXED_COLUMNS + [(c, c[len(SUBTOTAL_PREFIX):], SCORE_FORMAT, 10) for c in subtotal_cols] + TAIL_COLUMNS
    w = SheetWriter(wb, "汇总", [h for _, h, _, _ in spec], [f for *_, f, _ in spec], [wd for *_, wd in spec],
                    ws=ws)
    assert [c for c, *_ in spec] == df.columns  # rows_frame orders the columns as the sheet shows them
    for values in df.records:
        w.append(values)
    w.autofilter()


def counts_in_totals(row: dict) -> bool:
    """Whether a 汇总 row's money and grade go into 主管部门汇总 and 图表: a 项目 form that reports
    spending (a row of an unknown kind counts, as before kinds were recorded)."""
    from evaltool.core.kinds import kind_named, names

    name = row.get("类型")
    if name not in names():
        return True
    kind = kind_named(name)
    return kind.spending and kind.subject == "项目"


def split_kind_rows(rows: list[dict]) -> tuple[list[dict], list[tuple[Any, list[dict]]]]:
    """(the 汇总 sheet's rows, [(kind, its rows)] for each kind with a sheet of its own).

    A kind with FormKind.summary_sheet (the 运行监控表: 执行进度 and 预警, no 总分) lists its
    projects there; its summary_row names the kind under "类型". Every other row goes to 汇总."""
    from evaltool.core.kinds import kinds

    own = {k.name: k for k in kinds() if k.summary_sheet}
    main: list[dict] = []
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        kind = own.get(row.get("类型")) if own else None
        if kind is None:
            main.append(row)
        else:
            grouped.setdefault(kind.name, []).append(row)
    return main, [(own[name], grouped[name]) for name in own if name in grouped]


def _write_kind_rows(wb, kind, rows: list[dict], position: int) -> None:
    """A kind's own sheet, placed `position` sheets after 汇总: its summary_columns, rows in its
    summary_order (e.g. 红 before 黄 before 绿), then by 主管部门 / 单位 / file like 汇总."""
    spec = kind.summary_columns
    w = SheetWriter(wb, kind.summary_sheet, [h for _, h, _, _ in spec], [f for *_, f, _ in spec],
                    [wd for *_, wd in spec])
    order_key, ranks = kind.summary_order or (None, {})

    def key(row: dict) -> tuple:
        rank = ranks.get(row.get(order_key), len(ranks)) if order_key else 0
        return (rank, *("\uffff" if row.get(c) is None else str(row.get(c)) for c in SORT_COLUMNS))

    for row in sorted(rows, key=key):
        w.append([row.get(c) for c, *_ in spec])
    w.autofilter()
    wb.move_sheet(w.ws.title, offset=-(len(wb.sheetnames) - 1 - wb.sheetnames.index("汇总") - position))


def dept_spec(grades: tuple[str, ...] = GRADES) -> list[tuple[str, str | None, int]]:
    """主管部门汇总's columns: (name, number format, width); one column per grade of the rule set."""
    return [
        ("主管部门", None, 30), ("项目数", "0", 8), ("预算数合计", "#,##0.00", 14), ("执行数合计", "#,##0.00", 14),
        ("总执行率", "0.00%", 10), ("平均执行率", "0.00%", 10), ("平均总分", "0.00", 9),
        *((g, "0", max(6, 2 * len(g) + 2)) for g in grades), (UNGRADED, "0", 8), ("有错误的项目数", "0", 12),
        ("未计入总执行率的项目数", "0", 14),
    ]


DEPT_SPEC = dept_spec()
DEPT_HEADERS = {"预算数合计": "预算数合计（万元）", "执行数合计": "执行数合计（万元）",
                "总执行率": "总执行率（执行数÷预算数，只计两者都有的项目）", "平均执行率": "平均执行率（各项目）",
                "未计入总执行率的项目数": "未计入总执行率的项目数（缺预算数或执行数）"}


def _write_departments(wb, dept, ws=None, grades: tuple[str, ...] = GRADES) -> None:
    spec = dept_spec(grades)
    w = SheetWriter(wb, "主管部门汇总", [DEPT_HEADERS.get(c, c) for c, _, _ in spec],
                    [f for _, f, _ in spec], [wd for *_, wd in spec], ws=ws)
    if dept is None:
        return
    last = len(dept) - 1
    for i, record in enumerate(dept):
        w.append([record.get(c, 0) for c, _, _ in spec], bold=(i == last))


def _write_charts(wb, df, ws=None, grades: tuple[str, ...] = GRADES) -> None:
    from openpyxl.chart import BarChart, Reference

    w = SheetWriter(wb, "图表", ["等次", "项目数"], [None, "0"], [14, 10, 4, 4], one_page=True, ws=ws)
    from collections import Counter

    grade_counts = Counter(UNGRADED if _blank(v) else v for v in df["等次"]) if len(df) else Counter()
    counts = [(g, int(grade_counts.get(g, 0))) for g in grades]
    if len(df) and grade_counts.get(UNGRADED, 0):
        counts.append((UNGRADED, int(grade_counts.get(UNGRADED, 0))))
    for g in counts:
        w.append(g)
    first_bins = w.rows + 3
    w.append([])
    w.append([])
    w.append(["执行率区间", "项目数"], bold=True)
    bins = rate_bins(df) if len(df) else [(label, 0) for label, *_ in RATE_BINS]
    for b in bins:
        w.append(b)

    chart = BarChart()
    chart.type = "col"
    chart.title = "等次分布"
    chart.y_axis.title = "项目数"
    chart.x_axis.title = "等次"
    chart.legend = None
    chart.add_data(Reference(w.ws, min_col=2, min_row=1, max_row=1 + len(counts)), titles_from_data=True)
    chart.set_categories(Reference(w.ws, min_col=1, min_row=2, max_row=1 + len(counts)))
    chart.height, chart.width = 7.5, 15
    w.ws.add_chart(chart, "D2")

    hist = BarChart()
    hist.type = "col"
    hist.gapWidth = 10  # touching bars read as a histogram
    hist.title = "执行率分布"
    hist.y_axis.title = "项目数"
    hist.x_axis.title = "执行率"
    hist.legend = None
    hist.add_data(Reference(w.ws, min_col=2, min_row=first_bins, max_row=first_bins + len(bins)),
                  titles_from_data=True)
    hist.set_categories(Reference(w.ws, min_col=1, min_row=first_bins + 1, max_row=first_bins + len(bins)))
    hist.height, hist.width = 7.5, 15
    w.ws.add_chart(hist, "D18")


FINDING_HEADERS = ["文件", "工作表", "单元格", "级别", "说明", "代码", "项目"]


def _write_unreadable(wb, summary) -> None:
    w = SheetWriter(wb, "无法读取的文件", ["文件", "原因"], None, [40, 100])
    for file, reason in summary.unreadable:
        w.append([file, reason])
    if not summary.unreadable:
        w.append(["（无）", "全部文件均已读取。"])


def _write_about(wb, summary, n_findings: int) -> None:
    w = SheetWriter(wb, "说明", ["项目", "内容"], None, [16, 90])
    now = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    for item in [
        ("汇总时间", now),
        ("文件数", summary.files),
        ("已读取的工作簿", summary.read),
        ("项目数", summary.projects),
        ("无法读取的文件", len(summary.unreadable)),
        ("含宏的文件", len(summary.macro_files)),
        ("跳过的汇总表", "、".join(summary.earlier_summaries) or "无"),
        ("跳过的公开版", "、".join(summary.public_copies) or "无"),
        ("未汇总的表格", "、".join(f"{f}（{k}，不参与汇总）" for f, k in summary.not_summarised) or "无"),
        ("问题条数", n_findings),
        ("说明", "本工作簿由 evaltool 汇总生成。执行率、各指标得分、小计、总分和等次均按规则重新计算，"
                "不采用填报表中的计算结果；填报数与计算数不一致之处列在“问题清单”中。"
                "主管部门汇总和图表只合计项目的自评（预算数、执行数、等次）：绩效目标表（申报的预算，不是支出）"
                "和部门整体支出绩效自评表（其金额已含各项目）列在汇总中，不计入合计。"
                "问题清单与对同一工作簿运行“校验”（evaltool check）所得相同，只是不再重复核对“报告素材”"
                "文字中的数字（那由填报单位校验时完成）。"
                "被汇总的文件只读取、未作任何修改；文件中的宏没有运行，也没有复制到本工作簿。"),
    ]:
        w.append(item)
