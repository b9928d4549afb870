"""Plain evaluation-time values and their conversion to the model's Known/Unknown Values.

Expressions evaluate to plain Python data (str, int, float, bool, None, list, dict) plus three
markers: ``Unk`` (cannot be resolved; carries the reason), ``Symbol`` (deployment context such
as ``resourceGroup().location``, equal only to itself) and ``RefObj`` (a runtime property read
through ``reference()`` or a Bicep symbolic reference, e.g. ``vault.identity.principalId``).
Only at the property boundary are plain values wrapped into ``Known``/``Unknown`` with spans.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from linter.model import Known, Span, Symbol, Unknown, Value

#: runtime-only properties that stand for a principal: evaluated to a stable Symbol so that the
#: identity of a resource and a role assignment's ``principalId`` compare equal (issue 6).
PRINCIPAL_PATHS = (
    "identity.principalid",
    "properties.aksassignedidentity.principalid",
    "properties.identityprofile.kubeletidentity.objectid",
)


@dataclass(frozen=True)
class Unk:
    """A value that cannot be resolved statically."""

    reason: str


@dataclass(frozen=True)
class RefObj:
    """A property of a deployed resource, known only at deployment time.

    ``path`` is relative to the *full* resource object (``properties.x`` for a plain
    ``reference(id).x``), lower-cased for comparison.
    """

    rid: Any  # resource id string or Unk
    path: tuple[str, ...] = ()
    text: str = ""

    def child(self, name: str) -> RefObj:
        return RefObj(self.rid, (*self.path, name), f"{self.text}.{name}")

    def principal(self) -> Symbol | None:
        joined = ".".join(p.lower() for p in self.path)
        if joined in PRINCIPAL_PATHS and isinstance(self.rid, str):
            return principal_symbol(self.rid, joined)
        return None


def principal_symbol(rid: str, path: str) -> Symbol:
    """The stable symbol for a runtime principal id of the resource ``rid``."""
    return Symbol(f"{rid.lower()}#{path.lower()}")


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unk | RefObj)


def as_unk(value: Any) -> Unk:
    if isinstance(value, Unk):
        return value
    if isinstance(value, RefObj):
        return Unk(f"{value.text or 'reference()'} is only known after deployment")
    return Unk(repr(value))


def deep_unknown(value: Any) -> Unk | None:
    """The first unknown part anywhere inside ``value``."""
    if is_unknown(value):
        return as_unk(value)
    if isinstance(value, list):
        for x in value:
            u = deep_unknown(x)
            if u is not None:
                return u
    elif isinstance(value, dict):
        for x in value.values():
            u = deep_unknown(x)
            if u is not None:
                return u
    return None


def to_value(plain: Any, span: Span | None, via: tuple[Span, ...] = ()) -> Value:
    """Wrap plain data into Values; every nested element gets ``span`` (expression results)."""
    if isinstance(plain, Value):
        return plain
    if isinstance(plain, Unk):
        return Unknown(plain.reason, span)
    if isinstance(plain, RefObj):
        symbol = plain.principal()
        if symbol is not None:
            return Known(symbol, span, via)
        return Unknown(as_unk(plain).reason, span)
    if isinstance(plain, list):
        return Known([to_value(x, span) for x in plain], span, via)
    if isinstance(plain, dict):
        return Known({str(k): to_value(x, span) for k, x in plain.items()}, span, via)
    return Known(plain, span, via)


def to_data(value: Value) -> Any:
    """Unwrap a Value into plain data, keeping unknown parts as ``Unk``."""
    if isinstance(value, Known):
        v = value.value
        if isinstance(v, list):
            return [to_data(x) for x in v]
        if isinstance(v, dict):
            return {k: to_data(x) for k, x in v.items()}
        return v
    if isinstance(value, Unknown):
        return Unk(value.reason)
    return None


def vias_of(value: Value) -> tuple[Span, ...]:
    """Where a value was written and what it travelled through (for ``via`` of its users)."""
    out: list[Span] = []
    if isinstance(value, Known):
        out.extend(value.via)
        if value.span is not None:
            out.insert(0, value.span)
    return tuple(out)
