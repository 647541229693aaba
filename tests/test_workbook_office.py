"""The workbook through real LibreOffice: typed like a person, rows inserted, re-saved, printed.

One soffice process at a time, with a private profile, three conversions in all.
"""
from __future__ import annotations

import copy
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import case_files
from evaltool.cli import main
from evaltool.workbook import layout as L
from evaltool.workbook.reader import read_workbook_projects
from evaltool.workbook.template import TEMPLATE_PATH

pytestmark = pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")


def run(*args, ok=(0, 1)):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code in ok, (result.exit_code, result.output, result.exception)
    return result


def insert_rows_like_excel(ws, at: int, n: int) -> None:
    """Insert n rows before row `at` the way Excel does: merges spanning the point grow, merges
    below move down, the new rows take the style of the row above."""
    ranges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
    for m in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(m))
    ws.insert_rows(at, n)
    for r1, c1, r2, c2 in ranges:
        if r1 >= at:
            r1, r2 = r1 + n, r2 + n
        elif r2 >= at:
            r2 += n
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    for r in range(at, at + n):
        ws.row_dimensions[r].height = ws.row_dimensions[at - 1].height
        for c in range(1, 11):
            src, dst = ws.cell(at - 1, c), ws.cell(r, c)
            if type(dst).__name__ == "MergedCell":
                continue
            dst._style = copy.copy(src._style)


def test_typed_by_a_person_rows_inserted_resaved_by_libreoffice(tmp_path: Path, soffice):
    book = tmp_path / "typed.xlsx"
    shutil.copy(TEMPLATE_PATH, book)
    wb = openpyxl.load_workbook(book)
    ws = wb[L.SHEET_FORM]
    # Header, as typed.
    ws["A2"] = 2023
    ws["C3"] = "政府网站及政务新媒体日常安全运维"
    ws["C4"] = "淮南市人民政府办公室"
    ws["G4"] = " 淮南市人民政府办公室 "
    # 项目资金（万元）: units typed along, full-width digits, numbers as text.
    for col, values in {"D": ("35 万元", "３５", 0, 0), "E": ("35 万元", "35", "0", 0),
                        "F": ("34.5万", "34.5 万元", 0, "0")}.items():
        for i, v in enumerate(values):
            ws[f"{col}{6 + i}"] = v
    ws["B11"] = "完成我区政府网站及政务新媒体的日常安全运维"
    ws["F11"] = "延续实施区级政府网站及政务新媒体项目 6 个。"
    rows = {
        13: ("信息公开数量", "≥1000条", "１０６２条", 5),
        14: ("办件数量", "≥ 500件", "480 件", "5", "部分事项延期到次年办理，已督促加快进度。"),
        16: ("内容准确度", "≥ 90%", "93%", 15),
        18: ("更新速率", "≤1 天", "1天", 10),
        20: ("成本数", "≤35万元", "34.5 万元", 10),
        23: ("网络安全事故数", "＝0起", "0起", 10),  # full-width: Excel keeps it as text
        24: ("网站及新媒体内容安全", "持续保障", "达成预期指标", 10, "个别栏目更新不及时，已安排专人值守。"),
        26: ("促进社会可持续发展", "定性", "显著", 10),
        27: ("满意度", "≥90%", "95%", 10),
    }
    for r, vals in rows.items():
        for col, v in zip("DEFGI", vals):
            ws[f"{col}{r}"] = v
    ws["J24"] = "９"  # the clerk's own score for a qualitative indicator, full-width
    # Three rows inserted in the middle of 质量指标 (rows 16-17), one of them filled.
    insert_rows_like_excel(ws, 17, 3)
    for col, v in zip("DEFG", ("审核通过率", "=100%", "100%", 5)):
        ws[f"{col}17"] = v
        ws[f"{col}17"].data_type = "s" if isinstance(v, str) else "n"
    wb.save(book)

    resaved, = soffice([book], "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    projects = read_workbook_projects(resaved)
    assert len(projects) == 1
    p = projects[0]
    assert len(p.indicators) == 10
    new = next(i for i in p.indicators if i.level3 == "审核通过率")
    assert (new.level1, new.level2) == ("产出指标", "质量指标")  # from the grown merge
    res = run("score", resaved, "--json")
    out = json.loads(res.stdout)
    # 34.5 / 35 = 98.57% -> 9.86; 产出 5 + 4.8 + 15 + 5 + 10 + 10; 效益 10 + 9 + 10; 满意度 10.
    assert out["执行率"] == pytest.approx(0.9857)
    assert out["执行率得分"] == pytest.approx(9.86)
    assert out["小计"] == {"预算执行率": 9.86, "产出指标": 49.8, "效益指标": 29, "满意度指标": 10}
    assert out["总分"] == pytest.approx(98.66)
    assert out["等次"] == "优"
    assert out["错误数"] == 0, out["标记"]
    assert res.exit_code == 0
    scored = openpyxl.load_workbook(resaved)[L.SHEET_FORM]
    total_cell = next(c for row in scored.iter_rows() for c in row if c.value == L.L_TOTAL)
    assert scored.cell(total_cell.row, 8).value == pytest.approx(98.66)
    # What the person typed is still there, exactly.
    assert scored["F6"].value == "34.5万" and scored["J27"].value == "９"


def test_prints_one_page_wide(tmp_path: Path, soffice):
    filled = tmp_path / "filled.xlsx"
    case = next(c for c in case_files("自评表") if "电子政务各项专项经费" in c.name)  # long 三级 text
    run("new", "--from", case, "-o", filled)
    blank = tmp_path / "blank.xlsx"
    shutil.copy(TEMPLATE_PATH, blank)
    pdfs = soffice([blank, filled], "pdf", tmp_path / "pdf")
    for pdf in pdfs:
        info = subprocess.run(["pdfinfo", "-l", "100", str(pdf)], capture_output=True, text=True, check=True).stdout
        sizes = [line.split("size:")[1].strip() for line in info.splitlines() if line.startswith("Page") and "size:" in line]
        pages = [subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(pdf), "-"],
                                capture_output=True, text=True, check=True).stdout for i in range(1, len(sizes) + 1)]
        # The 自评表 comes first (up to its 得分小计 row); its indicator header row repeats on each page.
        flat = [p.replace(" ", "") for p in pages]
        end = next(i for i, text in enumerate(flat) if L.L_SUBTOTALS in text)
        form_pages = list(range(end + 1))
        assert L.TITLE in flat[0]
        for i in form_pages[1:]:
            assert "一级指标" in flat[i] and "偏差原因分析及改进措施" in flat[i], (pdf.name, i)
        # One page wide: the leftmost and rightmost printed columns are on the same page (the table
        # starts on page 2 when its first 一级 block does not fit below the header block)…
        for label in ("项目名称", "执行率", "得分"):
            assert label in flat[0], (pdf.name, label)
        table = next(i for i in form_pages if "一级指标" in flat[i])
        assert table <= 1 and "偏差原因分析及改进措施" in flat[table]
        # …no page of the form holds only columns cut off to the right, and the 自评得分 helper column
        # is not printed.
        assert all("自评得分" not in text for text in pages[: form_pages[-1] + 1])
        for i in form_pages:
            assert sizes[i].startswith("841.89 x 595.") or sizes[i].startswith("842 x 595"), sizes[i]  # A4 landscape
        assert any(L.L_TOTAL in pages[i].replace(" ", "") for i in form_pages)
        assert len(form_pages) <= 3


def test_xls_is_refused_unchanged(tmp_path: Path, soffice):
    book = tmp_path / "old.xlsx"
    run("new", "--from", case_files("自评表")[0], "-o", book)
    xls, = soffice([book], "xls", tmp_path / "xls")
    before = hashlib.sha256(xls.read_bytes()).hexdigest()
    for args in (("score", xls), ("check", xls)):
        res = run(*args, ok=(2,))
        assert ".xls" in res.output and "另存为" in res.output
    # Renamed to .xlsx it is still recognised for what it is.
    renamed = tmp_path / "renamed.xlsx"
    shutil.copy(xls, renamed)
    assert "Excel 97-2003" in run("score", renamed, ok=(2,)).output
    assert hashlib.sha256(xls.read_bytes()).hexdigest() == before


def test_marks_survive_libreoffice_and_clear_when_fixed(tmp_path: Path, soffice):
    book = tmp_path / "marked.xlsx"
    run("new", "--from", case_files("自评表")[0], "-o", book)
    p = read_workbook_projects(book)[0]
    cell = p.indicators[1].cells["分值"].cell
    wb = openpyxl.load_workbook(book)
    original = wb[L.SHEET_FORM][cell].value
    wb[L.SHEET_FORM][cell] = "十五"
    wb.save(book)
    run("score", book, ok=(1,))
    resaved, = soffice([book], "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    wb = openpyxl.load_workbook(resaved)
    assert wb[L.SHEET_FORM][cell].comment is not None  # the note came through LibreOffice
    assert str(wb.defined_names[L.VERSION_NAME].attr_text) == str(L.TEMPLATE_VERSION)
    assert wb[L.SHEET_FORM].protection.sheet
    wb[L.SHEET_FORM][cell] = original
    wb.save(resaved)
    run("score", resaved)
    fixed = openpyxl.load_workbook(resaved)[L.SHEET_FORM][cell]
    assert fixed.comment is None and fixed.fill.fill_type is None and fixed.value == original
