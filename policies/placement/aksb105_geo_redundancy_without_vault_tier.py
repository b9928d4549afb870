"""A geo-redundant vault or cross region restore, but AKS backups only in the operational tier.

## What it checks
Every backup vault that is geo-redundant (`redundancy = "GeoRedundant"`,
`storageSettings[].type: 'GeoRedundant'`) or has cross region restore enabled, and whose backup
policies are all AKS policies that keep backups in the operational tier only (no lifecycle uses
or copies to `VaultStore`). The finding points at the cross region restore setting, else at the
redundancy.

## Why it matters
For AKS, the paired-region copy exists only for backups stored in the vault tier: operational-
tier backups are snapshots in your own subscription and region. A geo-redundant vault (and cross
region restore) costs more and gives these backups no disaster recovery. Either add a vault-tier
retention to the policy (not possible with Terraform, AKSB003) or use a locally or zone-redundant
vault.

## Azure documentation
"If you require geo-redundant backups with the ability to restore on demand, store your backups
in the Vault tier and enable Cross Region Restore on your Backup Vault." (support matrix,
06/10/2025 revision)

## Example
```hcl
resource "azurerm_data_protection_backup_vault" "backup" {
  redundancy                   = "GeoRedundant"
  cross_region_restore_enabled = true
}
# every AKS policy in the vault: data_store_type = "OperationalStore"
```
Use instead:
```hcl
resource "azurerm_data_protection_backup_vault" "backup" {
  redundancy = "ZoneRedundant"
}
```
```bicep
properties: {
  storageSettings: [ { datastoreType: 'VaultStore', type: 'ZoneRedundant' } ]
}
```
```json
"storageSettings": [ { "datastoreType": "VaultStore", "type": "ZoneRedundant" } ]
```

## Unknown values
Silent when the redundancy, the restore setting or any policy's tier is unknown, when the vault
holds policies of other datasources (they may use the vault tier), when an instance's policy is
not in the scan, or when a remote module or template deployment may declare more policies.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import aks_vaults, only_operational_aks_backups
from linter.facts.compare import ieq
from linter.model import Finding, Severity, as_bool
from linter.rules import Citation, rule


@rule(
    id="AKSB105",
    slug="geo-redundancy-without-vault-tier",
    severity=Severity.NOTE,
    summary="a geo-redundant vault or cross region restore whose AKS backup policies keep backups "
    "in the operational tier only",
    kinds=(kinds.BACKUP_VAULT, kinds.BACKUP_POLICY),
    languages=("terraform", "arm", "bicep"),
    cite=Citation(
        "If you require geo-redundant backups with the ability to restore on demand, store your backups in "
        "the Vault tier and enable Cross Region Restore on your Backup Vault."
    ),
    tags=("placement", "vault-tier"),
)
def geo_redundancy_without_vault_tier(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    for vault in aks_vaults(graph):
        crr_value = vault.attr("cross_region_restore")
        crr = as_bool(crr_value) is True or ieq(crr_value, "Enabled") is True
        geo = ieq(vault.attr("redundancy"), "GeoRedundant") is True
        if not (crr or geo) or not only_operational_aks_backups(graph, vault):
            continue
        what = "enables cross region restore" if crr else "is geo-redundant"
        yield ctx.finding(
            vault,
            f"backup vault {vault.address} {what}, but its AKS backup policies keep backups in the operational "
            "tier only, which is never copied to the paired region; add a vault-tier retention, or use a "
            "LocallyRedundant or ZoneRedundant vault",
            attribute="cross_region_restore" if crr else "redundancy",
        )
