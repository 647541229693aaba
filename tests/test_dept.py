"""部门整体支出绩效自评表 (issue 16.3): the kind end to end through the CLI on real .xlsx files — new,
check, score (cells written in place, nothing typed changed), report, check-report, collect, export —
a case with hand-computed numbers, the form's own checks with cell-precise Chinese messages, its rule
set, and hand-made provincial variants (moved columns, inserted rows, merged cells, a longer or absent
project list) read by label."""
from __future__ import annotations

import json
from decimal import Decimal

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.styles import Alignment

from evaltool.cli import main
from evaltool.core.caseio import parse_case
from evaltool.core.kinds import kind_named
from evaltool.core.rules import load_rules
from evaltool.workbook import service

CASE = """类型: 部门整体
部门名称: 某县农业农村局
主管部门: 某县人民政府
年度: 2024
规则: 部门整体
年度预算:
  年度资金总额: {年初预算数: 1200, 全年预算数: 1250, 全年执行数: 1187.5}
  基本支出: {年初预算数: 700, 全年预算数: 730, 全年执行数: 730}
  项目支出: {年初预算数: 500, 全年预算数: 520, 全年执行数: 457.5}
  分值: 10
年度主要任务:
  - {任务名称: 粮食生产, 主要内容: 稳定粮食播种面积, 预算数: 300, 执行数: 280, 完成情况: 全县粮食播种面积52万亩}
  - {任务名称: 农田建设, 主要内容: 新建高标准农田, 预算数: 220, 执行数: 177.5, 完成情况: 建成高标准农田1.8万亩}
年度总体目标:
  预期目标: 稳定粮食生产，建设高标准农田2万亩，保障机关正常运转。
  实际完成情况: 粮食播种面积52万亩，建成高标准农田1.8万亩，机关运转正常。
绩效指标:
  - {一级指标: 产出指标, 二级指标: 数量指标, 三级指标: 高标准农田建设面积, 年度指标值: "≥2万亩", 实际完成值: 1.8万亩, 分值: 30, 偏差原因分析及改进措施: 部分地块流转滞后}
  - {一级指标: 产出指标, 二级指标: 质量指标, 三级指标: 项目验收合格率, 年度指标值: "=100%", 实际完成值: 100%, 分值: 20}
  - {一级指标: 效益指标, 二级指标: 社会效益指标, 三级指标: 粮食播种面积, 年度指标值: "≥50万亩", 实际完成值: 52万亩, 分值: 30}
  - {一级指标: 满意度指标, 二级指标: 服务对象满意度指标, 三级指标: 农户满意度, 年度指标值: "≥90%", 实际完成值: 95%, 分值: 10}
项目清单:
  - {项目名称: 高标准农田建设项目, 全年预算数: 220, 全年执行数: 177.5, 自评得分: 88.2, 自评等次: 良}
  - {项目名称: 粮食生产补助项目, 全年预算数: 300, 全年执行数: 280, 自评得分: 95, 自评等次: 优}
报告素材:
  部门概况: 某县农业农村局内设8个股室，编制45人，实有42人。
  预算执行偏差原因: 高标准农田项目部分地块流转滞后，工程款未能全部支付。
  存在的问题: 高标准农田建设进度偏慢。
  改进措施: 提前开展土地流转，加快施工进度。
"""


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def codes(result: dict) -> list[str]:
    return [f["代码"] for f in result["标记"]]


def marks(result: dict, code: str) -> list[dict]:
    return [f for f in result["标记"] if f["代码"] == code]


@pytest.fixture
def case(tmp_path):
    path = tmp_path / "部门.yaml"
    path.write_text(CASE, "utf-8")
    return path


@pytest.fixture
def book(tmp_path, case):
    path = tmp_path / "收件箱" / "农业农村局.xlsx"
    path.parent.mkdir()
    res = run("new", path, "--from", case)
    assert res.exit_code == 0, res.output
    return path


def cell_of(ws, text):
    for row in ws.iter_rows():
        for c in row:
            if c.value == text:
                return c
    raise AssertionError(f"{text} not on the sheet")


# ---- hand-computed scores ------------------------------------------------------------------------
def test_case_scores_as_computed_by_hand(case):
    """执行率 1187.5 ÷ 1250 = 95% → 10 × 95% = 9.5; 高标准农田 1.8 ÷ 2 = 90% → 30 × 90% = 27;
    合格率, 播种面积, 满意度 full: 20 + 30 + 10; 总分 9.5 + 27 + 60 = 96.5 → 优.
    基本支出 730 ÷ 730 = 100%, 项目支出 457.5 ÷ 520 = 87.98%; the list 177.5 ÷ 220 = 80.68%,
    280 ÷ 300 = 93.33%, 合计 520 / 457.5 = the 项目支出 row."""
    res = run("check", case, "--json")
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    assert got["类型"] == "部门整体" and got["部门名称"] == "某县农业农村局"
    assert (got["执行率"], got["执行率得分"]) == (0.95, 9.5)
    assert [i["得分"] for i in got["指标"]] == [27, 20, 30, 10]
    assert got["小计"] == {"预算执行率": 9.5, "产出指标": 47, "效益指标": 30, "满意度指标": 10}
    assert (got["总分"], got["等次"]) == (96.5, "优")
    assert [(p["行"], p["执行率"]) for p in got["支出构成"]] == [("基本支出", 1), ("项目支出", 0.8798)]
    assert [(p["执行率"], p["自评等次"]) for p in got["项目支出情况"]] == [(0.8068, "良"), (0.9333, "优")]
    assert got["项目合计"] == {"全年预算数": 520, "全年执行数": 457.5, "执行率": 0.8798, "口径": "全部"}
    assert got["规则"] == "部门整体" and codes(got) == []
    assert "执行率 1187.5 ÷ 1250 = 95.00%" in got["执行率说明"]


def test_shipped_sample_is_this_case():
    from importlib import resources

    sample = resources.files("evaltool") / "samples" / "示例-部门整体.yaml"
    assert sample.read_text("utf-8").endswith(CASE)
    got = json.loads(run("check", str(sample), "--json").output)
    assert (got["总分"], got["等次"], codes(got)) == (96.5, "优", [])


def test_rule_set_inherits_the_national_one_and_adds_its_section():
    rules = load_rules("部门整体")
    national = load_rules("国家标准")
    assert rules.rate_weight == national.rate_weight and rules.level1_weights == national.level1_weights
    assert rules.grades == national.grades
    assert rules.raw["部门整体"]["项目清单口径"] == "全部"


# ---- the form's checks ---------------------------------------------------------------------------
def test_checks_name_the_cell_and_say_what_to_type(tmp_path, book):
    wb = openpyxl.load_workbook(book)
    ws = wb["部门整体自评表"]
    basic = cell_of(ws, "其中：基本支出").row
    ws.cell(basic, 4).value = 700  # 基本 700 + 项目 520 = 1220 ≠ 1250
    project = cell_of(ws, "高标准农田建设项目").row
    ws.cell(project, 5).value = 160  # the list now sums to 440 ≠ 457.5
    ws.cell(project, 8).value = "优"  # 88.2 is 良
    task = cell_of(ws, "农田建设").row
    ws.cell(task, 7).value = None  # 完成情况 left empty
    weight = cell_of(ws, "项目验收合格率").row
    ws.cell(weight, 6).value = 25  # 产出 30 + 25 ≠ 50
    wb.save(book)
    res = run("check", book, "--json")
    assert res.exit_code == 1, res.output
    got = json.loads(res.output)
    part = marks(got, "E-DEPT-PART-SUM")
    assert len(part) == 1 and part[0]["单元格"] == "D6"
    assert "年度资金总额 1250 万元不等于基本支出与项目支出之和 1220 万元" in part[0]["说明"] and "相差 30 万元" in part[0]["说明"]
    listed = marks(got, "E-DEPT-PROJECT-SUM")
    assert [m["单元格"] for m in listed] == [f"E{basic + 1}"]  # the 项目支出 row's 全年执行数
    assert "合计 440 万元" in listed[0]["说明"] and "457.5 万元" in listed[0]["说明"]
    grade = marks(got, "E-DEPT-PROJECT-GRADE")
    assert grade[0]["单元格"] == f"H{project}" and "应为“良”" in grade[0]["说明"]
    status = marks(got, "E-DEPT-TASK-STATUS")
    assert status[0]["单元格"] == f"G{task}" and "农田建设" in status[0]["说明"]
    assert "E-WEIGHT-L1" in codes(got) and "E-WEIGHT-TOTAL" in codes(got)
    # every message is Chinese and names no Python
    assert all("Error" not in m["说明"] and "Traceback" not in m["说明"] for m in got["标记"])


def test_rule_set_section_drives_the_project_list_check(tmp_path, case):
    text = CASE.replace("  - {项目名称: 粮食生产补助项目, 全年预算数: 300, 全年执行数: 280, 自评得分: 95, 自评等次: 优}\n", "")
    listed = tmp_path / "重点.yaml"
    listed.write_text(text, "utf-8")
    got = json.loads(run("check", listed, "--json").output)
    assert [m["字段"] for m in marks(got, "E-DEPT-PROJECT-SUM")] == ["全年预算数", "全年执行数"]
    own = tmp_path / "本县.yaml"
    own.write_text("继承: 部门整体\n编号: 本县\n部门整体: {项目清单口径: 重点}\n", "utf-8")
    got = json.loads(run("check", listed, "--json", "--rules", own).output)
    assert "E-DEPT-PROJECT-SUM" not in codes(got) and got["总分"] == 96.5
    bad = tmp_path / "错.yaml"
    bad.write_text("继承: 部门整体\n编号: 错\n部门整体: {项目清单口径: 部分}\n", "utf-8")
    res = run("check", listed, "--rules", bad)
    assert res.exit_code == 2 and "“部门整体 → 项目清单口径”应为“全部”或“重点”，现为“部分”" in res.output


def test_income_rows_are_checked_against_the_total_too(tmp_path):
    text = CASE.replace("  基本支出:", "  本年财政拨款: {全年预算数: 1000, 全年执行数: 950}\n  其他资金: {全年预算数: 200, 全年执行数: 237.5}\n  基本支出:")
    path = tmp_path / "收入.yaml"
    path.write_text(text, "utf-8")
    got = json.loads(run("check", path, "--json").output)
    [m] = marks(got, "E-FUND-SUM")  # 1000 + 200 ≠ 1250 (全年预算数); 950 + 237.5 = 1187.5 agrees
    assert m["字段"] == "全年预算数" and "年度预算的全年预算数" in m["说明"] and "1200" in m["说明"]
    assert "W-FUND-OVER" in codes(got)  # 其他资金 237.5 > 200
    no_reason = tmp_path / "无原因.yaml"
    no_reason.write_text(CASE.replace("  预算执行偏差原因: 高标准农田项目部分地块流转滞后，工程款未能全部支付。\n", ""), "utf-8")
    [m] = marks(json.loads(run("check", no_reason, "--json").output), "W-RATE-REASON")
    assert "95.00%" in m["说明"] and "“部门报告素材”的“预算执行偏差原因”" in m["说明"]


def test_unreadable_total_row_is_never_graded(tmp_path):
    path = tmp_path / "缺.yaml"
    path.write_text(CASE.replace("全年执行数: 1187.5}", "全年执行数: 一千}"), "utf-8")
    got = json.loads(run("check", path, "--json").output)
    assert got["总分"] is None and got["等次"] is None and got["无法计分原因"]
    assert "E-MONEY" in codes(got) and "E-UNGRADED" in codes(got)


# ---- the workbook end to end ---------------------------------------------------------------------
def test_new_from_case_writes_every_computed_cell(book):
    ws = openpyxl.load_workbook(book)["部门整体自评表"]
    assert ws["A1"].value == "部门整体支出绩效自评表" and ws["C3"].value == "某县农业农村局"
    assert (ws["G6"].value, ws["H6"].value) == (0.95, 9.5)  # 执行率, 得分 of 年度资金总额
    assert (ws["G7"].value, ws["G8"].value) == (1, 0.8798)  # 基本支出, 项目支出
    total = cell_of(ws, "总分").row
    assert ws.cell(total, 7).value == 96.5 and ws.cell(total + 1, 2).value == "优"
    first = cell_of(ws, "高标准农田建设项目").row
    assert ws.cell(first, 6).value == 0.8068 and ws.cell(first + 1, 6).value == 0.9333
    s = cell_of(ws, "合计").row
    assert [ws.cell(s, c).value for c in (4, 5, 6)] == [520, 457.5, 0.8798]


def test_scoring_keeps_the_templates_grey_and_white_cells(book):
    ws = openpyxl.load_workbook(book)["部门整体自评表"]
    total = cell_of(ws, "总分").row
    for a1 in ("G6", "H6", "G7", "G8", f"G{total}", f"B{total + 1}", f"G{total - 1}"):  # computed: grey
        assert ws[a1].fill.fill_type == "solid" and ws[a1].fill.start_color.rgb.endswith("E7E6E6"), a1
    assert ws["D6"].fill.fill_type in (None, "solid") and not str(ws["D6"].fill.start_color.rgb).endswith("E7E6E6")


def test_score_writes_in_place_and_never_changes_what_was_typed(book):
    before = openpyxl.load_workbook(book)["部门整体自评表"]
    typed = {c.coordinate: c.value for row in before.iter_rows() for c in row
             if c.value is not None and c.protection.locked is False}
    assert len(typed) > 40
    wb = openpyxl.load_workbook(book)
    ws = wb["部门整体自评表"]
    ws["E6"] = 1125  # 年度资金总额 executed 1125: 90% → 9
    ws["E8"] = 395  # 项目支出 395 ÷ 520 = 75.96%
    row = cell_of(ws, "高标准农田建设项目").row
    ws.cell(row, 5).value = 115  # 115 ÷ 220 = 52.27%; list sum 395 = the 项目支出 row
    wb.save(book)
    typed.update({"E6": 1125, "E8": 395, f"E{row}": 115})
    res = run("score", book)
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(book)["部门整体自评表"]
    assert (ws["G6"].value, ws["H6"].value, ws["G8"].value) == (0.9, 9, 0.7596)
    assert ws.cell(row, 6).value == 0.5227
    assert ws.cell(cell_of(ws, "总分").row, 7).value == 96
    assert {k: ws[k].value for k in typed} == typed


def test_report_and_check_report_and_collect(tmp_path, book):
    report = tmp_path / "报告.docx"
    res = run("report", book, "-o", report)
    assert res.exit_code == 0, res.output
    doc = docx.Document(str(report))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "2024年度部门整体支出绩效自评报告" in text
    for heading in ("一、部门概况", "二、年度目标与完成情况", "三、资金使用情况", "四、绩效指标完成情况",
                    "五、项目支出绩效自评情况", "六、存在的问题", "七、改进措施"):
        assert heading in text
    assert "全年执行数1187.50万元，预算执行率95.00%，预算执行率得分9.5分" in text
    assert "自评总分96.5分，评价等次为“优”" in text
    assert "项目支出全年执行数457.50万元，项目支出执行率87.98%" in text
    assert "高标准农田建设项目全年预算数220.00万元" in text and "自评结果为“良”" in text
    assert "编制45人" in text and "加快施工进度" in text and "【待填写" not in text
    cells = [c.text for table in doc.tables[-3:] for row in table.rows for c in row.cells]
    assert "部门整体支出绩效自评表" in text and "96.50" in cells and "80.68%" in cells and "95.00%" in cells

    res = run("check-report", report, book)
    assert res.exit_code == 0 and "没有发现问题" in res.output, res.output
    for para in doc.paragraphs:  # the clerk edits the report: the total and the rate no longer agree
        if "自评总分96.5分" in para.text:
            for run_ in para.runs:
                run_.text = run_.text.replace("96.5", "98.5")
        if "预算执行率95.00%" in para.text:
            for run_ in para.runs:
                run_.text = run_.text.replace("95.00%", "96.00%")
    edited = tmp_path / "改过的报告.docx"
    doc.save(str(edited))
    res = run("check-report", edited, book, "--json")
    assert res.exit_code == 1, res.output
    found = json.loads(res.output)
    messages = " ".join(f["说明"] for f in found)
    assert "98.5" in messages and "96.5" in messages and "96.00%" in messages

    out = tmp_path / "汇总.xlsx"
    res = run("collect", book.parent, "-o", out, "-j", "1")
    assert res.exit_code == 0, res.output
    rows = list(openpyxl.load_workbook(out)["汇总"].iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    row = dict(zip(header, rows[1]))
    assert (row["单位"], row["主管部门"], row["总分"], row["等次"]) == ("某县农业农村局", "某县人民政府", 96.5, "优")
    assert (row["预算数（万元）"], row["执行数（万元）"], row["执行率"]) == (1250, 1187.5, 0.95)
    assert row["项目"] == "部门整体支出（2 个项目）" and row["产出指标"] == 47


def test_report_material_that_disagrees_with_the_form_is_marked_then_cleared(book):
    wb = openpyxl.load_workbook(book)
    ws = wb["部门报告素材"]
    cell = cell_of(ws, "部门概况").offset(column=1)
    cell.value = "本部门年度资金总额全年执行数1180万元。"  # the form says 1187.5
    wb.save(book)
    res = run("score", book)
    assert res.exit_code == 1, res.output
    ws = openpyxl.load_workbook(book)["部门报告素材"]
    note = ws[cell.coordinate].comment
    assert note is not None and "1180" in note.text and "1187.5" in note.text
    wb = openpyxl.load_workbook(book)
    wb["部门报告素材"][cell.coordinate] = "本部门年度资金总额全年执行数1187.5万元。"
    wb.save(book)
    assert run("score", book).exit_code == 0
    assert openpyxl.load_workbook(book)["部门报告素材"][cell.coordinate].comment is None


def test_task_texts_take_part_in_the_text_check(tmp_path):
    text = CASE.replace("完成情况: 全县粮食播种面积52万亩}", "完成情况: 全县粮食播种面积52万亩，开展技术培训12场}").replace(
        "  部门概况: 某县农业农村局内设8个股室，编制45人，实有42人。", "  部门概况: 全年开展技术培训15场。")
    path = tmp_path / "培训.yaml"
    path.write_text(text, "utf-8")
    got = json.loads(run("check", path, "--json").output)
    [m] = marks(got, "W-REPORT-RESTATED")
    assert "12场" in m["说明"] and "15场" in m["说明"]


def test_export_round_trip_scores_the_same(tmp_path, book):
    out = tmp_path / "导出.yaml"
    res = run("export", book, "-o", out)
    assert res.exit_code == 0, res.output
    again = json.loads(run("check", out, "--json").output)
    first = json.loads(run("check", book, "--json").output)
    for key in ("总分", "等次", "执行率", "小计", "支出构成", "项目支出情况", "年度主要任务"):
        assert again[key] == first[key], key


def test_a_selfeval_form_still_reads_as_a_selfeval(tmp_path):
    path = tmp_path / "自评表.xlsx"
    assert run("new", path, "--kind", "自评表").exit_code == 0
    assert [p.kind for p in service.load(str(path))] == ["自评表"]


# ---- hand-made provincial variants ---------------------------------------------------------------
def hand_made(path, projects: int = 12, with_list: bool = True, with_tasks: bool = True, with_total: bool = True):
    """A 部门（单位）整体支出绩效自评表 typed by hand: title and year in one merged cell, a blank row
    inserted, 全年预算数 before 年初预算数, 执行率 before 分值, 总额 for 年度资金总额, the goals above the
    tasks (labelled 部门职责, 完成情况 before 主要内容), 指标值/完成值/权重 headers, 一级 merged down,
    and a list of `projects` projects whose 执行率 cells hold typed rates formatted as percentages."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "整体支出"
    ws["A1"] = "部门（单位）整体支出绩效自评表（2024年度）"
    ws.merge_cells("A1:I1")
    ws["A2"], ws["B2"] = "部门（单位）名称：", "某县卫生健康局"  # the year only in the title
    ws.merge_cells("B2:E2")
    ws["A4"] = "年度预算（万元）"
    for col, head in zip("BCDEFG", ("全年预算数", "年初预算数", "全年执行数", "执行率", "分值", "得分")):
        ws[f"{col}4"] = head
    each = [Decimal(300) / projects] * projects
    pb = sum(each)
    ws["A5"], ws["B5"], ws["C5"], ws["D5"], ws["F5"] = "总额", 800, 780, 760, 10
    ws["A6"], ws["B6"], ws["C6"], ws["D6"] = "其中：基本支出", 500, 500, 500
    ws["A7"], ws["B7"], ws["C7"], ws["D7"] = "项目支出", float(pb), 280, 260
    ws["A8"], ws["B8"], ws["F8"] = "年度总体目标", "预期目标", "实际完成情况"
    ws.merge_cells("A8:A9")
    ws.merge_cells("B8:E8")
    ws.merge_cells("F8:I8")
    ws["B9"], ws["F9"] = "保障全县医疗卫生服务。", "全年诊疗人次120万，目标完成。"
    ws.merge_cells("B9:E9")
    ws.merge_cells("F9:I9")
    r = 10
    if with_tasks:
        ws.cell(r, 1, "部门职责")
        ws.cell(r, 2, "任务名称")
        ws.cell(r, 3, "完成情况")
        ws.cell(r, 4, "主要内容")
        ws.cell(r + 1, 2, "基本公共卫生")
        ws.cell(r + 1, 3, "免费服务12类，全部完成")
        ws.cell(r + 2, 2, "疾病防控")
        ws.cell(r + 2, 4, "传染病监测")
        r += 3
    for c, head in enumerate(("一级指标", "二级指标", "三级指标", "指标值", "完成值", "权重", "得分", "偏差原因"), start=1):
        ws.cell(r, c, head)
    rows = [("产出指标", "数量指标", "诊疗人次", "≥100万人次", "120万人次", 50, None),
            ("产出指标", "质量指标", None, None, None, None, None),  # an empty row left in the table
            ("效益指标", "社会效益指标", "居民健康素养水平", "≥25%", "20%", 30, "宣传覆盖不足"),
            ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "92%", 10, None)]
    for k, row in enumerate(rows, start=r + 1):
        for c, value in enumerate(row[:6], start=1):
            ws.cell(k, c, value)
        ws.cell(k, 8, row[6])
    ws.merge_cells(start_row=r + 1, start_column=1, end_row=r + 2, end_column=1)
    t = r + 1 + len(rows)
    if with_total:
        ws.cell(t, 1, "总分")
    r = t + 2 if with_total else t  # without a 总分 row the list follows the indicators directly
    if with_list:
        for c, head in enumerate(("序号", "项目名称", "预算数", "执行数", "执行率", "得分", "等次"), start=1):
            ws.cell(r, c, head)
        for n in range(projects):
            k = r + 1 + n
            ws.cell(k, 1, n + 1)
            ws.cell(k, 2, f"卫生项目{n + 1}")
            ws.cell(k, 3, float(each[n]))
            ws.cell(k, 4, float(each[n]) * 0.9 if n else float(each[n]) * 0.5)
            rate = ws.cell(k, 5, {0: 0.5, 1: 0.8}.get(n, 0.9))  # project 2's rate typed wrong (it is 90%)
            rate.number_format = "0.00%"
            ws.cell(k, 6, 92 if n else 70)
            ws.cell(k, 7, "优" if n else "中")
        ws.cell(r + 1 + projects, 2, "合计")
    for row in ws.iter_rows():
        for c in row:
            c.alignment = Alignment(wrap_text=True)
    wb.save(path)
    return path


def test_hand_made_variant_reads_by_label(tmp_path):
    path = hand_made(tmp_path / "卫健局.xlsx")
    [p] = service.load(str(path))
    assert p.kind == "部门整体" and p.name == "某县卫生健康局" and p.year == 2024  # from the title
    assert p.goal_expected == "保障全县医疗卫生服务。"  # not the 部门职责 rows below it
    res = run("check", path, "--json")
    got = json.loads(res.output)
    assert (got["执行率"], got["执行率得分"]) == (0.95, 9.5)  # 760 ÷ 800, from the 全年预算数 column
    assert [i["三级指标"] for i in got["指标"]] == ["诊疗人次", "居民健康素养水平", "群众满意度"]
    # 诊疗 50 + 健康素养 30 × 20/25 = 24 + 满意度 10 + 9.5 = 93.5
    assert (got["总分"], got["等次"]) == (93.5, "优")
    assert [t["任务名称"] for t in got["年度主要任务"]] == ["基本公共卫生", "疾病防控"]
    status = marks(got, "E-DEPT-TASK-STATUS")
    assert [m["单元格"] for m in status] == ["C12"] and "疾病防控" in status[0]["说明"]
    assert len(got["项目支出情况"]) == 12
    rate = marks(got, "E-DEPT-PROJECT-RATE")
    assert len(rate) == 1 and rate[0]["单元格"] == "E22" and "应为 90.00%" in rate[0]["说明"]
    # the list's executed 12.5 + 11 × 22.5 = 260 agrees with the 项目支出 row; its budget 300 too
    assert "E-DEPT-PROJECT-SUM" not in codes(got)
    assert not [c for c in codes(got) if c.startswith("E-") and c != "E-DEPT-TASK-STATUS" and c != "E-DEPT-PROJECT-RATE"]
    res = run("score", path)
    ws = openpyxl.load_workbook(path)["整体支出"]
    assert ws["E22"].value == pytest.approx(0.8)  # the clerk's own figure stays; it is marked
    assert "应为 90.00%" in ws["E22"].comment.text
    assert ws["G5"].value == 9.5 and ws["E5"].value == 0.95  # empty computed cells of the total row filled
    assert [ws[c].value for c in ("C33", "D33", "E33")] == [300, 260, 0.8667]  # and the list's 合计 row


def test_project_list_right_under_the_indicators_is_not_read_as_indicators(tmp_path):
    path = hand_made(tmp_path / "无总分.xlsx", with_total=False)
    got = json.loads(run("check", path, "--json").output)
    assert [i["三级指标"] for i in got["指标"]] == ["诊疗人次", "居民健康素养水平", "群众满意度"]
    assert len(got["项目支出情况"]) == 12 and got["总分"] == 93.5


def test_a_form_without_its_indicator_table_is_read_and_never_graded(tmp_path):
    path = hand_made(tmp_path / "无指标.xlsx", with_list=False)
    wb = openpyxl.load_workbook(path)
    ws = wb["整体支出"]
    ws.delete_rows(13, 7)  # the 绩效指标 table and its 总分 row
    wb.save(path)
    got = json.loads(run("check", path, "--json").output)
    assert (got["执行率"], got["执行率得分"]) == (0.95, 9.5)  # 年度预算 still read
    assert got["总分"] is None and "E-UNREAD-INDICATORS" in codes(got)
    res = run("score", path)
    assert res.exit_code == 1
    ws = openpyxl.load_workbook(path)["整体支出"]
    assert ws["E5"].value == 0.95 and ws["G5"].value == 9.5  # the total row's empty computed cells filled
    assert ws["C12"].comment is not None and "完成情况" in ws["C12"].comment.text  # marks written too


def test_hand_made_without_list_or_tasks_warns_and_still_grades(tmp_path):
    path = hand_made(tmp_path / "无清单.xlsx", with_list=False, with_tasks=False)
    got = json.loads(run("check", path, "--json").output)
    assert "W-DEPT-NO-PROJECTS" in codes(got) and "W-DEPT-NO-TASKS" in codes(got)
    assert got["总分"] == 93.5 and got["项目支出情况"] == []


def test_long_project_list_in_the_template(tmp_path, case):
    project = parse_case(CASE)
    extra = [{"项目名称": f"小项目{n}", "全年预算数": 1, "全年执行数": 1, "自评得分": 100, "自评等次": "优"}
             for n in range(30)]
    project.extra["项目清单"] = project.extra["项目清单"] + extra
    wb = kind_named("部门整体").build_workbook(project, None)
    path = tmp_path / "长清单.xlsx"
    wb.save(path)
    got = json.loads(run("check", path, "--json").output)
    assert len(got["项目支出情况"]) == 32 and got["项目合计"]["全年预算数"] == 550
    listed = marks(got, "E-DEPT-PROJECT-SUM")
    assert listed[0]["单元格"] == "D8" and "等 32 个项目" in listed[0]["说明"]
    assert got["总分"] == 96.5


# ---- the Excel 计分 button (xlwings remote engine) -------------------------------------------------
def test_excel_score_button_writes_what_the_cli_writes(tmp_path, monkeypatch):
    import copy

    from evaltool.excel import entry
    from evaltool.workbook.template import deterministic_bytes
    from test_excel import Replay, book_from_file, cli_score

    monkeypatch.setattr(entry, "LOG_DIR", tmp_path / "log")
    src = tmp_path / "部门.xlsx"
    src.write_bytes(deterministic_bytes(kind_named("部门整体").build_workbook(parse_case(CASE), None)))
    book, _ = book_from_file(src, monkeypatch)
    payload = copy.deepcopy(book.api)
    results, writes, _, _ = entry.plan(book)
    assert [p.kind for p, _ in results] == ["部门整体"] and results[0][1].total == Decimal("96.5")
    assert entry.score(book=book) is not None
    got = Replay({"sheets": payload["sheets"]}, book.json()["actions"])
    want = cli_score(tmp_path, src)
    values = [w for w in writes if not w.keep_value]
    assert len(values) >= 12  # 执行率 ×3, 得分, 4 indicators, 总分, 分值合计, 等次, the list's rates and 合计
    for w in values:
        assert got.get(w.sheet, w.cell, "value") == want[w.sheet][w.cell].value, (w.sheet, w.cell)
    assert any("计分完成" in a for a in got.alerts)
    # Excel that reports no merged ranges (xlwings Server, the remote engine alone): the same plan
    bare, _ = book_from_file(src)
    results2, writes2, _, _ = entry.plan(bare)
    assert results2[0][1].total == Decimal("96.5") and results2[0][0].name == "某县农业农村局"
    assert {(w.cell, w.value) for w in writes2 if not w.keep_value} == {(w.cell, w.value) for w in values}


# ---- printing (LibreOffice) ---------------------------------------------------------------------
def test_scored_form_prints_on_a4_with_nothing_cut_off(tmp_path, book, soffice):
    from pdfpages import flat, page_texts

    wb = openpyxl.load_workbook(book)
    for name in wb.sheetnames[1:]:  # the form alone, as the clerk prints it for the stamp
        del wb[name]
    only = tmp_path / "打印.xlsx"
    wb.save(only)
    [pdf] = soffice([only], "pdf", tmp_path / "pdf")
    pages = [flat(t) for t in page_texts(pdf)]
    assert 1 <= len(pages) <= 2, len(pages)
    text = "".join(pages)
    for word in ("部门整体支出绩效自评表", "某县农业农村局", "年度资金总额", "其中：基本支出", "项目支出", "年度主要任务",
                 "年度总体目标", "偏差原因分析及改进措施", "高标准农田建设项目", "粮食生产补助项目", "自评等次", "备注",
                 "96.5", "95.00%", "87.98%", "80.68%", "单位负责人"):
        assert word in text, word


def test_excel_import_case_lays_down_a_scored_dept_form(tmp_path, case, monkeypatch):
    from evaltool.excel import entry
    from test_excel import Replay, book_from_file

    monkeypatch.setattr(entry, "LOG_DIR", tmp_path / "log")
    blank = tmp_path / "空白.xlsx"
    openpyxl.Workbook().save(blank)  # the clerk's open workbook: one empty sheet
    book, _ = book_from_file(blank)
    name, results = entry.import_case(book=book, path=case)
    [(project, result)] = [(p, r) for p, r in results if p.sheet == name]
    assert project.kind == "部门整体" and result.total == Decimal("96.5") and result.grade == "优"
    got = Replay(book.api, book.json()["actions"])
    assert name in got.names and "设置" in got.names and "部门报告素材" in got.names
    assert any(f"导入到工作表“{name}”" in a for a in got.alerts)


def test_publish_leaves_out_the_report_material_sheet(tmp_path, book):
    res = run("publish", book, "-o", tmp_path / "公开", "--no-pdf")
    assert res.exit_code == 0, res.output
    public = openpyxl.load_workbook(tmp_path / "公开" / f"{book.stem}-公开.xlsx")
    assert public.sheetnames == ["部门整体自评表"]  # 部门报告素材 (like 报告素材), 设置, 说明, 校验结果 removed
    assert public["部门整体自评表"]["H6"].value == 9.5


def test_cap_and_deduction_keys_apply_as_for_the_selfeval(tmp_path):
    """A 继承: 部门整体 rule file with 总分上限 and 超额扣分 (issue 16.4), hand-computed: 播种面积 70 万亩
    against ≥50 exceeds by 40% ≥ 30% → 30 − 2 = 28; total 9.5 + 27 + 20 + 28 + 10 = 94.5; 执行率 95% is
    below 96% → 总分 at most 89 → 良."""
    own = tmp_path / "本省.yaml"
    own.write_text("继承: 部门整体\n编号: 本省\n总分上限:\n  - {执行率低于: 0.96, 总分不超过: 89}\n"
                   "超额扣分: {超出比例: 0.3, 扣分: 2, 理由: 目标设置偏低}\n", "utf-8")
    path = tmp_path / "超额.yaml"
    path.write_text(CASE.replace("实际完成值: 52万亩", "实际完成值: 70万亩").replace("规则: 部门整体", f"规则: {own}"), "utf-8")
    got = json.loads(run("check", path, "--json").output)
    assert [i["得分"] for i in got["指标"]] == [27, 20, 28, 10]
    assert (got["总分"], got["等次"]) == (89, "良")
    assert "W-EXCESS-DEDUCT" in codes(got) and "W-TOTAL-CAP" in codes(got)
    assert "94.5" in marks(got, "W-TOTAL-CAP")[0]["说明"]
    # the deducted indicator now scores below its weight: its 偏差原因 is asked for, as on a 自评表
    assert [c for c in codes(got) if c.startswith("E-")] == ["E-DEVIATION"] and "粮食播种面积" in marks(
        got, "E-DEVIATION")[0]["说明"]
    report = tmp_path / "报告.docx"
    assert run("report", path, "-o", report).exit_code == 1 and report.exists()  # 1: the form has an error
    text = "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
    assert "自评总分89分，评价等次为“良”" in text and "总分不超过89分：94.50 → 89.00" in text and "目标设置偏低（扣2分）" in text
    # SWEEP S15: the deducted indicator is 超额完成, never 未完成/未达到
    assert "超额完成年度指标值（超出目标40%），目标设置偏低（扣2分）" in "".join(text.split()), text
    assert "说明目标设置偏低的原因" in marks(got, "E-DEVIATION")[0]["说明"] and "未完成" not in marks(got, "E-DEVIATION")[0]["说明"]
    assert run("check-report", report, path).exit_code == 0


# ---- bad input: never a traceback, always Chinese ----------------------------------------------------
ODD = ["七百万", "#REF!", "   ", "-5", "1e400", "≥", "=1+1", 0, -1, 10**18, "50%", "优秀", "0.5万元", "NaN", "——"]


def test_odd_values_in_every_input_cell_never_break_scoring(tmp_path, book):
    """Each input cell of the filled form in turn gets an odd value a clerk might type; check and the
    score plan (reading, scoring, checks, cell writes) finish with Chinese findings, never an exception."""
    import re

    wb = openpyxl.load_workbook(book)
    ws = wb["部门整体自评表"]
    inputs = [c.coordinate for row in ws.iter_rows() for c in row
              if c.protection.locked is False and type(c).__name__ != "MergedCell"]
    assert len(inputs) > 60
    for n, coord in enumerate(inputs):
        wb = openpyxl.load_workbook(book)
        wb["部门整体自评表"][coord] = ODD[n % len(ODD)]
        path = tmp_path / f"odd{n}.xlsx"
        wb.save(path)
        projects = service.load(str(path))
        plan = service.plan_projects(projects)
        for _, result in plan.results:
            for f in result.findings:
                assert re.search(r"[\u4e00-\u9fff]", f.message), (coord, f)
                assert "Traceback" not in f.message and "Error" not in f.message, (coord, f)
        path.unlink()


def test_blank_form_reports_with_placeholders_not_numbers(tmp_path):
    blank = tmp_path / "空白.xlsx"
    assert run("new", blank, "--kind", "部门整体").exit_code == 0
    report = tmp_path / "空白报告.docx"
    res = run("report", blank, "-o", report)
    assert res.exit_code == 1 and report.exists(), res.output  # 1: the blank form has errors
    text = "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
    assert "【待填写：部门职责" in text and "无法计分" in text and "未计算万元" not in text and " 0 万元" not in text


def test_hand_made_cells_evaltool_filled_are_its_own_on_the_next_run(tmp_path):
    """On a hand-made form evaltool fills only empty computed cells; they are recorded in 校验结果, so
    after the clerk changes a figure the next run updates them instead of taking them for typed ones."""
    path = hand_made(tmp_path / "再算.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["整体支出"]["E23"] = None  # project 3's 执行率 left empty; its figures are 25 / 22.5
    wb.save(path)
    run("score", path)
    ws = openpyxl.load_workbook(path)["整体支出"]
    assert ws["E23"].value == 0.9 and [ws[c].value for c in ("C33", "D33", "E33")] == [300, 260, 0.8667]
    wb = openpyxl.load_workbook(path)
    wb["整体支出"]["D23"] = 20  # the clerk corrects project 3: 20 ÷ 25 = 80%
    wb["整体支出"]["D7"] = 257.5  # and the 项目支出 row with it (260 − 2.5)
    wb["整体支出"]["D5"] = 757.5  # and the total (500 + 257.5)
    wb.save(path)
    res = run("check", path, "--json")
    got = json.loads(res.output)
    assert [m["单元格"] for m in marks(got, "E-DEPT-PROJECT-RATE")] == ["E22"]  # only the clerk's own wrong rate
    assert not marks(got, "W-TYPED-DIFFERS") and not marks(got, "I-COMPUTED")
    run("score", path)
    ws = openpyxl.load_workbook(path)["整体支出"]
    assert ws["E23"].value == 0.8 and [ws[c].value for c in ("C33", "D33", "E33")] == [300, 257.5, 0.8583]
    assert ws["E22"].value == pytest.approx(0.8)  # the clerk's typed figure is still not touched


def test_split_target_columns_and_a_two_row_header_read_as_on_a_selfeval(tmp_path):
    """四川式 indicator columns (指标性质 | 指标值 | 度量单位 under a merged 年度指标值, two header rows) and
    预算执行情况 for the fund block: the shared reader's layouts apply to the 部门整体 form unchanged."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "部门整体"
    ws["A1"] = "部门整体支出绩效自评表"
    ws["A2"], ws["B2"] = "单位名称", "某县水利局"
    ws["E2"], ws["F2"] = "年度", "2024年"
    for col, head in zip("ABCDEFG", ("预算执行情况", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分")):
        ws[f"{col}3"] = head
    ws["A4"], ws["B4"], ws["C4"], ws["D4"], ws["F4"] = "总额", 400, 420, 399, 10
    ws["A5"], ws["C5"], ws["D5"] = "基本支出", 220, 220
    ws["A6"], ws["C6"], ws["D6"] = "项目支出", 200, 179
    heads = ("一级指标", "二级指标", "三级指标", "年度指标值", None, None, "完成值", "权重", "得分", "未完成原因分析")
    for c, head in enumerate(heads, start=1):
        ws.cell(8, c, head)
    for c, head in zip((4, 5, 6), ("指标性质", "指标值", "度量单位")):
        ws.cell(9, c, head)
    ws.merge_cells("D8:F8")
    for c in (1, 2, 3, 7, 8, 9, 10):
        ws.merge_cells(start_row=8, start_column=c, end_row=9, end_column=c)
    rows = [("产出指标", "数量指标", "新建堤防", "≥", 12, "公里", "12公里", 50),
            ("效益指标", "社会效益指标", "保护人口", "≥", 5, "万人", "5.2万人", 30),
            ("满意度指标", "服务对象满意度指标", "群众满意度", "≥", 90, "%", "93%", 10)]
    for r, row in enumerate(rows, start=10):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    ws.cell(13, 1, "合计")
    path = tmp_path / "水利局.xlsx"
    wb.save(path)
    got = json.loads(run("check", path, "--json").output)
    # 399 ÷ 420 = 95% → 9.5; the three indicators full: 9.5 + 90 = 99.5
    assert (got["部门名称"], got["年度"], got["执行率"], got["总分"]) == ("某县水利局", 2024, 0.95, 99.5)
    assert [i["得分"] for i in got["指标"]] == [50, 30, 10]
    assert "I-TARGET-SPLIT" in codes(got) and "W-DEPT-NO-PROJECTS" in codes(got)
