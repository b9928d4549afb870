"""Cross region restore without a geo-redundant vault or a paired region.

## What it checks
Every backup vault that holds AKS backups:

* **error**: cross region restore enabled (`cross_region_restore_enabled = true`,
  `featureSettings.crossRegionRestoreSettings.state: 'Enabled'`) on a vault whose redundancy is
  not `GeoRedundant`, or in a region that has no Azure paired region (map §6.2: Israel Central,
  Italy North, Poland Central, Spain Central ...);
* **warning**: a geo-redundant vault in a region without a pair, with cross region restore off.

The error points at the cross region restore setting, the warning at the redundancy.

## Why it matters
Cross region restore restores from the copy in the paired region: it needs a geo-redundant
vault, and a region without a pair has no paired region to restore in. Disaster recovery is
available only between paired regions, so a geo-redundant vault in a region without a pair
gives no disaster recovery; whether Azure even creates such a vault is not documented, so that
case is a warning (see Options). Geo-redundancy also matters only for vault-tier backups
(AKSB105).

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

## Options
`unpaired_geo_redundancy` (boolean, default true): report a geo-redundant vault in a region
without a pair (cross region restore off) as a warning. Whether Azure accepts such a vault is
UNVERIFIED (iac-mapping R15); set it to false if your deployments show it is accepted and you
accept a geo-redundant vault without disaster recovery.
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


def cross_region_restore(vault) -> bool | None:  # type: ignore[no-untyped-def]
    """Whether cross region restore is on (a bool, or ARM's ``Enabled`` spelled as a string)."""
    value = vault.attr("cross_region_restore")
    on = as_bool(value)
    if on is None and ieq(value, "Enabled") is True:
        return True
    return on


@rule(
    id="AKSB104",
    slug="cross-region-restore-invalid",
    severity=Severity.ERROR,
    options={"unpaired_geo_redundancy": True},
    severities=(Severity.ERROR, Severity.WARNING),
    revision_verdict=revision_verdict,
    summary="cross region restore without a geo-redundant vault or in a region without a pair; "
    "geo-redundancy in a region without a pair",
    kinds=(kinds.BACKUP_VAULT,),
    languages=("terraform", "arm", "bicep"),
    cite=Citation(
        "Disaster Recovery feature is only available between Azure Paired Regions (if backup is configured in a Geo Redundant Backup vault with Cross Region Restore enabled on them)."
    ),
    tags=("placement", "region", "matrix-revision"),
)
def cross_region_restore_invalid(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    report_unpaired_geo = ctx.option("unpaired_geo_redundancy")
    for vault in aks_vaults(graph):
        crr = cross_region_restore(vault)
        geo = ieq(vault.attr("redundancy"), "GeoRedundant")
        region = text(vault.attr("location"))
        unpaired = region is not None and ctx.matrix.has_no_pair(region)
        where = [RelatedLocation(vault.span_of("location"), f"the vault is in {region}")] if region else []
        if crr is True and geo is False:
            yield ctx.finding(
                vault,
                f"backup vault {vault.address} enables cross region restore with redundancy "
                f"{show(vault.attr('redundancy'))}; cross region restore needs GeoRedundant",
                attribute="cross_region_restore",
                related=[RelatedLocation(vault.span_of("redundancy"), "redundancy is set here")],
            )
        elif crr is True and unpaired:
            yield ctx.finding(
                vault,
                f"backup vault {vault.address} enables cross region restore in {region}, which has no Azure "
                "paired region to restore in; disable it, or put the vault in a region with a pair",
                attribute="cross_region_restore",
                related=where,
            )
        elif geo is True and unpaired and crr is not True and report_unpaired_geo:
            yield ctx.finding(
                vault,
                f"backup vault {vault.address} is geo-redundant in {region}, which has no Azure paired region: "
                "it gives no disaster recovery (and Azure may refuse it); use LocallyRedundant or ZoneRedundant "
                "there, or a region with a pair",
                attribute="redundancy",
                severity=Severity.WARNING,
                related=where,
            )
