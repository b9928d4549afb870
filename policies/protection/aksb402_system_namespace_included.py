"""A backup instance includes a system namespace that backups skip.

## What it checks
The included namespaces of every backup instance (Terraform
`backup_datasource_parameters.included_namespaces`, ARM/Bicep
`backupDatasourceParametersList[].includedNamespaces`). `kube-system`, `kube-node-lease` and
`kube-public` cannot be configured for backup. Listing them as *excluded* is fine.

## Why it matters
The namespace is silently left out of every backup: the team believes it is protected and finds
out at restore time. The deployment itself succeeds and the other namespaces are backed up, so
this is a `warning` (data silently skipped), not an `error` (the catalogue's definitions).

## Azure documentation
"The following namespaces are skipped from Backup Configuration and cannot be configured for
backups" (support matrix, 06/10/2025 revision): `kube-system`, `kube-node-lease`, `kube-public`.

## Example
```hcl
backup_datasource_parameters {
  included_namespaces = ["app", "kube-system"]
}
```
Use instead:
```hcl
backup_datasource_parameters {
  included_namespaces = ["app"]
}
```

## Unknown values
An element that cannot be resolved is not checked.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.compare import text
from linter.facts.fixes import remove_namespace
from linter.model import Finding, Severity, items
from linter.rules import Citation, rule

SYSTEM_NAMESPACES = ("kube-system", "kube-node-lease", "kube-public")


@rule(
    id="AKSB402",
    slug="system-namespace-included",
    severity=Severity.WARNING,
    languages=("terraform", "arm", "bicep"),
    summary="kube-system, kube-node-lease or kube-public in the included namespaces of a backup instance",
    kinds=(kinds.BACKUP_INSTANCE,),
    cite=Citation(
        "The following namespaces are skipped from Backup Configuration and cannot be configured for backups"
    ),
    tags=("namespaces",),
)
def system_namespace_included(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    for instance in graph.of_kind(kinds.BACKUP_INSTANCE):
        for element in items(instance.attr("included_namespaces")):
            name = text(element)
            if name is not None and name.strip().lower() in SYSTEM_NAMESPACES:
                yield ctx.finding(
                    instance,
                    f'backup instance {instance.address} includes namespace "{name}", which Azure Backup '
                    "for AKS always skips",
                    attribute="included_namespaces",
                    value=element,
                    fix=remove_namespace(instance.attr("included_namespaces"), element, SYSTEM_NAMESPACES),
                    properties={"namespace": name.strip().lower()},
                )
