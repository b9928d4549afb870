"""The ARM template expression language: a tiny tokenizer and parser into a shared AST.

The AST is also what the Bicep front end translates Bicep expressions into, so one evaluator
serves both languages. ARM expressions are ``[func(args).prop[index]]`` strings; Bicep adds
operators, identifier references, interpolation, ``for`` expressions, spreads and method calls
(nodes ``Op``, ``Ref``, ``Interp``, ``ForExpr``, ``Spread``, ``Method``), which ARM never
produces. Lambdas exist in both (``lambda('x', ...)`` in ARM).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Lit:
    value: Any


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Prop:
    """``target.name``; ``safe`` for Bicep's ``target.?name`` (null when the property is missing)."""

    target: Any
    name: str
    safe: bool = False


@dataclass(frozen=True)
class Index:
    """``target[index]``; Bicep adds ``[?index]`` (``safe``) and ``[^n]`` (``from_end``)."""

    target: Any
    index: Any
    safe: bool = False
    from_end: bool = False


@dataclass(frozen=True)
class Ref:
    """A Bicep identifier: parameter, variable, resource, module or loop variable."""

    name: str


@dataclass(frozen=True)
class Op:
    """A Bicep operator: ``==``, ``!=``, ``=~``, ``!~``, ``&&``, ``||``, ``!``, ``?:``, ``??``,
    ``+``, ``-``, ``*``, ``/``, ``%``, ``<``, ``<=``, ``>``, ``>=``, ``neg``."""

    op: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class Interp:
    """A Bicep interpolated string: literal parts (str) and expression parts (AST)."""

    parts: tuple[Any, ...]


@dataclass(frozen=True)
class ForExpr:
    """A Bicep ``[for item in iterable: body]`` (``index`` set for ``(item, i)``)."""

    item: str
    index: str | None
    iterable: Any
    body: Any
    condition: Any = None
    text: str = field(default="", compare=False)


@dataclass(frozen=True)
class Lambda:
    """A Bicep lambda ``(a, b) => body`` (ARM: ``lambda('a', 'b', body)``), applied by ``map``,
    ``filter``, ``reduce``, ``sort``, ``toObject`` and friends."""

    params: tuple[str, ...]
    body: Any = field(compare=False)
    text: str = field(default="", compare=False)


@dataclass(frozen=True)
class Spread:
    """``...expr`` in a Bicep object or array literal: its entries are merged in place.

    In an object it is a key (the value beside it is ignored), so ``at`` (its position in the
    literal) keeps two spreads of one object apart and makes the key hashable.
    """

    at: int
    expr: Any = field(compare=False)


@dataclass(frozen=True)
class Method:
    """``target.name(args)`` on a value that is not a namespace: ``storage.listKeys()``."""

    target: Any
    name: str
    args: tuple[Any, ...] = ()


class ExprError(ValueError):
    pass


def is_expression(text: str) -> bool:
    """An ARM string is an expression when it is ``[...]`` and does not start with ``[[``."""
    return len(text) >= 2 and text[0] == "[" and text[-1] == "]" and not text.startswith("[[")


def unescape_literal(text: str) -> str:
    """``[[`` at the start of a string stands for a literal ``[``."""
    return text[1:] if text.startswith("[[") else text


def parse(text: str) -> Any:
    """Parse an ARM expression string (with its brackets) into an AST."""
    return _Parser(text[1:-1].strip()).parse_all()


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def error(self, message: str) -> ExprError:
        return ExprError(f"{message} at offset {self.i} in [{self.s}]")

    def ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i] in " \t\r\n":
            self.i += 1

    def peek(self) -> str:
        self.ws()
        return self.s[self.i] if self.i < len(self.s) else ""

    def expect(self, ch: str) -> None:
        if self.peek() != ch:
            raise self.error(f"expected {ch!r}")
        self.i += 1

    def parse_all(self) -> Any:
        node = self.expr()
        if self.peek():
            raise self.error("unexpected text")
        return node

    def expr(self) -> Any:
        node = self.primary()
        while True:
            ch = self.peek()
            if ch == ".":
                self.i += 1
                if self.peek() == "?":  # safe dereference .?
                    self.i += 1
                name = self.ident()
                node = Prop(node, name)
            elif ch == "[":
                self.i += 1
                index = self.expr()
                self.expect("]")
                node = Index(node, index)
            elif ch == "?" and self.s[self.i + 1 : self.i + 2] == "[":
                self.i += 1
            else:
                return node

    def ident(self) -> str:
        self.ws()
        start = self.i
        while self.i < len(self.s) and (self.s[self.i].isalnum() or self.s[self.i] in "_$"):
            self.i += 1
        if start == self.i:
            raise self.error("expected a name")
        return self.s[start : self.i]

    def primary(self) -> Any:
        ch = self.peek()
        if ch == "'":
            return Lit(self.string())
        if ch.isdigit() or ch == "-":
            start = self.i
            self.i += 1
            while self.i < len(self.s) and (self.s[self.i].isdigit() or self.s[self.i] == "."):
                self.i += 1
            text = self.s[start : self.i]
            try:
                return Lit(float(text) if "." in text else int(text))
            except ValueError:
                raise self.error("bad number") from None
        if ch.isalpha() or ch == "_":
            name = self.ident()
            while self.peek() == "." and self.s[self.i + 1 : self.i + 2].isalpha():
                # namespaced user function ns.func(...): look ahead for "("
                save = self.i
                self.i += 1
                part = self.ident()
                if self.peek() == "(":
                    name = f"{name}.{part}"
                    break
                self.i = save
                break
            if self.peek() != "(":
                lowered = name.lower()
                if lowered in ("true", "false"):
                    return Lit(lowered == "true")
                if lowered == "null":
                    return Lit(None)
                raise self.error(f"expected '(' after {name}")
            self.i += 1
            args: list[Any] = []
            if self.peek() != ")":
                while True:
                    args.append(self.expr())
                    if self.peek() == ",":
                        self.i += 1
                        continue
                    break
            self.expect(")")
            return Call(name, tuple(args))
        raise self.error("unexpected character")

    def string(self) -> str:
        self.i += 1
        out = []
        while True:
            if self.i >= len(self.s):
                raise self.error("unterminated string")
            ch = self.s[self.i]
            if ch == "'":
                if self.s[self.i + 1 : self.i + 2] == "'":
                    out.append("'")
                    self.i += 2
                    continue
                self.i += 1
                return "".join(out)
            out.append(ch)
            self.i += 1


def render(node: Any) -> str:
    """The expression as text, for Unknown reasons."""
    if isinstance(node, Lit):
        return repr(node.value) if not isinstance(node.value, str) else f"'{node.value}'"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(render(a) for a in node.args)})"
    if isinstance(node, Prop):
        return f"{render(node.target)}.{'?' if node.safe else ''}{node.name}"
    if isinstance(node, Index):
        marks = ("?" if node.safe else "") + ("^" if node.from_end else "")
        return f"{render(node.target)}[{marks}{render(node.index)}]"
    if isinstance(node, Method):
        return f"{render(node.target)}.{node.name}({', '.join(render(a) for a in node.args)})"
    if isinstance(node, Lambda):
        params = node.params[0] if len(node.params) == 1 else f"({', '.join(node.params)})"
        return node.text or f"{params} => {render(node.body)}"
    if isinstance(node, Spread):
        return f"...{render(node.expr)}"
    if isinstance(node, Ref):
        return node.name
    if isinstance(node, Op):
        if len(node.args) == 1:
            return f"{node.op}{render(node.args[0])}"
        if node.op == "?:":
            a, b, c = node.args
            return f"{render(a)} ? {render(b)} : {render(c)}"
        return f" {node.op} ".join(render(a) for a in node.args)
    if isinstance(node, Interp):
        return "'" + "".join(p if isinstance(p, str) else "${" + render(p) + "}" for p in node.parts) + "'"
    if isinstance(node, ForExpr):
        return node.text or f"[for {node.item} in {render(node.iterable)}: ...]"
    if isinstance(node, str):  # a Bicep string literal
        return f"'{node}'"
    if isinstance(node, bool) or node is None:
        return "null" if node is None else str(node).lower()
    if isinstance(node, dict):
        return "{...}"
    if isinstance(node, list):
        return "[...]"
    return str(node)
