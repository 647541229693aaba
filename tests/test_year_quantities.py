"""SWEEP S4: "≥10年" / "≤3年" / "≤11月" (使用年限, 工期) are quantities in every kind, including the
自评表 that `new --from-targets` makes from a 绩效目标表 whose unit column says 年."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import targetsforms as F
from evaltool.cli import main
from test_targets import filled

ROWS = F.INDICATORS[:6] + [
    ("效益指标", "可持续影响指标", "道路使用年限", "≥", 10, "年", 5),
    ("效益指标", "可持续影响指标", "设备更新周期", "≤", 3, "年", 5),
    ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥", 90, "%", 10),
]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def check(path: Path) -> dict:
    res = run("check", path, "--json")
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.output)


def test_targets_with_year_units_carry_into_a_scorable_selfeval(tmp_path):
    targets = filled(tmp_path, ROWS)
    assert check(targets)["错误数"] == 0
    form = tmp_path / "自评表.xlsx"
    res = run("new", "--from-targets", targets, "-o", form)
    assert res.exit_code in (0, 1), res.output
    wb = openpyxl.load_workbook(form)
    ws = wb["自评表"]
    header = next(c for row in ws.iter_rows() for c in row if c.value == "实际完成值")
    target_col = next(c.column for c in ws[header.row] if c.value == "年度指标值")
    actual = {"道路使用年限": "12年", "设备更新周期": "2年"}
    seen = {}
    for row in ws.iter_rows(min_row=header.row + 1):
        name = next((c.value for c in row if c.value in actual), None)
        target = ws.cell(row[0].row, target_col).value
        if name:
            seen[name] = target
            ws.cell(row[0].row, header.column).value = actual[name]
        elif target is not None and ws.cell(row[0].row, header.column).value is None:
            ws.cell(row[0].row, header.column).value = target  # the others met exactly
    assert seen == {"道路使用年限": "≥10年", "设备更新周期": "≤3年"}
    budget = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("年度资金总额"))
    cols = {str(c.value): c.column for c in ws[budget.row - 1] if c.value}
    ws.cell(budget.row, next(v for k, v in cols.items() if k.startswith("全年预算数"))).value = 120
    ws.cell(budget.row, next(v for k, v in cols.items() if k.startswith("全年执行数"))).value = 120
    wb.save(form)
    result = check(form)
    assert not [m for m in result["标记"] if m["代码"] == "E-PARSE"], result["标记"]
    scores = {i["三级指标"]: i for i in result["指标"]}
    for name in actual:
        assert scores[name]["得分"] == scores[name]["分值"] == 5, scores[name]
    assert result["无法计分原因"] is None and result["总分"] is not None


def test_year_quantity_that_falls_short_loses_points(tmp_path):
    case = tmp_path / "c.yaml"
    case.write_text("""项目名称: 道路养护
年度: 2024
项目资金:
  年度资金总额: {年初预算数: 100, 全年预算数: 100, 全年执行数: 100}
绩效指标:
  - {一级指标: 产出指标, 二级指标: 数量指标, 三级指标: 养护里程, 年度指标值: "≥100公里", 实际完成值: 100公里, 分值: 50}
  - {一级指标: 效益指标, 二级指标: 可持续影响指标, 三级指标: 道路使用年限, 年度指标值: "≥10年", 实际完成值: 5年, 分值: 30}
  - {一级指标: 满意度指标, 二级指标: 服务对象满意度指标, 三级指标: 满意度, 年度指标值: "≥90%", 实际完成值: 95%, 分值: 10}
""", "utf-8")
    result = check(case)
    row = next(i for i in result["指标"] if i["三级指标"] == "道路使用年限")
    assert row["得分"] == 15  # 5 of 10 years: half the points, as any quantity
    assert not [m for m in result["标记"] if m["代码"] == "E-PARSE"]


@pytest.mark.parametrize("actual, score", [("12月", 9.17), ("11月底", 10), ("10月", 10), ("12个月", None)])
def test_a_month_actual_under_a_month_target_is_a_quantity(tmp_path, actual, score):
    """SWEEP S25: under "≤11月" an actual "12月" is 12 月 (11 ÷ 12 of the points), not a date that
    cannot be compared; another unit stays a problem the clerk is told about."""
    case = tmp_path / "c.yaml"
    case.write_text(f"""项目名称: 道路养护
年度: 2024
项目资金:
  年度资金总额: {{年初预算数: 100, 全年预算数: 100, 全年执行数: 100}}
绩效指标:
  - {{一级指标: 产出指标, 二级指标: 时效指标, 三级指标: 完成时间, 年度指标值: "≤11月", 实际完成值: "{actual}", 分值: 10}}
  - {{一级指标: 效益指标, 二级指标: 社会效益指标, 三级指标: 通行, 年度指标值: "≥90%", 实际完成值: 95%, 分值: 70}}
  - {{一级指标: 满意度指标, 二级指标: 服务对象满意度指标, 三级指标: 满意度, 年度指标值: "≥90%", 实际完成值: 95%, 分值: 10}}
""", "utf-8")
    result = check(case)
    row = next(i for i in result["指标"] if i["三级指标"] == "完成时间")
    assert row["得分"] == score, row
    if score is None:
        assert result["错误数"] >= 1
