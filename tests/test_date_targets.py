"""A target written as a date is a deadline (SWEEP S38): a date cell, "2025/11/30", "2025-11-30", "2025.11.30前",
"≤2025年11月30日" (a 目标表's 指标性质 ≤ with its 指标值), "2025年底前" — compared with the actual completion date.
Before, these were E-KIND-MISMATCH or E-PARSE, and a date cell was quoted as "2025-11-30 00:00:00" with the
advice "实际数值+单位". Through `check --json`: a case file, and a real .xlsx with date cells."""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from evaltool.cli import main

sys.path.insert(0, str(Path(__file__).parent / "layouts"))
import forms  # noqa: E402

# (target, actual, score out of 10)
PAIRS = [
    ("2025/11/30", "2025/11/20", "10.00"),
    ("2025-11-30", "2025-11-20", "10.00"),
    ("2025-11-30", "2025-12-05", "0.00"),
    ("2025.11.30前", "2025.11.20", "10.00"),
    ("≤2025年11月30日", "2025年11月20日", "10.00"),
    ("≤2025年11月30日", "2025年12月1日", "0.00"),
    ("2025年底前", "2025年12月", "10.00"),
    ("不晚于2025年11月30日", "2025/11/30", "10.00"),
    ("2025年11月30日前", "2025年11月20日", "10.00"),  # as before
    ("≤11月", "10月", "10.00"),  # 11 months (S4): still a quantity
]


def check(path: Path) -> dict:
    res = CliRunner().invoke(main, ["check", str(path), "--json"])
    assert "Traceback" not in res.output
    return json.loads(res.output)


def case(pairs) -> dict:
    inds = [{"一级指标": "产出指标", "二级指标": "时效指标", "三级指标": f"完成时间{i + 1:02d}", "年度指标值": t,
             "实际完成值": a, "分值": 10, "偏差原因分析及改进措施": "原因"} for i, (t, a, _) in enumerate(pairs)]
    return {"年度": 2025, "项目名称": "时限项目", "主管部门": "甲局", "实施单位": "乙中心",
            "项目资金": {"年度资金总额": {"年初预算数": 100, "全年预算数": 100, "全年执行数": 100},
                     "本年财政拨款": {"全年预算数": 100, "全年执行数": 100}, "分值": 10},
            "年度总体目标": {"预期目标": "甲", "实际完成情况": "乙"}, "绩效指标": inds}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    src = tmp_path_factory.mktemp("dates") / "时限.yaml"
    src.write_text(yaml.safe_dump(case(PAIRS), allow_unicode=True), "utf-8")
    return check(src)


@pytest.mark.parametrize("k", range(len(PAIRS)), ids=[f"{t}|{a}" for t, a, _ in PAIRS])
def test_a_date_target_is_a_deadline(results, k):
    got = results["指标"][k]
    assert got["得分"] is not None and f"{got['得分']:.2f}" == PAIRS[k][2], got["说明"]


def test_no_mismatch_or_parse_error(results):
    assert not [f for f in results["标记"] if f["代码"] in ("E-KIND-MISMATCH", "E-PARSE")]


def _form(path: Path, target, actual) -> Path:
    """forms.national (95.20) with the 时效 row's (按时完成率, 15 分) target and actual in E15/F15."""
    forms.national(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["自评表"]
    ws["E15"], ws["F15"] = target, actual
    wb.save(path)
    return path


def test_date_cells_in_a_workbook(tmp_path):
    data = check(_form(tmp_path / "a.xlsx", dt.datetime(2025, 11, 30), dt.datetime(2025, 11, 20)))
    assert data["总分"] == 95.2
    assert "2025年11月20日 完成，不晚于 2025年11月30日" in data["指标"][2]["说明"]
    late = check(_form(tmp_path / "b.xlsx", dt.datetime(2025, 11, 30), dt.datetime(2025, 12, 5)))
    assert late["总分"] == 80.2 and late["指标"][2]["得分"] == 0


def test_a_number_under_a_date_target_is_told_to_give_a_date(tmp_path):
    data = check(_form(tmp_path / "c.xlsx", dt.datetime(2025, 11, 30), "96%"))
    (err,) = [f for f in data["标记"] if f["代码"] == "E-KIND-MISMATCH"]
    assert "2025年11月30日" in err["说明"] and "完成日期" in err["说明"]
    assert "00:00:00" not in err["说明"] and "实际数值+单位" not in err["说明"]
    res = CliRunner().invoke(main, ["check", str(tmp_path / "c.xlsx")])
    assert "00:00:00" not in res.output


def test_a_date_in_a_number_cell_is_quoted_as_a_date(tmp_path):
    path = _form(tmp_path / "d.xlsx", "=100%", "100%")
    wb = openpyxl.load_workbook(path)
    wb["自评表"]["G15"] = dt.datetime(1900, 1, 15)  # 分值 15 typed into a date-formatted cell
    wb.save(path)
    data = check(path)
    text = json.dumps(data["标记"], ensure_ascii=False)
    assert "00:00:00" not in text and "1900年01月15日" in text


def test_monitor_date_cells_are_a_deadline_and_its_forecast(tmp_path):
    from test_monitor import CASE as MONITOR_CASE

    src = tmp_path / "监控.yaml"
    src.write_text(MONITOR_CASE, "utf-8")
    book = tmp_path / "监控.xlsx"
    assert CliRunner().invoke(main, ["new", str(book), "--from", str(src)]).exit_code in (0, 1)
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[0]
    target = next(c for row in ws.iter_rows() for c in row if c.value == "2026年11月30日前")
    forecast = next(c for row in ws.iter_rows() for c in row if c.value == "2026年12月20日")
    target.value, forecast.value = dt.datetime(2026, 11, 30), dt.datetime(2026, 12, 20)
    wb.save(book)
    data = check(book)
    text = json.dumps(data, ensure_ascii=False)
    assert "00:00:00" not in text
    assert not [f for f in data["标记"] if f["代码"] == "W-MON-COMPARE"]
    assert "晚于年度指标值的期限" in text
