"""Score in place when the reading policy cut rows of a sheet evaltool does not write.

The pre-flight reads at most STORED_CELLS cells (issue 12): a workbook with a big data sheet beside
the 自评表 is read with that sheet's last rows cut. Those rows are not needed to score; the patcher
works on the file's own bytes, so the results still go into the file, and every row stays.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.workbook import layout as L

CASE = Path(__file__).parent / "cases" / "seed002-电子政务各项专项经费.yaml"
ROWS, COLS = 400, 10


def run(*args, ok=(0, 1)):
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert r.exit_code in ok, (r.exit_code, r.output, r.exception)
    return r


def test_rows_cut_for_reading_on_another_sheet_are_kept_and_the_form_scored_in_place(tmp_path, monkeypatch):
    book = tmp_path / "表.xlsx"
    run("new", "--from", CASE, "-o", book, ok=(0, 1))
    wb = openpyxl.load_workbook(book)
    del wb[L.SHEET_RESULTS]
    data = wb.create_sheet("明细")
    for r in range(1, ROWS + 1):
        for c in range(1, COLS + 1):
            data.cell(r, c, r * 100 + c)
    wb.save(book)
    monkeypatch.setenv("EVALTOOL_LIMIT_STORED_CELLS", str(ROWS * COLS // 2))  # the 明细 sheet is cut to read

    res = run("score", book)
    assert "明细" in res.output  # the cut is said (W-READ-LIMIT)
    assert not list(tmp_path.glob("*计分结果*.xlsx")), res.output  # nothing diverted to a new file
    wb = openpyxl.load_workbook(book)
    assert L.SHEET_RESULTS in wb.sheetnames  # scored in place
    rows = [[c.value for c in row] for row in wb["明细"].iter_rows()]
    assert rows == [[r * 100 + c for c in range(1, COLS + 1)] for r in range(1, ROWS + 1)]  # every row kept


def _edit_zip(path: Path, edit) -> None:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    edit(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)


def test_the_calc_chain_never_names_a_formula_the_replaced_results_sheet_no_longer_has(tmp_path):
    """Excel repairs a workbook whose calcChain.xml lists a cell without a formula. A formula the clerk
    typed on the 校验结果 sheet is listed there; score replaces that sheet's part, so the chain (which
    Excel rebuilds) must not keep naming it."""
    import re
    import zipfile

    from evaltool.workbook.xlsx_patch import Package

    book = tmp_path / "表.xlsx"
    run("new", "--from", CASE, "-o", book, ok=(0, 1))
    wb = openpyxl.load_workbook(book)
    wb[L.SHEET_RESULTS]["K1"] = "=1+1"  # the clerk's own sum beside evaltool's list
    wb.save(book)
    pkg = Package(book.read_bytes())
    part, index, el = pkg.sheet_parts[L.SHEET_RESULTS]
    sheet_id = el.get("sheetId")

    def chain(parts):
        ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        parts["xl/calcChain.xml"] = f'<calcChain xmlns="{ns}"><c r="K1" i="{sheet_id}"/></calcChain>'.encode()
        rels = parts["xl/_rels/workbook.xml.rels"].decode()
        parts["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", (
            '<Relationship Id="rIdChain" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'calcChain" Target="calcChain.xml"/></Relationships>')).encode()
        ct = parts["[Content_Types].xml"].decode()
        parts["[Content_Types].xml"] = ct.replace("</Types>", (
            '<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.calcChain+xml"/></Types>')).encode()
    _edit_zip(book, chain)

    run("score", book)
    assert not list(tmp_path.glob("*计分结果*.xlsx"))  # scored in place
    after = Package(book.read_bytes())
    ids = {el.get("sheetId"): part for part, _, el in after.sheet_parts.values()}
    with zipfile.ZipFile(book) as zf:
        if "xl/calcChain.xml" not in zf.namelist():
            return  # dropped: Excel rebuilds it
        for ref, i in re.findall(rb'<c r="([A-Z]+\d+)" i="(\d+)"', zf.read("xl/calcChain.xml")):
            sheet = zf.read(ids[i.decode()]).decode()
            cell = re.search(rf'<c r="{ref.decode()}"[^>]*?(/>|>.*?</c>)', sheet)
            assert cell is not None and "<f" in cell.group(0), (ref, i)


def test_an_xlsm_scored_into_an_xlsx_is_an_xlsx_excel_opens(tmp_path):
    """Excel refuses an .xlsx whose workbook part is typed macro-enabled (“文件格式或扩展名无效”). score
    宏.xlsm -o 结果.xlsx must therefore not copy the .xlsm's package into the .xlsx as it is."""
    import zipfile

    book = tmp_path / "宏.xlsx"
    run("new", "--from", CASE, "-o", book, ok=(0, 1))
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8  # an OLE header and opaque bytes

    def macro(parts):
        parts["xl/vbaProject.bin"] = vba
        ct = parts["[Content_Types].xml"].decode()
        ct = ct.replace("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                        "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
        parts["[Content_Types].xml"] = ct.replace("</Types>", '<Default Extension="bin" ContentType='
                                                  '"application/vnd.ms-office.vbaProject"/></Types>').encode()
        rels = parts["xl/_rels/workbook.xml.rels"].decode()
        parts["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", (
            '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
            'Target="vbaProject.bin"/></Relationships>')).encode()
    _edit_zip(book, macro)
    xlsm = book.with_suffix(".xlsm")
    book.rename(xlsm)
    before = xlsm.read_bytes()

    out = tmp_path / "结果.xlsx"
    run("score", xlsm, "-o", out)
    assert xlsm.read_bytes() == before
    with zipfile.ZipFile(out) as zf:
        ct = zf.read("[Content_Types].xml").decode()
    assert "macroEnabled" not in ct and "spreadsheetml.sheet.main+xml" in ct
    assert L.SHEET_RESULTS in openpyxl.load_workbook(out).sheetnames
