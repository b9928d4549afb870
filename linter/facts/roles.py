"""Role assignments a backup needs (iac-mapping R17), and whether the graph shows them.

``requirements(graph, instance)`` lists the rows of the R17 table that apply to one backup
instance (who needs which role on what); ``requirement_met`` answers YES/NO/MAYBE by matching
role (built-in name or GUID, broader built-ins accepted), scope (the resource, its resource
group, a subscription) and principal (the vault's, cluster's or extension's identity symbol).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Set
from dataclasses import dataclass

from linter import kinds
from linter.facts.chain import extensions_of, in_graph_order, policy_uses_vault_store
from linter.facts.compare import text
from linter.facts.verdict import Verdict, best, both, existence
from linter.graph import Link, Resource, ResourceGraph, id_key
from linter.model import ABSENT, Known, Symbol, Unknown, Value

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
    if "principals" not in graph.memo:
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
        graph.memo["principals"] = (by_principal, loose)
    by_principal, loose = graph.memo["principals"]  # type: ignore[misc]
    return in_graph_order(graph, [a for p in req.principal_ids for a in by_principal.get(p, [])] + loose)


def requirement_met(graph: ResourceGraph, req: Requirement, others: set[object]) -> Verdict:
    return best(assignment_verdict(graph, a, req, others) for a in assignment_candidates(graph, req, others))


#: the built-in roles that grant what each required role grants (Azure built-in roles article,
#: MicrosoftDocs/azure-docs role-based-access-control/built-in-roles): Owner and Contributor have
#: the actions ``*`` but no data actions, so they cover Reader, Contributor and Disk Snapshot
#: Contributor (actions only) and never a role that is made of data actions
READER = ("reader", "contributor", "owner")
CONTRIBUTOR = ("contributor", "owner")
VAULT_TIER_SNAPSHOT_ROLES = (
    # dataActions Microsoft.Compute/disks|snapshots/download|upload/action: no other built-in role here has them
    ("Data Operator for Managed Disks", ("data operator for managed disks",)),
    # actions only (snapshots read/write/delete, beginGetAccess ...): covered by Contributor's and Owner's "*"
    ("Disk Snapshot Contributor", ("disk snapshot contributor", "contributor", "owner")),
)
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
            for role, accepted in VAULT_TIER_SNAPSHOT_ROLES:
                out.append(Requirement(role, accepted, vault, frozenset(vault_ids), snapshot, label, True))
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
