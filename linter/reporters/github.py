"""GitHub Actions workflow commands: inline annotations without code scanning.

One ``::error|warning|notice file=…,line=…,col=…,endLine=…,endColumn=…,title=AKSBnnn::message``
per unsuppressed finding. Paths are relative to the repository root, which is what the runner
resolves annotations against (``GITHUB_WORKSPACE``). Escaping follows the runner's rules: in the
message ``%``, CR and LF are percent-encoded; in properties also ``:`` and ``,``.
"""

from __future__ import annotations

from linter.model import Finding, Severity
from linter.report import Report

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(report: Report, f: Finding) -> str:
    span = f.span
    props = [
        f"file={escape_property(report.repo_path(span.file))}",
        f"line={span.line}",
        f"col={span.column}",
        f"endLine={max(span.end_line, span.line)}",
    ]
    if span.end_column > 0:
        props.append(f"endColumn={span.end_column}")
    props.append(f"title={escape_property(f.rule_id)}")
    message = f"{f.message} [{f.slug}]" if f.slug else f.message
    for rel in f.related:
        message += f"\n{report.repo_path(rel.span.file)}:{rel.span.line}:{rel.span.column}: {rel.message}"
    return f"::{COMMAND[f.severity]} {','.join(props)}::{escape_data(message)}"


def render(report: Report) -> str:
    lines = [command(report, f) for f in report.active]
    for note in report.notifications:
        kind = {"error": "error", "warning": "warning"}.get(note.level, "notice")
        lines.append(f"::{kind} title=aks-backup-lint::{escape_data(note.message)}")
    return "".join(line + "\n" for line in lines)
