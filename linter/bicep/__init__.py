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

from pathlib import Path

from linter.arm.jsonpos import PosDict
from linter.bicep.loader import EXTENDS, USING, BicepFiles
from linter.frontend import LoadContext, LoadResult, parse_error
from linter.model import Severity, Value
from linter.report import Notification

MAX_EXTENDS = 8


def load(given: list[Path], ctx: LoadContext) -> LoadResult:
    from linter.arm.loader import evaluate_template

    result = LoadResult()
    files = BicepFiles(ctx.max_file_bytes, ctx.overlay)
    paths = sorted({p.resolve() for p in given})
    files.prefetch(paths)
    bicep = [p for p in paths if p.suffix.lower() == ".bicep"]
    params = [p for p in paths if p.suffix.lower() == ".bicepparam"]
    for path in bicep:
        files.linked(path)
    called = {Path(p) for p in _local_modules(files)}
    supplied: dict[Path, dict[str, Value]] = {}
    for path in params:
        target, values = bicepparam_values(path, files, ctx)
        if target is not None and target not in supplied:
            supplied[target] = values
    entries = [p for p in bicep if p not in called]
    for path in entries:
        template = files.linked(path)
        if template is None:
            continue
        try:
            evaluate_template(path, template, None, ctx, result, "bicep", supplied=supplied.get(path))
        except Exception as e:  # noqa: BLE001 - one file must never stop the others
            result.diagnostics.append(
                parse_error(path, 1, 1, f"could not evaluate Bicep file ({type(e).__name__}: {e})")
            )
    _report_problems(files, result)
    result.files.extend(dict.fromkeys(files.read))
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
