"""Fixes a rule may attach to a finding: literal edits, built only where they are safe.

A fix is offered only when the wrong value is a literal written where the finding points: a
value that travelled through a variable, parameter, local or module argument (``via``) is never
edited, because the same variable may feed other resources and the right change is the
caller's to choose. Rules describe the edit (``Edit.kind``); ``linter.fixes`` checks it against
the file's text and turns it into an exact replacement, or drops it.
"""

from __future__ import annotations

from collections.abc import Iterable

from linter.graph import Resource
from linter.model import Edit, Fix, Known, Span, Value


def literal(value: Value) -> Known | None:
    """``value`` when it is a string written in place (known, with a span, through no variable)."""
    if isinstance(value, Known) and isinstance(value.value, str) and value.span is not None and not value.via:
        return value
    return None


def replace_value(value: Value, new: str, description: str) -> Fix | None:
    """Write ``new`` where the literal ``value`` is written."""
    found = literal(value)
    if found is None or found.value == new:
        return None
    assert found.span is not None
    return Fix(description, (Edit(found.span, new, kind="value", old=found.value),))


def replace_written(span: Span | None, old: str, new: str, description: str) -> Fix | None:
    """Write ``new`` over the literal ``old`` at ``span``: for values that are literals by the
    language's own rules (Terraform ``required_providers`` versions cannot use variables)."""
    if span is None or old == new:
        return None
    return Fix(description, (Edit(span, new, kind="value", old=old),))


def remove_item(container: Value, element: Value, keep: Iterable[Value], description: str) -> Fix | None:
    """Remove ``element`` from the literal list ``container``, when ``keep`` is not empty.

    A list that would become empty is left alone: an empty included-namespace list means "all
    namespaces", which is a different backup, not a smaller one.
    """
    found = literal(element)
    if found is None or not isinstance(container, Known) or container.via or not any(True for _ in keep):
        return None
    assert found.span is not None
    return Fix(description, (Edit(found.span, "", kind="remove-item", old=found.value),))


def add_key(resource: Resource, key: str, value: str, description: str) -> Fix | None:
    """Add ``key: value`` to a Kubernetes YAML object (``key`` dotted below the document root)."""
    if resource.language != "kubernetes" or not resource.span.file.endswith((".yaml", ".yml")):
        return None
    return Fix(description, (Edit(resource.span, value, kind="add-key", key=key),))
