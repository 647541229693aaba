"""Two header cells that read as one column (SWEEP S41) in the other kinds' own tables: the 部门整体's
项目支出情况, the 运行监控表's 项目资金 and 绩效指标, the 绩效目标表's 绩效指标. The cell written as the
standard name wins over a synonym (said in an I-COLUMN-IGNORED); two synonyms are an error naming both
cells. Real .xlsx files, built by `evaltool new --from` or openpyxl, checked through the CLI."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

import targetsforms
from evaltool.cli import main
from test_dept import CASE as DEPT_CASE
from test_monitor import CASE as MONITOR_CASE


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def check(path: Path) -> dict:
    res = run("check", path, "--json")
    assert "Traceback" not in res.output
    return json.loads(res.output)


def marks(data: dict, code: str) -> list[dict]:
    return [f for f in data["标记"] if f["代码"] == code]


def new_from(tmp_path: Path, case: str, name: str) -> Path:
    src = tmp_path / f"{name}.yaml"
    src.write_text(case, "utf-8")
    book = tmp_path / f"{name}.xlsx"
    res = run("new", book, "--from", src)
    assert res.exit_code in (0, 1), res.output  # 1: the form has errors, as check says
    return book


def cell_of(ws, text: str):
    return next(c for row in ws.iter_rows() for c in row if c.value == text)


def edit(book: Path, change) -> Path:
    wb = openpyxl.load_workbook(book)
    change(wb.worksheets[0])
    wb.save(book)
    return book


def _after_last(ws, header) -> int:
    """A column right of every table (no merged cell there)."""
    return ws.max_column + 1


# ---- 部门整体: the 项目支出情况 list ---------------------------------------------------------------
def test_dept_project_list_standard_budget_column_beats_a_synonym(tmp_path):
    def change(ws):
        budget = cell_of(ws, "全年预算数（万元）")
        note = cell_of(ws, "备注")
        note.value = "预算数"
        for r in range(budget.row + 1, budget.row + 3):
            ws.cell(r, note.column, 1)  # not the budgets: never read as them
    data = check(edit(new_from(tmp_path, DEPT_CASE, "部门"), change))
    assert not marks(data, "E-UNREAD-COLUMN")
    (note,) = [f for f in marks(data, "I-COLUMN-IGNORED") if "预算数" in f["说明"]]
    assert "全年预算数（万元）" in note["说明"]
    assert not [f for f in data["标记"] if "合计" in f["说明"] and "项目" in f["说明"] and f["级别"] == "错误"]


def test_dept_project_list_two_budget_synonyms_are_an_error(tmp_path):
    def change(ws):
        budget = cell_of(ws, "全年预算数（万元）")
        budget.value = "调整后预算数"
        cell_of(ws, "备注").value = "预算数"
    data = check(edit(new_from(tmp_path, DEPT_CASE, "部门"), change))
    (err,) = marks(data, "E-UNREAD-COLUMN")
    assert "“调整后预算数”" in err["说明"] and "“预算数”" in err["说明"] and data["总分"] is None


# ---- 运行监控表 ------------------------------------------------------------------------------------
def test_monitor_two_target_synonyms_are_an_error_naming_both(tmp_path):
    def change(ws):
        target = cell_of(ws, "年度指标值")
        target.value = "年初目标值"
        ws.cell(target.row, _after_last(ws, target), "调整后目标值")
    data = check(edit(new_from(tmp_path, MONITOR_CASE, "监控"), change))
    (err,) = marks(data, "E-UNREAD-COLUMN")
    assert "“年初目标值”" in err["说明"] and "“调整后目标值”" in err["说明"]


def test_monitor_standard_budget_column_beats_a_synonym(tmp_path):
    def change(ws):
        budget = cell_of(ws, "全年预算数")
        extra = _after_last(ws, budget)
        ws.cell(budget.row, extra, "调整预算数")
        ws.cell(budget.row + 1, extra, 1)  # would make 执行进度 24000%
    data = check(edit(new_from(tmp_path, MONITOR_CASE, "监控"), change))
    (note,) = [f for f in marks(data, "I-COLUMN-IGNORED") if "调整预算数" in f["说明"]]
    assert "全年预算数" in note["说明"]
    assert "40.00%" in json.dumps(data, ensure_ascii=False)  # 240 ÷ 600


# ---- 绩效目标表 ------------------------------------------------------------------------------------
def test_targets_two_target_synonyms_are_an_error_naming_both(tmp_path):
    def change(ws):
        target = cell_of(ws, "年度指标值")
        target.value = "年度目标值"
        ws.cell(target.row, _after_last(ws, target), "目标值")
    book = edit(targetsforms.combined_target(tmp_path / "目标.xlsx"), change)
    data = check(book)
    errs = [f for f in data["标记"] if f["级别"] == "错误" and "“年度目标值”" in f["说明"] and "“目标值”" in f["说明"]]
    assert errs, data["标记"]


def test_targets_standard_target_column_beats_a_synonym(tmp_path):
    def change(ws):
        target = cell_of(ws, "年度指标值")
        target.value = "指标值"
        ws.cell(target.row, _after_last(ws, target), "目标值")
    data = check(edit(targetsforms.combined_target(tmp_path / "目标.xlsx"), change))
    (note,) = [f for f in marks(data, "I-COLUMN-IGNORED") if "“目标值”" in f["说明"]]
    assert "“指标值”" in note["说明"]
