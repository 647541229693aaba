"""The openpyxl engine: .xlsx files in as Grids, CellWrites and the 校验结果 sheet out, saved atomically.

The input file is only ever read until the final os.replace. score writes by patching the file's
own parts (xlsx_patch: only what evaltool owns is rewritten, images, charts, macros, pivot tables…
are copied byte for byte); where a part cannot be patched safely it saves through openpyxl, and a
file holding content openpyxl would drop is then never overwritten (the results go to a new file).
"""
from __future__ import annotations

import datetime as _dt
import io
import os
import warnings
import zipfile
from pathlib import Path
from typing import Any

from evaltool.core.errors import InputError
from evaltool.core.fileio import atomic_path
from evaltool.core.seam import CellWrite, Grid, quoted_sheet
from evaltool.workbook import layout as L
from evaltool.workbook.cellvalue import put
from evaltool.core import limits
from evaltool.workbook.container import SAVE_AGAIN, Note, Package, Refused, package_of, preflight

MAX_BYTES = 50 * 1024 * 1024  # default of limits FILE_MB (kept for callers that import it)
READ_FAILED = "工作簿的内容已损坏，无法读取。" + SAVE_AGAIN

# Zip members openpyxl does not carry over when it saves, and what a clerk would call them.
DROPPED = (
    ("xl/vbaProject.bin", "宏（VBA 代码）"),
    ("xl/media/", "图片"),
    ("xl/charts/", "图表"),
    ("xl/drawings/drawing", "图形或文本框"),
    ("xl/pivotTables/", "数据透视表"),
    ("xl/pivotCache/", "数据透视表缓存"),
    ("xl/externalLinks/", "外部链接"),
    ("xl/embeddings/", "嵌入对象"),
    ("xl/ctrlProps/", "表单控件"),
    ("xl/slicers/", "切片器"),
    ("xl/timelines/", "日程表"),
    ("xl/threadedComments/", "新式批注（会话）"),
    ("xl/activeX/", "ActiveX 控件"),
)



def _name(path: str | os.PathLike) -> str:
    return Path(path).name


_LAST: dict[str, tuple[tuple, Package]] = {}  # path -> ((size, mtime), its package): score reads twice


def package(path: str | os.PathLike) -> Package:
    """The reading policy's verdict on a file (container.preflight), as InputError when refused."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise InputError(f"找不到文件：{path}")
    if path.is_dir():
        raise InputError(f"{name} 是文件夹，请指定一个 .xlsx 工作簿文件。")
    try:
        st = path.stat()
        key = (st.st_size, st.st_mtime_ns)
    except OSError:
        key = None
    hit = _LAST.get(str(path))
    if hit is not None and key is not None and hit[0] == key:
        return hit[1]
    try:
        pkg = package_of(path)
    except Refused as exc:
        raise InputError(f"{name}：{exc}") from None
    if path.suffix.lower() in (".xls", ".et", ".ods", ".csv", ".numbers"):
        # The content is a workbook the policy accepts: only the name is wrong.
        raise InputError(f"{name} 的内容其实是 .xlsx 工作簿，只是扩展名被改成了“{path.suffix}”。"
                         f"请把文件名改回“{path.stem}.xlsx”后再试，不必另存。")
    _LAST.clear()
    if key is not None:
        _LAST[str(path)] = (key, pkg)
    return pkg


def check_file(path: str | os.PathLike) -> None:
    """Refuse, with a Chinese message, anything that is not a readable .xlsx we can handle."""
    package(path)


def _is_xlsx_zip(path: Path) -> bool:
    """Content sniffing: a zip holding an Excel workbook part, whatever the file is called."""
    try:
        with zipfile.ZipFile(path) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


# ---- what score in place may rewrite ----------------------------------------------------------------
# A whitelist: the parts and elements openpyxl reads and writes back without loss. Anything else in a
# workbook (known or not) means saving through openpyxl would drop it, so the result goes to a new file.
import re as _re

KEPT_PARTS = _re.compile(r"""(?x)^(
    \[Content_Types\]\.xml | _rels/\.rels | docProps/(core|app|custom)\.xml
  | xl/workbook\.xml | xl/_rels/workbook\.xml\.rels | xl/styles\.xml | xl/sharedStrings\.xml
  | xl/theme/theme\d*\.xml | xl/worksheets/[^/]+\.xml | xl/worksheets/_rels/[^/]+\.xml\.rels
  | xl/comments\d*\.xml | xl/comments/comment\d*\.xml | xl/drawings/(vmlDrawing|commentsDrawing)\d*\.vml
  | xl/calcChain\.xml | xl/tables/table\d*\.xml
  | .*/ )$""")  # calcChain: Excel rebuilds it; a trailing "/" is a folder entry

# What a clerk would call the parts openpyxl drops (first match wins); anything else is named by its path.
PART_LABELS = DROPPED + (
    ("customXml/", "自定义 XML 数据（如审批、签批信息）"),
    ("xl/printerSettings/", "打印机设置"),
    ("xl/connections.xml", "数据连接"),
    ("xl/queryTables/", "查询表"),
    ("xl/model/", "数据模型"),
    ("xl/metadata.xml", "动态数组公式的元数据"),
    ("xl/richData/", "单元格中的图片或富数据"),
    ("xl/persons/", "批注人员信息"),
    ("xl/webextensions/", "Office 加载项"),
    ("xl/customProperty", "工作表自定义属性"),
    ("docProps/thumbnail", "缩略图"),
    ("xl/worksheets/_rels/", "工作表的其他关联内容"),
    ("xl/tables/_rels/", "表格的数据查询"),
    ("xl/drawings/", "图形"),
    ("xl/chartsheets/", "图表工作表"),
    ("xl/dialogsheets/", "对话框工作表"),
    ("xl/macrosheets/", "宏表"),
)

# Worksheet elements openpyxl keeps (or whose loss changes nothing: phoneticPr, sheetCalcPr); the
# drawing parts they point to are judged as parts.
_KEPT_SHEET_TAGS = {"sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
                    "sheetProtection", "scenarios", "autoFilter", "mergeCells", "phoneticPr", "conditionalFormatting",
                    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
                    "rowBreaks", "colBreaks", "drawing", "legacyDrawing", "tableParts"}
_SHEET_TAG_LABELS = {
    "extLst": "工作表扩展内容", "AlternateContent": "表单控件或其他扩展内容", "controls": "表单控件",
    "oleObjects": "嵌入对象", "picture": "工作表背景图片", "legacyDrawingHF": "页眉页脚中的图片",
    "ignoredErrors": "忽略错误检查的设置", "protectedRanges": "允许编辑区域", "customSheetViews": "自定义视图",
    "sortState": "排序状态", "dataConsolidate": "合并计算", "customProperties": "工作表自定义属性",
    "cellWatches": "监视窗口", "smartTags": "智能标记", "webPublishItems": "网页发布设置",
}
# Worksheet extensions, by what they hold (the extLst itself is never kept).
DROPPED_EXT = (
    (b"<x14:dataValidations", "引用其他工作表的下拉列表"),
    (b"<x14:conditionalFormattings", "新式条件格式"),
    (b"<x14:sparklineGroups", "迷你图"),
    (b"<x14:slicerList", "切片器"),
    (b"<x15:slicerList", "切片器"),
    (b"<x15:timelineRefs", "日程表"),
)
# Workbook extensions whose loss changes nothing the clerk or Excel relies on; any other is kept only
# by not rewriting the file.
_HARMLESS_BOOK_EXT = {"{140A7094-0E35-4892-8432-C4D2E57EDEB5}", "{B58B0392-4F1F-4190-BB64-5DF3571DCE5F}",
                      "{79F54976-1DA5-4618-B147-4CDE4B953A38}",
                      "{7626C862-2A13-11E5-B345-FEFF819CDC9F}"}  # LibreOffice's formula syntax setting
_BOOK_EXT_LABELS = {"{BBE1A952-AA13-448E-AADC-164F8A28A991}": "切片器", "{46BE6895-7355-4A93-B00E-2C351335B9C9}": "切片器",
                    "{FCE2AD5D-F65C-4FA6-A056-5C36A1767C68}": "数据模型", "{D0CA8CA8-9F24-4464-BF8E-62219DCF47F9}": "日程表",
                    "{876F7934-8845-4945-9796-88D515C7AA90}": "数据透视表缓存",
                    "{983426D0-5260-488C-9760-48F4B6AC55F4}": "数据透视表引用"}


def _part_label(name: str) -> str:
    for prefix, label in PART_LABELS:
        if name.startswith(prefix):
            return label
    return f"无法保留的部件 {name}"


def _top_children(data: bytes) -> list[str]:
    """Local names of the root element's children (entities are never expanded)."""
    import io

    from lxml import etree

    # The rows are not top-level: skipped as bytes (a sheet of a million rows costs a search, not a
    # parse). Only from the start tag to the first end tag, and not where a comment or CDATA could
    # hide either, so nothing top-level can be hidden.
    start = None if b"<!" in data else _re.search(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData(?:\s[^>]*)?>", data)
    if start is not None and data[start.end() - 2:start.end()] != b"/>":
        end = _re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>").search(data, start.end())
        if end is not None:
            data = data[:start.end()] + data[end.start():]
    out: list[str] = []
    depth = 0
    for event, el in etree.iterparse(io.BytesIO(data), events=("start", "end"), resolve_entities=False,
                                     no_network=True, huge_tree=False, remove_comments=True):
        if event == "start":
            depth += 1
            if depth == 2:
                out.append(etree.QName(el).localname)
        else:
            depth -= 1
            if depth == 1:
                el.clear()
    return out


def dropped_content(path: str | os.PathLike) -> list[str]:
    """What saving this file through openpyxl would lose (Chinese names): every part, worksheet
    element and extension outside what openpyxl round-trips (KEPT_PARTS, _KEPT_SHEET_TAGS, the
    harmless workbook extensions), plus phonetic guides. Rich-text runs are kept (the write side loads
    them, openpyxl's InlineFont holds every run property). Empty: rewriting is lossless."""
    found: list[str] = []

    def add(label: str) -> None:
        if label not in found:
            found.append(label)

    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            for n in names:
                if not KEPT_PARTS.match(n):
                    add(_part_label(n))
            for n in names:
                if n.startswith("xl/worksheets/") and n.endswith(".xml") and "/_rels/" not in n:
                    data = zf.read(n)
                    if _re.search(rb"<(\w+:)?rPh[ >]", data):
                        add("拼音指南")
                    for tag in _top_children(data):
                        if tag not in _KEPT_SHEET_TAGS:
                            if tag == "extLst":
                                labels = [label for marker, label in DROPPED_EXT if marker in data]
                                for label in labels or [_SHEET_TAG_LABELS["extLst"]]:
                                    add(label)
                            else:
                                add(_SHEET_TAG_LABELS.get(tag, f"工作表中的 <{tag}>"))
                elif n.endswith(".vml") and _re.search(rb'ObjectType="(?!Note")', zf.read(n)):
                    add("表单控件")
                elif n == "xl/sharedStrings.xml":
                    data = zf.read(n)
                    if _re.search(rb"<(\w+:)?rPh[ >]", data):
                        add("拼音指南")
                elif n == "xl/workbook.xml":
                    data = zf.read(n)
                    for uri in _re.findall(rb'<(?:\w+:)?ext\b[^>]*\buri="([^"]+)"', data):
                        uri = uri.decode("ascii", "replace").upper()
                        if uri not in _HARMLESS_BOOK_EXT:
                            add(_BOOK_EXT_LABELS.get(uri, "工作簿扩展内容"))
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return found
    except Exception:  # noqa: BLE001 - a part lxml cannot parse: do not rewrite what is not understood
        add("无法解析的部件")
    try:  # a copy repaired in memory (container.py) must not replace the clerk's file
        pkg = package(path)
        if pkg.repaired:
            add("需要在读取时修复的内容（" + "；".join(pkg.repairs[:5]) + "）")
    except InputError:
        pass
    return found


import threading as _threading

_VALUES_ONLY = _threading.local()


def _install_border_skip() -> None:
    """openpyxl copies a merged range's borders onto every cell it covers as it loads (issue 14: most
    of a read's time on a form with many merged cells). A read for values only (the workbook is never
    saved) skips that copy; any other load in any thread is unchanged."""
    from openpyxl.worksheet.merge import MergedCellRange

    original = MergedCellRange.format
    if getattr(original, "_evaltool_skip", False):
        return

    def format(self):  # noqa: A001 - the name openpyxl calls
        if not getattr(_VALUES_ONLY, "on", False):
            original(self)

    setattr(format, "_evaltool_skip", True)  # marks the wrapper, so it is installed once
    MergedCellRange.format = format


def open_package(pkg: Package, data_only: bool, rich_text: bool = False, values_only: bool = False):
    import openpyxl

    if values_only:
        _install_border_skip()
    _VALUES_ONLY.on = values_only
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about every extension it skips
            return openpyxl.load_workbook(io.BytesIO(pkg.data), data_only=data_only, rich_text=rich_text)
    finally:
        _VALUES_ONLY.on = False


def _open_any(path: str | os.PathLike, data_only: bool, rich_text: bool = False, values_only: bool = False):
    """(Workbook, the package it was read from): the pre-flight's copy first; where openpyxl fails
    on it, the deeper pre-flight (every part parsed, broken ones left out). Raises what openpyxl
    raises when even that cannot be read. values_only: the workbook is read, never saved (no
    merged-cell borders bound)."""
    pkg = package(path)
    try:
        return open_package(pkg, data_only, rich_text, values_only), pkg
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - openpyxl raises many types for broken files
        pass
    deep = deep_package(path)
    return open_package(deep, data_only, rich_text, values_only), deep


def deep_package(path: str | os.PathLike) -> Package:
    """preflight(deep=True) of the file; it then stands for the file (dropped_content sees it)."""
    path = Path(path)
    try:
        pkg = preflight(path.read_bytes(), path.suffix.lower(), deep=True)
    except Refused as exc:
        raise InputError(f"{path.name}：{exc}") from None
    except OSError:
        raise InputError(f"{path.name}：{READ_FAILED}") from None
    try:
        st = path.stat()
        _LAST.clear()
        _LAST[str(path)] = ((st.st_size, st.st_mtime_ns), pkg)
    except OSError:
        pass
    return pkg


def load(path: str | os.PathLike, data_only: bool, rich_text: bool = False):
    """openpyxl Workbook of the file as the reading policy lets it be read; any failure becomes a
    Chinese InputError."""
    try:
        return _open_any(path, data_only, rich_text)[0]
    except InputError:
        raise
    except MemoryError:
        raise InputError(f"{_name(path)}：文件太大，内存不足，无法读取。") from None
    except Exception:  # noqa: BLE001 - openpyxl raises many types for broken files
        raise InputError(f"{_name(path)}：{READ_FAILED}") from None


def cell_value(value: Any) -> Any:
    """What a Grid holds for a cell: None, str, int, float, bool, date/datetime; other types (a
    time of day, a duration) as their text."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**300:
        return str(value)  # openpyxl reads a long digit string as an int no float (or cell) can hold
    if value is None or isinstance(value, (str, bool, int, float, _dt.date)):
        return value
    return str(value)


def grids_from_workbook(wb, notes: list | None = None) -> list[Grid]:
    """Every worksheet's values and merged ranges, in sheet order (chart sheets are skipped)."""
    grids = []
    cells = 0
    max_cells, max_text = limits.get("CELLS"), limits.get("TEXT_CHARS")
    for ws in wb.worksheets:
        values: list[list[Any]] = []
        max_row, max_col = ws.max_row, ws.max_column
        cells += max_row * max_col
        if cells > max_cells:
            raise InputError(f"工作表“{ws.title}”的已用区域有 {max_row} 行 × {max_col} 列，远大于自评表"
                             f"（{limits.describe('CELLS')}）。请删除多余的行列（或把自评表复制到新工作簿）后再试。")
        # Only the cells that exist (openpyxl's own map): walking the used range would create a cell
        # for every coordinate up to a stray one far away. Rows without a value stay [], the others
        # run to the last column holding a value; trailing empty rows and columns (formatting only)
        # would slow every scan.
        present = [(rc, cell.value) for rc, cell in ws._cells.items() if cell.value is not None]
        filled = [rc for rc, v in present if v != ""]
        last_row = max((r for r, _ in filled), default=0)
        last_col = max((c for _, c in filled), default=0)
        rows_filled = {r for r, _ in filled}
        values = [[None] * last_col if n in rows_filled else [] for n in range(1, last_row + 1)]
        for (r, c), v in present:
            if r in rows_filled and c <= last_col:
                values[r - 1][c - 1] = cell_value(v)
        _mark_percents(ws, values)
        cut_long_text(ws.title, values, max_text, notes)
        merged = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
        grids.append(Grid(ws.title, values, merged, hidden=ws.sheet_state != "visible"))
    return grids


def _mark_percents(ws, values: list[list[Any]]) -> None:
    """Numbers in percent-formatted cells become seam.Percent (0.93 shown as 93% reads as 93%)."""
    from evaltool.core.seam import percent_format

    cells = getattr(ws, "_cells", None)  # openpyxl's own cell map: only cells that exist, no new ones made
    if not cells:
        return
    for (r, c), cell in cells.items():
        v = cell._value
        if type(v) not in (int, float) or r > len(values) or c > len(values[r - 1]):
            continue
        kind = percent_format(cell.number_format)
        if kind is not None:
            values[r - 1][c - 1] = kind(v)


def cut_long_text(sheet: str, values: list[list[Any]], max_text: int, notes: list | None) -> None:
    """Text beyond Excel's own cell limit cannot have been typed in Excel: it is cut, and said so."""
    for r, row in enumerate(values, 1):
        for c, v in enumerate(row, 1):
            if isinstance(v, str) and len(v) > max_text:
                row[c - 1] = v[:max_text]
                if notes is not None:
                    from evaltool.core.seam import address

                    cell = address(r, c)
                    notes.append(Note("W-READ-LIMIT", f"单元格的文字有 {len(v)} 字，超过"
                                      f"{limits.describe('TEXT_CHARS')}，只读取了前 {max_text} 字。", sheet, cell))


def read_noted(path: str | os.PathLike) -> tuple[list[Grid], list[Note]]:
    """One pass over the file: cached values (what the clerk sees), merged ranges, and the notes
    of the reading policy (what was tolerated, naming the cell or part)."""
    try:
        wb, pkg = _open_any(path, data_only=True, values_only=True)  # read for its values: never saved
    except InputError:
        raise
    except MemoryError:
        raise InputError(f"{_name(path)}：文件太大，内存不足，无法读取。") from None
    except Exception:  # noqa: BLE001 - openpyxl cannot; python-calamine may (in a child process)
        pkg = package(path)
        grids = calamine_grids_isolated(pkg.data, _name(path))
        from evaltool.engines.sheetxml import formula_notes

        notes = list(pkg.notes) + formula_notes(pkg.data, [g.sheet for g in grids])
        for g in grids:
            cut_long_text(g.sheet, g.values, limits.get("TEXT_CHARS"), notes)
        return grids, notes
    notes = list(pkg.notes)
    grids = grids_from_workbook(wb, notes)
    from evaltool.engines.sheetxml import formula_notes

    notes += formula_notes(pkg.data, [g.sheet for g in grids])  # saved values only: say which are missing
    return grids, notes


def read_grids(path: str | os.PathLike) -> list[Grid]:
    """One pass over the file: cached values (what the clerk sees), merged ranges."""
    return read_noted(path)[0]


def _calamine_child(data: bytes) -> list[Grid]:
    from evaltool.engines.calamine_engine import calamine_grids

    return calamine_grids(data)


def calamine_grids_isolated(data: bytes, name: str) -> list[Grid]:
    """Values read by python-calamine in a child process: a native crash there costs this command
    nothing but the file's refusal."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            return pool.submit(_calamine_child, data).result(timeout=limits.get("SECONDS"))
    except InputError:
        raise
    except BrokenProcessPool:
        raise InputError(f"{name}：{READ_FAILED}（读取程序在读这个文件时异常退出。）") from None
    except Exception:  # noqa: BLE001 - calamine cannot read it either (or ran out of time)
        raise InputError(f"{name}：{READ_FAILED}") from None


# ---- writing ---------------------------------------------------------------------------------------------
def _style(cell, name: str) -> None:
    from openpyxl.styles import PatternFill

    spec = L.STYLES.get(name)
    if spec is None:
        return
    color = spec.get("fill")
    cell.fill = PatternFill(fill_type="solid", start_color=color, end_color=color) if color else PatternFill()


def _note(cell, text: str) -> None:
    from openpyxl.comments import Comment

    existing = cell.comment
    note = L.note_after(existing is not None, (existing.text or "") if existing is not None else None, text)
    if note is None:
        return
    if note == "":
        cell.comment = None
        return
    comment = Comment(note, L.NOTE_AUTHOR)
    comment.width = 320
    comment.height = max(80, 18 * (note.count("\n") + 2 + len(note) // 24))
    cell.comment = comment


def apply_writes(wb, writes: list[CellWrite]) -> None:
    from openpyxl.cell.cell import MergedCell

    from evaltool.workbook import paper

    resized: set[str] = set()
    for w in writes:
        if w.sheet not in wb.sheetnames:
            continue
        ws = wb[w.sheet]
        if w.row_height is not None:
            ws.row_dimensions[ws[w.cell].row].height = w.row_height
            resized.add(w.sheet)
        cell = ws[w.cell]
        if isinstance(cell, MergedCell):  # should not happen (reader gives anchors); be safe
            continue
        if not w.keep_value:
            put(cell, w.value)
        if w.style:
            _style(cell, w.style)
        if w.note is not None:
            _note(cell, w.note)
    for name in resized:  # taller rows move the page breaks
        paper.repaginate_form(wb[name])


def write_results(wb, sheet) -> None:
    """Replace the 校验结果 sheet with the writer's content; hyperlinks jump to each cell."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    if sheet.name in wb.sheetnames:
        del wb[sheet.name]
    ws = wb.create_sheet(sheet.name)
    for r, row in enumerate(sheet.rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = put(ws.cell(r, c), value)  # project names, messages: text, never a formula
            cell.font = Font(name=L.FONT, size=10.5)
            cell.alignment = Alignment(vertical="top", wrap_text=c in sheet.wrap_cols)
    ws.cell(sheet.title_row, 1).font = Font(name=L.TITLE_FONT, size=14, bold=True)
    for r in sheet.header_rows:
        for c in range(1, len(sheet.rows[r - 1]) + 1):
            ws.cell(r, c).font = Font(name=L.FONT, size=10.5, bold=True)
            ws.cell(r, c).fill = PatternFill(fill_type="solid", start_color="D9D9D9", end_color="D9D9D9")
        if r >= 2:
            ws.cell(r - 1, 1).font = Font(name=L.FONT, size=11, bold=True)
    for r, severity in sheet.severity_rows.items():
        spec = L.STYLES[severity]
        ws.cell(r, 4).fill = PatternFill(fill_type="solid", start_color=spec["fill"], end_color=spec["fill"])
    for (r, c), (target, a1) in sheet.links.items():
        cell = ws.cell(r, c)
        # An internal link (location, no relationship): Excel, WPS and LibreOffice all jump to the cell.
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"{quoted_sheet(target)}!{a1}")
        cell.font = Font(name=L.FONT, size=10.5, color="0563C1", underline="single")
    for r, height in sheet.heights.items():
        ws.row_dimensions[r].height = height
    for i, width in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def save_atomic(wb, path: str | os.PathLike) -> None:
    """Write beside the target, then os.replace: the old file stays whole until the new one is."""
    with atomic_path(path) as tmp:
        wb.save(tmp)


def safe_target(source: str | os.PathLike, output: str | os.PathLike | None) -> tuple[Path, str | None]:
    """Where to save results: the output given, else the source itself unless openpyxl would drop
    something from it — then a new file beside it, and the reason (Chinese)."""
    source = Path(source)
    if output and Path(output).resolve() != source.resolve():
        return Path(output), None
    lost = dropped_content(source)
    if not lost:
        return source, None
    n = 1
    target = source.with_name(f"{source.stem}-计分结果.xlsx")
    while target.exists():
        n += 1
        target = source.with_name(f"{source.stem}-计分结果{n}.xlsx")
    reason = (f"{source.name} 含有{'、'.join(lost)}，写回原文件会丢失这些内容，因此原文件未改动，"
              f"计分结果另存为 {target.name}。")
    return target, reason


def patched(source: str | os.PathLike, writes: list[CellWrite], sheet) -> tuple[bytes | None, str | None]:
    """(the source with only evaltool's parts rewritten, None) — xlsx_patch — or (None, why not, Chinese)."""
    from evaltool.workbook.xlsx_patch import Unpatchable, patch_workbook

    pkg = package(source)
    try:
        data = pkg.data
        if pkg.repaired:
            original = _unrepaired(source, pkg.data, {w.sheet for w in writes} | {getattr(sheet, "name", None)})
            if original is None:
                return None, "需要在读取时修复"
            data = original
        return patch_workbook(data, writes, sheet), None
    except Unpatchable as exc:
        return None, str(exc)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - XML shaped as the patcher did not foresee: the openpyxl path decides
        return None, "有 evaltool 无法逐项改写的内容"


def _unrepaired(source: str | os.PathLike, repaired: bytes, written: set) -> bytes | None:
    """The file's own bytes, where the pre-flight's repair changed only worksheets evaltool does not
    write (rows of a big data sheet cut for reading, STORED_CELLS): patching those keeps every row,
    and the cells evaltool writes are where the reader saw them. None where anything else changed."""
    from evaltool.workbook.container import read_file
    from evaltool.workbook.xlsx_patch import Package as Parts, written_parts

    original = read_file(source)
    parts = Parts(original)
    untouched = {part for name, (part, _, _) in parts.sheet_parts.items() if part and name not in written}
    return original if written_parts(original, repaired) <= untouched else None


def _same_kind(source: str | os.PathLike, target: str | os.PathLike) -> bool:
    """Whether the source's package can be saved under target's name: Excel refuses an .xlsx whose
    workbook part is macro-enabled (an .xlsm's), and the reverse."""
    return Path(source).suffix.lower() == Path(target).suffix.lower()


def score_target(source: str | os.PathLike, output: str | os.PathLike | None, writes: list[CellWrite],
                 sheet) -> tuple[Path, str | None, bytes | None]:
    """Where score's results go, why not into the source (Chinese, or None), and the bytes to write
    there: the source's own package patched (xlsx_patch), or None where that is not safe — then
    write_results_file saves through openpyxl, into a new file when that would lose something."""
    source = Path(source)
    given = Path(output) if output else source
    other = given.resolve() != source.resolve()
    if other and not _same_kind(source, given):
        return given, None, None  # .xlsm -o .xlsx: openpyxl writes a plain workbook
    data, why = patched(source, writes, sheet)
    if data is not None:
        return (given if other else source), None, data
    if other:
        return given, None, None
    lost = dropped_content(source)
    if not lost:
        return source, None, None
    target, reason = safe_target(source, None)
    if why and why != "需要在读取时修复":
        reason = (f"{source.name} 中{why}，evaltool 无法只改写它负责的单元格；整个重写又会丢失其中的"
                  f"{'、'.join(lost)}，因此原文件未改动，计分结果另存为 {target.name}。")
    return target, reason, None


def write_results_file(source: str | os.PathLike, target: str | os.PathLike, writes: list[CellWrite],
                       sheet, data: bytes | None = None) -> None:
    """Write the results to target atomically: `data` (score_target's patched package) when given, else
    the source patched in place of its own parts, else (a part that cannot be patched safely) the
    source loaded through openpyxl (formulas kept), writes and the 校验结果 sheet applied, saved."""
    if data is None and _same_kind(source, target):
        data = patched(source, writes, sheet)[0]
    if data is not None:
        from evaltool.core.fileio import atomic_write_bytes

        atomic_write_bytes(target, data)
        return
    wb = load(source, data_only=False, rich_text=True)  # runs of partly formatted text are kept
    apply_writes(wb, writes)
    write_results(wb, sheet)
    save_atomic(wb, target)


__all__ = ["check_file", "package", "dropped_content", "load", "grids_from_workbook", "read_grids", "read_noted", "apply_writes",
           "write_results", "save_atomic", "safe_target", "score_target", "patched", "write_results_file", "open_package",
           "MAX_BYTES"]
