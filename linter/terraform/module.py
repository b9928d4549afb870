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
from linter.terraform import hcl
from linter.terraform.dynamic import nested_blocks
from linter.terraform.evaluate import ChildScope, Evaluator, Lazy, Scope, attribute_value, get_attr, index
from linter.terraform.overrides import merge_file
from linter.values import condition_and

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
    """One expanded resource: what adapters read and what references resolve to."""

    type: str
    name: str
    address: str
    block: hcl.Block
    scope: Scope
    condition: Value
    module: ModuleInstance

    def attr(self, name: str) -> Value:
        attr = self.block.body.attributes.get(name)
        if attr is None:
            return ABSENT
        return attribute_value(Evaluator(self.scope), attr)

    def obj(self) -> BlockObject:
        return BlockObject(self.address, self.block.body, self.scope, self.module.root_key)

    def symbol(self, path: str) -> Symbol:
        """The symbol a reference to ``<this resource><path>`` evaluates to (``.id``, ``.identity[0].principal_id``)."""
        return Symbol(f"{self.module.root_key}#{self.address}{path}")

    def blocks(self, name: str) -> list[BlockView]:
        """The nested ``name`` blocks, literal and generated by ``dynamic`` blocks."""
        return BlockView(self.block, self.scope).blocks(name)


@dataclass
class BlockView:
    """A nested block of a resource, read by adapters.

    ``presence`` is Known(True) for a block that exists (its span, and for a generated block the
    ``for_each`` as ``via``) and Unknown for the stand-in of a ``dynamic`` block whose ``for_each``
    is not known: every attribute of such a block is unknown too, never absent.
    """

    block: hcl.Block
    scope: Scope
    presence: Value = field(default_factory=lambda: Known(True))

    @property
    def span(self) -> Span:
        return self.block.span

    def attr(self, name: str) -> Value:
        if isinstance(self.presence, Unknown):
            return self.presence
        attr = self.block.body.attributes.get(name)
        if attr is None:
            return ABSENT
        return attribute_value(Evaluator(self.scope), attr)

    def blocks(self, name: str) -> list[BlockView]:
        unknown = self.presence if isinstance(self.presence, Unknown) else None
        return [
            BlockView(n.block, n.scope, unknown if unknown is not None else n.presence)
            for n in nested_blocks(self.block.body, name, self.scope)
        ]


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

    def _expand(self, block: hcl.Block) -> list[ResourceInstance]:
        type_, name = block.labels
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
        directory = self._module_directory(call)
        if isinstance(directory, Unknown):
            return directory
        source = self.loader.module(directory)
        if source is None:
            return Unknown(f"module {name}: {directory} has no Terraform files")
        base = f"{self.prefix}module.{name}"
        evaluator = Evaluator(self)
        inputs = {
            k: attribute_value(evaluator, a)
            for k, a in call.body.attributes.items()
            if k not in META_ARGUMENTS
        }
        keys: list[tuple[str, dict[str, Value], Value]] = [(base, {}, Known(True))]
        if "count" in call.body.attributes:
            count = evaluator.eval(call.body.attributes["count"].expr)
            if (
                isinstance(count, Known)
                and isinstance(count.value, int)
                and not isinstance(count.value, bool)
            ):
                keys = [
                    (f"{base}[{i}]", {"count": Known({"index": Known(i)})}, Known(True))
                    for i in range(count.value)
                ]
            else:
                u = Unknown(f"count of {base} is not known", call.span)
                keys = [(f"{base}[0]", {"count": Known({"index": u})}, u)]
        elif "for_each" in call.body.attributes:
            coll = evaluator.eval(call.body.attributes["for_each"].expr)
            if isinstance(coll, Known) and isinstance(coll.value, dict):
                keys = [
                    (f'{base}["{k}"]', {"each": Known({"key": Known(k), "value": v})}, Known(True))
                    for k, v in coll.value.items()
                ]
            else:
                u = Unknown(f"for_each of {base} is not known", call.span)
                keys = [(f"{base}[*]", {"each": Known({"key": u, "value": u})}, u)]
        out = []
        for address, names, cond in keys:
            if names:
                scoped = Evaluator(ChildScope(self, names))
                values = {
                    k: attribute_value(scoped, a)
                    for k, a in call.body.attributes.items()
                    if k not in META_ARGUMENTS
                }
            else:
                values = inputs
            variables = self.loader.variable_values(source, values)
            child = ModuleInstance(
                source,
                address + ".",
                variables,
                self.loader,
                self.depth + 1,
                address,
                condition_and(self.condition, cond),
            )
            child.root_key = self.root_key
            child.module_key = f"{self.module_key}.{name}" if self.module_key else name
            out.append(child)
        return out

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
