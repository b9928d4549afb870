"""The backup chain as policies see it: instance -> cluster, vault, policy; extension; binding.

Each question is answered once here, for every rule and for ``aks-backup-lint graph``. Where
the graph cannot tell for sure the answer is a ``Verdict`` (``linter.facts.verdict``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from linter import kinds
from linter.facts.compare import text
from linter.facts.verdict import Verdict, both, existence, points_at
from linter.graph import Resource, ResourceGraph
from linter.model import Known, Unknown, Value, items

AKS_DATASOURCE = "microsoft.containerservice/managedclusters"
BACKUP_OPERATOR = "Microsoft.DataProtection/backupVaults/backup-operator"


def hidden_companions(graph: ResourceGraph, stack: str) -> Unknown | None:
    """Why companions may exist out of sight in ``stack``: a remote module, an ARM template
    deployment, an azapi resource of unknown type, a provisioner running the Azure CLI."""
    for r in graph.of_kind(kinds.UNRESOLVED_MODULE):
        if r.stack == stack:
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
        return None
    verdicts = [is_aks_datasource(v) for v in value.value]
    if any(v is True for v in verdicts):
        return True
    if any(v is None for v in verdicts):
        return None
    return False


def aks_policies(graph: ResourceGraph) -> Iterator[Resource]:
    """Backup policies that surely protect AKS (``datasourceTypes`` holds the AKS type).

    Disk, blob, PostgreSQL and MySQL policies often live in the same vault; rules about AKS
    backups never look at them (rules.md, Scope). A policy whose datasource is unknown may be
    an AKS one, so rules that report *on* a policy skip it too (unknown is not a violation).
    """
    return (p for p in graph.of_kind(kinds.BACKUP_POLICY) if policy_is_aks(p) is True)


def backup_instances(graph: ResourceGraph) -> Iterator[Resource]:
    """AKS backup instances (an instance of unknown datasource type may be one)."""
    for instance in graph.of_kind(kinds.BACKUP_INSTANCE):
        if is_aks_datasource(instance.attr("datasource_type")) is not False:
            yield instance


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
    """Whether an extension is the data-protection (backup) extension: its type may be unknown."""
    v = ext.attr("is_backup")
    if isinstance(v, Known):
        return Verdict.YES if v.value is True else Verdict.NO
    return Verdict.MAYBE if isinstance(v, Unknown) else Verdict.NO


def is_backup_extension(ext: Resource) -> bool:
    """The extension is surely the data-protection extension."""
    return backup_extension_verdict(ext) is Verdict.YES


def backup_extensions(graph: ResourceGraph) -> Iterator[Resource]:
    """Extensions of type microsoft.dataprotection.kubernetes."""
    return (e for e in graph.of_kind(kinds.EXTENSION) if is_backup_extension(e))


def backup_storage_accounts(graph: ResourceGraph) -> Iterator[tuple[Resource, Resource]]:
    """(extension, storage account) pairs: the accounts the support matrix's storage rules apply to."""
    seen: set[int] = set()
    for ext in backup_extensions(graph):
        for account in graph.related(ext, "storage_account"):
            if id(account) not in seen:
                seen.add(id(account))
                yield ext, account


def referrers(graph: ResourceGraph, kind: str, edge: str, target: Resource) -> list[Resource]:
    """Resources of ``kind`` whose ``edge`` reaches ``target`` or may (unknown or external), in
    graph order; indexed once per graph so chain rules stay linear in big estates."""
    key = ("referrers", kind, edge)
    if key not in graph.memo:
        by_target: dict[int, list[Resource]] = defaultdict(list)
        maybe: list[Resource] = []
        for r in graph.of_kind(kind):
            link = graph.link(r, edge)
            for t in link.targets:
                by_target[id(t)].append(r)
            if link.unknown is not None or link.external:
                maybe.append(r)
        graph.memo[key] = (by_target, maybe)
    by_target, maybe = graph.memo[key]  # type: ignore[misc]
    found = by_target.get(id(target), []) + maybe
    return in_graph_order(graph, found)


def in_graph_order(graph: ResourceGraph, resources: list[Resource]) -> list[Resource]:
    """``resources`` without duplicates, in the order the front ends produced them."""
    if "positions" not in graph.memo:
        graph.memo["positions"] = {id(r): i for i, r in enumerate(graph.resources)}
    order: dict[int, int] = graph.memo["positions"]  # type: ignore[assignment]
    return sorted(set(resources), key=lambda r: order[id(r)])


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
    """The instance's policy surely keeps backups in the vault tier (R13, R17 vault-tier rows)."""
    for policy in graph.related(instance, "policy"):
        v = policy.attr("uses_vault_store")
        if isinstance(v, Known) and v.value is True:
            return True
    return False


def vault_tier_instance(graph: ResourceGraph, cluster: Resource) -> Resource | None:
    """A backup instance protecting ``cluster`` whose policy surely uses the vault store."""
    for instance in graph.referrers(cluster, kinds.BACKUP_INSTANCE, "cluster"):
        if policy_uses_vault_store(graph, instance):
            return instance
    return None


#: the azurerm resource types of AKS backup (R01): what makes the provider version matter
AZURERM_AKS_BACKUP_TYPES = (
    "azurerm_kubernetes_cluster_extension",
    "azurerm_kubernetes_cluster_trusted_access_role_binding",
    "azurerm_data_protection_backup_policy_kubernetes_cluster",
    "azurerm_data_protection_backup_instance_kubernetes_cluster",
)


def is_azurerm_aks_backup_resource(graph: ResourceGraph, r: Resource) -> bool:
    """One of the four azurerm AKS-backup resources: the data-protection extension, a
    trusted-access binding from a backup vault, an AKS backup policy or instance."""
    if r.language != "terraform" or r.source_type not in AZURERM_AKS_BACKUP_TYPES:
        return False
    if r.kind == kinds.EXTENSION:
        return is_backup_extension(r)
    if r.kind == kinds.TRUSTED_ACCESS:
        return is_backup_binding(graph, r)
    return True


def is_backup_binding(graph: ResourceGraph, binding: Resource) -> bool:
    """A trusted-access binding for backup: from a backup vault, or with the backup-operator role."""
    if graph.related(binding, "source"):
        return True
    return any((text(role) or "").lower() == BACKUP_OPERATOR.lower() for role in items(binding.attr("roles")))


def terraform_backup_stacks(graph: ResourceGraph) -> dict[str, Resource]:
    """Terraform configurations that declare azurerm AKS backup resources (R01's precondition).

    Maps each such stack to its first such resource in source order, a place to anchor a
    finding about the configuration as a whole. azapi resources and backups of other
    datasources do not make the azurerm version matter.
    """
    out: dict[str, Resource] = {}
    for r in graph.resources:
        if r.stack not in out and is_azurerm_aks_backup_resource(graph, r):
            out[r.stack] = r
    return out


def resource_to_add(near: Resource, terraform_type: str, arm_type: str) -> str:
    """How to name a missing resource in the language of the configuration it belongs to."""
    if near.language == "terraform":
        if near.source_type.startswith("azapi"):
            return f'an azapi_resource of type "{arm_type}"'
        return f"an {terraform_type}" if terraform_type[0] in "aeiou" else f"a {terraform_type}"
    return f"a {arm_type} resource"


def only_operational_aks_backups(graph: ResourceGraph, vault: Resource) -> bool:
    """The vault surely holds AKS backup policies only, all of them keeping backups in the
    operational tier (none uses or copies to the vault store).

    False whenever that cannot be told: no AKS policy, a policy of another datasource (it may
    use the vault tier), a policy whose vault or tier is unknown, an instance whose policy is
    not in the scan, or something that may declare more policies out of sight.
    """
    if hidden_companions(graph, vault.stack) is not None:
        return False
    policies = graph.referrers(vault, kinds.BACKUP_POLICY, "vault")
    if not policies or graph.maybe_referrers(vault, kinds.BACKUP_POLICY, "vault"):
        return False
    for policy in policies:
        uses = policy.attr("uses_vault_store")
        if policy_is_aks(policy) is not True or not (isinstance(uses, Known) and uses.value is False):
            return False
    for instance in graph.referrers(vault, kinds.BACKUP_INSTANCE, "vault"):
        link = graph.link(instance, "policy")
        if link.unknown is not None or link.external or not link.targets:
            return False
    return True


def customer_managed_key(graph: ResourceGraph, vault: Resource) -> tuple[Resource, str] | None:
    """Where the vault's customer-managed-key encryption is declared (resource, attribute), if it
    surely is: ARM/Bicep ``encryptionSettings.state: 'Enabled'``, or an azurerm
    ``azurerm_data_protection_backup_vault_customer_managed_key`` for this vault."""
    cmk = vault.attr("cmk_enabled")
    if isinstance(cmk, Known) and cmk.value is True:
        return vault, "cmk_enabled"
    for encryption in graph.referrers(vault, kinds.VAULT_ENCRYPTION, "vault"):
        if (
            points_at(graph, encryption, "vault", vault) is Verdict.YES
            and existence(encryption) is Verdict.YES
        ):
            return encryption, ""
    return None
