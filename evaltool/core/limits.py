"""Every bound evaltool puts on what it reads, in one place (README “上限” lists them).

A filled form is tens of KB with a few hundred cells; these bounds sit far above any real form and
far below what would make a command run for minutes or exhaust memory. Each can be changed with an
environment variable EVALTOOL_LIMIT_<NAME> (e.g. EVALTOOL_LIMIT_ROWS=20000), for a bureau whose
forms really are larger. Pure: imports nothing outside the standard library.
"""
from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation

# name -> (default, what it bounds, in the words of the message that names it)
_DEFAULTS: dict[str, tuple[object, str, str]] = {
    "FILE_MB": (50, "工作簿文件大小", " MB"),
    "UNPACKED_MB": (400, "工作簿解压后的总大小", " MB"),
    "PART_MB": (40, "工作簿中单个部件（如一张工作表）解压后的大小", " MB"),
    "ROWS": (5000, "每张工作表读取的行数", " 行"),
    "COLUMNS": (256, "每张工作表读取的列数", " 列"),
    "CELLS": (1_000_000, "整个工作簿读取的单元格数", " 个"),
    # Cells a workbook stores (formatted empty ones too): each costs every reader and writer time.
    "STORED_CELLS": (50_000, "整个工作簿存储的单元格数", " 个"),
    "STYLES": (10_000, "格式部件中的格式、字体、填充、边框、条件格式样式或数字格式数", " 个"),
    "SHEETS": (255, "工作簿读取的工作表数", " 张"),
    "MERGED_CELLS": (50_000, "整个工作簿合并区域覆盖的单元格数", " 个"),
    "LIST_ENTRIES": (1000, "每张工作表的合并区域、数据有效性、条件格式或超链接条数", " 条"),
    "TEXT_CHARS": (32_767, "单元格文字长度", " 字"),
    "CASE_MB": (5, "案例文件大小", " MB"),
    "DOCX_MB": (50, "Word 报告文件大小", " MB"),
    "DOCX_PARAGRAPHS": (20_000, "Word 报告的段落数", " 段"),
    "DOCX_CHARS": (2_000_000, "Word 报告的文字总量", " 字"),
    "INDICATORS": (500, "报告附表的绩效指标行数", " 行"),  # Word tables grow slower than linearly
    "SECONDS": (60, "读取一个文件的时间", " 秒"),
    # Magnitudes: beyond these a figure is reported as 数值过大 instead of being computed with.
    "NUMBER": (Decimal("1e15"), "数值的绝对值", ""),  # Excel keeps 15 significant digits
    "MONEY": (Decimal("1e10"), "金额的绝对值", " 万元"),  # 1 万亿元: above any single project
    "WEIGHT": (Decimal(1000), "分值", " 分"),
}


# os.environ.get raises and catches two KeyErrors for every variable that is not set (~1.5 µs):
# the limits are asked ~50 times per file a bureau consolidates. On POSIX the environment's own
# dict (what os.environ wraps, kept current by it) is asked directly, with the keys encoded once.
_ENV_DATA = getattr(os.environ, "_data", None) if os.name == "posix" else None
_ENV_KEYS = {name: os.fsencode(f"EVALTOOL_LIMIT_{name}") for name in _DEFAULTS}


def _raw(name: str) -> str | None:
    key = _ENV_KEYS.get(name)
    if key is not None and isinstance(_ENV_DATA, dict):
        value = _ENV_DATA.get(key)
        return None if value is None else os.fsdecode(value)
    return os.environ.get(f"EVALTOOL_LIMIT_{name}")


def _env(name: str, default: object) -> object:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = Decimal(raw.strip())
    except (InvalidOperation, ValueError):
        return default
    if not value.is_finite() or value <= 0:
        return default
    return value if isinstance(default, Decimal) else int(value)


def get(name: str):
    """The current value of one limit (read each time, so a test or a bureau can change it)."""
    key = _ENV_KEYS.get(name)
    if key is not None and _ENV_DATA.__class__ is dict and key not in _ENV_DATA:  # type: ignore[operator]
        return _DEFAULTS[name][0]  # not set (nearly always): no parsing
    return _env(name, _DEFAULTS[name][0])


def describe(name: str) -> str:
    """What the limit bounds, in Chinese, with its value: for messages that say which limit was hit."""
    value = get(name)
    shown = f"{value:,.0f}" if isinstance(value, Decimal) else str(value)
    _, what, unit = _DEFAULTS[name]
    return f"{what}上限 {shown}{unit}（可用环境变量 EVALTOOL_LIMIT_{name} 调整）"


def names() -> list[str]:
    return list(_DEFAULTS)


def file_bytes() -> int:
    return get("FILE_MB") * 1024 * 1024


def unpacked_bytes() -> int:
    return get("UNPACKED_MB") * 1024 * 1024


def part_bytes() -> int:
    return get("PART_MB") * 1024 * 1024


class LimitExceeded(Exception):
    """A bound was hit; str() is the Chinese sentence naming it (callers wrap it as InputError)."""
