"""The workbook: template, reading, scoring in place, writing, CLI — on real .xlsx files."""
from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from openpyxl.styles import PatternFill

from conftest import case_files
from evaltool.cli import main
from evaltool.core.caseio import case_to_dict, load_case
from evaltool.workbook import layout as L
from evaltool.workbook.reader import read_workbook_projects, sheet_info
from evaltool.kinds.selfeval.template import build_workbook
from evaltool.workbook.template import TEMPLATE_PATH, deterministic_bytes, template_bytes

SELF_CASES = case_files("自评表")


def run(*args, ok=(0, 1)):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code in ok, (result.exit_code, result.output, result.exception)
    return result


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def out_value(path: Path, project_index: int, name: str):
    """Value now in the computed cell named name (found by the reader, i.e. by label)."""
    p = read_workbook_projects(path)[project_index]
    info = sheet_info(p)
    loc = info.out[name]
    return openpyxl.load_workbook(path)[loc.sheet][loc.cell].value


def comparable(d: dict) -> dict:
    d = dict(d)
    d.pop("期望", None)
    if d.get("规则") in (None, "国家标准"):
        d.pop("规则", None)
    return d


# ---- template ------------------------------------------------------------------------------------------
def test_committed_template_is_what_the_code_builds():
    fresh = template_bytes()
    assert fresh == template_bytes(), "template build is not deterministic"
    committed = TEMPLATE_PATH.read_bytes()
    if committed != fresh:  # say which member differs rather than just "bytes differ"
        a, b = zipfile.ZipFile(io.BytesIO(committed)), zipfile.ZipFile(io.BytesIO(fresh))
        assert a.namelist() == b.namelist()
        for n in a.namelist():
            assert a.read(n) == b.read(n), f"{n} differs: run `evaltool template`"


def test_template_is_made_for_typing():
    wb = openpyxl.load_workbook(TEMPLATE_PATH)
    assert wb.sheetnames == [L.SHEET_FORM, L.SHEET_REPORT, L.SHEET_BASIC, L.SHEET_SETTINGS, L.SHEET_HELP]
    assert str(wb.defined_names[L.VERSION_NAME].attr_text) == str(L.TEMPLATE_VERSION)
    ws = wb[L.SHEET_FORM]
    assert ws.protection.sheet and not ws.protection.password
    assert ws.protection.insertRows is False  # clerks may add indicator rows
    assert ws.freeze_panes == "A3"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # The indicator header row (not the title) repeats on every printed page.
    header = next(r for r in range(1, 40) if ws.cell(r, 2).value == "一级指标")
    assert ws.print_title_rows == f"${header}:${header}"
    # Blank template, read back: every computed cell locked and grey, every input cell unlocked.
    p = read_workbook_projects(TEMPLATE_PATH)[0]
    info = sheet_info(p)
    assert info.template and not p.indicators  # pre-grouped rows without content are not indicators
    computed = [loc.cell for loc in info.out.values()]
    assert set(info.out) == {"执行率", "执行率得分", "总分", "分值合计", "等次", "小计"}
    for cell in computed:
        assert ws[cell].protection.locked, cell
        assert ws[cell].fill.fgColor.rgb.endswith(L.COLOR_COMPUTED), cell
    for cell in info.inputs:
        assert ws[cell].protection.locked is False, cell
        assert cell not in computed
    # Dropdowns and input messages on the indicator columns.
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    lists = [dv for dv in dvs.values() if dv.type == "list"]
    assert any("产出指标" in dv.formula1 for dv in lists)
    assert any("服务对象满意度指标" in dv.formula1 for dv in lists)
    assert any("达成预期指标" in dv.formula1 for dv in lists)
    assert sum(1 for dv in dvs.values() if dv.prompt) >= 8
    # 一级/二级 merged as on the form.
    merged = [str(m) for m in ws.merged_cells.ranges]
    assert any(m.startswith("B") and ":B" in m for m in merged)
    assert wb[L.SHEET_SETTINGS]["B2"].value == "国家标准"
    help_text = "\n".join(str(c.value) for c in wb[L.SHEET_HELP]["A"] if c.value)
    assert "自评得分（定性指标可填）" in help_text and "插入" in help_text


# ---- every 自评表 case round-trips --------------------------------------------------------------------
@pytest.mark.parametrize("case", SELF_CASES, ids=lambda p: p.stem)
def test_case_round_trip(case: Path, tmp_path: Path):
    data = yaml.safe_load(case.read_text("utf-8"))
    expected = data["期望"]
    book = tmp_path / "form.xlsx"
    run("new", "--from", case, "-o", book)
    # new refuses to overwrite an existing workbook.
    before = sha(book)
    assert run("new", "--from", case, "-o", book, ok=(2,)).exit_code == 2
    assert sha(book) == before
    res = run("score", book, "--json")
    out = json.loads(res.stdout)
    assert out["执行率"] == pytest.approx(expected["执行率"])
    assert out["执行率得分"] == pytest.approx(expected["执行率得分"])
    assert out["总分"] == pytest.approx(expected["总分"])
    assert out["等次"] == expected["等次"]
    # The same numbers in the cells.
    assert out_value(book, 0, "执行率") == pytest.approx(expected["执行率"])
    assert out_value(book, 0, "执行率得分") == pytest.approx(expected["执行率得分"])
    assert out_value(book, 0, "总分") == pytest.approx(expected["总分"])
    assert out_value(book, 0, "等次") == expected["等次"]
    # Findings the case demands are raised, no error beyond them.
    wanted = expected.get("标记") or []
    errors = [m for m in out["标记"] if m["级别"] == "错误"]
    assert len(errors) == len(wanted), errors
    for want in wanted:
        (field, text), = want.items()
        assert any(text.split("与")[0].strip() in m["说明"] for m in errors), (want, errors)
    assert res.exit_code == (1 if wanted else 0)
    # Every finding carries sheet and cell.
    assert all(m["工作表"] and m["单元格"] for m in out["标记"])
    # No value is ever written into a cell the clerk types in.
    from evaltool.workbook.workbook_cli import evaluate_projects
    from evaltool.workbook.writer import cell_writes

    (project, result), = evaluate_projects(read_workbook_projects(book))
    writes = cell_writes(project, result)
    assert writes and not [w for w in writes if not w.keep_value and w.cell in sheet_info(project).inputs]
    # export gives the same data back.
    exported = tmp_path / "back.yaml"
    run("export", book, "-o", exported, ok=(0,))
    assert comparable(case_to_dict(load_case(exported))) == comparable(case_to_dict(load_case(case)))


# ---- writing in place ------------------------------------------------------------------------------------
def _typed_values(path: Path) -> dict:
    p = read_workbook_projects(path)[0]
    info = sheet_info(p)
    ws = openpyxl.load_workbook(path)[info.sheet]
    return {cell: ws[cell].value for cell in info.inputs}


def test_findings_marked_in_place_and_cleared_when_fixed(tmp_path: Path):
    book = tmp_path / "f.xlsx"
    run("new", "--from", SELF_CASES[0], "-o", book)
    p = read_workbook_projects(book)[0]
    weight_cell = p.indicators[1].cells["分值"].cell
    wb = openpyxl.load_workbook(book)
    ws = wb[L.SHEET_FORM]
    original = ws[weight_cell].value
    ws[weight_cell] = "十五"
    ws[weight_cell].fill = PatternFill()  # as typed by the clerk
    wb.save(book)
    typed = _typed_values(book)
    res = run("score", book, ok=(1,))
    assert res.exit_code == 1
    assert _typed_values(book) == typed  # nothing the clerk typed changed
    wb = openpyxl.load_workbook(book)
    ws = wb[L.SHEET_FORM]
    cell = ws[weight_cell]
    assert cell.value == "十五"
    assert cell.fill.fgColor.rgb.endswith(L.STYLES["error"]["fill"])
    assert cell.comment is not None and "不是数字" in cell.comment.text
    results = wb[L.SHEET_RESULTS]
    links = {c.value: c.hyperlink.location if c.hyperlink.location else c.hyperlink.target
             for row in results.iter_rows() for c in row if c.hyperlink}
    assert weight_cell in links and weight_cell in str(links[weight_cell])
    # Fix it and score again: mark and note go, the number is scored.
    ws[weight_cell] = original
    wb.save(book)
    run("score", book)
    wb = openpyxl.load_workbook(book)
    cell = wb[L.SHEET_FORM][weight_cell]
    assert cell.comment is None
    assert cell.fill.fill_type is None
    assert all(weight_cell != c.value for row in wb[L.SHEET_RESULTS].iter_rows() for c in row)


def test_output_option_leaves_source_alone(tmp_path: Path):
    book, out = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    run("new", "--from", SELF_CASES[0], "-o", book)
    before = sha(book)
    run("score", book, "-o", out)
    assert sha(book) == before
    assert L.SHEET_RESULTS in openpyxl.load_workbook(out).sheetnames


def test_file_with_image_is_scored_in_place_and_keeps_it(tmp_path: Path):
    """Issue 14: score patches only evaltool's parts, so a picture (which openpyxl would not carry over)
    stays, byte for byte, in the clerk's own file (it used to go to …-计分结果.xlsx)."""
    book = tmp_path / "pic.xlsx"
    run("new", "--from", SELF_CASES[0], "-o", book)
    # A picture (e.g. a scanned stamp) lives in xl/media.
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    with zipfile.ZipFile(book, "a") as zf:
        zf.writestr("xl/media/image1.png", png)
    res = run("score", book)
    assert "另存为" not in res.output and not (tmp_path / "pic-计分结果.xlsx").exists()
    with zipfile.ZipFile(book) as zf:
        assert zf.read("xl/media/image1.png") == png
    assert L.SHEET_RESULTS in openpyxl.load_workbook(book).sheetnames


def test_check_does_not_write(tmp_path: Path):
    book = tmp_path / "c.xlsx"
    run("new", "--from", SELF_CASES[0], "-o", book)
    before = sha(book)
    res = run("check", book, "--json")
    assert json.loads(res.stdout)["总分"] is not None
    assert sha(book) == before


# ---- a form typed by hand, not from our template --------------------------------------------------------
def hand_made(path: Path, wrong_score: bool = False, one_sheet: bool = False) -> None:
    """Seed 002 typed into a plain workbook: two forms on two sheets (or one under the other, with
    the table header repeated as on a second printed page), own column layout, typed 得分."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    ws = None
    for n, (name, budget, actual, rate, rate_score, total) in enumerate(
            (("电子政务各项专项经费", 265.69, 137, "51.56%", 5.16, 95.16),
             ("各项工作运转经费", "381.8", "381.8", 1, 10, 99))):
        if not one_sheet or ws is None:
            ws = wb.create_sheet(f"附件{n + 1}")
        else:
            ws.append([])
        ws.append([None, "项目支出绩效自评表"])
        ws.append([None, "(2022年度)"])
        ws.append([])  # blank line, as people leave
        ws.append(["项目名称", None, name])
        ws.append(["主管部门", None, "021-霍邱县人民政府办公室", None, None, "实施单位", "021001-霍邱县人民政府办公室"])
        ws.append(["项目资金\n(万元)", None, "年初预算数", "全年预算数\n(A)", "全年执行数\n(B)", "分值", "执行率\n(B/A)", "得分"])
        ws.append([None, "年度资金总额：", budget, budget, actual, 10, rate, rate_score])
        ws.append([None, "其中：本年财政拨款", budget, budget, actual, "—"])
        ws.append([None, "上年结转资金", 0, 0, 0, "—"])
        ws.append([None, "其他资金", 0, 0, 0, "—"])
        ws.append(["年度总体目标", "预期目标", None, None, "实际完成情况"])
        ws.append([None, "确保全年工作顺利开展。", None, None, "各项工作已完成。"])
        ws.append(["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                   "偏差原因分析及改进措施"])
        rows = [
            ("产出指标 (50分)", "数量指标", "任务数", "=7个", "7", 15, 15),
            (None, "质量指标", "保障各项工作高质量开展", "持续推动", "达成预期指标", 20, 20),
            (None, "时效指标", "按时完成", "2022年12月31日前", "达成预期指标", 10, 10),
            (None, "成本指标", "保障各项工作经费", "265.69万元", "达成预期指标", 5, 5),
            ("效益指标 (30分)", "经济效益指标", "县域经济健康发展", "持续推动", "达成预期指标", 5, 5),
            (None, "社会效益指标", "重点工作落地落实", "持续推动", "达成预期指标", 5, None),  # 得分 left blank
            (None, None, "社会效益实现最大化", "持续推动", "达成预期指标", 5, 5),
            (None, "生态效益指标", "县域生态文明良好", "持续推动", "达成预期指标", 5, 5),
            (None, "可持续影响指标", "不断提高协调、服务能力", "持续推动", "达成预期指标", 10, 10),
            ("满意度指标 (10分)", "满意度指标", "让乡镇、县直单位、企业满意", "持续推动", "达成预期指标", 10,
             7 if wrong_score and n == 0 else 10),
        ]
        first = ws.max_row + 1
        for i, row in enumerate(rows):
            if one_sheet and i == 6:
                ws.append(["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                           "偏差原因分析及改进措施"])
            ws.append([None, *row])
            c = ws.cell(ws.max_row, 5)
            if isinstance(c.value, str) and c.value.startswith("="):
                c.data_type = "s"
        ws.merge_cells(start_row=first, start_column=2, end_row=first + 3, end_column=2)
        if not one_sheet:
            ws.merge_cells(start_row=first, start_column=1, end_row=first + len(rows) - 1, end_column=1)
        ws.append(["总分", None, None, None, None, None, 100, total])
    wb.save(path)


def test_hand_made_two_forms(tmp_path: Path):
    book = tmp_path / "hand.xlsx"
    hand_made(book, wrong_score=True)
    projects = read_workbook_projects(book)
    assert [p.name for p in projects] == ["电子政务各项专项经费", "各项工作运转经费"]
    assert [p.year for p in projects] == [2022, 2022]
    first = projects[0]
    assert first.indicators[1].level1 == "产出指标 (50分)"  # from the merged cell
    assert first.indicators[6].level2 == "社会效益指标"  # unmerged blank inherits
    assert first.indicators[0].cells["三级指标"].sheet == "附件1"
    assert first.indicators[0].cells["三级指标"].cell == "D14"
    typed = {s: [[c.value for c in row] for row in ws.iter_rows()]
             for s, ws in ((ws.title, ws) for ws in openpyxl.load_workbook(book).worksheets)}
    res = run("score", book, "--json")
    out = json.loads(res.stdout)
    assert [o["总分"] for o in out] == [95.16, 100]  # the typed 7 is below its band: flagged, band top
    wb = openpyxl.load_workbook(book)
    ws = wb["附件1"]
    # Typed cells untouched; the wrong typed 得分 marked, computed value in the note.
    for s, rows in typed.items():
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    assert wb[s].cell(r, c).value == value, (s, r, c)
    wrong = ws["H23"]
    assert wrong.value == 7 and wrong.comment is not None and "区间" in wrong.comment.text
    assert wrong.fill.fgColor.rgb.endswith(L.STYLES["error"]["fill"])
    assert "I19" not in [c.coordinate for c in ws["I"] if c.comment]
    # The blank 得分 got the computed value, and the next run does not take it for a typed one.
    assert ws["H19"].value == 5
    assert ws["H24"].value == 95.16 and ws["H24"].comment is None  # typed total agrees
    other = wb["附件2"]["H24"]  # typed 99, computed 100: noted, not changed
    assert other.value == 99 and "100" in other.comment.text
    assert other.fill.fgColor.rgb.endswith(L.STYLES["warning"]["fill"])
    wb["附件1"]["H23"] = 10
    wb.save(book)
    out = json.loads(run("score", book, "--json").stdout)
    assert out[0]["总分"] == 95.16 and out[0]["错误数"] == 0
    ws = openpyxl.load_workbook(book)["附件1"]
    assert ws["H23"].comment is None and ws["H23"].fill.fill_type is None
    assert ws["H19"].value == 5 and ws["H24"].comment is None


# ---- unusable files ----------------------------------------------------------------------------------------
def test_not_a_form(tmp_path: Path):
    book = tmp_path / "账目.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["日期", "摘要", "金额"])
    wb.active.append(["2023-01-01", "办公用品", 35])
    wb.save(book)
    before = sha(book)
    for cmd in (("score", book), ("check", book), ("export", book, "-o", tmp_path / "x.yaml")):
        res = run(*cmd, ok=(2,))
        assert "不是项目支出绩效自评表" in res.output
        assert sha(book) == before


def test_junk_zip_and_empty_and_renamed_text(tmp_path: Path):
    junk = tmp_path / "junk.xlsx"
    with zipfile.ZipFile(junk, "w") as zf:
        zf.writestr("readme.txt", "hello")
    text = tmp_path / "text.xlsx"
    text.write_text("项目名称,金额\n", "utf-8")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    for path, words in ((junk, "没有 Excel 工作簿"), (text, "不是 Excel 工作簿"), (empty, "空文件")):
        before = sha(path)
        res = run("score", path, ok=(2,))
        assert words in res.output, res.output
        assert "Traceback" not in res.output
        assert sha(path) == before


def test_encrypted_workbook(tmp_path: Path):
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = tmp_path / "plain.xlsx"
    run("new", "--from", SELF_CASES[0], "-o", plain)
    locked = tmp_path / "locked.xlsx"
    with open(plain, "rb") as src, open(locked, "wb") as dst:
        OOXMLFile(src).encrypt("1234", dst)
    before = sha(locked)
    res = run("score", locked, ok=(2,))
    assert "打开密码" in res.output
    assert sha(locked) == before
    assert msoffcrypto  # the module was really used


def test_fifty_megabytes(tmp_path: Path):
    big = tmp_path / "big.xlsx"
    run("new", "--from", SELF_CASES[0], "-o", big)
    with zipfile.ZipFile(big, "a", zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/media/scan.bin", os.urandom(51 * 1024 * 1024))
    before = sha(big)
    res = run("score", big, ok=(2,))
    assert "50 MB" in res.output
    assert sha(big) == before


def test_demo_writes_scored_workbook(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("EVALTOOL_DEMO_NO_FILES", raising=False)
    run("demo", "-o", tmp_path, ok=(0,))
    books = list(tmp_path.glob("*.xlsx"))
    assert books
    book = next(b for b in books if "示例" in b.name and L.SHEET_RESULTS in openpyxl.load_workbook(b).sheetnames)
    assert isinstance(out_value(book, 0, "总分"), (int, float))


def test_new_blank_and_rules(tmp_path: Path):
    book = tmp_path / "blank.xlsx"
    run("new", "-o", book, "--rules", "宜春2022", ok=(0,))
    assert openpyxl.load_workbook(book)[L.SHEET_SETTINGS]["B2"].value == "宜春2022"
    # Scoring the empty form: every finding points at a cell of the sheet, none lacks one.
    out = json.loads(run("score", book, "--json", ok=(1,)).stdout)
    assert out["标记"] and all(m["工作表"] == L.SHEET_FORM and m["单元格"] for m in out["标记"])
    assert {m["字段"] for m in out["标记"]} >= {"项目名称", "年度", "预期目标", "实际完成情况"}
    assert run("new", "-o", tmp_path / "x.xlsx", "--rules", "没有这个规则", ok=(2,)).exit_code == 2
    assert not (tmp_path / "x.xlsx").exists()


def test_new_from_case_is_deterministic(monkeypatch):
    """Equal content gives equal bytes even when saved at different times: openpyxl stamps
    修改时间 with the clock on save (two saves within one second would agree regardless)."""
    import datetime as dt
    import types

    import openpyxl.writer.excel as excel_writer

    def saved_at(moment: dt.datetime) -> bytes:
        clock = types.SimpleNamespace(now=lambda tz=None: moment)
        monkeypatch.setattr(excel_writer, "datetime", types.SimpleNamespace(datetime=clock, timezone=dt.timezone))
        return deterministic_bytes(build_workbook(load_case(SELF_CASES[0])))

    assert saved_at(dt.datetime(2001, 1, 1, 8, 0, 0)) == saved_at(dt.datetime(2030, 6, 30, 17, 59, 59))


def test_unmerged_moved_deleted_numbers_as_text(tmp_path: Path):
    """A workbook from the template after rough handling: every merge split, the 年度总体目标 block
    moved below the table, an indicator row deleted, numbers retyped as text."""
    case = next(c for c in SELF_CASES if "电子政务各项专项经费" in c.name)
    book = tmp_path / "rough.xlsx"
    run("new", "--from", case, "-o", book)
    wb = openpyxl.load_workbook(book)
    ws = wb[L.SHEET_FORM]
    for m in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(m))
    ws.move_range("A10:I11", rows=40)
    ws["E6"], ws["F6"] = "265.69", " 137 "
    ws.delete_rows(14)  # 质量指标, 20 points
    wb.save(book)
    p = read_workbook_projects(book)[0]
    assert p.goal_expected == "确保全年工作顺利开展。" and p.goal_actual == "各项工作已完成。"
    assert p.cells["预期目标"].cell == "B50"  # moved to row 51, then one row deleted above
    assert len(p.indicators) == 9
    assert [i.level1 for i in p.indicators[:4]] == ["产出指标"] * 3 + ["效益指标"]
    assert p.indicators[5].level2 == "社会效益指标"
    out = json.loads(run("score", book, "--json").stdout)
    assert out["执行率得分"] == 5.16
    assert out["总分"] == 75.16
    assert any(m["代码"] == "E-WEIGHT-L1" for m in out["标记"])


def test_settings_decimals(tmp_path: Path):
    case = next(c for c in SELF_CASES if "电子政务各项专项经费" in c.name)
    book = tmp_path / "d.xlsx"
    run("new", "--from", case, "-o", book)
    wb = openpyxl.load_workbook(book)
    wb[L.SHEET_SETTINGS]["B3"] = 1
    wb.save(book)
    out = json.loads(run("score", book, "--json").stdout)
    assert out["执行率得分"] == 5.2 and out["总分"] == 95.2
    wb = openpyxl.load_workbook(book)
    wb[L.SHEET_SETTINGS]["B3"] = "两位"
    wb.save(book)
    res = run("score", book, "--json", ok=(1,))
    bad = [m for m in json.loads(res.stdout)["标记"] if m["代码"] == "E-PLACES"]
    assert bad and bad[0]["位置"] == f"{L.SHEET_SETTINGS}!B3"


def test_hand_made_two_forms_on_one_sheet(tmp_path: Path):
    book = tmp_path / "one.xlsx"
    hand_made(book, one_sheet=True)
    projects = read_workbook_projects(book)
    assert [p.name for p in projects] == ["电子政务各项专项经费", "各项工作运转经费"]
    assert [len(p.indicators) for p in projects] == [10, 10]
    assert projects[1].indicators[0].cells["三级指标"].cell.startswith("D")
    assert int(projects[1].indicators[0].cells["三级指标"].cell[1:]) > 30
    out = json.loads(run("score", book, "--json").stdout)
    assert [o["总分"] for o in out] == [95.16, 100]
    assert [o["工作表"] for o in out] == ["附件1", "附件1"]


def test_newer_template_and_cross_sheet_dropdowns(tmp_path: Path):
    book = tmp_path / "v9.xlsx"
    run("new", "--from", SELF_CASES[0], "-o", book)
    wb = openpyxl.load_workbook(book)
    wb[L.SHEET_SETTINGS]["B4"] = 9
    wb.save(book)
    out = json.loads(run("score", book, "--json", ok=(0, 1)).stdout)
    newer = [m for m in out["标记"] if m["代码"] == "W-TEMPLATE-NEWER"]
    assert newer and newer[0]["位置"] == f"{L.SHEET_SETTINGS}!B4"
    # A cross-sheet dropdown as WPS/Excel store it (x14 extension): kept, the workbook scored in place (issue 14).
    import re as _re
    src = tmp_path / "ext.xlsx"
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                ext = (b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
                       b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
                       b'<x14:dataValidations count="0" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"/>'
                       b'</ext></extLst>')
                data = _re.sub(rb"</worksheet>$", ext + b"</worksheet>", data.rstrip())
            zout.writestr(item, data)
    res = run("score", src)
    assert "另存为" not in res.output and not (tmp_path / "ext-计分结果.xlsx").exists()
    with zipfile.ZipFile(src) as zf:
        assert b"<x14:dataValidations" in zf.read("xl/worksheets/sheet1.xml")


def test_pure_grids_minimal_hand_typed_form():
    """projects_from_grids needs no spreadsheet library: a bare grid, year inside the title cell,
    columns where a hand-typed form puts them, a total row that is not 年度资金总额 by name."""
    from evaltool.core.seam import Grid
    from evaltool.core.kinds import evaluate
    from evaltool.workbook.reader import projects_from_grids

    rows = [["项目支出绩效自评表（2022年度）"], ["项目名称", None, "测试项目"],
            ["主管部门", "甲单位", "实施\n单位", "乙单位"],
            ["项目资金\n（万元）", None, "年初预算数", "全年预算数\n（A）", "全年执行数\n（B）", "分 值", "执行率", "得分"],
            [None, "年度资金总额：", 10, "10", "９", 10, None, None],
            ["年度总体目标", "完成任务"],
            ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
            [None, "产出指标", "数量指标", "任务数", "≥ 10个", "10个", 50, None],
            [None, "效益指标", "社会效益指标", "群众评价", "持续推动", "达成预期指标", 30, None],
            [None, "满意度指标", "服务对象满意度指标", "满意度", "≥90%", "0.95", 10, None],
            ["合计", None, None, None, None, None, 100, None]]
    p, = projects_from_grids([Grid("Sheet1", rows)])
    assert (p.year, p.name, p.department, p.unit) == (2022, "测试项目", "甲单位", "乙单位")
    assert p.goal_expected == "完成任务"
    assert p.funds["年度资金总额"].cells["全年执行数"].cell == "E5"
    r = evaluate(p)
    assert r.rate_score == 9 and len(r.indicators) == 3
    info = sheet_info(p)
    assert info.out["总分"].cell == "H11" and not info.template


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_folder(tmp_path: Path):
    folder = tmp_path / "ro"
    folder.mkdir()
    book = folder / "f.xlsx"
    run("new", "--from", SELF_CASES[0], "-o", book)
    before = sha(book)
    folder.chmod(0o555)
    try:
        res = run("score", book, ok=(2,))
        assert "无法写入" in res.output and sha(book) == before
    finally:
        folder.chmod(0o755)


def test_save_failure_leaves_file_whole(tmp_path: Path, monkeypatch):
    """A save that dies half-way (disk full) leaves the original intact and no temp file behind."""
    from evaltool.workbook import xlsx_engine

    book = tmp_path / "f.xlsx"
    run("new", "--from", SELF_CASES[0], "-o", book)
    before = sha(book)

    real_write = Path.write_bytes

    def broken_save(self, data):
        real_write(self, b"PK half")
        raise OSError(28, "No space left on device")

    # score writes the patched package's bytes (issue 14), no longer through openpyxl's save
    monkeypatch.setattr("pathlib.Path.write_bytes", broken_save)
    res = run("score", book, ok=(2,))
    assert "原文件没有被修改" in res.output
    assert sha(book) == before
    assert [p.name for p in tmp_path.iterdir()] == ["f.xlsx"]
    assert xlsx_engine.MAX_BYTES == 50 * 1024 * 1024


def test_export_never_writes_yaml_over_the_workbook(tmp_path):
    """`export 表.xlsx -o 表.xlsx` used to replace the clerk's workbook with YAML text."""
    book = tmp_path / "表.xlsx"
    run("new", "--from", case_files()[0], "-o", book)
    before = sha(book)
    for target in (book, tmp_path / "其他.xlsx", tmp_path / "报告.docx"):
        result = run("export", book, "-o", target, ok=(2,))
        assert "应以 .yaml 结尾" in result.output and "Traceback" not in result.output
    assert sha(book) == before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["表.xlsx"]


def test_note_rule_shared_by_both_engines():
    ours, clerk = L.NOTE_PREFIX + "错误：旧的问题", "请财务科核对"
    assert L.note_after(False, None, "") is None and L.note_after(False, None, "新") == "新"
    assert L.note_after(True, ours, "") == "" and L.note_after(True, ours, "新") == "新"
    assert L.note_after(True, clerk, "") is None
    assert L.note_after(True, clerk + "\n" + ours, "新") == clerk + "\n新"
    # a note that cannot be read (xlwings' remote engine): evaltool's only if it wrote it last run
    assert L.note_after(True, None, "", ours=True) == "" and L.note_after(True, None, "新", ours=True) == "新"
    assert L.note_after(True, None, "新", ours=False) is None
