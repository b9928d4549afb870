"""The Bicep syntax tree: declarations with positions, holding expressions.

Expressions are the shared expression AST of ``linter.arm.expr`` (the evaluator reads Bicep and
ARM alike); object and array literals are ``PosDict``/``PosList``, which keep the span of the
literal and of every property and item. A resource or module body that declares nested child
resources is a ``Body``, which lists them. Types are kept only as far as evaluation needs them:
whether a type is nullable (a nullable parameter defaults to ``null``) and which declared type it
names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from linter.arm.jsonpos import PosDict
from linter.model import Span


class Body(PosDict):
    """A resource body (object literal) with the child resources declared inside it."""

    __slots__ = ("resources",)

    def __init__(self) -> None:
        super().__init__()
        self.resources: list[Resource] = []


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """What evaluation needs of a type expression."""

    nullable: bool = False
    alias: str = ""  # the declared or imported type it names (``myType``), resolved for nullability


@dataclass(slots=True)
class Decorator:
    name: str  # ``description``, ``sys.description``, ``export``
    args: tuple[Any, ...]
    span: Span


@dataclass(slots=True)
class Loop:
    """``[for item in iterable: ...]`` over a resource or module, with its optional filter."""

    item: str | None
    index: str | None
    iterable: Any
    condition: Any = None  # ``[for x in xs: if (cond) {...}]``
    condition_span: Span | None = None


@dataclass(slots=True)
class Declaration:
    """One top-level statement: ``keyword`` is ``param``, ``var``, ``resource``, ``module``,
    ``output``, ``type``, ``func``, ``import``, ``metadata``, ``targetScope``, ``extension``,
    ``assert``, ``test``, ``using``, ``extends`` or ``extensionConfig``."""

    keyword: str
    name: str
    span: Span  # from the keyword to the end of the statement
    decorators: list[Decorator] = field(default_factory=list)
    value: Any = None  # default, value, body object, or lambda
    value_span: Span | None = None
    type: TypeInfo | None = None


@dataclass(slots=True)
class Resource(Declaration):
    """``resource name 'Type@version' [existing] = [if (cond)] {...}`` (or a loop of them)."""

    type_name: str = ""  # 'Microsoft.X/y@2024-01-01' (may be an Interp for odd files)
    existing: bool = False
    condition: Any = None
    condition_span: Span | None = None
    loop: Loop | None = None


@dataclass(slots=True)
class Module(Declaration):
    """``module name 'path-or-registry-reference' = ...``."""

    path: str = ""
    path_span: Span | None = None
    condition: Any = None
    condition_span: Span | None = None
    loop: Loop | None = None


@dataclass(slots=True)
class Import(Declaration):
    """``import {a, b as c} from 'file'`` or ``import * as ns from 'file'``."""

    path: str = ""
    symbols: list[tuple[str, str]] = field(default_factory=list)  # (exported name, local name)
    wildcard: str = ""  # the namespace of ``import * as ns``


@dataclass(slots=True)
class Function(Declaration):
    """``func name(a string, b int) string => body``; ``value`` is the body."""

    params: tuple[str, ...] = ()


@dataclass(slots=True)
class BicepFile:
    """A parsed ``.bicep`` or ``.bicepparam`` file."""

    declarations: list[Declaration]
    is_params: bool = False


__all__ = [
    "BicepFile",
    "Body",
    "Declaration",
    "Decorator",
    "Function",
    "Import",
    "Loop",
    "Module",
    "Resource",
    "TypeInfo",
]
