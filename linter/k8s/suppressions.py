"""Suppressions written as a Kubernetes annotation: ``aks-backup-lint.io/ignore: "AKSB502 reason"``.

Comments work in YAML too (``linter.suppress`` reads them from the file); the annotation travels
with the object (through kustomize, ``kubectl get -o yaml`` and JSON manifests, which have no
comments). It covers the whole object. The value is rule IDs or slugs, comma-separated, then the
reason, optionally ``until=YYYY-MM-DD``; ``linter.suppress`` validates it (AKSB901).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from linter.frontend import InlineSuppression
from linter.graph import Resource
from linter.model import Known

ANNOTATION = "aks-backup-lint.io/ignore"
_VALUE = re.compile(r"^\s*(?P<ids>[A-Za-z0-9-]+(?:\s*,\s*[A-Za-z0-9-]+)*)(?P<rest>.*)$", re.S)


def from_annotations(resources: Iterable[Resource]) -> list[InlineSuppression]:
    out = []
    for res in resources:
        annotations = res.attr("annotations")
        if not (isinstance(annotations, Known) and isinstance(annotations.value, dict)):
            continue
        for key, value in annotations.value.items():
            if key.lower() != ANNOTATION or not isinstance(value, Known) or not isinstance(value.value, str):
                continue
            span = value.span or res.span
            m = _VALUE.match(value.value)
            ids = tuple(i.strip() for i in m.group("ids").split(",")) if m else ()
            reason = m.group("rest").strip() if m else value.value
            out.append(InlineSuppression(span, ids, reason, scope="resource", address=res.address))
    return out
