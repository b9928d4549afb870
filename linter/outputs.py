"""Where reports go: ``--output``/``-o`` targets parsed and checked before the run, written after.

One rule for every file the linter writes (reports, ``graph --output``, ``--write-baseline``):
``-`` is standard output; the file's directory must already exist (nothing is created behind
the user's back); a directory, a missing directory or a failed write is a usage error with the
path in the message (exit 2), never a traceback. Checking before the run means a typo in an
output path costs nothing, not a whole scan.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from linter.options import UsageError

STDOUT = "-"
#: ``NAME:`` before a file is a format when it looks like one; ``C:\\report.txt`` (one letter) is a path
_FORMAT_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Target:
    """One report: its format and its file (``None`` = standard output)."""

    format: str
    path: Path | None


def parse_targets(specs: Sequence[str], default_format: str, formats: Sequence[str]) -> list[Target]:
    """``-o`` values (``FILE``, ``FORMAT:FILE``, ``-``, ``FORMAT:-``) to targets; ``[]`` = stdout.

    An unknown ``FORMAT:`` is an error like an unknown ``--format``, not part of a file name.
    """
    if default_format not in formats:
        raise UsageError(f"unknown format {default_format!r}; choose from {', '.join(formats)}")
    if not specs:
        return [Target(default_format, None)]
    targets = [_parse_one(spec, default_format, formats) for spec in specs]
    if sum(t.path is None for t in targets) > 1:
        raise UsageError("only one report can go to standard output ('-')")
    files = [t.path.resolve() for t in targets if t.path is not None]
    repeated = sorted({str(p) for p in files if files.count(p) > 1})
    if repeated:
        raise UsageError(f"two reports would overwrite each other in {repeated[0]}")
    for target in targets:
        if target.path is not None:
            check_writable(target.path, "--output")
    return targets


def _parse_one(spec: str, default_format: str, formats: Sequence[str]) -> Target:
    if spec == STDOUT:
        return Target(default_format, None)
    head, sep, tail = spec.partition(":")
    if sep and _FORMAT_PREFIX.fullmatch(head):
        if head not in formats:
            raise UsageError(
                f"--output {spec}: unknown format {head!r}; choose from {', '.join(formats)} "
                f"(write ./{spec} for a file of that name)"
            )
        if not tail:
            raise UsageError(f"--output {spec}: give a file name or '-' after '{head}:'")
        return Target(head, None if tail == STDOUT else Path(tail))
    if not spec:
        raise UsageError("--output needs a file name or '-'")
    return Target(default_format, Path(spec))


def check_writable(path: Path, option: str) -> None:
    """``path`` can be created or replaced: it is not a directory and its directory exists."""
    if path.is_dir():
        raise UsageError(f"{option} {path}: is a directory")
    parent = path.parent
    if not parent.exists():
        raise UsageError(f"{option} {path}: directory {parent} does not exist (create it first)")
    if not parent.is_dir():
        raise UsageError(f"{option} {path}: {parent} is not a directory")
    if not path.exists() and not os.access(parent, os.W_OK):
        raise UsageError(f"{option} {path}: directory {parent} is not writable")


def write(path: Path | None, text: str, option: str = "--output") -> None:
    """Write ``text`` to ``path`` (``None``: standard output); a failure is a ``UsageError``."""
    if path is None:
        sys.stdout.write(text)
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise UsageError(f"{option} {path}: cannot write: {e.strerror or e}") from None
