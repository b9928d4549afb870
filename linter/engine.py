"""The pipeline: discover -> parse/evaluate/adapt (front ends) -> link -> policies -> suppress -> report."""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linter import cache, progress
from linter import matrix as matrix_mod
from linter.discover import discover
from linter.graph import ResourceGraph
from linter.link import link
from linter.model import Finding, Severity, Span
from linter.report import Notification, Report
from linter.rules import Registry, RuleContext
from linter.stack import LoadContext, Stack, StackResult

FRONT_ENDS = {
    "terraform": "linter.terraform",
    "arm": "linter.arm",
    "bicep": "linter.bicep",
    "kubernetes": "linter.k8s",
}


@dataclass
class Options:
    fail_on: str = "error"  # error | warning | note | never
    unknown: str = "ignore"  # ignore | note
    var_files: list[Path] = field(default_factory=list)
    param_files: dict[Path, Path] = field(default_factory=dict)
    matrix: str = matrix_mod.DEFAULT_REVISION
    deployment: dict[str, str] = field(default_factory=dict)
    select: list[str] = field(default_factory=list)  # ids, id prefixes or slugs; empty = all
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)  # rule id -> severity override
    exclude: list[str] = field(default_factory=list)
    cluster_mapping: dict[str, str] = field(default_factory=dict)
    category: str = "aks-backup-lint"
    max_file_bytes: int = 10 * 1024 * 1024
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # integrations (suppressions, baseline)


def rule_selected(spec_id: str, slug: str, select: list[str], ignore: list[str]) -> bool:
    def matches(key: str) -> bool:
        k = key.strip()
        return spec_id.startswith(k.upper()) or slug == k.lower()

    if select and not any(matches(k) for k in select):
        return False
    return not any(matches(k) for k in ignore)


def load_stacks(
    found: Any, ctx: LoadContext
) -> tuple[list[Any], list[Finding], list[Path], list[Notification]]:
    resources: list[Any] = []
    diagnostics: list[Finding] = []
    files: list[Path] = []
    notes: list[Notification] = []
    for index, (language, module_name) in enumerate(FRONT_ENDS.items()):
        paths = found.files.get(language) or []
        if not paths:
            continue
        try:
            front_end = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name and module_name.startswith(e.name):
                notes.append(
                    Notification("warning", f"{language} files found but this build cannot read {language}")
                )
                continue
            raise
        stack = Stack(language=language, root=Path.cwd(), files=list(paths))
        progress.stage(f"reading {language}")
        try:
            result: StackResult = front_end.load(stack, ctx)
        except Exception as e:  # noqa: BLE001 - a front-end bug must not lose the other languages
            notes.append(
                Notification("error", f"internal error reading {language} files: {type(e).__name__}: {e}")
            )
            continue
        progress.reached(sum(len(found.files.get(lang) or []) for lang in list(FRONT_ENDS)[: index + 1]))
        resources.extend(result.resources)
        diagnostics.extend(result.diagnostics)
        files.extend(result.files or paths)
        notes.extend(result.notifications)
        extra = getattr(result, "suppressions", None)
        if extra:
            ctx.__dict__.setdefault("suppressions", []).extend(extra)
    return resources, diagnostics, files, notes


@dataclass
class Loaded:
    """Everything before the policies run: what ``check`` and ``graph`` share."""

    found: Any
    graph: ResourceGraph
    diagnostics: list[Finding]
    files: list[Path]
    notifications: list[Notification]
    ctx: LoadContext


def load_graph(paths: list[Path], options: Options) -> Loaded:
    """Discover, load every language and link: the linked graph of ``paths``."""
    cache.set_enabled(not options.extra.get("no_cache", False))
    found = discover(paths, options.exclude)
    progress.set_total(sum(len(v) for v in found.files.values()))
    ctx = LoadContext(
        var_files=list(options.var_files),
        param_files=dict(options.param_files),
        deployment=dict(options.deployment),
        max_file_bytes=options.max_file_bytes,
    )
    resources, diagnostics, files, notifications = load_stacks(found, ctx)
    for path, problem in found.problems:
        notifications.append(Notification("error", f"{path}: {problem}"))
    if not any(found.files.values()) and not found.problems:
        where = ", ".join(str(p) for p in paths)
        notifications.append(
            Notification("warning", f"no Terraform, Bicep, ARM or Kubernetes files found in {where}")
        )
    cache.maybe_prune()
    graph = ResourceGraph(resources)
    link(graph, {"cluster_mapping": options.cluster_mapping})
    return Loaded(found, graph, diagnostics, files, notifications, ctx)


def run(paths: list[Path], options: Options | None = None, registry: Registry | None = None) -> Report:
    options = options or Options()
    started = time.perf_counter()
    if registry is None:
        from policies import load_builtin_rules

        registry = load_builtin_rules()
    matrix = matrix_mod.load(options.matrix)
    loaded = load_graph(paths, options)
    graph = loaded.graph
    progress.stage("evaluating rules")

    findings: list[Finding] = list(loaded.diagnostics)
    tool_error = False
    for rule in registry:
        spec = rule.spec
        if spec.status == "removed" or spec.id in ("AKSB000", "AKSB900", "AKSB901", "AKSB902"):
            continue
        if not rule_selected(spec.id, spec.slug, options.select, options.ignore):
            continue
        rctx = RuleContext(spec, matrix, options.rule_options.get(spec.id, {}))
        try:
            findings.extend(rule.check(graph, rctx))
        except Exception as e:  # noqa: BLE001 - one crashing rule must not stop the run (AKSB900)
            tool_error = True
            span = _crash_span(e, graph.resources)
            findings.append(
                Finding(
                    rule_id="AKSB900",
                    slug="rule-crashed",
                    message=f"rule {spec.id} crashed ({type(e).__name__}: {e}); please report this bug with the rule ID",
                    span=span,
                    severity=Severity.ERROR,
                    address=spec.id,
                )
            )
    findings = [f for f in findings if f.rule_id != "AKSB902" or options.unknown == "note"]
    findings = [
        f
        for f in findings
        if f.rule_id in ("AKSB900",) or rule_selected(f.rule_id, f.slug, options.select, options.ignore)
    ]
    for f in findings:
        override = options.severity.get(f.rule_id)
        if override:
            f.severity = Severity(override)
    findings = _dedupe(findings)
    wanted: set[str] | None = None
    if loaded.found.explicit and all(p.is_file() for p in paths):
        wanted = {str(p) for p in loaded.found.explicit}
        findings = [f for f in findings if f.span.file in wanted]
    findings = _apply_suppressions(findings, options, loaded.ctx, [str(p) for p in loaded.files])
    if wanted is not None:  # AKSB901 about comments in context files is not for this run
        findings = [f for f in findings if f.span.file in wanted]
    findings.sort(key=Finding.sort_key)
    cwd = Path.cwd()
    return Report(
        findings=findings,
        files_scanned=len(set(loaded.files)),
        duration=time.perf_counter() - started,
        cwd=cwd,
        repo_root=repo_root(paths[0] if paths else cwd),
        matrix_revision=matrix.revision,
        notifications=loaded.notifications,
        category=options.category,
        tool_error=tool_error,
    )


def _crash_span(e: Exception, resources: list[Any]) -> Span:
    """The resource the rule was looking at when it crashed: the innermost frame holding one."""
    from linter.graph import Resource

    tb = e.__traceback__
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame in reversed(frames):
        for value in frame.f_locals.values():
            if isinstance(value, Resource):
                return value.span
    return resources[0].span if resources else Span(str(Path.cwd()), 1, 1)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """A module called twice (a kustomize base under several overlays) reports a problem in its source
    once; the duplicates' related locations (which name each overlay) are merged into it."""
    first: dict[tuple[str, Span, str], Finding] = {}
    out = []
    for f in findings:
        key = (f.rule_id, f.span, f.message)
        kept = first.get(key)
        if kept is None:
            first[key] = f
            out.append(f)
            continue
        extra = [r for r in f.related if r not in kept.related and r.span != kept.span]
        if extra:
            kept.related = (*kept.related, *extra)
    return out


def _apply_suppressions(
    findings: list[Finding], options: Options, ctx: LoadContext, files: list[str] | None = None
) -> list[Finding]:
    try:
        suppress = importlib.import_module("linter.suppress")
    except ModuleNotFoundError:
        return findings
    apply = getattr(suppress, "apply", None)
    if apply is None:
        return findings
    return apply(findings, getattr(ctx, "suppressions", []), options, files=files or [])


def repo_root(start: Path) -> Path | None:
    """The enclosing git work tree, found by looking for ``.git`` upwards (no subprocess)."""
    current = start.resolve()
    if current.is_file():
        current = current.parent
    for directory in (current, *current.parents):
        if (directory / ".git").exists():
            return directory
    return None


def exit_code(report: Report, fail_on: str) -> int:
    if report.tool_error:
        return 2
    if fail_on == "never":
        return 0
    threshold = Severity(fail_on).rank
    return 1 if any(f.severity.rank >= threshold for f in report.active) else 0


__all__ = ["Options", "run", "exit_code", "repo_root"]
