"""Terraform plan JSON (``terraform show -json tfplan``, format 1.x) as a source of values.

A plan knows what static evaluation cannot: data sources, functions the linter does not evaluate,
modules it cannot read, which ``count``/``for_each`` instances exist. Its values are read from
``resource_changes`` (``change.after`` with ``change.after_unknown``: a value known only after
apply stays unknown), its structure from ``configuration`` (module calls, resources, the
references of each expression). Positions come from the ``.tf`` source the plan was made from:
the evaluator keeps its own resource headers and attribute spans and takes the plan's values
(``Planned``); a resource the source does not show (a module that was not initialised) is located
at the module call, or at the caller's argument an expression's ``var.x`` reference names. Only
without the source do findings point into the plan file itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linter.arm.jsonpos import JsonError, PosDict, PosList, loads
from linter.model import ABSENT, Known, Span, Symbol, Unknown, UnknownInside, Value, to_plain
from linter.textfile import read_text

AFTER_APPLY = "known only after apply (plan)"
_CALL = re.compile(r'module\.([^.\[]+)(\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?')


class PlanError(Exception):
    """A plan file that cannot be used; carries a position in it."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def property_spans(value: Any) -> dict[str, Span]:
    """Where each property of a plan object is written in the plan file."""
    return dict(value.key_spans) if isinstance(value, PosDict) else {}


@dataclass(frozen=True)
class PlannedResource:
    """One managed resource instance the plan will leave in place (created, updated or kept)."""

    address: str
    module_address: str  # "" for the root module, "module.a[0].module.b" otherwise
    type: str
    name: str
    index: Any  # the count index or for_each key; None without count/for_each
    after: Any
    unknown: Any  # after_unknown: True where a value is known only after apply
    span: Span  # the resource's entry in the plan file


@dataclass(frozen=True)
class ProviderConstraint:
    name: str
    source: str
    constraint: str
    module_address: str
    span: Span


@dataclass
class Plan:
    path: Path
    resources: list[PlannedResource]
    variables: dict[str, Any]
    configuration: dict[str, Any]
    providers: list[ProviderConstraint] = field(default_factory=list)

    def module_config(self, module_address: str) -> dict[str, Any] | None:
        """The configuration of the module at ``module_address`` (instance keys ignored)."""
        module = self.configuration.get("root_module")
        for name in call_names(module_address):
            call = _dict(_dict(module).get("module_calls")).get(name)
            module = _dict(call).get("module")
        return module if isinstance(module, dict) else None

    def declares_resource(self, module_address: str, type_: str, name: str) -> bool:
        return self.resource_config(module_address, type_, name) is not None

    def resource_config(self, module_address: str, type_: str, name: str) -> dict[str, Any] | None:
        for r in _list(_dict(self.module_config(module_address)).get("resources")):
            managed = isinstance(r, dict) and r.get("mode", "managed") == "managed"
            if managed and r.get("type") == type_ and r.get("name") == name:
                return r
        return None

    def call_config(self, module_address: str, call: str) -> dict[str, Any] | None:
        found = _dict(_dict(self.module_config(module_address)).get("module_calls")).get(call)
        return found if isinstance(found, dict) else None

    def calls(self, module_address: str) -> list[str]:
        return sorted(_dict(_dict(self.module_config(module_address)).get("module_calls")))

    def resources_of(self, module_address: str, type_: str, name: str) -> list[PlannedResource]:
        return [
            r
            for r in self.resources
            if r.module_address == module_address and r.type == type_ and r.name == name
        ]

    def resources_in(self, module_address: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.module_address == module_address]

    def child_instances(self, module_address: str, call: str) -> list[str]:
        """Addresses of the instances of ``call`` in the module at ``module_address``, plan order."""
        base = f"{module_address}.module.{call}" if module_address else f"module.{call}"
        out: list[str] = []
        for r in self.resources:
            if not r.module_address.startswith(base):
                continue
            rest = r.module_address[len(base) :]
            key = re.match(r'^(\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?(?=$|\.)', rest)
            if key is not None and (address := base + (key.group(1) or "")) not in out:
                out.append(address)
        return out


def _dict(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (a plan of an unexpected shape)."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def call_names(module_address: str) -> list[str]:
    return [m.group(1) for m in _CALL.finditer(module_address)]


def instance_key(address: str) -> Any:
    """The count index (int) or for_each key (str) at the end of an address; None without one."""
    m = re.search(r'\[("(?:[^"\\]|\\.)*"|\d+)\]$', address)
    if m is None:
        return None
    raw = m.group(1)
    return int(raw) if raw.isdigit() else raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")


def read_plan(path: Path, max_bytes: int) -> Plan:
    """Read ``terraform show -json`` output; raises PlanError for anything that is not one."""
    text, problem = read_text(path, max_bytes)
    if problem is not None:
        raise PlanError(problem.message, problem.line)
    if text is None:
        raise PlanError("the plan file is empty")
    try:
        data = loads(text, str(path))
    except JsonError as e:
        raise PlanError(f"{e} (plan JSON)", e.line, e.column) from None
    if not isinstance(data, PosDict) or not ("resource_changes" in data or "planned_values" in data):
        raise PlanError("not a Terraform plan: expected the output of `terraform show -json <planfile>`")
    version = str(data.get("format_version", ""))
    if version.split(".")[0] != "1":
        span = data.key_spans.get("format_version") or data.span or Span(str(path), 1)
        raise PlanError(
            f"unsupported plan format_version {version!r} (1.x is supported)", span.line, span.column
        )
    configuration = data.get("configuration") if isinstance(data.get("configuration"), PosDict) else PosDict()
    return Plan(
        path=path,
        resources=_resources(data, path),
        variables={
            k: v["value"]
            for k, v in _dict(data.get("variables")).items()
            if isinstance(v, dict) and "value" in v
        },
        configuration=configuration,
        providers=_providers(configuration, path),
    )


def _resources(data: PosDict, path: Path) -> list[PlannedResource]:
    changes = data.get("resource_changes")
    out: list[PlannedResource] = []
    if not isinstance(changes, PosList):
        return out
    for item, span in zip(changes, changes.item_spans, strict=True):
        if not isinstance(item, dict) or item.get("mode", "managed") != "managed" or item.get("deposed"):
            continue
        change = _dict(item.get("change"))
        after = change.get("after")
        if not isinstance(after, dict):  # deleted, forgotten: it will not exist
            continue
        address = str(item.get("address", ""))
        out.append(
            PlannedResource(
                address=address,
                module_address=str(item.get("module_address") or ""),
                type=str(item.get("type", "")),
                name=str(item.get("name", "")),
                index=item.get("index"),
                after=after,
                unknown=change.get("after_unknown") or {},
                span=span,
            )
        )
    return out


def _providers(configuration: PosDict, path: Path) -> list[ProviderConstraint]:
    out = []
    configs = configuration.get("provider_config")
    if not isinstance(configs, PosDict):
        return out
    for key, entry in configs.items():
        if not isinstance(entry, PosDict) or not isinstance(entry.get("version_constraint"), str):
            continue
        span = entry.key_spans.get("version_constraint") or configs.key_spans[key]
        out.append(
            ProviderConstraint(
                name=str(entry.get("name", key)),
                source=str(entry.get("full_name", "")),
                constraint=entry["version_constraint"],
                module_address=str(entry.get("module_address", "")),
                span=span,
            )
        )
    return out


def references(expression: Any) -> list[str]:
    """The ``references`` of an expression representation (empty for constants)."""
    if isinstance(expression, dict) and isinstance(expression.get("references"), list):
        return [r for r in expression["references"] if isinstance(r, str)]
    return []


def match_score(plan: Plan, resources: list[tuple[str, str]], calls: list[str]) -> int:
    """How many of a root module's resources and module calls the plan's root module declares."""
    root = _dict(plan.module_config(""))
    declared = {(r.get("type"), r.get("name")) for r in _list(root.get("resources")) if isinstance(r, dict)}
    declared_calls = set(_dict(root.get("module_calls")))
    return sum(1 for r in resources if r in declared) + sum(1 for c in calls if c in declared_calls)


# --- values -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """The plan's value of one resource instance or nested block, over the static evaluation."""

    after: Any
    unknown: Any
    span: Span  # where values the source does not show are located
    attribute_spans: dict[str, Span] = field(default_factory=dict)

    def says(self, name: str) -> bool:
        """Whether the plan has anything to say about attribute ``name``."""
        return (isinstance(self.after, dict) and name in self.after) or _mask(self.unknown, name) is True

    def attribute(self, name: str, static: Value, where: Span | None = None) -> Value:
        """The plan's value of ``name`` over ``static``; ``where`` is the source's attribute, if any."""
        if not self.says(name):
            return static
        fallback = where or self.attribute_spans.get(name, self.span)
        value = merge(
            self.after.get(name) if isinstance(self.after, dict) else None,
            _mask(self.unknown, name),
            static,
            fallback,
        )
        return ABSENT if isinstance(value, Known) and value.value is None else value

    def json_attribute(self, name: str, static: Value) -> Value:
        """Like ``attribute``, for an argument a provider may hold as a JSON string (azapi 1.x ``body``)."""
        if (
            not self.says(name)
            or not isinstance(self.after, dict)
            or not isinstance(self.after.get(name), str)
        ):
            return self.attribute(name, static)
        try:
            decoded = json.loads(self.after[name])
        except ValueError:
            return self.attribute(name, static)
        return merge(decoded, None, static, self.attribute_spans.get(name, self.span))

    def nested(self, name: str) -> tuple[list[Planned], bool] | None:
        """The planned blocks of type ``name`` (and whether they are known only after apply)."""
        if not self.says(name):
            return None
        if _mask(self.unknown, name) is True:
            return [], True
        items = self.after.get(name)
        if isinstance(items, dict):
            items, masks = [items], [_mask(self.unknown, name)]
        elif isinstance(items, list):
            mask = _mask(self.unknown, name)
            masks = mask if isinstance(mask, list) else [None] * len(items)
        else:
            return [], False
        return [
            Planned(item, masks[i] if i < len(masks) else None, self.span)
            for i, item in enumerate(items)
            if isinstance(item, dict)
        ], False

    def ids(self) -> set[object]:
        """The resource id the plan already knows (an existing resource), for linking by id."""
        rid = self.after.get("id") if isinstance(self.after, dict) else None
        return {rid} if isinstance(rid, str) and rid and _mask(self.unknown, "id") is not True else set()


def _mask(unknown: Any, key: str | int) -> Any:
    if isinstance(unknown, dict) and isinstance(key, str):
        return unknown.get(key)
    if isinstance(unknown, list) and isinstance(key, int) and 0 <= key < len(unknown):
        return unknown[key]
    return None


def merge(after: Any, unknown: Any, static: Value, fallback: Span) -> Value:
    """The plan's value where it has one, the static value's positions where they still apply."""
    span = static.span if isinstance(static, Known) and static.span is not None else fallback
    if unknown is True:
        return static if isinstance(static, Known) else Unknown(AFTER_APPLY, span)
    if after is None and not isinstance(unknown, dict | list):
        return Known(None, span)
    if isinstance(static, Known) and not _has_unknown(unknown) and _same(static, after):
        return static
    if isinstance(after, dict):
        inner = static.value if isinstance(static, Known) and isinstance(static.value, dict) else {}
        keys = list(after) + [k for k in (unknown if isinstance(unknown, dict) else {}) if k not in after]
        return Known(
            {k: merge(after.get(k), _mask(unknown, k), inner.get(k, ABSENT), span) for k in keys}, span
        )
    if isinstance(after, list):
        inner = static.value if isinstance(static, Known) and isinstance(static.value, list) else []
        paired = inner if len(inner) == len(after) else []
        return Known(
            [merge(a, _mask(unknown, i), paired[i] if paired else ABSENT, span) for i, a in enumerate(after)],
            span,
        )
    return Known(after, span)  # the plan's value: the static one's origin (via) does not apply


def _has_unknown(unknown: Any) -> bool:
    if unknown is True:
        return True
    if isinstance(unknown, dict):
        return any(_has_unknown(v) for v in unknown.values())
    if isinstance(unknown, list):
        return any(_has_unknown(v) for v in unknown)
    return False


def _same(static: Known, after: Any) -> bool:
    try:
        plain = to_plain(static)
    except UnknownInside:
        return False
    return _equal(plain, after)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, Symbol):
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b or (_number(a) and _number(b) and a == b)


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)
