"""Canonical paths (symbolic links followed) for the files of one run, each directory asked once.

Why: front ends key everything on resolved paths, and ``Path.resolve`` asks the file system about
every component of every path. On a warm scan of a few thousand files that cost more than
reading their cache entries. The files of a scan share directories, so a directory's real path
is worked out once, from its parent's, and a file costs one ``lstat`` (is it a link?).

One ``RealPaths`` lives for one run (``LoadContext.real_paths``): a link changed between two
runs of a language server is seen by the next run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


class RealPaths:
    """``Path.resolve`` for many paths, with the real path of each directory remembered."""

    def __init__(self) -> None:
        self._directories: dict[str, str] = {}
        self._files: dict[str, Path] = {}

    def file(self, path: Path | str) -> Path:
        """``Path(path).resolve()``: absolute, links followed (also when the file is a link)."""
        text = os.fspath(path)
        found = self._files.get(text)
        if found is None:
            found = self._files[text] = self._resolve(text)
        return found

    def _resolve(self, text: str) -> Path:
        if ".." in text.replace(os.sep, "/").split("/"):
            return Path(os.path.realpath(text))  # ".." after a link is not lexical: ask the system
        head, name = os.path.split(os.path.abspath(text))
        if not name:
            return Path(self.directory(head))
        candidate = os.path.join(self.directory(head), name)
        return Path(os.path.realpath(candidate) if os.path.islink(candidate) else candidate)

    def files(self, paths: Iterable[Path]) -> list[Path]:
        """Each of ``paths`` resolved, sorted, once."""
        return sorted({self.file(p) for p in paths})

    def directory(self, path: str) -> str:
        """The real path of the absolute, normalised directory path ``path``."""
        found = self._directories.get(path)
        if found is None:
            parent, name = os.path.split(path)
            if not name or parent == path:
                found = path  # the root
            else:
                candidate = os.path.join(self.directory(parent), name)
                found = os.path.realpath(candidate) if os.path.islink(candidate) else candidate
            self._directories[path] = found
        return found


__all__ = ["RealPaths"]
