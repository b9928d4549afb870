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
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kinds = {
        stat.S_ISFIFO: "FIFO",
        stat.S_ISCHR: "character device",
        stat.S_ISBLK: "block device",
        stat.S_ISSOCK: "socket",
    }
    return next((name for test, name in kinds.items() if test(mode)), "special file")


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
    """
    excluded = excluded or PathFilter((), Path.cwd())
    found = Discovery()
    seen: set[Path] = set()
    not_source: list[Path] = []  # named files of no scanned language

    def consider(p: Path, *, named: bool = False) -> None:
        rp = p.resolve()
        if rp in seen or excluded(p):
            return
        seen.add(rp)
        special = special_file_kind(p)
        if special is not None:
            if named or p.name.lower().endswith(_SCANNED_SUFFIXES):
                found.skipped.append((p, f"a {special}, not a regular file"))
            return
        language = classify(p)
        if language is not None:
            found.add(language, rp)
        elif named:
            not_source.append(p)

    for given in paths:
        if not given.exists():
            found.problems.append((given, "no such file or directory"))
            continue
        if not given.is_dir():
            found.explicit.add(given.resolve())
            consider(given, named=True)
            if special_file_kind(given) is not None:
                continue
            for sibling in sorted(given.resolve().parent.iterdir()):  # context: the rest of the stack
                if sibling.is_file():
                    consider(sibling)
            continue
        for root, dirs, files in os.walk(
            given, onerror=lambda e: found.problems.append((Path(e.filename or "?"), e.strerror or str(e)))
        ):
            dirs[:] = sorted(
                d
                for d in dirs
                if d not in SKIP_DIRS and not Path(root, d).is_symlink() and not excluded(Path(root, d))
            )
            for name in sorted(files):
                p = Path(root, name)
                if p.is_symlink() and not p.exists():
                    continue
                consider(p)
    if len(not_source) == len(found.explicit):  # said only when no named file can be checked
        found.skipped += [(p, "not a Terraform, Bicep, ARM or Kubernetes file") for p in not_source]
    return found
