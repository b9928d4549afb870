"""Terraform resource types onto canonical kinds.

An adapter is a function ``(instance: ResourceInstance) -> list[Resource]`` registered for one or
more resource types with ``@adapts(...)``. The provider modules are imported on first use in
``adapter_for``; add a new provider by adding a module and importing it there.
"""

from __future__ import annotations

from collections.abc import Callable

from linter.graph import Resource
from linter.model import ABSENT, Known, Span, Symbol, Value, normalize_region
from linter.normalize import no_spaces  # noqa: F401 - re-exported for adapters
from linter.terraform.module import ResourceInstance

Adapter = Callable[[ResourceInstance], list[Resource]]
ADAPTERS: dict[str, Adapter] = {}
_loaded = False


def adapts(*types: str) -> Callable[[Adapter], Adapter]:
    def register(fn: Adapter) -> Adapter:
        for t in types:
            ADAPTERS[t] = fn
        return fn

    return register


def adapter_for(type_: str) -> Adapter | None:
    """The adapter for a Terraform resource type (None: not a type any rule reads)."""
    global _loaded
    if not _loaded:
        # each provider module registers its adapters with ``@adapts`` when imported
        from linter.terraform.adapters import azapi, azurerm, kubernetes  # noqa: F401

        _loaded = True
    return ADAPTERS.get(type_)


def new_resource(inst: ResourceInstance, kind: str, *, address: str | None = None) -> Resource:
    """A canonical resource for ``inst`` with its header span, condition and computed id."""
    address = address or inst.address
    return Resource(
        kind=kind,
        address=address,
        language="terraform",
        span=inst.block.span,
        source_type=inst.type,
        ids=inst.ids(),
        condition=inst.condition,
        stack=inst.module.root_key,
        module_call=inst.module.call_address,
    )


def computed(planned: Value, symbol: Symbol, span: Span) -> Known:
    """A computed attribute (an identity's principal id): what references to it evaluate to.

    That is the plan's value when a plan knows it (an identity that exists already: references to
    it are known in the plan too), else the symbol static references evaluate to.
    """
    if isinstance(planned, Known) and isinstance(planned.value, str) and planned.value:
        return Known(planned.value, span)
    return Known(symbol, span)


def region(value: Value) -> Value:
    """Normalise a known region string; symbols and unknowns pass through."""
    if isinstance(value, Known) and isinstance(value.value, str):
        return Known(normalize_region(value.value), value.span, value.via)
    return value


def put(resource: Resource, name: str, value: Value) -> None:
    """Set an attribute unless absent (absent attributes are simply missing from ``attrs``)."""
    if value is not ABSENT:
        resource.attrs[name] = value
