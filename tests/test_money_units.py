"""A money table whose header states 元 (or 千元, 亿元) instead of 万元 (SWEEP S30): label matching drops the
“（元）” note as it drops “（万元）”, so 2000000 元 used to be read as 2000000 万元 (“全年预算数2000000万元” in the
report, 元 added to 万元 in collect). Now the amounts are read in the stated unit and scored in 万元, with one
I-MONEY-UNIT naming the header cell, in every kind that has money; what the clerk typed is not changed.
Real .xlsx files (forms.national, `evaltool new --from` for the other kinds), through the CLI."""
from __future__ import annotations

from decimal import Decimal
import shutil
import sys
from pathlib import Path

import docx
import openpyxl

sys.path.insert(0, str(Path(__file__).parent / "layouts"))
import forms  # noqa: E402
import targetsforms
from test_dept import CASE as DEPT_CASE
from test_monitor import CASE as MONITOR_CASE

from test_column_choice_kinds import check, marks, run  # noqa: E402 - the CLI helpers both files use


def cell_of(ws, text: str):
    return next(c for row in ws.iter_rows() for c in row if c.value == text)


def times(ws, cells, factor) -> None:
    for ref in cells:
        if isinstance(ws[ref].value, (int, float)) and not isinstance(ws[ref].value, bool):
            ws[ref].value = ws[ref].value * factor


def selfeval_form(path: Path, cells: dict, factor=10000) -> Path:
    """forms.national (200 / 200 / 180 万元 -> 90.00%, total 95.20) with its amounts D6:F9 × factor."""
    forms.national(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["自评表"]
    times(ws, [f"{c}{r}" for c in "DEF" for r in range(6, 10)], factor)
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(path)
    return path


def test_selfeval_block_headed_yuan_is_read_in_yuan(tmp_path):
    book = selfeval_form(tmp_path / "元.xlsx", {"A5": "项目资金（元）"})
    data = check(book)
    assert data["执行率"] == 0.9 and data["总分"] == 95.2
    (note,) = marks(data, "I-MONEY-UNIT")
    assert note["单元格"] == "A5" and "元" in note["说明"] and "万元" in note["说明"]
    assert openpyxl.load_workbook(book)["自评表"]["E6"].value == 2000000  # nothing typed is changed
    out = tmp_path / "r.docx"
    assert run("report", book, "-o", out).exit_code == 0
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "全年预算数200万元" in text and "2000000万元" not in text


def test_selfeval_column_headers_in_yuan_and_a_cell_with_its_own_unit(tmp_path):
    book = selfeval_form(tmp_path / "列.xlsx", {"E5": "全年预算数（元）", "F5": "全年执行数（元）", "D5": "年初预算数（元）",
                                                "E6": "200万元"})  # its own unit wins over the header's
    data = check(book)
    assert data["执行率"] == 0.9 and data["总分"] == 95.2
    (note,) = marks(data, "I-MONEY-UNIT")[:1]
    assert note["单元格"] in ("D5", "E5") and "“全年预算数（元）”" in note["说明"]


def test_selfeval_thousand_yuan_and_a_unit_line(tmp_path):
    book = selfeval_form(tmp_path / "千元.xlsx", {"A5": "项目资金", "J4": "金额单位：千元"}, factor=10)
    data = check(book)
    assert data["执行率"] == 0.9 and data["总分"] == 95.2
    assert [m["单元格"] for m in marks(data, "I-MONEY-UNIT")] == ["J4"]


def test_collect_adds_yuan_forms_in_wanyuan(tmp_path):
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    forms.national(inbox / "万元.xlsx")
    selfeval_form(inbox / "元.xlsx", {"A5": "项目资金（元）", "C3": "另一个项目"})
    out = tmp_path / "汇总.xlsx"
    res = run("collect", inbox, "-o", out)
    assert res.exit_code in (0, 1), res.output
    ws = openpyxl.load_workbook(out).worksheets[0]
    head = [c.value for c in ws[1]]
    col = next(i for i, h in enumerate(head) if h and str(h).startswith("预算数"))
    assert sorted(row[col] for row in ws.iter_rows(min_row=2, values_only=True) if row[col] is not None) == [200, 200]


def test_dept_budget_tasks_and_project_list_in_yuan(tmp_path):
    src = tmp_path / "部门.yaml"
    src.write_text(DEPT_CASE, "utf-8")
    book = tmp_path / "部门.xlsx"
    assert run("new", book, "--from", src).exit_code in (0, 1)  # 1: the form has errors (new exits as check)
    before = check(book)
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[0]
    for header, new in (("年度预算（万元）", "年度预算（元）"), ("预算数（万元）", "预算数（元）"), ("执行数（万元）", "执行数（元）"),
                        ("全年预算数（万元）", "全年预算数（元）"), ("全年执行数（万元）", "全年执行数（元）")):
        cell = cell_of(ws, header)
        cell.value = new
        if header == "年度预算（万元）":
            heads = [c for c in ws[cell.row] if isinstance(c.value, str) and ("预算数" in c.value or "执行数" in c.value)]
            times(ws, [f"{h.column_letter}{r}" for h in heads for r in range(cell.row + 1, cell.row + 4)], 10000)
        else:
            times(ws, [f"{cell.column_letter}{r}" for r in range(cell.row + 1, cell.row + 3)], 10000)
    wb.save(book)
    after = check(book)
    assert after["总分"] == before["总分"] and after["执行率"] == before["执行率"]
    assert len(marks(after, "I-MONEY-UNIT")) == 3  # one per table, naming its header cells
    res = run("check", book)
    assert "12500000" not in res.output and "1250.00" in res.output


def test_monitor_funds_in_yuan(tmp_path):
    src = tmp_path / "监控.yaml"
    src.write_text(MONITOR_CASE, "utf-8")
    book = tmp_path / "监控.xlsx"
    assert run("new", book, "--from", src).exit_code in (0, 1)  # 1: the form has errors (new exits as check)
    plain = run("check", book).output
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[0]
    block = cell_of(ws, "项目资金（万元）")
    block.value = "项目资金（元）"
    heads = [c for c in ws[block.row] if isinstance(c.value, str) and c.value.endswith(("预算数", "执行数"))]
    times(ws, [f"{h.column_letter}{r}" for h in heads for r in range(block.row + 1, block.row + 4)], 10000)
    wb.save(book)
    data = check(book)
    (note,) = marks(data, "I-MONEY-UNIT")
    assert note["单元格"] == block.coordinate
    assert "执行进度 40.00%" in plain and "执行进度 40.00%" in run("check", book).output  # 240 ÷ 600


def test_targets_funds_in_yuan(tmp_path):
    book = targetsforms.province_split(tmp_path / "目标.xlsx")
    plain = check(book)
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[0]
    ws["A6"] = "项目资金\n（元）"
    times(ws, ["C7", "E7", "G7"], 10000)
    wb.save(book)
    data = check(book)
    (note,) = marks(data, "I-MONEY-UNIT")
    assert note["单元格"] == "A6"
    assert "年度资金总额 120 万元" in run("check", book).output
    assert [f["代码"] for f in plain["标记"]] == [f["代码"] for f in data["标记"] if f["代码"] != "I-MONEY-UNIT"]


def test_a_wanyuan_header_changes_nothing(tmp_path):
    src = tmp_path / "a.xlsx"
    forms.national(src)
    shutil.copy(src, tmp_path / "b.xlsx")
    assert not marks(check(src), "I-MONEY-UNIT")


def test_a_bad_amount_under_a_yuan_header_is_quoted_as_typed(tmp_path):
    data = check(selfeval_form(tmp_path / "负.xlsx", {"A5": "项目资金（元）", "E6": -2000000}))
    (err,) = [f for f in marks(data, "E-MONEY") if f["单元格"] == "E6"]
    assert "-2000000" in err["说明"]


def test_the_excel_buttons_read_yuan_too(tmp_path, monkeypatch):
    """The same form through xlwings' remote engine (what the ribbon's 校验 button reads)."""
    from evaltool.excel import entry
    from test_excel import book_from_file

    book, _ = book_from_file(selfeval_form(tmp_path / "元.xlsx", {"A5": "项目资金（元）"}), monkeypatch)
    results, *_ = entry.plan(book, marks_only=True)
    ((_, result),) = results
    assert result.rate == Decimal("0.9") and str(result.total) == "95.20"
    assert [f.location.cell for f in result.findings if f.code == "I-MONEY-UNIT"] == ["A5"]
