"""Subtotal rows inside the indicator table (SWEEP S55): many provincial forms put a 小计 / 得分小计 /
产出指标小计 row under each 一级指标. Such a row is no indicator and does not end the table: every kind
(自评表, 部门整体, 运行监控表; the 目标表 already did) reads on to the 总分 row, and a typed subtotal is checked
against the computed one like any typed cell. Real .xlsx files: a published layout (tests/layouts/forms.py)
or evaltool's own template, with rows inserted as a clerk does (merges moved)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import range_boundaries

from evaltool.cli import main

sys.path.insert(0, str(Path(__file__).parent / "layouts"))
import forms  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "evaltool" / "samples"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def check(path: Path) -> dict:
    res = run("check", path, "--json")
    assert "Traceback" not in res.output, res.output
    return json.loads(res.output)


def insert_rows(path: Path, sheet: str | None, before: list[int], cells: dict[str, object]) -> None:
    """Insert an empty row before each row number in `before` (original numbering), moving values and
    merges down, then type `cells` (new numbering) — what a clerk's "insert row" does."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet] if sheet else wb.worksheets[0]

    def moved(r: int) -> int:
        return r + sum(1 for b in before if b <= r)

    values = [(c.row, c.column, c.value, c.number_format, c.data_type) for row in ws.iter_rows() for c in row
              if c.value is not None]
    merges = [range_boundaries(str(m)) for m in ws.merged_cells.ranges]
    for m in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(m))
    for row in ws.iter_rows():
        for c in row:
            c.value = None
    for r, c, v, nf, kind in values:
        cell = ws.cell(moved(r), c)
        cell.value, cell.number_format = v, nf
        cell.data_type = kind  # a text "=100%" stays text, not a formula
    for c1, r1, c2, r2 in merges:
        ws.merge_cells(start_row=moved(r1), start_column=c1, end_row=moved(r2), end_column=c2)
    for addr, v in cells.items():
        ws[addr] = v
    ws.data_validations.dataValidation = []
    ws.conditional_formatting = type(ws.conditional_formatting)()
    wb.save(path)


def national(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    forms.national(path, level_mode="repeat", l1_suffix=False)
    return path


# forms.national: indicators on rows 13-17 (产出 13-15, 效益 16, 满意度 17), 总分 on 18; B 一级, C 二级, D 三级,
# G 分值, H 得分. Rows inserted before 16, 17 and 18 become 16, 18 and 20.
SUBTOTALS = [
    ("C", ["得分小计"] * 3),
    ("B", ["小计"] * 3),
    ("D", ["小计"] * 3),
    ("B", ["产出指标小计", "效益指标小计", "满意度指标小计"]),
    ("B", ["产出指标合计", "效益小计", "满意度小计"]),
]


@pytest.mark.parametrize("col, labels", SUBTOTALS)
def test_selfeval_reads_past_subtotal_rows_to_the_total(tmp_path, col, labels):
    plain = check(national(tmp_path, "plain.xlsx"))
    book = national(tmp_path, "subtotals.xlsx")
    insert_rows(book, None, [16, 17, 18], {f"{col}16": labels[0], "G16": 50, f"{col}18": labels[1], "G18": 30,
                                           f"{col}20": labels[2], "G20": 10})
    got = check(book)
    assert [i["三级指标"] for i in got["指标"]] == [i["三级指标"] for i in plain["指标"]]
    assert [i["得分"] for i in got["指标"]] == [i["得分"] for i in plain["指标"]]
    assert got["小计"] == plain["小计"] and got["总分"] == plain["总分"] and got["等次"] == plain["等次"]
    assert [f["代码"] for f in got["标记"]] == [f["代码"] for f in plain["标记"]]


def test_typed_subtotals_are_checked_and_blank_ones_filled(tmp_path):
    book = national(tmp_path, "typed.xlsx")
    insert_rows(book, None, [16, 17, 18], {"C16": "得分小计", "G16": 50, "H16": 45,  # 49.20 computed
                                           "C18": "得分小计", "G18": 25,  # 分值 30 computed
                                           "C20": "得分小计", "G20": 10, "H20": 10})
    res = run("score", book)
    assert res.exit_code in (0, 1), res.output
    wb = openpyxl.load_workbook(book)
    ws = wb["自评表"]
    assert (ws["H16"].value, ws["G18"].value, ws["H18"].value, ws["H20"].value) == (45, 25, 27, 10)
    rows = {(r[2], r[4]): r[6] for r in wb["校验结果"].iter_rows(values_only=True) if r and r[2]}
    assert "产出指标得分小计为 49.2" in rows[("H16", "W-TYPED-DIFFERS")] and "“45”" in rows[("H16", "W-TYPED-DIFFERS")]
    assert "效益指标分值小计为 30" in rows[("G18", "W-TYPED-DIFFERS")]
    assert ("H18", "I-FILLED") in rows and ("H20", "W-TYPED-DIFFERS") not in rows


def test_evaltools_own_summary_row_is_unchanged(tmp_path):
    """The template's 得分小计 row under 总分 (one text for every 一级) is still the summary cell."""
    book = tmp_path / "own.xlsx"
    assert run("new", book, "--from", SAMPLES / "示例-电子政务各项专项经费.yaml").exit_code == 0
    ws = openpyxl.load_workbook(book)["自评表"]
    summary = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "得分小计")
    text = str(ws.cell(summary, 4).value)
    assert text.startswith("预算执行率") and "产出指标" in text and "满意度指标" in text


def test_dept_reads_past_a_subtotal_row(tmp_path):
    book = tmp_path / "dept.xlsx"
    assert run("new", book, "--from", SAMPLES / "示例-部门整体.yaml").exit_code in (0, 1)
    plain = check(book)
    ws = openpyxl.load_workbook(book).worksheets[0]
    head, l1_col = next((r, c) for r in range(1, ws.max_row + 1) for c in range(1, 6) if ws.cell(r, c).value == "一级指标")
    weight_col = next(c for c in range(1, ws.max_column + 1) if ws.cell(head, c).value == "分值")
    first_benefit = next(r for r in range(head, ws.max_row + 1) if ws.cell(r, l1_col).value == "效益指标")
    # 产出 30 + 20 above it; the label in the 二级 column
    insert_rows(book, None, [first_benefit], {f"{chr(65 + l1_col)}{first_benefit}": "小计",
                                              f"{chr(64 + weight_col)}{first_benefit}": 50})
    got = check(book)
    assert [i["三级指标"] for i in got["指标"]] == [i["三级指标"] for i in plain["指标"]]
    assert got["总分"] == plain["总分"] and got["错误数"] == plain["错误数"]


def test_monitor_reads_past_a_subtotal_row(tmp_path):
    case = tmp_path / "m.yaml"
    case.write_text((Path(__file__).parent / "test_monitor.py").read_text("utf-8")
                    .split('CASE = """', 1)[1].split('"""', 1)[0], "utf-8")
    book = tmp_path / "监控表.xlsx"
    assert run("new", book, "--from", case).exit_code in (0, 1)
    plain = check(book)
    ws = openpyxl.load_workbook(book).worksheets[0]
    hit = next((r, c) for r in range(1, ws.max_row + 1) for c in range(1, 6) if ws.cell(r, c).value == "受益人口")
    insert_rows(book, None, [hit[0]], {f"{chr(64 + hit[1])}{hit[0]}": "产出指标小计"})
    got = check(book)
    assert [i["三级指标"] for i in got["指标"]] == [i["三级指标"] for i in plain["指标"]]
    assert [f["代码"] for f in got["标记"]] == [f["代码"] for f in plain["标记"]]
