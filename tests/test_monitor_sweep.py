"""运行监控表: the tester's SWEEP entries (S3, S9, S11, S13, S17, S18) on real .xlsx files.

Each workbook is made by `evaltool new --from` a case file (the template as clerks get it), then
changed with openpyxl as a clerk or a generator would, and run through the commands clerks run.
"""
from __future__ import annotations

import json
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from evaltool.cli import main
from tests.test_monitor import CASE

SHEET = "运行监控表"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def book(tmp_path) -> Path:
    case = tmp_path / "监控.yaml"
    # The sweep's project: a name ending in 项目, whose title once broke as "…养护项 / 目绩效…".
    case.write_text(CASE.replace("项目名称: 农村饮水安全巩固提升工程", "项目名称: 2026年农村道路养护项目")
                    .replace("实施单位: 县农村供水服务中心", "实施单位: 某县公路养护中心"), "utf-8")
    out = tmp_path / "监控表.xlsx"
    res = run("new", out, "--from", case)
    assert res.exit_code in (0, 1), res.output  # 1: the form has errors (new exits as check)
    return out


def cell_of(path: Path, label: str) -> str:
    """The coordinate right of a label (found by text, not fixed address)."""
    ws = openpyxl.load_workbook(path)[SHEET]
    for row in ws.iter_rows():
        for c in row:
            if c.value == label:
                return ws.cell(c.row, c.column + 1).coordinate
    raise AssertionError(label)


def row_of(path: Path, level3: str) -> int:
    ws = openpyxl.load_workbook(path)[SHEET]
    return next(c.row for row in ws.iter_rows() for c in row if c.value == level3)


def edit(path: Path, **cells) -> None:
    wb = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        wb[SHEET][ref] = value
    wb.save(path)


def check_json(path: Path) -> tuple[int, dict]:
    res = run("check", path, "--json")
    assert res.exit_code in (0, 1), res.output
    data = json.loads(res.output)
    return res.exit_code, (data[0] if isinstance(data, list) else data)


def marks(data: dict) -> list[tuple[str, str, str]]:
    return [(f["代码"], f["单元格"] or f["位置"], f["说明"]) for f in data["标记"]]


# ---- S3: the title keeps words whole; the file is named after what it is -------------------------
def test_title_breaks_between_words_and_file_name_says_what_it_is(book):
    res = run("report", book)
    assert res.exit_code == 1, res.output  # the case has two errors (as in test_monitor)
    out = book.with_name("监控表-绩效运行监控情况说明.docx")
    assert out.exists() and not book.with_name("监控表-绩效评价报告.docx").exists()
    title = docx.Document(str(out)).paragraphs[0].text
    assert title.split("\n") == ["某县公路养护中心", "2026年农村道路养护项目", "绩效运行监控情况说明"]
    assert "按规则重新计算" not in res.output  # nothing is scored in a 监控表


@pytest.mark.parametrize("title, lines", [
    ("某县公路养护中心\u20282026年农村道路养护项目绩效运行监控情况说明",
     ["某县公路养护中心", "2026年农村道路养护项目", "绩效运行监控情况说明"]),
    ("某县公路养护中心\u20282026年度农村公路日常养护绩效运行监控情况说明",
     ["某县公路养护中心", "2026年度农村公路日常养护", "绩效运行监控情况说明"]),
    ("某县交通运输局\u20282026年度农村公路日常养护提升项目绩效目标审核意见",
     ["某县交通运输局", "2026年度农村公路日常养护", "提升项目绩效目标审核意见"]),
])
def test_every_kinds_title_tail_stays_whole(title, lines):
    from evaltool.report.docx_writer import title_lines

    got = title_lines(title)
    assert got == lines
    assert all(not (a.endswith("项") and b.startswith("目")) for a, b in zip(got, got[1:]))


# ---- S9: the statement evaltool wrote passes check-report; a changed figure is named ------------
def test_generated_statement_passes_check_report_and_each_rate_is_its_own(book, tmp_path):
    out = tmp_path / "说明.docx"
    run("report", book, "-o", out)
    res = run("check-report", out, book)
    assert res.exit_code == 0 and "校验通过" in res.output, res.output
    doc = docx.Document(str(out))
    changed = 0
    for p in doc.paragraphs:
        for r in p.runs:
            if "全年预计执行率96.67%" in r.text:  # 580 / 600
                r.text = r.text.replace("全年预计执行率96.67%", "全年预计执行率90.00%")
                changed += 1
    assert changed == 1
    bad = tmp_path / "改过.docx"
    doc.save(str(bad))
    res = run("check-report", bad, book)
    assert res.exit_code == 1, res.output
    text = " ".join(res.output.split())
    assert "90.00% 与运行监控表的全年预计执行率" in text and "96.67%" in text
    assert "40%" not in text.replace("40.00%", "")  # the 执行进度 is not what it is compared with
    assert "项目资金.年度资金总额" not in text and "改正报告或运行监控表" in text


# ---- S17: money as the form shows it -------------------------------------------------------------
def test_money_in_messages_has_two_decimals(book):
    edit(book, **{cell_of(book, "年度资金总额").replace("C", "E"): 365.7142857142857})
    _, data = check_json(book)
    said = " ".join(m[2] for m in marks(data) if m[0] in ("W-MON-FUND-SUM", "W-MON-PROGRESS", "W-MON-EXEC-OVER"))
    assert "365.71" in said and "365.714" not in said, said


# ---- S13: formulas without saved values, required header fields ----------------------------------
def test_formulas_without_saved_values_are_findings_on_their_cells(book):
    name_cell, goal_cell = cell_of(book, "项目名称"), cell_of(book, "全年预期目标")
    r = row_of(book, "改造水厂数量")  # 红灯: its 偏差原因说明 is required
    ws = openpyxl.load_workbook(book)[SHEET]
    reason_col = next(c.column_letter for c in ws[row_of(book, "三级指标")] if c.value == "偏差原因说明")
    reason_cell = f"{reason_col}{r}"
    # openpyxl writes formulas without a cached value, as any generator does
    edit(book, **{name_cell: '=CONCAT("农村","项目")', goal_cell: "=A1", reason_cell: '=UPPER("x")'})
    code, data = check_json(book)
    assert code == 1
    got = {(c, where.split("!")[-1]) for c, where, _ in marks(data)}
    assert ("E-REQUIRED", name_cell) in got and ("E-MON-REASON", reason_cell) in got and ("W-GOAL", goal_cell) in got
    said = next(m[2] for m in marks(data) if m[0] == "E-REQUIRED" and m[1].endswith(name_cell))
    assert "项目名称是公式，但文件中没有保存它的计算结果" in said and "未填写。" not in said
    # publish refuses the same file: the verdicts agree
    pub = run("publish", book, "-o", book.parent / "pub", "--no-pdf")
    assert pub.exit_code != 0 or "未公开" in pub.output, pub.output


def test_header_fields_are_required(book):
    edit(book, **{cell_of(book, "主管部门"): None, cell_of(book, "实施单位"): None})
    code, data = check_json(book)
    got = {(c, m.split("!")[-1]) for c, m, _ in marks(data)}
    assert code == 1
    assert ("E-REQUIRED", cell_of(book, "主管部门")) in got and ("E-REQUIRED", cell_of(book, "实施单位")) in got


def test_goal_progress_text_of_the_template_is_read(book, tmp_path):
    from evaltool.workbook.service import load

    project = load(str(book))[0]
    assert project.extra["监控目标"]["目标实际完成情况"] == "已建管网60公里，改造水厂2座。"


# ---- S11: duplicate names are flagged; carrying refuses to guess ----------------------------------
def test_duplicate_indicator_names_flagged_and_not_carried(book, tmp_path):
    green, red = row_of(book, "新建供水管网长度"), row_of(book, "改造水厂数量")
    ws = openpyxl.load_workbook(book)[SHEET]
    name_col = next(c.column_letter for c in ws[row_of(book, "三级指标")] if c.value == "三级指标")
    edit(book, **{f"{name_col}{red}": "新建供水管网长度"})
    _, data = check_json(book)
    dup = [m for m in marks(data) if m[0] == "W-MON-DUP-NAME"]
    assert len(dup) == 1 and dup[0][1].endswith(f"{name_col}{red}")
    assert f"{name_col}{green}" in dup[0][2] and f"{name_col}{red}" in dup[0][2]
    out = tmp_path / "自评表.xlsx"
    res = run("new", out, "--monitor", book)
    assert res.exit_code in (0, 1), res.output
    assert "名称重复" in res.output and "“新建供水管网长度”" in res.output
    se = openpyxl.load_workbook(out).active
    texts = [c.value for row in se.iter_rows() for c in row if isinstance(c.value, str) and "配套资金到位晚" in c.value]
    assert texts == []  # the red row's reason is not put on a row the clerk cannot tell apart


def test_distinct_names_are_still_carried(book, tmp_path):
    out = tmp_path / "自评表.xlsx"
    res = run("new", out, "--monitor", book)
    assert "名称重复" not in res.output and "“改造水厂数量”" in res.output, res.output


def test_rates_are_numbers_on_the_template_and_replacing_a_typed_value_is_said(book):
    ws = openpyxl.load_workbook(book)[SHEET]
    row = row_of(book, "年度资金总额")
    heads = {c.value: c.column_letter for c in ws[row_of(book, "年初预算数")] if c.value}
    progress, light = f"{heads['执行进度']}{row}", f"{heads['预警']}{row}"
    assert ws[progress].value == 0.4 and ws[progress].number_format == "0.00%"  # 240 / 600, shown 40.00%
    edit(book, **{progress: 0.45, light: "绿"})
    res = run("score", book)
    text = " ".join(res.output.split())
    assert f"{progress} 本单元格原为“45%”，evaltool 已按本次计算改为“40.00%”" in text, text
    assert f"{light} 本单元格原为“绿”，evaltool 已按本次计算改为“红”" in text
    after = openpyxl.load_workbook(book)[SHEET]
    assert after[progress].value == 0.4 and after[light].value == "红"
    assert "原为" not in run("score", book).output  # nothing changed since: nothing to say


def test_percent_cells_are_quoted_as_percentages(book):
    ws = openpyxl.load_workbook(book)[SHEET]
    r = row_of(book, "水质达标率")
    col = next(c.column_letter for c in ws[row_of(book, "三级指标")] if c.value == "全年预计完成值")
    wb = openpyxl.load_workbook(book)
    wb[SHEET][f"{col}{r}"] = 0.8
    wb[SHEET][f"{col}{r}"].number_format = "0%"
    wb.save(book)
    _, data = check_json(book)
    said = " ".join(m[2] for m in marks(data) if m[0] in ("W-MON-BEHIND", "W-MON-LIKELY"))
    assert "全年预计完成值“80%”" in said and "“0.8”" not in said, said


# ---- S28: 监控期间 as a date, an end date in words, Chinese numerals, a bare span ----------------
@pytest.mark.parametrize("typed", [
    "datetime", "截至2026年7月31日", "2026年7月31日止", "一至七月", "1-7", "截至7月底", "2026/7/31"])
def test_period_as_typed_in_many_ways(book, typed):
    import datetime

    wb = openpyxl.load_workbook(book)
    ws = wb[SHEET]
    ws[cell_of(book, "监控期间")] = datetime.datetime(2026, 7, 31) if typed == "datetime" else typed
    for row in ws.iter_rows():  # headers without a period: the field alone names it
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("1-7月"):
                c.value = c.value[4:]
    wb.save(book)
    _, data = check_json(book)
    codes = [m[0] for m in marks(data)]
    assert "E-MON-PERIOD" not in codes, marks(data)
    assert data["监控期间"] == "1-7月"
    assert "00:00:00" not in json.dumps(data, ensure_ascii=False)


def test_unreadable_period_still_refused(book):
    edit(book, **{cell_of(book, "监控期间"): "上半年以来"})
    _, data = check_json(book)
    assert any(m[0] == "E-MON-PERIOD" and "上半年以来" in m[2] for m in marks(data))


# ---- S27: --targets on a 监控表 is said, not silently ignored -----------------------------------
def test_targets_option_on_a_monitor_table_is_refused_in_chinese(book, tmp_path):
    targets = tmp_path / "目标表.xlsx"
    assert run("new", "--kind", "绩效目标表", targets).exit_code == 0
    res = run("check", book, "--targets", targets)
    assert res.exit_code == 2 and "--targets 只用于" in res.output and "运行监控表" in res.output, res.output
    assert "Traceback" not in res.output


# ---- S18: the JSON keys every kind shares ----------------------------------------------------------
def test_json_has_the_common_keys(book, tmp_path):
    _, data = check_json(book)
    assert {"类型", "项目名称", "主管部门", "实施单位", "年度", "工作表", "规则", "错误数", "警告数", "标记"} <= set(data)
    assert "规则集" not in data and data["规则"] == "国家标准"
    assert data["年度"] == 2026 and data["主管部门"] == "县水利局"
    assert data["错误数"] == sum(m["级别"] == "错误" for m in data["标记"]) == 2  # as in test_monitor
    assert data["警告数"] == sum(m["级别"] == "警告" for m in data["标记"]) > 0


# ---- S27: the published √ layout is asked to tick, not to use a drop-down --------------------------
def test_ticked_layout_messages_ask_for_a_tick(tmp_path):
    from tests.test_monitor import handmade_published

    path = tmp_path / "原式样.xlsx"
    handmade_published(path)
    wb = openpyxl.load_workbook(path)
    wb.active["L12"] = None  # 培训合格率: its 确定能 tick removed
    wb.save(path)
    _, data = check_json(path)
    said = {m[0]: m[2] for m in marks(data) if m[0] in ("E-REQUIRED", "E-MON-REASON")}
    assert "勾选" in said["E-REQUIRED"] and "下拉列表" not in said["E-REQUIRED"], said
    assert "勾选" in said["E-MON-REASON"] and "下拉列表" not in said["E-MON-REASON"]


def test_template_messages_name_the_drop_down(book):
    r = row_of(book, "水质达标率")
    ws = openpyxl.load_workbook(book)[SHEET]
    col = next(c.column_letter for c in ws[row_of(book, "三级指标")] if c.value == "完成可能性")
    edit(book, **{f"{col}{r}": None})
    _, data = check_json(book)
    assert any(m[0] == "E-REQUIRED" and "下拉列表" in m[2] for m in marks(data))


# ---- S27: a carried text longer than a cell is said ------------------------------------------------
def test_carried_text_longer_than_a_cell_is_said(book, tmp_path):
    r = row_of(book, "改造水厂数量")
    ws = openpyxl.load_workbook(book)[SHEET]
    heads = {c.value: c.column_letter for c in ws[row_of(book, "三级指标")] if c.value}
    edit(book, **{f"{heads['偏差原因说明']}{r}": "原" * 20000, f"{heads['纠偏措施']}{r}": "措" * 20000})
    out = tmp_path / "自评表.xlsx"
    res = run("new", out, "--monitor", book)
    text = " ".join(res.output.split())
    assert "超过一个单元格能容纳的 32767 字" in text and "“改造水厂数量”" in text, text
    se = openpyxl.load_workbook(out).active
    carried = [c.value for row in se.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("（1-7月运行监控）")
               and "原原" in c.value]
    assert len(carried) == 1 and len(carried[0]) == 32767 and carried[0].endswith("…")


# ---- S24 (monitor note): the report's row bound counts the 监控表's rows too ----------------------
def test_report_refuses_more_rows_than_the_bound_naming_the_kind(book, tmp_path, monkeypatch):
    monkeypatch.setenv("EVALTOOL_LIMIT_INDICATORS", "3")  # the case has 5 indicator rows
    res = run("report", book, "-o", tmp_path / "r.docx")
    assert res.exit_code == 2 and "运行监控表有 5 行绩效指标" in res.output, res.output
    assert not (tmp_path / "r.docx").exists()
    monkeypatch.setenv("EVALTOOL_LIMIT_INDICATORS", "5")
    assert run("report", book, "-o", tmp_path / "r.docx").exit_code == 1  # its 2 errors; written
    assert (tmp_path / "r.docx").exists()


# ---- S29 (monitor part): 年度 read as the other kinds read it ------------------------------------
@pytest.mark.parametrize("typed, year, refused", [("2026年度", 2026, False), ("2026年", 2026, False),
                                                  ("26", "26", True), ("二〇二六年", "二〇二六年", True)])
def test_year_normalised_or_refused(book, typed, year, refused):
    edit(book, **{cell_of(book, "年度"): typed})
    _, data = check_json(book)
    assert data["年度"] == year
    assert any(m[0] == "E-YEAR" and "四位年份" in m[2] for m in marks(data)) is refused


def test_check_says_a_typed_grey_cell_will_be_replaced_not_that_it_was(book):
    """SWEEP S46: check and collect change nothing, so their notice is "计分时将改为"."""
    ws = openpyxl.load_workbook(book)[SHEET]
    row = row_of(book, "年度资金总额")
    heads = {c.value: c.column_letter for c in ws[row_of(book, "年初预算数")] if c.value}
    progress = f"{heads['执行进度']}{row}"
    edit(book, **{progress: 0.45})
    text = " ".join(run("check", book).output.split())
    assert f"{progress} 本单元格原为“45%”，evaltool 计分时将改为“40.00%”" in text, text
    assert openpyxl.load_workbook(book)[SHEET][progress].value == 0.45
