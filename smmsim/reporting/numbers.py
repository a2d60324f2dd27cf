"""Numbers in plain words' company: counts, parameter values and mean amounts as text."""

from __future__ import annotations

import math

__all__ = ["amount_text", "count_text", "percent_text", "value_text"]


def count_text(x: float | None, rounding=round) -> str:
    """A count (seeds, users) as a whole number with thousands separators, never in
    scientific notation; ``rounding`` (``math.floor`` or ``math.ceil`` for the ends of
    an interval) makes it whole."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{int(rounding(x)):,}"


def value_text(x: float | None) -> str:
    """A parameter value: three significant figures, whole numbers with thousands
    separators from 1,000 up (never ``1.02e+03``)."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def amount_text(x: float | None) -> str:
    """A mean number of users: three significant figures below 100, whole numbers with
    thousands separators above, never in scientific notation."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def percent_text(x: float | None, signed: bool = False) -> str:
    """A share as a percentage with one decimal (``signed``: with its sign, for a change)."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{100 * x:+.1f}%" if signed else f"{100 * x:.1f}%"
