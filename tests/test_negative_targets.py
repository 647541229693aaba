"""Targets of 0 or below (SWEEP S36): “≥-5%” (a fall of at most 5%) with an actual of -10% is not met, yet it
scored 10/10 “得满分，得满分”. The ratio rule (实际 ÷ 目标) means nothing for such targets; the rule now is
(README 计分规则): met -> full marks; short of it -> 分值 × (1 − 差距 ÷ |目标|), 0 once the shortfall reaches the
target's size or for a target of 0 — never full marks for a worse result. Through `check --json` of a case file
and of a real .xlsx written by `new --from`."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from evaltool.cli import main

# (target, actual, score out of 10)
PAIRS = [
    ("≥-5%", "-10%", "0.00"),  # short by 5: the target's own size
    ("≥-5%", "-7%", "6.00"),  # short by 2 of 5 -> 1 − 2/5
    ("≥-5%", "-3%", "10.00"),
    ("≥-5%", "-5%", "10.00"),
    ("≥0", "-2", "0.00"),
    ("≥0", "0", "10.00"),
    ("≤-3%", "-5%", "10.00"),  # a fall of at least 3%: -5% meets it
    ("≤-3%", "-1%", "3.33"),  # short by 2 of 3
    ("≤-3%", "2%", "0.00"),
    ("≤-3%", "0", "0.00"),  # before: "实际 0 为 0，得满分"
    ("≤0", "1", "0.00"),
    ("=-5%", "5%", "0.00"),  # the other way round: not 5 ÷ 5
    ("=-5%", "-4%", "8.00"),
    # positive targets keep the ratio rule
    ("≥100人", "96人", "9.60"),
    ("≤5%", "10%", "5.00"),
    ("≤1起", "0起", "10.00"),
]


def case(pairs) -> dict:
    inds = [{"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": f"指标{i + 1:02d}", "年度指标值": t, "实际完成值": a,
             "分值": 10, "偏差原因分析及改进措施": "原因"} for i, (t, a, _) in enumerate(pairs)]
    return {"年度": 2025, "项目名称": "增长率项目", "主管部门": "甲局", "实施单位": "乙中心",
            "项目资金": {"年度资金总额": {"年初预算数": 100, "全年预算数": 100, "全年执行数": 100},
                     "本年财政拨款": {"全年预算数": 100, "全年执行数": 100}, "分值": 10},
            "年度总体目标": {"预期目标": "甲", "实际完成情况": "乙"}, "绩效指标": inds}


def check(path: Path) -> dict:
    res = CliRunner().invoke(main, ["check", str(path), "--json"])
    assert "Traceback" not in res.output
    return json.loads(res.output)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    src = tmp_path_factory.mktemp("neg") / "增长率.yaml"
    src.write_text(yaml.safe_dump(case(PAIRS), allow_unicode=True), "utf-8")
    return check(src)["指标"]


@pytest.mark.parametrize("k", range(len(PAIRS)), ids=[f"{t}|{a}" for t, a, _ in PAIRS])
def test_score(results, k):
    target, actual, expected = PAIRS[k]
    got = results[k]
    assert f"{got['得分']:.2f}" == expected, got["说明"]
    if expected != "10.00":
        assert "满分" not in got["说明"]
    assert got["说明"].count("得满分") <= 1


def test_in_a_workbook_too(tmp_path):
    src = tmp_path / "增长率.yaml"
    src.write_text(yaml.safe_dump(case(PAIRS[:2]), allow_unicode=True), "utf-8")
    book = tmp_path / "增长率.xlsx"
    res = CliRunner().invoke(main, ["new", str(book), "--from", str(src)])
    assert res.exit_code in (0, 1), res.output
    got = check(book)["指标"]
    assert [g["得分"] for g in got] == [0, 6]
