"""Bicep syntax (pycep-parser's Lark tree) into the ARM-shaped template model.

We walk the Lark parse tree rather than pycep's JSON output because the tree keeps what the JSON
loses: the position of every node (properties need their own spans) and the difference between
an identifier (``name: clusterName``) and a string literal (``name: 'clusterName'``). The result
is a ``PosDict`` shaped like a languageVersion 2.0 template (symbolic resources, parameters,
variables, outputs) whose leaves are Bicep AST nodes (``linter.arm.expr``), so the ARM evaluator
and adapter serve Bicep unchanged. Modules become ``Microsoft.Resources/deployments`` with an
inline template, as ``bicep build`` compiles them.

pycep's LALR grammar has no operator precedence (``a > b ? c : d`` parses as ``a > (b ? c : d)``,
``o.a ?? 'x'`` as ``o.(a ?? 'x')``); ``_rotate`` and ``_access`` restore Bicep's precedence for
the shapes that occur in practice. Parentheses are not in the tree, so an explicitly
parenthesised lower-precedence right operand is re-associated too (rare in infrastructure code).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from linter.arm import expr as ex
from linter.arm.jsonpos import PosDict, PosList
from linter.arm.template import ForSpec
from linter.model import Span

SUBSCRIPTION_SCHEMA = (
    "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
)
RG_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"

BINARY = {
    "equals": "==",
    "not_equals": "!=",
    "equals_case_insens": "=~",
    "not_equals_case_insens": "!~",
    "greater_than": ">",
    "greater_than_or_equals": ">=",
    "less_than": "<",
    "less_than_or_equals": "<=",
    "and_op": "&&",
    "or_op": "||",
    "coalesce": "??",
    "add": "+",
    "substract": "-",
    "multiply": "*",
    "divide": "/",
    "modulo": "%",
}
PRECEDENCE = {
    "*": 7,
    "/": 7,
    "%": 7,
    "+": 6,
    "-": 6,
    "<": 5,
    "<=": 5,
    ">": 5,
    ">=": 5,
    "==": 4,
    "!=": 4,
    "=~": 4,
    "!~": 4,
    "&&": 3,
    "||": 2,
    "??": 1,
    "?:": 0,
}


class BicepSyntaxError(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class Translator:
    """One ``.bicep`` file to a template model; ``module_loader`` translates local modules."""

    def __init__(
        self,
        path: Path,
        text: str,
        parse: Callable[[str], Any],
        module_loader: Callable[[Path, Span], PosDict | None] | None = None,
    ) -> None:
        self.path = path
        self.file = str(path)
        self.text = text
        self.parse = parse
        self.module_loader = module_loader
        self.resources = PosDict()
        self.modules_seen: list[tuple[str, Span]] = []

    # --- positions ------------------------------------------------------------------------------

    def span(self, node: Any) -> Span:
        meta = getattr(node, "meta", None)
        if meta is not None and not getattr(meta, "empty", True):
            return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)
        if hasattr(node, "line") and node.line is not None:
            return Span(
                self.file, node.line, node.column, node.end_line or node.line, node.end_column or node.column
            )
        return Span(self.file, 1)

    # --- the file -------------------------------------------------------------------------------

    def template(self) -> PosDict:
        tree = self.parse(self.text)
        tpl = PosDict()
        tpl.span = Span(self.file, 1)
        tpl["$schema"] = RG_SCHEMA
        tpl["languageVersion"] = "2.0"
        params, variables, outputs = PosDict(), PosDict(), PosDict()
        for element in tree.children:
            if not hasattr(element, "data"):
                continue
            kind = element.data
            if kind == "scope":
                target = _unquote(str(element.children[0]))
                if target == "subscription":
                    tpl["$schema"] = SUBSCRIPTION_SCHEMA
                elif target in ("managementGroup", "tenant"):
                    tpl["__level__"] = target
            elif kind == "param":
                _, name, _, value = (list(element.children) + [None] * 4)[:4]
                decl = PosDict()
                decl.span = self.span(element)
                if value is not None:
                    decl["defaultValue"] = self.expr(value)
                    decl.key_spans["defaultValue"] = self.span(value)
                params[str(name)] = decl
                params.key_spans[str(name)] = self.span(element)
            elif kind == "var":
                name, value = str(element.children[1]), element.children[-1]
                variables[name] = self.expr(value)
                variables.key_spans[name] = self.span(value)
            elif kind == "output":
                name, value = str(element.children[1]), element.children[-1]
                out = PosDict()
                out["value"] = self.expr(value)
                out.key_spans["value"] = self.span(value)
                outputs[name] = out
                outputs.key_spans[name] = self.span(element)
            elif kind == "resource":
                self.resource(element)
            elif kind == "module":
                self.module(element)
        tpl["parameters"] = params
        tpl["variables"] = variables
        tpl["resources"] = self.resources
        tpl["outputs"] = outputs
        return tpl

    def _body(self, value: Any, decl: PosDict) -> Any:
        """Unwrap ``[for ...]`` and ``if (...)`` around a resource/module body."""
        if getattr(value, "data", None) == "loop":
            header, condition, body = value.children
            decl["__for__"] = self._for_spec(header)
            if condition is not None:
                raise BicepSyntaxError("filtered for-loops are not supported", *self._pos(value))
            value = body
        if getattr(value, "data", None) == "deploy_condition":
            cond, body = value.children
            decl["condition"] = self.expr(cond)
            decl.key_spans["condition"] = self.span(cond)
            value = body
        return value

    def _pos(self, node: Any) -> tuple[int, int]:
        s = self.span(node)
        return s.line, s.column

    def resource(self, element: Any, parent: str | None = None, parent_type: str | None = None) -> None:
        children = list(element.children)
        if element.data == "resource":
            _, name, type_api, existing, value = children
        else:  # child_resource
            name, type_api, existing, value = children
        symbol = str(name) if parent is None else f"{parent}::{name}"
        decl = PosDict()
        decl.span = self.span(element)
        rtype = _unquote(str(type_api.children[0] if hasattr(type_api, "children") else type_api))
        rtype, _, api = rtype.partition("@")
        if parent_type is not None and "." not in rtype.split("/", 1)[0]:
            rtype = f"{parent_type}/{rtype}"
        decl["type"] = rtype
        decl["apiVersion"] = api
        if existing is not None:
            decl["existing"] = True
        if parent is not None:
            decl["parent"] = ex.Ref(parent)
        body = self._body(value, decl)
        nested = self._object_into(body, decl)
        self.resources[symbol] = decl
        self.resources.key_spans[symbol] = decl.span
        for child in nested:
            self.resource(child, symbol, rtype)

    def module(self, element: Any) -> None:
        _, name, path_node, value = element.children
        symbol = str(name)
        decl = PosDict()
        decl.span = self.span(element)
        decl["type"] = "Microsoft.Resources/deployments"
        decl["apiVersion"] = "2022-09-01"
        decl["__address__"] = f"module.{symbol}"  # as a comment above the module call names it
        body = self._body(value, decl)
        fields = PosDict()
        self._object_into(body, fields)
        if "name" in fields:
            decl["name"] = fields["name"]
            decl.key_spans["name"] = fields.key_spans["name"]
        else:
            decl["name"] = symbol
            decl.key_spans["name"] = decl.span
        if "scope" in fields:
            decl["scope"] = fields["scope"]
            decl.key_spans["scope"] = fields.key_spans["scope"]
        props = PosDict()
        props["expressionEvaluationOptions"] = {"scope": "inner"}
        props["mode"] = "Incremental"
        parameters = PosDict()
        given = fields.get("params")
        if isinstance(given, PosDict):
            for key, node in given.items():
                wrapped = PosDict()
                wrapped["value"] = node
                wrapped.key_spans["value"] = given.key_spans.get(key, decl.span)
                parameters[key] = wrapped
                parameters.key_spans[key] = given.key_spans.get(key, decl.span)
        props["parameters"] = parameters
        target = _unquote(str(path_node.children[0] if hasattr(path_node, "children") else path_node))
        if not re.match(r"^(br|ts)[:/]", target) and self.module_loader is not None:
            template = self.module_loader((self.path.parent / target), decl.span)
            if template is not None:
                props["template"] = template
        else:
            props["templateLink"] = {"id": target}
        decl["properties"] = props
        self.resources[symbol] = decl
        self.resources.key_spans[symbol] = decl.span

    def _object_into(self, body: Any, target: PosDict) -> list[Any]:
        """Copy an object's pairs into ``target`` (with spans); returns nested child resources."""
        nested: list[Any] = []
        if getattr(body, "data", None) != "object":
            return nested
        for pair in body.children:
            if getattr(pair, "data", None) == "child_resource":
                nested.append(pair)
                continue
            if getattr(pair, "data", None) != "pair":
                continue
            key = self.key(pair.children[0])
            target[key] = self.expr(pair.children[1])
            target.key_spans[key] = self.span(pair)
        return nested

    def key(self, node: Any) -> Any:
        """A property name; an interpolated key (``'${identity.id}': {}``) stays an expression."""
        token = node.children[0] if hasattr(node, "children") else node
        text = str(token)
        if text.startswith("'") and "${" in text:
            return self.interpolation(text, token)
        return _unquote(text) if text.startswith("'") else text

    # --- expressions --------------------------------------------------------------------------

    def expr(self, node: Any) -> Any:
        if node is None:
            return None
        if not hasattr(node, "data"):  # a bare token
            return self.token(node)
        kind = node.data
        ch = [c for c in node.children if c is not None]
        if kind in ("string", "multi_line_string"):
            return self.token(ch[0])
        if kind == "int_type":
            return int(str(ch[0]))
        if kind == "true":
            return True
        if kind == "false":
            return False
        if kind == "null":
            return None
        if kind == "operator":
            return self.expr(ch[0])
        if kind == "array":
            out = PosList()
            out.span = self.span(node)
            for item in ch:
                out.append(self.expr(item))
                out.item_spans.append(self.span(item))
            return out
        if kind == "object":
            obj = PosDict()
            obj.span = self.span(node)
            nested = self._object_into(node, obj)
            if nested:
                raise BicepSyntaxError("nested resource outside a resource body", *self._pos(node))
            return obj
        if kind == "function":
            name = str(ch[0]).rstrip("(").strip()
            return ex.Call(name, tuple(self.expr(a) for a in ch[1:]))
        if kind == "property_accessor":
            return self._access(self.expr(ch[0]), ch[1])
        if kind == "index_accessor":
            return ex.Index(self.expr(ch[0]), self.expr(ch[1]))
        if kind == "nested_resource_accessor":
            return self._nested_access(ch[0], ch[1])
        if kind == "function_accessor":
            return ex.Call(str(ch[1]), ())  # listKeys() and friends: unknown by nature
        if kind in BINARY:
            return _rotate(ex.Op(BINARY[kind], (self.expr(ch[0]), self.expr(ch[1]))))
        if kind == "not_op":
            return _rotate(ex.Op("!", (self.expr(ch[0]),)))
        if kind == "minus":
            return _rotate(ex.Op("neg", (self.expr(ch[0]),)))
        if kind == "conditional":
            return ex.Op("?:", tuple(self.expr(c) for c in ch))
        if kind == "loop":
            return self._for_expr(node)
        if kind == "lambda_expression":
            return ex.Call("lambda", ())
        if kind == "deploy_condition":
            raise BicepSyntaxError("a condition is not allowed here", *self._pos(node))
        raise BicepSyntaxError(f"unsupported Bicep construct '{kind}'", *self._pos(node))

    def token(self, token: Any) -> Any:
        text = str(token)
        kind = getattr(token, "type", "")
        if kind == "MULTI_LINE_STRING" or text.startswith("'''"):
            body = text[3:-3]
            return body[1:] if body.startswith("\n") else body
        if text.startswith("'"):
            return self.interpolation(text, token)
        if kind == "INT" or text.isdigit():
            return int(text)
        return ex.Ref(text)

    def interpolation(self, text: str, token: Any) -> Any:
        parts: list[Any] = []
        buf: list[str] = []
        s = text[1:-1]
        i = 0
        while i < len(s):
            c = s[i]
            if c == "\\" and i + 1 < len(s):
                nxt = s[i + 1]
                if nxt == "u" and s[i + 2 : i + 3] == "{":
                    end = s.index("}", i)
                    buf.append(chr(int(s[i + 3 : end], 16)))
                    i = end + 1
                    continue
                buf.append({"n": "\n", "r": "\r", "t": "\t"}.get(nxt, nxt))
                i += 2
                continue
            if c == "$" and s[i + 1 : i + 2] == "{":
                end = _matching_brace(s, i + 1)
                if buf:
                    parts.append("".join(buf))
                    buf = []
                parts.append(self.sub_expression(s[i + 2 : end], token))
                i = end + 1
                continue
            buf.append(c)
            i += 1
        if buf:
            parts.append("".join(buf))
        if all(isinstance(p, str) for p in parts):
            return "".join(parts)
        return ex.Interp(tuple(parts))

    def sub_expression(self, text: str, token: Any) -> Any:
        try:
            tree = self.parse(f"var __interpolation = {text}\n")
            return self.expr(tree.children[0].children[-1])
        except Exception as e:  # noqa: BLE001 - the parser raises several unrelated types
            line, col = (getattr(token, "line", 1) or 1), (getattr(token, "column", 1) or 1)
            raise BicepSyntaxError(
                f"cannot parse interpolation ${{{text}}}: {type(e).__name__}", line, col
            ) from None

    def _access(self, target: Any, right: Any) -> Any:
        """Apply the right-nested accessor chain ``right`` to ``target`` (precedence repaired)."""
        if not hasattr(right, "data"):
            return ex.Prop(target, str(right))
        kind = right.data
        ch = [c for c in right.children if c is not None]
        if kind in ("string",):
            return ex.Prop(target, str(ch[0]))
        if kind == "operator":
            return self._access(target, ch[0])
        if kind == "property_accessor":
            return self._access(self._access(target, ch[0]), ch[1])
        if kind == "index_accessor":
            return ex.Index(self._access(target, ch[0]), self.expr(ch[1]))
        if kind in BINARY:
            return _rotate(ex.Op(BINARY[kind], (self._access(target, ch[0]), self.expr(ch[1]))))
        if kind == "conditional":
            return ex.Op("?:", (self._access(target, ch[0]), self.expr(ch[1]), self.expr(ch[2])))
        if kind == "function":
            return ex.Call(str(ch[0]).rstrip("("), ())
        raise BicepSyntaxError(f"unsupported property access '{kind}'", *self._pos(right))

    def _nested_access(self, left: Any, right: Any) -> Any:
        base = self.expr(left)
        base_name = base.name if isinstance(base, ex.Ref) else None
        node = right
        while hasattr(node, "data") and node.data == "operator":
            node = node.children[0]
        if base_name is None:
            raise BicepSyntaxError("'::' on something that is not a resource", *self._pos(right))
        if not hasattr(node, "data") or node.data == "string":
            name = str(node.children[0]) if hasattr(node, "data") else str(node)
            return ex.Ref(f"{base_name}::{name}")
        if node.data == "property_accessor":
            first = node.children[0]
            name = str(first.children[0]) if hasattr(first, "data") else str(first)
            return self._access(ex.Ref(f"{base_name}::{name}"), node.children[1])
        if node.data == "nested_resource_accessor":
            inner = self._nested_access(left, node.children[0])
            return self._nested_access_ref(inner, node.children[1])
        raise BicepSyntaxError("unsupported '::' accessor", *self._pos(right))

    def _nested_access_ref(self, base: Any, right: Any) -> Any:
        if isinstance(base, ex.Ref):
            name = str(right.children[0]) if hasattr(right, "data") else str(right)
            return ex.Ref(f"{base.name}::{name}")
        raise BicepSyntaxError("unsupported '::' accessor", *self._pos(right))

    def _for_spec(self, header: Any) -> ForSpec:
        kind = header.data
        ch = header.children
        if kind == "loop_array":
            return ForSpec(str(ch[0]), None, self.expr(ch[1]))
        if kind == "loop_array_index":
            return ForSpec(str(ch[0]), str(ch[1]), self.expr(ch[2]))
        return ForSpec(str(ch[0]), None, ex.Call("items", (self.expr(ch[1]),)))

    def _for_expr(self, node: Any) -> ex.ForExpr:
        header, condition, body = node.children
        spec = self._for_spec(header)
        if condition is not None:
            raise BicepSyntaxError("filtered for-loops are not supported", *self._pos(node))
        return ex.ForExpr(spec.item or "_", spec.index, spec.iterable, self.expr(body))


def _rotate(op: ex.Op) -> Any:
    """Re-associate ``a OP (b LOWER c)`` into ``(a OP b) LOWER c`` (the grammar has no precedence)."""
    if op.op in ("!", "neg"):
        inner = op.args[0]
        if isinstance(inner, ex.Op) and inner.op in PRECEDENCE and len(inner.args) >= 2:
            first = _rotate(ex.Op(op.op, (inner.args[0],)))
            return ex.Op(inner.op, (first, *inner.args[1:]))
        return op
    if len(op.args) != 2:
        return op
    left, right = op.args
    if not (isinstance(right, ex.Op) and right.op in PRECEDENCE and len(right.args) >= 2):
        return op
    lower = PRECEDENCE[right.op] < PRECEDENCE[op.op]
    left_assoc = PRECEDENCE[right.op] == PRECEDENCE[op.op] and right.op != "?:" and op.op != "??"
    if lower or left_assoc:
        first = _rotate(ex.Op(op.op, (left, right.args[0])))
        return ex.Op(right.op, (first, *right.args[1:]))
    return op


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("\\'", "'").replace("\\\\", "\\")
    return text


def _matching_brace(s: str, start: int) -> int:
    depth = 0
    quote = False
    i = start
    while i < len(s):
        c = s[i]
        if c == "'" and (i == 0 or s[i - 1] != "\\"):
            quote = not quote
        elif not quote and c == "{":
            depth += 1
        elif not quote and c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise BicepSyntaxError("unterminated ${...} interpolation", 1, 1)
