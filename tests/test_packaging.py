"""What the wheel ships: the problem matcher (``aks-backup-lint matcher-path``) and the data the
linter reads at run time. ``matchers/`` used to sit outside the package, so the documented
``::add-matcher::`` only worked inside this repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_the_matcher_is_package_data() -> None:
    """Without a build: the file lives in the package and pyproject declares it as package data."""
    import tomllib

    assert (REPO / "linter" / "matchers" / "aks-backup-lint.json").is_file()
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "matchers/*.json" in data["tool"]["setuptools"]["package-data"]["linter"]


@pytest.mark.network
def test_the_wheel_ships_the_problem_matcher(tmp_path: Path) -> None:
    """Build the wheel as pip does (isolated build backend from the package index) and list it."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for package in ("linter", "policies"):
        shutil.copytree(REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = dist.glob("aks_backup_lint-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "linter/matchers/aks-backup-lint.json" in names
    assert {"linter/schemas/config.schema.json", "linter/schemas/report.schema.json"} <= names
    assert any(n.startswith("policies/data/matrix/") and n.endswith(".json") for n in names)
