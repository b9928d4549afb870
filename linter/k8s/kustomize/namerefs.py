"""kustomize's name-reference fix for the references the rules follow.

After a build, a field that names a renamed object (a claim's ``storageClassName`` after
``namePrefix`` renamed the class) is rewritten to the new name, as kustomize's ``nameref`` filter
does: candidates are objects of the referenced kind whose previous names include the written
name; several are told apart by the name prefixes and suffixes the referrer and the candidate
went through (``api/filters/nameref/nameref.go``). Which fields refer to what is kustomize's
``namereference.go``, restricted to what the rules read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from linter.k8s.adapt import text
from linter.k8s.kustomize.objects import KObject
from linter.model import Known, Value, get_path

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
