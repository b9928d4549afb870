"""The backup extension's storage account is not in the cluster's region.

## What it checks
For every data-protection backup extension, the region of the storage account named in its
`configuration.backupStorageLocation.config.storageAccount` setting and the region of the
cluster it is installed on. The finding points at the storage account's `location`.

## Why it matters
The extension writes backup metadata to that account; the Azure CLI refuses the installation
when the two are not in the same location, and other clients fail at backup time.

## Azure documentation
"The storage account specified during the installation of the backup extension must be in the
same region as the AKS cluster." (support matrix, 06/10/2025 revision)

## Example
```hcl
resource "azurerm_storage_account" "backup" {
  location = "northeurope" # cluster is in westeurope
}
```
Use instead:
```hcl
resource "azurerm_storage_account" "backup" {
  location = azurerm_kubernetes_cluster.aks.location
}
```

## Unknown values
An unknown region, storage account name or cluster reference keeps the rule silent.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import backup_extensions
from linter.facts.compare import same_value, show
from linter.model import Finding, RelatedLocation, Severity
from linter.rules import Citation, related_value, rule


@rule(
    id="AKSB102",
    slug="storage-cluster-region-mismatch",
    severity=Severity.ERROR,
    languages=("terraform", "arm", "bicep"),
    summary="backup extension's storage account not in the cluster's region",
    kinds=(kinds.EXTENSION, kinds.STORAGE_ACCOUNT, kinds.CLUSTER),
    cite=Citation(
        "The storage account specified during the installation of the backup extension must be in the same region as the AKS cluster."
    ),
    tags=("placement", "region", "storage"),
)
def storage_cluster_region_mismatch(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    reported: set[tuple[int, int]] = set()
    for ext in backup_extensions(graph):
        for cluster in graph.related(ext, "cluster"):
            for account in graph.related(ext, "storage_account"):
                key = (id(account), id(cluster))
                if (
                    key in reported
                    or same_value(account.attr("location"), cluster.attr("location")) is not False
                ):
                    continue
                reported.add(key)
                yield ctx.finding(
                    account,
                    f"storage account {account.address} is in {show(account.attr('location'))} but cluster "
                    f"{cluster.address}, whose backup extension uses it, is in {show(cluster.attr('location'))}",
                    attribute="location",
                    related=[
                        *related_value(cluster, "location", f"cluster {cluster.address} region"),
                        RelatedLocation(
                            ext.span_of("storage_account_name"),
                            "backup extension names the storage account here",
                        ),
                    ],
                )
