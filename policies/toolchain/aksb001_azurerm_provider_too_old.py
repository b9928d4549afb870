"""The azurerm provider version admitted by the configuration is older than 3.99.0.

## What it checks
Terraform configurations that declare one of the four azurerm AKS-backup resources (the
data-protection `azurerm_kubernetes_cluster_extension`, a trusted-access binding from a backup
vault, `azurerm_data_protection_backup_policy_kubernetes_cluster`,
`azurerm_data_protection_backup_instance_kubernetes_cluster`); azapi resources and backups of
other datasources (disks, blobs, databases) do not make the azurerm version matter. Every azurerm requirement of the
configuration and its local modules (`required_providers`, the legacy shorthand, legacy
`provider { version }`) is intersected, or the version pinned in `.terraform.lock.hcl` is used.
An error when no admitted version reaches 3.99.0, a warning when some admitted versions are
older, a note when nothing constrains the provider.

## Why it matters
Older providers lack or mis-handle the backup resources (the backup instance resource needed
fixes up to 3.97.0); a loose constraint lets a stale lock or an old CI image pick one.

## Azure documentation
"To enable Azure Backup for AKS using Terraform, use version 3.99.0 or later." (support
matrix, 06/10/2025 revision)

## Example
```hcl
terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = "~> 3.90.0" }
  }
}
resource "azurerm_data_protection_backup_instance_kubernetes_cluster" "aks" {}
```
Use instead:
```hcl
terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = ">= 4.21.0" }
  }
}
resource "azurerm_data_protection_backup_instance_kubernetes_cluster" "aks" {}
```

## Unknown values
A constraint that is not a literal string is not evaluated; an unreadable constraint is
ignored rather than guessed.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts import version_ranges as versions
from linter.facts.chain import terraform_backup_stacks
from linter.facts.fixes import raise_azurerm
from linter.facts.provider_versions import provider_versions
from linter.graph import Resource
from linter.model import Finding, RelatedLocation, Severity
from linter.rules import Citation, rule

MINIMUM = (3, 99, 0)


@rule(
    id="AKSB001",
    slug="azurerm-provider-too-old",
    severity=Severity.ERROR,
    severities=(Severity.ERROR, Severity.WARNING, Severity.NOTE),
    summary="the azurerm provider version constraint admits versions older than 3.99.0",
    kinds=(kinds.PROVIDER_REQUIREMENT,),
    languages=("terraform",),
    cite=Citation("To enable Azure Backup for AKS using Terraform, use version 3.99.0 or later."),
    tags=("terraform", "provider"),
)
def azurerm_provider_too_old(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    found = provider_versions(graph)
    first_resource: dict[str, Resource] = {}
    for r in graph.resources:
        if r.language == "terraform" and r.kind != kinds.PROVIDER_REQUIREMENT:
            first_resource.setdefault(r.stack, r)
    for stack in sorted(terraform_backup_stacks(graph)):
        pv = found.get(stack)
        anchor = first_resource[stack]
        if pv is None or not pv.constrained:
            yield ctx.finding(
                anchor,
                "no azurerm provider version constraint or lock file: AKS backup needs azurerm 3.99.0 or later; "
                'add version = ">= 3.99.0" to required_providers',
                severity=Severity.NOTE,
            )
            continue
        span = pv.primary_span
        related = [
            RelatedLocation(s, f'also constrains azurerm: "{t}"') for t, s in pv.constraints if s != span
        ]
        what = (
            f'locked version "{pv.locked[0]}"'
            if pv.locked
            else " and ".join(f'"{t}"' for t, _ in pv.constraints)
        )
        if not pv.admitted:
            continue  # contradictory constraints: terraform init reports that itself
        if not versions.admits_any(pv.admitted, MINIMUM, (10**9, 0, 0)):
            yield ctx.finding(
                anchor,
                f"azurerm {what} admits no version at or above 3.99.0, which AKS backup needs",
                span=span,
                related=related,
                fix=raise_azurerm(pv),
            )
        elif versions.admits_below(pv.admitted, MINIMUM):
            yield ctx.finding(
                anchor,
                f"azurerm {what} also admits versions older than 3.99.0; AKS backup needs 3.99.0 or later",
                span=span,
                related=related,
                severity=Severity.WARNING,
                fix=raise_azurerm(pv),
            )
