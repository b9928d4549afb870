"""The reference HCL parser: python-hcl2's typed tree converted into our syntax tree.

python-hcl2 parses with Lark; its typed tree (``hcl2.parses``) keeps Lark positions on every rule,
which its dict serialisation drops (libraries.md §2.2). It is the parser of the design card and the
fallback where tree-sitter cannot be imported, and the differential test holds the tree-sitter
converter to exactly what this one builds.

Two things Lark's positions get wrong for us are corrected here, so that a span ends at the last
character of its construct: a binary operation swallows the newlines and comments that follow it
(the grammar lets ``binary_op`` end with ``new_line_or_comment``), and a heredoc token ends with
the newline after its closing marker.
"""

from __future__ import annotations

import functools
import gc
from pathlib import Path
from typing import Any

from linter.model import Span
from linter.terraform.hcl import (
    Attribute,
    BinOp,
    Block,
    Body,
    Call,
    Cond,
    Expr,
    ForExpr,
    GetAttr,
    HclError,
    HclFile,
    Index,
    Lit,
    ObjectExpr,
    Splat,
    Template,
    TupleExpr,
    UnOp,
    Unsupported,
    Var,
    decode_literal,
    heredoc_expr,
)


@functools.lru_cache(maxsize=1)
def _install_parser_cache() -> None:
    """Point python-hcl2's Lark grammar cache at our cache dir (site-packages may be read-only)."""
    import hcl2.api
    import hcl2.parser
    from lark import Lark

    from linter.cachedir import cache_dir

    try:
        version = getattr(hcl2, "__version__", "8")
        target = cache_dir() / f"hcl2-{version}.lark"
        postlex = hcl2.parser.PostLexer

        @functools.lru_cache
        def parser() -> Lark:
            return Lark.open(
                "hcl2.lark",
                parser="lalr",
                cache=str(target),
                rel_to=hcl2.parser.__file__,
                propagate_positions=True,
                postlex=postlex(),
            )

        hcl2.api._get_parser = parser  # api.py imported the function by name
    except Exception:  # noqa: BLE001 - an older/newer python-hcl2: keep its own parser
        return


def parse(path: Path, text: str) -> HclFile:
    """Parse one ``.tf``/``.tfvars`` file; raises HclError with python-hcl2's position."""
    _install_parser_cache()
    import hcl2
    from lark.exceptions import UnexpectedInput

    if not text.strip():
        return HclFile(path, Body(), text)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # python-hcl2 builds millions of objects; the GC makes big parses 3x slower
    try:
        tree = hcl2.parses(text)
    except UnexpectedInput as e:
        raise HclError(
            _describe_unexpected(e), getattr(e, "line", 1) or 1, getattr(e, "column", 1) or 1
        ) from None
    except RecursionError:
        raise HclError("expression nested too deeply to parse") from None
    except Exception as e:  # noqa: BLE001 - python-hcl2 raises bare errors for semantic problems
        raise HclError(str(e) or type(e).__name__) from None
    finally:
        if gc_was_enabled:
            gc.enable()
    converter = _Converter(str(path), text)
    try:
        body = converter.body(tree.body)
    except RecursionError:
        raise HclError("expression nested too deeply to analyse") from None
    return HclFile(path, body, text)


def _describe_unexpected(e: Exception) -> str:
    token = getattr(e, "token", None)
    if token is not None:
        if getattr(token, "type", "") == "$END":
            return "unexpected end of file (a block or string is not closed)"
        return f"unexpected {str(token)!r}"
    char = getattr(e, "char", None)
    if char is not None:
        return f"unexpected character {char!r}"
    return "syntax error"


#: python-hcl2 tokens (``lark_name``) whose text is literal template content
_LITERAL_TOKENS = ("STRING_CHARS", "ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE")


class _Converter:
    """hcl2 typed tree -> our nodes. Dispatch on the rule class name to stay version tolerant."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text

    def span(self, node: Any) -> Span:
        m = getattr(node, "_meta", None)
        if m is None or getattr(m, "empty", True):
            return Span(self.file, 1, 1)
        return Span(self.file, m.line, m.column, *self.end(node))

    def end(self, node: Any) -> tuple[int, int]:
        """Where ``node``'s last character ends (exclusive), without trailing newlines or comments."""
        kind = type(node).__name__
        if kind == "BinaryOpRule":
            return self.end(node.binary_term.expr_term)
        if kind == "ConditionalRule":
            return self.end(node.if_false)
        if kind == "AttributeRule":
            return self.end(node.expression)
        m = node._meta
        line, column, pos = m.end_line, m.end_column, m.end_pos
        if pos > 0 and self.text[pos - 1] == "\n":  # a heredoc token ends with its newline
            pos -= 1
            line -= 1
            column = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return line, column

    def body(self, node: Any) -> Body:
        out = Body()
        for child in node.children:
            kind = type(child).__name__
            if kind == "AttributeRule":
                name = str(child.identifier.token.value)
                out.attributes[name] = Attribute(name, self.expr(child.expression), self.span(child))
            elif kind == "BlockRule":
                out.blocks.append(self.block(child))
        return out

    def block(self, node: Any) -> Block:
        labels = [self.label(lbl) for lbl in node.labels]
        full = self.span(node)
        last = self.span(node.labels[-1])
        header = Span(self.file, full.line, full.column, last.end_line, last.end_column)
        return Block(labels[0], tuple(labels[1:]), self.body(node.body), header, full)

    def label(self, node: Any) -> str:
        if type(node).__name__ == "StringRule":
            return "".join(str(getattr(p.content, "value", "")) for p in node.string_parts)
        return str(node.token.value)

    def expr(self, node: Any) -> Expr:
        kind = type(node).__name__
        method = getattr(self, "_" + kind, None)
        if method is None:
            return Unsupported(self.span(node), kind)
        return method(node)

    # Each handler is named after the python-hcl2 rule class it converts.
    def _ExprTermRule(self, node: Any) -> Expr:
        return self.expr(node.expression)

    def _IdentifierRule(self, node: Any) -> Expr:
        return Var(self.span(node), str(node.token.value))

    def _IntLitRule(self, node: Any) -> Expr:
        return Lit(self.span(node), int(str(node.token.value)))

    def _FloatLitRule(self, node: Any) -> Expr:
        text = str(node.token.value)
        try:
            return Lit(self.span(node), float(text))
        except ValueError:
            return Unsupported(self.span(node), f"number {text}")

    def _LiteralValueRule(self, node: Any) -> Expr:
        return Lit(self.span(node), {"true": True, "false": False, "null": None}.get(str(node.token.value)))

    _KeywordRule = _LiteralValueRule

    def _StringRule(self, node: Any) -> Expr:
        parts: list[Any] = []
        raw: list[str] = []  # adjacent literal tokens, decoded together
        for part in node.string_parts:
            content = part.content
            if content.lark_name() in _LITERAL_TOKENS:
                raw.append(str(content.value))
                continue
            if raw:
                parts.append(decode_literal("".join(raw)))
                raw = []
            if type(content).__name__ == "InterpolationRule":
                parts.append(self.expr(content.expression))
            else:
                parts.append(None)  # %{ if } / %{ for } template directive
        if raw:
            parts.append(decode_literal("".join(raw)))
        span = self.span(node)
        if all(isinstance(p, str) for p in parts):
            return Lit(span, "".join(parts))
        return Template(span, tuple(parts))

    def _HeredocTemplateRule(self, node: Any) -> Expr:
        return heredoc_expr(self.span(node), str(node.heredoc.value).rstrip("\r\n"))

    _HeredocTrimTemplateRule = _HeredocTemplateRule

    def _GetAttrExprTermRule(self, node: Any) -> Expr:
        return GetAttr(self.span(node), self.expr(node.expr_term), str(node.get_attr.identifier.token.value))

    def _IndexExprTermRule(self, node: Any) -> Expr:
        index = node.children[1]
        if type(index).__name__ == "ShortIndexRule":
            key: Expr = Lit(self.span(index), int(str(index.index.value)))
        else:
            key = self.expr(index.index_expression)
        return Index(self.span(node), self.expr(node.children[0]), key)

    def _splat(self, node: Any) -> Expr:
        steps: list[tuple[str, Any]] = []
        for step in node.children[1].get_attrs:
            sname = type(step).__name__
            if sname == "GetAttrRule":
                steps.append(("attr", str(step.identifier.token.value)))
            elif sname == "ShortIndexRule":
                steps.append(("index", Lit(self.span(step), int(str(step.index.value)))))
            elif sname == "SqbIndexRule":
                steps.append(("index", self.expr(step.index_expression)))
        return Splat(self.span(node), self.expr(node.expr_term), tuple(steps))

    _AttrSplatExprTermRule = _splat
    _FullSplatExprTermRule = _splat

    def _FunctionCallRule(self, node: Any) -> Expr:
        name = "::".join(str(i.token.value) for i in node.identifiers)
        args = node.arguments
        arg_exprs = tuple(self.expr(a) for a in args.arguments) if args is not None else ()
        return Call(self.span(node), name, arg_exprs, bool(args is not None and args.has_ellipsis))

    def _ConditionalRule(self, node: Any) -> Expr:
        return Cond(
            self.span(node), self.expr(node.condition), self.expr(node.if_true), self.expr(node.if_false)
        )

    def _BinaryOpRule(self, node: Any) -> Expr:
        term = node.binary_term
        op = str(term.binary_operator.token.value).strip()
        return BinOp(self.span(node), op, self.expr(node.expr_term), self.expr(term.expr_term))

    def _UnaryOpRule(self, node: Any) -> Expr:
        return UnOp(self.span(node), node.operator.strip(), self.expr(node.expr_term))

    def _TupleRule(self, node: Any) -> Expr:
        return TupleExpr(self.span(node), tuple(self.expr(e) for e in node.elements))

    def _ObjectRule(self, node: Any) -> Expr:
        items = []
        for elem in node.elements:
            key_node = elem.key
            inner = key_node.value if type(key_node).__name__ == "ObjectElemKeyRule" else key_node
            iname = type(inner).__name__
            if iname == "IdentifierRule":
                key: Expr = Lit(self.span(inner), str(inner.token.value))
            elif iname == "ObjectElemKeyExpressionRule":
                key = self.expr(inner.expression)
            else:
                key = self.expr(inner)
            items.append((key, self.expr(elem.expression)))
        return ObjectExpr(self.span(node), tuple(items))

    def _for_parts(self, node: Any) -> tuple[str | None, str, Expr, Expr | None]:
        intro = node.for_intro
        first = str(intro.first_iterator.token.value)
        second = intro.second_iterator
        key_var, value_var = (first, str(second.token.value)) if second is not None else (None, first)
        cond = node.condition
        return (
            key_var,
            value_var,
            self.expr(intro.iterable),
            (self.expr(cond.condition_expr) if cond else None),
        )

    def _ForTupleExprRule(self, node: Any) -> Expr:
        key_var, value_var, coll, cond = self._for_parts(node)
        return ForExpr(self.span(node), key_var, value_var, coll, None, self.expr(node.value_expr), cond)

    def _ForObjectExprRule(self, node: Any) -> Expr:
        key_var, value_var, coll, cond = self._for_parts(node)
        return ForExpr(
            self.span(node),
            key_var,
            value_var,
            coll,
            self.expr(node.key_expr),
            self.expr(node.value_expr),
            cond,
            grouping=node.ellipsis is not None,
        )
