"""The AKS cluster authenticates with a service principal.

## What it checks
Every AKS cluster: a Terraform `service_principal {}` block, or an ARM/Bicep
`properties.servicePrincipalProfile.clientId` other than `msi` on a cluster without a managed
identity. The finding points at the service principal setting.
Clusters that a backup instance, the backup extension or a trusted-access binding in the scan
refers to get the finding at full severity; other clusters get it as a `note` ("if you protect
this cluster with Azure Backup: …"), and config `clusters: all` (`--clusters all`) raises those too.

## Why it matters
Backup relies on the cluster's managed identity (for example its Contributor role on the
snapshot resource group); clusters that use a service principal cannot be protected.

## Azure documentation
"Clusters configured with a service principal are not supported." (support matrix, 06/10/2025
revision)

## Example
```hcl
resource "azurerm_kubernetes_cluster" "aks" {
  service_principal {
    client_id     = var.client_id
    client_secret = var.client_secret
  }
}
```
Use instead:
```hcl
resource "azurerm_kubernetes_cluster" "aks" {
  identity {
    type = "SystemAssigned"
  }
}
```

## Unknown values
`clientId: 'msi'` is the managed-identity sentinel, not a service principal. A `dynamic
"service_principal"` block over a known `for_each` is a service principal (or none, when empty);
over an unknown one it is unknown: no finding, and `--unknown note` names the `for_each`.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.clusters import is_protected
from linter.model import Finding, Known, Severity
from linter.rules import Citation, rule


@rule(
    id="AKSB301",
    slug="cluster-service-principal",
    severity=Severity.ERROR,
    severities=(Severity.ERROR, Severity.NOTE),
    languages=("terraform", "arm", "bicep"),
    summary="AKS cluster authenticates with a service principal",
    kinds=(kinds.CLUSTER,),
    cite=Citation("Clusters configured with a service principal are not supported."),
    tags=("identity",),
)
def cluster_service_principal(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    for cluster in graph.of_kind(kinds.CLUSTER):
        sp = cluster.attr("service_principal")
        if isinstance(sp, Known) and sp.value is True:
            yield ctx.cluster_finding(
                cluster,
                is_protected(graph, cluster),
                f"cluster {cluster.address} uses a service principal; Azure Backup for AKS needs a "
                "system- or user-assigned managed identity",
                attribute="service_principal",
            )
        elif cluster.may_exist:
            yield from ctx.unresolved(cluster, sp, "service_principal")
