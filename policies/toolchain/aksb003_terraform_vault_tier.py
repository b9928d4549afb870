"""An AKS backup policy deployed by Terraform uses the vault tier.

## What it checks
Backup policies declared in Terraform, through azurerm (`life_cycle.data_store_type` other than
`OperationalStore`) or through `azapi_resource` bodies of type
`Microsoft.DataProtection/backupVaults/backupPolicies` whose lifecycles use or copy to
`VaultStore`. Only AKS backup policies (`datasourceTypes` holds
`Microsoft.ContainerService/managedClusters`): a blob or database policy in the same vault may
use the vault tier. The finding points at the data store type.

## Why it matters
The support matrix states that vault-tier AKS backup is not supported with Terraform deployment.
For azurerm this is enforced: the provider accepts only `OperationalStore` and rejects other
values at plan time. For azapi, which sends the ARM body as written, nothing known rejects it:
the limitation is a statement of the documentation (a Terraform deployment of vault-tier AKS
backup is outside what Microsoft supports), not a known failure of the service.

## Azure documentation
"Currently Vault Tier based backup isn't supported with Terraform deployment." (support
matrix, 06/10/2025 revision)

## Example
```hcl
resource "azurerm_data_protection_backup_policy_kubernetes_cluster" "policy" {
  default_retention_rule {
    life_cycle {
      duration        = "P7D"
      data_store_type = "VaultStore"
    }
  }
}
```
Use instead:
```hcl
resource "azurerm_data_protection_backup_policy_kubernetes_cluster" "policy" {
  default_retention_rule {
    life_cycle {
      duration        = "P7D"
      data_store_type = "OperationalStore"
    }
  }
}
```

## Unknown values
A data store type from a variable without default is not checked.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import aks_policies
from linter.facts.compare import text
from linter.model import Finding, Known, Severity, items
from linter.rules import Citation, rule


@rule(
    id="AKSB003",
    slug="terraform-vault-tier",
    severity=Severity.ERROR,
    summary="an AKS backup policy deployed by Terraform (azurerm or azapi) uses the vault store",
    kinds=(kinds.BACKUP_POLICY,),
    languages=("terraform",),
    cite=Citation("Currently Vault Tier based backup isn't supported with Terraform deployment."),
    tags=("terraform", "vault-tier"),
)
def terraform_vault_tier(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    for policy in aks_policies(graph):
        if policy.language != "terraform":
            continue
        reported = False
        for element in items(policy.attr("data_store_types")):
            store = text(element)
            if store is not None and store.lower() != "operationalstore":
                reported = True
                yield ctx.finding(
                    policy,
                    f'policy {policy.address} uses data store "{store}"; Terraform can only deploy '
                    "operational-tier (OperationalStore) AKS backups",
                    attribute="data_store_types",
                    value=element,
                )
        uses = policy.attr("uses_vault_store")
        if not reported and isinstance(uses, Known) and uses.value is True:
            yield ctx.finding(
                policy,
                f"policy {policy.address} keeps backups in the vault tier (VaultStore); Terraform can only deploy "
                "operational-tier AKS backups",
                attribute="uses_vault_store",
            )
