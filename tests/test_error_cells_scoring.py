"""An Excel error value is not a value (SWEEP S32): a 年度指标值 or 实际完成值 showing #NAME? / #N/A gets only
E-CELL-ERROR (naming the cell and the fix); the indicator is unscored for that reason, and the clerk's correct
other cell is not marked (no E-QUAL-NUMBER "年度指标值“#NAME?”是定性描述" on the actual). Real .xlsx files
written by `evaltool new` and openpyxl (error cells stored as t="e")."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from evaltool.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "evaltool" / "samples" / "示例-电子政务各项专项经费.yaml"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("field, code", [("年度指标值", "#NAME?"), ("实际完成值", "#N/A"), ("年度指标值", "#REF!")])
def test_an_error_value_is_reported_once_and_nothing_else_is_judged(tmp_path, field, code):
    book = tmp_path / "自评表.xlsx"
    assert run("new", book, "--from", SAMPLE).exit_code in (0, 1)
    wb = openpyxl.load_workbook(book)
    ws = wb["自评表"]
    head = next((r, c) for r in range(1, ws.max_row + 1) for c in range(1, ws.max_column + 1)
                if ws.cell(r, c).value == field)
    ws.cell(head[0] + 1, head[1]).value = code  # the first indicator ("=7个" typed, Excel made it a formula)
    wb.save(book)
    got = json.loads(run("check", book, "--json").output)
    cell = f"{openpyxl.utils.get_column_letter(head[1])}{head[0] + 1}"
    row = str(head[0] + 1)
    on_row = [f for f in got["标记"] if (f["单元格"] or "").lstrip("ABCDEFGHIJ") == row]
    assert [(f["代码"], f["单元格"]) for f in on_row] == [("E-CELL-ERROR", cell)], on_row
    first = got["指标"][0]
    assert first["得分"] is None and first["说明"] == f"未计分：{field}显示错误值 {code}"
    assert f"{field}显示错误值 {code}" in got["无法计分原因"]
