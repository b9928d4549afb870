"""A vault-tier backup instance covers more than 100 disk volumes.

## What it checks
For every AKS backup instance whose policy keeps backups in the vault tier (`VaultStore`), the
Azure Disk claims of its cluster that it takes: claims in its included namespaces (all when none
are listed) minus the excluded ones and the system namespaces. A StatefulSet's
`volumeClaimTemplates` entry counts once per replica (`spec.replicas`, 1 when not set). Claims
are counted in file order; the finding points at the claim (or the StatefulSet's `replicas`)
that takes the count past 100, with the backup instance as a related location.

## Why it matters
The support matrix supports vault-tier backup instances with at most 100 disks: with more,
backup and restore operations may fail. Split the namespaces over several backup instances
(each with at most 100 disks), or keep the large namespaces in the operational tier.

## Azure documentation
"Currently, backup instances with <= 100 disks attached as persistent volume are supported.
Backup and restore operations might fail if number of disks are higher than the limit." (support
matrix, 06/10/2025 revision)

## Example
```yaml
# the cluster's backup instance copies to the vault tier and includes namespace "events"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: kafka, namespace: events}
spec:
  replicas: 120
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {storageClassName: managed-csi-premium, resources: {requests: {storage: 256Gi}}}
```
Use instead:
```hcl
# two backup instances, each with at most 100 disks
resource "azurerm_data_protection_backup_instance_kubernetes_cluster" "events" {
  backup_datasource_parameters { included_namespaces = ["events"] }
}
resource "azurerm_data_protection_backup_instance_kubernetes_cluster" "apps" {
  backup_datasource_parameters { included_namespaces = ["shop", "payments"] }
}
```

## Unknown values
Claims whose namespace, storage class or replica count cannot be resolved are not counted; an
instance with unknown namespace lists or with label selectors is not checked. The count is then
a lower bound, and only a lower bound over the limit is reported.

## Options
`max_disks` (integer, default 100): the most disks a vault-tier backup instance may cover.

## Known limitations
Only claims in the scanned manifests are counted: volumes created by operators or Helm charts
outside the scan, and replicas added by autoscalers, are not seen.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import backup_instances, policy_uses_vault_store
from linter.facts.kubernetes import clusters_of, instance_covers
from linter.facts.storage_classes import is_disk_volume
from linter.model import Finding, Known, RelatedLocation, Severity
from linter.rules import Citation, rule

MAX_DISKS = 100


@rule(
    id="AKSB507",
    slug="too-many-disks-for-vault-tier",
    severity=Severity.WARNING,
    options={"max_disks": MAX_DISKS},
    summary="more than 100 disk volumes in one backup instance whose policy uses the vault tier",
    kinds=(kinds.PERSISTENT_VOLUME_CLAIM, kinds.BACKUP_INSTANCE, kinds.BACKUP_POLICY),
    languages=("kubernetes", "terraform"),
    cite=Citation(
        "Currently, backup instances with <= 100 disks attached as persistent volume are supported."
    ),
    tags=("volumes", "vault-tier"),
)
def too_many_disks_for_vault_tier(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    limit = ctx.option("max_disks")
    claims = list(graph.of_kind(kinds.PERSISTENT_VOLUME_CLAIM))
    for instance in backup_instances(graph):
        clusters = graph.related(instance, "cluster")
        if len(clusters) != 1 or not policy_uses_vault_store(graph, instance):
            continue
        snapshots = instance.attr("snapshot_volumes")
        if isinstance(snapshots, Known) and snapshots.value is False:
            continue  # no volume snapshots: no disks in the backup at all
        count = 0
        for claim in claims:
            if clusters[0] not in clusters_of(graph, claim) or instance_covers(instance, claim) is not True:
                continue
            replicas = claim.attr("replicas")
            if replicas.is_absent:
                n = 1
            elif isinstance(replicas, Known) and isinstance(replicas.value, int):
                n = replicas.value
            else:
                continue
            if n <= 0 or not is_disk_volume(graph, claim):
                continue
            count += n
            if count > limit:
                yield ctx.finding(
                    claim,
                    f"backup instance {instance.address} copies to the vault tier and covers at least {count} "
                    f"Azure Disk volumes once {claim.address}{_replicas(n)} is counted, over the {limit} a "
                    "vault-tier backup instance supports; split its namespaces over several backup instances",
                    attribute="replicas" if n > 1 else "",
                    related=(RelatedLocation(instance.span, "the vault-tier backup instance"),),
                )
                break


def _replicas(n: int) -> str:
    return f" ({n} replicas)" if n > 1 else ""
