"""``aks-backup-lint graph``: the backup chain of every cluster, drawn from the graph and findings.

Per cluster: the cluster, its backup extension, the extension's storage account and blob
container, the backup instances that protect it with their vault and policy, the trusted-access
bindings, and the role assignments of the support matrix's permission table. A missing link is
drawn as a dashed edge (to a dashed placeholder node when a whole resource is missing) labelled
with the rule ID that reports it; a resource with findings carries their rule IDs and is marked.

Which rule labels which edge is declared by the rules themselves (``RuleSpec.chain_edge``).

Output is Mermaid (``flowchart LR``, rendered by GitHub in Markdown) or Graphviz DOT; both are
deterministic: nodes and edges in the order of the resources' source positions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from linter import kinds
from linter.facts.chain import backup_instances, extensions_of, referrers
from linter.facts.compare import text
from linter.facts.roles import all_principals, assignment_candidates, assignment_verdict, requirements
from linter.facts.verdict import Verdict
from linter.graph import Resource, ResourceGraph
from linter.model import Finding

FORMATS = ("mermaid", "dot")
KIND_LABEL = {
    kinds.CLUSTER: "cluster",
    kinds.EXTENSION: "backup extension",
    kinds.STORAGE_ACCOUNT: "storage account",
    kinds.BLOB_CONTAINER: "blob container",
    kinds.BACKUP_VAULT: "backup vault",
    kinds.BACKUP_POLICY: "backup policy",
    kinds.BACKUP_INSTANCE: "backup instance",
    kinds.TRUSTED_ACCESS: "trusted access",
    kinds.ROLE_ASSIGNMENT: "role assignment",
}


@dataclass
class Node:
    id: str
    label: str
    rules: list[str] = field(default_factory=list)
    missing: bool = False


@dataclass
class Edge:
    source: str
    target: str
    label: str
    broken: bool = False


@dataclass
class Chain:
    cluster: Resource
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)


def _order(resources: Iterable[Resource]) -> list[Resource]:
    return sorted(resources, key=lambda r: (r.span.file, r.span.line, r.span.column, r.address))


class _Builder:
    def __init__(self, graph: ResourceGraph, findings: list[Finding], edge_rules: dict[str, str]) -> None:
        self.graph = graph
        self.edge_rules = edge_rules  # chain edge -> the rule ID that labels it
        self.extension_rule = edge_rules.get("extension", "")
        self.trusted_access_rule = edge_rules.get("trusted_access", "")
        self.role_rule = edge_rules.get("role_assignment", "")
        self.policy_rule = edge_rules.get("policy", "")
        self.by_address: dict[str, list[Finding]] = defaultdict(list)
        for f in findings:
            if f.suppression is None and f.address:
                self.by_address[f.address].append(f)
        self.others = all_principals(graph)

    def chain(self, cluster: Resource, index: int) -> Chain:
        chain = Chain(cluster)
        ids: dict[int, str] = {}

        def node(res: Resource) -> str:
            if id(res) not in ids:
                nid = f"c{index}n{len(chain.nodes)}"
                ids[id(res)] = nid
                edge_rules = set(self.edge_rules.values()) - {self.policy_rule}
                rules = sorted(
                    {f.rule_id for f in self.by_address.get(res.address, []) if f.rule_id not in edge_rules}
                )
                chain.nodes[nid] = Node(nid, f"{KIND_LABEL.get(res.kind, res.kind)}\n{res.address}", rules)
            return ids[id(res)]

        def placeholder(label: str) -> str:
            nid = f"c{index}n{len(chain.nodes)}"
            chain.nodes[nid] = Node(nid, label, missing=True)
            return nid

        seen_edges: set[tuple[str, str, str]] = set()

        def edge(a: str, b: str, label: str, broken: bool = False) -> None:
            if (a, b, label) not in seen_edges:
                seen_edges.add((a, b, label))
                chain.edges.append(Edge(a, b, label, broken))

        g = self.graph
        c = node(cluster)
        extensions = _order(
            e
            for e, v in extensions_of(g, cluster)
            if v is Verdict.YES or (v is Verdict.MAYBE and e.stack == cluster.stack)
        )
        for ext in extensions:
            x = node(ext)
            edge(x, c, "installed on")
            for account in _order(g.related(ext, "storage_account")):
                s = node(account)
                edge(x, s, "stores backups in")
                bucket = text(ext.attr("bucket"))
                for container in referrers(g, kinds.BLOB_CONTAINER, "storage_account", account):
                    if account not in g.related(container, "storage_account"):
                        continue
                    name = text(container.attr("name"))
                    if bucket is not None and name is not None and name.lower() == bucket.lower():
                        edge(x, node(container), "bucket")
                        edge(node(container), s, "in")
        instances = _order(i for i in backup_instances(g) if cluster in g.related(i, "cluster"))
        for inst in instances:
            i = node(inst)
            edge(i, c, "protects")
            for vault in _order(g.related(inst, "vault")):
                edge(i, node(vault), "in vault")
            policy_rules = [
                f.rule_id for f in self.by_address.get(inst.address, []) if f.rule_id == self.policy_rule
            ]
            for policy in _order(g.related(inst, "policy")):
                edge(
                    i,
                    node(policy),
                    f"{self.policy_rule}: wrong policy" if policy_rules else "uses policy",
                    bool(policy_rules),
                )
            for f in self.by_address.get(inst.address, []):
                if f.rule_id == self.extension_rule:
                    missing = placeholder("backup extension\n(missing)")
                    edge(missing, c, f"{f.rule_id}: no backup extension", True)
                elif f.rule_id == self.trusted_access_rule:
                    vaults = g.related(inst, "vault")
                    if len(vaults) == 1:
                        edge(node(vaults[0]), c, f"{f.rule_id}: no trusted access", True)
        for binding in _order(g.referrers(cluster, kinds.TRUSTED_ACCESS, "cluster")):
            b = node(binding)
            edge(b, c, "on cluster")
            wrong = any(
                f.rule_id == self.trusted_access_rule for f in self.by_address.get(binding.address, [])
            )
            for vault in _order(g.related(binding, "source")):
                label = f"{self.trusted_access_rule}: wrong role" if wrong else "trusted access"
                edge(node(vault), b, label, wrong)
        for inst in instances:
            missing_roles = {
                (f.properties.get("role"), f.properties.get("principal"), f.properties.get("target"))
                for f in self.by_address.get(inst.address, [])
                if f.rule_id == self.role_rule
            }
            for req in requirements(g, inst):
                principal = node(req.principal)
                target = node(req.target.resource) if req.target.resource is not None else None
                if target is None:
                    target = self._group_node(chain, index, req.target_label)
                if (req.role, req.principal.address, req.target_label) in missing_roles:
                    edge(principal, target, f"{self.role_rule}: {req.role} missing", True)
                    continue
                for assignment in assignment_candidates(g, req, self.others):
                    if assignment_verdict(g, assignment, req, self.others) is Verdict.YES:
                        edge(principal, target, f"{req.role} ({assignment.address})")
                        break
        return chain

    def _group_node(self, chain: Chain, index: int, label: str) -> str:
        for nid, n in chain.nodes.items():
            if n.label == label:
                return nid
        nid = f"c{index}n{len(chain.nodes)}"
        chain.nodes[nid] = Node(nid, label)
        return nid


def chains(graph: ResourceGraph, findings: list[Finding], edge_rules: dict[str, str]) -> list[Chain]:
    """One chain per cluster; ``edge_rules`` maps a chain edge to the rule ID that labels it."""
    builder = _Builder(graph, findings, edge_rules)
    clusters = _order(graph.of_kind(kinds.CLUSTER))
    return [builder.chain(c, i) for i, c in enumerate(clusters)]


def _mermaid_text(s: str) -> str:
    return s.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;").replace("\n", "<br/>")


def render_mermaid(items: list[Chain]) -> str:
    out = ["```mermaid", "flowchart LR"]
    for index, chain in enumerate(items):
        out.append(f'  subgraph chain{index}["{_mermaid_text(chain.cluster.address)}"]')
        for n in chain.nodes.values():
            label = n.label + (f"\n{', '.join(n.rules)}" if n.rules else "")
            shape = f'(["{_mermaid_text(label)}"])' if n.missing else f'["{_mermaid_text(label)}"]'
            out.append(f"    {n.id}{shape}")
        for e in chain.edges:
            arrow = "-.->" if e.broken else "-->"
            out.append(f'    {e.source} {arrow}|"{_mermaid_text(e.label)}"| {e.target}')
        out.append("  end")
        for n in chain.nodes.values():
            if n.missing:
                out.append(f"  class {n.id} missing")
            elif n.rules:
                out.append(f"  class {n.id} finding")
    out.append("  classDef missing stroke-dasharray: 5 5,stroke:#d73a49,color:#d73a49")
    out.append("  classDef finding stroke:#d73a49,stroke-width:2px")
    out.append("```")
    return "\n".join(out) + "\n"


def _dot_text(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render_dot(items: list[Chain]) -> str:
    out = ['digraph "aks-backup-chain" {', "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];']
    for index, chain in enumerate(items):
        out.append(f"  subgraph cluster_{index} {{")
        out.append(f'    label="{_dot_text(chain.cluster.address)}";')
        for n in chain.nodes.values():
            label = n.label + (f"\n{', '.join(n.rules)}" if n.rules else "")
            style = (
                ', style=dashed, color="#d73a49"'
                if n.missing
                else (', color="#d73a49", penwidth=2' if n.rules else "")
            )
            out.append(f'    {n.id} [label="{_dot_text(label)}"{style}];')
        for e in chain.edges:
            style = ', style=dashed, color="#d73a49", fontcolor="#d73a49"' if e.broken else ""
            out.append(f'    {e.source} -> {e.target} [label="{_dot_text(e.label)}"{style}];')
        out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


def render(items: list[Chain], fmt: str) -> str:
    """The chains as Mermaid or DOT (``FORMATS``)."""
    if not items:
        return "%% no AKS cluster found\n" if fmt == "mermaid" else 'digraph "aks-backup-chain" {\n}\n'
    return render_mermaid(items) if fmt == "mermaid" else render_dot(items)
