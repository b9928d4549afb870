"""GitLab Code Quality report (``artifacts:reports:codequality``).

GitLab knows no suppressions, so suppressed findings are left out. Severities map note → info,
warning → minor, error → major, and the linter's own "could not check this file" diagnostics
(AKSB000 parse error, AKSB900 rule crash) → critical; a tool error (a path that could not be
read) is a ``blocker`` issue, so an incomplete run is never a clean report. GitLab requires unique
fingerprints per report; a repeated logical fingerprint gets the occurrence number mixed in.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from linter.fingerprint import fingerprint
from linter.model import Severity
from linter.report import Report

SEVERITY = {Severity.NOTE: "info", Severity.WARNING: "minor", Severity.ERROR: "major"}
CRITICAL_RULES = ("AKSB000", "AKSB900")


def as_list(report: Report) -> list[dict[str, Any]]:
    out = []
    seen: dict[str, int] = {}
    for f in report.active:
        fp = fingerprint(f, report.base_dir)
        n = seen.get(fp, 0)
        seen[fp] = n + 1
        if n:
            fp = hashlib.sha256(f"{fp}\0{n}".encode()).hexdigest()
        out.append(
            {
                "type": "issue",
                "description": f"{f.rule_id} {f.message}",
                "check_name": f.slug or f.rule_id,
                "fingerprint": fp,
                "severity": "critical" if f.rule_id in CRITICAL_RULES else SEVERITY[f.severity],
                "location": {"path": report.repo_path(f.span.file), "lines": {"begin": f.span.line}},
            }
        )
    for note in report.notifications:
        if note.level == "error":
            out.append(
                {
                    "type": "issue",
                    "description": f"aks-backup-lint could not complete the check: {note.message}",
                    "check_name": "tool-error",
                    "fingerprint": hashlib.sha256(f"tool-error\0{note.message}".encode()).hexdigest(),
                    "severity": "blocker",
                    "location": {
                        "path": report.repo_path(note.span.file) if note.span else ".",
                        "lines": {"begin": note.span.line if note.span else 1},
                    },
                }
            )
    return out


def render(report: Report) -> str:
    return json.dumps(as_list(report), indent=2, ensure_ascii=False) + "\n"
