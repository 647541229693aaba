"""Builds workbook_templates/evaltool.xlam: ribbon XML + VBA project + a minimal add-in workbook.

Reproducible: the same macros/ sources and the same installed xlwings give the same bytes
(fixed zip timestamps and part order, no volatile document properties).
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import xlwings

from evaltool.addin import vba

REPO = Path(__file__).resolve().parents[2]
MACROS = REPO / "macros"
OUTPUT = REPO / "workbook_templates" / "evaltool.xlam"
PROJECT_NAME = "evaltool"  # also xlwings' PROJECT_NAME: config lives in ~/.evaltool/evaltool.conf
CONF_SHEET = "_evaltool.conf"  # rename to evaltool.conf inside the add-in to activate it
XLWINGS_DIR = Path(xlwings.__file__).parent
NS_2006 = "http://schemas.microsoft.com/office/2006/01/customui"
NS_2009 = "http://schemas.microsoft.com/office/2009/07/customui"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def xlwings_module() -> vba.Module:
    """xlwings' VBA module for custom add-ins, from the installed package (versions match)."""
    text = (XLWINGS_DIR / "xlwings_custom_addin.bas").read_text("latin-1")
    marker = 'Public Const PROJECT_NAME As String = "myaddin"'
    if marker not in text:
        raise RuntimeError("xlwings_custom_addin.bas 的格式与预期不符，无法设置 PROJECT_NAME。")
    return vba.standard_module(text.replace(marker, marker.replace("myaddin", PROJECT_NAME)))


def dictionary_module() -> vba.Module:
    """The Dictionary class xlwings needs on macOS (xlwings/addin/Dictionary.cls)."""
    return vba.class_module((XLWINGS_DIR / "addin" / "Dictionary.cls").read_text("latin-1"))


def macro_modules() -> list[vba.Module]:
    """Standard modules from macros/*.bas, in name order."""
    return [vba.standard_module(p.read_text("ascii")) for p in sorted(MACROS.glob("*.bas"))]


def modules() -> list[vba.Module]:
    return [
        vba.document_module("ThisWorkbook", vba.WORKBOOK_BASE),
        vba.document_module("Sheet1", vba.WORKSHEET_BASE),
        *macro_modules(),
        xlwings_module(),
        dictionary_module(),
    ]


def customui14() -> bytes:
    """macros/customUI14.xml with the 新建 menu as the kind registry gives it (evaltool.addin.ribbon)."""
    from evaltool.addin import ribbon

    return ribbon.with_menu((MACROS / "customUI14.xml").read_text("utf-8"), wps=False).encode("utf-8")


def customui2006() -> bytes:
    """The same ribbon for Office 2007 and WPS, which read only the 2006 namespace part."""
    return customui14().replace(NS_2009.encode(), NS_2006.encode())


XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

CONTENT_TYPES = XML_DECL + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.addin.macroEnabled.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    '</Types>')

ROOT_RELS = XML_DECL + (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
    'core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'extended-properties" Target="docProps/app.xml"/>'
    '<Relationship Id="rId4" Type="http://schemas.microsoft.com/office/2007/relationships/ui/extensibility" '
    'Target="customUI/customUI14.xml"/>'
    '<Relationship Id="rId5" Type="http://schemas.microsoft.com/office/2006/relationships/ui/extensibility" '
    'Target="customUI/customUI.xml"/>'
    '</Relationships>')

WORKBOOK = XML_DECL + (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<workbookPr codeName="ThisWorkbook"/>'
    '<bookViews><workbookView visibility="hidden"/></bookViews>'
    f'<sheets><sheet name="{CONF_SHEET}" sheetId="1" r:id="rId1"/></sheets>'
    '</workbook>')

WORKBOOK_RELS = XML_DECL + (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'styles" Target="styles.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
    'Target="vbaProject.bin"/>'
    '</Relationships>')


# Empty on purpose: xlwings reads it only once renamed to evaltool.conf, and then an empty
# value would hide the interpreter set in ~/.evaltool/evaltool.conf.
SHEET = XML_DECL + (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetPr codeName="Sheet1"/><dimension ref="A1"/><sheetData/></worksheet>')

STYLES = XML_DECL + (
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="DengXian"/><family val="2"/>'
    '<charset val="134"/><scheme val="minor"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')

CORE = XML_DECL + (
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    '<dc:title>evaltool 绩效自评加载项</dc:title><dc:creator>evaltool</dc:creator>'
    f'<cp:keywords>xlwings {xlwings.__version__}</cp:keywords>'  # read back by install.addin_xlwings
    '</cp:coreProperties>')

APP = XML_DECL + (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    '<Application>Microsoft Excel</Application></Properties>')


def parts() -> list[tuple[str, bytes]]:
    """Every part of the package, in the order they are written."""
    return [
        ("[Content_Types].xml", CONTENT_TYPES.encode()),
        ("_rels/.rels", ROOT_RELS.encode()),
        ("docProps/app.xml", APP.encode()),
        ("docProps/core.xml", CORE.encode()),
        ("customUI/customUI14.xml", customui14()),
        ("customUI/customUI.xml", customui2006()),
        ("xl/workbook.xml", WORKBOOK.encode()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.encode()),
        ("xl/worksheets/sheet1.xml", SHEET.encode()),
        ("xl/styles.xml", STYLES.encode()),
        ("xl/vbaProject.bin", vba.build_vba_project(PROJECT_NAME, modules())),
    ]


def build_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in parts():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            zf.writestr(info, data, compresslevel=9)
    return buf.getvalue()


def build(output: Path | str = OUTPUT) -> Path:
    """Write the add-in atomically (temp file + rename) and return its path."""
    from evaltool.core.fileio import atomic_write_bytes

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(output, build_bytes(), busy_hint="Excel")
    return output
