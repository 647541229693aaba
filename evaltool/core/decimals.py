"""Decimal helpers: every money and score figure goes through here, rounded half-up as Excel shows."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

HUNDRED = Decimal(100)


def to_decimal(value: Any) -> Decimal | None:
    """A number from a cell or a case file as Decimal, without binary-float noise.

    Floats go through repr (shortest round-trip), so 34.5 stays 34.5 and 0.1 stays 0.1.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(repr(value))
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def plain_number(value: Any) -> Any:
    """A Decimal as a cell, JSON or YAML holds it: int when whole, else float (only at that boundary,
    never for arithmetic). Anything else, None included, is returned unchanged."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and hasattr(value, "text"):  # seam.Percent: as the clerk sees it, "93%"
        return value.text
    return value


_QUANTUM = {places: Decimal(1).scaleb(-places) for places in range(-4, 11)}


def round_half_up(value: Decimal, places: int) -> Decimal:
    """Excel's ROUND: halves go away from zero (Python's round() would give 5.155 -> 5.15)."""
    quantum = _QUANTUM.get(places)
    if quantum is None:
        quantum = Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def fmt(value: Decimal | None, places: int | None = None) -> str:
    """Plain text for a number: no exponent, no trailing zeros unless places is given."""
    if value is None:
        return "—"
    if places is not None:
        value = round_half_up(value, places)
        return f"{value:.{places}f}"
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def fmt_percent(rate: Decimal | None, places: int = 2) -> str:
    """0.51564 -> '51.56%'."""
    if rate is None:
        return "—"
    return f"{round_half_up(rate * HUNDRED, places):.{places}f}%"
