"""Three-valued answers for questions the graph cannot always settle: YES, NO or MAYBE.

"Missing" rules (AKSB305, AKSB307, AKSB308) report only when the verdict for every candidate
is NO: an unknown reference, an unknown condition, a remote module in the same stack or an
unresolvable scope is a MAYBE and keeps them silent ("unknown is not a violation").
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from linter.graph import Resource, ResourceGraph
from linter.model import Unknown


class Verdict(enum.Enum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


def both(*verdicts: Verdict) -> Verdict:
    """Conjunction: NO wins, then MAYBE."""
    if Verdict.NO in verdicts:
        return Verdict.NO
    if Verdict.MAYBE in verdicts:
        return Verdict.MAYBE
    return Verdict.YES


def best(verdicts: Iterable[Verdict]) -> Verdict:
    """Disjunction over candidates: any YES, else any MAYBE, else NO (also for no candidates)."""
    found = Verdict.NO
    for v in verdicts:
        if v is Verdict.YES:
            return v
        if v is Verdict.MAYBE:
            found = v
    return found


def existence(resource: Resource) -> Verdict:
    """YES for a resource that surely exists, MAYBE under an unknown condition.

    Resources whose condition is known false never reach the graph (``engine.existing``), so
    this answers NO only for resources built outside the engine (tests).
    """
    if resource.surely_exists:
        return Verdict.YES
    return Verdict.MAYBE if resource.may_exist else Verdict.NO


def points_at(graph: ResourceGraph, resource: Resource, edge: str, target: Resource) -> Verdict:
    """Whether ``resource``'s ``edge`` reaches ``target``: unknown or external references may."""
    link = graph.link(resource, edge)
    if target in link.targets:
        return Verdict.YES if len(link.targets) == 1 else Verdict.MAYBE  # ambiguous: a name in two places
    if link.unknown is not None or link.external:
        return Verdict.MAYBE
    return Verdict.NO


def doubt(graph: ResourceGraph, resource: Resource, edges: tuple[str, ...] = ()) -> Unknown:
    """Why ``resource`` is only a MAYBE: its unknown condition, an unknown or external reference."""
    if isinstance(resource.condition, Unknown):
        return resource.condition
    for edge in edges:
        link = graph.link(resource, edge)
        if link.unknown is not None:
            return link.unknown
        if link.external:
            return Unknown(
                f"{edge} of {resource.address} points outside the scanned files", resource.span_of(edge)
            )
    for value in resource.attrs.values():
        if isinstance(value, Unknown):
            return value
    return Unknown(f"{resource.address} cannot be matched statically", resource.span)
