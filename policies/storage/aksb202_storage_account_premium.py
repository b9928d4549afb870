"""The backup storage account is a Premium account.

## What it checks
The performance tier of every storage account that a backup extension uses: Terraform
`account_tier = "Premium"`, ARM/Bicep `sku.name` starting with `Premium` (`Premium_LRS`,
`Premium_ZRS`, `PremiumV2_*`). The finding points at the tier or SKU.

## Why it matters
Premium storage accounts are not supported for the backup extension's blob container; the
backup configuration fails.

## Azure documentation
"Only General-purpose v2 storage accounts are supported; Premium storage accounts are not
supported." (support matrix, 06/10/2025 revision)

## Example
```hcl
resource "azurerm_storage_account" "backup" {
  account_tier = "Premium"
}
```
Use instead:
```hcl
resource "azurerm_storage_account" "backup" {
  account_tier = "Standard"
}
```

## Unknown values
An unknown tier or SKU keeps the rule silent.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import backup_storage_accounts
from linter.facts.compare import ieq, show, text
from linter.model import Finding, Severity
from linter.rules import Citation, rule


@rule(
    id="AKSB202",
    slug="storage-account-premium",
    severity=Severity.ERROR,
    languages=("terraform", "arm", "bicep"),
    summary="backup storage account is Premium",
    kinds=(kinds.STORAGE_ACCOUNT, kinds.EXTENSION),
    cite=Citation(
        "Only General-purpose v2 storage accounts are supported; Premium storage accounts are not supported."
    ),
    tags=("storage",),
)
def storage_account_premium(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    for ext, account in backup_storage_accounts(graph):
        tier = account.attr("account_tier")
        sku = text(account.attr("sku_name"))
        if ieq(tier, "Premium"):
            attribute, value = "account_tier", tier
        elif sku is not None and sku.lower().startswith("premium"):
            attribute, value = "sku_name", account.attr("sku_name")
        else:
            continue
        yield ctx.finding(
            account,
            f"storage account {account.address} used by backup extension {ext.address} is Premium "
            f"({show(value)}); use a Standard general-purpose v2 account",
            attribute=attribute,
        )
