"""What the Kubernetes front end reads, ignores and reports as AKSB000."""

from __future__ import annotations

from pathlib import Path

from linter import kinds
from linter.k8s import load
from linter.model import Known
from linter.stack import LoadContext, StackResult


def _load(tmp_path: Path, files: dict[str, str | bytes], ctx: LoadContext | None = None) -> StackResult:
    paths = []
    for name, content in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
        paths.append(p)
    return load(paths, ctx or LoadContext())


PVC = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  namespace: app
spec:
  storageClassName: managed-csi
  resources:
    requests:
      storage: 10Gi
"""


def test_non_kubernetes_yaml_is_ignored_silently(tmp_path: Path) -> None:
    result = _load(
        tmp_path,
        {
            ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n",
            "values.yaml": "replicaCount: 2\nimage:\n  tag: latest\n",
            "docker-compose.yml": "services:\n  db:\n    image: postgres\n",
            "broken-config.yaml": "a: [unclosed\n",
        },
    )
    assert result.resources == [] and result.diagnostics == []


def test_claim_attributes(tmp_path: Path) -> None:
    result = _load(tmp_path, {"pvc.yaml": PVC})
    (pvc,) = result.resources
    assert pvc.kind == kinds.PERSISTENT_VOLUME_CLAIM and pvc.language == "kubernetes"
    assert pvc.address == "PersistentVolumeClaim/app/data"
    assert pvc.attr("request_bytes").value == 10 * 1024**3
    assert pvc.attr("storage_class_name").value == "managed-csi"
    assert (pvc.span.line, pvc.span.column) == (2, 1)  # the kind line


def test_lists_json_and_multi_document(tmp_path: Path) -> None:
    json_list = '{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}]}'
    result = _load(
        tmp_path,
        {"list.json": json_list, "two.yaml": PVC + "---\n" + PVC.replace("name: data", "name: logs")},
    )
    assert sorted(r.address for r in result.resources) == [
        "Namespace/a",
        "PersistentVolumeClaim/app/data",
        "PersistentVolumeClaim/app/logs",
    ]


def test_storage_class_parameters_are_case_insensitive(tmp_path: Path) -> None:
    sc = (
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: x\n  annotations:\n"
        '    storageclass.kubernetes.io/is-default-class: "true"\nprovisioner: disk.csi.azure.com\n'
        "parameters:\n  SkuName: Premium_LRS\n"
    )
    (res,) = _load(tmp_path, {"sc.yaml": sc}).resources
    params = res.attr("parameters").value
    assert params["skuname"].value == "Premium_LRS" and params["skuname"].span.line == 9
    assert res.attr("is_default").value is True


def test_statefulset_claim_templates_are_claims(tmp_path: Path) -> None:
    sts = (
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  namespace: app\nspec:\n"
        "  volumeClaimTemplates:\n    - metadata:\n        name: data\n      spec:\n"
        "        resources:\n          requests:\n            storage: 1Gi\n"
    )
    result = _load(tmp_path, {"sts.yaml": sts})
    claims = [r for r in result.resources if r.kind == kinds.PERSISTENT_VOLUME_CLAIM]
    assert [c.address for c in claims] == ["StatefulSet/app/db/volumeClaimTemplates/data"]
    assert claims[0].attr("namespace").value == "app"


def test_invalid_manifest_is_one_parse_error(tmp_path: Path) -> None:
    result = _load(tmp_path, {"bad.yaml": "apiVersion: v1\nkind: Pod\nmetadata: [\n"})
    (finding,) = result.diagnostics
    assert finding.rule_id == "AKSB000" and finding.span.line >= 3


def test_helm_templates_are_skipped_and_charts_read(tmp_path: Path) -> None:
    result = _load(
        tmp_path,
        {
            "chart/Chart.yaml": "apiVersion: v2\nname: ops\nversion: 1.0.0\ndependencies:\n  - name: velero\n    repository: https://vmware-tanzu.github.io/helm-charts\n",
            "chart/templates/pvc.yaml": "{{- if .Values.x }}\napiVersion: v1\nkind: PersistentVolumeClaim\n{{- end }}\n",
        },
    )
    assert result.diagnostics == []
    releases = {r.address: r for r in result.resources if r.kind == kinds.HELM_RELEASE}
    assert set(releases) == {"helm-chart:ops", "helm-chart:ops/dependency:velero"}
    assert releases["helm-chart:ops/dependency:velero"].attr("chart").value == "velero"


def test_kustomize_base_outside_the_scan(tmp_path: Path) -> None:
    base = tmp_path / "shared" / "base"
    base.mkdir(parents=True)
    (base / "kustomization.yaml").write_text("resources:\n  - pvc.yaml\n", encoding="utf-8")
    (base / "pvc.yaml").write_text(PVC.replace("  namespace: app\n", ""), encoding="utf-8")
    overlay = tmp_path / "repo" / "overlay"
    overlay.mkdir(parents=True)
    (overlay / "kustomization.yaml").write_text(
        "namespace: prod\nresources:\n  - ../../shared/base\n  - https://example.com/remote\n",
        encoding="utf-8",
    )
    result = load([overlay / "kustomization.yaml"], LoadContext())
    (pvc,) = result.resources
    assert pvc.address == "PersistentVolumeClaim/prod/data"
    assert pvc.span.file == str((base / "pvc.yaml").resolve())


def test_kustomize_cycles_terminate(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "kustomization.yaml").write_text("resources: [../b]\n", encoding="utf-8")
    (tmp_path / "b" / "kustomization.yaml").write_text("resources: [../a]\n", encoding="utf-8")
    result = load([tmp_path / "a" / "kustomization.yaml"], LoadContext())
    assert result.resources == []


def test_huge_and_non_utf8_manifests(tmp_path: Path) -> None:
    big = PVC + "# padding\n" * 200
    result = _load(
        tmp_path,
        {"big.yaml": big, "latin1.yaml": PVC.replace("data", "d\xe9ta").encode("latin-1")},
        LoadContext(max_file_bytes=len(big) - 1),
    )
    messages = sorted(f.message for f in result.diagnostics)
    assert len(messages) == 2 and "limit" in messages[0] and "not valid UTF-8" in messages[1]
    assert result.resources == []


def test_labels_keep_spans(tmp_path: Path) -> None:
    ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n    velero.io/x: y\n"
    (res,) = _load(tmp_path, {"ns.yaml": ns}).resources
    label = res.attr("labels").value["velero.io/x"]
    assert isinstance(label, Known) and (label.span.line, label.span.column) == (6, 5)


def test_json_that_yaml_rejects_falls_back_to_json(tmp_path: Path) -> None:
    text = '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "labels": {"x": "\\ud83d\\ude00"}}}'
    result = _load(tmp_path, {"ns.json": text})
    assert result.diagnostics == [] and [r.address for r in result.resources] == ["Namespace/a"]
