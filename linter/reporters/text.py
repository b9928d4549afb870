"""The text format: one line per finding, stable so that problem matchers can read it.

Compact line format (a public interface, documented in docs/integrations.md; do not change it
without a major version)::

    PATH:LINE:COLUMN: SEVERITY AKSBnnn MESSAGE [SLUG]
        PATH:LINE:COLUMN: note: RELATED MESSAGE

``SEVERITY`` is ``error``, ``warning`` or ``note``; paths are relative to the current directory
with forward slashes; messages never contain newlines. Suppressed findings are not shown (they
are counted in the summary). Tool messages (unreadable files, ...) go to stderr from the CLI,
prefixed ``aks-backup-lint:``, so no matcher mistakes them for findings. The last line is the
summary.
"""

from __future__ import annotations

from linter.model import Finding, Severity, Span
from linter.report import Report

#: The regex every problem matcher uses (GitHub, VS Code, tests): file, line, column, severity,
#: code, message, slug.
LINE_PATTERN = r"^([^\s].*?):(\d+):(\d+): (error|warning|note) (AKSB\d{3}) (.*) \[([a-z0-9-]+)\]$"

_RESET = "\033[0m"
_COLORS = {
    Severity.ERROR: "\033[31m",  # red
    Severity.WARNING: "\033[33m",  # yellow
    Severity.NOTE: "\033[36m",  # cyan
}
_BOLD = "\033[1m"
_DIM = "\033[2m"


def one_line(text: str) -> str:
    """Messages are single-line by contract; fold anything a rule lets slip through."""
    return " ".join(text.split())


def _where(report: Report, span: Span) -> str:
    return f"{report.display_path(span.file)}:{span.line}:{span.column}"


def finding_lines(report: Report, finding: Finding, *, color: bool = False) -> list[str]:
    where = _where(report, finding.span)
    sev = finding.severity.value
    slug = finding.slug or finding.rule_id.lower()
    message = one_line(finding.message)
    if color:
        c = _COLORS[finding.severity]
        head = f"{_BOLD}{where}{_RESET}: {c}{sev}{_RESET} {_BOLD}{finding.rule_id}{_RESET} {message} {_DIM}[{slug}]{_RESET}"
    else:
        head = f"{where}: {sev} {finding.rule_id} {message} [{slug}]"
    lines = [head]
    for rel in finding.related:
        lines.append(f"    {_where(report, rel.span)}: note: {one_line(rel.message)}")
    return lines


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_line(report: Report) -> str:
    """``3 files scanned, 2 errors, 1 warning, 0 notes in 0.12s`` (+ suppressed count if any).

    An incomplete run says so before the time (``..., 0 notes, 1 tool error in 0.12s``): the
    messages explaining it go to stderr, which a file written with ``-o text:FILE`` lacks.
    """
    counts = report.counts()
    parts = [
        f"{_plural(report.files_scanned, 'file')} scanned",
        _plural(counts["error"], "error"),
        _plural(counts["warning"], "warning"),
        _plural(counts["note"], "note"),
    ]
    if report.tool_error:
        parts.append(_plural(max(report.tool_errors, 1), "tool error"))
    line = ", ".join(parts) + f" in {report.duration:.2f}s"
    suppressed = len(report.findings) - len(report.active)
    if suppressed:
        line += f" ({suppressed} suppressed)"
    return line


def render(report: Report, *, color: bool = False) -> str:
    out: list[str] = []
    for finding in report.active:
        out.extend(finding_lines(report, finding, color=color))
    out.append(summary_line(report))
    return "\n".join(out) + "\n"
