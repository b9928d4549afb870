"""A path that cannot be read makes the run incomplete: exit code 2 and visible in every format.

An unreadable directory used to lose its findings silently: ``0 errors``, JSON ``"tool_error":
false``, exit 0. Permission bits do not stop root (CI containers often run as root), so the main
test makes the directory unlistable the way the operating system reports it to ``os.walk``: a
``PermissionError`` from ``os.scandir``. The second test uses real permissions where they apply.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from linter.commands import CheckArgs, run_check

REPO = Path(__file__).resolve().parents[1]
REGION = REPO / "fixtures" / "region-mismatch" / "terraform"


def scan_tree(tmp_path: Path) -> tuple[Path, Path]:
    """``tree/ok`` with findings and ``tree/locked`` (a copy of the same stack) to be unreadable."""
    tree = tmp_path / "tree"
    shutil.copytree(REGION, tree / "ok")
    shutil.copytree(REGION, tree / "locked")
    (tmp_path / "out").mkdir()
    return tree, tree / "locked"


def make_unlistable(directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Listing ``directory`` fails as it does without read permission (what ``os.walk`` sees)."""
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:
        if Path(os.fsdecode(path)).resolve() == directory.resolve():  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", os.fsdecode(path))  # type: ignore[arg-type]
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)


def test_unlistable_directory_is_a_tool_error_in_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tree, locked = scan_tree(tmp_path)
    make_unlistable(locked, monkeypatch)
    out = tmp_path / "out"
    code = run_check(
        CheckArgs(
            paths=[tree],
            outputs=[
                "text:-",
                f"json:{out / 'r.json'}",
                f"sarif:{out / 'r.sarif'}",
                f"junit:{out / 'r.xml'}",
                f"gitlab:{out / 'gl.json'}",
                f"github:{out / 'gh.txt'}",
            ],
            color=False,
        )
    )
    stdout, stderr = capsys.readouterr()
    assert code == 2
    assert f"aks-backup-lint: error: {locked}: Permission denied" in stderr
    assert "error AKSB101" in stdout, "what could be read is still reported"
    assert ", 0 notes, 1 tool error in " in stdout.splitlines()[-1]

    report = json.loads((out / "r.json").read_text())
    assert report["summary"]["tool_error"] is True
    assert any("Permission denied" in n["message"] and n["level"] == "error" for n in report["notifications"])

    invocation = json.loads((out / "r.sarif").read_text())["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert any("Permission denied" in n["message"]["text"] for n in invocation["toolExecutionNotifications"])

    suite = ET.parse(out / "r.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("errors") == "1"
    assert any("Permission denied" in e.get("message", "") for e in suite.iter("error"))

    gitlab = json.loads((out / "gl.json").read_text())
    assert any(i["check_name"] == "tool-error" and i["severity"] == "blocker" for i in gitlab)

    assert "::error title=aks-backup-lint::" in (out / "gh.txt").read_text()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads every directory")
def test_directory_without_read_permission_exits_2(tmp_path: Path) -> None:
    tree, locked = scan_tree(tmp_path)
    locked.chmod(0)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "linter.cli", "check", str(tree), "-f", "json"],
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        locked.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert json.loads(result.stdout)["summary"]["tool_error"] is True


def test_an_incomplete_run_writes_no_baseline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tree, locked = scan_tree(tmp_path)
    make_unlistable(locked, monkeypatch)
    baseline = tmp_path / "out" / "baseline.json"
    assert run_check(CheckArgs(paths=[tree], write_baseline=baseline)) == 2
    assert not baseline.exists()
    assert "not written, the run was incomplete" in capsys.readouterr().err
