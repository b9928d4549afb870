"""Which resources a rule sees (rules.md, Scope): AKS datasources only, protected clusters first.

The fixtures ``scope-other-datasources*``, ``scope-disk-backup-only``, ``service-principal`` and
``node-pools`` carry the positions; these tests cover what a fixture marker cannot say.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from linter.engine import run
from linter.options import Flags, Options, build_options

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def severities(report, rule_id: str) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return sorted((f.span.line, f.severity.value) for f in report.active if f.rule_id == rule_id)


def test_unprotected_clusters_get_notes_and_clusters_all_raises_them(tmp_path: Path) -> None:
    for language in ("terraform", "arm", "bicep"):
        directory = FIXTURES / "service-principal" / language
        default = severities(run([directory], Options()), "AKSB301")
        assert [s for _, s in default] == ["error", "note"], language
        raised = severities(run([directory], Options(clusters="all")), "AKSB301")
        assert [s for _, s in raised] == ["error", "error"], language
        assert [line for line, _ in raised] == [line for line, _ in default]


def test_clusters_all_from_the_config_file(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "service-principal" / "terraform", tmp_path / "tf")
    (tmp_path / ".aks-backup-lint.yaml").write_text("clusters: all\n")
    options = build_options(Flags(), tmp_path)
    assert options.clusters == "all" and options.as_settings()["clusters"] == "all"
    assert [s for _, s in severities(run([tmp_path / "tf"], options), "AKSB301")] == ["error", "error"]


def test_the_note_says_why_it_is_a_note() -> None:
    report = run([FIXTURES / "service-principal" / "terraform"], Options())
    (note,) = [f for f in report.active if f.rule_id == "AKSB301" and f.severity.value == "note"]
    assert note.message.startswith("if you protect this cluster with Azure Backup: cluster ")


VAULT = """
resource "azurerm_data_protection_backup_vault" "vault" {
  name                = "vault"
  resource_group_name = "rg"
  location            = "westeurope"
  datastore_type      = "VaultStore"
  redundancy          = "LocallyRedundant"
}
"""


def test_the_vault_limit_counts_instances_of_every_datasource(tmp_path: Path) -> None:
    """AKSB404's limit is per vault: disk instances count next to AKS ones."""
    (tmp_path / "main.tf").write_text(
        VAULT
        + """
resource "azurerm_data_protection_backup_instance_kubernetes_cluster" "aks" {
  count                        = 4999
  name                         = "aks-${count.index}"
  location                     = "westeurope"
  vault_id                     = azurerm_data_protection_backup_vault.vault.id
  kubernetes_cluster_id        = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks"
  snapshot_resource_group_name = "rg"
  backup_policy_id             = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/vault/backupPolicies/p"
}

resource "azurerm_data_protection_backup_instance_disk" "disk" {
  count                        = 2
  name                         = "disk-${count.index}"
  location                     = "westeurope"
  vault_id                     = azurerm_data_protection_backup_vault.vault.id
  disk_id                      = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/disks/d${count.index}"
  snapshot_resource_group_name = "rg"
  backup_policy_id             = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/vault/backupPolicies/d"
}
"""
    )
    report = run([tmp_path], Options(select=["AKSB404"]))
    assert [(f.rule_id, f.span.line) for f in report.active] == [("AKSB404", 2)]
    assert "5001 backup instances" in report.active[0].message
