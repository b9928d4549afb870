"""A real editor as the client: headless Neovim attaches ``aks-backup-lint lsp`` to a fixture
file and writes the diagnostics it received; they must be the findings ``check`` reports for
that file (rule, range, severity, documentation link, message).

Needs ``nvim`` (Debian package ``neovim``; ``.ci/run`` installs it). Where it is missing the test
is skipped with that reason, never passed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from expectations import FIXTURES

from linter.engine import run
from linter.options import Options
from policies import load_builtin_rules

SCRIPT = Path(__file__).resolve().parent / "editors" / "nvim_diagnostics.lua"
NVIM = shutil.which("nvim")
SEVERITY = {"error": 1, "warning": 2, "note": 4}


@pytest.mark.skipif(NVIM is None, reason="nvim is not installed (Debian package 'neovim'; CI installs it)")
def test_neovim_receives_the_findings_of_check(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(FIXTURES / "region-mismatch" / "terraform", root)
    main = root / "main.tf"
    out = tmp_path / "diagnostics.txt"
    env = dict(os.environ)
    env.update(
        AKSB_OUT=str(out),
        AKSB_ROOT=str(root),
        AKSB_LSP_CMD="\t".join([sys.executable, "-m", "linter.cli", "lsp"]),
        PYTHONPATH=str(Path(__file__).resolve().parents[1]) + os.pathsep + env.get("PYTHONPATH", ""),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    assert NVIM is not None
    proc = subprocess.run(
        [NVIM, "--headless", "--clean", "-i", "NONE", "-n", str(main), "-c", f"luafile {SCRIPT}"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert out.exists(), proc.stdout + proc.stderr
    received = out.read_text().splitlines()

    help_uris = {r.spec.id: r.spec.help_uri for r in load_builtin_rules()}
    findings = [f for f in run([root], Options()).active if Path(f.span.file) == main.resolve()]
    expected = sorted(
        f"{f.rule_id} {f.span.line}:{f.span.column}-{f.span.end_line}:{f.span.end_column} "
        f"{SEVERITY[f.severity.value]} {help_uris[f.rule_id]} | {f.message}"
        for f in findings
    )
    assert len(expected) == 2
    assert received == expected
