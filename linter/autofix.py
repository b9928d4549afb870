"""``check --fix`` and ``check --diff``: apply the findings' fixes, check again, repeat.

Each pass applies every fix that does not overlap another (``linter.fixes.apply``) to an
in-memory copy of the files, then checks the paths again with those copies standing in for the
files (the engine's overlay, as the language server does with unsaved buffers): a fix may reveal
another finding, and the report is always of the fixed text. Nothing is written until the end,
and only with ``--fix``; a file keeps its encoding, byte order mark and line endings.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

from linter.engine import run
from linter.fixes import MAX_PASSES, apply, disk_reader, fixable, unified_diff
from linter.options import Options
from linter.report import Report
from linter.rules import Registry


@dataclass
class Outcome:
    """The report of the fixed files, and what changed."""

    report: Report
    original: dict[Path, str] = field(default_factory=dict)  # text before any fix
    fixed: dict[Path, str] = field(default_factory=dict)  # text after every pass
    applied: int = 0  # fixes applied, over all passes

    def diff(self, report: Report) -> str:
        """Unified diffs of every changed file, paths relative to the current directory."""
        return "".join(
            unified_diff(report.display_path(str(p)), self.original[p], self.fixed[p])
            for p in sorted(self.fixed)
        )

    def write(self) -> None:
        for path, text in sorted(self.fixed.items()):
            path.write_bytes(encode_like(path.read_bytes(), text))


def fix_and_recheck(paths: list[Path], options: Options, registry: Registry, report: Report) -> Outcome:
    """Apply fixes pass by pass (at most ``MAX_PASSES``) until none is left or none applies."""
    read = disk_reader()
    outcome = Outcome(report)
    overlay: dict[Path, str] = {}
    for _ in range(MAX_PASSES):
        applied = 0
        for file, fixes in fixable(outcome.report.findings).items():
            path = Path(file).resolve()
            current = overlay.get(path)
            if current is None:
                current = read(file)
            if current is None:
                continue
            new, done = apply(current, fixes)
            if done and new != current:
                outcome.original.setdefault(path, current)
                overlay[path] = new
                applied += len(done)
        if not applied:
            break
        outcome.applied += applied
        outcome.report = run(paths, options, registry, overlay=overlay)
    outcome.fixed = {p: t for p, t in overlay.items() if t != outcome.original.get(p)}
    return outcome


def encode_like(original: bytes, text: str) -> bytes:
    """``text`` in the encoding of ``original``: UTF-8 (with its mark if it had one) or UTF-16 with
    a mark in the same byte order (``linter.textfile`` reads nothing else)."""
    for mark, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if original.startswith(mark):
            return mark + text.encode(codec)
    return text.encode("utf-8")
