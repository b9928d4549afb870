#!/usr/bin/env python3
"""Check that a release can be tagged: ``python scripts/release_check.py 0.2.0``.

A release is three things that must agree, checked here before anyone runs ``git tag``:

* ``linter/__init__.py`` says ``__version__ = "0.2.0"`` (the wheel, ``--version`` and SARIF take
  it from there);
* ``CHANGELOG.md`` has a ``## 0.2.0 - YYYY-MM-DD`` section (the ``Unreleased`` notes, renamed);
* no tag ``v0.2.0`` exists yet, and the working tree is committed.

It prints the tag commands to run; it never tags or pushes. ``--root DIR`` checks another
checkout (the tests use it). Exit 0 when ready, 1 with the problems otherwise.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RELEASED = re.compile(r"^## (?P<version>\d+\.\d+\.\d+) - (?P<date>\d{4}-\d{2}-\d{2})\s*$", re.M)
VERSION = re.compile(r'^__version__ = "(?P<version>[^"]+)"', re.M)


def released_versions(changelog: str) -> list[str]:
    """Versions with a dated ``## X.Y.Z - YYYY-MM-DD`` heading, newest first."""
    return [m["version"] for m in RELEASED.finditer(changelog)]


def problems(root: Path, version: str) -> list[str]:
    out = []
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        return [f"{version!r} is not a version X.Y.Z"]
    found = VERSION.search((root / "linter" / "__init__.py").read_text(encoding="utf-8"))
    if not found or found["version"] != version:
        out.append(
            f"linter/__init__.py: __version__ is {found['version'] if found else 'missing'}, not {version}"
        )
    released = released_versions((root / "CHANGELOG.md").read_text(encoding="utf-8"))
    if not released or released[0] != version:
        out.append(f"CHANGELOG.md: the newest dated section must be '## {version} - YYYY-MM-DD'")
    if (root / ".git").exists():
        tags = _git(root, "tag", "--list", f"v{version}")
        if tags.strip():
            out.append(f"tag v{version} already exists")
        if _git(root, "status", "--porcelain", "--untracked-files=no").strip():
            out.append("the working tree has uncommitted changes")
    return out


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("version", help="the version to release, X.Y.Z")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to check")
    args = parser.parse_args()
    found = problems(args.root, args.version)
    for problem in found:
        print(f"release_check: {problem}", file=sys.stderr)
    if found:
        return 1
    v = args.version
    print(f"ready: git tag -a v{v} -m 'aks-backup-lint {v}' && git push origin v{v}")
    major = f"v{v.split('.')[0]}"
    print(f"then move the action's major tag: git tag -f {major} v{v}^{{}} && git push -f origin {major}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
