"""SWEEP S37: a date cell survives export → case file → new --from / check. `export` wrote it as the
YAML timestamp "2025-11-20 00:00:00", which check and new --from then refused ("应是一个值"), and
new --from wrote a date into the text-formatted 实际完成值 cell as its serial number 45981."""
from __future__ import annotations

import datetime as dt
import json

import openpyxl
from click.testing import CliRunner

from conftest import case_files
from evaltool.cli import main

CASE = next(c for c in case_files("自评表") if "seed003" in c.name)


def run(*args, ok=(0, 1)):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code in ok, res.output
    return res


def total(path) -> tuple:
    data = json.loads(run("check", path, "--json").output)
    row = next(i for i in data["指标"] if i["三级指标"] == "项目运维保障天数")
    return data["总分"], data["等次"], row["得分"]


def test_a_date_cell_round_trips_through_a_case_file(tmp_path):
    src = tmp_path / "填报.xlsx"
    run("new", "--from", CASE, "-o", src, ok=(0,))
    wb = openpyxl.load_workbook(src)
    ws = wb["自评表"]
    name = next(c for row in ws.iter_rows() for c in row if c.value == "项目运维保障天数")
    target, actual = ws.cell(name.row, name.column + 1), ws.cell(name.row, name.column + 2)
    target.value, actual.value = "2025年11月30日前", dt.datetime(2025, 11, 20)
    actual.number_format = "yyyy-mm-dd"
    wb.save(src)
    want = total(src)
    assert want[2] not in (None, "—")  # the deadline is scored on the workbook

    case = tmp_path / "导出.yaml"
    run("export", src, "-o", case, ok=(0,))
    text = case.read_text("utf-8")
    assert "实际完成值: 2025-11-20\n" in text and "00:00:00" not in text
    assert total(case) == want
    back = tmp_path / "重建.xlsx"
    run("new", "--from", case, "-o", back)
    assert total(back) == want
    cell = openpyxl.load_workbook(back)["自评表"][actual.coordinate]
    assert isinstance(cell.value, dt.datetime) and "@" not in cell.number_format
