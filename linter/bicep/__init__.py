"""Bicep front end: ``.bicep`` entry files (with their modules, imports and ``.bicepparam``) into
canonical resources, through the same evaluator and adapter as ARM JSON (``linter.arm``).

The reader is our own (``lexer``, ``parser``: the Bicep grammar as the Bicep compiler parses it),
so every valid file of the current language is read with the position of every property.
Every ``.bicep`` of the scan is an entry unless another scanned ``.bicep`` uses it as a local
module, in which case it is analysed through that module call, with the parameters passed in.
A ``.bicepparam`` file (``using './main.bicep'``) supplies parameter values to its template.
Registry modules are read from the local Bicep module cache when ``bicep restore`` put them
there (``registry``); otherwise they are unresolved modules.

A real syntax error (an unterminated string, unbalanced braces) is an AKSB000 error. Text that
balances but that the parser does not know may be newer Bicep than the linter: it becomes an
AKSB000 note and a tool notification, and never fails the run. Either way the other files go on.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from linter.arm.jsonpos import PosDict
from linter.bicep.loader import EXTENDS, USING, BicepFiles
from linter.frontend import LoadContext, LoadResult, parse_error
from linter.model import Severity, Value
from linter.report import Notification
from linter.stackcache import StackCache

MAX_EXTENDS = 8


@dataclass
class Plan:
    """What linking every file of the scan decides: the entry files, each with the
    ``.bicepparam`` that supplies it, and the problems and files of everything read."""

    entries: list[tuple[Path, Path | None]] = field(default_factory=list)
    read: LoadResult = field(default_factory=LoadResult)


def load(given: list[Path], ctx: LoadContext) -> LoadResult:
    """Two kinds of units for the stack cache (``linter.stackcache``): the plan (which files are
    entries, read problems), which depends on every file, and each entry with its modules and
    parameter file, which depends on those only; an edit re-plans, and re-evaluates only the
    entries whose files changed."""
    # the Bicep CLI's module cache defaults to $HOME/.bicep (``registry.default_cache_root``)
    stacks = StackCache("bicep", ctx, versions=f"HOME={os.environ.get('HOME', '')}")
    files = BicepFiles(ctx.max_file_bytes, ctx.overlay, stacks.view, stacks.db)
    paths = ctx.real_paths.files(given)
    link_all = functools.cache(functools.partial(_link_all, paths, files, ctx))
    plan = stacks.evaluate(
        ("plan", *map(str, paths)), functools.partial(_plan, paths, files, link_all), order_fixed=True
    )
    result = LoadResult()
    for entry, params in plan.entries:
        identity = ("entry", str(entry), str(params or ""))
        result.add(
            stacks.evaluate(identity, functools.partial(_evaluate, entry, params, files, ctx, link_all))
        )
    result.add(plan.read)
    stacks.save()
    return result


def _link_all(paths: list[Path], files: BicepFiles, ctx: LoadContext) -> dict[Path, Path]:
    """Read and link every given file, in order; the first ``.bicepparam`` using each template."""
    files.prefetch(paths)
    for path in paths:
        if path.suffix.lower() == ".bicep":
            files.linked(path)
    chosen: dict[Path, Path] = {}
    for path in paths:
        if path.suffix.lower() == ".bicepparam":
            target, _ = bicepparam_values(path, files, ctx)
            if target is not None and target not in chosen:
                chosen[target] = path
    return chosen


def _plan(paths: list[Path], files: BicepFiles, link_all: Callable[[], dict[Path, Path]]) -> Plan:
    chosen = link_all()
    called = {Path(p) for p in _local_modules(files)}
    plan = Plan()
    for path in paths:
        if path.suffix.lower() == ".bicep" and path not in called:
            plan.entries.append((path, chosen.get(path)))
    _report_problems(files, plan.read)
    plan.read.files.extend(dict.fromkeys(files.read))
    return plan


def _evaluate(
    path: Path,
    params: Path | None,
    files: BicepFiles,
    ctx: LoadContext,
    link_all: Callable[[], dict[Path, Path]],
) -> LoadResult:
    """One entry file, with its modules and parameter file, evaluated and adapted."""
    from linter.arm.loader import evaluate_template

    with files.view.unrecorded():  # the state of a fresh run: every file linked in order
        link_all()
    result = LoadResult()
    template = files.linked(path)
    if template is None:
        return result
    try:
        supplied = bicepparam_values(params, files, ctx)[1] if params is not None else None
        evaluate_template(path, template, None, ctx, result, "bicep", supplied=supplied)
    except Exception as e:  # noqa: BLE001 - one file must never stop the others
        result.diagnostics.append(
            parse_error(path, 1, 1, f"could not evaluate Bicep file ({type(e).__name__}: {e})")
        )
    return result


def _local_modules(files: BicepFiles) -> list[str]:
    """Files that some read template calls as a local module (those are analysed through the call)."""
    out: list[str] = []
    for template in files.templates.values():
        resources = template.get("resources") if template is not None else None
        for decl in resources.values() if isinstance(resources, dict) else ():
            props = decl.get("properties") if isinstance(decl, dict) else None
            target = props.get("template") if isinstance(props, dict) else None
            if isinstance(target, PosDict) and target.file and target.file.endswith(".bicep"):
                out.append(target.file)
    return out


def _report_problems(files: BicepFiles, result: LoadResult) -> None:
    for path, problem in sorted(files.problems.items()):
        finding = parse_error(path, problem.line, problem.column, problem.message)
        if problem.unsupported:
            finding.severity = Severity.NOTE
            result.notifications.append(
                Notification(
                    "note",
                    f"{path}:{problem.line}:{problem.column}: {problem.message}",
                    finding.span,
                    "AKSB000",
                )
            )
        result.diagnostics.append(finding)


def bicepparam_values(
    path: Path, files: BicepFiles, ctx: LoadContext, depth: int = 0
) -> tuple[Path | None, dict[str, Value]]:
    """(the template a ``.bicepparam`` is ``using``, the parameter values it assigns), with the
    values of files it ``extends`` underneath; values are evaluated like Bicep variables."""
    from linter.arm.evaluate import Frame, Scope, default_deployment, eval_node
    from linter.arm.template import Root, TemplateRun

    template = files.linked(path)
    if template is None:
        return None, {}
    values: dict[str, Value] = {}
    for base in template.get(EXTENDS) or ():
        if depth < MAX_EXTENDS:
            _, inherited = bicepparam_values((path.parent / base).resolve(), files, ctx, depth + 1)
            values.update(inherited)
    frame = Frame(str(path), default_deployment(ctx.deployment), "bicep")
    TemplateRun(template, frame, Root(str(path), "bicep")).declare({})
    assigned = template.get("__params__")
    if isinstance(assigned, PosDict):
        for name, node in assigned.items():
            values[name] = eval_node(node, assigned.key_spans.get(name), Scope(frame))
    using = template.get(USING)
    target = None
    if isinstance(using, str) and using and not using.startswith(("br:", "br/", "ts:", "ts/")):
        target = (path.parent / using).resolve()
    return target, values


__all__ = ["bicepparam_values", "load"]
