"""What a kustomize build carries: objects with the ids kustomize tracks, and what stays unknown.

kustomize identifies an object by group, version, kind, name and namespace, and remembers every
id it had before a transformer renamed it (``StorePreviousId``): patches and ``replicas`` select
by any of them, the name-reference fix by the previous ones. Namespaces compare "effectively":
none and ``default`` are the same, and cluster-scoped kinds have none
(``kyaml/resid/resid.go``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from linter.k8s.adapt import text
from linter.model import Known, Span, Value, get_path

NOT_A_NAMESPACE = "_non_namespaceable_"


#: (API group, kind) kustomize knows to be cluster-scoped (kyaml/openapi ``precomputedIsNamespaceScoped``)
CLUSTER_SCOPED = {
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("networking.k8s.io", "IngressClass"),
    ("node.k8s.io", "RuntimeClass"),
    ("policy", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("", "ComponentStatus"),
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
}


@dataclass(frozen=True)
class ResId:
    """What kustomize identifies an object by: group, version, kind, name, namespace."""

    group: str
    version: str
    kind: str
    name: str
    namespace: str

    @property
    def cluster_scoped(self) -> bool:
        return (self.group, self.kind) in CLUSTER_SCOPED

    @property
    def effective_namespace(self) -> str:
        if self.cluster_scoped:
            return NOT_A_NAMESPACE
        return self.namespace or "default"

    def same(self, other: ResId) -> bool:
        """kustomize's ``ResId.Equals``: same group, version, kind, name and effective namespace."""
        return (self.group, self.version, self.kind, self.name, self.effective_namespace) == (
            other.group,
            other.version,
            other.kind,
            other.name,
            other.effective_namespace,
        )


def res_id(doc: Value) -> ResId:
    api = text(get_path(doc, "apiVersion")) or ""
    group, _, version = api.rpartition("/")
    return ResId(
        group,
        version,
        text(get_path(doc, "kind")) or "",
        text(get_path(doc, "metadata", "name")) or "",
        text(get_path(doc, "metadata", "namespace")) or "",
    )


@dataclass(frozen=True)
class KObject:
    """One object on its way through a build: its document and the history kustomize keeps."""

    doc: Known
    header: Span  # its ``kind:`` line in the source file
    address: str  # kind/namespace/name as written in the source
    previous: tuple[ResId, ...] = ()  # ids it had before each rename, oldest first
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    patches: tuple[Span, ...] = ()  # the patches that changed it
    entry: Span | None = None  # the entry of the outermost kustomization so far that includes it

    @property
    def current(self) -> ResId:
        return res_id(self.doc)

    @property
    def original(self) -> ResId:
        return self.previous[0] if self.previous else self.current

    def ids(self) -> tuple[ResId, ...]:
        return (*self.previous, self.current)

    def remember(self) -> KObject:
        """kustomize's ``StorePreviousId``, called before a transformer may rename the object."""
        return replace(self, previous=(*self.previous, self.current))


@dataclass(frozen=True)
class Unresolved:
    """Something a kustomization holds that is not evaluated, and what stays unknown because of it."""

    span: Span
    what: str  # a sentence: what is not evaluated and what is therefore unknown
    adds_objects: bool = True  # objects may exist that the build does not show (a patch may target them)


@dataclass(frozen=True)
class Failure:
    """A reason ``kustomize build`` would fail, at the entry that causes it."""

    span: Span
    message: str


@dataclass(frozen=True)
class ChartEntry:
    """One ``helmCharts`` entry: the chart is known even though its objects are not rendered."""

    entry: Known
    namespace: Value


@dataclass
class Build:
    """What a kustomization produces: objects, what stays unknown, and the charts it inflates."""

    objects: list[KObject] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    charts: list[ChartEntry] = field(default_factory=list)

    def absorb(self, other: Build, entry: Span | None) -> None:
        self.objects.extend(replace(o, entry=entry or o.entry) for o in other.objects)
        self.unresolved.extend(other.unresolved)
        self.charts.extend(other.charts)


def objects_of(doc: Value, file: str) -> Iterator[Known]:
    """The Kubernetes objects of one document (a ``List`` gives its items)."""
    if not (isinstance(doc, Known) and isinstance(doc.value, dict)):
        return
    kind = text(get_path(doc, "kind"))
    if text(get_path(doc, "apiVersion")) is None or kind is None:
        return
    items = get_path(doc, "items")
    if kind.endswith("List") and isinstance(items, Known) and isinstance(items.value, list):
        for item in items.value:
            yield from objects_of(item, file)
        return
    yield doc
