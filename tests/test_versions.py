"""Terraform version constraints have Terraform's semantics (iac-mapping §2.2)."""

from __future__ import annotations

import pytest

from linter.facts import version_ranges as v


@pytest.mark.parametrize(
    ("constraint", "below_399", "reaches_399"),
    [
        (">= 3.0", True, True),
        ("~> 3.99", False, True),
        ("~> 3.90.0", True, False),
        ("3.99.0", False, True),
        ("= 3.98.0", True, False),
        (">= 3.99.0, < 4.0", False, True),
        ("> 3.98, != 3.98.1", True, True),
        ("< 3.99", True, False),
    ],
)
def test_constraint_sets(constraint: str, below_399: bool, reaches_399: bool) -> None:
    admitted = v.parse(constraint)
    assert v.admits_below(admitted, (3, 99, 0)) is below_399
    assert v.admits_any(admitted, (3, 99, 0), (10**9, 0, 0)) is reaches_399


def test_pessimistic_operator_bounds() -> None:
    assert v.admits_any(v.parse("~> 3.99"), (3, 120, 0), (3, 120, 1))
    assert not v.admits_any(v.parse("~> 3.99"), (4, 0, 0), (5, 0, 0))
    assert not v.admits_any(v.parse("~> 3.99.0"), (3, 100, 0), (4, 0, 0))


def test_constraints_from_several_modules_intersect() -> None:
    admitted = v.intersect(v.parse(">= 3.0"), v.parse("~> 4.21"))
    assert not v.admits_below(admitted, (4, 21, 0))


def test_unreadable_constraint_raises() -> None:
    with pytest.raises(v.ConstraintError):
        v.parse(">= banana")
