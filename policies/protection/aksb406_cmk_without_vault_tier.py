"""Customer-managed-key encryption on a vault whose AKS backups stay in the operational tier.

## What it checks
Every backup vault with customer-managed-key encryption (an
`azurerm_data_protection_backup_vault_customer_managed_key` for it, ARM/Bicep
`securitySettings.encryptionSettings.state: 'Enabled'`) whose backup policies are all AKS
policies that keep backups in the operational tier only. The finding points at the encryption
setting (Terraform: the customer-managed-key resource).

## Why it matters
For AKS backups, customer-managed keys encrypt only what is stored in the vault tier. Operational-
tier backups are disk snapshots in your subscription, encrypted by the disks' own settings: the
vault's key does not cover them, whatever the compliance requirement behind the key says.

## Azure documentation
"Azure Backup for AKS supports Customer-Managed Key (CMK) encryption, but it is applicable only
to backups stored in the Vault Tier." (support matrix, 06/10/2025 revision)

## Example
```hcl
resource "azurerm_data_protection_backup_vault_customer_managed_key" "backup" {
  data_protection_backup_vault_id = azurerm_data_protection_backup_vault.backup.id
  key_vault_key_id                = azurerm_key_vault_key.backup.id
}
# every AKS policy in the vault: data_store_type = "OperationalStore"
```
Use instead:
```hcl
# encrypt the snapshots themselves: a disk encryption set for the cluster's disks
resource "azurerm_kubernetes_cluster" "aks" {
  disk_encryption_set_id = azurerm_disk_encryption_set.aks.id
}
```
```bicep
properties: {
  securitySettings: { encryptionSettings: { state: 'Disabled' } }
}
```
```json
"securitySettings": { "encryptionSettings": { "state": "Disabled" } }
```

## Unknown values
Silent when the encryption state or any policy's tier is unknown, when the vault holds policies
of other datasources, when an instance's policy is not in the scan, or when a remote module or
template deployment may declare more policies.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import aks_vaults, customer_managed_key, only_operational_aks_backups
from linter.model import Finding, RelatedLocation, Severity
from linter.rules import Citation, rule


@rule(
    id="AKSB406",
    slug="cmk-without-vault-tier",
    severity=Severity.NOTE,
    summary="customer-managed-key encryption on a vault whose AKS backup policies keep backups in the "
    "operational tier only",
    kinds=(kinds.BACKUP_VAULT, kinds.VAULT_ENCRYPTION, kinds.BACKUP_POLICY),
    languages=("terraform", "arm", "bicep"),
    cite=Citation(
        "Azure Backup for AKS supports Customer-Managed Key (CMK) encryption, but it is applicable only to "
        "backups stored in the Vault Tier."
    ),
    tags=("protection", "vault-tier", "encryption"),
)
def cmk_without_vault_tier(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    for vault in aks_vaults(graph):
        found = customer_managed_key(graph, vault)
        if found is None or not only_operational_aks_backups(graph, vault):
            continue
        resource, attr = found
        related = [] if resource is vault else [RelatedLocation(vault.span, f"backup vault {vault.address}")]
        yield ctx.finding(
            resource,
            f"backup vault {vault.address} encrypts with a customer-managed key, but its AKS backup policies "
            "keep backups in the operational tier only, which the key does not cover; the key protects only "
            "vault-tier backups",
            attribute=attr,
            related=related,
        )
