"""Finding the files to scan and classifying them by language (design: discover).

Only a cheap peek decides what a JSON file is; YAML files all go to the Kubernetes front end,
which ignores what is not a manifest. Symlinked directories are not followed (no loops), and
``.git``, ``.terraform``, ``.bicep`` and friends are skipped.

Nothing but regular files is ever opened: a FIFO named ``main.tf`` would block the run forever
and a device is not source code, so special files with a scanned file's name are skipped with a
message (``Discovery.skipped``). A directory that cannot be listed is a problem
(``Discovery.problems``): its files are unknown, so the run is incomplete (a tool error).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from linter.frontend import ARM, BICEP, KUBERNETES, TERRAFORM
from linter.globs import PathFilter
from linter.textfile import sniff

SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    ".terraform",
    ".bicep",  # the Bicep module cache (bicep restore): compiled registry modules, read through their callers
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".mypy_cache",
}
_ARM_SCHEMA = re.compile(r'"\$schema"\s*:\s*"[^"]*deployment(Template|Parameters)\.json', re.IGNORECASE)
_K8S_JSON = re.compile(r'"apiVersion"\s*:.*"kind"\s*:|"kind"\s*:.*"apiVersion"\s*:', re.DOTALL)


@dataclass
class Discovery:
    files: dict[str, list[Path]] = field(
        default_factory=lambda: {TERRAFORM: [], ARM: [], BICEP: [], KUBERNETES: []}
    )
    problems: list[tuple[Path, str]] = field(default_factory=list)  # unreadable paths
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # not checked, and why
    explicit: set[Path] = field(default_factory=set)  # files named on the command line

    def add(self, language: str, path: Path) -> None:
        self.files[language].append(path)


_SCANNED_SUFFIXES = (".tf", ".tfvars", ".bicep", ".bicepparam", ".yaml", ".yml", ".json", ".jsonc")


def special_file_kind(path: Path) -> str | None:
    """``"FIFO"``, ``"character device"``, ... for a path that is not a regular file or directory."""
    mode = _mode(path)
    return None if mode is None else _special_kind(mode)


def classify(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith((".tf", ".tfvars", ".tf.json", ".tfvars.json")):
        return TERRAFORM
    if name.endswith((".bicep", ".bicepparam")):
        return BICEP
    if name.endswith((".yaml", ".yml")):
        return KUBERNETES
    if (
        name.endswith((".json", ".jsonc"))
        and not name.endswith(".tf.json")
        and not name.endswith(".expect.json")
    ):
        try:
            with path.open("rb") as fh:
                head = sniff(fh.read(65536))  # UTF-8, or UTF-16 with a byte order mark
        except OSError:
            return None
        if _ARM_SCHEMA.search(head):
            return ARM
        if _K8S_JSON.search(head):
            return KUBERNETES
    return None


def discover(paths: list[Path], excluded: PathFilter | None = None) -> Discovery:
    """Walk ``paths``; an explicitly named file brings its directory along for context.

    ``excluded`` paths (``--exclude``, config ``exclude``) are neither scanned nor read; an
    excluded directory is not entered.

    Why ``os.scandir``, and real paths built from the walk's root: a warm scan of a few thousand
    files spent more time resolving each file's path component by component than reading its
    cache entries. A directory entry already knows whether it is a link and what kind of file it
    is, and a directory entered by the walk is never a link.
    """
    excluded = excluded or PathFilter((), Path.cwd())
    found = Discovery()
    seen: set[Path] = set()
    not_source: list[Path] = []  # named files of no scanned language

    def consider(p: Path, resolved: Path, mode: int | None, *, named: bool = False) -> None:
        if resolved in seen or excluded(p):
            return
        seen.add(resolved)
        special = None if mode is None else _special_kind(mode)
        if special is not None:
            if named or p.name.lower().endswith(_SCANNED_SUFFIXES):
                found.skipped.append((p, f"a {special}, not a regular file"))
            return
        language = classify(p)
        if language is not None:
            found.add(language, resolved)
        elif named:
            not_source.append(p)

    def walk(directory: Path, real_directory: Path) -> None:
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            found.problems.append((Path(e.filename or directory), e.strerror or str(e)))
            return
        subdirectories: list[Path] = []
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir():  # follows links: a linked directory is not entered (no loops)
                    if not entry.is_symlink() and name not in SKIP_DIRS:
                        path = Path(directory, name)
                        if not excluded(path):
                            subdirectories.append(path)
                    continue
                if not name.lower().endswith(_SCANNED_SUFFIXES):
                    continue  # no scanned language; a special file of that name is no concern
                link = entry.is_symlink()
                mode = entry.stat().st_mode  # follows links
            except OSError:
                continue  # a dangling link, or gone since listed
            path = Path(directory, name)
            resolved = Path(os.path.realpath(path)) if link else real_directory / name
            consider(path, resolved, mode)
        for subdirectory in subdirectories:
            walk(subdirectory, real_directory / subdirectory.name)  # not a link: entered as named

    for given in paths:
        if not given.exists():
            found.problems.append((given, "no such file or directory"))
            continue
        if not given.is_dir():
            found.explicit.add(given.resolve())
            consider(given, given.resolve(), _mode(given), named=True)
            if special_file_kind(given) is not None:
                continue
            for sibling in sorted(given.resolve().parent.iterdir()):  # context: the rest of the stack
                if sibling.is_file():
                    consider(sibling, sibling.resolve(), _mode(sibling))
            continue
        walk(given, given.resolve())
    if len(not_source) == len(found.explicit):  # said only when no named file can be checked
        found.skipped += [(p, "not a Terraform, Bicep, ARM or Kubernetes file") for p in not_source]
    return found


def _mode(path: Path) -> int | None:
    try:
        return path.stat().st_mode
    except OSError:
        return None


def _special_kind(mode: int) -> str | None:
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kinds = {
        stat.S_ISFIFO: "FIFO",
        stat.S_ISCHR: "character device",
        stat.S_ISBLK: "block device",
        stat.S_ISSOCK: "socket",
    }
    return next((name for test, name in kinds.items() if test(mode)), "special file")
