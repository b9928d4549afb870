"""A resource carries a label or annotation with a velero.io prefix.

## What it checks
Labels and annotations (and the pod-template labels and annotations of workloads) whose key
has the DNS prefix `velero.io` or a subdomain of it (`velero.io/exclude-from-backup`,
`backup.velero.io/backup-volumes`, `pre.hook.backup.velero.io/command` ...), on your own
resources. Objects of a Velero installation (namespace `velero`, `velero.io` API objects and
CRDs, objects labelled as Velero) and of the backup extension (`dataprotection-microsoft`) are
not checked. One finding per key.

## Why it matters
The backup extension is Velero-based and interprets these keys itself: an annotation written for
a self-managed Velero can exclude data from backups or run hooks you did not intend.

## Azure documentation
"Additionally, ensure that your Kubernetes resources do not use labels or annotations containing
the prefix" `velero.io`, "unless explicitly required by a supported scenario. The presence of
such metadata may lead to unexpected behavior." (support matrix, 06/10/2025 revision)

## Example
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template: {metadata: {annotations: {backup.velero.io/backup-volumes: data}}}
```
Use instead:
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template: {metadata: {annotations: {example.com/owner: web-team}}}
```

## Unknown values
Labels or annotations that cannot be resolved (a Helm template expression, a Terraform variable)
are not reported.

## Known limitations
The article allows these keys when "explicitly required by a supported scenario" without listing
the scenarios; suppress the finding with a reason where that applies. Keys that merely contain
`velero` elsewhere (`example.com/velero`) are not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.velero import is_velero_key, is_velero_own, metadata_entries
from linter.model import Finding, Severity
from linter.rules import Citation, rule

_KINDS = (
    kinds.STORAGE_CLASS,
    kinds.PERSISTENT_VOLUME,
    kinds.PERSISTENT_VOLUME_CLAIM,
    kinds.NAMESPACE,
    kinds.K8S_OBJECT,
)
_WHAT = {
    "labels": "label",
    "annotations": "annotation",
    "template_labels": "pod template label",
    "template_annotations": "pod template annotation",
}


@rule(
    id="AKSB602",
    slug="velero-metadata",
    severity=Severity.WARNING,
    summary="labels or annotations with a velero.io prefix on user resources",
    kinds=_KINDS,
    languages=("kubernetes", "terraform"),
    cite=Citation(
        "Additionally, ensure that your Kubernetes resources do not use labels or annotations containing "
        "the prefix"
    ),
    tags=("velero",),
)
def velero_metadata(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    for resource in graph.of_kind(*_KINDS):
        if is_velero_own(resource):
            continue
        for attr, key, value in metadata_entries(resource, *_WHAT):
            if is_velero_key(key):
                yield ctx.finding(
                    resource,
                    f'{resource.address} has the {_WHAT[attr]} "{key}"; the AKS backup extension is '
                    "Velero-based and may act on velero.io metadata",
                    attribute=f"{attr}.{key}",
                    span=getattr(value, "span", None),
                )
