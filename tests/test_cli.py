"""The CLI as a user runs it: a real process, real fixtures, documented exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from linter import __version__

REPO = Path(__file__).resolve().parents[1]


def cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from linter.cli import main; main()", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_version() -> None:
    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"aks-backup-lint {__version__}"


def test_check_fixtures_reports_findings_relative_to_cwd() -> None:
    result = cli("check", "fixtures/region-mismatch/terraform", "--no-color")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("fixtures/region-mismatch/terraform/main.tf:8:3: error AKSB102 ")
    assert lines[0].endswith("[storage-cluster-region-mismatch]")
    assert "files scanned" in lines[-1] and "2 errors" in lines[-1]


def test_quiet_drops_the_summary() -> None:
    result = cli("check", "fixtures/region-mismatch/terraform", "--quiet")
    assert "files scanned" not in result.stdout
    assert "AKSB101" in result.stdout


def test_clean_configuration_exits_zero() -> None:
    result = cli("check", "fixtures/complete/terraform")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("fail_on", "code"), [("error", 0), ("warning", 1), ("never", 0)])
def test_fail_on_threshold(fail_on: str, code: int) -> None:
    result = cli("check", "fixtures/provider-versions/terraform/loose", "--fail-on", fail_on)
    assert result.returncode == code, result.stdout


def test_json_output_is_parseable_and_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = cli("check", "fixtures/backup-frequency/terraform", "--format", "json", "--output", str(out))
    assert result.returncode == 1
    data = json.loads(out.read_text())
    rules = sorted(f["rule_id"] for f in data["findings"])
    assert rules == ["AKSB401", "AKSB401"]


def test_check_without_path_scans_the_current_directory() -> None:
    result = cli("check", cwd=REPO / "fixtures" / "service-principal" / "terraform")
    assert result.returncode == 1
    assert result.stdout.startswith("main.tf:21:3: error AKSB301")


@pytest.mark.parametrize(
    "args",
    [
        ("check", "does-not-exist"),
        ("check", "fixtures", "--fail-on", "sometimes"),
        ("check", "fixtures", "--format", "yaml"),
        ("check", "fixtures", "--matrix", "1999-01"),
        ("check", "fixtures", "--select", "AKSB999"),
        ("check", "fixtures", "--param-file", "no-equals-sign"),
        ("explain", "AKSB999"),
        ("check", "--no-such-option"),
    ],
)
def test_usage_errors_exit_2_without_traceback(args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_rules_lists_every_registered_rule() -> None:
    result = cli("rules", "--format", "json")
    rows = json.loads(result.stdout)
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids) and "AKSB102" in ids and "AKSB000" in ids
    text = cli("rules").stdout
    assert "storage-cluster-region-mismatch" in text


def test_explain_by_id_and_by_slug() -> None:
    by_id = cli("explain", "AKSB102")
    by_slug = cli("explain", "storage-cluster-region-mismatch")
    assert by_id.returncode == 0 and by_id.stdout == by_slug.stdout
    assert "same region as the AKS cluster" in by_id.stdout


def test_directory_without_infrastructure_code_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    result = cli("check", str(tmp_path))
    assert result.returncode == 0
    assert "no Terraform, Bicep, ARM or Kubernetes files found" in result.stderr


def test_explicit_file_reports_what_it_causes_and_loads_its_module() -> None:
    """pre-commit passes changed files: a finding is kept when its primary or a related location
    is in one of them (the cluster's region, written in the tfvars, explains both mismatches)."""
    result = cli("check", "fixtures/region-mismatch/terraform/terraform.tfvars", "--quiet")
    assert result.returncode == 1, result.stdout
    assert "main.tf:8:3: error AKSB102" in result.stdout and "main.tf:50:3: error AKSB101" in result.stdout
    result = cli("check", "fixtures/region-mismatch/terraform/versions.tf", "--quiet")
    assert result.returncode == 0 and result.stdout == "", result.stdout
    result = cli("check", "fixtures/region-mismatch/terraform/main.tf", "--quiet")
    assert "terraform.tfvars" not in result.stdout.split("\n")[0]
    assert "AKSB101" in result.stdout and "AKSB102" in result.stdout
