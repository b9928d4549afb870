"""The backup blob container holds other data, or (09/2024 revision) another cluster's backups.

## What it checks
The (storage account, blob container) pair of every backup extension
(`configuration.backupStorageLocation.config.storageAccount` and
`configuration.backupStorageLocation.bucket`):

* blobs the configuration itself writes into a backup container (`azurerm_storage_blob`) are
  reported at the blob, in every matrix revision;
* with a matrix revision that asks for one container per cluster (`--matrix 2024-09`),
  extensions on different clusters that write to the same container are reported at the
  settings of each later extension, with the first one as a related location.

## Why it matters
The backup extension expects a container that holds its backups only: files that are not
backups in the container are against the support statement, and the extension may trip over
them. The 09/09/2024 revision of the article also said not to use one container for more than
one cluster; the 06/10/2025 and later revisions ask for "preferably an empty blob container"
and forbid only non-backup files, so a container shared by clusters is not reported under them.

## Azure documentation
"This extension requires a storage account and preferably an empty blob container inside it as
input while installing. Do not use a blob container with non backup related files." (support
matrix, 06/10/2025 revision; the 09/09/2024 revision said "Don't use same blob container for
more than one AKS cluster")

## Example
```hcl
resource "azurerm_storage_blob" "readme" {
  name                   = "README.txt"
  storage_container_name = azurerm_storage_container.backup.name # the backup container
  source_content         = "AKS backups"
}
```
Use instead:
```hcl
resource "azurerm_storage_blob" "readme" {
  name                   = "README.txt"
  storage_container_name = azurerm_storage_container.docs.name
  source_content         = "AKS backups"
}
```
```bicep
// with --matrix 2024-09: one container per cluster
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
from linter.rules import Citation, MatrixRevision, rule


def revision_verdict(m: MatrixRevision) -> str:
    """What this rule decides under matrix revision ``m`` (shown by ``explain``)."""
    if m.flag("one_container_per_cluster"):
        return "one container per cluster: a container shared by clusters is reported, and so is other data in it"
    return 'a container shared by clusters is not reported ("preferably an empty blob container"); other data in it is'


@rule(
    id="AKSB203",
    slug="backup-container-shared",
    severity=Severity.WARNING,
    revision_verdict=revision_verdict,
    summary="the backup blob container holds other data, or (09/2024 revision) backups of several clusters",
    kinds=(kinds.EXTENSION, kinds.STORAGE_ACCOUNT),
    languages=("terraform", "arm", "bicep"),
    cite=Citation(
        "This extension requires a storage account and preferably an empty blob container inside it as input while installing. Do not use a blob container with non backup related files."
    ),
    tags=("storage", "container"),
)
def backup_container_shared(graph, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    extensions = sorted(backup_extensions(graph), key=lambda r: (r.span.file, r.span.line, r.address))
    if ctx.matrix.flag("one_container_per_cluster"):
        yield from _shared(ctx, graph, extensions)
    yield from _other_data(graph, ctx, extensions)


def _shared(ctx, graph, extensions) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    """Extensions of different clusters writing to one container (the 09/2024 revision's rule)."""
    first: dict[tuple[int, str], tuple[object, object]] = {}
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
            f"already uses; matrix revision {ctx.matrix.revision} asks for one container per cluster",
            attribute="configuration_settings" if "configuration_settings" in ext.attrs else "bucket",
            related=[
                RelatedLocation(other.span, f"{other.address} uses the same container"),  # type: ignore[attr-defined]
                RelatedLocation(ext.span_of("bucket"), f'container "{bucket}"'),
            ],
        )


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
