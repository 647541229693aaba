"""Parsing what clerks type: directions, percentages, numbers with units, dates, grade words.

Never raises on any input: what cannot be read unambiguously comes back as kind "unknown" with a
Chinese reason, and the caller turns that into a finding for the cell concerned.
"""
from __future__ import annotations

import datetime as _dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from evaltool.core import limits
from evaltool.core.decimals import HUNDRED, to_decimal

TOO_LARGE = "数值过大"  # problems starting with this name a figure beyond limits.NUMBER
# Non-numbers some programs write where a number belongs (NaN, INF): never a quantity.
_NOT_A_NUMBER = re.compile(r"^[-+]?(?:nan|inf|infinity|#num!|#div/0!|1\.#inf|1\.#qnan)$", re.IGNORECASE)


def too_large(value: Decimal, bound: Decimal | None = None) -> str | None:
    """The Chinese problem for a figure beyond the bound (default limits.NUMBER), else None."""
    bound = limits.get("NUMBER") if bound is None else bound
    if abs(value) > bound:
        return f"{TOO_LARGE}（绝对值超过 {bound:,.0f}），请核对是否多写了位数或单位"
    return None

# Unit families whose members convert safely into one another (factor to the family's base).
MONEY = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "万": Decimal(10000),
         "亿元": Decimal(100000000)}
DURATION = {"分钟": Decimal(1), "小时": Decimal(60), "天": Decimal(1440), "日": Decimal(1440)}
PERCENT = {"%": Decimal(1), "‰": Decimal("0.1"), "个百分点": Decimal(1)}
# Spellings of one measure (公里 = 千米, 吨 = t, ㎡ = 平方米) and their safe multiples.
LENGTH = {"米": Decimal(1), "m": Decimal(1), "公里": Decimal(1000), "千米": Decimal(1000), "km": Decimal(1000)}
MASS = {"千克": Decimal(1), "公斤": Decimal(1), "kg": Decimal(1), "吨": Decimal(1000), "t": Decimal(1000)}
AREA = {"平方米": Decimal(1), "平米": Decimal(1), "平方公里": Decimal(1000000)}
# 使用年限, 工期: 1年 = 12个月 (never days: months vary; a bare “月” may be a month of the year, S25)
MONTHS = {"个月": Decimal(1), "年": Decimal(12)}
_FAMILIES = {"length": LENGTH, "mass": MASS, "area": AREA, "months": MONTHS}

DIRECTION_LABEL = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "eq": "="}

# Operators in front of a number, longest first (after NFKC, full-width forms are ASCII already).
_PREFIX_OPS = [
    (">=", "ge"), ("=>", "ge"), ("≥", "ge"), ("≧", "ge"), ("<=", "le"), ("=<", "le"), ("≤", "le"),
    ("≦", "le"), ("==", "eq"), (">", "gt"), ("<", "lt"), ("=", "eq"),
]
_PREFIX_WORDS = [
    ("大于等于", "ge"), ("大于或等于", "ge"), ("不低于", "ge"), ("不少于", "ge"), ("不小于", "ge"),
    ("至少", "ge"), ("达到", "ge"), ("超过", "gt"), ("大于", "gt"), ("高于", "gt"), ("多于", "gt"),
    ("小于等于", "le"), ("小于或等于", "le"), ("不超过", "le"), ("不高于", "le"), ("不多于", "le"),
    ("不大于", "le"), ("控制在", "le"), ("最多", "le"), ("低于", "lt"), ("小于", "lt"),
    ("少于", "lt"), ("等于", "eq"), ("为", "eq"),
]
_SUFFIX_WORDS = [
    ("及以上", "ge"), ("或以上", "ge"), ("以上", "ge"), ("及以下", "le"), ("或以下", "le"),
    ("以下", "le"), ("以内", "le"), ("之内", "le"), ("内", "le"),
]

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+)(?![\d,])")
_QUANTITY = re.compile(rf"^({_NUMBER})([^\d]{{0,6}})$")
_DATE = re.compile(
    r"^(?:(\d{4})\s*(?:年|[-/.]))?\s*(\d{1,2})\s*(?:月|[-/.])\s*(?:(\d{1,2})\s*日?|底|末)?$"
)
_DEADLINE_SUFFIX = ("之前", "以前", "前", "底前", "内", "以内")
# "不晚于2025年11月30日", "截至2025-11-30": a deadline written before its date (≤ and < are read as directions)
_DEADLINE_PREFIX = ("不晚于", "不迟于", "截至", "截止")
_YEAR_END = re.compile(r"^(\d{4})?年(?:底|末)$")  # "2025年底", "年底" (the form's year)
_DOTTED = re.compile(r"^\d{4}\.\d{1,2}\.\d{1,2}$")  # "2025.11.20": a date, never a decimal (two dots)


@dataclass(frozen=True)
class Quantity:
    value: Decimal  # as typed, in its own unit (93% -> 93)
    unit: str | None  # as typed after normalising ("万元", "个", "%"), None when bare

    @property
    def percent(self) -> bool:
        return self.unit in PERCENT

    @property
    def family(self) -> str | None:
        if self.unit in MONEY:
            return "money"
        if self.unit in DURATION:
            return "duration"
        if self.unit in PERCENT:
            return "percent"
        return next((name for name, table in _FAMILIES.items() if self.unit in table), None)

    def text(self) -> str:
        from evaltool.core.decimals import fmt

        return f"{fmt(self.value)}{self.unit or ''}"


@dataclass(frozen=True)
class Parsed:
    kind: str  # number | qualitative | deadline | date | empty | unknown
    raw: Any
    text: str = ""  # normalised text
    direction: str | None = None  # ge gt le lt eq, when stated
    quantity: Quantity | None = None
    date: _dt.date | None = None
    problem: str | None = None  # Chinese, for kind "unknown"


def normalize(text: str) -> str:
    """Full-width to half-width, unify look-alike symbols, drop all white space."""
    # ㎡ / m² would become "m2" under NFKC, a digit inside the unit: spelt out first.
    text = unicodedata.normalize("NFKC", text.replace("㎡", "平方米").replace("m²", "平方米").replace("㎢", "平方公里"))
    text = (text.replace("≧", "≥").replace("≦", "≤").replace("﹥", ">").replace("﹤", "<")
            .replace("％", "%").replace("，", ",").replace("。", "."))
    text = re.sub(r"\s+", "", text)
    return _THOUSANDS.sub(lambda m: m.group(1).replace(",", ""), text)


def _strip_approx(text: str) -> str:
    """Drop 约/左右/余/多 around a number: "约700个" and "700余个" both read as 700 个."""
    if text.startswith("约"):
        text = text[1:]
    if text.endswith("左右"):
        text = text[:-2]
    return re.sub(r"(?<=\d)[余多]", "", text)


def _split_direction(text: str) -> tuple[str | None, str]:
    for op, direction in _PREFIX_OPS:
        if text.startswith(op):
            return direction, text[len(op):]
    for word, direction in _PREFIX_WORDS:
        if text.startswith(word) and len(text) > len(word) and re.match(r"[-+.\d]", text[len(word)]):
            rest = text[len(word):]
            # "控制在921万元以内" carries its direction twice; the suffix agrees.
            for suffix, _ in _SUFFIX_WORDS:
                if rest.endswith(suffix):
                    rest = rest[: -len(suffix)]
                    break
            return direction, rest
    for suffix, direction in _SUFFIX_WORDS:
        if text.endswith(suffix) and len(text) > len(suffix):
            return direction, text[: -len(suffix)]
    return None, text


def _quantity(text: str, directed: bool = False) -> Quantity | None:
    m = _QUANTITY.match(text)
    if not m:
        return None
    number, unit = m.group(1), m.group(2)
    if unit and re.search(r"[.,:;/()\[\]=<>≥≤]", unit):
        return None
    # "10年" / "≥10年" / "≤11月" (使用年限, 工期) are quantities; "2022年" alone is a year, not 2022 of
    # something (dates and month ends are read before this, so "11月" with a known year is a date).
    if unit in ("年", "月") and not directed and re.fullmatch(r"[-+]?\d{4,}(?:\.0*)?", number):
        return None
    value = to_decimal(number)
    if value is None:
        return None
    # "2.5万条" is 25000 条; "34.5万" alone is left as 万 and read as 万元 next to money.
    if unit and unit.startswith("万") and len(unit) > 1 and unit not in MONEY:
        value, unit = value * 10000, unit[1:].lstrip("余多")
    return Quantity(value=value, unit=unit or None)


def _date(text: str, default_year: int | None) -> _dt.date | None:
    m = _DATE.match(text)
    if not m:
        end = _YEAR_END.match(text)
        year_end = int(end.group(1)) if end and end.group(1) else default_year if end else None
        return _dt.date(year_end, 12, 31) if year_end and 1900 <= year_end <= 2100 else None
    year = int(m.group(1)) if m.group(1) else default_year
    if year is None:
        return None
    month = int(m.group(2))
    if not 1 <= month <= 12:
        return None
    if m.group(3):
        day = int(m.group(3))
    else:  # "12月底" / "12月": the month's last day
        nxt = _dt.date(year + (month == 12), month % 12 + 1, 1)
        day = (nxt - _dt.timedelta(days=1)).day
    try:
        return _dt.date(year, month, day)
    except ValueError:
        return None


def parse(raw: Any, default_year: int | None = None) -> Parsed:
    """Parse one typed value. Never raises.

    Results are cached by (type, value): forms repeat the same entries ("达成预期指标", "≥95%")
    across rows and files, and Parsed is immutable. The type is part of the key because
    1 == 1.0 == True would otherwise share an entry.
    """
    try:
        return _parse_cached(type(raw), raw, default_year)  # type: ignore[arg-type]
    except TypeError:  # unhashable input: parse it directly
        return _parse_safe(raw, default_year)


_EMPTY_TEXTS = frozenset(("", "-", "—", "/", "无"))  # what a clerk types for "nothing", normalised
# Two CJK ideographs come out of normalize() as they went in (NFKC leaves them alone and nothing
# else there removes them), so a text holding two is none of the empty spellings.
_TWO_IDEOGRAPHS = re.compile(r"[\u4e00-\u9fff][^\u4e00-\u9fff]*[\u4e00-\u9fff]")


def is_empty_text(text: str) -> bool:
    """parse(text).kind == "empty" for a text, without parsing a name or a sentence whole (checks
    ask it of every name and text of every form a bureau consolidates)."""
    if len(text) > limits.get("TEXT_CHARS") or _TWO_IDEOGRAPHS.search(text):
        return False
    return parse(text).kind == "empty"


@functools.lru_cache(maxsize=65536)
def _parse_cached(_kind: type, raw: Any, default_year: int | None) -> Parsed:
    return _parse_safe(raw, default_year)


def _parse_safe(raw: Any, default_year: int | None) -> Parsed:
    try:
        return _parse(raw, default_year)
    except Exception:  # noqa: BLE001 - a parser for user input must not crash on anything
        return Parsed(kind="unknown", raw=raw, text=str(raw)[:100], problem="无法识别的内容")


def _parse(raw: Any, default_year: int | None) -> Parsed:
    if raw is None:
        return Parsed(kind="empty", raw=raw)
    if isinstance(raw, bool):
        return Parsed(kind="unknown", raw=raw, text=str(raw), problem="应填写数值或文字，不是逻辑值")
    if isinstance(raw, _dt.datetime):
        return Parsed(kind="date", raw=raw, text=raw.date().isoformat(), date=raw.date())
    if isinstance(raw, _dt.date):
        return Parsed(kind="date", raw=raw, text=raw.isoformat(), date=raw)
    if isinstance(raw, (int, float, Decimal)):
        value = to_decimal(raw)
        if value is None:
            return Parsed(kind="unknown", raw=raw, text=str(raw), problem="不是有效的数值")
        big = too_large(value)
        if big:
            return Parsed(kind="unknown", raw=raw, text=str(raw)[:40], problem=big)
        return Parsed(kind="number", raw=raw, text=str(raw), quantity=Quantity(value, None))
    if not isinstance(raw, str):  # a time of day, a duration, a list…: not something a form cell holds
        return Parsed(kind="unknown", raw=raw, text=str(raw)[:100], problem="不是数值、日期或文字")
    if len(raw) > limits.get("TEXT_CHARS"):
        return Parsed(kind="unknown", raw=raw, text=raw[:100], problem="文字过长，无法识别为一个值")
    text = normalize(raw)
    if text in _EMPTY_TEXTS:
        return Parsed(kind="empty", raw=raw, text=text)
    if _NOT_A_NUMBER.match(text):
        return Parsed(kind="unknown", raw=raw, text=text, problem="不是有效的数值")

    # Deadlines: "2022年12月31日前", "12月底前", "2025年底前", "不晚于2025年11月30日".
    for suffix in _DEADLINE_SUFFIX:
        if text.endswith(suffix):
            date = _date(text[: -len(suffix)], default_year)
            if date:
                return Parsed(kind="deadline", raw=raw, text=text, direction="le", date=date)
    for prefix in _DEADLINE_PREFIX:
        if text.startswith(prefix) and (date := _date(text[len(prefix):], default_year)):
            return Parsed(kind="deadline", raw=raw, text=text, direction="le", date=date)
    date = _date(text, default_year) if re.search(r"[年月/-]", text) or _DOTTED.match(text) else None
    if date:
        return Parsed(kind="date", raw=raw, text=text, date=date)

    direction, rest = _split_direction(text)
    if direction in ("le", "lt") and re.search(r"\d{4}|日", rest) and (date := _date(rest, default_year)):
        # "≤2025年11月30日" (a 目标表's 指标性质 ≤ with a date): complete by that date ("≤11月" stays 11 months)
        return Parsed(kind="deadline", raw=raw, text=text, direction="le", date=date)
    quantity = _quantity(_strip_approx(rest), direction is not None)
    if quantity is not None and (big := too_large(quantity.value)):
        return Parsed(kind="unknown", raw=raw, text=text[:40], problem=big)
    if quantity is not None:
        return Parsed(kind="number", raw=raw, text=text, direction=direction, quantity=quantity)
    if not re.search(r"\d", text):
        return Parsed(kind="qualitative", raw=raw, text=text)
    return Parsed(
        kind="unknown", raw=raw, text=text,
        problem="含有数字但无法确定数值、单位或方向",
    )


_MONTH_OF_YEAR = re.compile(r"^(\d{1,2})月(?:底|末)?$")


def in_target_terms(target: Parsed, actual: Parsed) -> Parsed:
    """The actual as its target reads it: under a quantity target in 月 ("≤11月", a 工期 or the month
    by which to finish), an actual "12月" / "11月底" is that many 月, not a date of the form's year
    (parse cannot know the target). Anything else is returned unchanged."""
    if (target.kind == "number" and target.quantity is not None and target.quantity.unit == "月"
            and actual.kind == "date" and isinstance(actual.raw, str)):
        m = _MONTH_OF_YEAR.match(actual.text)
        if m:
            return Parsed(kind="number", raw=actual.raw, text=actual.text, quantity=Quantity(Decimal(m.group(1)), "月"))
    return actual


@dataclass(frozen=True)
class Comparable:
    """Target and actual brought to one unit, or the reason they cannot be."""

    target: Decimal | None
    actual: Decimal | None
    unit: str | None
    note: str | None = None  # Chinese, when a conversion was made (info)
    problem: str | None = None  # Chinese, when no safe conversion exists (error)


# Units a 万元 column takes as they are: 万元, its short form 万, and a bare number.
WANYUAN_UNITS = (None, "万元", "万")


def in_wanyuan(q: Quantity) -> Decimal | None:
    """A money quantity in 万元 (元, 千元, 亿元 converted); None when its unit is not money."""
    if q.unit in WANYUAN_UNITS:
        return q.value
    if q.unit in MONEY:
        return q.value * MONEY[q.unit] / MONEY["万元"]
    return None


def shown(raw: Any) -> str:
    """A cell's value as a message quotes it: a date cell as “2025年11月30日” (never “2025-11-30 00:00:00”),
    a percent-formatted cell as it is shown, anything else as typed."""
    if isinstance(raw, _dt.datetime):
        return f"{raw:%Y年%m月%d日}" if raw.time() == _dt.time() else f"{raw:%Y年%m月%d日 %H:%M}"
    if isinstance(raw, _dt.date):
        return f"{raw:%Y年%m月%d日}"
    text = getattr(raw, "text", None)
    return text if isinstance(text, str) else str(raw)


def amount_under(raw: Any, unit: str | None) -> Any:
    """An amount read under a header that states its money unit (“项目资金（元）”, “全年预算数（千元）”): a bare
    number is taken in that unit and given in 万元 (2000000 under 元 -> 200); an amount with its own unit
    ("35万元"), a text or an empty cell is left as typed (read_money reads it). raw when unit is 万元 or None."""
    if unit not in MONEY or MONEY[unit] == MONEY["万元"] or raw is None or isinstance(raw, bool):
        return raw
    if hasattr(raw, "text"):  # a percent-formatted cell (seam.Percent) is no bare amount
        return raw
    parsed = parse(raw)
    q = parsed.quantity
    if parsed.kind != "number" or q is None or q.unit is not None or parsed.direction or q.percent:
        return raw
    return q.value * MONEY[unit] / MONEY["万元"]


def actual_as_compared(target: Parsed, actual: Parsed) -> Quantity | None:
    """The actual as scoring compares it with its target: a bare 0.93 under a percent target is 93%
    (see align). None when the actual is not a number; the actual itself when nothing changes."""
    if actual.kind != "number" or actual.quantity is None:
        return None
    if target.kind == "number" and target.quantity is not None and target.quantity.percent \
            and actual.quantity.unit is None and abs(actual.quantity.value) <= 1:
        return Quantity(align(target.quantity, actual.quantity).actual, "%")  # type: ignore[arg-type]
    return actual.quantity


def _factor(q: Quantity, family: str | None) -> Decimal:
    table = {"money": MONEY, "duration": DURATION, "percent": PERCENT, **_FAMILIES}.get(family or "", {})
    return table.get(q.unit or "", Decimal(1))


def align(target: Quantity, actual: Quantity) -> Comparable:
    """Bring an actual to the target's unit when that is safe; say why when it is not."""
    t_fam, a_fam = target.family, actual.family
    unit = target.unit or actual.unit
    if target.unit == actual.unit or actual.unit is None and not target.percent:
        return Comparable(target.value, actual.value, unit)
    if target.unit is None and actual.unit is not None and not actual.percent:
        return Comparable(target.value, actual.value, unit)
    if target.percent and actual.unit is None:
        # Excel stores 93% as 0.93; a bare number up to 1 is read as such a fraction.
        if abs(actual.value) <= 1:
            value = actual.value * HUNDRED
            return Comparable(
                target.value, value, "%",
                note=f"实际完成值 {actual.value} 按小数理解为 {value.normalize():f}%",
            )
        return Comparable(target.value, actual.value, "%")
    if actual.percent and target.unit is None:
        value = target.value * HUNDRED if abs(target.value) <= 1 else target.value
        return Comparable(value, actual.value, "%")
    if t_fam and t_fam == a_fam:
        t_factor, a_factor = _factor(target, t_fam), _factor(actual, a_fam)
        value = actual.value * a_factor / t_factor
        return Comparable(
            target.value, value, target.unit,
            # Only a real conversion is worth a note: 35万元 against 万 is the same number.
            note=(f"实际完成值 {actual.text()} 已换算为 {value.normalize():f}{target.unit}"
                  if a_factor != t_factor else None),
        )
    return Comparable(
        None, None, None,
        problem=f"年度指标值的单位“{target.unit or '无'}”与实际完成值的单位“{actual.unit or '无'}”不一致，无法换算",
    )
