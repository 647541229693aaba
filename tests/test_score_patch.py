"""Score in place by patching the workbook's own XML (issue 14 item 1).

Real workbooks: evaltool's template filled from a case, then a chart, an image, a clerk's comment,
data validation, conditional formatting and a defined name added (openpyxl for what it can write,
the zip's XML for the image), raw parts evaltool knows nothing of (custom XML, a pivot cache), and an
.xlsm with its vbaProject.bin. After `evaltool score` every entry evaltool does not own is the same
bytes — compressed bytes, compression method, order — openpyxl reads the same scores as the old
openpyxl save gave, and LibreOffice opens and re-saves the result.
"""
from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.kinds.selfeval import layout as SL
from evaltool.workbook import layout as L

CASES = Path(__file__).parent / "cases"
CASE = CASES / "seed002-电子政务各项专项经费.yaml"
FORM, REPORT = L.SHEET_FORM, L.SHEET_REPORT
CASE_DATA = yaml.safe_load(CASE.read_text("utf-8"))
WEIGHT, ACTUAL = CASE_DATA["绩效指标"][0]["分值"], CASE_DATA["绩效指标"][1]["实际完成值"]  # as the case has them


def run(*args, ok=(0, 1)):
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert r.exit_code in ok, (r.exit_code, r.output, r.exception)
    return r


def png(w: int = 2, h: int = 2) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\0" + b"\xff\x00\x00" * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PIC = ('<xdr:oneCellAnchor xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
       'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
       '<xdr:from><xdr:col>11</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>'
       '<xdr:ext cx="952500" cy="952500"/><xdr:pic><xdr:nvPicPr><xdr:cNvPr id="99" name="公章"/><xdr:cNvPicPr/></xdr:nvPicPr>'
       '<xdr:blipFill><a:blip r:embed="rIdPic"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>'
       '<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="952500" cy="952500"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
       '</a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/></xdr:oneCellAnchor>')
CUSTOM_XML = "<审批><审批人>张三</审批人></审批>".encode()
PIVOT = (b'<pivotCacheDefinition xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
         b'refreshOnLoad="1" recordCount="0"><cacheSource type="worksheet"/><cacheFields count="0"/></pivotCacheDefinition>')


def edit_zip(path: Path, edit) -> None:
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    edit(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            # media stored uncompressed (as Excel does): the copy must keep the method too
            zf.writestr(n, data, zipfile.ZIP_STORED if n.startswith("xl/media/") else zipfile.ZIP_DEFLATED)


def _type(parts, xml: str) -> None:
    ct = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = ct.replace("</Types>", xml + "</Types>").encode()


def rich_book(path: Path, problems: bool = True) -> Path:
    """The template filled from a case (with a weight that breaks the total, and a long text that
    grows its row, when problems), plus everything score must keep."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    d = yaml.safe_load(CASE.read_text("utf-8"))
    if problems:
        d["绩效指标"][0]["分值"] = 11
        d["绩效指标"][1]["实际完成值"] = "按期完成各项工作，" * 12
    case = path.with_suffix(".yaml")
    case.write_text(yaml.safe_dump(d, allow_unicode=True), "utf-8")
    plain = path.with_name(path.stem + "-plain.xlsx")
    run("new", "--from", case, "-o", plain)
    wb = openpyxl.load_workbook(plain)
    ws = wb[FORM]
    ws["A2"].comment = Comment("请核对年度", "科员")
    dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add("K3")
    ws.conditional_formatting.add("E6:F6", CellIsRule(operator="lessThan", formula=["0"],
                                                      fill=PatternFill("solid", start_color="FF0000", end_color="FF0000")))
    wb.defined_names["预算总额"] = DefinedName("预算总额", attr_text=f"'{FORM}'!$E$6")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=5, min_row=6, max_col=6, max_row=6))
    ws.add_chart(chart, "L10")
    wb.save(path)

    def add(parts):
        drawing = next(n for n in parts if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n))
        edited = re.sub(rb"(</(?:xdr:)?wsDr>)$", PIC.encode() + rb"\1", parts[drawing].rstrip())
        assert edited != parts[drawing].rstrip()
        parts[drawing] = edited
        rels = drawing.replace("drawings/", "drawings/_rels/") + ".rels"
        parts[rels] = parts[rels].replace(b"</Relationships>", b'<Relationship Id="rIdPic" Type="http://schemas.'
                                          b'openxmlformats.org/officeDocument/2006/relationships/image" '
                                          b'Target="../media/image1.png"/></Relationships>')
        parts["xl/media/image1.png"] = png()
        _type(parts, '<Default Extension="png" ContentType="image/png"/>')
        parts["customXml/item1.xml"] = CUSTOM_XML
        parts["xl/pivotCache/pivotCacheDefinition1.xml"] = PIVOT
        _type(parts, '<Override PartName="/xl/pivotCache/pivotCacheDefinition1.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheDefinition+xml"/>')

    edit_zip(path, add)
    return path


def raw_entries(path: Path) -> list[tuple[str, int, bytes]]:
    """(name, compression method, compressed bytes as stored) of every entry, in zip order."""
    data = path.read_bytes()
    out = []
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            off = info.header_offset
            nlen, xlen = struct.unpack("<HH", data[off + 26:off + 30])
            start = off + 30 + nlen + xlen
            out.append((info.filename, info.compress_type, data[start:start + info.compress_size]))
    return out


def sheet_parts(path: Path) -> dict[str, str]:
    from evaltool.workbook.xlsx_patch import Package

    pkg = Package(path.read_bytes())
    return {name: part for name, (part, _, _) in pkg.sheet_parts.items()}


OWNED_ALWAYS = {"[Content_Types].xml", "docProps/app.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                "xl/styles.xml", "xl/calcChain.xml"}


def owned(before: Path, after: Path) -> set[str]:
    """What evaltool may rewrite: the package's lists, styles, the sheets it writes to (form, 报告素材,
    校验结果), their rels, notes and note drawings."""
    names = set(OWNED_ALWAYS)
    for path in (before, after):
        parts = sheet_parts(path)
        for sheet in (FORM, REPORT, L.SHEET_RESULTS):
            if parts.get(sheet):
                names.add(parts[sheet])
                folder, base = parts[sheet].rsplit("/", 1)
                names.add(f"{folder}/_rels/{base}.rels")
        with zipfile.ZipFile(path) as zf:
            names |= {n for n in zf.namelist() if re.fullmatch(r"xl/(comments/)?comments?\d*\.xml", n)
                      or re.fullmatch(r"xl/drawings/(vmlDrawing|commentsDrawing)\d*\.vml", n)}
    return names


def assert_kept(before: Path, after: Path) -> set[str]:
    """Every entry evaltool does not own: present, same compressed bytes, same method, same order."""
    mine = owned(before, after)
    old = [e for e in raw_entries(before) if e[0] not in mine]
    new = {e[0]: e for e in raw_entries(after)}
    for name, method, raw in old:
        assert name in new, f"{name} was dropped"
        assert new[name][1] == method and new[name][2] == raw, f"{name} was rewritten"
    order = [n for n, _, _ in raw_entries(after) if n in {o[0] for o in old}]
    assert order == [o[0] for o in old]
    with zipfile.ZipFile(after) as zf:
        assert zf.testzip() is None
        return set(zf.namelist())


def total_cell(path: Path) -> str:
    from evaltool.workbook.workbook_cli import read_projects
    from evaltool.workbook.reader import sheet_info

    return sheet_info(read_projects(str(path))[0]).out["总分"].cell


def snapshot(path: Path, sheets=(FORM, L.SHEET_RESULTS, REPORT)) -> dict:
    """Values, fills, notes and links as openpyxl reads them."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for name in sheets:
        ws = wb[name]
        for row in ws.iter_rows():
            for c in row:
                fill = c.fill.fgColor.rgb[-6:] if c.fill is not None and c.fill.fill_type == "solid" else None
                item = (c.value, fill, c.comment.text if c.comment else None, bool(c.quotePrefix),
                        c.hyperlink.location if c.hyperlink else None)
                if item != (None, None, None, False, None):
                    out[(name, c.coordinate)] = item
        out[(name, "heights")] = {r: d.height for r, d in ws.row_dimensions.items() if d.height}
        out[(name, "breaks")] = [b.id for b in ws.row_breaks.brk]
    out["sheets"] = wb.sheetnames
    return out


def old_path(source: Path, target: Path) -> None:
    """The openpyxl load + save score used before (still the fallback): same writes, same sheet."""
    from evaltool.workbook import service, xlsx_engine
    from evaltool.workbook.workbook_cli import read_projects

    plan = service.plan_projects(read_projects(str(source)))
    wb = xlsx_engine.load(source, data_only=False, rich_text=True)
    xlsx_engine.apply_writes(wb, plan.writes)
    xlsx_engine.write_results(wb, plan.sheet)
    xlsx_engine.save_atomic(wb, target)


# ---- the workbook with a chart, an image, a comment, validation, conditional formats, a name ---------------
@pytest.fixture(scope="module")
def rich(tmp_path_factory) -> Path:
    return rich_book(tmp_path_factory.mktemp("rich") / "表.xlsx")


def test_rich_workbook_is_scored_in_place_and_keeps_every_part(rich, tmp_path):
    book = tmp_path / "表.xlsx"
    book.write_bytes(rich.read_bytes())
    r = run("score", book)
    assert "另存为" not in r.output and f"计分结果已写入 {book}" in r.output.replace("\n", "")
    assert not list(tmp_path.glob("*计分结果*"))
    names = assert_kept(rich, book)
    assert {"xl/media/image1.png", "customXml/item1.xml", "xl/pivotCache/pivotCacheDefinition1.xml"} <= names
    assert any(n.startswith("xl/charts/chart") for n in names)
    wb = openpyxl.load_workbook(book)
    ws = wb[FORM]
    # what openpyxl reads back of each thing the clerk added
    assert ws["A2"].comment is not None and ws["A2"].comment.text.startswith("请核对年度")
    assert any("K3" in str(dv.sqref) for dv in ws.data_validations.dataValidation)
    assert any("E6:F6" in str(cf.sqref) for cf in ws.conditional_formatting)
    assert wb.defined_names["预算总额"].attr_text == f"'{FORM}'!$E$6"
    assert ws._charts and wb.sheetnames.count(L.SHEET_RESULTS) == 1
    # the drawing still points at the picture, the sheet at its drawing
    with zipfile.ZipFile(book) as zf:
        sheet = zf.read(sheet_parts(book)[FORM])
        assert b"<drawing " in sheet and b"<legacyDrawing " in sheet
        rels = zf.read(sheet_parts(book)[FORM].replace("worksheets/", "worksheets/_rels/") + ".rels").decode()
        assert "/drawing" in rels and "comments" in rels and "vmlDrawing" in rels


def test_scores_marks_and_notes_equal_the_old_openpyxl_save(rich, tmp_path):
    patched, saved = tmp_path / "表.xlsx", tmp_path / "old.xlsx"
    patched.write_bytes(rich.read_bytes())
    old_path(rich, saved)
    run("score", patched)
    a, b = snapshot(saved), snapshot(patched)
    assert a.keys() == b.keys()
    assert {k: v for k, v in a.items() if a[k] != b[k]} == {}
    # there was something to compare: a computed total, marks with notes, a grown row, page breaks
    cell = total_cell(patched)
    assert isinstance(b[(FORM, cell)][0], (int, float))
    assert any(v[1] == "FFC7CE" and v[2] and v[2].startswith(L.NOTE_PREFIX) for k, v in b.items()
               if isinstance(v, tuple) and len(v) == 5)
    assert b[(FORM, "breaks")] and max(b[(FORM, "heights")].values()) > SL.FORM_INDICATOR_ROW_PT


def test_libreoffice_opens_and_resaves_the_patched_workbook(rich, tmp_path, soffice):
    book = tmp_path / "表.xlsx"
    book.write_bytes(rich.read_bytes())
    run("score", book)
    cell = total_cell(book)
    expected = openpyxl.load_workbook(book)[FORM][cell].value
    assert isinstance(expected, (int, float))
    out = soffice([book], "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")[0]
    wb = openpyxl.load_workbook(out)
    assert wb[FORM][cell].value == pytest.approx(expected)
    assert L.SHEET_RESULTS in wb.sheetnames
    results = [c.value for row in wb[L.SHEET_RESULTS].iter_rows() for c in row if c.value is not None]
    assert L.RESULTS_TITLE in results
    with zipfile.ZipFile(out) as zf:  # LibreOffice read the chart, the picture and the notes
        names = zf.namelist()
        assert any(n.startswith("xl/charts/") for n in names) and any(n.startswith("xl/media/") for n in names)
        assert any("comments" in n for n in names)
    pdf = soffice([book], "pdf", tmp_path / "pdf")[0]
    assert pdf.read_bytes().startswith(b"%PDF")


def test_rescoring_is_idempotent_and_clears_fixed_marks(rich, tmp_path):
    from evaltool.core.seam import CellWrite
    from evaltool.workbook.workbook_cli import read_projects
    from evaltool.workbook.reader import sheet_info
    from evaltool.workbook.xlsx_patch import patch_workbook

    book = tmp_path / "表.xlsx"
    book.write_bytes(rich.read_bytes())
    run("score", book)
    first = book.read_bytes()
    run("score", book)
    assert book.read_bytes() == first, "a second score of an unchanged workbook changed it"
    p = read_projects(str(book))[0]
    weight = p.indicators[0].cells["分值"].cell
    marked = openpyxl.load_workbook(book)[FORM]
    assert marked[weight].comment is not None and marked[weight].fill.fill_type == "solid"
    # the clerk fixes the weight (written into the sheet as Excel would, nothing else touched)
    book.write_bytes(patch_workbook(book.read_bytes(), [CellWrite(FORM, weight, value=WEIGHT)], None))
    run("score", book)
    wb = openpyxl.load_workbook(book)
    ws = wb[FORM]
    assert ws[weight].value == WEIGHT and ws[weight].comment is None and ws[weight].fill.fill_type is None
    assert wb.sheetnames.count(L.SHEET_RESULTS) == 1
    assert ws["A2"].comment is not None and ws["A2"].comment.text.startswith("请核对年度")  # the clerk's note stays
    results = [c.value for row in wb[L.SHEET_RESULTS].iter_rows() for c in row]
    assert "E-WEIGHT-TOTAL" not in results
    settled = book.read_bytes()
    run("score", book)
    assert book.read_bytes() == settled
    assert assert_kept(rich, book)
    info = sheet_info(read_projects(str(book))[0])
    assert not info.marked or weight not in info.marked


def test_when_no_note_is_left_the_notes_parts_go(tmp_path):
    """Every evaltool note removed (the marks fixed): the comments part and its drawing go, and nothing
    points at them any more (rels, content types, the sheet's legacyDrawing)."""
    from evaltool.core.seam import CellWrite
    from evaltool.workbook.xlsx_patch import patch_workbook

    book = tmp_path / "表.xlsx"
    d = dict(CASE_DATA)
    d["绩效指标"] = [dict(CASE_DATA["绩效指标"][0], 分值=WEIGHT + 1)] + CASE_DATA["绩效指标"][1:]
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(d, allow_unicode=True), "utf-8")
    run("new", "--from", tmp_path / "c.yaml", "-o", book)
    run("score", book)
    ws = openpyxl.load_workbook(book)[FORM]
    noted = [c.coordinate for row in ws.iter_rows() for c in row if c.comment]
    assert noted
    book.write_bytes(patch_workbook(book.read_bytes(), [CellWrite(FORM, a, style="input", note="", keep_value=True)
                                                        for a in noted], None))
    part = sheet_parts(book)[FORM]
    with zipfile.ZipFile(book) as zf:
        names = zf.namelist()
        assert zf.testzip() is None
        assert not [n for n in names if "comment" in n.lower() or n.endswith(".vml")]
        assert b"legacyDrawing" not in zf.read(part)
        rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        assert rels not in names or b"comments" not in zf.read(rels)
        assert b"comments" not in zf.read("[Content_Types].xml")
    ws = openpyxl.load_workbook(book)[FORM]
    assert not [c for row in ws.iter_rows() for c in row if c.comment]
    # and the next score puts them back
    run("score", book)
    ws = openpyxl.load_workbook(book)[FORM]
    assert sorted(c.coordinate for row in ws.iter_rows() for c in row if c.comment) == sorted(noted)


def test_xlsm_keeps_its_macros_and_content_type(tmp_path):
    book = rich_book(tmp_path / "宏.xlsx", problems=True)
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8  # an OLE header and opaque bytes

    def macro(parts):
        parts["xl/vbaProject.bin"] = vba
        ct = parts["[Content_Types].xml"].decode()
        ct = ct.replace("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                        "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
        parts["[Content_Types].xml"] = ct.replace("</Types>", '<Default Extension="bin" ContentType='
                                                  '"application/vnd.ms-office.vbaProject"/></Types>').encode()
        rels = parts["xl/_rels/workbook.xml.rels"].decode()
        parts["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", '<Relationship Id="rIdVba" Type='
                                                           '"http://schemas.microsoft.com/office/2006/relationships/'
                                                           'vbaProject" Target="vbaProject.bin"/></Relationships>').encode()

    edit_zip(book, macro)
    xlsm = book.with_suffix(".xlsm")
    book.rename(xlsm)
    before = tmp_path / "before.xlsm"
    before.write_bytes(xlsm.read_bytes())
    r = run("score", xlsm)
    assert "另存为" not in r.output and not list(tmp_path.glob("*计分结果*"))
    assert_kept(before, xlsm)
    with zipfile.ZipFile(xlsm) as zf:
        assert zf.read("xl/vbaProject.bin") == vba
        ct = zf.read("[Content_Types].xml").decode()
        assert "macroEnabled.main+xml" in ct and "vbaProject" in ct
        assert "vbaProject.bin" in zf.read("xl/_rels/workbook.xml.rels").decode()
    wb = openpyxl.load_workbook(xlsm, keep_vba=True)
    assert L.SHEET_RESULTS in wb.sheetnames


def test_shared_strings_and_formula_cells_are_patched(tmp_path):
    """A workbook as Excel writes it: shared strings, a formula in a computed cell (its calcChain entry
    then goes, Excel rebuilds it), a formula text the clerk typed stays text."""
    book = rich_book(tmp_path / "表.xlsx", problems=True)
    cell = total_cell(book)
    part = sheet_parts(book)[FORM]

    def excelish(parts):
        sheet = parts[part].decode()
        sheet, n = re.subn(rf'<c r="{cell}"([^>]*?)(/>|>.*?</c>)', rf'<c r="{cell}"\1><f>SUM(H14:H22)</f><v>1</v></c>',
                           sheet, count=1)
        if not n:  # the cell was not stored yet
            row = re.search(r"\d+", cell).group()
            sheet = sheet.replace(f'<row r="{row}"', f'<row r="{row}"', 1)
        parts[part] = sheet.encode()
        parts["xl/calcChain.xml"] = (f'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                     f'<c r="{cell}" i="1"/></calcChain>').encode()
        _type(parts, '<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
                     'officedocument.spreadsheetml.calcChain+xml"/>')
        rels = parts["xl/_rels/workbook.xml.rels"].decode()
        parts["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", '<Relationship Id="rIdCalc" Type='
                                                           '"http://schemas.openxmlformats.org/officeDocument/2006/'
                                                           'relationships/calcChain" Target="calcChain.xml"/>'
                                                           '</Relationships>').encode()

    edit_zip(book, excelish)
    with zipfile.ZipFile(book) as zf:
        assert "<f>SUM(H14:H22)</f>" in zf.read(part).decode()
    run("score", book)
    with zipfile.ZipFile(book) as zf:
        names = zf.namelist()
        assert "xl/calcChain.xml" not in names
        assert "calcChain" not in zf.read("xl/_rels/workbook.xml.rels").decode()
        assert "calcChain" not in zf.read("[Content_Types].xml").decode()
        assert 'fullCalcOnLoad="1"' in zf.read("xl/workbook.xml").decode()
    value = openpyxl.load_workbook(book)[FORM][cell].value
    assert isinstance(value, (int, float))


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    from evaltool.core.seam import CellWrite
    from evaltool.workbook.xlsx_patch import patch_workbook

    book = rich_book(tmp_path / "表.xlsx", problems=False)
    data = patch_workbook(book.read_bytes(), [CellWrite(FORM, "K5", value="=cmd|'/c calc'!A1"),
                                              CellWrite(FORM, "K6", value="普通文字")], None)
    book.write_bytes(data)
    ws = openpyxl.load_workbook(book)[FORM]
    assert ws["K5"].value == "=cmd|'/c calc'!A1" and ws["K5"].data_type == "s" and ws["K5"].quotePrefix
    assert ws["K6"].value == "普通文字" and not ws["K6"].quotePrefix
    with zipfile.ZipFile(book) as zf:
        assert "<f>" not in zf.read(sheet_parts(book)[FORM]).decode().split('r="K5"')[1][:200]


def test_a_shared_formula_anchor_cannot_be_patched_and_says_why(tmp_path):
    from evaltool.core.seam import CellWrite
    from evaltool.workbook.xlsx_patch import Unpatchable, patch_workbook

    book = rich_book(tmp_path / "表.xlsx", problems=False)
    part = sheet_parts(book)[FORM]

    def shared(parts):
        sheet = parts[part].decode()
        sheet = re.sub(r'<c r="K14"[^>]*?(/>|>.*?</c>)', "", sheet)
        sheet = re.sub(r'(<row r="14"[^>]*>)(.*?)</row>', r'\1\2<c r="K14"><f t="shared" ref="K14:K16" si="0">'
                       r'H14*2</f><v>0</v></c></row>', sheet, count=1, flags=re.S)
        parts[part] = sheet.encode()

    edit_zip(book, shared)
    with pytest.raises(Unpatchable) as exc:
        patch_workbook(book.read_bytes(), [CellWrite(FORM, "K14", value=1)], None)
    assert "K14" in str(exc.value) and "共享公式" in str(exc.value)


def test_a_workbook_libreoffice_saved_is_patched_too(rich, tmp_path, soffice):
    """LibreOffice writes shared strings, its own styles and note drawings: the second score, on its
    file, patches those, keeps the rest, and reads back as the old openpyxl save would have it."""
    book = tmp_path / "表.xlsx"
    book.write_bytes(rich.read_bytes())
    run("score", book)
    lo = soffice([book], "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")[0]
    with zipfile.ZipFile(lo) as zf:
        assert "xl/sharedStrings.xml" in zf.namelist()
    before, patched, saved = tmp_path / "before.xlsx", tmp_path / "patched.xlsx", tmp_path / "old.xlsx"
    before.write_bytes(lo.read_bytes())
    patched.write_bytes(lo.read_bytes())
    old_path(before, saved)
    r = run("score", patched)
    assert "另存为" not in r.output
    assert_kept(before, patched)
    a, b = snapshot(saved), snapshot(patched)
    assert {k: (a.get(k), b.get(k)) for k in a.keys() | b.keys() if a.get(k) != b.get(k)} == {}
    again = soffice([patched], "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo2")[0]
    cell = total_cell(patched)
    assert openpyxl.load_workbook(again)[FORM][cell].value == pytest.approx(b[(FORM, cell)][0])


def test_what_cannot_be_patched_goes_to_a_new_file_and_says_why(tmp_path):
    """A computed cell that starts a group of shared formulas cannot be overwritten without breaking
    the group; the workbook also holds a chart openpyxl would drop: the clerk's file is left alone,
    the results go to …-计分结果.xlsx, and the message says both (in Chinese)."""
    from evaltool.core.seam import address, parse_address

    book = rich_book(tmp_path / "表.xlsx", problems=False)
    cell = total_cell(book)
    r, c = parse_address(cell)
    part = sheet_parts(book)[FORM]

    def shared(parts):
        group = f'<c r="{cell}"><f t="shared" ref="{cell}:{address(r, c + 1)}" si="0">H14*1</f><v>0</v></c>'
        sheet, n = re.subn(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)', group, parts[part].decode(), count=1)
        assert n == 1
        parts[part] = sheet.encode()

    edit_zip(book, shared)
    before = book.read_bytes()
    res = run("score", book)
    text = res.output.replace("\n", "")
    diverted = tmp_path / "表-计分结果.xlsx"
    assert book.read_bytes() == before and diverted.exists()
    assert "共享公式" in text and cell in text and "图表" in text and diverted.name in text
    assert "Error" not in text and "Traceback" not in text
    assert L.SHEET_RESULTS in openpyxl.load_workbook(diverted).sheetnames


APP_XML = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.org/'
           'officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
           'docPropsVTypes"><Application>Microsoft Excel</Application><HeadingPairs><vt:vector size="4" baseType="variant">'
           '<vt:variant><vt:lpstr>工作表</vt:lpstr></vt:variant><vt:variant><vt:i4>{n}</vt:i4></vt:variant>'
           '<vt:variant><vt:lpstr>命名范围</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector>'
           '</HeadingPairs><TitlesOfParts><vt:vector size="{m}" baseType="lpstr">{titles}<vt:lpstr>自评表!Print_Area'
           '</vt:lpstr></vt:vector></TitlesOfParts></Properties>')


def test_a_new_results_sheet_is_added_with_its_part_relationship_type_and_title(tmp_path):
    """A workbook without 校验结果 (a blank template, its properties as Excel writes them): the sheet is
    added as the last one, and docProps/app.xml counts and names it."""
    book = tmp_path / "空白.xlsx"
    run("new", "-o", book, ok=(0,))
    names = openpyxl.load_workbook(book).sheetnames
    assert L.SHEET_RESULTS not in names
    titles = "".join(f"<vt:lpstr>{n}</vt:lpstr>" for n in names)

    def app(parts):
        parts["docProps/app.xml"] = APP_XML.format(n=len(names), m=len(names) + 1, titles=titles).encode()
    edit_zip(book, app)
    before = tmp_path / "before.xlsx"
    before.write_bytes(book.read_bytes())
    run("score", book, ok=(0, 1, 2))
    assert_kept(before, book)
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == names + [L.SHEET_RESULTS]
    assert wb[L.SHEET_RESULTS]["A1"].value == L.RESULTS_TITLE and wb[L.SHEET_RESULTS].freeze_panes == "A2"
    with zipfile.ZipFile(book) as zf:
        app_xml = zf.read("docProps/app.xml").decode()
        part = sheet_parts(book)[L.SHEET_RESULTS]
        assert f"/{part}" in zf.read("[Content_Types].xml").decode()
    assert f"<vt:i4>{len(names) + 1}</vt:i4>" in app_xml and f'size="{len(names) + 2}"' in app_xml
    assert app_xml.index(f"<vt:lpstr>{L.SHEET_RESULTS}</vt:lpstr>") < app_xml.index("Print_Area")


def test_many_notes_keep_every_clerk_note_with_its_own_shape(tmp_path):
    """The patcher indexes notes and shapes once per sheet (a scan per written note made score
    quadratic: SWEEP S24); the index must keep every clerk note and give each new note its own shape."""
    from openpyxl.comments import Comment

    src = rich_book(tmp_path / "源.xlsx")
    wb = openpyxl.load_workbook(src)
    ws = wb[FORM]
    for r in range(1, 301):  # clerk notes out of the form's columns, in reverse order of cells
        ws.cell(row=301 - r, column=20).comment = Comment(f"备注{301 - r}", "科员")
    book = tmp_path / "表.xlsx"
    wb.save(book)
    run("score", book)
    with zipfile.ZipFile(book) as z:
        vml = [z.read(n).decode() for n in z.namelist() if n.endswith(".vml")]
    out = openpyxl.load_workbook(book)[FORM]
    assert all(out.cell(row=r, column=20).comment.text.startswith(f"备注{r}") for r in range(1, 301))
    notes = [c for row in out.iter_rows() for c in row if c.comment is not None]
    ours = [c for c in notes if c.column != 20 and c.coordinate != "A2"]
    assert ours, "score wrote no note of its own"
    ids = re.findall(r'<(?:\w+:)?shape\b[^>]*\bid="(_x0000_s\d+)"', "".join(vml))  # any prefix openpyxl gives
    assert len(ids) == len(set(ids)) >= len(notes)
    first = book.read_bytes()
    run("score", book)
    assert book.read_bytes() == first
