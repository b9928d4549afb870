"""The backup schedule uses an interval Azure Backup for AKS does not support.

## What it checks
Every repeating interval of an AKS backup policy (Terraform `backup_repeating_time_intervals`,
ARM/Bicep `policyRules[].trigger.schedule.repeatingTimeIntervals`), in ISO 8601 form
`R/<start>/<duration>`. The duration must be `PT4H`, `PT6H`, `PT8H`, `PT12H` or `P1D` (`PT24H`
is accepted as `P1D`). Policies of other datasources (an hourly disk policy in the same vault)
are not AKS backup policies and are not checked. The finding points at the offending interval.

## Why it matters
Nothing in Terraform validates the interval (its own documentation example uses `P1W`); the
service rejects the policy, or the schedule never runs as intended.

## Azure documentation
"The minimum supported backup frequency in Azure Backup for AKS is every 4 hours, with
additional options for 6, 8, 12, and 24-hour intervals." (support matrix, 06/10/2025 revision)

## Example
```hcl
resource "azurerm_data_protection_backup_policy_kubernetes_cluster" "policy" {
  backup_repeating_time_intervals = ["R/2024-01-01T02:30:00+00:00/PT2H"]
}
```
Use instead:
```hcl
resource "azurerm_data_protection_backup_policy_kubernetes_cluster" "policy" {
  backup_repeating_time_intervals = ["R/2024-01-01T02:30:00+00:00/PT4H"]
}
```

## Unknown values
An interval built from a variable without default is unknown and not checked.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import aks_policies
from linter.facts.compare import text
from linter.facts.fixes import nearest_interval
from linter.model import Finding, Severity, items
from linter.rules import Citation, rule

ALLOWED = {"PT4H", "PT6H", "PT8H", "PT12H", "P1D", "PT24H"}


def duration(interval: str) -> str | None:
    """The duration part of ``R/<start>/<duration>``, or None when the text has another shape."""
    parts = interval.strip().split("/")
    if len(parts) == 3 and parts[0].upper().startswith("R"):
        return parts[2].upper()
    return None


@rule(
    id="AKSB401",
    slug="backup-frequency-unsupported",
    severity=Severity.ERROR,
    languages=("terraform", "arm", "bicep"),
    summary="a backup schedule interval other than PT4H, PT6H, PT8H, PT12H, P1D",
    kinds=(kinds.BACKUP_POLICY,),
    cite=Citation(
        "The minimum supported backup frequency in Azure Backup for AKS is every 4 hours, with additional options for 6, 8, 12, and 24-hour intervals."
    ),
    tags=("schedule",),
)
def backup_frequency_unsupported(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    for policy in aks_policies(graph):
        for element in items(policy.attr("repeating_intervals")):
            value = text(element)
            if value is None:
                yield from ctx.unresolved(policy, element, "repeating_intervals")
                continue
            found = duration(value)
            if found in ALLOWED:
                continue
            detail = f"interval {found}" if found else "a value that is not an ISO 8601 repeating interval"
            yield ctx.finding(
                policy,
                f'backup schedule "{value}" of policy {policy.address} uses {detail}; supported are '
                "PT4H, PT6H, PT8H, PT12H and P1D",
                attribute="repeating_intervals",
                value=element,
                fix=nearest_interval(element, ALLOWED),
                properties={"interval": value},
            )
