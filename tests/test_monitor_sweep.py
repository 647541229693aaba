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
    assert res.exit_code == 0, res.output
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
    assert "项目名称未填写" in said and "公式" in said and "保存" in said
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
