"""A persistent volume is not an Azure Disk CSI volume, so backup skips it.

## What it checks
Every storage class, persistent volume and claim whose storage is not an Azure Disk CSI volume
(`disk.csi.azure.com`):

* storage classes whose `provisioner` is Azure Files (`file.csi.azure.com`), Azure Blob
  (`blob.csi.azure.com`), Azure Container Storage (`containerstorage.csi.azure.com`,
  `localdisk.csi.acstor.io`, `san.csi.azure.com`), Azure NetApp Files (Trident,
  `csi.trident.netapp.io`), NFS (`nfs.csi.k8s.io`), SMB (`smb.csi.k8s.io`), local volumes
  (`kubernetes.io/no-provisioner`, `rancher.io/local-path`), or any other provisioner when the
  object is deployed to a cluster of the scan;
* persistent volumes whose `spec.csi.driver` is not the Azure Disk driver (the same drivers; any
  other one when deployed to a cluster of the scan), or whose source is not CSI at all (`nfs`,
  `hostPath`, `local`, `iscsi`, `fc`; another platform's source such as `vsphereVolume` when
  deployed to a cluster of the scan);
* claims and volumes that name an AKS built-in class of another kind without declaring it:
  `azurefile`, `azurefile-premium`, `azurefile-csi`, `azurefile-csi-premium`,
  `azurefile-csi-nfs`, `azureblob-nfs-premium`, `azureblob-fuse-premium`.

The finding points at the provisioner, the CSI driver, the volume source or `storageClassName`.

## Why it matters
The support matrix supports only Azure Disk volumes provisioned by the CSI driver and skips every
other persistent volume: the backup succeeds but holds no data for them. Back Azure Files and
Azure Blob data up with Azure Files backup and Azure Blob backup; move other data you need in the
cluster backup to Azure Disk CSI volumes.

## Azure documentation
"Azure Backup for AKS currently supports only Azure disk-based persistent volumes provisioned
using the CSI driver." (support matrix, 06/10/2025 revision; also "Azure File Shares, Azure Blob
Storage and Azure Container Storage based persistent volumes are not supported by AKS Backup" and
"Any unsupported persistent volume types are automatically skipped during the backup process for
the AKS cluster.")

## Example
```yaml
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: shared-files
provisioner: file.csi.azure.com
parameters:
  skuName: Standard_LRS
```
Use instead:
```yaml
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: app-disk
provisioner: disk.csi.azure.com
parameters:
  skuName: StandardSSD_LRS
```

## Unknown values
A provisioner, driver or class name that cannot be resolved is not reported. With a matrix
revision that supports Azure Files over SMB (01/2026), an Azure Files class is reported only
when its `protocol` parameter is known to be `nfs`.

## Known limitations
In-tree `kubernetes.io/azure-disk` and `kubernetes.io/azure-file` volumes are reported by
AKSB501, not here. Provisioners of other platforms (`kubernetes.io/aws-ebs`,
`pd.csi.storage.gke.io` ...) in manifests that no cluster of the scan receives are taken as
manifests for another platform and not reported. Azure Container Storage's internal `acstor-*` disk classes are not user
volumes and are never reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from linter import kinds
from linter.facts.compare import text
from linter.facts.kubernetes import clusters_of
from linter.facts.storage_classes import (
    GENERIC_PV_SOURCES,
    IN_TREE_PROVISIONERS,
    parameters,
    resolve_class,
    storage_kind,
)
from linter.model import Finding, Severity, Value
from linter.rules import Citation, MatrixRevision, rule

#: answers of ``storage_kind`` that this rule leaves alone (supported, AKSB501's, or unknown)
NOT_OURS = (None, "Azure Disk", "in-tree")


def unsupported(
    driver: str | None, params: Mapping[str, Value], smb_supported: bool, on_aks: bool = True
) -> str | None:
    """What unsupported storage ``driver`` provisions, or None (supported or cannot tell).

    A driver the storage table does not know (another cloud's, an on-premises one) is reported
    only for objects tied to a cluster of the scan (``on_aks``): a manifest for another
    platform is not an AKS volume.
    """
    what = storage_kind(driver, params)
    if what in NOT_OURS or (what == "other" and not on_aks):
        return None
    if smb_supported and what.startswith("Azure Files") and what != "Azure Files NFS":
        return None
    return what


def volumes(what: str, driver: str | None, noun: str = " volumes") -> str:
    """``Azure Files volumes ("file.csi.azure.com")``, or ``"smb.csi.k8s.io" volumes``."""
    return f'"{driver}"{noun}' if what == "other" else f'{what}{noun} ("{driver}")'


def supported_text(smb_supported: bool) -> str:
    return "Azure Disk and Azure Files (SMB) CSI volumes" if smb_supported else "Azure Disk CSI volumes"


def revision_verdict(m: MatrixRevision) -> str:
    """What this rule decides under matrix revision ``m`` (shown by ``explain``)."""
    if m.flag("azure_files_smb_supported"):
        return "Azure Disk and Azure Files SMB volumes are supported; every other volume type is reported"
    return "only Azure Disk CSI volumes are supported; every other volume type (Azure Files too) is reported"


@rule(
    id="AKSB503",
    slug="unsupported-volume-type",
    severity=Severity.WARNING,
    revision_verdict=revision_verdict,
    summary="a persistent volume that is not an Azure Disk CSI volume; backup skips it",
    kinds=(kinds.STORAGE_CLASS, kinds.PERSISTENT_VOLUME, kinds.PERSISTENT_VOLUME_CLAIM),
    languages=("kubernetes", "terraform"),
    cite=Citation(
        "Azure Backup for AKS currently supports only Azure disk-based persistent volumes provisioned "
        "using the CSI driver."
    ),
    tags=("volumes",),
)
def unsupported_volume_type(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    smb = ctx.matrix.flag("azure_files_smb_supported")
    supported = supported_text(smb)
    for sc in graph.of_kind(kinds.STORAGE_CLASS):
        yield from ctx.unresolved(sc, sc.attr("provisioner"), "provisioner")
        driver = text(sc.attr("provisioner"))
        what = unsupported(driver, parameters(sc), smb, bool(clusters_of(graph, sc)))
        if what:
            yield ctx.finding(
                sc,
                f"storage class {sc.address} provisions {volumes(what, driver)}; backup supports only "
                f"{supported} and skips these",
                attribute="provisioner",
            )
    for pv in graph.of_kind(kinds.PERSISTENT_VOLUME):
        yield from _volume(graph, ctx, pv, smb, supported)
    for pvc in graph.of_kind(kinds.PERSISTENT_VOLUME_CLAIM):
        yield from _builtin(graph, ctx, pvc, smb, supported)


def _volume(graph, ctx, pv, smb: bool, supported: str) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    driver = text(pv.attr("csi_driver"))
    if driver is not None:
        what = unsupported(driver, parameters(pv, "volume_attributes"), smb, bool(clusters_of(graph, pv)))
        if what:
            yield ctx.finding(
                pv,
                f"persistent volume {pv.address} is backed by {volumes(what, driver, noun='')}; backup supports "
                f"only {supported} and skips it",
                attribute="csi_driver",
            )
        return
    source = text(pv.attr("volume_source"))
    in_tree = set(IN_TREE_PROVISIONERS.values())
    on_aks = source in GENERIC_PV_SOURCES or bool(clusters_of(graph, pv))
    if source is not None and source != "csi" and source not in in_tree and on_aks:
        yield ctx.finding(
            pv,
            f"persistent volume {pv.address} is a spec.{source} volume, not a CSI volume; backup supports "
            f"only {supported} and skips it",
            attribute="volume_source",
        )
    elif pv.attr("volume_source").is_absent and pv.attr("csi_driver").is_absent:
        yield from _builtin(graph, ctx, pv, smb, supported)


def _builtin(graph, ctx, volume, smb: bool, supported: str) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    """A claim or volume naming an AKS built-in class of unsupported storage it does not declare."""
    info = resolve_class(graph, volume)
    if info is None or not info.builtin or info.via_default:
        return
    what = unsupported(info.provisioner, info.parameters, smb)
    if what:
        yield ctx.finding(
            volume,
            f'{volume.address} uses the AKS built-in class "{info.name}" ({what}); backup supports only '
            f"{supported} and skips these volumes",
            attribute="storage_class_name",
        )
