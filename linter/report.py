"""The result of one run: what every reporter receives, and nothing else."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from linter.model import Finding, Severity, Span
from linter.rules import RuleSpec


@dataclass(frozen=True)
class Notification:
    """A tool-level message (unreadable file, skipped large file, rule crash) for SARIF/text."""

    level: str  # "error" | "warning" | "note"
    message: str
    span: Span | None = None
    rule_id: str = ""


@dataclass
class Report:
    findings: list[Finding]  # sorted; suppressed findings are included with ``suppression`` set
    files_scanned: int
    duration: float
    cwd: Path
    repo_root: Path | None  # the git work tree containing the scan, if any
    matrix_revision: str = "2025-06"
    notifications: list[Notification] = field(default_factory=list)
    category: str = "aks-backup-lint"  # SARIF automationDetails.id prefix
    #: the run is incomplete (a path could not be read, a front end or a rule crashed): exit code 2,
    #: JSON ``tool_error``, SARIF ``executionSuccessful: false``, the text summary says so
    tool_error: bool = False
    rules: list[RuleSpec] = field(default_factory=list)  # metadata of every registered rule (SARIF)

    @property
    def active(self) -> list[Finding]:
        """Findings that count: not suppressed."""
        return [f for f in self.findings if f.suppression is None]

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for f in self.active:
            out[f.severity.value] += 1
        return out

    @property
    def tool_errors(self) -> int:
        """How many things kept the run from being complete: error notifications, crashed rules."""
        return sum(n.level == "error" for n in self.notifications) + sum(
            f.rule_id == "AKSB900" for f in self.findings
        )

    @property
    def base_dir(self) -> Path:
        """Where output paths are relative to: the repository root, else the current directory."""
        return self.repo_root or self.cwd

    def display_path(self, file: str, *, base: Path | None = None) -> str:
        """``file`` relative to ``base`` (default: the current directory) with forward slashes."""
        base = base or self.cwd
        try:
            rel = os.path.relpath(file, base)
        except ValueError:  # different drive on Windows
            return Path(file).as_posix()
        return Path(rel).as_posix()

    def repo_path(self, file: str) -> str:
        """``file`` relative to the repository root (SARIF ``%SRCROOT%``)."""
        return self.display_path(file, base=self.base_dir)
