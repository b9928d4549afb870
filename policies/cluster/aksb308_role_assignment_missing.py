"""A role assignment that AKS backup needs is missing.

## What it checks
For every AKS backup instance whose cluster and vault are declared in the scanned files, the
role assignments of the AKS backup prerequisites article's role table (map R17):

| role | principal | scope |
|---|---|---|
| Reader | backup vault identity | the cluster |
| Reader | backup vault identity | the snapshot resource group |
| Contributor | cluster identity (system- or user-assigned) | the snapshot resource group |
| Storage Blob Data Contributor | backup extension identity | the backup storage account |

and, only when the instance's policy keeps backups in the vault tier (`uses_vault_store`):
Data Operator for Managed Disks and Disk Snapshot Contributor for the vault on the snapshot
resource group, Storage Blob Data Reader for the vault on the storage account.

An assignment matches on **role** (built-in name or role definition id / GUID; the older
"Storage Account Contributor" is accepted for the extension, and a broader built-in role only
where its permissions cover the required role's: Contributor and Owner have every action but no
data action, so they cover Reader, Contributor and Disk Snapshot Contributor, never Data Operator
for Managed Disks, whose permissions are data actions), **scope** (the
resource itself, its resource group, or a subscription) and **principal** (Terraform
`azurerm_data_protection_backup_vault.x.identity[0].principal_id`,
`azurerm_kubernetes_cluster.x.identity[0].principal_id`, the UAMI's `principal_id`,
`azurerm_kubernetes_cluster_extension.x.aks_assigned_identity[0].principal_id`; ARM/Bicep the
matching `principalId` references), also through `for_each` maps and local module inputs.

## Why it matters
Without these roles the vault cannot read the cluster or write snapshots, and the extension
cannot write backup metadata to the blob container: configuring protection or the first backup
fails with permission errors.

## Azure documentation
"Also, as part of the backup and restore operations, the following roles are assigned to the AKS
cluster, Backup Extension Identity, and Backup vault." (AKS backup prerequisites article,
azure-kubernetes-service-cluster-backup-concept, 08/12/2025 revision, followed by the role table;
the support matrix says only "For successful backup and restore operations, the Backup vault's
managed identity requires role assignments." The permissions of each built-in role are from the
Azure built-in roles article.)

## Example
```hcl
resource "azurerm_role_assignment" "vault_reader_cluster" {
  scope                = azurerm_kubernetes_cluster.aks.id
  role_definition_name = "Reader"
  principal_id         = azurerm_data_protection_backup_vault.backup.identity[0].principal_id
}
# no Reader for the vault on the snapshot resource group
```
Use instead:
```hcl
resource "azurerm_role_assignment" "vault_reader_snapshots" {
  scope                = azurerm_resource_group.snapshots.id
  role_definition_name = "Reader"
  principal_id         = azurerm_data_protection_backup_vault.backup.identity[0].principal_id
}
```
```bicep
resource vaultReaderSnapshots 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(snapshotRg.id, vault.id, 'acdd72a7-3385-48ef-bd42-f606fba81ae7')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')
    principalId: vault.identity.principalId
    principalType: 'ServicePrincipal'
  }
}
```
```json
{
  "type": "Microsoft.Authorization/roleAssignments",
  "apiVersion": "2022-04-01",
  "name": "[guid(resourceGroup().id, parameters('vaultName'), 'reader')]",
  "properties": {
    "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')]",
    "principalId": "[reference(resourceId('Microsoft.DataProtection/backupVaults', parameters('vaultName')), '2023-01-01', 'full').identity.principalId]"
  }
}
```

## Unknown values
An assignment whose role, scope or principal is unknown (a variable, a data source, a custom
role id, a principal id the linter cannot attribute) or which exists under an unknown condition
may be the required one, and the rule stays silent. So it does when a remote module in the same
configuration may declare the assignment, and when the snapshot resource group, the identity or
the storage account cannot be resolved.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import backup_instances, hidden_companions, resource_to_add
from linter.facts.roles import all_principals, assignment_candidates, assignment_verdict, requirements
from linter.facts.verdict import Verdict, doubt
from linter.model import Finding, RelatedLocation, Severity
from linter.rules import Citation, rule


@rule(
    id="AKSB308",
    slug="role-assignment-missing",
    severity=Severity.WARNING,
    chain_edge="role_assignment",
    summary="a role assignment required for backup is absent (vault, cluster and extension identities)",
    kinds=(kinds.BACKUP_INSTANCE, kinds.ROLE_ASSIGNMENT, kinds.BACKUP_VAULT, kinds.CLUSTER, kinds.EXTENSION),
    languages=("terraform", "arm", "bicep"),
    cite=Citation(
        "Also, as part of the backup and restore operations, the following roles are assigned to the AKS "
        "cluster, Backup Extension Identity, and Backup vault.",
        url="https://learn.microsoft.com/azure/backup/azure-kubernetes-service-cluster-backup-concept",
    ),
    tags=("wiring", "roles"),
)
def role_assignment_missing(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    others = all_principals(graph)
    seen: set[tuple[str, int, object]] = set()
    for instance in backup_instances(graph):
        hidden = hidden_companions(graph, instance.stack)
        if hidden is not None:
            yield from ctx.unresolved(instance, hidden, "the role assignments")
            continue
        for req in requirements(graph, instance):
            key = (req.role, id(req.principal), req.target)
            if key in seen:
                continue
            seen.add(key)
            verdicts = [
                (a, assignment_verdict(graph, a, req, others))
                for a in assignment_candidates(graph, req, others)
            ]
            if any(v is Verdict.YES for _, v in verdicts):
                continue
            maybe = [a for a, v in verdicts if v is Verdict.MAYBE]
            if maybe:
                what = f'the "{req.role}" role of {req.principal.address} on {req.target_label}'
                yield from ctx.unresolved(instance, doubt(graph, maybe[0], ("scope",)), what)
                continue
            who = {
                kinds.BACKUP_VAULT: "backup vault",
                kinds.CLUSTER: "cluster",
                kinds.EXTENSION: "backup extension",
            }.get(req.principal.kind, req.principal.kind)
            kind = resource_to_add(
                instance, "azurerm_role_assignment", "Microsoft.Authorization/roleAssignments"
            )
            tier = " (needed for the vault tier)" if req.vault_tier else ""
            f = ctx.finding(
                instance,
                f'{who} {req.principal.address} has no "{req.role}" role on {req.target_label}{tier}; '
                f"add {kind} granting it to the {who}'s identity",
                related=[RelatedLocation(req.principal.span, f"{who} {req.principal.address}")],
            )
            f.properties = {
                "role": req.role,
                "principal": req.principal.address,
                "target": req.target_label,
            }
            yield f
