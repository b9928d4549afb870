"""The cluster has no Linux x86 node pool where the backup extension can run.

## What it checks
The node pools of every cluster (Terraform `default_node_pool` and
`azurerm_kubernetes_cluster_node_pool`; ARM/Bicep `agentPoolProfiles[]` and `agentPools`). A
pool qualifies when it runs Linux with Ubuntu or Azure Linux (`os_sku` absent, `Ubuntu*`,
`AzureLinux*`, `CBLMariner`, `Mariner`) on an x86 VM size. ARM64 sizes have a lower-case `p` in
their feature letters (`Standard_D2ps_v5`). With no qualifying pool the finding is an error at
the first pool; otherwise each Windows or ARM64 pool gets a note.
Clusters that a backup instance, the backup extension or a trusted-access binding in the scan
refers to get the finding at full severity; other clusters get it as a `note` ("if you protect
this cluster with Azure Backup: …"), and config `clusters: all` (`--clusters all`) raises those too.

## Why it matters
The backup extension's pods only schedule on such nodes; without one, the extension never
becomes healthy and every backup fails.

## Azure documentation
"The Backup Extension can only be installed on node pools that use x86-based processors and run
Ubuntu or Azure Linux as the operating system." (support matrix, 06/10/2025 revision)

## Example
```hcl
resource "azurerm_kubernetes_cluster" "aks" {
  default_node_pool {
    name    = "arm"
    vm_size = "Standard_D4ps_v5"
  }
}
```
Use instead:
```hcl
resource "azurerm_kubernetes_cluster" "aks" {
  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }
}
```

## Unknown values
A pool whose VM size, OS or existence is unknown may qualify, so no error is reported while
such a pool exists. The ARM64 verdict follows the selected matrix revision (revision
`2026-01b` supports ARM64 pools).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from linter import kinds
from linter.facts.clusters import is_protected, node_pools
from linter.facts.compare import text
from linter.graph import Resource
from linter.model import Finding, RelatedLocation, Severity
from linter.rules import Citation, MatrixRevision, rule

#: "p = ARM Cpu" among the additive features after the vCPU count (Standard_D4ps_v5); the family
#: letters before the count may hold a P (Standard_NP10s) and do not count. Azure accepts sizes in
#: any case, so the match is case-insensitive.
ARM64_SIZE = re.compile(r"^Standard_[A-Z]+\d+(-\d+)?[a-z]*p[a-z]*(_|$)", re.IGNORECASE)
LINUX_SKUS = ("ubuntu", "azurelinux", "cblmariner", "mariner")


def classify(pool: Resource, arm64_supported: bool) -> tuple[str, str, str]:
    """('ok' | 'bad' | 'unknown', attribute that decides, what the pool is: "Windows", "Arm64" ...)."""
    os_type = text(pool.attr("os_type"))
    os_sku = text(pool.attr("os_sku"))
    size = text(pool.attr("vm_size"))
    if (os_type or "").lower() == "windows" or (os_sku or "").lower().startswith("windows"):
        return "bad", "os_type" if (os_type or "").lower() == "windows" else "os_sku", "a Windows pool"
    if pool.attr("os_sku").is_known and os_sku is not None and not os_sku.lower().startswith(LINUX_SKUS):
        return "bad", "os_sku", f"OS SKU {os_sku}, neither Ubuntu nor Azure Linux"
    if size is not None and ARM64_SIZE.match(size) and not arm64_supported:
        return "bad", "vm_size", f"an Arm64 VM size ({size})"
    if pool.attr("os_type").is_unknown or pool.attr("os_sku").is_unknown or size is None:
        return "unknown", "", ""
    return "ok", "", ""


def revision_verdict(m: MatrixRevision) -> str:
    """What this rule decides under matrix revision ``m`` (shown by ``explain``)."""
    if m.flag("arm64_supported"):
        return "ARM64 node pools can run the backup extension: not reported"
    return (
        "ARM64 node pools cannot run the backup extension: a note per pool, an error when no x86 pool exists"
    )


@rule(
    id="AKSB302",
    slug="no-linux-x86-node-pool",
    severity=Severity.ERROR,
    severities=(Severity.ERROR, Severity.NOTE),
    revision_verdict=revision_verdict,
    languages=("terraform", "arm", "bicep"),
    summary="no Linux x86 Ubuntu/Azure Linux node pool where the backup extension can run",
    kinds=(kinds.CLUSTER, kinds.NODE_POOL),
    cite=Citation(
        "The Backup Extension can only be installed on node pools that use x86-based processors and run Ubuntu or Azure Linux as the operating system."
    ),
    tags=("node-pool",),
)
def no_linux_x86_node_pool(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    arm64 = ctx.matrix.flag("arm64_supported")
    for cluster in graph.of_kind(kinds.CLUSTER):
        pools = node_pools(graph, cluster)
        verdicts = [(p, *classify(p, arm64)) for p in pools]
        bad = [(p, attr, what) for p, verdict, attr, what in verdicts if verdict == "bad"]
        if not bad:
            continue
        if any(verdict == "ok" and p.surely_exists for p, verdict, _, _ in verdicts):
            for pool, attr, what in bad:
                yield ctx.finding(
                    pool,
                    f"node pool {pool.address} is {what}, where the backup extension cannot run; "
                    "its pods run on the cluster's Linux x86 pools",
                    attribute=attr,
                    severity=Severity.NOTE,
                )
        elif all(verdict == "bad" for _, verdict, _, _ in verdicts) and all(p.surely_exists for p in pools):
            first, attr, what = bad[0]
            yield ctx.cluster_finding(
                cluster,
                is_protected(graph, cluster),
                f"cluster {cluster.address} has no Linux x86 (Ubuntu or Azure Linux) node pool: "
                f"{first.address} is {what}; add an x86 Ubuntu or Azure Linux pool for the backup extension",
                resource=first,
                attribute=attr,
                related=[
                    RelatedLocation(p.span_of(a), f"node pool {p.address} ({w}) cannot run it either")
                    for p, a, w in bad[1:]
                ],
            )
