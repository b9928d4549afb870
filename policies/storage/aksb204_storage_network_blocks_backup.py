"""The backup storage account's network rules keep the backup service out.

## What it checks
The storage account of every backup extension:

* with the storage firewall on (`network_rules { default_action = "Deny" }`,
  `networkAcls.defaultAction: 'Deny'`), the trusted-services bypass must include
  `AzureServices`, and a resource-instance rule must admit the backup vault that protects the
  cluster (`private_link_access { endpoint_resource_id = <vault>.id }`,
  `networkAcls.resourceAccessRules[].resourceId`);
* with public network access disabled (`public_network_access_enabled = false`,
  `publicNetworkAccess: 'Disabled'`), a private endpoint for the `blob` sub-resource of the
  account must be declared (`azurerm_private_endpoint`, `Microsoft.Network/privateEndpoints`).

## Why it matters
The extension writes backup metadata to the account from inside the cluster's network, and the
vault reads it for tiering: a firewall without the vault's exception, or a private account
without a private endpoint, makes backups fail.

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
Unknown network settings, rule lists with unknown entries, an unknown vault and private
endpoints whose target is unknown or outside the scanned files (or a remote module that may
declare one) keep the rule silent. An absent
bypass takes Azure's default (`AzureServices`).

## Known limitations
Rules set by a separate `azurerm_storage_account_network_rules` resource are not read yet. A
private cluster API server alone is not treated as a private network.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import backup_instances, backup_storage_accounts, hidden_companions
from linter.facts.compare import ieq, text
from linter.facts.verdict import Verdict, both, existence, points_at
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
    for ext, account in backup_storage_accounts(graph):
        if ieq(account.attr("network_default_action"), "Deny") is True:
            if bypass_has_azure_services(account.attr("network_bypass")) is False:
                yield ctx.finding(
                    account,
                    f"storage account {account.address} denies network access and does not let trusted Azure "
                    'services through; add "AzureServices" to its bypass so the backup vault can reach it',
                    attribute="network_bypass",
                )
            clusters = graph.related(ext, "cluster")
            for vault in protecting.get(id(clusters[0]), []) if len(clusters) == 1 else []:
                if admits(graph, account.attr("resource_access_rules"), vault) is False:
                    yield ctx.finding(
                        account,
                        f"storage account {account.address} denies network access without a resource instance rule "
                        f"for backup vault {vault.address}; add one (private_link_access / resourceAccessRules) "
                        "with the vault's id",
                        attribute="network_default_action",
                        related=[RelatedLocation(vault.span, f"backup vault {vault.address}")],
                    )
        public = account.attr("public_network_access")
        if as_bool(public) is False or ieq(public, "Disabled") is True:
            endpoints = [
                both(existence(pe), points_at(graph, pe, "target", account), _blob(pe))
                for pe in graph.of_kind(kinds.PRIVATE_ENDPOINT)
            ]
            if all(v is Verdict.NO for v in endpoints) and hidden_companions(graph, account.stack) is None:
                yield ctx.finding(
                    account,
                    f"storage account {account.address} has public network access disabled and no blob private "
                    'endpoint; add a private endpoint (subresource "blob") so the backup extension can reach it',
                    attribute="public_network_access",
                )


def _blob(pe: Resource) -> Verdict:
    value = pe.attr("subresources")
    if not isinstance(value, Known) or not isinstance(value.value, list):
        return Verdict.MAYBE
    names = [text(v) for v in value.value]
    if any(n is not None and n.lower() == "blob" for n in names):
        return Verdict.YES
    return Verdict.MAYBE if any(n is None for n in names) else Verdict.NO
