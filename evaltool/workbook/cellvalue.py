"""The one way evaltool puts a value into an openpyxl cell.

openpyxl stores any text that starts with "=" as a live formula, and Excel, WPS and LibreOffice
re-evaluate text that starts with = + - @ (or a tab / line break before one) as soon as someone
edits or pastes the cell. A clerk's text ("=HYPERLINK(…)", "=cmd|'/c calc'!A1", "-1") must stay
the clerk's text: it is written as a text cell (t="s"), byte for byte, and flagged quotePrefix
(Excel's own mark for "typed with a leading apostrophe"), so it stays text when edited. The stored
value is never given an apostrophe.
"""
from __future__ import annotations

import re
from typing import Any

# What spreadsheet programs may evaluate when a cell is edited, pasted or imported.
FORMULA_LEADS = frozenset("=+-@\t\r\n")
# Characters no XML part can hold (XML 1.0): C0 controls except tab/LF/CR, lone surrogates, U+FFFE/F.
XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def looks_like_formula(text: str) -> bool:
    return bool(text) and text[0] in FORMULA_LEADS


def xml_safe(text: str) -> str:
    """Text an .xlsx or .docx can hold: the characters XML forbids are removed (there is no way to
    store them; everything else is kept exactly)."""
    return XML_ILLEGAL_RE.sub("", text) if XML_ILLEGAL_RE.search(text) else text


def put(cell, value: Any):
    """Set cell's value; text is always a text cell, whatever it starts with. Returns the cell."""
    quote = False
    if isinstance(value, str):
        text = xml_safe(value)
        cell.value = text
        cell.data_type = "s"  # openpyxl made "=…" a formula in the setter above
        quote = looks_like_formula(text)
    else:
        cell.value = value
    if quote or (cell.has_style and cell.quotePrefix):
        cell.quotePrefix = quote
    return cell


__all__ = ["put", "looks_like_formula", "xml_safe", "FORMULA_LEADS", "XML_ILLEGAL_RE"]
