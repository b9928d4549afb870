"""Releases: the docs reference only versions that exist, and a release is checked before tagging.

The docs told users ``rev: v0.1.0`` and ``@v0`` while the repository had no tags, so both failed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from release_check import released_versions  # noqa: E402

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
#: ``rev: v1.2.3`` (pre-commit) and ``aks-backup-lint/aks-backup-lint@v1`` (the action)
TAG_REFERENCE = re.compile(r"(?:\brev:\s*|aks-backup-lint@)v(\d+(?:\.\d+){0,2})\b")


def test_docs_reference_only_released_versions() -> None:
    released = released_versions((REPO / "CHANGELOG.md").read_text(encoding="utf-8"))
    allowed = set(released) | {v.split(".")[0] for v in released}  # v1.2.3 and the major tag v1
    referenced = {
        (doc.relative_to(REPO).as_posix(), m.group(1))
        for doc in DOCS
        for m in TAG_REFERENCE.finditer(doc.read_text(encoding="utf-8"))
    }
    assert {(doc, v) for doc, v in referenced if v not in allowed} == set()


def test_the_release_process_is_documented() -> None:
    text = (REPO / "docs" / "integrations.md").read_text(encoding="utf-8")
    assert "## Releases" in text and "scripts/release_check.py" in text


def release_check(root: Path, version: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "scripts" / "release_check.py"), version, "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    (tmp_path / "linter").mkdir()
    shutil.copy(REPO / "linter" / "__init__.py", tmp_path / "linter" / "__init__.py")
    shutil.copy(REPO / "CHANGELOG.md", tmp_path / "CHANGELOG.md")
    return tmp_path


def test_an_unreleased_changelog_is_not_ready(checkout: Path) -> None:
    from linter import __version__

    result = release_check(checkout, __version__)
    assert result.returncode == 1
    assert f"'## {__version__} - YYYY-MM-DD'" in result.stderr


def test_a_dated_section_and_a_matching_version_are_ready(checkout: Path) -> None:
    from linter import __version__

    changelog = checkout / "CHANGELOG.md"
    text = changelog.read_text()
    changelog.write_text(
        re.sub(r"^## .*unreleased.*$", f"## {__version__} - 2026-12-04", text, count=1, flags=re.M | re.I)
    )
    ready = release_check(checkout, __version__)
    assert ready.returncode == 0, ready.stderr
    assert f"git tag -a v{__version__} " in ready.stdout
    assert release_check(checkout, "9.9.9").returncode == 1
