"""Which storage class does a claim or volume use? Declared in the scan, an AKS built-in, or the
cluster default when a claim names none; ``None`` when that cannot be told.

Storage-class parameter names are case-insensitive (iac-mapping §4.2); adapters store them
lower-cased, and the synthetic parameters of built-in classes below are lower-cased too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from linter import kinds
from linter.facts.compare import text
from linter.graph import Resource, ResourceGraph
from linter.model import ABSENT, Known, Unknown, Value, as_bool

DISK_CSI = "disk.csi.azure.com"
FILE_CSI = "file.csi.azure.com"
BLOB_CSI = "blob.csi.azure.com"
IN_TREE_PROVISIONERS = {"kubernetes.io/azure-disk": "azureDisk", "kubernetes.io/azure-file": "azureFile"}
#: Azure Container Storage v1 and v2 (iac-mapping §4.1)
ACSTOR_PROVISIONERS = ("containerstorage.csi.azure.com", "localdisk.csi.acstor.io", "san.csi.azure.com")
SKU_PARAMETERS = ("skuname", "storageaccounttype")
DEFAULT_CLASS = "managed-csi"


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


def storage_classes(graph: ResourceGraph, of: Resource) -> list[Resource]:
    """Storage classes that may be deployed alongside ``of`` (same cluster or unmapped).

    Memoised per graph and cluster set: every claim of a large estate asks, and the answer only
    depends on which clusters the claim is linked to.
    """
    clusters = graph.related(of, "cluster")
    key = ("storage_classes", frozenset(id(c) for c in clusters))
    if key not in graph.memo:
        graph.memo[key] = [sc for sc in graph.of_kind(kinds.STORAGE_CLASS) if _same_cluster(graph, sc, of)]
    return graph.memo[key]  # type: ignore[return-value]


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
