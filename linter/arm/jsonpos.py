"""Position-aware JSON/JSONC reader for ARM templates and parameter files (libraries.md §5).

The stdlib's pure-Python scanner is reused with our own ``parse_object``/``parse_array`` so that
every object and array keeps its span and every property/element keeps the span of the whole
``"key": value`` (from the key's opening quote to the end of the value). Comments and trailing
commas (JSONC, accepted by the Azure CLI) are blanked out first with spaces, which keeps every
offset, line and column unchanged.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import re
from typing import Any

from linter.model import Span

_WS = json.decoder.WHITESPACE.match
_WS_STR = json.decoder.WHITESPACE_STR


class PosDict(dict):  # type: ignore[type-arg]
    """A JSON object with its own span and the span of each ``"key": value`` property."""

    __slots__ = ("span", "key_spans", "file")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.span: Span | None = None
        self.key_spans: dict[str, Span] = {}
        self.file: str | None = None  # set on templates translated from another file (Bicep modules)


class PosList(list):  # type: ignore[type-arg]
    """A JSON array with its own span and the span of each element."""

    __slots__ = ("span", "item_spans")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.span: Span | None = None
        self.item_spans: list[Span] = []


class JsonError(ValueError):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


_COMMENT_OR_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*.*?\*/', re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[\]}])")


def strip_jsonc(text: str) -> str:
    """Blank out comments and trailing commas, keeping every character offset."""
    if "/" not in text and "," not in text:
        return text

    def blank(m: re.Match[str]) -> str:
        s = m.group(0)
        if s.startswith('"'):
            return s
        return re.sub(r"[^\n]", " ", s)

    if "/" in text:
        text = _COMMENT_OR_STRING.sub(blank, text)
    # trailing commas: only outside strings; strings were kept intact, so scan them out again
    out = []
    last = 0
    for m in re.finditer(r'"(?:[^"\\\n]|\\.)*"', text):
        out.append(_TRAILING_COMMA.sub(lambda t: " " + t.group(1), text[last : m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(_TRAILING_COMMA.sub(lambda t: " " + t.group(1), text[last:]))
    return "".join(out)


class _Positions:
    def __init__(self, text: str, file: str) -> None:
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.file = file

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.newlines, offset - 1)
        start = self.newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    def span(self, start: int, end: int) -> Span:
        """Span of ``text[start:end]`` (end exclusive)."""
        line, col = self.line_col(start)
        eline, ecol = self.line_col(end)
        return Span(self.file, line, col, eline, ecol)


def loads(text: str, file: str = "") -> Any:
    """Decode JSON/JSONC text into PosDict/PosList/scalars; raises JsonError with a position."""
    clean = strip_jsonc(text)
    pos = _Positions(clean, file)
    decoder = json.JSONDecoder(strict=False)

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):  # type: ignore[no-untyped-def]
        s, end = s_and_end
        obj_start = end - 1
        result = PosDict()
        nextchar = s[end : end + 1]
        if nextchar != '"':
            if nextchar in _WS_STR:
                end = _WS(s, end).end()
                nextchar = s[end : end + 1]
            if nextchar == "}":
                result.span = pos.span(obj_start, end + 1)
                return result, end + 1
            if nextchar != '"':
                raise json.JSONDecodeError("Expecting property name enclosed in double quotes", s, end)
        end += 1
        while True:
            key_start = end - 1
            key, end = json.decoder.scanstring(s, end, strict)
            if s[end : end + 1] != ":":
                end = _WS(s, end).end()
                if s[end : end + 1] != ":":
                    raise json.JSONDecodeError("Expecting ':' delimiter", s, end)
            end += 1
            if s[end : end + 1] in _WS_STR:
                end = _WS(s, end + 1).end()
            try:
                value, end = scan_once(s, end)
            except StopIteration as err:
                raise json.JSONDecodeError("Expecting value", s, err.value) from None
            result[key] = value
            result.key_spans[key] = pos.span(key_start, end)
            nextchar = s[end : end + 1]
            if nextchar in _WS_STR:
                end = _WS(s, end + 1).end()
                nextchar = s[end : end + 1]
            end += 1
            if nextchar == "}":
                break
            if nextchar != ",":
                raise json.JSONDecodeError("Expecting ',' delimiter", s, end - 1)
            end = _WS(s, end).end()
            nextchar = s[end : end + 1]
            end += 1
            if nextchar != '"':
                raise json.JSONDecodeError("Expecting property name enclosed in double quotes", s, end - 1)
        result.span = pos.span(obj_start, end)
        return result, end

    def parse_array(s_and_end, scan_once):  # type: ignore[no-untyped-def]
        s, end = s_and_end
        arr_start = end - 1
        values = PosList()
        nextchar = s[end : end + 1]
        if nextchar in _WS_STR:
            end = _WS(s, end + 1).end()
            nextchar = s[end : end + 1]
        if nextchar == "]":
            values.span = pos.span(arr_start, end + 1)
            return values, end + 1
        while True:
            item_start = end
            try:
                value, end = scan_once(s, end)
            except StopIteration as err:
                raise json.JSONDecodeError("Expecting value", s, err.value) from None
            values.append(value)
            values.item_spans.append(pos.span(item_start, end))
            nextchar = s[end : end + 1]
            if nextchar in _WS_STR:
                end = _WS(s, end + 1).end()
                nextchar = s[end : end + 1]
            end += 1
            if nextchar == "]":
                break
            if nextchar != ",":
                raise json.JSONDecodeError("Expecting ',' delimiter", s, end - 1)
            end = _WS(s, end).end()
        values.span = pos.span(arr_start, end)
        return values, end

    decoder.parse_object = parse_object  # type: ignore[assignment]
    decoder.parse_array = parse_array  # type: ignore[assignment]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # the C scanner ignores the hooks
    try:
        return decoder.decode(clean)
    except json.JSONDecodeError as e:
        line, col = pos.line_col(e.pos)
        raise JsonError(e.msg, line, col) from None
    except RecursionError:
        raise JsonError("JSON nesting too deep", 1, 1) from None
