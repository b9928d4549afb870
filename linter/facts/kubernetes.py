"""Where a Kubernetes object lives: its cluster, its namespace, and what protects that cluster."""

from __future__ import annotations

from linter import kinds
from linter.facts.chain import backup_extensions, vault_tier_instance
from linter.facts.compare import text
from linter.graph import Resource, ResourceGraph
from linter.model import ABSENT, Known, Unknown, Value

DATAPROTECTION_NAMESPACE = "dataprotection-microsoft"


def clusters_of(graph: ResourceGraph, resource: Resource) -> tuple[Resource, ...]:
    """The cluster(s) a Kubernetes object is deployed to (empty when not known)."""
    return graph.related(resource, "cluster")


def vault_tier_instance_for(graph: ResourceGraph, resource: Resource) -> Resource | None:
    """The vault-tier backup instance that covers ``resource``'s cluster, if any."""
    for cluster in clusters_of(graph, resource):
        instance = vault_tier_instance(graph, cluster)
        if instance is not None:
            return instance
    return None


def backup_extension_for(graph: ResourceGraph, resource: Resource) -> Resource | None:
    """A data-protection extension on ``resource``'s cluster (or, with no cluster in the scan, anywhere)."""
    clusters = clusters_of(graph, resource)
    no_cluster_in_scan = not clusters and not any(True for _ in graph.of_kind(kinds.CLUSTER))
    for ext in backup_extensions(graph):
        if no_cluster_in_scan or set(graph.related(ext, "cluster")) & set(clusters):
            return ext
    return None


def namespace_of(resource: Resource) -> str | None:
    """The namespace name of an object (a Namespace's own name); ``default`` when not set."""
    if resource.kind == kinds.NAMESPACE:
        return text(resource.attr("name"))
    value = resource.attr("namespace")
    if value is ABSENT:
        return "default"
    return text(value)


def api_group(resource: Resource) -> str:
    api = text(resource.attr("api_version")) or ""
    return api.rsplit("/", 1)[0] if "/" in api else ""


#: namespaces the service leaves out of every backup (support matrix: "skipped from Backup
#: Configuration and cannot be configured for backups")
SKIPPED_NAMESPACES = ("kube-system", "kube-node-lease", "kube-public")


def instance_covers(instance: Resource, resource: Resource) -> bool | None:
    """Whether backup ``instance`` takes the namespaced object ``resource`` (its included and
    excluded namespaces; the system namespaces never). None when that cannot be told: an unknown
    namespace or namespace list, or label selectors that may leave the object out."""
    namespace = namespace_of(resource)
    if namespace is None:
        return None
    if namespace in SKIPPED_NAMESPACES:
        return False
    selectors = instance.attr("label_selectors")
    if isinstance(selectors, Unknown) or (isinstance(selectors, Known) and selectors.value):
        return None
    excluded = _names(instance.attr("excluded_namespaces"))
    if excluded is None:
        return None
    if namespace in excluded:
        return False
    included = _names(instance.attr("included_namespaces"))
    if included is None:
        return None
    return not included or namespace in included


def _names(value: Value) -> list[str] | None:
    """The names of a namespace list ([] when absent); None when it or an entry is unknown."""
    if value is ABSENT:
        return []
    if not (isinstance(value, Known) and isinstance(value.value, list)):
        return None
    names = [text(v) for v in value.value]
    return None if any(n is None for n in names) else names  # type: ignore[return-value]
