"""A disk volume is larger than the vault tier accepts.

## What it checks
When the cluster is protected by a backup instance whose policy uses the vault tier
(`VaultStore`), every Azure Disk claim (`spec.resources.requests.storage`, StatefulSet
`volumeClaimTemplates` included) and static disk volume (`spec.capacity.storage`) larger than
1 TiB. Sizes are read with the Kubernetes quantity grammar (`Ti`, `Gi`, `T`, `G` ...). The claim's
storage class is resolved (named, declared default, or AKS's `managed-csi`); only Azure Disk CSI
classes count. The finding points at the size.

## Why it matters
Such disks are left out of the copy to the vault tier: their data exists only in the
operational tier (snapshots in your subscription), not offsite as the policy intends.

## Azure documentation
"Currently, Azure Disks with Persistent Volumes of size <= 1 TB are eligible to be moved to the
Vault Tier; disks with the higher size are skipped in the backup data moved to the Vault Tier."
(support matrix, 06/10/2025 revision)

## Example
```yaml
# the cluster's backup policy copies recovery points to the vault store
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: warehouse
spec:
  storageClassName: managed-csi-premium
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 2Ti}}
```
Use instead:
```yaml
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: warehouse
spec:
  storageClassName: managed-csi-premium
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Ti}}
```

## Unknown values
Silent when the size, the storage class or the cluster's backup policy cannot be resolved, and
when the Kubernetes objects cannot be tied to one cluster (several clusters and no
`cluster_mapping`).

## Options
`max_disk_bytes` (integer, default 1099511627776 = 1 TiB): the largest size accepted. The
article says "1 TB"; Azure disk sizes are powers of two (P30 = 1024 GiB), so 1 TiB is used.

## Known limitations
Only the vault-tier copy is affected; operational-tier snapshots still include the disk.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.kubernetes import vault_tier_instance_for
from linter.facts.storage_classes import is_disk_volume
from linter.model import Finding, Known, RelatedLocation, Severity, Unknown
from linter.quantity import TIB, format_bytes
from linter.rules import Citation, rule


@rule(
    id="AKSB505",
    slug="disk-too-large-for-vault-tier",
    severity=Severity.WARNING,
    options={"max_disk_bytes": TIB},
    summary="disk PV/PVC larger than 1 TiB while a vault-tier policy protects the cluster",
    kinds=(
        kinds.PERSISTENT_VOLUME,
        kinds.PERSISTENT_VOLUME_CLAIM,
        kinds.BACKUP_INSTANCE,
        kinds.BACKUP_POLICY,
    ),
    languages=("kubernetes", "terraform"),
    cite=Citation(
        "Currently, Azure Disks with Persistent Volumes of size <= 1 TB are eligible to be moved to the "
        "Vault Tier; disks with the higher size are skipped in the backup data moved to the Vault Tier."
    ),
    tags=("volumes", "vault-tier"),
)
def disk_too_large_for_vault_tier(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    limit = ctx.option("max_disk_bytes")
    for volume in graph.of_kind(kinds.PERSISTENT_VOLUME_CLAIM, kinds.PERSISTENT_VOLUME):
        attr = "request_bytes" if volume.kind == kinds.PERSISTENT_VOLUME_CLAIM else "capacity_bytes"
        size = volume.attr(attr)
        if isinstance(size, Unknown) and vault_tier_instance_for(graph, volume) is not None:
            yield from ctx.unresolved(volume, size, attr)
        if not (isinstance(size, Known) and isinstance(size.value, int)):
            continue
        if size.value <= limit or not is_disk_volume(graph, volume):
            continue
        instance = vault_tier_instance_for(graph, volume)
        if instance is None:
            continue
        yield ctx.finding(
            volume,
            f"disk {volume.address} is {format_bytes(size.value)}, over the {format_bytes(limit)} the vault "
            f"tier accepts; backup instance {instance.address} copies to the vault tier and will skip it",
            attribute=attr,
            related=(RelatedLocation(instance.span, "the vault-tier backup instance"),),
        )
