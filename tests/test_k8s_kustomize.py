"""Kustomizations built as ``kustomize build`` would: stacks, overlays, components, transformers, failures."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from expectations import FIXTURES

from linter import kinds
from linter.engine import load, run
from linter.model import Finding, to_plain
from linter.options import Flags, Options, build_options

OVERLAYS = FIXTURES / "kustomize-overlays" / "kubernetes"


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def _where(finding: Finding, root: Path) -> tuple[str, int, int, str]:
    return (
        Path(finding.span.file).relative_to(root.resolve()).as_posix(),
        finding.span.line,
        finding.span.column,
        finding.rule_id,
    )


def _findings(root: Path, **options: object) -> list[Finding]:
    return [f for f in run([root], Options(**options)).findings if f.suppression is None]  # type: ignore[arg-type]


PVC = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  storageClassName: managed-csi
  resources:
    requests:
      storage: 10Gi
"""


def test_a_base_finding_inherited_by_every_overlay_is_reported_once_naming_them() -> None:
    findings = [f for f in _findings(OVERLAYS) if f.span.file.endswith("base/claims.yaml")]
    assert len(findings) == 1
    (media,) = findings
    assert media.rule_id == "AKSB503" and (media.span.line, media.span.column) == (19, 3)
    overlays = sorted(
        (Path(r.span.file).parent.name, r.span.line, r.message)
        for r in media.related
        if "deployed" in r.message
    )
    assert overlays == [
        ("dev", 5, "deployed by this kustomization as PersistentVolumeClaim/shop-dev/media"),
        ("prod", 5, "deployed by this kustomization as PersistentVolumeClaim/shop-prod/media"),
    ]


def test_a_patched_value_is_located_at_the_patch_with_the_base_object_related() -> None:
    (uploads,) = [f for f in _findings(OVERLAYS) if "uploads" in f.message]
    assert _where(uploads, OVERLAYS) == ("overlays/prod/uploads-on-files.yaml", 3, 3, "AKSB503")
    related = {
        (Path(r.span.file).relative_to(OVERLAYS.resolve()).as_posix(), r.span.line) for r in uploads.related
    }
    assert related == {("overlays/prod/kustomization.yaml", 5), ("base/claims.yaml", 2)}


def test_each_overlay_renders_its_own_objects(tmp_path: Path) -> None:
    loaded = load([OVERLAYS], Options())
    claims = {
        (to_plain(c.attr("namespace")), to_plain(c.attr("name"))): to_plain(c.attr("storage_class_name"))
        for c in loaded.graph.of_kind(kinds.PERSISTENT_VOLUME_CLAIM)
    }
    assert claims[("shop-dev", "uploads")] == "managed-csi"
    assert claims[("shop-prod", "uploads")] == "azurefile-csi-premium"
    assert claims[("shop-dev", "data")] == "fast-disk"  # the StatefulSet's claim template, unpatched in dev
    assert claims[("shop-prod", "data")] == "managed-csi-premium-v2"
    web = {
        to_plain(r.attr("namespace")): r
        for r in loaded.graph.of_kind(kinds.K8S_OBJECT)
        if r.address == "Deployment/web"
    }
    assert to_plain(web["shop-dev"].attr("labels")) == {"app": "web", "app.kubernetes.io/part-of": "shop"}
    assert "pre.hook.backup.velero.io/command" in to_plain(web["shop-prod"].attr("template_annotations"))
    assert web["shop-dev"].attr("template_annotations").is_absent
    # the StorageClass is cluster-scoped: no namespace, patched to Ultra in prod only
    skus = sorted(
        to_plain(sc.attr("parameters"))["skuname"] for sc in loaded.graph.of_kind(kinds.STORAGE_CLASS)
    )
    assert skus == ["Premium_LRS", "UltraSSD_LRS"]
    assert all(sc.attr("namespace").is_absent for sc in loaded.graph.of_kind(kinds.STORAGE_CLASS))
    assert {r.stack.rsplit("/", 1)[-1] for r in loaded.graph.resources} == {"dev", "prod"}
    # patch files and component files are read through the kustomization only
    assert not [
        r
        for r in loaded.graph.resources
        if "/components/" in r.span.file
        or r.span.file.endswith(".yaml")
        and "uploads-on-files" in r.span.file
    ]


def test_a_base_scanned_alone_is_its_own_root() -> None:
    findings = _findings(OVERLAYS / "base")
    assert [_where(f, OVERLAYS / "base") for f in findings] == [("claims.yaml", 19, 3, "AKSB503")]
    (media,) = findings
    assert [r.message for r in media.related] == [
        "deployed by this kustomization as PersistentVolumeClaim/media"
    ]


def test_name_prefix_renames_the_class_and_the_claims_that_name_it() -> None:
    root = FIXTURES / "kustomize-name-prefix" / "kubernetes"
    loaded = load([root], Options())
    claims = {c.address: c for c in loaded.graph.of_kind(kinds.PERSISTENT_VOLUME_CLAIM)}
    reports = claims["PersistentVolumeClaim/reports"]
    assert to_plain(reports.attr("storage_class_name")) == "team-a-reports-disk"
    assert reports.attr("storage_class_name").span.file.endswith("base/reports.yaml")
    (target,) = loaded.graph.related(reports, "storage_class")
    assert to_plain(target.attr("name")) == "team-a-reports-disk"
    assert to_plain(claims["PersistentVolumeClaim/exports"].attr("storage_class_name")) == "azurefile-csi"


def test_components_run_after_resources_and_before_the_including_transformers(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "app/kustomization.yaml": "namePrefix: p-\nresources: [pvc.yaml]\ncomponents: [../comp]\n",
            "app/pvc.yaml": PVC,
            "comp/kustomization.yaml": (
                "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
                "patches:\n  - target: {kind: PersistentVolumeClaim, name: data}\n"
                "    patch: |-\n      - {op: replace, path: /spec/storageClassName, value: azurefile-csi}\n"
            ),
        },
    )
    (claim,) = load([tmp_path / "app"], Options()).graph.of_kind(kinds.PERSISTENT_VOLUME_CLAIM)
    assert to_plain(claim.attr("name")) == "p-data"  # the component matched the name before the prefix
    assert to_plain(claim.attr("storage_class_name")) == "azurefile-csi"
    where = claim.attr("storage_class_name").span  # the "value" key of the inline JSON patch in the component
    assert (where.file, where.line, where.column) == (
        str((tmp_path / "comp" / "kustomization.yaml").resolve()),
        6,
        53,
    )


def test_transformers_namespace_labels_annotations_replicas(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "kustomization.yaml": (
                "namespace: team\ncommonAnnotations:\n  backup.velero.io/backup-volumes: data\n"
                "replicas:\n  - {name: db, count: 3}\nresources: [all.yaml]\n"
            ),
            "all.yaml": (
                "apiVersion: v1\nkind: Namespace\nmetadata: {name: placeholder}\n---\n"
                "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\n"
                "spec:\n  template: {spec: {containers: [{name: db}]}}\n"
            ),
        },
    )
    loaded = load([tmp_path], Options())
    (namespace,) = loaded.graph.of_kind(kinds.NAMESPACE)
    assert to_plain(namespace.attr("name")) == "team"  # kustomize names a v1 Namespace after ``namespace:``
    sts = next(r for r in loaded.graph.of_kind(kinds.K8S_OBJECT) if r.address == "StatefulSet/db")
    assert to_plain(sts.attr("namespace")) == "team" and sts.attr("namespace").span.line == 1
    findings = [_where(f, tmp_path) for f in _findings(tmp_path)]
    # the annotation lands on the Namespace, the StatefulSet and its pod template: one line, three findings
    assert findings == [("kustomization.yaml", 3, 3, "AKSB602")] * 3


def test_legacy_patch_fields(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "kustomization.yaml": (
                "resources: [pvc.yaml]\n"
                "patchesStrategicMerge:\n  - size.yaml\n"
                "  - |-\n    apiVersion: v1\n    kind: PersistentVolumeClaim\n    metadata: {name: data}\n"
                "    spec: {accessModes: [ReadWriteMany]}\n"
                "patchesJson6902:\n  - target: {version: v1, kind: PersistentVolumeClaim, name: data}\n"
                "    path: class.json\n"
            ),
            "pvc.yaml": PVC,
            "size.yaml": PVC.replace("10Gi", "2Ti"),
            "class.json": '[{"op": "replace", "path": "/spec/storageClassName", "value": "azureblob-nfs-premium"}]\n',
        },
    )
    (claim,) = load([tmp_path], Options()).graph.of_kind(kinds.PERSISTENT_VOLUME_CLAIM)
    assert to_plain(claim.attr("request_bytes")) == 2 * 1024**4
    assert [_where(f, tmp_path) for f in _findings(tmp_path)] == [("class.json", 1, 54, "AKSB503")]


def test_builds_kustomize_refuses_are_parse_errors(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "kustomization.yaml": (
                "resources: [pvc.yaml]\npatches:\n  - path: other.yaml\n"
                "  - target: {kind: PersistentVolumeClaim}\n    patch: '[{op: remove, path: /spec/volumeName}]'\n"
            ),
            "pvc.yaml": PVC,
            "other.yaml": "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: other}\nspec: {}\n",
        },
    )
    errors = sorted((_where(f, tmp_path), f.message) for f in _findings(tmp_path) if f.rule_id == "AKSB000")
    assert errors == [
        (
            ("kustomization.yaml", 5, 14, "AKSB000"),
            "kustomize build would fail: PersistentVolumeClaim/data: "
            'JSON patch "remove" at /spec/volumeName: the path does not exist',
        ),
        (
            ("other.yaml", 1, 1, "AKSB000"),
            "kustomize build would fail: strategic merge patch PersistentVolumeClaim/other "
            "(namespace default) matches no object",
        ),
    ]


def test_unknown_sources_are_named_and_keep_targets_unknown(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "kustomization.yaml": (
                "namespace: backup\nresources:\n  - github.com/example/platform//velero?ref=v1\n"
                "helmCharts:\n  - name: velero\n    repo: https://vmware-tanzu.github.io/helm-charts\n"
                "    releaseName: velero\n"
                "configMapGenerator:\n  - name: settings\n    literals: [a=b]\n"
                "patches:\n  - path: tune.yaml\n"
            ),
            "tune.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: velero}\nspec: {replicas: 2}\n",
        },
    )
    quiet = _findings(tmp_path)
    assert [(_where(f, tmp_path)) for f in quiet] == [("kustomization.yaml", 5, 5, "AKSB601")]
    notes = sorted(
        (_where(f, tmp_path)[:2], f.message)
        for f in _findings(tmp_path, unknown="note")
        if f.rule_id == "AKSB902"
    )
    assert notes == [
        (
            ("kustomization.yaml", 3),
            'kustomize: remote resource "github.com/example/platform//velero?ref=v1" is not fetched (offline); '
            "the objects it adds are unknown",
        ),
        (
            ("kustomization.yaml", 5),
            'kustomize: Helm chart "velero" is not rendered; the objects it installs are unknown',
        ),
        (
            ("kustomization.yaml", 9),
            'kustomize: configMapGenerator "settings" is not evaluated; the objects it generates are unknown',
        ),
        (
            ("tune.yaml", 1),
            "kustomize: strategic merge patch Deployment/velero (namespace default) matches no object read here; "
            "it may change one that is unknown",
        ),
    ]
    (release,) = load([tmp_path], Options()).graph.of_kind(kinds.HELM_RELEASE)
    assert to_plain(release.attr("chart")) == "velero" and to_plain(release.attr("namespace")) == "backup"


def test_files_named_kustomization_that_are_objects_and_cycles(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "flux/kustomization.yaml": (
                "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
                "metadata: {name: apps, namespace: flux-system}\nspec: {path: ./apps, prune: true}\n"
            ),
            "a/kustomization.yaml": "resources: [../b, pvc.yaml]\n",
            "a/pvc.yaml": PVC,
            "b/kustomization.yaml": "resources: [../a]\n",
        },
    )
    loaded = load([tmp_path], Options())
    assert [r.address for r in loaded.graph.of_kind(kinds.PERSISTENT_VOLUME_CLAIM)] == [
        "PersistentVolumeClaim/data"
    ]
    (cycle,) = [f for f in loaded.diagnostics if f.rule_id == "AKSB000"]
    assert "kustomization cycle" in cycle.message
    assert not [f for f in loaded.diagnostics if "/flux/" in f.span.file]  # a Flux object, not built


def test_an_excluded_base_is_not_read_and_its_objects_stay_unknown(tmp_path: Path) -> None:
    shutil.copytree(OVERLAYS, tmp_path / "app")
    (tmp_path / ".aks-backup-lint.yaml").write_text('exclude: ["app/base/"]\n', encoding="utf-8")
    options = build_options(Flags(unknown="note"), tmp_path)
    findings = [f for f in run([tmp_path / "app" / "overlays"], options).findings if f.suppression is None]
    assert not [f for f in findings if "/base/" in f.span.file]
    notes = sorted((_where(f, tmp_path)[:2], f.message) for f in findings if f.rule_id == "AKSB902")
    assert (
        ("app/overlays/dev/kustomization.yaml", 5),
        'kustomize: resource "../../base" is excluded from the scan; the objects it adds are unknown',
    ) in notes
    # the prod patches now target objects that are unknown: noted, not reported as failures
    assert not [f for f in findings if f.rule_id == "AKSB000"]


def test_cluster_mapping_by_overlay_directory_reaches_objects_of_a_shared_base(tmp_path: Path) -> None:
    """``cluster_mapping`` names overlay directories; the base's objects follow their overlay."""
    vault_tier = FIXTURES / "volumes-vault-tier" / "kubernetes"
    shutil.copy(vault_tier / "versions.tf", tmp_path / "versions.tf")
    backup = (vault_tier / "backup.tf").read_text(encoding="utf-8")
    (tmp_path / "backup.tf").write_text(backup, encoding="utf-8")
    cluster = re.search(r'resource "azurerm_kubernetes_cluster" "aks" \{.*?\n\}\n', backup, re.S)
    assert cluster is not None
    (tmp_path / "other.tf").write_text(cluster.group(0).replace('"aks"', '"other"', 1), encoding="utf-8")
    _write(
        tmp_path,
        {
            "app/base/kustomization.yaml": "resources: [pvc.yaml]\n",
            "app/base/pvc.yaml": PVC.replace("10Gi", "3Ti"),
            "app/overlays/prod/kustomization.yaml": "namespace: prod\nresources: [../../base]\n",
            "app/overlays/dev/kustomization.yaml": "namespace: dev\nresources: [../../base]\n",
        },
    )
    overlays = tmp_path / "app" / "overlays"
    assert [f for f in _findings(tmp_path) if f.rule_id == "AKSB505"] == []  # two clusters, no mapping
    mapping = {
        str(overlays / "prod"): "azurerm_kubernetes_cluster.aks",
        str(overlays / "dev"): "azurerm_kubernetes_cluster.other",
    }
    (big,) = [f for f in _findings(tmp_path, cluster_mapping=mapping) if f.rule_id == "AKSB505"]
    assert _where(big, tmp_path) == ("app/base/pvc.yaml", 9, 7, "AKSB505")
    assert [r.message for r in big.related if "deployed" in r.message] == [
        "deployed by this kustomization as PersistentVolumeClaim/prod/data"
    ]


def test_a_delete_patch_removes_the_object_and_suffixes_rename(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "kustomization.yaml": (
                "nameSuffix: -v2\nresources: [claims.yaml]\n"
                "patches:\n  - patch: |-\n      apiVersion: v1\n      kind: PersistentVolumeClaim\n"
                "      metadata: {name: old}\n      $patch: delete\n"
            ),
            "claims.yaml": PVC.replace("managed-csi", "azurefile-csi").replace("name: data", "name: old")
            + "---\n"
            + PVC,
        },
    )
    loaded = load([tmp_path], Options())
    assert [to_plain(c.attr("name")) for c in loaded.graph.of_kind(kinds.PERSISTENT_VOLUME_CLAIM)] == [
        "data-v2"
    ]
    assert _findings(tmp_path) == []  # the Azure Files claim is deleted by the patch


def test_a_claim_uses_the_class_of_its_own_overlay(tmp_path: Path) -> None:
    """Two overlays render the same-named class differently; each claim gets its own overlay's."""
    from linter import kinds
    from linter.engine import load
    from linter.facts.compare import text
    from linter.facts.storage_classes import resolve_class, sku
    from linter.options import Options

    base = tmp_path / "base"
    base.mkdir()
    (base / "kustomization.yaml").write_text("resources: [class.yaml, claim.yaml]\n")
    (base / "class.yaml").write_text(
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: fast\n"
        "provisioner: disk.csi.azure.com\nparameters:\n  skuName: Premium_LRS\n"
    )
    (base / "claim.yaml").write_text(
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n"
        "  storageClassName: fast\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 10Gi\n"
    )
    for env, wanted in (("dev", "Premium_LRS"), ("prod", "UltraSSD_LRS")):
        overlay = tmp_path / "overlays" / env
        overlay.mkdir(parents=True)
        (overlay / "kustomization.yaml").write_text(
            "resources: [../../base]\npatches:\n  - target: {kind: StorageClass, name: fast}\n"
            f"    patch: |-\n      - op: replace\n        path: /parameters/skuName\n        value: {wanted}\n"
        )
    graph = load([tmp_path], Options()).graph
    skus = {}
    for claim in graph.of_kind(kinds.PERSISTENT_VOLUME_CLAIM):
        info = resolve_class(graph, claim)
        assert info is not None, claim.stack
        skus[Path(claim.stack).name] = text(sku(info))
    assert skus == {"dev": "Premium_LRS", "prod": "UltraSSD_LRS"}
