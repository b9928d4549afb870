"""The azurerm versions a Terraform configuration admits, from all its requirements (R01)."""

from __future__ import annotations

from dataclasses import dataclass, field

from linter import kinds
from linter.facts import version_ranges as versions
from linter.graph import Resource, ResourceGraph
from linter.model import Known, Span


@dataclass
class ProviderVersions:
    """What a stack's requirements say about one provider."""

    stack: str
    admitted: tuple[versions.Interval, ...] = versions.ALL
    constraints: list[tuple[str, Span]] = field(default_factory=list)  # (text, where)
    locked: tuple[str, Span] | None = None
    unreadable: list[tuple[str, Span]] = field(default_factory=list)

    @property
    def constrained(self) -> bool:
        return bool(self.constraints) or self.locked is not None

    @property
    def primary_span(self) -> Span | None:
        if self.locked is not None:
            return self.locked[1]
        return self.constraints[0][1] if self.constraints else None


def is_provider(req: Resource, name: str) -> bool:
    provider = req.attr("provider")
    source = req.attr("source")
    if isinstance(source, Known) and isinstance(source.value, str):
        return source.value.lower().rstrip("/").endswith(f"/{name}")
    return isinstance(provider, Known) and provider.value == name


def provider_versions(graph: ResourceGraph, name: str = "azurerm") -> dict[str, ProviderVersions]:
    """Per Terraform stack: the intersection of every constraint, or the lock file's version."""
    out: dict[str, ProviderVersions] = {}
    for req in graph.of_kind(kinds.PROVIDER_REQUIREMENT):
        if not is_provider(req, name):
            continue
        pv = out.setdefault(req.stack, ProviderVersions(req.stack))
        locked = req.attr("locked_version")
        constraint = req.attr("constraint")
        if isinstance(locked, Known) and isinstance(locked.value, str):
            pv.locked = (locked.value, locked.span or req.span)
            continue
        if not (isinstance(constraint, Known) and isinstance(constraint.value, str)):
            continue
        try:
            admitted = versions.parse(constraint.value)
        except versions.ConstraintError:
            pv.unreadable.append((constraint.value, constraint.span or req.span))
            continue
        pv.constraints.append((constraint.value, constraint.span or req.span))
        pv.admitted = versions.intersect(pv.admitted, admitted)
    for pv in out.values():
        if pv.locked is not None:
            try:
                v = versions.parse_version(pv.locked[0])
                pv.admitted = (versions.Interval(v, True, v, True),)
            except versions.ConstraintError:
                pv.locked = None
    return out
