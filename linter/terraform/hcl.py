"""HCL files into a small positioned syntax tree: the node types and the parser switch.

Two parsers build exactly the same tree (a differential test proves it on every fixture and on the
corpus): tree-sitter-hcl (``hcl_treesitter``), the default, fast and able to recover from a
broken block, and python-hcl2 (``hcl_python_hcl2``), the reference parser of the design and the
fallback where tree-sitter cannot be imported. Nothing downstream depends on either library's
classes. The few rules both converters must apply identically (escapes, heredoc bodies) live here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linter.model import Span


class HclError(Exception):
    """A syntax error: a message in Terraform terms and the position of the first problem.

    ``skipped`` names the top-level construct left out because of it (``resource "a" "b"``) when
    the rest of the file was read; it is empty when nothing of the file was.
    """

    def __init__(self, message: str, line: int = 1, column: int = 1, skipped: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.skipped = skipped


# --- expressions ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expr:
    span: Span


@dataclass(frozen=True, slots=True)
class Lit(Expr):
    value: Any  # str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Template(Expr):
    parts: tuple[Any, ...]  # str | Expr; a part None marks a directive we do not evaluate


@dataclass(frozen=True, slots=True)
class Var(Expr):
    name: str


@dataclass(frozen=True, slots=True)
class GetAttr(Expr):
    target: Expr
    name: str


@dataclass(frozen=True, slots=True)
class Index(Expr):
    target: Expr
    key: Expr


@dataclass(frozen=True, slots=True)
class Splat(Expr):
    """``target[*].a.b`` or ``target.*.a``: ``steps`` are applied to every element."""

    target: Expr
    steps: tuple[tuple[str, Any], ...]  # ("attr", name) | ("index", Expr)


@dataclass(frozen=True, slots=True)
class Call(Expr):
    name: str
    args: tuple[Expr, ...]
    expand_last: bool = False


@dataclass(frozen=True, slots=True)
class Cond(Expr):
    test: Expr
    if_true: Expr
    if_false: Expr


@dataclass(frozen=True, slots=True)
class BinOp(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class UnOp(Expr):
    op: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class TupleExpr(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class ObjectExpr(Expr):
    items: tuple[tuple[Expr, Expr], ...]  # key expressions: a bare identifier key is a Lit


@dataclass(frozen=True, slots=True)
class ForExpr(Expr):
    key_var: str | None
    value_var: str
    collection: Expr
    key_expr: Expr | None  # set for object ``for``
    value_expr: Expr
    condition: Expr | None
    grouping: bool = False


@dataclass(frozen=True, slots=True)
class Unsupported(Expr):
    what: str


# --- structure -----------------------------------------------------------------------------


@dataclass(slots=True)
class Attribute:
    name: str
    expr: Expr
    span: Span  # the whole ``name = value``


@dataclass(slots=True)
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def blocks_of(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]


@dataclass(slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    span: Span  # the header: block type and labels
    full: Span  # the whole block


@dataclass(slots=True)
class HclFile:
    path: Path
    body: Body
    text: str


# --- rules both converters share ------------------------------------------------------------

_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_HEX = frozenset("0123456789abcdefABCDEF")


def decode_literal(raw: str) -> str:
    """The value of literal text in a quoted template, as written between its interpolations.

    HCL's escapes: ``\\n \\r \\t \\" \\\\ \\uNNNN \\UNNNNNNNN``, and ``$${``/``%%{`` for a literal
    ``${``/``%{``. An unknown escape is kept as written (Terraform rejects it; a linter should not
    invent a second error for it).
    """
    if "\\" not in raw and "$${" not in raw and "%%{" not in raw:
        return raw
    out: list[str] = []
    i, n = 0, len(raw)
    while i < n:
        char = raw[i]
        if char == "\\" and i + 1 < n:
            marker = raw[i + 1]
            if marker in _SIMPLE_ESCAPES:
                out.append(_SIMPLE_ESCAPES[marker])
                i += 2
                continue
            if marker in "uU":
                digits = raw[i + 2 : i + 2 + (4 if marker == "u" else 8)]
                if len(digits) == (4 if marker == "u" else 8) and all(d in _HEX for d in digits):
                    code = int(digits, 16)
                    if code <= 0x10FFFF and not 0xD800 <= code < 0xE000:
                        out.append(chr(code))
                        i += 2 + len(digits)
                        continue
            out.append(raw[i : i + 2])
            i += 2
            continue
        if char in "$%" and raw.startswith("{", i + 2) and raw[i + 1] == char:
            out.append(char + "{")
            i += 3
            continue
        out.append(char)
        i += 1
    return "".join(out)


def heredoc_expr(span: Span, raw: str) -> Expr:
    """A heredoc (``raw`` runs from ``<<`` to the closing marker) as a literal, when it has no template.

    The value follows python-hcl2's long-standing reading: the newline before the closing marker
    is not part of it, and ``<<-`` removes the smallest indentation (in spaces) of the non-blank
    lines. Interpolations and directives are not evaluated.
    """
    first_newline = raw.find("\n")
    header = raw[:first_newline].rstrip("\r")
    trim = header.startswith("<<-")
    marker = header[3:] if trim else header[2:]
    body = raw[first_newline + 1 : len(raw) - len(marker)]
    body = body.rstrip(" \t")
    body = body[:-2] if body.endswith("\r\n") else body[:-1] if body.endswith("\n") else body
    if trim:
        lines = body.split("\n")
        indents = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
        cut = min(indents, default=0)
        body = "\n".join(line[cut:] for line in lines)
    if "${" in body or "%{" in body:
        return Unsupported(span, "heredoc with interpolation")
    return Lit(span, body)


# --- choosing a parser ------------------------------------------------------------------------

TREE_SITTER = "tree-sitter"
PYTHON_HCL2 = "python-hcl2"
PARSERS = (TREE_SITTER, PYTHON_HCL2)
DEFAULT_PARSER = TREE_SITTER


def effective_parser(requested: str = DEFAULT_PARSER) -> tuple[str, str | None]:
    """The parser that will run for ``requested``, and why it differs (tree-sitter not importable)."""
    if requested not in PARSERS:
        raise ValueError(f"unknown HCL parser {requested!r}; expected one of {', '.join(PARSERS)}")
    if requested == TREE_SITTER:
        try:
            from linter.terraform import hcl_treesitter  # noqa: F401 - an import test, nothing more
        except ImportError as e:
            return PYTHON_HCL2, (
                f"tree-sitter-hcl is not available on this platform ({e}); "
                f"Terraform files are read with python-hcl2, which is slower"
            )
    return requested, None


def parse(path: Path, text: str, parser: str = DEFAULT_PARSER) -> tuple[HclFile | None, HclError | None]:
    """Parse one ``.tf``/``.tfvars`` file: the tree of what parses, and the first syntax error.

    tree-sitter recovers: a file with a broken top-level block still yields its other blocks.
    python-hcl2 does not: a broken file yields no tree.
    """
    if parser == TREE_SITTER:
        from linter.terraform import hcl_treesitter

        return hcl_treesitter.parse(path, text)
    from linter.terraform import hcl_python_hcl2

    try:
        return hcl_python_hcl2.parse(path, text), None
    except HclError as e:
        return None, e


def parse_hcl(path: Path, text: str, parser: str = DEFAULT_PARSER) -> HclFile:
    """Parse one file strictly: the whole tree, or the first syntax error raised as ``HclError``."""
    tree, error = parse(path, text, parser)
    if error is not None:
        raise error
    assert tree is not None
    return tree
