"""``check --fix`` on the fixtures: every rule that has a fix, in every language it fixes.

For each case the fixture is copied, the rule's findings are checked to carry fixes, ``--fix``
runs through the CLI, and then: the copy checks clean for that rule, the changed lines are
exactly the lines the fixes named, and every other byte of every file is unchanged. ``--diff``
on a fresh copy prints the same change and writes nothing.
"""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import pytest
from expectations import FIXTURES, REPO

from linter.commands import CheckArgs, run_check
from linter.engine import run
from linter.options import Flags, Options

#: (rule, fixture directory, path checked inside it: "" for the whole directory)
CASES = [
    ("AKSB001", "provider-versions/terraform/too-old", ""),
    ("AKSB001", "provider-versions/terraform/loose", ""),
    ("AKSB002", "provider-versions/terraform/retired-api", ""),
    ("AKSB201", "storage-account-invalid/terraform", ""),
    ("AKSB201", "storage-account-invalid/arm", ""),
    ("AKSB201", "storage-account-invalid/bicep", ""),
    ("AKSB401", "backup-frequency/terraform", ""),
    ("AKSB401", "backup-frequency/arm", ""),
    ("AKSB401", "backup-frequency/bicep", ""),
    ("AKSB402", "system-namespace/terraform", ""),
    ("AKSB402", "system-namespace/arm", ""),
    ("AKSB402", "system-namespace/bicep", ""),
    ("AKSB501", "volumes-stateful-app/kubernetes", "storage-classes.yaml"),
    ("AKSB501", "volumes-stateful-app/terraform", "storage.tf"),
    ("AKSB504", "volumes-stateful-app/kubernetes", "static-volumes.yaml"),
    ("AKSB504", "manifests-list/kubernetes", "volumes-export.yaml"),
]


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def changed_lines(old: str, new: str) -> set[int]:
    """1-based lines of ``old`` that the change replaces or deletes (an insertion counts the line
    it is inserted before)."""
    out: set[int] = set()
    matcher = difflib.SequenceMatcher(a=old.splitlines(), b=new.splitlines(), autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag != "equal":
            out.update(range(i1 + 1, max(i2, i1 + 1) + 1))
    return out


def test_every_rule_with_a_fix_has_a_case() -> None:
    """A rule that attaches a fix (``fix=`` in its module) has a case here, and the other way round."""
    with_fix = {
        re.search(r"aksb\d{3}", p.name).group().upper()  # type: ignore[union-attr]
        for p in (REPO / "policies").rglob("aksb*.py")
        if "fix=" in p.read_text(encoding="utf-8")
    }
    assert with_fix == {rule for rule, _, _ in CASES}


@pytest.mark.parametrize(("rule", "fixture", "target"), CASES, ids=lambda v: v or "-")
def test_fix_makes_the_copy_clean_for_the_rule(rule: str, fixture: str, target: str, tmp_path: Path) -> None:
    copy = tmp_path / Path(fixture).name
    shutil.copytree(FIXTURES / fixture, copy)
    path = copy / target if target else copy
    before_files = files_of(copy)

    before = [f for f in run([path], Options(use_cache=False)).active if f.rule_id == rule]
    assert before, f"{fixture}: no {rule} finding to fix"
    assert all(f.fix is not None for f in before), [
        f"{f.span.line}:{f.span.column}" for f in before if not f.fix
    ]
    fixed_lines: dict[str, set[int]] = {}
    for f in before:
        assert f.fix is not None
        for edit in f.fix.edits:
            where = Path(edit.span.file).relative_to(copy).as_posix()
            fixed_lines.setdefault(where, set()).update(range(edit.span.line, edit.span.end_line + 1))

    code = run_check(CheckArgs(paths=[path], flags=Flags(no_cache=True), fix=True, quiet=True, color=False))
    assert code in (0, 1)

    after = [f for f in run([path], Options(use_cache=False)).active if f.rule_id == rule]
    assert after == [], [f"{f.span.line}:{f.span.column} {f.message}" for f in after]
    after_files = files_of(copy)
    assert set(after_files) == set(before_files)
    for name, old in before_files.items():
        new = after_files[name]
        if name not in fixed_lines:
            assert new == old, f"{name} changed but no fix was in it"
            continue
        assert new != old
        lines = changed_lines(old.decode("utf-8-sig"), new.decode("utf-8-sig"))
        assert lines and lines <= fixed_lines[name] | {max(fixed_lines[name]) + 1}, (name, lines)


@pytest.mark.parametrize(("rule", "fixture", "target"), CASES[:1] + CASES[-1:], ids=lambda v: v or "-")
def test_diff_writes_nothing(
    rule: str, fixture: str, target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / Path(fixture).name
    shutil.copytree(FIXTURES / fixture, copy)
    path = copy / target if target else copy
    before = files_of(copy)
    code = run_check(CheckArgs(paths=[path], flags=Flags(no_cache=True), diff=True, quiet=True, color=False))
    out = capsys.readouterr().out
    assert code == 1
    assert files_of(copy) == before
    assert out.startswith("--- a/") and "\n+++ b/" in out
    removed = [line for line in out.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in out.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert added and len(removed) <= len(added)
