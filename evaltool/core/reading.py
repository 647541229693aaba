"""Reading what a clerk typed into Decimals (万元 amounts, points, the year), with one finding for each
problem, collected: nothing stops at the first problem. Shared by the scorer and the checks."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from evaltool.core import limits, values
from evaltool.core.decimals import fmt, to_decimal
from evaltool.core.model import Finding, Location, Project

# Findings that would only restate a cell's Excel error value (E-CELL-ERROR says it once, precisely).
RESTATING = frozenset({"E-PARSE", "E-NUMBER", "E-MONEY", "E-REQUIRED", "E-QUAL-WORD", "E-KIND-MISMATCH", "E-YEAR",
                        "E-QUAL-NUMBER", "E-UNREAD-BUDGET", "E-UNREAD-ACTUAL"})


class Collector:
    """Collects findings; nothing in scoring stops at the first problem."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        # (sheet, cell, path) of cells holding an Excel error value: said once, precisely (E-CELL-ERROR)
        self.errored: set[tuple] = set()

    def add(self, code: str, severity: str, message: str, field: str = "",
            location: Location | None = None, indicator: int | None = None) -> None:
        loc = location or Location()
        if self.errored and code in RESTATING and (loc.sheet, loc.cell, loc.path) in self.errored:
            return
        self.findings.append(Finding(code, severity, message, field, loc, indicator))


def project_year(project: Project) -> int | None:
    dec = to_decimal(project.year) if not isinstance(project.year, str) else None
    if dec is None and isinstance(project.year, str):
        digits = "".join(ch for ch in values.normalize(project.year) if ch.isdigit())
        dec = to_decimal(digits) if len(digits) == 4 else None
    if dec is not None and dec == dec.to_integral_value() and 1990 <= dec <= 2100:
        return int(dec)
    return None


def read_money(raw: Any, where: Location, label: str, out: Collector) -> Decimal | None:
    """A 万元 amount as typed ("35 万元", "34.5万", 350000 元 with its unit, 35); None if absent/bad."""
    parsed = values.parse(raw)
    if parsed.kind == "empty":
        return None
    q = parsed.quantity
    if too_large_finding(parsed, raw, where, label, out):
        return None
    if parsed.kind != "number" or q is None or parsed.direction:
        out.add("E-MONEY", "error",
                f"{label}“{values.shown(raw)}”不是金额。请填写以万元为单位的数字，例如 35 或 34.5 万元。",
                label, where)
        return None
    amount = values.in_wanyuan(q)
    if amount is None:
        out.add("E-MONEY", "error",
                f"{label}“{values.shown(raw)}”的单位“{q.unit}”不是金额单位。本栏以万元为单位，请只填数字。", label, where)
    elif big := values.too_large(amount, limits.get("MONEY")):
        out.add("E-NUMBER-RANGE", "error", f"{label}“{str(raw)[:40]}”{big}。", label, where)
        return None
    elif amount < 0:
        out.add("E-MONEY", "error", f"{label}“{values.shown(raw)}”是负数。金额不能为负，请填写以万元为单位的数字。", label, where)
        return None
    elif 0 < amount < _MIN_MONEY:  # below 0.01 元: a slip (or 4.9e-324) whose ratios explode
        out.add("E-NUMBER-RANGE", "error", f"{label}“{str(raw)[:40]}”数值过小（不到 0.01 元），请核对单位。", label, where)
        return None
    elif q.unit not in values.WANYUAN_UNITS:
        out.add("I-MONEY-UNIT", "info",
                f"{label}“{values.shown(raw)}”已按万元换算为 {fmt(amount)} 万元；建议直接填写万元数。", label, where)
    return amount


_MIN_MONEY = Decimal("0.000001")  # 万元


def too_large_finding(parsed: values.Parsed, raw: Any, where: Location, label: str, out: Collector) -> bool:
    """A figure beyond limits.NUMBER: one 数值过大 finding on its cell instead of arithmetic with it."""
    if parsed.kind == "unknown" and (parsed.problem or "").startswith(values.TOO_LARGE):
        out.add("E-NUMBER-RANGE", "error", f"{label}“{str(raw)[:40]}”{parsed.problem}。", label, where)
        return True
    return False


def read_number(raw: Any, where: Location, label: str, out: Collector,
                required: bool = True) -> Decimal | None:
    parsed = values.parse(raw)
    if parsed.kind == "empty":
        if required:
            out.add("E-REQUIRED", "error", f"{label}未填写，请填写数字。", label, where)
        return None
    q = parsed.quantity
    if too_large_finding(parsed, raw, where, label, out):
        return None
    if parsed.kind != "number" or q is None or parsed.direction or q.unit not in (None, "分"):
        out.add("E-NUMBER", "error", f"{label}“{values.shown(raw)}”不是数字，请只填写数字，例如 10。", label, where)
        return None
    # 分值 and 得分 are points: beyond limits.WEIGHT they are a slip of the keyboard, not a form.
    big = values.too_large(q.value, limits.get("WEIGHT"))
    if big:
        out.add("E-NUMBER-RANGE", "error", f"{label}“{str(raw)[:40]}”{big}。", label, where)
        return None
    return q.value
