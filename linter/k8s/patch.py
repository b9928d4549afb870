"""Kustomize's two patch kinds over positioned values: strategic merge and JSON 6902 (RFC 6902).

Values keep the spans they were written with, so a value a patch sets is the patch's own value,
located in the patch file (or in the kustomization for an inline patch), and everything the
patch leaves alone keeps its place in the base. Containers that are merged keep the base's span.

Strategic merge follows kustomize (kyaml ``merge2``, the walker kustomize runs for
``patchesStrategicMerge`` and ``patches``): maps merge key by key; ``null`` deletes a key;
``$patch: delete`` removes a map (the whole object at the top), ``$patch: replace`` replaces it;
lists are replaced, except the lists the Kubernetes API marks with a patch merge key, which merge
element by element (``MERGE_KEYS``; kustomize reads them from its bundled OpenAPI schema, and only
for built-in kinds: lists in custom resources are always replaced). ``volumeClaimTemplates`` has
no merge key, so a patch replaces the whole list. Other directives (``$setElementOrder``,
``$retainKeys``, ``$deleteFromPrimitiveList``) only order or prune and are dropped.

JSON 6902 follows RFC 6902 as the library kustomize uses (evanphx/json-patch v4) applies it: ``add``
needs the parent to exist, ``remove`` and ``replace`` need the target to exist, ``-`` appends to a
list, ``test`` compares values. A step through an unknown value makes the result there unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from linter.k8s.adapt import text
from linter.model import Known, Span, Unknown, UnknownInside, Value, to_plain


class PatchError(Exception):
    """A patch kustomize would refuse to apply (the build fails)."""

    def __init__(self, message: str, span: Span | None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


@dataclass(frozen=True)
class _Deleted:
    """What merging a ``$patch: delete`` map returns."""


DELETED = _Deleted()

_POD_LISTS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
}
_CONTAINER_LISTS = {
    "env": "name",
    "ports": "containerPort",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
}
_META_LISTS = {"ownerReferences": "uid", "finalizers": ""}  # "": a list of strings merged as a set
_CONTAINERS = ("containers", "initContainers", "ephemeralContainers")
_TEMPLATE = ("spec", "template")
#: (API group, kind) -> path of the pod template (its ``metadata`` and ``spec`` hold merge-keyed lists)
POD_TEMPLATES: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "Pod"): (),
    ("", "ReplicationController"): _TEMPLATE,
    ("", "PodTemplate"): ("template",),
    ("apps", "Deployment"): _TEMPLATE,
    ("apps", "StatefulSet"): _TEMPLATE,
    ("apps", "DaemonSet"): _TEMPLATE,
    ("apps", "ReplicaSet"): _TEMPLATE,
    ("extensions", "Deployment"): _TEMPLATE,
    ("extensions", "DaemonSet"): _TEMPLATE,
    ("extensions", "ReplicaSet"): _TEMPLATE,
    ("batch", "Job"): _TEMPLATE,
    ("batch", "CronJob"): ("spec", "jobTemplate", "spec", "template"),
}
#: API groups of the built-in kinds (kustomize has a schema for these, so their metadata lists merge)
BUILTIN_GROUPS = {
    "",
    "apps",
    "batch",
    "extensions",
    "policy",
    "storage.k8s.io",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "autoscaling",
    "scheduling.k8s.io",
    "apiextensions.k8s.io",
    "admissionregistration.k8s.io",
    "coordination.k8s.io",
    "node.k8s.io",
    "discovery.k8s.io",
}
ITEM = "[]"  # path step for "an element of this list"


def merge_key(group: str, kind: str, path: tuple[str, ...]) -> str | None:
    """The patch merge key of the list at ``path`` of a ``group``/``kind`` object; None: replace the list."""
    if group not in BUILTIN_GROUPS:
        return None
    if len(path) >= 2 and path[-2] == "metadata" and path[-1] in _META_LISTS:
        return _META_LISTS[path[-1]]
    template = POD_TEMPLATES.get((group, kind))
    if template is None:
        return None
    spec = (*template, "spec") if kind != "Pod" else ("spec",)
    if path[:-1] == spec:
        return _POD_LISTS.get(path[-1])
    in_container = len(path) == len(spec) + 3 and path[: len(spec)] == spec and path[len(spec)] in _CONTAINERS
    if in_container and path[len(spec) + 1] == ITEM:
        return _CONTAINER_LISTS.get(path[-1])
    return None


def _directive(value: Value) -> str | None:
    if isinstance(value, Known) and isinstance(value.value, dict):
        return text(value.value.get("$patch", Unknown("")))
    return None


def _is_directive(key: str) -> bool:
    return key.startswith("$")


def clean(value: Value) -> Value | _Deleted:
    """A patch subtree as it lands where the base has nothing: directives dropped, deletions gone."""
    if isinstance(value, Known) and isinstance(value.value, dict):
        if _directive(value) == "delete":
            return DELETED
        out = {}
        for key, item in value.value.items():
            if _is_directive(key):
                continue
            cleaned = clean(item)
            if not isinstance(cleaned, _Deleted):
                out[key] = cleaned
        return Known(out, value.span, value.via)
    if isinstance(value, Known) and isinstance(value.value, list):
        items = []
        for item in value.value:
            if _directive(item) is not None and set(item.value) == {"$patch"}:  # type: ignore[union-attr]
                continue  # a bare {$patch: replace} marker
            cleaned = clean(item)
            if not isinstance(cleaned, _Deleted):
                items.append(cleaned)
        return Known(items, value.span, value.via)
    return value


class StrategicMerge:
    """Merges one patch into objects of one group and kind."""

    def __init__(self, group: str, kind: str) -> None:
        self.group = group
        self.kind = kind

    def apply(self, target: Known, patch: Known) -> Known | None:
        """The patched object, or None when the patch deletes it."""
        merged = self.merge(target, patch, ())
        return None if isinstance(merged, _Deleted) else merged  # type: ignore[return-value]

    def merge(self, dest: Value, patch: Value, path: tuple[str, ...]) -> Value | _Deleted:
        if isinstance(patch, Known) and isinstance(patch.value, dict):
            return self._map(dest, patch, path)
        if isinstance(patch, Known) and isinstance(patch.value, list):
            return self._list(dest, patch, path)
        return patch

    def _map(self, dest: Value, patch: Known, path: tuple[str, ...]) -> Value | _Deleted:
        directive = _directive(patch)
        if directive == "delete":
            return DELETED
        if isinstance(dest, Unknown):
            return dest  # the keys the patch leaves alone are unknown
        if directive == "replace" or not (isinstance(dest, Known) and isinstance(dest.value, dict)):
            return clean(patch)
        out = dict(dest.value)
        for key, value in patch.value.items():
            if _is_directive(key):
                continue
            if isinstance(value, Known) and value.value is None:
                out.pop(key, None)
                continue
            merged = self.merge(out[key], value, (*path, key)) if key in out else clean(value)
            if isinstance(merged, _Deleted):
                out.pop(key, None)
            else:
                out[key] = merged
        return Known(out, dest.span, dest.via)

    def _list(self, dest: Value, patch: Known, path: tuple[str, ...]) -> Value | _Deleted:
        key = merge_key(self.group, self.kind, path)
        if key is None or not (isinstance(dest, Known) and isinstance(dest.value, list)):
            return dest if key is not None and isinstance(dest, Unknown) else clean(patch)
        if any(_directive(item) == "replace" for item in patch.value):
            return clean(patch)
        items = list(dest.value)
        if key == "":
            present = {text(i) for i in items}
            items.extend(i for i in patch.value if text(i) not in present)
            return Known(items, dest.span, dest.via)
        for element in patch.value:
            wanted = _key(element, key)
            index = next(
                (n for n, i in enumerate(items) if wanted is not None and _key(i, key) == wanted), None
            )
            if _directive(element) == "delete":
                if index is not None:
                    del items[index]
                continue
            merged = self.merge(items[index], element, (*path, ITEM)) if index is not None else clean(element)
            if isinstance(merged, _Deleted):
                if index is not None:
                    del items[index]
            elif index is not None:
                items[index] = merged
            else:
                items.append(merged)
        return Known(items, dest.span, dest.via)


def _field(element: Value, key: str) -> Value:
    if isinstance(element, Known) and isinstance(element.value, dict):
        return element.value.get(key, Unknown(f"no {key}"))
    return Unknown("not a map")


def _scalar(value: Value) -> str | None:
    if isinstance(value, Known) and isinstance(value.value, str | int) and not isinstance(value.value, bool):
        return str(value.value)
    return None


def _key(element: Value, key: str) -> str | None:
    value = _field(element, key)
    return _scalar(value) if key == "containerPort" else text(value)


# --- JSON 6902 --------------------------------------------------------------------------------


def pointer(path: str, span: Span | None) -> list[str]:
    """The reference tokens of a JSON pointer (RFC 6901)."""
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f'JSON patch path "{path}" does not start with "/"', span)
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def _index(token: str, size: int, *, appending: bool, span: Span | None, path: str) -> int:
    if appending and token == "-":
        return size
    if not token.isdigit() or (token != "0" and token.startswith("0")):
        raise PatchError(f'JSON patch path "{path}": "{token}" is not a list index', span)
    index = int(token)
    if index > size or (index == size and not appending):
        raise PatchError(f'JSON patch path "{path}": index {index} is out of range', span)
    return index


class JsonPatch:
    """One list of RFC 6902 operations (``ops`` as written, each a positioned map)."""

    def __init__(self, ops: Known) -> None:
        if not isinstance(ops.value, list):
            raise PatchError("a JSON patch must be a list of operations", ops.span)
        self.ops = ops.value

    def apply(self, doc: Known) -> Value:
        result: Value = doc
        for op in self.ops:
            result = self._one(result, op)
        return result

    def _one(self, doc: Value, op: Value) -> Value:
        if not (isinstance(op, Known) and isinstance(op.value, dict)):
            raise PatchError("a JSON patch operation must be a map", getattr(op, "span", None))
        span = op.span
        name = text(op.value.get("op", Unknown("")))
        path = text(op.value.get("path", Unknown("")))
        if name is None or path is None:
            raise PatchError('a JSON patch operation needs "op" and "path"', span)
        tokens = pointer(path, span)
        if name in ("add", "replace", "test") and "value" not in op.value:
            raise PatchError(f'JSON patch "{name}" at {path} has no "value"', span)
        if name == "add":
            return self._write(doc, tokens, op.value["value"], path, span, mode="add")
        if name == "replace":
            return self._write(doc, tokens, op.value["value"], path, span, mode="replace")
        if name == "remove":
            return self._write(doc, tokens, None, path, span, mode="remove")
        if name == "test":
            self._test(doc, tokens, op.value["value"], path, span)
            return doc
        if name in ("move", "copy"):
            source = text(op.value.get("from", Unknown("")))
            if source is None:
                raise PatchError(f'JSON patch "{name}" at {path} needs "from"', span)
            value = self._read(doc, pointer(source, span), source, span)
            if name == "move":
                doc = self._write(doc, pointer(source, span), None, source, span, mode="remove")
            return self._write(doc, tokens, value, path, span, mode="add")
        raise PatchError(f'unknown JSON patch operation "{name}"', span)

    def _read(self, doc: Value, tokens: list[str], path: str, span: Span | None) -> Value:
        current = doc
        for token in tokens:
            if isinstance(current, Unknown):
                return current
            assert isinstance(current, Known)
            if isinstance(current.value, dict) and token in current.value:
                current = current.value[token]
            elif isinstance(current.value, list):
                current = current.value[
                    _index(token, len(current.value), appending=False, span=span, path=path)
                ]
            else:
                raise PatchError(f'JSON patch path "{path}" does not exist', span)
        return current

    def _test(self, doc: Value, tokens: list[str], value: Value, path: str, span: Span | None) -> None:
        try:
            actual, wanted = to_plain(self._read(doc, tokens, path, span)), to_plain(value)
        except UnknownInside:
            return  # cannot tell whether kustomize's test passes
        if actual != wanted:
            raise PatchError(
                f'JSON patch "test" at {path} fails: the value is {actual!r}, not {wanted!r}', span
            )

    def _write(
        self, node: Value, tokens: list[str], value: Value | None, path: str, span: Span | None, *, mode: str
    ) -> Value:
        """``node`` with ``value`` added at / replacing / removed from ``tokens`` (a new tree)."""
        if not tokens:
            if mode == "remove":
                raise PatchError("a JSON patch cannot remove the whole object", span)
            assert value is not None
            return value
        if isinstance(node, Unknown):
            return node
        if not isinstance(node, Known) or not isinstance(node.value, dict | list):
            raise PatchError(f'JSON patch path "{path}" does not exist', span)
        token, rest = tokens[0], tokens[1:]
        if isinstance(node.value, dict):
            out = dict(node.value)
            if rest:
                if token not in out:
                    raise PatchError(f'JSON patch path "{path}" does not exist', span)
                out[token] = self._write(out[token], rest, value, path, span, mode=mode)
            elif mode == "remove" or mode == "replace":
                if token not in out:
                    raise PatchError(f'JSON patch "{mode}" at {path}: the path does not exist', span)
                if mode == "remove":
                    del out[token]
                else:
                    out[token] = value  # type: ignore[assignment]
            else:
                out[token] = value  # type: ignore[assignment]
            return Known(out, node.span, node.via)
        items = list(node.value)
        index = _index(token, len(items), appending=not rest and mode == "add", span=span, path=path)
        if rest:
            items[index] = self._write(items[index], rest, value, path, span, mode=mode)
        elif mode == "add":
            items.insert(index, value)  # type: ignore[arg-type]
        elif mode == "remove":
            del items[index]
        else:
            items[index] = value  # type: ignore[call-overload]
        return Known(items, node.span, node.via)
