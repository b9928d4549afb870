"""Reading Terraform module directories and variable files, once each per run."""

from __future__ import annotations

import functools
import io
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from linter import __version__, parallel, progress
from linter.cache import (
    ParseCache,
    dist_versions,
    module_file,
    pickle_items,
    register_dataclass_pickling,
    source_fingerprint,
    unpickle_items,
)
from linter.frontend import LoadContext, parse_error
from linter.model import Finding, Known, Span, Unknown, Value
from linter.report import Notification
from linter.terraform import hcl, remote_modules, variables
from linter.terraform.evaluate import EmptyScope, Evaluator
from linter.terraform.module import ModuleInstance, ModuleSource, attribute_value
from linter.terraform.overrides import is_override_file
from linter.terraform.tfjson import is_json_configuration, parse_json
from linter.textfile import read_text

_PYTHON_HCL2_DISTRIBUTIONS = {"hcl2": "python_hcl2", "lark": "lark"}
_TREE_SITTER_DISTRIBUTIONS = {
    "tree_sitter": "tree_sitter",
    "tree_sitter_hcl": "tree_sitter_hcl",
    **_PYTHON_HCL2_DISTRIBUTIONS,
}


@functools.cache
def parse_cache(parser: str = hcl.DEFAULT_PARSER) -> ParseCache:
    """The Terraform parse cache of one parser: keyed by tool, parser and converter versions."""
    if parser == hcl.TREE_SITTER:
        code = [
            module_file("linter.terraform.hcl_treesitter"),
            module_file("linter.terraform.hcl_syntax_errors"),
            module_file("linter.terraform.hcl_python_hcl2"),  # it reads what tree-sitter cannot
        ]
        libraries = dist_versions(_TREE_SITTER_DISTRIBUTIONS)
    else:
        code = [module_file("linter.terraform.hcl_python_hcl2")]
        libraries = dist_versions(_PYTHON_HCL2_DISTRIBUTIONS)
    salt = "|".join(
        (
            __version__,
            sys.version.split()[0],
            parser,
            libraries,
            source_fingerprint(
                hcl.__file__,
                *code,
                module_file("linter.terraform.tfjson"),
                module_file("linter.model"),
                module_file("linter.cache"),
                __file__,
            ),
        )
    )
    node_types = [t for t in vars(hcl).values() if isinstance(t, type) and t.__module__ == hcl.__name__]
    register_dataclass_pickling([*node_types, Span])
    return ParseCache("terraform", salt)


def _warm_parser(parser: str) -> None:
    """Load python-hcl2's grammar once in this process (before forking workers)."""
    if parser == hcl.PYTHON_HCL2:
        hcl.parse(Path("warm.tf"), "x = 1\n", parser)


#: source size (characters) below which tree-sitter parses in this process rather than in a pool
POOL_MIN_CHARS = 2_000_000

#: (syntax tree or None, AKSB000 finding or None, whether the file was read)
ParseResult = tuple["hcl.HclFile | None", "Finding | None", bool]


def parse_file(job: tuple[Path, int, str], overlay: Mapping[Path, str] | None = None) -> ParseResult:
    """Read and parse one file (or its unsaved buffer in ``overlay``), through the parse cache."""
    path, max_bytes, parser = job
    known, text, key = _lookup(path, max_bytes, parser, overlay)
    if known is not None:
        return known
    assert text is not None
    result = _parse_text(path, text, parser)
    if key:
        parse_cache(parser).put_items(key, _entry(result))
    return result


def _lookup(
    path: Path, max_bytes: int, parser: str, overlay: Mapping[Path, str] | None = None
) -> tuple[ParseResult | None, str | None, str]:
    """The result when it needs no parsing (unreadable file, cache hit), else the text and cache key."""
    text, problem = read_text(path, max_bytes, overlay, utf8_only="Terraform")
    if problem is not None:
        return (None, parse_error(path, problem.line, 1, problem.message), False), None, ""
    if text is None:
        return (None, None, False), None, ""
    store = parse_cache(parser)
    if not store.enabled:
        return None, text, ""
    key = store.key(path, text)
    items = store.get_items(key)
    return (_from_entry(items, text) if items is not None else None), text, key


def _entry(result: ParseResult) -> list[Any]:
    """A parse result as cache items: a header, then each top-level attribute and block.

    The file's text is left out: the key is its hash, so a hit is read with the text in hand.
    """
    tree, finding, read = result
    if tree is None:
        return [(None, finding, read)]
    return [(tree.path, finding, read), *tree.body.attributes.values(), *tree.body.blocks]


def _from_entry(items: list[Any], text: str) -> ParseResult:
    path, finding, read = items[0]
    if path is None:
        return None, finding, read
    body = hcl.Body()
    for item in items[1:]:
        if isinstance(item, hcl.Attribute):
            body.attributes[item.name] = item
        else:
            body.blocks.append(item)
    return hcl.HclFile(path, body, text), finding, read


def _parse_text(path: Path, text: str, parser: str) -> ParseResult:
    if is_json_configuration(path):
        try:
            return parse_json(path, text), None, True
        except hcl.HclError as e:
            return None, parse_error(path, e.line, e.column, f"Terraform syntax error: {e}"), True
    tree, error = hcl.parse(path, text, parser)
    if error is None:
        return tree, None, True
    message = f"Terraform syntax error: {error}"
    if error.skipped:
        message += f" ({error.skipped} is not checked; the rest of the file is)"
    return tree, parse_error(path, error.line, error.column, message), True


def configuration_files(directory: Path) -> list[Path]:
    """A module's configuration files: ``*.tf`` and ``*.tf.json``, in lexical order of names."""
    return sorted(
        (p for p in directory.iterdir() if p.name.endswith((".tf", ".tf.json")) and p.is_file()),
        key=lambda p: p.name,
    )


def _parse_job(job: tuple[Path, str, str, str]) -> bytes:
    """Pool worker: parse and return the cache entry's bytes (pickled once; the parent stores them)."""
    path, text, _key, parser = job
    return pickle_items(_entry(_parse_text(path, text, parser)))


class TerraformLoader:
    """Parses each file once; collects AKSB000 findings; resolves module directories."""

    def __init__(self, ctx: LoadContext) -> None:
        self.max_bytes = ctx.max_file_bytes
        self.ctx = ctx
        self.parser, fallback = hcl.effective_parser(ctx.hcl_parser)
        #: tool-level messages for the run (tree-sitter unavailable: python-hcl2 reads instead, ...)
        self.notifications: list[Notification] = [Notification("warning", fallback)] if fallback else []
        self._files: dict[Path, hcl.HclFile | None] = {}
        self._modules: dict[Path, ModuleSource | None] = {}
        self.diagnostics: list[Finding] = []
        self._manifests: dict[Path, dict[str, remote_modules.InstalledModule] | None] = {}
        self.files_read: list[Path] = []

    def save_cache(self) -> None:
        """Write the parse results computed so far to the cache (``ParseCache.save``)."""
        parse_cache(self.parser).save()

    def parse(self, path: Path) -> hcl.HclFile | None:
        path = self.ctx.real_paths.file(path)
        if path in self._files:
            return self._files[path]
        self._record(path, parse_file((path, self.max_bytes, self.parser), self.ctx.overlay))
        progress.advance()
        return self._files[path]

    def prefetch(self, paths: list[Path]) -> None:
        """Parse ``paths`` up front: cache hits here, misses on several cores when there are many.

        Results are recorded in path order whichever way they were computed, so the outcome is the
        same as parsing them one by one.
        """
        todo = sorted(set(self.ctx.real_paths.files(paths)) - set(self._files))
        results: dict[Path, ParseResult] = {}
        misses: list[tuple[Path, str, str, str]] = []
        cache = parse_cache(self.parser)
        with parallel.gc_paused():  # cache hits and worker results: many acyclic objects, no garbage cycles
            for path in todo:
                known, text, key = _lookup(path, self.max_bytes, self.parser, self.ctx.overlay)
                if known is not None:
                    results[path] = known
                    progress.advance()
                elif text is not None:
                    misses.append((path, text, key, self.parser))
            if parallel.jobs_for(len(misses)) > 1 and self._worth_a_pool(misses):
                _warm_parser(self.parser)  # forked workers inherit the loaded grammar
                jobs = parallel.map_ordered(_parse_job, misses, initializer=parallel.gc_enabled_worker)
                for (path, text, key, _), data in zip(misses, jobs, strict=True):
                    results[path] = _from_entry(unpickle_items(io.BytesIO(data)), text)  # our own worker's
                    if key:
                        cache.put_bytes(key, data)
                    progress.advance()
                misses = []
            if self.parser == hcl.TREE_SITTER:  # acyclic trees: the GC has nothing to find
                self._parse_serially(misses, results)
                misses = []
        self._parse_serially(misses, results)  # python-hcl2's trees are cyclic: the GC stays on
        for path in todo:
            self._record(path, results[path])

    def _worth_a_pool(self, misses: list[tuple[Path, str, str, str]]) -> bool:
        """Whether parsing ``misses`` in worker processes can beat parsing them here.

        A worker's result comes back pickled, and unpickling costs about a sixth of what
        tree-sitter's parse and conversion cost; below a few megabytes of source the pool's start
        and that transfer eat the gain (the 1,232 files of the Terraform corpus, 1.7 MB, are faster
        in one process). python-hcl2 parses 15 times slower, so any 50 files are worth it.
        """
        if self.parser != hcl.TREE_SITTER:
            return True
        return sum(len(text) for _, text, _, _ in misses) >= POOL_MIN_CHARS

    def _parse_serially(
        self, misses: list[tuple[Path, str, str, str]], results: dict[Path, ParseResult]
    ) -> None:
        for path, text, key, parser in misses:
            results[path] = _parse_text(path, text, parser)
            if key:
                parse_cache(parser).put_items(key, _entry(results[path]))
            progress.advance()

    def _record(self, path: Path, parsed: ParseResult) -> None:
        tree, problem, read = parsed
        if problem is not None:
            self.diagnostics.append(problem)
        if read:
            self.files_read.append(path)
        self._files[path] = tree

    def module(self, directory: Path) -> ModuleSource | None:
        directory = self.ctx.real_paths.file(directory)
        if directory not in self._modules:
            self._modules[directory] = None  # guards a module that calls itself
            if not directory.is_dir():
                return None
            files = self.ctx.files_in(directory, "*.tf", "*.tf.json")
            if not files:
                return None
            parsed = {p: self.parse(p) for p in files}
            primary = [f for p, f in parsed.items() if f is not None and not is_override_file(p)]
            overrides = [f for p, f in parsed.items() if f is not None and is_override_file(p)]
            self._modules[directory] = ModuleSource.build(directory, primary, overrides)
        return self._modules[directory]

    def installed_module(self, root: Path, key: str, call: hcl.Block) -> Path | Unknown:
        """The directory ``terraform init`` installed module call ``key`` of ``root`` into."""
        name = call.labels[0]
        if root not in self._manifests:
            try:
                self._manifests[root] = remote_modules.read_manifest(root)
            except remote_modules.ManifestError as e:
                self.notifications.append(Notification("warning", f"{e}; remote modules are not evaluated"))
                self._manifests[root] = None
        manifest = self._manifests[root]
        if manifest is None:
            return Unknown(
                f"module {name} comes from a remote source (run terraform init to let the linter read it)",
                call.span,
            )
        installed = manifest.get(key)
        if installed is None:
            return Unknown(
                f"module {name} is not in .terraform/modules (run terraform init again)", call.span
            )
        source = call.body.attributes.get("source")
        configured = source.expr.value if source is not None and isinstance(source.expr, hcl.Lit) else ""
        if not remote_modules.same_source(str(configured), installed.source):
            return Unknown(
                f"module {name}: .terraform/modules holds {installed.source}, not {configured} "
                "(run terraform init again)",
                call.span,
            )
        return installed.directory

    def tfvars(self, paths: list[Path]) -> dict[str, Value]:
        """Variable values from tfvars files, later files winning (Terraform's precedence)."""
        values: dict[str, Value] = {}
        for p in paths:
            parsed = self.parse(p)
            if parsed is None:
                continue
            evaluator = Evaluator(EmptyScope())
            for name, attr in parsed.body.attributes.items():
                values[name] = attribute_value(evaluator, attr)
        return values

    def variable_values(self, source: ModuleSource, provided: dict[str, Value]) -> dict[str, Value]:
        """Each declared variable: the provided value, else its default, else unknown; typed."""
        out: dict[str, Value] = {}
        for name, block in source.variables.items():
            if name in provided:
                value = provided[name]
            elif (default := block.body.attributes.get("default")) is not None:
                v = attribute_value(Evaluator(EmptyScope()), default)
                value = Known(v.value, default.span, v.via) if isinstance(v, Known) else v
            else:
                value = Unknown(f"variable {name!r} has no default and no value", block.span)
            out[name] = variables.conform(value, variables.declared_type(block))
        return out

    def root(self, directory: Path) -> ModuleInstance | None:
        """The root module in ``directory`` with its variable values, in Terraform's precedence.

        ``TF_VAR_name`` from ``ctx.environment``, then the automatic variable files, then
        ``ctx.terraform_vars`` (``--var-file`` paths and ``--var NAME=VALUE``, in order).
        """
        source = self.module(directory)
        if source is None:
            return None
        provided = variables.from_environment(self.ctx.environment, source.variables)
        found = self.ctx.files_in(directory, *variables.AUTOMATIC_PATTERNS)
        provided.update(self.tfvars(variables.automatic_variable_files(found)))
        for item in self.ctx.terraform_vars:
            if isinstance(item, Path):
                provided.update(self.tfvars([item]))
                continue
            name, _, raw = item.partition("=")
            block = source.variables.get(name.strip())
            if block is not None:
                provided[name.strip()] = variables.literal_value(raw, block, f"--var {name.strip()}")
        return ModuleInstance(source, "", self.variable_values(source, provided), self)
