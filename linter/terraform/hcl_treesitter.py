"""HCL read with tree-sitter-hcl into our syntax tree, recovering from broken blocks.

Why tree-sitter: python-hcl2 parses with Lark in pure Python at about 0.3 MB/s; tree-sitter-hcl
parses in C, and the walk over its tree here is the only Python cost. The tree built is the one
python-hcl2's converter builds, node for node and position for position
(``tests/test_hcl_differential.py``).

tree-sitter is more lenient than HCL in one way that matters: newlines mean nothing to it, so
``location "westeurope"`` (a forgotten ``=``) followed by a block on the next line reads as a block
with labels across lines. HCL keeps a block header, and an attribute's name, ``=`` and the start of
its value, on one line; those are checked here and reported as syntax errors.

Pieces: a file is parsed in pieces of whole top-level constructs (``_PIECE_BYTES`` at most), each
converted before the next is parsed, because tree-sitter's tree takes about 60 bytes of memory
per byte of source (600 MB for a 10 MB file). A small file is one piece.

Error recovery: a piece that fails is split until the failing top-level construct is alone; that
one is retried with the constructs after it (a heredoc or an unindented block has lines that
look like the start of a new construct), then with python-hcl2 (which reads a few things
tree-sitter-hcl's grammar lacks, such as ``1e3``), and otherwise left out. So one broken block
costs only that block, and its first error is reported in Terraform terms
(``hcl_syntax_errors``).

Positions: tree-sitter counts rows from 0 and columns in bytes from 0; spans count lines from 1 and
columns in characters from 1.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import tree_sitter
import tree_sitter_hcl

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

_LANGUAGE = tree_sitter.Language(tree_sitter_hcl.language())

#: source bytes parsed at once (tree-sitter holds the whole tree of a parse in memory)
_PIECE_BYTES = 256 * 1024
#: how many following constructs a failing one is retried with
_MAX_MERGE = 16
#: broken constructs narrowed down one by one before failing pieces are left out whole
_MAX_LOST = 8

#: a line that starts a top-level construct: a name at column 1, then labels and ``{``, or ``=``
_TOP_LEVEL = re.compile(
    rb'^[A-Za-z_][A-Za-z0-9_-]*(?:[ \t]+(?:"[^"\n]*"|[A-Za-z_][A-Za-z0-9_-]*))*[ \t]*(?:\{|=)', re.M
)


def parse(path: Path, text: str) -> tuple[HclFile, HclError | None]:
    """The tree of every top-level construct that parses, and the first syntax error (or None)."""
    source = text.encode("utf-8", "surrogatepass")
    reader = _Reader(path, source, text.isascii())
    if len(source) <= _PIECE_BYTES:
        body = reader.convert(0, len(source)).body
        if body is not None:
            return HclFile(path, body, text), None
    body, error = reader.pieces()
    return HclFile(path, body, text), error


class _Attempt:
    """One parse of a range: the converted body, or what went wrong (described only when asked)."""

    __slots__ = ("body", "root", "problem")

    def __init__(self, body: Body | None, root: Any = None, problem: Exception | None = None) -> None:
        self.body = body
        self.root = root  # the tree-sitter root with ERROR/MISSING nodes
        self.problem = problem  # a _Syntax or RecursionError from the conversion


class _Reader:
    """Parses ranges of one file's source and assembles the file's body from the ones that parse."""

    def __init__(self, path: Path, source: bytes, ascii_only: bool) -> None:
        self.path = path
        self.source = source
        self.parser = tree_sitter.Parser(_LANGUAGE)
        self.converter = _Converter(str(path), source, ascii_only)
        self.starts: list[int] = []
        self.points: list[tuple[int, int]] = []

    def convert(self, start: int, end: int, start_point: Any = None, end_point: Any = None) -> _Attempt:
        """Parse ``source[start:end]`` (with its real positions) and convert it."""
        if start == 0 and end == len(self.source):
            self.parser.included_ranges = []
        else:
            self.parser.included_ranges = [tree_sitter.Range(start_point, end_point, start, end)]
        root = self.parser.parse(self.source).root_node
        if root.has_error:
            return _Attempt(None, root)
        try:
            return _Attempt(self.converter.file_body(root))
        except (_Syntax, RecursionError) as e:
            return _Attempt(None, root, e)

    def convert_chunks(self, first: int, stop: int) -> _Attempt:
        """Parse and convert top-level constructs ``first`` up to (not including) ``stop``."""
        starts, points = self.starts, self.points
        return self.convert(starts[first], starts[stop], points[first], points[stop])

    def pieces(self) -> tuple[Body, HclError | None]:
        """The body of every construct that parses, piece by piece; the first error of the others.

        Narrowing a failing piece down costs a few parses per broken construct; after
        ``_MAX_LOST`` of them (a file that is mostly not HCL) a failing piece is left out whole.
        """
        starts = [m.start() for m in _TOP_LEVEL.finditer(self.source)]
        if not starts or starts[0] != 0:
            starts.insert(0, 0)
        starts.append(len(self.source))
        self.starts, self.points = starts, _points(self.source, starts)
        count = len(starts) - 1
        body = Body()
        error: HclError | None = None
        lost = 0
        budget = _PIECE_BYTES
        i = 0
        while i < count:
            stop = i + 1
            while stop < count and starts[stop + 1] - starts[i] <= budget:
                stop += 1
            parsed = self.convert_chunks(i, stop).body
            if parsed is None and stop - i > 1 and lost < _MAX_LOST:
                budget = (starts[stop] - starts[i]) // 2  # narrow down to the failing construct
                continue
            if parsed is None and lost < _MAX_LOST:
                parsed, stop = self.recover(i)
            if parsed is not None:
                body.attributes.update(parsed.attributes)
                body.blocks.extend(parsed.blocks)
            else:
                if error is None:
                    error = self.describe(self.convert_chunks(i, i + 1))
                    error.skipped = self.header(i)
                lost += stop - i
            i = stop
            budget = _PIECE_BYTES
        self.parser.included_ranges = []
        if error is not None and lost > 1:
            error.skipped += f" and {lost - 1} more top-level " + (
                "block or attribute" if lost == 2 else "blocks or attributes"
            )
        return body, error

    def recover(self, i: int) -> tuple[Body | None, int]:
        """Construct ``i`` fails alone: retried with the ones after it, then with python-hcl2.

        Returns what parsed (None: the construct is lost) and where to go on.
        """
        for stop in range(i + 2, min(len(self.starts) - 1, i + _MAX_MERGE) + 1):
            merged = self.convert_chunks(i, stop).body
            if merged is not None:
                return merged, stop
        start, end = self.starts[i], self.starts[i + 1]
        if end - start <= _PIECE_BYTES:  # python-hcl2 reads about 0.3 MB/s
            return _reference_body(self.path, self.source, start, end, self.points[i][0]), i + 1
        return None, i + 1

    def header(self, i: int) -> str:
        """What top-level construct ``i`` is, for the message: ``resource "a" "b"``, ``attribute `x```."""
        match = _TOP_LEVEL.match(self.source, self.starts[i])
        if match is None:  # text before the first construct, or one that does not start at column 1
            return f"lines {self.points[i][0] + 1}-{self.points[i + 1][0]}"
        header = match.group(0).decode("utf-8", "surrogatepass")
        if header.endswith("="):
            return f"attribute `{header[:-1].strip()}`"
        return " ".join(header[:-1].split())

    def describe(self, attempt: _Attempt) -> HclError:
        problem = attempt.problem
        if isinstance(problem, _Syntax):
            return self.converter.error(problem)
        if isinstance(problem, RecursionError):
            row = attempt.root.start_point[0]
            return HclError("expression nested too deeply to analyse", row + 1, 1)
        from linter.terraform import hcl_syntax_errors  # only a broken file needs it

        message, node = hcl_syntax_errors.describe(self.converter, attempt.root)
        start = node.start_point
        return HclError(message, start[0] + 1, self.converter.column(start))


def _reference_body(path: Path, source: bytes, start: int, end: int, row: int) -> Body | None:
    """The construct as python-hcl2 reads it (behind ``row`` empty lines), or None if it cannot."""
    from linter.terraform import hcl_python_hcl2

    text = "\n" * row + source[start:end].decode("utf-8", "surrogatepass")
    try:
        return hcl_python_hcl2.parse(path, text).body
    except HclError:
        return None


def _points(source: bytes, offsets: list[int]) -> list[tuple[int, int]]:
    """tree-sitter points (row, byte column) of ascending byte offsets, in one pass."""
    points = []
    row, counted = 0, 0
    for offset in offsets:
        row += source.count(b"\n", counted, offset)
        counted = offset
        points.append((row, offset - (source.rfind(b"\n", 0, offset) + 1)))
    return points


# --- conversion --------------------------------------------------------------------------------


class _Syntax(Exception):
    """A syntax error found while converting (a leniency of tree-sitter's that HCL forbids)."""

    def __init__(self, message: str, node: Any) -> None:
        super().__init__(message)
        self.node = node


_BINARY_OPERATORS = frozenset(("*", "/", "%", "+", "-", ">", ">=", "<", "<=", "==", "!=", "&&", "||"))
_KEYWORD_KEYS = frozenset(("true", "false", "null"))
_QUOTE = ord('"')


class _Converter:
    """tree-sitter nodes -> our nodes, with python-hcl2's positions (1-based, in characters).

    The hot paths (one call per node of a file) avoid building lists and spans they do not need.
    """

    def __init__(self, file: str, source: bytes, ascii_only: bool) -> None:
        self.file = file
        self.source = source
        self.ascii = ascii_only
        self._line_starts: list[int] | None = None

    # positions
    def column(self, point: Any) -> int:
        """1-based character column of a tree-sitter point (row, byte column)."""
        row, col = point
        if self.ascii or col == 0:
            return col + 1
        start = self.line_start(row)
        return len(self.source[start : start + col].decode("utf-8", "replace")) + 1

    def line_start(self, row: int) -> int:
        """Byte offset where line ``row`` (0-based) starts."""
        if self._line_starts is None:
            starts = [0]
            find = self.source.find
            at = find(b"\n")
            while at >= 0:
                starts.append(at + 1)
                at = find(b"\n", at + 1)
            self._line_starts = starts
        return self._line_starts[row]

    def indent(self, row: int) -> int:
        """Leading spaces and tabs of line ``row`` (bytes); error messages use it."""
        start = self.line_start(row)
        end = self.source.find(b"\n", start)
        line = self.source[start : end if end >= 0 else len(self.source)]
        return len(line) - len(line.lstrip(b" \t"))

    def span(self, node: Any) -> Span:
        (row, col), (end_row, end_col) = node.start_point, node.end_point
        if self.ascii:
            return Span(self.file, row + 1, col + 1, end_row + 1, end_col + 1)
        return Span(self.file, row + 1, self.column((row, col)), end_row + 1, self.column((end_row, end_col)))

    def span_between(self, first: Any, last: Any) -> Span:
        (row, col), (end_row, end_col) = first.start_point, last.end_point
        if self.ascii:
            return Span(self.file, row + 1, col + 1, end_row + 1, end_col + 1)
        return Span(self.file, row + 1, self.column((row, col)), end_row + 1, self.column((end_row, end_col)))

    def text(self, node: Any) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "surrogatepass")

    def between(self, start: int, end: int) -> str:
        return self.source[start:end].decode("utf-8", "surrogatepass")

    def error(self, e: _Syntax) -> HclError:
        start = e.node.start_point
        return HclError(str(e), start[0] + 1, self.column(start))

    # structure
    def file_body(self, root: Any) -> Body:
        for child in root.children:
            if child.type == "body":
                return self.body(child)
            if child.type == "object":  # a .tfvars written as one JSON-like object: not HCL
                raise _Syntax("expected an attribute or block, found `{`", child)
        return Body()

    def body(self, node: Any) -> Body:
        out = Body()
        attributes = out.attributes
        blocks = out.blocks
        for child in node.children:
            kind = child.type
            if kind == "attribute":
                attribute = self.attribute(child)
                attributes[attribute.name] = attribute
            elif kind == "block":
                blocks.append(self.block(child))
        return out

    def attribute(self, node: Any) -> Attribute:
        children = node.children
        if len(children) != 3:
            children = _significant(children)
        name_node, equals, value = children
        name = self.text(name_node)
        row = equals.start_point[0]
        if row != name_node.end_point[0]:
            raise _Syntax(f"expected `=` after attribute name `{name}`", name_node)
        if value.start_point[0] != row:
            raise _Syntax(f"expected a value after `{name} =` on the same line", equals)
        return Attribute(name, self.expr(value), self.span(node))

    def block(self, node: Any) -> Block:
        header = []
        body = None
        for child in node.children:
            kind = child.type
            if kind == "identifier" or kind == "string_lit":
                header.append(child)
            elif kind == "body":
                body = child
        row = header[0].start_point[0]
        for label in header[1:]:
            if label.start_point[0] != row:
                raise _header_across_lines(self, header)
        labels = tuple(self.label(n) for n in header)
        return Block(
            labels[0],
            labels[1:],
            self.body(body) if body is not None else Body(),
            self.span_between(header[0], header[-1]),
            self.span(node),
        )

    def label(self, node: Any) -> str:
        if node.type == "identifier":
            return self.text(node)
        children = node.children  # a label is a string without interpolation: all between the quotes
        return self.between(children[0].end_byte, children[-1].start_byte)

    # expressions
    def expr(self, node: Any) -> Expr:
        """An ``expression`` node."""
        children = node.children
        if len(children) == 1:
            only = children[0]
            if only.type == "conditional":
                return self.conditional(only)
            return self.primary(only)
        return self.term(_significant(children))

    def conditional(self, node: Any) -> Expr:
        """``a ? b : c``. tree-sitter-hcl groups a chain to the left; HCL (and python-hcl2) to the right."""
        levels = []  # (test, if_true, if_false) of each conditional, outermost first
        current = node
        while True:
            test, if_true, if_false = [c for c in current.children if c.type == "expression"]
            levels.append((test, if_true, if_false))
            inner = _significant(test.children)
            if len(inner) == 1 and inner[0].type == "conditional":
                current = inner[0]
                continue
            break
        levels.reverse()  # innermost first: its test is the first condition of the chain
        tests = [levels[0][0]] + [if_false for _, _, if_false in levels[:-1]]
        last = levels[-1][2]
        result = self.expr(last)
        for test, (_, if_true, _) in zip(reversed(tests), reversed(levels), strict=True):
            result = Cond(self.span_between(test, last), self.expr(test), self.expr(if_true), result)
        return result

    def term(self, parts: list[Any]) -> Expr:
        """A primary expression (possibly in parentheses) followed by index/attribute/splat steps."""
        first = parts[0]
        if first.type == "(":
            current = self.expr(parts[1])
            rest = parts[3:]
        else:
            current = self.primary(first)
            rest = parts[1:]
        for step in rest:
            span = self.span_between(first, step)
            kind = step.type
            if kind == "get_attr":
                current = GetAttr(span, current, self.attr_name(step))
            elif kind == "index":
                current = Index(span, current, self.index_key(step.children[0]))
            elif kind == "splat":
                current = Splat(span, current, self.splat_steps(step.children[0]))
            else:
                raise _Syntax(f"unexpected `{self.text(step)}`", step)
        return current

    def attr_name(self, node: Any) -> str:
        """The name of a ``get_attr`` node (``.name``), read from the source after the dot."""
        return self.between(node.start_byte + 1, node.end_byte).lstrip()

    def index_key(self, node: Any) -> Expr:
        if node.type == "legacy_index":  # ``.0``
            return Lit(self.span(node), int(self.text(node)[1:]))
        return self.expr(_significant(node.children)[1])  # new_index: [ expression ]

    def splat_steps(self, node: Any) -> tuple[tuple[str, Any], ...]:
        steps: list[tuple[str, Any]] = []
        for step in node.children:
            if step.type == "get_attr":
                steps.append(("attr", self.attr_name(step)))
            elif step.type == "index":
                steps.append(("index", self.index_key(step.children[0])))
        return tuple(steps)

    def primary(self, node: Any) -> Expr:
        kind = node.type
        if kind == "variable_expr":
            return Var(self.span(node), self.text(node))
        if kind == "literal_value":
            return self.literal(node)
        if kind == "template_expr":
            inner = node.children[0]
            if inner.type == "heredoc_template":
                return heredoc_expr(self.span(inner), self.text(inner))
            return self.template(inner)
        if kind == "collection_value":
            inner = node.children[0]
            return self.tuple(inner) if inner.type == "tuple" else self.object(inner)
        if kind == "function_call":
            return self.call(node)
        if kind == "for_expr":
            return self.for_expr(node.children[0])
        if kind == "operation":
            return self.operation(node.children[0])
        raise _Syntax(f"unexpected `{self.text(node)}`", node)

    def literal(self, node: Any) -> Expr:
        """A ``literal_value``; its first byte says which kind (no child nodes needed)."""
        start, end = node.start_byte, node.end_byte
        first = self.source[start]
        span = self.span(node)
        if first == _QUOTE:  # a string without interpolation: everything between the quotes
            return Lit(span, decode_literal(self.between(start + 1, end - 1)))
        text = self.between(start, end)
        if text == "true" or text == "false":
            return Lit(span, text == "true")
        if text == "null":
            return Lit(span, None)
        if text.isdigit():
            return Lit(span, int(text))
        try:
            return Lit(span, float(text))
        except ValueError:
            return Unsupported(span, f"number {text}")

    def template(self, node: Any) -> Expr:
        """A quoted string: a literal, or a template of literal text, interpolations and directives.

        Literal text is taken from the source between the quotes and the other parts, not from
        ``template_literal`` nodes: tree-sitter leaves whitespace around them outside every node.
        """
        children = node.children
        at = children[0].end_byte  # after the opening quote
        if node.type == "string_lit":  # no interpolation or directive
            return Lit(self.span(node), decode_literal(self.between(at, children[-1].start_byte)))
        parts: list[Any] = []
        for child in children[1:]:
            kind = child.type
            if kind == "template_literal" or kind == "comment":
                continue
            if child.start_byte > at:
                parts.append(decode_literal(self.between(at, child.start_byte)))
            at = child.end_byte
            if kind == "template_interpolation":
                inner = [c for c in child.children if c.type == "expression"]
                if len(inner) != 1 or any(c.type == "strip_marker" for c in child.children):
                    raise _Syntax("expected an expression inside `${...}`", child)
                parts.append(self.expr(inner[0]))
            elif kind == "template_directive":
                parts.append(None)
        span = self.span(node)
        if all(isinstance(p, str) for p in parts):
            return Lit(span, "".join(parts))
        return Template(span, tuple(parts))

    def tuple(self, node: Any) -> Expr:
        return TupleExpr(
            self.span(node), tuple(self.expr(c) for c in node.children if c.type == "expression")
        )

    def object(self, node: Any) -> Expr:
        items = []
        for elem in node.children:
            if elem.type != "object_elem":
                continue
            children = elem.children
            if len(children) != 3:
                children = _significant(children)
            key_node, separator, value = children
            row = separator.start_point[0]
            if row != key_node.end_point[0] or value.start_point[0] != row:
                raise _Syntax("an object element's key, `=` and value must start on one line", separator)
            items.append((self.object_key(key_node), self.expr(value)))
        return ObjectExpr(self.span(node), tuple(items))

    def object_key(self, node: Any) -> Expr:
        """A bare name (or ``true``/``null``) key is the literal name; anything else an expression."""
        children = node.children
        if len(children) == 1:
            only = children[0]
            if only.type == "variable_expr":
                return Lit(self.span(only), self.text(only))
            if only.type == "literal_value":
                text = self.text(only)
                if text in _KEYWORD_KEYS:
                    return Lit(self.span(only), text)
        return self.expr(node)

    def call(self, node: Any) -> Expr:
        args: list[Expr] = []
        expand = False
        for child in node.children:
            if child.type == "function_arguments":
                for arg in child.children:
                    if arg.type == "expression":
                        args.append(self.expr(arg))
                    elif arg.type == "ellipsis":
                        expand = True
        return Call(self.span(node), self.text(node.children[0]), tuple(args), expand)

    def for_expr(self, node: Any) -> Expr:
        children = _significant(node.children)
        intro = _significant(children[1].children)
        names = [self.text(c) for c in intro if c.type == "identifier"]
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        collection = self.expr(next(c for c in intro if c.type == "expression"))
        exprs = [c for c in children if c.type == "expression"]
        cond = next((c for c in children if c.type == "for_cond"), None)
        condition = self.expr(_significant(cond.children)[1]) if cond is not None else None
        if node.type == "for_tuple_expr":
            return ForExpr(
                self.span(node), key_var, value_var, collection, None, self.expr(exprs[0]), condition
            )
        return ForExpr(
            self.span(node),
            key_var,
            value_var,
            collection,
            self.expr(exprs[0]),
            self.expr(exprs[1]),
            condition,
            grouping=any(c.type == "ellipsis" for c in children),
        )

    def operation(self, node: Any) -> Expr:
        children = _significant(node.children)
        if node.type == "unary_operation":
            return UnOp(self.span(node), children[0].type, self.term(children[1:]))
        at = next(i for i, c in enumerate(children) if not c.is_named and c.type in _BINARY_OPERATORS)
        return BinOp(
            self.span(node), children[at].type, self.term(children[:at]), self.term(children[at + 1 :])
        )


def _significant(children: list[Any]) -> list[Any]:
    """Children without comments (tree-sitter puts them wherever they occur)."""
    return [c for c in children if c.type != "comment"]


def _header_across_lines(converter: _Converter, header: list[Any]) -> _Syntax:
    """A block header split over lines: almost always an attribute that lost its ``=``."""
    first_row = [n for n in header if n.start_point[0] == header[0].start_point[0]]
    name = converter.text(header[0])
    if len(first_row) == 2:
        return _Syntax(f"expected `=` after attribute name `{name}`", first_row[1])
    following = header[len(first_row)]
    return _Syntax(
        f"a block header must be on one line: `{converter.text(following)}` continues "
        f"the header of `{name}` from the line above",
        following,
    )


__all__ = ["parse"]
