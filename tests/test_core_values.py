from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from evaltool.core import values
from evaltool.core.decimals import round_half_up, to_decimal


@pytest.mark.parametrize("text, direction, value, unit", [
    ("35 万元", None, "35", "万元"),
    ("34.5万", None, "34.5", "万"),
    ("≥1000", "ge", "1000", None),
    (">=1000", "ge", "1000", None),
    ("≥ 90%", "ge", "90", "%"),
    ("≤1 天", "le", "1", "天"),
    ("=7个", "eq", "7", "个"),
    ("1000条以上", "ge", "1000", "条"),
    ("100%", None, "100", "%"),
    ("＞＝１０００", "ge", "1000", None),
    ("９３％", None, "93", "%"),
    ("1,062", None, "1062", None),
    ("不低于95%", "ge", "95", "%"),
    ("不超过35万元", "le", "35", "万元"),
    ("低于10%", "lt", "10", "%"),
    ("达到300场", "ge", "300", "场"),
    ("控制在921.47万元以内", "le", "921.47", "万元"),
    ("300人次以下", "le", "300", "人次"),
    ("2.5万余条", None, "25000", "条"),
    ("=0起", "eq", "0", "起"),
    # Years and months of something (使用年限, 工期): quantities, not dates (SWEEP S4).
    ("≥10年", "ge", "10", "年"),
    ("10年", None, "10", "年"),
    ("≤3年", "le", "3", "年"),
    ("≤11月", "le", "11", "月"),
    ("10年以上", "ge", "10", "年"),
    ("3.5年", None, "3.5", "年"),
])
def test_numbers_directions_units(text, direction, value, unit):
    p = values.parse(text)
    assert p.kind == "number"
    assert p.direction == direction
    assert p.quantity.value == Decimal(value)
    assert p.quantity.unit == unit


def test_deadlines_and_dates():
    p = values.parse("2022年12月31日前")
    assert p.kind == "deadline" and str(p.date) == "2022-12-31"
    assert values.parse("12月底前", default_year=2023).date.isoformat() == "2023-12-31"
    assert values.parse("2023-06-30").kind == "date"


def test_a_year_or_a_month_day_stays_a_date_not_a_quantity():
    assert values.parse("2022年").kind == "unknown"  # a year alone: not 2022 of something
    assert values.parse("11月", default_year=2024).date.isoformat() == "2024-11-30"
    assert values.parse("2024年11月").kind == "date"
    assert values.parse("11月30日", default_year=2024).kind == "date"
    assert values.parse("2024年11月30日前").kind == "deadline"


@pytest.mark.parametrize("text", ["持续推动", "达成预期指标", "显著", "部分达成预期指标并具有一定效果", "定性"])
def test_qualitative_words(text):
    assert values.parse(text).kind == "qualitative"


def test_ambiguous_text_with_digits_is_unknown_not_guessed():
    p = values.parse("网站：836条 微信：936条")
    assert p.kind == "unknown" and p.problem


def test_align_converts_safe_units_and_refuses_unsafe():
    t, a = values.parse("≤35万元").quantity, values.parse("345000元").quantity
    c = values.align(t, a)
    assert c.actual == Decimal("34.5") and c.note
    c = values.align(values.parse("≥90%").quantity, values.parse("0.93").quantity)
    assert c.actual == Decimal("93.00") and c.note
    c = values.align(values.parse("≥90%").quantity, values.parse("95个").quantity)
    assert c.problem and "不一致" in c.problem
    c = values.align(values.parse("≥10个").quantity, values.parse("12条").quantity)
    assert c.problem


def test_half_up_rounding_not_bankers():
    assert round_half_up(Decimal("5.155"), 2) == Decimal("5.16")
    assert round_half_up(Decimal("2.5"), 0) == Decimal("3")
    assert round_half_up(to_decimal(1.005), 2) == Decimal("1.01")  # float noise does not leak in


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=True), st.none(), st.booleans(),
                 st.text(alphabet="≥≤<>=％%０１２３４５６７８９0123456789.,万元个条天年月日前以上以下 -", max_size=20)))
def test_parse_never_raises(raw):
    p = values.parse(raw)
    assert p.kind in ("number", "qualitative", "deadline", "date", "empty", "unknown")
    if p.kind == "unknown":
        assert p.problem
