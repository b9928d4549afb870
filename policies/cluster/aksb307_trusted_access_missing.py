"""No trusted-access role binding lets the backup vault into the cluster.

## What it checks
For every AKS backup instance whose cluster and vault are declared in the scanned files, a
trusted-access role binding (`azurerm_kubernetes_cluster_trusted_access_role_binding`,
`Microsoft.ContainerService/managedClusters/trustedAccessRoleBindings`) on that cluster whose
source is that vault, with the role `Microsoft.DataProtection/backupVaults/backup-operator`.
No binding is a warning at the backup instance; a binding whose roles are all known and do not
include the backup-operator role is an error at its `roles`.

## Why it matters
The vault reaches the cluster's API server through trusted access. Without the binding, or with
another role, configuring protection and every backup fail with permission errors.

## Azure documentation
"Based on the least privileged security model, a Backup vault must have Trusted Access enabled to
communicate with the AKS cluster." and "The Backup vault is assigned a predefined role
Microsoft.DataProtection/backupVaults/backup-operator in the AKS cluster, allowing it to only
perform specific backup operations." (AKS backup prerequisites article,
azure-kubernetes-service-cluster-backup-concept, 08/12/2025 revision; the support matrix itself
does not name trusted access)

## Example
```hcl
resource "azurerm_kubernetes_cluster_trusted_access_role_binding" "backup" {
  kubernetes_cluster_id = azurerm_kubernetes_cluster.aks.id
  source_resource_id    = azurerm_data_protection_backup_vault.backup.id
  roles                 = ["Microsoft.DataProtection/backupVaults/reader"]
}
```
Use instead:
```hcl
resource "azurerm_kubernetes_cluster_trusted_access_role_binding" "backup" {
  name                  = "backup-binding"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.aks.id
  source_resource_id    = azurerm_data_protection_backup_vault.backup.id
  roles                 = ["Microsoft.DataProtection/backupVaults/backup-operator"]
}
```
```bicep
resource binding 'Microsoft.ContainerService/managedClusters/trustedAccessRoleBindings@2024-05-01' = {
  parent: aks
  name: 'backup-binding'
  properties: {
    sourceResourceId: vault.id
    roles: [ 'Microsoft.DataProtection/backupVaults/backup-operator' ]
  }
}
```
```json
{
  "type": "Microsoft.ContainerService/managedClusters/trustedAccessRoleBindings",
  "apiVersion": "2024-05-01",
  "name": "[format('{0}/backup-binding', parameters('clusterName'))]",
  "properties": {
    "sourceResourceId": "[resourceId('Microsoft.DataProtection/backupVaults', parameters('vaultName'))]",
    "roles": ["Microsoft.DataProtection/backupVaults/backup-operator"]
  }
}
```

## Unknown values
A binding whose cluster or source reference is unknown or outside the scanned files may be the
one, and so may a binding under an unknown condition or a remote module in the same
configuration: the rule stays silent. Roles that are not all known are not judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import (
    BACKUP_OPERATOR,
    backup_instances,
    hidden_companions,
    referrers,
    resource_to_add,
)
from linter.facts.compare import text
from linter.facts.verdict import Verdict, both, doubt, existence, points_at
from linter.model import Finding, RelatedLocation, Severity
from linter.rules import Citation, rule


def role_ok(binding) -> bool | None:  # type: ignore[no-untyped-def]
    roles = binding.attr("roles")
    if not roles.is_known or not isinstance(roles.value, list):
        return None
    names = [text(r) for r in roles.value]
    if any(n is not None and n.lower() == BACKUP_OPERATOR.lower() for n in names):
        return True
    return None if any(n is None for n in names) else False


@rule(
    id="AKSB307",
    slug="trusted-access-missing",
    severity=Severity.WARNING,
    severities=(Severity.WARNING, Severity.ERROR),
    chain_edge="trusted_access",
    summary="no trusted-access role binding from the vault to the cluster with the backup-operator role",
    kinds=(kinds.BACKUP_INSTANCE, kinds.TRUSTED_ACCESS),
    languages=("terraform", "arm", "bicep"),
    cite=Citation(
        "Based on the least privileged security model, a Backup vault must have Trusted Access enabled to "
        "communicate with the AKS cluster.",
        url="https://learn.microsoft.com/azure/backup/azure-kubernetes-service-cluster-backup-concept",
    ),
    tags=("wiring", "trusted-access"),
)
def trusted_access_missing(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    reported: set[tuple[int, int]] = set()
    wrong: set[int] = set()
    for instance in backup_instances(graph):
        clusters, vaults = graph.related(instance, "cluster"), graph.related(instance, "vault")
        if len(clusters) != 1 or len(vaults) != 1:
            continue
        cluster, vault = clusters[0], vaults[0]
        if (id(cluster), id(vault)) in reported:
            continue
        reported.add((id(cluster), id(vault)))
        candidates = []
        for binding in referrers(graph, kinds.TRUSTED_ACCESS, "cluster", cluster):
            v = both(
                existence(binding),
                points_at(graph, binding, "cluster", cluster),
                points_at(graph, binding, "source", vault),
            )
            if v is not Verdict.NO:
                candidates.append((binding, v))
        if not candidates:
            hidden = hidden_companions(graph, instance.stack)
            if hidden is not None:
                yield from ctx.unresolved(instance, hidden, "the trusted access binding")
                continue
            kind = resource_to_add(
                instance,
                "azurerm_kubernetes_cluster_trusted_access_role_binding",
                "Microsoft.ContainerService/managedClusters/trustedAccessRoleBindings",
            )
            yield ctx.finding(
                instance,
                f"no trusted access role binding lets backup vault {vault.address} into cluster {cluster.address}; "
                f"add {kind} on {cluster.address} with source {vault.address} and role {BACKUP_OPERATOR}",
                severity=Severity.WARNING,
                related=[
                    RelatedLocation(cluster.span, f"cluster {cluster.address}"),
                    RelatedLocation(vault.span, f"backup vault {vault.address}"),
                ],
            )
            continue
        if not any(v is Verdict.YES for _, v in candidates):
            binding = candidates[0][0]
            yield from ctx.unresolved(
                instance, doubt(graph, binding, ("cluster", "source")), "the trusted access binding"
            )
        if any(role_ok(b) is not False for b, _ in candidates):
            continue
        for binding, verdict in candidates:
            if verdict is not Verdict.YES or id(binding) in wrong:
                continue
            wrong.add(id(binding))
            yield ctx.finding(
                binding,
                f"trusted access binding {binding.address} grants the vault other roles than {BACKUP_OPERATOR}, "
                "which the backup vault needs on the cluster",
                attribute="roles",
                severity=Severity.ERROR,
            )
