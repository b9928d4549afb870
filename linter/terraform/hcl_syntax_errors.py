"""A tree-sitter-hcl syntax error said in Terraform terms, at the place a user would fix it.

tree-sitter marks a problem with an ERROR node (text it could not fit) or a MISSING node (a token
it invented to go on). Neither says what went wrong in words a Terraform author uses, and the
place where tree-sitter noticed is often not where the mistake is: a missing ``}`` is noticed at
the end of the file, a string without its closing quote a line later. The rules here turn the
first such node into a message ("expected `=` after attribute name `location`", "block
`resource "a" "b"` is not closed: expected `}`") and a position: for something left open, the
place it was opened.
"""

from __future__ import annotations

from typing import Any, Protocol


class Source(Protocol):
    """What the describer needs from the converter: a node's text and a line's indentation."""

    def text(self, node: Any) -> str: ...

    def indent(self, row: int) -> int: ...


def describe(source: Source, root: Any) -> tuple[str, Any]:
    """The message for the first syntax error under ``root`` and the node to point at."""
    node = first_error(root)
    split = _string_split_over_lines(root, node.start_byte)
    if split is not None:
        return 'string is not closed: a quoted string must end on the line it starts (expected `"`)', split
    if _has_missing_closer(root):
        opener = _dedented_opener(source, root)
        if opener is not None and opener.start_byte < node.start_byte:
            return _not_closed(source, opener), opener
    if node.is_missing:
        return _missing(source, node)
    return _unexpected(source, node)


_CLOSERS = frozenset(("}", "]", ")", "block_end", "object_end", "tuple_end"))


def _has_missing_closer(node: Any) -> bool:
    todo = [node]
    while todo:
        current = todo.pop()
        if current.is_missing and current.type in _CLOSERS:
            return True
        todo.extend(c for c in current.children if c.has_error)
    return False


def first_error(node: Any) -> Any:
    """The first ERROR or MISSING node in document order (``node`` itself if none is below it)."""
    for child in node.children:
        if child.is_error or child.is_missing:
            return child
        if child.has_error:
            return first_error(child)
    return node


def _missing(source: Source, node: Any) -> tuple[str, Any]:
    kind = node.type
    parent = node.parent
    if kind in ("}", "block_end", "object_end"):
        opened = _enclosing(node, ("block", "object"))
        if opened is not None:
            culprit = _dedented_opener(source, opened) or opened
            return _not_closed(source, culprit), culprit
    if kind == ")":
        call = _enclosing(node, ("function_call",))
        if call is not None:
            return f"`{source.text(call.children[0])}(` is not closed: expected `)`", call
        return "`(` is not closed: expected `)`", node
    if kind in ("]", "tuple_end"):
        opened = _enclosing(node, ("tuple", "for_tuple_expr", "new_index"))
        return "`[` is not closed: expected `]`", opened or node
    if kind == "quoted_template_end":
        return 'string is not closed: expected `"`', parent or node
    if kind == "template_interpolation_end":
        return "`${` is not closed: expected `}`", parent or node
    if kind in ("heredoc_start", "heredoc_identifier", "identifier") and parent is not None:
        if parent.type == "heredoc_template" and source.text(parent).startswith("<<"):
            return "heredoc is not closed: expected its closing marker on a line of its own", parent
        attribute = _enclosing(node, ("attribute",))
        if attribute is not None:  # ``name = = "x"``: the second ``=`` begins a broken expression
            return f"expected a value after `{source.text(attribute.children[0])} =`", node
    return f"expected `{kind}`", node


def _unexpected(source: Source, node: Any) -> tuple[str, Any]:
    children = [c for c in node.children if c.type != "comment"]
    text = source.text(node).strip()
    token = text.split(None, 1)[0] if text else ""
    if token.startswith("}"):
        return "unexpected `}`: there is no block or object open here to close", node
    following = node.next_sibling
    if node.parent is not None and following is not None and following.type == "expression":
        if node.parent.type == "tuple":
            return "expected `,` between list elements", following
        if node.parent.type == "function_arguments":
            return "expected `,` between function arguments", following
    if node.parent is not None and node.parent.type in ("quoted_template", "string_lit"):
        if token.startswith("\\"):
            return f"invalid escape sequence `{token[:2]}` in a string", node
        return f"unexpected `{_short(token)}` in a string", node
    if children and children[0].type == "identifier":
        name = source.text(children[0])
        if len(children) == 2 and children[1].type == "=":
            return f"expected a value after `{name} =`", children[1]
        if len(children) >= 2 and children[1].type != "=" and _same_row(children[0], children[1]):
            return f"expected `=` after attribute name `{name}`", children[1]
    parent = node.parent
    previous = node.prev_sibling
    while previous is not None and previous.type == "comment":
        previous = previous.prev_sibling
    if parent is not None and parent.type == "attribute" and previous is not None:
        name = source.text(parent.children[0])
        if previous == parent.children[0]:
            return f"expected `=` after attribute name `{name}`", node
        if previous.type == "=":  # point at the ``=`` when the value is missing from its line
            return f"expected a value after `{name} =`", previous if not _same_row(previous, node) else node
        return f"unexpected `{_short(token)}` after the value of `{name}`", node
    if previous is not None and previous.type == "identifier" and _same_row(previous, node):
        return f"expected `=` after attribute name `{source.text(previous)}`", node
    if token.startswith("\\"):
        return f"invalid escape sequence `{token[:2]}` in a string", node
    return (f"unexpected `{_short(token)}`" if token else "syntax error"), node


def _not_closed(source: Source, node: Any) -> str:
    kind = node.type
    if kind == "block":
        header = " ".join(source.text(c) for c in node.children if c.type in ("identifier", "string_lit"))
        return f"block `{header}` is not closed: expected `}}`"
    if kind in ("tuple", "for_tuple_expr"):
        return "`[` is not closed: expected `]`"
    if kind == "function_call":
        return f"`{source.text(node.children[0])}(` is not closed: expected `)`"
    return "`{` is not closed: expected `}`"


def _dedented_opener(source: Source, container: Any) -> Any | None:
    """The first bracketed construct in ``container`` closed by a bracket left of its own line's indent.

    In formatted code a construct's closing bracket is indented like the line that opened it; when
    a ``}`` is missing, tree-sitter pairs the opener with a later bracket that sits further left.
    That first mismatch is where the bracket is missing.
    """
    todo = [container]
    while todo:
        node = todo.pop()
        if node.type in _BRACKETED and node.children:
            last = node.children[-1]
            if (
                not last.is_missing
                and last.start_point[0] > node.start_point[0]
                and last.start_point[1] < source.indent(node.start_point[0])
            ):
                return node
        todo.extend(reversed(node.children))
    return None


_BRACKETED = ("block", "object", "tuple", "function_call", "for_tuple_expr", "for_object_expr")


def _enclosing(node: Any, kinds: tuple[str, ...]) -> Any | None:
    current = node.parent
    while current is not None and current.type not in kinds:
        current = current.parent
    return current


def _string_split_over_lines(root: Any, before: int) -> Any | None:
    """A quoted string before byte ``before`` whose literal text runs over a line end: HCL forbids it.

    Only literal text counts: an interpolation may span lines.
    """
    todo = [root]
    while todo:
        node = todo.pop()
        if node.start_byte >= before:
            continue
        if node.type in ("string_lit", "quoted_template"):
            children = node.children
            for previous, child in zip(children, children[1:], strict=False):
                if child.start_point[0] != previous.end_point[0]:
                    return node
                if child.type == "template_literal" and child.start_point[0] != child.end_point[0]:
                    return node
            continue
        todo.extend(reversed(node.children))
    return None


def _same_row(a: Any, b: Any) -> bool:
    return a.end_point[0] == b.start_point[0]


def _short(token: str) -> str:
    return token if len(token) <= 40 else token[:37] + "..."


__all__ = ["describe", "first_error"]
