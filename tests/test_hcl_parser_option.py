"""``--hcl-parser`` and the config key ``hcl-parser`` choose the Terraform parser (issue 15).

The two parsers build the same tree (``test_hcl_differential.py``); what tells them apart from
outside is recovery: python-hcl2 reads nothing of a file with a syntax error, tree-sitter reads
every block but the broken one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_hcl_recovery import BROKEN as RECOVERY_CASES
from test_hcl_recovery import POLICY

from linter.options import Flags, UsageError, build_options

BROKEN = "\n".join((RECOVERY_CASES["missing ="][0], POLICY))


def rules_reported(directory: Path, *flags: str) -> list[str]:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "linter.cli",
            "check",
            "--no-cache",
            "--format",
            "json",
            *flags,
            str(directory),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return sorted({f["rule_id"] for f in json.loads(proc.stdout)["findings"]})


def test_flag_and_config_choose_the_parser(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(BROKEN)
    assert "AKSB401" in rules_reported(tmp_path)  # tree-sitter: the policy after the broken block
    assert rules_reported(tmp_path, "--hcl-parser", "python-hcl2") == ["AKSB000"]
    (tmp_path / ".aks-backup-lint.yaml").write_text("hcl-parser: python-hcl2\n")
    assert rules_reported(tmp_path) == ["AKSB000"]
    assert "AKSB401" in rules_reported(tmp_path, "--hcl-parser", "tree-sitter")  # the flag wins


def test_settings_show_the_parser(tmp_path: Path) -> None:
    assert build_options(Flags(), tmp_path).as_settings()["hcl-parser"] == "tree-sitter"
    (tmp_path / ".aks-backup-lint.yaml").write_text("hcl-parser: python-hcl2\n")
    assert build_options(Flags(), tmp_path).hcl_parser == "python-hcl2"


def test_an_unknown_parser_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--hcl-parser must be one of tree-sitter, python-hcl2"):
        build_options(Flags(hcl_parser="lark"), tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "linter.cli", "check", "--hcl-parser", "lark", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "--hcl-parser must be one of" in proc.stderr
    (tmp_path / ".aks-backup-lint.yaml").write_text("hcl-parser: lark\n")
    proc = subprocess.run(
        [sys.executable, "-m", "linter.cli", "check", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and ".aks-backup-lint.yaml:1: hcl-parser: 'lark' is not one of" in proc.stderr
