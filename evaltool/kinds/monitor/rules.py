"""The rule-set section 运行监控: the traffic-light thresholds, read from the rule set's YAML.

A rule set without the section (a bureau's own file that does not inherit 国家标准) gets DEFAULTS,
the same numbers the national set writes out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from evaltool.core.decimals import to_decimal
from evaltool.core.rules import RuleError, RuleSet

SECTION = "运行监控"
LIGHTS = ("绿", "黄", "红")  # best first: worse() takes the later one
LIKELIHOODS = ("确定能", "有可能", "完全不可能")
CATEGORIES = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")


@dataclass(frozen=True)
class MonitorRules:
    tolerance: Decimal = Decimal(0)  # 执行进度 ≥ 时间进度 − tolerance: 绿
    yellow: Decimal = Decimal("0.1")  # behind by at most this (fraction, 0.1 = 10 个百分点): 黄; more: 红
    forecast_floor: Decimal = Decimal("0.9")  # 全年预计执行数 ÷ 全年预算数 below this: at least 黄
    indicator_yellow: Decimal = Decimal("0.1")  # 全年预计完成值 short of the target by at most 10%: 黄; more: 红
    likelihood_light: dict[str, str] = field(default_factory=lambda: {"确定能": "绿", "有可能": "黄", "完全不可能": "红"})
    categories: tuple[str, ...] = CATEGORIES


DEFAULTS = MonitorRules()


def worse(a: str | None, b: str | None) -> str | None:
    """The worse of two lights (None: not computed, loses to any light)."""
    if a is None:
        return b
    if b is None:
        return a
    return a if LIGHTS.index(a) >= LIGHTS.index(b) else b


def monitor_rules(rules: RuleSet) -> MonitorRules:
    cache = rules.__dict__.setdefault("_monitor_rules", {})
    if "m" not in cache:
        cache["m"] = _parse(rules)
    return cache["m"]


def _parse(rules: RuleSet) -> MonitorRules:
    src = rules.source or f"规则集“{rules.id}”"
    section = rules.raw.get(SECTION)
    if section is None:
        return DEFAULTS
    if not isinstance(section, dict):
        raise RuleError(f"{src}中“{SECTION}”应是“键: 值”的表（执行进度、指标预警……），可删去这一节以使用默认值。")

    def share(path: str, value: Any, default: Decimal) -> Decimal:
        if value is None:
            return default
        dec = to_decimal(value)
        if dec is None or not 0 <= dec <= 1:
            raise RuleError(f"{src}中“{SECTION} → {path}”应为 0 到 1 之间的小数（0.1 即 10%），现为“{value}”")
        return dec

    def table(key: str) -> dict:
        value = section.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise RuleError(f"{src}中“{SECTION} → {key}”应是“键: 值”的表")
        return value

    progress, indicator = table("执行进度"), table("指标预警")
    tolerance = share("执行进度 → 容差", progress.get("容差"), DEFAULTS.tolerance)
    yellow = share("执行进度 → 黄灯", progress.get("黄灯"), DEFAULTS.yellow)
    if yellow < tolerance:
        raise RuleError(f"{src}中“{SECTION} → 执行进度 → 黄灯”（{yellow}）不能小于“容差”（{tolerance}）。")
    lights = dict(DEFAULTS.likelihood_light)
    given = indicator.get("完成可能性")
    if given is not None:
        if not isinstance(given, dict):
            raise RuleError(f"{src}中“{SECTION} → 指标预警 → 完成可能性”应写成 {{确定能: 绿, 有可能: 黄, 完全不可能: 红}}")
        for key, value in given.items():
            if str(key) not in LIKELIHOODS or str(value) not in LIGHTS:
                raise RuleError(f"{src}中“{SECTION} → 指标预警 → 完成可能性 → {key}: {value}”无效：键应为"
                                f"{'、'.join(LIKELIHOODS)}之一，值应为 红、黄 或 绿。")
            lights[str(key)] = str(value)
    categories = section.get("偏差原因类别")
    if categories is None:
        cats = DEFAULTS.categories
    elif isinstance(categories, list) and categories and all(isinstance(c, str) and c.strip() for c in categories):
        cats = tuple(c.strip() for c in categories)
    else:
        raise RuleError(f"{src}中“{SECTION} → 偏差原因类别”应列出类别文字，例如 [经费保障, 制度保障, 人员保障, 硬件条件保障, 其他]")
    return MonitorRules(
        tolerance=tolerance, yellow=yellow,
        forecast_floor=share("全年预计执行率下限", section.get("全年预计执行率下限"), DEFAULTS.forecast_floor),
        indicator_yellow=share("指标预警 → 黄灯", indicator.get("黄灯"), DEFAULTS.indicator_yellow),
        likelihood_light=lights, categories=cats)
