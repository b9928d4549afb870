"""Kustomize as ``kustomize build`` evaluates it, for the parts that decide what the rules see.

Followed from kubernetes-sigs/kustomize (``api/internal/target/kusttarget.go``,
``api/types/kustomization.go`` and the builtin plugins): a kustomization accumulates its
``resources`` (files, and directories holding another kustomization, which is built on its own
first; ``bases`` is the legacy spelling), then its generators, then its ``components`` (which
work on what has been accumulated so far, as if written in the including kustomization), then
runs its transformers in kustomize's fixed order: ``patchesStrategicMerge``, ``patches``,
``namespace``, ``namePrefix``, ``nameSuffix``, ``labels``/``commonLabels``,
``commonAnnotations``, ``patchesJson6902``, ``replicas``. Once the whole root is accumulated,
references to renamed storage classes and volumes are rewritten, as kustomize does once per
build (its name-reference fix; ``namereference.go`` lists which fields refer to what).

Kustomize tracks an object by every id it has had (kind, name, namespace before each rename):
patches and replicas select by any of them, and the name-reference fix by the previous ones.

Not evaluated; the objects they would produce stay unknown (never absent) and ``unresolved``
names them for AKSB902 notes: remote resources (URLs, git), missing local paths,
``configMapGenerator``/``secretGenerator``, ``helmCharts`` (the chart itself is returned as a
Helm release), generator, transformer and validator plugins, ``replacements`` and ``vars``.
``images`` and ``openapi`` change nothing the rules read and are ignored.

A kustomization kustomize refuses to build (a cycle, a patch that matches nothing when every
object is known, a JSON patch path that does not exist) gives a ``Failure``: the loader turns it
into one AKSB000 at the entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from linter.k8s import selector
from linter.k8s.adapt import address, header
from linter.k8s.patch import JsonPatch, PatchError, StrategicMerge
from linter.k8s.yamlpos import Document, YamlProblem
from linter.model import ABSENT, Known, Span, Unknown, Value, get_path
from linter.values import text

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
KUSTOMIZE_API = "kustomize.config.k8s.io/"
COMPONENT = "Component"
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
#: kinds namePrefix/nameSuffix leave alone (PrefixTransformer ``prefixFieldSpecsToSkip``)
NOT_RENAMED = {"CustomResourceDefinition", "APIService", "Namespace"}
REPLICATED = {"Deployment", "ReplicationController", "ReplicaSet", "StatefulSet"}
#: pod-template metadata paths per kind (``metadatalabels.go``, ``commonannotations.go``)
_TEMPLATE_META: dict[str, tuple[tuple[str, ...], ...]] = {
    "ReplicationController": (("spec", "template", "metadata"),),
    "Deployment": (("spec", "template", "metadata"),),
    "ReplicaSet": (("spec", "template", "metadata"),),
    "DaemonSet": (("spec", "template", "metadata"),),
    "StatefulSet": (("spec", "template", "metadata"),),
    "Job": (("spec", "template", "metadata"),),
    "CronJob": (("spec", "jobTemplate", "metadata"), ("spec", "jobTemplate", "spec", "template", "metadata")),
}
_REMOTE = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://|git@|github\.com/|gitlab\.com/|bitbucket\.org/)", re.IGNORECASE
)


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
    """Something a kustomization includes whose objects are unknown (not fetched, not generated)."""

    span: Span
    what: str


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


@dataclass(frozen=True)
class Config:
    """A kustomization file: its first document, where it is, and whether it is a Component."""

    path: Path
    doc: Known
    text: str  # the file's text, for inline patches' positions

    @property
    def directory(self) -> Path:
        return self.path.parent

    @property
    def span(self) -> Span:
        return self.doc.span or Span(str(self.path), 1)

    @property
    def is_component(self) -> bool:
        return text(get_path(self.doc, "kind")) == COMPONENT

    def field(self, name: str) -> Value:
        return get_path(self.doc, name)

    def items(self, *names: str) -> list[Value]:
        out: list[Value] = []
        for name in names:
            value = self.field(name)
            if isinstance(value, Known) and isinstance(value.value, list):
                out.extend(value.value)
        return out


def is_kustomize_config(doc: Value) -> bool:
    """A kustomization document: kustomize's own apiVersion, or none (Flux's ``Kustomization`` is an object)."""
    if not (isinstance(doc, Known) and isinstance(doc.value, dict)):
        return False
    api = get_path(doc, "apiVersion")
    return api is ABSENT or (text(api) or "").startswith(KUSTOMIZE_API)


def kustomization_in(directory: Path) -> Path | None:
    for name in KUSTOMIZATION_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate.resolve()
    return None


def is_remote(entry: str) -> bool:
    return bool(_REMOTE.match(entry)) or "?ref=" in entry or entry.startswith("//")


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


def _span(value: Value, fallback: Span) -> Span:
    return getattr(value, "span", None) or fallback


class Reader:
    """What the builder needs from the loader: documents of a file, parsed once, problems reported."""

    def __init__(
        self,
        documents: Callable[[Path], list[Value]],
        file_text: Callable[[Path], str | None],
        embedded: Callable[[str, str, Span], tuple[list[Document], YamlProblem | None]],
    ) -> None:
        self.documents = documents
        self.file_text = file_text
        self.embedded = embedded


class Kustomizer:
    """Builds kustomizations; a kustomization included by several others is built once."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.failures: list[Failure] = []
        self.files: set[Path] = set()  # every file a kustomization refers to (not read on its own)
        self._configs: dict[Path, Config | None] = {}
        self._builds: dict[Path, Build] = {}
        self._building: list[Path] = []

    # --- kustomization files ------------------------------------------------------------------

    def config(self, path: Path) -> Config | None:
        """The kustomization at ``path`` (None when it is not a kustomize configuration)."""
        if path not in self._configs:
            docs = self.reader.documents(path)
            doc = docs[0] if docs else None
            if isinstance(doc, Known) and is_kustomize_config(doc):
                self.files.add(path)
                self._configs[path] = Config(path, doc, self.reader.file_text(path) or "")
            else:
                self._configs[path] = None
        return self._configs[path]

    def built(self, path: Path) -> bool:
        """Whether the kustomization at ``path`` has been built (as a root or for another one)."""
        return path in self._builds

    def includes(self, path: Path) -> list[Path]:
        """The kustomizations ``path`` includes directly (resource directories and components)."""
        cfg = self.config(path)
        if cfg is None:
            return []
        out = []
        for entry in cfg.items("resources", "bases", "components"):
            name = text(entry)
            if not name or is_remote(name):
                continue
            target = (cfg.directory / name).resolve()
            found = kustomization_in(target) if target.is_dir() else None
            if found is not None:
                out.append(found)
        return out

    # --- building -----------------------------------------------------------------------------

    def build(self, path: Path) -> Build:
        """The objects of the kustomization at ``path`` as ``kustomize build`` would output them."""
        built = self._child(path, None)
        if built is None:
            return Build()
        root = Build(list(built.objects), list(built.unresolved), list(built.charts))
        root.objects = fix_name_references(root.objects)
        return root

    def _child(self, path: Path, entry: Value | None) -> Build | None:
        cfg = self.config(path)
        if cfg is None:
            return None
        if path in self._building:
            chain = " -> ".join(p.parent.name or str(p) for p in (*self._building, path))
            self._fail(_span(entry, cfg.span), f"kustomization cycle: {chain}")
            return None
        if path not in self._builds:
            self._building.append(path)
            try:
                self._builds[path] = self._accumulate(cfg, Build(), checked=not cfg.is_component)
            finally:
                self._building.pop()
        return self._builds[path]

    def _accumulate(self, cfg: Config, ra: Build, *, checked: bool) -> Build:
        for entry in cfg.items("resources", "bases"):
            self._resource(cfg, entry, ra)
        self._generators(cfg, ra)
        for entry in cfg.items("components"):
            self._component(cfg, entry, ra)
        Transformers(self, cfg, ra, checked=checked).run()
        return ra

    def _fail(self, span: Span, message: str) -> None:
        self.failures.append(Failure(span, message))

    def _where(self, cfg: Config, entry: Value) -> Span:
        return _span(entry, cfg.span)

    def _resource(self, cfg: Config, entry: Value, ra: Build) -> None:
        name = text(entry)
        span = self._where(cfg, entry)
        if name is None:
            ra.unresolved.append(Unresolved(span, "a resources entry whose value is unknown"))
            return
        if is_remote(name):
            ra.unresolved.append(
                Unresolved(span, f'remote resource "{name}" (not fetched: the linter is offline)')
            )
            return
        target = (cfg.directory / name).resolve()
        if target.is_file():
            self.files.add(target)
            for doc in self.reader.documents(target):
                for obj in objects_of(doc, str(target)):
                    ra.objects.append(
                        KObject(obj, header(obj, str(target)), address(obj, str(target)), entry=span)
                    )
            return
        found = kustomization_in(target) if target.is_dir() else None
        if found is None:
            what = "directory without a kustomization file" if target.is_dir() else "path that does not exist"
            ra.unresolved.append(Unresolved(span, f'resource "{name}": {what}'))
            return
        child_cfg = self.config(found)
        if child_cfg is not None and child_cfg.is_component:
            self._fail(
                span, f'resource "{name}" is a Component; kustomize includes components under "components"'
            )
            return
        child = self._child(found, entry)
        if child is not None:
            ra.absorb(child, span)

    def _component(self, cfg: Config, entry: Value, ra: Build) -> None:
        name = text(entry)
        span = self._where(cfg, entry)
        if name is None or is_remote(name):
            ra.unresolved.append(Unresolved(span, f'component "{name or "?"}" (not fetched)'))
            return
        target = (cfg.directory / name).resolve()
        found = kustomization_in(target) if target.is_dir() else None
        comp = self.config(found) if found is not None else None
        if comp is None:
            ra.unresolved.append(Unresolved(span, f'component "{name}": no kustomization file there'))
            return
        if not comp.is_component:
            self._fail(span, f'component "{name}" is not of kind Component')
            return
        if found in self._building:
            self._fail(span, f'component "{name}" includes itself')
            return
        before = len(ra.objects)
        self._building.append(found)  # type: ignore[arg-type]
        try:
            self._accumulate(comp, ra, checked=True)
        finally:
            self._building.pop()
        ra.objects[before:] = [replace(o, entry=span) for o in ra.objects[before:]]

    def _generators(self, cfg: Config, ra: Build) -> None:
        for key in ("configMapGenerator", "secretGenerator"):
            for item in cfg.items(key):
                name = text(get_path(item, "name")) or "?"
                ra.unresolved.append(
                    Unresolved(self._where(cfg, item), f'{key} "{name}" (generated, not evaluated)')
                )
        for item in cfg.items("helmCharts", "helmChartInflationGenerator"):
            chart = text(get_path(item, "name")) or text(get_path(item, "chartName")) or "?"
            ra.unresolved.append(Unresolved(self._where(cfg, item), f'Helm chart "{chart}" (not rendered)'))
            if isinstance(item, Known):
                ra.charts.append(ChartEntry(item, get_path(cfg.doc, "namespace")))
        for item in cfg.items("generators"):
            ra.unresolved.append(Unresolved(self._where(cfg, item), "a generator plugin (not run)"))


def _labels_of(doc: Value, key: str) -> dict[str, str | None] | None:
    """An object's labels or annotations as strings (None values: unknown); None when all unknown."""
    value = get_path(doc, "metadata", key)
    if isinstance(value, Unknown):
        return None
    if not (isinstance(value, Known) and isinstance(value.value, dict)):
        return {}
    out: dict[str, str | None] = {}
    for k, v in value.value.items():
        out[k] = (
            text(v)
            if not (isinstance(v, Known) and isinstance(v.value, int | float | bool))
            else str(v.value)
        )
    return out


class Transformers:
    """One kustomization's transformers over the objects accumulated so far, in kustomize's order."""

    def __init__(self, owner: Kustomizer, cfg: Config, ra: Build, *, checked: bool) -> None:
        self.owner = owner
        self.cfg = cfg
        self.ra = ra
        self.checked = checked  # report a target that matches nothing (not for a component built alone)

    def run(self) -> None:
        for entry in self.cfg.items("patchesStrategicMerge"):
            self._legacy_strategic_merge(entry)
        for entry in self.cfg.items("patches"):
            self._patch(entry, json_only=False)
        self._namespace()
        self._affix("namePrefix")
        self._affix("nameSuffix")
        self._labels()
        self._annotations()
        for entry in self.cfg.items("patchesJson6902"):
            self._patch(entry, json_only=True)
        for entry in self.cfg.items("replicas"):
            self._replicas(entry)
        for key, what in (
            ("transformers", "a transformer plugin (not run)"),
            ("validators", "a validator plugin (not run)"),
            ("replacements", "a replacement (not applied)"),
            ("vars", "a var (not substituted)"),
        ):
            for item in self.cfg.items(key):
                self.ra.unresolved.append(Unresolved(self.owner._where(self.cfg, item), what))

    # --- helpers ------------------------------------------------------------------------------

    def _fail(self, span: Span, message: str) -> None:
        if self.checked:
            self.owner._fail(span, message)

    def _undecided(self, span: Span, what: str) -> None:
        self.ra.unresolved.append(Unresolved(span, what))

    def _value(self, value: Value) -> Value:
        """A label or annotation value of a transformer setting, as the string kustomize writes."""
        if isinstance(value, Known) and value.value is not None and not isinstance(value.value, dict | list):
            v = value.value
            return Known(("true" if v else "false") if isinstance(v, bool) else str(v), value.span, value.via)
        return value

    def _patch_documents(self, entry: Value, source: Value, *, inline: bool) -> list[Known] | None:
        """The documents of a patch given by path or inline; None when they cannot be read."""
        span = self.owner._where(self.cfg, source)
        body = text(source)
        if body is None:
            self._undecided(span, "a patch whose text is unknown")
            return None
        if inline:
            docs, problem = self.owner.reader.embedded(body, self.cfg.text, span)
            if problem is not None:
                self._fail(Span(span.file, problem.line, problem.column), f"patch: {problem.message}")
                return None
            return [d.value for d in docs if d.value.value is not None]
        path = (self.cfg.directory / body).resolve()
        if not path.is_file():
            self._undecided(span, f'patch file "{body}" (not found)')
            return None
        self.owner.files.add(path)
        return [d for d in self.owner.reader.documents(path) if isinstance(d, Known) and d.value is not None]

    def _select(self, target: Value, span: Span) -> list[int] | None:
        """Indexes of the objects ``target`` selects (kustomize's ``ResMap.Select``); None: cannot tell."""
        try:
            wanted = {
                k: re.compile(f"(?:{p})")
                for k in ("group", "version", "kind", "name", "namespace")
                if (p := text(get_path(target, k)))
            }
            labels = selector.parse(text(get_path(target, "labelSelector")) or "")
            notes = selector.parse(text(get_path(target, "annotationSelector")) or "")
        except (re.error, selector.SelectorError) as e:
            self._undecided(span, f"a patch target that cannot be evaluated ({e})")
            return None
        out = []
        undecided = False
        for index, obj in enumerate(self.ra.objects):
            cur, org = obj.current, obj.original
            if "namespace" in wanted and not any(
                wanted["namespace"].fullmatch(i.effective_namespace) for i in (org, cur)
            ):
                continue
            if "name" in wanted and not any(wanted["name"].fullmatch(i.name) for i in (org, cur)):
                continue
            if any(
                k in wanted and not wanted[k].fullmatch(getattr(cur, k)) for k in ("group", "version", "kind")
            ):
                continue
            verdicts = [
                selector.matches(reqs, found) if (found := _labels_of(obj.doc, key)) is not None else None
                for reqs, key in ((labels, "labels"), (notes, "annotations"))
                if reqs
            ]
            if any(v is False for v in verdicts):
                continue
            if any(v is None for v in verdicts):
                undecided = True
                continue
            out.append(index)
        if undecided:
            self._undecided(span, "a patch target matched against unknown labels or annotations")
        return out

    def _by_id(self, patch: Known) -> list[int]:
        wanted = res_id(patch)
        return [i for i, o in enumerate(self.ra.objects) if any(wanted.same(x) for x in o.ids())]

    def _no_target(self, span: Span, what: str) -> None:
        if self.ra.unresolved:
            self._undecided(span, f"{what} matches no object read here (it may patch an unresolved one)")
        else:
            self._fail(span, f"{what} matches no object")

    # --- patches ------------------------------------------------------------------------------

    def _legacy_strategic_merge(self, entry: Value) -> None:
        body = text(entry) or ""
        inline = "\n" in body or not (self.cfg.directory / body).is_file()
        docs = self._patch_documents(entry, entry, inline=inline and bool(body.strip()))
        for doc in docs or []:
            self._strategic_merge(doc, None, {}, self.owner._where(self.cfg, entry))

    def _patch(self, entry: Value, *, json_only: bool) -> None:
        span = self.owner._where(self.cfg, entry)
        path, body = get_path(entry, "path"), get_path(entry, "patch")
        if (path is ABSENT) == (body is ABSENT):
            self._fail(span, 'a patch needs exactly one of "path" and "patch"')
            return
        docs = self._patch_documents(entry, body if path is ABSENT else path, inline=path is ABSENT)
        if not docs:
            return
        target = get_path(entry, "target")
        options = {k: get_path(entry, "options", k) for k in ("allowNameChange", "allowKindChange")}
        allowed = {k for k, v in options.items() if isinstance(v, Known) and v.value is True}
        if json_only or isinstance(docs[0].value, list):
            if target is ABSENT:
                self._fail(span, "a JSON patch needs a target")
                return
            self._json(docs[0], target, span)
            return
        if target is not ABSENT and len(docs) > 1:
            self._fail(span, "a patches entry with a target holds one strategic merge patch, not several")
            return
        for doc in docs:
            self._strategic_merge(doc, target if target is not ABSENT else None, allowed, span)

    def _strategic_merge(self, patch: Known, target: Value | None, allowed: set[str], span: Span) -> None:
        if not isinstance(patch.value, dict):
            self._fail(patch.span or span, "a strategic merge patch must be a map")
            return
        if target is None:
            indexes = self._by_id(patch)
            wanted = res_id(patch)
            what = (
                f"strategic merge patch {wanted.kind}/{wanted.name} (namespace {wanted.effective_namespace})"
            )
            if not indexes:
                self._no_target(patch.span or span, what)
                return
            if len(indexes) > 1:
                self._fail(patch.span or span, f"{what} matches {len(indexes)} objects")
                return
        else:
            selected = self._select(target, span)
            if selected is None:
                return
            indexes = selected
            if not indexes:
                self._no_target(span, "patch target")
                return
        body = dict(patch.value)
        body.pop("apiVersion", None)
        if "allowKindChange" not in allowed:
            body.pop("kind", None)
        metadata = body.get("metadata")
        if isinstance(metadata, Known) and isinstance(metadata.value, dict):
            kept = {k: v for k, v in metadata.value.items() if k != "namespace"}
            if "allowNameChange" not in allowed:
                kept.pop("name", None)
            body["metadata"] = Known(kept, metadata.span, metadata.via)
        stripped = Known(body, patch.span, patch.via)
        for index in sorted(indexes, reverse=True):
            obj = self.ra.objects[index]
            if allowed:
                obj = obj.remember()
            cur = obj.current
            merged = StrategicMerge(cur.group, cur.kind).apply(obj.doc, stripped)
            if merged is None:
                del self.ra.objects[index]
            else:
                self.ra.objects[index] = replace(obj, doc=merged, patches=(*obj.patches, patch.span or span))

    def _json(self, ops: Known, target: Value, span: Span) -> None:
        try:
            patch = JsonPatch(ops)
        except PatchError as e:
            self._fail(e.span or span, f"patch: {e.message}")
            return
        indexes = self._select(target, span)
        if indexes is None:
            return
        if not indexes:
            self._no_target(span, "JSON patch target")
            return
        for index in indexes:
            obj = self.ra.objects[index].remember()
            try:
                result = patch.apply(obj.doc)
            except PatchError as e:
                self._fail(e.span or span, f"{obj.address}: {e.message}")
                continue
            if isinstance(result, Known) and isinstance(result.value, dict):
                self.ra.objects[index] = replace(obj, doc=result, patches=(*obj.patches, ops.span or span))

    # --- metadata transformers ----------------------------------------------------------------

    def _namespace(self) -> None:
        value = self.cfg.field("namespace")
        name = text(value)
        if name is None:
            return
        span = self.owner._where(self.cfg, value)
        setting = Known(name, span)
        out = []
        for obj in self.ra.objects:
            obj = obj.remember()
            cur = obj.current
            if cur.kind == "Namespace" and text(get_path(obj.doc, "apiVersion")) == "v1":
                obj = replace(obj, doc=_set(obj.doc, ("metadata", "name"), setting))
            elif not cur.cluster_scoped:
                obj = replace(obj, doc=_set(obj.doc, ("metadata", "namespace"), setting))
            out.append(obj)
        self.ra.objects = out

    def _affix(self, key: str) -> None:
        affix = text(self.cfg.field(key))
        if not affix:
            return
        out = []
        for obj in self.ra.objects:
            if obj.original.kind in NOT_RENAMED:
                out.append(obj)
                continue
            obj = obj.remember()
            current = get_path(obj.doc, "metadata", "name")
            name = text(current) or ""
            renamed = affix + name if key == "namePrefix" else name + affix
            where = getattr(current, "span", None) or obj.header
            obj = replace(obj, doc=_set(obj.doc, ("metadata", "name"), Known(renamed, where)))
            if key == "namePrefix":
                obj = replace(obj, prefixes=(*obj.prefixes, affix))
            else:
                obj = replace(obj, suffixes=(*obj.suffixes, affix))
            out.append(obj)
        self.ra.objects = out

    def _pairs(self, value: Value) -> dict[str, Value]:
        if not (isinstance(value, Known) and isinstance(value.value, dict)):
            return {}
        return {k: self._value(v) for k, v in value.value.items()}

    def _labels(self) -> None:
        sets: list[tuple[dict[str, Value], bool, bool]] = []  # (pairs, templates, claim templates)
        for item in self.cfg.items("labels"):
            pairs = self._pairs(get_path(item, "pairs"))
            selectors = get_path(item, "includeSelectors")
            everything = isinstance(selectors, Known) and selectors.value is True
            templates = everything or _true(get_path(item, "includeTemplates"))
            claims = everything or _true(get_path(item, "includeVolumeClaimTemplates"))
            sets.append((pairs, templates, claims))
        common = self._pairs(self.cfg.field("commonLabels"))
        if common:
            sets.append((common, True, True))
        for pairs, templates, claims in sets:
            if pairs:
                self.ra.objects = [
                    replace(o, doc=_metadata(o.doc, "labels", pairs, templates, claims))
                    for o in self.ra.objects
                ]

    def _annotations(self) -> None:
        pairs = self._pairs(self.cfg.field("commonAnnotations"))
        if pairs:
            self.ra.objects = [
                replace(o, doc=_metadata(o.doc, "annotations", pairs, True, False)) for o in self.ra.objects
            ]

    def _replicas(self, entry: Value) -> None:
        span = self.owner._where(self.cfg, entry)
        name, count = text(get_path(entry, "name")), get_path(entry, "count")
        if name is None:
            return
        matched = False
        for index, obj in enumerate(self.ra.objects):
            if obj.current.kind in REPLICATED and any(i.name == name for i in obj.ids()):
                matched = True
                self.ra.objects[index] = replace(obj, doc=_set(obj.doc, ("spec", "replicas"), count))
        if not matched:
            self._no_target(span, f'replicas "{name}"')


def _true(value: Value) -> bool:
    return isinstance(value, Known) and value.value is True


def _set(doc: Known, path: tuple[str, ...], value: Value) -> Known:
    """``doc`` with ``value`` at ``path``, creating the maps on the way (a new tree)."""
    key, rest = path[0], path[1:]
    current = dict(doc.value) if isinstance(doc.value, dict) else {}
    if rest:
        child = current.get(key)
        base = child if isinstance(child, Known) and isinstance(child.value, dict) else Known({}, doc.span)
        current[key] = _set(base, rest, value)
    else:
        current[key] = value
    return Known(current, doc.span, doc.via)


def _add_pairs(doc: Known, path: tuple[str, ...], pairs: dict[str, Value]) -> Known:
    existing = get_path(doc, *path)
    if isinstance(existing, Unknown):
        return doc
    merged = dict(existing.value) if isinstance(existing, Known) and isinstance(existing.value, dict) else {}
    merged.update(pairs)
    span = existing.span if isinstance(existing, Known) else doc.span
    return _set(doc, path, Known(merged, span))


def _metadata(doc: Known, key: str, pairs: dict[str, Value], templates: bool, claims: bool) -> Known:
    """Labels or annotations added where kustomize adds them (metadata; pod templates; claim templates)."""
    kind = text(get_path(doc, "kind")) or ""
    doc = _add_pairs(doc, ("metadata", key), pairs)
    if templates:
        for meta in _TEMPLATE_META.get(kind, ()):
            doc = _add_pairs(doc, (*meta, key), pairs)
    if claims and kind == "StatefulSet":
        templates_value = get_path(doc, "spec", "volumeClaimTemplates")
        if isinstance(templates_value, Known) and isinstance(templates_value.value, list):
            items = [
                _add_pairs(t, ("metadata", key), pairs)
                if isinstance(t, Known) and isinstance(t.value, dict)
                else t
                for t in templates_value.value
            ]
            doc = _set(
                doc, ("spec", "volumeClaimTemplates"), Known(items, templates_value.span, templates_value.via)
            )
    return doc


# --- name references --------------------------------------------------------------------------

#: (referent group, version, kind) -> paths of the referring fields, per referring kind
_REFERENCES: tuple[tuple[tuple[str, str, str], dict[str, tuple[tuple[str, ...], ...]]], ...] = (
    (
        ("storage.k8s.io", "v1", "StorageClass"),
        {
            "PersistentVolume": (("spec", "storageClassName"),),
            "PersistentVolumeClaim": (("spec", "storageClassName"),),
            "StatefulSet": (("spec", "volumeClaimTemplates", "[]", "spec", "storageClassName"),),
        },
    ),
    (("", "v1", "PersistentVolume"), {"PersistentVolumeClaim": (("spec", "volumeName"),)}),
)


def _same_ending(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    shortest, longest = (a, b) if len(a) <= len(b) else (b, a)
    if not shortest:
        return not longest
    return longest[len(longest) - len(shortest) :] == shortest


def _referral(
    name: str, referrer: KObject, candidates: list[KObject], gvk: tuple[str, str, str]
) -> KObject | None:
    """kustomize's ``selectReferral`` for cluster-scoped referents: previous name, then prefixes/suffixes."""
    group, version, kind = gvk
    found = [
        c
        for c in candidates
        if any(i.name == name for i in c.previous)
        and any(i.kind == kind and i.group == group and i.version == version for i in c.previous)
    ]
    if len(found) == 1:
        return found[0]

    def affixes(obj: KObject, allow_empty: bool) -> bool:
        p = (
            (not obj.prefixes or not referrer.prefixes)
            and allow_empty
            or _same_ending(obj.prefixes, referrer.prefixes)
        )
        s = (
            (not obj.suffixes or not referrer.suffixes)
            and allow_empty
            or _same_ending(obj.suffixes, referrer.suffixes)
        )
        return bool(p and s)

    found = [c for c in found if affixes(c, True)]
    if len(found) > 1:
        found = [c for c in found if affixes(c, False)]
    if len(found) == 1 or (found and len({text(get_path(c.doc, "metadata", "name")) for c in found}) == 1):
        return found[0]
    return None


def _rewrite(doc: Value, path: tuple[str, ...], rename: Callable[[Value], Value]) -> Value:
    if not path:
        return rename(doc)
    if not isinstance(doc, Known):
        return doc
    step, rest = path[0], path[1:]
    if step == "[]":
        if not isinstance(doc.value, list):
            return doc
        return Known([_rewrite(item, rest, rename) for item in doc.value], doc.span, doc.via)
    if not isinstance(doc.value, dict) or step not in doc.value:
        return doc
    out = dict(doc.value)
    out[step] = _rewrite(out[step], rest, rename)
    return Known(out, doc.span, doc.via)


def _renamer(
    referrer: KObject, candidates: list[KObject], gvk: tuple[str, str, str]
) -> Callable[[Value], Value]:
    def rename(value: Value) -> Value:
        name = text(value)
        found = _referral(name, referrer, candidates, gvk) if name is not None else None
        new = text(get_path(found.doc, "metadata", "name")) if found is not None else None
        if new is None or new == name:
            return value
        return Known(new, getattr(value, "span", None), getattr(value, "via", ()))

    return rename


def fix_name_references(objects: list[KObject]) -> list[KObject]:
    """Rewrite references to renamed storage classes and volumes to their new names.

    A rewritten reference keeps the place it is written (the claim's ``storageClassName`` line).
    """
    out = list(objects)
    for gvk, referrers in _REFERENCES:
        candidates = [o for o in out if (o.current.group, o.current.kind) == (gvk[0], gvk[2]) and o.previous]
        if not candidates:
            continue
        for index, obj in enumerate(out):
            for path in referrers.get(obj.current.kind, ()):
                doc = _rewrite(out[index].doc, path, _renamer(obj, candidates, gvk))
                if isinstance(doc, Known):
                    out[index] = replace(out[index], doc=doc)
    return out
