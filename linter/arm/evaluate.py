"""Evaluating ARM/Bicep expressions and template nodes with known, unknown and symbolic values.

A ``Frame`` is one deployment's expression scope (its parameters, variables, symbolic resources
and deployment context); a ``Scope`` adds loop state (``copyIndex``, Bicep loop variables) and
collects the parameter spans a value travelled through (``via``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from linter.arm import expr as ex
from linter.arm.jsonpos import PosDict, PosList
from linter.arm.values import RefObj, Unk, as_unk, is_unknown, to_data, to_value, vias_of
from linter.model import Known, Span, Symbol, Unknown, Value

MAX_COPY = 2000  # copy/for expansions beyond this become unknown (a linter is not a deployer)
MAX_CALL_DEPTH = 16  # user functions calling each other, files importing each other


@dataclass
class Deployment:
    """What a template cannot know about where it is deployed: symbolic unless configured."""

    subscription_id: Any
    rg_name: Any
    rg_location: Any
    name: Any = "<deployment().name>"
    level: str = "resourceGroup"  # resourceGroup | subscription | managementGroup | tenant

    def text(self, value: Any) -> str:
        return str(value) if isinstance(value, Symbol) else value

    @property
    def subscription_prefix(self) -> str:
        return f"/subscriptions/{self.text(self.subscription_id)}"

    @property
    def rg_prefix(self) -> str:
        return f"{self.subscription_prefix}/resourceGroups/{self.text(self.rg_name)}"

    def for_resource_group(self, name: Any, subscription: Any = None) -> Deployment:
        """A nested deployment or module scoped to another resource group."""
        sub = self.subscription_id if subscription is None else subscription
        if isinstance(name, str) and not isinstance(self.rg_name, Symbol) and name == self.rg_name:
            return Deployment(sub, name, self.rg_location, self.name, "resourceGroup")
        if isinstance(self.rg_name, Symbol) and name == self.rg_name and sub == self.subscription_id:
            return Deployment(sub, name, self.rg_location, self.name, "resourceGroup")
        label = name if isinstance(name, str) else str(name)
        return Deployment(sub, name, Symbol(f"resourceGroup('{label}').location"), self.name, "resourceGroup")


def default_deployment(settings: dict[str, str]) -> Deployment:
    """The top-level deployment: ``--resource-group-location`` etc. make parts known."""

    def get(*keys: str) -> str | None:
        for k in keys:
            if settings.get(k):
                return settings[k]
        return None

    from linter.model import normalize_region

    location = get("resourceGroup.location", "resource_group_location", "location")
    return Deployment(
        subscription_id=get("subscription.subscriptionId", "subscriptionId", "subscription_id")
        or Symbol("subscription().subscriptionId"),
        rg_name=get("resourceGroup.name", "resource_group_name", "resourceGroup")
        or Symbol("resourceGroup().name"),
        rg_location=normalize_region(location) if location else Symbol("resourceGroup().location"),
    )


@dataclass
class Param:
    name: str
    decl: Any  # ARM parameter declaration (PosDict) or Bicep default node
    default_span: Span | None
    supplied: Value | None = None  # parameter file, module params or nested-deployment parameters
    has_default: bool = False
    language: str = "arm"


@dataclass
class UserFunction:
    """A user-defined function: Bicep ``func`` or an ARM ``functions`` member.

    ``home`` builds the frame the body is evaluated in (its file's functions and imports); the
    body sees only its own parameters, as in Bicep and ARM.
    """

    params: tuple[str, ...]
    body: Any
    home: Callable[[], Frame | None]
    name: str = ""


@dataclass
class Imported:
    """A variable imported from another Bicep file, evaluated in that file's frame."""

    home: Callable[[], Frame | None]
    name: str
    source: str = ""  # the import path, for messages


@dataclass
class Namespace:
    """``import * as ns from 'file'``: ``ns.variable`` and ``ns.function()``."""

    home: Callable[[], Frame | None]
    source: str = ""


@dataclass
class Closure:
    """A lambda value: its parameters, body and the scope it was written in."""

    params: tuple[str, ...]
    body: Any
    scope: Scope


@dataclass
class Frame:
    file: str
    deployment: Deployment
    language: str = "arm"
    params: dict[str, Param] = field(default_factory=dict)
    variables: dict[str, tuple[Any, Span | None]] = field(default_factory=dict)
    symbols: dict[str, Any] = field(default_factory=dict)  # symbolic name -> template entry
    functions: dict[str, UserFunction] = field(default_factory=dict)  # lower-case (namespace.)name
    namespaces: dict[str, Namespace] = field(default_factory=dict)  # Bicep wildcard imports
    deployments: dict[str, Callable[[], dict[str, Value]]] = field(default_factory=dict)  # id -> outputs
    run: Any = None  # the TemplateRun evaluating this frame (names declared in the template)
    depth: int = 0  # user-function calls and imports nested inside this frame
    _param_cache: dict[str, Value] = field(default_factory=dict)
    _var_cache: dict[str, Value] = field(default_factory=dict)
    _busy: set[str] = field(default_factory=set)

    def param(self, name: str) -> Value:
        key = name.lower()
        if key in self._param_cache:
            return self._param_cache[key]
        p = self.params.get(key)
        if p is None:
            value: Value = Unknown(f"parameter '{name}' is not declared")
        elif p.supplied is not None:
            value = p.supplied
        elif not p.has_default:
            value = Unknown(f"parameter '{p.name}' has no default value and no value was supplied")
        elif f"p:{key}" in self._busy:
            value = Unknown(f"parameter '{p.name}' refers to itself")
        else:
            self._busy.add(f"p:{key}")
            try:
                node = (
                    p.decl.get("defaultValue") if isinstance(p.decl, dict) and p.language == "arm" else p.decl
                )
                raw = eval_node(node, p.default_span, Scope(self))
            finally:
                self._busy.discard(f"p:{key}")
            value = raw
        self._param_cache[key] = value
        return value

    def variable(self, name: str) -> Value:
        key = name.lower()
        if key in self._var_cache:
            return self._var_cache[key]
        if key not in self.variables:
            return Unknown(f"variable '{name}' is not declared")
        if f"v:{key}" in self._busy:
            return Unknown(f"variable '{name}' refers to itself")
        node, span = self.variables[key]
        self._busy.add(f"v:{key}")
        try:
            value = eval_node(node, span, Scope(self))
        finally:
            self._busy.discard(f"v:{key}")
        self._var_cache[key] = value
        return value


@dataclass
class Scope:
    frame: Frame
    copy: dict[str | None, Any] = field(default_factory=dict)  # loop name (None = current) -> index
    locals: dict[str, Any] = field(default_factory=dict)
    vias: list[Span] = field(default_factory=list)

    def with_locals(self, **kw: Any) -> Scope:
        return Scope(self.frame, dict(self.copy), {**self.locals, **kw}, self.vias)

    def with_copy(self, name: str | None, index: Any) -> Scope:
        copy = dict(self.copy)
        copy[None] = index
        if name:
            copy[name.lower()] = index
        return Scope(self.frame, copy, dict(self.locals), self.vias)

    def fresh(self) -> Scope:
        return Scope(self.frame, dict(self.copy), dict(self.locals), [])


@dataclass
class CopyNode:
    """A ``copy`` entry of the ``variables`` section: the variable is the expanded array."""

    spec: Any


def eval_node(node: Any, span: Span | None, scope: Scope) -> Value:
    """Evaluate a template node (JSON structure with expression strings, or Bicep AST) to a Value."""
    if isinstance(node, CopyNode):
        return _property_copy(node.spec, span, scope)
    if isinstance(node, PosDict):
        out: dict[str, Value] = {}
        for key, child in node.items():
            kspan = node.key_spans.get(key, span)
            if isinstance(key, ex.Spread):  # {...other}: its properties, later keys win
                spread = eval_node(key.expr, kspan, scope)
                if not (isinstance(spread, Known) and isinstance(spread.value, dict | type(None))):
                    reason = spread.reason if isinstance(spread, Unknown) else "it is not an object"
                    return Unknown(f"spread {ex.render(key)}: {reason}", span or node.span)
                out.update(spread.value or {})
                continue
            if key == "copy" and scope.frame.language == "arm" and _is_property_copy(child):
                for spec, sspan in zip(child, child.item_spans or [kspan] * len(child), strict=False):
                    out[str(spec.get("name"))] = _property_copy(spec, sspan, scope)
                continue
            if not isinstance(key, str) or (scope.frame.language == "arm" and ex.is_expression(key)):
                evaluated = eval_expr(key, scope)
                key = evaluated if isinstance(evaluated, str) else f"<{ex.render(key)}>"
            out[key] = eval_node(child, kspan, scope)
        return Known(out, span or node.span)
    if isinstance(node, PosList):
        spans = node.item_spans or [span] * len(node)
        items: list[Value] = []
        for x, s in zip(node, spans, strict=False):
            if isinstance(x, ex.Spread):  # [...other]: its items in place
                spread = eval_node(x.expr, s, scope)
                if not (isinstance(spread, Known) and isinstance(spread.value, list)):
                    reason = spread.reason if isinstance(spread, Unknown) else "it is not an array"
                    return Unknown(f"spread {ex.render(x)}: {reason}", span or node.span)
                items.extend(spread.value)
                continue
            items.append(eval_node(x, s, scope))
        return Known(items, span or node.span)
    if isinstance(node, Imported):
        home = node.home()
        if home is None:
            return Unknown(
                f"'{node.name}' is imported from {node.source}, which the linter cannot read", span
            )
        return home.variable(node.name)
    if isinstance(node, ex.ForExpr):
        return _eval_for_node(node, span, scope)
    if isinstance(node, str) and scope.frame.language == "arm":
        if ex.is_expression(node):
            try:
                ast = ex.parse(node)
            except ex.ExprError as e:
                return Unknown(f"cannot parse expression {node}: {e}", span)
            return _wrap(ast, span, scope)
        return Known(ex.unescape_literal(node), span)
    if isinstance(
        node, ex.Lit | ex.Call | ex.Prop | ex.Index | ex.Ref | ex.Op | ex.Interp | ex.Method | ex.Lambda
    ):
        return _wrap(node, span, scope)
    if isinstance(node, dict):
        return Known({str(k): eval_node(v, span, scope) for k, v in node.items()}, span)
    if isinstance(node, list):
        return Known([eval_node(v, span, scope) for v in node], span)
    return Known(node, span)


def _direct(ast: Any, scope: Scope) -> Value | None:
    """The Value of a plain parameter/variable reference (and property paths into it), so that
    elements of an array written in a variable or parameter keep their own spans."""
    frame = scope.frame
    if isinstance(ast, ex.Ref):
        if ast.name in scope.locals:  # a loop item bound with its span (Bicep resource loops)
            bound = scope.locals[ast.name]
            return bound if isinstance(bound, Value) else None
        key = ast.name.lower()
        if key in frame.params and frame.params[key].name == ast.name:
            return frame.param(ast.name)
        if key in frame.variables:
            return frame.variable(ast.name)
        return None
    if isinstance(ast, ex.Call) and ast.name.lower() in ("parameters", "variables") and len(ast.args) == 1:
        arg = ast.args[0]
        if not (isinstance(arg, ex.Lit) and isinstance(arg.value, str)):
            return None
        if ast.name.lower() == "parameters":
            return frame.param(arg.value) if arg.value.lower() in frame.params else None
        return frame.variable(arg.value) if arg.value.lower() in frame.variables else None
    if isinstance(ast, ex.Prop | ex.Index):
        base = _direct(ast.target, scope)
        if not isinstance(base, Known):
            return None
        if isinstance(ast, ex.Prop):
            return _step(base, ast.name)
        step = eval_expr(ast.index, scope)  # items[copyIndex()], items[i]: the element keeps its span
        if ast.from_end and isinstance(base.value, list) and isinstance(step, int):
            step = len(base.value) - step
        return _step(base, step)
    if isinstance(ast, ex.Call) and ast.name.lower() == "tryget" and len(ast.args) >= 2:
        found = _direct(ast.args[0], scope)
        for key in ast.args[1:]:
            if not isinstance(found, Known):
                return None
            found = _step(found, eval_expr(key, scope))
        return found
    coalescing = isinstance(ast, ex.Op) and ast.op == "??"
    if coalescing or (isinstance(ast, ex.Call) and ast.name.lower() == "coalesce" and ast.args):
        first = _direct(ast.args[0], scope)  # a ?? b is a where a is not null
        return first if isinstance(first, Known) and first.value is not None else None
    return None


def _step(base: Known, step: Any) -> Value | None:
    """The property or element ``step`` of a known object or array, as written."""
    data = base.value
    if isinstance(data, dict) and isinstance(step, str):
        key = next((k for k in data if k.lower() == step.lower()), None)
        return data[key] if key is not None else None
    if isinstance(data, list) and isinstance(step, int) and not isinstance(step, bool):
        return data[step] if 0 <= step < len(data) else None
    return None


def _wrap(ast: Any, span: Span | None, scope: Scope) -> Value:
    direct = _direct(ast, scope)
    if isinstance(direct, Known) and not isinstance(direct.value, Symbol):
        via = tuple(dict.fromkeys((*direct.via, *([direct.span] if direct.span else []))))  # origin first
        scope.vias.extend(via)
        return Known(direct.value, span, via)
    if isinstance(direct, Unknown):
        return Unknown(direct.reason, span)
    inner = scope.fresh()
    try:
        plain = eval_expr(ast, inner)
    except RecursionError:
        plain = Unk(f"expression too deeply nested: {ex.render(ast)[:80]}")
    if isinstance(plain, Value):
        return plain
    via = tuple(dict.fromkeys(inner.vias))
    scope.vias.extend(via)
    value = to_value(plain, span, via)
    return value


def _is_property_copy(child: Any) -> bool:
    return (
        isinstance(child, list) and all(isinstance(x, dict) and "input" in x for x in child) and bool(child)
    )


def _property_copy(spec: Any, span: Span | None, scope: Scope) -> Value:
    name = str(spec.get("name"))
    count = to_data(eval_node(spec.get("count"), span, scope))
    if isinstance(count, bool) or not isinstance(count, int):
        return Unknown(f"copy count of property '{name}' is not known", span)
    if count > MAX_COPY:
        return Unknown(f"copy count {count} of property '{name}' is too large to expand", span)
    items = []
    for i in range(max(count, 0)):
        items.append(eval_node(spec.get("input"), span, scope.with_copy(name, i)))
    return Known(items, span)


def _eval_for_node(node: ex.ForExpr, span: Span | None, scope: Scope) -> Value:
    iterable = eval_expr(node.iterable, scope)
    if is_unknown(iterable):
        return Unknown(f"loop over {ex.render(node.iterable)}: {as_unk(iterable).reason}", span)
    if isinstance(iterable, dict):
        iterable = [{"key": k, "value": v} for k, v in iterable.items()]
    if not isinstance(iterable, list):
        return Unknown(f"loop over {ex.render(node.iterable)}, which is not an array", span)
    if len(iterable) > MAX_COPY:
        return Unknown(f"loop over {len(iterable)} items is too large to expand", span)
    items: list[Value] = []
    for i, item in enumerate(iterable):
        inner = scope.with_locals(**{node.item: item, **({node.index: i} if node.index else {})})
        if node.condition is not None:
            cond = eval_expr(node.condition, inner)
            if cond is False:
                continue
            if cond is not True:
                return Unknown(f"filtered loop condition {ex.render(node.condition)} is not known", span)
        body_span = getattr(node.body, "span", None) or span
        items.append(eval_node(node.body, body_span, inner))
    return Known(items, span)


_functions: Any = None


def _load_functions() -> Any:
    """``linter.arm.functions``, which imports this module: imported on first use, then kept."""
    global _functions
    from linter.arm import functions

    _functions = functions
    return functions


def eval_expr(node: Any, scope: Scope) -> Any:
    """Evaluate an AST node (or a nested template node) to plain data with Unk/Symbol/RefObj."""
    functions = _functions or _load_functions()
    if isinstance(node, ex.Lit):
        return node.value
    if isinstance(node, ex.Call):
        return functions.call(node, scope)
    if isinstance(node, ex.Prop):
        target = eval_expr(node.target, scope)
        if target is None and _after_safe_access(node.target):
            return None
        return functions.member(target, node.name, node, scope)
    if isinstance(node, ex.Index):
        target = eval_expr(node.target, scope)
        if target is None and _after_safe_access(node.target):
            return None
        index = eval_expr(node.index, scope)
        return functions.index(target, index, node)
    if isinstance(node, ex.Ref):
        return functions.reference_name(node.name, scope)
    if isinstance(node, ex.Op):
        return functions.operator(node, scope)
    if isinstance(node, ex.Lambda):
        return Closure(node.params, node.body, scope)
    if isinstance(node, ex.Method):
        target = eval_expr(node.target, scope)
        if is_unknown(target):
            return Unk(f"{ex.render(node)}: {as_unk(target).reason}")
        return Unk(f"{ex.render(node)} is only known after deployment")
    if isinstance(node, ex.Interp):
        parts = [p if isinstance(p, str) else eval_expr(p, scope) for p in node.parts]
        return functions.join_text(parts, node)
    if isinstance(node, ex.ForExpr):
        return to_data(_eval_for_node(node, None, scope))
    if isinstance(node, str) and scope.frame.language == "arm":
        if ex.is_expression(node):
            try:
                return eval_expr(ex.parse(node), scope)
            except ex.ExprError as e:
                return Unk(f"cannot parse expression {node}: {e}")
        return ex.unescape_literal(node)
    if isinstance(node, PosDict):
        return to_data(eval_node(node, node.span, scope))
    if isinstance(node, PosList):
        return to_data(eval_node(node, node.span, scope))
    if isinstance(node, dict):
        return {k: eval_expr(v, scope) for k, v in node.items()}
    if isinstance(node, list):
        return [eval_expr(v, scope) for v in node]
    return node


def _after_safe_access(node: Any) -> bool:
    """Whether ``node`` is (or follows) a Bicep ``.?``/``[?]``: a null there ends the whole access
    chain with null, as ``x.?a.b`` compiles to ``tryGet(x, 'a', 'b')``."""
    while isinstance(node, ex.Prop | ex.Index):
        if node.safe:
            return True
        node = node.target
    return False


def apply(closure: Closure, args: list[Any]) -> Any:
    """Call a lambda: its parameters bound to ``args`` (extra arguments are dropped, as in ARM)."""
    names = dict(zip(closure.params, args, strict=False))
    return eval_expr(closure.body, closure.scope.with_locals(**names))


def call_user_function(function: UserFunction, args: list[Any], what: str) -> Any:
    """Evaluate a user function's body in its home frame with ``args`` as its parameters."""
    home = function.home()
    if home is None:
        return Unk(f"{what}: the function is imported from a file the linter cannot read")
    if len(args) != len(function.params):
        return Unk(f"{what}: {len(function.params)} arguments expected, {len(args)} given")
    if home.depth >= MAX_CALL_DEPTH:
        return Unk(f"{what}: functions call each other too deeply")
    frame = Frame(home.file, home.deployment, home.language)
    frame.functions = home.functions
    frame.namespaces = home.namespaces
    frame.depth = home.depth + 1
    for name, value in zip(function.params, args, strict=True):
        frame.params[name.lower()] = Param(
            name, None, None, supplied=to_value(value, None), language=home.language
        )
    return to_data(eval_node(function.body, None, Scope(frame)))


def use_value(value: Value, scope: Scope) -> Any:
    """Plain data of a parameter/variable Value, recording where it came from."""
    scope.vias.extend(vias_of(value))
    return to_data(value)


__all__ = [
    "Closure",
    "Deployment",
    "Imported",
    "Namespace",
    "UserFunction",
    "apply",
    "call_user_function",
    "Frame",
    "Param",
    "RefObj",
    "Scope",
    "Unk",
    "default_deployment",
    "eval_expr",
    "eval_node",
    "use_value",
]
