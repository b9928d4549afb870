"""What the backup storage account's network settings let through (iac-mapping R08).

Three-valued like the chain questions: a verdict is MAYBE whenever a rule list, a subnet id or
an endpoint target cannot be resolved, so rules stay silent on unknowns.
"""

from __future__ import annotations

from linter import kinds
from linter.facts.chain import hidden_companions
from linter.facts.clusters import node_pools
from linter.facts.compare import same_value, text
from linter.facts.verdict import Verdict, best, both, existence, points_at
from linter.graph import Resource, ResourceGraph
from linter.model import Known, Unknown, Value


def blob_endpoint(graph: ResourceGraph, account: Resource) -> Verdict:
    """Whether a private endpoint for the account's ``blob`` sub-resource is declared (MAYBE when
    one may hide in a remote module or point here through an unknown reference)."""
    verdicts = [
        both(existence(pe), points_at(graph, pe, "target", account), _blob(pe))
        for pe in graph.of_kind(kinds.PRIVATE_ENDPOINT)
    ]
    found = best(verdicts)
    if found is Verdict.NO and hidden_companions(graph, account.stack) is not None:
        return Verdict.MAYBE
    return found


def _blob(pe: Resource) -> Verdict:
    value = pe.attr("subresources")
    if not isinstance(value, Known) or not isinstance(value.value, list):
        return Verdict.MAYBE
    names = [text(v) for v in value.value]
    if any(n is not None and n.lower() == "blob" for n in names):
        return Verdict.YES
    return Verdict.MAYBE if any(n is None for n in names) else Verdict.NO


def firewall_admits_cluster(graph: ResourceGraph, account: Resource, cluster: Resource) -> Verdict:
    """Whether a storage firewall (default action Deny) lets the cluster's nodes in.

    YES when a virtual-network rule names the subnet of one of the cluster's node pools; NO when
    the rules are all known, there are no IP rules (the cluster's egress address might be one)
    and no pool's subnet is among them (a pool without ``vnet_subnet_id`` lives in a network AKS
    manages, which no rule names); MAYBE otherwise.
    """
    ip_rules = account.attr("ip_rules")
    if isinstance(ip_rules, Unknown) or (isinstance(ip_rules, Known) and ip_rules.value):
        return Verdict.MAYBE
    rules = _entries(account.attr("virtual_network_rules"))
    if rules is None:
        return Verdict.MAYBE
    pools = node_pools(graph, cluster)
    if not pools:
        return Verdict.MAYBE
    verdicts = []
    for pool in pools:
        subnet = pool.attr("vnet_subnet_id")
        if subnet.is_absent:
            verdicts.append(Verdict.NO)
        elif not isinstance(subnet, Known):
            verdicts.append(Verdict.MAYBE)
        else:
            matches = [same_value(subnet, rule) for rule in rules]
            verdicts.append(
                Verdict.YES if True in matches else Verdict.MAYBE if None in matches else Verdict.NO
            )
    return best(verdicts)


def _entries(value: Value) -> list[Value] | None:
    """The entries of a rule list ([] when absent); None when the list or an entry is unknown."""
    if value.is_absent:
        return []
    if not (isinstance(value, Known) and isinstance(value.value, list)):
        return None
    if any(not isinstance(v, Known) for v in value.value):
        return None
    return list(value.value)
