"""SWEEP findings on the 绩效目标表 (S1, S2, S5, S6, S8, S11, S14, report wording), on real .xlsx
files written by openpyxl and read back through the commands a clerk runs."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from test_targets import check_json, codes, filled, run

SHEET = "绩效目标表"


def _row_of(ws, name: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 4).value == name)


def _with_time_target(tmp_path: Path, direction, value, unit=None, name="t.xlsx") -> Path:
    src = filled(tmp_path, name="src-" + name)
    wb = openpyxl.load_workbook(src)
    ws = wb[SHEET]
    r = _row_of(ws, "完成时间")
    ws.cell(r, 5).value, ws.cell(r, 6).value, ws.cell(r, 7).value = direction, value, unit
    path = tmp_path / name
    wb.save(path)
    return path


def _time_row(result: dict) -> dict:
    return next(x for x in result["指标"] if x["三级指标"] == "完成时间")


# ---- S1: a date is a deadline ------------------------------------------------------------------
@pytest.mark.parametrize("direction, value", [
    ("≤", dt.datetime(2025, 11, 30)),  # a real Excel date
    ("≤", "2025-11-30"),
    ("≤", "2025年11月30日前"),
    (None, "2025年11月30日前"),
    (None, dt.datetime(2025, 11, 30)),
])
def test_a_date_target_is_a_quantified_deadline_never_shown_with_a_time(tmp_path, direction, value):
    path = _with_time_target(tmp_path, direction, value)
    res = run("check", path)
    assert "00:00:00" not in res.output
    result = check_json(path)
    row = _time_row(result)
    assert row["指标值"] == "2025年11月30日前" and row["类别"] == "时效", row
    assert not [c for c, cell in codes(result) if c.startswith("E-")], codes(result)
    # and the 自评表 generated from it reads the same deadline (one parser for both forms)
    out = tmp_path / "自评.xlsx"
    assert run("new", out, "--from-targets", path).exit_code == 0
    se = check_json(out)
    assert not [f for f in se["标记"] if f["代码"] == "E-PARSE" and "完成时间" in f["说明"]], se["标记"]


def test_a_date_under_greater_or_equal_is_flagged_on_the_direction_cell(tmp_path):
    path = _with_time_target(tmp_path, "≥", dt.datetime(2025, 11, 30))
    result = check_json(path)
    found = [f for f in result["标记"] if f["代码"] == "E-TG-DIRECTION"]
    assert found and found[0]["单元格"].startswith("E") and "≤" in found[0]["说明"], result["标记"]
    assert "00:00:00" not in found[0]["说明"]


# ---- S2: what the 目标表 passes, the 自评表 reads -------------------------------------------------
def test_a_month_in_a_time_target_is_a_deadline_the_selfeval_scores(tmp_path):
    """"≤" "11" "月" in a 时效指标 is the month-end deadline 11月底前: the 自评表 reads "11月" as a
    month of the year, so only as a deadline can the generated 自评表 compare a completion date."""
    path = _with_time_target(tmp_path, "≤", 11, "月")
    result = check_json(path)
    assert _time_row(result)["指标值"] == "11月底前" and _time_row(result)["类别"] == "时效"
    assert not [f for f in result["标记"] if "完成时间" in f["说明"]], result["标记"]
    se = tmp_path / "自评.xlsx"
    assert run("new", se, "--from-targets", path).exit_code == 0
    wb = openpyxl.load_workbook(se)
    ws = wb.active
    r = next(c.row for row in ws.iter_rows() for c in row if c.value == "完成时间")
    target_col = next(c.column for c in ws[r] if c.value == "11月底前")
    ws.cell(r, target_col + 1).value = "2025年11月20日"  # 实际完成值, right of 年度指标值
    wb.save(se)
    rows = {x["三级指标"]: x for x in check_json(se)["指标"]}
    assert rows["完成时间"]["得分"] is not None and rows["完成时间"]["得分"] == rows["完成时间"]["分值"], rows["完成时间"]


def test_a_combined_target_the_selfeval_cannot_read_is_refused_by_the_targets_check(tmp_path):
    """The columns 性质/值/单位 read apart, but the 自评表 gets them as one value: the 目标表 is
    checked with the 自评表's parser, so no 目标表 that passes yields a 自评表 that cannot be scored."""
    from evaltool.core import values

    src = filled(tmp_path, name="src.xlsx")
    wb = openpyxl.load_workbook(src)
    ws = wb[SHEET]
    r = _row_of(ws, "长效机制建立")
    ws.cell(r, 4).value, ws.cell(r, 5).value, ws.cell(r, 6).value, ws.cell(r, 7).value = "使用年限", "≥", 10, "年"
    path = tmp_path / "t.xlsx"
    wb.save(path)
    result = check_json(path)
    row = next(x for x in result["指标"] if x["三级指标"] == "使用年限")
    flagged = [f for f in result["标记"] if f["代码"] == "E-TG-VAGUE" and "使用年限" in f["说明"]]
    assert (values.parse(row["指标值"], 2025).kind == "number") == (not flagged), (row, result["标记"])


# ---- S5 / S6: collect ----------------------------------------------------------------------------
def _selfeval_of(tmp_path: Path, targets: Path) -> Path:
    out = tmp_path / "inbox" / "自评表.xlsx"
    assert run("new", out, "--from-targets", targets).exit_code == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    for row in ws.iter_rows():  # 全年预算数 120, 全年执行数 100 on the 年度资金总额 row
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("年度资金总额"):
                ws.cell(cell.row, 5).value = 120
                ws.cell(cell.row, 6).value = 100
    wb.save(out)
    return out


def test_collect_keeps_the_targets_budget_out_of_the_totals_and_is_no_duplicate(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    targets = filled(tmp_path, name="inbox/目标表.xlsx")
    _selfeval_of(tmp_path, targets)
    out = tmp_path / "汇总.xlsx"
    res = run("collect", inbox, "-o", out)
    assert res.exit_code in (0, 1), res.output
    wb = openpyxl.load_workbook(out)
    listed = [r for r in wb["汇总"].iter_rows(min_row=2, values_only=True)]
    assert len(listed) == 2  # both forms listed
    dept = {r[0]: r for r in wb["主管部门汇总"].iter_rows(min_row=2, values_only=True)}
    head = [c.value for c in wb["主管部门汇总"][1]]
    total = dict(zip(head, dept["合计"]))
    assert total["项目数"] == 1, total  # the 自评表 only: the 目标表's 120 is not added to its 120
    assert total["预算数合计（万元）"] == 120, total
    chart = [r for r in wb["图表"].iter_rows(values_only=True)]
    assert ("未计算", 1) not in chart, chart  # a 目标表 has no 执行率: not an uncomputed one
    dups = [r for r in wb["问题清单"].iter_rows(values_only=True) if r[5] == "W-DUPLICATE"]
    assert dups == [], dups


def test_collect_still_flags_the_same_kind_sent_twice(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    filled(tmp_path, name="inbox/目标表.xlsx")
    filled(tmp_path, name="inbox/目标表2.xlsx")
    out = tmp_path / "汇总.xlsx"
    run("collect", inbox, "-o", out)
    wb = openpyxl.load_workbook(out)
    dups = [r for r in wb["问题清单"].iter_rows(values_only=True) if r[5] == "W-DUPLICATE"]
    assert len(dups) == 1, dups


# ---- S8: the title's year ------------------------------------------------------------------------
def test_score_fills_the_title_year_placeholder(tmp_path):
    # the blank template as a clerk fills it: 年度 typed in its row, the title's placeholder left
    blank = tmp_path / "blank.xlsx"
    assert run("new", "--kind", "绩效目标表", blank).exit_code == 0
    ws = openpyxl.load_workbook(blank)[SHEET]
    title_cell = next(c for row in ws.iter_rows(max_row=4) for c in row if c.value == "（    年度）")
    path = filled(tmp_path)  # the same template filled
    wb = openpyxl.load_workbook(path)
    wb[SHEET][title_cell.coordinate].value = "（    年度）"
    wb.save(path)
    assert run("check", path).exit_code in (0, 1)  # check marks only, writes no value
    assert openpyxl.load_workbook(path)[SHEET][title_cell.coordinate].value == "（    年度）"
    assert run("score", path).exit_code in (0, 1)
    ws = openpyxl.load_workbook(path)[SHEET]
    assert ws[title_cell.coordinate].value == "（2025年度）"
    assert "设置" not in str([c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)
                              and c.value.startswith("注")])


# ---- S11: duplicate names --------------------------------------------------------------------------
def test_a_repeated_indicator_name_is_a_warning_naming_both_cells(tmp_path):
    path = filled(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    first, second = _row_of(ws, "培训人次"), _row_of(ws, "宣传资料发放")
    ws.cell(second, 4).value = "培训人次"
    wb.save(path)
    found = [f for f in check_json(path)["标记"] if f["代码"] == "W-TG-DUP-NAME"]
    assert len(found) == 1 and found[0]["单元格"] == f"D{second}" and f"D{first}" in found[0]["说明"], found


# ---- S14: a 目标表 whose header was merged over ----------------------------------------------------
@pytest.mark.parametrize("damage", ["merge", "clear"])
def test_a_targets_form_without_its_header_is_told_in_targets_words(tmp_path, damage):
    path = filled(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    hr = next(r for r in range(1, 30) if ws.cell(r, 4).value == "三级指标")
    if damage == "merge":
        ws.merge_cells(start_row=hr, start_column=2, end_row=hr, end_column=4)
    else:
        for c in range(2, 10):
            ws.cell(hr, c).value = None
    wb.save(path)
    res = run("check", path, "--json")
    assert res.exit_code == 1, res.output
    result = json.loads(res.stdout)
    assert result["类型"] == "绩效目标表"
    found = [f for f in result["标记"] if f["代码"] == "E-TG-NO-HEADER"]
    assert found and "三级指标" in found[0]["说明"] and "实际完成值" not in found[0]["说明"], result["标记"]
    assert "不是项目支出绩效自评表" not in res.output


# ---- report names the form by its kind's title -----------------------------------------------------
def test_report_names_the_targets_form_in_its_warning(tmp_path):
    path = _with_time_target(tmp_path, None, "尽快完成")
    res = run("report", path, "-o", tmp_path / "r.docx")
    assert res.exit_code == 1, res.output
    assert "项目支出绩效目标表有" in res.output and "自评表有" not in res.output, res.output


# ---- S19: the rule file's 绩效目标表 section is validated ---------------------------------------------
@pytest.mark.parametrize("section, words", [
    ("{权重合计: -5}", "权重合计"),
    ("{必备一级指标: 产出指标}", "应为列表"),
    ("{未量化词: 显著}", "应为列表"),
])
def test_a_bad_targets_section_of_a_rule_file_is_refused_naming_the_key(tmp_path, section, words):
    path = filled(tmp_path)
    rules = tmp_path / "r.yaml"
    rules.write_text(f"编号: 坏目标\n继承: 国家标准\n绩效目标表: {section}\n", "utf-8")
    res = run("check", path, "--rules", rules)
    assert res.exit_code == 2, res.output
    assert words in res.output and "r.yaml" in res.output and "“产”" not in res.output, res.output


# ---- S23: a percentage typed in Excel ---------------------------------------------------------------
def test_a_percent_formatted_target_reads_as_the_percentage_the_clerk_sees(tmp_path):
    path = filled(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    r = _row_of(ws, "培训合格率")  # typed 95% in Excel: the cell holds 0.95 shown as 95%, unit %
    ws.cell(r, 6).value, ws.cell(r, 6).number_format = 0.95, "0%"
    r2 = _row_of(ws, "参训人员满意度")  # 90% typed, no unit
    ws.cell(r2, 6).value, ws.cell(r2, 6).number_format, ws.cell(r2, 7).value = 0.9, "0%", None
    wb.save(path)
    result = check_json(path)
    shown = {x["三级指标"]: x["指标值"] for x in result["指标"]}
    assert shown["培训合格率"] == "≥95%" and shown["参训人员满意度"] == "≥90%", shown
    assert not [f for f in result["标记"] if f["代码"] == "W-TG-UNIT"], result["标记"]
    out = tmp_path / "自评.xlsx"
    assert run("new", out, "--from-targets", path).exit_code == 0
    carried = [c.value for row in openpyxl.load_workbook(out).active.iter_rows() for c in row]
    assert "≥95%" in carried and "≥90%" in carried and "≥0.95%" not in carried, carried


def test_the_comparison_says_when_a_filed_name_matches_several_selfeval_rows(tmp_path):
    targets = filled(tmp_path)
    se = tmp_path / "自评.xlsx"
    assert run("new", se, "--from-targets", targets).exit_code == 0
    wb = openpyxl.load_workbook(se)
    ws = wb.active
    rows = [c.row for row in ws.iter_rows() for c in row if c.value in ("培训人次", "宣传资料发放")]
    col = next(c.column for c in ws[rows[0]] if c.value == "培训人次")
    ws.cell(rows[1], col).value = "培训人次"
    wb.save(se)
    res = run("check", se, "--targets", targets, "--json")
    result = json.loads(res.stdout)
    found = [f for f in result["标记"] if f["代码"] == "W-TG-DUP-NAME"]
    assert found and "2 行" in found[0]["说明"], result["标记"]


# ---- S3 (目标表 part): the report is named as the kind calls it -------------------------------------
def test_the_targets_report_is_named_and_titled_as_an_audit_opinion(tmp_path):
    import docx

    from evaltool.report.docx_writer import title_lines

    path = filled(tmp_path, name="tg.xlsx")
    res = run("report", path)
    assert res.exit_code == 0, res.output
    out = tmp_path / "tg-绩效目标审核意见.docx"
    assert out.exists() and not (tmp_path / "tg-绩效评价报告.docx").exists()
    assert "绩效目标审核意见" in docx.Document(out).paragraphs[0].text
    # a long title breaks before the report's name, never inside the project's name
    lines = title_lines("某县公路养护中心\u20282026年农村道路养护工程项目绩效目标审核意见", per_line=16)
    assert lines[-1] == "绩效目标审核意见", lines


# ---- S29: 年度 read as the other kinds read it ---------------------------------------------------
@pytest.mark.parametrize("typed, year, refused", [
    ("2025年", 2025, False), ("2025年度", 2025, False), (2025.0, 2025, False), ("26", "26", True),
    ("二〇二五年", "二〇二五年", True),
])
def test_the_year_is_normalised_or_refused(tmp_path, typed, year, refused):
    path = filled(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    cell = next(c for row in ws.iter_rows(max_row=8) for c in row if c.value == "年度")
    ws.cell(cell.row, cell.column + 2).value = typed  # the value right of the label (merged C:I)
    wb.save(path)
    result = check_json(path)
    assert result["年度"] == year, result["年度"]
    assert bool([f for f in result["标记"] if f["代码"] == "E-YEAR"]) == refused, result["标记"]


# ---- S27: one 目标表 of another project name ------------------------------------------------------
def test_comparing_with_the_one_targets_form_of_another_name_warns(tmp_path):
    targets = filled(tmp_path)
    se = tmp_path / "自评.xlsx"
    assert run("new", se, "--from-targets", targets).exit_code == 0
    wb = openpyxl.load_workbook(targets)
    ws = wb[SHEET]
    cell = next(c for row in ws.iter_rows(max_row=8) for c in row if c.value == "项目名称")
    ws.cell(cell.row, cell.column + 2).value = "另一个培训项目"
    wb.save(targets)
    res = run("check", se, "--targets", targets, "--json")
    found = [f for f in json.loads(res.stdout)["标记"] if f["代码"] == "W-TG-UNMATCHED"]
    assert found and "另一个培训项目" in found[0]["说明"], res.stdout
