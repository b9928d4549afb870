"""Canonical resource kinds and their attributes: the contract between adapters and policies.

Every adapter (Terraform azurerm/azapi, ARM, Bicep, Kubernetes YAML, Terraform kubernetes/helm)
produces these kinds with these attribute names, normalised once:

* regions are ``normalize_region``-ed strings (or a Symbol such as ``resourceGroup().location``);
* enum values keep Azure's canonical spelling (``StorageV2``, ``SystemAssigned``), compared
  case-insensitively by policies through ``linter.normalize.eq``;
* identity types have no spaces (``SystemAssigned,UserAssigned``);
* lists are ``Known(list[Value])`` so each element keeps its own span.

``refs`` (reference attributes) are resolved into edges by ``linter.link``; their values are Symbols
(Terraform computed ids such as ``Symbol("azurerm_kubernetes_cluster.aks.id")``) or resource id
strings (ARM), matched against ``Resource.ids``.
"""

from __future__ import annotations

CLUSTER = "cluster"
NODE_POOL = "node_pool"
BACKUP_VAULT = "backup_vault"
BACKUP_POLICY = "backup_policy"
BACKUP_INSTANCE = "backup_instance"
#: customer-managed-key encryption declared apart from its vault (azurerm
#: ``azurerm_data_protection_backup_vault_customer_managed_key``)
VAULT_ENCRYPTION = "backup_vault_encryption"
EXTENSION = "extension"
TRUSTED_ACCESS = "trusted_access_binding"
STORAGE_ACCOUNT = "storage_account"
BLOB_CONTAINER = "blob_container"
STORAGE_BLOB = "storage_blob"
ROLE_ASSIGNMENT = "role_assignment"
PRIVATE_ENDPOINT = "private_endpoint"
RESOURCE_GROUP = "resource_group"
PROVIDER_REQUIREMENT = "provider_requirement"
STORAGE_CLASS = "storage_class"
PERSISTENT_VOLUME = "persistent_volume"
PERSISTENT_VOLUME_CLAIM = "persistent_volume_claim"
HELM_RELEASE = "helm_release"
K8S_OBJECT = "k8s_object"
NAMESPACE = "namespace"
#: something that may create resources out of sight: a remote module, an ARM template deployment
#: by link, an azapi resource of unknown type, a provisioner running the Azure CLI
UNRESOLVED_MODULE = "unresolved_module"

#: kind -> {attribute: meaning}: every attribute an adapter sets is listed here (a test checks the
#: output of every adapter on every fixture). ``ref:`` entries live in ``Resource.refs`` and
#: become edges of the same name.
ATTRIBUTES: dict[str, dict[str, str]] = {
    CLUSTER: {
        "name": "cluster name",
        "location": "normalised region",
        "identity_type": "SystemAssigned | UserAssigned | None (no spaces); ABSENT when no identity block",
        "service_principal": "True when the cluster authenticates with a service principal",
        "service_principal_client_id": "the SP client id (ARM clientId other than 'msi')",
        "principal_id": "Symbol/str: the system-assigned identity's principal id",
        "user_assigned_identity_ids": "list of UAMI ids",
        "disk_csi_enabled": "bool (default True)",
        "snapshot_controller_enabled": "bool (default True)",
        "private_cluster": "bool",
        "outbound_type": "loadBalancer | userDefinedRouting | none | block ...",
        "artifact_source": "Cache | Direct",
        "disk_encryption_set_id": "disk_encryption_set_id / properties.diskEncryptionSetID",
        "kubernetes_version": "kubernetes_version / properties.kubernetesVersion (absent: AKS picks its default)",
        "support_plan": "KubernetesOfficial | AKSLongTermSupport (support_plan / properties.supportPlan)",
        "resource_group": "resource group name",
    },
    NODE_POOL: {
        "name": "pool name",
        "os_type": "Linux | Windows (default Linux)",
        "os_sku": "Ubuntu, AzureLinux, Windows2022 ...",
        "vm_size": "Standard_D2s_v5 ...",
        "mode": "System | User",
        "orchestrator_version": "orchestrator_version / orchestratorVersion (absent: the control plane's version)",
        "vnet_subnet_id": "vnet_subnet_id / vnetSubnetID: the subnet of a bring-your-own virtual network",
        "ref:cluster": "the cluster this pool belongs to",
    },
    BACKUP_VAULT: {
        "name": "vault name",
        "location": "normalised region",
        "resource_group": "resource group name",
        "identity_type": "SystemAssigned | UserAssigned | SystemAssigned,UserAssigned | None",
        "principal_id": "Symbol/str: system-assigned principal id",
        "redundancy": "GeoRedundant | LocallyRedundant | ZoneRedundant",
        "cross_region_restore": "bool (ARM crossRegionRestoreSettings.state Enabled -> True)",
        "datastore_type": "VaultStore | OperationalStore | ArchiveStore (the vault's storage setting)",
        "cmk_enabled": "bool: customer-managed-key encryption (securitySettings.encryptionSettings.state Enabled)",
        "immutability": "Disabled | Unlocked | Locked (securitySettings.immutabilitySettings.state)",
        "soft_delete": "On | Off | AlwaysOn (securitySettings.softDeleteSettings.state)",
    },
    VAULT_ENCRYPTION: {
        "key_id": "the Key Vault key (key_vault_key_id)",
        "ref:vault": "the vault it encrypts (data_protection_backup_vault_id)",
    },
    BACKUP_POLICY: {
        "name": "policy name",
        "datasource_types": "list of datasource type strings",
        "repeating_intervals": "list of ISO 8601 repeating intervals (R/<start>/<duration>)",
        "data_store_types": "list of data store types used by lifecycles (source and copy targets)",
        "uses_vault_store": "bool: any lifecycle source or copy target is VaultStore",
        "ref:vault": "the vault the policy lives in",
        "vault_name": "azurerm vault_name: the vault, linked by name (linter.link BY_NAME)",
        "vault_resource_group": "azurerm resource_group_name of the policy's vault",
    },
    BACKUP_INSTANCE: {
        "name": "instance name",
        "location": "normalised region (Terraform) / dataSourceInfo.resourceLocation (ARM)",
        "datasource_type": "dataSourceInfo.datasourceType",
        "included_namespaces": "list",
        "excluded_namespaces": "list",
        "label_selectors": "list of label selectors (labelSelectors / label_selectors); absent = every object",
        "snapshot_volumes": "bool: volume snapshots are taken (snapshotVolumes; azurerm volume_snapshot_enabled, "
        "default false)",
        "snapshot_resource_group": "snapshot resource group name or id",
        "kubernetes_parameters": "bool: the policy parameters hold KubernetesClusterBackupDatasourceParameters "
        "(ARM/azapi; not set by azurerm, which always sends them)",
        "backup_datasource_parameters": "dict: the KubernetesClusterBackupDatasourceParameters object (ARM/azapi)",
        "ref:vault": "vault",
        "ref:cluster": "protected cluster",
        "ref:policy": "backup policy",
    },
    EXTENSION: {
        "name": "extension name",
        "extension_type": "e.g. microsoft.dataprotection.kubernetes",
        "release_train": "stable | preview ...",
        "is_backup": "bool: extension_type is the data-protection extension",
        "bucket": "configuration.backupStorageLocation.bucket",
        "storage_account_name": "configuration.backupStorageLocation.config.storageAccount",
        "storage_resource_group": "configuration.backupStorageLocation.config.resourceGroup",
        "storage_subscription_id": "configuration.backupStorageLocation.config.subscriptionId",
        "release_namespace": "release namespace",
        "target_namespace": "namespace scope (set means namespace-scoped)",
        "configuration_settings": "dict: configurationSettings as written (Unknown when the map is unknown)",
        "configuration_protected_settings": "dict: configurationProtectedSettings (ABSENT when not set)",
        "principal_id": "Symbol: aks_assigned_identity / aksAssignedIdentity principal id",
        "ref:cluster": "the cluster it is installed on",
    },
    TRUSTED_ACCESS: {
        "name": "binding name",
        "roles": "list of role strings",
        "ref:cluster": "cluster",
        "ref:source": "source resource (the vault)",
    },
    STORAGE_ACCOUNT: {
        "name": "account name",
        "location": "normalised region",
        "resource_group": "resource group name",
        "account_kind": "StorageV2 | Storage | BlobStorage | BlockBlobStorage | FileStorage",
        "account_tier": "Standard | Premium",
        "sku_name": "ARM sku.name, e.g. Standard_LRS",
        "public_network_access": "bool (azurerm public_network_access_enabled) or Enabled | Disabled (ARM)",
        "network_default_action": "Allow | Deny (network_rules.default_action / networkAcls.defaultAction)",
        "network_bypass": "list of strings (azurerm) or a comma-separated string (ARM): AzureServices, ...",
        "resource_access_rules": "list of resource ids (private_link_access.endpoint_resource_id / "
        "networkAcls.resourceAccessRules[].resourceId)",
        "virtual_network_rules": "list of subnet ids the firewall admits (network_rules.virtual_network_subnet_ids / "
        "networkAcls.virtualNetworkRules[].id)",
        "ip_rules": "list of IP ranges the firewall admits (network_rules.ip_rules / networkAcls.ipRules[].value)",
    },
    BLOB_CONTAINER: {
        "name": "container name",
        "storage_account_name": "the account it is in, by name (linked by name when no id reference)",
        "ref:storage_account": "account",
    },
    STORAGE_BLOB: {
        "name": "blob name",
        "container_name": "the blob container it is written to",
        "storage_account_name": "the storage account it is written to",
        "ref:container": "container (azurerm storage_container_id), when given by id",
    },
    ROLE_ASSIGNMENT: {
        "role": "built-in role name or role definition id",
        "principal_id": "principal (Symbol/str)",
        "principal_type": "ServicePrincipal | User | Group ...",
        "ref:scope": "scope resource",
    },
    PRIVATE_ENDPOINT: {
        "name": "endpoint name",
        "subresources": "list of group ids (subresource_names / groupIds), e.g. blob",
        "ref:target": "the private link resource (private_connection_resource_id / privateLinkServiceId)",
    },
    RESOURCE_GROUP: {"name": "resource group name", "location": "normalised region"},
    PROVIDER_REQUIREMENT: {
        "provider": "local provider name (azurerm, azapi)",
        "source": "registry source address",
        "constraint": "version constraint string",
        "locked_version": "version pinned in .terraform.lock.hcl",
    },
    # Kubernetes (YAML, kustomize, Helm charts, Terraform kubernetes/helm providers); language
    # "kubernetes" for YAML. Spans: the whole ``key: value`` from the key; labels, annotations and
    # parameters are dicts whose values each carry their own ``key: value`` span.
    STORAGE_CLASS: {
        "name": "metadata.name",
        "provisioner": "provisioner string (disk.csi.azure.com, kubernetes.io/azure-disk ...)",
        "parameters": "dict, keys lower-cased (parameter names are case-insensitive), values with spans",
        "is_default": 'bool: annotation storageclass.kubernetes.io/is-default-class is "true"',
        "volume_binding_mode": "Immediate | WaitForFirstConsumer",
        "labels": "dict",
        "annotations": "dict",
        "ref:cluster": "the cluster it is deployed to (linter.link_kubernetes)",
    },
    PERSISTENT_VOLUME: {
        "name": "metadata.name",
        "storage_class_name": "spec.storageClassName (ABSENT when not set; Known('') when empty)",
        "capacity_bytes": "int: spec.capacity.storage parsed with the Kubernetes quantity grammar",
        "csi_driver": "spec.csi.driver",
        "in_tree": "'azureDisk' | 'azureFile' when the PV uses an in-tree Azure plugin",
        "volume_source": "the spec field holding the volume source: csi, nfs, hostPath, local, azureDisk ... "
        "(Terraform block names in camel case), with the span of that field",
        "volume_attributes": "dict: spec.csi.volumeAttributes, keys lower-cased",
        "labels": "dict",
        "annotations": "dict",
        "ref:cluster": "cluster",
    },
    PERSISTENT_VOLUME_CLAIM: {
        "name": "metadata.name",
        "namespace": "metadata.namespace (ABSENT: the default namespace)",
        "storage_class_name": "spec.storageClassName (ABSENT = the cluster's default class)",
        "request_bytes": "int: spec.resources.requests.storage",
        "volume_name": "spec.volumeName (binds to a static PV)",
        "replicas": "int: the claims this one stands for, for a StatefulSet volumeClaimTemplates entry "
        "(the StatefulSet's spec.replicas, 1 when not set); absent for a plain claim",
        "labels": "dict",
        "annotations": "dict",
        "ref:cluster": "cluster",
    },
    HELM_RELEASE: {
        "name": "release name (chart name for a Chart.yaml)",
        "chart": "chart name (a repo prefix such as 'vmware-tanzu/' is stripped)",
        "repository": "chart repository URL",
        "namespace": "release namespace",
        "ref:cluster": "cluster",
    },
    K8S_OBJECT: {
        "api_version": "apiVersion",
        "kind": "kind",
        "name": "metadata.name",
        "namespace": "metadata.namespace",
        "labels": "dict",
        "annotations": "dict",
        "template_labels": "dict: spec.template.metadata.labels of workloads",
        "template_annotations": "dict: spec.template.metadata.annotations of workloads",
        "in_tree_volumes": "list of 'azureDisk'/'azureFile' inline pod volumes (each with its span)",
        "ref:cluster": "cluster",
    },
    NAMESPACE: {"name": "metadata.name", "labels": "dict", "annotations": "dict", "ref:cluster": "cluster"},
    UNRESOLVED_MODULE: {"reason": "why its content cannot be read (names the source or command)"},
}

#: The data-protection extension type (compared case-insensitively; iac-mapping §1.3).
BACKUP_EXTENSION_TYPE = "microsoft.dataprotection.kubernetes"
_BSL = "configuration.backupStorageLocation"
#: extension attribute -> the configuration setting it is read from (R04, R19); all four are required.
EXTENSION_STORAGE_SETTINGS: tuple[tuple[str, str], ...] = (
    ("bucket", f"{_BSL}.bucket"),
    ("storage_account_name", f"{_BSL}.config.storageAccount"),
    ("storage_resource_group", f"{_BSL}.config.resourceGroup"),
    ("storage_subscription_id", f"{_BSL}.config.subscriptionId"),
)


def put_extension_settings(resource, extension_type, settings, span) -> None:  # type: ignore[no-untyped-def]
    """The extension attributes every front end derives the same way from type and settings."""
    from linter.model import ABSENT, Known, Unknown, get_path

    if isinstance(extension_type, Known) and isinstance(extension_type.value, str):
        resource.attrs["is_backup"] = Known(
            extension_type.value.lower() == BACKUP_EXTENSION_TYPE, extension_type.span
        )
    elif isinstance(extension_type, Unknown):
        resource.attrs["is_backup"] = extension_type
    resource.attrs["configuration_settings"] = settings if settings is not ABSENT else Known({}, span)
    if settings is ABSENT:
        return
    for attr, key in EXTENSION_STORAGE_SETTINGS:
        value = get_path(settings, key)
        if value is not ABSENT:
            resource.attrs[attr] = value
