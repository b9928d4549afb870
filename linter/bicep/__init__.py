"""Bicep front end: ``.bicep`` entry files (with local modules and ``.bicepparam``) into canonical
resources, through the same evaluator and adapter as ARM JSON (``linter.arm``).

Every ``.bicep`` of the scan is an entry unless another scanned ``.bicep`` uses it as a local
module, in which case it is analysed through that module call (with the parameters passed in).
A ``.bicepparam`` file (``using './main.bicep'``) supplies parameter values to its template.
Syntax that pycep-parser cannot read (filtered loops, ``...`` spread, ``provider``, ``assert``)
becomes one AKSB000 finding naming the construct and line; the other files go on. pycep is
imported only here, when a Bicep file is present.

Not done: ``--bicep-build`` (compile with a ``bicep`` executable and analyse the ARM output);
no Bicep compiler is available in this environment.
"""

from __future__ import annotations

import functools
import re
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from linter.arm.jsonpos import PosDict
from linter.cache import ParseCache, module_file, source_fingerprint
from linter.model import Span, Value
from linter.stack import LoadContext, StackResult, parse_error
from linter.textfile import read_text

_MODULE_REF = re.compile(r"^\s*module\s+\w+\s+'([^']+)'", re.MULTILINE)
_USING = re.compile(r"^\s*using\s+'([^']+)'", re.MULTILINE)
_PARAM_ASSIGN = re.compile(r"^(\s*)param(\s+\w+\s*=)", re.MULTILINE)
PARSE_TIMEOUT_SECONDS = 10
MAX_MODULE_DEPTH = 12

UNSUPPORTED = (
    (re.compile(r"\.\.\.\s*[A-Za-z_(\[{]"), "the spread operator '...'"),
    (re.compile(r"^\s*provider\s", re.MULTILINE), "the 'provider' statement"),
    (re.compile(r"^\s*assert\s", re.MULTILINE), "the 'assert' statement"),
    (re.compile(r"\[\s*for\s[^\]]*?:\s*if\s*\(", re.DOTALL), "a filtered for-loop ('for ...: if (...)')"),
)


class _Parser:
    """pycep's Lark parser (built once, lazily) with a time limit."""

    def __init__(self) -> None:
        from pycep import BicepParser

        self.lark = BicepParser().lark_parser

    def __call__(self, text: str) -> Any:
        use_alarm = threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGALRM")
        if not use_alarm:
            return self.lark.parse(text)

        def timeout(signum: int, frame: Any) -> None:
            raise TimeoutError("the Bicep parser took too long")

        previous = signal.signal(signal.SIGALRM, timeout)
        signal.alarm(PARSE_TIMEOUT_SECONDS)
        try:
            return self.lark.parse(text)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)


class _Loader:
    def __init__(self, ctx: LoadContext, result: StackResult) -> None:
        self.ctx = ctx
        self.result = result
        self._parser: _Parser | None = None
        self.texts: dict[Path, str | None] = {}
        self.reported: set[Path] = set()
        self.translated: set[Path] = set()

    @property
    def parser(self) -> _Parser:
        if self._parser is None:
            self._parser = _Parser()
        return self._parser

    def text(self, path: Path) -> str | None:
        if path not in self.texts:
            text, problem = read_text(path, self.ctx.max_file_bytes)
            if path not in self.result.files:
                self.result.files.append(path)
            if problem is not None:
                self.error(path, problem.line, 1, problem.message)
            self.texts[path] = text
        return self.texts[path]

    def error(self, path: Path, line: int, column: int, message: str) -> None:
        if path in self.reported:
            return
        self.reported.add(path)
        self.result.diagnostics.append(parse_error(path, line, column, message))

    def translate(self, path: Path, stack: tuple[Path, ...] = ()) -> PosDict | None:
        """The template model of ``path`` and its local modules, through the parse cache: a warm
        run neither imports pycep nor parses (the key covers every module file's text)."""
        path = path.resolve()
        if stack:
            return self._translate(path, stack)
        key, involved = self.cache_key(path)
        store = bicep_cache() if key else None
        if store is not None:
            hit = store.get(key)
            if isinstance(hit, tuple) and len(hit) == 2 and isinstance(hit[0], PosDict):
                tpl, translated = hit
                self.translated.update(Path(p) for p in translated)
                for p in involved:
                    if p not in self.result.files:
                        self.result.files.append(p)
                return tpl
        before = len(self.result.diagnostics)
        done_before = set(self.translated)
        tpl = self._translate(path, stack)
        if store is not None and tpl is not None and len(self.result.diagnostics) == before:
            store.put(key, (tpl, sorted(str(p) for p in self.translated - done_before)))
        return tpl

    def cache_key(self, path: Path) -> tuple[str, list[Path]]:
        """Content key over ``path`` and the local modules it reaches ('' when not cacheable)."""
        store = bicep_cache()
        if not store.enabled:
            return "", []
        seen: list[Path] = []
        todo = [path]
        parts: list[str] = []
        while todo:
            current = todo.pop()
            if current in seen or len(seen) > 200:
                continue
            seen.append(current)
            text = self.text(current) if current.is_file() else None
            if text is None:
                if current == path:
                    return "", []
                parts.append(f"{current}\0<missing>")
                continue
            parts.append(f"{current}\0{text}")
            todo.extend(module_targets(current, text))
        return store.key(path, "\0\0".join(parts)), seen

    def _translate(self, path: Path, stack: tuple[Path, ...]) -> PosDict | None:
        from linter.bicep.translate import BicepSyntaxError, Translator

        if path in stack or len(stack) > MAX_MODULE_DEPTH:
            return None
        text = self.text(path)
        if text is None:
            return None

        def load_module(target: Path, span: Span) -> PosDict | None:
            if not target.is_file():
                return None
            return self._translate(target.resolve(), (*stack, path))

        try:
            tpl = Translator(path, text, self.parser, load_module).template()
        except BicepSyntaxError as e:
            self.error(path, e.line, e.column, f"unsupported Bicep syntax: {e}")
            return None
        except TimeoutError as e:
            self.error(path, 1, 1, str(e))
            return None
        except Exception as e:  # noqa: BLE001 - lark raises many error types; all are parse errors here
            line, column = getattr(e, "line", 1) or 1, getattr(e, "column", 1) or 1
            self.error(path, line, column, describe_parse_error(text, e, line))
            return None
        tpl.file = str(path)
        self.translated.add(path)
        return tpl


@functools.lru_cache(maxsize=1)
def bicep_cache() -> ParseCache:
    """Translated Bicep templates, keyed by tool, pycep grammar and our translator's source."""
    from linter import __version__

    salt = "|".join(
        (
            __version__,
            sys.version.split()[0],
            source_fingerprint(
                __file__,
                module_file("linter.bicep.translate"),
                module_file("linter.arm.expr"),
                module_file("linter.arm.jsonpos"),
                module_file("linter.arm.template"),
                module_file("linter.model"),
                module_file("pycep", "bicep.lark"),
            ),
        )
    )
    return ParseCache("bicep", salt)


def describe_parse_error(text: str, error: Exception, line: int) -> str:
    """Name the unsupported construct when we recognise it, else pycep's message."""
    found: list[tuple[int, int, str]] = []
    for pattern, construct in UNSUPPORTED:
        for m in pattern.finditer(text):
            where = text[: m.start()].count("\n") + 1
            found.append((abs(where - line), where, construct))
    if found:
        _, where, construct = min(found)
        return f"Bicep syntax not supported by the linter's parser: {construct} (line {where})"
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"cannot parse Bicep: {first[:200]}"


def module_targets(path: Path, text: str) -> list[Path]:
    return [
        (path.parent / m.group(1)).resolve()
        for m in _MODULE_REF.finditer(text)
        if not re.match(r"^(br|ts)[:/]", m.group(1))
    ]


def bicepparam_values(path: Path, loader: _Loader) -> tuple[Path | None, dict[str, Value]]:
    """(template the file is ``using``, parameter values); values are evaluated like Bicep vars."""
    from linter.arm.evaluate import Frame, Scope, default_deployment, eval_node
    from linter.bicep.translate import Translator

    text = loader.text(path)
    if text is None:
        return None, {}
    m = _USING.search(text)
    target = (path.parent / m.group(1)).resolve() if m else None
    # 'using' is not in pycep's grammar and 'param x = v' lacks a type: blank the former and
    # spell the latter as a same-length 'var' so every column stays where it was.
    body = _USING.sub(lambda u: " " * len(u.group(0)), text)
    body = _PARAM_ASSIGN.sub(lambda p: f"{p.group(1)}var  {p.group(2)}", body)
    store = bicep_cache()
    key = store.key(path, "bicepparam\0" + body) if store.enabled else ""
    tpl = store.get(key) if key else None
    try:
        if not isinstance(tpl, PosDict):
            tpl = Translator(path, body, loader.parser).template()
            if key:
                store.put(key, tpl)
    except Exception as e:  # noqa: BLE001
        loader.error(
            path, getattr(e, "line", 1) or 1, getattr(e, "column", 1) or 1, f"cannot parse .bicepparam: {e}"
        )
        return target, {}
    frame = Frame(str(path), default_deployment(loader.ctx.deployment), "bicep")
    variables = tpl.get("variables")
    values: dict[str, Value] = {}
    if isinstance(variables, PosDict):
        for name, node in variables.items():
            frame.variables[name.lower()] = (node, variables.key_spans.get(name))
        for name in variables:
            values[name] = frame.variable(name)
    _ = Scope, eval_node
    return target, values


def load(files: list[Path], ctx: LoadContext) -> StackResult:
    from linter.arm.loader import evaluate_template

    result = StackResult()
    loader = _Loader(ctx, result)
    files = sorted({p.resolve() for p in files})
    bicep = [p for p in files if p.suffix.lower() == ".bicep"]
    params = [p for p in files if p.suffix.lower() == ".bicepparam"]
    modules: set[Path] = set()
    for path in bicep:
        text = loader.text(path)
        if text is not None:
            modules.update(module_targets(path, text))
    supplied: dict[Path, dict[str, Value]] = {}
    for path in params:
        try:
            target, values = bicepparam_values(path, loader)
        except Exception as e:  # noqa: BLE001
            loader.error(path, 1, 1, f"cannot read .bicepparam ({type(e).__name__}: {e})")
            continue
        if target is not None and target not in supplied:
            supplied[target] = values
    entries = [p for p in bicep if p not in modules]
    for path in [*entries, *[p for p in bicep if p in modules]]:
        if path in modules and path in loader.translated:
            continue  # analysed through its module call(s)
        try:
            template = loader.translate(path)
            if template is None:
                continue
            evaluate_template(path, template, None, ctx, result, "bicep", supplied=supplied.get(path))
        except Exception as e:  # noqa: BLE001 - one file must never stop the others
            loader.error(path, 1, 1, f"could not evaluate Bicep file ({type(e).__name__}: {e})")
    return result


__all__ = ["load"]
