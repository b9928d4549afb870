"""pre-commit sees what a changed file causes (issue 10, item 5).

pre-commit passes only the changed files. A finding is kept when its primary location or any
related location is in one of them: moving the cluster to another region in ``terraform.tfvars``
is reported at the vault in ``main.tf``, because the cluster's region (written in the tfvars) is
a related location of that finding.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from linter.engine import run
from linter.options import Options

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


def consumer(tmp_path: Path) -> Path:
    """The region-mismatch configuration, with the cluster first in the vault's region (clean)."""
    repo = tmp_path / "consumer"
    shutil.copytree(FIXTURES / "region-mismatch" / "terraform", repo / "infra")
    (repo / "infra" / "terraform.tfvars").write_text('location = "northeurope"\n')
    return repo


def moved(repo: Path) -> Path:
    tfvars = repo / "infra" / "terraform.tfvars"
    tfvars.write_text('location = "westeurope"\n')
    return tfvars


def test_a_tfvars_only_change_reports_what_it_causes(tmp_path: Path) -> None:
    repo = consumer(tmp_path)
    tfvars = repo / "infra" / "terraform.tfvars"
    assert [f for f in run([tfvars], Options()).active if f.rule_id.startswith("AKSB10")] == []
    moved(repo)
    found = sorted(
        (Path(f.span.file).name, f.rule_id)
        for f in run([tfvars], Options()).active
        if f.rule_id.startswith("AKSB10")
    )
    assert ("main.tf", "AKSB101") in found and ("main.tf", "AKSB102") in found


def test_only_findings_that_touch_the_named_files_are_kept(tmp_path: Path) -> None:
    repo = consumer(tmp_path)
    moved(repo)
    versions = repo / "infra" / "versions.tf"
    assert run([versions], Options()).active == []


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.mark.network
def test_pre_commit_try_repo_on_a_staged_tfvars_change(tmp_path: Path) -> None:
    """The real pre-commit client, the real hook, a commit that changes only terraform.tfvars."""
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
    assert Path(pre_commit).exists(), "pre-commit is part of the test extra"
    repo = consumer(tmp_path)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "infra in northeurope")
    moved(repo)
    git(repo, "add", "infra/terraform.tfvars")
    env = dict(os.environ) | {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [pre_commit, "try-repo", str(ROOT), "aks-backup-lint"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert re.search(r"^infra/main\.tf:\d+:\d+: error AKSB101 ", proc.stdout, re.M), proc.stdout
