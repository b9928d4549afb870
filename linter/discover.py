"""Finding the files to scan and classifying them by language (design: discover).

Only a cheap peek decides what a JSON file is; YAML files all go to the Kubernetes front end,
which ignores what is not a manifest. Symlinked directories are not followed (no loops), and
``.git``, ``.terraform`` and friends are skipped.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from linter.globs import PathFilter
from linter.stack import ARM, BICEP, KUBERNETES, TERRAFORM

SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    ".terraform",
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
    explicit: set[Path] = field(default_factory=set)  # files named on the command line

    def add(self, language: str, path: Path) -> None:
        self.files[language].append(path)


def classify(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith((".tf", ".tfvars")):
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
                head = fh.read(65536).decode("utf-8", "replace")
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

    def consider(p: Path) -> None:
        rp = p.resolve()
        if rp in seen or excluded(p):
            return
        seen.add(rp)
        language = classify(p)
        if language is not None:
            found.add(language, rp)

    for given in paths:
        if not given.exists():
            found.problems.append((given, "no such file or directory"))
            continue
        if given.is_file():
            found.explicit.add(given.resolve())
            consider(given)
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
    return found
