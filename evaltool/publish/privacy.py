"""Phone and ID numbers written inside free text (偏差原因 "…详询张三，电话13812345678。"): the public
copy, its PDF and the 情况说明 draft must not carry them, wherever in a sentence they stand. Pure text in,
text out; the labelled signature lines are blank_personal's business (publish/clean.py)."""
from __future__ import annotations

import re

_D = r"[0-9０-９]"
_NOT_DIGIT_BEFORE = r"(?<![0-9０-９.．A-Za-z])"
_NOT_DIGIT_AFTER = r"(?![0-9０-９.．A-Za-z%％])"
_SEP = r"[-－—\s]?"
# 18-digit resident ID (last may be X) or the old 15-digit one; a mobile 1[3-9]… (138 1234 5678 too);
# a landline with its area code: 0571-88888888, （0571）88888888, 010 12345678.
PATTERN = re.compile(
    _NOT_DIGIT_BEFORE + "(?:"
    + rf"{_D}{{17}}[0-9０-９XxＸｘ]|{_D}{{15}}"
    + rf"|[1１][3-9３-９]{_D}{_SEP}{_D}{{4}}{_SEP}{_D}{{4}}"
    + rf"|[（(][0０]{_D}{{2,3}}[）)]\s?{_D}{{7,8}}|[0０]{_D}{{2,3}}[-－—\s]{_D}{{7,8}}"
    + ")" + _NOT_DIGIT_AFTER)


def blank_numbers(text: str) -> tuple[str, int]:
    """(text without its phone and ID numbers, how many were taken out)."""
    return PATTERN.subn("", text)


__all__ = ["PATTERN", "blank_numbers"]
