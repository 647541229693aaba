"""The calamine engine: a workbook's bytes in as Grids, read by python-calamine (fast, read-only).

`evaltool collect` reads every submitted file with it; `evaltool check` falls back to it, in a child
process, where openpyxl cannot read a file. Values are normalised to what the openpyxl engine gives
(None for an empty cell, int for a whole number), so the reader sees the same grid from either.
"""
from __future__ import annotations

import datetime as _dt
import io
from typing import Any

from evaltool.core import limits


class EarlierSummary(Exception):
    """The file is a 汇总 written by an earlier run (it often sits in the folder it summarised), or
    (public) a public copy publish wrote (its 公开 folder often sits in the folder of the forms)."""

    def __init__(self, public: bool = False) -> None:
        super().__init__()
        self.public = public


# Sheets every 汇总 workbook has (output.py writes them); a workbook with all of them is one.
SUMMARY_SHEETS = frozenset({"汇总", "主管部门汇总", "问题清单"})


# ---- reading ---------------------------------------------------------------------------------
def _row(row: list) -> list:
    # calamine gives "" for empty cells and floats for every number; the openpyxl path gives None
    # and ints, and the reader must see the same values whichever engine read the file.
    return [None if v == "" else int(v) if type(v) is float and v.is_integer() and abs(v) < 1e15 else
            v if v is None or type(v) in _PLAIN else _other(v) for v in row]


_PLAIN = frozenset({str, float, int, bool, _dt.date, _dt.datetime})


def _other(v: Any) -> Any:
    # A duration or time of day (calamine's timedelta/time): the text, as the openpyxl path gives it.
    return v if isinstance(v, (str, int, float, _dt.date)) else str(v)


def _convert(raw: list[list], max_text: int) -> bool:
    """_row on every row, in place (calamine gives fresh lists), in one pass that also says whether
    some text is longer than max_text (only then does a reader need to cut it)."""
    long = False
    plain, other = _PLAIN, _other
    for row in raw:
        for i, v in enumerate(row):
            t = type(v)
            if t is str:
                if not v:
                    row[i] = None
                elif len(v) > max_text:
                    long = True
            elif t is float:
                if v.is_integer() and abs(v) < 1e15:
                    row[i] = int(v)
            elif v is not None and t not in plain:
                row[i] = other(v)
    return long


def _clear_merged(values: list[list], merged: list[tuple[int, int, int, int]]) -> None:
    """Empty every cell a merged range covers except its top-left one, in place: Excel shows only
    that one, and openpyxl (check) drops the others as it loads — a value stored inside a range (or
    placed there by position, for cells without an address) must give collect the same verdict."""
    n_rows = len(values)
    for r1, c1, r2, c2 in merged:
        for r in range(r1 - 1, min(r2, n_rows)):
            row = values[r]
            start = c1 if r == r1 - 1 else c1 - 1  # keep the anchor
            for c in range(start, min(c2, len(row))):
                row[c] = None


def calamine_grids(data: bytes, skip: frozenset[str] = frozenset(), long_text: list[str] | None = None,
                   notes: list | None = None) -> list:
    """Every worksheet of a workbook as a Grid (values + merged ranges), one calamine call per sheet;
    sheets named in `skip` are not read at all. Raises whatever calamine raises, and EarlierSummary.
    long_text: if given, the names of the sheets holding text longer than the TEXT_CHARS limit are
    appended to it (the other sheets need no cut_long_text pass). notes: if given, a W-READ-FORMULA
    note is appended for each formula cell whose result the file does not hold (as the openpyxl
    engine gives them)."""
    from python_calamine import CalamineWorkbook

    from evaltool.core.seam import Grid
    from evaltool.engines import sheetxml

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    grids = []
    # calamine gives no number formats and reads error cells as empty: the sheets' XML says both
    # (a percent-formatted 0.85 is 85%, #DIV/0! is an error), so collect reads what check reads.
    book = sheetxml.SheetXml(data)
    try:
        if SUMMARY_SHEETS <= set(wb.sheet_names):
            raise EarlierSummary()
        if book.public_copy():  # publish's copy of a form: that form is collected from the original
            raise EarlierSummary(public=True)
        rows, max_text = limits.get("ROWS"), limits.get("TEXT_CHARS")
        for i, meta in enumerate(wb.sheets_metadata):
            if "WorkSheet" not in str(meta.typ) or meta.name in skip:
                continue  # chart sheets, dialog sheets, macro sheets hold no form
            sheet = wb.get_sheet_by_index(i)
            raw = sheet.to_python(skip_empty_area=False, nrows=rows)
            merged_raw = sheet.merged_cell_ranges or []
            if _convert(raw, max_text) and long_text is not None:
                long_text.append(meta.name)
            body = book.body(meta.name)
            sheetxml.restore(book, meta.name, raw, body)
            if notes is not None:
                notes.extend(sheetxml.unsaved_notes(book, [meta.name], {meta.name: body}))
            values = raw
            merged = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1) for (r1, c1), (r2, c2) in merged_raw]
            _clear_merged(values, merged)
            grids.append(Grid(sheet=meta.name, values=values, merged=merged, hidden=not str(meta.visible).endswith(".Visible")))
    finally:
        wb.close()
        book.close()
    return grids
