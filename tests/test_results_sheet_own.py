"""A clerk's own sheet that happens to be named 校验结果 (a 科室 review log) is kept word for word by
score, check and the Excel 计分/校验 buttons; evaltool's results go to 校验结果(2) and are found
there on the next run (SWEEP S58). Real .xlsx files; the Excel path through xlwings' remote engine."""
import openpyxl
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.core.caseio import load_case
from evaltool.excel import entry

from conftest import case_files
from test_excel import book_from_file, filled_file


def _with_own_sheet(tmp_path):
    src = filled_file(tmp_path, load_case(case_files()[0]))  # seed000: one error (J6), so cells get marked
    wb = openpyxl.load_workbook(src)
    ws = wb.create_sheet("校验结果")
    ws["A1"], ws["A2"] = "科室内部校验记录", "2025-12-01 王科长已审核"
    wb.save(src)
    return src


def test_score_keeps_the_clerks_own_results_sheet(tmp_path):
    src = _with_own_sheet(tmp_path)
    for _ in range(2):  # and again: evaltool finds its own sheet under the new name, adds no third
        res = CliRunner().invoke(main, ["score", str(src)])
        assert res.exit_code in (0, 1) and "校验结果(2)" in res.output and "原样保留" in res.output
    wb = openpyxl.load_workbook(src)
    assert wb.sheetnames.count("校验结果") == 1 and "校验结果(3)" not in wb.sheetnames
    assert (wb["校验结果"]["A1"].value, wb["校验结果"]["A2"].value) == ("科室内部校验记录", "2025-12-01 王科长已审核")
    assert wb["校验结果"].max_row == 2
    assert wb["校验结果(2)"]["A1"].value == "evaltool 校验与计分结果"
    res = CliRunner().invoke(main, ["check", str(src)])
    assert res.exit_code in (0, 1)


def test_excel_buttons_keep_the_clerks_own_results_sheet(tmp_path, monkeypatch):
    src = _with_own_sheet(tmp_path)
    book, grids = book_from_file(src, monkeypatch)
    own = [g.sheet for g in grids].index("校验结果")
    entry.score(book=book)
    actions = book.json()["actions"]
    assert not [a for a in actions if a.get("sheet_position") == own and a["func"] != "activateSheet"]
    assert any(a["func"] == "addSheet" and "校验结果(2)" in a["args"] for a in actions)
    assert any("校验结果(2)" in a["args"][0] for a in actions if a["func"] == "alert")
