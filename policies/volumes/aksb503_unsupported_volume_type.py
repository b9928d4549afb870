"""A volume uses Azure Files, Azure Blob or Azure Container Storage.

## What it checks
Storage classes whose provisioner is the Azure Files CSI driver (`file.csi.azure.com`), the
Azure Blob CSI driver (`blob.csi.azure.com`) or an Azure Container Storage driver
(`containerstorage.csi.azure.com`, `localdisk.csi.acstor.io`, `san.csi.azure.com`); CSI
persistent volumes with those drivers; and claims or volumes that name AKS's built-in
`azurefile-csi`, `azurefile-csi-premium`, `azureblob-nfs-premium` or `azureblob-fuse-premium`
class without declaring it. The finding points at the provisioner, the driver or
`storageClassName`.

## Why it matters
These volumes are skipped by backup: the backup succeeds but holds no data for them. Back them
up with Azure Files or Azure Blob backup instead.

## Azure documentation
"Azure File Shares, Azure Blob Storage and Azure Container Storage based persistent volumes are
not supported by AKS Backup." (support matrix, 06/10/2025 revision)

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
In-tree `kubernetes.io/azure-file` volumes are reported by AKSB501, not here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from linter import kinds
from linter.facts.compare import text
from linter.facts.storage_classes import ACSTOR_PROVISIONERS, BLOB_CSI, FILE_CSI, parameters, resolve_class
from linter.model import Finding, Severity, Unknown, Value
from linter.rules import Citation, MatrixRevision, rule


def unsupported_type(driver: str | None, params: Mapping[str, Value], smb_supported: bool) -> str | None:
    """What kind of unsupported storage ``driver`` provisions, or None (supported or cannot tell)."""
    if driver == FILE_CSI:
        if not smb_supported:
            return "Azure Files"
        protocol = params.get("protocol")
        if isinstance(protocol, Unknown):
            return None
        return "Azure Files NFS" if (text(protocol) or "smb").lower() == "nfs" else None
    if driver == BLOB_CSI:
        return "Azure Blob"
    if driver in ACSTOR_PROVISIONERS:
        return "Azure Container Storage"
    return None


def revision_verdict(m: MatrixRevision) -> str:
    """What this rule decides under matrix revision ``m`` (shown by ``explain``)."""
    if m.flag("azure_files_smb_supported"):
        return "Azure Files SMB volumes are supported (NFS, Blob and Container Storage are still skipped)"
    return "Azure Files, Blob and Container Storage volumes are skipped: warning"


@rule(
    id="AKSB503",
    slug="unsupported-volume-type",
    severity=Severity.WARNING,
    revision_verdict=revision_verdict,
    summary="Azure Files, Azure Blob or Azure Container Storage volumes; backup skips them",
    kinds=(kinds.STORAGE_CLASS, kinds.PERSISTENT_VOLUME, kinds.PERSISTENT_VOLUME_CLAIM),
    languages=("kubernetes", "terraform"),
    cite=Citation(
        "Azure File Shares, Azure Blob Storage and Azure Container Storage based persistent volumes "
        "are not supported by AKS Backup."
    ),
    tags=("volumes",),
)
def unsupported_volume_type(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    smb = ctx.matrix.flag("azure_files_smb_supported")
    for sc in graph.of_kind(kinds.STORAGE_CLASS):
        yield from ctx.unresolved(sc, sc.attr("provisioner"), "provisioner")
        driver = text(sc.attr("provisioner"))
        what = unsupported_type(driver, parameters(sc), smb)
        if what:
            yield ctx.finding(
                sc,
                f'storage class {sc.address} provisions {what} volumes ("{driver}"); backup skips them',
                attribute="provisioner",
            )
    for pv in graph.of_kind(kinds.PERSISTENT_VOLUME):
        driver = text(pv.attr("csi_driver"))
        what = unsupported_type(driver, parameters(pv, "volume_attributes"), smb)
        if what:
            yield ctx.finding(
                pv,
                f'persistent volume {pv.address} uses {what} ("{driver}"); backup skips it',
                attribute="csi_driver",
            )
        elif pv.attr("csi_driver").is_absent:
            yield from _builtin(graph, ctx, pv, smb)
    for pvc in graph.of_kind(kinds.PERSISTENT_VOLUME_CLAIM):
        yield from _builtin(graph, ctx, pvc, smb)


def _builtin(graph, ctx, volume, smb: bool) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    info = resolve_class(graph, volume)
    if info is None or not info.builtin or info.via_default:
        return
    what = unsupported_type(info.provisioner, info.parameters, smb)
    if what:
        yield ctx.finding(
            volume,
            f'{volume.address} uses the built-in class "{info.name}" ({what}); backup skips these volumes',
            attribute="storage_class_name",
        )
