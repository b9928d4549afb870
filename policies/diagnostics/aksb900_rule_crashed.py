"""A rule raised an exception on a resource.

## What it checks
A rule raised an exception while checking a resource. The run continues with every other rule and resource, the finding names the rule, and the exit code is 2 so that CI notices.

## Why it matters
The linter's own diagnostics keep its promises visible: nothing is silently ignored, and a value
that cannot be resolved is reported only when asked, never as a violation.

## Azure documentation
This is the linter's own diagnostic; it enforces no support-matrix sentence.

## Example
```hcl
# any input that triggers a bug in a rule
```
Use instead:
```hcl
# report the bug with the rule ID and a minimal input
```

## Unknown values
Not applicable: this diagnostic is produced by the engine, not by a support-matrix check.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter.model import Finding, Severity
from linter.rules import LANGUAGES, rule


@rule(
    id="AKSB900",
    slug="rule-crashed",
    severity=Severity.ERROR,
    languages=LANGUAGES,
    diagnostic=True,
    summary="a rule raised on a resource; the run continues; exit code 2",
    kinds=(),
    cite=None,
)
def rule_crashed(graph: object, ctx: object) -> Iterator[Finding]:
    """Produced by the engine; this module carries the diagnostic's metadata."""
    return iter(())
