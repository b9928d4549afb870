"""Linking by name: the extension's storage account, the azurerm policy's vault."""

from __future__ import annotations

from linter import kinds
from linter.graph import Resource, ResourceGraph
from linter.link import link
from linter.model import Known, Span, Symbol, Unknown

SPAN = Span("/x/main.tf", 1)


def resource(kind: str, address: str, **attrs: object) -> Resource:
    res = Resource(kind, address, "arm", SPAN)
    res.attrs.update({k: v if isinstance(v, Known | Unknown) else Known(v, SPAN) for k, v in attrs.items()})
    return res


def linked(extension: Resource, *accounts: Resource) -> tuple[list[str], bool]:
    graph = ResourceGraph([extension, *accounts])
    link(graph)
    result = graph.link(extension, "storage_account")
    return [t.address for t in result.targets], result.unknown is not None


def test_symbolic_resource_group_does_not_rule_out_a_name_match() -> None:
    ext = resource(kinds.EXTENSION, "ext", storage_account_name="backupsa", storage_resource_group="rg-aks")
    account = resource(
        kinds.STORAGE_ACCOUNT, "sa", name="backupsa", resource_group=Known(Symbol("resourceGroup().name"))
    )
    assert linked(ext, account) == (["sa"], False)


def test_different_literal_resource_groups_do_not_match() -> None:
    ext = resource(kinds.EXTENSION, "ext", storage_account_name="backupsa", storage_resource_group="rg-aks")
    account = resource(kinds.STORAGE_ACCOUNT, "sa", name="backupsa", resource_group="rg-other")
    assert linked(ext, account) == ([], False)


def test_unknown_account_name_makes_the_link_unknown() -> None:
    ext = resource(kinds.EXTENSION, "ext", storage_account_name=Unknown("var.sa has no default"))
    account = resource(kinds.STORAGE_ACCOUNT, "sa", name="backupsa")
    assert linked(ext, account) == ([], True)


def test_a_candidate_with_unknown_name_keeps_a_miss_unknown() -> None:
    ext = resource(kinds.EXTENSION, "ext", storage_account_name="backupsa")
    account = resource(kinds.STORAGE_ACCOUNT, "sa", name=Unknown("var.name"))
    assert linked(ext, account) == ([], True)


def test_same_stack_targets_win_and_several_other_stacks_are_ambiguous() -> None:
    from linter.graph import Link
    from linter.link import same_stack_first

    def in_stack(address: str, stack: str) -> Resource:
        res = resource(kinds.STORAGE_ACCOUNT, address)
        res.stack = stack
        return res

    ext = resource(kinds.EXTENSION, "ext")
    ext.stack = "/repo/prod"
    prod, dev, test = (
        in_stack("prod", "/repo/prod"),
        in_stack("dev", "/repo/dev"),
        in_stack("test", "/repo/test"),
    )
    assert same_stack_first(ext, Link(targets=(dev, prod))).targets == (prod,)
    assert same_stack_first(ext, Link(targets=(dev,))).targets == (dev,)
    ambiguous = same_stack_first(ext, Link(targets=(dev, test)))
    assert ambiguous.targets == () and ambiguous.unknown is not None
