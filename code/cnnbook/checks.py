"""Argument checks, written once: a bad argument fails at once, with its name and what it got.

A float where a count belongs (3.0 filters) and a bool (``True`` as a stride) are bugs, not
numbers, so both are refused. A wrong type raises :class:`NotAnInteger`, which is a TypeError
and a ValueError at once, so callers may catch either.
"""

from __future__ import annotations

import numbers


class NotAnInteger(TypeError, ValueError):
    """A count or size that is not an integer."""


def whole_number(name: str, value, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum``; "positive" means >= 1, "zero or more" >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise NotAnInteger(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        kind = {1: "positive", 0: "zero or more"}.get(minimum, f"at least {minimum}")
        raise ValueError(f"{name} must be {kind}, got {value}")
    return int(value)


def positive_number(name: str, value) -> float:
    """``value`` as a float > 0 (a real number, not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def fraction(name: str, value) -> float:
    """``value`` as a float in [0, 1] (a real number, not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    return float(value)
