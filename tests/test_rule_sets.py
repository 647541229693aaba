"""Issue 11 item 5: rule sets — removing an inherited 一级, weights that must add up to 100, and rule
files named in a case file found from the case file's folder."""
from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from evaltool.cli import main
from evaltool.core.caseio import load_case
from evaltool.core.rules import RuleError, load_rules
from evaltool.core.scoring import evaluate

CASE = Path(__file__).parent / "cases" / "seed002-电子政务各项专项经费.yaml"


def run(*args, ok=(0, 1)):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code in ok, (result.exit_code, result.output, result.exception)
    return result


def hubei_case(tmp_path: Path, rules: str) -> Path:
    """A form with 执行率 20 and two goals of 40 (产出 40, 效益 40 with 满意度 as its 二级)."""
    data = yaml.safe_load(CASE.read_text("utf-8"))
    data.pop("期望")
    data["规则"] = rules
    data["项目资金"]["分值"] = 20
    inds = data["绩效指标"]
    # 产出: 15 + 20 + 10 + 5 = 50 -> 10 + 15 + 10 + 5 = 40
    inds[0]["分值"], inds[0]["得分"] = 10, 10
    inds[1]["分值"], inds[1]["得分"] = 15, 15
    # 效益 30 + 满意度 10 moved under 效益 = 40
    inds[-1]["一级指标"] = "效益指标"
    path = tmp_path / "湖北.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


def test_builtin_example_removes_an_inherited_level1():
    rules = load_rules("执行率20示例")
    assert rules.rate_weight == 20 and dict(rules.level1_weights) == {"产出指标": 40, "效益指标": 40}
    assert "满意度指标" not in rules.framework and "服务对象满意度指标" in rules.framework["效益指标"]


def test_a_form_with_rate_20_and_two_goals_of_40_scores_cleanly(tmp_path):
    data = json.loads(run("score", hubei_case(tmp_path, "执行率20示例"), "--json").stdout)
    codes = {m["代码"] for m in data["标记"]}
    assert not codes & {"E-WEIGHT-L1", "E-WEIGHT-TOTAL", "E-WEIGHT-RATE", "E-UNKNOWN-L1", "W-UNKNOWN-L2"}, codes
    # 20 × 137 / 265.69 = 10.31; every indicator full marks: 40 + 40.
    assert data["执行率得分"] == 10.31 and data["总分"] == 90.31 and data["等次"] == "优"
    assert set(data["小计"]) == {"预算执行率", "产出指标", "效益指标"}
    # The national rule set flags the same form: its weights are not the national ones.
    national = json.loads(run("score", hubei_case(tmp_path, "国家标准"), "--json").stdout)
    assert {"E-WEIGHT-RATE", "E-WEIGHT-L1"} <= {m["代码"] for m in national["标记"]}


def test_a_bureau_file_removes_a_level1_with_an_empty_value(tmp_path):
    (tmp_path / "某市.yaml").write_text(
        "编号: 某市\n继承: 国家标准\n权重:\n  预算执行率: 20\n  一级指标:\n    产出指标: 40\n    效益指标: 40\n"
        "    满意度指标:\n", "utf-8")
    rules = load_rules(str(tmp_path / "某市.yaml"))
    assert list(rules.level1_weights) == ["产出指标", "效益指标"] and rules.total_weight == 100


@pytest.mark.parametrize("body, numbers", [
    ("权重:\n  一级指标: {产出指标: 60, 效益指标: 25, 满意度指标: 10}\n", ("105", "预算执行率 10", "产出指标 60", "应为 100")),
    ("权重:\n  预算执行率: 20\n", ("110", "预算执行率 20", "应为 100")),
    ("权重:\n  一级指标: {满意度指标: ~}\n", ("90", "应为 100")),
])
def test_weights_not_adding_up_to_100_are_refused_when_loaded(tmp_path, body, numbers):
    path = tmp_path / "坏.yaml"
    path.write_text("编号: 坏\n继承: 国家标准\n" + body, "utf-8")
    with pytest.raises(RuleError) as exc:
        load_rules(str(path))
    for n in numbers:
        assert n in str(exc.value), str(exc.value)
    res = run("score", CASE, "--rules", path, ok=(2,))
    assert "分值合计" in res.output and "Traceback" not in res.output


def test_a_rule_set_may_declare_its_full_marks(tmp_path):
    path = tmp_path / "满分.yaml"
    path.write_text("编号: 满分\n继承: 国家标准\n满分: 110\n权重:\n  预算执行率: 20\n", "utf-8")
    assert load_rules(str(path)).total_weight == 110


def test_a_scoresheet_framework_not_adding_up_to_100_is_refused(tmp_path):
    from evaltool.kinds.scoresheet.framework import sheet_rules

    path = tmp_path / "框架.yaml"
    path.write_text("编号: 框架\n继承: 国家标准\n评分表:\n  框架:\n    - 名称: 四段式\n      一级指标:\n"
                    "        决策: 30\n        过程: 20\n        产出: 30\n        效益: 30\n", "utf-8")
    with pytest.raises(RuleError) as exc:
        sheet_rules(load_rules(str(path)))
    assert "110" in str(exc.value) and "四段式" in str(exc.value)


def test_a_rule_file_in_a_case_is_found_from_the_case_folder(tmp_path, monkeypatch):
    folder = tmp_path / "单位"
    folder.mkdir()
    (folder / "本地规则.yaml").write_text(
        "编号: 本地\n继承: 国家标准\n权重:\n  预算执行率: 20\n  一级指标: {产出指标: 40, 效益指标: 40, 满意度指标: ~}\n",
        "utf-8")
    case = hubei_case(folder, "本地规则.yaml")
    elsewhere = tmp_path / "别处"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the command is run from another folder
    assert load_case(case).rules == str((folder / "本地规则.yaml").resolve())
    data = json.loads(run("score", case, "--json").stdout)
    assert data["规则"] == "本地" and data["总分"] == 90.31
    # Relative to the case file also from a sub-folder.
    (folder / "规则").mkdir()
    (folder / "本地规则.yaml").rename(folder / "规则" / "本地规则.yaml")
    case = hubei_case(folder, os.path.join("规则", "本地规则.yaml"))
    assert json.loads(run("score", case, "--json").stdout)["规则"] == "本地"


def test_a_missing_rule_file_in_a_case_says_where_it_was_looked_for(tmp_path):
    case = hubei_case(tmp_path, "没有这个.yaml")
    res = run("check", case, ok=(2,))
    assert "没有这个.yaml" in res.output and "案例文件所在的文件夹" in res.output and str(tmp_path.name) in res.output
    # A built-in id is not taken for a file, and an unknown id keeps its own message.
    assert load_case(hubei_case(tmp_path, "宜春2022")).rules == "宜春2022"
    res = run("check", hubei_case(tmp_path, "不存在的规则集"), ok=(2,))
    assert "没有名为“不存在的规则集”的规则集" in res.output


def test_rules_command_lists_the_new_example():
    res = run("rules")
    assert "执行率20示例" in res.output
    assert Decimal(20) == load_rules("执行率20示例").rate_weight
