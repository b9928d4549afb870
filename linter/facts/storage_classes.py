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
#: Azure NetApp Files on AKS goes through NetApp's Trident CSI driver (AKS azure-netapp-files-nfs.md)
ANF_PROVISIONER = "csi.trident.netapp.io"
#: persistent-volume sources that work on any cluster, AKS included (other non-CSI sources belong to
#: a platform: awsElasticBlockStore, gcePersistentDisk, vsphereVolume, portworxVolume ...)
GENERIC_PV_SOURCES = ("nfs", "hostPath", "local", "iscsi", "fc")
#: provisioners and CSI drivers of known non-Azure-Disk storage, by what they provision
KNOWN_STORAGE = {
    BLOB_CSI: "Azure Blob",
    **dict.fromkeys(ACSTOR_PROVISIONERS, "Azure Container Storage"),
    ANF_PROVISIONER: "Azure NetApp Files",
    "nfs.csi.k8s.io": "NFS",
    "smb.csi.k8s.io": "SMB",
    "kubernetes.io/no-provisioner": "local",
    "rancher.io/local-path": "local path",
}
SKU_PARAMETERS = ("skuname", "storageaccounttype")
DEFAULT_CLASS = "managed-csi"


@dataclass(frozen=True)
class BuiltinClass:
    """One storage class AKS creates in every cluster (the cluster's add-on manager owns it)."""

    provisioner: str
    parameters: Mapping[str, str]
    #: what its disks' network access is: "driver default" (the class sets no
    #: networkAccessPolicy/publicNetworkAccess; the Azure Disk CSI driver decides, iac-mapping
    #: §4.2) or "n/a" for classes that are not Azure Disks
    network_access: str = "n/a"


#: The one table of AKS built-in storage classes (AKSB502-AKSB508), by name.
#:
#: Sources: AKS ``concepts-storage.md`` (MicrosoftDocs/azure-aks-docs @ fb060abe, 2026-08-21) lists
#: ``managed-csi`` (= ``default``), ``managed-csi-premium``, ``managed-csi-premium-v2`` (Kubernetes
#: 1.35+), ``azurefile-csi``, ``azurefile-csi-premium``, ``azureblob-nfs-premium`` and
#: ``azureblob-fuse-premium``; its 2022 revision (before commit f01d3e4d) lists the classes created
#: "using the in-tree storage plugins": ``default``, ``managed-premium`` (Premium), ``azurefile``
#: (Standard) and ``azurefile-premium`` (Premium). AKS clusters also carry ``managed``; on clusters
#: created since Kubernetes 1.21 these legacy classes use the CSI drivers (``kubectl get sc``
#: output in idaholab/Malcolm-Helm issue 14: ``managed``/``managed-premium`` ->
#: ``disk.csi.azure.com``, ``azurefile``/``azurefile-premium`` -> ``file.csi.azure.com``). The SKU of
#: ``managed`` is not published (no SKU parameter here). ``azurefile-csi-nfs`` (Azure Files over
#: NFS) is named as a built-in class by the rule audit (issue 13) but appears in no AKS article:
#: UNVERIFIED as a built-in, kept because the name says what it provisions.
BUILTIN_CLASSES: dict[str, BuiltinClass] = {
    "default": BuiltinClass(DISK_CSI, {"skuname": "StandardSSD_LRS"}, "driver default"),
    "managed-csi": BuiltinClass(DISK_CSI, {"skuname": "StandardSSD_LRS"}, "driver default"),
    "managed-csi-premium": BuiltinClass(DISK_CSI, {"skuname": "Premium_LRS"}, "driver default"),
    "managed-csi-premium-v2": BuiltinClass(DISK_CSI, {"skuname": "PremiumV2_LRS"}, "driver default"),
    "managed": BuiltinClass(DISK_CSI, {}, "driver default"),
    "managed-premium": BuiltinClass(DISK_CSI, {"skuname": "Premium_LRS"}, "driver default"),
    "azurefile": BuiltinClass(FILE_CSI, {"skuname": "Standard_LRS"}),
    "azurefile-premium": BuiltinClass(FILE_CSI, {"skuname": "Premium_LRS"}),
    "azurefile-csi": BuiltinClass(FILE_CSI, {"skuname": "Standard_LRS"}),
    "azurefile-csi-premium": BuiltinClass(FILE_CSI, {"skuname": "Premium_LRS"}),
    "azurefile-csi-nfs": BuiltinClass(FILE_CSI, {"skuname": "Premium_LRS", "protocol": "nfs"}),
    "azureblob-nfs-premium": BuiltinClass(BLOB_CSI, {"skuname": "Premium_LRS", "protocol": "nfs"}),
    "azureblob-fuse-premium": BuiltinClass(BLOB_CSI, {"skuname": "Premium_LRS", "protocol": "fuse"}),
}


def is_builtin(name: str) -> bool:
    """``name`` is a class AKS creates itself (no manifest needs to define it)."""
    return name in BUILTIN_CLASSES


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
    own = [sc for sc in declared if volume.stack and sc.stack == volume.stack]
    if own:  # kustomize overlays render same-named classes: the claim's own stack deploys its class
        declared = own
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


def class_defined(graph: ResourceGraph, volume: Resource) -> bool | None:
    """Whether the class a PV or PVC names exists: declared in the scan (for its cluster) or an
    AKS built-in. None when no name is given, the name is unknown, or a declared class's name is
    unknown (it might be this one)."""
    name = text(volume.attr("storage_class_name"))
    if not name:
        return None
    classes = storage_classes(graph, volume)
    if any(text(sc.attr("name")) == name for sc in classes) or is_builtin(name):
        return True
    if any(isinstance(sc.attr("name"), Unknown) for sc in classes):
        return None
    return False


def storage_kind(driver: str | None, params: Mapping[str, Value]) -> str | None:
    """What a provisioner or CSI driver provisions: "Azure Disk", "Azure Files", "Azure Files NFS",
    "Azure Blob", ..., "other" for a driver this table does not know; None when it is unknown.

    In-tree Azure provisioners answer "in-tree": AKSB501 reports those.
    """
    if driver is None:
        return None
    if driver == DISK_CSI:
        return "Azure Disk"
    if driver in IN_TREE_PROVISIONERS:
        return "in-tree"
    if driver == FILE_CSI:
        protocol = params.get("protocol")
        if isinstance(protocol, Unknown):
            return "Azure Files (protocol unknown)"
        return "Azure Files NFS" if (text(protocol) or "smb").lower() == "nfs" else "Azure Files"
    return KNOWN_STORAGE.get(driver, "other")


def is_disk_volume(graph: ResourceGraph, volume: Resource) -> bool:
    """A PV (by its CSI driver) or PVC (by its resolved class) is surely an Azure Disk CSI volume
    of the user's (Azure Container Storage's internal ``acstor-*`` disks are not)."""
    if volume.kind == kinds.PERSISTENT_VOLUME:
        if text(volume.attr("csi_driver")) != DISK_CSI:
            return False
        return not (text(volume.attr("storage_class_name")) or "").startswith("acstor-")
    info = resolve_class(graph, volume)
    return info is not None and info.is_disk
