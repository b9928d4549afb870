"""A statically provisioned disk volume names a storage class that nothing defines.

## What it checks
Persistent volumes that you create yourself for an existing Azure disk
(`spec.csi.driver: disk.csi.azure.com`) whose `spec.storageClassName` names a class that no
scanned manifest defines (for the same cluster) and that is not one of AKS's built-in classes
(`managed-csi`, `managed-csi-premium`, `default`, `managed`, `managed-premium` ...). In
Terraform, `kubernetes_persistent_volume` (and `_v1`, and `kubernetes_manifest`) are read the same
way. The finding points at `storageClassName`.

## Why it matters
The support matrix asks for the storage class of a static volume to be explicitly defined:
backup reads the snapshot settings of a volume from its class. A name that matches no class may
be a typo or a class deployed from elsewhere; if the class does not exist in the cluster the
volume is skipped like one without a class (AKSB504). This is a note because the class may well
be defined outside the scanned files.

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
  storageClassName: premium-retian   # a typo: no class has this name
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
  storageClassName: managed-csi-premium
  capacity: {storage: 64Gi}
  accessModes: [ReadWriteOnce]
  csi: {driver: disk.csi.azure.com, volumeHandle: /subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/disks/legacy-data}
```

## Unknown values
A volume whose driver or class name cannot be resolved is not reported, nor is one whose
cluster has a storage class with an unresolved name (it might be this one).

## Known limitations
Classes created by Helm charts or operators outside the scanned files cannot be seen; suppress
the note or add the class's manifest to the scan. Azure Container Storage's `acstor-*` classes
are created by the extension and are not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.compare import text
from linter.facts.storage_classes import DISK_CSI, class_defined
from linter.model import Finding, Severity
from linter.rules import Citation, rule


@rule(
    id="AKSB508",
    slug="static-pv-class-undefined",
    severity=Severity.NOTE,
    summary="a static disk PV names a storage class that no scanned manifest defines and AKS does not build in",
    kinds=(kinds.PERSISTENT_VOLUME, kinds.STORAGE_CLASS),
    languages=("kubernetes", "terraform"),
    cite=Citation(
        "Both dynamically and statically provisioned volumes are supported; however, for static volumes, "
        "the storage class must be explicitly defined in the YAML specification—otherwise, the volume "
        "will be skipped during backup."
    ),
    tags=("volumes",),
)
def static_pv_class_undefined(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    for pv in graph.of_kind(kinds.PERSISTENT_VOLUME):
        if text(pv.attr("csi_driver")) != DISK_CSI:
            continue
        name = text(pv.attr("storage_class_name"))
        if not name or name.startswith("acstor-"):
            continue
        if class_defined(graph, pv) is False:
            yield ctx.finding(
                pv,
                f'static disk volume {pv.address} names storage class "{name}", which no scanned manifest '
                "defines and AKS does not create; define the class (or fix the name), or backup skips the "
                "volume if the class does not exist",
                attribute="storage_class_name",
            )
