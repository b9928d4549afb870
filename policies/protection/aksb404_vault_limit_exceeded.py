"""A backup vault holds more backup policies or backup instances than the limit.

## What it checks
The number of backup policies and of backup instances linked to each backup vault, after
`count`, `for_each` and ARM `copy` expansion. More than 5,000 of either is an error at the
vault.

## Why it matters
The service refuses the 5,001st policy or instance: the deployment fails part-way. Spread
clusters over several vaults.

## Azure documentation
"Number of backup policies per Backup vault 5,000 Number of backup instances per Backup vault
5,000" (support matrix limits table, 06/10/2025 revision)

## Example
```hcl
resource "azurerm_data_protection_backup_policy_kubernetes_cluster" "team" {
  count      = 5001
  vault_name = azurerm_data_protection_backup_vault.backup.name
}
```
Use instead:
```hcl
resource "azurerm_data_protection_backup_policy_kubernetes_cluster" "team" {
  count      = 50
  vault_name = azurerm_data_protection_backup_vault.backup.name
}
```
```bicep
resource policies 'Microsoft.DataProtection/backupVaults/backupPolicies@2023-01-01' = [for i in range(0, 50): {
  parent: vault
  name: 'policy-${i}'
}]
```
```json
"copy": { "name": "policies", "count": 50 }
```

## Unknown values
Resources whose count, `for_each` or condition is unknown, and references to a vault that cannot
be resolved, are not counted.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.model import Finding, Severity
from linter.rules import Citation, rule

LIMIT = 5000


@rule(
    id="AKSB404",
    slug="vault-limit-exceeded",
    severity=Severity.ERROR,
    summary="more than 5,000 backup policies or 5,000 backup instances in one vault",
    kinds=(kinds.BACKUP_VAULT, kinds.BACKUP_POLICY, kinds.BACKUP_INSTANCE),
    languages=("terraform", "arm", "bicep"),
    cite=Citation(
        "Number of backup policies per Backup vault 5,000 Number of backup instances per Backup vault 5,000"
    ),
    tags=("limits",),
)
def vault_limit_exceeded(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    counts: dict[tuple[int, str], int] = {}
    vaults: dict[int, object] = {}
    for kind, what in ((kinds.BACKUP_POLICY, "backup policies"), (kinds.BACKUP_INSTANCE, "backup instances")):
        for res in graph.of_kind(kind):
            targets = graph.related(res, "vault")
            if not res.surely_exists or len(targets) != 1:
                continue
            vaults[id(targets[0])] = targets[0]
            counts[(id(targets[0]), what)] = counts.get((id(targets[0]), what), 0) + 1
    for (vid, what), n in sorted(counts.items(), key=lambda kv: (vaults[kv[0][0]].address, kv[0][1])):  # type: ignore[attr-defined]
        if n > LIMIT:
            vault = vaults[vid]
            yield ctx.finding(
                vault,
                f"backup vault {vault.address} holds {n} {what}; the limit is {LIMIT:,} per vault: spread them "  # type: ignore[attr-defined]
                "over several vaults",
            )
