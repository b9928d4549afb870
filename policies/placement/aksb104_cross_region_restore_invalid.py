"""Cross region restore without a geo-redundant vault, or geo-redundancy without a paired region.

## What it checks
Every backup vault that holds AKS backups:

* cross region restore enabled (`cross_region_restore_enabled = true`,
  `featureSettings.crossRegionRestoreSettings.state: 'Enabled'`) needs redundancy
  `GeoRedundant`;
* a geo-redundant vault or one with cross region restore must be in a region that has an Azure
  paired region (map §6.2; regions such as Israel Central, Italy North, Poland Central or Spain
  Central have none).

## Why it matters
Cross region restore replicates vault-tier backups to the paired region: the vault must be
geo-redundant, and a region without a pair has nowhere to replicate to, so the vault cannot be
created as declared.

## Azure documentation
"Disaster Recovery feature is only available between Azure Paired Regions (if backup is
configured in a Geo Redundant Backup vault with Cross Region Restore enabled on them)." (support
matrix, 06/10/2025 revision; pairs from the Azure paired-regions list)

## Example
```hcl
resource "azurerm_data_protection_backup_vault" "backup" {
  redundancy                   = "LocallyRedundant"
  cross_region_restore_enabled = true
}
```
Use instead:
```hcl
resource "azurerm_data_protection_backup_vault" "backup" {
  redundancy                   = "GeoRedundant"
  cross_region_restore_enabled = true
}
```
```bicep
properties: {
  storageSettings: [ { datastoreType: 'VaultStore', type: 'GeoRedundant' } ]
  featureSettings: { crossRegionRestoreSettings: { state: 'Enabled' } }
}
```
```json
"storageSettings": [ { "datastoreType": "VaultStore", "type": "GeoRedundant" } ],
"featureSettings": { "crossRegionRestoreSettings": { "state": "Enabled" } }
```

## Unknown values
Unknown redundancy, restore setting or region is not checked; regions whose pair is unknown
(Jio India West) are not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import aks_vaults
from linter.facts.compare import ieq, show, text
from linter.model import Finding, RelatedLocation, Severity, as_bool
from linter.rules import Citation, MatrixRevision, rule


def revision_verdict(m: MatrixRevision) -> str:
    """What this rule decides under matrix revision ``m`` (shown by ``explain``)."""
    return f"regions without a pair: {', '.join(sorted(m.data['unpaired_regions']))}"


@rule(
    id="AKSB104",
    slug="cross-region-restore-invalid",
    severity=Severity.ERROR,
    revision_verdict=revision_verdict,
    summary="cross region restore without a geo-redundant vault, or geo-redundancy in a region without a pair",
    kinds=(kinds.BACKUP_VAULT,),
    languages=("terraform", "arm", "bicep"),
    cite=Citation(
        "Disaster Recovery feature is only available between Azure Paired Regions (if backup is configured in a Geo Redundant Backup vault with Cross Region Restore enabled on them)."
    ),
    tags=("placement", "region", "matrix-revision"),
)
def cross_region_restore_invalid(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    for vault in aks_vaults(graph):
        crr = as_bool(vault.attr("cross_region_restore"))
        if crr is None and ieq(vault.attr("cross_region_restore"), "Enabled") is True:
            crr = True
        geo = ieq(vault.attr("redundancy"), "GeoRedundant")
        if crr is True and geo is False:
            yield ctx.finding(
                vault,
                f"backup vault {vault.address} enables cross region restore with redundancy "
                f"{show(vault.attr('redundancy'))}; cross region restore needs GeoRedundant",
                attribute="cross_region_restore",
                related=[RelatedLocation(vault.span_of("redundancy"), "redundancy is set here")],
            )
        region = text(vault.attr("location"))
        if region is None or not ctx.matrix.has_no_pair(region):
            continue
        if geo is True or crr is True:
            attr = "redundancy" if geo is True else "cross_region_restore"
            yield ctx.finding(
                vault,
                f"backup vault {vault.address} is geo-redundant{' with cross region restore' if crr else ''} in "
                f"{region}, which has no Azure paired region; use LocallyRedundant or ZoneRedundant there, or a "
                "paired region",
                attribute=attr,
                related=[RelatedLocation(vault.span_of("location"), f"the vault is in {region}")],
            )
