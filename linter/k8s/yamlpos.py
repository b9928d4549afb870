"""YAML text to positioned values, with PyYAML's safe composer only.

``compose_all`` (libyaml when available) gives a node tree with a mark on every key and value;
we turn it into ``Known`` values ourselves so that each value carries the span users expect:
the whole ``key: value`` from the key's first character for mapping entries, the item itself
for sequence items. Nothing is constructed through PyYAML's constructors (no tags are honoured
beyond the YAML 1.1 core scalars), so nothing in a scanned file can run code.

Aliases are legal YAML but an "alias bomb" (a billion laughs) expands exponentially: the
conversion counts every node it produces and refuses a document over ``MAX_NODES``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from linter.model import Known, Span, Unknown

try:  # libyaml is ~8x faster; the pure-Python loader gives the same marks
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

#: nodes produced per document, aliases expanded; real manifests stay far below
MAX_NODES = 200_000
MAX_DEPTH = 200
_SCALARS = SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"


class DocumentTooLarge(Exception):
    """A document expands (through aliases or nesting) beyond what a manifest can be."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass
class YamlProblem:
    """A syntax error with a 1-based position."""

    message: str
    line: int
    column: int


@dataclass
class Document:
    """One YAML document: its root value and where it starts."""

    value: Known
    index: int


class _Converter:
    def __init__(self, path: str, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self.count = 0

    def span(self, start: Node, end: Node) -> Span:
        s, e = start.start_mark, end.end_mark
        end_line, end_col = e.line + 1, e.column + 1
        if e.column == 0 and e.line > s.line:  # block collections end at the next token
            end_line = e.line
            end_col = len(self.lines[end_line - 1]) + 1 if end_line - 1 < len(self.lines) else 1
        return Span(self.path, s.line + 1, s.column + 1, end_line, end_col)

    def convert(self, node: Node, span: Span, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES or depth > MAX_DEPTH:
            what = "nodes" if self.count > MAX_NODES else "levels of nesting"
            limit = MAX_NODES if self.count > MAX_NODES else MAX_DEPTH
            raise DocumentTooLarge(
                f"document expands to more than {limit} {what} (alias expansion?); not read",
                node.start_mark.line + 1,
                node.start_mark.column + 1,
            )
        if isinstance(node, ScalarNode):
            v = scalar(node)
            if isinstance(v, str) and "{{" in v and "}}" in v:
                return Unknown(f"template expression {v.strip()!r} is not rendered", span)  # type: ignore[return-value]
            return Known(v, span)
        if isinstance(node, SequenceNode):
            return Known([self.convert(item, self.span(item, item), depth + 1) for item in node.value], span)
        assert isinstance(node, MappingNode)
        out: dict[str, Known] = {}
        merged: dict[str, Known] = {}
        for key, value in node.value:
            if key.tag == _MERGE:
                sources = value.value if isinstance(value, SequenceNode) else [value]
                for src in sources:
                    converted = self.convert(src, self.span(key, value), depth + 1)
                    if isinstance(converted.value, dict):
                        for k, v in converted.value.items():
                            merged.setdefault(k, v)
                continue
            name = key_text(key)
            out[name] = self.convert(value, self.span(key, value), depth + 1)
        for k, v in merged.items():
            out.setdefault(k, v)
        return Known(out, span)


def key_text(node: Node) -> str:
    """A mapping key as a string (Kubernetes keys are strings; others are stringified)."""
    if isinstance(node, ScalarNode):
        v = scalar(node)
        if isinstance(v, bool):
            return "true" if v else "false"
        return "null" if v is None else str(v)
    return f"<{node.id} key>"


def scalar(node: ScalarNode) -> Any:
    """A scalar with YAML 1.1 core resolution (as PyYAML and go-yaml v2 do); other tags are strings."""
    tag = node.tag
    if tag == _STR or not tag.startswith("tag:yaml.org,2002:"):
        return node.value
    try:
        if tag.endswith(":null"):
            return None
        if tag.endswith(":bool"):
            return _SCALARS.construct_yaml_bool(node)
        if tag.endswith(":int"):
            return _SCALARS.construct_yaml_int(node)
        if tag.endswith(":float"):
            return _SCALARS.construct_yaml_float(node)
    except (ConstructorError, ValueError):
        return node.value
    return node.value  # timestamps, binary ...: the text as written


#: nesting beyond which libyaml's recursive composer could overflow the C stack (it crashes near
#: 30,000 levels); such texts go to the pure-Python loader, whose recursion limit fails cleanly
_C_NESTING_LIMIT = 2_000
_INDENT = re.compile(r"^[ \t?:-]+", re.MULTILINE)
_BRACKET = re.compile(r"[\[\]{}]")


def _deeply_nested(text: str) -> bool:
    """A cheap upper bound of the nesting depth (brackets counted even inside quotes)."""
    if text.count("[") + text.count("{") > _C_NESTING_LIMIT:
        depth = 0
        for m in _BRACKET.finditer(text):
            depth += 1 if m.group() in "[{" else -1
            if depth > _C_NESTING_LIMIT:
                return True
    return any(len(m.group()) > _C_NESTING_LIMIT for m in _INDENT.finditer(text))


def load_documents(text: str, path: str) -> tuple[list[Document], YamlProblem | None]:
    """Every document of ``text`` as positioned values, and the first syntax problem if any.

    Documents before a syntax error are kept (a broken last document does not hide the others).
    """
    lines = text.splitlines()
    conv = _Converter(path, lines)
    docs: list[Document] = []
    loader = yaml.SafeLoader(text) if _deeply_nested(text) else _Loader(text)
    index = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                break
            conv.count = 0
            docs.append(Document(conv.convert(node, conv.span(node, node)), index))
            index += 1
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = e.problem or e.context or "invalid YAML"
        if "\t" in (lines[line - 1][col - 1 : col] if 0 < line <= len(lines) else ""):
            problem += " (a tab: YAML indentation must use spaces)"  # libyaml does not name the character
        return docs, YamlProblem(f"invalid YAML: {problem}", line, col)
    except yaml.YAMLError as e:
        return docs, YamlProblem(f"invalid YAML: {e}", 1, 1)
    except DocumentTooLarge as e:
        return docs, YamlProblem(str(e), e.line, e.column)
    except RecursionError:
        return docs, YamlProblem("invalid YAML: nesting too deep", 1, 1)
    finally:
        loader.dispose()
    return docs, None


def _embedded_lines(file_lines: list[str], anchor: Span, inner: str) -> list[tuple[int, int]] | None:
    """Where each line of ``inner`` is written: (file line, column offset), or None if not verbatim.

    A literal block scalar (``patch: |-``) holds its lines verbatim from the line after the anchor,
    indented; a quoted one-line scalar holds them on the anchor's own line. Folded or escaped
    scalars do not keep lines verbatim: their values are placed at the anchor instead.
    """
    inner_lines = inner.split("\n")
    for first in (anchor.line, anchor.line + 1):
        offsets: list[tuple[int, int]] = []
        for k, line in enumerate(inner_lines):
            number = first + k
            if not line.strip():
                offsets.append((number, 0))
                continue
            if number > len(file_lines):
                break
            start = anchor.column - 1 if number == anchor.line else 0
            column = file_lines[number - 1].find(line, start)
            if column < 0:
                break
            offsets.append((number, column))
        else:
            return offsets
    return None


def _moved(span: Span | None, offsets: list[tuple[int, int]] | None, anchor: Span) -> Span:
    if span is None or not offsets:
        return anchor

    def place(line: int, column: int) -> tuple[int, int]:
        if line <= len(offsets):
            number, shift = offsets[line - 1]
            return number, column + shift
        number, shift = offsets[-1]  # past the end of the string (an error at its end): its last line
        return number, shift + 1

    line, column = place(span.line, span.column)
    end_line, end_column = place(span.end_line, span.end_column)
    return Span(anchor.file, line, column, end_line, end_column)


def _relocate(value: Any, offsets: list[tuple[int, int]] | None, anchor: Span) -> Any:
    if isinstance(value, Unknown):
        return Unknown(value.reason, _moved(value.span, offsets, anchor))
    inner = value.value
    if isinstance(inner, list):
        inner = [_relocate(v, offsets, anchor) for v in inner]
    elif isinstance(inner, dict):
        inner = {k: _relocate(v, offsets, anchor) for k, v in inner.items()}
    return Known(inner, _moved(value.span, offsets, anchor), value.via)


def load_embedded(inner: str, file_text: str, anchor: Span) -> tuple[list[Document], YamlProblem | None]:
    """The documents of YAML written inside a string of another YAML file (an inline patch).

    ``anchor`` is the string's span in ``file_text``; the values get positions in that file.
    """
    offsets = _embedded_lines(file_text.splitlines(), anchor, inner)
    docs, problem = load_documents(inner, anchor.file)
    moved = [Document(_relocate(d.value, offsets, anchor), d.index) for d in docs]
    if problem is not None:
        where = _moved(Span(anchor.file, problem.line, problem.column), offsets, anchor)
        problem = YamlProblem(problem.message, where.line, where.column)
    return moved, problem
