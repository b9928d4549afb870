"""Expressions to tri-state Values.

The evaluator is deliberately conservative: a reference, function or operator it cannot resolve
yields ``Unknown`` with the reason, so that no rule can fail on a guess. Resources referenced by
other resources evaluate lazily: configured attributes to their values, computed attributes
(``id``, ``identity[0].principal_id``) to a Symbol named after the attribute's address.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from linter.model import ABSENT, Known, Span, Symbol, Unknown, UnknownInside, Value, to_plain
from linter.terraform import hcl
from linter.terraform.functions import FUNCTIONS


class Scope(Protocol):
    def lookup(self, name: str, span: Span) -> Value:
        """The value of a root name: ``var``, ``local``, a resource type, ``module``, ``each`` ..."""


class Lazy:
    """An object whose attributes are evaluated on access (resources, blocks, module outputs)."""

    def get(self, name: str, span: Span) -> Value:  # pragma: no cover - interface
        raise NotImplementedError

    def index(self, key: Any, span: Span) -> Value:
        return Unknown(f"cannot index {self}", span)


@dataclass
class ChildScope:
    """A scope that adds names (``for`` iterators) on top of a parent."""

    parent: Scope
    names: dict[str, Value]

    def lookup(self, name: str, span: Span) -> Value:
        if name in self.names:
            return self.names[name]
        return self.parent.lookup(name, span)


class EmptyScope:
    """A scope with nothing in it: tfvars, variable defaults and provider constraints reference nothing."""

    def lookup(self, name: str, span: Span) -> Value:
        return Unknown(f"{name} cannot be referenced here", span)


def attribute_value(evaluator: Evaluator, attr: hcl.Attribute) -> Value:
    """Evaluate an attribute; the result's span is the whole attribute, ``via`` where it came from."""
    v = evaluator.eval(attr.expr)
    if isinstance(v, Known):
        via = v.via
        if v.span is not None and v.span != attr.expr.span and v.span not in via:
            via = via + (v.span,)
        return Known(v.value, attr.span, via)
    if isinstance(v, Unknown):
        return Unknown(v.reason, v.span or attr.span)
    return v


MAX_DEPTH = 200


class Evaluator:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.depth = 0

    def eval(self, expr: hcl.Expr) -> Value:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                return Unknown("expression nested too deeply", expr.span)
            method: Callable[[Any], Value] = getattr(self, "_" + type(expr).__name__)
            return method(expr)
        finally:
            self.depth -= 1

    # literals and templates
    def _Lit(self, e: hcl.Lit) -> Value:
        return Known(e.value, e.span)

    def _Template(self, e: hcl.Template) -> Value:
        if len(e.parts) == 1 and isinstance(e.parts[0], hcl.Expr):
            inner = self.eval(e.parts[0])  # "${x}" is x itself, whatever its type
            if isinstance(inner, Known):
                return Known(inner.value, e.span, inner.via + ((inner.span,) if inner.span else ()))
            return inner
        out: list[str] = []
        via: tuple[Span, ...] = ()
        for part in e.parts:
            if part is None:
                return Unknown("template directive %{...}", e.span)
            if isinstance(part, str):
                out.append(part)
                continue
            v = self.eval(part)
            if not isinstance(v, Known):
                return v if isinstance(v, Unknown) else Unknown("null in template", e.span)
            if isinstance(v.value, Symbol):
                return Unknown(f"computed value {v.value} in a string template", e.span)
            if isinstance(v.value, list | dict) or v.value is None:
                return Unknown("non-string value in a string template", e.span)
            out.append(_tostr(v.value))
            via += v.via + ((v.span,) if v.span and v.span != part.span else ())
        # a string composed here is written here; where its parts come from, it passes through
        return Known("".join(out), e.span, (e.span, *via) if via else ())

    def _Unsupported(self, e: hcl.Unsupported) -> Value:
        return Unknown(f"unsupported expression ({e.what})", e.span)

    # references
    def _Var(self, e: hcl.Var) -> Value:
        return self.scope.lookup(e.name, e.span)

    def _GetAttr(self, e: hcl.GetAttr) -> Value:
        return get_attr(self.eval(e.target), e.name, e.span)

    def _Index(self, e: hcl.Index) -> Value:
        key = self.eval(e.key)
        return index(self.eval(e.target), key, e.span)

    def _Splat(self, e: hcl.Splat) -> Value:
        target = self.eval(e.target)
        if not isinstance(target, Known):
            return target
        items = target.value if isinstance(target.value, list) else [target]
        out: list[Value] = []
        for item in items:
            v: Value = item
            for kind, arg in e.steps:
                v = get_attr(v, arg, e.span) if kind == "attr" else index(v, self.eval(arg), e.span)
            out.append(v)
        return Known(out, e.span)

    # operators
    def _Cond(self, e: hcl.Cond) -> Value:
        test = self.eval(e.test)
        if isinstance(test, Known) and isinstance(test.value, bool):
            return self.eval(e.if_true if test.value else e.if_false)
        a, b = self.eval(e.if_true), self.eval(e.if_false)
        if isinstance(a, Known) and isinstance(b, Known) and _same(a, b):
            return a
        reason = test.reason if isinstance(test, Unknown) else "condition is not a boolean"
        return Unknown(f"conditional on unknown value ({reason})", e.span)

    def _UnOp(self, e: hcl.UnOp) -> Value:
        v = self.eval(e.operand)
        if not isinstance(v, Known):
            return v
        if e.op == "!" and isinstance(v.value, bool):
            return Known(not v.value, e.span)
        if e.op == "-" and isinstance(v.value, int | float) and not isinstance(v.value, bool):
            return Known(-v.value, e.span)
        return Unknown(f"operator {e.op} on {type(v.value).__name__}", e.span)

    def _BinOp(self, e: hcl.BinOp) -> Value:
        left = self.eval(e.left)
        if e.op in ("&&", "||") and isinstance(left, Known) and isinstance(left.value, bool):
            if (e.op == "&&" and not left.value) or (e.op == "||" and left.value):
                return Known(left.value, e.span)
            return self.eval(e.right)
        right = self.eval(e.right)
        if e.op in ("==", "!=") and isinstance(left, Known) and isinstance(right, Known):
            try:
                a, b = to_plain(left), to_plain(right)
            except UnknownInside as u:
                return Unknown(u.unknown.reason, e.span)
            symbolic = isinstance(a, Symbol) or isinstance(b, Symbol)
            if symbolic and not (isinstance(a, Symbol) and isinstance(b, Symbol) and a == b):
                return Unknown("comparison with a computed value", e.span)
            equal = a == b and type(a) is type(b) or (_num(a) and _num(b) and a == b)
            return Known(equal if e.op == "==" else not equal, e.span)
        for side in (left, right):
            if not isinstance(side, Known):
                return side if isinstance(side, Unknown) else Unknown("null operand", e.span)
        a, b = left.value, right.value  # type: ignore[union-attr]
        try:
            if e.op in ("&&", "||"):
                if isinstance(a, bool) and isinstance(b, bool):
                    return Known(a and b if e.op == "&&" else a or b, e.span)
            elif _num(a) and _num(b):
                result = {
                    "+": lambda: a + b,
                    "-": lambda: a - b,
                    "*": lambda: a * b,
                    "/": lambda: a / b,
                    "%": lambda: a % b,
                    "<": lambda: a < b,
                    ">": lambda: a > b,
                    "<=": lambda: a <= b,
                    ">=": lambda: a >= b,
                }[e.op]()
                return Known(result, e.span)
        except (KeyError, ZeroDivisionError, TypeError):
            pass
        return Unknown(f"operator {e.op} on {type(a).__name__} and {type(b).__name__}", e.span)

    # collections
    def _TupleExpr(self, e: hcl.TupleExpr) -> Value:
        return Known([self.eval(x) for x in e.items], e.span)

    def _ObjectExpr(self, e: hcl.ObjectExpr) -> Value:
        out: dict[str, Value] = {}
        for key_expr, value_expr in e.items:
            if isinstance(key_expr, hcl.Var):  # `{ (var.k) = 1 }` is an expression; bare names are literal
                key: Value = Known(key_expr.name)
            else:
                key = self.eval(key_expr)
            if not isinstance(key, Known) or not isinstance(key.value, str | int | float | bool):
                return Unknown("object key is not known", e.span)
            out[_tostr(key.value)] = self.eval(value_expr)
        return Known(out, e.span)

    def _ForExpr(self, e: hcl.ForExpr) -> Value:
        coll = self.eval(e.collection)
        if not isinstance(coll, Known):
            return coll if isinstance(coll, Unknown) else Unknown("for over null", e.span)
        if isinstance(coll.value, dict):
            pairs = [(Known(k), v) for k, v in coll.value.items()]
        elif isinstance(coll.value, list):
            pairs = [(Known(i), v) for i, v in enumerate(coll.value)]
        else:
            return Unknown("for over a non-collection", e.span)
        outer = self.scope
        result_list: list[Value] = []
        result_map: dict[str, Value] = {}
        try:
            for k, v in pairs:
                names = {e.value_var: v}
                if e.key_var:
                    names[e.key_var] = k
                self.scope = ChildScope(outer, names)
                if e.condition is not None:
                    c = self.eval(e.condition)
                    if not (isinstance(c, Known) and isinstance(c.value, bool)):
                        return Unknown("for condition is not known", e.span)
                    if not c.value:
                        continue
                if e.key_expr is None:
                    result_list.append(self.eval(e.value_expr))
                else:
                    kv = self.eval(e.key_expr)
                    if not isinstance(kv, Known) or isinstance(kv.value, list | dict | Symbol):
                        return Unknown("for key is not known", e.span)
                    val = self.eval(e.value_expr)
                    key = _tostr(kv.value)
                    if e.grouping:
                        group = result_map.setdefault(key, Known([], e.span))
                        group.value.append(val)  # type: ignore[union-attr]
                    else:
                        result_map[key] = val
        finally:
            self.scope = outer
        return Known(result_list if e.key_expr is None else result_map, e.span)

    def _Call(self, e: hcl.Call) -> Value:
        name = e.name.split("::")[-1] if e.name.startswith("provider::") else e.name
        fn = FUNCTIONS.get(e.name)
        if fn is None:
            return Unknown(f"function {name}() is not evaluated", e.span)
        args = [self.eval(a) for a in e.args]
        if e.expand_last and args:
            last = args.pop()
            if not isinstance(last, Known) or not isinstance(last.value, list):
                return Unknown("expanded argument is not a known list", e.span)
            args.extend(last.value)
        return fn(args, e.span)


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _tostr(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _same(a: Known, b: Known) -> bool:
    try:
        return to_plain(a) == to_plain(b)
    except UnknownInside:
        return False


def get_attr(target: Value, name: str, span: Span) -> Value:
    if isinstance(target, Unknown):
        return target
    if target is ABSENT:
        return Unknown(f"no attribute {name!r} on null", span)
    assert isinstance(target, Known)
    obj = target.value
    if isinstance(obj, Lazy):
        return obj.get(name, span)
    if isinstance(obj, dict):
        if name in obj:
            return obj[name]
        return Unknown(f"no attribute {name!r}", span)
    if isinstance(obj, Symbol):
        return Known(Symbol(f"{obj.name}.{name}"), span)
    return Unknown(f"no attribute {name!r} on {type(obj).__name__}", span)


def index(target: Value, key: Value, span: Span) -> Value:
    if isinstance(target, Unknown):
        return target
    if not isinstance(key, Known):
        return key if isinstance(key, Unknown) else Unknown("null index", span)
    if target is ABSENT:
        return Unknown("index into null", span)
    assert isinstance(target, Known)
    obj, k = target.value, key.value
    if isinstance(obj, Lazy):
        return obj.index(k, span)
    if isinstance(obj, list):
        if isinstance(k, str) and k.isdigit():
            k = int(k)
        if isinstance(k, int) and not isinstance(k, bool) and 0 <= k < len(obj):
            return obj[k]
        return Unknown(f"index {k!r} out of range", span)
    if isinstance(obj, dict):
        sk = _tostr(k)
        if sk in obj:
            return obj[sk]
        return Unknown(f"no key {sk!r}", span)
    if isinstance(obj, Symbol):
        return Known(Symbol(f"{obj.name}[{k}]"), span)
    return Unknown(f"cannot index {type(obj).__name__}", span)
