"""Building workbooks with openpyxl: the cell, style and sheet helpers every kind's builder uses, the
sheets the kinds share (报告素材, 项目基本信息, 设置, 说明) and the committed blank template (the default
kind's). Each kind lays out its own form sheet (kinds/<name>/template.py).

Deterministic: fixed document dates and zip timestamps, so the committed template can be compared
byte for byte with a fresh build.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from evaltool.core.decimals import plain_number as _plain
from evaltool.core.fileio import atomic_write_bytes
from evaltool.core.model import REPORT_FIELDS, Project
from evaltool.workbook import layout as L
from evaltool.workbook.cellvalue import put
from evaltool.workbook import paper

FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)
TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "workbook_templates" / L.TEMPLATE_FILENAME
DATE_FORMAT = 'yyyy"年"m"月"d"日"'  # how a date typed on the form shows (2025年11月20日)

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
TOPLEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)


def cell_font(size: float = 10.5, bold: bool = False, name: str = L.FONT, color: str = "000000",
          italic: bool = False) -> Font:
    return Font(name=name, size=size, bold=bold, color=color, italic=italic)


def _fill(color: str | None) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=color, end_color=color) if color else PatternFill()


class Sheet:
    """Small helpers over a worksheet so the layout code reads like the form."""

    def __init__(self, ws: Worksheet):
        self.ws = ws

    def cell(self, row: int, col: int, value: Any = None, kind: str = "label", align: Alignment = CENTER,
             bold: bool = False, fmt: str | None = None, border: bool = True):
        c = self.ws.cell(row=row, column=col)
        if value is not None:
            put(c, _plain(value))  # "=7个" is what the clerk typed: text, never a formula
        c.font = cell_font(bold=bold)
        c.alignment = align
        if border:
            c.border = BORDER
        if kind == "input":
            c.protection = UNLOCKED
        elif kind == "computed":
            c.fill = _fill(L.COLOR_COMPUTED)
            c.protection = LOCKED
        elif kind == "label":
            c.protection = LOCKED
        else:  # "dead": a cell that has no meaning on the form (其中 rows' 执行率)
            c.fill = _fill(L.COLOR_COMPUTED)
            c.protection = LOCKED
        if isinstance(value, dt.date):
            # a date (a case file's 2025-11-20) stays a date: a text format would show its serial 45981
            c.number_format = DATE_FORMAT
        elif fmt:
            c.number_format = fmt
        return c

    def merge(self, r1: int, c1: int, r2: int, c2: int, value: Any = None, **kw):
        """Style every cell of the range (borders print per cell), then merge."""
        first = None
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                cell = self.cell(r, c, value if (r, c) == (r1, c1) else None, **kw)
                first = first or cell
        if (r1, c1) != (r2, c2):
            self.ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        return first


wrapped_row_height = paper.row_height  # the one estimate of wrapped lines (score uses it too)


def add_validation(ws: Worksheet, rng: str, *, type_: str = "list", formula1: str | None = None,
                formula2: str | None = None, operator: str | None = None, title: str = "", prompt: str = "",
                strict: bool = False) -> None:
    dv = DataValidation(type=type_ if type_ != "any" else None, formula1=formula1, formula2=formula2,
                        operator=operator, allow_blank=True)
    if prompt:
        dv.promptTitle, dv.prompt, dv.showInputMessage = title[:32], prompt[:255], True
    # Warnings, not stops: clerks type "35 万元" or a province's own words and the reader copes.
    dv.showErrorMessage = strict
    dv.errorStyle = "warning"
    dv.errorTitle = "请核对"
    dv.error = "输入的内容不在建议范围内，仍可保留；计分时 evaltool 会再校验。"
    dv.add(rng)
    ws.add_data_validation(dv)


def list_validation(items) -> str:
    return '"' + ",".join(items) + '"'


def rich_runs(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> list[tuple[int, int]]:
    """Consecutive row spans sharing the same values under keys (to merge 一级/二级 cells)."""
    spans, start = [], 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or any(rows[i].get(k) != rows[start].get(k) for k in keys) \
                or rows[start].get(keys[-1]) in (None, ""):
            spans.append((start, i - 1))
            start = i
    return spans


print_setup = paper.print_setup


def text_row(ws: Worksheet, row: int, last_col: int, text: str, height: float, note: bool = True):
    """A merged full-width line under a form: the template's 注 (small grey italics) or, with
    note=False, the signature line (填报人 … 签字). Every kind's template ends this way."""
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
    cell = put(ws.cell(row, 1), text)
    cell.font = cell_font(9, italic=True, color="595959") if note else cell_font(11)
    cell.alignment = LEFT
    ws.row_dimensions[row].height = height
    return cell


def protect_sheet(ws: Worksheet) -> None:
    """Protect without a password: computed cells stay locked, clerks may still add rows."""
    p = ws.protection
    p.sheet = True
    p.formatCells = p.formatColumns = p.formatRows = False
    p.insertRows = p.deleteRows = False
    p.selectLockedCells = p.selectUnlockedCells = False


# ---- the other sheets ---------------------------------------------------------------------------------
def build_report(wb: Workbook, project: Project | None) -> Worksheet:
    ws = wb.create_sheet(L.SHEET_REPORT)
    s = Sheet(ws)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 90
    s.merge(1, 1, 1, 2, L.REPORT_TITLE, kind="label", border=False)
    ws.cell(1, 1).font = cell_font(16, bold=True, name=L.TITLE_FONT)
    ws.cell(1, 1).fill = ws.cell(1, 2).fill = PatternFill()
    ws.row_dimensions[1].height = 30
    s.cell(2, 1, "栏目", kind="label", bold=True)
    s.cell(2, 2, "内容（生成绩效评价报告时引用；可直接粘贴大段文字，按 Alt+Enter 换行）", kind="label", bold=True)
    for i, key in enumerate(REPORT_FIELDS):
        r = 3 + i
        text = (project.report.get(key) if project else None) or None
        s.cell(r, 1, key, kind="label", bold=True)
        s.cell(r, 2, text, kind="input", align=TOPLEFT)
        ws.row_dimensions[r].height = max(60.0, wrapped_row_height([(text, 88)]))
        add_validation(ws, f"B{r}", type_="any", title=key, prompt=L.REPORT_HINTS[key])
    print_setup(ws, f"A1:B{2 + len(REPORT_FIELDS)}", landscape=False)
    protect_sheet(ws)
    return ws


def build_basic(wb: Workbook, project: Project | None) -> Worksheet:
    ws = wb.create_sheet(L.SHEET_BASIC)
    s = Sheet(ws)
    info = dict(project.basic_info) if project else {}
    for col, width in (("A", 24), ("B", 40), ("C", 4), ("D", 4)):
        ws.column_dimensions[col].width = width
    s.merge(1, 1, 1, 2, L.BASIC_TITLE, kind="label", border=False)
    ws.cell(1, 1).font = cell_font(16, bold=True, name=L.TITLE_FONT)
    ws.cell(1, 1).fill = ws.cell(1, 2).fill = PatternFill()
    ws.row_dimensions[1].height = 30
    r = 2
    for label in L.BASIC_FIELDS:
        key = L.strip_paren(L.norm(label))
        s.cell(r, 1, label, kind="label", bold=True)
        s.cell(r, 2, info.get(key), kind="input", align=LEFT)
        if key == "项目类型":
            add_validation(ws, f"B{r}", formula1=list_validation(L.PROJECT_TYPES), title="项目类型", prompt="从下拉列表中选择。")
        ws.row_dimensions[r].height = 22
        r += 1
    s.merge(r, 1, r, 2, L.BASIC_SOURCE_LABEL, kind="label", bold=True)
    r += 1
    named = info.get("资金来源")
    sources: dict[str, Any] = named if isinstance(named, dict) else {}
    for label in L.BASIC_SOURCES:
        s.cell(r, 1, label, kind="label")
        s.cell(r, 2, sources.get(label), kind="input", align=LEFT)
        ws.row_dimensions[r].height = 22
        r += 1
    print_setup(ws, f"A1:B{r - 1}", landscape=False)
    protect_sheet(ws)
    return ws


def build_settings(wb: Workbook, rules_value: str, rules) -> Worksheet:
    from evaltool.core.rules import builtin_ids

    ws = wb.create_sheet(L.SHEET_SETTINGS)
    s = Sheet(ws)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["C"].width = 70
    s.merge(1, 1, 1, 3, L.SETTINGS_TITLE, kind="label", border=False)
    ws.cell(1, 1).font = cell_font(16, bold=True, name=L.TITLE_FONT)
    for c in range(1, 4):
        ws.cell(1, c).fill = PatternFill()
    ws.row_dimensions[1].height = 30
    rows = (
        (L.L_RULES, rules_value, "input",
         "计分采用的规则集编号（下拉选择），或财政局提供的规则文件路径。运行 evaltool rules 查看全部规则集。"),
        (L.L_PLACES, None, "input", f"得分、小计、总分保留的小数位，四舍五入。不填则按规则集（{rules.name}：{rules.places} 位）。"),
        (L.L_VERSION, L.TEMPLATE_VERSION, "computed", "模板版本号，供 evaltool 识别和升级旧工作簿，请勿修改。"),
    )
    for i, (label, value, kind, hint) in enumerate(rows):
        r = 2 + i
        s.cell(r, 1, label, kind="label", bold=True)
        s.cell(r, 2, value, kind=kind)
        s.cell(r, 3, hint, kind="label", align=LEFT)
        ws.row_dimensions[r].height = 30
    add_validation(ws, "B2", formula1=list_validation(builtin_ids()), title="规则集", prompt="选择本地区采用的计分规则。")
    add_validation(ws, "B3", type_="whole", operator="between", formula1="0", formula2="4", strict=True,
                title="小数位", prompt="0 到 4 之间的整数；不填按规则集。")
    print_setup(ws, "A1:C4", landscape=True)
    protect_sheet(ws)
    return ws


def build_help(wb: Workbook, lines) -> Worksheet:
    """The 说明 sheet: (text, is_title) lines, one per row (each kind passes its own)."""
    ws = wb.create_sheet(L.SHEET_HELP)
    # Narrower than a portrait page: LibreOffice neither wraps nor scales a column wider than the page.
    ws.column_dimensions["A"].width = 82
    for i, (text, title) in enumerate(lines, start=1):
        c = put(ws.cell(i, 1), text)
        c.font = cell_font(16 if title else 11, bold=title, name=L.TITLE_FONT if title else L.FONT)
        c.alignment = CENTER if title else TOPLEFT
        ws.row_dimensions[i].height = 30 if title else wrapped_row_height([(text, 72)], 20)
    print_setup(ws, f"A1:A{len(lines)}", landscape=False)
    protect_sheet(ws)
    return ws


# ---- whole workbook -------------------------------------------------------------------------------------
def deterministic_bytes(wb: Workbook) -> bytes:
    """Save, then rewrite the zip with fixed timestamps and dates so equal content gives equal bytes."""
    raw = io.BytesIO()
    wb.save(raw)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re

                # created too: a kind that leaves it at openpyxl's "now" would differ from one second to the next
                data = re.sub(rb"(<dcterms:(?:modified|created)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp.encode() + rb"\2", data)
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, data)
    return out.getvalue()


def template_bytes() -> bytes:
    """The blank template: a new workbook of the default kind (the 自评表)."""
    from evaltool.core.kinds import kind_of

    return deterministic_bytes(kind_of(None).build_workbook(None, None))


def write_template(path: str | os.PathLike = TEMPLATE_PATH) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, template_bytes())
    return path
