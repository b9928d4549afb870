"""A realistic ``Report`` built by hand: the input every reporter test shares.

Files are written under a temporary repository so that paths, related locations and
suppression comments refer to real lines.
"""

from __future__ import annotations

from pathlib import Path

from linter.model import Finding, RelatedLocation, Severity, Span, Suppression
from linter.report import Notification, Report
from policies import load_builtin_rules

RULES = [r.spec for r in load_builtin_rules()]

MAIN_TF = """\
resource "azurerm_kubernetes_cluster" "aks" {
  name     = "aks-prod"
  location = "westeurope"
}

resource "azurerm_storage_account" "backup" {
  name                     = "stbackup"
  location                 = "northeurope"
  account_kind             = "BlobStorage"
  account_tier             = "Premium"
}
"""

VAULT_TF = """\
resource "azurerm_data_protection_backup_vault" "vault" {
  name     = "bv-prod"
  # aks-backup-lint: ignore[AKSB101] vault region fixed by the DR plan, see ADR-12
  location = var.vault_location
}
"""

BROKEN_TF = 'resource "azurerm_kubernetes_cluster" "broken" {\n  name = "x"\n'


def make_report(root: Path, *, cwd: Path | None = None, category: str = "aks-backup-lint") -> Report:
    (root / ".git").mkdir(parents=True, exist_ok=True)
    infra = root / "infra"
    infra.mkdir(exist_ok=True)
    main, vault, broken = infra / "main.tf", infra / "vault.tf", infra / "broken.tf"
    main.write_text(MAIN_TF)
    vault.write_text(VAULT_TF)
    broken.write_text(BROKEN_TF)
    m, v, b = str(main), str(vault), str(broken)
    findings = [
        Finding(
            rule_id="AKSB000",
            slug="parse-error",
            message='unexpected end of file: the block opened at line 1 is not closed ("}" expected)',
            span=Span(b, 3, 1),
            severity=Severity.ERROR,
            address=b,
        ),
        Finding(
            rule_id="AKSB102",
            slug="storage-cluster-region-mismatch",
            message="storage account azurerm_storage_account.backup is in northeurope but cluster "
            "azurerm_kubernetes_cluster.aks, whose backup extension uses it, is in westeurope",
            span=Span(m, 8, 30, 8, 43),
            severity=Severity.ERROR,
            address="azurerm_storage_account.backup",
            attribute="location",
            related=(
                RelatedLocation(Span(m, 3, 14, 3, 26), "cluster azurerm_kubernetes_cluster.aks region"),
                RelatedLocation(Span(m, 7, 30, 7, 40), "backup extension names the storage account here"),
            ),
        ),
        Finding(
            rule_id="AKSB201",
            slug="storage-account-not-gpv2",
            message='storage account azurerm_storage_account.backup has account_kind "BlobStorage"; '
            "backup needs StorageV2, 100% of the time, a:b,c",
            span=Span(m, 9, 30, 9, 43),
            severity=Severity.ERROR,
            address="azurerm_storage_account.backup",
            attribute="account_kind",
        ),
        Finding(
            rule_id="AKSB202",
            slug="storage-account-premium",
            message='storage account azurerm_storage_account.backup has account_tier "Premium"',
            span=Span(m, 10, 30, 10, 39),
            severity=Severity.WARNING,  # a severity override from config
            address="azurerm_storage_account.backup",
            attribute="account_tier",
        ),
        Finding(
            rule_id="AKSB101",
            slug="vault-cluster-region-mismatch",
            message="backup vault azurerm_data_protection_backup_vault.vault is in eastus but the cluster is in westeurope",
            span=Span(v, 4, 14, 4, 32),
            severity=Severity.ERROR,
            address="azurerm_data_protection_backup_vault.vault",
            attribute="location",
            suppression=Suppression(
                "inSource", "vault region fixed by the DR plan, see ADR-12", Span(v, 3, 3)
            ),
        ),
        Finding(
            rule_id="AKSB902",
            slug="unresolved-value",
            message="AKSB101 could not check location of azurerm_data_protection_backup_vault.vault: var.x has no value",
            span=Span(v, 4, 14, 4, 32),
            severity=Severity.NOTE,
            address="azurerm_data_protection_backup_vault.vault",
            attribute="location",
        ),
    ]
    findings.sort(key=Finding.sort_key)
    return Report(
        findings=findings,
        files_scanned=3,
        duration=0.1234,
        cwd=cwd or root,
        repo_root=root,
        notifications=[Notification("warning", "infra/huge.tf: skipped, larger than 10 MiB")],
        category=category,
        rules=RULES,
    )


def empty_report(root: Path) -> Report:
    return Report(findings=[], files_scanned=0, duration=0.0, cwd=root, repo_root=None, rules=RULES)
