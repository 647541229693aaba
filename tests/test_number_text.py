"""SWEEP S16: numbers in messages are shown as a clerk reads them: at most 6 decimals (half-up), and a
figure too small or too large for that in Excel's E notation, never as hundreds of digits."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.core.decimals import fmt


@pytest.mark.parametrize("value, places, text", [
    ("1e-300", None, "1E-300"),
    ("-1e-300", None, "-1E-300"),
    ("0.0000004", None, "4E-7"),
    ("0.000001", None, "0.000001"),
    ("0.1234565", None, "0.123457"),  # half-up at the 6th decimal
    ("34.50", None, "34.5"),
    ("100", None, "100"),
    ("0", None, "0"),
    ("1e300", None, "1E+300"),
    ("1e300", 2, "1E+300"),
    ("123456789012345678", None, "1.23457E+17"),
    ("9.9999996e20", None, "1E+21"),
    ("999999999999999.5", None, "999999999999999.5"),  # within Excel's 15 digits: as typed
    ("0.125", 2, "0.13"),
    ("1e-300", 2, "0.00"),  # a form's fixed places show what the cell shows
])
def test_fmt_is_bounded(value, places, text):
    assert fmt(Decimal(value), places) == text


def test_tiny_weight_is_flagged_and_printed_short(tmp_path):
    case = tmp_path / "c.yaml"
    case.write_text("""项目名称: 道路养护
年度: 2024
项目资金:
  年度资金总额: {年初预算数: 100, 全年预算数: 100, 全年执行数: 100}
绩效指标:
  - {一级指标: 产出指标, 二级指标: 数量指标, 三级指标: 养护里程, 年度指标值: "≥100公里", 实际完成值: 100公里, 分值: 50}
  - {一级指标: 效益指标, 二级指标: 生态效益指标, 三级指标: 碳排放, 年度指标值: "≤10吨", 实际完成值: 20吨, 分值: 1.0e-300}
  - {一级指标: 满意度指标, 二级指标: 服务对象满意度指标, 三级指标: 满意度, 年度指标值: "≥90%", 实际完成值: 95%, 分值: 10}
""", "utf-8")
    res = CliRunner().invoke(main, ["check", str(case), "--json"])
    assert res.exit_code == 1, res.output
    marks = json.loads(res.output)["标记"]
    assert all(len(m["说明"]) < 300 for m in marks), [m["说明"] for m in marks]
    weight = [m for m in marks if m["代码"] == "E-NUMBER" and m["字段"] == "分值"]
    assert len(weight) == 1 and "1E-300" in weight[0]["说明"] and "为 0" in weight[0]["说明"]
