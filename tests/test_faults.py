"""Data loss and faults: parts score in place would drop (issue 18), and saves that fail or are
killed (issue 12 item 6). Real files, real subprocesses, real signals and resource limits."""
from __future__ import annotations

import os
import random
import re
import resource
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from evaltool.cli import main

CASES = Path(__file__).parent / "cases"
BASE_CASE = CASES / "seed002-各项工作运转经费.yaml"
ROOT = Path(__file__).resolve().parents[1]


def make_form(path: Path) -> Path:
    r = CliRunner().invoke(main, ["new", "--from", str(BASE_CASE), "-o", str(path)])
    assert r.exit_code == 0, r.output
    return path


def rezip(src: Path, dst: Path, edit) -> Path:
    """A copy of the workbook with edit(parts: dict name -> bytes) applied."""
    with zipfile.ZipFile(src) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    edit(parts)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    return dst


def _add_type(parts, part: str, ctype: str) -> None:
    ct = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = ct.replace("</Types>", f'<Override PartName="/{part}" ContentType="{ctype}"/></Types>').encode()


def rich_text(parts):
    """One cell's text as two runs, the first red and bold (as Excel writes a partly formatted cell)."""
    runs = '<r><rPr><b/><color rgb="FFFF0000"/></rPr><t>红色粗体</t></r><r><t>普通</t></r>'
    if "xl/sharedStrings.xml" in parts:
        ss = parts["xl/sharedStrings.xml"].decode()
        parts["xl/sharedStrings.xml"] = re.sub(r"<si><t>[^<]*</t></si>", f"<si>{runs}</si>", ss, count=1).encode()
    else:
        sheet = parts["xl/worksheets/sheet1.xml"].decode()
        edited = re.sub(r"<is><t>[^<]*</t></is>", f"<is>{runs}</is>", sheet, count=1)
        assert edited != sheet
        parts["xl/worksheets/sheet1.xml"] = edited.encode()


def printer_settings(parts):
    parts["xl/printerSettings/printerSettings1.bin"] = b"\x00" * 64
    _add_type(parts, "xl/printerSettings/printerSettings1.bin",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings")


def custom_xml(parts):
    parts["customXml/item1.xml"] = "<审批><审批人>张三</审批人></审批>".encode()
    parts["customXml/itemProps1.xml"] = b'<ds:datastoreItem xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml" ds:itemID="{1}"/>'


def connections(parts):
    parts["xl/connections.xml"] = (b'<connections xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                   b'<connection id="1" name="q" type="5" refreshedVersion="6"/></connections>')
    _add_type(parts, "xl/connections.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.connections+xml")


def book_ext(uri: str, body: str):
    def edit(parts):
        wb = parts["xl/workbook.xml"].decode()
        wb = wb.replace("</workbook>", f'<extLst><ext uri="{uri}" xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main">{body}</ext></extLst></workbook>')
        parts["xl/workbook.xml"] = wb.encode()
    return edit


def vml_control(parts):
    parts["xl/drawings/vmlDrawing9.vml"] = (
        b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:x="urn:schemas-microsoft-com:office:excel">'
        b'<v:shape id="b1" type="#_x0000_t201"><x:ClientData ObjectType="Button"><x:FmlaMacro>run</x:FmlaMacro>'
        b'</x:ClientData></v:shape></xml>')


def sheet_ext(parts):
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace("</worksheet>", '<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
                          'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
                          '<x14:sparklineGroups/></ext></extLst></worksheet>')
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()


def sheet_controls(parts):
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace("</worksheet>", '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
                          '<mc:Choice Requires="x14"><controls/></mc:Choice></mc:AlternateContent></worksheet>')
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()


def unknown_part(parts):
    parts["xl/someFutureFeature/item1.xml"] = b"<x/>"


PARTS = {
    "rich text runs": (rich_text, "富文本"),
    "printer settings": (printer_settings, "打印机设置"),
    "customXml": (custom_xml, "自定义 XML"),
    "connections": (connections, "数据连接"),
    "slicers (workbook extLst)": (book_ext("{46BE6895-7355-4a93-B00E-2C351335B9C9}", "<x15:slicerCaches/>"), "切片器"),
    "data model (workbook extLst)": (book_ext("{FCE2AD5D-F65C-4FA6-A056-5C36A1767C68}", "<x15:dataModel/>"), "数据模型"),
    "unknown workbook extension": (book_ext("{00000000-1234-5678-9ABC-DEF012345678}", "<x15:future/>"), "工作簿扩展"),
    "VML form control": (vml_control, "表单控件"),
    "sparklines (sheet extLst)": (sheet_ext, "迷你图"),
    "form controls (AlternateContent)": (sheet_controls, "表单控件"),
    "a part nobody knows yet": (unknown_part, "someFutureFeature"),
}


@pytest.fixture(scope="module")
def form(tmp_path_factory) -> Path:
    return make_form(tmp_path_factory.mktemp("form") / "自评表.xlsx")


@pytest.mark.parametrize("name", list(PARTS))
def test_score_in_place_never_drops_a_part_silently(tmp_path, form, name):
    edit, words = PARTS[name]
    book = rezip(form, tmp_path / "表.xlsx", edit)
    before = book.read_bytes()
    r = CliRunner().invoke(main, ["score", str(book)])
    assert r.exit_code in (0, 1), r.output
    assert book.read_bytes() == before, "the workbook holding the part was rewritten"
    diverted = tmp_path / "表-计分结果.xlsx"
    assert diverted.exists()
    assert words in r.output and diverted.name in r.output.replace("\n", "")
    with zipfile.ZipFile(diverted) as zf:
        assert "xl/workbook.xml" in zf.namelist()


def test_a_plain_form_is_still_scored_in_place(tmp_path, form):
    book = tmp_path / "表.xlsx"
    book.write_bytes(form.read_bytes())
    r = CliRunner().invoke(main, ["score", str(book)])
    assert r.exit_code in (0, 1)
    assert not (tmp_path / "表-计分结果.xlsx").exists()
    # the result of a score is itself lossless to rewrite (a second score stays in place)
    r = CliRunner().invoke(main, ["score", str(book)])
    assert not (tmp_path / "表-计分结果.xlsx").exists()


def test_harmless_workbook_extensions_do_not_divert(tmp_path, form):
    book = rezip(form, tmp_path / "表.xlsx",
                 book_ext("{140A7094-0E35-4892-8432-C4D2E57EDEB5}", '<x15:workbookPr chartTrackingRefBase="1"/>'))
    r = CliRunner().invoke(main, ["score", str(book)])
    assert r.exit_code in (0, 1)
    assert not (tmp_path / "表-计分结果.xlsx").exists()
