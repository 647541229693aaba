"""The xlwings engine: the live workbook in as Grids, CellWrites and the 校验结果 sheet out.

Every Excel round trip is slow (COM on Windows, AppleScript on macOS, a JSON action on the
remote engine), so reads are one bulk `used_range.value` per sheet and writes are grouped:
values into rectangles of adjacent cells (the 得分 column is one write however many indicators
there are), looks by style into rectangles too — and, where Excel accepts them (COM), into one
multi-area range per style. Notes are listed once per sheet (sheet.notes), so a computed cell
with nothing to say and no note costs no call; an engine that cannot read row heights is asked
once, not once per row. On the remote engine every call (reads included) depends on the form's
shape, the notes already there and the number of findings, never on the number of indicator rows
(tests/test_excel.py counts them). On Windows (COM) the merged areas come from one read of the
used range as XML Spreadsheet (Range.Value(11), which lists each merge; a Find per area only where
that read fails), and the grow-only row heights from one read per span of rows of equal height
(one for a form whose rows the clerk has not resized) and one write per height and ≤255-character
address (tests/test_excel.py counts both on an engine object that records every call).
"""
from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

from evaltool.core.seam import CellWrite, Grid, address, parse_address, quoted_sheet
from evaltool.workbook import layout as L

Rect = tuple[int, int, int, int]  # r1, c1, r2, c2 (1-based, inclusive)
MAX_AREA_ADDRESS = 255  # Excel's limit for the address string of Range("A1,B2:B9,…")




# ---- reading -------------------------------------------------------------------------------------
def read_grid(sheet) -> Grid:
    """All values of a sheet in one call; rows/cols before the used range are padded."""
    rng = sheet.used_range
    # err_to_str: an error cell (#DIV/0!, #N/A) as its text, as the file engines read it (xlwings gives
    # None by default, and the form would say "…未填写" where check says E-CELL-ERROR)
    values = rng.options(ndim=2, err_to_str=True).value or [[]]
    r0, c0 = rng.row, rng.column
    lead = [None] * (c0 - 1)  # columns before the used range
    values = [lead + [_clean(v) for v in row] for row in values]
    values = [[None] * len(values[0]) for _ in range(r0 - 1)] + values  # rows before it
    while values and all(v is None for v in values[-1]):
        values.pop()
    return Grid(sheet.name, values, merged_ranges(sheet, values), hidden=_hidden(sheet))


def _hidden(sheet) -> bool:
    """Hidden or very hidden; an engine that cannot tell (a payload without the sheet's visibility)
    shows every sheet as visible, as evaltool read them before it looked."""
    try:
        return sheet.visible is False
    except Exception:  # noqa: BLE001 - KeyError from a remote payload without "visibility", COM errors
        return False


def _clean(value: Any) -> Any:
    # Excel hands whole numbers back as floats (35.0); the openpyxl engine gives 35.
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def read_grids(book) -> list[Grid]:
    return [read_grid(sheet) for sheet in book.sheets]


def merged_ranges(sheet, values: list[list[Any]]) -> list[Rect]:
    """Merged areas, as far as the engine can tell cheaply. The reader needs them to find the cell
    right of a merged label (评价等次, 得分小计); merged 一级/二级 cells it reads from their anchors.

    Excel on Windows: one read of the used range as XML Spreadsheet (_com_merged). Other desktop engines: merge_area of the few cells
    that can be merged labels (a value with an empty cell to its right, in a row of at most three
    values). The remote engine cannot say: none.
    """
    if _is_com(sheet):
        return _com_merged(sheet)
    out: list[Rect] = []
    probes = 0
    for r, row in enumerate(values, start=1):
        filled = [c for c, v in enumerate(row, start=1) if v is not None]
        if not filled or len(filled) > 3:
            continue
        for c in filled:
            if c < len(row) and row[c] is None:
                probes += 1
                if probes > 300:
                    return out
                try:
                    area = sheet.range((r, c)).merge_area
                except Exception:  # noqa: BLE001 - NotImplementedError on the remote engine
                    return out
                rect = (area.row, area.column, area.row + area.shape[0] - 1, area.column + area.shape[1] - 1)
                if rect[2:] != rect[:2] and rect not in out:
                    out.append(rect)
    return out


def _com_merged(sheet) -> list[Rect]:
    """Every merged area of the used range: one read of it as XML Spreadsheet 2003 (Excel's
    Range.Value(xlRangeValueXMLSpreadsheet) names each merge, ss:MergeAcross/ss:MergeDown), else
    one Find per area."""
    try:
        used = sheet.api.UsedRange
        xml = None
        try:
            xml = used.Value(11)  # pywin32 gives a property with arguments as a method...
        except TypeError:
            pass
        if not isinstance(xml, str):  # ...or reads it at once: then the property get itself
            xml = used._oleobj_.Invoke(6, 0, 2, True, 11)  # (Range.Value is DISPID 6; 2: DISPATCH_PROPERTYGET)
        if isinstance(xml, str):
            found = merges_from_xml_spreadsheet(xml, used.Row, used.Column)
            if found is not None:
                return found
    except Exception:  # noqa: BLE001 - an Excel without that read: the Find below
        pass
    return _com_merged_by_find(sheet)


def merges_from_xml_spreadsheet(xml: str, row0: int = 1, col0: int = 1) -> list[Rect] | None:
    """The merged areas an XML Spreadsheet 2003 text names (rows and cells numbered as its ss:Index
    attributes say, from the range's top-left row0, col0); None when it is not such a text."""
    import re

    table = re.search(r"<(?:ss:)?Table\b.*?</(?:ss:)?Table>", xml, re.S)
    if table is None:
        return None
    out: list[Rect] = []
    r = row0 - 1
    covered: dict[int, set[int]] = defaultdict(set)  # cells under a merge from a row above
    for row in re.finditer(r"<(?:ss:)?Row\b([^>]*?)(/>|>(.*?)</(?:ss:)?Row>)", table.group(0), re.S):
        index = re.search(r'\bss:Index="(\d+)"', row.group(1))
        r = row0 - 1 + int(index.group(1)) if index else r + 1
        c = col0 - 1
        for cell in re.finditer(r"<(?:ss:)?Cell\b([^>]*?)/?>", row.group(3) or ""):
            attrs = cell.group(1)
            index = re.search(r'\bss:Index="(\d+)"', attrs)
            c = col0 - 1 + int(index.group(1)) if index else c + 1
            while not index and c in covered[r]:
                c += 1  # (a cell after a merge from above is numbered past it)
            across = re.search(r'\bss:MergeAcross="(\d+)"', attrs)
            down = re.search(r'\bss:MergeDown="(\d+)"', attrs)
            w, h = int(across.group(1)) if across else 0, int(down.group(1)) if down else 0
            if w or h:
                out.append((r, c, r + h, c + w))
                for rr in range(r + 1, r + h + 1):
                    covered[rr].update(range(c, c + w + 1))
            c += w
            if len(out) >= 5000:
                return out
    return out


def _com_merged_by_find(sheet) -> list[Rect]:
    try:
        api = sheet.api
        app = api.Application
        app.FindFormat.Clear()
        app.FindFormat.MergeCells = True
        used = api.UsedRange
        found = used.Find(What="", SearchFormat=True)
        out: list[Rect] = []
        while found is not None and len(out) < 5000:
            where = str(found.MergeArea.Address).replace("$", "")  # "B3:D4": one call, not six
            first, _, last = where.partition(":")
            (r1, c1), (r2, c2) = parse_address(first), parse_address(last or first)
            rect = (r1, c1, r2, c2)
            if rect in out:  # Find wraps around to the first hit
                break
            out.append(rect)
            found = used.Find(What="", After=api.Range(last or first), SearchFormat=True)
        app.FindFormat.Clear()
        return out
    except Exception:  # noqa: BLE001 - merged info is an aid to the reader, never a failure
        return []


def _is_com(sheet) -> bool:
    return sys.platform.startswith("win") and type(sheet.impl).__module__.endswith("_xlwindows")


# ---- grouping ------------------------------------------------------------------------------------
def rectangles(cells: Iterable[tuple[int, int]]) -> list[Rect]:
    """Cover the cells exactly with few rectangles: vertical runs per column, then runs with the same
    rows in adjacent columns joined. Deterministic order (by top-left)."""
    by_col: dict[int, list[int]] = defaultdict(list)
    for r, c in set(cells):
        by_col[c].append(r)
    runs: list[Rect] = []
    for c in sorted(by_col):
        rows = sorted(by_col[c])
        start = prev = rows[0]
        for r in rows[1:]:
            if r != prev + 1:
                runs.append((start, c, prev, c))
                start = r
            prev = r
        runs.append((start, c, prev, c))
    merged: dict[tuple[int, int], Rect] = {}
    out: list[Rect] = []
    for r1, c, r2, _ in runs:  # columns ascending, so a run can only extend one to its left
        left = merged.get((r1, r2))
        if left is not None and left[3] == c - 1:
            grown = (left[0], left[1], left[2], c)
            out[out.index(left)] = grown
            merged[(r1, r2)] = grown
        else:
            rect = (r1, c, r2, c)
            out.append(rect)
            merged[(r1, r2)] = rect
    return sorted(out)


def _a1(rect: Rect) -> str:
    r1, c1, r2, c2 = rect
    return address(r1, c1) if (r1, c1) == (r2, c2) else f"{address(r1, c1)}:{address(r2, c2)}"


def area_groups(sheet, rects: list[Rect]) -> list:
    """xlwings ranges covering rects: one multi-area range per ≤255-character address on COM,
    one range per rectangle on engines without multi-area ranges."""
    if not rects:
        return []
    if not _is_com(sheet):
        return [sheet.range(_a1(r)) for r in rects]
    out, chunk = [], ""
    for r in rects:
        a = _a1(r)
        if chunk and len(chunk) + 1 + len(a) > MAX_AREA_ADDRESS:
            out.append(sheet.range(chunk))
            chunk = ""
        chunk = f"{chunk},{a}" if chunk else a
    out.append(sheet.range(chunk))
    return out


# ---- writing -------------------------------------------------------------------------------------
@dataclass
class WriteStats:
    value_calls: int = 0
    style_calls: int = 0
    note_calls: int = 0


@dataclass
class SheetGroups:
    """One sheet's writes grouped for few calls: value blocks by rectangle, style -> rectangles,
    and each note (text to set, "" to remove evaltool's note) by cell."""

    values: list[tuple[Rect, list[list[Any]]]]
    styles: dict[str, list[Rect]]
    notes: dict[tuple[int, int], str]
    heights: dict[int, float]  # row -> the height its wrapped text needs (rows only ever grow)


def group_writes(writes: list[CellWrite], names: set[str] | None = None) -> dict[str, SheetGroups]:
    """CellWrites -> per sheet (in first-write order) the grouped calls that apply them. Shared by
    this engine and `evaltool serve` (whose WPS add-in makes one call per group, as Excel does here)."""
    by_sheet: dict[str, list[CellWrite]] = defaultdict(list)
    for w in writes:
        if names is None or w.sheet in names:
            by_sheet[w.sheet].append(w)
    out: dict[str, SheetGroups] = {}
    for name, ws in by_sheet.items():
        # values: the last write of a cell wins, as in the openpyxl engine
        values: dict[tuple[int, int], Any] = {}
        styles: dict[str, set[tuple[int, int]]] = defaultdict(set)
        notes: dict[tuple[int, int], str] = {}
        heights: dict[int, float] = {}
        for w in ws:
            rc = parse_address(w.cell)
            if w.row_height is not None:
                heights[rc[0]] = max(heights.get(rc[0], 0.0), w.row_height)
            if not w.keep_value:
                values[rc] = w.value
            if w.style and w.style in L.STYLES:
                for s in styles.values():
                    s.discard(rc)
                styles[w.style].add(rc)
            if w.note is not None:
                notes[rc] = w.note
        blocks = []
        for rect in rectangles(values):
            r1, c1, r2, c2 = rect
            blocks.append((rect, [[as_cell(values[(r, c)]) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]))
        out[name] = SheetGroups(blocks, {st: rectangles(styles[st]) for st in sorted(styles) if styles[st]},
                                dict(sorted(notes.items())), dict(sorted(heights.items())))
    return out


def apply_writes(book, writes: list[CellWrite], ours: set[tuple[str, str]] | None = None) -> WriteStats:
    """Apply CellWrites to the open workbook with grouped calls.

    ours: (sheet, cell) of marks evaltool made on the last run (from 校验结果); on engines that
    cannot read a note's text they tell evaltool's notes from the clerk's.
    """
    stats = WriteStats()
    ours = ours or set()
    heights = True  # until the engine shows it cannot read a row's height
    for name, groups in group_writes(writes, {s.name for s in book.sheets}).items():
        sheet = book.sheets[name]
        if heights and groups.heights:
            heights = grow_rows(sheet, groups.heights)
        for rect, block in groups.values:
            sheet.range(_a1(rect)).value = block
            stats.value_calls += 1
        for style, rects in groups.styles.items():
            spec = L.STYLES[style]
            for rng in area_groups(sheet, rects):
                rng.color = _hex(spec.get("fill"))
                stats.style_calls += 1
        existing = existing_notes(sheet)
        for (r, c), text in groups.notes.items():
            if existing is not None and not text and (r, c) not in existing:
                continue  # nothing to remove and nothing to say: no call (most computed cells)
            note = existing.get((r, c)) if existing is not None else _MISSING
            stats.note_calls += _set_note(sheet, address(r, c), text, (name, address(r, c)) in ours, note)
    return stats


def existing_notes(sheet) -> dict[tuple[int, int], Any] | None:
    """(row, col) -> note of every cell with a note, from one listing of the sheet's notes (its
    calls grow with the notes there are, not with the cells evaltool writes); None where the engine
    cannot list them."""
    try:
        out = {}
        for note in sheet.notes:
            entry = note.api
            if isinstance(entry, dict):  # the remote engine: the payload's entry, which has the address
                rc = parse_address(str(entry["address"]).split("!")[-1].replace("$", ""))
            else:  # COM/AppleScript: the note's cell
                where = note.location
                rc = (where.row, where.column)
            out[rc] = note
        return out
    except Exception:  # noqa: BLE001 - NotImplementedError (old remote clients) and the like
        return None


def grow_rows(sheet, needed: dict[int, float]) -> bool:
    """Grow rows for their wrapped text, never shrinking one (the clerk may have made it taller),
    in few calls: the current heights are read one span of rows at a time (a span whose rows differ
    gives no single height and is halved), so a form whose rows the clerk has not resized costs one
    read; then one write per height needed, over all the rows needing it (one multi-area range per
    ≤255-character address on COM, one range per run of rows elsewhere). An engine without row
    formatting leaves the rows as they are; False when it cannot read row heights (the remote
    engine), so the caller stops asking."""
    rows = sorted(needed)
    current: dict[int, float] = {}
    try:
        spans = [rows]
        while spans:
            inside = spans.pop()  # rows to read, ascending: read as the span from first to last
            h = sheet.range(f"{inside[0]}:{inside[-1]}").row_height
            if h is not None or len(inside) == 1:
                current.update((r, h or 0) for r in inside)
            else:  # rows of different heights: no single answer, so each half is asked
                half = len(inside) // 2
                spans += [inside[:half], inside[half:]]
        by_height: dict[float, list[int]] = defaultdict(list)
        for r in rows:
            if current.get(r, 0) < needed[r]:
                by_height[needed[r]].append(r)
        for h, grow in sorted(by_height.items()):
            runs = rectangles((r, 1) for r in grow)
            for rng in _row_groups(sheet, [(r1, r2) for r1, _, r2, _ in runs]):
                rng.row_height = h
    except (NotImplementedError, AttributeError):
        return False
    return True


def _row_groups(sheet, runs: list[tuple[int, int]]) -> list:
    """Ranges covering whole rows (runs of row numbers): one multi-area range per ≤255-character
    address on COM, one range per run elsewhere."""
    if not _is_com(sheet):
        return [sheet.range(f"{a}:{b}") for a, b in runs]
    out, chunk = [], ""
    for a, b in runs:
        part = f"{a}:{b}"
        if chunk and len(chunk) + 1 + len(part) > MAX_AREA_ADDRESS:
            out.append(sheet.range(chunk))
            chunk = ""
        chunk = f"{chunk},{part}" if chunk else part
    out.append(sheet.range(chunk))
    return out


def write_block(sheet, rows: list[list[Any]]) -> list[list[Any]]:
    """Rows of values from A1 in one call (text that looks like a formula kept as text); returns
    the block as written, padded to a rectangle."""
    width = max((len(r) for r in rows), default=0)
    block = [[as_cell(v) for v in r] + [None] * (width - len(r)) for r in rows]
    if block and width:
        sheet.range((1, 1), (len(block), width)).value = block
    return block


def as_cell(value: Any) -> Any:
    """Text that Excel would evaluate (starts with = + - @, cellvalue.FORMULA_LEADS) is written as
    text: Excel keeps the leading apostrophe as the cell's prefix character, not in its value."""
    if isinstance(value, str):
        from evaltool.workbook.cellvalue import looks_like_formula, xml_safe

        value = xml_safe(value)
        if looks_like_formula(value) and value[0] not in "\t\r\n":
            return "'" + value
    return value


def _hex(color: str | None) -> str | None:
    return f"#{color}" if color else None


def _note_text(note) -> str | None:
    try:
        return note.text
    except NotImplementedError:
        return None  # remote engine: it knows that a note exists, not what it says


_MISSING = object()


def _set_note(sheet, cell: str, text: str, ours: bool, note=_MISSING) -> int:
    """evaltool's note on one cell (layout.note_after decides what it becomes); note: the cell's
    note or None when already known (existing_notes). Returns calls made."""
    rng = sheet.range(cell)
    if note is _MISSING:
        note = rng.note
    text = L.note_after(note is not None, _note_text(note) if note is not None else None, text, ours)
    if text is None:
        return 0
    if note is None:
        rng.add_note(text)
    elif text == "":
        note.delete()
    else:
        note.text = text
    return 1


def write_results(book, rs) -> None:
    """The 校验结果 sheet with the writer's rows (same content as the openpyxl engine's)."""
    names = [s.name for s in book.sheets]
    if rs.name in names:
        sheet = book.sheets[rs.name]
        sheet.clear()
    else:
        sheet = book.sheets.add(rs.name, after=book.sheets[len(names) - 1])
    block = write_block(sheet, rs.rows)
    title = sheet.range((rs.title_row, 1))
    title.font.bold = True
    title.font.size = 14
    for r in rs.header_rows:
        head = sheet.range((r, 1), (r, len(rs.rows[r - 1])))
        head.color = "#D9D9D9"
        head.font.bold = True
        if r >= 2:
            sheet.range((r - 1, 1)).font.bold = True
    by_sev: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for r, severity in rs.severity_rows.items():
        by_sev[severity].add((r, 4))
    for severity in sorted(by_sev):
        for rng in area_groups(sheet, rectangles(by_sev[severity])):
            rng.color = _hex(L.STYLES[severity]["fill"])
    for (r, c), (target, a1) in sorted(rs.links.items()):
        _link(sheet, sheet.range((r, c)), target, a1, str(block[r - 1][c - 1]))
    for i, w in enumerate(rs.widths, start=1):
        sheet.range((1, i)).column_width = w


def _link(sheet, cell, target: str, a1: str, text: str) -> None:
    tip = f"跳转到“{target}”工作表的 {a1} 单元格"
    if _is_com(sheet):
        # In-workbook links are a SubAddress in Excel's object model.
        api = cell.api
        api.Hyperlinks.Add(Anchor=api, Address="", SubAddress=f"{quoted_sheet(target)}!{a1}", ScreenTip=tip,
                           TextToDisplay=text)
    else:
        cell.add_hyperlink(f"#{quoted_sheet(target)}!{a1}", text_to_display=text, screen_tip=tip)
