"""The azurerm version admitted for a trusted-access binding calls a retired preview API.

## What it checks
Terraform configurations that declare `azurerm_kubernetes_cluster_trusted_access_role_binding`
and whose azurerm constraints (or lock file) admit a version in [3.99.0, 3.117.1) or
[4.0.0, 4.21.0). Those releases call the preview API `2023-03-02-preview`, which AKS retired in
February 2025.

## Why it matters
Creating the binding fails with `NoRegisteredProviderFound ... API version
'2023-03-02-preview'`; without the binding the vault cannot reach the cluster and backups fail.
azurerm 4.21.0 and the 3.117.1 back-port use the stable API.

## Azure documentation
"To enable Azure Backup for AKS using Terraform, use version 3.99.0 or later." (support
matrix, 06/10/2025 revision); the retirement is tracked in terraform-provider-azurerm issues
27921 and 28838 and fixed by 4.21.0 (28853) and 3.117.1 (28910).

## Example
```hcl
terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = "~> 4.10" }
  }
}
resource "azurerm_kubernetes_cluster_trusted_access_role_binding" "backup" {}
```
Use instead:
```hcl
terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = ">= 4.21.0, < 5.0" }
  }
}
resource "azurerm_kubernetes_cluster_trusted_access_role_binding" "backup" {}
```

## Unknown values
Without any constraint or lock file Terraform installs the newest provider, so the rule is
silent; unreadable constraints are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts import version_ranges as versions
from linter.facts.fixes import raise_azurerm
from linter.facts.provider_versions import provider_versions
from linter.model import Finding, Severity
from linter.rules import Citation, rule

RETIRED = (((3, 99, 0), (3, 117, 1)), ((4, 0, 0), (4, 21, 0)))


@rule(
    id="AKSB002",
    slug="trusted-access-api-retired",
    severity=Severity.WARNING,
    summary="constraint admits azurerm releases whose trusted-access binding calls a retired preview API",
    kinds=(kinds.PROVIDER_REQUIREMENT, kinds.TRUSTED_ACCESS),
    languages=("terraform",),
    cite=Citation("To enable Azure Backup for AKS using Terraform, use version 3.99.0 or later."),
    tags=("terraform", "provider", "trusted-access"),
)
def trusted_access_api_retired(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    found = provider_versions(graph)
    for binding in graph.of_kind(kinds.TRUSTED_ACCESS):
        if binding.language != "terraform":
            continue
        pv = found.get(binding.stack)
        if pv is None or not pv.constrained or pv.primary_span is None:
            continue
        bad = [
            versions.describe(iv)
            for lo, hi in RETIRED
            for iv in versions.intersect(pv.admitted, (versions.Interval(lo, True, hi, False),))
        ]
        if bad:
            if pv.locked:
                what = f"the locked version {pv.locked[0]} calls"
            else:
                what = f'"{pv.constraints[0][0]}" allows {" and ".join(bad)}, which call'
            yield ctx.finding(
                binding,
                f"azurerm {what} the retired trusted-access API 2023-03-02-preview; require >= 4.21.0 "
                "(or >= 3.117.1 on 3.x)",
                span=pv.primary_span,
                fix=raise_azurerm(pv),
            )
            break
