"""Fixes a rule may attach to a finding: literal edits, built only where they are safe.

A fix is offered only when the wrong value is a literal written where the finding points: a
value that travelled through a variable, parameter, local or module argument (``via``) is never
edited, because the same variable may feed other resources and the right change is the
caller's to choose. Rules describe the edit (``Edit.kind``); ``linter.fixes`` checks it against
the file's text and turns it into an exact replacement, or drops it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from linter import kinds
from linter.facts.compare import text
from linter.facts.provider_versions import ProviderVersions
from linter.facts.storage_classes import DEFAULT_CLASS, default_class
from linter.graph import Resource, ResourceGraph
from linter.model import ABSENT, Edit, Fix, Known, Span, Value


def literal(value: Value) -> Known | None:
    """``value`` when it is a string written in place (known, with a span, through no variable)."""
    if isinstance(value, Known) and isinstance(value.value, str) and value.span is not None and not value.via:
        return value
    return None


def replace_value(value: Value, new: str, description: str) -> Fix | None:
    """Write ``new`` where the literal ``value`` is written."""
    found = literal(value)
    if found is None or found.value == new:
        return None
    assert found.span is not None
    return Fix(description, (Edit(found.span, new, kind="value", old=found.value),))


def replace_written(span: Span | None, old: str, new: str, description: str) -> Fix | None:
    """Write ``new`` over the literal ``old`` at ``span``: for values that are literals by the
    language's own rules (Terraform ``required_providers`` versions cannot use variables)."""
    if span is None or old == new:
        return None
    return Fix(description, (Edit(span, new, kind="value", old=old),))


def remove_item(container: Value, element: Value, keep: Iterable[Value], description: str) -> Fix | None:
    """Remove ``element`` from the literal list ``container``, when ``keep`` is not empty.

    A list that would become empty is left alone: an empty included-namespace list means "all
    namespaces", which is a different backup, not a smaller one.
    """
    found = literal(element)
    if found is None or not isinstance(container, Known) or container.via or not any(True for _ in keep):
        return None
    assert found.span is not None
    return Fix(description, (Edit(found.span, "", kind="remove-item", old=found.value),))


def add_key(resource: Resource, key: str, value: str, description: str) -> Fix | None:
    """Add ``key: value`` to a Kubernetes YAML object (``key`` dotted below the document root)."""
    if resource.language != "kubernetes" or not resource.span.file.endswith((".yaml", ".yml")):
        return None
    return Fix(description, (Edit(resource.span, value, kind="add-key", key=key),))


# --- the fixes of particular rules ---------------------------------------------------------------

#: storage account kinds Azure upgrades to StorageV2 in place (azurerm updates them without
#: replacing the account); BlockBlobStorage and FileStorage accounts cannot become StorageV2
UPGRADABLE_KINDS = ("storage", "blobstorage")
#: the azurerm constraint that admits neither a version before 3.99.0 (AKSB001) nor one whose
#: trusted-access binding calls the retired preview API (AKSB002)
AZURERM_CONSTRAINT = ">= 4.21.0"
_DURATION = re.compile(
    r"P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?\Z"
)
_HOURS = {"PT4H": 4, "PT6H": 6, "PT8H": 8, "PT12H": 12, "P1D": 24, "PT24H": 24}


def upgrade_storage_kind(kind: Value) -> Fix | None:
    """``Storage`` / ``BlobStorage`` -> ``StorageV2`` (an in-place upgrade, no new account)."""
    found = literal(kind)
    if found is None or found.value.lower() not in UPGRADABLE_KINDS:
        return None
    return replace_value(found, "StorageV2", 'upgrade the storage account kind to "StorageV2"')


def hours(duration: str) -> float | None:
    """An ISO 8601 duration (``PT2H``, ``P1W``, ``PT30M``) in hours, or None."""
    m = _DURATION.match(duration.strip().upper())
    if m is None or duration.strip().upper() in ("P", "PT"):
        return None
    parts = {k: int(v) for k, v in m.groupdict().items() if v}
    return (
        parts.get("w", 0) * 168
        + parts.get("d", 0) * 24
        + parts.get("h", 0)
        + parts.get("m", 0) / 60
        + parts.get("s", 0) / 3600
    )


def nearest_interval(element: Value, allowed: Iterable[str]) -> Fix | None:
    """``R/<start>/PT2H`` -> ``R/<start>/PT4H``: the supported duration nearest to the one written
    (the more frequent one on a tie), the start kept."""
    found = literal(element)
    if found is None:
        return None
    parts = found.value.strip().split("/")
    if len(parts) != 3 or not parts[0].upper().startswith("R"):
        return None
    wanted = hours(parts[2])
    choices = sorted({d for d in allowed if d in _HOURS and d != "PT24H"}, key=lambda d: _HOURS[d])
    if wanted is None or not choices:
        return None
    best = min(choices, key=lambda d: (abs(_HOURS[d] - wanted), _HOURS[d]))
    new = "/".join([parts[0], parts[1], best])
    return replace_value(found, new, f"back up every {best} instead of {parts[2]}")


def remove_namespace(included: Value, element: Value, system: Iterable[str]) -> Fix | None:
    """Drop a system namespace from the included list, when other namespaces remain."""
    skipped = {s.lower() for s in system}
    keep = [
        e
        for e in (included.value if isinstance(included, Known) and isinstance(included.value, list) else [])
        if not (isinstance(e, Known) and isinstance(e.value, str) and e.value.strip().lower() in skipped)
    ]
    name = element.value if isinstance(element, Known) else ""
    return remove_item(included, element, keep, f'remove "{name}" from the included namespaces')


def raise_azurerm(pv: ProviderVersions) -> Fix | None:
    """The one azurerm constraint of a stack raised to ``>= 4.21.0`` (none with a lock file, which
    ``terraform init -upgrade`` must change, or with several constraints, which must agree)."""
    if pv.locked is not None or len(pv.constraints) != 1:
        return None
    constraint, span = pv.constraints[0]
    return replace_written(span, constraint, AZURERM_CONSTRAINT, f'require azurerm "{AZURERM_CONSTRAINT}"')


def csi_provisioner(provisioner: Value, csi: str) -> Fix | None:
    """An in-tree provisioner -> its CSI driver (``kubernetes.io/azure-disk`` -> ``disk.csi.azure.com``)."""
    return replace_value(provisioner, csi, f'use the CSI provisioner "{csi}"')


def static_volume_class(graph: ResourceGraph, pv: Resource) -> Fix | None:
    """``storageClassName`` for a static disk volume that has none.

    A claim binds a volume only when their classes are equal, so the class is the one the
    volume's claims use (a claim that names none gets the cluster default); with no claim in the
    scan it is AKS's built-in ``managed-csi``. No fix when a claim says ``""`` (it would no longer
    bind) or the claims disagree.
    """
    name = text(pv.attr("name"))
    if name is None:
        return None
    classes: set[str] = set()
    for claim in graph.of_kind(kinds.PERSISTENT_VOLUME_CLAIM):
        if text(claim.attr("volume_name")) != name:
            continue
        wanted = claim.attr("storage_class_name")
        if wanted is ABSENT:
            info = default_class(graph, claim)
            chosen = info.name if info is not None else None
        else:
            chosen = text(wanted) or None
        if chosen is None:
            return None
        classes.add(chosen)
    if len(classes) > 1:
        return None
    chosen = next(iter(classes)) if classes else DEFAULT_CLASS
    description = f'set storageClassName to "{chosen}"'
    current = pv.attr("storage_class_name")
    if current is ABSENT:
        return add_key(pv, "spec.storageClassName", chosen, description)
    return replace_value(current, chosen, description)
