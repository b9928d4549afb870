"""Suppressions: inline comments, front-end records, config per-path ignores and a baseline.

A suppression never drops a finding: it sets ``finding.suppression`` (kind ``inSource`` or
``external`` plus the justification) so SARIF can show it and summaries can count it (design:
suppress). Problems with suppressions themselves are AKSB901 findings (convention 12): no
reason, an unknown rule, an expired ``until=`` date, a malformed marker, or, when asked, a
suppression that suppresses nothing. A suppression without a reason or past its date does not
work: nothing is silently ignored.

One grammar for every language, in a comment (HCL ``#``/``//``, Bicep ``//``, YAML ``#``)::

    # aks-backup-lint: ignore[AKSB102,AKSB101] reason text until=2027-01-31

On the finding's line (trailing comment), or on its own line(s) directly above the line it
covers. If that line opens a block (``resource "x" "y" {``, ``module "m" {``, a Bicep
``resource``, a nested block) the suppression covers the whole block; a comment above a
Terraform ``module`` call or Bicep ``module`` also covers everything the module creates. At the
top of a YAML document it covers the document. ARM ``metadata`` and Kubernetes annotations arrive
from the front ends as ``InlineSuppression`` records.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from linter.baseline import apply_baseline
from linter.comments import HCL, SourceInfo, language_of, scan
from linter.frontend import InlineSuppression
from linter.globs import path_matches
from linter.model import Finding, Severity, Span, Suppression
from linter.options import Options
from linter.rules import Registry, key_matches, selected
from linter.textfile import unsaved

MARKER = re.compile(r"aks-backup-lint\s*:\s*(?P<verb>[a-z-]+)?")
DIRECTIVE = re.compile(r"aks-backup-lint\s*:\s*ignore\s*\[(?P<ids>[^\]]*)\](?P<rest>.*)$", re.IGNORECASE)
UNTIL = re.compile(r"(?:^|\s)until\s*=\s*(?P<date>\S+)")
_HCL_MODULE = re.compile(r'^\s*module\s+"(?P<name>[^"]+)"')
_BICEP_MODULE = re.compile(r"^\s*module\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s")


@dataclass
class Entry:
    """One parsed suppression (from a comment or a front-end record), with its use count."""

    span: Span
    rule_ids: tuple[str, ...]
    reason: str
    until: dt.date | None
    lines: tuple[int, int] = (0, -1)  # covered line range in span.file (inclusive)
    address: str = ""  # covers findings at this address or under it (module call)
    used: set[str] = field(default_factory=set)

    def covers(self, finding: Finding) -> bool:
        if finding.rule_id not in self.rule_ids:
            return False
        if finding.span.file == self.span.file and self.lines[0] <= finding.span.line <= self.lines[1]:
            return True
        return bool(self.address) and address_under(finding.address, self.address)


def address_under(address: str, prefix: str) -> bool:
    """``module.a.x.y`` is under ``module.a``; ``x.y[0]`` is under ``x.y`` (count/for_each)."""
    if not address or not prefix:
        return False
    if address == prefix or address.startswith((prefix + ".", prefix + "[")):
        return True
    return f".{prefix}." in f".{address}." or f".{prefix}[" in f".{address}"


def _diag(message: str, span: Span) -> Finding:
    return Finding(
        rule_id="AKSB901",
        slug="invalid-suppression",
        message=message,
        span=span,
        severity=Severity.WARNING,
        address=span.file,
    )


class _Resolver:
    """Rule IDs or slugs in a suppression -> rule IDs; unknown names are reported."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        #: findings a suppression must not hide (``RuleSpec.suppressible``: AKSB901)
        self.never = frozenset(r.spec.id for r in registry if not r.spec.suppressible)

    def resolve(self, key: str) -> str | None:
        found = self.registry.get(key)
        return found.spec.id if found is not None else None


def parse_comment(
    text: str, span: Span, resolver: _Resolver, today: dt.date
) -> tuple[Entry | None, list[Finding]]:
    """Parse one comment; (None, []) when it is not ours."""
    marker = MARKER.search(text)
    if marker is None:
        return None, []
    directive = DIRECTIVE.search(text)
    if directive is None:
        return None, [
            _diag(
                "malformed suppression: expected 'aks-backup-lint: ignore[AKSBnnn,...] reason [until=YYYY-MM-DD]'",
                span,
            )
        ]
    return _entry(directive.group("ids").split(","), directive.group("rest"), "", span, resolver, today)


def _entry(
    keys: Sequence[str], rest: str, until_text: str, span: Span, resolver: _Resolver, today: dt.date
) -> tuple[Entry | None, list[Finding]]:
    diags: list[Finding] = []
    ids: list[str] = []
    for key in (k.strip() for k in keys):
        if not key:
            continue
        rule_id = resolver.resolve(key)
        if rule_id is None:
            diags.append(_diag(f"suppression names unknown rule {key!r}", span))
        elif rule_id in resolver.never:
            diags.append(
                _diag(f"{rule_id} cannot be suppressed; fix the suppression it reports instead", span)
            )
        elif rule_id not in ids:
            ids.append(rule_id)
    if not keys or not any(k.strip() for k in keys):
        diags.append(_diag("suppression names no rule: write ignore[AKSBnnn]", span))
    m = UNTIL.search(rest)
    if m:
        until_text = m.group("date")
        rest = rest[: m.start()] + rest[m.end() :]
    reason = rest.strip().lstrip("-:—–").strip()
    until: dt.date | None = None
    if until_text:
        try:
            until = dt.date.fromisoformat(until_text)
        except ValueError:
            diags.append(
                _diag(f"suppression has an invalid until= date {until_text!r}; use YYYY-MM-DD", span)
            )
            return None, diags
    names = ",".join(ids) or "nothing"
    if not reason:
        diags.append(
            _diag(f"suppression of {names} has no reason, so it does not apply; write why after the ]", span)
        )
        return None, diags
    if until is not None and until < today:
        diags.append(
            _diag(
                f"suppression of {names} expired on {until.isoformat()} and no longer applies: {reason}", span
            )
        )
        return None, diags
    if not ids:
        return None, diags
    return Entry(span=span, rule_ids=tuple(ids), reason=reason, until=until), diags


def _covered_lines(
    comment_line: int, own_line: bool, info: SourceInfo, text_lines: list[str]
) -> tuple[int, int]:
    """The line range a comment covers: its own line, or the next code line (and its block)."""
    if not own_line:
        target = comment_line
    else:
        target = next((n for n in range(comment_line + 1, len(text_lines) + 1) if n in info.code_lines), 0)
        if not target:
            return (comment_line, comment_line)
    end = info.block_end.get(target, target)
    return (comment_line, end)


def _module_address(line: str, language: str | None) -> str:
    m = (_HCL_MODULE if language == HCL else _BICEP_MODULE).match(line)
    return f"module.{m.group('name')}" if m else ""


TOOL_NAME = "aks-backup-lint"


def _marked_text(path: Path) -> str | None:
    """The file's text if it mentions this tool; None if it does not or cannot be read.

    Why bytes first: most files hold no marker, and looking for it in bytes spares decoding them.
    """
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if TOOL_NAME.encode() not in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")  # as ``read_text`` (universal newlines)


class SourceCache:
    """Comments and block structure per file, read once per run (an editor's unsaved buffer in
    ``overlay`` stands in for the file: a comment typed but not saved suppresses already)."""

    def __init__(self, overlay: Mapping[Path, str] | None = None) -> None:
        self._files: dict[str, tuple[SourceInfo, list[str]] | None] = {}
        self.overlay = overlay

    def get(self, file: str) -> tuple[SourceInfo, list[str]] | None:
        if file not in self._files:
            language = language_of(file)
            result = None
            if language is not None:
                text = unsaved(self.overlay, Path(file))
                if text is None:
                    text = _marked_text(Path(file))
                # most files hold no marker: skip the character-level scan for them
                if text is not None and TOOL_NAME in text:
                    result = (scan(text, language), text.splitlines())
            self._files[file] = result
        return self._files[file]


def comment_entries(
    files: Iterable[str], resolver: _Resolver, today: dt.date, cache: SourceCache | None = None
) -> tuple[list[Entry], list[Finding]]:
    cache = cache or SourceCache()
    entries: list[Entry] = []
    diags: list[Finding] = []
    for file in sorted(set(files)):
        loaded = cache.get(file)
        if loaded is None:
            continue
        info, lines = loaded
        language = language_of(file)
        for c in info.comments:
            span = Span(file, c.line, c.column, c.line, len(lines[c.line - 1]) + 1)
            entry, problems = parse_comment(c.text, span, resolver, today)
            diags.extend(problems)
            if entry is None:
                continue
            entry.lines = _covered_lines(c.line, c.own_line, info, lines)
            if c.own_line:
                target = next((n for n in range(c.line + 1, len(lines) + 1) if n in info.code_lines), 0)
                if target:
                    entry.address = _module_address(lines[target - 1], language)
            entries.append(entry)
    return entries, diags


def record_entries(
    records: Iterable[InlineSuppression], resolver: _Resolver, today: dt.date
) -> tuple[list[Entry], list[Finding]]:
    """ARM metadata, Kubernetes annotations and front-end comment records."""
    entries: list[Entry] = []
    diags: list[Finding] = []
    for r in records:
        entry, problems = _entry(list(r.rule_ids), r.reason, r.until, r.span, resolver, today)
        diags.extend(problems)
        if entry is None:
            continue
        if r.scope == "resource":
            entry.address = r.address
            entry.lines = (0, -1)
        else:
            entry.lines = (r.span.line, r.span.line + 1)
            entry.address = r.address
        entries.append(entry)
    return entries, diags


def apply(
    findings: list[Finding],
    suppressions: Sequence[InlineSuppression],
    options: Options,
    registry: Registry,
    *,
    files: Iterable[str] = (),
    today: dt.date | None = None,
    overlay: Mapping[Path, str] | None = None,
) -> list[Finding]:
    """Mark suppressed findings and add AKSB901 diagnostics; returns the new finding list.

    ``files`` adds files to read comments from (unused-suppression checks need every file).
    Config per-path ignores and the baseline come from ``options``.
    """
    today = today or dt.date.today()
    resolver = _Resolver(registry)
    finding_files = {f.span.file for f in findings}
    entries, diags = comment_entries(finding_files | set(files), resolver, today, SourceCache(overlay))
    record_list, record_diags = record_entries(suppressions, resolver, today)
    entries += record_list
    diags += record_diags

    for f in findings:
        if f.suppression is not None or f.rule_id in resolver.never:
            continue
        for entry in entries:
            if entry.covers(f):
                entry.used.add(f.rule_id)
                f.suppression = Suppression("inSource", entry.reason, entry.span)
                break

    _apply_per_path_ignores(findings, options.per_path_ignores, options.config_dir, resolver)
    if options.baseline is not None:
        apply_baseline(findings, options.baseline)

    if options.report_unused_suppressions:
        for entry in entries:
            for rule_id in entry.rule_ids:
                if rule_id not in entry.used:
                    diags.append(_diag(f"suppression of {rule_id} suppresses nothing; remove it", entry.span))
    return findings + _select(diags, options)


def _select(diags: list[Finding], options: Options) -> list[Finding]:
    """AKSB901 honours --select/--ignore and severity overrides like every rule."""
    if not diags or not selected("AKSB901", "invalid-suppression", options.select, options.ignore):
        return []
    override = options.severity.get("AKSB901")
    if override:
        for d in diags:
            d.severity = Severity(override)
    seen: set[tuple[str, int, int, str]] = set()
    out = []
    for d in diags:
        key = (d.span.file, d.span.line, d.span.column, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def _apply_per_path_ignores(
    findings: list[Finding], per_path: dict[str, list[str]], config_dir: Path | None, resolver: _Resolver
) -> None:
    if not per_path:
        return
    base = config_dir or Path.cwd()
    for f in findings:
        if f.suppression is not None or f.rule_id in resolver.never:
            continue
        rel = Path(os.path.relpath(f.span.file, base)).as_posix()
        for pattern, keys in per_path.items():
            if path_matches(rel, pattern) and any(_key_matches(k, f, resolver) for k in keys):
                f.suppression = Suppression("external", f"config per-path-ignores {pattern!r}")
                break


def _key_matches(key: str, finding: Finding, resolver: _Resolver) -> bool:
    return key_matches(key, finding.rule_id, finding.slug)
