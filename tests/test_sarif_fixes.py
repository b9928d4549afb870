"""SARIF ``fixes``: a finding's fix as ``artifactChanges`` with ``replacements`` that reproduce
exactly what ``check --fix`` writes; schema-valid, and clean under the Multitool's GitHub rules
(network: CI runs it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from expectations import FIXTURES
from sarif_schema import assert_valid_sarif

from linter.commands import CheckArgs, run_check
from linter.engine import run
from linter.options import Flags, Options
from linter.reporters import render

ROOT = Path(__file__).resolve().parents[1]
#: one scenario per kind of edit: replace a value, remove a list element (its whole line in
#: Bicep), insert a YAML key
SCENARIOS = ("storage-account-invalid", "system-namespace", "volumes-stateful-app", "backup-frequency")


def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for name in SCENARIOS:
        shutil.copytree(FIXTURES / name, root / name)
    (root / ".git").mkdir()  # paths relative to the repository root, as on GitHub
    return root


def sarif_of(root: Path) -> dict:
    cwd = Path.cwd()
    os.chdir(root)
    try:
        return assert_valid_sarif(render("sarif", run([root], Options(use_cache=False))))
    finally:
        os.chdir(cwd)


def apply_replacements(text: str, replacements: list[dict]) -> str:
    """Apply SARIF replacements (1-based lines, code-point columns, end exclusive) bottom-up."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    spans = sorted(
        (
            (
                offset(r["deletedRegion"]["startLine"], r["deletedRegion"]["startColumn"]),
                offset(r["deletedRegion"]["endLine"], r["deletedRegion"]["endColumn"]),
                r.get("insertedContent", {}).get("text", ""),
            )
            for r in replacements
        ),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def test_fixes_are_exact_replacements_that_match_check_fix(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    log = sarif_of(root)
    results = [r for r in log["runs"][0]["results"] if "fixes" in r]
    assert {r["ruleId"] for r in results} == {"AKSB201", "AKSB401", "AKSB402", "AKSB501", "AKSB504"}
    by_file: dict[str, list[dict]] = {}
    for r in results:
        (fix,) = r["fixes"]
        assert fix["description"]["text"]
        (change,) = fix["artifactChanges"]
        location = change["artifactLocation"]
        assert location["uriBaseId"] == "%SRCROOT%" and not location["uri"].startswith(("/", ".."))
        assert location["uri"] == r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for replacement in change["replacements"]:
            region = replacement["deletedRegion"]
            assert {"startLine", "startColumn", "endLine", "endColumn"} <= set(region)
        by_file.setdefault(location["uri"], []).extend(change["replacements"])
    insertion = [
        rep
        for reps in by_file.values()
        for rep in reps
        if (rep["deletedRegion"]["startLine"], rep["deletedRegion"]["startColumn"])
        == (rep["deletedRegion"]["endLine"], rep["deletedRegion"]["endColumn"])
    ]
    assert insertion, "the static-volume fix inserts storageClassName"

    expected = {uri: apply_replacements((root / uri).read_text(), reps) for uri, reps in by_file.items()}
    code = run_check(CheckArgs(paths=[root], flags=Flags(no_cache=True), fix=True, quiet=True, color=False))
    assert code in (0, 1)
    for uri, text in expected.items():
        assert (root / uri).read_text() == text, uri


def test_multitool_github_rules_accept_fixes(tmp_path: Path) -> None:
    """The Microsoft SARIF Multitool (npm) reports no error on a log with fixes."""
    if os.environ.get("AKSB_SKIP_MULTITOOL") or not shutil.which("npm"):
        pytest.skip("npm not available")
    log = sarif_of(workspace(tmp_path))
    assert any("fixes" in r for r in log["runs"][0]["results"])
    path = tmp_path / "fixes.sarif"
    path.write_text(json.dumps(log))
    script = ROOT / "scripts/ci/sarif_multitool.sh"
    proc = subprocess.run([str(script), str(path)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ": warning " not in proc.stdout, proc.stdout


test_multitool_github_rules_accept_fixes = pytest.mark.network(test_multitool_github_rules_accept_fixes)
