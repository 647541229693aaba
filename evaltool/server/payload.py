"""evaltool's JSON, checked before anything is computed.

Request (check, score, report, export; new takes some of it):

    {"book": "自评.xlsx",                       # optional: the workbook's name (report file name)
     "sheets": [{"name": "自评表",
                 "values": [[...], ...],         # one row per list, from (row, column)
                 "row": 1, "column": 1,          # optional: top-left of values (UsedRange.Row/Column)
                 "merged": ["A1:C1", [2, 1, 3, 1], ...],
                 "formats": {"F7": "yyyy\"年\"m\"月\"d\"日\""},   # optional: number formats of numeric
                                                 #   cells; date formats turn serial numbers into dates
                 "notes": {"G9": "批注文字"},    # the cells' current notes (evaltool never loses the clerk's)
                 "hidden": false}],              # optional: a hidden sheet's form is named, not read
     "rules": "国家标准",                        # optional: a built-in rule set id
     "rules_yaml": "编号: …",                    # optional: a rule set as YAML text (继承 only built-ins)
     "sheet": "自评表"}                          # report: which form, when the book has several

A cell value is null, text, a number, true/false, or {"date": "2022-12-31T00:00:00"}. Nothing the
client sends is ever taken as a path on the server. Every problem is a PayloadError with a
Chinese message naming the sheet and cell.
"""
from __future__ import annotations

import datetime as _dt
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from evaltool.core.seam import Grid, address, parse_address

MAX_TEXT = 32767  # Excel's limit for one cell
MAX_SHEETS = 255
MAX_NAME = 31  # Excel's limit for a sheet name
_A1 = re.compile(r"^\$?[A-Za-z]{1,3}\$?[0-9]{1,7}$")
_RANGE = re.compile(r"^(\$?[A-Za-z]{1,3}\$?[0-9]{1,7})(?::(\$?[A-Za-z]{1,3}\$?[0-9]{1,7}))?$")
MAX_ROW, MAX_COL = 1_048_576, 16_384


class PayloadError(Exception):
    """The request cannot be used; .message is Chinese, .status the HTTP status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Limits:
    max_cells: int = 500_000
    max_merged: int = 20_000


@dataclass
class Posted:
    """What the json engine (engines/__init__.py) reads: a request's mapping and the server's limits."""

    data: dict
    limits: Limits


def _no_constant(name: str):
    raise PayloadError(f"JSON 中不能有 {name}：请把无法计算的数写成 null。")


def parse_json(body: bytes) -> Any:
    """Bytes -> JSON value; malformed, not UTF-8, too deep, NaN/Infinity -> PayloadError."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("请求内容不是 UTF-8 编码的 JSON。") from None
    if not text.strip():
        raise PayloadError("请求内容是空的：应为 JSON 对象，例如 {\"sheets\": [...]}。")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except PayloadError:
        raise
    except RecursionError:
        raise PayloadError("JSON 嵌套层数过多，不是 evaltool 的请求格式。") from None
    except json.JSONDecodeError as exc:
        raise PayloadError(f"请求不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近有错误。") from None
    except ValueError:  # e.g. an integer with thousands of digits
        raise PayloadError("JSON 中有无法使用的数字（位数过多）。") from None


def obj(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise PayloadError("请求应为 JSON 对象（{...}），不是数组或单个值。")
    return data


def text_field(data: dict, key: str, limit: int = 1000) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError(f"“{key}”应为文字。")
    if len(value) > limit:
        raise PayloadError(f"“{key}”过长（超过 {limit} 个字符）。")
    return value


def _date(raw: Any, where: str) -> _dt.datetime:
    if not isinstance(raw, str) or len(raw) > 40:
        raise PayloadError(f"{where} 的日期应写成 {{\"date\": \"2022-12-31\"}}。")
    try:
        return _dt.datetime.fromisoformat(raw)
    except ValueError:
        raise PayloadError(f"{where} 的日期“{raw[:40]}”无法识别，应写成 2022-12-31 或 2022-12-31T00:00:00。") from None


def _cell(value: Any, where: str) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise PayloadError(f"{where} 的文字超过 {MAX_TEXT} 个字符（Excel 单元格的上限）。")
        return value if value != "" else None  # an empty cell reads as None, as from a file
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PayloadError(f"{where} 的数值无效。")
        # Excel hands whole numbers over as floats (35.0); a file read gives 35.
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if isinstance(value, dict) and set(value) == {"date"}:
        return _date(value["date"], where)
    raise PayloadError(f"{where} 的值应为文字、数字、true/false、null 或 {{\"date\": \"…\"}}，不能是{_kind(value)}。")


def _kind(value: Any) -> str:
    return "数组" if isinstance(value, list) else "对象" if isinstance(value, dict) else type(value).__name__


def _int(data: dict, key: str, default: int, limit: int, where: str) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        raise PayloadError(f"{where} 的“{key}”应为 1 到 {limit} 之间的整数。")
    return value


def _rect(raw: Any, where: str) -> tuple[int, int, int, int]:
    if isinstance(raw, str):
        m = _RANGE.match(raw.strip().split("!")[-1])
        if not m:
            raise PayloadError(f"{where} 的合并区域“{raw[:40]}”不是 A1:C3 这样的地址。")
        r1, c1 = parse_address(m.group(1))
        r2, c2 = parse_address(m.group(2) or m.group(1))
    elif isinstance(raw, list) and len(raw) == 4 and all(isinstance(x, int) and not isinstance(x, bool) for x in raw):
        r1, c1, r2, c2 = raw
    else:
        raise PayloadError(f"{where} 的合并区域应写成 \"A1:C3\" 或 [起始行, 起始列, 结束行, 结束列]。")
    if not (1 <= r1 <= r2 <= MAX_ROW and 1 <= c1 <= c2 <= MAX_COL):
        raise PayloadError(f"{where} 的合并区域 {raw} 超出工作表范围。")
    return r1, c1, r2, c2


def _is_date_format(fmt: str) -> bool:
    from openpyxl.styles.numbers import is_date_format

    return is_date_format(fmt)


def grids(data: dict, limits: Limits) -> list[Grid]:
    """The request's sheets as Grids, exactly as the openpyxl engine reads the same workbook."""
    sheets = data.get("sheets")
    if not isinstance(sheets, list) or not sheets:
        raise PayloadError("请求中缺少“sheets”：应为工作表的数组，每个工作表有 name 和 values。")
    if len(sheets) > MAX_SHEETS:
        raise PayloadError(f"工作表超过 {MAX_SHEETS} 张，不像自评表工作簿。")
    out: list[Grid] = []
    seen: set[str] = set()
    cells = merged_total = 0
    for i, sheet in enumerate(sheets, start=1):
        if not isinstance(sheet, dict):
            raise PayloadError(f"第 {i} 个工作表应为对象（含 name 和 values）。")
        name = sheet.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME:
            raise PayloadError(f"第 {i} 个工作表的名称（name）应为 1 到 {MAX_NAME} 个字符的文字。")
        if name.lower() in seen:
            raise PayloadError(f"工作表“{name}”出现了两次。")
        seen.add(name.lower())
        where = f"工作表“{name}”"
        rows = sheet.get("values", [])
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise PayloadError(f"{where} 的 values 应为二维数组（每行一个数组）。")
        r0 = _int(sheet, "row", 1, MAX_ROW, where)
        c0 = _int(sheet, "column", 1, MAX_COL, where)
        if r0 - 1 + len(rows) > MAX_ROW or c0 - 1 + max((len(r) for r in rows), default=0) > MAX_COL:
            raise PayloadError(f"{where} 的 values 超出工作表范围。")
        cells += sum(len(r) for r in rows)
        if cells > limits.max_cells:
            raise PayloadError(f"单元格总数超过 {limits.max_cells} 个，远大于自评表。请只发送自评表所在的工作表，"
                               "或删除多余的行列后再试。", 413)
        formats = sheet.get("formats") or {}
        if not isinstance(formats, dict) or len(formats) > limits.max_cells:
            raise PayloadError(f"{where} 的 formats 应为 {{\"A1\": \"数字格式\"}} 形式的对象。")
        dates: set[tuple[int, int]] = set()
        for a1, fmt in formats.items():
            if not _A1.match(a1) or not isinstance(fmt, str) or len(fmt) > 255:
                raise PayloadError(f"{where} 的 formats 中“{str(a1)[:20]}”应为单元格地址对数字格式文字。")
            if _is_date_format(fmt):
                dates.add(parse_address(a1))
        values: list[list[Any]] = [[] for _ in range(r0 - 1)]
        lead = [None] * (c0 - 1)
        for r, row in enumerate(rows, start=r0):
            cleaned = list(lead)
            for c, v in enumerate(row, start=c0):
                v = _cell(v, f"{where} {address(r, c)}")
                if (r, c) in dates and isinstance(v, (int, float)) and not isinstance(v, bool):
                    v = _serial_date(v, f"{where} {address(r, c)}")
                cleaned.append(v)
            values.append(cleaned)
        # Trailing empty rows and columns, as the openpyxl engine drops them.
        last_col = 0
        for row in values:
            for c in range(len(row), 0, -1):
                if row[c - 1] is not None:
                    last_col = max(last_col, c)
                    break
        while values and all(v is None for v in values[-1]):
            values.pop()
        # Empty rows as [], filled rows padded to the last column: the openpyxl engine's shape.
        values = [[] if all(v is None for v in row) else (row + [None] * (last_col - len(row)))[:last_col]
                  for row in values]
        merged_raw = sheet.get("merged") or []
        if not isinstance(merged_raw, list):
            raise PayloadError(f"{where} 的 merged 应为合并区域的数组。")
        merged_total += len(merged_raw)
        if merged_total > limits.max_merged:
            raise PayloadError(f"合并区域超过 {limits.max_merged} 个，不像自评表。", 413)
        merged = []
        for m in merged_raw:
            rect = _rect(m, where)
            if rect[:2] != rect[2:] and rect not in merged:
                merged.append(rect)
        out.append(Grid(name, values, merged, hidden=sheet.get("hidden") is True))
    return out


def _serial_date(serial: float, where: str):
    from openpyxl.utils.datetime import from_excel

    try:
        return from_excel(serial)
    except (ValueError, OverflowError):
        raise PayloadError(f"{where} 设为日期格式，但其中的数 {serial} 不是有效日期。") from None


def notes(data: dict) -> dict[str, dict[str, str]]:
    """sheet -> {A1: current note text} as the client read them."""
    out: dict[str, dict[str, str]] = {}
    for sheet in data.get("sheets") or []:
        raw = sheet.get("notes") or {}
        if not isinstance(raw, dict):
            raise PayloadError(f"工作表“{sheet.get('name')}”的 notes 应为 {{\"A1\": \"批注\"}} 形式的对象。")
        got = {}
        for a1, text in raw.items():
            if not _A1.match(a1) or not isinstance(text, str) or len(text) > MAX_TEXT:
                raise PayloadError(f"工作表“{sheet.get('name')}”的批注“{str(a1)[:20]}”格式不对：应为单元格地址对批注文字。")
            r, c = parse_address(a1)
            got[address(r, c)] = text
        out[sheet["name"]] = got
    return out
