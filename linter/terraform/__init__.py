"""Terraform front end: module directories -> evaluated resource instances -> canonical resources."""

from __future__ import annotations

from pathlib import Path

from linter import kinds
from linter.graph import Resource
from linter.stack import LoadContext, StackResult
from linter.terraform.adapters import adapter_for
from linter.terraform.loader import TerraformLoader
from linter.terraform.module import local_source
from linter.terraform.providers import provider_requirements


def load(files: list[Path], ctx: LoadContext) -> StackResult:
    """Evaluate every root module among ``files`` (.tf, .tfvars, .terraform.lock.hcl).

    A directory that another scanned directory calls as a local module is evaluated through that
    call (with its inputs), not again on its own.
    """
    loader = TerraformLoader(ctx)
    loader.prefetch([p for p in files if p.suffix == ".tf"])  # many files: several cores
    directories = sorted({p.resolve().parent for p in files if p.suffix == ".tf"})
    called: set[Path] = set()
    for d in directories:
        source = loader.module(d)
        if source is None:
            continue
        for call in source.module_calls:
            rel = local_source(call)
            if rel is not None:
                called.add((d / rel).resolve())
    for p in files:  # tfvars outside module dirs still get parsed for syntax errors
        if p.suffix == ".tfvars" and p.resolve().parent not in directories:
            loader.parse(p)
    result = StackResult()
    for d in directories:
        if d in called:
            continue
        root = loader.root(d, [Path(v) for v in ctx.var_files])
        if root is None:
            continue
        for inst in root.instances():
            adapt = adapter_for(inst.type)
            if adapt is None:
                continue
            try:
                result.resources.extend(adapt(inst))
            except RecursionError:
                continue
        result.resources.extend(_unresolved_modules(root))
        result.resources.extend(provider_requirements(root, loader))
    result.diagnostics.extend(loader.diagnostics)
    result.notifications.extend(loader.notifications)
    result.files = list(loader.files_read)
    return result


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
