"""How the 自评表 prints: row heights that fit wrapped text, one print setup, page breaks between 一级 blocks.

The form is printed, signed and stamped, so what matters is the page: a row too short for its text
is clipped (Excel, WPS and LibreOffice all draw only what fits), a page break inside a 一级 block
splits the merged 一级 cell, and pages after the first need the indicator header row.

row_height() is pure (the writer uses it for the rows score owns; the template for every row);
print_setup() and paginate() work on an openpyxl worksheet (template build and score's save).
"""
from __future__ import annotations

import math
import unicodedata
from typing import Any, Iterable, Sequence

# Excel column width is in characters of the default font (max digit width 7 px at 96 dpi, plus
# 5 px padding); a point is 4/3 px.
PX_PER_CHAR, PX_PAD = 7, 5
CELL_PAD_PT = 3.0  # left + right text inset of a cell
LINE_EM = 1.45  # line height of the CJK faces used (宋体 and its Linux stand-ins) per font size
LINE_RULE_SLACK = 0.95  # line-breaking rules (no "；" at a line start…) lose some width per line
FORM_FONT_PT = 10.5

# A4 in points and the form's margins (inches), shared by print_setup and paginate.
A4_SHORT, A4_LONG = 595.3, 841.9
MARGIN_LR, MARGIN_TB, MARGIN_HF = 0.5, 0.6, 0.3
DEFAULT_ROW_PT = 15.0
# A page is left short to keep a block whole only while it stays this full: a form whose table
# would start on page 2 below a two-thirds-empty page 1 reads worse than a 二级 boundary break.
FULL_ENOUGH = 0.7


def column_points(width_chars: float) -> float:
    return math.floor(width_chars * PX_PER_CHAR + PX_PAD) * 0.75


def _em(ch: str) -> float:
    """Width of one character in ems: CJK and full-width forms take one em, the rest about half."""
    return 1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55


def text_lines(text: Any, width_pt: float, size_pt: float = FORM_FONT_PT) -> int:
    """Lines the text wraps to in a cell width_pt wide (each typed line break starts a new line)."""
    if text is None or text == "":
        return 0
    usable = max(width_pt - CELL_PAD_PT, size_pt) * LINE_RULE_SLACK
    lines = 0
    for para in str(text).split("\n"):
        width = sum(_em(ch) for ch in para) * size_pt
        lines += max(1, math.ceil(width / usable))
    return lines


def row_height(cells: Iterable[tuple[Any, float]], base: float = 20.0, size_pt: float = FORM_FONT_PT) -> float:
    """Height (points) for a row holding (text, width in Excel characters) cells: enough for the
    cell that wraps to the most lines, never below base."""
    lines = max((text_lines(text, column_points(width), size_pt) for text, width in cells), default=0)
    needed = lines * size_pt * LINE_EM + 6 if lines else 0
    return max(base, math.ceil(needed * 2) / 2)


def fit_groups(heights: list[float], keys: list[Any], names: list[Any], width: float) -> list[float]:
    """Grow rows so each run of equal keys (one merged 一级/二级 cell) is tall enough for its name."""
    out = list(heights)
    n = 0
    while n < len(keys):
        m = n
        while m + 1 < len(keys) and keys[m + 1] == keys[n]:
            m += 1
        short = row_height([(names[n], width)], 0) - sum(out[n:m + 1])
        if short > 0:
            out[m] += short
        n = m + 1
    return out


# ---- print setup (openpyxl) -------------------------------------------------------------------------
def print_setup(ws, area: str, landscape: bool, title_rows: str | None = None, fit_width: bool = True,
                scale: int | None = None) -> None:
    """A4, margins, page numbers; one page wide unless told otherwise; title rows repeated."""
    ws.print_area = area
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    if fit_width:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.scale = scale or 100
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = MARGIN_LR
    ws.page_margins.top = ws.page_margins.bottom = MARGIN_TB
    ws.page_margins.header = ws.page_margins.footer = MARGIN_HF
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    if title_rows:
        ws.print_title_rows = title_rows


LEGIBLE_SCALE = 70  # per cent: 11 pt text prints at about 7.7 pt, the smallest a reader of a 汇总 accepts


def table_print_setup(ws, widths: list[float], one_page: bool = False) -> int:
    """A wide table (the 汇总 sheets) on A4 landscape: one page wide only while that keeps the text
    legible, else at LEGIBLE_SCALE with the columns running on to further pages; the header row
    (and the first column, which names the row) repeated on every page. Returns the scale used."""
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.orientation = "landscape"
    ws.page_margins.left = ws.page_margins.right = MARGIN_LR
    ws.page_margins.top = ws.page_margins.bottom = MARGIN_TB
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    width_pt = sum(column_points(w or 8.43) for w in widths)
    fit = min(100, int(100 * (A4_LONG - 2 * 72 * MARGIN_LR) / max(width_pt, 1)))
    if fit >= LEGIBLE_SCALE:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1 if one_page else 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        scale = fit
    else:
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.scale = scale = LEGIBLE_SCALE
        ws.page_setup.pageOrder = "overThenDown"  # a row's columns follow on the next page
        ws.print_title_cols = "A:A"
    if not one_page:
        ws.print_title_rows = "1:1"
    return scale


def _height(ws, r: int) -> float:
    h = ws.row_dimensions[r].height if r in ws.row_dimensions else None
    return float(h) if h else float(ws.sheet_format.defaultRowHeight or DEFAULT_ROW_PT)


def _width_pt(ws, last_col: int) -> float:
    from openpyxl.utils import get_column_letter

    total = 0.0
    for c in range(1, last_col + 1):
        dim = ws.column_dimensions.get(get_column_letter(c))
        total += column_points(dim.width if dim is not None and dim.width else 8.43)
    return total


def last_used_row(ws, last_col: int) -> int:
    """The last row with a value in the printed columns (styled empty rows below do not count)."""
    last = 1
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=last_col):
        if any(c.value not in (None, "") for c in row):
            last = row[0].row
    for m in ws.merged_cells.ranges:
        if m.min_col <= last_col and ws.cell(m.min_row, m.min_col).value not in (None, ""):
            last = max(last, m.max_row)
    return last


def break_rows(heights: dict[int, float], first: int, last: int, page_pt: float, title_pt: float,
               blocks: list[tuple[int, int]], inner: Sequence[tuple[int, int]] = (), header: int | None = None
               ) -> list[int]:
    """Rows that start a new page. A page holds page_pt (pages after the first page_pt - title_pt);
    a break never falls inside a block (r1, r2) that fits on a page, else never inside an inner one."""
    def splits(b: int, spans) -> bool:
        return any(r1 < b <= r2 for r1, r2 in spans)

    breaks: list[int] = []
    start, used, room = first, 0.0, page_pt
    r = first
    while r <= last:
        h = heights.get(r, DEFAULT_ROW_PT)
        if used + h <= room or r == start:
            used += h
            r += 1
            continue
        # Row r does not fit: pick the latest boundary b in (start, r] that splits nothing that fits
        # on a page — as long as the page stays FULL_ENOUGH full (else a smaller unit may split).
        cut = r
        fits = [s for s in blocks if sum(heights.get(x, DEFAULT_ROW_PT) for x in range(s[0], s[1] + 1))
                <= page_pt - title_pt]
        for spans in (fits, list(inner), []):
            b = r
            while b > start + 1 and splits(b, spans):
                b -= 1
            if header is not None and b == header + 1:
                b = header  # the header row goes with the rows it heads, not alone at a page's foot
            filled = sum(heights.get(x, DEFAULT_ROW_PT) for x in range(start, b))
            if b > start and not splits(b, spans) and (filled >= room * FULL_ENOUGH or not spans):
                cut = b
                break
        breaks.append(cut)
        start, used, room, r = cut, 0.0, page_pt - title_pt, cut
    return breaks


def paginate(ws, header_row: int, level1_col: int, last_col: int, landscape: bool = True,
             level2_col: int | None = None) -> list[int]:
    """Print area to the last used row, the indicator header row repeated on every page, and
    manual page breaks between 一级 blocks (vertical merges in level1_col below the header)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break, RowBreak

    last = last_used_row(ws, last_col)
    print_setup(ws, f"A1:{get_column_letter(last_col)}{last}", landscape=landscape,
                title_rows=f"{header_row}:{header_row}")
    width_pt = (A4_LONG if landscape else A4_SHORT) - 2 * 72 * MARGIN_LR
    height_pt = (A4_SHORT if landscape else A4_LONG) - 2 * 72 * MARGIN_TB
    scale = min(1.0, width_pt / max(_width_pt(ws, last_col), 1.0))
    page = height_pt / scale * 0.97  # a little spare: renderers round row heights to pixels
    heights = {r: _height(ws, r) for r in range(1, last + 1)}

    def vertical(col: int | None) -> list[tuple[int, int]]:
        if col is None:
            return []
        return sorted((m.min_row, m.max_row) for m in ws.merged_cells.ranges
                      if m.min_col == col and m.min_row > header_row and m.max_row > m.min_row)

    blocks, inner = vertical(level1_col), vertical(level2_col)
    rows = break_rows(heights, 1, last, page, heights[header_row], blocks, inner, header=header_row)
    ws.row_breaks = RowBreak()
    for r in rows:
        ws.row_breaks.append(Break(id=r - 1))  # a break after row id
    # A merged cell a break runs through (the 绩效指标 label beside the whole table) would print its
    # centred text cut in two across the pages: top-aligned it prints whole on the first of them.
    from copy import copy

    for m in ws.merged_cells.ranges:
        anchor = ws.cell(m.min_row, m.min_col)
        if any(m.min_row < r <= m.max_row for r in rows) and anchor.value not in (None, ""):
            align = copy(anchor.alignment)
            align.vertical = "top"
            anchor.alignment = align
    return rows


def repaginate_form(ws) -> list[int]:
    """paginate() for a 自评表 sheet as it is now (after score grew rows or the clerk inserted some),
    finding the indicator header by its labels."""
    from evaltool.workbook import layout as L

    labels = tuple(L.IND_HEADERS[k] for k in ("一级指标", "二级指标", "三级指标"))
    found = find_form_header(ws, labels)
    if found is None:
        return []
    row, cols = found
    # The printed table ends with 偏差原因…; the 自评得分 helper column beside it is not printed.
    last_col = cols.get(L.IND_HEADERS["偏差原因分析及改进措施"]) or max(cols.values())
    return paginate(ws, row, cols[labels[0]], last_col, level2_col=cols[labels[1]])


def find_form_header(ws, labels: tuple[str, ...], max_rows: int = 60) -> tuple[int, dict[str, int]] | None:
    """Row and columns of the indicator header (the row holding all labels), found by label."""
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, max_rows)):
        found = {str(c.value).strip(): c.column for c in row if isinstance(c.value, str)}
        if all(lab in found for lab in labels):
            return row[0].row, found
    return None


__all__ = ["table_print_setup", "fit_groups", "row_height", "text_lines", "column_points", "print_setup", "paginate", "break_rows",
           "last_used_row", "find_form_header", "repaginate_form"]
