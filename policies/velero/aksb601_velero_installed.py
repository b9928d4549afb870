"""Velero is installed alongside the AKS backup extension.

## What it checks
Signs of a Velero installation in Kubernetes manifests, Helm charts and Terraform: a Helm
release or chart dependency of the `velero` chart (`Chart.yaml`, Terraform `helm_release`, a Flux
`HelmRelease`, an Argo CD `Application`), a
`velero` namespace, Deployments/DaemonSets/Pods labelled `component: velero` (what
`velero install` writes) or `app.kubernetes.io/name: velero` (the Helm chart) or running in the
`velero` namespace, and objects of the
`velero.io` API group (`Backup`, `Schedule`, `BackupStorageLocation` ...). One finding per
installation (per namespace), at its first sign. The severity is `error` when the same
configuration also installs the backup extension on that cluster, else `warning`.

## Why it matters
The backup extension is Velero-based and shares Velero's CRDs; a second Velero in the cluster
reconciles the same objects and breaks backups and restores.

## Azure documentation
"Do not install the AKS Backup Extension alongside Velero or any Velero-based backup solutions,
as this can cause conflicts during backup and restore operations." (support matrix, 06/10/2025
revision)

## Example
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: velero
```
Use instead:
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: backup-tools
```

## Unknown values
Objects whose namespace, chart name or labels cannot be resolved are not reported. The
`velero.io` CRD definitions themselves are not a sign of Velero (the backup extension installs
them too), and everything in `dataprotection-microsoft` (the extension's own namespace) is
ignored.

## Known limitations
Helm templates are not rendered; a chart that vendors Velero under another name is not
recognised.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.kubernetes import backup_extension_for
from linter.facts.velero import marker
from linter.model import Finding, RelatedLocation, Severity
from linter.rules import Citation, rule

_KINDS = (kinds.HELM_RELEASE, kinds.NAMESPACE, kinds.K8S_OBJECT)


@rule(
    id="AKSB601",
    slug="velero-installed",
    severity=Severity.WARNING,
    severities=(Severity.WARNING, Severity.ERROR),
    summary="Velero installed alongside the backup extension (error when this configuration installs both)",
    kinds=_KINDS,
    languages=("kubernetes", "terraform"),
    cite=Citation(
        "Do not install the AKS Backup Extension alongside Velero or any Velero-based backup solutions, "
        "as this can cause conflicts during backup and restore operations."
    ),
    tags=("velero",),
)
def velero_installed(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    groups: dict[tuple[object, ...], list] = {}
    for resource in graph.of_kind(*_KINDS):
        found = marker(resource)
        if found is None:
            continue
        clusters = tuple(sorted(id(c) for c in graph.related(resource, "cluster")))
        groups.setdefault((clusters, found.namespace), []).append(found)
    for markers in groups.values():
        markers.sort(key=lambda m: (m.resource.span_of(m.attribute), m.resource.address))
        first = markers[0]
        others = len(markers) - 1
        more = f" (and {others} more Velero object{'s' if others > 1 else ''})" if others else ""
        extension = backup_extension_for(graph, first.resource)
        if extension is not None:
            message = (
                f"Velero is installed: {first.description}{more}, and this configuration also installs "
                f"the AKS backup extension ({extension.address}) on the same cluster; remove Velero"
            )
            severity = Severity.ERROR
            related = (RelatedLocation(extension.span, "the AKS backup extension"),)
        else:
            message = (
                f"Velero is installed: {first.description}{more}; do not run Velero alongside the "
                "AKS backup extension"
            )
            severity, related = None, ()
        related = related + tuple(
            RelatedLocation(m.resource.span_of(m.attribute), "another sign of the same Velero install")
            for m in markers[1:6]
        )
        yield ctx.finding(
            first.resource, message, attribute=first.attribute, severity=severity, related=related
        )
