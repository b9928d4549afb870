"""A kustomization's transformers, in kustomize's order, over the objects accumulated so far.

``patchesStrategicMerge``, ``patches``, ``namespace``, ``namePrefix``, ``nameSuffix``,
``labels``/``commonLabels``, ``commonAnnotations``, ``patchesJson6902``, ``replicas``
(``kusttarget_configplugin.go``, ``configureBuiltinTransformers``). Where a transformer writes,
and to which kinds, follows kustomize's built-in field specs (``api/internal/konfig/builtinpluginconsts``).
A value a transformer sets is located at its setting in the kustomization; one a patch sets, in
the patch.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from linter.k8s import selector
from linter.k8s.adapt import text
from linter.k8s.kustomize.config import Config
from linter.k8s.kustomize.objects import Build, Unresolved, res_id
from linter.k8s.patch import JsonPatch, PatchError, StrategicMerge
from linter.model import ABSENT, Known, Span, Unknown, Value, get_path

if TYPE_CHECKING:
    from linter.k8s.kustomize.build import Kustomizer

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
        for key, what, adds in (
            ("transformers", "a transformer plugin is not run; what it adds or changes is unknown", True),
            ("replacements", "a replacement is not applied; the fields it sets are unknown", False),
            ("vars", "a var is not substituted; the fields that use it are unknown", False),
        ):
            for item in self.cfg.items(key):
                self.ra.unresolved.append(Unresolved(self.owner.where(self.cfg, item), what, adds))

    # --- helpers ------------------------------------------------------------------------------

    def _fail(self, span: Span, message: str) -> None:
        self.owner.fail(span, message)

    def _undecided(self, span: Span, what: str) -> None:
        self.ra.unresolved.append(Unresolved(span, what, adds_objects=False))

    def _value(self, value: Value) -> Value:
        """A label or annotation value of a transformer setting, as the string kustomize writes."""
        if isinstance(value, Known) and value.value is not None and not isinstance(value.value, dict | list):
            v = value.value
            return Known(("true" if v else "false") if isinstance(v, bool) else str(v), value.span, value.via)
        return value

    def _patch_documents(self, source: Value, *, inline: bool) -> list[Known] | None:
        """The documents of a patch given by path or inline; None when they cannot be read."""
        span = self.owner.where(self.cfg, source)
        body = text(source)
        if body is None:
            self._undecided(span, "a patch is unknown; what it changes is unknown")
            return None
        if inline:
            docs, problem = self.owner.reader.embedded(body, self.cfg.text, span)
            if problem is not None:
                self._fail(Span(span.file, problem.line, problem.column), f"patch: {problem.message}")
                return None
            return [d.value for d in docs if d.value.value is not None]
        path = (self.cfg.directory / body).resolve()
        if self.owner.reader.excluded(path):
            self._undecided(
                span, f'patch file "{body}" is excluded from the scan; what it changes is unknown'
            )
            return None
        if not self.owner.reader.view.is_file(path):
            self._undecided(span, f'patch file "{body}" does not exist; what it changes is unknown')
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
            self._undecided(
                span, f"a patch target cannot be evaluated ({e}); which objects it changes is unknown"
            )
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
            self._undecided(
                span,
                "a patch target depends on unknown labels or annotations; which objects it changes is unknown",
            )
        return out

    def _by_id(self, patch: Known) -> list[int]:
        wanted = res_id(patch)
        return [i for i, o in enumerate(self.ra.objects) if any(wanted.same(x) for x in o.ids())]

    def _no_target(self, span: Span, what: str) -> None:
        if not self.checked:
            return  # a component built on its own: its target is in the kustomization that includes it
        if any(u.adds_objects for u in self.ra.unresolved):
            self._undecided(span, f"{what} matches no object read here; it may change one that is unknown")
        else:
            self._fail(span, f"{what} matches no object")

    # --- patches ------------------------------------------------------------------------------

    def _legacy_strategic_merge(self, entry: Value) -> None:
        body = text(entry) or ""
        inline = "\n" in body or not self.owner.reader.view.is_file(self.cfg.directory / body)
        docs = self._patch_documents(entry, inline=inline and bool(body.strip()))
        for doc in docs or []:
            self._strategic_merge(doc, None, {}, self.owner.where(self.cfg, entry))

    def _patch(self, entry: Value, *, json_only: bool) -> None:
        span = self.owner.where(self.cfg, entry)
        path, body = get_path(entry, "path"), get_path(entry, "patch")
        if (path is ABSENT) == (body is ABSENT):
            self._fail(span, 'a patch needs exactly one of "path" and "patch"')
            return
        docs = self._patch_documents(body if path is ABSENT else path, inline=path is ABSENT)
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
        span = self.owner.where(self.cfg, value)
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
            name = text(current)
            if name is not None:  # an unknown name stays unknown
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
        span = self.owner.where(self.cfg, entry)
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
