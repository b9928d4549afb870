"""Terraform front end: module directories -> evaluated resource instances -> canonical resources."""

from __future__ import annotations

from pathlib import Path

from linter import kinds
from linter.frontend import LoadContext, LoadResult, parse_error
from linter.graph import Resource
from linter.terraform import planned_root
from linter.terraform.adapters import adapter_for
from linter.terraform.loader import TerraformLoader
from linter.terraform.module import local_source
from linter.terraform.plan import Plan, PlanError, read_plan
from linter.terraform.providers import provider_requirements


def load(files: list[Path], ctx: LoadContext) -> LoadResult:
    """Evaluate every root module among ``files`` (.tf, .tfvars, .terraform.lock.hcl).

    A directory that another scanned directory calls as a local module is evaluated through that
    call (with its inputs), not again on its own.
    """
    loader = TerraformLoader(ctx)
    try:
        return _load(files, ctx, loader)
    finally:
        loader.save_cache()  # the parse results this run computed, in one transaction


def _load(files: list[Path], ctx: LoadContext, loader: TerraformLoader) -> LoadResult:
    configuration = [p for p in files if p.name.endswith((".tf", ".tf.json"))]
    loader.prefetch(configuration)  # many files: several cores
    directories = sorted({ctx.real_paths.file(p).parent for p in configuration})
    called: set[Path] = set()
    for d in directories:
        source = loader.module(d)
        if source is None:
            continue
        for call in source.module_calls:
            rel = local_source(call)
            if rel is not None:
                called.add((d / rel).resolve())
    result = LoadResult()
    roots = [r for d in directories if d not in called and (r := loader.root(d)) is not None]
    plan = _read_plan(ctx, result)
    if plan is not None:
        planned = planned_root.choose_root(plan, roots)
        if planned is None:
            planned = planned_root.plan_only_root(plan, loader)
            roots.append(planned)
        planned_root.attach(planned, plan)
    for root in roots:
        for inst in root.instances():
            adapt = adapter_for(inst.type)
            if adapt is None:
                continue
            try:
                result.resources.extend(adapt(inst))
            except RecursionError:
                continue
        result.resources.extend(_unresolved_modules(root))
        requirements = provider_requirements(root, loader)
        if root.plan is not None:
            requirements += planned_root.plan_requirements(root, root.plan, requirements)
        result.resources.extend(requirements)
    result.diagnostics.extend(loader.diagnostics)
    result.notifications.extend(loader.notifications)
    result.files = [*result.files, *loader.files_read]
    return result


def _read_plan(ctx: LoadContext, result: LoadResult) -> Plan | None:
    """The ``--plan`` file, or None (no plan, or one that cannot be read: an AKSB000 for it)."""
    if ctx.plan is None:
        return None
    try:
        plan = read_plan(ctx.plan, ctx.max_file_bytes)
    except PlanError as e:
        result.diagnostics.append(parse_error(ctx.plan, e.line, e.column, f"Terraform plan: {e}"))
        return None
    result.files.append(ctx.plan)
    return plan


def _unresolved_modules(root) -> list[Resource]:  # type: ignore[no-untyped-def]
    """Module calls we cannot see into: rules about missing resources must stay silent for them."""
    from linter.model import Known, Unknown

    out: list[Resource] = []
    stack = [root]
    while stack:
        module = stack.pop()
        for call in module.source.module_calls:
            children = module.children(call.labels[0])
            if isinstance(children, Unknown):
                out.append(
                    Resource(
                        kind=kinds.UNRESOLVED_MODULE,
                        address=f"{module.prefix}module.{call.labels[0]}",
                        language="terraform",
                        span=call.span,
                        source_type="module",
                        attrs={"reason": Known(children.reason, call.span)},
                        stack=str(root.source.directory),
                    )
                )
            else:
                stack.extend(children)
    return out
