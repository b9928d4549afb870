"""Edges of Kubernetes resources: object -> cluster, claim/volume -> storage class.

Drawn by ``linter.link`` after the id edges. A Kubernetes object belongs to the
cluster named for its directory in the ``cluster_mapping`` option (``{directory: cluster
address or name}``, longest directory wins), else to the only cluster of the whole graph. With
several clusters and no mapping the edge is unknown, so cluster-dependent rules stay silent.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from linter import kinds
from linter.facts.storage_classes import resolve_class
from linter.graph import Link, Resource, ResourceGraph
from linter.model import Known, Unknown

K8S_KINDS = (
    kinds.STORAGE_CLASS,
    kinds.PERSISTENT_VOLUME,
    kinds.PERSISTENT_VOLUME_CLAIM,
    kinds.HELM_RELEASE,
    kinds.K8S_OBJECT,
    kinds.NAMESPACE,
)


def _matches(cluster: Resource, wanted: str) -> bool:
    name = cluster.attr("name")
    return cluster.address == wanted or (isinstance(name, Known) and name.value == wanted)


def cluster_link(resource: Resource, clusters: list[Resource], mapping: Mapping[str, str]) -> Link:
    """Where ``resource`` is deployed, from the mapping or the only cluster.

    The mapping matches the resource's file or its stack: an object a kustomize overlay renders
    from a shared base is deployed where the overlay (its stack) is mapped.
    """
    file = Path(resource.span.file)
    places = [file, Path(resource.stack)] if resource.stack else [file]
    best: tuple[int, str] | None = None
    for directory, address in mapping.items():
        root = Path(directory).resolve()
        if any(place == root or root in place.parents for place in places):
            depth = len(root.parts)
            if best is None or depth > best[0]:
                best = (depth, address)
    if best is not None:
        targets = tuple(c for c in clusters if _matches(c, best[1]))
        return Link(targets=targets) if targets else Link(external=True)
    if len(clusters) == 1:
        return Link(targets=(clusters[0],))
    if not clusters:
        return Link(absent=True)
    return Link(
        unknown=Unknown(f"{len(clusters)} clusters and no cluster_mapping for {file.parent}", resource.span)
    )


def link_kubernetes(graph: ResourceGraph, mapping: Mapping[str, str] | None = None) -> None:
    """Set the ``cluster`` edge of every Kubernetes resource and the ``storage_class`` edge of volumes."""
    clusters = list(graph.of_kind(kinds.CLUSTER))
    for resource in list(graph.of_kind(*K8S_KINDS)):
        graph.set_link(resource, "cluster", cluster_link(resource, clusters, mapping or {}))
    for resource in list(graph.of_kind(kinds.PERSISTENT_VOLUME, kinds.PERSISTENT_VOLUME_CLAIM)):
        info = resolve_class(graph, resource)
        if info is not None and info.resource is not None:
            graph.set_link(resource, "storage_class", Link(targets=(info.resource,)))
        elif info is not None:
            graph.set_link(resource, "storage_class", Link(external=True))
