"""The 汇总 sheets' fast cell writer writes exactly what openpyxl's own cell writer writes."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
from openpyxl import Workbook

from evaltool.collect import output as O

TRICKY = [
    ["=SUM(A1:A2)", "+86 10 1234", "-减少", "@某人", "#N/A", "  前后空格 ", "a&b<c>d\"e'", "换行\r\n之后"],
    ["", 12, 3.5, 1e20, -0.125, True, dt.date(2024, 3, 1), dt.datetime(2024, 3, 1, 8, 30)],
    [None, float("inf"), Decimal("1.50"), Decimal("7"), "坏字符\x07\uffff结束", None, 0, "x" * 40000],
]
FORMATS = ["0.00", "#,##0.00", None, "0.00%", "0", None, None, "0.00"]


def _write(tmp_path, fast: bool, monkeypatch) -> list[list]:
    monkeypatch.setattr(O, "FAST_CELLS", fast)
    wb = Workbook(write_only=True)
    w = O.SheetWriter(wb, "表", [f"列{i}" for i in range(8)], FORMATS, [10] * 8)
    assert (w._fast is not None) is fast
    for row in TRICKY:
        w.append(row)
    w.append(["合计", 3, None, 0.5], bold=True)
    w.autofilter()
    path = tmp_path / f"{'fast' if fast else 'openpyxl'}.xlsx"
    O.save_atomic(wb, path)
    ws = openpyxl.load_workbook(path)["表"]
    return [[(c.value, c.data_type, c.number_format, c.font.b) for c in row] for row in ws.iter_rows()]


def test_fast_cells_match_openpyxl(tmp_path, monkeypatch):
    fast, slow = _write(tmp_path, True, monkeypatch), _write(tmp_path, False, monkeypatch)
    assert fast == slow
    body = fast[1:]
    # Formula-like text stays text, never a formula or an error value.
    assert [c[:2] for c in body[0][:5]] == [("=SUM(A1:A2)", "s"), ("+86 10 1234", "s"), ("-减少", "s"),
                                             ("@某人", "s"), ("#N/A", "s")]
    assert body[0][5][0] == "  前后空格 " and body[0][6][0] == "a&b<c>d\"e'" and body[0][7][0] == "换行\r\n之后"
    assert body[1][1][:3] == (12, "n", "#,##0.00") and body[1][3][:3] == (1e20, "n", "0.00%")
    assert body[2][4][0] == "坏字符结束"
    assert len(body[2][7][0]) == O.EXCEL_MAX_TEXT


def test_interleaved_sheets_stay_separate(tmp_path):
    wb = Workbook(write_only=True)
    a = O.SheetWriter(wb, "甲", ["名称", "数"], [None, "0"])
    b = O.SheetWriter(wb, "乙", ["名称", "数"], [None, "0"])
    for i in range(50):
        (a if i % 3 else b).append([f"第{i}行", i])
    path = tmp_path / "x.xlsx"
    O.save_atomic(wb, path)
    got = openpyxl.load_workbook(path)
    assert [r[1] for r in got["甲"].iter_rows(min_row=2, values_only=True)] == [i for i in range(50) if i % 3]
    assert [r[1] for r in got["乙"].iter_rows(min_row=2, values_only=True)] == [i for i in range(50) if not i % 3]


def test_streamed_findings_keep_sheet_order_and_the_overflow_note(tmp_path, monkeypatch):
    from evaltool.collect.run import CollectSummary

    monkeypatch.setattr(O, "EXCEL_MAX_ROWS", 6)  # room for 4 findings
    w = O.CollectionWriter()
    w.add_findings([("a.xlsx", "表1", "B2", "错误", f"问题{i}", "E-X", "项目") for i in range(3)])
    w.add_findings([("b.xlsx", "表1", "B3", "警告", "=HYPERLINK(\"x\")", "W-X", None) for _ in range(4)])
    out = tmp_path / "汇总.xlsx"
    w.finish(out, [{"主管部门": "某局", "单位": "某单位", "项目": "某项目", "等次": "优", "文件": "a.xlsx"}],
             CollectSummary(output=str(out), files=2, read=2, projects=1))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "主管部门汇总", "图表", "问题清单", "无法读取的文件", "说明"]
    rows = [r for r in wb["问题清单"].iter_rows(values_only=True)]
    assert [r[4] for r in rows[1:5]] == ["问题0", "问题1", "问题2", "=HYPERLINK(\"x\")"]
    assert wb["问题清单"]["E5"].data_type == "s"
    assert rows[5][3] == "提示" and "问题共 7 条" in rows[5][4] and "其余 3 条未列出" in rows[5][4]
    assert len(rows) == 6
    assert wb["汇总"]["C2"].value == "某项目" and len(wb["图表"]._charts) == 2


def test_department_sums_round_half_up_in_decimal():
    """Sums of 万元 figures with more than two decimals are rounded half-up, as Excel's ROUND shows
    them: 0.125 + 0.5 = 0.625 -> 0.63 (a float sum formatted with :.2f gives banker's 0.62)."""
    import pandas as pd

    df = pd.DataFrame([
        {"主管部门": "甲局", "预算数": 0.125, "执行数": 0.105, "执行率": 0.84, "总分": 80.125,
         "错误数": 0, "等次": "良"},
        {"主管部门": "甲局", "预算数": 0.5, "执行数": 0.5, "执行率": 1, "总分": 90,
         "错误数": 1, "等次": "优"},
    ])
    dept = O.department_frame(df)
    first = dept.iloc[0]
    assert first["主管部门"] == "甲局"
    assert first["预算数合计"] == Decimal("0.63")
    assert first["执行数合计"] == Decimal("0.61")
    assert first["总执行率"] == Decimal("0.9683")  # 0.61 / 0.63
    assert first["平均执行率"] == Decimal("0.9200")
    assert first["平均总分"] == Decimal("85.06")  # (80.125 + 90) / 2 = 85.0625
    assert first["有错误的项目数"] == 1 and first["优"] == 1 and first["良"] == 1
    total = dept.iloc[-1]
    assert total["主管部门"] == "合计" and total["预算数合计"] == Decimal("0.63")


def test_total_rate_divides_only_projects_that_have_both_numbers():
    """S33: a project with a 预算数 but no 执行数 (an unread or error cell), and one with the reverse,
    must not mix into 总执行率: 85.00% from the one complete project, not 260 ÷ 300 = 86.67%; the
    totals still add what each project has, and the row says how many projects were left out."""
    import pandas as pd

    df = pd.DataFrame([
        {"主管部门": "甲局", "预算数": 200, "执行数": 170, "执行率": 0.85, "总分": 90, "错误数": 0, "等次": "优"},
        {"主管部门": "甲局", "预算数": 100, "执行数": None, "执行率": None, "总分": None, "错误数": 1,
         "等次": "无法计分"},
        {"主管部门": "甲局", "预算数": None, "执行数": 90, "执行率": None, "总分": None, "错误数": 1,
         "等次": "无法计分"},
    ])
    first = O.department_frame(df).iloc[0]
    assert first["预算数合计"] == Decimal("300.00") and first["执行数合计"] == Decimal("260.00")
    assert first["总执行率"] == Decimal("0.8500")
    assert first["未计入总执行率的项目数"] == 2
    alone = O.department_frame(df.iloc[1:]).iloc[0]
    assert alone["总执行率"] is None or pd.isna(alone["总执行率"])  # nothing to divide: not computed, not 0
