"""A suppression is invalid, expired or unused.

## What it checks
A suppression comment or annotation that names an unknown rule ID, gives no reason, has passed its `until=` date (it then stops working), or, with `--report-unused-suppressions`, suppresses nothing.

## Why it matters
The linter's own diagnostics keep its promises visible: nothing is silently ignored, and a value
that cannot be resolved is reported only when asked, never as a violation.

## Azure documentation
This is the linter's own diagnostic; it enforces no support-matrix sentence.

## Example
```hcl
# aks-backup-lint: ignore[AKSB102]
resource "azurerm_storage_account" "backup" {
```
Use instead:
```hcl
# aks-backup-lint: ignore[AKSB102] replicated to the cluster region by policy X until=2027-01-31
resource "azurerm_storage_account" "backup" {
```

## Unknown values
Not applicable: this diagnostic is produced by the engine, not by a support-matrix check.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter.model import Finding, Severity
from linter.rules import LANGUAGES, rule


@rule(
    id="AKSB901",
    slug="invalid-suppression",
    severity=Severity.WARNING,
    languages=LANGUAGES,
    diagnostic=True,
    suppressible=False,
    summary="a suppression names an unknown ID, lacks a reason, has expired, or (when asked) suppresses nothing",
    kinds=(),
    cite=None,
)
def invalid_suppression(graph: object, ctx: object) -> Iterator[Finding]:
    """Produced by the engine; this module carries the diagnostic's metadata."""
    return iter(())
