"""A statically provisioned disk volume has no storage class.

## What it checks
Persistent volumes that you create yourself for an existing Azure disk
(`spec.csi.driver: disk.csi.azure.com`) and that have no `spec.storageClassName` (or an empty
one). In Terraform, `kubernetes_persistent_volume` (and `_v1`, and `kubernetes_manifest`) are
read the same way. The finding points at `storageClassName` when it is empty, else at the
object's `kind` line.

## Why it matters
Backup finds the snapshot settings of a volume through its storage class. A static volume
without one is skipped silently: the backup succeeds but holds no data for it.

## Azure documentation
"Both dynamically and statically provisioned volumes are supported; however, for static
volumes, the storage class must be explicitly defined in the YAML specification—otherwise, the
volume will be skipped during backup." (support matrix, 06/10/2025 revision)

## Example
```yaml
apiVersion: v1
kind: PersistentVolume
metadata:
  name: legacy-data
spec:
  capacity: {storage: 64Gi}
  accessModes: [ReadWriteOnce]
  csi: {driver: disk.csi.azure.com, volumeHandle: /subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/disks/legacy-data}
```
Use instead:
```yaml
apiVersion: v1
kind: PersistentVolume
metadata:
  name: legacy-data
spec:
  storageClassName: managed-csi
  capacity: {storage: 64Gi}
  accessModes: [ReadWriteOnce]
  csi: {driver: disk.csi.azure.com, volumeHandle: /subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/disks/legacy-data}
```

## Unknown values
A volume whose driver or storage class name cannot be resolved is not reported.

## Known limitations
Only Azure Disk CSI volumes are checked; in-tree and Azure Files volumes are reported by
AKSB501 and AKSB503. The legacy `volume.beta.kubernetes.io/storage-class` annotation counts as
a storage class.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.fixes import static_volume_class
from linter.facts.storage_classes import DISK_CSI
from linter.model import ABSENT, Finding, Known, Severity
from linter.rules import Citation, rule


@rule(
    id="AKSB504",
    slug="static-pv-no-storage-class",
    severity=Severity.WARNING,
    summary="statically provisioned PV without storageClassName; backup skips it",
    kinds=(kinds.PERSISTENT_VOLUME,),
    languages=("kubernetes", "terraform"),
    cite=Citation(
        "Both dynamically and statically provisioned volumes are supported; however, for static volumes, "
        "the storage class must be explicitly defined in the YAML specification—otherwise, the volume "
        "will be skipped during backup."
    ),
    tags=("volumes",),
)
def static_pv_no_storage_class(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    for pv in graph.of_kind(kinds.PERSISTENT_VOLUME):
        driver = pv.attr("csi_driver")
        if not (isinstance(driver, Known) and driver.value == DISK_CSI):
            continue
        name = pv.attr("storage_class_name")
        yield from ctx.unresolved(pv, name, "storage_class_name")
        if name is ABSENT:
            yield ctx.finding(
                pv,
                f"static disk volume {pv.address} sets no storageClassName; backup skips it",
                fix=static_volume_class(graph, pv),
            )
        elif isinstance(name, Known) and name.value == "":
            yield ctx.finding(
                pv,
                f'static disk volume {pv.address} has an empty storageClassName (""); backup skips it',
                attribute="storage_class_name",
                fix=static_volume_class(graph, pv),
            )
