"""Edges of the graph: reference attributes resolved to resources (design: link).

Most edges are id references (``refs``) matched against ``Resource.ids``; a few are by name,
as Azure itself resolves them (a backup extension names its storage account; an azurerm policy
names its vault).
"""

from __future__ import annotations

from collections.abc import Mapping

from linter import kinds
from linter.graph import Link, Resource, ResourceGraph, resolve_reference
from linter.link_kubernetes import link_kubernetes
from linter.model import ABSENT, Known, Symbol, Unknown, Value

#: (kind, edge) -> kind of the target (None: any kind)
EDGES: dict[tuple[str, str], str | None] = {
    (kinds.NODE_POOL, "cluster"): kinds.CLUSTER,
    (kinds.BACKUP_POLICY, "vault"): kinds.BACKUP_VAULT,
    (kinds.BACKUP_INSTANCE, "vault"): kinds.BACKUP_VAULT,
    (kinds.BACKUP_INSTANCE, "cluster"): kinds.CLUSTER,
    (kinds.BACKUP_INSTANCE, "policy"): kinds.BACKUP_POLICY,
    (kinds.VAULT_ENCRYPTION, "vault"): kinds.BACKUP_VAULT,
    (kinds.EXTENSION, "cluster"): kinds.CLUSTER,
    (kinds.TRUSTED_ACCESS, "cluster"): kinds.CLUSTER,
    (kinds.TRUSTED_ACCESS, "source"): kinds.BACKUP_VAULT,
    (kinds.BLOB_CONTAINER, "storage_account"): kinds.STORAGE_ACCOUNT,
    (kinds.PRIVATE_ENDPOINT, "target"): None,
    (kinds.ROLE_ASSIGNMENT, "scope"): None,
}

#: (kind, edge, name attribute, resource-group attribute, target kind): edges resolved by name
BY_NAME = (
    (
        kinds.EXTENSION,
        "storage_account",
        "storage_account_name",
        "storage_resource_group",
        kinds.STORAGE_ACCOUNT,
    ),
    (kinds.BACKUP_POLICY, "vault", "vault_name", "vault_resource_group", kinds.BACKUP_VAULT),
    (kinds.BLOB_CONTAINER, "storage_account", "storage_account_name", "", kinds.STORAGE_ACCOUNT),
)


def link(graph: ResourceGraph, cluster_mapping: Mapping[str, str] | None = None) -> None:
    for resource in graph.resources:
        for edge, value in resource.refs.items():
            target_kind = EDGES.get((resource.kind, edge))
            if (resource.kind, edge) not in EDGES:
                continue
            graph.set_link(
                resource, edge, same_stack_first(resource, _resolve_any(graph, value, target_kind))
            )
    for kind, edge, name_attr, rg_attr, target_kind in BY_NAME:
        index = NameIndex(graph, target_kind)
        for resource in graph.of_kind(kind):
            if edge in resource.refs and graph.link(resource, edge).absent is False:
                continue
            found = by_name(graph, resource, name_attr, rg_attr, target_kind, index)
            graph.set_link(resource, edge, same_stack_first(resource, found))
    link_kubernetes(graph, cluster_mapping or {})


def same_stack_first(resource: Resource, found: Link) -> Link:
    """Prefer targets declared in the referrer's own stack.

    Two stacks of one repository often declare the same names and the same template-relative ids
    (one template per environment, example folders): a reference means the resource of its own
    stack when there is one. Without one, targets in a single other stack are taken (a name in
    one Terraform root created by another); targets spread over several other stacks are
    ambiguous, hence unknown, so no rule compares against the wrong environment.
    """
    if len(found.targets) < 2 or not resource.stack:
        return found
    own = tuple(t for t in found.targets if t.stack == resource.stack)
    if own:
        return Link(targets=own)
    stacks = {t.stack for t in found.targets}
    if len(stacks) == 1:
        return found
    names = ", ".join(sorted(t.address for t in found.targets)[:3])
    return Link(
        unknown=Unknown(
            f"the reference matches resources in {len(stacks)} other stacks ({names})", resource.span
        )
    )


def _resolve_any(graph: ResourceGraph, value: Value, kind: str | None) -> Link:
    if kind is not None:
        return resolve_reference(graph, value, kind)
    if isinstance(value, Known) and isinstance(value.value, Symbol | str):
        targets = graph.by_id(value.value)
        return Link(targets=tuple(targets)) if targets else Link(external=True)
    if isinstance(value, Unknown):
        return Link(unknown=value)
    return Link(absent=True)


class NameIndex:
    """Resources of one kind by lower-cased known name, plus those whose name is unknown."""

    def __init__(self, graph: ResourceGraph, kind: str) -> None:
        self.by_name: dict[object, list[Resource]] = {}
        self.unknown: Unknown | None = None
        for candidate in graph.of_kind(kind):
            cname = candidate.attr("name")
            if isinstance(cname, Unknown):
                self.unknown = cname
            elif isinstance(cname, Known):
                key = cname.value.lower() if isinstance(cname.value, str) else cname.value
                self.by_name.setdefault(key, []).append(candidate)

    def named(self, name: Known) -> list[Resource]:
        key = name.value.lower() if isinstance(name.value, str) else name.value
        try:
            return self.by_name.get(key, [])
        except TypeError:  # an unhashable (container) value names nothing
            return []


def by_name(
    graph: ResourceGraph,
    resource: Resource,
    name_attr: str,
    rg_attr: str,
    target_kind: str,
    index: NameIndex | None = None,
) -> Link:
    """Resolve ``resource.attrs[name_attr]`` (+ resource group) to a resource of ``target_kind``."""
    name = resource.attr(name_attr)
    if name is ABSENT:
        return Link(absent=True)
    if isinstance(name, Unknown):
        return Link(unknown=name)
    assert isinstance(name, Known)
    index = index or NameIndex(graph, target_kind)
    rg = resource.attr(rg_attr) if rg_attr else ABSENT
    matches = []
    maybe = index.unknown
    for candidate in index.named(name):
        crg = candidate.attr("resource_group")
        if _different_strings(rg, crg):  # a symbolic resourceGroup().name may be either
            continue
        matches.append(candidate)
    if matches:
        return Link(targets=tuple(matches))
    if maybe is not None:
        return Link(unknown=maybe)
    return Link(external=True)


def _same(a: Value, b: Value) -> bool:
    if not (isinstance(a, Known) and isinstance(b, Known)):
        return False
    x, y = a.value, b.value
    if isinstance(x, str) and isinstance(y, str):
        return x.lower() == y.lower()
    return x == y


def _different_strings(a: Value, b: Value) -> bool:
    """Both known plain strings and not equal (case-insensitive); symbols never rule a match out."""
    return (
        isinstance(a, Known)
        and isinstance(b, Known)
        and isinstance(a.value, str)
        and isinstance(b.value, str)
        and a.value.lower() != b.value.lower()
    )
