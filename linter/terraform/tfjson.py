"""Terraform's JSON syntax (``*.tf.json``, ``*.tfvars.json``) into the syntax tree ``hcl.py`` defines.

The mapping follows Terraform's "JSON Configuration Syntax": the root object's properties are
top-level block types, one nested object per block label, then the block body. In a body, a string
is a string template (``"${var.x}"`` is ``var.x`` itself), other JSON values are literals, and
``"//"`` properties are comments. Some arguments are literal by definition: a variable's ``type``
(a type expression written as a string), ``default`` and ``description``, a module's ``source`` and
``version``, everything in a ``terraform`` block, ``depends_on`` and ``provider`` in resources.

Whether a property of a resource body is an argument or a nested block depends on the provider's
schema, which a linter does not have. A property whose value is an object, or an array of objects,
is therefore given both ways: as an attribute (``tags``, ``configuration_settings``) and as nested
blocks (``identity``, ``default_node_pool``). Adapters ask for what the resource type has;
``hcl.Body`` never holds both for one name in the native syntax, so the two cannot be confused.

Positions: every attribute spans its ``"key": value`` property; literal values span their JSON
token; expressions inside a template keep their columns when the JSON string has no escapes
(otherwise they span the whole string).
"""

from __future__ import annotations

import bisect
import dataclasses
import json
from pathlib import Path
from typing import Any

from linter.arm.jsonpos import JsonError, PosDict, PosList, loads
from linter.model import Span
from linter.terraform import hcl

#: resource/data meta-arguments whose JSON value is taken literally (Terraform's exceptions)
_LITERAL_RESOURCE_ARGS = {"depends_on", "provider"}
#: nested blocks of resources that are Terraform's own, never provider arguments
_META_BLOCKS = {"lifecycle", "connection", "precondition", "postcondition"}
_LABELLED_META_BLOCKS = {"provisioner": 1, "dynamic": 1}
_TOP_LEVEL_LABELS = {
    "resource": 2,
    "data": 2,
    "ephemeral": 2,
    "variable": 1,
    "output": 1,
    "module": 1,
    "provider": 1,
    "check": 1,
}


def is_json_configuration(path: Path) -> bool:
    return path.name.endswith((".tf.json", ".tfvars.json"))


def parse_json(path: Path, text: str) -> hcl.HclFile:
    """Parse a ``.tf.json`` or ``.tfvars.json`` file; raises ``hcl.HclError`` with a position."""
    converter = _Converter(path, text)
    try:
        data = loads(text, str(path))
    except JsonError as e:
        raise hcl.HclError(f"{e} (JSON syntax)", e.line, e.column) from None
    if not isinstance(data, PosDict):
        raise hcl.HclError("a Terraform JSON file must hold one JSON object", 1, 1)
    if path.name.endswith(".tfvars.json"):
        body = hcl.Body()
        for key, value in data.items():
            body.attributes[key] = converter.attribute(data, key, value, literal=True)
        return hcl.HclFile(path, body, text)
    return hcl.HclFile(path, converter.root(data), text)


class _Converter:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.file = str(path)
        self.text = text
        self.line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    # --- positions ---------------------------------------------------------------------------

    def offset(self, line: int, column: int) -> int:
        return self.line_starts[line - 1] + column - 1

    def span_at(self, start: int, end: int) -> Span:
        line = bisect.bisect_right(self.line_starts, start)
        eline = bisect.bisect_right(self.line_starts, end)
        return Span(
            self.file,
            line,
            start - self.line_starts[line - 1] + 1,
            eline,
            end - self.line_starts[eline - 1] + 1,
        )

    def key_header(self, obj: PosDict, key: str) -> Span:
        """The span of the ``"key"`` token itself."""
        prop = obj.key_spans[key]
        start = self.offset(prop.line, prop.column)
        _, end = json.decoder.scanstring(self.text, start + 1)
        return self.span_at(start, end)

    def value_span(self, obj: PosDict, key: str) -> Span:
        """The span of a property's value (from its first character to the end of the property)."""
        prop = obj.key_spans[key]
        start = self.offset(prop.line, prop.column)
        _, pos = json.decoder.scanstring(self.text, start + 1)
        pos = _skip_space(self.text, pos)
        pos = _skip_space(self.text, pos + 1)  # the colon
        end = self.offset(prop.end_line, prop.end_column)
        return self.span_at(pos, end)

    # --- structure ---------------------------------------------------------------------------

    def root(self, data: PosDict) -> hcl.Body:
        body = hcl.Body()
        for block_type, value in data.items():
            if block_type == "//":
                continue
            if block_type == "locals":
                for obj in self.objects(data, block_type, value):
                    locals_block = hcl.Block(
                        "locals", (), self.expression_body(obj), *self.spans(data, block_type)
                    )
                    body.blocks.append(locals_block)
            elif block_type == "terraform":
                for obj in self.objects(data, block_type, value):
                    body.blocks.append(
                        hcl.Block("terraform", (), self.literal_body(obj), *self.spans(data, block_type))
                    )
            elif block_type in _TOP_LEVEL_LABELS:
                for labels, parent, key, obj in self.labelled(
                    data, block_type, value, _TOP_LEVEL_LABELS[block_type]
                ):
                    header, full = self.spans(parent, key)
                    body.blocks.append(
                        hcl.Block(block_type, labels, self.block_body(block_type, obj), header, full)
                    )
        return body

    def spans(self, parent: PosDict, key: str) -> tuple[Span, Span]:
        return self.key_header(parent, key), parent.key_spans[key]

    def objects(self, parent: PosDict, key: str, value: Any) -> list[PosDict]:
        """A block's body: one object, or an array of objects (several blocks of one type)."""
        if isinstance(value, PosDict):
            return [value]
        if isinstance(value, PosList) and all(isinstance(v, PosDict) for v in value):
            return list(value)
        span = parent.key_spans[key]
        raise hcl.HclError(f'"{key}" must be a JSON object (a block body)', span.line, span.column)

    def labelled(
        self, parent: PosDict, key: str, value: Any, levels: int
    ) -> list[tuple[tuple[str, ...], PosDict, str, PosDict]]:
        """(labels, object holding the innermost label, that label, body) for each block."""
        out: list[tuple[tuple[str, ...], PosDict, str, PosDict]] = []
        for obj in self.objects(parent, key, value):
            for label, inner in obj.items():
                if label == "//":
                    continue
                if levels == 1:
                    for body in self.objects(obj, label, inner):
                        out.append(((label,), obj, label, body))
                else:
                    for labels, holder, last, body in self.labelled(obj, label, inner, levels - 1):
                        out.append(((label, *labels), holder, last, body))
        return out

    def block_body(self, block_type: str, obj: PosDict) -> hcl.Body:
        if block_type == "variable":
            return self.variable_body(obj)
        if block_type == "module":
            return self.module_body(obj)
        if block_type == "output":
            return self.expression_body(obj, literal={"description", "sensitive", "depends_on"})
        if block_type == "provider":
            return self.schema_body(obj, literal={"alias", "version"})
        return self.schema_body(obj, literal=_LITERAL_RESOURCE_ARGS, meta=True)

    def variable_body(self, obj: PosDict) -> hcl.Body:
        body = hcl.Body()
        for key, value in obj.items():
            if key == "//":
                continue
            if key == "type" and isinstance(value, str):
                body.attributes[key] = hcl.Attribute(key, self.parsed(obj, key, value), obj.key_spans[key])
            elif key == "validation":
                for v in self.objects(obj, key, value):
                    body.blocks.append(hcl.Block(key, (), self.expression_body(v), *self.spans(obj, key)))
            else:
                body.attributes[key] = self.attribute(obj, key, value, literal=True)
        return body

    def module_body(self, obj: PosDict) -> hcl.Body:
        return self.expression_body(obj, literal={"source", "version", "providers", "depends_on"})

    def expression_body(self, obj: PosDict, literal: set[str] | frozenset[str] = frozenset()) -> hcl.Body:
        """A body of arguments only (``locals``, ``module``, ``output``)."""
        body = hcl.Body()
        for key, value in obj.items():
            if key != "//":
                body.attributes[key] = self.attribute(obj, key, value, literal=key in literal)
        return body

    def literal_body(self, obj: PosDict) -> hcl.Body:
        """A ``terraform`` block: literal settings; ``required_providers`` and ``backend`` are blocks."""
        body = hcl.Body()
        for key, value in obj.items():
            if key == "//":
                continue
            if key == "required_providers":
                for v in self.objects(obj, key, value):
                    providers = hcl.Body(
                        {k: self.attribute(v, k, x, literal=True) for k, x in v.items() if k != "//"}
                    )
                    body.blocks.append(hcl.Block(key, (), providers, *self.spans(obj, key)))
            elif key in ("backend", "cloud") and isinstance(value, PosDict):
                if key == "cloud":
                    body.blocks.append(hcl.Block(key, (), self.literal_body(value), *self.spans(obj, key)))
                    continue
                for labels, holder, last, inner in self.labelled(obj, key, value, 1):
                    body.blocks.append(
                        hcl.Block(key, labels, self.literal_body(inner), *self.spans(holder, last))
                    )
            else:
                body.attributes[key] = self.attribute(obj, key, value, literal=True)
        return body

    def schema_body(self, obj: PosDict, literal: set[str], meta: bool = False) -> hcl.Body:
        """A resource, data, provider or ``content`` body: arguments and nested blocks mixed."""
        body = hcl.Body()
        for key, value in obj.items():
            if key == "//":
                continue
            if meta and key in _LABELLED_META_BLOCKS:
                for labels, holder, last, inner in self.labelled(obj, key, value, _LABELLED_META_BLOCKS[key]):
                    inner_body = (
                        self.dynamic_body(inner) if key == "dynamic" else self.schema_body(inner, set())
                    )
                    body.blocks.append(hcl.Block(key, labels, inner_body, *self.spans(holder, last)))
            elif meta and key in _META_BLOCKS:
                for v in self.objects(obj, key, value):
                    body.blocks.append(hcl.Block(key, (), self.expression_body(v), *self.spans(obj, key)))
            else:
                body.attributes[key] = self.attribute(obj, key, value, literal=key in literal)
                if _is_block_shaped(value):
                    for v in self.objects(obj, key, value):
                        body.blocks.append(
                            hcl.Block(key, (), self.schema_body(v, set(), meta=True), *self.spans(obj, key))
                        )
        return body

    def dynamic_body(self, obj: PosDict) -> hcl.Body:
        body = hcl.Body()
        for key, value in obj.items():
            if key == "//":
                continue
            if key == "content":
                for v in self.objects(obj, key, value):
                    body.blocks.append(
                        hcl.Block(key, (), self.schema_body(v, set(), meta=True), *self.spans(obj, key))
                    )
            else:
                body.attributes[key] = self.attribute(obj, key, value, literal=key == "iterator")
        return body

    # --- expressions -------------------------------------------------------------------------

    def attribute(self, obj: PosDict, key: str, value: Any, literal: bool = False) -> hcl.Attribute:
        return hcl.Attribute(key, self.expr(value, self.value_span(obj, key), literal), obj.key_spans[key])

    def expr(self, value: Any, span: Span, literal: bool) -> hcl.Expr:
        if isinstance(value, PosDict):
            items = tuple(
                (hcl.Lit(self.key_header(value, k), k), self.expr(v, self.value_span(value, k), literal))
                for k, v in value.items()
            )
            return hcl.ObjectExpr(span, items)
        if isinstance(value, PosList):
            return hcl.TupleExpr(
                span, tuple(self.expr(v, s, literal) for v, s in zip(value, value.item_spans, strict=True))
            )
        if isinstance(value, str) and not literal and ("${" in value or "%{" in value):
            return self.template(value, span)
        return hcl.Lit(span, value)

    def parsed(self, obj: PosDict, key: str, text: str) -> hcl.Expr:
        """A string that holds an expression (a variable's ``type``)."""
        return self.hcl_expression(text, self.value_span(obj, key), quoted=False)

    def template(self, value: str, span: Span) -> hcl.Expr:
        return self.hcl_expression(_hcl_string(value), span, quoted=True)

    def hcl_expression(self, source: str, span: Span, quoted: bool) -> hcl.Expr:
        """Parse ``source`` as HCL; map its positions into the JSON string at ``span``."""
        try:
            parsed = hcl.parse_hcl(self.path, f"v = {source}\n")
        except hcl.HclError as e:
            raise hcl.HclError(f"invalid expression in JSON string: {e}", span.line, span.column) from None
        attr = parsed.body.attributes.get("v")
        if attr is None or len(parsed.body.attributes) != 1 or parsed.body.blocks:
            raise hcl.HclError("invalid expression in JSON string", span.line, span.column)
        raw = self.text[self.offset(span.line, span.column) : self.offset(span.end_line, span.end_column)]
        exact = span.line == span.end_line and raw == (source if quoted else json.dumps(source))
        return _moved(attr.expr, span, exact)


def _moved(expr: Any, span: Span, exact: bool) -> Any:
    """The expression with positions moved from ``v = <source>`` to the JSON token at ``span``."""
    if isinstance(expr, Span):
        if not exact:
            return span
        shift = span.column - 5  # the source started at column 5, after "v = "
        return Span(span.file, span.line, expr.column + shift, span.line, expr.end_column + shift)
    if isinstance(expr, tuple):
        return tuple(_moved(x, span, exact) for x in expr)
    if isinstance(expr, hcl.Expr):
        changes = {f.name: _moved(getattr(expr, f.name), span, exact) for f in dataclasses.fields(expr)}
        return dataclasses.replace(expr, **changes)
    return expr


def _is_block_shaped(value: Any) -> bool:
    return isinstance(value, PosDict) or (
        isinstance(value, PosList) and bool(value) and all(isinstance(v, PosDict) for v in value)
    )


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _hcl_string(value: str) -> str:
    """A JSON template string as an HCL quoted string: literal parts escaped, ``${...}``/``%{...}`` kept."""
    out = ['"']
    i = 0
    while i < len(value):
        if value.startswith(("$${", "%%{"), i):
            out.append(value[i : i + 3])
            i += 3
        elif value.startswith(("${", "%{"), i):
            end = _closing_brace(value, i + 2)
            out.append(value[i:end])
            i = end
        else:
            out.append(_ESCAPES.get(value[i], value[i]))
            i += 1
    out.append('"')
    return "".join(out)


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _closing_brace(value: str, pos: int) -> int:
    """The index after the ``}`` that closes an interpolation opened before ``pos``."""
    depth = 1
    while pos < len(value):
        c = value[pos]
        if c == '"':
            pos += 1
            while pos < len(value) and value[pos] != '"':
                pos += 2 if value[pos] == "\\" else 1
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return pos + 1
        pos += 1
    return len(value)
