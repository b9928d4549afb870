"""The backup-chain rules (issue 6): role matching, scopes, unknowns, matrix revisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.engine import run
from linter.explain import render
from linter.facts.roles import READER, ROLE_GUIDS, ScopeTarget, principal_verdict, role_verdict
from linter.facts.verdict import Verdict
from linter.model import ABSENT, Known, Symbol, Unknown
from linter.options import Options

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
COMPLETE = (FIXTURES / "complete" / "terraform" / "main.tf").read_text(encoding="utf-8")
VERSIONS = (FIXTURES / "complete" / "terraform" / "versions.tf").read_text(encoding="utf-8")


def rules_of(report, prefix: str = "AKSB3") -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f.rule_id for f in report.active if f.rule_id.startswith(prefix))


def lint(tmp_path: Path, main: str, **options) -> list[str]:  # type: ignore[no-untyped-def]
    d = tmp_path / "tf"
    d.mkdir(exist_ok=True)
    (d / "main.tf").write_text(main, encoding="utf-8")
    (d / "versions.tf").write_text(VERSIONS, encoding="utf-8")
    report = run([d], Options(**options))
    return sorted(f.rule_id for f in report.active)


def without(text: str, header: str) -> str:
    start = text.index(header)
    depth, i = 0, start
    while True:
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                break
        i += 1
    return text[:start] + text[i + 1 :]


def no_depends_on(text: str) -> str:
    start = text.index("  depends_on = [")
    return text[:start] + text[text.index("]", start) + 1 :]


# ------------------------------------------------------------------ role, principal, scope


@pytest.mark.parametrize(
    ("role", "verdict"),
    [
        ("Reader", Verdict.YES),
        ("reader", Verdict.YES),
        ("Owner", Verdict.YES),
        ("Storage Blob Data Reader", Verdict.NO),
        (ROLE_GUIDS["reader"], Verdict.YES),
        (
            f"/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/{ROLE_GUIDS['reader']}",
            Verdict.YES,
        ),
        (
            f"/providers/Microsoft.Authorization/roleDefinitions/{ROLE_GUIDS['storage blob data reader']}",
            Verdict.NO,
        ),
        (
            "/providers/Microsoft.Authorization/roleDefinitions/00000000-1111-2222-3333-444444444444",
            Verdict.MAYBE,
        ),
        ("My Custom Backup Role", Verdict.MAYBE),
    ],
)
def test_role_by_name_guid_and_id(role: str, verdict: Verdict) -> None:
    assert role_verdict(Known(role), READER) is verdict


def test_unknown_role_or_reference_is_maybe() -> None:
    assert role_verdict(Unknown("var.role"), READER) is Verdict.MAYBE
    assert role_verdict(
        Known(Symbol("azurerm_role_definition.custom.role_definition_resource_id")), READER
    ) is (Verdict.MAYBE)
    assert role_verdict(ABSENT, READER) is Verdict.NO


def test_principal_match() -> None:
    vault, cluster = Symbol("vault#principal"), Symbol("cluster#principal")
    assert principal_verdict(Known(vault), {vault}, {cluster}) is Verdict.YES
    assert principal_verdict(Known(cluster), {vault}, {cluster}) is Verdict.NO
    assert principal_verdict(Known("5f1c-literal-object-id"), {vault}, {cluster}) is Verdict.MAYBE
    assert principal_verdict(Unknown("var.principal_id"), {vault}, {cluster}) is Verdict.MAYBE


@pytest.mark.parametrize(
    ("scope", "verdict"),
    [
        ("/subscriptions/0000", Verdict.MAYBE),  # a subscription contains everything we cannot place
        ("/subscriptions/0000/resourceGroups/snapshots", Verdict.YES),
        ("/subscriptions/0000/resourceGroups/SNAPSHOTS", Verdict.YES),
        ("/subscriptions/0000/resourceGroups/other", Verdict.NO),
        (
            "/subscriptions/0000/resourceGroups/snapshots/providers/Microsoft.Storage/storageAccounts/x",
            Verdict.MAYBE,
        ),
        ("not-an-id", Verdict.MAYBE),
    ],
)
def test_scope_of_a_resource_group_by_id(scope: str, verdict: Verdict) -> None:
    target = ScopeTarget(None, None, "snapshots")
    assert target.covered_by_id(Known(scope)) is verdict


# ------------------------------------------------------------------ whole configurations


def test_complete_setup_has_no_wiring_finding(tmp_path: Path) -> None:
    assert lint(tmp_path, COMPLETE) == []


def test_missing_role_is_reported_and_names_the_resource_to_add(tmp_path: Path) -> None:
    main = no_depends_on(without(COMPLETE, 'resource "azurerm_role_assignment" "vault_reader_cluster" {'))
    d = tmp_path / "tf"
    d.mkdir()
    (d / "main.tf").write_text(main)
    (d / "versions.tf").write_text(VERSIONS)
    (finding,) = [f for f in run([d], Options()).active if f.rule_id == "AKSB308"]
    assert '"Reader" role on cluster azurerm_kubernetes_cluster.aks' in finding.message
    assert "add an azurerm_role_assignment" in finding.message
    assert (
        finding.span.line
        == main.splitlines().index(
            'resource "azurerm_data_protection_backup_instance_kubernetes_cluster" "aks" {'
        )
        + 1
    )


def test_role_at_subscription_or_resource_group_scope_counts(tmp_path: Path) -> None:
    main = COMPLETE.replace(
        "  scope                = azurerm_kubernetes_cluster.aks.id\n",
        "  scope                = azurerm_resource_group.aks.id\n",
    ).replace(
        '  scope                = azurerm_resource_group.snapshots.id\n  role_definition_name = "Contributor"',
        '  scope                = "/subscriptions/${data.azurerm_client_config.current.subscription_id}"\n'
        '  role_definition_name = "Contributor"',
    )
    assert lint(tmp_path, main) == []


def test_unknown_principal_keeps_the_rule_silent(tmp_path: Path) -> None:
    main = (
        COMPLETE.replace(
            "  principal_id         = azurerm_kubernetes_cluster.aks.identity[0].principal_id\n",
            "  principal_id         = var.cluster_principal_id\n",
        )
        + '\nvariable "cluster_principal_id" {\n  type = string\n}\n'
    )
    assert lint(tmp_path, main) == []


def test_role_assignment_under_unknown_condition_keeps_the_rule_silent(tmp_path: Path) -> None:
    main = (
        COMPLETE.replace(
            'resource "azurerm_role_assignment" "vault_reader_cluster" {\n',
            'resource "azurerm_role_assignment" "vault_reader_cluster" {\n  count = var.assign ? 1 : 0\n',
        ).replace("azurerm_role_assignment.vault_reader_cluster,", "")
        + '\nvariable "assign" {\n  type = bool\n}\n'
    )
    assert lint(tmp_path, main) == []


def test_wrong_principal_is_reported(tmp_path: Path) -> None:
    # Reader on the cluster goes to the cluster's own identity instead of the vault's
    main = COMPLETE.replace(
        '  scope                = azurerm_kubernetes_cluster.aks.id\n  role_definition_name = "Reader"\n'
        "  principal_id         = azurerm_data_protection_backup_vault.backup.identity[0].principal_id\n",
        '  scope                = azurerm_kubernetes_cluster.aks.id\n  role_definition_name = "Reader"\n'
        "  principal_id         = azurerm_kubernetes_cluster.aks.identity[0].principal_id\n",
    )
    assert main != COMPLETE
    assert lint(tmp_path, main) == ["AKSB308"]


def test_vault_tier_rows_only_for_vault_tier_policies(tmp_path: Path) -> None:
    # ARM/azapi policies can use the vault tier; azurerm cannot (AKSB003), so use the azapi setup
    main = (FIXTURES / "complete-azapi" / "terraform" / "main.tf").read_text()
    versions = (FIXTURES / "complete-azapi" / "terraform" / "versions.tf").read_text()
    vault_tier = main.replace(
        """              sourceDataStore = { objectType = "DataStoreInfoBase", dataStoreType = "OperationalStore" }
            }""",
        """              sourceDataStore = { objectType = "DataStoreInfoBase", dataStoreType = "OperationalStore" }
              targetDataStoreCopySettings = [
                { dataStore = { objectType = "DataStoreInfoBase", dataStoreType = "VaultStore" }, copyAfter = { objectType = "ImmediateCopyOption" } }
              ]
            }""",
    )
    assert vault_tier != main
    for text, expected in ((main, []), (vault_tier, ["AKSB003", "AKSB308"])):
        d = tmp_path / f"azapi{len(expected)}"
        d.mkdir()
        (d / "main.tf").write_text(text)
        (d / "versions.tf").write_text(versions)
        report = run([d], Options())
        assert sorted({f.rule_id for f in report.active}) == expected
        messages = [f.message for f in report.active if f.rule_id == "AKSB308"]
        assert all("needed for the vault tier" in m for m in messages)


def test_remote_module_keeps_missing_rules_silent() -> None:
    report = run([FIXTURES / "wiring-remote-module" / "terraform"], Options())
    assert rules_of(report) == []


def test_limits_count_after_expansion() -> None:
    report = run([FIXTURES / "vault-limit" / "terraform"], Options(select=["AKSB404"]))
    (finding,) = report.active
    assert "5002 backup policies" in finding.message


# ------------------------------------------------------------------ matrix revisions


def test_matrix_2026_01b_changes_the_arm64_verdict() -> None:
    node_pools = FIXTURES / "node-pools" / "terraform"
    default = [f for f in run([node_pools], Options(select=["AKSB302"])).active if "D4ps_v5" in f.message]
    revised = [f for f in run([node_pools], Options(select=["AKSB302"], matrix="2026-01b")).active]
    assert default, "the ARM64 pool is reported under the default revision"
    assert not [f for f in revised if "D4ps_v5" in f.message]


def test_matrix_2026_01b_changes_the_network_isolated_verdict() -> None:
    isolated = FIXTURES / "wiring-network-isolated" / "terraform"
    assert rules_of(run([isolated], Options())) == ["AKSB303"]
    assert rules_of(run([isolated], Options(matrix="2026-01b"))) == []


def test_explain_shows_the_verdict_per_revision() -> None:
    from policies import load_builtin_rules

    registry = load_builtin_rules()
    for rule_id in ("AKSB302", "AKSB303", "AKSB103"):
        md = render(registry.get(rule_id).spec, "markdown")
        assert "## Matrix revisions" in md and "`2026-01b`" in md, rule_id
    assert "## Matrix revisions" not in render(registry.get("AKSB101").spec, "markdown")
    assert "ARM64 node pools can run the backup extension" in render(registry.get("AKSB302").spec, "text")


def test_roles_assigned_in_a_local_module_through_its_inputs(tmp_path: Path) -> None:
    main = no_depends_on(
        without(
            without(COMPLETE, 'resource "azurerm_role_assignment" "vault_reader_cluster" {'),
            'resource "azurerm_role_assignment" "vault_reader_snapshots" {',
        )
    )
    main += """
module "vault_roles" {
  source       = "./modules/role"
  for_each     = { cluster = azurerm_kubernetes_cluster.aks.id, snapshots = azurerm_resource_group.snapshots.id }
  scope        = each.value
  role         = "Reader"
  principal_id = azurerm_data_protection_backup_vault.backup.identity[0].principal_id
}
"""
    module = tmp_path / "tf" / "modules" / "role"
    module.mkdir(parents=True)
    (module / "main.tf").write_text(
        """
variable "scope" { type = string }
variable "role" { type = string }
variable "principal_id" { type = string }

resource "azurerm_role_assignment" "this" {
  scope                = var.scope
  role_definition_name = var.role
  principal_id         = var.principal_id
}
"""
    )
    assert lint(tmp_path, main) == []
    broken = main.replace(
        "snapshots = azurerm_resource_group.snapshots.id", "aks = azurerm_resource_group.aks.id"
    )
    assert lint(tmp_path, broken) == ["AKSB308"]


def test_matrix_2026_01b_changes_the_region_tier_verdict() -> None:
    template = FIXTURES / "region-vault-tier-unsupported" / "arm"
    default = {f.rule_id for f in run([template], Options(select=["AKSB103"])).active}
    revised = {f.rule_id for f in run([template], Options(select=["AKSB103"], matrix="2026-01b")).active}
    assert default == {"AKSB103"} and revised == set()


def test_extension_settings_may_be_protected(tmp_path: Path) -> None:
    key = '    "configuration.backupStorageLocation.config.subscriptionId" = data.azurerm_client_config.current.subscription_id\n'
    main = COMPLETE.replace(key, "").replace(
        '  release_train  = "stable"\n',
        '  release_train  = "stable"\n  configuration_protected_settings = {\n' + key + "  }\n",
    )
    assert main != COMPLETE
    assert lint(tmp_path, main) == []
    assert lint(tmp_path, COMPLETE.replace(key, "")) == ["AKSB306"]


def test_matrix_option_on_the_command_line() -> None:
    import subprocess
    import sys

    def check(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "linter.cli",
                "check",
                str(FIXTURES / "wiring-network-isolated" / "terraform"),
                str(FIXTURES / "node-pools" / "terraform"),
                "--select",
                "AKSB302",
                "--select",
                "AKSB303",
                "--no-color",
                *extra,
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )

    default, revised = check(), check("--matrix", "2026-01b")
    assert "AKSB303" in default.stdout and "D4ps_v5" in default.stdout
    assert "AKSB303" not in revised.stdout and "D4ps_v5" not in revised.stdout
