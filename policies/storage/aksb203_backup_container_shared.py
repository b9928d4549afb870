"""One blob container holds the backups of more than one cluster.

## What it checks
The (storage account, blob container) pair of every backup extension
(`configuration.backupStorageLocation.config.storageAccount` and
`configuration.backupStorageLocation.bucket`). When extensions on different clusters write to
the same container, the finding points at the settings of each later extension, with the
first one as a related location. Blobs the configuration itself writes into the backup
container (`azurerm_storage_blob`) are reported at the blob.

## Why it matters
The backup extension expects a container of its own: backups and their metadata from several
clusters in one container get mixed up, and restores can pick up another cluster's objects.

## Azure documentation
"This extension requires a storage account and preferably an empty blob container inside it as
input while installing. Do not use a blob container with non backup related files." (support
matrix, 06/10/2025 revision; the 09/09/2024 revision said "Don't use same blob container for
more than one AKS cluster")

## Example
```hcl
resource "azurerm_kubernetes_cluster_extension" "backup_b" {
  cluster_id = azurerm_kubernetes_cluster.b.id
  configuration_settings = {
    "configuration.backupStorageLocation.bucket" = "aks-backup" # also used by cluster a
  }
}
```
Use instead:
```hcl
resource "azurerm_kubernetes_cluster_extension" "backup_b" {
  cluster_id = azurerm_kubernetes_cluster.b.id
  configuration_settings = {
    "configuration.backupStorageLocation.bucket" = "aks-backup-b"
  }
}
```
```bicep
'configuration.backupStorageLocation.bucket': 'aks-backup-${aks.name}'
```
```json
"configuration.backupStorageLocation.bucket": "[format('aks-backup-{0}', parameters('clusterName'))]"
```

## Unknown values
A container name, storage account or cluster reference that cannot be resolved is not compared;
extensions under an unknown condition are not counted.

## Known limitations
Writers outside the configuration (applications, pipelines) cannot be seen.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter import kinds
from linter.facts.chain import backup_extensions
from linter.facts.compare import text
from linter.graph import resolve_reference
from linter.model import Finding, RelatedLocation, Severity
from linter.rules import Citation, rule


@rule(
    id="AKSB203",
    slug="backup-container-shared",
    severity=Severity.WARNING,
    summary="the backup blob container is shared by more than one cluster's extension",
    kinds=(kinds.EXTENSION, kinds.STORAGE_ACCOUNT),
    languages=("terraform", "arm", "bicep"),
    cite=Citation(
        "This extension requires a storage account and preferably an empty blob container inside it as input while installing. Do not use a blob container with non backup related files."
    ),
    tags=("storage", "container"),
)
def backup_container_shared(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    first: dict[tuple[int, str], tuple[object, object]] = {}
    extensions = sorted(backup_extensions(graph), key=lambda r: (r.span.file, r.span.line, r.address))
    for ext in extensions:
        if not ext.surely_exists:
            continue
        accounts = graph.related(ext, "storage_account")
        clusters = graph.related(ext, "cluster")
        bucket = text(ext.attr("bucket"))
        if len(accounts) != 1 or len(clusters) != 1 or bucket is None:
            continue
        key = (id(accounts[0]), bucket.lower())
        if key not in first:
            first[key] = (ext, clusters[0])
            continue
        other, other_cluster = first[key]
        if other_cluster is clusters[0]:
            continue
        subs = {text(e.attr("storage_subscription_id")) for e in (ext, other)}  # type: ignore[attr-defined]
        if None not in subs and len({x.lower() for x in subs if x}) > 1:
            continue  # same names in two subscriptions: two different accounts
        yield ctx.finding(
            ext,
            f'backup extension {ext.address} (cluster {clusters[0].address}) writes to container "{bucket}" of '
            f"storage account {accounts[0].address}, which {other.address} (cluster {other_cluster.address}) "  # type: ignore[attr-defined]
            "already uses; give each cluster its own container",
            attribute="configuration_settings" if "configuration_settings" in ext.attrs else "bucket",
            related=[
                RelatedLocation(other.span, f"{other.address} uses the same container"),  # type: ignore[attr-defined]
                RelatedLocation(ext.span_of("bucket"), f'container "{bucket}"'),
            ],
        )

    yield from _other_data(graph, ctx, extensions)


def _other_data(graph, ctx, extensions) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    """Blobs declared in the configuration that land in a backup container."""
    targets: list[tuple[object, object, str]] = []
    for ext in extensions:
        accounts = graph.related(ext, "storage_account")
        bucket = text(ext.attr("bucket"))
        if len(accounts) == 1 and bucket is not None:
            targets.append((ext, accounts[0], bucket.lower()))
    for blob in graph.of_kind(kinds.STORAGE_BLOB):
        container = text(blob.attr("container_name"))
        account_name = text(blob.attr("storage_account_name"))
        account = None
        if "container" in blob.refs:
            found = resolve_reference(graph, blob.refs["container"], kinds.BLOB_CONTAINER).targets
            if len(found) != 1:
                continue
            container = text(found[0].attr("name"))
            owners = graph.related(found[0], "storage_account")
            account = owners[0] if len(owners) == 1 else None
        for ext, ext_account, bucket in targets:
            if container is None or container.lower() != bucket:
                continue
            same_account = account is ext_account or (
                account is None
                and account_name is not None
                and (text(ext_account.attr("name")) or "").lower() == account_name.lower()  # type: ignore[attr-defined]
            )
            if same_account:
                yield ctx.finding(
                    blob,
                    f'blob {blob.address} is written to container "{container}", the backup container of '
                    f"{ext.address}; keep other data out of it",  # type: ignore[attr-defined]
                    related=[RelatedLocation(ext.span, f"backup extension {ext.address}")],  # type: ignore[attr-defined]
                )
                break
