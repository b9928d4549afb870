"""``aks-backup-lint graph``: the backup chain per cluster, broken links labelled with rule IDs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from linter.commands import graph_text as render

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


def test_complete_chain_has_every_link_and_no_broken_one() -> None:
    out = render([FIXTURES / "complete" / "terraform"])
    assert out.startswith("```mermaid\nflowchart LR\n") and out.endswith("```\n")
    for label in (
        "installed on",
        "stores backups in",
        "bucket",
        "protects",
        "in vault",
        "uses policy",
        "trusted access",
        "Reader (azurerm_role_assignment.vault_reader_cluster)",
        "Contributor (azurerm_role_assignment.cluster_contributor_snapshots)",
        "Storage Blob Data Contributor (azurerm_role_assignment.extension_storage)",
    ):
        assert f'|"{label}"|' in out, label
    assert "-.->" not in out and "AKSB" not in out


def test_missing_links_are_dashed_and_labelled_with_the_rule() -> None:
    out = render([FIXTURES / "wiring-extension-missing" / "terraform"])
    assert '(["backup extension<br/>(missing)"])' in out
    assert '-.->|"AKSB305: no backup extension"|' in out
    out = render([FIXTURES / "wiring-trusted-access-missing" / "terraform"])
    assert '-.->|"AKSB307: no trusted access"|' in out
    out = render([FIXTURES / "wiring-roles-missing" / "terraform"])
    assert '-.->|"AKSB308: Contributor missing"|' in out
    out = render([FIXTURES / "wiring-trusted-access-wrong-role" / "terraform"])
    assert '-.->|"AKSB307: wrong role"|' in out


def test_resources_with_findings_carry_their_rule_ids() -> None:
    out = render([FIXTURES / "wiring-vault-identity-missing" / "terraform"])
    assert "azurerm_data_protection_backup_vault.backup<br/>AKSB309" in out
    assert "class " in out and "classDef finding" in out


def test_dot_output_and_determinism() -> None:
    paths = [FIXTURES / "wiring-extension-missing" / "terraform"]
    first = render(paths, "dot")
    assert first == render(paths, "dot")
    assert first.startswith('digraph "aks-backup-chain" {\n') and first.endswith("}\n")
    assert 'label="AKSB305: no backup extension", style=dashed' in first
    assert 'label="backup extension\\n(missing)", style=dashed' in first


def test_graph_works_for_arm_and_azapi() -> None:
    out = render([FIXTURES / "wiring-trusted-access-missing" / "arm"])
    assert '-.->|"AKSB307: no trusted access"|' in out
    out = render([FIXTURES / "complete-azapi" / "terraform"])
    assert "azapi_resource.extension" in out and "-.->" not in out
    out = render([FIXTURES / "wiring-extension-missing" / "bicep"])
    assert '-.->|"AKSB305: no backup extension"|' in out
    out = render([FIXTURES / "wiring-complete" / "bicep"])
    assert "Storage Blob Data Contributor (extensionStorage)" in out and "-.->" not in out


def test_graph_cli(tmp_path: Path) -> None:
    target = tmp_path / "chain.dot"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "linter.cli",
            "graph",
            str(FIXTURES / "wiring-extension-missing" / "terraform"),
            "--format",
            "dot",
            "--output",
            str(target),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert target.read_text().startswith('digraph "aks-backup-chain"')
    bad = subprocess.run(
        [sys.executable, "-m", "linter.cli", "graph", str(FIXTURES), "--format", "png"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert bad.returncode == 2 and "unknown graph format" in bad.stderr


def test_action_summary_embeds_the_chain_when_findings_exist(tmp_path: Path) -> None:
    from test_integrations import run_action

    proc, _, summary = run_action(tmp_path / "broken", "wiring-extension-missing", FAIL_ON="never")
    assert proc.returncode == 0, proc.stderr
    assert "### Backup chain" in summary and "```mermaid" in summary
    assert '"AKSB305: no backup extension"' in summary
    _, _, clean = run_action(tmp_path / "clean", "complete")
    assert "### Backup chain" not in clean


def test_graph_reads_a_plan_like_check() -> None:
    """``graph --plan`` sees what the plan resolves (a region only the plan knows)."""
    directory = FIXTURES / "plan-json" / "terraform"
    without = subprocess.run(
        [sys.executable, "-c", "from linter.cli import main; main()", "graph", str(directory)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    with_plan = subprocess.run(
        [
            sys.executable,
            "-c",
            "from linter.cli import main; main()",
            "graph",
            str(directory),
            "--plan",
            str(directory / "plan.json"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "AKSB101" not in without and "AKSB101" in with_plan
