"""azurerm resources onto canonical kinds (iac-mapping §1, §2)."""

from __future__ import annotations

from linter import kinds
from linter.graph import Resource
from linter.model import ABSENT, Known, Value
from linter.normalize import any_equals
from linter.terraform.adapters import adapts, computed, new_resource, no_spaces, put, region
from linter.terraform.module import BlockView, ResourceInstance

AKS_DATASOURCE = "Microsoft.ContainerService/managedClusters"


def _identity(res: Resource, inst: ResourceInstance) -> None:
    identities = inst.blocks("identity")
    if identities:
        put(res, "identity_type", no_spaces(identities[0].attr("type")))
        if res.kind == kinds.CLUSTER:  # role checks attribute user-assigned identities of clusters only
            put(res, "user_assigned_identity_ids", identities[0].attr("identity_ids"))
        principal = identities[0].attr("principal_id")
        res.attrs["principal_id"] = computed(
            principal, inst.symbol(".identity[0].principal_id"), identities[0].span
        )


def _first(blocks: list[BlockView], name: str) -> Value:
    return blocks[0].attr(name) if blocks else ABSENT


@adapts("azurerm_kubernetes_cluster")
def cluster(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.CLUSTER)
    put(res, "name", inst.attr("name"))
    put(res, "location", region(inst.attr("location")))
    put(res, "resource_group", inst.attr("resource_group_name"))
    _identity(res, inst)
    sp = inst.blocks("service_principal")
    if sp:
        res.attrs["service_principal"] = sp[0].presence
        put(res, "service_principal_client_id", sp[0].attr("client_id"))
    storage = inst.blocks("storage_profile")
    put(res, "disk_csi_enabled", _first(storage, "disk_driver_enabled"))
    put(res, "snapshot_controller_enabled", _first(storage, "snapshot_controller_enabled"))
    put(res, "private_cluster", inst.attr("private_cluster_enabled"))
    put(res, "outbound_type", _first(inst.blocks("network_profile"), "outbound_type"))
    put(res, "artifact_source", _first(inst.blocks("bootstrap_profile"), "artifact_source"))
    put(res, "disk_encryption_set_id", inst.attr("disk_encryption_set_id"))
    put(res, "kubernetes_version", inst.attr("kubernetes_version"))
    put(res, "support_plan", inst.attr("support_plan"))
    out = [res]
    for pool in inst.blocks("default_node_pool"):
        node = new_resource(inst, kinds.NODE_POOL, address=f"{inst.address}.default_node_pool")
        node.span = pool.span
        node.ids = set()
        node.source_type = "azurerm_kubernetes_cluster.default_node_pool"
        _pool_attrs(node, pool.attr)
        node.attrs["os_type"] = Known("Linux", pool.span)  # default_node_pool has no os_type: always Linux
        node.attrs.setdefault("mode", Known("System", pool.span))
        node.refs["cluster"] = Known(inst.symbol(".id"), pool.span)
        out.append(node)
    return out


def _pool_attrs(node: Resource, attr) -> None:  # type: ignore[no-untyped-def]
    put(node, "name", attr("name"))
    put(node, "vm_size", attr("vm_size"))
    put(node, "os_sku", attr("os_sku"))
    put(node, "os_type", attr("os_type"))
    put(node, "mode", attr("mode"))
    put(node, "orchestrator_version", attr("orchestrator_version"))
    put(node, "vnet_subnet_id", attr("vnet_subnet_id"))


@adapts("azurerm_kubernetes_cluster_node_pool")
def node_pool(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.NODE_POOL)
    _pool_attrs(res, inst.attr)
    res.refs["cluster"] = inst.attr("kubernetes_cluster_id")
    return [res]


@adapts("azurerm_resource_group")
def resource_group(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.RESOURCE_GROUP)
    put(res, "name", inst.attr("name"))
    put(res, "location", region(inst.attr("location")))
    return [res]


@adapts("azurerm_storage_account")
def storage_account(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.STORAGE_ACCOUNT)
    put(res, "name", inst.attr("name"))
    put(res, "location", region(inst.attr("location")))
    put(res, "resource_group", inst.attr("resource_group_name"))
    put(res, "account_kind", inst.attr("account_kind"))
    put(res, "account_tier", inst.attr("account_tier"))
    put(res, "public_network_access", inst.attr("public_network_access_enabled"))
    rules = inst.blocks("network_rules")
    if rules:
        put(res, "network_default_action", rules[0].attr("default_action"))
        put(res, "network_bypass", rules[0].attr("bypass"))
        res.attrs["resource_access_rules"] = Known(
            [b.attr("endpoint_resource_id") for b in rules[0].blocks("private_link_access")], rules[0].span
        )
        put(res, "virtual_network_rules", rules[0].attr("virtual_network_subnet_ids"))
        put(res, "ip_rules", rules[0].attr("ip_rules"))
    return [res]


@adapts("azurerm_storage_container")
def storage_container(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.BLOB_CONTAINER)
    put(res, "name", inst.attr("name"))
    put(res, "storage_account_name", inst.attr("storage_account_name"))
    account_id = inst.attr("storage_account_id")
    if account_id is not ABSENT:
        res.refs["storage_account"] = account_id
    return [res]


@adapts("azurerm_data_protection_backup_vault")
def backup_vault(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.BACKUP_VAULT)
    put(res, "name", inst.attr("name"))
    put(res, "location", region(inst.attr("location")))
    put(res, "resource_group", inst.attr("resource_group_name"))
    _identity(res, inst)
    put(res, "redundancy", inst.attr("redundancy"))
    put(res, "datastore_type", inst.attr("datastore_type"))
    put(res, "cross_region_restore", inst.attr("cross_region_restore_enabled"))
    return [res]


@adapts("azurerm_data_protection_backup_vault_customer_managed_key")
def vault_customer_managed_key(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.VAULT_ENCRYPTION)
    put(res, "key_id", inst.attr("key_vault_key_id"))
    res.refs["vault"] = inst.attr("data_protection_backup_vault_id")
    return [res]


@adapts("azurerm_data_protection_backup_policy_kubernetes_cluster")
def backup_policy(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.BACKUP_POLICY)
    put(res, "name", inst.attr("name"))
    put(res, "vault_name", inst.attr("vault_name"))
    put(res, "vault_resource_group", inst.attr("resource_group_name"))
    res.attrs["datasource_types"] = Known([Known(AKS_DATASOURCE, inst.block.span)], inst.block.span)
    put(res, "repeating_intervals", inst.attr("backup_repeating_time_intervals"))
    stores: list[Value] = []
    for rule in inst.blocks("default_retention_rule") + inst.blocks("retention_rule"):
        for life in rule.blocks("life_cycle"):
            stores.append(life.attr("data_store_type"))
    res.attrs["data_store_types"] = Known(stores, inst.block.span)
    res.attrs["uses_vault_store"] = any_equals(stores, "VaultStore", inst.block.span)
    return [res]


@adapts("azurerm_data_protection_backup_instance_kubernetes_cluster")
def backup_instance(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.BACKUP_INSTANCE)
    put(res, "name", inst.attr("name"))
    put(res, "location", region(inst.attr("location")))
    res.attrs["datasource_type"] = Known(AKS_DATASOURCE, inst.block.span)
    put(res, "snapshot_resource_group", inst.attr("snapshot_resource_group_name"))
    params = inst.blocks("backup_datasource_parameters")
    put(res, "included_namespaces", _first(params, "included_namespaces"))
    put(res, "excluded_namespaces", _first(params, "excluded_namespaces"))
    put(res, "label_selectors", _first(params, "label_selectors"))
    snapshots = _first(params, "volume_snapshot_enabled")
    if snapshots is ABSENT:  # the provider's default is false
        snapshots = Known(False, params[0].span if params else inst.block.span)
    res.attrs["snapshot_volumes"] = snapshots
    res.refs["vault"] = inst.attr("vault_id")
    res.refs["cluster"] = inst.attr("kubernetes_cluster_id")
    res.refs["policy"] = inst.attr("backup_policy_id")
    return [res]


@adapts("azurerm_kubernetes_cluster_extension")
def extension(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.EXTENSION)
    put(res, "name", inst.attr("name"))
    ext_type = inst.attr("extension_type")
    put(res, "extension_type", ext_type)
    kinds.put_extension_settings(res, ext_type, inst.attr("configuration_settings"), inst.block.span)
    put(res, "release_namespace", inst.attr("release_namespace"))
    put(res, "target_namespace", inst.attr("target_namespace"))
    put(res, "configuration_protected_settings", inst.attr("configuration_protected_settings"))
    assigned = inst.blocks("aks_assigned_identity")
    principal = assigned[0].attr("principal_id") if assigned else ABSENT
    symbol = inst.symbol(".aks_assigned_identity[0].principal_id")
    res.attrs["principal_id"] = computed(principal, symbol, inst.block.span)
    res.refs["cluster"] = inst.attr("cluster_id")
    return [res]


@adapts("azurerm_kubernetes_cluster_trusted_access_role_binding")
def trusted_access(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.TRUSTED_ACCESS)
    put(res, "name", inst.attr("name"))
    put(res, "roles", inst.attr("roles"))
    res.refs["cluster"] = inst.attr("kubernetes_cluster_id")
    res.refs["source"] = inst.attr("source_resource_id")
    return [res]


@adapts("azurerm_role_assignment")
def role_assignment(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.ROLE_ASSIGNMENT)
    role = inst.attr("role_definition_name")
    put(res, "role", role if role is not ABSENT else inst.attr("role_definition_id"))
    put(res, "principal_id", inst.attr("principal_id"))
    res.refs["scope"] = inst.attr("scope")
    return [res]


@adapts("azurerm_private_endpoint")
def private_endpoint(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.PRIVATE_ENDPOINT)
    connections = inst.blocks("private_service_connection")
    if connections:
        res.refs["target"] = connections[0].attr("private_connection_resource_id")
        put(res, "subresources", connections[0].attr("subresource_names"))
    return [res]


#: backup policies of other datasources: an AKS backup instance pointing at one is miswired (R20)
OTHER_POLICY_DATASOURCES = {
    "azurerm_data_protection_backup_policy_disk": "Microsoft.Compute/disks",
    "azurerm_data_protection_backup_policy_blob_storage": "Microsoft.Storage/storageAccounts/blobServices",
    "azurerm_data_protection_backup_policy_data_lake_storage": "Microsoft.Storage/storageAccounts/adlsBlobServices",
    "azurerm_data_protection_backup_policy_postgresql": "Microsoft.DBforPostgreSQL/servers/databases",
    "azurerm_data_protection_backup_policy_postgresql_flexible_server": "Microsoft.DBforPostgreSQL/flexibleServers",
    "azurerm_data_protection_backup_policy_mysql_flexible_server": "Microsoft.DBforMySQL/flexibleServers",
}


@adapts(*OTHER_POLICY_DATASOURCES)
def other_backup_policy(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.BACKUP_POLICY)
    put(res, "name", inst.attr("name"))
    res.attrs["datasource_types"] = Known(
        [Known(OTHER_POLICY_DATASOURCES[inst.type], inst.block.span)], inst.block.span
    )
    vault_id = inst.attr("vault_id")
    if vault_id is not ABSENT:
        res.refs["vault"] = vault_id
    else:
        put(res, "vault_name", inst.attr("vault_name"))
        put(res, "vault_resource_group", inst.attr("resource_group_name"))
    return [res]


#: backup instances of other datasources: counted against the vault's limit (AKSB404), never
#: checked by the AKS rules (rules.md, Scope)
OTHER_INSTANCE_DATASOURCES = {
    "azurerm_data_protection_backup_instance_disk": "Microsoft.Compute/disks",
    "azurerm_data_protection_backup_instance_blob_storage": "Microsoft.Storage/storageAccounts/blobServices",
    "azurerm_data_protection_backup_instance_data_lake_storage": "Microsoft.Storage/storageAccounts/adlsBlobServices",
    "azurerm_data_protection_backup_instance_postgresql": "Microsoft.DBforPostgreSQL/servers/databases",
    "azurerm_data_protection_backup_instance_postgresql_flexible_server": "Microsoft.DBforPostgreSQL/flexibleServers",
    "azurerm_data_protection_backup_instance_mysql_flexible_server": "Microsoft.DBforMySQL/flexibleServers",
}


@adapts(*OTHER_INSTANCE_DATASOURCES)
def other_backup_instance(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.BACKUP_INSTANCE)
    put(res, "name", inst.attr("name"))
    put(res, "location", region(inst.attr("location")))
    res.attrs["datasource_type"] = Known(OTHER_INSTANCE_DATASOURCES[inst.type], inst.block.span)
    res.refs["vault"] = inst.attr("vault_id")
    res.refs["policy"] = inst.attr("backup_policy_id")
    return [res]


@adapts("azurerm_storage_blob")
def storage_blob(inst: ResourceInstance) -> list[Resource]:
    """Data written into a container: the backup container must hold backups only (AKSB203)."""
    res = new_resource(inst, kinds.STORAGE_BLOB)
    put(res, "name", inst.attr("name"))
    put(res, "container_name", inst.attr("storage_container_name"))
    put(res, "storage_account_name", inst.attr("storage_account_name"))
    container_id = inst.attr("storage_container_id")
    if container_id is not ABSENT:
        res.refs["container"] = container_id
    return [res]
