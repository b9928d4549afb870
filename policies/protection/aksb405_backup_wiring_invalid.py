"""A backup instance is wired to a non-AKS policy, or lacks its Kubernetes parameters.

## What it checks
Every backup instance of an AKS cluster:

* its backup policy's datasource types include `Microsoft.ContainerService/managedClusters`
  (Terraform: `backup_policy_id` points at an
  `azurerm_data_protection_backup_policy_kubernetes_cluster`, not a disk or blob policy);
* its own datasource type (`dataSourceInfo.datasourceType`) is the AKS type;
* it carries the `KubernetesClusterBackupDatasourceParameters` and a snapshot resource group
  (`AzureOperationalStoreParameters.resourceGroupId`; Terraform `snapshot_resource_group_name`).

## Why it matters
The service validates the wiring when protection is configured: an instance with another
datasource's policy, or without the Kubernetes parameters or the snapshot resource group, is
rejected. (The snapshot resource group also cannot be changed afterwards: "Modifying the backup
configuration or the snapshot resource group assigned to a backup instance during AKS cluster
backup setup is not supported.")

## Azure documentation
"Create BackupInstance With KubernetesClusterBackupDatasourceParameters" (the Data Protection
REST API example `PutBackupInstance_KubernetesClusterBackupDatasourceParameters.json`, API
2025-07-01, in Azure/azure-rest-api-specs): its backup instance has `datasourceType`
`Microsoft.ContainerService/managedclusters`, a policy of that datasource type, one
`KubernetesClusterBackupDatasourceParameters` with `snapshotVolumes` and
`includeClusterScopeResources`, and one `AzureOperationalStoreParameters` with the snapshot
resource group's `resourceGroupId`. The support matrix has no sentence on this wiring.

## Example
```hcl
resource "azurerm_data_protection_backup_instance_kubernetes_cluster" "aks" {
  backup_policy_id = azurerm_data_protection_backup_policy_disk.daily.id
}
```
Use instead:
```hcl
resource "azurerm_data_protection_backup_instance_kubernetes_cluster" "aks" {
  backup_policy_id             = azurerm_data_protection_backup_policy_kubernetes_cluster.daily.id
  snapshot_resource_group_name = azurerm_resource_group.snapshots.name
}
```
```bicep
policyInfo: {
  policyId: aksPolicy.id
  policyParameters: {
    backupDatasourceParametersList: [ { objectType: 'KubernetesClusterBackupDatasourceParameters', snapshotVolumes: true, includeClusterScopeResources: true } ]
    dataStoreParametersList: [ { objectType: 'AzureOperationalStoreParameters', dataStoreType: 'OperationalStore', resourceGroupId: snapshotRg.id } ]
  }
}
```
```json
"policyParameters": {
  "backupDatasourceParametersList": [ { "objectType": "KubernetesClusterBackupDatasourceParameters", "snapshotVolumes": true, "includeClusterScopeResources": true } ],
  "dataStoreParametersList": [ { "objectType": "AzureOperationalStoreParameters", "dataStoreType": "OperationalStore", "resourceGroupId": "[resourceGroup().id]" } ]
}
```

## Unknown values
A policy reference that cannot be resolved, unknown datasource types and unknown parameter lists
are not checked.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import is_aks_datasource, policy_is_aks
from linter.facts.compare import show, text
from linter.model import ABSENT, Finding, Known, RelatedLocation, Severity, items
from linter.rules import Citation, rule


@rule(
    id="AKSB405",
    slug="backup-wiring-invalid",
    severity=Severity.ERROR,
    chain_edge="policy",
    summary="backup instance points at a non-AKS policy, or lacks the Kubernetes parameters or snapshot resource group",
    kinds=(kinds.BACKUP_INSTANCE, kinds.BACKUP_POLICY),
    languages=("terraform", "arm", "bicep"),
    cite=Citation(
        "Create BackupInstance With KubernetesClusterBackupDatasourceParameters",
        url="https://github.com/Azure/azure-rest-api-specs/blob/main/specification/dataprotection/DataProtection.Management/examples/2025-07-01/BackupInstanceOperations/PutBackupInstance_KubernetesClusterBackupDatasourceParameters.json",
    ),
    tags=("wiring", "policy"),
)
def backup_wiring_invalid(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    for instance in graph.of_kind(kinds.BACKUP_INSTANCE):
        datasource = instance.attr("datasource_type")
        if is_aks_datasource(datasource) is False:
            if graph.related(instance, "cluster"):
                yield ctx.finding(
                    instance,
                    f"backup instance {instance.address} protects an AKS cluster but declares datasource type "
                    f"{show(datasource)}; use Microsoft.ContainerService/managedClusters",
                    attribute="datasource_type",
                )
            continue
        for policy in graph.related(instance, "policy"):
            if policy_is_aks(policy) is False:
                yield ctx.finding(
                    instance,
                    f"backup instance {instance.address} uses policy {policy.address}, whose datasource types "
                    f"({_types(policy)}) do not include AKS; point it at an AKS backup policy",
                    attribute="policy",
                    related=[RelatedLocation(policy.span, f"policy {policy.address}")],
                    properties={"policy": policy.address},
                )
        params = instance.attr("kubernetes_parameters")
        if isinstance(params, Known) and params.value is False:
            yield ctx.finding(
                instance,
                f"backup instance {instance.address} has no KubernetesClusterBackupDatasourceParameters in its "
                "policy parameters; add them with snapshotVolumes and includeClusterScopeResources",
                attribute="kubernetes_parameters",
            )
        knows_parameters = instance.language == "terraform" or "kubernetes_parameters" in instance.attrs
        if knows_parameters and instance.attr("snapshot_resource_group") is ABSENT:
            yield ctx.finding(
                instance,
                f"backup instance {instance.address} has no snapshot resource group "
                "(AzureOperationalStoreParameters.resourceGroupId / snapshot_resource_group_name); add one",
            )


def _types(policy) -> str:  # type: ignore[no-untyped-def]
    return ", ".join(text(v) or "unknown" for v in items(policy.attr("datasource_types")))
