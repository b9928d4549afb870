"""Test-session rules: no network unless asked, and nothing written outside the temp directory.

``python -m pytest`` (the README's command) must be safe on a laptop: tests marked ``network``
(the real ``pre-commit try-repo``, the SARIF Multitool from npm, building a wheel with an isolated
build backend) are deselected, and reported as such, unless the run opts in with
``--run-network`` (what ``.ci/run`` does). Every run, in-process or in a subprocess, keeps its
parse cache and pre-commit's environments under the session's temporary directory, the
hypothesis example database is off and nothing writes byte code, so neither ``~/.cache`` nor the
checkout gains files (``tests/test_test_setup.py`` checks that by running pytest). All of it lives
in one directory under the system's temporary directory, removed when the session ends.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

NETWORK_OPT_IN = "--run-network"

# Set at import, before collection: hypothesis records constants while collecting test modules.
SESSION_DIR = Path(tempfile.mkdtemp(prefix="aks-backup-lint-tests-"))
atexit.register(shutil.rmtree, SESSION_DIR, ignore_errors=True)
os.environ["AKS_BACKUP_LINT_CACHE_DIR"] = str(SESSION_DIR / "aks-backup-lint")  # the parse cache
os.environ["PRE_COMMIT_HOME"] = str(SESSION_DIR / "pre-commit")
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"  # subprocesses
sys.dont_write_bytecode = True
set_hypothesis_home_dir(SESSION_DIR / "hypothesis")
settings.register_profile("aks-backup-lint", database=None)
settings.load_profile("aks-backup-lint")


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
