"""Questions policies ask the graph, phrased the way the support matrix phrases them."""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.graph import Resource, ResourceGraph
from linter.model import Known


def is_backup_extension(ext: Resource) -> bool:
    v = ext.attr("is_backup")
    return isinstance(v, Known) and v.value is True


def backup_extensions(graph: ResourceGraph) -> Iterator[Resource]:
    """Extensions of type microsoft.dataprotection.kubernetes that may exist."""
    return (e for e in graph.of_kind(kinds.EXTENSION) if is_backup_extension(e) and e.may_exist)


def backup_storage_accounts(graph: ResourceGraph) -> Iterator[tuple[Resource, Resource]]:
    """(extension, storage account) pairs: the accounts the support matrix's storage rules apply to."""
    seen: set[int] = set()
    for ext in backup_extensions(graph):
        for account in graph.related(ext, "storage_account"):
            if id(account) not in seen:
                seen.add(id(account))
                yield ext, account


def node_pools(graph: ResourceGraph, cluster: Resource) -> list[Resource]:
    return graph.referrers(cluster, kinds.NODE_POOL, "cluster")


def terraform_backup_stacks(graph: ResourceGraph) -> dict[str, Resource]:
    """Terraform configurations that declare AKS backup resources (R01's precondition).

    Maps each such stack to its first resource in source order, a place to anchor a finding
    about the configuration as a whole.
    """
    out: dict[str, Resource] = {}
    for r in graph.resources:
        if r.language != "terraform" or r.stack in out:
            continue
        if r.kind in (kinds.TRUSTED_ACCESS, kinds.BACKUP_POLICY, kinds.BACKUP_INSTANCE) or (
            r.kind == kinds.EXTENSION and is_backup_extension(r)
        ):
            out[r.stack] = r
    return out
