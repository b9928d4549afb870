"""Comments of HCL, Bicep, YAML and JSONC source text, found with a quote-aware scanner.

Suppression markers live in comments, and only in comments: ``"# aks-backup-lint: ignore[..]"``
inside a string, a heredoc or a YAML block scalar is data, not a directive. Parsers differ in
what they keep of comments (python-hcl2 8 drops positions; the Bicep lexer skips them), so this small
scanner reads the text itself. It also finds where a ``{`` block opened on a line closes, so a
comment above a resource header can cover the whole resource.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HCL, BICEP, YAML, JSON = "hcl", "bicep", "yaml", "json"
_HEREDOC = re.compile(r"<<-?\s*([A-Za-z_][A-Za-z0-9_]*)")
_YAML_BLOCK_SCALAR = re.compile(r"(?:^|[:\-]\s*)[|>][0-9+-]*\s*$")


def language_of(path: str) -> str | None:
    name = path.lower()
    if name.endswith((".tf", ".tfvars", ".hcl")):
        return HCL
    if name.endswith((".bicep", ".bicepparam")):
        return BICEP
    if name.endswith((".yaml", ".yml")):
        return YAML
    if name.endswith((".json", ".jsonc")):
        return JSON
    return None


@dataclass(frozen=True)
class Comment:
    line: int  # 1-based
    column: int  # 1-based column of the comment marker (#, //, /*)
    text: str  # without the marker
    own_line: bool  # nothing but whitespace before it on its line


@dataclass
class SourceInfo:
    """What suppression matching needs from one file."""

    comments: list[Comment]
    code_lines: set[int]  # lines with code (not blank, not only comments)
    block_end: dict[int, int]  # line with an opening "{" (last on the line) -> line of its "}"


def scan(text: str, language: str) -> SourceInfo:
    if language == YAML:
        return _scan_yaml(text)
    return _scan_c_like(text, language)


def _scan_c_like(text: str, language: str) -> SourceInfo:
    """HCL (``#``, ``//``, ``/* */``, heredocs), Bicep (``//``, ``/* */``, ``'''``), JSONC."""
    comments: list[Comment] = []
    code_lines: set[int] = set()
    block_end: dict[int, int] = {}
    opens: list[int] = []  # line of each open "{" / "[" / "("; only "{" (Bicep: and "[") ending a line count
    opener_is_block: list[bool] = []
    quote = "'" if language == BICEP else '"'
    heredoc: str | None = None
    in_block_comment = False
    in_multiline = False  # Bicep '''...'''
    lines = text.splitlines()
    for n, raw in enumerate(lines, start=1):
        if heredoc is not None:
            if raw.strip() == heredoc:
                heredoc = None
            code_lines.add(n)
            continue
        i = 0
        has_code = False
        last_code_char = ""
        in_string = False
        while i < len(raw):
            ch = raw[i]
            if in_block_comment:
                end = raw.find("*/", i)
                if end < 0:
                    i = len(raw)
                    break
                i = end + 2
                in_block_comment = False
                continue
            if in_multiline:
                end = raw.find("'''", i)
                has_code = True
                if end < 0:
                    i = len(raw)
                    break
                i = end + 3
                in_multiline = False
                continue
            if in_string:
                has_code = True
                if ch == "\\":
                    i += 2
                    continue
                if ch == quote:
                    in_string = False
                i += 1
                continue
            if language == BICEP and raw.startswith("'''", i):
                in_multiline = True
                has_code = True
                i += 3
                continue
            if ch == quote:
                in_string = True
                has_code = True
                i += 1
                continue
            if raw.startswith("/*", i):
                end = raw.find("*/", i + 2)
                comments.append(Comment(n, i + 1, raw[i + 2 : end if end >= 0 else len(raw)], not has_code))
                if end < 0:
                    in_block_comment = True
                    break
                i = end + 2
                continue
            if raw.startswith("//", i) or (ch == "#" and language == HCL):
                start = i + (1 if ch == "#" else 2)
                comments.append(Comment(n, i + 1, raw[start:], not has_code))
                break
            if language == HCL and ch == "<" and (m := _HEREDOC.match(raw, i)):
                heredoc = m.group(1)
                has_code = True
                i = m.end()
                continue
            if not ch.isspace():
                has_code = True
                last_code_char = ch
            if ch in "{[(":
                opens.append(n)
                opener_is_block.append(False)
            elif ch in "}])" and opens:
                start_line = opens.pop()
                if opener_is_block.pop():
                    block_end[start_line] = n
            i += 1
        if has_code:
            code_lines.add(n)
        if (last_code_char == "{" or (language == BICEP and last_code_char == "[")) and opener_is_block:
            # the block opened last on this line: a resource/module/nested-block header (in Bicep
            # also a resource or module loop, '= [', and a multi-line array)
            opener_is_block[-1] = True
    return SourceInfo(comments, code_lines, block_end)


def _scan_yaml(text: str) -> SourceInfo:
    """YAML: ``#`` after whitespace outside quotes; block scalar bodies are data.

    A document counts as a block starting at its first code line, so a comment above it covers
    the whole manifest; any other key covers the more-indented lines below it (its value).
    """
    comments: list[Comment] = []
    code_lines: set[int] = set()
    block_end: dict[int, int] = {}
    scalar_indent: int | None = None  # inside a block scalar: lines indented more than this
    doc_first: int | None = None  # first code line of the current document
    documents: dict[int, int] = {}
    nesting: list[tuple[int, int]] = []  # (line, indent) of enclosing keys
    last_code = 0

    def close(indent: int) -> None:
        while nesting and nesting[-1][1] >= indent:
            line, _ = nesting.pop()
            if last_code > line:
                block_end[line] = last_code

    for n, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip(" "))
        if scalar_indent is not None:
            if not stripped or indent > scalar_indent:
                if stripped:
                    code_lines.add(n)
                    last_code = n
                continue
            scalar_indent = None
        if stripped in ("---", "...") or stripped.startswith("--- "):
            close(-1)
            if doc_first is not None:
                documents[doc_first] = n - 1
            doc_first = None
            continue
        i, quote, has_code = 0, "", False
        code_end = len(raw)
        while i < len(raw):
            ch = raw[i]
            if quote:
                if quote == '"' and ch == "\\":
                    i += 2
                    continue
                if ch == quote:
                    if quote == "'" and raw.startswith("''", i):
                        i += 2
                        continue
                    quote = ""
                i += 1
                continue
            if ch in "'\"" and (i == 0 or raw[i - 1] in " \t:-[{,"):
                quote = ch
                has_code = True
            elif ch == "#" and (i == 0 or raw[i - 1] in " \t"):
                comments.append(Comment(n, i + 1, raw[i + 1 :], not has_code))
                code_end = i
                break
            elif not ch.isspace():
                has_code = True
            i += 1
        if has_code:
            close(indent)
            nesting.append((n, indent))
            code_lines.add(n)
            last_code = n
            if doc_first is None:
                doc_first = n
            if _YAML_BLOCK_SCALAR.search(raw[:code_end].rstrip()):
                scalar_indent = indent
    close(-1)
    if doc_first is not None:
        documents[doc_first] = len(text.splitlines())
    block_end.update(documents)
    return SourceInfo(comments, code_lines, block_end)
