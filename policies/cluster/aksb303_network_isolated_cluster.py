"""The protected cluster is network-isolated, which AKS backup does not support.

## What it checks
Clusters whose bootstrap artifact source is `Cache` (Terraform
`bootstrap_profile { artifact_source = "Cache" }`, ARM/Bicep
`properties.bootstrapProfile.artifactSource`): that is how a network-isolated cluster is
declared; its outbound type is then `none` or `block`.
Clusters that a backup instance, the backup extension or a trusted-access binding in the scan
refers to get the finding at full severity; other clusters get it as a `note` ("if you protect
this cluster with Azure Backup: …"), and config `clusters: all` (`--clusters all`) raises those too.

## Why it matters
The backup extension cannot be installed or reach its storage from a network-isolated cluster
under the default matrix revision, so backups never run.

## Azure documentation
"Azure Backup for AKS is currently not supported for Network Isolated AKS clusters." (support
matrix, 06/10/2025 revision)

## Example
```hcl
resource "azurerm_kubernetes_cluster" "aks" {
  bootstrap_profile {
    artifact_source = "Cache"
  }
  network_profile {
    network_plugin = "azure"
    outbound_type  = "none"
  }
}
```
Use instead:
```hcl
resource "azurerm_kubernetes_cluster" "aks" {
  bootstrap_profile {
    artifact_source = "Direct"
  }
  network_profile {
    network_plugin = "azure"
    outbound_type  = "loadBalancer"
  }
}
```
```bicep
properties: {
  bootstrapProfile: { artifactSource: 'Direct' }
  networkProfile: { outboundType: 'loadBalancer' }
}
```
```json
"bootstrapProfile": { "artifactSource": "Direct" },
"networkProfile": { "outboundType": "loadBalancer" }
```

## Unknown values
An artifact source from a variable without default is not checked. The verdict follows the
selected matrix revision: revision `2026-01b` supports network-isolated clusters (with the
backup extension, trusted access and private connectivity to the storage account), and the
rule is silent there.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.clusters import is_protected
from linter.facts.compare import ieq, show
from linter.model import Finding, RelatedLocation, Severity
from linter.rules import Citation, MatrixRevision, rule


def revision_verdict(m: MatrixRevision) -> str:
    """What this rule decides under matrix revision ``m`` (shown by ``explain``)."""
    if m.flag("network_isolated_supported"):
        return "network-isolated clusters are supported (with the extension, trusted access and private storage access): not reported"
    return "network-isolated clusters are not supported: error"


@rule(
    id="AKSB303",
    slug="network-isolated-cluster",
    severity=Severity.ERROR,
    severities=(Severity.ERROR, Severity.NOTE),
    revision_verdict=revision_verdict,
    summary="network-isolated cluster (bootstrap artifact source Cache, outbound none/block)",
    kinds=(kinds.CLUSTER,),
    languages=("terraform", "arm", "bicep"),
    cite=Citation("Azure Backup for AKS is currently not supported for Network Isolated AKS clusters."),
    tags=("cluster", "network", "matrix-revision"),
)
def network_isolated_cluster(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    if ctx.matrix.flag("network_isolated_supported"):
        return
    for cluster in graph.of_kind(kinds.CLUSTER):
        if ieq(cluster.attr("artifact_source"), "Cache") is not True:
            continue
        outbound = cluster.attr("outbound_type")
        related = []
        if outbound.is_known:
            related.append(
                RelatedLocation(cluster.span_of("outbound_type"), f"outbound type {show(outbound)}")
            )
        yield ctx.cluster_finding(
            cluster,
            is_protected(graph, cluster),
            f'cluster {cluster.address} is network-isolated (bootstrap artifact source "Cache"); Azure Backup '
            f"for AKS does not support network-isolated clusters under matrix revision {ctx.matrix.revision}",
            attribute="artifact_source",
            related=related,
        )
