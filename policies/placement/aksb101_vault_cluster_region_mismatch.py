"""Backup vault is not in the AKS cluster's region.

## What it checks
For every backup instance, the region of its backup vault and the region of the cluster it
protects. The Terraform backup instance's own `location` (sent as the datasource location) and
the ARM `dataSourceInfo.resourceLocation` must also equal the cluster's region. The finding
points at the vault's (or instance's) `location`, with the cluster's `location` as a related
location.

## Why it matters
Azure Backup for AKS only protects a cluster from a vault in the same region: configuring the
backup instance fails, and restores from the operational tier can only target that region.

## Azure documentation
"Backup Vault and the AKS cluster should be located in the same region." (support matrix,
06/10/2025 revision)

## Example
```hcl
resource "azurerm_data_protection_backup_vault" "backup" {
  location = "northeurope" # cluster is in westeurope
}
```
Use instead:
```hcl
resource "azurerm_data_protection_backup_vault" "backup" {
  location = azurerm_kubernetes_cluster.aks.location
}
```

## Unknown values
A region that comes from a variable without default, a data source or `reference()` is
unknown and the rule stays silent. Two resources that both use `resourceGroup().location` in
one deployment are in the same region.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.compare import same_value, show
from linter.model import Finding, Severity
from linter.rules import Citation, related_value, rule


@rule(
    id="AKSB101",
    slug="vault-cluster-region-mismatch",
    severity=Severity.ERROR,
    languages=("terraform", "arm", "bicep"),
    summary="backup vault (or backup instance location) not in the cluster's region",
    kinds=(kinds.BACKUP_INSTANCE, kinds.BACKUP_VAULT, kinds.CLUSTER),
    cite=Citation("Backup Vault and the AKS cluster should be located in the same region."),
    tags=("placement", "region"),
)
def vault_cluster_region_mismatch(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    reported: set[tuple[int, int]] = set()
    for instance in graph.of_kind(kinds.BACKUP_INSTANCE):
        for cluster in graph.related(instance, "cluster"):
            where = cluster.attr("location")
            related = related_value(cluster, "location", f"cluster {cluster.address} is in {show(where)}")
            for vault in graph.related(instance, "vault"):
                if (id(vault), id(cluster)) in reported:
                    continue
                if same_value(vault.attr("location"), where) is False:
                    reported.add((id(vault), id(cluster)))
                    yield ctx.finding(
                        vault,
                        f"backup vault {vault.address} is in {show(vault.attr('location'))} but the cluster "
                        f"{cluster.address} it protects is in {show(where)}",
                        attribute="location",
                        related=related,
                    )
            if same_value(instance.attr("location"), where) is False:
                yield ctx.finding(
                    instance,
                    f"backup instance location {show(instance.attr('location'))} is not the region of "
                    f"cluster {cluster.address} ({show(where)})",
                    attribute="location",
                    related=related,
                )
