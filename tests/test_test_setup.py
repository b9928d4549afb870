"""The README's ``python -m pytest`` is safe to run anywhere (issue 16).

It used to npm-install a 104 MB SARIF Multitool into ``~/.cache`` because network tests ran by
default, and the parse cache of every CLI test landed in the user's cache directory. Now network
tests run only with ``--run-network`` (``.ci/run`` passes it) and a run writes only under its
temporary directory. Both are checked by running pytest itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NETWORK_TESTS = (
    "test_pre_commit_try_repo",
    "test_multitool_script_rejects_and_accepts",
    "test_the_wheel_ships_the_problem_matcher",
)


def pytest_run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=REPO,
        env=env or dict(os.environ),
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_network_tests_run_only_when_asked() -> None:
    files = ("tests/test_integrations.py", "tests/test_sarif.py", "tests/test_packaging.py")
    default = pytest_run("--collect-only", "-q", *files)
    assert default.returncode == 0, default.stdout + default.stderr
    assert not [name for name in NETWORK_TESTS if name in default.stdout], default.stdout
    assert f"{len(NETWORK_TESTS)} deselected" in default.stdout
    opted_in = pytest_run("--collect-only", "-q", "--run-network", *files)
    assert all(name in opted_in.stdout for name in NETWORK_TESTS), opted_in.stdout


def untracked_files() -> set[str]:
    listing = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return {line[3:] for line in listing.stdout.splitlines() if line.startswith(("??", "!!"))}


def test_a_default_run_writes_nothing_outside_its_temporary_directory(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("AKS_BACKUP_LINT_CACHE_DIR", "XDG_CACHE_HOME")}
    env |= {"HOME": str(home), "PYTHONPATH": str(REPO)}
    before = untracked_files()
    run = pytest_run(
        "-q",
        f"--basetemp={tmp_path / 'pytest'}",
        "tests/test_cli.py::test_check_fixtures_reports_findings_relative_to_cwd",
        "tests/test_fuzz_parsers.py",
        env=env,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert sorted(p.relative_to(home).as_posix() for p in home.rglob("*")) == []
    assert untracked_files() - before == set()
