"""A Terraform file with a broken block: the block is reported, the rest of the module is checked.

Why: a pull request that breaks one block of a large file must not hide every other finding in
the file (python-hcl2 reads nothing of a file with a syntax error). tree-sitter recovers; each
mistake below is one people make, and its AKSB000 must say what is wrong in Terraform terms at
the line a user fixes, never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from linter.engine import run
from linter.options import Options
from linter.terraform import hcl

REPO = Path(__file__).resolve().parents[1]

CLUSTER = """resource "azurerm_kubernetes_cluster" "aks" {
  name                = "aks-prod"
  location            = "westeurope"
  resource_group_name = "rg-aks"
  dns_prefix          = "aks-prod"

  default_node_pool {
    name       = "system"
    node_count = 2
    vm_size    = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}
"""

#: after the broken block: AKSB401 on its line 5 (a two-hour interval), whatever happens above
POLICY = """resource "azurerm_data_protection_backup_policy_kubernetes_cluster" "hourly" {
  name                            = "aks-hourly"
  resource_group_name             = "rg-backup"
  vault_name                      = "vault-aks"
  backup_repeating_time_intervals = ["R/2024-04-14T07:00:00+00:00/PT2H"]

  default_retention_rule {
    life_cycle {
      duration        = "P7D"
      data_store_type = "OperationalStore"
    }
  }
}
"""

VERSIONS = """terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = ">= 4.21.0, < 5.0"
    }
  }
}
"""


def vault(redundancy_line: str) -> str:
    return f"""resource "azurerm_data_protection_backup_vault" "backup" {{
  name                = "vault-aks"
  resource_group_name = "rg-backup"
  location            = "westeurope"
  datastore_type      = "VaultStore"
{redundancy_line}
  identity {{
    type = "SystemAssigned"
  }}
}}
"""


#: (the broken vault block, AKSB000 line within it, column, message)
BROKEN = {
    "missing =": (
        vault('  redundancy          "LocallyRedundant"'),
        6,
        23,
        "expected `=` after attribute name `redundancy`",
    ),
    "doubled =": (
        vault('  redundancy          = = "LocallyRedundant"'),
        6,
        25,
        "expected a value after `redundancy =`",
    ),
    "missing value": (
        vault("  redundancy          ="),
        6,
        23,
        "expected a value after `redundancy =`",
    ),
    "unclosed string": (
        vault('  redundancy          = "LocallyRedundant'),
        6,
        25,
        'string is not closed: a quoted string must end on the line it starts (expected `"`)',
    ),
    "unclosed block": (
        vault('  redundancy          = "LocallyRedundant"').replace("  }\n}\n", "  }\n"),
        1,
        1,
        'block `resource "azurerm_data_protection_backup_vault" "backup"` is not closed: expected `}`',
    ),
    "unclosed nested block": (
        vault('  redundancy          = "LocallyRedundant"').replace(
            '"SystemAssigned"\n  }\n', '"SystemAssigned"\n'
        ),
        7,
        3,
        "block `identity` is not closed: expected `}`",
    ),
    "unclosed object": (
        vault('  redundancy          = "LocallyRedundant"\n  tags = {\n    team = "platform"'),
        7,
        10,
        "`{` is not closed: expected `}`",
    ),
    "unclosed call": (
        vault('  redundancy          = lower("LocallyRedundant"'),
        6,
        25,
        "`lower(` is not closed: expected `)`",
    ),
    "extra closing brace": (
        vault('  redundancy          = "LocallyRedundant"') + "}\n",
        11,
        1,
        "unexpected `}`: there is no block or object open here to close",
    ),
    "missing comma in a list": (
        vault('  redundancy          = "LocallyRedundant"\n  zones = ["1" "2"]'),
        7,
        16,
        "expected `,` between list elements",
    ),
    "labels split over lines (a lost = before a nested block)": (
        vault('  redundancy          "LocallyRedundant"\n  soft_delete {\n    state = "On"\n  }'),
        6,
        23,
        "expected `=` after attribute name `redundancy`",
    ),
    "unclosed heredoc": (
        vault("  redundancy          = <<EOT\nLocallyRedundant"),
        6,
        25,
        "heredoc is not closed: expected its closing marker on a line of its own",
    ),
}


def offset(*blocks: str) -> int:
    """Lines taken by ``blocks`` and the blank line after each."""
    return sum(b.count("\n") + 1 for b in blocks)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_one_broken_block_is_reported_and_the_rest_is_checked(case: str, tmp_path: Path) -> None:
    broken, line, column, message = BROKEN[case]
    (tmp_path / "versions.tf").write_text(VERSIONS)
    (tmp_path / "main.tf").write_text("\n".join((CLUSTER, broken, POLICY)))
    report = run([tmp_path], Options(use_cache=False))
    found = sorted(
        (f.rule_id, f.span.line, f.span.column)
        for f in report.findings
        if f.rule_id in ("AKSB000", "AKSB401")
    )
    start = offset(CLUSTER)
    assert found == [("AKSB000", start + line, column), ("AKSB401", offset(CLUSTER, broken) + 5, 38)], case
    (error,) = [f for f in report.findings if f.rule_id == "AKSB000"]
    skipped = 'resource "azurerm_data_protection_backup_vault" "backup"'
    assert (
        error.message
        == f"Terraform syntax error: {message} ({skipped} is not checked; the rest of the file is)"
    )


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_the_broken_block_is_left_out_and_the_others_are_kept(case: str) -> None:
    broken = BROKEN[case][0]
    tree, error = hcl.parse(Path("main.tf"), "\n".join((CLUSTER, broken, POLICY)))
    assert error is not None and tree is not None
    assert [b.labels for b in tree.body.blocks] == [
        ("azurerm_kubernetes_cluster", "aks"),
        ("azurerm_data_protection_backup_policy_kubernetes_cluster", "hourly"),
    ]


def test_python_hcl2_reads_nothing_of_a_broken_file_but_reports_it(tmp_path: Path) -> None:
    """The reference parser has no recovery: the file's other blocks are not checked."""
    broken = BROKEN["missing ="][0]
    (tmp_path / "versions.tf").write_text(VERSIONS)
    (tmp_path / "main.tf").write_text("\n".join((CLUSTER, broken, POLICY)))
    report = run([tmp_path], Options(use_cache=False, hcl_parser="python-hcl2"))
    assert sorted(f.rule_id for f in report.findings) == ["AKSB000"]


def test_a_heredoc_with_lines_that_look_like_blocks_is_kept_whole() -> None:
    """Recovery splits a file where lines start at column 1; a heredoc's lines are not blocks."""
    text = (
        'resource "null_resource" "script" {\n'
        "  script = <<EOT\n"
        'resource "fake" "block" {\n'
        "}\n"
        "EOT\n"
        "}\n\n" + BROKEN["missing ="][0] + "\n" + POLICY
    )
    tree, error = hcl.parse(Path("main.tf"), text)
    assert error is not None and tree is not None
    assert [b.labels[1] for b in tree.body.blocks] == ["script", "hourly"]
    script = tree.body.blocks[0].body.attributes["script"].expr
    assert isinstance(script, hcl.Lit) and script.value == 'resource "fake" "block" {\n}'


def test_an_unindented_block_is_kept_whole() -> None:
    text = 'locals {\nregion = "westeurope"\nname = "aks"\n}\n\n' + BROKEN["unclosed string"][0]
    tree, error = hcl.parse(Path("main.tf"), text)
    assert error is not None and error.line == 11
    assert [b.type for b in tree.body.blocks] == ["locals"]
    assert set(tree.body.blocks[0].body.attributes) == {"region", "name"}


def test_a_deeply_nested_expression_is_an_error_not_a_crash() -> None:
    text = "a = " + "[" * 3000 + "]" * 3000 + "\nb = 1\n"
    tree, error = hcl.parse(Path("deep.tf"), text)
    assert error is not None and error.line == 1 and "nested too deeply" in str(error)
    assert tree is not None and list(tree.body.attributes) == ["b"]


def test_without_tree_sitter_python_hcl2_reads_and_says_so(tmp_path: Path) -> None:
    """A platform without a tree-sitter-hcl wheel: the fallback is visible, the findings the same."""
    (tmp_path / "versions.tf").write_text(VERSIONS)
    (tmp_path / "main.tf").write_text("\n".join((CLUSTER, POLICY)))
    script = (
        "import sys\n"
        "sys.modules['tree_sitter_hcl'] = None  # importing it now raises ImportError\n"
        "from linter.cli import main\n"
        "sys.argv = ['aks-backup-lint', 'check', '--no-cache', '--format', 'json', sys.argv[1]]\n"
        "main()\n"
    )
    blocked = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    normal = subprocess.run(
        [sys.executable, "-m", "linter.cli", "check", "--no-cache", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert "warning: tree-sitter-hcl is not available" in blocked.stderr
    assert "python-hcl2" in blocked.stderr
    assert "tree-sitter-hcl is not available" not in normal.stderr
    assert '"AKSB401"' in blocked.stdout
    assert json.loads(blocked.stdout)["findings"] == json.loads(normal.stdout)["findings"]


def test_a_file_of_many_broken_blocks_is_one_error_naming_how_much_is_left_out() -> None:
    """Past a few broken blocks the file is not narrowed down block by block any more."""
    broken = 'resource "x" "y" {\n  name "z"\n}\n\n'
    tree, error = hcl.parse(Path("generated.tf"), CLUSTER + "\n" + broken * 50)
    assert tree is not None and [b.labels[1] for b in tree.body.blocks] == ["aks"]
    assert error is not None and error.line == offset(CLUSTER) + 2
    assert error.skipped == 'resource "x" "y" and 49 more top-level blocks or attributes'
