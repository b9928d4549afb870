"""The backup runs in a region that does not support the tier it uses.

## What it checks
The regions of every AKS backup instance's cluster and vault against the selected matrix
revision's region lists (map R14, §6.1). A vault-tier policy (`uses_vault_store`) in a region
that supports only the operational (snapshot) tier is an error at the `location`; a region in
neither list is a warning.

## Why it matters
Protection cannot be configured for a tier the region does not offer: vault-tier backups fail
in operational-only regions (China, US Gov, Israel Central, Poland Central, Spain Central in the
06/2025 revision), and unlisted regions are not supported at all.

## Azure documentation
"The following regions support only the Operational (Snapshot) tier:" (support matrix,
06/10/2025 revision, followed by the region list; the regions for both tiers are listed under
"Azure Backup for AKS supports storing backup data in both Vault and Operational (Snapshot)
tiers in the following Azure regions:")

## Example
```hcl
resource "azurerm_kubernetes_cluster" "aks" {
  location = "newzealandnorth" # not in the support matrix's region lists
}
```
Use instead:
```hcl
resource "azurerm_kubernetes_cluster" "aks" {
  location = "australiaeast"
}
```
```bicep
param location string = 'australiaeast'
```
```json
"location": "australiaeast"
```

## Unknown values
A region from a variable without default, a data source or `resourceGroup().location` is not
checked. The region lists come from the selected matrix revision (`--matrix`); revision
`2026-01b` supports the operational tier in every public and Government region, and a region it
cannot name as either (a China region, a misspelt name) is reported as unlisted, as in every
revision.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import backup_instances, policy_uses_vault_store
from linter.facts.compare import text
from linter.model import Finding, Severity
from linter.rules import Citation, MatrixRevision, rule


def revision_verdict(m: MatrixRevision) -> str:
    """What this rule decides under matrix revision ``m`` (shown by ``explain``)."""
    regions = m.data["regions"]
    if regions["mode"] == "lists":
        return (
            f"{len(regions['vault_and_operational'])} regions with both tiers; operational tier only in "
            f"{', '.join(regions['operational_only'])}; other regions: warning"
        )
    prefixes = ", ".join(f"{p}*" for p in regions["vault_excluded_prefixes"])
    return (
        f"operational tier in every public ({len(regions['public_regions'])} known) and Government region; "
        f"no vault tier in {', '.join(regions['vault_excluded'])} and {prefixes}; other regions: warning"
    )


@rule(
    id="AKSB103",
    slug="region-tier-unsupported",
    severity=Severity.ERROR,
    severities=(Severity.ERROR, Severity.WARNING),
    revision_verdict=revision_verdict,
    summary="vault tier in an operational-only region, or a region in neither list",
    kinds=(kinds.BACKUP_INSTANCE, kinds.CLUSTER, kinds.BACKUP_VAULT),
    languages=("terraform", "arm", "bicep"),
    cite=Citation("The following regions support only the Operational (Snapshot) tier:"),
    tags=("placement", "region", "matrix-revision"),
)
def region_tier_unsupported(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    vault_tier: dict[int, bool] = {}
    resources: dict[int, object] = {}
    for instance in backup_instances(graph):
        uses = policy_uses_vault_store(graph, instance)
        for res in graph.related(instance, "cluster") + graph.related(instance, "vault"):
            resources[id(res)] = res
            vault_tier[id(res)] = vault_tier.get(id(res), False) or uses
    for key, res in sorted(resources.items(), key=lambda kv: (kv[1].span.file, kv[1].span.line)):  # type: ignore[attr-defined]
        region = text(res.attr("location"))  # type: ignore[attr-defined]
        if region is None:
            continue
        tiers = ctx.matrix.region_tiers(region)
        what = "cluster" if res.kind == kinds.CLUSTER else "backup vault"  # type: ignore[attr-defined]
        if tiers == "operational" and vault_tier[key]:
            yield ctx.finding(
                res,
                f"{what} {res.address} is in {region}, which supports only the operational tier, but its backup "  # type: ignore[attr-defined]
                f"policy uses the vault tier (matrix revision {ctx.matrix.revision}); use an operational-tier policy "
                "or a region with both tiers",
                attribute="location",
            )
        elif tiers == "unlisted":
            yield ctx.finding(
                res,
                f"{what} {res.address} is in {region}, which the support matrix (revision {ctx.matrix.revision}) "  # type: ignore[attr-defined]
                "does not list as a region for AKS backup",
                attribute="location",
                severity=Severity.WARNING,
            )
