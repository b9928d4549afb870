"""Where the repository is: output paths are relative to its root (SARIF ``%SRCROOT%``)."""

from __future__ import annotations

from pathlib import Path


def repo_root(start: Path) -> Path | None:
    """The enclosing git work tree, found by looking for ``.git`` upwards (no subprocess)."""
    current = start.resolve()
    if current.is_file():
        current = current.parent
    for directory in (current, *current.parents):
        if (directory / ".git").exists():
            return directory
    return None
