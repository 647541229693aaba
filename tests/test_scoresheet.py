"""评分表 (evaluation scoring table): seed 001 through the CLI, formula and judgement indicators,
evaluators against the table, 绩效目标表 tiers in both directions, report facts and text check."""
import copy
import json
import subprocess
import sys
from decimal import Decimal

import pytest
import yaml

from conftest import case_files

from evaltool.core.caseio import case_from_dict, load_case
from evaltool.core.rules import RuleError, load_rules
from evaltool.kinds.scoresheet.facts import check_report_text, pct_text, scoresheet_facts
from evaltool.kinds.scoresheet.framework import sheet_rules
from evaltool.kinds.scoresheet.scoring import evaluate_sheet

SEED001 = case_files("评分表")
NATIONAL = load_rules()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evaltool", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def seed001_data():
    (path,) = [p for p in SEED001 if p.name.startswith("seed001-")]
    return yaml.safe_load(path.read_text("utf-8"))


def project_of(data):
    return case_from_dict(copy.deepcopy(data), "测试案例")


def codes(result, severity=None):
    return [f.code for f in result.findings if severity is None or f.severity == severity]


# ---- the contract: every 期望 through the CLI ---------------------------------------------------
@pytest.mark.parametrize("path", SEED001, ids=lambda p: p.stem)
def test_case_reproduces_every_expected_through_cli(path):
    expected = load_case(path).expected
    proc = run_cli("score", str(path), "--json")
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    assert expected, "a 评分表 case must state its 期望"
    for key, value in expected.items():
        if isinstance(value, (int, float)):
            assert data[key] == pytest.approx(value, abs=1e-9), key
        else:
            assert data[key] == value, key
    assert data["类型"] == "评分表"
    assert sum(data["小计"].values()) == pytest.approx(data["总分"], abs=1e-9)
    assert data["错误数"] == 0 and proc.returncode == 0, data["标记"]


def test_seed001_numbers_and_table_output(seed001_data, tmp_path):
    path = tmp_path / "seed001.yaml"
    path.write_text(yaml.safe_dump(seed001_data, allow_unicode=True), "utf-8")
    proc = run_cli("score", str(path))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for text in ("框架：三段式", "资金到位率 100.00%", "资金使用率 44.84%", "平均得分 98.50", "总分 98.50", "等次 优",
                 "项目决策 19.00/20", "项目管理 24.50/25", "项目绩效 55.00/55"):
        assert text in out, text


def test_seed001_formula_indicator_and_deduction_without_reason_are_warnings(seed001_data):
    result = evaluate_sheet(project_of(seed001_data))
    assert codes(result, "error") == []
    # 到位率 scored 2.5 of 3 although 资金到位率 is 100%: kept (evaluator's judgement) but flagged.
    formula = [f for f in result.findings if f.code == "W-SS-FORMULA"]
    assert len(formula) == 1 and "2.5" in formula[0].message and "3.00" in formula[0].message
    assert str(formula[0].location) == "评分指标[6].得分"
    assert result.indicators[5].score == Decimal("2.5")
    basis = [f for f in result.findings if f.code == "W-SS-BASIS"]
    assert [str(f.location) for f in basis] == ["评分指标[5].评分依据"]


def test_reason_turns_formula_warning_into_note(seed001_data):
    seed001_data["评分指标"][5]["评分依据"] = "部分资金到位较晚，酌情扣分"
    result = evaluate_sheet(project_of(seed001_data))
    assert "W-SS-FORMULA" not in codes(result) and "I-SS-FORMULA" in codes(result)


# ---- formula indicators ----------------------------------------------------------------------
def test_formula_row_without_score_is_computed(seed001_data):
    seed001_data["评分指标"][5].pop("得分")
    seed001_data["项目基本信息"]["实际到位资金"] = 156.008  # 80% of 195.01
    result = evaluate_sheet(project_of(seed001_data))
    row = result.indicators[5]
    assert row.method == "公式" and row.score == Decimal("2.40")
    assert result.arrival_rate == Decimal("156.008") / Decimal("195.01")
    assert result.total == Decimal("98.40")  # 98.5 - 2.5 + 2.4


def test_compute_mode_replaces_typed_formula_score(seed001_data, tmp_path):
    rule = tmp_path / "严格.yaml"
    rule.write_text("编号: 严格\n继承: 国家标准\n评分表:\n  公式指标得分: 计算\n", "utf-8")
    result = evaluate_sheet(project_of(seed001_data), load_rules(str(rule)))
    assert "E-SS-FORMULA" in codes(result, "error")
    assert result.indicators[5].score == Decimal("3.00") and result.total == Decimal("99.00")


def test_four_part_framework_detected_and_budget_rate_computed():
    rows = [dict(r) for r in sheet_rules(load_rules()).framework("四段式").default_rows()]
    for r in rows:
        r["得分"] = r["分值"]
    rows = [r for r in rows if r["三级指标"] != "预算执行率"] + [
        {"一级指标": "过程", "二级指标": "资金管理", "三级指标": "预算执行率", "分值": 4}]
    project = case_from_dict({
        "类型": "评分表", "年度": 2022, "项目名称": "测试", "实施单位": "某局",
        "项目基本信息": {"计划投资额": 100, "实际到位资金": 80, "实际使用情况": 60},
        "评分指标": rows})
    result = evaluate_sheet(project)
    assert result.framework == "四段式"
    assert result.arrival_display == Decimal("0.8000") and result.use_display == Decimal("0.7500")
    budget = result.indicators[-1]
    assert budget.method == "公式" and budget.score == Decimal("3.00")  # 4 × 75%
    # 资金到位率 typed 3 but formula gives 2.4: warning, typed score kept
    assert "W-SS-FORMULA" in codes(result)
    assert result.total == Decimal("99.00")
    assert codes(result, "error") == []


def test_frameworks_listed_and_rule_variant_defaults_to_three_parts():
    assert sheet_rules(load_rules()).default == "四段式"
    three = sheet_rules(load_rules("评分表三段式"))
    fw = three.framework()
    assert three.default == "三段式" and {k: int(v.weight) for k, v in fw.level1.items()} == {
        "项目决策": 20, "项目管理": 25, "项目绩效": 55}
    assert sum(r["分值"] for r in fw.default_rows()) == 100
    four = sheet_rules(load_rules()).framework("四段式")
    assert list(four.level1) == ["决策", "过程", "产出", "效益"] and four.total_weight == 100
    proc = run_cli("frameworks")
    assert proc.returncode == 0 and "三段式" in proc.stdout and "预算执行率 4（公式）" in proc.stdout


def test_bad_framework_rules_get_chinese_message(tmp_path):
    rule = tmp_path / "坏.yaml"
    rule.write_text("编号: 坏\n继承: 国家标准\n评分表:\n  框架:\n    - 名称: 四段式\n      公式指标: {资金到位率: 到位比}\n", "utf-8")
    with pytest.raises(RuleError, match="公式指标"):
        sheet_rules(load_rules(str(rule)))


# ---- judgement indicators checked against their weight ---------------------------------------
def test_judgement_scores_checked_against_weight(seed001_data):
    seed001_data["评分指标"][0]["得分"] = 5  # 目标内容: weight 4
    seed001_data["评分指标"][1].pop("得分")
    seed001_data["评分指标"][2]["得分"] = "五分"
    result = evaluate_sheet(project_of(seed001_data))
    errors = {f.code: f for f in result.findings if f.severity == "error"}
    assert "超过分值 4" in errors["E-SS-SCORE-OVER"].message
    assert str(errors["E-SS-SCORE-OVER"].location) == "评分指标[1].得分"
    assert str(errors["E-SS-SCORE-MISSING"].location) == "评分指标[2].得分"
    assert "E-NUMBER" in errors
    assert result.indicators[0].score == Decimal(4)  # capped at the weight


def test_weights_must_add_up_to_the_framework(seed001_data):
    seed001_data["评分指标"][0]["分值"] = 5
    seed001_data["评分指标"][0]["得分"] = 5
    result = evaluate_sheet(project_of(seed001_data))
    msgs = [f.message for f in result.findings if f.code == "E-SS-WEIGHT-L1"]
    assert msgs == ["“项目决策”下各三级指标分值合计 21 分，框架“三段式”规定为 20 分，请调整分值使其相符。"]
    assert "E-SS-WEIGHT-TOTAL" in codes(result)


def test_unknown_level1_is_an_error(seed001_data):
    seed001_data["评分指标"][0]["一级指标"] = "项目准备"
    result = evaluate_sheet(project_of(seed001_data))
    assert "E-SS-UNKNOWN-L1" in codes(result, "error")


# ---- evaluators ------------------------------------------------------------------------------
def test_evaluators_disagreeing_with_table_beyond_tolerance_are_flagged(seed001_data, tmp_path):
    seed001_data["评价人员"][1]["项目评分"] = 90  # (99 + 90) / 2 = 94.5 vs table 98.5
    path = tmp_path / "disagree.yaml"
    path.write_text(yaml.safe_dump(seed001_data, allow_unicode=True), "utf-8")
    proc = run_cli("score", str(path), "--json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["评价人员平均得分"] == 94.5 and data["总分"] == 98.5
    flagged = [f for f in data["标记"] if f["代码"] == "E-SS-EVAL-AVG"]
    assert flagged and "94.5" in flagged[0]["说明"] and "98.5" in flagged[0]["说明"] and "0.5" in flagged[0]["说明"]
    spread = [f for f in data["标记"] if f["代码"] == "W-SS-EVAL-SPREAD"]
    assert len(spread) == 1 and spread[0]["位置"] == "评价人员[2].项目评分"
    assert data["等次"] == "优"  # 94.5


@pytest.mark.parametrize("scores,flagged", [((99, 98), False), ((99, 97), False), ((99, 96.9), True),
                                            ((98.5,), False), ((100, 96), False), ((100, 95), True)])
def test_average_tolerance_boundary(seed001_data, scores, flagged):
    # default tolerance 0.5: average 98.0 is allowed, 97.95 is not
    seed001_data["评价人员"] = [{"姓名": f"评价人员{i}", "项目评分": s} for i, s in enumerate(scores)]
    result = evaluate_sheet(project_of(seed001_data))
    assert ("E-SS-EVAL-AVG" in codes(result)) == flagged


def test_tolerance_comes_from_the_rule_set(seed001_data, tmp_path):
    seed001_data["评价人员"] = [{"姓名": "甲", "项目评分": 99}, {"姓名": "乙", "项目评分": 97.5}]  # 98.25
    assert "E-SS-EVAL-AVG" not in codes(evaluate_sheet(project_of(seed001_data)))
    rule = tmp_path / "零偏差.yaml"
    rule.write_text("编号: 零偏差\n继承: 国家标准\n评分表:\n  评价人员: {平均分允许偏差: 0}\n", "utf-8")
    result = evaluate_sheet(project_of(seed001_data), load_rules(str(rule)))
    assert "E-SS-EVAL-AVG" in codes(result, "error")


def test_grade_from_the_average_and_without_evaluators_from_the_total(seed001_data):
    seed001_data["评价人员"] = [{"姓名": "甲", "项目评分": 89}, {"姓名": "乙", "项目评分": 90}]  # 89.5 → 良
    result = evaluate_sheet(project_of(seed001_data))
    assert result.average == Decimal("89.50") and result.grade == "良"
    seed001_data["评价人员"] = []
    result = evaluate_sheet(project_of(seed001_data))
    assert result.average is None and result.grade == "优" and "I-SS-NO-EVALUATORS" in codes(result)


def test_evaluator_score_out_of_range(seed001_data):
    seed001_data["评价人员"][0]["项目评分"] = 990
    result = evaluate_sheet(project_of(seed001_data))
    assert "E-SS-EVAL-RANGE" in codes(result, "error") and result.average == Decimal("98.00")


# ---- 绩效目标表 tiers -------------------------------------------------------------------------
def tier(actual, standards=("1000条", "700条", "500条", "300条"), goal="", year=2020):
    row = {"指标名称": "指标", "绩效目标": goal, "实际完成值": actual}
    row.update(dict(zip(("优", "良", "中", "差"), standards)))
    project = case_from_dict({"类型": "评分表", "年度": year, "项目名称": "测试", "实施单位": "某局",
                              "绩效目标表": [row]})
    result = evaluate_sheet(project, NATIONAL)
    return result.targets[0], result


@pytest.mark.parametrize("actual,expected", [
    ("1772条", "优"), ("1000条", "优"), ("999条", "良"), ("700条", "良"), ("699.5条", "中"), ("500条", "中"),
    ("499条", "差"), ("300条", "差"), ("12条", "差"), (1000, "优"), ("１０００条", "优"), ("1,200条", "优"),
])
def test_tier_more_is_better(actual, expected):
    target, _ = tier(actual)
    assert target.tier == expected and target.direction == "ge"


@pytest.mark.parametrize("actual,expected", [
    ("0%", "优"), ("10%", "优"), ("10.01%", "良"), ("14%", "良"), ("14.5%", "中"), ("18%", "中"),
    ("18.01%", "差"), ("35%", "差"), (0.12, "良"),
])
def test_tier_less_is_better(actual, expected):
    target, _ = tier(actual, ("10%", "14%", "18%", "18%以上"))
    assert target.tier == expected and target.direction == "le"


def test_tier_direction_from_words_when_one_standard():
    assert tier("5天", ("≤7天",))[0].tier == "优"
    assert tier("9天", ("7天",), goal="处理时间不超过7天")[0].tier == "差"
    assert tier("9天", ("7天",), goal="培训7天以上")[0].tier == "优"
    target, result = tier("9天", ("7天",))
    assert target.tier is None and "E-SS-TIER-DIRECTION" in codes(result)


def test_tier_problems_are_reported_on_the_row():
    target, result = tier("1772个", ("1000条", "700条", "500条", "300条"))
    assert target.tier is None and "E-SS-TIER-UNIT" in codes(result)
    target, result = tier("800条", ("1000条", "700条", "900条", "300条"))
    assert target.tier is None and "E-SS-TIER-ORDER" in codes(result)
    target, result = tier(None)
    assert target.tier is None and "W-SS-TIER-ACTUAL" in codes(result)
    target, _ = tier("良好", ("优秀", "良好", "一般", "较差"))
    assert target.tier == "良"


def test_tier_standards_in_different_units_are_compared_in_one_unit():
    # 1万元 is more than 5000元: more is better and the order is right, not "越少越好" with a wrong order
    target, result = tier("8000元", ("1万元", "5000元", "3000元", "3000元以下"))
    assert "E-SS-TIER-ORDER" not in codes(result)
    assert target.direction == "ge" and target.tier == "良" and "“良”的标准 0.5万元" in target.explanation
    target, result = tier(800, ("1000条", "700个"))  # no common unit: not compared as plain numbers
    assert target.tier is None and "E-SS-TIER-UNIT" in codes(result)


# ---- report facts and the text check ----------------------------------------------------------
def test_report_facts_state_the_rates(seed001_data):
    facts = scoresheet_facts(project_of(seed001_data))
    assert facts["资金到位率文本"] == "100%" and facts["资金使用率文本"] == "44.84%"
    assert facts["资金使用率"] == Decimal("0.4484") and facts["最终得分"] == Decimal("98.50")
    assert "资金到位率100%" in facts["句子"]["资金到位"] and "44.84%" in facts["句子"]["资金使用"]
    assert [x["名称"] for x in facts["一级指标"]] == ["项目决策", "项目管理", "项目绩效"]
    assert [x["三级指标"] for x in facts["扣分指标"]] == ["分配结果", "到位率"]
    assert {x["指标名称"]: x["等级"] for x in facts["绩效目标"]} == {"信息采集数量": "优", "故障宕机率": "优"}
    assert pct_text(Decimal("0.5")) == "50%" and pct_text(Decimal("0.50104")) == "50.10%"
    # section 四 follows the national outline whatever the framework's own 一级 names
    sections = {x["章节"]: x for x in facts["指标分析"]}
    assert list(sections) == ["项目决策", "项目过程", "项目产出", "项目效益"]
    assert sections["项目过程"]["得分"] == Decimal("24.5") and sections["项目过程"]["分值"] == 25
    assert "“到位率”扣0.5分" in sections["项目过程"]["句子"]
    assert sections["项目效益"]["分值"] == 40 and "未扣分" in sections["项目效益"]["句子"]


def test_report_sections_for_the_four_part_framework():
    rows = sheet_rules(load_rules()).framework("四段式").default_rows()
    for r in rows:
        r["得分"] = r["分值"]
    rows[-1]["得分"] = 8
    rows[-1]["评分依据"] = "满意度调查为 80%"
    project = case_from_dict({"类型": "评分表", "年度": 2022, "项目名称": "测试", "实施单位": "某局", "评分指标": rows})
    sections = {x["章节"]: x for x in scoresheet_facts(project)["指标分析"]}
    assert sections["项目效益"]["得分"] == 28 and "（满意度调查为 80%）" in sections["项目效益"]["句子"]
    assert sections["项目产出"]["指标"] == ["产出"]


def test_report_check_flags_seed001_sentence_only(seed001_data):
    project = project_of(seed001_data)
    seed_text = ("该项目资金已全部到位。\n2020年省商务厅信息系统运行维护预算投资195.01万元，实际支出87.44万元，占44.83%。"
                 "主要支出包括：系统运维、网络安全保障及其他运维费用等。\n"
                 "从项目决策、项目管理、项目绩效等三个方面对项目进行了自评，自评得分98.5分，总体评价为优。")
    findings = check_report_text(project, seed_text)
    assert [f.code for f in findings] == ["E-SS-REPORT-RATE"]
    assert "44.83%" in findings[0].message and "44.84%" in findings[0].message
    fixed = seed_text.replace("44.83%", "44.84%")
    assert check_report_text(project, fixed) == []
    assert check_report_text(project, "实际支出87.44万元，占44.8%。") == []  # fewer places, rounded right
    wrong = check_report_text(project, "资金到位率为95%。自评得分97分，总体评价为良。")
    assert [f.code for f in wrong] == ["E-SS-REPORT-RATE", "E-SS-REPORT-SCORE", "E-SS-REPORT-GRADE"]


# ---- unusable input ----------------------------------------------------------------------------
def test_malformed_blocks_exit_2_with_chinese_message(seed001_data, tmp_path):
    seed001_data["评分指标"] = "目标内容 4 分"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(seed001_data, allow_unicode=True), "utf-8")
    proc = run_cli("score", str(path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "评分指标" in proc.stderr and "列表" in proc.stderr


def test_garbage_values_never_raise(seed001_data):
    seed001_data["项目基本信息"].update({"计划投资额": "约两百万", "实际到位资金": 0, "实际使用情况": -3})
    seed001_data["评分指标"][3]["分值"] = None
    seed001_data["评价人员"].append({"姓名": None, "项目评分": "九十"})
    seed001_data["绩效目标表"][0]["优"] = "一千条"
    result = evaluate_sheet(project_of(seed001_data))
    assert result.errors and result.arrival_rate is None and result.use_rate is None


# ---- properties --------------------------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ORDER = {"优": 0, "良": 1, "中": 2, "差": 3}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 5000), min_size=4, max_size=4, unique=True), st.integers(0, 6000),
       st.integers(0, 6000), st.booleans())
def test_tier_is_monotone_in_the_actual_value(levels, a, b, less_is_better):
    levels = sorted(levels, reverse=not less_is_better)
    standards = tuple(f"{x}个" for x in levels)
    lo, hi = sorted((a, b))
    t_lo, t_hi = tier(f"{lo}个", standards)[0], tier(f"{hi}个", standards)[0]
    assert t_lo.direction == t_hi.direction == ("le" if less_is_better else "ge")
    if less_is_better:
        assert ORDER[t_lo.tier] <= ORDER[t_hi.tier]
    else:
        assert ORDER[t_lo.tier] >= ORDER[t_hi.tier]
    # the first tier's own threshold always reaches it
    assert tier(standards[0], standards)[0].tier == "优"


def test_variant_rule_set_scores_seed001_the_same(tmp_path):
    (path,) = [p for p in SEED001 if p.name.startswith("seed001-")]
    proc = run_cli("score", str(path), "--json", "--rules", "评分表三段式")
    data = json.loads(proc.stdout)
    assert proc.returncode == 0 and data["框架"] == "三段式" and data["总分"] == 98.5 and data["规则"] == "评分表三段式"


def test_fund_rates_state_numerator_and_denominator(seed001_data):
    seed001_data["项目基本信息"]["实际到位资金"] = 156.008
    result = evaluate_sheet(project_of(seed001_data))
    planned, arrived, used = Decimal("195.01"), Decimal("156.008"), Decimal("87.44")
    assert result.fund_rates == {"资金到位率": (arrived / planned, arrived, planned),
                                 "资金使用率": (used / arrived, used, arrived)}
    assert result.fund_rates["资金到位率"][0] == result.arrival_rate
    assert result.fund_rates["资金使用率"][0] == result.use_rate


def test_weight_sums_leave_out_a_level1_without_any_weight(seed001_data):
    for row in seed001_data["评分指标"]:
        if row["一级指标"] == "项目决策":
            row["分值"] = None
    result = evaluate_sheet(project_of(seed001_data))
    assert result.weight_sums == {"项目管理": 25, "项目绩效": 55} and result.weight_total == 80
    msgs = [f.message for f in result.findings if f.code == "E-SS-WEIGHT-L1"]
    assert msgs == ["“项目决策”下各三级指标分值合计 0 分，框架“三段式”规定为 20 分，请调整分值使其相符。"]
    assert "E-SS-WEIGHT-TOTAL" in codes(result)
