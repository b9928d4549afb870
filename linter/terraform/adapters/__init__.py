"""Terraform resource types onto canonical kinds.

An adapter is a function ``(instance: ResourceInstance) -> list[Resource]`` registered for one or
more resource types with ``@adapts(...)``. Provider modules listed in ``MODULES`` are imported on
first use; add a new provider by adding a module here and naming it in ``MODULES``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from linter.graph import Resource
from linter.model import ABSENT, Known, Value, normalize_region
from linter.terraform.module import ResourceInstance
from linter.values import no_spaces  # noqa: F401 - re-exported for adapters

Adapter = Callable[[ResourceInstance], list[Resource]]
ADAPTERS: dict[str, Adapter] = {}
MODULES = ("azurerm", "azapi", "kubernetes")
_loaded = False


def adapts(*types: str) -> Callable[[Adapter], Adapter]:
    def register(fn: Adapter) -> Adapter:
        for t in types:
            ADAPTERS[t] = fn
        return fn

    return register


def adapter_for(type_: str) -> Adapter | None:
    global _loaded
    if not _loaded:
        for name in MODULES:
            try:
                importlib.import_module(f"linter.terraform.adapters.{name}")
            except ModuleNotFoundError as e:
                if e.name != f"linter.terraform.adapters.{name}":
                    raise
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
        ids={inst.symbol(".id")},
        condition=inst.condition,
        stack=inst.module.root_key,
        module_call=inst.module.call_address,
    )


def region(value: Value) -> Value:
    """Normalise a known region string; symbols and unknowns pass through."""
    if isinstance(value, Known) and isinstance(value.value, str):
        return Known(normalize_region(value.value), value.span, value.via)
    return value


def put(resource: Resource, name: str, value: Value) -> None:
    """Set an attribute unless absent (absent attributes are simply missing from ``attrs``)."""
    if value is not ABSENT:
        resource.attrs[name] = value
