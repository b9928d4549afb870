"""Terraform version constraints as sets of versions (iac-mapping §2.2).

A constraint string (``">= 3.99, < 4.0"``, ``"~> 3.117.1"``, ``"!= 4.1.0"``) becomes a union of
intervals; constraints from several modules intersect. Rules then ask set questions ("does it
admit anything below 3.99.0?") instead of parsing strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Version = tuple[int, int, int]
_CONDITION = re.compile(r"^\s*(~>|>=|<=|!=|=|>|<)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-[0-9A-Za-z.-]+)?\s*$")


class ConstraintError(ValueError):
    pass


@dataclass(frozen=True)
class Interval:
    lo: Version | None  # None: unbounded
    lo_incl: bool
    hi: Version | None
    hi_incl: bool

    def empty(self) -> bool:
        if self.lo is None or self.hi is None:
            return False
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_incl and self.hi_incl))


ALL = (Interval(None, True, None, True),)


def parse_version(text: str) -> Version:
    m = _CONDITION.match(text)
    if not m or m.group(1):
        raise ConstraintError(f"not a version: {text!r}")
    return (int(m.group(2)), int(m.group(3) or 0), int(m.group(4) or 0))


def parse(constraint: str) -> tuple[Interval, ...]:
    """The set of versions a constraint string admits."""
    result: tuple[Interval, ...] = ALL
    parts = [p for p in constraint.split(",") if p.strip()]
    if not parts:
        raise ConstraintError("empty version constraint")
    for part in parts:
        m = _CONDITION.match(part)
        if not m:
            raise ConstraintError(f"cannot read version constraint {part.strip()!r}")
        op = m.group(1) or "="
        given = [g for g in m.group(2, 3, 4) if g is not None]
        v: Version = (int(m.group(2)), int(m.group(3) or 0), int(m.group(4) or 0))
        result = intersect(result, _condition(op, v, len(given)))
    return result


def _condition(op: str, v: Version, precision: int) -> tuple[Interval, ...]:
    if op == "=":
        return (Interval(v, True, v, True),)
    if op == "!=":
        return (Interval(None, True, v, False), Interval(v, False, None, True))
    if op == ">":
        return (Interval(v, False, None, True),)
    if op == ">=":
        return (Interval(v, True, None, True),)
    if op == "<":
        return (Interval(None, True, v, False),)
    if op == "<=":
        return (Interval(None, True, v, True),)
    # ~>: only the rightmost given component may increase
    if precision <= 1:
        upper: Version = (v[0] + 1, 0, 0)
    elif precision == 2:
        upper = (v[0] + 1, 0, 0)
    else:
        upper = (v[0], v[1] + 1, 0)
    return (Interval(v, True, upper, False),)


def intersect(a: tuple[Interval, ...], b: tuple[Interval, ...]) -> tuple[Interval, ...]:
    out = []
    for x in a:
        for y in b:
            lo, lo_incl = _max_lo(x, y)
            hi, hi_incl = _min_hi(x, y)
            iv = Interval(lo, lo_incl, hi, hi_incl)
            if not iv.empty():
                out.append(iv)
    return tuple(out)


def _max_lo(x: Interval, y: Interval) -> tuple[Version | None, bool]:
    if x.lo is None:
        return y.lo, y.lo_incl
    if y.lo is None:
        return x.lo, x.lo_incl
    if x.lo != y.lo:
        return (x.lo, x.lo_incl) if x.lo > y.lo else (y.lo, y.lo_incl)
    return x.lo, x.lo_incl and y.lo_incl


def _min_hi(x: Interval, y: Interval) -> tuple[Version | None, bool]:
    if x.hi is None:
        return y.hi, y.hi_incl
    if y.hi is None:
        return x.hi, x.hi_incl
    if x.hi != y.hi:
        return (x.hi, x.hi_incl) if x.hi < y.hi else (y.hi, y.hi_incl)
    return x.hi, x.hi_incl and y.hi_incl


def admits_below(admitted: tuple[Interval, ...], v: Version) -> bool:
    return bool(intersect(admitted, (Interval(None, True, v, False),)))


def admits_any(admitted: tuple[Interval, ...], lo: Version, hi: Version) -> bool:
    """Whether the set admits a version in ``[lo, hi)``."""
    return bool(intersect(admitted, (Interval(lo, True, hi, False),)))


def fmt(v: Version) -> str:
    return ".".join(str(x) for x in v)


def describe(iv: Interval) -> str:
    """A bounded interval as people read it: ``4.14.0 to 4.20.x``, ``3.99.0 to 3.117.0``, ``4.10.0``.

    Versions are integers, so an open bound is the neighbouring version: below 4.21.0 is 4.20.x,
    below 3.117.1 is 3.117.0, above 4.0.0 is 4.0.1.
    """
    lo = iv.lo if iv.lo is not None else (0, 0, 0)
    if not iv.lo_incl:
        lo = (lo[0], lo[1], lo[2] + 1)
    if iv.hi is None:
        return f"{fmt(lo)} and later"
    if iv.hi_incl:
        hi = fmt(iv.hi)
    elif iv.hi[2] > 0:
        hi = fmt((iv.hi[0], iv.hi[1], iv.hi[2] - 1))
    elif iv.hi[1] > 0:
        hi = f"{iv.hi[0]}.{iv.hi[1] - 1}.x"
    else:
        hi = f"{iv.hi[0] - 1}.x"
    return fmt(lo) if hi == fmt(lo) else f"{fmt(lo)} to {hi}"
