"""Units that are one measure in two spellings, or safe multiples (SWEEP S36, battery): 公里 ↔ 千米, 吨 ↔ t ↔ 千克,
年 ↔ 个月, ㎡ ↔ 平方米 were refused with E-UNIT (or E-PARSE for “90㎡”). Through `check --json` of a case file."""
from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from evaltool.cli import main

PAIRS = [
    ("≥100公里", "95千米", "9.50"),
    ("≥100千米", "95000米", "9.50"),
    ("≥100吨", "90t", "9.00"),
    ("≤10吨", "8000千克", "10.00"),
    ("≤10吨", "12000公斤", "8.33"),
    ("≥12个月", "1年", "10.00"),
    ("≥2年", "18个月", "7.50"),
    ("≥100平方米", "90㎡", "9.00"),
    ("≥100㎡", "90平方米", "9.00"),
]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    inds = [{"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": f"指标{i + 1:02d}", "年度指标值": t, "实际完成值": a,
             "分值": 10, "偏差原因分析及改进措施": "原因"} for i, (t, a, _) in enumerate(PAIRS)]
    data = {"年度": 2025, "项目名称": "单位项目", "主管部门": "甲局", "实施单位": "乙中心",
            "项目资金": {"年度资金总额": {"年初预算数": 100, "全年预算数": 100, "全年执行数": 100},
                     "本年财政拨款": {"全年预算数": 100, "全年执行数": 100}, "分值": 10},
            "年度总体目标": {"预期目标": "甲", "实际完成情况": "乙"}, "绩效指标": inds}
    src = tmp_path_factory.mktemp("units") / "单位.yaml"
    src.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    res = CliRunner().invoke(main, ["check", str(src), "--json"])
    return json.loads(res.output)


@pytest.mark.parametrize("k", range(len(PAIRS)), ids=[f"{t}|{a}" for t, a, _ in PAIRS])
def test_converted(results, k):
    got = results["指标"][k]
    assert got["得分"] is not None and f"{got['得分']:.2f}" == PAIRS[k][2], got["说明"]


def test_no_unit_error(results):
    assert not [f for f in results["标记"] if f["代码"] in ("E-UNIT", "E-PARSE")]
