"""A backup instance includes more namespaces than the limit.

## What it checks
The number of included namespaces of every backup instance, after `for` expressions and list
functions are evaluated. More than 800 fails.

## Why it matters
The service rejects a backup configuration over the limit; split the namespaces across
several backup instances.

## Azure documentation
"Number of namespaces per backup instance 800" (support matrix limits table, 06/10/2025
revision)

## Example
```hcl
backup_datasource_parameters {
  included_namespaces = [for i in range(900) : "tenant-${i}"]
}
```
Use instead:
```hcl
backup_datasource_parameters {
  included_namespaces = [for i in range(400) : "tenant-${i}"]
}
```

## Unknown values
A list whose length is unknown is not counted.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.model import Finding, Known, Severity
from linter.rules import Citation, rule

LIMIT = 800


@rule(
    id="AKSB403",
    slug="too-many-namespaces",
    severity=Severity.ERROR,
    languages=("terraform", "arm", "bicep"),
    summary="more than 800 included namespaces in one backup instance",
    kinds=(kinds.BACKUP_INSTANCE,),
    cite=Citation("Number of namespaces per backup instance 800"),
    tags=("limits", "namespaces"),
)
def too_many_namespaces(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    for instance in graph.of_kind(kinds.BACKUP_INSTANCE):
        value = instance.attr("included_namespaces")
        if isinstance(value, Known) and isinstance(value.value, list) and len(value.value) > LIMIT:
            yield ctx.finding(
                instance,
                f"backup instance {instance.address} includes {len(value.value)} namespaces; the limit is {LIMIT} "
                "per backup instance",
                attribute="included_namespaces",
            )
