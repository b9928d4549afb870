"""What a Velero installation looks like in manifests, charts and Terraform (iac-mapping §4.4, R09).

The AKS backup extension is itself Velero-based and installs Velero CRDs and objects in the
``dataprotection-microsoft`` namespace: those are never a second Velero. CRD definitions alone
(``backups.velero.io`` ...) are shared between the extension and a customer's Velero, so they
are not an install marker either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linter import kinds
from linter.facts.compare import text
from linter.facts.kubernetes import DATAPROTECTION_NAMESPACE, api_group, namespace_of
from linter.graph import Resource
from linter.model import Known, Value

VELERO_NAMESPACE = "velero"
WORKLOAD_KINDS = {"Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Pod"}
#: labels that ``velero install`` (component) and the Helm chart (app.kubernetes.io/name) set
INSTALL_LABELS = (("component", "velero"), ("app.kubernetes.io/name", "velero"))
VELERO_PREFIX = re.compile(r"^([a-z0-9-]+\.)*velero\.io/")
VELERO_GROUP = re.compile(r"^([a-z0-9-]+\.)*velero\.io$")
_CHART_ARCHIVE = re.compile(r"^velero-\d[\w.+-]*\.tgz$")


def _label(resource: Resource, attr: str, key: str) -> Value | None:
    labels = resource.attr(attr)
    if isinstance(labels, Known) and isinstance(labels.value, dict):
        return labels.value.get(key)
    return None


def install_label(resource: Resource) -> tuple[str, Value] | None:
    """The ``component: velero`` / ``app.kubernetes.io/name: velero`` label, if set."""
    for attr in ("labels", "template_labels"):
        for key, wanted in INSTALL_LABELS:
            value = _label(resource, attr, key)
            if value is not None and (text(value) or "").lower() == wanted:
                return attr, value
    return None


def is_velero_chart(chart: str) -> bool:
    """``velero``, ``vmware-tanzu/velero``, ``oci://…/velero`` or a ``velero-<version>.tgz`` archive."""
    last = chart.strip().rstrip("/").rsplit("/", 1)[-1].lower()
    return last == "velero" or bool(_CHART_ARCHIVE.match(last))


@dataclass(frozen=True)
class Marker:
    """One piece of evidence that Velero is installed, and where to point."""

    resource: Resource
    attribute: str
    description: str
    namespace: str  # grouping key: markers of one install share a namespace


def marker(resource: Resource) -> Marker | None:
    """The Velero-install evidence ``resource`` gives, if any."""
    if resource.kind == kinds.HELM_RELEASE:
        chart = text(resource.attr("chart"))
        if chart and is_velero_chart(chart):
            ns = text(resource.attr("namespace")) or f"<release {resource.address}>"
            return Marker(resource, "chart", f'Helm chart "{chart}" ({resource.address})', ns)
        return None
    ns = namespace_of(resource)
    if ns is None or ns == DATAPROTECTION_NAMESPACE:
        return None
    if resource.kind == kinds.NAMESPACE:
        if ns == VELERO_NAMESPACE:
            return Marker(resource, "name", 'namespace "velero"', ns)
        return None
    if resource.kind != kinds.K8S_OBJECT:
        return None
    kind = text(resource.attr("kind")) or ""
    name = text(resource.attr("name")) or "?"
    api = text(resource.attr("api_version")) or ""
    if VELERO_GROUP.match(api_group(resource)):
        return Marker(resource, "api_version", f'{kind} "{name}" ({api}) in namespace "{ns}"', ns)
    if kind in WORKLOAD_KINDS:
        found = install_label(resource)
        if found is not None:
            attr, _ = found
            return Marker(resource, attr, f'{kind} "{name}" labelled as Velero in namespace "{ns}"', ns)
        if ns == VELERO_NAMESPACE:  # Velero's default namespace, even when the Namespace is not declared here
            return Marker(resource, "namespace", f'{kind} "{name}" in namespace "velero"', ns)
    return None


def is_velero_own(resource: Resource) -> bool:
    """Objects of a Velero install or of the backup extension: their velero.io metadata is expected."""
    ns = namespace_of(resource)
    if ns in (VELERO_NAMESPACE, DATAPROTECTION_NAMESPACE):
        return True
    if resource.kind == kinds.K8S_OBJECT:
        if VELERO_GROUP.match(api_group(resource)):
            return True
        name = text(resource.attr("name")) or ""
        if text(resource.attr("kind")) == "CustomResourceDefinition" and name.endswith("velero.io"):
            return True
    return install_label(resource) is not None


def is_velero_key(key: str) -> bool:
    return bool(VELERO_PREFIX.match(key.lower()))


def metadata_entries(resource: Resource, *attrs: str) -> list[tuple[str, str, Value]]:
    """(attribute, key, value) for every label or annotation in ``attrs``."""
    out = []
    for attr in attrs:
        value = resource.attr(attr)
        if isinstance(value, Known) and isinstance(value.value, dict):
            out.extend((attr, k, v) for k, v in value.value.items())
    return out
