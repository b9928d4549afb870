"""Terraform kubernetes and helm providers onto the canonical Kubernetes kinds (iac-mapping R06, R09).

The same kinds and attribute names as Kubernetes YAML (``linter.k8s.adapt``), so the volume and
Velero rules read one shape: ``kubernetes_storage_class`` writes ``storage_provisioner`` where
YAML writes ``provisioner``, ``persistent_volume_source { csi { driver } }`` where YAML writes
``spec.csi.driver``. ``kubernetes_manifest`` holds the YAML object itself and goes through the
YAML mapping unchanged.
"""

from __future__ import annotations

from linter import kinds
from linter.graph import Resource
from linter.k8s.adapt import DEFAULT_CLASS_ANNOTATIONS, Origin, adapt, lower_keys, quantity
from linter.model import ABSENT, Known, Unknown, Value, as_bool, get_path
from linter.terraform.adapters import adapts, new_resource, put
from linter.terraform.module import BlockView, ResourceInstance

_IN_TREE = (("azure_disk", "azureDisk"), ("azure_file", "azureFile"))


def _first(blocks: list[BlockView]) -> BlockView | None:
    return blocks[0] if blocks else None


def _metadata(res: Resource, inst: ResourceInstance, namespaced: bool) -> None:
    meta = _first(inst.blocks("metadata"))
    if meta is None:
        return
    put(res, "name", meta.attr("name"))
    put(res, "labels", meta.attr("labels"))
    put(res, "annotations", meta.attr("annotations"))
    if namespaced:
        put(res, "namespace", meta.attr("namespace"))


@adapts("kubernetes_storage_class", "kubernetes_storage_class_v1")
def storage_class(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.STORAGE_CLASS)
    _metadata(res, inst, namespaced=False)
    put(res, "provisioner", inst.attr("storage_provisioner"))
    put(res, "parameters", lower_keys(inst.attr("parameters")))
    put(res, "volume_binding_mode", inst.attr("volume_binding_mode"))
    annotations = res.attr("annotations")
    for key in DEFAULT_CLASS_ANNOTATIONS:
        value = get_path(annotations, key)
        if isinstance(value, Known):
            res.attrs["is_default"] = Known(as_bool(value) is True, value.span)
            break
        if isinstance(value, Unknown):
            res.attrs["is_default"] = value
            break
    return [res]


def _if_present(block: BlockView, value: Value) -> Value:
    """``value`` for a block that exists; unknown for the stand-in of an unknown ``dynamic`` block."""
    return block.presence if isinstance(block.presence, Unknown) else value


def _map_entry(value: Value, key: str) -> Value:
    return get_path(value, key)


@adapts("kubernetes_persistent_volume", "kubernetes_persistent_volume_v1")
def persistent_volume(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.PERSISTENT_VOLUME)
    _metadata(res, inst, namespaced=False)
    spec = _first(inst.blocks("spec"))
    if spec is None:
        return [res]
    put(res, "storage_class_name", spec.attr("storage_class_name"))
    put(res, "capacity_bytes", quantity(_map_entry(spec.attr("capacity"), "storage")))
    source = _first(spec.blocks("persistent_volume_source"))
    if source is not None:
        csi = _first(source.blocks("csi"))
        if csi is not None:
            put(res, "csi_driver", csi.attr("driver"))
            put(res, "volume_attributes", lower_keys(csi.attr("volume_attributes")))
        for block_name, plugin in _IN_TREE:
            found = _first(source.blocks(block_name))
            if found is not None:
                res.attrs["in_tree"] = _if_present(found, Known(plugin, found.span))
                break
        for block in source.block.body.blocks:
            res.attrs["volume_source"] = Known(_camel(block.type), block.span)
            break
    return [res]


def _camel(name: str) -> str:
    """``host_path`` -> ``hostPath``: the provider's block names are the API's fields in snake case."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


@adapts("kubernetes_persistent_volume_claim", "kubernetes_persistent_volume_claim_v1")
def persistent_volume_claim(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.PERSISTENT_VOLUME_CLAIM)
    _metadata(res, inst, namespaced=True)
    spec = _first(inst.blocks("spec"))
    if spec is None:
        return [res]
    put(res, "storage_class_name", spec.attr("storage_class_name"))
    put(res, "volume_name", spec.attr("volume_name"))
    resources = _first(spec.blocks("resources"))
    if resources is not None:
        put(res, "request_bytes", quantity(_map_entry(resources.attr("requests"), "storage")))
    return [res]


@adapts("kubernetes_namespace", "kubernetes_namespace_v1")
def namespace(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.NAMESPACE)
    _metadata(res, inst, namespaced=False)
    return [res]


_WORKLOADS = {
    "kubernetes_deployment": "Deployment",
    "kubernetes_deployment_v1": "Deployment",
    "kubernetes_daemonset": "DaemonSet",
    "kubernetes_daemon_set_v1": "DaemonSet",
    "kubernetes_stateful_set": "StatefulSet",
    "kubernetes_stateful_set_v1": "StatefulSet",
    "kubernetes_pod": "Pod",
    "kubernetes_pod_v1": "Pod",
}


@adapts(*_WORKLOADS)
def workload(inst: ResourceInstance) -> list[Resource]:
    """Workloads: their labels (Velero markers) and inline in-tree volumes."""
    kind = _WORKLOADS[inst.type]
    res = new_resource(inst, kinds.K8S_OBJECT)
    _metadata(res, inst, namespaced=True)
    res.attrs["kind"] = Known(kind, inst.block.span)
    res.attrs["api_version"] = Known("v1" if kind == "Pod" else "apps/v1", inst.block.span)
    spec = _first(inst.blocks("spec"))
    if spec is None:
        return [res]
    pod_spec: BlockView | None = spec
    if kind != "Pod":
        template = _first(spec.blocks("template"))
        pod_spec = None
        if template is not None:
            meta = _first(template.blocks("metadata"))
            if meta is not None:
                put(res, "template_labels", meta.attr("labels"))
                put(res, "template_annotations", meta.attr("annotations"))
            pod_spec = _first(template.blocks("spec"))
    if pod_spec is not None:
        inline: list[Value] = []
        for volume in pod_spec.blocks("volume"):
            for block_name, plugin in _IN_TREE:
                found = _first(volume.blocks(block_name))
                if found is not None:
                    inline.append(_if_present(found, Known(plugin, found.span)))
        if inline:
            res.attrs["in_tree_volumes"] = Known(inline, res.span)
    return [res]


@adapts("kubernetes_manifest")
def manifest(inst: ResourceInstance) -> list[Resource]:
    """The ``manifest`` object is a Kubernetes object: mapped exactly as YAML is."""
    value = inst.attr("manifest")
    origin = Origin(file=inst.block.span.file, language="terraform", address_prefix=f"{inst.address}:")
    out = []
    for res in adapt(value, origin):
        template = new_resource(inst, res.kind, address=res.address)
        template.attrs, template.refs = res.attrs, res.refs
        template.source_type = f"kubernetes_manifest {res.source_type}"
        if "/volumeClaimTemplates/" in res.address:  # a claim template: keep its own position
            template.span = res.span
            template.ids = set()
        out.append(template)
    return out


@adapts("helm_release")
def helm_release(inst: ResourceInstance) -> list[Resource]:
    res = new_resource(inst, kinds.HELM_RELEASE)
    put(res, "name", inst.attr("name"))
    put(res, "chart", inst.attr("chart"))
    put(res, "repository", inst.attr("repository"))
    ns = inst.attr("namespace")
    res.attrs["namespace"] = Known("default", inst.block.span) if ns is ABSENT else ns
    return [res]
