"""Template evaluation: resources expanded (copy, Bicep for), conditions, children, extension
scopes, symbolic resources (languageVersion 2.0 and Bicep) and nested deployments (modules).

The input is an ARM-shaped template node (``PosDict``): real ARM JSON, or what the Bicep front
end translates a ``.bicep`` file into (same keys, Bicep AST leaves instead of expression strings,
``__for__`` for loops, ``parent``/``scope`` as references). The output is a flat list of
``Instance`` records that ``linter.arm.adapt`` maps onto canonical kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from linter.arm import expr as ex
from linter.arm.evaluate import (
    MAX_CALL_DEPTH,
    MAX_COPY,
    CopyNode,
    Deployment,
    Frame,
    Imported,
    Namespace,
    Param,
    Scope,
    UserFunction,
    eval_expr,
    eval_node,
)
from linter.arm.jsonpos import PosDict
from linter.arm.values import RefObj, Unk, as_unk, is_unknown, to_data
from linter.model import Known, Span, Symbol, Unknown, Value
from linter.normalize import condition_and

MAX_DEPTH = 12  # nested deployments
#: template keys written by the Bicep front end (``linter.bicep.translate``/``modules``)
BICEP_FUNCTIONS = "__functions__"  # name -> (parameter names, body)
BICEP_IMPORTED = "__imported__"  # [(exported name or '*', local name, span, source template or None, path)]
REGISTRY_MODULE = "__registry__"  # on a module's properties: its template came from the module cache
UNRESOLVED_REASON = "__unresolved__"  # on a module's properties: why it has no template
MAX_INSTANCES = 20000
DEPLOYMENTS = "microsoft.resources/deployments"
RESOURCE_GROUPS = "microsoft.resources/resourcegroups"
_SKIP = {
    "copy",
    "condition",
    "dependson",
    "resources",
    "type",
    "apiversion",
    "comments",
    "metadata",
    "name",
    "scope",
    "existing",
    "parent",
    "__for__",
    "resourcegroup",
    "subscriptionid",
    "import",
    "__decl_span__",
    "__address__",
}


@dataclass
class ForSpec:
    """A Bicep ``for`` over a resource or module."""

    item: str | None
    index: str | None
    iterable: Any


@dataclass
class Instance:
    """One resource instance after expansion, with evaluated properties."""

    rtype: str
    name: Any  # plain full name (str) or Unk
    name_value: Value
    rid: Any  # id string or Unk
    address: str
    span: Span
    body: Known
    condition: Value
    existing: bool
    deployment: Deployment
    language: str
    scope_id: Any = None  # extension resources: the id of the resource they extend
    parent_id: Any = None
    metadata: Any = None
    symbol: str = ""
    module_call: str = ""

    @property
    def type_lower(self) -> str:
        return self.rtype.lower()


@dataclass
class Parent:
    rtype: str
    name: Any
    rid: Any
    condition: Value
    address: str
    scope: Scope


class ResourceHandle:
    """What a Bicep resource/module identifier (or a 2.0 symbolic name) evaluates to."""

    def __init__(
        self, entry: SymbolEntry, instance: Instance | None, outputs: Callable[[], Any] | None
    ) -> None:
        self.entry = entry
        self.instance = instance
        self._outputs = outputs

    @property
    def rid(self) -> Any:
        return self.instance.rid if self.instance else Unk(f"resource {self.entry.name} is not known")

    def member(self, name: str) -> Any:
        inst = self.instance
        lowered = name.lower()
        if inst is None:
            return Unk(f"{self.entry.name}.{name} is not known")
        if lowered == "id":
            return inst.rid
        if lowered == "name":  # the name as declared ('child' for a nested or parent: child)
            declared = to_data(inst.name_value)
            return declared if isinstance(declared, str) else inst.name
        if lowered == "type":
            return inst.rtype
        if lowered == "outputs" and self._outputs is not None:
            return self._outputs()
        if lowered in ("location", "kind", "sku", "tags") and not inst.existing:
            value = next((v for k, v in inst.body.value.items() if k.lower() == lowered), None)
            if value is not None:
                return to_data(value)
        return RefObj(inst.rid, (name,), f"{self.entry.name}.{name}")


@dataclass
class SymbolEntry:
    name: str
    run: TemplateRun
    decl: Any
    span: Span | None
    instances: list[Instance] | None = None
    outputs_of: dict[int, Callable[[], Any]] = field(default_factory=dict)
    busy: bool = False


def symbol_handle(frame: Frame, name: str) -> Any:
    entry: SymbolEntry = frame.symbols[name]
    if entry.instances is None:
        if entry.busy:
            return Unk(f"'{name}' refers to itself")
        entry.run.expand_symbol(entry)
    insts = entry.instances or []
    looped = isinstance(entry.decl, dict) and ("__for__" in entry.decl or "copy" in entry.decl)
    handles = [ResourceHandle(entry, i, entry.outputs_of.get(id(i))) for i in insts]
    if looped:
        return handles
    if not handles:
        return ResourceHandle(entry, None, None)
    return handles[0]


def reference_target(arg: Any, scope: Scope) -> Any:
    """The resource id a ``reference()``/``resourceInfo()`` argument designates."""
    if isinstance(arg, ResourceHandle):
        return arg.rid
    if is_unknown(arg):
        return as_unk(arg)
    if not isinstance(arg, str):
        return Unk("reference() of something that is not a resource id")
    if arg.startswith("/"):
        return arg
    frame = scope.frame
    if arg in frame.symbols:
        handle = symbol_handle(frame, arg)
        if isinstance(handle, ResourceHandle):
            return handle.rid
        return Unk(f"reference('{arg}') names a resource collection")
    run: TemplateRun | None = getattr(frame, "run", None)
    if run is not None:
        for inst in run.instances:
            if isinstance(inst.name, str) and inst.name.lower() == arg.lower():
                return inst.rid
        for name, rid in run.deployment_names.items():
            if name == arg.lower():
                return rid
    return Unk(f"reference('{arg}') does not name a resource declared in the template")


def resolve_ref_member(ref: RefObj, name: str, scope: Scope | None) -> Any:
    """Property reads through reference(): module outputs and declared values are known."""
    child = ref.child(name)
    if not isinstance(ref.rid, str):
        return child
    run = _CURRENT_RUN[-1] if _CURRENT_RUN else None
    if run is None:
        return child
    path = [p.lower() for p in child.path]
    outputs = run.root.outputs_by_id.get(ref.rid.lower())
    if outputs is None and "/microsoft.resources/deployments/" in ref.rid.lower():
        outputs = run.root.outputs_by_name.get(ref.rid.rsplit("/", 1)[-1].lower())
    if outputs is not None and len(path) >= 3 and path[:2] == ["properties", "outputs"]:
        value = outputs().get(path[2]) if isinstance(outputs(), dict) else None
        if value is None:
            return Unk(f"{child.text}: output not found")
        rest = child.path[3:]
        result: Any = value
        if not rest:
            return result
        for step in rest:
            from linter.arm.functions import member

            result = member(result, step, ex.Ref(child.text), scope)  # type: ignore[arg-type]
        return result
    return child


_CURRENT_RUN: list[TemplateRun] = []


class Root:
    """State shared by a template and all its nested deployments."""

    def __init__(self, file: str, language: str) -> None:
        self.file = file
        self.language = language
        self.instances: list[Instance] = []
        self.unresolved: list[tuple[str, Span, str]] = []  # (address, span, reason) of external modules
        self.outputs_by_id: dict[str, Callable[[], Any]] = {}
        self.outputs_by_name: dict[str, Callable[[], Any]] = {}
        self.rg_locations: dict[str, Value] = {}
        self.suppressions: list[tuple[Any, Span, str]] = []  # (metadata value, span, address)
        #: module calls whose template is a compiled file outside the scan (a registry module in
        #: the Bicep module cache): address -> span of the call, where their findings are shown
        self.foreign_calls: dict[str, tuple[Span, str]] = {}  # address -> (call span, template file)
        self.count = 0


class TemplateRun:
    """Evaluates one template (top level or nested) in one frame."""

    def __init__(
        self,
        template: PosDict,
        frame: Frame,
        root: Root,
        prefix: str = "",
        depth: int = 0,
        condition: Value | None = None,
        module_call: str = "",
    ) -> None:
        self.template = template
        self.frame = frame
        self.root = root
        self.prefix = prefix
        self.depth = depth
        self.condition = condition if condition is not None else Known(True)
        self.module_call = module_call
        self.instances: list[Instance] = []
        self.deployment_names: dict[str, Any] = {}
        frame.run = self
        self._done: set[int] = set()

    # --- declarations ----------------------------------------------------------------------

    def declare(self, supplied: dict[str, Value]) -> None:
        """Parameters (with supplied values), variables (with ``copy``) and symbolic names."""
        params = self.template.get("parameters")
        given = {key.lower(): value for key, value in supplied.items()}
        if isinstance(params, dict):
            for name, decl in params.items():
                span = params.key_spans.get(name) if isinstance(params, PosDict) else None
                # a nullable parameter (Bicep 'string?', ARM "nullable": true) is null when not given
                has_default = isinstance(decl, dict) and (
                    "defaultValue" in decl or decl.get("nullable") is True
                )
                dspan = decl.key_spans.get("defaultValue", span) if isinstance(decl, PosDict) else span
                p = Param(name, decl, dspan, has_default=has_default, language="arm")
                p.supplied = given.get(name.lower())
                if has_default and isinstance(p.supplied, Known) and p.supplied.value is None:
                    p.supplied = None  # ARM takes a null parameter value as not given: the default applies
                self.frame.params[name.lower()] = p
        variables = self.template.get("variables")
        if isinstance(variables, dict):
            for name, node in variables.items():
                span = variables.key_spans.get(name) if isinstance(variables, PosDict) else None
                if name == "copy" and isinstance(node, list):
                    for spec, sspan in zip(
                        node, getattr(node, "item_spans", None) or [span] * len(node), strict=False
                    ):
                        if isinstance(spec, dict) and "name" in spec:
                            self.frame.variables[str(spec["name"]).lower()] = (CopyNode(spec), sspan)
                    continue
                self.frame.variables[name.lower()] = (node, span)
        resources = self.template.get("resources")
        if isinstance(resources, dict):  # languageVersion 2.0 / Bicep: symbolic names
            for name, decl in resources.items():
                span = resources.key_spans.get(name) if isinstance(resources, PosDict) else None
                self.frame.symbols[name] = SymbolEntry(name, self, decl, span)
        self.declare_functions()
        self.declare_imports()

    def declare_functions(self) -> None:
        """User functions: ARM ``functions`` namespaces and Bicep ``func`` declarations."""
        frame = self.frame

        def home() -> Frame:
            return frame

        for namespace in self.template.get("functions") or ():
            if not isinstance(namespace, dict) or not isinstance(namespace.get("members"), dict):
                continue
            prefix = str(namespace.get("namespace", "")).lower()
            for name, member in namespace["members"].items():
                if not isinstance(member, dict):
                    continue
                params = tuple(
                    str(p.get("name")) for p in member.get("parameters") or () if isinstance(p, dict)
                )
                output = member.get("output")
                body = output.get("value") if isinstance(output, dict) else None
                key = f"{prefix}.{name}".lower()
                frame.functions[key] = UserFunction(params, body, home, key)
        bicep = self.template.get(BICEP_FUNCTIONS)
        if isinstance(bicep, dict):
            for name, (params, body) in bicep.items():
                frame.functions[name.lower()] = UserFunction(tuple(params), body, home, name)

    def declare_imports(self) -> None:
        """Bicep ``import {...} from`` / ``import * as ns from``: variables, functions, namespaces
        of another file (attached by the Bicep front end), evaluated in that file's own frame."""
        imported = self.template.get(BICEP_IMPORTED)
        if not imported:
            return
        homes: dict[int, Callable[[], Frame | None]] = {}
        for original, local, span, source, where in imported:
            if source is None:
                home: Callable[[], Frame | None] = _no_frame
            else:
                home = homes.get(id(source)) or self._import_frame(source)
                homes[id(source)] = home
            if original == "*":
                self.frame.namespaces[local] = Namespace(home, where)
                continue
            functions = source.get(BICEP_FUNCTIONS) if source is not None else None
            if isinstance(functions, dict) and original in functions:
                params, body = functions[original]
                self.frame.functions[local.lower()] = UserFunction(tuple(params), body, home, original)
            else:
                self.frame.variables[local.lower()] = (Imported(home, original, where), span)

    def _import_frame(self, source: PosDict) -> Callable[[], Frame | None]:
        """The frame of an imported file, built on first use (imports may chain, not loop)."""
        built: list[Frame | None] = []
        depth = self.frame.depth + 1

        def home() -> Frame | None:
            if not built:
                if depth > MAX_CALL_DEPTH:
                    built.append(None)
                else:
                    frame = Frame(
                        str(getattr(source, "file", "") or self.frame.file), self.frame.deployment, "bicep"
                    )
                    frame.depth = depth
                    TemplateRun(source, frame, Root(frame.file, "bicep")).declare({})
                    built.append(frame)
            return built[0]

        return home

    # --- resources ---------------------------------------------------------------------------

    def run(self) -> list[Instance]:
        _CURRENT_RUN.append(self)
        try:
            resources = self.template.get("resources")
            if isinstance(resources, dict):
                for name in resources:
                    entry = self.frame.symbols.get(name)
                    if entry is not None and entry.instances is None:
                        self.expand_symbol(entry)
            elif isinstance(resources, list):
                spans = getattr(resources, "item_spans", None) or [None] * len(resources)
                for decl, span in zip(resources, spans, strict=False):
                    self.expand(decl, span, None, "")
        finally:
            _CURRENT_RUN.pop()
        return self.instances

    def expand_symbol(self, entry: SymbolEntry) -> None:
        entry.busy = True
        _CURRENT_RUN.append(self)
        try:
            entry.instances = self.expand(entry.decl, entry.span, None, entry.name, entry)
        finally:
            entry.busy = False
            _CURRENT_RUN.pop()

    def expand(
        self,
        decl: Any,
        span: Span | None,
        parent: Parent | None,
        symbol: str,
        entry: SymbolEntry | None = None,
    ) -> list[Instance]:
        if not isinstance(decl, dict) or id(decl) in self._done and parent is None:
            return []
        if parent is None:
            self._done.add(id(decl))
        span = getattr(decl, "span", None) or span or Span(self.root.file, 1)
        base = parent.scope if parent else Scope(self.frame)
        out: list[Instance] = []
        for scope, loop_cond, suffix in self._iterations(decl, span, base):
            if self.root.count >= MAX_INSTANCES:
                break
            self.root.count += 1
            inst = self._instance(decl, span, parent, symbol, scope, loop_cond, suffix, entry)
            if inst is None:
                continue
            out.append(inst)
            children = decl.get("resources")
            if isinstance(children, list):
                p = Parent(inst.rtype, inst.name, inst.rid, inst.condition, inst.address, scope)
                cspans = getattr(children, "item_spans", None) or [None] * len(children)
                for child, cspan in zip(children, cspans, strict=False):
                    self.expand(child, cspan, p, "")
        return out

    def _iterations(self, decl: dict, span: Span, base: Scope) -> list[tuple[Scope, Value, str]]:
        loop = decl.get("__for__")
        if isinstance(loop, ForSpec):
            collection = eval_node(loop.iterable, span, base)
            items = to_data(collection)
            if (
                isinstance(items, list)
                and isinstance(collection, Known)
                and len(collection.value) == len(items)
            ):
                items = list(collection.value)  # the items as Values: each keeps where it is written
            if isinstance(items, dict):
                items = [{"key": k, "value": v} for k, v in items.items()]
            if isinstance(items, int) and not isinstance(items, bool):
                items = list(range(items))
            if not isinstance(items, list) or len(items) > MAX_COPY:
                reason = as_unk(items).reason if is_unknown(items) else "loop collection is not a known array"
                scope = base.with_locals(**{k: Unk(reason) for k in (loop.item, loop.index) if k})
                return [(scope.with_copy(None, Unk(reason)), Unknown(f"loop: {reason}", span), "[*]")]
            out = []
            for i, item in enumerate(items):
                names = {}
                if loop.item:
                    names[loop.item] = item
                if loop.index:
                    names[loop.index] = i
                out.append((base.with_locals(**names).with_copy(None, i), Known(True), f"[{i}]"))
            return out
        copy = decl.get("copy")
        if isinstance(copy, dict):
            name = copy.get("name")
            count = eval_expr(copy.get("count"), base)
            if isinstance(count, bool) or not isinstance(count, int) or count > MAX_COPY:
                reason = as_unk(count).reason if is_unknown(count) else "copy count is not a known number"
                return [(base.with_copy(str(name), Unk(reason)), Unknown(f"copy: {reason}", span), "[*]")]
            return [(base.with_copy(str(name), i), Known(True), f"[{i}]") for i in range(max(count, 0))]
        return [(base, Known(True), "")]

    def _instance(
        self,
        decl: dict,
        span: Span,
        parent: Parent | None,
        symbol: str,
        scope: Scope,
        loop_cond: Value,
        suffix: str,
        entry: SymbolEntry | None,
    ) -> Instance | None:
        keys = {k.lower(): k for k in decl}
        rtype = decl.get(keys.get("type", "type"))
        rtype = to_data(eval_node(rtype, span, scope)) if not isinstance(rtype, str) else rtype
        if not isinstance(rtype, str):
            return None
        if isinstance(rtype, str) and "@" in rtype:
            rtype = rtype.split("@", 1)[0]
        condition = condition_and(self.condition, loop_cond)
        if parent is not None:
            condition = condition_and(condition, parent.condition)
        if "condition" in keys:
            cspan = decl.key_spans.get(keys["condition"]) if isinstance(decl, PosDict) else span
            condition = condition_and(condition, _as_bool(eval_node(decl[keys["condition"]], cspan, scope)))
        parent_name = parent.name if parent else None
        parent_id = parent.rid if parent else None
        if "parent" in keys:  # Bicep parent: symbolic reference
            handle = eval_expr(decl[keys["parent"]], scope)
            if isinstance(handle, list) and handle:
                handle = handle[0]
            if isinstance(handle, ResourceHandle) and handle.instance is not None:
                parent_name, parent_id = handle.instance.name, handle.instance.rid
                if "/" not in rtype.split("/", 2)[-1] and handle.instance.rtype:
                    pass
                condition = condition_and(condition, handle.instance.condition)
            else:
                parent_name, parent_id = Unk("parent resource not known"), Unk("parent resource not known")
        if parent is not None and "." not in rtype.split("/", 1)[0]:
            rtype = f"{parent.rtype}/{rtype}"
        nspan = decl.key_spans.get(keys.get("name", "name"), span) if isinstance(decl, PosDict) else span
        name_value = (
            eval_node(decl.get(keys.get("name", "name")), nspan, scope)
            if "name" in keys
            else Unknown("resource has no name", span)
        )
        name = to_data(name_value)
        if isinstance(name, Symbol):
            name = str(name)
        if name is None and parent_name is not None:
            name = ""  # as ARM's format('{0}/{1}', parent, null) writes it
        depth = len([p for p in rtype.split("/")[1:] if p])
        if isinstance(name, str) and parent_name is not None and name.count("/") + 1 < depth:
            name = f"{parent_name}/{name}" if isinstance(parent_name, str) else Unk("parent name not known")
        existing = decl.get(keys.get("existing", "existing")) is True
        dep = self.frame.deployment
        if "resourcegroup" in keys or "subscriptionid" in keys:
            rg = eval_expr(decl[keys["resourcegroup"]], scope) if "resourcegroup" in keys else dep.rg_name
            sub = eval_expr(decl[keys["subscriptionid"]], scope) if "subscriptionid" in keys else None
            dep = dep.for_resource_group(rg, sub) if not is_unknown(rg) else dep
        scope_id: Any = None
        if "scope" in keys and rtype.lower() != DEPLOYMENTS:
            scope_value = eval_expr(decl[keys["scope"]], scope)
            scope_id = self._scope_id(scope_value, scope)
            if isinstance(scope_id, tuple):  # a resource group / subscription scope (Bicep existing)
                dep = scope_id[1]
                scope_id = None
        elif "scope" in keys and self.frame.language == "bicep":  # a module deployed to a resource group
            target = eval_expr(decl[keys["scope"]], scope)
            if isinstance(target, dict) and str(target.get("type", "")).lower() == RESOURCE_GROUPS:
                dep = dep.for_resource_group(target.get("name"), None)
        rid = self._resource_id(rtype, name, dep, scope_id, parent_id)
        body = self._body(decl, span, scope, keys)
        label = decl.get("__address__") if isinstance(decl.get("__address__"), str) else None
        address = self.prefix + (label or symbol or _address_of(rtype, name, decl)) + suffix
        inst = Instance(
            rtype=rtype,
            name=name,
            name_value=name_value,
            rid=rid,
            address=address,
            span=span,
            body=body,
            condition=condition,
            existing=existing,
            deployment=dep,
            language=self.root.language,
            scope_id=scope_id,
            parent_id=parent_id,
            metadata=decl.get(keys["metadata"]) if "metadata" in keys else None,
            symbol=symbol,
            module_call=self.module_call,
        )
        self.instances.append(inst)
        self.root.instances.append(inst)
        if inst.metadata is not None and isinstance(decl, PosDict):
            self.root.suppressions.append(
                (inst.metadata, decl.key_spans.get(keys["metadata"], span), address)
            )
        if rtype.lower() == RESOURCE_GROUPS and isinstance(name, str):
            loc = body.value.get("location")
            if isinstance(loc, Known):
                self.root.rg_locations[name.lower()] = loc
        if rtype.lower() == DEPLOYMENTS and not existing:
            outputs = self._nested(decl, inst, scope, keys)
            if outputs is not None:
                if isinstance(rid, str):
                    self.root.outputs_by_id[rid.lower()] = outputs
                if isinstance(name, str):
                    self.root.outputs_by_name[name.lower()] = outputs
                if entry is not None:
                    entry.outputs_of[id(inst)] = lambda o=outputs: {  # type: ignore[misc]
                        k: (v.get("value") if isinstance(v, dict) else v) for k, v in o().items()
                    }
            if isinstance(name, str):
                self.deployment_names[name.lower()] = rid
        return inst

    def _scope_id(self, value: Any, scope: Scope) -> Any:
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, ResourceHandle):
            return value.rid
        if isinstance(value, dict) and str(value.get("type", "")).lower() == RESOURCE_GROUPS:
            return ("rg", self.frame.deployment.for_resource_group(value.get("name"), None))
        if isinstance(value, dict) and "subscriptionId" in value:
            return ("sub", self.frame.deployment)
        if is_unknown(value):
            return as_unk(value)
        if not isinstance(value, str):
            return Unk("scope is not a resource id")
        if value.startswith("/"):
            return value
        if value in self.frame.symbols:
            handle = symbol_handle(self.frame, value)
            return handle.rid if isinstance(handle, ResourceHandle) else Unk("scope is a collection")
        parts = [p for p in value.split("/") if p]
        if len(parts) >= 3 and "." in parts[0] and len(parts) % 2 == 1:
            from linter.arm.functions import build_id

            types = [parts[0]] + parts[1::2]
            return build_id(self.frame.deployment.rg_prefix, "/".join(types), parts[2::2])
        return Unk(f"scope {value!r} is not a resource id")

    def _resource_id(self, rtype: str, name: Any, dep: Deployment, scope_id: Any, parent_id: Any) -> Any:
        from linter.arm.functions import build_id

        if is_unknown(name):
            return Unk(f"name of {rtype}: {as_unk(name).reason}")
        if not isinstance(name, str):
            return Unk(f"name of {rtype} is not a string")
        if scope_id is not None:
            if is_unknown(scope_id):
                return Unk(f"scope of {rtype}: {as_unk(scope_id).reason}")
            return build_id(scope_id, rtype, [name])
        if rtype.lower() == RESOURCE_GROUPS:
            return f"{dep.subscription_prefix}/resourceGroups/{name}"
        prefix = dep.rg_prefix if dep.level == "resourceGroup" else dep.subscription_prefix
        if dep.level in ("tenant", "managementGroup"):
            prefix = ""
        return build_id(prefix, rtype, [name])

    def _body(self, decl: dict, span: Span, scope: Scope, keys: dict[str, str]) -> Known:
        out: dict[str, Value] = {}
        for key, node in decl.items():
            if isinstance(key, ex.Spread):  # resource body '...object': its properties
                spread = eval_node(
                    key.expr, decl.key_spans.get(key, span) if isinstance(decl, PosDict) else span, scope
                )
                if isinstance(spread, Known) and isinstance(spread.value, dict):
                    out.update(spread.value)
                continue
            if key.lower() in _SKIP:
                continue
            if key.lower() == "properties" and str(decl.get(keys.get("type", "type"), "")).lower().startswith(
                DEPLOYMENTS
            ):
                continue
            kspan = decl.key_spans.get(key, span) if isinstance(decl, PosDict) else span
            out[key] = eval_node(node, kspan, scope)
        return Known(out, span)

    # --- nested deployments -------------------------------------------------------------------

    def _nested(
        self, decl: dict, inst: Instance, scope: Scope, keys: dict[str, str]
    ) -> Callable[[], Any] | None:
        props = decl.get(keys.get("properties", "properties"))
        if not isinstance(props, dict):
            return None
        template = props.get("template")
        if not isinstance(template, dict):
            reason = props.get(UNRESOLVED_REASON) or (
                "a linked template (templateLink)" if "templateLink" in props else "no inline template"
            )
            self.root.unresolved.append((inst.address, inst.span, reason))
            return None
        if self.depth >= MAX_DEPTH:
            self.root.unresolved.append((inst.address, inst.span, "nested too deeply"))
            return None
        options = props.get("expressionEvaluationOptions")
        inner = isinstance(options, dict) and str(options.get("scope", "")).lower() == "inner"
        dep = inst.deployment
        if "scope" in keys:
            target = eval_expr(decl[keys["scope"]], scope)
            if isinstance(target, list) and target:
                target = target[0]
            if isinstance(target, ResourceHandle) and target.instance is not None:
                if target.instance.type_lower == RESOURCE_GROUPS and not is_unknown(target.instance.name):
                    dep = self.frame.deployment.for_resource_group(target.instance.name, None)
            elif isinstance(target, dict) and str(target.get("type", "")).lower() == RESOURCE_GROUPS:
                dep = self.frame.deployment.for_resource_group(target.get("name"), None)
        if isinstance(dep.rg_name, str) and dep.rg_name.lower() in self.root.rg_locations:
            loc = self.root.rg_locations[dep.rg_name.lower()]
            dep = Deployment(dep.subscription_id, dep.rg_name, to_data(loc), dep.name, dep.level)
        schema = str(template.get("$schema", "")).lower()
        level = "resourceGroup"
        if "subscriptiondeploymenttemplate" in schema:
            level = "subscription"
        elif "managementgroupdeploymenttemplate" in schema:
            level = "managementGroup"
        elif "tenantdeploymenttemplate" in schema:
            level = "tenant"
        dep = Deployment(dep.subscription_id, dep.rg_name, dep.rg_location, inst.name, level)
        prefix = f"{inst.address}."  # suppressions on the call cover it (linter.suppress.address_under)
        language = self.frame.language
        template_file = str(getattr(template, "file", None) or "")
        if template_file.endswith(".json"):  # a compiled registry module called from Bicep
            language = "arm"
        if props.get(REGISTRY_MODULE) and inst.address not in self.root.foreign_calls:
            self.root.foreign_calls[inst.address] = (inst.span, template_file)
        if inner:
            supplied: dict[str, Value] = {}
            params = props.get("parameters")
            if isinstance(params, dict):
                for pname, pnode in params.items():
                    pspan = params.key_spans.get(pname) if isinstance(params, PosDict) else inst.span
                    if isinstance(pname, ex.Spread):  # Bicep 'params: { ...common }'
                        spread = eval_node(pname.expr, pspan, scope)
                        if isinstance(spread, Known) and isinstance(spread.value, dict):
                            supplied.update(spread.value)
                        else:  # any parameter may come from it: none keeps its default
                            reason = spread.reason if isinstance(spread, Unknown) else "not an object"
                            declared = template.get("parameters")
                            for declared_name in declared if isinstance(declared, dict) else ():
                                supplied[declared_name] = Unknown(
                                    f"parameter '{declared_name}' may come from {ex.render(pname)}: {reason}",
                                    pspan,
                                )
                        continue
                    if isinstance(pnode, str) and self.frame.language == "arm":
                        # a parameter the compiler wrote as one expression: [if(c, createObject('value', a), ...)]
                        entry = eval_node(pnode, pspan, scope)
                        if (
                            isinstance(entry, Known)
                            and isinstance(entry.value, dict)
                            and "value" in entry.value
                        ):
                            supplied[pname] = entry.value["value"]
                        else:
                            reason = entry.reason if isinstance(entry, Unknown) else "not a parameter value"
                            supplied[pname] = Unknown(f"parameter '{pname}': {reason}", pspan)
                    elif isinstance(pnode, dict) and "value" in pnode:
                        vspan = pnode.key_spans.get("value", pspan) if isinstance(pnode, PosDict) else pspan
                        supplied[pname] = eval_node(pnode["value"], vspan, scope)
                    elif isinstance(pnode, dict) and "copy" in pnode and self.frame.language == "arm":
                        # a Bicep for-expression passed to a module: {"copy": [{"name": "value", ...}]}
                        copied = eval_node(pnode, pspan, scope)
                        if (
                            isinstance(copied, Known)
                            and isinstance(copied.value, dict)
                            and "value" in copied.value
                        ):
                            supplied[pname] = copied.value["value"]
                    elif isinstance(pnode, dict) and "reference" in pnode:
                        supplied[pname] = Unknown(
                            f"parameter '{pname}' comes from a Key Vault reference", pspan
                        )
            frame = Frame(getattr(template, "file", None) or self.frame.file, dep, language)
            run = TemplateRun(
                template, frame, self.root, prefix, self.depth + 1, inst.condition, inst.address
            )
            run.declare(supplied)
        else:
            frame = Frame(self.frame.file, dep, self.frame.language)
            frame.params = self.frame.params
            frame.variables = self.frame.variables
            frame._param_cache = self.frame._param_cache
            frame._var_cache = self.frame._var_cache
            run = TemplateRun(
                template, frame, self.root, prefix, self.depth + 1, inst.condition, inst.address
            )
            run.declare({})
            frame.params, frame.variables = self.frame.params, self.frame.variables
        run.run()
        outputs_node = template.get("outputs")
        cache: dict[str, Any] = {}

        def outputs() -> Any:
            if "done" in cache:
                return cache["done"]
            cache["done"] = {}
            result: dict[str, Any] = {}
            if isinstance(outputs_node, dict):
                for oname, onode in outputs_node.items():
                    if isinstance(onode, dict) and ("value" in onode or "copy" in onode):
                        ospan = onode.key_spans.get("value") if isinstance(onode, PosDict) else None
                        _CURRENT_RUN.append(run)
                        try:
                            if "value" in onode:
                                value = to_data(eval_node(onode["value"], ospan, Scope(frame)))
                            else:  # a Bicep for-expression output: {"copy": {"count", "input"}}
                                value = _output_copy(onode["copy"], oname, frame)
                        finally:
                            _CURRENT_RUN.pop()
                        result[oname.lower()] = {"value": value, "type": onode.get("type")}
            cache["done"] = result
            return result

        return outputs


def _output_copy(spec: Any, name: str, frame: Frame) -> Any:
    """The array an output ``copy`` builds (``copyIndex()`` counts its items)."""
    if not isinstance(spec, dict):
        return Unk(f"output {name}: copy is not an object")
    count = eval_expr(spec.get("count"), Scope(frame))
    if isinstance(count, bool) or not isinstance(count, int) or count > MAX_COPY:
        reason = as_unk(count).reason if is_unknown(count) else "the count is not a known number"
        return Unk(f"output {name}: {reason}")
    return [
        to_data(eval_node(spec.get("input"), None, Scope(frame).with_copy(None, i))) for i in range(count)
    ]


def _no_frame() -> Frame | None:
    return None


def _as_bool(value: Value) -> Value:
    if isinstance(value, Known) and isinstance(value.value, str) and value.value.lower() in ("true", "false"):
        return Known(value.value.lower() == "true", value.span, value.via)
    if isinstance(value, Known) and not isinstance(value.value, bool):
        return Unknown("condition is not a boolean", value.span)
    return value


def _address_of(rtype: str, name: Any, decl: dict) -> str:
    short = rtype.split("/")[-1]
    if isinstance(name, str):
        return f"{short}/{name}"
    raw = decl.get("name")
    text = raw if isinstance(raw, str) else ex.render(raw)
    return f"{short}/{text}"


__all__ = [
    "ForSpec",
    "Instance",
    "ResourceHandle",
    "Root",
    "TemplateRun",
    "reference_target",
    "symbol_handle",
]
