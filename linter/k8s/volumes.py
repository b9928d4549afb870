"""Questions the volume and Velero rules ask about Kubernetes resources: pure functions over the graph.

* Which storage class does a claim or volume use? (declared in the scan, AKS built-in, or the
  cluster default when a claim names none; ``None`` when that cannot be told.)
* Which cluster is an object deployed to, and is that cluster protected by a backup instance
  whose policy uses the vault tier, or does it carry the backup extension?

Storage-class parameter names are case-insensitive (iac-mapping §4.2); adapters store them
lower-cased, and the synthetic parameters of built-in classes below are lower-cased too.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field

from linter import kinds
from linter.graph import Resource, ResourceGraph
from linter.model import ABSENT, Known, Unknown, Value, as_bool
from linter.values import text

DISK_CSI = "disk.csi.azure.com"
FILE_CSI = "file.csi.azure.com"
BLOB_CSI = "blob.csi.azure.com"
IN_TREE_PROVISIONERS = {"kubernetes.io/azure-disk": "azureDisk", "kubernetes.io/azure-file": "azureFile"}
#: Azure Container Storage v1 and v2 (iac-mapping §4.1)
ACSTOR_PROVISIONERS = ("containerstorage.csi.azure.com", "localdisk.csi.acstor.io", "san.csi.azure.com")
SKU_PARAMETERS = ("skuname", "storageaccounttype")
DEFAULT_CLASS = "managed-csi"
DATAPROTECTION_NAMESPACE = "dataprotection-microsoft"
VELERO_PREFIX = re.compile(r"^([a-z0-9-]+\.)*velero\.io/")
VELERO_GROUP = re.compile(r"^([a-z0-9-]+\.)*velero\.io$")


@dataclass(frozen=True)
class BuiltinClass:
    provisioner: str
    parameters: Mapping[str, str]


#: AKS's built-in storage classes (iac-mapping §4.1, AKS concepts-storage)
BUILTIN_CLASSES: dict[str, BuiltinClass] = {
    "managed-csi": BuiltinClass(DISK_CSI, {"skuname": "StandardSSD_LRS"}),
    "default": BuiltinClass(DISK_CSI, {"skuname": "StandardSSD_LRS"}),
    "managed-csi-premium": BuiltinClass(DISK_CSI, {"skuname": "Premium_LRS"}),
    "managed-csi-premium-v2": BuiltinClass(DISK_CSI, {"skuname": "PremiumV2_LRS"}),
    "azurefile-csi": BuiltinClass(FILE_CSI, {"skuname": "Standard_LRS"}),
    "azurefile-csi-premium": BuiltinClass(FILE_CSI, {"skuname": "Premium_LRS"}),
    "azureblob-nfs-premium": BuiltinClass(BLOB_CSI, {"skuname": "Premium_LRS", "protocol": "nfs"}),
    "azureblob-fuse-premium": BuiltinClass(BLOB_CSI, {"skuname": "Premium_LRS", "protocol": "fuse"}),
}


@dataclass(frozen=True)
class ClassInfo:
    """The storage class a claim or volume uses, as far as it is known statically."""

    name: str
    provisioner: str | None  # None: the declared class's provisioner is unknown
    parameters: Mapping[str, Value] = field(default_factory=dict)
    resource: Resource | None = None  # the declaration in the scan, if any
    builtin: bool = False
    via_default: bool = False  # the claim names no class; this is the cluster default

    @property
    def internal(self) -> bool:
        """ACStor's own classes (``acstor-azuredisk-internal`` ...) are never user disks."""
        return self.name.startswith("acstor-")

    @property
    def is_disk(self) -> bool:
        return self.provisioner == DISK_CSI and not self.internal

    def parameter(self, *names: str) -> Value:
        for n in names:
            if n in self.parameters:
                return self.parameters[n]
        return ABSENT


def parameters(resource: Resource, attr: str = "parameters") -> dict[str, Value]:
    value = resource.attr(attr)
    if isinstance(value, Known) and isinstance(value.value, dict):
        return {k.lower(): v for k, v in value.value.items()}
    return {}


def _declared(resource: Resource) -> ClassInfo:
    name = text(resource.attr("name")) or ""
    return ClassInfo(name, text(resource.attr("provisioner")), parameters(resource), resource)


def _builtin(name: str, via_default: bool = False) -> ClassInfo | None:
    spec = BUILTIN_CLASSES.get(name)
    if spec is None:
        return None
    params = {k: Known(v) for k, v in spec.parameters.items()}
    return ClassInfo(name, spec.provisioner, params, None, builtin=True, via_default=via_default)


def _same_cluster(graph: ResourceGraph, a: Resource, b: Resource) -> bool:
    """False only when both are linked to known, different clusters."""
    ta, tb = graph.related(a, "cluster"), graph.related(b, "cluster")
    return not (ta and tb and not set(ta) & set(tb))


_CLASS_MEMO: weakref.WeakKeyDictionary[ResourceGraph, dict[frozenset[int], list[Resource]]] = (
    weakref.WeakKeyDictionary()
)


def storage_classes(graph: ResourceGraph, of: Resource) -> list[Resource]:
    """Storage classes that may be deployed alongside ``of`` (same cluster or unmapped).

    Memoised per graph and cluster set: every claim of a large estate asks, and the answer only
    depends on which clusters the claim is linked to.
    """
    clusters = graph.related(of, "cluster")
    key = frozenset(id(c) for c in clusters)
    memo = _CLASS_MEMO.setdefault(graph, {})
    if key not in memo:
        memo[key] = [
            sc for sc in graph.of_kind(kinds.STORAGE_CLASS) if sc.may_exist and _same_cluster(graph, sc, of)
        ]
    return memo[key]


def default_class(graph: ResourceGraph, claim: Resource) -> ClassInfo | None:
    """The class a claim without ``storageClassName`` gets: the declared default, else ``managed-csi``."""
    defaults = []
    for sc in storage_classes(graph, claim):
        flag = sc.attr("is_default")
        if isinstance(flag, Unknown):
            return None
        if as_bool(flag) is True:
            defaults.append(sc)
    if len(defaults) == 1:
        info = _declared(defaults[0])
        return ClassInfo(info.name, info.provisioner, info.parameters, info.resource, via_default=True)
    if defaults:
        return None  # several defaults: the API server picks the newest; we cannot tell
    return _builtin(DEFAULT_CLASS, via_default=True)


def resolve_class(graph: ResourceGraph, volume: Resource) -> ClassInfo | None:
    """The storage class of a PVC or PV, or None when it cannot be told (or there is none)."""
    value = volume.attr("storage_class_name")
    if value is ABSENT:
        return default_class(graph, volume) if volume.kind == kinds.PERSISTENT_VOLUME_CLAIM else None
    name = text(value)
    if not name:  # unknown, or "" (explicitly no class: binds to a static PV)
        return None
    declared = [sc for sc in storage_classes(graph, volume) if text(sc.attr("name")) == name]
    if len(declared) == 1:
        return _declared(declared[0])
    if declared:
        infos = {
            (i.provisioner, tuple(sorted((k, text(v)) for k, v in i.parameters.items())))
            for i in map(_declared, declared)
        }
        return _declared(declared[0]) if len(infos) == 1 else None
    if any(isinstance(sc.attr("name"), Unknown) for sc in storage_classes(graph, volume)):
        return None  # a class with an unresolved name might be this one
    return _builtin(name)


def sku(info: ClassInfo) -> Value:
    return info.parameter(*SKU_PARAMETERS)


# --- clusters ---------------------------------------------------------------------------------


def clusters_of(graph: ResourceGraph, resource: Resource) -> tuple[Resource, ...]:
    """The cluster(s) a Kubernetes object is deployed to (empty when not known)."""
    return graph.related(resource, "cluster")


def vault_tier_protected(graph: ResourceGraph, cluster: Resource) -> Resource | None:
    """A backup instance protecting ``cluster`` whose policy surely uses the vault store."""
    for instance in graph.referrers(cluster, kinds.BACKUP_INSTANCE, "cluster"):
        if not instance.may_exist:
            continue
        for policy in graph.related(instance, "policy"):
            flag = policy.attr("uses_vault_store")
            if isinstance(flag, Known) and flag.value is True:
                return instance
    return None


def vault_tier_instance(graph: ResourceGraph, resource: Resource) -> Resource | None:
    """The vault-tier backup instance that covers ``resource``'s cluster, if any."""
    for cluster in clusters_of(graph, resource):
        instance = vault_tier_protected(graph, cluster)
        if instance is not None:
            return instance
    return None


def backup_extension(graph: ResourceGraph, resource: Resource) -> Resource | None:
    """A data-protection extension on ``resource``'s cluster (or, with no cluster in the scan, anywhere)."""
    clusters = clusters_of(graph, resource)
    for ext in graph.of_kind(kinds.EXTENSION):
        flag = ext.attr("is_backup")
        if not (isinstance(flag, Known) and flag.value is True and ext.may_exist):
            continue
        if not clusters and not any(True for _ in graph.of_kind(kinds.CLUSTER)):
            return ext
        if set(graph.related(ext, "cluster")) & set(clusters):
            return ext
    return None


# --- namespaces and Velero ----------------------------------------------------------------------


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
