"""The 运行监控表 kind (issue 16.2): template by code, label-driven reader on real .xlsx files (our
template and hand-made variants: inserted rows, moved columns, merged cells, the published layout
with ticked sub-columns, 1-6月 / 1-8月 periods from the headers), 执行进度 against the time schedule,
red/yellow/green lights, cell-precise findings, writes in place, the report, and collect's sheet."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from evaltool.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "evaltool" / "samples"

CASE = """类型: 运行监控表
项目名称: 农村饮水安全巩固提升工程
主管部门: 县水利局
实施单位: 县农村供水服务中心
年度: 2026
监控期间: 1-7月
监控资金:
  年度资金总额: {年初预算数: 500, 全年预算数: 600, 执行数: 240, 全年预计执行数: 580}
  本年财政拨款: {年初预算数: 500, 全年预算数: 550, 执行数: 220, 全年预计执行数: 530}
  上年结转资金: {全年预算数: 50, 执行数: 20, 全年预计执行数: 50}
监控目标:
  全年预期目标: 新建管网120公里，改造水厂6座，保障3万人饮水安全。
  目标实际完成情况: 已建管网60公里，改造水厂2座。
监控指标:
  - {一级指标: 产出指标, 二级指标: 数量指标, 三级指标: 新建供水管网长度, 年度指标值: ≥120公里, 实际完成值: 60公里, 全年预计完成值: 120公里, 完成可能性: 确定能}
  - {一级指标: 产出指标, 二级指标: 数量指标, 三级指标: 改造水厂数量, 年度指标值: ≥6座, 实际完成值: 2座, 全年预计完成值: 5座, 完成可能性: 有可能, 偏差原因类别: 经费保障, 偏差原因: 配套资金到位晚, 纠偏措施: 督促配套资金9月底前到位}
  - {一级指标: 产出指标, 二级指标: 质量指标, 三级指标: 水质达标率, 年度指标值: ≥95%, 实际完成值: 93%, 全年预计完成值: 96%, 完成可能性: 确定能}
  - {一级指标: 产出指标, 二级指标: 时效指标, 三级指标: 工程完工时间, 年度指标值: 2026年11月30日前, 实际完成值: 进行中, 全年预计完成值: 2026年12月20日, 完成可能性: 完全不可能}
  - {一级指标: 效益指标, 二级指标: 社会效益指标, 三级指标: 受益人口, 年度指标值: ≥3万人, 实际完成值: 1.2万人, 全年预计完成值: 3万人, 完成可能性: 确定能}
"""


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def findings(result: dict) -> list[tuple[str, str]]:
    return [(f["代码"], f["单元格"] or f["位置"]) for f in result["标记"]]


@pytest.fixture
def filled(tmp_path) -> Path:
    """Our template, filled by `evaltool new --from` a case file (and scored by it)."""
    case = tmp_path / "监控.yaml"
    case.write_text(CASE, "utf-8")
    book = tmp_path / "监控表.xlsx"
    res = run("new", book, "--from", case)
    assert res.exit_code in (0, 1), res.output  # 1: the form has errors (new exits as check)
    return book


def cells(path: Path, sheet: str) -> dict[str, object]:
    ws = openpyxl.load_workbook(path)[sheet]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


# ---- the template ------------------------------------------------------------------------------
def test_blank_template_as_published(tmp_path):
    book = tmp_path / "空白.xlsx"
    case = tmp_path / "空.yaml"
    case.write_text("类型: 运行监控表\n监控期间: 1-7月\n", "utf-8")
    assert run("new", book, "--from", case).exit_code in (0, 1)  # 1: the form has errors
    wb = openpyxl.load_workbook(book)
    ws = wb["运行监控表"]
    texts = {str(v) for v in cells(book, "运行监控表").values()}
    for label in ("项目名称", "主管部门", "实施单位", "监控期间", "年初预算数", "全年预算数", "1-7月执行数", "全年预计执行数",
                  "执行进度", "时间进度", "一级指标", "二级指标", "三级指标", "年度指标值", "1-7月实际完成值", "全年预计完成值",
                  "完成可能性", "偏差原因类别", "偏差原因说明", "纠偏措施", "预警", "综合预警"):
        assert label in texts, label
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert '"确定能,有可能,完全不可能"' in lists
    assert '"经费保障,制度保障,人员保障,硬件条件保障,其他"' in lists
    # the lights are coloured by the value evaltool writes (conditional formats on the 预警 cells)
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert {r.formula[0] for r in rules} == {'"红"', '"黄"', '"绿"'}
    # every indicator row of the national framework is laid out, 一级/二级 merged down
    assert ws["A13"].value == "产出指标" and any(str(m).startswith("A13:") for m in ws.merged_cells.ranges)
    # checking the blank form names what is missing, in Chinese, with the cell
    res = run("check", book, "--json")
    got = json.loads(res.output)
    codes = dict(findings(got))
    assert res.exit_code == 1 and got["时间进度"] == 0.5833
    assert codes["E-MON-BUDGET"] == "D6" and codes["E-REQUIRED"] == "E6" and "E-MON-NO-INDICATORS" in codes


# ---- evaluation through the CLI ----------------------------------------------------------------
def test_case_file_lights_and_findings(tmp_path):
    case = tmp_path / "监控.yaml"
    case.write_text(CASE, "utf-8")
    res = run("check", case, "--json")
    assert res.exit_code == 1, res.output
    got = json.loads(res.output)
    # 240 ÷ 600 = 40.00% against 7/12 = 58.33%: 18.33 points behind, beyond the 10-point yellow band
    assert (got["执行进度"], got["时间进度"], got["全年预计执行率"]) == (0.4, 0.5833, 0.9667)
    assert got["资金预警"] == "红" and got["综合预警"] == "红"
    lights = {i["三级指标"]: i["预警"] for i in got["指标"]}
    assert lights == {"新建供水管网长度": "绿", "改造水厂数量": "红", "水质达标率": "绿", "工程完工时间": "红", "受益人口": "绿"}
    codes = [f["代码"] for f in got["标记"]]
    assert codes.count("W-MON-BEHIND") == 2 and "W-MON-PROGRESS" in codes
    # 完全不可能 without 偏差原因 or 纠偏措施: one error each; 改造水厂数量 has both, so none for it
    reason = [f for f in got["标记"] if f["代码"] in ("E-MON-REASON", "E-MON-MEASURE")]
    assert [(f["代码"], f["位置"]) for f in reason] == [("E-MON-REASON", "监控指标[4].偏差原因类别"),
                                                       ("E-MON-MEASURE", "监控指标[4].纠偏措施")]
    assert "工程完工时间" in reason[0]["说明"] and "完全不可能" in reason[0]["说明"]


@pytest.mark.parametrize("executed, light", [(350, "绿"), (320, "黄"), (290, "黄"), (280, "红")])
def test_money_light_bands(tmp_path, executed, light):
    # 600 万元 at 1-7月 (58.33%): 350 = 58.33% on time; 320 = 53.33% and 290 = 48.33% are 5 and 10.00
    # points behind (the yellow band includes its limit); 280 = 46.67% is 11.67 behind
    case = tmp_path / "m.yaml"
    case.write_text(CASE.replace("执行数: 240", f"执行数: {executed}"), "utf-8")
    got = json.loads(run("check", case, "--json").output)
    assert got["资金预警"] == light


def test_rule_set_sets_the_bands(tmp_path):
    rules = tmp_path / "宽松.yaml"
    rules.write_text("继承: 国家标准\n编号: 宽松\n运行监控:\n  执行进度: {黄灯: 0.2}\n"
                     "  指标预警: {黄灯: 0.2, 完成可能性: {有可能: 绿}}\n", "utf-8")
    case = tmp_path / "m.yaml"
    case.write_text(CASE, "utf-8")
    got = json.loads(run("check", case, "--json", "--rules", rules).output)
    # 18.33 points behind is within a 20-point yellow band; 5 of 6 (16.67% short) within 20%
    assert got["资金预警"] == "黄"
    assert {i["三级指标"]: i["预警"] for i in got["指标"]}["改造水厂数量"] == "黄"
    bad = tmp_path / "错.yaml"
    bad.write_text("继承: 国家标准\n编号: 错\n运行监控:\n  执行进度: {黄灯: 十}\n", "utf-8")
    res = run("check", case, "--rules", bad)
    assert res.exit_code == 2 and "运行监控 → 执行进度 → 黄灯" in res.output and "0 到 1" in res.output
    assert "Traceback" not in res.output


def test_likelihood_and_category_must_be_from_the_lists(tmp_path):
    text = CASE.replace("完成可能性: 有可能, 偏差原因类别: 经费保障", "完成可能性: 大概吧, 偏差原因类别: 天气原因")
    case = tmp_path / "m.yaml"
    case.write_text(text, "utf-8")
    got = json.loads(run("check", case, "--json").output)
    by_code = {f["代码"]: f for f in got["标记"]}
    assert by_code["E-MON-LIKELY"]["位置"] == "监控指标[2].完成可能性" and "大概吧" in by_code["E-MON-LIKELY"]["说明"]
    assert by_code["E-MON-CATEGORY"]["位置"] == "监控指标[2].偏差原因类别"
    assert "经费保障、制度保障、人员保障、硬件条件保障、其他" in by_code["E-MON-CATEGORY"]["说明"]


# ---- our template: score in place, report --------------------------------------------------------
def test_score_writes_lights_in_place_and_keeps_what_was_typed(filled, tmp_path):
    before = cells(filled, "运行监控表")
    res = run("score", filled)
    assert res.exit_code == 1, res.output  # 工程完工时间 lacks 偏差原因 and 纠偏措施
    after = cells(filled, "运行监控表")
    assert (after["G6"], after["H6"], after["I6"], after["K2"]) == (0.4, 0.5833, "红", "红")
    ws = openpyxl.load_workbook(filled)["运行监控表"]
    assert ws["G6"].number_format == ws["H6"].number_format == "0.00%"  # numbers, shown 40.00% (SWEEP S17)
    assert (after["K13"], after["K14"], after["K15"], after["K16"], after["K17"]) == ("绿", "红", "绿", "红", "绿")
    changed = {a for a in before if before[a] != after.get(a)}
    assert changed <= {"G6", "H6", "I6", "K2", "K13", "K14", "K15", "K16", "K17"}, changed
    ws = openpyxl.load_workbook(filled)["运行监控表"]
    assert "偏差原因" in ws["H16"].comment.text and "纠偏措施" in ws["J16"].comment.text
    assert "落后 18.33 个百分点" in ws["I6"].comment.text
    # the clerk fills in the reason and the measure: the marks go, the light stays red (完全不可能)
    ws["H16"], ws["I16"], ws["J16"] = "硬件条件保障", "设备供货延迟", "调整施工计划，申请延期至12月底"
    ws.parent.save(filled)
    res = run("score", filled)
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(filled)["运行监控表"]
    assert ws["H16"].comment is None and ws["K16"].value == "红"


def test_report_is_a_monitoring_statement(filled, tmp_path):
    out = tmp_path / "说明.docx"
    res = run("report", filled, "-o", out)
    assert res.exit_code == 1 and "注意：项目支出绩效运行监控表有 2 个错误" in res.output, res.output
    doc = docx.Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "绩效运行监控情况说明" in text
    assert "执行进度40.00%，时间进度58.33%" in text and "资金预警为红灯" in text
    assert "“改造水厂数量”" in text and "督促配套资金9月底前到位" in text
    assert "纠偏措施：【待补充】" in text  # 工程完工时间: not yet given
    assert [c.text for c in doc.tables[0].rows[1].cells][:4] == ["600.00", "240.00", "580.00", "40.00%"]


# ---- hand-made variants --------------------------------------------------------------------------
def handmade_moved(path: Path) -> None:
    """A clerk's own sheet: title with the year, blank rows inserted, columns in another order, 一级/二级
    merged, no 监控期间 field (1—6月 in the headers), no 执行进度/预警 columns, signature line below."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "监控"
    ws["A1"] = "乡村道路养护项目绩效运行监控表（2026年）"
    ws.merge_cells("A1:I1")
    ws["A3"], ws["B3"], ws["D3"], ws["E3"] = "项目名称：", "乡村道路养护", "实施单位", "县公路站"
    ws["A4"], ws["B4"] = "主管部门", "县交通运输局"
    ws.append([])
    for r, row in enumerate([["项目资金（万元）", None, "年初预算数", "全年预算数", "1—6月执行数", "全年预计执行数"],
                             [None, "年度资金总额", 200, 200, 100, 200],
                             [None, "其中：财政拨款", 200, 200, 100, 200]], start=6):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    ws.merge_cells("A6:A8")
    header = ["三级指标", "一级指标", "二级指标", "全年预计完成值", "年度指标值", "1-6月完成值", "完成可能性", "纠偏措施", "偏差原因"]
    rows = [["养护里程", "产出指标", "数量指标", "80公里", "≥100公里", "45公里", "有可能"],
            ["养护合格率", None, None, "95%", "≥90%", "96%", "确定能"],
            ["群众满意度", "满意度指标", "服务对象满意度指标", "90%", "≥90%", "未调查", "确定能"]]
    for c, v in enumerate(header, start=1):
        ws.cell(10, c, v)
    for r, row in enumerate(rows, start=11):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    ws.merge_cells("B11:B12")
    ws.merge_cells("C11:C12")
    ws["A14"] = "填报人：张三"
    wb.save(path)


def test_handmade_sheet_with_moved_columns_and_a_1_6_period(tmp_path):
    book = tmp_path / "手工.xlsx"
    handmade_moved(book)
    before = cells(book, "监控")
    got = json.loads(run("check", book, "--json").output)
    assert got["项目名称"] == "乡村道路养护" and got["监控期间"] == "1-6月"
    assert (got["时间进度"], got["执行进度"], got["资金预警"]) == (0.5, 0.5, "绿")  # on time at 6/12
    lights = {i["三级指标"]: (i["预警"], i["完成可能性"]) for i in got["指标"]}
    assert lights == {"养护里程": ("红", "有可能"), "养护合格率": ("绿", "确定能"), "群众满意度": ("绿", "确定能")}
    assert [i["三级指标"] for i in got["指标"]] == ["养护里程", "养护合格率", "群众满意度"]
    codes = findings(got)
    assert ("W-MON-BEHIND", "D11") in codes  # 80 of 100 公里: 20% short
    assert ("E-MON-REASON", "I11") in codes and ("E-MON-MEASURE", "H11") in codes
    assert ("W-MON-ACTUAL", "F13") not in codes  # "未调查" is text the clerk typed, not empty
    res = run("score", book)
    assert res.exit_code == 1
    after = cells(book, "监控")
    assert {a: v for a, v in after.items() if a in before} == before  # nothing the clerk typed changed
    assert "纠偏措施" in openpyxl.load_workbook(book)["监控"]["H11"].comment.text


def handmade_published(path: Path) -> None:
    """The published 项目支出绩效目标执行监控表: 1-8月, no 全年预算数 column, 偏差原因分析 and 完成目标可能性
    as merged groups over ticked sub-columns, no 纠偏措施 column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "监控表"
    ws["A1"] = "项目支出绩效目标执行监控表"
    ws["A2"] = "（2026年度）"
    ws["A3"], ws["C3"] = "项目名称", "基层卫生服务能力提升"
    ws["A4"], ws["C4"], ws["G4"], ws["I4"] = "主管部门及代码", "123-县卫健委", "实施单位", "县疾控中心"
    fund = [["项目资金（万元）", None, "年初预算数", "1-8月执行数", "1-8月执行率", "全年预计执行数"],
            [None, "年度资金总额", 300, 120, None, 260],
            [None, "其中：财政拨款", 300, 120, None, 260],
            [None, "其他资金", None, None, None, None]]
    for r, row in enumerate(fund, start=5):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    ws.merge_cells("A5:A8")
    top = ["一级指标", "二级指标", "三级指标", "年度指标值", "1-8月执行情况", "全年预计完成情况", "偏差原因分析", None, None,
           None, None, "完成目标可能性", None, None, "备注"]
    sub = [None] * 6 + ["经费保障", "制度保障", "人员保障", "硬件条件保障", "其他", "确定能", "有可能", "完全不可能", None]
    for c, v in enumerate(top, start=1):
        ws.cell(9, c, v)
    for c, v in enumerate(sub, start=1):
        ws.cell(10, c, v)
    for c in (1, 2, 3, 4, 5, 6, 15):
        ws.merge_cells(start_row=9, start_column=c, end_row=10, end_column=c)
    ws.merge_cells("G9:K9")
    ws.merge_cells("L9:N9")
    data = [["产出指标", "数量指标", "培训基层医务人员", "≥500人次", "200人次", "450人次", "√", None, "培训师资不足", None, None,
             None, "√", None],
            [None, "质量指标", "培训合格率", "≥95%", "96%", "97%", None, None, None, None, None, "√", None, None],
            ["效益指标", "社会效益指标", "基层就诊率提升", "≥5个百分点", "2个百分点", "3个百分点", None, None, None, None, None,
             None, None, "√"]]
    for r, row in enumerate(data, start=11):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    ws.merge_cells("A11:A12")
    ws["A14"] = "注：请在偏差原因和完成可能性的相应栏内打“√”。"
    wb.save(path)


def test_published_layout_with_ticks_and_a_1_8_period(tmp_path):
    book = tmp_path / "原式样.xlsx"
    handmade_published(book)
    got = json.loads(run("check", book, "--json").output)
    assert got["项目名称"] == "基层卫生服务能力提升" and got["监控期间"] == "1-8月"
    # no 全年预算数 column: 120 ÷ 年初预算数 300 = 40.00% against 8/12 = 66.67%
    assert (got["时间进度"], got["执行进度"], got["资金预警"]) == (0.6667, 0.4, "红")
    by_name = {i["三级指标"]: i for i in got["指标"]}
    assert by_name["培训基层医务人员"]["完成可能性"] == "有可能"
    assert by_name["培训基层医务人员"]["偏差原因"] == "经费保障、人员保障；培训师资不足"
    assert by_name["培训基层医务人员"]["预警"] == "黄"  # 450 of 500: 10% short, 有可能
    assert by_name["培训合格率"]["预警"] == "绿"
    assert by_name["基层就诊率提升"]["完成可能性"] == "完全不可能" and by_name["基层就诊率提升"]["预警"] == "红"
    codes = findings(got)
    assert ("I-MON-BUDGET", "C6") in codes
    assert ("E-MON-REASON", "G13") in codes  # ticked 完全不可能, nothing under 偏差原因分析
    # the published form has no 纠偏措施 column: not demanded of it
    assert not any(c == "E-MON-MEASURE" for c, _ in codes)
    assert run("score", book).exit_code == 1
    assert cells(book, "监控表")["E6"] == "40.00%"  # its 1-8月执行率 cell is the 执行进度


def test_header_period_that_disagrees_with_the_field(tmp_path, filled):
    wb = openpyxl.load_workbook(filled)
    ws = wb["运行监控表"]
    ws["D2"] = "1-6月"  # the field says June, the headers still say 1-7月
    wb.save(filled)
    got = json.loads(run("check", filled, "--json").output)
    assert got["时间进度"] == 0.5
    assert ("W-MON-PERIOD", "E5") in findings(got) and ("W-MON-PERIOD", "E12") in findings(got)


# ---- collect -------------------------------------------------------------------------------------
def test_collect_lists_every_late_project_on_its_own_sheet(tmp_path, filled):
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    shutil.copy(filled, inbox / "水利局-监控表.xlsx")
    handmade_moved(inbox / "交通局-监控表.xlsx")
    handmade_published(inbox / "卫健委-监控表.xlsx")
    green = tmp_path / "绿.yaml"
    green.write_text(CASE.replace("项目名称: 农村饮水安全巩固提升工程", "项目名称: 按期项目").replace("执行数: 240", "执行数: 360")
                     .replace("全年预计完成值: 5座, 完成可能性: 有可能", "全年预计完成值: 6座, 完成可能性: 确定能")
                     .replace("全年预计完成值: 2026年12月20日, 完成可能性: 完全不可能",
                              "全年预计完成值: 2026年11月20日, 完成可能性: 确定能"), "utf-8")
    assert run("new", inbox / "按期.xlsx", "--from", green).exit_code == 0
    assert run("new", inbox / "自评表.xlsx", "--from", SAMPLES / "示例-电子政务各项专项经费.yaml").exit_code == 0
    out = tmp_path / "汇总.xlsx"
    res = run("collect", inbox, "-o", out, "-j", "1", "--json")
    assert res.exit_code in (0, 1), res.output
    summary = json.loads(res.stdout if hasattr(res, "stdout") else res.output)
    assert summary["项目数"] == 5 and summary["等次分布"] == {"优": 1}  # the 监控表s have no 等次
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["汇总", "运行监控"]
    rows = list(wb["运行监控"].iter_rows(values_only=True))
    head = list(rows[0])
    listed = [dict(zip(head, r)) for r in rows[1:]]
    assert [(r["预警"], r["项目"]) for r in listed] == [
        ("红", "基层卫生服务能力提升"), ("红", "乡村道路养护"), ("红", "农村饮水安全巩固提升工程"), ("绿", "按期项目")]
    water = listed[2]
    assert (water["执行进度"], water["时间进度"], water["资金预警"], water["红灯指标数"]) == (0.4, 0.5833, "红", 2)
    assert "落后 18.33 个百分点" in water["预警原因"] and "配套资金到位晚" in water["预警原因"]
    assert "督促配套资金9月底前到位" in water["纠偏措施"]
    summed = list(wb["汇总"].iter_rows(values_only=True))
    assert [r[2] for r in summed[1:]] == ["电子政务各项专项经费"]  # only the 自评表 in 汇总
    problems = [r[5] for r in wb["问题清单"].iter_rows(values_only=True)]
    assert "W-DUPLICATE" not in problems and "E-MON-REASON" in problems


# ---- carried into the year-end 自评表 --------------------------------------------------------------
def selfeval_indicators(book: Path) -> dict[str, str | None]:
    from evaltool.workbook import service

    (project,) = service.load(str(book))
    assert project.kind == "自评表"
    return {str(i.level3): i.deviation for i in project.indicators}


def test_new_selfeval_from_the_monitor_table_carries_reasons(tmp_path, filled):
    book = tmp_path / "年终自评表.xlsx"
    res = run("new", book, "--monitor", filled)
    assert res.exit_code == 0, res.output
    got = selfeval_indicators(book)
    assert list(got) == ["新建供水管网长度", "改造水厂数量", "水质达标率", "工程完工时间", "受益人口"]
    assert got["改造水厂数量"] == "（1-7月运行监控）偏差原因：经费保障，配套资金到位晚。纠偏措施：督促配套资金9月底前到位。"
    assert got["新建供水管网长度"] is None  # nothing to carry for an indicator on track
    assert "带入 1 个指标" in res.output and "“改造水厂数量”" in res.output
    ws = openpyxl.load_workbook(book)["自评表"]
    texts = {c.value for row in ws.iter_rows() for c in row}
    assert "农村饮水安全巩固提升工程" in texts and "≥6座" in texts  # header and targets from the 监控表


SELF_CASE = """年度: 2026
项目名称: 农村饮水安全巩固提升工程
主管部门: 县水利局
实施单位: 县农村供水服务中心
项目资金:
  年度资金总额: {年初预算数: 500, 全年预算数: 600, 全年执行数: 590}
  分值: 10
绩效指标:
  - {一级指标: 产出指标, 二级指标: 数量指标, 三级指标: "改造水厂 数量", 年度指标值: ≥6座, 实际完成值: 5座, 分值: 25}
  - {一级指标: 产出指标, 二级指标: 时效指标, 三级指标: 工程完工时间, 年度指标值: 2026年11月30日前, 实际完成值: 2026年12月20日, 分值: 25, 偏差原因分析及改进措施: 设备供货延迟，已督促供货商。}
  - {一级指标: 效益指标, 二级指标: 社会效益指标, 三级指标: 受益人口, 年度指标值: ≥3万人, 实际完成值: 3万人, 分值: 30}
  - {一级指标: 满意度指标, 二级指标: 服务对象满意度指标, 三级指标: 群众满意度, 年度指标值: ≥90%, 实际完成值: 92%, 分值: 10}
"""


def test_monitor_reasons_into_a_selfeval_case_matched_by_name(tmp_path, filled):
    wb = openpyxl.load_workbook(filled)
    ws = wb["运行监控表"]
    ws["H16"], ws["I16"], ws["J16"] = "硬件条件保障", "设备供货延迟", "调整施工计划"
    ws["H17"], ws["I17"] = "其他", "人口统计口径调整"  # 受益人口: a reason though on track
    ws["C13"] = "新建供水管网长度（公里）"
    ws["H13"], ws["J13"] = "经费保障", "追加预算"  # not in the 自评表 below: reported
    wb.save(filled)
    case = tmp_path / "自评.yaml"
    case.write_text(SELF_CASE, "utf-8")
    book = tmp_path / "自评表.xlsx"
    res = run("new", book, "--from", case, "--monitor", filled)
    assert res.exit_code == 0, res.output
    got = selfeval_indicators(book)
    # "改造水厂 数量" and "改造水厂数量" are the same indicator
    assert got["改造水厂 数量"].startswith("（1-7月运行监控）偏差原因：经费保障，配套资金到位晚。")
    assert got["工程完工时间"] == "设备供货延迟，已督促供货商。"  # the clerk's own text is kept
    assert got["受益人口"] == "（1-7月运行监控）偏差原因：其他，人口统计口径调整。"
    assert got["群众满意度"] is None
    out = " ".join(res.output.split())
    assert "未覆盖：“工程完工时间”" in out
    assert "没有带入（自评表中没有同名的三级指标）：“新建供水管网长度（公里）”" in out


def test_monitor_option_refuses_what_it_cannot_use(tmp_path, filled):
    selfeval = tmp_path / "自评表.xlsx"
    assert run("new", selfeval, "--from", SAMPLES / "示例-电子政务各项专项经费.yaml").exit_code == 0
    res = run("new", tmp_path / "x.xlsx", "--monitor", selfeval)
    assert res.exit_code == 2 and "没有找到项目支出绩效运行监控表" in res.output and "Traceback" not in res.output
    res = run("new", tmp_path / "y.xlsx", "--monitor", filled, "--kind", "评分表")
    assert res.exit_code == 2 and "不能与 --kind 评分表 一起用" in res.output
    res = run("new", tmp_path / "z.xlsx", "--monitor", tmp_path / "没有.xlsx")
    assert res.exit_code == 2 and "找不到运行监控表" in res.output
    assert not any((tmp_path / n).exists() for n in ("x.xlsx", "y.xlsx", "z.xlsx"))


def test_every_engine_reads_and_scores_the_monitor_table_alike(tmp_path, filled, monkeypatch):
    """openpyxl (files), calamine (collect) and xlwings (the Excel buttons, via its remote engine)."""
    from test_engines import outcome, read_with

    moved, published = tmp_path / "手工.xlsx", tmp_path / "原式样.xlsx"
    handmade_moved(moved)
    handmade_published(published)
    for path in (filled, moved, published):
        base = outcome(read_with("openpyxl", path, monkeypatch), path.name)
        assert base[0] and base[0][0]["类型"] == "运行监控表", path.name
        for name in ("calamine", "xlwings"):
            assert outcome(read_with(name, path, monkeypatch), path.name) == base, (name, path.name)


def test_handmade_out_cells_the_clerk_typed_are_kept(tmp_path):
    book = tmp_path / "原式样.xlsx"
    handmade_published(book)
    assert run("score", book).exit_code == 1
    assert cells(book, "监控表")["E6"] == "40.00%"  # empty: evaltool filled it, and says so in 校验结果
    wb = openpyxl.load_workbook(book)
    wb["监控表"]["D6"] = 150  # 150 ÷ 300: the cell evaltool filled follows the new figure
    wb.save(book)
    assert run("score", book).exit_code == 1
    assert cells(book, "监控表")["E6"] == "50.00%"
    wb = openpyxl.load_workbook(book)
    wb["监控表"]["E6"] = 0.45  # the clerk types their own rate over it
    wb["监控表"]["E6"].number_format = "0.00%"
    wb.save(book)
    got = json.loads(run("score", book, "--json").stdout)
    assert ("W-MON-TYPED", "E6") in findings(got)
    ws = openpyxl.load_workbook(book)["监控表"]
    assert ws["E6"].value == 0.45 and "50.00%" in ws["E6"].comment.text


def test_total_row_must_equal_its_parts(tmp_path, filled):
    wb = openpyxl.load_workbook(filled)
    wb["运行监控表"]["E8"] = 25  # 上年结转资金 1-7月执行数: 220 + 25 ≠ 240
    wb.save(filled)
    got = json.loads(run("check", filled, "--json").output)
    sums = [f for f in got["标记"] if f["代码"] == "W-MON-FUND-SUM"]
    assert [f["单元格"] for f in sums] == ["E6"] and "245" in sums[0]["说明"] and "240" in sums[0]["说明"]
    assert got["执行进度"] == 0.4  # the progress still uses the total row


def test_export_round_trip(tmp_path, filled):
    case = tmp_path / "导出.yaml"
    assert run("export", filled, "-o", case).exit_code == 0
    assert "类型: 运行监控表" in case.read_text("utf-8")
    a = json.loads(run("check", filled, "--json").output)
    b = json.loads(run("check", case, "--json").output)
    for key in ("执行进度", "时间进度", "全年预计执行率", "资金预警", "综合预警", "指标"):
        assert a[key] == b[key], key


def test_period_from_the_title_when_headers_name_none(tmp_path):
    book = tmp_path / "标题.xlsx"
    handmade_moved(book)
    wb = openpyxl.load_workbook(book)
    ws = wb["监控"]
    ws["A1"] = "乡村道路养护项目绩效运行监控表（2026年1至8月）"
    ws["E6"], ws["F10"] = "累计执行数", "实际完成值"
    wb.save(book)
    got = json.loads(run("check", book, "--json").output)
    assert got["监控期间"] == "1-8月" and got["时间进度"] == 0.6667 and got["执行进度"] == 0.5
    assert got["资金预警"] == "红"  # 16.67 points behind
    assert not [f for f in got["标记"] if f["代码"].endswith("PERIOD")]


LONG_REASON = "受汛期强降雨影响，部分施工点位停工约四十天，设备进场和管网铺设相应推迟；" * 3


@pytest.fixture
def long_texts(filled) -> Path:
    """The filled template with long 偏差原因 / 纠偏措施 typed into it, then scored."""
    wb = openpyxl.load_workbook(filled)
    ws = wb["运行监控表"]
    ws["H16"], ws["I16"], ws["J16"] = "其他", LONG_REASON, "调整施工计划，增加施工班组，" * 4
    wb.save(filled)
    assert run("score", filled).exit_code == 0
    return filled


def test_rows_grow_with_the_texts_typed_into_the_template(long_texts):
    ws = openpyxl.load_workbook(long_texts)["运行监控表"]
    assert ws.row_dimensions[16].height > 90 and ws.row_dimensions[15].height == 30


def test_the_scored_template_prints_whole_on_a4(long_texts, tmp_path, soffice):
    from pdfpages import column_text, flat, hidden_words, page_texts, page_words

    (pdf,) = soffice([long_texts], "pdf", tmp_path / "pdf")
    texts = page_texts(pdf)
    first = flat(texts[0])
    for label in ("项目支出绩效运行监控表", "综合预警", "执行进度", "时间进度", "完成可能性", "纠偏措施"):
        assert label in first, label  # one page wide: the last columns are on the first page
    form = [i for i, t in enumerate(texts) if "完成可能性" in flat(t) or "三级指标" in flat(t)]
    words = page_words(pdf)
    # the long reason is printed whole in its column, nothing cut off
    shown = flat("".join(column_text(pdf, i + 1, words[i], "偏差原因说明", tmp_path) for i in form))
    assert flat(LONG_REASON) in shown
    for i in form:
        assert hidden_words(pdf, i + 1, words[i], tmp_path) == [], f"page {i + 1}"


def test_from_targets_with_monitor_reasons(tmp_path):
    """The year's flow: the filed 绩效目标表 gives the indicators, the 运行监控表 their 偏差原因."""
    import targetsforms as F
    from test_targets import filled as targets_filled

    targets = targets_filled(tmp_path)
    case = tmp_path / "监控.yaml"
    case.write_text(f"""类型: 运行监控表
项目名称: {F.NAME}
主管部门: {F.DEPT}
实施单位: {F.UNIT}
年度: 2025
监控期间: 1-7月
监控资金:
  年度资金总额: {{全年预算数: 120, 执行数: 50, 全年预计执行数: 118}}
监控指标:
  - {{三级指标: 培训人次, 年度指标值: ≥500人次, 实际完成值: 200人次, 全年预计完成值: 450人次, 完成可能性: 有可能, 偏差原因类别: 人员保障, 偏差原因: 师资不足, 纠偏措施: 外聘讲师}}
  - {{三级指标: 群众知晓率, 年度指标值: ≥85%, 实际完成值: 60%, 全年预计完成值: 88%, 完成可能性: 确定能}}
  - {{三级指标: 线上课程数, 年度指标值: ≥10门, 实际完成值: 2门, 全年预计完成值: 6门, 完成可能性: 完全不可能, 偏差原因类别: 硬件条件保障, 偏差原因: 平台未建成, 纠偏措施: 申请调整目标}}
""", "utf-8")
    monitor = tmp_path / "监控表.xlsx"
    assert run("new", monitor, "--from", case).exit_code == 0
    out = tmp_path / "自评表.xlsx"
    res = run("new", "--from-targets", targets, "--monitor", monitor, "-o", out)
    assert res.exit_code == 0, res.output
    got = selfeval_indicators(out)
    assert list(got) == [row[2] for row in F.INDICATORS]  # every filed target kept
    assert got["培训人次"] == "（1-7月运行监控）偏差原因：人员保障，师资不足。纠偏措施：外聘讲师。"
    assert got["群众知晓率"] is None
    flat_out = " ".join(res.output.split())
    assert "“线上课程数”" in flat_out and "没有带入" in flat_out


@pytest.mark.parametrize("body, says", [
    ("监控指标: abc\n", "“监控指标”应是列表"),
    ("监控资金: [1, 2]\n", "“监控资金”应写成"),
    ("监控指标:\n  - {三级指标: [1, 2], 完成可能性: 有可能}\n", "“监控指标第 1 项”中“三级指标”应是一个值"),
    ("监控资金:\n  年度资金总额: {执行数: {a: 1}}\n", "“监控资金 → 年度资金总额”中“执行数”应是一个值"),
])
def test_bad_case_files_are_refused_in_chinese(tmp_path, body, says):
    case = tmp_path / "坏.yaml"
    case.write_text("类型: 运行监控表\n" + body, "utf-8")
    res = run("check", case)
    assert res.exit_code == 2 and says in res.output and "Traceback" not in res.output, res.output


# ---- the Excel 计分 button (xlwings remote engine) -------------------------------------------------
def test_excel_score_button_writes_what_the_cli_writes(tmp_path, filled, monkeypatch):
    import copy

    from evaltool.excel import entry
    from test_excel import Replay, book_from_file, cli_score

    monkeypatch.setattr(entry, "LOG_DIR", tmp_path / "log")
    book, _ = book_from_file(filled, monkeypatch)
    payload = copy.deepcopy(book.api)
    results, writes, _, _ = entry.plan(book)
    assert [p.kind for p, _ in results] == ["运行监控表"] and results[0][1].light == "红"
    assert entry.score(book=book) is not None
    got = Replay({"sheets": payload["sheets"]}, book.json()["actions"])
    want = cli_score(tmp_path, filled)
    values = [w for w in writes if not w.keep_value]
    assert {w.cell for w in values} >= {"G6", "H6", "I6", "K2", "K13", "K14", "K15", "K16", "K17"}
    for w in values:
        assert got.get(w.sheet, w.cell, "value") == want[w.sheet][w.cell].value, (w.sheet, w.cell)
    assert got.get("运行监控表", "G6", "value") == 0.4
    assert any("计分完成" in a for a in got.alerts)


@pytest.mark.parametrize("target, forecast, light", [
    ("≤300元", "320元", "黄"),     # a ≤ target gone over by 6.67%
    ("≤300元", "280元", "绿"),
    ("1000条", "1200条", "绿"),    # above a bare target: no risk of not reaching it
    ("=7个", "6个", "红"),         # 14.29% short
    ("≥95%", "0.96", "绿"),        # a fraction under a percent target is 96%
    ("达到预期目标", "部分达成", "黄"),
    ("2026年11月30日前", "按期完成", "绿"),
])
def test_forecast_against_target(tmp_path, target, forecast, light):
    text = CASE.replace("年度指标值: ≥95%, 实际完成值: 93%, 全年预计完成值: 96%, 完成可能性: 确定能",
                        f"年度指标值: \"{target}\", 实际完成值: 1, 全年预计完成值: \"{forecast}\", 完成可能性: 确定能")
    case = tmp_path / "m.yaml"
    case.write_text(text, "utf-8")
    got = json.loads(run("check", case, "--json").output)
    assert got["指标"][2]["预警"] == light, got["指标"][2]


def test_a_rule_set_adds_spellings_without_code(tmp_path):
    """A bureau's own column names: 年底预计数 for 全年预计完成值, 能否完成 for 完成可能性, 已支付数 for 执行数."""
    book = tmp_path / "本地.xlsx"
    handmade_moved(book)
    wb = openpyxl.load_workbook(book)
    ws = wb["监控"]
    ws["D10"], ws["G10"], ws["E6"] = "年底预计数", "能否完成", "1-6月已支付数"
    wb.save(book)
    res = run("check", book, "--json")
    assert "Traceback" not in res.output and '"类型": "运行监控表"' not in res.output  # unknown spellings
    rules = tmp_path / "本地.yaml"
    rules.write_text("继承: 国家标准\n编号: 本地\n运行监控:\n  标签:\n    指标列: {全年预计完成值: [年底预计数], "
                     "完成可能性: [能否完成]}\n    资金列: {执行数: 已支付数}\n", "utf-8")
    got = json.loads(run("check", book, "--json", "--rules", rules).output)
    assert got["执行进度"] == 0.5 and got["监控期间"] == "1-6月"
    assert {i["三级指标"]: i["预警"] for i in got["指标"]}["养护里程"] == "红"
    bad = tmp_path / "错.yaml"
    bad.write_text("继承: 国家标准\n编号: 错\n运行监控:\n  标签:\n    指标列: {预计数: [年底预计数]}\n", "utf-8")
    res = run("check", book, "--rules", bad)
    assert res.exit_code == 2 and "运行监控 → 标签 → 指标列 → 预计数”不是标准名称" in res.output


def test_committed_template_is_fresh(tmp_path):
    out = tmp_path / "模板.xlsx"
    assert run("template", "--kind", "运行监控表", "-o", out).exit_code == 0
    committed = Path(__file__).resolve().parents[1] / "workbook_templates" / "项目支出绩效运行监控表.xlsx"
    assert out.read_bytes() == committed.read_bytes(), "stale: run `evaltool template --kind 运行监控表`"
