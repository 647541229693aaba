"""The one seam to the outside world.

A sheet comes in as a Grid (all its values in one read); results go out as a list of CellWrite.
The openpyxl engine (files) and the xlwings engine (live Excel) each implement both ends in one
small module; everything between is engine-free.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def col_letter(col: int) -> str:
    """1-based column number -> Excel letters (1 -> A, 27 -> AA)."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def address(row: int, col: int) -> str:
    """1-based row/col -> A1 address."""
    return f"{col_letter(col)}{row}"


def quoted_sheet(name: str) -> str:
    """A sheet name as a cell reference writes it: '自评''表 (1)' (quoted, a quote inside doubled)."""
    return "'" + name.replace("'", "''") + "'"


def parse_address(a1: str) -> tuple[int, int]:
    """A1 address -> 1-based (row, col)."""
    a1 = a1.replace("$", "").upper()
    col = 0
    i = 0
    while i < len(a1) and a1[i].isalpha():
        col = col * 26 + ord(a1[i]) - 64
        i += 1
    return int(a1[i:]), col


class Percent(float):
    """A number in a cell formatted as a percentage: 0.93 that Excel shows as 93%. Engines that know
    number formats hand such cells over as Percent, so the core reads what the clerk sees (93%) and
    not a bare fraction. Still a float for everything else (arithmetic, comparisons, repr)."""

    __slots__ = ()
    factor = 100  # "0%" scales the value; PercentLiteral ("0\"%\"") does not

    @property
    def text(self) -> str:
        from decimal import Decimal

        value = Decimal(repr(float(self))) * self.factor
        shown = f"{value:f}"
        if "." in shown:
            shown = shown.rstrip("0").rstrip(".")
        return shown + "%"


class PercentLiteral(Percent):
    """A number whose format only appends a literal % (0"%"): 93 shown as 93%."""

    __slots__ = ()
    factor = 1


def percent_format(number_format: str | None) -> type[Percent] | None:
    """Percent for a scaling percent format ('0.00%'), PercentLiteral for a literal one ('0"%"'),
    None otherwise. Quoted text and backslash-escaped characters do not scale."""
    if not number_format or "%" not in number_format:
        return None
    import re

    bare = re.sub(r'"[^"]*"|\\.', "", number_format)
    return Percent if "%" in bare else PercentLiteral


@dataclass
class Grid:
    """A sheet's values, row-major; values[r][c] is the cell at row r+1, column c+1."""

    sheet: str
    values: list[list[Any]]
    # Merged ranges as 1-based inclusive (min_row, min_col, max_row, max_col).
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    # hidden (or very hidden) in the workbook: a form on it is not read (often last year's copy), only named
    hidden: bool = False

    @property
    def nrows(self) -> int:
        return len(self.values)

    @property
    def ncols(self) -> int:
        return max((len(r) for r in self.values), default=0)

    def get(self, row: int, col: int) -> Any:
        """1-based access; cells outside the used range read as None."""
        if 1 <= row <= len(self.values):
            r = self.values[row - 1]
            if 1 <= col <= len(r):
                return r[col - 1]
        return None

    def merged_top_left(self, row: int, col: int) -> tuple[int, int]:
        """The anchor of the merged range holding (row, col), or the cell itself."""
        for r1, c1, r2, c2 in self.merged:
            if r1 <= row <= r2 and c1 <= col <= c2:
                return r1, c1
        return row, col


@dataclass
class CellWrite:
    """One result leaving the core: a value, a style name and/or a note for one cell.

    keep_value=True leaves the cell's value alone (marks a clerk's cell without touching it).
    style is a name the engines map to a look: "computed", "error", "warning", "info", "clear".
    note=None leaves any note as it is; note="" removes evaltool's note.
    row_height (points) sets the height of the cell's row: the writer grows rows it owns (the
    template's indicator rows) so wrapped text is not cut off on paper.
    """

    sheet: str
    cell: str
    value: Any = None
    style: str | None = None
    note: str | None = None
    keep_value: bool = False
    row_height: float | None = None

