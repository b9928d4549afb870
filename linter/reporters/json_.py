"""The JSON report: a documented, versioned schema (``linter/schemas/report.schema.json``).

``schema_version`` changes only when a field is removed or changes meaning; new fields may be
added within a version. Paths are relative to the repository root (or the current directory
outside a repository), like SARIF, so the output is the same on every machine. The run time is
left out so that the same input gives byte-identical output.
"""

from __future__ import annotations

import json
from typing import Any

from linter import __version__
from linter.fingerprint import fingerprint
from linter.model import Finding, Span
from linter.report import Report

SCHEMA_VERSION = "1"
TOOL_NAME = "aks-backup-lint"


def location(report: Report, span: Span) -> dict[str, Any]:
    return {
        "path": report.repo_path(span.file),
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }


def finding_dict(report: Report, f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "slug": f.slug,
        "severity": f.severity.value,
        "message": f.message,
        "location": location(report, f.span),
        "related": [{"location": location(report, r.span), "message": r.message} for r in f.related],
        "address": f.address if f.address != f.span.file else report.repo_path(f.address),
        "attribute": f.attribute,
        "fingerprint": fingerprint(f, report.base_dir),
        "suppression": None
        if f.suppression is None
        else {
            "kind": f.suppression.kind,
            "justification": f.suppression.justification,
            "location": location(report, f.suppression.span) if f.suppression.span else None,
        },
    }


def as_dict(report: Report) -> dict[str, Any]:
    counts = report.counts()
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "matrix_revision": report.matrix_revision,
        "summary": {
            "files_scanned": report.files_scanned,
            "errors": counts["error"],
            "warnings": counts["warning"],
            "notes": counts["note"],
            "suppressed": len(report.findings) - len(report.active),
            "tool_error": report.tool_error,
        },
        "findings": [finding_dict(report, f) for f in report.findings],
        "notifications": [
            {
                "level": n.level,
                "message": n.message,
                "rule_id": n.rule_id,
                "location": location(report, n.span) if n.span else None,
            }
            for n in report.notifications
        ],
    }


def render(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"
