"""`evaltool publish`: the 信息公开 pack, on real workbooks written by `new --from` and `score`, then
touched the way a unit's file really is (a clerk's note, a hidden sheet, a scratch sheet, a name into
设置, the author in the properties). The public copies are opened with openpyxl and as zip parts, the
PDFs rendered by LibreOffice and read back, the draft's numbers compared with hand-computed sums."""
from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName

from conftest import CASES_DIR
from evaltool.cli import main
from evaltool.workbook import layout as L
from pdfpages import flat, hidden_words, page_texts, page_words

# The four clean 自评表 seeds (seed000 has an E-SCORE-MISMATCH: typed 9 where the rule gives 9.86).
CLEAN = ["seed002-各项工作运转经费", "seed002-电子政务各项专项经费", "seed003-信息化项目建设", "seed004-电子政务外网及智慧办公平台"]
WITH_ERROR = "seed000-政府网站及政务新媒体日常安全运维"
MARK_FILLS = {"FFC7CE", "FFEB9C", "DDEBF7"}
CLERK = "张三（办公室）"


def run(*args, ok=(0, 1)):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code in ok, (result.exit_code, result.output, result.exception)
    return result


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def make_inbox(folder: Path, names: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for stem in names:
        out = folder / f"{stem}.xlsx"
        run("new", "--from", CASES_DIR / f"{stem}.yaml", "-o", out)
        run("score", out)  # marks, notes and the 校验结果 sheet, as a scored file has them
    # What a unit's file carries besides the form.
    path = folder / f"{CLEAN[1]}.xlsx"
    if not path.exists():
        return
    wb = openpyxl.load_workbook(path)
    ws = wb[L.SHEET_FORM]
    label = next(c for row in ws.iter_rows() for c in row if c.value == L.L_NAME)
    label.comment = Comment("请王科长核对资金数（内部）", CLERK)
    hidden = wb.create_sheet("内部测算")
    hidden["A1"] = "内部测算：不公开"
    hidden.sheet_state = "hidden"
    wb.create_sheet("草稿纸")["A1"] = "草稿纸上的字"
    ws["L2"] = "隐藏列里的测算"
    ws.column_dimensions["L"].hidden = True
    wb.defined_names["规则"] = DefinedName("规则", attr_text=f"'{L.SHEET_SETTINGS}'!$B$2")
    wb.defined_names["表头"] = DefinedName("表头", attr_text=f"'{L.SHEET_FORM}'!$A$1")
    wb.properties.creator = CLERK
    wb.properties.lastModifiedBy = CLERK
    wb.save(path)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("publish")
    inbox = tmp / "收件箱"
    make_inbox(inbox, CLEAN + [WITH_ERROR])
    before = digest(inbox)
    result = run("publish", inbox, "-o", tmp / "公开")
    return {"tmp": tmp, "inbox": inbox, "out": tmp / "公开", "before": before, "result": result}


def public(published, stem: str) -> Path:
    return published["out"] / f"{stem}-公开.xlsx"


def test_inputs_are_not_modified(published):
    assert digest(published["inbox"]) == published["before"]


def test_public_xlsx_holds_the_form_only(published):
    out = public(published, CLEAN[1])
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [L.SHEET_FORM]  # no 校验结果, 设置, 说明, 报告素材, 项目基本信息, hidden or scratch sheet
    ws = wb[L.SHEET_FORM]
    cells = [c for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.comment is not None] == []
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    marked = [c.coordinate for c in cells if c.fill is not None and c.fill.fill_type == "solid"
              and str(c.fill.fgColor.rgb)[-6:].upper() in MARK_FILLS]
    assert marked == []  # F6 carried the W-RATE-REASON mark in the scored input
    src = openpyxl.load_workbook(published["inbox"] / f"{CLEAN[1]}.xlsx")
    assert str(src[L.SHEET_FORM]["F6"].fill.fgColor.rgb)[-6:] == "FFEB9C"  # (the input did have it)
    assert ws["F6"].fill.fill_type is None  # the 全年执行数 input cell: white again, as the template has it
    assert str(ws["H6"].fill.fgColor.rgb)[-6:].upper() == L.COLOR_COMPUTED  # the computed 执行率 keeps its grey
    # Names: the one into the removed 设置 sheet and evaltool's own are gone, the clerk's into the form stays.
    assert "规则" not in wb.defined_names and "evaltool_template_version" not in wb.defined_names
    assert "表头" in wb.defined_names
    # The evaluated numbers are there as values.
    values = [c.value for c in cells]
    assert 95.16 in values and "优" in values
    # Print setup kept from the template: A4 landscape, one page wide, the header row repeated.
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1 and ws.print_title_rows == src[L.SHEET_FORM].print_title_rows
    assert ws.print_area == src[L.SHEET_FORM].print_area


def test_public_xlsx_zip_parts(published):
    for stem in CLEAN:
        with zipfile.ZipFile(public(published, stem)) as zf:
            names = zf.namelist()
            assert not [n for n in names if re.search(r"comments|vmlDrawing|externalLink|threadedComment|custom\.xml", n)], names
            assert len([n for n in names if n.startswith("xl/worksheets/sheet")]) == 1
            blob = b"".join(zf.read(n) for n in names)
            for text in (CLERK, "内部测算", "草稿纸", "【evaltool】", L.SHEET_RESULTS, "请王科长", "隐藏列里的测算"):
                assert text.encode("utf-8") not in blob, (stem, text)
            core = zf.read("docProps/core.xml").decode("utf-8")
            assert "<dc:creator" not in core and "lastModifiedBy>" not in core.replace("cp:lastModifiedBy/", "")


def test_public_copy_reads_and_scores_as_the_form(published):
    """The copy is still the form: check reads it and finds the same total and grade."""
    for stem, total in zip(CLEAN, ("100.00", "95.16", "99.98", "100.00")):
        out = run("check", public(published, stem)).output
        assert f"总分 {total}" in out, (stem, out)


def test_form_with_errors_is_refused_and_named(published):
    output = published["result"].output
    assert published["result"].exit_code == 1
    assert not public(published, WITH_ERROR).exists()
    assert flat(f"未公开 {WITH_ERROR}.xlsx 有未改正的错误") in flat(output)
    assert "J6" in output and "--allow-errors" in output and "Traceback" not in output
    # --allow-errors: published as it is, and the draft says so.
    out = published["tmp"] / "照现状公开"
    res = run("publish", published["inbox"] / f"{WITH_ERROR}.xlsx", "-o", out, "--allow-errors")
    assert (out / f"{WITH_ERROR}-公开.xlsx").exists()
    assert flat("按 --allow-errors 公开，表格仍有 1 个未改正的错误") in flat(res.output)
    draft = (out / "预算绩效情况说明（草稿）.md").read_text("utf-8")
    assert "仍有未改正错误的表格 1 个" in draft  # (was "有错误的项目 1 个": its own check read 项目 there)
    assert "E-PUBLISH-NUMBER" not in res.output


def test_pdf_pages_rendered_whole(published, tmp_path, monkeypatch):
    import pdfpages

    # The PDF's Ming face draws a lone "5" so thin that at 100 dpi its anti-aliased strokes read as no ink.
    monkeypatch.setattr(pdfpages, "DPI", 200)
    for stem in CLEAN:
        pdf = published["out"] / f"{stem}-公开.pdf"
        texts = page_texts(pdf)
        words = page_words(pdf)
        joined = flat("".join(texts))
        assert "项目支出绩效自评表" in joined and "偏差原因分析及改进措施" in joined
        for text in ("校验结果", "规则集", "内部测算", "草稿纸", "【evaltool】", "请王科长"):
            assert text not in joined, (stem, text)
        for i in range(len(texts)):
            assert hidden_words(pdf, i + 1, words[i], tmp_path) == [], (stem, i + 1)
        # One page wide: the last column's header is on every table page, nothing beyond the page edge.
        wide = max(w.x1 for page in words for w in page)
        assert wide < 842, (stem, wide)  # A4 landscape is 842 pt wide
        for i, t in enumerate(texts):
            if flat("一级指标") in flat(t):
                assert flat("偏差原因分析及改进措施") in flat(t), (stem, i + 1)
    # Each indicator's name is printed (no clipped rows or columns).
    import yaml

    case = yaml.safe_load((CASES_DIR / f"{CLEAN[2]}.yaml").read_text("utf-8"))
    shown = flat("".join(page_texts(published["out"] / f"{CLEAN[2]}-公开.pdf")))
    for row in case["绩效指标"]:
        assert flat(str(row["三级指标"])) in shown


def draft_path(published) -> Path:
    return published["out"] / "预算绩效情况说明（草稿）.md"


def test_draft_numbers_are_the_forms(published):
    text = draft_path(published).read_text("utf-8")
    # Hand-computed from the four seed cases: 381.80 + 265.69 + 921.47 + 219.91; 381.80 + 137 + 919.94 +
    # 219.91; 1658.65 ÷ 1788.87 = 92.7205…%; (100 + 95.16 + 99.98 + 100) ÷ 4 = 98.785 → 98.79 (half-up).
    assert "共自评项目 4 个" in text
    assert "涉及资金（全年预算数）1788.87 万元，全年执行数 1658.65 万元，预算执行率 92.72%" in text
    assert "优 4 个、良 0 个、中 0 个、差 0 个；平均得分 98.79 分" in text
    assert "电子政务各项专项经费全年预算数 265.69 万元，全年执行数 137.00 万元，预算执行率 51.56%，自评得分 95.16 分" in text
    # Achievements and problems come from the forms' own texts (seed003's 报告素材).
    assert "预算编制还需进一步细化" in text and "全年信息化建设 9 个任务" in text
    assert "【待填写：" in text  # what the forms do not say is left for the clerk, never made up
    # The seeds are of 2022 and 2023: a 部门决算 reports one year, so that is said (a warning, not an error).
    out = flat(published["result"].output)
    assert flat("警告 情况说明：一、二：公开的表格不是同一年度的（2022年：") in out
    assert "错误" not in out.split("情况说明草稿")[1]
    docx = published["out"] / "预算绩效情况说明（草稿）.docx"
    from docx import Document

    body = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert flat("1788.87 万元") in flat(body) and flat("平均得分 98.79 分") in flat(body)


@pytest.mark.parametrize("old, new, code", [
    ("全年执行数 1658.65 万元", "全年执行数 1685.65 万元", "E-PUBLISH-NUMBER"),
    ("平均得分 98.79 分", "平均得分 98.78 分", "E-PUBLISH-NUMBER"),
    ("优 4 个", "优 3 个", "E-PUBLISH-NUMBER"),
    ("共自评项目 4 个", "共自评项目 5 个", "E-PUBLISH-NUMBER"),
    ("预算执行率 51.56%", "预算执行率 56.51%", "E-REPORT-NUMBER"),
    ("自评得分 99.98 分", "自评得分 98.99 分", "E-REPORT-NUMBER"),
])
def test_check_flags_a_changed_number(published, tmp_path, old, new, code):
    text = draft_path(published).read_text("utf-8")
    assert text.count(old) == 1
    edited = tmp_path / "改过的说明.md"
    edited.write_text(text.replace(old, new), "utf-8")
    res = run("publish", published["inbox"], "--check", edited)
    assert res.exit_code == 1, res.output
    from evaltool.publish.run import check_file

    findings, _ = check_file(edited, [published["inbox"]])
    errors = [f for f in findings if f.severity == "error"]
    assert [f.code for f in errors] == [code], [f.message for f in findings]
    assert new.split()[-2] in errors[0].message or new.split()[-1].rstrip("分个%") in errors[0].message
    # The unchanged draft passes the same check.
    same = tmp_path / "原样.md"
    same.write_text(text, "utf-8")
    assert run("publish", published["inbox"], "--check", same).exit_code == 0


def test_check_reads_an_edited_docx(published, tmp_path):
    from docx import Document

    src = published["out"] / "预算绩效情况说明（草稿）.docx"
    doc = Document(str(src))
    hit = next(p for p in doc.paragraphs if "1788.87" in p.text)
    for run_ in hit.runs:
        run_.text = run_.text.replace("1788.87", "1789.87")
    edited = tmp_path / "改过的说明.docx"
    doc.save(str(edited))
    res = run("publish", published["inbox"], "--check", edited)
    assert res.exit_code == 1 and "1789.87" in res.output and "1788.87" in res.output, res.output


def test_rerun_keeps_the_edited_draft_and_skips_its_own_outputs(published, tmp_path):
    inbox = tmp_path / "in"
    shutil.copytree(published["inbox"], inbox)
    out = inbox / "公开"  # the outputs below the inputs: a second run must not publish them again
    run("publish", inbox, "-o", out, "--no-pdf")
    draft = out / "预算绩效情况说明（草稿）.md"
    draft.write_text(draft.read_text("utf-8") + "\n（办公室已修改）\n", "utf-8")
    res = run("publish", inbox, "-o", out, "--no-pdf")
    assert "（办公室已修改）" in draft.read_text("utf-8")  # the clerk's edit is never overwritten
    assert (out / "预算绩效情况说明（草稿）（2）.md").exists()
    assert not list(out.glob("*-公开-公开*")) and "公开-公开" not in res.output
    # A file of the public copy's name that evaltool did not write is left alone.
    mine = out / f"{CLEAN[0]}-公开.xlsx"
    shutil.copyfile(inbox / f"{CLEAN[0]}.xlsx", mine)
    before = mine.read_bytes()
    res = run("publish", inbox, "-o", out, "--no-pdf")
    assert mine.read_bytes() == before and flat("不是 evaltool 写出的公开版") in flat(res.output)


def test_scoresheet_kind_keeps_both_of_its_sheets(tmp_path):
    """Any kind, through the registry: the 评分表 keeps its 评分表 and 绩效目标表 sheets."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    book = inbox / "评分.xlsx"
    run("new", "--from", CASES_DIR / "seed001-信息系统运维项目-评分表.yaml", "-o", book)
    run("score", book)
    before = book.read_bytes()
    res = run("publish", book, "-o", tmp_path / "out", "--no-pdf")
    assert book.read_bytes() == before
    wb = openpyxl.load_workbook(tmp_path / "out" / "评分-公开.xlsx")
    assert wb.sheetnames == ["评分表", "绩效目标表"], res.output
    assert not [c for ws in wb for row in ws.iter_rows() for c in row if c.comment is not None]
    text = (tmp_path / "out" / "预算绩效情况说明（草稿）.md").read_text("utf-8")
    assert "全年预算数 195.01 万元，全年执行数 87.44 万元，预算执行率 44.84%，自评得分 98.50 分" in text


def test_formula_without_a_saved_value_is_refused_naming_the_cell(tmp_path):
    inbox = tmp_path / "in"
    make_inbox(inbox, [CLEAN[0]])
    path = inbox / f"{CLEAN[0]}.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb[L.SHEET_FORM]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "其他资金")
    ws.cell(cell.row, cell.column + 2).value = "=0*1"  # 年初预算数 of 其他资金, typed as a formula
    wb.save(path)
    before = path.read_bytes()
    res = run("publish", path, "-o", tmp_path / "out", "--no-pdf")
    assert path.read_bytes() == before
    addr = f"{openpyxl.utils.get_column_letter(cell.column + 2)}{cell.row}"
    assert flat(f"“{L.SHEET_FORM}”{addr} 是公式，文件中没有保存它的计算结果") in flat(res.output), res.output
    assert not (tmp_path / "out" / f"{CLEAN[0]}-公开.xlsx").exists()


def test_case_file_and_empty_folder_are_refused_in_chinese(tmp_path):
    res = run("publish", CASES_DIR / f"{CLEAN[0]}.yaml", "-o", tmp_path / "out", ok=(1, 2))
    assert flat("是案例文件，不是表格") in flat(res.output) and "Traceback" not in res.output
    empty = tmp_path / "空"
    empty.mkdir()
    res = run("publish", empty, "-o", tmp_path / "out", ok=(2,))
    assert flat("没有找到要公开的表格") in flat(res.output)


def test_totals_are_decimal_half_up():
    """The draft's average is the forms' totals averaged in Decimal, halves rounded up."""
    from evaltool.core.model import Project, ScoreResult
    from evaltool.publish.draft import Row, totals

    def row(total: str) -> Row:
        r = ScoreResult("国家标准", "国家标准", None, None, None, None, "", [], {}, Decimal(total), "优", [])
        return Row(Project(name=f"项目{total}"), r, "f.xlsx", "项目支出绩效自评表", Decimal("0.1"), Decimal("0.2"),
                   None, Decimal(total), "优", None, 0, True)

    t = totals([row("90.005"), row("90.00")])  # 90.0025 → 90.00; and 0.1 + 0.1 is 0.2 exactly
    assert t.average == Decimal("90.0025") and t.budget == Decimal("0.2")
    from evaltool.core.decimals import fmt

    assert fmt(t.average, 2) == "90.00"
    t = totals([row("90.01"), row("90.00")])  # 90.005 → 90.01 half-up (banker's rounding would give 90.00)
    assert fmt(t.average, 2) == "90.01"


def test_the_same_project_twice_is_flagged_and_each_part_checked_by_its_number(tmp_path):
    inbox = tmp_path / "in"
    make_inbox(inbox, [CLEAN[2]])
    shutil.copyfile(inbox / f"{CLEAN[2]}.xlsx", inbox / "再次提交.xlsx")
    res = run("publish", inbox, "-o", tmp_path / "out", "--no-pdf")
    assert flat("同一项目“信息化项目建设项目”（区人民政府办公室，2023）出现 2 次") in flat(res.output), res.output
    text = (tmp_path / "out" / "预算绩效情况说明（草稿）.md").read_text("utf-8")
    assert "### 1. 信息化项目建设项目（区人民政府办公室）" in text and "### 2. 信息化项目建设项目（区人民政府办公室）" in text
    # A number changed in the second part is found there (the two parts share a heading, not a number).
    second = text.index("### 2.")
    edited = tmp_path / "说明.md"
    edited.write_text(text[:second] + text[second:].replace("预算执行率 99.83%", "预算执行率 93.83%"), "utf-8")
    from evaltool.publish.run import check_file

    findings, _ = check_file(edited, [inbox])
    assert [f.code for f in findings] == ["W-DUPLICATE", "E-REPORT-NUMBER"], [f.message for f in findings]
    assert "93.83%" in findings[1].message


def test_a_hand_made_sheet_without_print_setup_prints_one_page_wide(tmp_path):
    """A form laid out by hand (no print area, no fit): the copy fits the page width, landscape when wide."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "layouts"))
    import forms

    book = tmp_path / "手工表.xlsx"
    forms.national(book)
    src = openpyxl.load_workbook(book).active
    assert not src.sheet_properties.pageSetUpPr or not src.sheet_properties.pageSetUpPr.fitToPage
    run("publish", book, "-o", tmp_path / "out", "--no-pdf")
    ws = openpyxl.load_workbook(tmp_path / "out" / "手工表-公开.xlsx").active
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0


def test_the_ribbon_button_publishes_the_saved_workbook(tmp_path):
    """The Excel 公开 button (xlwings remote engine): the book's saved file into 公开 beside it; a form
    with 错误 is a Chinese dialog and nothing is written."""
    import xlwings as xw

    from evaltool.excel import entry
    from evaltool.workbook import xlsx_engine
    from test_excel import payload_from_grids

    make_inbox(tmp_path, [CLEAN[3], WITH_ERROR])
    good = tmp_path / f"{CLEAN[3]}.xlsx"
    before = good.read_bytes()
    book = xw.Book(json=payload_from_grids(xlsx_engine.read_grids(good), name=good.name))
    done = entry.publish(book=book, path=good, open_after=False)
    assert good.read_bytes() == before
    assert (tmp_path / "公开" / f"{CLEAN[3]}-公开.xlsx").exists() and done.drafts
    alerts = [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]
    assert any("已生成公开版" in a and "-公开.pdf" in a for a in alerts), alerts
    bad = tmp_path / f"{WITH_ERROR}.xlsx"
    book = xw.Book(json=payload_from_grids(xlsx_engine.read_grids(bad), name=bad.name))
    entry.publish(book=book, path=bad, folder=tmp_path / "公开2", open_after=False)
    alerts = [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]
    assert any("没有生成公开版" in a and "有未改正的错误" in a for a in alerts), alerts
    assert not list((tmp_path / "公开2").glob("*.xlsx"))
    # A book that is not saved on this computer (the remote engine's has no folder): said so, in Chinese.
    book = xw.Book(json=payload_from_grids(xlsx_engine.read_grids(good), name=good.name))
    assert entry.publish(book=book, open_after=False) is None
    alerts = [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]
    assert any("还没有保存到电脑上" in a for a in alerts), alerts


THIRD = """类型: 测试表
项目名称: 第三种表测试项目
年度: 2024
主管部门: 某县财政局
实施单位: 某县测试中心
测试指标:
  - {名称: 甲项, 分值: 60, 得分: 52}
  - {名称: 乙项, 分值: 40, 得分: 40}
"""


@pytest.mark.parametrize("target, in_draft", [("testkind.kind:KIND", True), ("publishkind.kind:KIND", False)])
def test_a_kind_registered_elsewhere_is_published_through_the_registry(tmp_path, target, in_draft):
    """publish names no kind: the tests' 测试表 (registered here only) is cleaned, printed and, when it
    has a total, counted in the draft; a form without a total is published but kept out of the draft."""
    from evaltool.core import kinds

    kinds.register("测试表", target)
    try:
        case = tmp_path / "测试.yaml"
        case.write_text(THIRD, "utf-8")
        book = tmp_path / "测试表.xlsx"
        assert run("new", book, "--from", case).exit_code == 0
        wb = openpyxl.load_workbook(book)
        wb.create_sheet("内部")["A1"] = "内部的字"
        wb["测试表"]["A2"].comment = Comment("内部批注", CLERK)
        wb.save(book)
        res = run("publish", book, "-o", tmp_path / "out", "--no-pdf", ok=(0,))
        out = openpyxl.load_workbook(tmp_path / "out" / "测试表-公开.xlsx")
        assert out.sheetnames == ["测试表"]
        assert not [c for row in out["测试表"].iter_rows() for c in row if c.comment is not None]
        draft = tmp_path / "out" / "预算绩效情况说明（草稿）.md"
        if in_draft:
            text = draft.read_text("utf-8")
            assert "共自评项目 1 个" in text and "自评得分 92.00 分，评价等次为“优”" in text
            assert "平均得分 92.00 分" in text
        else:
            assert not draft.exists()
            assert flat("已公开但不计入情况说明（表格没有总分和等次，不是绩效自评结果）：测试表.xlsx（测试计划表）") in flat(res.output)
    finally:
        kinds.unregister("测试表")


def test_a_form_of_the_whole_department_is_reported_apart(tmp_path):
    """A kind whose forms evaluate the whole department (subject 部门): counted apart, its money never
    added to the projects' (it holds theirs), its own part in the draft checked like a project's."""
    from evaltool.core import kinds

    kinds.register("测试表", "publishkind.kind:WHOLE")
    try:
        inbox = tmp_path / "in"
        make_inbox(inbox, [CLEAN[2]])
        case = tmp_path / "测试.yaml"
        case.write_text(THIRD.replace("第三种表测试项目", "某县测试中心部门整体"), "utf-8")
        assert run("new", inbox / "部门整体.xlsx", "--from", case).exit_code == 0
        run("publish", inbox, "-o", tmp_path / "out", "--no-pdf", ok=(0,))
        text = (tmp_path / "out" / "预算绩效情况说明（草稿）.md").read_text("utf-8")
        assert "共自评项目 1 个，涉及资金（全年预算数）921.47 万元，全年执行数 919.94 万元" in text
        assert "另填报测试部门整体表 1 个（见第三部分）" in text
        assert "优 1 个、良 0 个、中 0 个、差 0 个；平均得分 99.98 分" in text  # the department's 92 is not averaged in
        assert text.index("### 1. 信息化项目建设项目") < text.index("### 2. 某县测试中心部门整体")
        assert "自评得分 92.00 分" in text.split("### 2.")[1]
        edited = tmp_path / "说明.md"
        edited.write_text(text.replace("测试部门整体表 1 个", "测试部门整体表 2 个"), "utf-8")
        from evaltool.publish.run import check_file

        findings, _ = check_file(edited, [inbox])
        assert [f.code for f in findings] == ["W-PUBLISH-YEARS", "E-PUBLISH-NUMBER"], [f.message for f in findings]
        assert "2023年" in findings[0].message and "2024年" in findings[0].message
        edited.write_text(text, "utf-8")
        assert [f.code for f in check_file(edited, [inbox])[0]] == ["W-PUBLISH-YEARS"]
    finally:
        kinds.unregister("测试表")


def test_a_formula_becomes_the_value_excel_saved(tmp_path, soffice):
    """A clerk's formula in an input cell, saved by a spreadsheet (LibreOffice here) with its value:
    the copy holds that value, not the formula."""
    inbox = tmp_path / "in"
    make_inbox(inbox, [CLEAN[1]])
    path = inbox / f"{CLEAN[1]}.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb[L.SHEET_FORM]
    label = next(c for row in ws.iter_rows() for c in row if c.value == "其他资金")
    addr = ws.cell(label.row, label.column + 2).coordinate
    ws[addr] = "=2*0"
    wb.save(path)
    saved, = soffice([path], "xlsx:Calc MS Excel 2007 XML", tmp_path / "saved")
    assert openpyxl.load_workbook(saved)[L.SHEET_FORM][addr].data_type == "f"
    res = run("publish", saved, "-o", tmp_path / "out", "--no-pdf")
    assert flat("公式 1 个（已换成数值）") in flat(res.output), res.output
    cell = openpyxl.load_workbook(tmp_path / "out" / f"{saved.stem}-公开.xlsx")[L.SHEET_FORM][addr]
    assert (cell.value, cell.data_type) == (0, "n")


def test_every_built_in_kind_of_the_year(tmp_path):
    """The year's real forms side by side: a 自评表, the 部门整体 form (reported apart, its money not added
    to the projects'), a 运行监控表 and a blank 绩效目标表 (no total: published with --allow-errors, kept
    out of the draft). Each copy holds its form sheet only."""
    from test_dept import CASE as DEPT
    from test_monitor import CASE as MONITOR

    inbox = tmp_path / "in"
    make_inbox(inbox, [CLEAN[2]])
    for name, text in (("部门", DEPT), ("监控", MONITOR)):
        case = tmp_path / f"{name}.yaml"
        case.write_text(text, "utf-8")
        assert run("new", "--from", case, "-o", inbox / f"{name}.xlsx").exit_code in (0, 1)
    assert run("new", "--kind", "绩效目标表", "-o", inbox / "目标.xlsx").exit_code == 0
    before = digest(inbox)
    res = run("publish", inbox, "-o", tmp_path / "out", "--no-pdf", "--allow-errors")
    assert digest(inbox) == before
    sheets = {p.stem: openpyxl.load_workbook(p).sheetnames for p in (tmp_path / "out").glob("*.xlsx")}
    assert sheets == {"部门-公开": ["部门整体自评表"], "监控-公开": ["运行监控表"], "目标-公开": ["绩效目标表"],
                      f"{CLEAN[2]}-公开": [L.SHEET_FORM]}, sheets
    assert flat("已公开但不计入情况说明（表格没有总分和等次，不是绩效自评结果）：监控.xlsx（项目支出绩效运行监控表）、目标.xlsx") in flat(res.output)
    text = (tmp_path / "out" / "预算绩效情况说明（草稿）.md").read_text("utf-8")
    assert "共自评项目 1 个，涉及资金（全年预算数）921.47 万元" in text  # not + the department's 1250
    assert "另填报部门整体支出绩效自评表 1 个（见第三部分）" in text and "平均得分 99.98 分" in text
    dept = text.split("### 2. ")[1]
    assert dept.startswith("某县农业农村局") and "全年预算数 1250.00 万元，全年执行数 1187.50 万元，预算执行率 95.00%" in dept
    assert "高标准农田建设进度偏慢" in dept and "提前开展土地流转" in dept  # its 部门报告素材's own field names
    assert "部门报告素材" not in "".join(sheets["部门-公开"])


def test_without_libreoffice_the_xlsx_is_still_published(tmp_path, monkeypatch):
    from evaltool.report import pdf

    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    inbox = tmp_path / "in"
    make_inbox(inbox, [CLEAN[0]])
    res = run("publish", inbox, "-o", tmp_path / "out")
    assert res.exit_code == 1
    assert (tmp_path / "out" / f"{CLEAN[0]}-公开.xlsx").exists() and not list((tmp_path / "out").glob("*.pdf"))
    assert flat("没有生成 PDF：未找到 LibreOffice（soffice），无法生成 PDF。公开版 .xlsx 已生成") in flat(res.output)
    assert (tmp_path / "out" / "预算绩效情况说明（草稿）.md").exists()


@pytest.mark.parametrize("kind", ["运行监控表", "部门整体"])
def test_personal_data_in_a_forms_footer_is_not_published(kind, tmp_path):
    """The 填报人/联系电话 line of a form (SWEEP S21): the label stays, the name and number go."""
    inbox, out = tmp_path / "收件", tmp_path / "公开"
    inbox.mkdir()
    src = inbox / "表.xlsx"
    run("new", "--kind", kind, src, ok=(0,))
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    spots = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("填报人")]
    assert spots, "the template has no 填报人 line"
    from openpyxl.cell.cell import MergedCell

    def beside(label):  # where a clerk types the value: the first free cell right of the label
        return next((c for c in ws[label.row][label.column:label.column + 4] if not isinstance(c, MergedCell)), None)

    cell = spots[0]
    phone = next((c for c in ws[cell.row] if isinstance(c.value, str) and c.value.startswith("联系电话")), None)
    if cell.value.rstrip().endswith("：") and phone is not None and beside(cell) is not None and beside(phone) is not None:
        beside(cell).value, beside(phone).value = "张三", "13812345678"
    else:  # one cell holding the whole line
        cell.value = "填报人：张三    联系电话：13812345678    填报日期：2026年7月31日"
    wb.save(src)
    before = src.read_bytes()
    res = run("publish", inbox, "-o", out, "--no-pdf", "--allow-errors", ok=(0, 1))
    assert src.read_bytes() == before
    assert "个人信息" in res.output, res.output
    copy = next(out.glob("*-公开.xlsx"))
    values = [str(c.value) for w in openpyxl.load_workbook(copy).worksheets for row in w.iter_rows() for c in row
              if c.value is not None]
    joined = " ".join(values)
    assert "张三" not in joined and "13812345678" not in joined
    assert any(v.startswith("填报人") for v in values)  # the label is kept


def test_a_file_that_holds_no_form_is_refused_by_name(tmp_path):
    """SWEEP S12: the reader's "这个工作簿不是…" does not name the file; publish's line does."""
    inbox = tmp_path / "收件"
    inbox.mkdir()
    openpyxl.Workbook().save(inbox / "空白.xlsx")
    res = run("publish", inbox, "-o", tmp_path / "公开", "--no-pdf", ok=(1, 2))
    line = next(x for x in res.output.splitlines() if "未公开" in x)
    assert "空白.xlsx：" in line, res.output


def test_personal_data_in_formatted_text_and_in_several_cells_is_not_published(tmp_path):
    """A signature line whose label is bold (rich text), and a name and a number both right of one label."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    inbox, out = tmp_path / "收件", tmp_path / "公开"
    inbox.mkdir()
    src = inbox / "表.xlsx"
    run("new", "--kind", "运行监控表", src, ok=(0,))
    wb = openpyxl.load_workbook(src, rich_text=True)
    ws = wb.worksheets[0]
    free = ws.max_row + 2
    ws.cell(free, 1).value = CellRichText(TextBlock(InlineFont(b=True), "填报人："), "王五")
    ws.cell(free + 1, 1).value = "联系人："
    ws.cell(free + 1, 2).value = "赵六"
    ws.cell(free + 1, 3).value = "13700001111"
    wb.save(src)
    run("publish", inbox, "-o", out, "--no-pdf", "--allow-errors", ok=(0, 1))
    copy = next(out.glob("*-公开.xlsx"))
    joined = " ".join(str(c.value) for w in openpyxl.load_workbook(copy).worksheets for row in w.iter_rows()
                      for c in row if c.value is not None)
    assert "王五" not in joined and "赵六" not in joined and "13700001111" not in joined
    assert "填报人：" in joined and "联系人：" in joined


def blank_dept_inbox(tmp_path):
    """(inbox, output folder, the inbox's blank 部门整体 form, its workbook, its form sheet)."""
    inbox, out = tmp_path / "收件", tmp_path / "公开"
    inbox.mkdir()
    src = inbox / "部门.xlsx"
    run("new", "--kind", "部门整体", src, ok=(0,))
    wb = openpyxl.load_workbook(src)
    return inbox, out, src, wb, wb.worksheets[0]


def test_a_signature_line_keeps_every_label_and_only_loses_the_values(tmp_path):
    """SWEEP S34: the 部门整体's footer "填报人：… 联系电话：… 单位负责人（签字）：… （单位盖章）".
    Empty, it is published as it stands and nothing is counted as removed (it was "填报人：电话：…",
    1 处); filled, only 李四/139…/王五 go, and 单位负责人（签字） and （单位盖章） stay on the line."""
    inbox, out, src, wb, ws = blank_dept_inbox(tmp_path)
    footer = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("填报人"))
    empty_line = footer.value
    assert "联系电话" in empty_line and "（单位盖章）" in empty_line

    def published():
        res = run("publish", inbox, "-o", out, "--no-pdf", "--allow-errors", ok=(0, 1))
        copy = next(out.glob("*-公开.xlsx"))
        return openpyxl.load_workbook(copy).worksheets[0][footer.coordinate].value, res.output

    value, output = published()
    assert value == empty_line
    assert "个人信息" not in output, output
    footer.value = "填报人：李四    联系电话：13900001111    单位负责人（签字）：王五    （单位盖章）"
    wb.save(src)
    value, output = published()
    assert value == "填报人：    联系电话：    单位负责人（签字）：    （单位盖章）"
    assert "个人信息" in output, output


def test_a_filled_blank_dept_form_gets_its_year_in_the_title_and_a_draft_that_checks(tmp_path):
    """SWEEP S35: the 部门整体 template's "（      年度）" under the title stayed blank after score and in
    the public copy (the 目标表's was filled). And with --allow-errors the draft's own note
    "有错误的项目 1 个" was flagged by its own check as disagreeing with the project count 0."""
    inbox, out, src, wb, ws = blank_dept_inbox(tmp_path)
    title = next(c for row in ws.iter_rows(max_row=4) for c in row if c.value == "（      年度）")
    label = next(c for row in ws.iter_rows(max_row=6) for c in row if c.value == "年度")
    ws.cell(label.row, label.column + 1).value = 2026
    wb.save(src)
    res = run("publish", inbox, "-o", out, "--no-pdf", "--allow-errors", ok=(0, 1))
    copy = next(out.glob("*-公开.xlsx"))
    assert openpyxl.load_workbook(copy).worksheets[0][title.coordinate].value == "（2026年度）"
    assert "E-PUBLISH-NUMBER" not in res.output and "表格份数为 0" not in res.output, res.output
    run("score", src, ok=(0, 1))
    assert openpyxl.load_workbook(src).worksheets[0][title.coordinate].value == "（2026年度）"


def test_phone_and_id_numbers_inside_free_text_are_not_published(tmp_path):
    """SWEEP S56: a number written inside a sentence (偏差原因 "…详询张三，电话13812345678。") has no label
    before it, so the signature-line blanking left it in the public copy and the draft quoted it. Now
    every text cell loses its mobile, landline and ID numbers; the amounts and dates stay; the cells are named."""
    inbox, out = tmp_path / "收件", tmp_path / "公开"
    inbox.mkdir()
    src = inbox / "表.xlsx"
    run("new", "--from", CASES_DIR / f"{CLEAN[0]}.yaml", "-o", src)
    wb = openpyxl.load_workbook(src)
    ws = wb[L.SHEET_FORM]
    head = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "偏差原因" in c.value)
    reason = ws.cell(head.row + 1, head.column)
    while isinstance(reason, MergedCell):
        reason = ws.cell(reason.row + 1, reason.column)
    reason.value = "2人因工作调动未能参训，详询张三，电话13812345678或0571-88886666，预计2026年3月补训。"
    free = ws.max_row + 2
    ws.cell(free, 1).value = "经办人王五（110101199001011234）负责，全年预算数12000000元。"
    wb.save(src)
    res = run("publish", inbox, "-o", out, "--no-pdf", "--allow-errors")
    copy = openpyxl.load_workbook(next(out.glob("*-公开.xlsx")))[L.SHEET_FORM]
    assert copy[reason.coordinate].value == "2人因工作调动未能参训，详询张三，电话或，预计2026年3月补训。"
    assert copy.cell(free, 1).value == "经办人王五（）负责，全年预算数12000000元。"
    said = flat(res.output)
    assert flat(f"文字中的电话号码、身份证号 3 处（{L.SHEET_FORM}!{reason.coordinate}、{L.SHEET_FORM}!A{free}") in said, res.output
    draft = (out / "预算绩效情况说明（草稿）.md").read_text("utf-8")
    assert "详询张三，电话或，预计2026年3月补训" in draft and "13812345678" not in draft and "88886666" not in draft


def test_a_hand_made_sheet_without_a_paper_size_is_published_on_a4(tmp_path):
    """SWEEP S64: a sheet saved without a paper size (openpyxl, most provincial forms) was printed by
    LibreOffice on its locale's default, US Letter (612 x 792 pt); forms are printed on A4 and stamped."""
    import subprocess
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "layouts"))
    import forms

    book = tmp_path / "手工表.xlsx"
    forms.national(book)
    assert not openpyxl.load_workbook(book).active.page_setup.paperSize
    run("publish", book, "-o", tmp_path / "out")
    ws = openpyxl.load_workbook(tmp_path / "out" / "手工表-公开.xlsx").active
    assert str(ws.page_setup.paperSize) == "9"
    info = subprocess.run(["pdfinfo", str(tmp_path / "out" / "手工表-公开.pdf")], capture_output=True, text=True,
                          check=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size, info
    assert sorted(round(float(x)) for x in size.groups()) == [595, 842], info
