"""Test-session rules: no network unless asked, and nothing written outside the temp directory.

``python -m pytest`` (the README's command) must be safe on a laptop: tests marked ``network``
(the real ``pre-commit try-repo``, the SARIF Multitool from npm, building a wheel with an isolated
build backend) are deselected, and reported as such, unless the run opts in with
``--run-network`` (what ``.ci/run`` does). Every run, in-process or in a subprocess, keeps its
parse cache and pre-commit's environments under the session's temporary directory, the
hypothesis example database is off and nothing writes byte code, so neither ``~/.cache`` nor the
checkout gains files.
"""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import settings

NETWORK_OPT_IN = "--run-network"

settings.register_profile("aks-backup-lint", database=None)
settings.load_profile("aks-backup-lint")
sys.dont_write_bytecode = True
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        NETWORK_OPT_IN,
        action="store_true",
        default=False,
        help="also run tests marked 'network' (they use package registries: pre-commit, npm, pip)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption(NETWORK_OPT_IN):
        return
    network = [item for item in items if item.get_closest_marker("network")]
    if network:
        config.hook.pytest_deselected(items=network)
        items[:] = [item for item in items if not item.get_closest_marker("network")]


@pytest.fixture(scope="session", autouse=True)
def private_cache_dirs(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The parse cache and pre-commit's home live in this session's temporary directory."""
    root = tmp_path_factory.mktemp("user-cache")
    os.environ["AKS_BACKUP_LINT_CACHE_DIR"] = str(root / "aks-backup-lint")
    os.environ["PRE_COMMIT_HOME"] = str(root / "pre-commit")
