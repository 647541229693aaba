"""Properties of the scoring rules that must hold for any input."""
from decimal import Decimal

from hypothesis import assume, given, settings, strategies as st

from evaltool.core.model import FundRow, Indicator, Project
from evaltool.core.rules import load_rules
from evaltool.core.kinds import evaluate

RULES = load_rules()
amount = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
direction = st.sampled_from(["≥", "≤", "=", ""])
grade = st.sampled_from(["达成预期指标", "部分达成预期指标并具有一定效果", "未达成预期指标且效果较差", "显著", "基本完成"])


def project(indicators, budget=Decimal(100), actual=Decimal(90)):
    p = Project(year=2023, name="测试", department="甲", unit="乙", fund_weight=10)
    p.funds["年度资金总额"] = FundRow("年度资金总额", budget=budget, actual=actual)
    p.indicators = indicators
    return p


@st.composite
def indicator(draw):
    weight = draw(st.integers(min_value=0, max_value=50))
    if draw(st.booleans()):
        target = f"{draw(direction)}{draw(amount)}{draw(st.sampled_from(['', '个', '%', '万元']))}"
        actual = str(draw(amount))
    else:
        target, actual = "持续推动", draw(grade)
    return Indicator("产出指标", "数量指标", "指标", target, actual, weight, deviation="原因")


@settings(max_examples=300, deadline=None)
@given(st.lists(indicator(), max_size=12), amount, amount)
def test_scores_never_exceed_weights_and_total_at_most_100(inds, budget, actual):
    assume(budget > 0)
    result = evaluate(project(inds, budget, actual), RULES)
    for r in result.indicators:
        if r.score is not None:
            assert Decimal(0) <= r.score <= r.weight
    assert result.rate_score is None or result.rate_score <= result.rate_weight
    weights = sum(r.weight or 0 for r in result.indicators) + result.rate_weight
    # No indicator (or none scorable) is no grade at all (issue 11): never a total made of zeros.
    assert (result.total is None) == (result.grade is None) == bool(result.ungraded) == (not inds)
    if result.total is None:
        return
    assert result.total <= weights
    assert result.total <= 100  # even when a clerk's weights add up to more (flagged E-WEIGHT-TOTAL)
    if weights > 100:
        assert any(f.code == "E-WEIGHT-TOTAL" and "封顶" in f.message for f in result.findings)


@settings(max_examples=300, deadline=None)
@given(amount, amount, amount, st.integers(min_value=1, max_value=50), st.sampled_from(["≥", ">", "达到"]))
def test_positive_score_never_drops_when_actual_rises(target, a1, a2, weight, op):
    # (A bare target with no direction was drawn before and then skipped: those examples checked nothing.)
    lo, hi = sorted((a1, a2))
    target_text = f"{op}{target}"
    s = [evaluate(project([Indicator("产出指标", "数量指标", "x", target_text, str(actual), weight,
                                     deviation="r")]), RULES).indicators[0].score
         for actual in (lo, hi)]
    assert s[0] is not None and s[1] is not None
    assert s[0] <= s[1] <= weight


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=8, max_size=8))
def test_evaluate_never_raises_on_arbitrary_cell_text(cells):
    ind = Indicator(*cells[:7])
    p = project([ind])
    p.funds["年度资金总额"].budget = cells[7]
    result = evaluate(p, RULES)
    # Not only "no exception": the result stays a well-formed score (or, when something could not be
    # read or scored, no score at all with the reason: issue 11) and every message is Chinese.
    unscored = result.rate_score is None or any(r.score is None for r in result.indicators)
    if unscored:
        assert result.total is None and result.grade is None and result.ungraded
        assert any(f.code == "E-UNGRADED" for f in result.findings)
    else:
        assert result.total is not None and Decimal(0) <= result.total <= 100
        assert result.grade in ("优", "良", "中", "差") and not result.ungraded
    for r in result.indicators:
        assert r.score is None or Decimal(0) <= r.score <= (r.weight or 0)
    for f in result.findings:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in f.message), f.message
