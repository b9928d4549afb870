"""The backup chain as policies see it: instance -> cluster, vault, policy; extension; binding; roles.

Every question here answers with a three-valued verdict where the graph cannot tell for sure:
``YES``, ``NO`` or ``MAYBE``. "Missing" rules (AKSB305, AKSB307, AKSB308) report only when the
verdict for every candidate is ``NO``: an unknown reference, an unknown condition, a remote
module in the same stack or an unresolvable scope is a ``MAYBE`` and keeps them silent.
"""

from __future__ import annotations

import enum
import re
import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass

from linter import kinds
from linter.graph import Link, Resource, ResourceGraph, id_key
from linter.model import ABSENT, Known, Symbol, Unknown, Value
from linter.values import text

AKS_DATASOURCE = "microsoft.containerservice/managedclusters"
BACKUP_OPERATOR = "Microsoft.DataProtection/backupVaults/backup-operator"
UNRESOLVED_MODULE = "unresolved_module"


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


def hidden_companions(graph: ResourceGraph, stack: str) -> Unknown | None:
    """Why companions may exist out of sight in ``stack``: a remote module, an ARM template
    deployment, an azapi resource of unknown type, a provisioner running the Azure CLI."""
    for r in graph.of_kind(UNRESOLVED_MODULE):
        if r.stack == stack and r.may_exist:
            reason = text(r.attr("reason")) or "it cannot be read"
            return Unknown(f"{r.address}: {reason}", r.span)
    return None


def is_aks_datasource(value: Value) -> bool | None:
    s = text(value)
    return None if s is None else s.lower() == AKS_DATASOURCE


def policy_is_aks(policy: Resource) -> bool | None:
    """True when ``datasource_types`` holds the AKS type, False when known and it does not."""
    value = policy.attr("datasource_types")
    if not isinstance(value, Known) or not isinstance(value.value, list):
        return None if not value.is_absent else None
    verdicts = [is_aks_datasource(v) for v in value.value]
    if any(v is True for v in verdicts):
        return True
    if any(v is None for v in verdicts):
        return None
    return False


def backup_instances(graph: ResourceGraph) -> Iterator[Resource]:
    """AKS backup instances that may exist."""
    for instance in graph.of_kind(kinds.BACKUP_INSTANCE):
        if instance.may_exist and is_aks_datasource(instance.attr("datasource_type")) is not False:
            yield instance


def protected_clusters(graph: ResourceGraph) -> list[Resource]:
    """Clusters that take part in AKS backup: protected by an instance, or carrying the extension
    or a trusted-access binding."""
    out: dict[int, Resource] = {}
    for instance in backup_instances(graph):
        for c in graph.related(instance, "cluster"):
            out[id(c)] = c
    for ext in graph.of_kind(kinds.EXTENSION):
        if isinstance(ext.attr("is_backup"), Known) and ext.attr("is_backup").value is True:
            for c in graph.related(ext, "cluster"):
                out[id(c)] = c
    for binding in graph.of_kind(kinds.TRUSTED_ACCESS):
        for c in graph.related(binding, "cluster"):
            out[id(c)] = c
    return sorted(out.values(), key=lambda r: (r.span.file, r.span.line, r.address))


def aks_vaults(graph: ResourceGraph) -> list[Resource]:
    """Vaults that hold AKS backups: the vault of an AKS instance or AKS policy, or a binding source."""
    out: dict[int, Resource] = {}
    for instance in backup_instances(graph):
        for v in graph.related(instance, "vault"):
            out[id(v)] = v
    for policy in graph.of_kind(kinds.BACKUP_POLICY):
        if policy_is_aks(policy):
            for v in graph.related(policy, "vault"):
                out[id(v)] = v
    for binding in graph.of_kind(kinds.TRUSTED_ACCESS):
        for v in graph.related(binding, "source"):
            out[id(v)] = v
    return sorted(out.values(), key=lambda r: (r.span.file, r.span.line, r.address))


def backup_extension_verdict(ext: Resource) -> Verdict:
    v = ext.attr("is_backup")
    if isinstance(v, Known):
        return Verdict.YES if v.value is True else Verdict.NO
    return Verdict.MAYBE if isinstance(v, Unknown) else Verdict.NO


_CACHE: weakref.WeakKeyDictionary[ResourceGraph, dict[object, object]] = weakref.WeakKeyDictionary()


def _cache(graph: ResourceGraph) -> dict[object, object]:
    found = _CACHE.get(graph)
    if found is None:
        found = {}
        _CACHE[graph] = found
    return found


def referrers(graph: ResourceGraph, kind: str, edge: str, target: Resource) -> list[Resource]:
    """Resources of ``kind`` whose ``edge`` reaches ``target`` or may (unknown or external), in
    graph order; indexed once per graph so chain rules stay linear in big estates."""
    cache = _cache(graph)
    key = ("edge", kind, edge)
    if key not in cache:
        by_target: dict[int, list[Resource]] = defaultdict(list)
        maybe: list[Resource] = []
        for r in graph.of_kind(kind):
            link = graph.link(r, edge)
            for t in link.targets:
                by_target[id(t)].append(r)
            if link.unknown is not None or link.external:
                maybe.append(r)
        cache[key] = (by_target, maybe)
    by_target, maybe = cache[key]  # type: ignore[misc]
    found = by_target.get(id(target), []) + maybe
    order = _positions(graph)
    return sorted(set(found), key=lambda r: order[id(r)])


def _positions(graph: ResourceGraph) -> dict[int, int]:
    cache = _cache(graph)
    if "positions" not in cache:
        cache["positions"] = {id(r): i for i, r in enumerate(graph.resources)}
    return cache["positions"]  # type: ignore[return-value]


def extensions_of(graph: ResourceGraph, cluster: Resource) -> list[tuple[Resource, Verdict]]:
    """Candidate backup extensions of ``cluster`` with the verdict that they are one, and exist."""
    out = []
    for ext in referrers(graph, kinds.EXTENSION, "cluster", cluster):
        verdict = both(
            backup_extension_verdict(ext), points_at(graph, ext, "cluster", cluster), existence(ext)
        )
        if verdict is not Verdict.NO:
            out.append((ext, verdict))
    return out


def policy_uses_vault_store(graph: ResourceGraph, instance: Resource) -> bool:
    """Known(True) ``uses_vault_store`` on the instance's policy (R17: vault-tier rows only then)."""
    for policy in graph.related(instance, "policy"):
        v = policy.attr("uses_vault_store")
        if isinstance(v, Known) and v.value is True:
            return True
    return False


# ---------------------------------------------------------------- role assignments (map R17)

#: built-in role GUIDs (iac-mapping R17) by lower-case name
ROLE_GUIDS = {
    "owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "storage blob data contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "storage blob data owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "storage blob data reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "storage account contributor": "17d1049b-9a84-46fb-8f53-869881c3d3ab",
    "data operator for managed disks": "959f8984-c045-4866-89c7-12bf9737be2e",
    "disk snapshot contributor": "7efff54f-a5b4-42b5-a1c5-5411624893ce",
}
GUID_NAMES = {guid: name for name, guid in ROLE_GUIDS.items()}
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def role_verdict(value: Value, accepted: tuple[str, ...]) -> Verdict:
    """Whether a role (built-in name, role definition id or GUID) grants one of ``accepted`` names.

    A known built-in name or GUID outside ``accepted`` is NO; an unknown value, a reference to a
    role definition we cannot see, or a GUID of a role we do not know (a custom role) is MAYBE.
    """
    if isinstance(value, Unknown):
        return Verdict.MAYBE
    if not isinstance(value, Known):
        return Verdict.NO
    raw = value.value
    if isinstance(raw, Symbol):
        return Verdict.MAYBE
    if not isinstance(raw, str):
        return Verdict.MAYBE
    lowered = raw.strip().lower()
    m = _GUID.search(lowered)
    if m is not None and (lowered == m.group(0) or lowered.endswith("/" + m.group(0))):
        name = GUID_NAMES.get(m.group(0))
        if name is None:
            return Verdict.MAYBE
        return Verdict.YES if name in accepted else Verdict.NO
    if "/" in lowered:
        return Verdict.MAYBE
    if lowered in ROLE_GUIDS:
        return Verdict.YES if lowered in accepted else Verdict.NO
    return Verdict.MAYBE  # a custom role name


def principal_verdict(value: Value, expected: Set[object], others: Set[object]) -> Verdict:
    """``expected``: the principal ids (Symbols/str) of the identity that needs the role;
    ``others``: every principal the graph can attribute (checked after ``expected``)."""
    if isinstance(value, Unknown):
        return Verdict.MAYBE
    if not isinstance(value, Known):
        return Verdict.NO
    raw = value.value
    key = raw.lower() if isinstance(raw, str) else raw
    if key in expected:
        return Verdict.YES
    if key in others:
        return Verdict.NO
    return Verdict.MAYBE  # a principal id we cannot attribute (literal GUID, other identity)


def identity_principals(resource: Resource) -> set[object] | None:
    """Principal ids of a vault, cluster or extension; None when they cannot be determined.

    A user-assigned cluster identity is known by its identity ids: Terraform's
    ``azurerm_user_assigned_identity.x.id`` gives the principal ``azurerm_user_assigned_identity.x.principal_id``.
    """
    pid = resource.attr("principal_id")
    if isinstance(pid, Unknown):
        return None
    system: set[object] = set()
    if isinstance(pid, Known) and isinstance(pid.value, Symbol | str):
        system.add(pid.value.lower() if isinstance(pid.value, str) else pid.value)
    identity_type = (text(resource.attr("identity_type")) or "").lower()
    if resource.kind != kinds.CLUSTER or "userassigned" not in identity_type:
        return system or None
    ids = resource.attr("user_assigned_identity_ids")
    if not isinstance(ids, Known) or not isinstance(ids.value, list) or not ids.value:
        return None
    user: set[object] = set()
    for element in ids.value:
        if (
            isinstance(element, Known)
            and isinstance(element.value, Symbol)
            and element.value.name.endswith(".id")
        ):
            user.add(Symbol(element.value.name[: -len(".id")] + ".principal_id"))
        else:
            return None
    return user | (system if "systemassigned" in identity_type else set())


def all_principals(graph: ResourceGraph) -> set[object]:
    out: set[object] = set()
    for r in graph.of_kind(kinds.BACKUP_VAULT, kinds.CLUSTER, kinds.EXTENSION):
        out |= identity_principals(r) or set()
    return out


def scope_verdict(graph: ResourceGraph, assignment: Resource, target: Resource | ScopeTarget) -> Verdict:
    """Whether the assignment's scope is ``target`` or a scope that contains it."""
    want = target if isinstance(target, ScopeTarget) else ScopeTarget.of(target)
    link: Link = graph.link(assignment, "scope")
    if link.unknown is not None:
        return Verdict.MAYBE
    verdicts = [want.covered_by(t) for t in link.targets]
    if link.external or (not link.targets and not link.absent):
        verdicts.append(want.covered_by_id(assignment.refs.get("scope", ABSENT)))
    return best(verdicts)


@dataclass(frozen=True)
class ScopeTarget:
    """What a role must be assigned on: a resource, or a resource group known by name or id."""

    resource: Resource | None
    name: str | None  # resource name (lower-case) when known
    group: str | None  # containing resource group name (lower-case) when known
    group_ids: frozenset[object] = frozenset()  # ids a resource-group target is known by

    @staticmethod
    def of(resource: Resource) -> ScopeTarget:
        rg = text(resource.attr("resource_group"))
        name = text(resource.attr("name"))
        if resource.kind == kinds.RESOURCE_GROUP:
            return ScopeTarget(resource, None, name.lower() if name else None, frozenset(resource.ids))
        return ScopeTarget(resource, name.lower() if name else None, rg.lower() if rg else None)

    @staticmethod
    def group_named(value: Value, graph: ResourceGraph) -> ScopeTarget | None:
        """The snapshot resource group of an instance: a name (Terraform) or an id (ARM)."""
        if not isinstance(value, Known) or not isinstance(value.value, str | Symbol):
            return None
        raw = value.value
        if isinstance(raw, Symbol):
            found = graph.by_id(raw, kinds.RESOURCE_GROUP)
            return ScopeTarget.of(found[0]) if len(found) == 1 else None
        s = raw.strip().rstrip("/")
        if s.lower().startswith("/subscriptions/"):
            parts = s.split("/")
            if len(parts) == 5 and parts[3].lower() == "resourcegroups":
                return ScopeTarget(None, None, parts[4].lower(), frozenset({id_key(s)}))
            return None
        return ScopeTarget(None, None, s.lower())

    def label(self, instance: Resource) -> str:
        if self.resource is not None:
            return self.resource.address
        if self.group and self.group.startswith("<"):
            return "(the deployment's resource group)"
        return f'"{self.group}"' if self.group else instance_snapshot_label(instance)

    def covered_by(self, scope: Resource) -> Verdict:
        if self.resource is not None and scope is self.resource:
            return Verdict.YES
        if scope.kind == kinds.RESOURCE_GROUP:
            if self.resource is not None and self.resource.kind == kinds.RESOURCE_GROUP:
                return Verdict.NO
            sname = text(scope.attr("name"))
            if sname is None or self.group is None:
                return Verdict.MAYBE
            return Verdict.YES if sname.lower() == self.group else Verdict.NO
        return Verdict.NO

    def covered_by_id(self, value: Value) -> Verdict:
        """A scope outside the graph: a literal id string, or a computed id we cannot see."""
        if not isinstance(value, Known) or not isinstance(value.value, str):
            return Verdict.MAYBE
        if id_key(value.value) in self.group_ids:
            return Verdict.YES
        s = value.value.strip().rstrip("/")
        parts = s.split("/")
        low = [p.lower() for p in parts]
        if len(parts) < 3 or low[1] != "subscriptions":
            return Verdict.MAYBE
        if len(parts) <= 3:
            return Verdict.MAYBE  # a subscription: contains everything we cannot place
        if len(parts) >= 5 and low[3] == "resourcegroups":
            group = low[4]
            if self.group is not None and group != self.group:
                return Verdict.NO
            if len(parts) == 5:
                return Verdict.MAYBE if self.group is None else Verdict.YES
            if self.name is not None and low[-1] != self.name:
                return Verdict.NO
            return Verdict.MAYBE
        return Verdict.MAYBE


@dataclass(frozen=True)
class Requirement:
    """One row of the R17 table for one backup instance."""

    role: str  # the role to assign (canonical built-in name)
    accepted: tuple[str, ...]  # lower-case built-in names that satisfy it
    principal: Resource  # the vault, cluster or extension whose identity needs it
    principal_ids: frozenset[object]
    target: ScopeTarget
    target_label: str  # "cluster X", "snapshot resource group Y", "storage account Z"
    vault_tier: bool = False


def assignment_verdict(
    graph: ResourceGraph, assignment: Resource, req: Requirement, others: set[object]
) -> Verdict:
    return both(
        existence(assignment),
        role_verdict(assignment.attr("role"), req.accepted),
        principal_verdict(assignment.attr("principal_id"), req.principal_ids, others),
        scope_verdict(graph, assignment, req.target),
    )


def assignment_candidates(graph: ResourceGraph, req: Requirement, others: set[object]) -> list[Resource]:
    """Role assignments that may grant ``req``: those to one of its principals, and those whose
    principal cannot be attributed (unknown, a literal id, another identity we cannot see)."""
    cache = _cache(graph)
    if "principals" not in cache:
        by_principal: dict[object, list[Resource]] = defaultdict(list)
        loose: list[Resource] = []
        for a in graph.of_kind(kinds.ROLE_ASSIGNMENT):
            value = a.attr("principal_id")
            raw = value.value if isinstance(value, Known) else None
            key = raw.lower() if isinstance(raw, str) else raw
            if isinstance(key, Symbol | str) and key in others:
                by_principal[key].append(a)
            else:
                loose.append(a)
        cache["principals"] = (by_principal, loose)
    by_principal, loose = cache["principals"]  # type: ignore[misc]
    found = [a for p in req.principal_ids for a in by_principal.get(p, [])] + loose
    order = _positions(graph)
    return sorted(set(found), key=lambda r: order[id(r)])


def requirement_met(graph: ResourceGraph, req: Requirement, others: set[object]) -> Verdict:
    return best(assignment_verdict(graph, a, req, others) for a in assignment_candidates(graph, req, others))


READER = ("reader", "contributor", "owner")
CONTRIBUTOR = ("contributor", "owner")
BLOB_CONTRIBUTOR = ("storage blob data contributor", "storage blob data owner", "storage account contributor")


def requirements(graph: ResourceGraph, instance: Resource) -> list[Requirement]:
    """The R17 rows for ``instance`` that the graph can state precisely (others are skipped)."""
    out: list[Requirement] = []
    clusters = graph.related(instance, "cluster")
    vaults = graph.related(instance, "vault")
    if len(clusters) != 1 or len(vaults) != 1:
        return out
    cluster, vault = clusters[0], vaults[0]
    snapshot = ScopeTarget.group_named(instance.attr("snapshot_resource_group"), graph)
    vault_ids = identity_principals(vault)
    cluster_ids = identity_principals(cluster)
    vault_tier = policy_uses_vault_store(graph, instance)
    if vault_ids:
        out.append(
            Requirement(
                "Reader",
                READER,
                vault,
                frozenset(vault_ids),
                ScopeTarget.of(cluster),
                f"cluster {cluster.address}",
            )
        )
    if snapshot is not None:
        label = f"snapshot resource group {snapshot.label(instance)}"
        if vault_ids:
            out.append(Requirement("Reader", READER, vault, frozenset(vault_ids), snapshot, label))
        if cluster_ids:
            out.append(
                Requirement("Contributor", CONTRIBUTOR, cluster, frozenset(cluster_ids), snapshot, label)
            )
        if vault_ids and vault_tier:
            for role in ("Data Operator for Managed Disks", "Disk Snapshot Contributor"):
                out.append(
                    Requirement(
                        role, (role.lower(), "owner"), vault, frozenset(vault_ids), snapshot, label, True
                    )
                )
    extensions = [e for e, v in extensions_of(graph, cluster) if v is Verdict.YES]
    if len(extensions) == 1:
        ext = extensions[0]
        accounts = graph.related(ext, "storage_account")
        ext_ids = identity_principals(ext)
        if len(accounts) == 1:
            account = accounts[0]
            label = f"storage account {account.address}"
            if ext_ids:
                out.append(
                    Requirement(
                        "Storage Blob Data Contributor",
                        BLOB_CONTRIBUTOR,
                        ext,
                        frozenset(ext_ids),
                        ScopeTarget.of(account),
                        label,
                    )
                )
            if vault_ids and vault_tier:
                out.append(
                    Requirement(
                        "Storage Blob Data Reader",
                        (
                            "storage blob data reader",
                            "storage blob data contributor",
                            "storage blob data owner",
                        ),
                        vault,
                        frozenset(vault_ids),
                        ScopeTarget.of(account),
                        label,
                        True,
                    )
                )
    return out


def instance_snapshot_label(instance: Resource) -> str:
    v = instance.attr("snapshot_resource_group")
    s = text(v)
    return f'"{s}"' if s is not None else "(computed)"


def resource_to_add(near: Resource, terraform_type: str, arm_type: str) -> str:
    """How to name a missing resource in the language of the configuration it belongs to."""
    if near.language == "terraform":
        if near.source_type.startswith("azapi"):
            return f'an azapi_resource of type "{arm_type}"'
        return f"an {terraform_type}" if terraform_type[0] in "aeiou" else f"a {terraform_type}"
    return f"a {arm_type} resource"
