"""The pipeline: discover -> front ends (parse, evaluate, adapt) -> link -> policies -> suppress.

``load`` builds the linked resource graph of some paths; ``check`` runs the rules over it and
applies suppressions; ``run`` is both. ``check`` and ``graph`` share ``load``, so they see the
same resources with the same options.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from linter import cache, progress
from linter import matrix as matrix_mod
from linter.discover import Discovery, discover
from linter.fixes import disk_reader, resolve_findings
from linter.frontend import ARM, BICEP, KUBERNETES, TERRAFORM, InlineSuppression, LoadContext, LoadResult
from linter.globs import PathFilter
from linter.graph import Resource, ResourceGraph
from linter.link import link
from linter.model import Finding, Severity, Span
from linter.options import Options
from linter.repo import repo_root
from linter.report import Notification, Report
from linter.rules import Registry, RuleContext, selected
from linter.suppress import apply as apply_suppressions

LANGUAGES = (TERRAFORM, ARM, BICEP, KUBERNETES)


def front_end(language: str) -> ModuleType:
    """The front end of ``language``, imported only when a file of that language is scanned."""
    if language == TERRAFORM:
        from linter import terraform

        return terraform
    if language == ARM:
        from linter import arm

        return arm
    if language == BICEP:
        from linter import bicep

        return bicep
    if language == KUBERNETES:
        from linter import k8s

        return k8s
    raise ValueError(f"no front end for {language!r}")


@dataclass
class Loaded:
    """Everything before the policies run: what ``check`` and ``graph`` share."""

    found: Discovery
    graph: ResourceGraph
    diagnostics: list[Finding] = field(default_factory=list)  # AKSB000 from the front ends
    files: list[Path] = field(default_factory=list)  # files read (the summary's count)
    notifications: list[Notification] = field(default_factory=list)
    suppressions: list[InlineSuppression] = field(default_factory=list)  # ARM metadata, annotations
    excluded: PathFilter = field(default_factory=lambda: PathFilter((), Path.cwd()))
    #: the editor's unsaved buffers the front ends read instead of the files (language server)
    overlay: Mapping[Path, str] = field(default_factory=dict)


def load(paths: list[Path], options: Options, overlay: Mapping[Path, str] | None = None) -> Loaded:
    """Discover, load every language and link: the linked graph of ``paths``.

    ``overlay`` (resolved path -> text) holds an editor's unsaved buffers: every front end reads
    them instead of the files on disk (``LoadContext.overlay``).
    """
    cache.set_enabled(options.use_cache)
    excluded = PathFilter(options.exclude, options.config_dir or Path.cwd())
    found = discover(paths, excluded)
    progress.set_total(sum(len(v) for v in found.files.values()))
    ctx = LoadContext(
        terraform_vars=[*options.var_files, *options.variables],
        plan=options.plan,
        param_files=dict(options.param_files),
        deployment=dict(options.deployment),
        max_file_bytes=options.max_file_bytes,
        hcl_parser=options.hcl_parser,
        excluded=excluded,
        overlay=dict(overlay or {}),
    )
    resources: list[Resource] = []
    loaded = Loaded(found, ResourceGraph(), excluded=excluded, overlay=ctx.overlay)
    done = 0
    for language in LANGUAGES:
        files = found.files[language]
        if not files and not (language == TERRAFORM and options.plan is not None):
            continue
        progress.stage(f"reading {language}")
        try:
            result: LoadResult = front_end(language).load(list(files), ctx)
        except Exception as e:  # noqa: BLE001 - a front-end bug must not lose the other languages
            loaded.notifications.append(
                Notification("error", f"internal error reading {language} files: {type(e).__name__}: {e}")
            )
            continue
        done += len(files)
        progress.reached(done)
        resources.extend(result.resources)
        loaded.diagnostics.extend(result.diagnostics)
        loaded.files.extend(result.files or files)
        loaded.notifications.extend(result.notifications)
        loaded.suppressions.extend(result.suppressions)
    for path, problem in found.problems:
        loaded.notifications.append(Notification("error", f"{path}: {problem}"))
    for path, why in found.skipped:
        loaded.notifications.append(Notification("warning", f"{path}: {why}; skipped"))
    if not any(found.files.values()) and not found.problems and not found.skipped and options.plan is None:
        where = ", ".join(str(p) for p in paths)
        loaded.notifications.append(
            Notification("warning", f"no Terraform, Bicep, ARM or Kubernetes files found in {where}")
        )
    cache.remove_old_layouts()
    loaded.graph = ResourceGraph(existing(resources))
    link(loaded.graph, options.cluster_mapping)
    return loaded


def existing(resources: list[Resource]) -> list[Resource]:
    """Drop resources whose condition is known to be false (design: exist and scope).

    ARM/Bicep ``condition``/``if (false)``, Terraform ``count = 0`` or an empty ``for_each``:
    such a resource is not deployed, so no rule sees it and it satisfies nothing (a role
    assignment under ``if (false)`` does not make a "missing" rule pass). Resources under an
    unknown condition stay: they may exist.
    """
    return [r for r in resources if r.may_exist]


def check(loaded: Loaded, options: Options, registry: Registry, paths: list[Path]) -> Report:
    """Run the selected rules over a loaded graph; suppress; the report of ``paths``."""
    matrix = matrix_mod.load(options.matrix)
    progress.stage("evaluating rules")
    graph = loaded.graph
    findings: list[Finding] = list(loaded.diagnostics)
    # an unreadable directory or a crashed front end: the run is incomplete, whatever it found
    tool_error = any(n.level == "error" for n in loaded.notifications)
    for rule in registry:
        spec = rule.spec
        if spec.status == "removed" or spec.diagnostic:
            continue
        if not selected(spec.id, spec.slug, options.select, options.ignore):
            continue
        rctx = RuleContext(
            spec, matrix, options.rule_options.get(spec.id, {}), all_clusters=options.clusters == "all"
        )
        try:
            findings.extend(rule.check(graph, rctx))
        except Exception as e:  # noqa: BLE001 - one crashing rule must not stop the run (AKSB900)
            tool_error = True
            findings.append(_crash(spec.id, e, graph.resources))
    findings = [
        f
        for f in findings
        if (f.rule_id != "AKSB902" or options.unknown == "note")
        and (f.rule_id == "AKSB900" or selected(f.rule_id, f.slug, options.select, options.ignore))
        and not loaded.excluded(Path(f.span.file))
    ]
    for f in findings:
        override = options.severity.get(f.rule_id)
        if override:
            f.severity = Severity(override)
    findings = _dedupe(findings)
    wanted: set[str] | None = None
    if loaded.found.explicit and all(p.is_file() for p in paths):
        # pre-commit names the changed files: keep what they cause, wherever it is reported
        wanted = {str(p) for p in loaded.found.explicit} | ({str(options.plan)} if options.plan else set())
        findings = [f for f in findings if touches(f, wanted)]
    findings = apply_suppressions(
        findings,
        loaded.suppressions,
        options,
        registry,
        files=[str(p) for p in loaded.files],
        overlay=loaded.overlay,
    )
    if wanted is not None:  # AKSB901 about comments in context files is not for this run
        findings = [f for f in findings if touches(f, wanted)]
    findings.sort(key=Finding.sort_key)
    resolve_findings(findings, disk_reader(loaded.overlay))
    cwd = Path.cwd()
    return Report(
        findings=findings,
        files_scanned=len(
            set(loaded.files) if wanted is None else {f for f in loaded.files if str(f) in wanted}
        ),
        duration=0.0,
        cwd=cwd,
        repo_root=repo_root(paths[0] if paths else cwd),
        matrix_revision=matrix.revision,
        notifications=loaded.notifications,
        category=options.category,
        tool_error=tool_error,
        rules=[r.spec for r in registry],
    )


def touches(finding: Finding, files: set[str]) -> bool:
    """The finding is located in one of ``files``, at its primary or at a related location.

    A tfvars-only change that moves a vault to another region is reported at the tfvars line;
    a change to the cluster's file is reported through the cluster's related location.
    """
    return finding.span.file in files or any(r.span.file in files for r in finding.related)


def run(
    paths: list[Path],
    options: Options | None = None,
    registry: Registry | None = None,
    overlay: Mapping[Path, str] | None = None,
) -> Report:
    """Load ``paths`` and check them: the whole pipeline, timed (``overlay``: see ``load``)."""
    started = time.perf_counter()
    options = options or Options()
    if registry is None:
        from policies import load_builtin_rules

        registry = load_builtin_rules()
    report = check(load(paths, options, overlay), options, registry, paths)
    report.duration = time.perf_counter() - started
    return report


def _crash(rule_id: str, e: Exception, resources: list[Resource]) -> Finding:
    """The AKSB900 finding for a rule that raised, at the resource it was looking at."""
    return Finding(
        rule_id="AKSB900",
        slug="rule-crashed",
        message=f"rule {rule_id} crashed ({type(e).__name__}: {e}); please report this bug with the rule ID",
        span=_crash_span(e, resources),
        severity=Severity.ERROR,
        address=rule_id,
    )


def _crash_span(e: Exception, resources: list[Resource]) -> Span:
    """The resource the rule was looking at when it crashed: the innermost frame holding one."""
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


def exit_code(report: Report, fail_on: str) -> int:
    if report.tool_error:
        return 2
    if fail_on == "never":
        return 0
    threshold = Severity(fail_on).rank
    return 1 if any(f.severity.rank >= threshold for f in report.active) else 0
