"""评分表 through real .xlsx files: new --from, score, export, marks in place, a hand-made sheet in
the seed's own shape, and printing through LibreOffice."""
import json
import re
import shutil
import subprocess
import sys

import openpyxl
import pytest
import yaml

from conftest import case_files

from evaltool.core.caseio import load_case
from evaltool.kinds.scoresheet.layout import project_from_grids
from evaltool.kinds.scoresheet.scoring import evaluate_sheet
from evaltool.kinds.scoresheet.template import build_scoresheet_workbook, write_scoresheet_workbook
from evaltool.workbook import xlsx_engine

(SEED001,) = [p for p in case_files("评分表") if p.name.startswith("seed001-")]


def run_cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evaltool", *args], capture_output=True, text=True, timeout=120,
                          cwd=cwd)


def find(ws, text):
    for row in ws.iter_rows():
        for c in row:
            if c.value == text:
                return c
    raise AssertionError(f"{text} not found")


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "seed001.xlsx"
    proc = run_cli("new", "--from", str(SEED001), "-o", str(path))
    assert proc.returncode == 0, proc.stderr
    return path


def test_new_from_case_then_score_reproduces_every_expected(scored, tmp_path):
    path = tmp_path / "copy.xlsx"
    shutil.copy(scored, path)
    proc = run_cli("score", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    for key, value in load_case(SEED001).expected.items():
        if isinstance(value, (int, float)):
            assert data[key] == pytest.approx(value, abs=1e-9), key
        else:
            assert data[key] == value, key
    assert data["工作表"] == "评分表" and data["错误数"] == 0


def test_computed_cells_and_marks_in_the_workbook(scored):
    wb = openpyxl.load_workbook(scored)
    ws = wb["评分表"]
    total = find(ws, "总分")
    assert ws.cell(total.row, 7).value == 98.5 and ws.cell(total.row, 6).value == 100
    assert ws.cell(total.row + 1, 2).value == "优"
    avg = find(ws, "平均得分")
    assert ws.cell(avg.row, 7).value == 98.5
    rate = find(ws, "资金到位率")
    use = find(ws, "资金使用率（预算执行率）")
    assert ws.cell(rate.row, 8).value == 1 and ws.cell(use.row, 8).value == 0.4484
    assert ws.cell(use.row, 8).number_format == "0.00%"
    # 到位率 typed 2.5 where the formula gives 3: a warning mark and note on the typed cell, value kept
    row = find(ws, "到位率").row
    cell = ws.cell(row, 7)
    assert cell.value == 2.5 and cell.fill.start_color.rgb.endswith("FFEB9C")
    assert cell.comment is not None and cell.comment.text.startswith("【evaltool】") and "3.00" in cell.comment.text
    assert "应为 3.00" in ws.cell(row, 9).value
    targets = wb["绩效目标表"]
    grades = [targets.cell(r, 10).value for r in (5, 6)]
    assert grades == ["优", "优"] and "越少越好" in targets.cell(6, 11).value
    assert "校验结果" in wb.sheetnames


def test_export_round_trip_is_lossless(scored, tmp_path):
    out = tmp_path / "back.yaml"
    proc = run_cli("export", str(scored), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    back = yaml.safe_load(out.read_text("utf-8"))
    original = yaml.safe_load(SEED001.read_text("utf-8"))
    original.pop("期望")
    back.pop("规则", None)
    assert back == original


def test_disagreeing_evaluator_marked_then_cleared(scored, tmp_path):
    path = tmp_path / "edit.xlsx"
    shutil.copy(scored, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["评分表"]
    second = find(ws, "评价人员乙")
    ws.cell(second.row, 7).value = 90
    wb.save(path)
    proc = run_cli("score", str(path), "--json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["评价人员平均得分"] == 94.5
    flag = next(f for f in data["标记"] if f["代码"] == "E-SS-EVAL-AVG")
    wb = openpyxl.load_workbook(path)
    ws = wb["评分表"]
    avg = find(ws, "平均得分")
    assert flag["工作表"] == "评分表" and flag["单元格"] == ws.cell(avg.row, 7).coordinate
    marked = ws.cell(avg.row, 7)
    assert marked.value == 94.5 and marked.fill.start_color.rgb.endswith("FFC7CE")
    assert "94.5" in marked.comment.text
    spread = ws.cell(second.row, 7)
    assert spread.value == 90 and spread.comment is not None  # warning on the evaluator's own score
    # fixed: marks and notes go, the typed score stays as typed
    ws.cell(second.row, 7).value = 98
    wb.save(path)
    assert run_cli("score", str(path)).returncode == 0
    ws = openpyxl.load_workbook(path)["评分表"]
    assert ws.cell(avg.row, 7).value == 98.5 and ws.cell(avg.row, 7).comment is None
    assert ws.cell(second.row, 7).comment is None and ws.cell(second.row, 7).value == 98


def test_hand_made_sheet_in_the_seeds_own_shape(tmp_path):
    """Seed 001's 项目基本信息表 as the unit typed it: merged 一级/二级 cells, 二级 分值 columns, a
    "……" evaluator line, 合计/平均得分, and a 绩效目标表 with 优/良/中/差 under 绩效标准."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目基本信息表"
    ws.append(["项目基本信息表"])
    ws.append(["一、项目基本情况"])
    ws.append(["项目实施单位", "海南省商务厅", None, "主管部门", "海南省商务厅"])
    ws.append(["项目名称", "2020年度信息系统运维项目", None, "年度", 2020])
    ws.append(["计划投资额\n（万元）", 195.01, "实际到位资金\n（万元）", 195.01, "实际使用情况（万元）", 87.44])
    ws.append(["二、绩效评价指标评分（参考）"])
    ws.append(["一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "得分"])
    data = yaml.safe_load(SEED001.read_text("utf-8"))
    first = ws.max_row + 1
    for item in data["评分指标"]:
        ws.append([item["一级指标"], None, item["二级指标"], None, item["三级指标"], item["分值"], item["得分"]])
    # merge 一级 runs like the seed (values only in the top cell)
    r = first
    for l1, n in (("项目决策", 5), ("项目管理", 6), ("项目绩效", 9)):
        for rr in range(r + 1, r + n):
            ws.cell(rr, 1).value = None
        ws.merge_cells(start_row=r, start_column=1, end_row=r + n - 1, end_column=1)
        r += n
    ws.append(["总分", 100, None, 100, None, 100, 98.5])
    ws.append(["评价等次", None])
    ws.append(["三、评价人员"])
    ws.append(["姓  名", "职务/职称", "单   位", "项目评分", "签 字"])
    ws.append(["评价人员甲", "主任", "海南省商务厅办公室", 99])
    ws.append(["评价人员乙", "一级主任科员", "海南省商务厅办公室", 98])
    ws.append(["……"])
    ws.append(["合计", None, "平均得分", 98.5])
    t = wb.create_sheet("项目绩效目标表")
    t.append(["项目绩效目标表"])
    t.append(["指标类型", "指标名称", "绩效目标", "绩效标准", None, None, None, "实际完成值"])
    t.append([None, None, None, "优", "良", "中", "差"])
    for item in data["绩效目标表"]:
        t.append([item["指标类型"], item["指标名称"], item["绩效目标"], item["优"], item["良"], item["中"], item["差"],
                  item["实际完成值"]])
    t.append(["注：以预算批复的绩效目标为准填列。"])
    path = tmp_path / "手工.xlsx"
    wb.save(path)

    project = project_from_grids(xlsx_engine.read_grids(path))
    assert project is not None and project.sheet == "项目基本信息表"
    assert project.basic_info["计划投资额"] == 195.01 and project.unit == "海南省商务厅"
    assert len(project.extra["评分指标"]) == 20 and project.extra["评分指标"][5]["一级指标"] == "项目管理"
    assert [p["项目评分"] for p in project.extra["评价人员"]] == [99, 98]
    result = evaluate_sheet(project)
    assert float(result.total) == 98.5 and float(result.average) == 98.5 and result.grade == "优"
    assert result.target_tiers == {"信息采集数量": "优", "故障宕机率": "优"}
    assert str(result.use_display) == "0.4484" and result.errors == []
    proc = run_cli("score", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["总分"] == 98.5


def test_blank_workbook_uses_the_default_framework_and_reads_back(tmp_path):
    path = write_scoresheet_workbook(tmp_path / "blank.xlsx")
    project = project_from_grids(xlsx_engine.read_grids(path))
    assert [r["三级指标"] for r in project.extra["评分指标"]][:2] == ["立项依据充分性", "立项程序规范性"]
    result = evaluate_sheet(project)
    assert result.framework == "四段式"
    assert "E-SS-WEIGHT-L1" not in [f.code for f in result.findings]  # reference weights add up
    missing = [f for f in result.findings if f.code == "E-SS-SCORE-MISSING"]
    assert len(missing) == 20 and all(f.location.sheet == "评分表" and f.location.cell for f in missing)
    three = build_scoresheet_workbook(rules="评分表三段式")
    assert "框架：三段式" in str(three["评分表"]["A10"].value)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_scoresheet_prints_on_one_a4_page(scored, tmp_path):
    wb = openpyxl.load_workbook(scored)
    for name in wb.sheetnames:
        if name != "评分表":
            del wb[name]
    only = tmp_path / "only.xlsx"
    wb.save(only)
    proc = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(only)],
                          capture_output=True, timeout=120)
    pdf = tmp_path / "only.pdf"
    assert proc.returncode == 0 and pdf.exists()
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", pages, re.M), pages
    assert "(A4)" in pages


def test_new_scoresheet_command(tmp_path):
    out = tmp_path / "三段式.xlsx"
    proc = run_cli("new-scoresheet", "-o", str(out), "--framework", "三段式")
    assert proc.returncode == 0, proc.stderr
    project = project_from_grids(xlsx_engine.read_grids(out))
    assert [r["一级指标"] for r in project.extra["评分指标"]][0] == "项目决策" and len(project.extra["评分指标"]) == 20
    again = run_cli("new-scoresheet", "-o", str(out))
    assert again.returncode == 2 and "已存在" in again.stderr
    bad = run_cli("new-scoresheet", "-o", str(tmp_path / "x.xlsx"), "--framework", "五段式")
    assert bad.returncode == 2 and "五段式" in bad.stderr and "Traceback" not in bad.stderr


def test_live_excel_path_through_xlwings_remote_engine(scored, tmp_path, monkeypatch):
    """The ribbon's 计分 on a 评分表 book (xlwings remote engine, no Excel) writes what the CLI writes."""
    from test_excel import Replay, book_from_file  # the add-in's payload and replay helpers

    from evaltool.excel import entry

    monkeypatch.setattr(entry, "LOG_DIR", tmp_path / "log")
    src = tmp_path / "live.xlsx"
    write_scoresheet_workbook(src, load_case(SEED001))
    book, _ = book_from_file(src, monkeypatch)
    payload = {"sheets": [dict(s) for s in book.api["sheets"]]}
    results, writes, _, _ = entry.plan(book)
    (project, result), = results
    assert project.kind == "评分表" and float(result.average) == 98.5 and result.grade == "优"
    entry.score(book=book)
    got = Replay(payload, book.json()["actions"])
    ws = openpyxl.load_workbook(scored)["评分表"]
    avg = find(ws, "平均得分")
    a1 = ws.cell(avg.row, 7).coordinate
    assert got.get("评分表", a1, "value") == 98.5
    total = find(ws, "总分")
    assert got.get("评分表", ws.cell(total.row, 7).coordinate, "value") == 98.5
    formula = ws.cell(find(ws, "到位率").row, 7).coordinate
    assert got.get("评分表", formula, "note").startswith("【evaltool】")
