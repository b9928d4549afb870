"""Bicep source text into tokens with positions, as the Bicep compiler's lexer does.

The rules follow Azure/bicep ``src/Bicep.Core/Parsing/Lexer.cs``: newlines are tokens (Bicep
statements and object/array items are newline-separated), comments and ``#disable-next-line``
style pragmas at the start of a line are trivia, and strings are split into pieces around their
``${...}`` holes (``'a${x}b'`` is a left piece ``'a${``, the tokens of ``x``, and a right piece
``}b'``), with a stack telling a ``}`` that closes a hole from one that closes an object.

A token is a plain tuple ``(kind, value, line, column, end_line, end_column)`` (1-based, end
exclusive): tuples keep lexing a 10 MB corpus fast. ``kind`` is the punctuation itself (``"{"``,
``"=>"``), or one of the names below; ``value`` is the identifier, the digits, or the decoded text
of a string piece.
"""

from __future__ import annotations

import re

ID, INT, TRUE, FALSE, NULL, NL, EOF = "identifier", "integer", "true", "false", "null", "newline", "end"
#: a whole string; the piece before the first hole; between two holes; after the last hole
STRING, STRING_LEFT, STRING_MIDDLE, STRING_RIGHT = "string", "string-left", "string-middle", "string-right"
KIND, VALUE, LINE, COL, END_LINE, END_COL = range(6)

Token = tuple[str, str, int, int, int, int]

_KEYWORDS = {"true": TRUE, "false": FALSE, "null": NULL}
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", "'": "'", "$": "$"}

# One token (or a run of trivia) at the current position; the group that matched names it.
_MAIN = re.compile(
    r"""
    (?P<space>[ \t]+)
  | (?P<newline>\n(?:[ \t]*(?://[^\n]*)?\n)*)
  | (?P<comment>//[^\n]*)
  | (?P<block>/\*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<int>[0-9]+)
  | (?P<multi>\$*''')
  | (?P<quote>')
  | (?P<punct>\.\.\.|\?\?|::|!=|!~|<=|>=|==|=~|=>|&&|\|\||[{}()\[\]@,.?:;+\-*/%^!<>=|])
  | (?P<pragma>\#(?:disable-next-line|disable-diagnostics|restore-diagnostics)\b[^\n]*)
    """,
    re.VERBOSE,
)
_SPACE, _NEWLINE, _COMMENT, _BLOCK, _IDENT, _INT, _MULTI, _QUOTE, _PUNCT, _PRAGMA = range(1, 11)
# the characters of a single-line string piece up to its end, a hole, an escape or a bad character
_STRING_RUN = re.compile(r"[^'\\$\n]+|\$(?!\{)")


class LexError(ValueError):
    """A lexical error: the text is not Bicep whatever the parser knows (always a real error)."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with one ``EOF`` token; raises ``LexError``."""
    return _Lexer(text.replace("\r\n", "\n").replace("\r", "\n")).run()


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.line_start = 0
        self.tokens: list[Token] = []
        # one entry per open '{' or string hole: (is_hole, multi-line '$' count or 0 for '...')
        self.stack: list[tuple[bool, int]] = []

    def error(self, message: str, pos: int | None = None) -> LexError:
        pos = self.pos if pos is None else pos
        line = self.text.count("\n", 0, pos) + 1
        column = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return LexError(message, line, column)

    def add(self, kind: str, value: str, start: int, end: int) -> None:
        line, line_start = self.line, self.line_start
        newlines = self.text.count("\n", start, end)
        if newlines:
            self.line += newlines
            self.line_start = self.text.rfind("\n", start, end) + 1
        self.tokens.append((kind, value, line, start - line_start + 1, self.line, end - self.line_start + 1))

    def skip_lines(self, start: int, end: int) -> None:
        """Move the line counter over trivia that spans lines (a block comment)."""
        newlines = self.text.count("\n", start, end)
        if newlines:
            self.line += newlines
            self.line_start = self.text.rfind("\n", start, end) + 1

    def run(self) -> list[Token]:
        text, size, match = self.text, len(self.text), _MAIN.match
        tokens, stack = self.tokens, self.stack
        while self.pos < size:
            pos = self.pos
            m = match(text, pos)
            if m is None:
                ch = text[pos]
                if ch == '"':
                    raise self.error("Bicep strings use single quotes ('...'), not double quotes")
                if ch == "#":
                    raise self.error(
                        "'#' is only allowed in a '#disable-next-line' pragma at the start of a line"
                    )
                raise self.error(f"unexpected character {ch!r}")
            group = m.lastindex
            end = m.end()
            if group in (_SPACE, _COMMENT):
                self.pos = end
            elif group == _NEWLINE:
                if stack and stack[-1][0] and stack[-1][1] == 0:
                    raise self.error("a string ends at the end of the line: add the closing quote (')")
                if tokens and tokens[-1][KIND] == NL:  # after a comment-only line: one newline token
                    self.skip_lines(pos, end)
                else:
                    self.add(NL, "", pos, pos + 1)
                    self.skip_lines(pos + 1, end)
                self.pos = end
            elif group == _IDENT:
                value = m.group(_IDENT)
                self.add(_KEYWORDS.get(value, ID), value, pos, end)
                self.pos = end
            elif group == _INT:
                self.add(INT, m.group(_INT), pos, end)
                self.pos = end
            elif group == _PUNCT:
                value = m.group(_PUNCT)
                if value == "{" and stack:
                    stack.append((False, 0))
                elif value == "}" and stack:
                    is_hole, dollars = stack[-1]
                    if is_hole:
                        self.pos = end
                        if dollars:
                            self.multi_line(pos, dollars, first=False)
                        else:
                            self.single_line(pos, first=False)
                        continue
                    stack.pop()
                self.add(value, value, pos, end)
                self.pos = end
            elif group == _QUOTE:
                self.pos = end
                self.single_line(pos, first=True)
            elif group == _MULTI:
                self.pos = end
                self.multi_line(pos, len(m.group(_MULTI)) - 3, first=True)
            elif group == _BLOCK:
                close = text.find("*/", end)
                if close < 0:
                    raise self.error("a '/*' comment is never closed with '*/'")
                self.skip_lines(pos, close + 2)
                self.pos = close + 2
            elif group == _PRAGMA:
                if text[self.line_start : pos].strip():
                    raise self.error("a '#disable-next-line' pragma must start its line")
                self.pos = end
        if stack:
            raise self.error("a string or '{' is never closed")
        self.add(EOF, "", size, size)
        return tokens

    def single_line(self, start: int, first: bool) -> None:
        """A piece of a '...' string from ``self.pos`` (just after its opening quote or '}')."""
        text, size = self.text, len(self.text)
        out: list[str] = []
        pos = self.pos
        run = _STRING_RUN.match
        while True:
            m = run(text, pos)
            if m is not None:
                out.append(m.group(0))
                pos = m.end()
                continue
            if pos >= size or text[pos] == "\n":
                raise self.error("a string is never closed: add the closing quote (')", start)
            ch = text[pos]
            if ch == "'":
                pos += 1
                self.add(STRING if first else STRING_RIGHT, "".join(out), start, pos)
                if not first:
                    self.stack.pop()
                break
            if ch == "$":  # "${"
                pos += 2
                self.add(STRING_LEFT if first else STRING_MIDDLE, "".join(out), start, pos)
                if first:
                    self.stack.append((True, 0))
                break
            # a backslash escape
            nxt = text[pos + 1 : pos + 2]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                pos += 2
            elif nxt == "u":
                close = text.find("}", pos)
                digits = text[pos + 3 : close] if text[pos + 2 : pos + 3] == "{" and close > 0 else ""
                if (
                    not digits
                    or not all(c in "0123456789abcdefABCDEF" for c in digits)
                    or int(digits, 16) > 0x10FFFF
                ):
                    raise self.error("invalid unicode escape: write \\u{hex digits}", pos)
                out.append(chr(int(digits, 16)))
                pos = close + 1
            else:
                raise self.error(
                    "unknown escape in a string: use \\n, \\r, \\t, \\\\, \\', \\$ or \\u{...}", pos
                )
        self.pos = pos

    def multi_line(self, start: int, dollars: int, first: bool) -> None:
        """A piece of a ''' string; ``dollars`` '$' signs open its holes (0: no interpolation)."""
        text = self.text
        pos = self.pos
        hole = re.compile("'''|" + re.escape("$" * dollars + "{")) if dollars else None
        while True:
            if hole is not None:
                m = hole.search(text, pos)
                found = m.start() if m else -1
                is_hole = bool(m) and m.group(0) != "'''"
            else:
                found = text.find("'''", pos)
                is_hole = False
            if found < 0:
                raise self.error("a ''' string is never closed with '''", start)
            if is_hole:
                # more '$' than needed before the hole are text
                value = text[pos:found]
                end = found + dollars + 1
                self.add(
                    STRING_LEFT if first else STRING_MIDDLE, _strip_first_newline(value, first), start, end
                )
                if first:
                    self.stack.append((True, dollars))
                self.pos = end
                return
            end = found + 3
            while end < len(text) and text[end] == "'":  # '''' ends with the last three quotes
                end += 1
            value = text[pos : end - 3]
            self.add(STRING if first else STRING_RIGHT, _strip_first_newline(value, first), start, end)
            if not first:
                self.stack.pop()
            self.pos = end
            return


def _strip_first_newline(value: str, first: bool) -> str:
    """The compiler drops a line break right after the opening ''' (Lexer.TryGetMultilineStringValue)."""
    return value[1:] if first and value.startswith("\n") else value


__all__ = [
    "ID",
    "INT",
    "TRUE",
    "FALSE",
    "NULL",
    "NL",
    "EOF",
    "STRING",
    "STRING_LEFT",
    "STRING_MIDDLE",
    "STRING_RIGHT",
    "LexError",
    "Token",
    "tokenize",
]
