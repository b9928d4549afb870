"""A disk storage class restricts network access while the vault tier is used.

## What it checks
When the cluster is protected by a backup instance whose policy uses the vault tier
(`VaultStore`), Azure Disk CSI storage classes whose parameters (names are case-insensitive)
restrict the disks' network access: `networkAccessPolicy` `DenyAll` or `AllowPrivate`,
`publicNetworkAccess` `Disabled`, or a `diskAccessID`. The finding points at the parameter.

## Why it matters
Moving a recovery point to the vault tier reads the disks over their public endpoint. If any
disk of the backup instance is not reachable from all networks, the tiering operation fails.

## Azure documentation
"Only Azure Disks with public access enabled from all networks are eligible to be moved to the
Vault Tier; if there are disks with network access apart from public access, tiering operation
fails." (support matrix, 06/10/2025 revision)

## Example
```yaml
# the cluster's backup policy copies recovery points to the vault store
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: private-disk
provisioner: disk.csi.azure.com
parameters:
  skuName: Premium_LRS
  networkAccessPolicy: DenyAll
```
Use instead:
```yaml
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: public-disk
provisioner: disk.csi.azure.com
parameters:
  skuName: Premium_LRS
  networkAccessPolicy: AllowAll
  publicNetworkAccess: Enabled
```

## Unknown values
Silent when a parameter or the cluster's backup policy cannot be resolved, and when the
Kubernetes objects cannot be tied to one cluster. Absent parameters are not reported by
default (see Options).

## Options
`require_explicit_public` (boolean, default false): also report disk classes that set neither
`networkAccessPolicy` nor `publicNetworkAccess`, and claims on AKS's built-in disk classes
(`managed-csi`, `managed-csi-premium`, `default`, `managed`, `managed-premium` ...), which set
neither. Azure Disk CSI driver v1.34.0 and later create disks with `DenyAll`/`Disabled` when the
class says nothing; older drivers use `AllowAll`/`Enabled`. Which driver an AKS version bundles
is UNVERIFIED (iac-mapping §4.2), so this is opt-in.

## Known limitations
Azure Container Storage's internal `acstor-*` classes are never reported. Static volumes take
their network settings from the existing disk, which is not visible in manifests.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.compare import text
from linter.facts.kubernetes import vault_tier_instance_for
from linter.facts.storage_classes import BUILTIN_CLASSES, DISK_CSI, parameters, resolve_class
from linter.model import Finding, RelatedLocation, Severity
from linter.rules import Citation, rule

#: parameter -> values (lower-cased) that take disks off the public network; "*" = any non-empty value
RESTRICTING = (
    ("networkaccesspolicy", {"denyall", "allowprivate"}),
    ("publicnetworkaccess", {"disabled"}),
    ("diskaccessid", {"*"}),
)
#: the driver documentation's spelling, for messages (keys are stored lower-cased)
SPELLING = {
    "networkaccesspolicy": "networkAccessPolicy",
    "publicnetworkaccess": "publicNetworkAccess",
    "diskaccessid": "diskAccessID",
}


@rule(
    id="AKSB506",
    slug="disk-not-public-for-vault-tier",
    severity=Severity.WARNING,
    options={"require_explicit_public": False},
    summary="disk storage class without public network access while a vault-tier policy protects the cluster",
    kinds=(kinds.STORAGE_CLASS, kinds.BACKUP_INSTANCE, kinds.BACKUP_POLICY),
    languages=("kubernetes", "terraform"),
    cite=Citation(
        "Only Azure Disks with public access enabled from all networks are eligible to be moved to the "
        "Vault Tier; if there are disks with network access apart from public access, tiering "
        "operation fails."
    ),
    tags=("volumes", "vault-tier"),
)
def disk_not_public_for_vault_tier(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    explicit = ctx.option("require_explicit_public")
    for sc in graph.of_kind(kinds.STORAGE_CLASS):
        name = text(sc.attr("name")) or ""
        if name.startswith("acstor-") or text(sc.attr("provisioner")) != DISK_CSI:
            continue
        instance = vault_tier_instance_for(graph, sc)
        if instance is None:
            continue
        related = (RelatedLocation(instance.span, "the vault-tier backup instance"),)
        params = parameters(sc)
        for key, bad in RESTRICTING:
            value = params.get(key)
            if value is not None:
                yield from ctx.unresolved(sc, value, f"parameters.{key}")
            setting = text(value) if value is not None else None
            if setting and ("*" in bad or setting.lower() in bad):
                yield ctx.finding(
                    sc,
                    f'storage class {sc.address} sets {SPELLING[key]} "{setting}"; its disks are not public, so moving '
                    f"backups of cluster volumes to the vault tier ({instance.address}) fails",
                    attribute=f"parameters.{key}",
                    span=getattr(value, "span", None),
                    related=related,
                )
                break
        else:
            if explicit and "networkaccesspolicy" not in params and "publicnetworkaccess" not in params:
                yield ctx.finding(
                    sc,
                    f"storage class {sc.address} does not set networkAccessPolicy AllowAll; Azure Disk CSI "
                    "driver v1.34+ then creates disks without public access, and vault tiering fails",
                    attribute="provisioner",
                    related=related,
                )
    if explicit:
        yield from _builtin_claims(graph, ctx)


def _builtin_claims(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    """Claims on built-in disk classes: their network access is the driver's default."""
    for claim in graph.of_kind(kinds.PERSISTENT_VOLUME_CLAIM):
        info = resolve_class(graph, claim)
        if info is None or not info.builtin or not info.is_disk:
            continue
        if BUILTIN_CLASSES[info.name].network_access != "driver default":
            continue
        instance = vault_tier_instance_for(graph, claim)
        if instance is None:
            continue
        yield ctx.finding(
            claim,
            f'{claim.address} uses the AKS built-in class "{info.name}", which sets no networkAccessPolicy; '
            "Azure Disk CSI driver v1.34+ then creates disks without public access, and vault tiering fails",
            attribute="" if info.via_default else "storage_class_name",
            related=(RelatedLocation(instance.span, "the vault-tier backup instance"),),
        )
