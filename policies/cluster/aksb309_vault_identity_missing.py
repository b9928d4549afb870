"""The backup vault has no system-assigned managed identity.

## What it checks
Every backup vault that holds AKS backups (the vault of an AKS backup instance or policy, or the
source of a trusted-access binding): its identity type must include `SystemAssigned`
(Terraform `identity { type = "SystemAssigned" }`, ARM/Bicep `identity.type`). No identity
block, `None` or `UserAssigned` alone is an error.

## Why it matters
Trusted access and the vault's role assignments (Reader on the cluster and the snapshot
resource group) are granted to the vault's system-assigned identity; without it, protection
cannot be configured.

## Azure documentation
"For successful backup and restore operations, the Backup vault's managed identity requires role
assignments." (support matrix, 06/10/2025 revision; trusted access uses the system-assigned
identity per the AKS trusted-access article)

## Example
```hcl
resource "azurerm_data_protection_backup_vault" "backup" {
  datastore_type = "VaultStore"
  redundancy     = "LocallyRedundant"
}
```
Use instead:
```hcl
resource "azurerm_data_protection_backup_vault" "backup" {
  datastore_type = "VaultStore"
  redundancy     = "LocallyRedundant"
  identity {
    type = "SystemAssigned"
  }
}
```
```bicep
resource vault 'Microsoft.DataProtection/backupVaults@2023-01-01' = {
  identity: { type: 'SystemAssigned' }
}
```
```json
"identity": { "type": "SystemAssigned" }
```

## Unknown values
An identity type from a variable without default, or a `dynamic "identity"` block whose
`for_each` is not known, is unknown and not reported (`--unknown note` names it); a `dynamic`
block over a known `for_each` is evaluated like a literal one.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import aks_vaults
from linter.facts.compare import show, text
from linter.model import ABSENT, Finding, Severity
from linter.rules import Citation, rule


@rule(
    id="AKSB309",
    slug="vault-identity-missing",
    severity=Severity.ERROR,
    summary="backup vault has no system-assigned managed identity",
    kinds=(kinds.BACKUP_VAULT,),
    languages=("terraform", "arm", "bicep"),
    cite=Citation(
        "For successful backup and restore operations, the Backup vault's managed identity requires role assignments."
    ),
    tags=("wiring", "identity"),
)
def vault_identity_missing(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    for vault in aks_vaults(graph):
        value = vault.attr("identity_type")
        if value is ABSENT:
            yield ctx.finding(
                vault,
                f"backup vault {vault.address} has no managed identity; add a system-assigned identity "
                "(identity type SystemAssigned) so trusted access and its role assignments work",
            )
            continue
        kind = text(value)
        if kind is None:
            yield from ctx.unresolved(vault, value, "identity_type")
            continue
        parts = {p.strip().lower() for p in kind.split(",")}
        if "systemassigned" not in parts:
            yield ctx.finding(
                vault,
                f"backup vault {vault.address} has identity type {show(value)}; AKS backup needs the vault's "
                "system-assigned identity: use SystemAssigned",
                attribute="identity_type",
            )
