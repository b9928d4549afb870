"""The canonical resource graph: every language's resources land here, policies read only this.

Canonical kinds and their attributes are listed in ``linter/kinds.py``. Adapters fill
``Resource.attrs`` with tri-state values; ``Resource.refs`` hold the values of reference attributes
(cluster id, vault id, storage account name ...) that the linker turns into edges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from linter.model import ABSENT, Known, RelatedLocation, Span, Symbol, Unknown, Value


@dataclass(eq=False)
class Resource:
    """One canonical resource (one instance after count/for_each/copy expansion)."""

    kind: str
    address: (
        str  # what users recognise: "azurerm_kubernetes_cluster.aks", "module.m.x.y[0]", ARM symbolic name
    )
    language: str  # "terraform" | "arm" | "bicep" | "kubernetes"
    span: Span  # the resource header (block label line, ARM object start, YAML document)
    source_type: str = ""  # "azurerm_kubernetes_cluster", "Microsoft.ContainerService/managedClusters", "v1/PersistentVolume"
    attrs: dict[str, Value] = field(default_factory=dict)
    refs: dict[str, Value] = field(default_factory=dict)
    ids: set[object] = field(default_factory=set)  # lower-cased resource id strings and Symbols
    condition: Value = field(default_factory=lambda: Known(True))
    stack: str = ""  # the stack (module directory, template file, manifest set) it came from
    module_call: str = ""  # address of the module call that created it, for module-level suppressions
    #: where the resource was assembled (the kustomize overlay that deploys it, the base object a
    #: patch changed): added to the related locations of its findings
    context: tuple[RelatedLocation, ...] = ()

    def attr(self, name: str) -> Value:
        return self.attrs.get(name, ABSENT)

    def span_of(self, name: str) -> Span:
        """The span of an attribute's value, or the resource header when the attribute is absent."""
        value = self.attrs.get(name)
        if value is None:
            value = self.refs.get(name)
        span = getattr(value, "span", None)
        return span or self.span

    @property
    def may_exist(self) -> bool:
        """False only when the condition is known to be false."""
        return not (isinstance(self.condition, Known) and self.condition.value is False)

    @property
    def surely_exists(self) -> bool:
        return isinstance(self.condition, Known) and self.condition.value is True

    def __repr__(self) -> str:
        return f"Resource({self.kind}, {self.address})"


@dataclass(frozen=True)
class Link:
    """What a reference attribute points at.

    ``targets`` are the resources it resolves to; ``unknown`` is set when the reference cannot be
    resolved statically (so a rule must stay silent); ``absent`` when the attribute is not set;
    ``external`` when it names something outside the scanned files.
    """

    targets: tuple[Resource, ...] = ()
    unknown: Unknown | None = None
    absent: bool = False
    external: bool = False

    @property
    def target(self) -> Resource | None:
        return self.targets[0] if len(self.targets) == 1 else None


def id_key(value: object) -> object:
    """Normalise a resource identifier for matching: ids compare case-insensitively."""
    if isinstance(value, str):
        return value.strip().rstrip("/").lower()
    return value


class ResourceGraph:
    """Resources indexed by kind and id, with lazily resolved reference edges."""

    def __init__(self, resources: Iterable[Resource] = ()) -> None:
        self.resources: list[Resource] = []
        self._by_kind: dict[str, list[Resource]] = defaultdict(list)
        self._by_id: dict[object, list[Resource]] = defaultdict(list)
        self._links: dict[tuple[int, str], Link] = {}
        self._reverse: dict[tuple[str, str], dict[int, list[Resource]]] = {}
        #: indexes that ``linter.facts`` derives once per graph (referrers, principals, classes)
        self.memo: dict[object, object] = {}
        for r in resources:
            self.add(r)

    def add(self, resource: Resource) -> None:
        self.resources.append(resource)
        self._by_kind[resource.kind].append(resource)
        for rid in resource.ids:
            self._by_id[id_key(rid)].append(resource)

    def of_kind(self, *kinds: str) -> Iterator[Resource]:
        for kind in kinds:
            yield from self._by_kind.get(kind, ())

    def by_id(self, rid: object, kind: str | None = None) -> list[Resource]:
        found = self._by_id.get(id_key(rid), [])
        return [r for r in found if kind is None or r.kind == kind]

    def set_link(self, resource: Resource, edge: str, link: Link) -> None:
        self._links[(id(resource), edge)] = link
        self._reverse.pop((resource.kind, edge), None)
        if self.memo:  # indexes derived from the old edges
            self.memo.clear()

    def link(self, resource: Resource, edge: str) -> Link:
        """The resolved edge ``edge`` of ``resource`` (see ``linter.link``)."""
        return self._links.get((id(resource), edge), Link(absent=True))

    def related(self, resource: Resource, edge: str) -> tuple[Resource, ...]:
        return self.link(resource, edge).targets

    def referrers(self, target: Resource, kind: str, edge: str) -> list[Resource]:
        """Resources of ``kind`` whose ``edge`` resolves to ``target`` (a reverse index, built once)."""
        index = self._reverse.get((kind, edge))
        if index is None:
            index = {}
            for r in self.of_kind(kind):
                for t in self.link(r, edge).targets:
                    index.setdefault(id(t), []).append(r)
            self._reverse[(kind, edge)] = index
        return list(index.get(id(target), ()))

    def maybe_referrers(self, target: Resource, kind: str, edge: str) -> list[Resource]:
        """Resources of ``kind`` whose ``edge`` is unknown, so they might point at ``target``
        (the same for every target: computed once per kind and edge)."""
        key = ("maybe_referrers", kind, edge)
        if key not in self.memo:
            self.memo[key] = [r for r in self.of_kind(kind) if self.link(r, edge).unknown is not None]
        return list(self.memo[key])  # type: ignore[call-overload]


def resolve_reference(graph: ResourceGraph, value: Value, kind: str) -> Link:
    """Resolve a reference value (Symbol id, resource id string) to resources of ``kind``."""
    if value is ABSENT or value is None:
        return Link(absent=True)
    if isinstance(value, Unknown):
        return Link(unknown=value)
    assert isinstance(value, Known)
    raw = value.value
    if isinstance(raw, Symbol | str):
        targets = graph.by_id(raw, kind)
        if targets:
            return Link(targets=tuple(targets))
        return Link(external=True)
    return Link(unknown=Unknown(f"reference of unexpected shape {raw!r}", value.span))
