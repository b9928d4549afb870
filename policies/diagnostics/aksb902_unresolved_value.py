"""A rule could not decide because a value is unknown.

## What it checks
With `--unknown note`, a note for every check a rule could not decide because a value is only known at deploy time (a variable without default, a data source, `reference()`); the message names the expression.

## Why it matters
The linter's own diagnostics keep its promises visible: nothing is silently ignored, and a value
that cannot be resolved is reported only when asked, never as a violation.

## Azure documentation
This is the linter's own diagnostic; it enforces no support-matrix sentence.

## Example
```hcl
variable "location" {}
resource "azurerm_data_protection_backup_vault" "v" {
  location = var.location
}
```
Use instead:
```hcl
variable "location" {
  default = "westeurope"
}
```

## Unknown values
Not applicable: this diagnostic is produced by the engine, not by a support-matrix check.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter.model import Finding, Severity
from linter.rules import LANGUAGES, rule


@rule(
    id="AKSB902",
    slug="unresolved-value",
    severity=Severity.NOTE,
    languages=LANGUAGES,
    diagnostic=True,
    summary="only with --unknown note: a rule could not decide because a value is unknown; names the expression",
    kinds=(),
    cite=None,
)
def unresolved_value(graph: object, ctx: object) -> Iterator[Finding]:
    """Produced by the engine; this module carries the diagnostic's metadata."""
    return iter(())
