"""Which scanned root module a plan was made from, and that root evaluated with the plan's values.

``check --plan plan.json PATH``: the plan belongs to the root module among PATH's Terraform
directories whose resources and module calls its ``configuration`` declares (the best match).
That root is evaluated as usual, with the plan's variable values, instances and attribute
values laid over the static ones; the other roots are evaluated statically. Without any
matching source, the plan stands alone and its findings point into the plan file.
"""

from __future__ import annotations

from linter import kinds
from linter.graph import Resource
from linter.model import Known, Span, known
from linter.terraform.module import ModuleInstance, ModuleSource
from linter.terraform.plan import Plan, match_score, merge
from linter.terraform.variables import conform, declared_type


def choose_root(plan: Plan, roots: list[ModuleInstance]) -> ModuleInstance | None:
    """The root the plan was made from: the one whose blocks the plan declares most."""
    best: tuple[int, ModuleInstance] | None = None
    for root in roots:
        resources = [(b.labels[0], b.labels[1]) for b in root.source.resources]
        calls = [b.labels[0] for b in root.source.module_calls]
        score = match_score(plan, resources, calls)
        if score > 0 and (best is None or score > best[0]):
            best = (score, root)
    return best[1] if best is not None else None


def attach(root: ModuleInstance, plan: Plan) -> None:
    """Evaluate ``root`` with ``plan``: its variable values, then its instances and values."""
    root.plan = plan
    for name, block in root.source.variables.items():
        if name not in plan.variables:
            continue
        static = root.var_values.get(name)
        if isinstance(static, Known):  # a default or tfvars value: keep its lines where they agree
            root.var_values[name] = merge(plan.variables[name], None, static, block.span)
        else:  # set outside the code (TF_VAR_, -var in CI): findings point where the value is used
            root.var_values[name] = conform(known(plan.variables[name]), declared_type(block))


def plan_only_root(plan: Plan, loader) -> ModuleInstance:  # type: ignore[no-untyped-def]
    """The plan on its own (no source of it was scanned): resources located in the plan file."""
    root = ModuleInstance(ModuleSource(plan.path.parent), "", {}, loader)
    root.root_key = str(plan.path)
    root.plan = plan
    return root


def plan_requirements(root: ModuleInstance, plan: Plan, static: list[Resource]) -> list[Resource]:
    """Provider version constraints the plan knows and the source does not show."""
    shown = {
        r.attrs["provider"].value
        for r in static
        if r.kind == kinds.PROVIDER_REQUIREMENT and isinstance(r.attrs.get("provider"), Known)
    }
    out = []
    for p in plan.providers:
        if p.name in shown:
            continue
        span = _module_call_span(root, p.module_address) or p.span
        res = Resource(
            kinds.PROVIDER_REQUIREMENT,
            f"plan.provider_config.{p.name}",
            "terraform",
            span,
            "required_providers",
            stack=root.root_key,
        )
        res.attrs["provider"] = Known(p.name, span)
        res.attrs["constraint"] = Known(p.constraint, span)
        if p.source:
            res.attrs["source"] = Known(p.source.removeprefix("registry.terraform.io/"), span)
        out.append(res)
        shown.add(p.name)
    return out


def _module_call_span(root: ModuleInstance, module_address: str) -> Span | None:
    """The root's module block that leads to ``module_address`` (where its constraint comes from)."""
    if not module_address.startswith("module."):
        return None
    name = module_address[len("module.") :].split(".", 1)[0].split("[", 1)[0]
    for call in root.source.module_calls:
        if call.labels[:1] == (name,):
            return call.span
    return None
