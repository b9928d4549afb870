"""Path globs as the config file and ``--exclude`` write them.

``*`` and ``?`` stay within a directory, ``**`` crosses directories, a pattern without ``/``
matches at any depth, and a pattern naming a directory covers everything under it. Paths are
matched relative to a base directory (the config file's, or the current directory).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence
from pathlib import Path


@functools.lru_cache(maxsize=256)
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    p = pattern[2:] if pattern.startswith("./") else pattern
    out, i = "", 0
    while i < len(p):
        if p.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif p.startswith("**", i):
            out += ".*"
            i += 2
        elif p[i] == "*":
            out += "[^/]*"
            i += 1
        elif p[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(p[i])
            i += 1
    if "/" not in p.rstrip("/"):
        out = "(?:.*/)?" + out
    if p.endswith("/"):
        out += ".*"
    return re.compile(out + "(?:/.*)?$")


def path_matches(path: str, pattern: str) -> bool:
    """``path`` (relative, forward slashes) matches ``pattern``."""
    return bool(glob_to_regex(pattern).match(path))


class PathFilter:
    """``True`` for paths matched by any pattern, relative to ``base``."""

    def __init__(self, patterns: Sequence[str], base: Path) -> None:
        self.patterns = tuple(p for p in patterns if p.strip())
        self.base = base.resolve()

    def __call__(self, path: Path) -> bool:
        if not self.patterns:
            return False
        rel = Path(os.path.relpath(Path(path).resolve(), self.base)).as_posix()
        return any(path_matches(rel, p) for p in self.patterns)
