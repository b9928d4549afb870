"""Which directories make up the stack of a document, for the language server.

The engine's unit is a directory (a file named on the command line brings its directory along:
``linter.discover``): a Terraform module directory with its variable files, an ARM template
with its parameter file, a Bicep file with its parameter files, a manifest set. A directory that
another directory uses (a local Terraform module, a Bicep module, a kustomize base) is
evaluated through its callers, with the inputs they pass, exactly as a scan of the whole
workspace would evaluate it; so the stack of a document is its directory, or, when other
directories use it, the roots that use it (directly or through others).

The callers are found by a cheap text scan of the workspace's ``.tf``, ``.bicep`` and
kustomization files (``module "x" { source = "./..." }``, ``module x './...'``, kustomization
``resources``/``bases``/``components``), done once and refreshed per file as documents change.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from linter.discover import SKIP_DIRS

_TF_SOURCE = re.compile(r"""\bsource\s*=\s*"(\.{1,2}/[^"]*)\"""")
_BICEP_MODULE = re.compile(r"""^\s*module\s+\w+\s+'(\.{0,2}/?[^':]+)'""", re.MULTILINE)
_KUSTOMIZE_ENTRY = re.compile(
    r"""^\s*-\s*["']?(\.{1,2}/[^"'\s#]*|[\w.-][^"'\s#:]*)["']?\s*(?:#.*)?$""", re.MULTILINE
)
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
MAX_INDEXED_FILES = 20_000


def references(path: Path, text: str) -> set[Path]:
    """The directories ``path`` uses as local modules or bases (resolved), from its text."""
    name = path.name
    found: list[str] = []
    if name.endswith(".tf"):
        found = _TF_SOURCE.findall(text)
    elif name.endswith(".bicep"):
        found = [str(Path(m).parent) or "." for m in _BICEP_MODULE.findall(text)]
    elif name in KUSTOMIZATION_NAMES:
        found = [m for m in _KUSTOMIZE_ENTRY.findall(text) if "://" not in m]
    out: set[Path] = set()
    for entry in found:
        target = (path.parent / entry).resolve()
        if target.is_dir():
            out.add(target)
        elif target.is_file():
            out.add(target.parent)
    out.discard(path.parent.resolve())
    return out


class StackIndex:
    """Who uses which directory, across the workspace folders."""

    def __init__(self, roots: list[Path], excluded: Callable[[Path], bool] = lambda p: False) -> None:
        self.roots = [r.resolve() for r in roots]
        self.excluded = excluded
        self._uses: dict[Path, set[Path]] | None = None  # file -> directories it uses

    def _build(self) -> dict[Path, set[Path]]:
        uses: dict[Path, set[Path]] = {}
        count = 0
        for root in self.roots:
            for directory, dirs, files in os.walk(root):
                dirs[:] = sorted(
                    d for d in dirs if d not in SKIP_DIRS and not self.excluded(Path(directory, d))
                )
                for name in files:
                    if not (name.endswith((".tf", ".bicep")) or name in KUSTOMIZATION_NAMES):
                        continue
                    count += 1
                    if count > MAX_INDEXED_FILES:
                        return uses
                    path = Path(directory, name).resolve()
                    try:
                        text = path.read_text(encoding="utf-8", errors="replace")
                    except OSError:
                        continue
                    found = references(path, text)
                    if found:
                        uses[path] = found
        return uses

    @property
    def uses(self) -> dict[Path, set[Path]]:
        if self._uses is None:
            self._uses = self._build()
        return self._uses

    def update(self, path: Path, text: str) -> None:
        """``path`` now reads ``text`` (an edit, a save): refresh what it uses."""
        path = path.resolve()
        found = references(path, text)
        if found:
            self.uses[path] = found
        else:
            self.uses.pop(path, None)

    def callers(self, directory: Path) -> set[Path]:
        """Directories whose files use ``directory``."""
        return {f.parent for f, used in self.uses.items() if directory in used}

    def stack_of(self, document: Path) -> tuple[Path, ...]:
        """The directories to evaluate for ``document``: the roots among its directory and its
        (transitive) callers. A used directory is read through its callers, with their inputs,
        so a module and the configuration calling it share one stack."""
        start = document.resolve().parent
        seen = {start}
        todo = [start]
        roots = []
        while todo:
            current = todo.pop()
            callers = self.callers(current) - {current}
            if not callers:
                roots.append(current)
            for caller in callers:
                if caller not in seen:
                    seen.add(caller)
                    todo.append(caller)
        return tuple(sorted(roots or [start]))
