"""Core value and finding types shared by every stage of the pipeline.

Parsers record *spans*; evaluators produce *values* that are known, unknown or absent;
policies produce *findings*. Nothing here knows about a source language.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A source range. Lines and columns are 1-based; ``end_column`` is exclusive."""

    file: str
    line: int
    column: int = 1
    end_line: int = 0
    end_column: int = 0

    def __post_init__(self) -> None:
        if self.end_line < self.line:
            object.__setattr__(self, "end_line", self.line)
        if self.end_line == self.line and self.end_column < self.column:
            object.__setattr__(self, "end_column", self.column)


class Severity(enum.Enum):
    """Ordered from most to least severe; ``rank`` gives the order for ``--fail-on``."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "note": 1}[self.value]


@dataclass(frozen=True, slots=True)
class Symbol:
    """An opaque value that is equal only to itself: a computed id, ``resourceGroup().location``.

    Two resources whose ``location`` is the same symbol are in the same region even though the
    region is not known; any operation that needs the content of a symbol yields Unknown.
    """

    name: str

    def __str__(self) -> str:
        return f"<{self.name}>"


class Value:
    """Tri-state result of evaluating an expression. Never used as a boolean (convention 9)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        raise TypeError("Value has no truth value: match on Known/Unknown/Absent explicitly")

    @property
    def is_known(self) -> bool:
        return False

    @property
    def is_unknown(self) -> bool:
        return False

    @property
    def is_absent(self) -> bool:
        return False


@dataclass(frozen=True, slots=True, eq=False)
class Known(Value):
    """A statically known value.

    Containers hold Values: ``list[Value]`` for tuples and ``dict[str, Value]`` for objects, so a
    partly unknown object keeps its known parts. ``span`` is where the value was written; ``via``
    lists the variables or parameters it travelled through (their default or tfvars lines).
    """

    value: Any
    span: Span | None = None
    via: tuple[Span, ...] = ()

    @property
    def is_known(self) -> bool:
        return True

    def plain(self) -> Any:
        """Return the value with containers unwrapped; raises ``UnknownInside`` if any part is unknown."""
        return to_plain(self)

    def __repr__(self) -> str:
        return f"Known({self.value!r})"


@dataclass(frozen=True, slots=True, eq=False)
class Unknown(Value):
    """A value that cannot be resolved statically, with the reason (names the expression)."""

    reason: str
    span: Span | None = None

    @property
    def is_unknown(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


@dataclass(frozen=True, slots=True, eq=False)
class _Absent(Value):
    """The attribute is not set at all; policies apply Azure's documented default."""

    span: Span | None = None

    @property
    def is_absent(self) -> bool:
        return True

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


class UnknownInside(Exception):
    """Raised by ``to_plain`` when a container holds an unknown part."""

    def __init__(self, unknown: Unknown) -> None:
        super().__init__(unknown.reason)
        self.unknown = unknown


def to_plain(value: Value) -> Any:
    """Unwrap a fully known value into plain Python data (str, int, bool, list, dict, Symbol)."""
    if isinstance(value, Known):
        v = value.value
        if isinstance(v, list):
            return [to_plain(x) for x in v]
        if isinstance(v, dict):
            return {k: to_plain(x) for k, x in v.items()}
        return v
    if isinstance(value, Unknown):
        raise UnknownInside(value)
    return None


def known(value: Any, span: Span | None = None, via: tuple[Span, ...] = ()) -> Known:
    """Wrap plain Python data into Values recursively (used by adapters and tests)."""
    if isinstance(value, Value):
        return value  # type: ignore[return-value]
    if isinstance(value, list | tuple):
        return Known([known(x, span) for x in value], span, via)
    if isinstance(value, dict):
        return Known({str(k): known(x, span) for k, x in value.items()}, span, via)
    return Known(value, span, via)


def get_path(value: Value, *path: str | int) -> Value:
    """Navigate into nested containers: a missing key is ABSENT, an unknown container is Unknown."""
    current: Value = value
    for step in path:
        if isinstance(current, Unknown) or current is ABSENT:
            return current
        assert isinstance(current, Known)
        data = current.value
        if isinstance(step, int) and isinstance(data, list):
            if -len(data) <= step < len(data):
                current = data[step]
            else:
                return ABSENT
        elif isinstance(step, str) and isinstance(data, dict):
            current = data.get(step, ABSENT)
        else:
            return ABSENT
    return current


def items(value: Value) -> Iterator[Value]:
    """The elements of a known list (nothing for unknown or absent)."""
    if isinstance(value, Known) and isinstance(value.value, list):
        yield from value.value


def as_str(value: Value) -> str | None:
    """The string of a known scalar, or None (unknown, absent, symbol, container)."""
    if isinstance(value, Known) and isinstance(value.value, str | int | float | bool):
        v = value.value
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)
    return None


def as_bool(value: Value) -> bool | None:
    """A known boolean (accepting "true"/"false" strings as Terraform and ARM do), else None."""
    if isinstance(value, Known):
        v = value.value
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v.lower() in ("true", "false"):
            return v.lower() == "true"
    return None


def normalize_region(name: str) -> str:
    """The azurerm provider's location.Normalize, plus '-' for the article's spellings (map §1.3)."""
    return name.replace(" ", "").replace("-", "").lower()


@dataclass(frozen=True, slots=True)
class RelatedLocation:
    span: Span
    message: str


@dataclass(slots=True)
class Suppression:
    """Why a finding is not counted: recorded, not dropped, so SARIF can show it."""

    kind: str  # "inSource" | "external"
    justification: str
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Edit:
    """One change to a source file: the text at ``span`` becomes ``text``.

    Rules never see source text, so they say what they mean (``kind``) and ``linter.fixes``
    turns that into exact replacements against the file's text, or drops the fix when the text
    is not what the rule expects:

    * ``"text"``: replace exactly ``span`` (a resolved edit; ``old`` is the text it replaces,
      checked again before anything is written);
    * ``"value"``: ``span`` ends with a plain literal (alone, or after ``key =`` / ``key:``)
      whose value is ``old``; write ``text`` in its place, quoted as the file quotes it;
    * ``"remove-item"``: remove the list element at ``span`` together with its separator;
    * ``"add-key"``: add ``key`` (a dotted path such as ``spec.storageClassName``) with the
      value ``text`` to the YAML object whose document ``span`` points into.
    """

    span: Span
    text: str
    kind: str = "text"
    old: str = ""
    key: str = ""


@dataclass(frozen=True, slots=True)
class Fix:
    """A safe edit that makes a finding go away: shown as a quick fix, in SARIF, by ``--fix``."""

    description: str
    edits: tuple[Edit, ...]

    @property
    def resolved(self) -> bool:
        """Every edit is an exact text replacement (``linter.fixes.resolve`` has run)."""
        return all(e.kind == "text" for e in self.edits)


@dataclass(slots=True)
class Finding:
    """One problem at one place. The engine stamps severity after config overrides."""

    rule_id: str
    message: str
    span: Span
    severity: Severity
    address: str = ""
    attribute: str = ""  # canonical attribute path; with rule and address it makes the fingerprint
    related: Sequence[RelatedLocation] = ()
    slug: str = ""
    suppression: Suppression | None = None
    #: the facts that tell this finding from another of the same rule on the same resource and
    #: attribute (AKSB308: the missing role, its principal and scope; AKSB402: the namespace).
    #: Part of the fingerprint (``linter.fingerprint``), so only names and addresses that survive
    #: unrelated edits belong here, never lines or message text.
    properties: Mapping[str, Any] = field(default_factory=dict)
    #: a literal edit that removes the problem (only where the wrong value is written as a literal)
    fix: Fix | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.file, self.span.line, self.span.column, self.rule_id, self.message)
