"""azapi resources land on the same canonical kinds as ARM (bodies as objects or jsonencode)."""

from __future__ import annotations

from pathlib import Path

from linter.discover import discover
from linter.engine import Options, load_stacks, run
from linter.graph import ResourceGraph
from linter.link import link
from linter.model import Known
from linter.stack import LoadContext

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VERSIONS = (FIXTURES / "complete-azapi" / "terraform" / "versions.tf").read_text()


def graph_of(directory: Path) -> ResourceGraph:
    resources, *_ = load_stacks(discover([directory], []), LoadContext())
    graph = ResourceGraph(resources)
    link(graph)
    return graph


def test_complete_azapi_setup_maps_and_links() -> None:
    graph = graph_of(FIXTURES / "complete-azapi" / "terraform")
    by_kind = {}
    for r in graph.resources:
        by_kind.setdefault(r.kind, []).append(r.address)
    assert by_kind["cluster"] == ["azapi_resource.aks"]
    assert by_kind["extension"] == ["azapi_resource.extension"]
    assert len(by_kind["role_assignment"]) == 4
    (instance,) = graph.of_kind("backup_instance")
    assert [r.address for r in graph.related(instance, "cluster")] == ["azapi_resource.aks"]
    assert [r.address for r in graph.related(instance, "policy")] == ["azapi_resource.policy"]
    assert [r.address for r in graph.related(instance, "vault")] == ["azapi_resource.vault"]
    (policy,) = graph.of_kind("backup_policy")  # jsonencode body
    assert (
        isinstance(policy.attr("uses_vault_store"), Known) and policy.attr("uses_vault_store").value is False
    )
    (ext,) = graph.of_kind("extension")
    assert [r.address for r in graph.related(ext, "storage_account")] == ["azapi_resource.storage"]
    assert run([FIXTURES / "complete-azapi" / "terraform"], Options()).active == []


def test_update_resource_never_declares_a_second_cluster(tmp_path: Path) -> None:
    (tmp_path / "versions.tf").write_text(VERSIONS)
    (tmp_path / "main.tf").write_text(
        """
resource "azapi_update_resource" "aks" {
  type        = "Microsoft.ContainerService/managedClusters@2024-05-01"
  resource_id = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks"
  body = {
    properties = { storageProfile = { snapshotController = { enabled = false } } }
  }
}

resource "azapi_resource" "unknown_body" {
  type      = "Microsoft.DataProtection/backupVaults@2023-01-01"
  name      = "vault"
  parent_id = "/subscriptions/0/resourceGroups/rg"
  body      = var.body
}

variable "body" {
  type = any
}
"""
    )
    graph = graph_of(tmp_path)
    assert [r.kind for r in graph.resources if r.kind in ("cluster", "backup_vault")] == []
    assert run([tmp_path], Options()).active == []
