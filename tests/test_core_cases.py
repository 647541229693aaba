"""Every 自评表 case reproduces its 期望 exactly through the CLI, including the listed findings."""
import json
import re
import subprocess
import sys

import pytest

from conftest import case_files

from evaltool.core.caseio import load_case


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evaltool", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("path", case_files("自评表"), ids=lambda p: p.stem)
def test_case_reproduces_expected_through_cli(path):
    expected = load_case(path).expected
    proc = run_cli("score", str(path), "--json")
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    assert data["执行率"] == pytest.approx(expected["执行率"], abs=1e-9)
    assert data["执行率得分"] == pytest.approx(expected["执行率得分"], abs=1e-9)
    assert data["总分"] == pytest.approx(expected["总分"], abs=1e-9)
    assert data["等次"] == expected["等次"]
    assert sum(data["小计"].values()) == pytest.approx(data["总分"], abs=1e-9)

    flags = expected.get("标记") or []
    errors = [f for f in data["标记"] if f["级别"] == "错误"]
    matched = set()
    for flag in flags:
        (field, text), = flag.items()
        numbers = re.findall(r"\d+(?:\.\d+)?", text)
        hits = [i for i, f in enumerate(data["标记"])
                if f["字段"] == field and f["级别"] in ("错误", "警告") and all(n in f["说明"] for n in numbers)]
        assert hits, f"expected a finding on {field} mentioning {numbers}; got {data['标记']}"
        matched.update(hits)
    # No error beyond those the case lists.
    extra = [f for i, f in enumerate(data["标记"]) if f["级别"] == "错误" and i not in matched]
    assert not extra, extra
    assert proc.returncode == (1 if errors else 0)


def test_table_output_and_exit_code_for_entered_score_mismatch(cases_dir):
    path = next(cases_dir.glob("seed000-*.yaml"))
    proc = run_cli("score", str(path))
    assert proc.returncode == 1
    assert "99.86" in proc.stdout and "优" in proc.stdout
    assert "填报 9 与按执行率计算的 9.86 不一致" in proc.stdout


def test_rules_lists_and_shows_builtin_sets():
    proc = run_cli("rules")
    assert proc.returncode == 0
    for rid in ("国家标准", "宜春2022", "分档示例"):
        assert rid in proc.stdout
    shown = run_cli("rules", "宜春2022")
    assert shown.returncode == 0
    assert "产出指标: 60" in shown.stdout and "满意度指标: 5" in shown.stdout
    # inherited parts are shown expanded
    assert "达成预期指标" in shown.stdout


def test_band_rule_set_reproduces_the_clerks_entered_nine(cases_dir):
    path = next(cases_dir.glob("seed000-*.yaml"))
    data = json.loads(run_cli("score", str(path), "--json", "--rules", "分档示例").stdout)
    assert data["执行率得分"] == 9
    assert not [f for f in data["标记"] if f["字段"] == "执行率得分"]


def test_unspent_budget_asks_for_its_reason_until_given(cases_dir, tmp_path):
    path = next(cases_dir.glob("seed002-电子政务*.yaml"))
    data = json.loads(run_cli("score", str(path), "--json").stdout)
    reason = [f for f in data["标记"] if f["代码"] == "W-RATE-REASON"]
    assert len(reason) == 1 and "51.56%" in reason[0]["说明"] and reason[0]["级别"] == "警告"
    fixed = tmp_path / "c.yaml"
    fixed.write_text(path.read_text("utf-8") + "报告素材:\n  预算执行偏差原因: 部分合同尾款跨年支付。\n", encoding="utf-8")
    data = json.loads(run_cli("score", str(fixed), "--json").stdout)
    assert not [f for f in data["标记"] if f["代码"] == "W-RATE-REASON"]


def test_rate_that_shows_as_100_percent_needs_no_reason(cases_dir):
    from evaltool.core.caseio import load_case
    from evaltool.core.kinds import evaluate

    project = load_case(next(cases_dir.glob("seed002-电子政务*.yaml")))
    total = project.funds["年度资金总额"]
    total.budget, total.actual = 265.69, 265.689  # 99.9996%: the form shows 100.00%
    result = evaluate(project)
    assert result.rate < 1 and result.rate_display == 1
    assert not [f for f in result.findings if f.code == "W-RATE-REASON"]
    total.actual = 265.0  # 99.74%: the reason is asked for, with the rate the form shows
    reason = [f for f in evaluate(project).findings if f.code == "W-RATE-REASON"]
    assert len(reason) == 1 and "99.74%" in reason[0].message

