"""Clusters as the cluster rules see them: which ones take part in AKS backup, and their pools."""

from __future__ import annotations

from linter import kinds
from linter.facts.chain import backup_instances, is_backup_extension
from linter.graph import Resource, ResourceGraph


def protected_clusters(graph: ResourceGraph) -> list[Resource]:
    """Clusters that take part in AKS backup: protected by an instance, or carrying the extension
    or a trusted-access binding."""
    out: dict[int, Resource] = {}
    for instance in backup_instances(graph):
        for c in graph.related(instance, "cluster"):
            out[id(c)] = c
    for ext in graph.of_kind(kinds.EXTENSION):
        if is_backup_extension(ext):
            for c in graph.related(ext, "cluster"):
                out[id(c)] = c
    for binding in graph.of_kind(kinds.TRUSTED_ACCESS):
        for c in graph.related(binding, "cluster"):
            out[id(c)] = c
    return sorted(out.values(), key=lambda r: (r.span.file, r.span.line, r.address))


def is_protected(graph: ResourceGraph, cluster: Resource) -> bool:
    """A backup instance, the backup extension or a trusted-access binding in the scan refers to
    ``cluster`` (rules.md, Scope): cluster rules report at full severity only for these."""
    if "protected" not in graph.memo:
        graph.memo["protected"] = {id(c) for c in protected_clusters(graph)}
    return id(cluster) in graph.memo["protected"]  # type: ignore[operator]


def node_pools(graph: ResourceGraph, cluster: Resource) -> list[Resource]:
    return graph.referrers(cluster, kinds.NODE_POOL, "cluster")
