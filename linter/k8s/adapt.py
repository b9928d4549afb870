"""Kubernetes objects (positioned YAML values) onto the canonical kinds of ``linter/kinds.py``.

One manifest document may give several resources: a ``List`` gives its items, a StatefulSet
gives itself plus one claim per ``volumeClaimTemplates`` entry (those are the PVCs the
controller creates, and the ones backup sees). The same mapping is used for the
``kubernetes_manifest`` resource of the Terraform kubernetes provider, whose ``manifest`` is the
same object written in HCL.
"""

from __future__ import annotations

from dataclasses import dataclass

from linter import kinds
from linter.graph import Resource
from linter.model import ABSENT, Known, RelatedLocation, Span, Unknown, Value, as_bool, get_path
from linter.quantity import parse_quantity

DEFAULT_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)
LEGACY_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"
#: kinds whose pods come from ``spec.template``
TEMPLATED_WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}
#: kinds that describe tooling, not objects deployed to a cluster
NOT_DEPLOYED = {"Kustomization", "Component"}
IN_TREE_PLUGINS = ("azureDisk", "azureFile")
#: PersistentVolume ``spec`` fields that are not its volume source (``csi``, ``nfs``, ``hostPath`` ...)
PV_SPEC_FIELDS = {
    "accessModes",
    "capacity",
    "claimRef",
    "mountOptions",
    "nodeAffinity",
    "persistentVolumeReclaimPolicy",
    "storageClassName",
    "volumeMode",
    "volumeAttributesClassName",
}


@dataclass
class Origin:
    """Where a document came from: its file, and what a kustomization layered over it."""

    file: str
    language: str = "kubernetes"
    stack: str = ""
    address_prefix: str = ""
    #: the address to use instead of the document's own kind/namespace/name (an object rendered by
    #: kustomize keeps the identity written in its source, so each overlay reports it alike)
    address: str = ""
    context: tuple[RelatedLocation, ...] = ()


def text(value: Value) -> str | None:
    return value.value if isinstance(value, Known) and isinstance(value.value, str) else None


def lower_keys(value: Value) -> Value:
    """A dict with lower-cased keys (storage-class parameters are case-insensitive)."""
    if isinstance(value, Known) and isinstance(value.value, dict):
        return Known({k.lower(): v for k, v in value.value.items()}, value.span, value.via)
    return value


def quantity(value: Value) -> Value:
    """A quantity value as bytes; a malformed quantity is Unknown (the API server would reject it)."""
    if isinstance(value, Known) and isinstance(value.value, str | int | float):
        parsed = parse_quantity(value.value)
        if parsed is None:
            return Unknown(f"not a Kubernetes quantity: {value.value!r}", value.span)
        return Known(parsed, value.span, value.via)
    return value


def adapt(doc: Value, origin: Origin) -> list[Resource]:
    """Resources for one document (nothing for a document that is not a Kubernetes object)."""
    if not (isinstance(doc, Known) and isinstance(doc.value, dict)):
        return []
    api_version, kind = get_path(doc, "apiVersion"), get_path(doc, "kind")
    kind_s = text(kind)
    if text(api_version) is None or kind_s is None:
        return []
    if kind_s.endswith("List") and isinstance(get_path(doc, "items"), Known):
        out: list[Resource] = []
        for item in _list(get_path(doc, "items")):
            out.extend(adapt(item, origin))
        return out
    if kind_s in NOT_DEPLOYED:
        return []
    return _adapt_object(doc, kind_s, origin)


def _list(value: Value) -> list[Value]:
    return list(value.value) if isinstance(value, Known) and isinstance(value.value, list) else []


def _adapt_object(doc: Known, kind_s: str, origin: Origin) -> list[Resource]:
    api = text(get_path(doc, "apiVersion")) or ""
    group = api.split("/")[0] if "/" in api else ""
    name = get_path(doc, "metadata", "name")
    namespace = get_path(doc, "metadata", "namespace")
    canonical = _canonical(kind_s, group)
    res = Resource(
        kind=canonical,
        address=origin.address or address(doc, origin.file, origin.address_prefix),
        language=origin.language,
        span=header(doc, origin.file),
        source_type=f"{api}/{kind_s}",
        stack=origin.stack,
        context=origin.context,
    )
    _put(res, "name", name)
    _put(res, "labels", get_path(doc, "metadata", "labels"))
    _put(res, "annotations", get_path(doc, "metadata", "annotations"))
    out = [res]
    if canonical == kinds.STORAGE_CLASS:
        _storage_class(res, doc)
    elif canonical == kinds.PERSISTENT_VOLUME:
        _volume(res, doc)
    elif canonical == kinds.PERSISTENT_VOLUME_CLAIM:
        _put(res, "namespace", namespace)
        _claim(res, doc)
    elif canonical == kinds.K8S_OBJECT:
        _put(res, "api_version", get_path(doc, "apiVersion"))
        _put(res, "kind", get_path(doc, "kind"))
        _put(res, "namespace", namespace)
        out.extend(_workload(res, doc, kind_s, namespace, origin))
        out.extend(_gitops_releases(res, doc, kind_s, group, namespace, origin))
    return out


def _gitops_releases(
    res: Resource, doc: Known, kind_s: str, group: str, namespace: Value, origin: Origin
) -> list[Resource]:
    """Helm releases declared for a GitOps controller: Flux ``HelmRelease``, Argo CD ``Application``."""
    sources: list[tuple[Value, Value, Value]] = []  # (chart, repository, target namespace)
    if kind_s == "HelmRelease" and group.startswith("helm.toolkit.fluxcd.io"):
        target = get_path(doc, "spec", "targetNamespace")
        target = namespace if target is ABSENT else target
        spec = get_path(doc, "spec", "chart", "spec")
        sources.append((get_path(spec, "chart"), get_path(spec, "sourceRef", "name"), target))
    elif kind_s in ("Application", "ApplicationSet") and group == "argoproj.io":
        spec = get_path(doc, "spec") if kind_s == "Application" else get_path(doc, "spec", "template", "spec")
        target = get_path(spec, "destination", "namespace")
        for source in [get_path(spec, "source"), *_list(get_path(spec, "sources"))]:
            if get_path(source, "chart") is not ABSENT:
                sources.append((get_path(source, "chart"), get_path(source, "repoURL"), target))
    out = []
    for chart, repository, target in sources:
        name = text(chart)
        if name is None:
            continue
        release = Resource(
            kind=kinds.HELM_RELEASE,
            address=f"{res.address}/chart:{name}",
            language=res.language,
            span=getattr(chart, "span", None) or res.span,
            source_type=res.source_type,
            stack=origin.stack,
            context=origin.context,
        )
        release.attrs["name"] = get_path(doc, "metadata", "name")
        release.attrs["chart"] = chart
        _put(release, "repository", repository)
        _put(release, "namespace", target)
        out.append(release)
    return out


def _canonical(kind_s: str, group: str) -> str:
    if kind_s == "StorageClass" and group.startswith("storage.k8s.io"):
        return kinds.STORAGE_CLASS
    if group == "" and kind_s == "PersistentVolume":
        return kinds.PERSISTENT_VOLUME
    if group == "" and kind_s == "PersistentVolumeClaim":
        return kinds.PERSISTENT_VOLUME_CLAIM
    if group == "" and kind_s == "Namespace":
        return kinds.NAMESPACE
    return kinds.K8S_OBJECT


def header(doc: Known, file: str) -> Span:
    """The ``kind:`` line, else the object's start, else the file (values built without spans)."""
    kind = get_path(doc, "kind")
    return getattr(kind, "span", None) or doc.span or Span(file, 1, 1)


def address(doc: Known, file: str, prefix: str = "") -> str:
    """``Kind/namespace/name`` as the document writes them (``<file:line>`` for an unnamed object)."""
    parts = [text(get_path(doc, "kind")) or "?"]
    ns = text(get_path(doc, "metadata", "namespace"))
    if ns:
        parts.append(ns)
    n = text(get_path(doc, "metadata", "name"))
    if n is None:
        span = header(doc, file)
        n = f"<{span.file.rsplit('/', 1)[-1]}:{span.line}>"
    parts.append(n)
    return prefix + "/".join(parts)


def _put(res: Resource, attr: str, value: Value) -> None:
    if value is not ABSENT:
        res.attrs[attr] = value


def _storage_class(res: Resource, doc: Known) -> None:
    _put(res, "provisioner", get_path(doc, "provisioner"))
    _put(res, "parameters", lower_keys(get_path(doc, "parameters")))
    _put(res, "volume_binding_mode", get_path(doc, "volumeBindingMode"))
    for key in DEFAULT_CLASS_ANNOTATIONS:
        value = get_path(doc, "metadata", "annotations", key)
        if isinstance(value, Known):
            flag = as_bool(value)
            res.attrs["is_default"] = Known(flag is True, value.span)
            break
        if isinstance(value, Unknown):
            res.attrs["is_default"] = value
            break


def _class_name(res: Resource, doc: Known) -> None:
    value = get_path(doc, "spec", "storageClassName")
    if value is ABSENT:  # the pre-1.6 beta annotation still works on the API server
        value = get_path(doc, "metadata", "annotations", LEGACY_CLASS_ANNOTATION)
    _put(res, "storage_class_name", value)


def _volume(res: Resource, doc: Known) -> None:
    _class_name(res, doc)
    _put(res, "capacity_bytes", quantity(get_path(doc, "spec", "capacity", "storage")))
    _put(res, "csi_driver", get_path(doc, "spec", "csi", "driver"))
    _put(res, "volume_attributes", lower_keys(get_path(doc, "spec", "csi", "volumeAttributes")))
    for plugin in IN_TREE_PLUGINS:
        value = get_path(doc, "spec", plugin)
        if value is not ABSENT:
            res.attrs["in_tree"] = Known(plugin, getattr(value, "span", None))
            break
    spec = get_path(doc, "spec")
    if isinstance(spec, Known) and isinstance(spec.value, dict):
        for key, value in spec.value.items():
            if key not in PV_SPEC_FIELDS:
                res.attrs["volume_source"] = Known(key, getattr(value, "span", None))
                break


def _claim(res: Resource, doc: Known) -> None:
    _class_name(res, doc)
    _put(res, "request_bytes", quantity(get_path(doc, "spec", "resources", "requests", "storage")))
    _put(res, "volume_name", get_path(doc, "spec", "volumeName"))


def _pod_template(doc: Known, kind_s: str) -> Value:
    if kind_s in TEMPLATED_WORKLOADS:
        return get_path(doc, "spec", "template")
    if kind_s == "CronJob":
        return get_path(doc, "spec", "jobTemplate", "spec", "template")
    if kind_s == "Pod":
        return doc
    return ABSENT


def _workload(res: Resource, doc: Known, kind_s: str, namespace: Value, origin: Origin) -> list[Resource]:
    template = _pod_template(doc, kind_s)
    if template is not ABSENT:
        _pod(res, template, kind_s)
    return _claim_templates(res, doc, kind_s, namespace, origin) if kind_s == "StatefulSet" else []


def _pod(res: Resource, template: Value, kind_s: str) -> None:
    """Pod-template metadata (Velero annotations live there) and inline in-tree volumes."""
    if kind_s != "Pod":
        _put(res, "template_labels", get_path(template, "metadata", "labels"))
        _put(res, "template_annotations", get_path(template, "metadata", "annotations"))
    inline: list[Value] = []
    for volume in _list(get_path(template, "spec", "volumes")):
        for plugin in IN_TREE_PLUGINS:
            value = get_path(volume, plugin)
            if value is not ABSENT:
                inline.append(Known(plugin, getattr(value, "span", None)))
    if inline:
        res.attrs["in_tree_volumes"] = Known(inline, res.span)


def _claim_templates(
    res: Resource, doc: Known, kind_s: str, namespace: Value, origin: Origin
) -> list[Resource]:
    """The claims a StatefulSet's controller creates: one per ``volumeClaimTemplates`` entry."""
    claims = []
    if kind_s == "StatefulSet":
        for tmpl in _list(get_path(doc, "spec", "volumeClaimTemplates")):
            if not (isinstance(tmpl, Known) and isinstance(tmpl.value, dict)):
                continue
            claim = Resource(
                kind=kinds.PERSISTENT_VOLUME_CLAIM,
                address=f"{res.address}/volumeClaimTemplates/{text(get_path(tmpl, 'metadata', 'name')) or '?'}",
                language=res.language,
                span=tmpl.span or res.span,
                source_type=f"{res.source_type}.volumeClaimTemplates",
                stack=origin.stack,
                context=origin.context,
            )
            _put(claim, "name", get_path(tmpl, "metadata", "name"))
            _put(claim, "namespace", namespace)
            _put(claim, "labels", get_path(tmpl, "metadata", "labels"))
            _put(claim, "annotations", get_path(tmpl, "metadata", "annotations"))
            _claim(claim, tmpl)
            replicas = get_path(doc, "spec", "replicas")
            claim.attrs["replicas"] = Known(1, claim.span) if replicas is ABSENT else replicas
            claims.append(claim)
    return claims
