"""The cluster runs a Kubernetes version outside AKS support.

## What it checks
The Kubernetes version of every cluster (Terraform `kubernetes_version`, ARM/Bicep
`properties.kubernetesVersion`) and of every node pool that pins its own
(`orchestrator_version`, `orchestratorVersion`), against the AKS release calendar shipped with
the linter (`policies/data/aks-kubernetes-versions.json`, dated; the message names the date). A
minor version is supported from its AKS GA month to its end of life; with the long-term support
plan (`support_plan = "AKSLongTermSupport"`, `supportPlan: 'AKSLongTermSupport'`) until its LTS
end of life. The finding points at the version.
Clusters that a backup instance, the backup extension or a trusted-access binding in the scan
refers to get the finding at full severity; other clusters get it as a `note` ("if you protect
this cluster with Azure Backup: …"), and config `clusters: all` (`--clusters all`) raises those too.

## Why it matters
Azure Backup for AKS supports only clusters on supported Kubernetes versions. On other versions
backups may still run, but failures during backup or restore are not covered by support.
Versions in AKS "platform support" (N-3) are not supported versions.

## Azure documentation
"Azure Backup for AKS supports only clusters running supported Kubernetes versions." (support
matrix, 06/10/2025 revision; the versions and their dates are from the AKS release calendar,
learn.microsoft.com/azure/aks/supported-kubernetes-versions)

## Example
```hcl
resource "azurerm_kubernetes_cluster" "aks" {
  kubernetes_version = "1.30.7"
}
```
Use instead:
```hcl
resource "azurerm_kubernetes_cluster" "aks" {
  kubernetes_version = "1.35"
}
```
```bicep
properties: {
  kubernetesVersion: '1.35'
}
```
```json
"properties": { "kubernetesVersion": "1.35" }
```

## Unknown values
A version from a variable without default, an unreadable version, a version the calendar lists
as not yet generally available on its date or newer than the calendar, and (for minor versions
inside their LTS window) an unknown support plan are not reported. Without `kubernetes_version`
AKS picks a supported default, and a node pool without its own version follows the control plane.

## Known limitations
Support is decided as of the calendar's date, not today's: a version that reached its end of
life since then is reported only once the data file is updated (a new linter release).
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.clusters import is_protected, node_pools
from linter.facts.compare import text
from linter.facts.kubernetes_versions import LTS_PLAN, Support, aks_calendar
from linter.graph import Resource
from linter.model import ABSENT, Finding, Severity
from linter.rules import Citation, rule


@rule(
    id="AKSB310",
    slug="kubernetes-version-unsupported",
    severity=Severity.WARNING,
    severities=(Severity.WARNING, Severity.NOTE),
    summary="the cluster's Kubernetes version is outside the AKS supported versions as of the shipped calendar's date",
    kinds=(kinds.CLUSTER, kinds.NODE_POOL),
    languages=("terraform", "arm", "bicep"),
    cite=Citation("Azure Backup for AKS supports only clusters running supported Kubernetes versions."),
    tags=("cluster", "kubernetes-version"),
)
def kubernetes_version_unsupported(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    versions = aks_calendar()
    for cluster in graph.of_kind(kinds.CLUSTER):
        protected = is_protected(graph, cluster)
        lts = _lts(cluster)
        places: list[tuple[Resource, str]] = [(cluster, "kubernetes_version")]
        places += [(pool, "orchestrator_version") for pool in node_pools(graph, cluster)]
        for resource, attr in places:
            value = resource.attr(attr)
            yield from ctx.unresolved(resource, value, attr)
            version = text(value)
            if version is None or versions.support(version, lts) is not Support.UNSUPPORTED:
                continue
            what = "cluster" if resource is cluster else f"node pool {resource.address} of cluster"
            yield ctx.cluster_finding(
                cluster,
                protected,
                f"{what} {cluster.address} runs Kubernetes {version}, outside the AKS supported versions as of "
                f"{versions.as_of.isoformat()} (AKS release calendar: {_span(versions.supported())}; "
                f"{_span(versions.supported(lts=True))} with the AKSLongTermSupport plan); Azure Backup for AKS "
                "supports only clusters on supported versions: upgrade",
                resource=resource,
                attribute=attr,
            )


def _span(minors: list[str]) -> str:
    """``1.34-1.36`` for a list of consecutive minor versions."""
    if not minors:
        return "none"
    return minors[0] if len(minors) == 1 else f"{minors[0]}-{minors[-1]}"


def _lts(cluster: Resource) -> bool | None:
    """Whether the cluster has the long-term support plan; None when that is unknown."""
    plan = cluster.attr("support_plan")
    if plan is ABSENT:
        return False
    name = text(plan)
    return None if name is None else name.lower() == LTS_PLAN
