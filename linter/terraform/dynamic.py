"""Nested blocks as Terraform sees them: literal blocks and those ``dynamic`` blocks generate.

A ``dynamic "x"`` block generates one ``x`` block per element of its ``for_each`` (lists, sets,
maps, objects), binding the iterator (the label, or ``iterator = name``) to ``{key, value}`` inside
``content``; ``labels`` gives the generated blocks' labels. (The evaluator has no set type: a
``toset(...)`` is iterated as the list it holds, so ``key`` is the index where Terraform would
give the value again; ``value`` is the same.) Generated blocks keep their place among
the literal ones (HCL's dynblock expands in source order) and the positions of their ``content``
attributes. When ``for_each`` is not known, one representative block stands for "zero or more"
blocks: its presence is unknown, so a rule can neither see the block nor conclude it is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from linter.model import Known, Unknown, Value
from linter.terraform import hcl
from linter.terraform.evaluate import ChildScope, Evaluator, Scope


@dataclass(frozen=True)
class NestedBlock:
    """One nested block after expansion, with the scope its expressions run in."""

    block: hcl.Block
    scope: Scope
    #: Known(True) with the block's header (a generated block: the ``dynamic`` header), or Unknown
    #: when it comes from a ``dynamic`` block whose ``for_each`` is not known
    presence: Value


def nested_blocks(body: hcl.Body, type_: str, scope: Scope) -> list[NestedBlock]:
    """The ``type_`` blocks of ``body``: literal ones and generated ones, in source order."""
    out: list[NestedBlock] = []
    for block in body.blocks:
        if block.type == type_:
            out.append(NestedBlock(block, scope, Known(True, block.span)))
        elif block.type == "dynamic" and block.labels[:1] == (type_,):
            out.extend(_generate(block, type_, scope))
    return out


def _generate(dynamic: hcl.Block, type_: str, scope: Scope) -> Iterator[NestedBlock]:
    contents = dynamic.body.blocks_of("content")
    if not contents:
        return
    content = contents[0]
    iterator = _iterator_name(dynamic) or type_
    for_each = dynamic.body.attributes.get("for_each")
    if for_each is None:
        return
    collection = Evaluator(scope).eval(for_each.expr)
    pairs = _pairs(collection)
    if pairs is None:
        reason = collection.reason if isinstance(collection, Unknown) else "it is not a collection"
        unknown = Unknown(f'for_each of dynamic "{type_}" is not known ({reason})', for_each.span)
        inner = ChildScope(scope, {iterator: Known({"key": unknown, "value": unknown})})
        yield NestedBlock(_generated(dynamic, content, type_, ()), inner, unknown)
        return
    for key, value in pairs:
        inner = ChildScope(scope, {iterator: Known({"key": key, "value": value})})
        labels = _labels(dynamic, inner)
        yield NestedBlock(_generated(dynamic, content, type_, labels), inner, Known(True, dynamic.span))


def _iterator_name(dynamic: hcl.Block) -> str | None:
    attr = dynamic.body.attributes.get("iterator")
    if attr is None:
        return None
    if isinstance(attr.expr, hcl.Var):
        return attr.expr.name
    if isinstance(attr.expr, hcl.Lit) and isinstance(attr.expr.value, str):  # JSON syntax: "iterator": "x"
        return attr.expr.value
    return None


def _pairs(collection: Value) -> list[tuple[Value, Value]] | None:
    """(key, value) per element: list index or map key; None when the collection is not known."""
    if not isinstance(collection, Known):
        return None
    if isinstance(collection.value, dict):
        return [(Known(k, collection.span), v) for k, v in collection.value.items()]
    if isinstance(collection.value, list):
        return [(Known(i, collection.span), v) for i, v in enumerate(collection.value)]
    return None


def _labels(dynamic: hcl.Block, scope: Scope) -> tuple[str, ...]:
    attr = dynamic.body.attributes.get("labels")
    if attr is None:
        return ()
    value = Evaluator(scope).eval(attr.expr)
    if not (isinstance(value, Known) and isinstance(value.value, list)):
        return ()
    labels = []
    for item in value.value:
        if isinstance(item, Known) and isinstance(item.value, str | int | float):
            labels.append(str(item.value))
        else:
            labels.append("")
    return tuple(labels)


def _generated(dynamic: hcl.Block, content: hcl.Block, type_: str, labels: tuple[str, ...]) -> hcl.Block:
    """The block a ``dynamic`` generates: ``content``'s body under the ``dynamic`` header."""
    return hcl.Block(type_, labels, content.body, dynamic.span, dynamic.full)
