"""A backup instance protects a cluster that has no backup extension.

## What it checks
For every AKS backup instance whose cluster is declared in the scanned files, whether that
cluster carries the data-protection extension (`extension_type`/`extensionType`
`microsoft.dataprotection.kubernetes`): Terraform `azurerm_kubernetes_cluster_extension` (or an
azapi `Microsoft.KubernetesConfiguration/extensions`) with `cluster_id` = the cluster; ARM/Bicep
an extension resource scoped to the cluster. The finding points at the instance's cluster
reference and names the extension resource to add.

## Why it matters
The vault talks to the cluster through the backup extension. Without it, configuring
protection fails with `UserErrorKubernetesBackupExtensionNotFoundError` and no backup runs.

## Azure documentation
"Azure Backup for AKS requires a backup extension to be installed." (support matrix,
06/10/2025 revision)

## Example
```hcl
resource "azurerm_data_protection_backup_instance_kubernetes_cluster" "aks" {
  kubernetes_cluster_id = azurerm_kubernetes_cluster.aks.id # no extension on this cluster
}
```
Use instead:
```hcl
resource "azurerm_kubernetes_cluster_extension" "backup" {
  name           = "azure-aks-backup"
  cluster_id     = azurerm_kubernetes_cluster.aks.id
  extension_type = "microsoft.dataprotection.kubernetes"
  configuration_settings = {
    "configuration.backupStorageLocation.bucket"                = azurerm_storage_container.backup.name
    "configuration.backupStorageLocation.config.storageAccount" = azurerm_storage_account.backup.name
    "configuration.backupStorageLocation.config.resourceGroup"  = azurerm_resource_group.rg.name
    "configuration.backupStorageLocation.config.subscriptionId" = data.azurerm_client_config.current.subscription_id
    "credentials.tenantId"                                      = data.azurerm_client_config.current.tenant_id
  }
}
```
```bicep
resource backupExtension 'Microsoft.KubernetesConfiguration/extensions@2023-05-01' = {
  name: 'azure-aks-backup'
  scope: aks
  properties: {
    extensionType: 'microsoft.dataprotection.kubernetes'
    configurationSettings: {
      'configuration.backupStorageLocation.bucket': container.name
      'configuration.backupStorageLocation.config.storageAccount': storage.name
      'configuration.backupStorageLocation.config.resourceGroup': resourceGroup().name
      'configuration.backupStorageLocation.config.subscriptionId': subscription().subscriptionId
      'credentials.tenantId': subscription().tenantId
    }
  }
}
```
```json
{
  "type": "Microsoft.KubernetesConfiguration/extensions",
  "apiVersion": "2023-05-01",
  "name": "azure-aks-backup",
  "scope": "[format('Microsoft.ContainerService/managedClusters/{0}', parameters('clusterName'))]",
  "properties": {
    "extensionType": "microsoft.dataprotection.kubernetes",
    "configurationSettings": {
      "configuration.backupStorageLocation.bucket": "[parameters('containerName')]",
      "configuration.backupStorageLocation.config.storageAccount": "[parameters('storageAccountName')]",
      "configuration.backupStorageLocation.config.resourceGroup": "[resourceGroup().name]",
      "configuration.backupStorageLocation.config.subscriptionId": "[subscription().subscriptionId]",
      "credentials.tenantId": "[subscription().tenantId]"
    }
  }
}
```

## Unknown values
The rule stays silent when the instance's cluster is not declared in the scanned files, when an
extension's type or cluster reference is unknown or points outside the scanned files, when an
extension exists under an unknown condition (`count`, `for_each`, ARM `condition`, Bicep `if`),
and when the configuration calls a remote module that may install the extension.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import backup_instances, extensions_of, hidden_companions, resource_to_add
from linter.facts.verdict import Verdict, doubt
from linter.model import Finding, RelatedLocation, Severity
from linter.rules import Citation, rule


@rule(
    id="AKSB305",
    slug="backup-extension-missing",
    severity=Severity.ERROR,
    chain_edge="extension",
    summary="a backup instance's cluster has no data-protection extension",
    kinds=(kinds.BACKUP_INSTANCE, kinds.CLUSTER, kinds.EXTENSION),
    languages=("terraform", "arm", "bicep"),
    cite=Citation("Azure Backup for AKS requires a backup extension to be installed."),
    tags=("wiring", "extension"),
)
def backup_extension_missing(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    reported: set[int] = set()
    for instance in backup_instances(graph):
        link = graph.link(instance, "cluster")
        if link.unknown is not None:
            yield from ctx.unresolved(instance, link.unknown, "the cluster")
        clusters = link.targets
        if len(clusters) != 1:
            continue
        cluster = clusters[0]
        if id(cluster) in reported:
            continue
        hidden = hidden_companions(graph, instance.stack)
        if hidden is not None:
            yield from ctx.unresolved(instance, hidden, "the backup extension")
            continue
        verdicts = extensions_of(graph, cluster)
        if any(v is Verdict.YES for _, v in verdicts):
            continue
        maybe = [e for e, v in verdicts if v is Verdict.MAYBE]
        if maybe:
            yield from ctx.unresolved(instance, doubt(graph, maybe[0], ("cluster",)), "the backup extension")
            continue
        reported.add(id(cluster))
        kind = resource_to_add(
            instance, "azurerm_kubernetes_cluster_extension", "Microsoft.KubernetesConfiguration/extensions"
        )
        yield ctx.finding(
            instance,
            f"backup instance {instance.address} protects cluster {cluster.address}, which has no backup extension; "
            f"add {kind} with extension type microsoft.dataprotection.kubernetes on {cluster.address}",
            attribute="cluster",
            related=[RelatedLocation(cluster.span, f"cluster {cluster.address} is declared here")],
        )
