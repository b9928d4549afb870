"""The backup storage account is not a general-purpose v2 account.

## What it checks
The kind of every storage account that a backup extension uses (`account_kind` in Terraform,
`kind` in ARM and Bicep). Anything but `StorageV2` fails: `Storage` (general-purpose v1),
`BlobStorage` (legacy), `BlockBlobStorage` and `FileStorage` (premium kinds). The finding
points at the kind.

## Why it matters
The backup extension stores backup metadata in a blob container of this account; other account
kinds are not supported and backups fail.

## Azure documentation
"Only General-purpose v2 storage accounts are supported; Premium storage accounts are not
supported." (support matrix, 06/10/2025 revision)

## Example
```hcl
resource "azurerm_storage_account" "backup" {
  account_kind = "Storage"
}
```
Use instead:
```hcl
resource "azurerm_storage_account" "backup" {
  account_kind = "StorageV2"
}
```

## Unknown values
An absent `account_kind` in Terraform is the provider default `StorageV2` and passes; an
unknown kind keeps the rule silent.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import backup_storage_accounts
from linter.facts.compare import ieq, show
from linter.facts.fixes import upgrade_storage_kind
from linter.model import Finding, Severity
from linter.rules import Citation, rule


@rule(
    id="AKSB201",
    slug="storage-account-not-gpv2",
    severity=Severity.ERROR,
    languages=("terraform", "arm", "bicep"),
    summary="backup storage account kind is not StorageV2",
    kinds=(kinds.STORAGE_ACCOUNT, kinds.EXTENSION),
    cite=Citation(
        "Only General-purpose v2 storage accounts are supported; Premium storage accounts are not supported."
    ),
    tags=("storage",),
)
def storage_account_not_gpv2(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    for ext, account in backup_storage_accounts(graph):
        kind = account.attr("account_kind")
        if ieq(kind, "StorageV2") is False:
            yield ctx.finding(
                account,
                f"storage account {account.address} used by backup extension {ext.address} has kind "
                f"{show(kind)}; Azure Backup for AKS needs a general-purpose v2 (StorageV2) account",
                attribute="account_kind",
                fix=upgrade_storage_kind(kind),
            )
