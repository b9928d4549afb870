"""The backup extension lacks a storage setting, is namespace-scoped, or is installed twice.

## What it checks
Every data-protection extension (`microsoft.dataprotection.kubernetes`):

* the four backup-storage-location settings are present in `configuration_settings`
  (`configurationSettings`): `configuration.backupStorageLocation.bucket`,
  `configuration.backupStorageLocation.config.storageAccount`,
  `configuration.backupStorageLocation.config.resourceGroup` and
  `configuration.backupStorageLocation.config.subscriptionId`;
* it is installed at cluster scope (no `target_namespace`, no ARM `scope.namespace`);
* no other backup extension is installed on the same cluster.

## Why it matters
The extension cannot start without its storage location (the Azure CLI refuses it with
"Missing required configuration setting"), only cluster scope is supported ("This extension can
only be installed at 'cluster' scope"), and a cluster holds one instance of an extension type.

## Azure documentation
"This extension requires a storage account and preferably an empty blob container inside it as
input while installing." (support matrix, 06/10/2025 revision; required keys from the Azure CLI
k8s-extension `DataProtectionKubernetes.py`)

## Example
```hcl
resource "azurerm_kubernetes_cluster_extension" "backup" {
  extension_type = "microsoft.dataprotection.kubernetes"
  configuration_settings = {
    "configuration.backupStorageLocation.bucket" = "aks-backup"
  }
}
```
Use instead:
```hcl
resource "azurerm_kubernetes_cluster_extension" "backup" {
  extension_type = "microsoft.dataprotection.kubernetes"
  configuration_settings = {
    "configuration.backupStorageLocation.bucket"                = "aks-backup"
    "configuration.backupStorageLocation.config.storageAccount" = azurerm_storage_account.backup.name
    "configuration.backupStorageLocation.config.resourceGroup"  = azurerm_resource_group.rg.name
    "configuration.backupStorageLocation.config.subscriptionId" = data.azurerm_client_config.current.subscription_id
  }
}
```
```bicep
properties: {
  extensionType: 'microsoft.dataprotection.kubernetes'
  configurationSettings: {
    'configuration.backupStorageLocation.bucket': 'aks-backup'
    'configuration.backupStorageLocation.config.storageAccount': storage.name
    'configuration.backupStorageLocation.config.resourceGroup': resourceGroup().name
    'configuration.backupStorageLocation.config.subscriptionId': subscription().subscriptionId
  }
}
```
```json
"configurationSettings": {
  "configuration.backupStorageLocation.bucket": "aks-backup",
  "configuration.backupStorageLocation.config.storageAccount": "[parameters('storageAccountName')]",
  "configuration.backupStorageLocation.config.resourceGroup": "[resourceGroup().name]",
  "configuration.backupStorageLocation.config.subscriptionId": "[subscription().subscriptionId]"
}
```

## Unknown values
A settings map that is unknown as a whole (a variable without default, `merge` with an unknown
map) is not checked, and a setting given in the protected settings counts as present; a setting whose value is unknown counts as present. Two extensions are
reported as a duplicate only when both surely exist and both reference the same cluster.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import backup_extensions
from linter.facts.compare import show, text
from linter.model import ABSENT, Finding, RelatedLocation, Severity, get_path
from linter.rules import Citation, rule

REQUIRED = kinds.EXTENSION_STORAGE_SETTINGS


@rule(
    id="AKSB306",
    slug="backup-extension-misconfigured",
    severity=Severity.ERROR,
    summary="backup extension lacks a required storage setting, is namespace-scoped, or is installed twice",
    kinds=(kinds.EXTENSION,),
    languages=("terraform", "arm", "bicep"),
    cite=Citation(
        "This extension requires a storage account and preferably an empty blob container inside it as input while installing."
    ),
    tags=("wiring", "extension"),
)
def backup_extension_misconfigured(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    first_on: dict[int, object] = {}
    for ext in sorted(backup_extensions(graph), key=lambda r: (r.span.file, r.span.line, r.address)):
        settings = ext.attr("configuration_settings")
        protected = ext.attr("configuration_protected_settings")
        if not settings.is_unknown and not protected.is_unknown:
            missing = [
                key
                for attr, key in REQUIRED
                if ext.attr(attr) is ABSENT and get_path(protected, key) is ABSENT
            ]
            if missing:
                where = "configuration_settings" if settings.is_known else ""
                yield ctx.finding(
                    ext,
                    f"backup extension {ext.address} lacks the setting{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(missing)}; the extension needs its storage account, resource group, "
                    "subscription and blob container",
                    attribute=where,
                )
        namespace = ext.attr("target_namespace")
        if text(namespace):
            yield ctx.finding(
                ext,
                f"backup extension {ext.address} is namespace-scoped (target namespace {show(namespace)}); "
                "it can only be installed at cluster scope: remove the target namespace",
                attribute="target_namespace",
            )
        if not ext.surely_exists:
            continue
        clusters = graph.related(ext, "cluster")
        if len(clusters) != 1:
            continue
        other = first_on.get(id(clusters[0]))
        if other is None:
            first_on[id(clusters[0])] = ext
            continue
        yield ctx.finding(
            ext,
            f"cluster {clusters[0].address} already has the backup extension {other.address}; "  # type: ignore[attr-defined]
            f"{ext.address} installs it a second time: keep one",
            related=[RelatedLocation(other.span, f"first backup extension {other.address}")],  # type: ignore[attr-defined]
        )
