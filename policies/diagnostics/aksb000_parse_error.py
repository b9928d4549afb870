"""A file that looks like infrastructure code cannot be parsed.

## What it checks
A Terraform, Bicep, ARM template or Kubernetes manifest file that the linter recognises by its
name or content but cannot parse: a syntax error, invalid JSON, invalid YAML, a binary or
non-UTF-8 file, or a file over the size limit. The finding points at the line and column the
parser reports; every other file is still checked.

Bicep text whose braces, brackets and strings balance but that the linter's parser does not know
may be newer Bicep than the linter: that finding is a `note` (with a tool notification), so it
never fails the run; a real syntax error stays an `error`.

## Why it matters
A file that cannot be read cannot be checked: every support-matrix rule is silent for it, so a
clean run would be misleading. Deployment tools reject the same file later, with less context.

## Azure documentation
This is the linter's own diagnostic; it enforces no support-matrix sentence.

## Example
```hcl
resource "azurerm_kubernetes_cluster" "aks" {
  name = "aks-prod"
```
Use instead:
```hcl
resource "azurerm_kubernetes_cluster" "aks" {
  name = "aks-prod"
}
```

## Unknown values
Not applicable: the finding is about the file itself.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter.model import Finding, Severity
from linter.rules import LANGUAGES, rule


@rule(
    id="AKSB000",
    slug="parse-error",
    severity=Severity.ERROR,
    severities=(Severity.ERROR, Severity.NOTE),
    languages=LANGUAGES,
    diagnostic=True,
    summary="a file that looks like IaC cannot be parsed; the run continues with the other files",
    kinds=(),
    cite=None,
)
def parse_error(graph: object, ctx: object) -> Iterator[Finding]:
    """Parse errors are produced by the front ends; this module carries the rule's metadata."""
    return iter(())
