"""The protected cluster has the disk CSI driver or the snapshot controller disabled.

## What it checks
Every cluster: Terraform `storage_profile { disk_driver_enabled,
snapshot_controller_enabled }`, ARM/Bicep `properties.storageProfile.diskCSIDriver.enabled` and
`properties.storageProfile.snapshotController.enabled`. Both default to enabled; an explicit
`false` is an error at that attribute.
Clusters that a backup instance, the backup extension or a trusted-access binding in the scan
refers to get the finding at full severity; other clusters get it as a `note` ("if you protect
this cluster with Azure Backup: …"), and config `clusters: all` (`--clusters all`) raises those too.

## Why it matters
Backups of persistent volumes are CSI disk snapshots: without the disk CSI driver and the
snapshot controller, no volume is backed up.

## Azure documentation
"Ensure that the CSI driver and snapshot are enabled for your cluster." (support matrix,
06/10/2025 revision)

## Example
```hcl
resource "azurerm_kubernetes_cluster" "aks" {
  storage_profile {
    snapshot_controller_enabled = false
  }
}
```
Use instead:
```hcl
resource "azurerm_kubernetes_cluster" "aks" {
  storage_profile {
    disk_driver_enabled         = true
    snapshot_controller_enabled = true
  }
}
```
```bicep
properties: {
  storageProfile: {
    diskCSIDriver: { enabled: true }
    snapshotController: { enabled: true }
  }
}
```
```json
"storageProfile": {
  "diskCSIDriver": { "enabled": true },
  "snapshotController": { "enabled": true }
}
```

## Unknown values
A setting from a variable without default is not checked; an absent setting takes Azure's
default (enabled).
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.clusters import is_protected
from linter.model import Finding, Severity, as_bool
from linter.rules import Citation, rule

SETTINGS = (
    ("disk_csi_enabled", "the Azure Disk CSI driver"),
    ("snapshot_controller_enabled", "the snapshot controller"),
)


@rule(
    id="AKSB304",
    slug="csi-snapshot-disabled",
    severity=Severity.ERROR,
    severities=(Severity.ERROR, Severity.NOTE),
    summary="disk CSI driver or snapshot controller disabled on the cluster",
    kinds=(kinds.CLUSTER,),
    languages=("terraform", "arm", "bicep"),
    cite=Citation("Ensure that the CSI driver and snapshot are enabled for your cluster."),
    tags=("cluster", "csi"),
)
def csi_snapshot_disabled(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    for cluster in graph.of_kind(kinds.CLUSTER):
        protected = is_protected(graph, cluster)
        for attr, what in SETTINGS:
            if as_bool(cluster.attr(attr)) is False:
                yield ctx.cluster_finding(
                    cluster,
                    protected,
                    f"cluster {cluster.address} disables {what}; AKS backup takes CSI disk snapshots, so enable it",
                    attribute=attr,
                )
