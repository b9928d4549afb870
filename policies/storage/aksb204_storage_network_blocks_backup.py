"""The backup storage account's network rules keep the backup service or the cluster out.

## What it checks
The storage account of every backup extension:

* with the storage firewall on (`network_rules { default_action = "Deny" }`,
  `networkAcls.defaultAction: 'Deny'`), the trusted-services bypass must include
  `AzureServices`, and a resource-instance rule must admit the backup vault that protects the
  cluster (`private_link_access { endpoint_resource_id = <vault>.id }`,
  `networkAcls.resourceAccessRules[].resourceId`);
* a private endpoint for the `blob` sub-resource of the account (`azurerm_private_endpoint`,
  `Microsoft.Network/privateEndpoints`) must be declared when public network access is disabled
  (`public_network_access_enabled = false`, `publicNetworkAccess: 'Disabled'`), when the
  firewall is on and admits none of the cluster's node subnets (`virtual_network_subnet_ids`,
  `networkAcls.virtualNetworkRules`; node pools without `vnet_subnet_id` run in a virtual
  network AKS manages, which no rule can name) and no IP range, or when the cluster is a private
  cluster (`private_cluster_enabled = true`, `apiServerAccessProfile.enablePrivateCluster`).

The private-endpoint finding points at the setting that makes it necessary (the public access
setting, the firewall's default action), or at the storage account for a private cluster.

## Why it matters
The extension writes backup metadata to the account from inside the cluster's network, and the
vault reads it for tiering: a firewall without the vault's exception, a firewall that does not
admit the cluster's network, or a private network without a private endpoint makes backups
fail. The support matrix requires a private endpoint whenever the cluster is in a private
virtual network.

## Azure documentation
"If the storage account is behind a firewall or has private access enabled, ensure that the
Backup Vault is added as a Trusted Service in the storage account’s network settings to allow
seamless data transfer." (support matrix, 06/10/2025 revision; also "If the AKS cluster is
deployed within a private virtual network, a private endpoint must be configured to enable
backup operations.")

## Example
```hcl
resource "azurerm_storage_account" "backup" {
  network_rules {
    default_action = "Deny"
    bypass         = ["None"]
  }
}
```
Use instead:
```hcl
resource "azurerm_storage_account" "backup" {
  network_rules {
    default_action = "Deny"
    bypass         = ["AzureServices"]
    private_link_access {
      endpoint_resource_id = azurerm_data_protection_backup_vault.backup.id
    }
  }
}
resource "azurerm_private_endpoint" "backup_blob" {
  private_service_connection {
    private_connection_resource_id = azurerm_storage_account.backup.id
    subresource_names              = ["blob"]
  }
}
```
```bicep
networkAcls: {
  defaultAction: 'Deny'
  bypass: 'AzureServices'
  resourceAccessRules: [ { tenantId: tenant().tenantId, resourceId: vault.id } ]
}
```
```json
"networkAcls": {
  "defaultAction": "Deny",
  "bypass": "AzureServices",
  "resourceAccessRules": [ { "tenantId": "[subscription().tenantId]", "resourceId": "[resourceId('Microsoft.DataProtection/backupVaults', parameters('vaultName'))]" } ]
}
```

## Unknown values
Unknown network settings, rule lists with unknown entries, an unknown vault, node subnets that
cannot be resolved, and private endpoints whose target is unknown or outside the scanned files
(or a remote module that may declare one) keep the rule silent. An absent bypass takes Azure's
default (`AzureServices`).

## Options
`private_cluster_needs_endpoint` (boolean, default true): require the blob private endpoint for a
private cluster even when the storage account is public. The support matrix's "private virtual
network" is not defined further; reading a private API server as one is a heuristic
(iac-mapping R08), and so is the `blob` sub-resource of the endpoint (UNVERIFIED).

## Known limitations
Rules set by a separate `azurerm_storage_account_network_rules` resource are not read yet.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import backup_instances, backup_storage_accounts
from linter.facts.compare import ieq, text
from linter.facts.network import blob_endpoint, firewall_admits_cluster
from linter.facts.verdict import Verdict
from linter.graph import Resource
from linter.model import Finding, Known, RelatedLocation, Severity, Symbol, as_bool
from linter.rules import Citation, rule


def bypass_has_azure_services(value) -> bool | None:  # type: ignore[no-untyped-def]
    if not isinstance(value, Known):
        return None if value.is_unknown else True
    raw = value.value
    entries = raw if isinstance(raw, list) else [value]
    names: list[str] = []
    for entry in entries:
        s = text(entry)
        if s is None:
            return None
        names += [p.strip().lower() for p in s.split(",")]
    return "azureservices" in names


def vaults_by_cluster(graph) -> dict[int, list[Resource]]:  # type: ignore[no-untyped-def]
    """The vaults protecting each cluster, by the cluster's identity (one pass over the instances)."""
    out: dict[int, list[Resource]] = {}
    for instance in backup_instances(graph):
        for cluster in graph.related(instance, "cluster"):
            vaults = out.setdefault(id(cluster), [])
            vaults += [v for v in graph.related(instance, "vault") if v not in vaults]
    return out


def admits(graph, rules_value, vault: Resource) -> bool | None:  # type: ignore[no-untyped-def]
    if not isinstance(rules_value, Known) or not isinstance(rules_value.value, list):
        return None if not rules_value.is_absent else False
    unknown = False
    for entry in rules_value.value:
        if not isinstance(entry, Known) or not isinstance(entry.value, Symbol | str):
            unknown = True
            continue
        if vault in graph.by_id(entry.value, kinds.BACKUP_VAULT):
            return True
        if not graph.by_id(entry.value):
            unknown = True  # an id outside the scanned files may be this vault's
    return None if unknown else False


@rule(
    id="AKSB204",
    slug="storage-network-blocks-backup",
    severity=Severity.WARNING,
    options={"private_cluster_needs_endpoint": True},
    summary="storage firewall or private access without the vault exception or a blob private endpoint",
    kinds=(kinds.STORAGE_ACCOUNT, kinds.EXTENSION, kinds.BACKUP_VAULT, kinds.PRIVATE_ENDPOINT),
    languages=("terraform", "arm", "bicep"),
    cite=Citation(
        "If the storage account is behind a firewall or has private access enabled, ensure that the Backup Vault is added as a Trusted Service in the storage account’s network settings to allow seamless data transfer."
    ),
    tags=("storage", "network"),
)
def storage_network_blocks_backup(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    protecting = vaults_by_cluster(graph)
    private_cluster_needs_endpoint = ctx.option("private_cluster_needs_endpoint")
    for ext, account in backup_storage_accounts(graph):
        clusters = graph.related(ext, "cluster")
        cluster = clusters[0] if len(clusters) == 1 else None
        deny = ieq(account.attr("network_default_action"), "Deny") is True
        if deny:
            if bypass_has_azure_services(account.attr("network_bypass")) is False:
                yield ctx.finding(
                    account,
                    f"storage account {account.address} denies network access and does not let trusted Azure "
                    'services through; add "AzureServices" to its bypass so the backup vault can reach it',
                    attribute="network_bypass",
                )
            for vault in protecting.get(id(cluster), []) if cluster is not None else []:
                if admits(graph, account.attr("resource_access_rules"), vault) is False:
                    yield ctx.finding(
                        account,
                        f"storage account {account.address} denies network access without a resource instance rule "
                        f"for backup vault {vault.address}; add one (private_link_access / resourceAccessRules) "
                        "with the vault's id",
                        attribute="network_default_action",
                        related=[RelatedLocation(vault.span, f"backup vault {vault.address}")],
                        properties={"vault": vault.address},
                    )
        need = _endpoint_needed(graph, account, cluster, deny, private_cluster_needs_endpoint)
        if need is not None and blob_endpoint(graph, account) is Verdict.NO:
            reason, attribute, related = need
            yield ctx.finding(
                account,
                f"storage account {account.address} has no blob private endpoint, but {reason}; add a private "
                'endpoint (subresource "blob") so the backup extension can reach it',
                attribute=attribute,
                related=related,
            )


def _endpoint_needed(graph, account, cluster, deny: bool, private_cluster: bool):  # type: ignore[no-untyped-def]
    """Why the account needs a blob private endpoint: (reason, attribute, related), or None."""
    public = account.attr("public_network_access")
    if as_bool(public) is False or ieq(public, "Disabled") is True:
        return "its public network access is disabled", "public_network_access", []
    if cluster is None:
        return None
    if deny and firewall_admits_cluster(graph, account, cluster) is Verdict.NO:
        return (
            f"its firewall admits no subnet of cluster {cluster.address}'s node pools and no IP range",
            "network_default_action",
            [RelatedLocation(cluster.span, f"cluster {cluster.address}")],
        )
    if private_cluster and as_bool(cluster.attr("private_cluster")) is True:
        return (
            f"cluster {cluster.address} is a private cluster (the support matrix requires a private endpoint "
            "for a cluster in a private virtual network)",
            "",
            [RelatedLocation(cluster.span_of("private_cluster"), "private cluster")],
        )
    return None
