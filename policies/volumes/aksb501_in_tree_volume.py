"""A volume uses an in-tree Azure volume plugin.

## What it checks
Storage classes whose `provisioner` is an in-tree plugin (`kubernetes.io/azure-disk`,
`kubernetes.io/azure-file`), persistent volumes with `spec.azureDisk` or `spec.azureFile`, and
pod volumes (`spec.volumes[].azureDisk` / `azureFile` of Pods and workload templates). In
Terraform, `kubernetes_storage_class` / `kubernetes_persistent_volume` (and `_v1`, and
`kubernetes_manifest`) are read the same way. The finding points at the provisioner or the
plugin key.

## Why it matters
Azure Backup for AKS snapshots only CSI volumes. Volumes of in-tree plugins are skipped
silently: the backup succeeds but holds no data for them. Migrate in-tree Azure Disk volumes to
the Azure Disk CSI driver (`disk.csi.azure.com`). For in-tree Azure Files volumes the fix
depends on the matrix revision: up to 06/2025 AKS backup supports only Azure Disk CSI volumes,
so keep data the cluster backup must hold on a disk CSI volume and protect Azure Files shares
with Azure Files backup (a `file.csi.azure.com` volume would be skipped too, AKSB503); the
01/2026 revisions also support Azure Files over SMB through `file.csi.azure.com`.

## Azure documentation
"In-tree volume plugins are not supported." (support matrix, 06/10/2025 revision)

## Example
```yaml
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: legacy-disk
provisioner: kubernetes.io/azure-disk
parameters:
  skuname: Premium_LRS
```
Use instead:
```yaml
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: premium-disk
provisioner: disk.csi.azure.com
parameters:
  skuName: Premium_LRS
```

## Unknown values
A provisioner or volume source that cannot be resolved (a Helm template expression, a
Terraform variable without default) is not reported.

## Known limitations
Claims that use an in-tree class are not reported again: the class is. Built-in AKS classes are
all CSI classes.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.fixes import csi_provisioner
from linter.facts.storage_classes import IN_TREE_PROVISIONERS
from linter.model import Finding, Known, Severity
from linter.rules import Citation, rule

_CSI = {"azureDisk": "disk.csi.azure.com", "azureFile": "file.csi.azure.com"}


def advice(plugin: str, smb_supported: bool) -> str:
    """What to migrate an in-tree volume to, so that backup then takes it."""
    if plugin == "azureDisk":
        return 'use an Azure Disk CSI volume ("disk.csi.azure.com")'
    if smb_supported:
        return 'use an Azure Files CSI volume over SMB ("file.csi.azure.com")'
    return (
        'backup supports only Azure Disk CSI volumes ("disk.csi.azure.com"): move data the cluster backup '
        "must hold to one, and protect Azure Files shares with Azure Files backup"
    )


@rule(
    id="AKSB501",
    slug="in-tree-volume",
    severity=Severity.WARNING,
    summary="in-tree Azure volume plugin; backup skips these volumes",
    kinds=(kinds.STORAGE_CLASS, kinds.PERSISTENT_VOLUME, kinds.K8S_OBJECT),
    languages=("kubernetes", "terraform"),
    cite=Citation("In-tree volume plugins are not supported."),
    tags=("volumes",),
)
def in_tree_volume(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    smb = ctx.matrix.flag("azure_files_smb_supported")
    for sc in graph.of_kind(kinds.STORAGE_CLASS):
        prov = sc.attr("provisioner")
        if isinstance(prov, Known) and prov.value in IN_TREE_PROVISIONERS:
            plugin = IN_TREE_PROVISIONERS[prov.value]
            yield ctx.finding(
                sc,
                f'storage class {sc.address} uses the in-tree provisioner "{prov.value}"; backup skips '
                f"its volumes: {advice(plugin, smb)}",
                attribute="provisioner",
                fix=csi_provisioner(prov, _CSI[plugin]),
            )
    for pv in graph.of_kind(kinds.PERSISTENT_VOLUME):
        plugin = pv.attr("in_tree")
        if isinstance(plugin, Known) and plugin.value in _CSI:
            yield ctx.finding(
                pv,
                f'persistent volume {pv.address} uses the in-tree "{plugin.value}" plugin; backup skips it: '
                f"{advice(plugin.value, smb)}",
                attribute="in_tree",
            )
    for obj in graph.of_kind(kinds.K8S_OBJECT):
        volumes = obj.attr("in_tree_volumes")
        if not (isinstance(volumes, Known) and isinstance(volumes.value, list)):
            continue
        for volume in volumes.value:
            if isinstance(volume, Known) and volume.value in _CSI:
                yield ctx.finding(
                    obj,
                    f'{obj.address} mounts an in-tree "{volume.value}" volume; backup skips it: '
                    f"{advice(volume.value, smb)}",
                    attribute="in_tree_volumes",
                    span=volume.span,
                    properties={"volume": volume.value},
                )
