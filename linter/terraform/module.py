"""Terraform modules: variables, locals, resources and module calls, evaluated lazily.

A ``ModuleInstance`` is a scope: ``var.x``, ``local.y``, ``azurerm_x.y.attr``, ``module.m.out``,
``count.index`` and ``each.key`` all resolve through it. Resources expand over ``count`` and
``for_each`` when those are known; when they are not, one representative instance stands for
all of them with an unknown condition, so "may exist with a bad value" still fires and "is
missing" does not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linter.model import ABSENT, Known, Span, Symbol, Unknown, Value
from linter.normalize import condition_and
from linter.terraform import hcl
from linter.terraform.dynamic import nested_blocks
from linter.terraform.evaluate import ChildScope, Evaluator, Lazy, Scope, attribute_value, get_attr, index
from linter.terraform.overrides import merge_file
from linter.terraform.plan import (
    AFTER_APPLY,
    Plan,
    Planned,
    PlannedResource,
    call_names,
    instance_key,
    property_spans,
    references,
)

META_ARGUMENTS = {
    "count",
    "for_each",
    "depends_on",
    "provider",
    "providers",
    "lifecycle",
    "source",
    "version",
}
MAX_MODULE_DEPTH = 12


@dataclass
class ModuleSource:
    """The parsed files of one module directory."""

    directory: Path
    files: list[hcl.HclFile] = field(default_factory=list)
    variables: dict[str, hcl.Block] = field(default_factory=dict)
    locals: dict[str, hcl.Attribute] = field(default_factory=dict)
    resources: list[hcl.Block] = field(default_factory=list)
    module_calls: list[hcl.Block] = field(default_factory=list)
    outputs: dict[str, hcl.Attribute] = field(default_factory=dict)
    terraform_blocks: list[hcl.Block] = field(default_factory=list)
    provider_blocks: list[hcl.Block] = field(default_factory=list)

    @classmethod
    def build(cls, directory: Path, files: list[hcl.HclFile], overrides: list[hcl.HclFile]) -> ModuleSource:
        """A module from its files (``.tf`` and ``.tf.json`` alike), override files merged in last."""
        source = cls(directory, files=[*files, *overrides])
        blocks = [b for f in files for b in f.body.blocks]
        for override in overrides:
            blocks = merge_file(blocks, override)
        for b in blocks:
            source._add(b)
        return source

    def _add(self, b: hcl.Block) -> None:
        if b.type == "variable" and b.labels:
            self.variables[b.labels[0]] = b
        elif b.type == "locals":
            self.locals.update(b.body.attributes)
        elif b.type == "resource" and len(b.labels) == 2:
            self.resources.append(b)
        elif b.type == "module" and b.labels:
            self.module_calls.append(b)
        elif b.type == "output" and b.labels and "value" in b.body.attributes:
            self.outputs[b.labels[0]] = b.body.attributes["value"]
        elif b.type == "terraform":
            self.terraform_blocks.append(b)
        elif b.type == "provider":
            self.provider_blocks.append(b)


def local_source(call: hcl.Block) -> str | None:
    """The relative path of a local module call (``./x``, ``../x``), else None."""
    attr = call.body.attributes.get("source")
    if attr is not None and isinstance(attr.expr, hcl.Lit) and isinstance(attr.expr.value, str):
        src = attr.expr.value
        if src.startswith(("./", "../")) or src in (".", ".."):
            return src
    return None


class Namespace(Lazy):
    """``var``, ``local``, ``module``, a resource type: attribute access computed on demand."""

    def __init__(self, getter: Any, what: str) -> None:
        self._getter = getter
        self._what = what

    def get(self, name: str, span: Span) -> Value:
        return self._getter(name, span)

    def __repr__(self) -> str:
        return self._what


class BlockObject(Lazy):
    """A resource instance or one of its nested blocks, as seen by references."""

    def __init__(self, address: str, body: hcl.Body, scope: Scope, root: str = "") -> None:
        self.address = address
        self.body = body
        self.scope = scope
        self.root = root  # symbols are qualified by the root module: stacks never share them

    def get(self, name: str, span: Span) -> Value:
        attr = self.body.attributes.get(name)
        nested = self.body.blocks_of(name)
        blocks = Known(
            [
                Known(BlockObject(f"{self.address}.{name}[{i}]", b.body, self.scope, self.root))
                for i, b in enumerate(nested)
            ],
            span,
        )
        if attr is not None and nested:  # JSON syntax: an object that may be an argument or a block
            return Known(_ArgumentOrBlocks(attribute_value(Evaluator(self.scope), attr), blocks), span)
        if attr is not None:
            return attribute_value(Evaluator(self.scope), attr)
        if nested:
            return blocks
        return Known(Symbol(f"{self.root}#{self.address}.{name}"), span)

    def index(self, key: Any, span: Span) -> Value:
        return Unknown(f"cannot index {self.address}", span)

    def __repr__(self) -> str:
        return self.address


class _ArgumentOrBlocks(Lazy):
    """A JSON-syntax property that is an argument (``tags.env``) or nested blocks (``identity[0].x``)."""

    def __init__(self, argument: Value, blocks: Known) -> None:
        self.argument = argument
        self.blocks = blocks

    def get(self, name: str, span: Span) -> Value:
        return get_attr(self.argument, name, span)

    def index(self, key: Any, span: Span) -> Value:
        if isinstance(key, int) and not isinstance(key, bool):
            return index(self.blocks, Known(key), span)
        return index(self.argument, Known(key), span)


@dataclass
class ResourceInstance:
    """One expanded resource: what adapters read and what references resolve to.

    ``planned`` holds the plan's values when a plan was given: attributes are then the plan's
    values at the source's positions (``linter.terraform.plan``).
    """

    type: str
    name: str
    address: str
    block: hcl.Block
    scope: Scope
    condition: Value
    module: ModuleInstance
    planned: Planned | None = None

    def attr(self, name: str) -> Value:
        return self.view().attr(name)

    def overlay(self, name: str, static: Value) -> Value:
        """``static`` (the source's value of ``name``) with the plan's value over it, if any."""
        return static if self.planned is None else self.planned.attribute(name, static)

    def obj(self) -> BlockObject:
        return BlockObject(self.address, self.block.body, self.scope, self.module.root_key)

    def symbol(self, path: str) -> Symbol:
        """The symbol a reference to ``<this resource><path>`` evaluates to (``.id``, ``.identity[0].principal_id``)."""
        return Symbol(f"{self.module.root_key}#{self.address}{path}")

    def ids(self) -> set[object]:
        """What references to this resource's id evaluate to: its symbol, and the plan's id if known."""
        return {self.symbol(".id")} | (self.planned.ids() if self.planned is not None else set())

    def blocks(self, name: str) -> list[BlockView]:
        """The nested ``name`` blocks, literal and generated by ``dynamic`` blocks."""
        return self.view().blocks(name)

    def view(self) -> BlockView:
        return BlockView(self.block, self.scope, Known(True, self.block.span), self.planned)


@dataclass
class BlockView:
    """A resource or one of its nested blocks, read by adapters.

    ``presence`` is Known(True) for a block that exists (its header; for a generated block the
    ``dynamic`` header) and Unknown for the stand-in of a ``dynamic`` block whose ``for_each``
    is not known: every attribute of such a block is unknown too, never absent. ``planned`` is the
    plan's value of this block, which a plan can also resolve that stand-in into real blocks.
    """

    block: hcl.Block
    scope: Scope
    presence: Value = field(default_factory=lambda: Known(True))
    planned: Planned | None = None

    @property
    def span(self) -> Span:
        return self.block.span

    def attr(self, name: str) -> Value:
        if isinstance(self.presence, Unknown):
            return self.presence
        attr = self.block.body.attributes.get(name)
        static = ABSENT if attr is None else attribute_value(Evaluator(self.scope), attr)
        if self.planned is None:
            return static
        return self.planned.attribute(name, static, attr.span if attr is not None else None)

    def blocks(self, name: str) -> list[BlockView]:
        unknown = self.presence if isinstance(self.presence, Unknown) else None
        views = [
            BlockView(n.block, n.scope, unknown if unknown is not None else n.presence)
            for n in nested_blocks(self.block.body, name, self.scope)
        ]
        planned = self.planned.nested(name) if self.planned is not None and unknown is None else None
        if planned is None:
            return views
        items, after_apply = planned
        if after_apply:
            stand_in = hcl.Block(name, (), hcl.Body(), self.span, self.block.full)
            return views or [BlockView(stand_in, self.scope, Unknown(AFTER_APPLY, self.span))]
        out = []
        for i, item in enumerate(items):
            if views:  # the source's block (or the last one) gives the positions
                source = views[min(i, len(views) - 1)]
                presence = source.presence if isinstance(source.presence, Known) else Known(True, source.span)
                out.append(BlockView(source.block, source.scope, presence, item))
            else:
                block = hcl.Block(name, (), hcl.Body(), self.span, self.block.full)
                out.append(BlockView(block, self.scope, Known(True, self.span), item))
        return out


class ModuleInstance:
    """A module (root or called) with its variable values; the Scope its expressions run in."""

    def __init__(
        self,
        source: ModuleSource,
        prefix: str,
        variables: dict[str, Value],
        loader: Any,
        depth: int = 0,
        call_address: str = "",
        condition: Value | None = None,
    ) -> None:
        self.source = source
        self.prefix = prefix  # "" or "module.a." or "module.a[0].module.b."
        self.var_values = variables
        self.loader = loader
        self.depth = depth
        self.call_address = call_address
        self.condition = condition if condition is not None else Known(True)
        self.root_key: str = str(source.directory) if depth == 0 else ""
        self.module_key = ""  # call names from the root, dot-separated: the manifest's Key
        self.plan: Plan | None = None  # the plan's values, when a plan of this configuration was given
        self.parent: ModuleInstance | None = None
        self.call_block: hcl.Block | None = None  # the module block that called this instance
        #: where resources the source does not show are located (a module only the plan shows)
        self.fallback: Span | None = None
        self._plan_only: dict[str, list[ModuleInstance]] = {}
        self._locals: dict[str, Value] = {}
        self._locals_in_progress: set[str] = set()
        self._resources = {(b.labels[0], b.labels[1]): b for b in source.resources}
        self._expansions: dict[tuple[str, str], list[ResourceInstance] | Unknown] = {}
        self._calls = {b.labels[0]: b for b in source.module_calls}
        self._children: dict[str, list[ModuleInstance] | Unknown] = {}

    # Scope
    def lookup(self, name: str, span: Span) -> Value:
        if name == "var":
            return Known(Namespace(self._var, "var"))
        if name == "local":
            return Known(Namespace(self._local, "local"))
        if name == "module":
            return Known(Namespace(self._module_outputs, "module"))
        if name == "path":
            return Known(
                {
                    "module": Known(str(self.source.directory)),
                    "root": Known(str(self.source.directory)),
                    "cwd": Known("."),
                }
            )
        if name == "data":
            return Unknown("data sources are only known at plan time", span)
        if name in ("terraform", "self", "each", "count"):
            return Unknown(f"{name} is not available here", span)
        if any(t == name for t, _ in self._resources):
            return Known(Namespace(lambda n, s, t=name: self._resource_ref(t, n, s), name))
        return Unknown(f"{name} is not declared in {self.source.directory.name}", span)

    def _var(self, name: str, span: Span) -> Value:
        if name in self.var_values:
            return self.var_values[name]
        return Unknown(f"variable {name!r} is not declared", span)

    def _local(self, name: str, span: Span) -> Value:
        if name in self._locals:
            return self._locals[name]
        attr = self.source.locals.get(name)
        if attr is None:
            return Unknown(f"local {name!r} is not declared", span)
        if name in self._locals_in_progress:
            return Unknown(f"local {name!r} refers to itself", span)
        self._locals_in_progress.add(name)
        try:
            value = attribute_value(Evaluator(self), attr)
        finally:
            self._locals_in_progress.discard(name)
        self._locals[name] = value
        return value

    # resources
    def expansion(self, type_: str, name: str) -> list[ResourceInstance]:
        key = (type_, name)
        if key not in self._expansions:
            self._expansions[key] = []  # guards self-reference while expanding
            self._expansions[key] = self._expand(self._resources[key])
        result = self._expansions[key]
        return result if isinstance(result, list) else []

    @property
    def address(self) -> str:
        """The module instance address as Terraform writes it ("" for the root module)."""
        return self.prefix[:-1]

    def _expand(self, block: hcl.Block) -> list[ResourceInstance]:
        type_, name = block.labels
        if self.plan is not None and self.plan.declares_resource(self.address, type_, name):
            return [
                self._planned_instance(block, p) for p in self.plan.resources_of(self.address, type_, name)
            ]
        base = f"{self.prefix}{type_}.{name}"
        count_attr = block.body.attributes.get("count")
        each_attr = block.body.attributes.get("for_each")

        def make(address: str, names: dict[str, Value], condition: Value) -> ResourceInstance:
            scope = ChildScope(self, names) if names else self
            cond = condition_and(self.condition, condition)
            return ResourceInstance(type_, name, address, block, scope, cond, self)

        if count_attr is not None:
            count = Evaluator(self).eval(count_attr.expr)
            if (
                isinstance(count, Known)
                and isinstance(count.value, int | float)
                and not isinstance(count.value, bool)
            ):
                n = int(count.value)
                return [
                    make(f"{base}[{i}]", {"count": Known({"index": Known(i)})}, Known(True)) for i in range(n)
                ]
            reason = count.reason if isinstance(count, Unknown) else "count is not a number"
            unknown = Unknown(f"count of {base} is not known ({reason})", count_attr.span)
            return [make(f"{base}[0]", {"count": Known({"index": unknown})}, unknown)]
        if each_attr is not None:
            coll = Evaluator(self).eval(each_attr.expr)
            if isinstance(coll, Known) and isinstance(coll.value, dict | list):
                pairs = (
                    coll.value.items() if isinstance(coll.value, dict) else [(_key(v), v) for v in coll.value]
                )
                out = []
                for k, v in pairs:
                    if k is None:
                        break
                    each = Known({"key": Known(k), "value": v})
                    out.append(make(f'{base}["{k}"]', {"each": each}, Known(True)))
                else:
                    return out
            reason = coll.reason if isinstance(coll, Unknown) else "for_each is not a known map or set"
            unknown = Unknown(f"for_each of {base} is not known ({reason})", each_attr.span)
            return [make(f"{base}[*]", {"each": Known({"key": unknown, "value": unknown})}, unknown)]
        return [make(base, {}, Known(True))]

    def _planned_instance(self, block: hcl.Block, planned: PlannedResource) -> ResourceInstance:
        """A resource instance the plan has: the plan's address and values, the source's positions."""
        names = self._repetition_names(block, planned.index)
        scope = ChildScope(self, names) if names else self
        type_, name = block.labels
        values = Planned(planned.after, planned.unknown, block.span)
        return ResourceInstance(type_, name, planned.address, block, scope, self.condition, self, values)

    def _repetition_names(self, block: hcl.Block, key: Any) -> dict[str, Value]:
        """``count.index`` or ``each.key``/``each.value`` of the instance with ``key``."""
        if key is None:
            return {}
        if "count" in block.body.attributes:
            return {"count": Known({"index": Known(key)})}
        each_attr = block.body.attributes.get("for_each")
        value: Value = Unknown(f"each.value of key {key!r} is known to the plan only", block.span)
        if each_attr is not None:
            collection = Evaluator(self).eval(each_attr.expr)
            if (
                isinstance(collection, Known)
                and isinstance(collection.value, dict)
                and str(key) in collection.value
            ):
                value = collection.value[str(key)]
            elif isinstance(collection, Known) and isinstance(collection.value, list):
                value = Known(key)  # a set of strings: each.value is each.key
        return {"each": Known({"key": Known(key), "value": value})}

    def _plan_only_instances(self) -> Iterator[ResourceInstance]:
        """Resources and module calls the plan has and the source does not show."""
        assert self.plan is not None
        for planned in self.plan.resources_in(self.address):
            if (planned.type, planned.name) not in self._resources:
                if self.fallback is None:  # no source shows this module: the plan file itself
                    span, spans = planned.span, property_spans(planned.after)
                else:  # the module call, or the caller's argument an expression refers to
                    span = self.fallback
                    config = self.plan.resource_config(self.address, planned.type, planned.name) or {}
                    expressions = config.get("expressions")
                    spans = {
                        name: where
                        for name, expression in (expressions if isinstance(expressions, dict) else {}).items()
                        if (where := self._reference_span(expression)) is not None
                    }
                block = hcl.Block("resource", (planned.type, planned.name), hcl.Body(), span, span)
                values = Planned(planned.after, planned.unknown, span, spans)
                yield ResourceInstance(
                    planned.type, planned.name, planned.address, block, self, self.condition, self, values
                )
        for call in self.plan.calls(self.address):
            if call not in self._calls:
                for child in self._plan_only_children(call):
                    yield from child.instances()

    def _plan_only_children(self, call: str) -> list[ModuleInstance]:
        assert self.plan is not None
        if call not in self._plan_only:
            out = []
            for address in self.plan.child_instances(self.address, call):
                child = self._child(ModuleSource(self.source.directory), address, {}, self.condition, None)
                child.fallback = self.fallback
                out.append(child)
            self._plan_only[call] = out
        return self._plan_only[call]

    def _reference_span(self, expression: Any) -> Span | None:
        """Where the value of a plan-only expression is written: the caller's argument it names."""
        for ref in references(expression):
            if ref.startswith("var.") and "." not in ref[4:] and "[" not in ref[4:]:
                return self._argument_span(ref[4:])
        return None

    def _argument_span(self, variable: str) -> Span | None:
        if self.call_block is not None:
            attr = self.call_block.body.attributes.get(variable)
            return attr.span if attr is not None else None
        if self.parent is None or self.plan is None:
            return None
        names = call_names(self.address)
        call = self.plan.call_config(self.parent.address, names[-1]) if names else None
        expressions = (call or {}).get("expressions")
        return self.parent._reference_span(
            expressions.get(variable) if isinstance(expressions, dict) else None
        )

    def _child(
        self,
        source: ModuleSource,
        address: str,
        variables: dict[str, Value],
        condition: Value,
        call: hcl.Block | None,
    ) -> ModuleInstance:
        child = ModuleInstance(
            source, address + ".", variables, self.loader, self.depth + 1, address, condition
        )
        child.root_key = self.root_key
        name = call_names(address)[-1]
        child.module_key = f"{self.module_key}.{name}" if self.module_key else name
        child.plan = self.plan
        child.parent = self
        child.call_block = call
        return child

    def _resource_ref(self, type_: str, name: str, span: Span) -> Value:
        block = self._resources.get((type_, name))
        if block is None:
            return Unknown(f"{type_}.{name} is not declared", span)
        instances = self.expansion(type_, name)
        if "count" in block.body.attributes:
            if instances and isinstance(instances[0].condition, Unknown):
                return Known(_Representative(instances[0]))
            return Known([Known(i.obj()) for i in instances], span)
        if "for_each" in block.body.attributes:
            if instances and instances[0].address.endswith("[*]"):
                return Known(_Representative(instances[0]))
            return Known({i.address.rsplit('["', 1)[1][:-2]: Known(i.obj()) for i in instances}, span)
        if not instances:
            return Unknown(f"{type_}.{name} could not be expanded", span)
        return Known(instances[0].obj(), span)

    def instances(self) -> Iterator[ResourceInstance]:
        """Every managed resource instance of this module and the modules it calls."""
        for block in self.source.resources:
            yield from self.expansion(*block.labels)
        for call in self.source.module_calls:
            children = self.children(call.labels[0])
            if isinstance(children, list):
                for child in children:
                    yield from child.instances()
        if self.plan is not None:
            yield from self._plan_only_instances()

    # modules
    def children(self, name: str) -> list[ModuleInstance] | Unknown:
        if name not in self._children:
            self._children[name] = Unknown("module call is being expanded")
            self._children[name] = self._instantiate(self._calls[name])
        return self._children[name]

    def _module_directory(self, call: hcl.Block) -> Path | Unknown:
        """Where the called module's files are: a local path, or where ``terraform init`` put it."""
        name = call.labels[0]
        rel = local_source(call)
        if rel is not None:
            return self.source.directory / rel
        key = f"{self.module_key}.{name}" if self.module_key else name
        return self.loader.installed_module(Path(self.root_key), key, call)

    def _instantiate(self, call: hcl.Block) -> list[ModuleInstance] | Unknown:
        name = call.labels[0]
        if self.depth >= MAX_MODULE_DEPTH:
            return Unknown(f"module {name} is nested too deeply")
        planned = self.plan is not None and self.plan.call_config(self.address, name) is not None
        directory = self._module_directory(call)
        source = None if isinstance(directory, Unknown) else self.loader.module(directory)
        if source is None and not planned:
            if isinstance(directory, Unknown):
                return directory
            return Unknown(f"module {name}: {directory} has no Terraform files")
        base = f"{self.prefix}module.{name}"
        keys = self._planned_keys(call) if planned else self._static_keys(call, base)
        out = []
        for address, names, cond in keys:
            scoped = Evaluator(ChildScope(self, names) if names else self)
            values = {
                k: attribute_value(scoped, a)
                for k, a in call.body.attributes.items()
                if k not in META_ARGUMENTS
            }
            module_source = source if source is not None else ModuleSource(self.source.directory)
            variables = self.loader.variable_values(module_source, values)
            child = self._child(module_source, address, variables, condition_and(self.condition, cond), call)
            if source is None:  # only the plan shows this module: its resources are located at the call
                child.fallback = call.span
            out.append(child)
        return out

    def _planned_keys(self, call: hcl.Block) -> list[tuple[str, dict[str, Value], Value]]:
        """The module's instances as the plan has them."""
        assert self.plan is not None
        return [
            (address, self._repetition_names(call, instance_key(address)), Known(True))
            for address in self.plan.child_instances(self.address, call.labels[0])
        ]

    def _static_keys(self, call: hcl.Block, base: str) -> list[tuple[str, dict[str, Value], Value]]:
        """The module's instances after ``count``/``for_each``: one unknown stand-in when not known."""
        evaluator = Evaluator(self)
        if "count" in call.body.attributes:
            count = evaluator.eval(call.body.attributes["count"].expr)
            if (
                isinstance(count, Known)
                and isinstance(count.value, int)
                and not isinstance(count.value, bool)
            ):
                return [
                    (f"{base}[{i}]", {"count": Known({"index": Known(i)})}, Known(True))
                    for i in range(count.value)
                ]
            u = Unknown(f"count of {base} is not known", call.span)
            return [(f"{base}[0]", {"count": Known({"index": u})}, u)]
        if "for_each" in call.body.attributes:
            coll = evaluator.eval(call.body.attributes["for_each"].expr)
            if isinstance(coll, Known) and isinstance(coll.value, dict):
                return [
                    (f'{base}["{k}"]', {"each": Known({"key": Known(k), "value": v})}, Known(True))
                    for k, v in coll.value.items()
                ]
            u = Unknown(f"for_each of {base} is not known", call.span)
            return [(f"{base}[*]", {"each": Known({"key": u, "value": u})}, u)]
        return [(base, {}, Known(True))]

    def _module_outputs(self, name: str, span: Span) -> Value:
        if name not in self._calls:
            return Unknown(f"module {name} is not declared", span)
        children = self.children(name)
        if isinstance(children, Unknown):
            return Unknown(children.reason, span)
        call = self._calls[name]
        objs = [Known(Namespace(child._output, f"{child.call_address} outputs")) for child in children]
        if "count" in call.body.attributes or "for_each" in call.body.attributes:
            if "for_each" in call.body.attributes and not children[0].call_address.endswith("[*]"):
                return Known(
                    {c.call_address.rsplit('["', 1)[1][:-2]: o for c, o in zip(children, objs, strict=True)},
                    span,
                )
            return Known(objs, span)
        return objs[0]

    def _output(self, name: str, span: Span) -> Value:
        attr = self.source.outputs.get(name)
        if attr is None:
            return Unknown(f"output {name!r} is not declared", span)
        return attribute_value(Evaluator(self), attr)


class _Representative(Lazy):
    """Stands for all instances of a resource whose count/for_each is unknown."""

    def __init__(self, instance: ResourceInstance) -> None:
        self.instance = instance

    def get(self, name: str, span: Span) -> Value:
        return Unknown(f"{self.instance.address} has an unknown number of instances", span)

    def index(self, key: Any, span: Span) -> Value:
        return Known(self.instance.obj(), span)


def _key(v: Value) -> str | None:
    if isinstance(v, Known) and isinstance(v.value, str | int | float) and not isinstance(v.value, bool):
        return str(v.value)
    return None
