"""Kubernetes label selectors as strings (``app=web,tier in (db, cache),!legacy``).

Kustomize's patch targets select objects with them (``labelSelector``, ``annotationSelector``);
the grammar is apimachinery's ``labels.Parse``: comma-separated requirements, each ``key``,
``!key``, ``key=value``, ``key==value``, ``key!=value``, ``key in (a,b)``, ``key notin (a,b)``,
``key>1`` or ``key<1``. An object matches when every requirement holds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_SET = re.compile(r"^\s*(?P<key>[^\s!=<>(),]+)\s+(?P<op>in|notin)\s*\((?P<values>[^()]*)\)\s*$")
_COMPARE = re.compile(r"^\s*(?P<key>[^\s!=<>(),]+)\s*(?P<op>==|=|!=|>|<)\s*(?P<value>[^\s!=<>(),]*)\s*$")
_EXISTS = re.compile(r"^\s*(?P<neg>!?)\s*(?P<key>[^\s!=<>(),]+)\s*$")


class SelectorError(ValueError):
    """A selector string that does not parse."""


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # "exists" | "!exists" | "=" | "!=" | "in" | "notin" | ">" | "<"
    values: tuple[str, ...] = ()

    def holds(self, labels: Mapping[str, str | None]) -> bool | None:
        """Whether ``labels`` satisfy this requirement; None when the label's value is unknown."""
        present = self.key in labels
        value = labels.get(self.key)
        if self.op == "exists":
            return present
        if self.op == "!exists":
            return not present
        if present and value is None:
            return None
        if self.op in ("=", "in"):
            return present and value in self.values
        if self.op in ("!=", "notin"):
            return not present or value not in self.values
        if not present or value is None or not _is_int(value):
            return False
        return int(value) > int(self.values[0]) if self.op == ">" else int(value) < int(self.values[0])


def _is_int(text: str) -> bool:
    return text.lstrip("-").isdigit()


def _split(selector: str) -> list[str]:
    """Requirements separated by commas outside parentheses."""
    parts, depth, current = [], 0, []
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def parse(selector: str) -> list[Requirement]:
    """The requirements of ``selector`` (empty selects everything); SelectorError when malformed."""
    if not selector.strip():
        return []
    out = []
    for part in _split(selector):
        if m := _SET.match(part):
            values = tuple(v.strip() for v in m.group("values").split(",") if v.strip())
            out.append(Requirement(m.group("key"), m.group("op"), values))
        elif m := _COMPARE.match(part):
            op = "=" if m.group("op") == "==" else m.group("op")
            if op in (">", "<") and not _is_int(m.group("value")):
                raise SelectorError(f"{part.strip()!r}: {op} needs an integer")
            out.append(Requirement(m.group("key"), op, (m.group("value"),)))
        elif m := _EXISTS.match(part):
            out.append(Requirement(m.group("key"), "!exists" if m.group("neg") else "exists"))
        else:
            raise SelectorError(f"cannot parse {part.strip()!r}")
    return out


def matches(requirements: list[Requirement], labels: Mapping[str, str | None]) -> bool | None:
    """True when all requirements hold, False when one fails, None when that depends on unknown values."""
    undecided = False
    for requirement in requirements:
        verdict = requirement.holds(labels)
        if verdict is False:
            return False
        undecided = undecided or verdict is None
    return None if undecided else True
