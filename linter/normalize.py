"""Normalisation helpers the adapters share (identity spelling, enum membership, conditions).

Policies compare values with ``linter.facts.compare``; these run before them, in the front ends.
"""

from __future__ import annotations

from linter.model import Known, Span, Unknown, Value


def no_spaces(value: Value) -> Value:
    """Identity types without spaces: Terraform writes "SystemAssigned, UserAssigned", ARM not."""
    if isinstance(value, Known) and isinstance(value.value, str):
        return Known(value.value.replace(" ", ""), value.span, value.via)
    return value


def any_equals(values: list[Value], wanted: str, span: Span | None) -> Value:
    """Known(True) if any value equals ``wanted`` (case-insensitive); unknown if one may; else False."""
    unknown: Value | None = None
    for v in values:
        if isinstance(v, Known) and isinstance(v.value, str) and v.value.lower() == wanted.lower():
            return Known(True, v.span)
        if isinstance(v, Unknown):
            unknown = v
    return unknown if unknown is not None else Known(False, span)


def condition_and(a: Value, b: Value) -> Value:
    """Both conditions (count, for_each, ARM condition, enclosing module): false wins, then unknown."""
    if isinstance(a, Known) and a.value is False:
        return a
    if isinstance(b, Known) and b.value is False:
        return b
    if isinstance(a, Known) and a.value is True:
        return b
    if isinstance(b, Known) and b.value is True:
        return a
    return a if isinstance(a, Unknown) else b
