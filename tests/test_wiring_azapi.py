"""azapi resources land on the same canonical kinds as ARM (bodies as objects or jsonencode)."""

from __future__ import annotations

from pathlib import Path

from linter.engine import load, run
from linter.graph import ResourceGraph
from linter.model import Known
from linter.options import Options

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VERSIONS = (FIXTURES / "complete-azapi" / "terraform" / "versions.tf").read_text()


def graph_of(directory: Path) -> ResourceGraph:
    return load([directory], Options()).graph


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
    assert [r.kind for r in graph.resources if r.kind in ("cluster", "backup_vault")] == ["backup_vault"]
    (vault,) = graph.of_kind("backup_vault")  # declared, but every property is unknown
    assert vault.attr("identity_type").is_unknown and vault.attr("location").is_unknown
    assert run([tmp_path], Options()).active == []


def _complete_with_extension(extension: str) -> str:
    main = (FIXTURES / "complete-azapi" / "terraform" / "main.tf").read_text()
    start = main.index('resource "azapi_resource" "extension" {')
    end = main.index('resource "azapi_resource" "vault" {')
    return main[:start] + extension + main[end:]


def test_extension_with_unknown_body_or_type_may_be_the_backup_extension(tmp_path: Path) -> None:
    unknown_body = _complete_with_extension(
        """resource "azapi_resource" "extension" {
  type      = "Microsoft.KubernetesConfiguration/extensions@2023-05-01"
  name      = "azure-aks-backup"
  parent_id = azapi_resource.aks.id
  body      = var.extension_body
}

variable "extension_body" {
  type = any
}

"""
    )
    unknown_type = _complete_with_extension(
        """resource "azapi_resource" "extension" {
  type      = var.extension_type
  name      = "azure-aks-backup"
  parent_id = azapi_resource.aks.id
  body      = {}
}

variable "extension_type" {
  type = string
}

"""
    )
    no_extension = _complete_with_extension("")
    for name, text, expected in (
        ("body", unknown_body, set()),
        ("type", unknown_type, set()),
        ("none", no_extension, {"AKSB305"}),
    ):
        d = tmp_path / name
        d.mkdir()
        (d / "versions.tf").write_text(VERSIONS)
        (d / "main.tf").write_text(text)
        assert {f.rule_id for f in run([d], Options()).active} == expected, name
