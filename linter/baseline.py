"""Baselines: adopt the linter on a large estate by recording today's findings.

``--write-baseline FILE`` stores the fingerprints (``linter.fingerprint``: rule, directory,
address, attribute, distinguishing properties — not lines) of the current unsuppressed findings,
sorted, with the rule and path for humans reading diffs; ``--baseline FILE`` marks findings whose
fingerprint is in it as suppressed (``external``, justification ``baseline``), so only new
problems count. Because the fingerprint ignores lines and text, reformatting does not make old
findings "new".

Only what a baseline can suppress is written: findings of rules declared ``suppressible=False``
(AKSB901, problems with suppressions themselves) are left out, so a baseline never promises to
silence something it cannot. Findings the old baseline already suppressed are kept, so
``--baseline B --write-baseline B`` updates a baseline instead of emptying it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from linter.fingerprint import fingerprint
from linter.model import Finding, Suppression
from linter.repo import repo_root

VERSION = "1"
BASELINE_JUSTIFICATION = "baseline"


class BaselineError(ValueError):
    """The baseline file cannot be read (the CLI exits 2 with this message)."""


def recordable(report: Any) -> list[Finding]:
    """The findings a baseline written from ``report`` records (see the module docstring)."""
    never = {spec.id for spec in report.rules if not spec.suppressible}
    return [
        f for f in report.findings if f.rule_id not in never and (f.suppression is None or is_baselined(f))
    ]


def is_baselined(finding: Finding) -> bool:
    s = finding.suppression
    return s is not None and s.kind == "external" and s.justification == BASELINE_JUSTIFICATION


def entries(report: Any) -> list[dict[str, str]]:
    rows = {}
    for f in recordable(report):
        fp = fingerprint(f, report.base_dir)
        rows[fp] = {
            "fingerprint": fp,
            "rule_id": f.rule_id,
            "path": report.repo_path(f.span.file),
            "address": f.address if f.address != f.span.file else "",
        }
    return [rows[k] for k in sorted(rows)]


def dumps(report: Any) -> str:
    return _document(entries(report))


def _document(rows: list[dict[str, str]]) -> str:
    return json.dumps({"version": VERSION, "tool": "aks-backup-lint", "findings": rows}, indent=2) + "\n"


def write(path: Path, report: Any) -> int:
    """Write the baseline of ``report`` to ``path`` (its directory must exist); entries written."""
    rows = entries(report)
    Path(path).write_text(_document(rows), encoding="utf-8")
    return len(rows)


def load(path: Path) -> set[str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise BaselineError(f"cannot read baseline {path}: {e}") from e
    except json.JSONDecodeError as e:
        raise BaselineError(f"{path}:{e.lineno}:{e.colno}: baseline is not valid JSON: {e.msg}") from e
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: not an aks-backup-lint baseline (no 'findings' list)")
    out = set()
    for item in data["findings"]:
        if isinstance(item, dict) and isinstance(item.get("fingerprint"), str):
            out.add(item["fingerprint"])
        elif isinstance(item, str):
            out.add(item)
    return out


def _base_for(file: str, cache: dict[str, Path]) -> Path:
    """The repository root of ``file`` (what ``Report.base_dir`` is), else the current dir."""
    directory = os.path.dirname(file)
    if directory not in cache:
        cache[directory] = repo_root(Path(directory)) or Path.cwd()
    return cache[directory]


def apply_baseline(findings: list[Finding], path: Path) -> int:
    """Suppress findings recorded in the baseline; returns how many were suppressed."""
    known = load(path)
    cache: dict[str, Path] = {}
    count = 0
    for f in findings:
        if f.suppression is None and fingerprint(f, _base_for(f.span.file, cache)) in known:
            f.suppression = Suppression("external", BASELINE_JUSTIFICATION)
            count += 1
    return count
