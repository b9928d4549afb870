"""Kustomize's patches over positioned values: strategic merge, JSON 6902, selectors, inline patch text."""

from __future__ import annotations

import pytest

from linter.k8s.patch import JsonPatch, PatchError, StrategicMerge
from linter.k8s.selector import SelectorError, matches, parse
from linter.k8s.yamlpos import load_documents, load_embedded
from linter.model import Known, Unknown, get_path, to_plain


def _doc(text: str, path: str = "base.yaml") -> Known:
    docs, problem = load_documents(text, path)
    assert problem is None
    return docs[0].value


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  template:
    metadata:
      annotations: {a: "1"}
    spec:
      containers:
        - name: web
          image: web:1
          env:
            - {name: A, value: "1"}
            - {name: B, value: "2"}
        - name: sidecar
          image: proxy:1
      volumes:
        - name: data
          persistentVolumeClaim: {claimName: data}
        - name: cache
          emptyDir: {}
      tolerations:
        - {key: a, operator: Exists}
"""


def _merge(base: str, patch: str) -> Known | None:
    return StrategicMerge("apps", "Deployment").apply(_doc(base), _doc(patch, "patch.yaml"))


def test_maps_merge_and_patch_values_keep_the_patch_position() -> None:
    merged = _merge(
        DEPLOYMENT,
        "metadata:\n  labels:\n    tier: front\nspec:\n  template:\n    metadata:\n      annotations:\n        b: '2'\n",
    )
    assert merged is not None
    labels = get_path(merged, "metadata", "labels")
    assert to_plain(labels) == {"app": "web", "tier": "front"}
    assert labels.value["app"].span.file == "base.yaml"
    assert (labels.value["tier"].span.file, labels.value["tier"].span.line) == ("patch.yaml", 3)
    annotations = to_plain(get_path(merged, "spec", "template", "metadata", "annotations"))
    assert annotations == {"a": "1", "b": "2"}


def test_containers_and_volumes_merge_by_name_and_null_deletes() -> None:
    patch = """\
spec:
  template:
    spec:
      containers:
        - name: web
          image: web:2
          env:
            - {name: B, value: "3"}
            - {name: C, value: "4"}
      volumes:
        - name: cache
          $patch: delete
        - name: logs
          emptyDir: {}
      tolerations:
        - {key: b, operator: Exists}
  replicas: null
"""
    merged = _merge(DEPLOYMENT, patch)
    assert merged is not None
    spec = get_path(merged, "spec", "template", "spec")
    containers = to_plain(get_path(spec, "containers"))
    assert [c["name"] for c in containers] == ["web", "sidecar"]
    assert containers[0]["image"] == "web:2"
    assert containers[0]["env"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": "3"},
        {"name": "C", "value": "4"},
    ]
    assert [v["name"] for v in to_plain(get_path(spec, "volumes"))] == ["data", "logs"]
    assert to_plain(get_path(spec, "tolerations")) == [
        {"key": "b", "operator": "Exists"}
    ]  # no merge key: replaced


def test_replace_and_delete_directives() -> None:
    replaced = _merge(
        DEPLOYMENT,
        "spec:\n  template:\n    spec:\n      containers:\n        - $patch: replace\n        - name: only\n",
    )
    assert replaced is not None
    assert to_plain(get_path(replaced, "spec", "template", "spec", "containers")) == [{"name": "only"}]
    whole_map = _merge(DEPLOYMENT, "metadata:\n  labels:\n    $patch: replace\n    new: label\n")
    assert whole_map is not None and to_plain(get_path(whole_map, "metadata", "labels")) == {"new": "label"}
    assert _merge(DEPLOYMENT, "$patch: delete\n") is None


def test_lists_of_custom_resources_and_claim_templates_are_replaced() -> None:
    sts = _doc(
        "apiVersion: apps/v1\nkind: StatefulSet\nspec:\n  volumeClaimTemplates:\n"
        "    - metadata: {name: data}\n      spec: {storageClassName: a}\n"
        "    - metadata: {name: logs}\n      spec: {storageClassName: b}\n"
    )
    patch = _doc(
        "spec:\n  volumeClaimTemplates:\n    - metadata: {name: data}\n      spec: {storageClassName: c}\n"
    )
    merged = StrategicMerge("apps", "StatefulSet").apply(sts, patch)
    assert merged is not None
    templates = to_plain(get_path(merged, "spec", "volumeClaimTemplates"))
    assert templates == [{"metadata": {"name": "data"}, "spec": {"storageClassName": "c"}}]
    crd = _doc(
        "apiVersion: example.com/v1\nkind: Thing\nspec:\n  containers:\n    - {name: a}\n    - {name: b}\n"
    )
    merged = StrategicMerge("example.com", "Thing").apply(
        crd, _doc("spec:\n  containers:\n    - {name: a, x: 1}\n")
    )
    assert merged is not None and to_plain(get_path(merged, "spec", "containers")) == [{"name": "a", "x": 1}]


def test_json_patch_operations() -> None:
    pvc = _doc(
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n  labels: {a/b: x}\n"
        "spec:\n  storageClassName: managed-csi\n  accessModes: [ReadWriteOnce]\n"
    )
    ops = _doc(
        "- op: replace\n  path: /spec/storageClassName\n  value: azurefile-csi\n"
        "- op: add\n  path: /spec/accessModes/-\n  value: ReadOnlyMany\n"
        "- op: add\n  path: /spec/accessModes/0\n  value: ReadWriteMany\n"
        "- op: remove\n  path: /metadata/labels/a~1b\n"
        "- op: copy\n  from: /metadata/name\n  path: /spec/volumeName\n"
        "- op: test\n  path: /spec/volumeName\n  value: data\n",
        "ops.yaml",
    )
    result = JsonPatch(ops).apply(pvc)
    assert to_plain(result) == {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data", "labels": {}},
        "spec": {
            "storageClassName": "azurefile-csi",
            "accessModes": ["ReadWriteMany", "ReadWriteOnce", "ReadOnlyMany"],
            "volumeName": "data",
        },
    }
    value = get_path(result, "spec", "storageClassName")
    assert (value.span.file, value.span.line, value.span.column) == ("ops.yaml", 3, 3)


@pytest.mark.parametrize(
    ("ops", "message"),
    [
        ("- {op: replace, path: /spec/missing, value: x}", "does not exist"),
        ("- {op: remove, path: /spec/a/b}", "does not exist"),
        ("- {op: add, path: /spec/list/5, value: x}", "out of range"),
        ("- {op: test, path: /spec/a, value: 2}", "fails"),
        ("- {op: frobnicate, path: /spec/a}", "unknown JSON patch operation"),
        ("- {op: add, path: spec/a, value: 1}", 'does not start with "/"'),
        ("{op: add}", "must be a list"),
    ],
)
def test_json_patch_failures_are_reported(ops: str, message: str) -> None:
    doc = _doc("spec:\n  a: 1\n  list: [x]\n")
    with pytest.raises(PatchError, match=message):
        JsonPatch(_doc(ops, "ops.yaml")).apply(doc)


def test_json_patch_through_an_unknown_value_is_unknown() -> None:
    doc = Known({"spec": Unknown("template expression")})
    result = JsonPatch(_doc("- {op: replace, path: /spec/storageClassName, value: x}")).apply(doc)
    assert isinstance(get_path(result, "spec"), Unknown)


def test_label_selectors() -> None:
    reqs = parse("app in (web, api), tier!=db, !legacy, env, rank>2")
    assert matches(reqs, {"app": "web", "env": "prod", "rank": "3"}) is True
    assert matches(reqs, {"app": "web", "env": "prod", "rank": "3", "legacy": "1"}) is False
    assert matches(reqs, {"app": "db", "env": "prod", "rank": "3"}) is False
    assert matches(reqs, {"app": None, "env": "prod", "rank": "3"}) is None  # the label's value is unknown
    assert matches(parse("app=web"), {"app": "web"}) is True and matches(parse(""), {}) is True
    with pytest.raises(SelectorError):
        parse("app in web")


def test_inline_patch_values_are_positioned_in_the_kustomization() -> None:
    kustomization = (
        "patches:\n"
        "  - target: {kind: PersistentVolumeClaim}\n"
        "    patch: |-\n"
        "      - op: replace\n"
        "        path: /spec/storageClassName\n"
        "        value: azurefile-csi\n"
        '  - patch: \'[{"op": "remove", "path": "/spec/x"}]\'\n'
    )
    outer = _doc(kustomization, "kustomization.yaml")
    block, quoted = get_path(outer, "patches", 0, "patch"), get_path(outer, "patches", 1, "patch")
    docs, problem = load_embedded(block.value, kustomization, block.span)
    assert problem is None
    value = get_path(docs[0].value, 0, "value")
    assert (value.span.file, value.span.line, value.span.column) == ("kustomization.yaml", 6, 9)
    docs, problem = load_embedded(quoted.value, kustomization, quoted.span)
    assert problem is None
    path = get_path(docs[0].value, 0, "path")
    assert (path.span.line, path.span.column) == (7, 31)  # the "path" key inside the quotes
    broken, problem = load_embedded(
        "a: [", "x: |-\n  a: [\n", get_path(_doc("x: |-\n  a: [\n", "k.yaml"), "x").span
    )
    assert problem is not None and problem.line == 2
