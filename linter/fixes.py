"""Fixes against source text: resolve what a rule means into exact edits, apply them, diff them.

Rules attach a ``Fix`` whose edits say what they mean (``Edit.kind``) without seeing any text.
``resolve`` reads the text at each edit's span and makes the edit exact: the literal at the end
of ``kind = "Storage"`` becomes ``"StorageV2"`` in the file's own quoting, a list element is
removed with its comma or its line, a YAML key is inserted at the indentation of its siblings.
When the text is not what the rule expects (an expression instead of a literal, an escape
sequence, a flow-style mapping, a file changed since it was read) the fix is dropped: a fix is
offered only when it is certain to be a literal edit. Nothing is re-serialised: python-hcl2,
tree-sitter and YAML round trips lose comments and layout, span replacements do not.

Spans are 1-based lines and code-point columns (end exclusive); they address the text with its
own line endings, so a CRLF file stays CRLF and bytes outside the edits never change.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from linter.model import Edit, Finding, Fix, Known, Span, Value
from linter.textfile import decode

HCL, JSON, BICEP, YAML = "hcl", "json", "bicep", "yaml"
#: how each language writes a plain string literal without escapes (group ``v`` is the value)
_LITERALS: dict[str, tuple[str, ...]] = {
    HCL: (r'(?P<lit>"(?P<v>[^"\\\n]*)")',),
    JSON: (r'(?P<lit>"(?P<v>[^"\\\n]*)")',),
    BICEP: (r"(?P<lit>'(?P<v>[^'\\\n]*)')",),
    YAML: (
        r'(?P<lit>"(?P<v>[^"\\\n]*)")',
        r"(?P<lit>'(?P<v>[^'\n]*)')",
        r"(?P<lit>(?P<v>[^\s#'\"&*!|>{}\[\],%@`][^#\n]*?))",
    ),
}
#: what may stand before a literal in a span that covers ``key = value`` / ``key: value``
_KEYS: dict[str, re.Pattern[str]] = {
    HCL: re.compile(r'(?:[A-Za-z_][\w-]*|"[^"\\\n]*")\s*[=:]\s*'),
    JSON: re.compile(r'"[^"\\\n]*"\s*:\s*'),
    BICEP: re.compile(r"(?:[A-Za-z_]\w*|'[^'\\\n]*')\s*:\s*"),
    YAML: re.compile(r"""(?:[\w./-]+|"[^"\\\n]*"|'[^'\n]*')[ \t]*:[ \t]+"""),
}
_COMMENT = {HCL: ("#", "//"), JSON: ("//",), BICEP: ("//",), YAML: ("#",)}
_YAML_PLAIN = re.compile(r"[A-Za-z0-9][\w./-]*\Z")
#: how many times ``--fix`` re-checks and fixes again (a fix may reveal another)
MAX_PASSES = 5


def language_of(path: str) -> str | None:
    name = path.lower()
    if name.endswith((".tf", ".tfvars", ".hcl")):
        return HCL
    if name.endswith(".json"):
        return JSON
    if name.endswith((".bicep", ".bicepparam")):
        return BICEP
    if name.endswith((".yaml", ".yml")):
        return YAML
    return None


@dataclass(frozen=True)
class Lines:
    """Offsets of a text's lines, to move between (line, column) and string positions."""

    text: str
    starts: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Lines:
        starts = [0]
        starts += [m.end() for m in re.finditer("\n", text)]
        return cls(text, tuple(starts))

    def offset(self, line: int, column: int) -> int | None:
        if not 1 <= line <= len(self.starts):
            return None
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        content_end = end - (1 if self.text[start:end].endswith("\n") else 0)
        content_end -= 1 if self.text[start:content_end].endswith("\r") else 0
        position = start + column - 1
        return position if start <= position <= content_end else None

    def position(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.starts[lo] + 1

    def range(self, span: Span) -> tuple[int, int] | None:
        start = self.offset(span.line, span.column)
        end = self.offset(span.end_line, span.end_column or span.column)
        if start is None or end is None or end < start:
            return None
        return start, end

    def span(self, file: str, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(file, line, column, end_line, end_column)

    def newline(self) -> str:
        return "\r\n" if "\r\n" in self.text else "\n"


def _exact(lines: Lines, file: str, start: int, end: int, new: str) -> Edit:
    return Edit(lines.span(file, start, end), new, kind="text", old=lines.text[start:end])


def _literal(language: str, text: str, start: int, end: int, *, keyed: bool) -> re.Match[str] | None:
    """The plain literal that is ``text[start:end]``, or ends it after ``key =`` / ``key:`` (``keyed``)."""
    for pattern in _LITERALS[language]:
        full = f"(?:{_KEYS[language].pattern})?{pattern}" if keyed else pattern
        m = re.compile(full).fullmatch(text, start, end)
        if m is not None:
            return m
    return None


def _is_expression(language: str, value: str) -> bool:
    """A string that the language evaluates rather than takes literally."""
    if language in (HCL, JSON, BICEP) and ("${" in value or "%{" in value):
        return True
    return language == JSON and value.startswith("[") and not value.startswith("[[")


def _quoted(language: str, written: str, value: str) -> str | None:
    """``value`` written the way ``written`` (the old literal) was, or None when it cannot be."""
    quote = written[:1]
    if quote in ("'", '"'):
        return None if quote in value or "\\" in value else f"{quote}{value}{quote}"
    if language == YAML:
        return value if _YAML_PLAIN.match(value) else f'"{value}"'
    return None


def _same(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def _resolve_value(edit: Edit, lines: Lines, language: str) -> Edit | None:
    where = lines.range(edit.span)
    if where is None:
        return None
    m = _literal(language, lines.text, *where, keyed=True)
    if m is None or not _same(m.group("v"), edit.old) or _is_expression(language, m.group("v")):
        return None
    new = _quoted(language, m.group("lit"), edit.text)
    return None if new is None else _exact(lines, edit.span.file, m.start("lit"), m.end("lit"), new)


def _resolve_removal(edit: Edit, lines: Lines, language: str) -> Edit | None:
    where = lines.range(edit.span)
    if where is None:
        return None
    start, end = where
    text = lines.text
    m = _literal(language, text, start, end, keyed=False)
    if m is None or not _same(m.group("v"), edit.old):
        return None
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    alone = text[line_start:start].strip() == ""
    after = end
    while after < len(text) and text[after] in " \t":
        after += 1
    if after < len(text) and text[after] == ",":
        cut_end = after + 1
        while cut_end < len(text) and text[cut_end] in " \t":
            cut_end += 1
        rest = text[cut_end:line_end].strip()
        if alone and (rest == "" or rest.startswith(_COMMENT[language])):
            return _exact(lines, edit.span.file, line_start, min(line_end + 1, len(text)), "")
        return _exact(lines, edit.span.file, start, cut_end, "")
    before = start - 1
    while before >= 0 and text[before] in " \t\r\n":
        before -= 1
    if before >= 0 and text[before] == ",":
        return _exact(lines, edit.span.file, before, end, "")
    rest = text[end:line_end].strip()
    if alone and (rest == "" or rest.startswith(_COMMENT[language])):
        return _exact(lines, edit.span.file, line_start, min(line_end + 1, len(text)), "")
    return None


def _resolve_yaml_key(edit: Edit, lines: Lines) -> Edit | None:
    """Insert ``key: text`` as the first entry of a block mapping, at its siblings' indentation."""
    from linter.k8s.yamlpos import load_documents
    from linter.model import get_path

    docs, _ = load_documents(lines.text, edit.span.file)
    *parents, leaf = edit.key.split(".")
    for doc in docs:
        target = _object_at(doc.value, edit.span)
        if target is None:
            continue
        parent = get_path(target, *parents)
        if not (isinstance(parent, Known) and isinstance(parent.value, dict) and parent.value):
            return None
        if leaf in parent.value or parent.span is None:
            return None
        entries = [v.span for v in parent.value.values() if getattr(v, "span", None) is not None]
        first = min(entries, key=lambda s: (s.line, s.column))
        if first.line <= parent.span.line and parents:  # flow style ``spec: {a: 1}``
            return None
        at = lines.offset(first.line, first.column)
        if at is None or lines.text[lines.starts[first.line - 1] : at].strip() != "":
            return None
        value = edit.text if _YAML_PLAIN.match(edit.text) else f'"{edit.text}"'
        inserted = f"{leaf}: {value}{lines.newline()}{' ' * (first.column - 1)}"
        return _exact(lines, edit.span.file, at, at, inserted)
    return None


def _object_at(value: Value, header: Span) -> Known | None:
    """The YAML object whose ``kind:`` entry is at ``header`` (a resource's span), at any depth
    (``List`` items, embedded objects)."""
    todo: list[Value] = [value]
    while todo:
        current = todo.pop()
        if not isinstance(current, Known):
            continue
        if isinstance(current.value, dict):
            kind = current.value.get("kind")
            span = getattr(kind, "span", None)
            if span is not None and (span.line, span.column) == (header.line, header.column):
                return current
            todo.extend(current.value.values())
        elif isinstance(current.value, list):
            todo.extend(current.value)
    return None


def resolve(fix: Fix, text: str, lines: Lines | None = None) -> Fix | None:
    """``fix`` with every edit made exact against ``text``, or None when any edit does not fit.

    ``lines`` is ``Lines.of(text)`` when the caller already has it (one per file, not per fix).
    """
    lines = lines or Lines.of(text)
    out: list[Edit] = []
    for edit in fix.edits:
        language = language_of(edit.span.file)
        if language is None:
            return None
        exact: Edit | None
        if edit.kind == "text":
            where = lines.range(edit.span)
            exact = edit if where is not None and text[where[0] : where[1]] == edit.old else None
        elif edit.kind == "value":
            exact = _resolve_value(edit, lines, language)
        elif edit.kind == "remove-item":
            exact = _resolve_removal(edit, lines, language)
        elif edit.kind == "add-key" and language == YAML:
            exact = _resolve_yaml_key(edit, lines)
        else:
            exact = None
        if exact is None:
            return None
        out.append(exact)
    return replace(fix, edits=tuple(out))


Reader = Callable[[str], "str | None"]


def disk_reader(overlay: Mapping[Path, str] | None = None) -> Reader:
    """Reads a file's text as it is (BOM dropped, line endings kept), open editor buffers first."""
    cache: dict[str, str | None] = {}

    def read(file: str) -> str | None:
        if file not in cache:
            text = overlay.get(Path(file)) if overlay else None
            if text is None:
                try:
                    text, _ = decode(Path(file).read_bytes())
                except OSError:
                    text = None
            cache[file] = text
        return cache[file]

    return read


def resolve_findings(findings: Iterable[Finding], read: Reader) -> None:
    """Make every finding's fix exact against the current text, or drop it."""
    lines: dict[str, Lines] = {}  # a big file has many findings: index its lines once
    for finding in findings:
        if finding.fix is None:
            continue
        files = {e.span.file for e in finding.fix.edits}
        if len(files) != 1:
            finding.fix = None
            continue
        file = next(iter(files))
        text = read(file)
        if text is None:
            finding.fix = None
            continue
        if file not in lines:
            lines[file] = Lines.of(text)
        finding.fix = resolve(finding.fix, text, lines[file])


def apply(text: str, fixes: Iterable[Fix]) -> tuple[str, list[Fix]]:
    """``text`` with ``fixes`` applied, each whole or not at all: a fix whose edits no longer match
    the text (``old``) or overlap an earlier fix's is left for the next pass. Returns the fixes
    applied."""
    lines = Lines.of(text)
    taken: list[tuple[int, int]] = []
    chosen: list[tuple[int, int, Edit]] = []
    applied: list[Fix] = []
    for fix in fixes:
        ranges = []
        for edit in fix.edits:
            where = lines.range(edit.span)
            if edit.kind != "text" or where is None or text[where[0] : where[1]] != edit.old:
                break
            ranges.append((*where, edit))
        else:
            if not any(_overlap(s, e, s2, e2) for s, e, _ in ranges for s2, e2 in taken):
                taken += [(s, e) for s, e, _ in ranges]
                chosen += ranges
                applied.append(fix)
    chosen.sort(key=lambda c: (c[0], c[1]))
    out, last = [], 0
    for start, end, edit in chosen:
        out.append(text[last:start])
        out.append(edit.text)
        last = end
    out.append(text[last:])
    return "".join(out), applied


def _overlap(s1: int, e1: int, s2: int, e2: int) -> bool:
    """Two edits touch the same text (two insertions at one point count: their order is unclear)."""
    return (s1 < e2 and s2 < e1) or s1 == s2 or (s1 == e1 and s2 < s1 < e2) or (s2 == e2 and s1 < s2 < e1)


def fixable(findings: Iterable[Finding]) -> dict[str, list[Fix]]:
    """Per file, the fixes of active findings (resolved fixes edit one file)."""
    out: dict[str, list[Fix]] = {}
    for f in findings:
        if f.suppression is not None or f.fix is None or not f.fix.resolved or not f.fix.edits:
            continue
        same_file = out.setdefault(f.fix.edits[0].span.file, [])
        if f.fix not in same_file:
            same_file.append(f.fix)
    return out


def unified_diff(display: str, old: str, new: str) -> str:
    """A ``git diff``-style unified diff of one file (``a/`` and ``b/`` prefixes)."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"a/{display}",
        tofile=f"b/{display}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
