"""The public copy of a workbook: its form sheets only, as a reader outside the unit should see them.

What goes, and why: evaltool's marks and every note (a note is a working remark, often a name), the
校验结果 sheet and the other internal sheets (设置, 说明, 报告素材 — a draft's raw material —,
项目基本信息 with its 联系人 and 联系电话), hidden sheets and the contents of hidden rows
and columns (hidden means "not for readers"), defined
names that point at a removed sheet or outside the file, external links (a path on the unit's own
disk), the input prompts of data validation, the template's 注 on how to fill it in (it names evaltool
and the removed 说明 sheet), cell hyperlinks to files, network shares and web
addresses (a path with a person's name, an intranet URL with a token), and the author /
last-modified-by, subject, description and keywords of the document properties (personal data,
working remarks; the title is set from the form). Formulas become their values: a reader's spreadsheet would recompute them,
perhaps differently (another rounding, a missing add-in), and the published number must be the one
evaluated. The print setup stays: the PDF is printed from it.

The source file is only read (openpyxl loads it from the reading policy's bytes); the copy is saved
atomically by the caller.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaltool.core.errors import InputError
from evaltool.core.provenance import PUBLIC_COPY
from evaltool.core.model import Project
from evaltool.core.seam import CellWrite
from evaltool.workbook import layout as L
from evaltool.workbook.reader import RESULTS_KEY

# Sheets a workbook of any kind may carry beside its form(s) that are not part of the form.
INTERNAL_SHEETS = (L.SHEET_RESULTS, L.SHEET_SETTINGS, L.SHEET_HELP, L.SHEET_REPORT, L.SHEET_BASIC)
# A sheet of report material under any kind's name for it (报告素材, 部门报告素材 …): a report's draft.
MATERIAL_SUFFIX = L.SHEET_REPORT
MARK_STYLES = ("error", "warning", "info")
MARK_FILLS = {str(L.STYLES[s]["fill"]).upper() for s in MARK_STYLES}
# Written into the copy's document properties (category), so a later run knows the file is its own.
MARKER = PUBLIC_COPY
MAX_LISTED = 8
FILL_IN_NOTE = "注："


@dataclass
class Cleaned:
    """What the copy kept and left out (for the command's message and the tests)."""

    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    notes: int = 0
    marks: int = 0
    formulas: int = 0
    names: int = 0
    links: int = 0
    hyperlinks: int = 0  # cell hyperlinks to a file, a network share or a web address, removed
    validations: int = 0
    fill_in_notes: int = 0
    hidden_cells: int = 0  # values in hidden rows and columns, left out
    personal: int = 0  # cells of personal data (填报人, 联系电话 …) blanked
    numbers: int = 0  # phone and ID numbers taken out of free text (偏差原因 "…电话138…")
    number_cells: list[str] = field(default_factory=list)  # where: 自评表!I13
    lost: list[str] = field(default_factory=list)  # content openpyxl does not carry (图片 …)


def form_sheets(projects: list[Project], writes: list[CellWrite], sheetnames: list[str]) -> list[str]:
    """The sheets that make up the forms, in workbook order: each project's own sheet and every sheet
    its cells or its kind's writes are on (a 评分表 has a 绩效目标表 sheet), less the internal ones."""
    used: set[str] = set()
    for p in projects:
        if p.sheet:
            used.add(p.sheet)
        used |= {loc.sheet for loc in p.cells.values() if loc.sheet}
        used |= {loc.sheet for ind in p.indicators for loc in ind.cells.values() if loc.sheet}
    used |= {w.sheet for w in writes if w.sheet}
    from evaltool.core.kinds import kind_of

    internal = set(INTERNAL_SHEETS).union(*(kind_of(p).internal_sheets for p in projects))  # 部门报告素材 …
    internal |= {str(p.extra[RESULTS_KEY]) for p in projects if p.extra.get(RESULTS_KEY)}  # 校验结果(2)
    return [s for s in sheetnames if s in used and s not in internal and not s.endswith(MATERIAL_SUFFIX)]


def unmarked(writes: list[CellWrite]) -> list[CellWrite]:
    """A kind's writes for a result without findings still mark cells it checks on its own (a typed
    总分 that differs): those keep their value and lose the mark and the note."""
    out = []
    for w in writes:
        if w.style in MARK_STYLES:
            if w.keep_value:
                continue
            w = CellWrite(w.sheet, w.cell, value=w.value, style=None, note="", keep_value=False,
                          row_height=w.row_height)
        out.append(w)
    return out


def _refers_to(text: str, sheets: set[str]) -> bool:
    """Whether a formula-like text (a defined name's value, a validation's list) names one of sheets."""
    t = str(text or "")
    return any(f"'{s}'!" in t or f"{s}!" in t for s in sheets)


def _is_formula(cell: Any) -> bool:
    """A formula cell (not a text that starts with "=", such as a typed target “=7个”)."""
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    return cell.data_type == "f" or isinstance(cell.value, (ArrayFormula, DataTableFormula))


def _hidden(ws) -> tuple[set[int], set[int]]:
    """Row and column numbers hidden on a sheet (a column entry may cover a range)."""
    from openpyxl.utils import column_index_from_string

    rows = {r for r, d in ws.row_dimensions.items() if d.hidden}
    cols: set[int] = set()
    for key, d in ws.column_dimensions.items():
        if d.hidden:
            first = d.min or column_index_from_string(key)
            cols |= set(range(first, (d.max or first) + 1))
    return rows, cols


def _wide(ws) -> bool:
    """Whether the used columns are wider than an A4 portrait page between the form's margins."""
    from openpyxl.utils import get_column_letter

    from evaltool.workbook import paper

    width = 0.0
    for c in range(1, ws.max_column + 1):
        dim = ws.column_dimensions.get(get_column_letter(c))
        width += paper.column_points(dim.width if dim is not None and dim.width else 8.43)
    return width > paper.A4_SHORT - 2 * 72 * paper.MARGIN_LR


@functools.lru_cache(maxsize=1)
def _personal_vocab() -> tuple[Any, Any, frozenset[str], Any]:
    """(a personal label in a cell's text "label（note）：", a cell that is only such a label, the labels
    whose value stands in the cells to the right, where a value ends) from 个人信息.yaml beside this module."""
    import re

    import yaml

    data = yaml.safe_load((Path(__file__).with_name("个人信息.yaml")).read_text("utf-8"))
    labels = sorted(map(str, data["个人信息"]), key=len, reverse=True)
    ends = sorted(map(str, data["其后"]), key=len, reverse=True)
    alt = "|".join(map(re.escape, labels))
    stop = "|".join(map(re.escape, labels + ends))
    note = r"(?:\s*[（(][^）)]*[）)])?"  # 单位负责人（签字）：
    # a label starting the cell or after a space: "热线电话：12345" in a goal's text is no signature line
    inline = re.compile(rf"(?<![^\s])(?:{alt}){note}\s*[：:]")
    # a value ends where the next label starts, or at a bracketed word standing alone: （单位盖章）
    boundary = re.compile(rf"(?<![^\s])(?:(?:{stop}){note}\s*[：:]|[（(][^）)]*[）)](?=\s|$))")
    return inline, re.compile(rf"^\s*({alt})\s*[：:]?\s*$"), frozenset(map(str, data["联系"])), boundary


def blank_inline(text: str) -> str:
    """"填报人：张三    联系电话：138…    单位负责人（签字）：王五    （单位盖章）" -> every label, the
    spacing and the words between kept, only the values after personal labels gone."""
    inline, _, _, boundary = _personal_vocab()
    out, at = [], 0
    for m in inline.finditer(text):
        if m.start() < at:
            continue  # inside a value already blanked
        end = boundary.search(text, m.end())
        stop = end.start() if end else len(text)
        value = text[m.end():stop]
        out.append(text[at:m.end()])
        if value.strip():
            lead, trail = value[:len(value) - len(value.lstrip())], value[len(value.rstrip()):]
            out.append(lead if not trail else trail)
        else:
            out.append(value)
        at = stop
    out.append(text[at:])
    return "".join(out)


def _plain(value: Any) -> str | None:
    """A cell's text, rich text (part of it bold …) included; None for a number, date or empty cell."""
    from openpyxl.cell.rich_text import CellRichText

    if isinstance(value, CellRichText):
        return str(value)
    return value if isinstance(value, str) else None


def blank_personal(ws) -> int:
    """Blank the personal data on a published sheet: "填报人：张三" keeps "填报人：", and a label cell
    standing alone ("联系电话：", or 联系电话 without a colon) loses the value in the cells to its right,
    up to the next label. Returns how many cells changed."""
    from openpyxl.cell.cell import MergedCell

    inline, alone, contact, _ = _personal_vocab()
    changed = 0
    for row in ws.iter_rows():
        cells = [c for c in row if not isinstance(c, MergedCell)]
        for i, cell in enumerate(cells):
            text = _plain(cell.value)
            if text is None:
                continue
            m = alone.match(text)
            if m:
                if m.group(1) not in contact and not text.rstrip().endswith(("：", ":")):
                    continue  # e.g. a 负责人 column header, not a form's signature line
                for nxt in cells[i + 1:i + 4]:  # every value up to the next label ("张三" | "138…")
                    if nxt.value is None or nxt.value == "":
                        continue
                    after = _plain(nxt.value)
                    if after is not None and (alone.match(after) or inline.search(after)
                                              or after.rstrip().endswith(("：", ":"))):
                        break  # the next label: its own value is its business
                    nxt.value = None
                    changed += 1
                continue
            new = blank_inline(text)
            if new != text:
                from evaltool.workbook.cellvalue import put

                put(cell, new)
                changed += 1
    return changed


def blank_numbers_in(ws) -> tuple[int, list[str]]:
    """Phone and ID numbers inside any text of a published sheet (not only after a label): taken out.
    (how many, the cells as 工作表!单元格)."""
    from openpyxl.cell.cell import MergedCell

    from evaltool.publish.privacy import blank_numbers
    from evaltool.workbook.cellvalue import put

    count, where = 0, []
    for row in ws.iter_rows():
        for cell in row:
            text = None if isinstance(cell, MergedCell) else _plain(cell.value)
            if not text:
                continue
            new, n = blank_numbers(text)
            if n:
                put(cell, new)
                count += n
                where.append(f"{ws.title}!{cell.coordinate}")
    return count, where


def clean_copy(source: str | Path, projects: list[Project], writes: list[CellWrite]):
    """(openpyxl Workbook of the public copy, Cleaned). writes: the kind's computed values for the
    copy (no marks); InputError (Chinese, naming the cells) for a formula whose value the file does
    not hold, since the copy cannot show it."""
    from openpyxl.cell.cell import MergedCell
    from openpyxl.packaging.custom import CustomPropertyList
    from openpyxl.styles import PatternFill

    from evaltool.workbook import xlsx_engine

    name = Path(source).name
    report = Cleaned(lost=[x for x in xlsx_engine.dropped_content(source) if "修复" not in x])
    wb = xlsx_engine.load(source, data_only=False, rich_text=True)
    cached = None  # the values Excel saved for formulas: loaded only for a workbook that has formulas
    keep = form_sheets(projects, writes, wb.sheetnames)
    keep = [s for s in keep if wb[s].sheet_state == "visible"]
    if not keep:
        raise InputError(f"{name}：没有找到可以公开的表格工作表（表格所在的工作表被隐藏，或只有内部工作表）。")
    removed = [s for s in wb.sheetnames if s not in keep]
    report.kept, report.removed = keep, removed

    # Evaluated values first (their cells may hold a formula a clerk typed over the grey cell).
    written = {(w.sheet, w.cell) for w in writes if not w.keep_value}
    xlsx_engine.apply_writes(wb, [w for w in writes if w.sheet in keep])
    for s in removed:
        wb.remove(wb[s])
    gone = set(removed)

    missing: list[str] = []
    for ws in wb.worksheets:
        evaltool_noted: set[str] = set()
        hidden_rows, hidden_cols = _hidden(ws)
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell, MergedCell):
                    continue
                if (cell.row in hidden_rows or cell.column in hidden_cols) and cell.value is not None:
                    cell.value = None  # hidden from the reader on screen and on paper: not published either
                    report.hidden_cells += 1
                if cell.comment is not None:
                    text = cell.comment.text or ""
                    if text.startswith(L.NOTE_PREFIX) or (cell.comment.author or "") == L.NOTE_AUTHOR:
                        evaltool_noted.add(cell.coordinate)
                    cell.comment = None
                    report.notes += 1
                if isinstance(cell.value, str) and cell.value.startswith(FILL_IN_NOTE) and "evaltool" in cell.value:
                    cell.value = None  # the template's note on how to fill it in (names the removed 说明 sheet)
                    report.fill_in_notes += 1
                if _is_formula(cell) and (ws.title, cell.coordinate) not in written:
                    if cached is None:
                        cached = xlsx_engine.load(source, data_only=True)
                    value = cached[ws.title][cell.coordinate].value
                    if value is None:
                        missing.append(f"“{ws.title}”{cell.coordinate}")
                    else:
                        from evaltool.workbook.cellvalue import put

                        put(cell, value)
                    report.formulas += 1
                link = cell.hyperlink
                if link is not None and (link.target or ""):
                    # file:, \\server\share, an intranet or any web address: a path on the unit's disk or
                    # a URL with a token is not for readers (the cell's text stays)
                    cell.hyperlink = None
                    report.hyperlinks += 1
                elif link is not None and _refers_to(link.location or "", gone):
                    cell.hyperlink = None
                    report.links += 1
        report.personal += blank_personal(ws)  # after formulas became their values ("联系电话："&B3)
        n, where = blank_numbers_in(ws)
        report.numbers += n
        report.number_cells += where
        # A mark of an earlier run whose 校验结果 sheet is gone: its fill is told by evaltool's note.
        for coord in evaltool_noted:
            cell = ws[coord]
            color = str(getattr(cell.fill, "fgColor", None) and cell.fill.fgColor.rgb or "").upper()
            if cell.fill is not None and cell.fill.fill_type == "solid" and color[-6:] in MARK_FILLS:
                cell.fill = PatternFill()
                report.marks += 1
        ws.legacy_drawing = None
        report.validations += len(ws.data_validations.dataValidation)
        ws.data_validations.dataValidation = []  # input prompts and lists are for the one who fills in
        for n in list(ws.defined_names):
            dn = ws.defined_names[n]
            if _refers_to(dn.attr_text, gone) or dn.is_external or n.startswith("evaltool_"):
                del ws.defined_names[n]
                report.names += 1
        if not ws.page_setup.paperSize:
            # A form is printed on A4 and stamped; without a paper size LibreOffice uses its locale's (Letter).
            ws.page_setup.paperSize = ws.PAPERSIZE_A4
        if not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage:
            # One form per page width: a hand-made sheet without a print setup would cut columns off.
            from openpyxl.worksheet.properties import PageSetupProperties

            if ws.sheet_properties.pageSetUpPr is None:
                ws.sheet_properties.pageSetUpPr = PageSetupProperties()
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
            if not ws.page_setup.orientation and _wide(ws):
                ws.page_setup.orientation = "landscape"  # as the official forms print: fewer, larger pages
        ws.sheet_view.tabSelected = False
    if missing:
        shown = "、".join(missing[:MAX_LISTED]) + ("等" if len(missing) > MAX_LISTED else "")
        raise InputError(f"{name}：{shown} 是公式，文件中没有保存它的计算结果，公开版无法写出它的值。"
                         "请在 Excel 或 WPS 中打开该文件、保存一次后再公开，或把公式改为数值。")
    for n in list(wb.defined_names):
        dn = wb.defined_names[n]
        if _refers_to(dn.attr_text, gone) or dn.is_external or n.startswith("evaltool_") or "#REF!" in str(dn.attr_text):
            del wb.defined_names[n]
            report.names += 1
    report.links += len(wb._external_links)
    wb._external_links = []
    wb.custom_doc_props = CustomPropertyList()
    props = wb.properties
    props.creator = None
    props.lastModifiedBy = None
    # Title, subject, description and keywords are the unit's working remarks ("内部草稿", a contact
    # and phone number); the PDF carries them too. The title is set from the form, the rest blanked.
    props.title = _public_title(projects, keep)
    props.subject = props.description = props.keywords = None
    props.category = MARKER
    wb.active = 0
    wb.worksheets[0].sheet_view.tabSelected = True
    return wb, report


def _public_title(projects: list[Project], sheets: list[str]) -> str:
    """The copy's document title: the names of its projects (or its sheets when none is named)."""
    names: list[str] = []
    for p in projects:
        if p.sheet in sheets and p.name not in (None, "") and str(p.name).strip() not in names:
            names.append(str(p.name).strip())
    return "、".join(names or sheets)[:255]


def is_public_copy(path: str | Path) -> bool:
    """Whether an existing file is a public copy written by this command (so it may be replaced)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            return MARKER.encode("utf-8") in zf.read("docProps/core.xml")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


__all__ = ["INTERNAL_SHEETS", "MARKER", "Cleaned", "form_sheets", "unmarked", "clean_copy", "is_public_copy"]
