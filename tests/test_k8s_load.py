"""What the Kubernetes front end reads, ignores and reports as AKSB000."""

from __future__ import annotations

import codecs
from pathlib import Path

from linter import kinds
from linter.frontend import LoadContext, LoadResult
from linter.k8s import load
from linter.model import Known, to_plain
from linter.textfile import ReadProblem, decode, sniff


def _load(tmp_path: Path, files: dict[str, str | bytes], ctx: LoadContext | None = None) -> LoadResult:
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
    assert pvc.address == "PersistentVolumeClaim/data"  # as written in the base, alike for every overlay
    assert pvc.attr("namespace").value == "prod"
    assert pvc.span.file == str((base / "pvc.yaml").resolve())
    (overlay_entry,) = pvc.context
    assert overlay_entry.span.file == str((overlay / "kustomization.yaml").resolve())
    assert overlay_entry.span.line == 3
    assert overlay_entry.message == "deployed by this kustomization as PersistentVolumeClaim/prod/data"


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


def test_utf16_manifests_are_read_other_encodings_named(tmp_path: Path) -> None:
    text = PVC.replace("managed-csi", "azurefile-csi")
    result = _load(
        tmp_path,
        {
            "le.yaml": codecs.BOM_UTF16_LE + text.replace("name: data", "name: le").encode("utf-16-le"),
            "be.yaml": codecs.BOM_UTF16_BE + text.replace("name: data", "name: be").encode("utf-16-be"),
            "bom.yaml": codecs.BOM_UTF8 + text.replace("name: data", "name: bom").encode("utf-8"),
            "utf32.yaml": codecs.BOM_UTF32_BE + text.encode("utf-32-be"),
            "nobom.yaml": text.encode("utf-16-le"),
            "values.yaml": "image: caf\xe9\n".encode("latin-1"),  # not a manifest: ignored silently
        },
    )
    claims = {to_plain(r.attr("name")): r for r in result.resources}
    assert sorted(claims) == ["be", "bom", "le"]
    assert (
        claims["le"].attr("storage_class_name").span.line,
        claims["le"].attr("storage_class_name").span.column,
    ) == (7, 3)
    problems = sorted((Path(f.span.file).name, f.span.line, f.message) for f in result.diagnostics)
    assert problems == [
        (
            "nobom.yaml",
            1,
            "file looks like UTF-16 without a byte order mark; save it as UTF-8 (or UTF-16 with a mark)",
        ),
        ("utf32.yaml", 1, "file is encoded as UTF-32 BE (byte order mark); save it as UTF-8"),
    ]


def test_decode_names_what_it_cannot_read() -> None:
    assert decode(codecs.BOM_UTF16_LE + "a: 1\r\n".encode("utf-16-le")) == ("a: 1\r\n", None)
    assert decode(b"a: \xe9\nb: 2\n")[1] == ReadProblem(
        "not valid UTF-8 (byte 3): invalid continuation byte", 1
    )
    assert decode(b"\x89PNG\r\n\x1a\n\x00\x00")[1] == ReadProblem("binary file (contains NUL bytes)")
    assert decode(codecs.BOM_UTF16_BE + b"\xd8\x00")[1] is not None  # a lone surrogate: not valid UTF-16
    assert "apiVersion" in sniff(codecs.BOM_UTF32_LE + "apiVersion: v1".encode("utf-32-le"))


def test_templates_outside_charts_are_skipped_with_a_notification(tmp_path: Path) -> None:
    result = _load(
        tmp_path,
        {
            "deploy/pvc.yaml": "{{- if .Values.persistence.enabled }}\napiVersion: v1\nkind: PersistentVolumeClaim\n{{- end }}\n",
            "deploy/values-only.yaml": PVC.replace("managed-csi", '"{{ .Values.storageClass }}"'),
            "deploy/alerts.yaml": (  # a Go template as data of a ConfigMap is valid YAML: read normally
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alerts}\ndata:\n"
                '  slack.tmpl: |\n    {{ define "title" }}{{ .Status }}{{ end }}\n'
            ),
        },
    )
    assert result.diagnostics == []
    (note,) = result.notifications
    assert note.level == "note" and note.span is not None and (note.span.line, note.span.column) == (1, 1)
    assert (
        "pvc.yaml: Go/Helm template syntax outside a chart ({{- if .Values.persistence.enabled }} on line 1)"
        in note.message
    )
    assert sorted(r.address for r in result.resources) == [
        "ConfigMap/alerts",
        "PersistentVolumeClaim/app/data",
    ]
    (claim,) = [r for r in result.resources if r.kind == kinds.PERSISTENT_VOLUME_CLAIM]
    assert claim.attr("storage_class_name").is_unknown


def test_a_broken_file_a_kustomization_uses_is_reported_even_if_it_does_not_look_like_a_manifest(
    tmp_path: Path,
) -> None:
    result = _load(
        tmp_path,
        {
            "kustomization.yaml": "resources: [pvc.yaml]\npatches:\n  - path: ops.yaml\n    target: {kind: PersistentVolumeClaim}\n",
            "pvc.yaml": PVC,
            "ops.yaml": "- op: replace\n  path: [unclosed\n",
            "notes.yaml": "- [unclosed\n",  # not used by anything and not a manifest: ignored
        },
    )
    assert [(Path(f.span.file).name, f.span.line, f.rule_id) for f in result.diagnostics] == [
        ("ops.yaml", 3, "AKSB000")
    ]
