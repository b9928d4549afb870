"""ARM/Bicep resource types onto canonical kinds (iac-mapping §1.1, §3.2; ``linter/kinds.py``).

Shared by the ARM and Bicep front ends: both hand over evaluated ``Instance`` records. Existing
resources are not adapted (they are declared elsewhere; references to them stay external).
Schema-incorrect shapes from the documentation quickstarts (§3.3) simply leave attributes absent.
"""

from __future__ import annotations

from collections.abc import Callable

from linter import kinds
from linter.arm.template import Instance
from linter.arm.values import principal_symbol
from linter.graph import Resource
from linter.model import ABSENT, Known, Span, Symbol, Unknown, Value, get_path, items, normalize_region
from linter.normalize import any_equals, no_spaces

AKS = "microsoft.containerservice/managedclusters"

ADAPTERS: dict[str, Callable[[Instance, Resource], list[Resource]]] = {}


def adapts(*types: str) -> Callable[[Callable[[Instance, Resource], list[Resource]]], Callable]:
    def register(f: Callable[[Instance, Resource], list[Resource]]) -> Callable:
        for t in types:
            ADAPTERS[t.lower()] = f
        return f

    return register


def adapt(inst: Instance, stack: str) -> list[Resource]:
    """Canonical resources for one evaluated instance (none for types we do not model)."""
    f = ADAPTERS.get(inst.type_lower)
    if f is None or inst.existing:
        return []
    res = Resource(
        kind="",
        address=inst.address,
        language=inst.language,
        span=inst.span,
        source_type=inst.rtype,
        condition=inst.condition,
        stack=stack,
        module_call=inst.module_call,
    )
    if isinstance(inst.rid, str):
        res.ids.add(inst.rid.lower())
    return f(inst, res)


# --- helpers ------------------------------------------------------------------------------


def prop(inst: Instance, *path: str | int) -> Value:
    """A body property by path, keys matched case-insensitively (ARM property names are)."""
    current: Value = inst.body
    for step in path:
        if isinstance(step, str) and isinstance(current, Known) and isinstance(current.value, dict):
            data = current.value
            key = step if step in data else next((k for k in data if k.lower() == step.lower()), step)
            current = get_path(current, key)
        else:
            current = get_path(current, step)
        if not isinstance(current, Known):
            return current
    return current


def sub(value: Value, *path: str | int) -> Value:
    current = value
    for step in path:
        if isinstance(step, str) and isinstance(current, Known) and isinstance(current.value, dict):
            data = current.value
            key = step if step in data else next((k for k in data if k.lower() == step.lower()), step)
            current = get_path(current, key)
        else:
            current = get_path(current, step)
    return current


def put(res: Resource, name: str, value: Value) -> None:
    if value is not ABSENT:
        res.attrs[name] = value


def text(value: Value) -> str | None:
    return value.value if isinstance(value, Known) and isinstance(value.value, str) else None


def region(value: Value) -> Value:
    """Normalised region; placeholder text (a symbol inside a string) is not a region."""
    if isinstance(value, Known) and isinstance(value.value, str):
        if "<" in value.value:
            return Unknown(f"location {value.value!r} is only known at deployment", value.span)
        return Known(normalize_region(value.value), value.span, value.via)
    return value


def name_value(inst: Instance) -> Value:
    """The resource's own (last) name segment, with the span of its ``name`` property."""
    span = inst.name_value.span if isinstance(inst.name_value, Known | Unknown) else inst.span
    if isinstance(inst.name, str):
        return Known(inst.name.rsplit("/", 1)[-1], span or inst.span, getattr(inst.name_value, "via", ()))
    if isinstance(inst.name_value, Unknown):
        return inst.name_value
    return Unknown("name is not known", span or inst.span)


def id_value(rid: object, span: Span, reason: str) -> Value:
    if isinstance(rid, str):
        return Known(rid, span)
    if isinstance(rid, Symbol):
        return Known(rid, span)
    return Unknown(getattr(rid, "reason", reason), span)


def parent_id(inst: Instance) -> object:
    """The id of the parent resource (``a/b/c/d`` -> ``a/b``), from the id or the Bicep parent."""
    if isinstance(inst.rid, str) and inst.rid.count("/") >= 2:
        return inst.rid.rsplit("/", 2)[0]
    return inst.parent_id


def rg_value(inst: Instance) -> Value:
    return Known(inst.deployment.rg_name, inst.span)


def find_by_object_type(value: Value, wanted: str) -> list[Value]:
    return [x for x in items(value) if (text(sub(x, "objectType")) or "").lower() == wanted.lower()]


def principal(inst: Instance, path: str, span: Span) -> Value:
    if isinstance(inst.rid, str):
        return Known(principal_symbol(inst.rid, path), span)
    return Unknown(f"principal of {inst.address} is not known (its id is not)", span)


def _identity(inst: Instance, res: Resource) -> None:
    identity = prop(inst, "identity")
    if identity is ABSENT:
        return
    put(res, "identity_type", no_spaces(sub(identity, "type")))
    uami = sub(identity, "userAssignedIdentities")
    if isinstance(uami, Known) and isinstance(uami.value, dict):
        res.attrs["user_assigned_identity_ids"] = Known(
            [Known(k, v.span or uami.span) for k, v in uami.value.items()], uami.span
        )
    t = text(sub(identity, "type"))
    if t is None or "systemassigned" in t.lower().replace(" ", ""):
        res.attrs["principal_id"] = principal(inst, "identity.principalid", identity.span or inst.span)


# --- kinds ----------------------------------------------------------------------------------


@adapts("Microsoft.ContainerService/managedClusters")
def cluster(inst: Instance, res: Resource) -> list[Resource]:
    res.kind = kinds.CLUSTER
    put(res, "name", name_value(inst))
    put(res, "location", region(prop(inst, "location")))
    res.attrs["resource_group"] = rg_value(inst)
    _identity(inst, res)
    _service_principal(inst, res)
    storage = prop(inst, "properties", "storageProfile")
    put(res, "disk_csi_enabled", sub(storage, "diskCSIDriver", "enabled"))
    put(res, "snapshot_controller_enabled", sub(storage, "snapshotController", "enabled"))
    put(res, "private_cluster", prop(inst, "properties", "apiServerAccessProfile", "enablePrivateCluster"))
    put(res, "outbound_type", prop(inst, "properties", "networkProfile", "outboundType"))
    put(res, "artifact_source", prop(inst, "properties", "bootstrapProfile", "artifactSource"))
    put(res, "disk_encryption_set_id", prop(inst, "properties", "diskEncryptionSetID"))
    put(res, "kubernetes_version", prop(inst, "properties", "kubernetesVersion"))
    put(res, "support_plan", prop(inst, "properties", "supportPlan"))
    out = [res]
    pools = prop(inst, "properties", "agentPoolProfiles")
    cluster_ref = id_value(inst.rid, inst.span, "cluster id not known")
    for i, pool in enumerate(items(pools)):
        node = Resource(
            kind=kinds.NODE_POOL,
            address=f"{inst.address}.agentPoolProfiles[{i}]",
            language=inst.language,
            span=pool.span or inst.span,
            source_type=f"{inst.rtype}.agentPoolProfiles",
            condition=inst.condition,
            stack=res.stack,
            module_call=inst.module_call,
        )
        _pool_attrs(node, pool)
        node.refs["cluster"] = (
            Known(cluster_ref.value, pool.span) if isinstance(cluster_ref, Known) else cluster_ref
        )
        out.append(node)
    return out


def _managed_identity(res: Resource) -> bool | None:
    """True/False when the cluster's identity is known to be managed or absent; None if unknown."""
    identity = res.attr("identity_type")
    if identity is ABSENT:
        return False
    t = text(identity)
    if t is None:
        return None
    return t.lower() != "none"


def _service_principal(inst: Instance, res: Resource) -> None:
    """R05: a service principal is a ``clientId`` other than the 'msi' sentinel and no managed
    identity; a profile that carries a ``secret`` is one even when the client id is unknown."""
    spp = prop(inst, "properties", "servicePrincipalProfile")
    if spp is ABSENT:
        return
    span = spp.span or inst.span
    has_mi = _managed_identity(res)
    client = sub(spp, "clientId")
    if has_mi is True:
        res.attrs["service_principal"] = Known(False, span)
        return
    if isinstance(client, Known) and isinstance(client.value, str):
        if client.value.lower() == "msi":
            res.attrs["service_principal"] = Known(False, span, client.via)
            return
        res.attrs["service_principal_client_id"] = client
        if has_mi is False:
            res.attrs["service_principal"] = Known(True, span, client.via)
        else:
            res.attrs["service_principal"] = Unknown("the cluster identity is not known", span)
        return
    has_secret = isinstance(spp, Known) and isinstance(spp.value, dict) and sub(spp, "secret") is not ABSENT
    if has_secret and has_mi is False:
        res.attrs["service_principal"] = Known(True, span)
        if client is not ABSENT:
            res.attrs["service_principal_client_id"] = client
    elif isinstance(client, Unknown):
        res.attrs["service_principal"] = client
    elif isinstance(spp, Unknown):
        res.attrs["service_principal"] = spp


def _pool_attrs(node: Resource, pool: Value) -> None:
    put(node, "name", sub(pool, "name"))
    put(node, "os_type", sub(pool, "osType"))
    put(node, "os_sku", sub(pool, "osSKU"))
    put(node, "vm_size", sub(pool, "vmSize"))
    put(node, "mode", sub(pool, "mode"))
    put(node, "orchestrator_version", sub(pool, "orchestratorVersion"))
    put(node, "vnet_subnet_id", sub(pool, "vnetSubnetID"))


@adapts("Microsoft.ContainerService/managedClusters/agentPools")
def agent_pool(inst: Instance, res: Resource) -> list[Resource]:
    res.kind = kinds.NODE_POOL
    props = prop(inst, "properties")
    _pool_attrs(res, props)
    put(res, "name", name_value(inst))
    res.refs["cluster"] = id_value(parent_id(inst), inst.span, "cluster not known")
    return [res]


@adapts("Microsoft.ContainerService/managedClusters/trustedAccessRoleBindings")
def trusted_access(inst: Instance, res: Resource) -> list[Resource]:
    res.kind = kinds.TRUSTED_ACCESS
    put(res, "name", name_value(inst))
    put(res, "roles", prop(inst, "properties", "roles"))
    res.refs["cluster"] = id_value(parent_id(inst), inst.span, "cluster not known")
    source = prop(inst, "properties", "sourceResourceId")
    if source is not ABSENT:
        res.refs["source"] = source
    return [res]


@adapts("Microsoft.KubernetesConfiguration/extensions")
def extension(inst: Instance, res: Resource) -> list[Resource]:
    res.kind = kinds.EXTENSION
    put(res, "name", name_value(inst))
    ext_type = prop(inst, "properties", "extensionType")
    put(res, "extension_type", ext_type)
    settings = prop(inst, "properties", "configurationSettings")
    kinds.put_extension_settings(res, ext_type, settings, inst.span)
    put(res, "configuration_protected_settings", prop(inst, "properties", "configurationProtectedSettings"))
    put(res, "release_namespace", prop(inst, "properties", "scope", "cluster", "releaseNamespace"))
    put(res, "target_namespace", prop(inst, "properties", "scope", "namespace", "targetNamespace"))
    put(res, "release_train", prop(inst, "properties", "releaseTrain"))
    res.attrs["principal_id"] = principal(inst, "properties.aksassignedidentity.principalid", inst.span)
    if inst.scope_id is not None:
        res.refs["cluster"] = id_value(inst.scope_id, inst.span, "extension scope not known")
    else:  # quickstart shape 'cluster/extension' without scope (§3.3): not deployable as written
        res.refs["cluster"] = Unknown("extension declared without a scope", inst.span)
    return [res]


@adapts("Microsoft.DataProtection/backupVaults")
def backup_vault(inst: Instance, res: Resource) -> list[Resource]:
    res.kind = kinds.BACKUP_VAULT
    put(res, "name", name_value(inst))
    put(res, "location", region(prop(inst, "location")))
    res.attrs["resource_group"] = rg_value(inst)
    _identity(inst, res)
    settings = prop(inst, "properties", "storageSettings")
    first = next(iter(items(settings)), ABSENT)
    put(res, "redundancy", sub(first, "type") if first is not ABSENT else ABSENT)
    put(res, "datastore_type", sub(first, "datastoreType") if first is not ABSENT else ABSENT)
    crr = prop(inst, "properties", "featureSettings", "crossRegionRestoreSettings", "state")
    if isinstance(crr, Known) and isinstance(crr.value, str):
        res.attrs["cross_region_restore"] = Known(crr.value.lower() == "enabled", crr.span, crr.via)
    elif isinstance(crr, Unknown):
        res.attrs["cross_region_restore"] = crr
    put(res, "immutability", prop(inst, "properties", "securitySettings", "immutabilitySettings", "state"))
    put(res, "soft_delete", prop(inst, "properties", "securitySettings", "softDeleteSettings", "state"))
    cmk = prop(inst, "properties", "securitySettings", "encryptionSettings", "state")
    if isinstance(cmk, Known) and isinstance(cmk.value, str):
        res.attrs["cmk_enabled"] = Known(cmk.value.lower() == "enabled", cmk.span, cmk.via)
    elif isinstance(cmk, Unknown):
        res.attrs["cmk_enabled"] = cmk
    return [res]


@adapts("Microsoft.DataProtection/backupVaults/backupPolicies")
def backup_policy(inst: Instance, res: Resource) -> list[Resource]:
    res.kind = kinds.BACKUP_POLICY
    put(res, "name", name_value(inst))
    res.refs["vault"] = id_value(parent_id(inst), inst.span, "vault not known")
    put(res, "datasource_types", prop(inst, "properties", "datasourceTypes"))
    rules = prop(inst, "properties", "policyRules")
    if isinstance(rules, Unknown):
        res.attrs["repeating_intervals"] = rules
        res.attrs["uses_vault_store"] = rules
        return [res]
    if rules is ABSENT:
        return [res]  # Terraform-style quickstart properties (§3.3): nothing we can read
    intervals: list[Value] = []
    unknown: Value | None = None
    stores: list[Value] = []
    for rule in items(rules):
        kind = (text(sub(rule, "objectType")) or "").lower()
        if kind == "azurebackuprule":
            found = sub(rule, "trigger", "schedule", "repeatingTimeIntervals")
            if isinstance(found, Unknown):
                unknown = found
            intervals.extend(items(found))
            stores.append(sub(rule, "dataStore", "dataStoreType"))
        elif kind == "azureretentionrule":
            for life in items(sub(rule, "lifecycles")):
                stores.append(sub(life, "sourceDataStore", "dataStoreType"))
                for copy in items(sub(life, "targetDataStoreCopySettings")):
                    stores.append(sub(copy, "dataStore", "dataStoreType"))
    res.attrs["repeating_intervals"] = (
        unknown if unknown is not None else Known(intervals, rules.span or inst.span)
    )
    stores = [s for s in stores if s is not ABSENT]
    res.attrs["data_store_types"] = Known(stores, rules.span or inst.span)
    res.attrs["uses_vault_store"] = any_equals(stores, "VaultStore", rules.span or inst.span)
    return [res]


@adapts("Microsoft.DataProtection/backupVaults/backupInstances")
def backup_instance(inst: Instance, res: Resource) -> list[Resource]:
    res.kind = kinds.BACKUP_INSTANCE
    put(res, "name", name_value(inst))
    info = prop(inst, "properties", "dataSourceInfo")
    put(res, "location", region(sub(info, "resourceLocation")))
    put(res, "datasource_type", sub(info, "datasourceType"))
    params = prop(inst, "properties", "policyInfo", "policyParameters")
    plist = sub(params, "backupDatasourceParametersList")
    k8s = find_by_object_type(plist, "KubernetesClusterBackupDatasourceParameters")
    if isinstance(plist, Unknown):
        res.attrs["kubernetes_parameters"] = plist
    else:
        where = plist.span if isinstance(plist, Known) and plist.span else inst.span
        res.attrs["kubernetes_parameters"] = Known(bool(k8s), where)
    if k8s:
        put(res, "included_namespaces", sub(k8s[0], "includedNamespaces"))
        put(res, "excluded_namespaces", sub(k8s[0], "excludedNamespaces"))
        put(res, "label_selectors", sub(k8s[0], "labelSelectors"))
        put(res, "snapshot_volumes", sub(k8s[0], "snapshotVolumes"))
        res.attrs["backup_datasource_parameters"] = k8s[0]
    elif isinstance(sub(params, "backupDatasourceParametersList"), Unknown):
        unknown = sub(params, "backupDatasourceParametersList")
        res.attrs["included_namespaces"] = unknown
        res.attrs["excluded_namespaces"] = unknown
    store_list = sub(params, "dataStoreParametersList")
    stores = find_by_object_type(store_list, "AzureOperationalStoreParameters")
    if stores:
        put(res, "snapshot_resource_group", sub(stores[0], "resourceGroupId"))
    elif isinstance(store_list, Unknown):
        res.attrs["snapshot_resource_group"] = store_list
    res.refs["vault"] = id_value(parent_id(inst), inst.span, "vault not known")
    cluster_id = sub(info, "resourceID")
    if cluster_id is not ABSENT:
        res.refs["cluster"] = cluster_id
    policy_id = prop(inst, "properties", "policyInfo", "policyId")
    if policy_id is not ABSENT:
        res.refs["policy"] = policy_id
    return [res]


@adapts("Microsoft.Storage/storageAccounts")
def storage_account(inst: Instance, res: Resource) -> list[Resource]:
    res.kind = kinds.STORAGE_ACCOUNT
    put(res, "name", name_value(inst))
    put(res, "location", region(prop(inst, "location")))
    res.attrs["resource_group"] = rg_value(inst)
    put(res, "account_kind", prop(inst, "kind"))
    sku = prop(inst, "sku", "name")
    put(res, "sku_name", sku)
    tier = prop(inst, "sku", "tier")
    if tier is ABSENT and isinstance(sku, Known) and isinstance(sku.value, str):
        tier = Known(sku.value.split("_", 1)[0].replace("V2", ""), sku.span, sku.via)
    elif tier is ABSENT and isinstance(sku, Unknown):
        tier = sku
    put(res, "account_tier", tier)
    access = prop(inst, "properties", "publicNetworkAccess")
    if isinstance(access, Known) and isinstance(access.value, str):
        res.attrs["public_network_access"] = Known(access.value.lower() == "enabled", access.span, access.via)
    acls = prop(inst, "properties", "networkAcls")
    if acls is not ABSENT:
        put(res, "network_default_action", sub(acls, "defaultAction"))
        put(res, "network_bypass", sub(acls, "bypass"))
        rules = sub(acls, "resourceAccessRules")
        if isinstance(rules, Known):
            res.attrs["resource_access_rules"] = Known(
                [sub(r, "resourceId") for r in items(rules)], rules.span
            )
        for attr, key, field in (
            ("virtual_network_rules", "virtualNetworkRules", "id"),
            ("ip_rules", "ipRules", "value"),
        ):
            found = sub(acls, key)
            if isinstance(found, Known):
                res.attrs[attr] = Known([sub(r, field) for r in items(found)], found.span)
            else:
                put(res, attr, found)
    return [res]


@adapts("Microsoft.Storage/storageAccounts/blobServices/containers")
def blob_container(inst: Instance, res: Resource) -> list[Resource]:
    res.kind = kinds.BLOB_CONTAINER
    put(res, "name", name_value(inst))
    if isinstance(inst.name, str) and inst.name.count("/") >= 2:
        res.attrs["storage_account_name"] = Known(inst.name.split("/")[0], inst.name_value.span or inst.span)
    if isinstance(inst.rid, str) and inst.rid.count("/") >= 4:
        res.refs["storage_account"] = Known(inst.rid.rsplit("/", 4)[0], inst.span)
    return [res]


@adapts("Microsoft.Authorization/roleAssignments")
def role_assignment(inst: Instance, res: Resource) -> list[Resource]:
    res.kind = kinds.ROLE_ASSIGNMENT
    put(res, "role", prop(inst, "properties", "roleDefinitionId"))
    put(res, "principal_id", prop(inst, "properties", "principalId"))
    put(res, "principal_type", prop(inst, "properties", "principalType"))
    if inst.scope_id is not None:
        res.refs["scope"] = id_value(inst.scope_id, inst.span, "scope not known")
    else:
        dep = inst.deployment
        where = dep.rg_prefix if dep.level == "resourceGroup" else dep.subscription_prefix
        res.refs["scope"] = Known(where, inst.span)
    return [res]


@adapts("Microsoft.Network/privateEndpoints")
def private_endpoint(inst: Instance, res: Resource) -> list[Resource]:
    res.kind = kinds.PRIVATE_ENDPOINT
    put(res, "name", name_value(inst))
    conns = list(items(prop(inst, "properties", "privateLinkServiceConnections")))
    conns += list(items(prop(inst, "properties", "manualPrivateLinkServiceConnections")))
    if conns:
        target = sub(conns[0], "properties", "privateLinkServiceId")
        if target is not ABSENT:
            res.refs["target"] = target
        put(res, "subresources", sub(conns[0], "properties", "groupIds"))
    return [res]


@adapts("Microsoft.Resources/resourceGroups")
def resource_group(inst: Instance, res: Resource) -> list[Resource]:
    res.kind = kinds.RESOURCE_GROUP
    put(res, "name", name_value(inst))
    put(res, "location", region(prop(inst, "location")))
    return [res]
