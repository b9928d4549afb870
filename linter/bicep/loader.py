"""Reading Bicep files: each file parsed and translated once, then module calls, imports and
registry modules linked into the templates that use them.

A file's translation depends only on its path and text, so it is cached under a key made of
those (in the front end's entry store, ``linter.cachedb``); files missing from the cache are
parsed on several cores when there are many (``linter.parallel``). Linking happens after that, in
this process: a local module call gets the module file's template, an ``import`` the exporting
file's template, and a registry module (``br:``/``ts:``) the compiled ``main.json`` from the local
Bicep module cache (``linter.bicep.registry``), or stays an unresolved module.

Every file is read and probed through a ``FileView`` (``linter.stackcache``): what linking a file
looked at is kept with it and counted again whenever another stack uses that linked file, so each
stack's cache entry names every file its result depends on.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from linter import parallel, progress
from linter.arm import expr as ex
from linter.arm.jsonpos import JsonError, PosDict, loads
from linter.arm.template import BICEP_IMPORTED, REGISTRY_MODULE, UNRESOLVED_REASON, ForSpec
from linter.bicep import registry
from linter.bicep.translate import IMPORTS, LOCAL_MODULE, is_registry_reference
from linter.cache import module_file, register_dataclass_pickling, source_fingerprint
from linter.cachedb import CacheDB
from linter.model import Span
from linter.stackcache import FileView, Inputs
from linter.textfile import text_of

USING = "__using__"
EXTENDS = "__extends__"


@dataclass(frozen=True)
class Problem:
    """Why a file could not be read: ``unsupported`` when it may be valid Bicep the reader does
    not know (a note), otherwise a real syntax error (an error)."""

    line: int
    column: int
    message: str
    unsupported: bool = False


#: (template model or None, problem or None)
FileResult = tuple[PosDict | None, Problem | None]


@functools.lru_cache(maxsize=1)
def parse_salt() -> str:
    """What a cached translation depends on besides the file: tool version and the source of
    everything that builds it."""
    from linter import __version__

    return "|".join(
        (
            "bicep-parse",
            __version__,
            sys.version.split()[0],
            source_fingerprint(
                module_file("linter.bicep.lexer"),
                module_file("linter.bicep.parser"),
                module_file("linter.bicep.syntax"),
                module_file("linter.bicep.translate"),
                module_file("linter.arm.expr"),
                module_file("linter.arm.jsonpos"),
                module_file("linter.arm.template"),
                module_file("linter.model"),
                module_file("linter.cache"),
            ),
        )
    )


@functools.lru_cache(maxsize=1)
def _register_pickling() -> None:
    """Translations are many small dataclasses: pickle them by constructor (``linter.cache``)."""
    register_dataclass_pickling(
        [ex.Lit, ex.Call, ex.Prop, ex.Index, ex.Ref, ex.Op, ex.Interp, ex.ForExpr, ex.Lambda, ex.Spread]
        + [ex.Method, ForSpec, Span]
    )


def parse_key(path: Path, text: str) -> str:
    """The cache key of one file's translation."""
    h = hashlib.sha256(parse_salt().encode())
    h.update(b"\0")
    h.update(str(path).encode("utf-8", "surrogatepass"))
    h.update(b"\0")
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:40]


def parse_text(path: Path, text: str) -> FileResult:
    """The template model of one ``.bicep``/``.bicepparam`` text, or why there is none."""
    from linter.bicep.lexer import LexError
    from linter.bicep.parser import BicepSyntaxError, parse
    from linter.bicep.translate import params_file_values, template_of

    params_file = path.suffix.lower() == ".bicepparam"
    try:
        parsed = parse(text, str(path), params_file=params_file)
    except LexError as e:
        return None, Problem(e.line, e.column, f"Bicep syntax error: {e}")
    except BicepSyntaxError as e:
        if not balanced(text):
            return None, Problem(e.line, e.column, f"Bicep syntax error: {e}")
        return None, Problem(e.line, e.column, unsupported_message(str(e)), unsupported=True)
    except RecursionError:
        return None, Problem(1, 1, unsupported_message("expressions nested too deeply"), unsupported=True)
    if params_file:
        using, extends, tpl = params_file_values(parsed, path)
        tpl[USING] = using
        tpl[EXTENDS] = extends
        return tpl, None
    return template_of(parsed, path), None


def unsupported_message(detail: str) -> str:
    return (
        f"Bicep syntax the linter cannot read: {detail}. If 'bicep build' accepts this file, the "
        "linter does not support this syntax yet and skipped the file (please report it)"
    )


def balanced(text: str) -> bool:
    """Brackets, braces and parentheses pair up (the lexer already accepted strings/comments)."""
    from linter.bicep.lexer import tokenize

    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[str] = []
    for token in tokenize(text):
        kind = token[0]
        if kind in ("(", "[", "{"):
            stack.append(kind)
        elif kind in pairs and (not stack or stack.pop() != pairs[kind]):
            return False
    return not stack


def _parse_job(job: tuple[Path, str]) -> bytes:
    """Pool worker: parse and return the pickled result (the parent stores these same bytes)."""
    path, text = job
    return pickle.dumps(parse_text(path, text), protocol=pickle.HIGHEST_PROTOCOL)


class BicepFiles:
    """Every Bicep file of a run, read once; problems become ``problems`` (path -> Problem).

    ``view`` reads and probes files (recording them for the stack cache); ``store`` keeps
    translations between runs (None: not cached).
    """

    def __init__(
        self,
        max_bytes: int,
        overlay: Mapping[Path, str] | None = None,
        view: FileView | None = None,
        store: CacheDB | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.view = view or FileView(max_bytes, overlay, record=False)
        self.store = store
        self.templates: dict[Path, PosDict | None] = {}
        self.problems: dict[Path, Problem] = {}
        self.read: list[Path] = []  # files actually read, in order
        self.configs = registry.ConfigFinder(self.view)
        self._linked: set[Path] = set()
        self._read_inputs: dict[Path, Inputs] = {}  # what reading each file looked at
        self._link_inputs: dict[Path, Inputs] = {}  # what linking each file looked at, modules included
        self._registry: dict[Path, tuple[PosDict | str, Inputs]] = {}
        self._resolved: dict[str, Path] = {}

    # --- reading ------------------------------------------------------------------------------

    def _lookup(self, path: Path) -> tuple[FileResult | None, str | None, str]:
        with self.view.recording() as inputs:
            raw = self.view.read(path)
        self._read_inputs[path] = inputs
        text, problem = text_of(raw, self.max_bytes)
        self.read.append(path)
        if problem is not None:
            return (None, Problem(problem.line, 1, problem.message)), None, ""
        if text is None:
            return (None, None), None, ""
        if self.store is None:
            return None, text, ""
        key = parse_key(path, text)
        hit = self.store.get(key)
        return (hit if _is_result(hit) else None), text, key

    def _record(self, path: Path, result: FileResult) -> None:
        template, problem = result
        self.templates[path] = template
        if problem is not None:
            self.problems[path] = problem

    def prefetch(self, paths: list[Path]) -> None:
        """Read ``paths``: cache hits first, misses on several cores when there are many."""
        todo = sorted({p.resolve() for p in paths} - set(self.templates))
        _register_pickling()
        results: dict[Path, FileResult] = {}
        misses: list[tuple[Path, str, str]] = []
        with parallel.gc_paused():
            for path in todo:
                known, text, key = self._lookup(path)
                if known is not None:
                    results[path] = known
                    progress.advance()
                elif text is not None:
                    misses.append((path, text, key))
            if parallel.jobs_for(len(misses)) > 1:
                jobs = parallel.map_ordered(
                    _parse_job,
                    [(path, text) for path, text, _ in misses],
                    initializer=parallel.gc_enabled_worker,
                )
                for (path, _, key), data in zip(misses, jobs, strict=True):
                    results[path] = pickle.loads(data)  # from our own worker
                    if key and self.store is not None:
                        self.store.put_bytes(key, data)
                    progress.advance()
                misses = []
            for path, text, key in misses:
                results[path] = parse_text(path, text)
                if key and self.store is not None:
                    self.store.put(key, results[path])
                progress.advance()
        for path in todo:
            self._record(path, results[path])

    def resolve(self, path: Path | str) -> Path:
        """The resolved path (symlinks followed), computed once per spelling."""
        key = str(path)
        if key not in self._resolved:
            self._resolved[key] = Path(path).resolve()
        return self._resolved[key]

    def template(self, path: Path) -> PosDict | None:
        path = self.resolve(path)
        if path not in self.templates:
            self.prefetch([path])
        self.view.replay(self._read_inputs[path])
        return self.templates.get(path)

    # --- linking ------------------------------------------------------------------------------

    def linked(self, path: Path, calling: tuple[Path, ...] = ()) -> PosDict | None:
        """The template of ``path`` with its module calls and imports attached (once per file)."""
        path = self.resolve(path)
        template = self.template(path)
        if template is None:
            return template
        if path in self._linked:
            inputs = self._link_inputs.get(path)
            if inputs is None:  # being linked further up: a cycle the caller did not see
                self.view.uncacheable()
            else:
                self.view.replay(inputs)
            return template
        self._linked.add(path)
        chain = (*calling, path)
        with self.view.recording() as inputs:
            resources = template.get("resources")
            for decl in resources.values() if isinstance(resources, dict) else ():
                props = decl.get("properties") if isinstance(decl, dict) else None
                if isinstance(props, dict):
                    self._link_module(path, props, chain)
            imports = template.get(IMPORTS)
            if imports:
                template[BICEP_IMPORTED] = [
                    (original, local, span, *self._import_source(path, source, chain))
                    for source, original, local, span in imports
                ]
        self._link_inputs[path] = inputs
        return template

    def _link_module(self, path: Path, props: dict, chain: tuple[Path, ...]) -> None:
        local = props.get(LOCAL_MODULE)
        if isinstance(local, str):
            target = self.resolve(local)
            if target in chain:
                props[UNRESOLVED_REASON] = "the module calls itself"
                self.view.uncacheable()  # which call is cut depends on where linking started
            elif not self.view.is_file(target):
                props[UNRESOLVED_REASON] = f"module file {local} not found"
            else:
                module = self.linked(target, chain)
                if module is not None:
                    props["template"] = module
                else:
                    props[UNRESOLVED_REASON] = "the module file cannot be read"
            return
        link = props.get("templateLink")
        reference = link.get("id") if isinstance(link, dict) else None
        if isinstance(reference, str) and is_registry_reference(reference):
            found = self.registry_template(path, reference)
            if isinstance(found, PosDict):
                props["template"] = found
                props[REGISTRY_MODULE] = reference
            else:
                props[UNRESOLVED_REASON] = found

    def _import_source(self, path: Path, source: str, chain: tuple[Path, ...]) -> tuple[PosDict | None, str]:
        if is_registry_reference(source):
            return None, source  # exported types and values of registry modules are not read
        target = self.resolve(path.parent / source)
        if target in chain:
            self.view.uncacheable()  # as for a module cycle
            return None, source
        if not self.view.is_file(target) or target.suffix.lower() != ".bicep":
            return None, source
        return self.linked(target, chain), source

    def registry_template(self, path: Path, reference: str) -> PosDict | str:
        """The compiled template of a registry module in the local module cache, or why not."""
        config = self.configs.for_file(path)
        entry = registry.resolve(reference, config)
        if isinstance(entry, str):
            return entry
        return self.view.memo(self._registry, entry.path, lambda: self._read_cached(entry, config))

    def _read_cached(self, entry: registry.CacheEntry, config: registry.BicepConfig) -> PosDict | str:
        where = f"the Bicep module cache ({config.cache_root})"
        if config.problem:
            where += f"; {config.source}: {config.problem}"
        if not self.view.is_file(entry.path):
            return f"{entry.reference} is not in {where}: run 'bicep restore' to analyse it"
        raw = self.view.read(entry.path, whole=True)
        try:
            if raw.error is not None:
                raise OSError(raw.error)
            text = raw.buffer if raw.buffer is not None else (raw.data or b"").decode("utf-8-sig")
            doc = loads(text, str(entry.path))
        except (OSError, UnicodeDecodeError, JsonError) as e:
            return f"{entry.reference}: the cached {entry.path} cannot be read ({e})"
        if entry.template_spec and isinstance(doc, dict):
            props = doc.get("properties")
            doc = props.get("mainTemplate") if isinstance(props, dict) else None
        if not isinstance(doc, PosDict):
            return f"{entry.reference}: the cached {entry.path} is not a template"
        doc.file = str(entry.path)
        return doc


def _is_result(value: object) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and (value[0] is None or isinstance(value[0], PosDict))
        and (value[1] is None or isinstance(value[1], Problem))
    )


__all__ = ["BicepFiles", "Problem", "parse_key", "parse_salt", "parse_text"]
