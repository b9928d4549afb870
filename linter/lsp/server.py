"""``aks-backup-lint lsp``: a Language Server Protocol server over stdio (pygls 2).

What it does, per document (``.tf``, ``.tfvars``, ``.tf.json``, ``.bicep``, ``.bicepparam``, ARM
``.json``, Kubernetes ``.yaml``/``.yml``):

* on open and save at once, on change after a short pause (``DEBOUNCE_SECONDS``, or the
  ``debounce`` setting), it evaluates the document's stack (``linter.lsp.stacks``) with the text
  of every open document standing in for the file on disk (the engine's overlay), so unsaved
  edits count everywhere: a tfvars buffer changes the findings of its module;
* it publishes the findings of every file of that stack as diagnostics (rule ID as ``code``
  with a link to the rule's documentation, related locations as ``relatedInformation``, notes
  as hints) and clears the ones that went away; other stacks are not touched;
* a finding's fix is a preferred quick fix (``textDocument/codeAction``), checked against the
  current text of the buffer before it is offered.

Settings come from the workspace's config file (``.aks-backup-lint.yaml`` or ``pyproject.toml``,
found upward from the document, as ``check`` finds it). Saving a config file, or
``workspace/didChangeConfiguration``, reloads them and re-evaluates every stack seen so far;
the client may also send ``{"aksBackupLint": {"config": PATH, "debounce": SECONDS}}``.

The parse caches key on content, so re-evaluating a stack after a one-file edit parses only
that file.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from linter import __version__, cache, engine, parallel
from linter.config import CONFIG_NAMES, ConfigError
from linter.fixes import disk_reader, resolve
from linter.lsp.convert import code_action, diagnostic, overlaps, uri_of
from linter.lsp.stacks import StackIndex
from linter.model import Finding
from linter.options import Flags, Options, UsageError, build_options
from policies import load_builtin_rules

DEBOUNCE_SECONDS = 0.1
#: parsed Terraform files kept in memory between evaluations (``linter.cache.keep_in_memory``)
MEMORY_ENTRIES = 20_000
SUFFIXES = (".tf", ".tfvars", ".tf.json", ".bicep", ".bicepparam", ".json", ".yaml", ".yml")
SETTINGS_SECTION = "aksBackupLint"

Stack = tuple[Path, ...]


def supported(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIXES)


class LintServer(LanguageServer):
    """The server's state: options per directory, the stack index and each stack's findings."""

    def __init__(self) -> None:
        super().__init__(
            "aks-backup-lint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental
        )
        # Parse serially: forking a worker pool from a process whose other threads hold locks (the
        # stdio transport) can deadlock the workers; the parse cache makes a cold parse one-time.
        parallel.set_jobs(1)
        cache.keep_in_memory(MEMORY_ENTRIES, ("terraform",))
        self.registry = load_builtin_rules()
        self.help_uris = {r.spec.id: r.spec.help_uri for r in self.registry}
        self.debounce = DEBOUNCE_SECONDS
        self.config_override: Path | None = None
        self._options: dict[Path, Options] = {}
        self._index: StackIndex | None = None
        #: stack -> file -> (finding, diagnostic): what was last published for each stack
        self.results: dict[Stack, dict[str, list[tuple[Finding, types.Diagnostic]]]] = {}
        self._pending: dict[Stack, asyncio.TimerHandle] = {}
        self._stack_start: dict[Stack, Path] = {}
        #: milliseconds of the last evaluation of each stack (logged; read by the benchmark)
        self.timings: dict[Stack, float] = {}

    # --- state ------------------------------------------------------------------------------

    @property
    def index(self) -> StackIndex:
        if self._index is None:
            roots = [Path(to_fs_path(f.uri) or ".") for f in self.workspace.folders.values()]
            if not roots and self.workspace.root_path:
                roots = [Path(self.workspace.root_path)]
            self._index = StackIndex(roots)
        return self._index

    def options_for(self, directory: Path) -> Options:
        """The settings ``check`` would use for files in ``directory`` (config found upward)."""
        if directory not in self._options:
            try:
                self._options[directory] = build_options(Flags(config=self.config_override), directory)
            except (UsageError, ConfigError) as e:
                self.window_show_message(
                    types.ShowMessageParams(type=types.MessageType.Error, message=f"aks-backup-lint: {e}")
                )
                self._options[directory] = Options()
        return self._options[directory]

    def overlay(self) -> dict[Path, str]:
        """Every open document's text, by resolved path."""
        out: dict[Path, str] = {}
        for doc in self.workspace.text_documents.values():
            path = to_fs_path(doc.uri)
            if path is not None and doc.uri.startswith("file:"):
                out[Path(path).resolve()] = doc.source
        return out

    def lines_of(self, file: str) -> list[str]:
        doc = self.workspace.text_documents.get(uri_of(file))
        if doc is not None:
            return list(doc.lines)
        text = disk_reader()(file)
        return text.splitlines(keepends=True) if text is not None else []

    # --- evaluation -------------------------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> None:
        path = to_fs_path(uri)
        if path is None or not uri.startswith("file:") or not supported(Path(path)):
            return
        document = Path(path).resolve()
        if not document.exists():
            return  # a buffer never saved: the engine discovers files on disk
        stack = self.index.stack_of(document)
        self._stack_start.setdefault(stack, document.parent)
        pending = self._pending.pop(stack, None)
        if pending is not None:
            pending.cancel()
        loop = asyncio.get_running_loop()
        self._pending[stack] = loop.call_later(delay, self.evaluate, stack)

    def evaluate(self, stack: Stack) -> None:
        """Check ``stack`` with the open buffers and publish the diagnostics of its files."""
        self._pending.pop(stack, None)
        started = time.perf_counter()
        try:
            findings, files = self._check(stack)
        except Exception as e:  # noqa: BLE001 - a bug must not take the editor's server down
            self.window_log_message(
                types.LogMessageParams(
                    type=types.MessageType.Error, message=f"aks-backup-lint: {type(e).__name__}: {e}"
                )
            )
            return
        codec = self.workspace.position_codec
        by_file: dict[str, list[tuple[Finding, types.Diagnostic]]] = {f: [] for f in files}
        for f in findings:
            by_file.setdefault(f.span.file, []).append(
                (f, diagnostic(f, self.lines_of, codec, self.help_uris))
            )
        before = set(self.results.get(stack, {}))
        self.results[stack] = by_file
        for other, results in self.results.items():  # the fresher evaluation speaks for shared files
            if other != stack:
                for file in by_file:
                    results.pop(file, None)
        for file in sorted(before | set(by_file)):
            self.publish(file)
        self.timings[stack] = (time.perf_counter() - started) * 1000
        self.window_log_message(
            types.LogMessageParams(
                type=types.MessageType.Log,
                message=f"aks-backup-lint: checked {', '.join(str(d) for d in stack)} in {self.timings[stack]:.0f} ms",
            )
        )

    def _check(self, stack: Stack) -> tuple[list[Finding], set[str]]:
        """The active findings of ``stack`` and the files it read.

        Each directory is named by one of its files, so discovery takes the directory without
        descending into subdirectories (other stacks); the report covers all of them.
        """
        options = self.options_for(self._stack_start.get(stack, stack[0]))
        named = [p for p in (_one_file(d) for d in stack) if p is not None]
        if not named:
            return [], set()
        loaded = engine.load(named, options, self.overlay())
        report = engine.check(loaded, options, self.registry, list(stack))
        files = {str(p) for p in loaded.files}
        return [f for f in report.findings if f.suppression is None], files

    def publish(self, file: str) -> None:
        seen: set[tuple[Any, ...]] = set()
        diagnostics: list[types.Diagnostic] = []
        for results in self.results.values():
            for _, diag in results.get(file, []):
                key = (diag.code, diag.range.start.line, diag.range.start.character, diag.message)
                if key not in seen:
                    seen.add(key)
                    diagnostics.append(diag)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri_of(file), diagnostics=diagnostics)
        )

    def reload(self) -> None:
        """Settings changed: forget options and callers, evaluate every stack seen again."""
        self._options.clear()
        self._index = None
        for stack in list(self.results):
            pending = self._pending.pop(stack, None)
            if pending is not None:
                pending.cancel()
            self._pending[stack] = asyncio.get_running_loop().call_soon(self.evaluate, stack)  # type: ignore[assignment]

    # --- quick fixes ------------------------------------------------------------------------

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        path = to_fs_path(params.text_document.uri)
        if path is None:
            return []
        file = str(Path(path).resolve())
        text = self.workspace.get_text_document(params.text_document.uri).source
        actions: list[types.CodeAction] = []
        for results in self.results.values():
            for finding, diag in results.get(file, []):
                if finding.fix is None or not overlaps(diag.range, params.range):
                    continue
                current = resolve(finding.fix, text)  # the buffer may have changed since
                if current is not None:
                    actions.append(
                        code_action(current, finding, diag, self.lines_of, self.workspace.position_codec)
                    )
        return actions


def _one_file(directory: Path) -> Path | None:
    """A file of ``directory`` (discovery brings its siblings along), preferring IaC files."""
    try:
        files = sorted(p for p in directory.iterdir() if p.is_file())
    except OSError:
        return None
    return next((p for p in files if supported(p)), files[0] if files else None)


def build_server() -> LintServer:
    server = LintServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LintServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = to_fs_path(uri)
        if path is not None and supported(Path(path)):
            ls.index.update(Path(path), ls.workspace.get_text_document(uri).source)
        ls.schedule(uri, ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LintServer, params: types.DidSaveTextDocumentParams) -> None:
        path = to_fs_path(params.text_document.uri)
        if path is not None and (Path(path).name in CONFIG_NAMES or Path(path).name == "pyproject.toml"):
            ls.reload()
            return
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)  # the file on disk stands in for the buffer again

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls: LintServer, params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings.get(SETTINGS_SECTION) if isinstance(params.settings, dict) else None
        if isinstance(settings, dict):
            config = settings.get("config")
            ls.config_override = Path(config) if isinstance(config, str) and config else None
            debounce = settings.get("debounce")
            if isinstance(debounce, int | float) and debounce >= 0:
                ls.debounce = float(debounce)
        ls.reload()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action_feature(ls: LintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params)

    return server


def serve() -> None:
    """Run the server on stdin/stdout until the client says exit."""
    build_server().start_io()
