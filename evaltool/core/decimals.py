"""Decimal helpers: every money and score figure goes through here, rounded half-up as Excel shows."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

HUNDRED = Decimal(100)


def to_decimal(value: Any) -> Decimal | None:
    """A number from a cell or a case file as Decimal, without binary-float noise.

    Floats go through repr (shortest round-trip), so 34.5 stays 34.5 and 0.1 stays 0.1.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        out = value
    elif isinstance(value, int):
        if abs(value) > _HUGE_INT:  # int('9' * 5000) would take the str→Decimal path's time
            return None
        out = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        out = Decimal(repr(value))
    else:
        text = str(value).strip()
        if len(text) > 400:  # no figure is written with hundreds of digits
            return None
        try:
            out = Decimal(text)
        except (InvalidOperation, ValueError):
            return None
    if not out.is_finite():  # Decimal("NaN"), Decimal("Infinity") are not figures
        return None
    # -0 is 0 (Excel shows 0); its sign would otherwise print as "-0" in every message.
    return out.copy_abs() if out.is_zero() else out


_HUGE_INT = 10**400


_FLOAT_MAX = Decimal("1e300")


def plain_number(value: Any) -> Any:
    """A Decimal as a cell, JSON or YAML holds it: int when whole, else float (only at that boundary,
    never for arithmetic). Anything else, None included, is returned unchanged."""
    if isinstance(value, Decimal):
        if not value.is_finite() or abs(value) > _FLOAT_MAX:
            return None  # no cell or JSON number holds it: shown as not computed, never as a guess
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
    try:
        return value.quantize(quantum, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        # More digits than the context holds (a ratio of a huge and a tiny figure): round with
        # the precision it needs rather than fail; inputs are bounded, so this stays small.
        with localcontext() as ctx:
            ctx.prec = max(ctx.prec, value.adjusted() + places + 3)
            ctx.Emax = max(ctx.Emax, value.adjusted() + 10)
            return value.quantize(quantum, rounding=ROUND_HALF_UP)


# A message shows at most this many decimals (no form shows more: 小数位 is 0-6) …
MESSAGE_PLACES = 6
# … and a figure too small or too large for that in Excel's own way ("1E-300", "1.5E+20"), so a
# stray 1e-300 in a cell never prints as 300 digits.
_TINY = Decimal(1).scaleb(-MESSAGE_PLACES)
_VAST = Decimal("1e15")  # limits.NUMBER: Excel keeps 15 significant digits


def _scientific(value: Decimal) -> str:
    exp = value.adjusted()
    mantissa = round_half_up(value.scaleb(-exp), 5)  # 6 significant digits, as Excel's General shows
    if abs(mantissa) >= 10:  # 9.999999 rounded up to 10
        mantissa, exp = mantissa.scaleb(-1), exp + 1
    return f"{fmt(mantissa)}E{exp:+d}"


def fmt(value: Decimal | None, places: int | None = None) -> str:
    """Plain text for a number: no exponent, no trailing zeros unless places is given, at most
    MESSAGE_PLACES decimals (half-up); a non-zero figure that would show as 0 at that precision,
    or one beyond Excel's 15 digits, in Excel's E notation."""
    if value is None:
        return "—"
    if value.is_finite() and not value.is_zero() and (abs(value) >= _VAST or places is None and abs(value) < _TINY):
        return _scientific(value)
    if places is not None:
        value = round_half_up(value, places)
        return f"{value:.{places}f}"
    text = f"{round_half_up(value, MESSAGE_PLACES):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def fmt_percent(rate: Decimal | None, places: int = 2) -> str:
    """0.51564 -> '51.56%'."""
    if rate is None:
        return "—"
    return f"{round_half_up(rate * HUNDRED, places):.{places}f}%"
