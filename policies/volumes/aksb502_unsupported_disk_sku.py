"""A disk storage class or volume uses Premium SSD v2 or Ultra Disk.

## What it checks
Azure Disk CSI storage classes (`provisioner: disk.csi.azure.com`) whose `skuName` or
`storageAccountType` parameter (names are case-insensitive) is a SKU the selected matrix
revision does not support (06/2025: `PremiumV2_LRS`, `UltraSSD_LRS`); static CSI disk volumes
whose `volumeAttributes` carry such a SKU; and claims or volumes that name AKS's built-in
`managed-csi-premium-v2` class without declaring it. The finding points at the SKU parameter
or at `storageClassName`.

## Why it matters
Volumes on these SKUs are skipped by backup: the backup succeeds but holds no data for them.

## Azure documentation
"Azure Backup for AKS does not support the following Azure Disk SKUs: Premium SSD v2 and Ultra
Disks." (support matrix, 06/10/2025 revision)

## Example
```yaml
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast-disk
provisioner: disk.csi.azure.com
parameters:
  skuName: PremiumV2_LRS
```
Use instead:
```yaml
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast-disk
provisioner: disk.csi.azure.com
parameters:
  skuName: Premium_LRS
```

## Unknown values
A SKU or class name that cannot be resolved is not reported. A class without a SKU parameter
gets the driver default (`StandardSSD_LRS`), which is supported. Azure Container Storage's
internal `acstor-*` classes are never reported.

## Known limitations
The 01/2026 revisions support both SKUs; select them with the matrix revision option.
SKU names in YAML comments are not values and are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.compare import text
from linter.facts.storage_classes import DISK_CSI, SKU_PARAMETERS, parameters, resolve_class
from linter.model import Finding, Severity
from linter.rules import Citation, MatrixRevision, rule


def revision_verdict(m: MatrixRevision) -> str:
    """What this rule decides under matrix revision ``m`` (shown by ``explain``)."""
    skus = sorted(m.data["unsupported_disk_skus"])
    return (
        f"skipped disk SKUs: {', '.join(skus)}"
        if skus
        else "Premium SSD v2 and Ultra disks are supported: not reported"
    )


@rule(
    id="AKSB502",
    slug="unsupported-disk-sku",
    severity=Severity.WARNING,
    revision_verdict=revision_verdict,
    summary="disk storage class or PV with Premium SSD v2 or Ultra Disk",
    kinds=(kinds.STORAGE_CLASS, kinds.PERSISTENT_VOLUME, kinds.PERSISTENT_VOLUME_CLAIM),
    languages=("kubernetes", "terraform"),
    cite=Citation(
        "Azure Backup for AKS does not support the following Azure Disk SKUs: Premium SSD v2 and Ultra Disks."
    ),
    tags=("volumes",),
)
def unsupported_disk_sku(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    skus = ctx.matrix.unsupported_disk_skus
    builtin_unsupported = {c.lower() for c in ctx.matrix.data.get("unsupported_storage_classes", [])}
    for sc in graph.of_kind(kinds.STORAGE_CLASS):
        name = text(sc.attr("name")) or ""
        if name.startswith("acstor-") or text(sc.attr("provisioner")) != DISK_CSI:
            continue
        params = parameters(sc)
        for key in SKU_PARAMETERS:
            value = params.get(key)
            if value is not None:
                yield from ctx.unresolved(sc, value, f"parameters.{key}")
            sku = text(value)
            if sku is not None and sku.lower() in skus:
                yield ctx.finding(
                    sc,
                    f'storage class {sc.address} provisions "{sku}" disks; backup skips Premium SSD v2 '
                    "and Ultra Disk volumes",
                    attribute=f"parameters.{key}",
                    span=getattr(value, "span", None),
                )
                break
    for pv in graph.of_kind(kinds.PERSISTENT_VOLUME):
        if text(pv.attr("csi_driver")) != DISK_CSI:
            continue
        attrs = parameters(pv, "volume_attributes")
        reported = False
        for key in SKU_PARAMETERS:
            value = attrs.get(key)
            sku = text(value)
            if sku is not None and sku.lower() in skus:
                reported = True
                yield ctx.finding(
                    pv,
                    f'persistent volume {pv.address} is a disk of SKU "{sku}"; backup skips Premium SSD v2 and '
                    "Ultra Disk volumes",
                    attribute=f"volume_attributes.{key}",
                    span=getattr(value, "span", None),
                )
                break
        if not reported:
            yield from _builtin(graph, ctx, pv, builtin_unsupported)
    for pvc in graph.of_kind(kinds.PERSISTENT_VOLUME_CLAIM):
        yield from _builtin(graph, ctx, pvc, builtin_unsupported)


def _builtin(graph, ctx, volume, unsupported: set[str]) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    """A claim or volume that names an unsupported AKS built-in class it does not declare."""
    info = resolve_class(graph, volume)
    if info is None or not info.builtin or info.via_default or info.name.lower() not in unsupported:
        return
    sku = text(info.parameter(*SKU_PARAMETERS)) or "?"
    yield ctx.finding(
        volume,
        f'{volume.address} uses the built-in class "{info.name}" ({sku} disks); backup skips Premium '
        "SSD v2 and Ultra Disk volumes",
        attribute="storage_class_name",
    )
