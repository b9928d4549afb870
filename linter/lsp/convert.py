"""Findings and fixes as LSP diagnostics and code actions.

Spans are 1-based lines and code-point columns; LSP positions are 0-based and counted in the
encoding negotiated with the client (UTF-16 unless it asked otherwise), so every position goes
through pygls' position codec with the text of its line. A rule's ID is the diagnostic's
``code`` with a ``codeDescription`` linking to the rule's documentation; related locations
become ``relatedInformation``; a finding's fix becomes a preferred quick fix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from linter.model import Finding, Fix, Severity, Span

SOURCE = "aks-backup-lint"
SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.NOTE: types.DiagnosticSeverity.Hint,
}

#: the lines of a file (open buffer or disk), to convert columns
LinesOf = Callable[[str], Sequence[str]]


def uri_of(file: str) -> str:
    return Path(file).as_uri()


def lsp_range(span: Span, lines: Sequence[str], codec: PositionCodec) -> types.Range:
    """``span`` as an LSP range; a span without width covers the rest of its line."""
    end_line, end_column = span.end_line or span.line, span.end_column
    if (end_line, end_column) <= (span.line, span.column):
        end_line = span.line
        text = lines[span.line - 1] if 0 < span.line <= len(lines) else ""
        end_column = max(len(text.rstrip("\r\n")) + 1, span.column)
    server = types.Range(
        start=types.Position(line=span.line - 1, character=span.column - 1),
        end=types.Position(line=end_line - 1, character=max(end_column - 1, 0)),
    )
    return codec.range_to_client_units(list(lines), server)


def diagnostic(
    finding: Finding, lines_of: LinesOf, codec: PositionCodec, help_uris: Mapping[str, str]
) -> types.Diagnostic:
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(
                uri=uri_of(r.span.file), range=lsp_range(r.span, lines_of(r.span.file), codec)
            ),
            message=r.message,
        )
        for r in finding.related
    ]
    href = help_uris.get(finding.rule_id)
    return types.Diagnostic(
        range=lsp_range(finding.span, lines_of(finding.span.file), codec),
        severity=SEVERITY[finding.severity],
        code=finding.rule_id,
        code_description=types.CodeDescription(href=href) if href else None,
        source=SOURCE,
        message=finding.message,
        related_information=related or None,
    )


def code_action(
    fix: Fix, finding: Finding, diag: types.Diagnostic, lines_of: LinesOf, codec: PositionCodec
) -> types.CodeAction:
    """The quick fix of ``finding``: a workspace edit of its exact text replacements."""
    changes: dict[str, list[types.TextEdit]] = {}
    for edit in fix.edits:
        changes.setdefault(uri_of(edit.span.file), []).append(
            types.TextEdit(
                range=lsp_range_exact(edit.span, lines_of(edit.span.file), codec), new_text=edit.text
            )
        )
    return types.CodeAction(
        title=f"{fix.description} ({finding.rule_id})",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diag],
        is_preferred=True,
        edit=types.WorkspaceEdit(changes=changes),
    )


def lsp_range_exact(span: Span, lines: Sequence[str], codec: PositionCodec) -> types.Range:
    """``span`` as an LSP range, an empty span staying empty (an insertion point)."""
    server = types.Range(
        start=types.Position(line=span.line - 1, character=span.column - 1),
        end=types.Position(line=span.end_line - 1, character=span.end_column - 1),
    )
    return codec.range_to_client_units(list(lines), server)


def overlaps(a: types.Range, b: types.Range) -> bool:
    """Two ranges share a position (touching counts: a cursor at a diagnostic's end asks for it)."""
    start_a, end_a = (a.start.line, a.start.character), (a.end.line, a.end.character)
    start_b, end_b = (b.start.line, b.start.character), (b.end.line, b.end.character)
    return start_a <= end_b and start_b <= end_a
