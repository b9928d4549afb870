"""Comparisons policies need, each answering True, False or None (None = cannot tell: stay silent)."""

from __future__ import annotations

from linter.model import Known, Symbol, Value


def text(value: Value) -> str | None:
    """The string of a known string value (not a Symbol)."""
    if isinstance(value, Known) and isinstance(value.value, str):
        return value.value
    return None


def ieq(value: Value, wanted: str) -> bool | None:
    """Case-insensitive equality with an enum spelling (Azure enums are case-insensitive)."""
    s = text(value)
    return None if s is None else s.lower() == wanted.lower()


def same_value(a: Value, b: Value) -> bool | None:
    """Equality of two regions or ids: symbols are equal to themselves only (same deployment)."""
    if not (isinstance(a, Known) and isinstance(b, Known)):
        return None
    x, y = a.value, b.value
    if isinstance(x, Symbol) or isinstance(y, Symbol):
        return True if x == y else None
    if isinstance(x, str) and isinstance(y, str):
        return x.lower() == y.lower()
    return None


def show(value: Value) -> str:
    """A value as users wrote it, for messages."""
    if isinstance(value, Known):
        v = value.value
        return f"{v}" if isinstance(v, Symbol) else repr(v) if not isinstance(v, str) else f'"{v}"'
    return "unknown"
