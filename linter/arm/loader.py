"""One template through evaluation and adaptation into a LoadResult (shared with Bicep)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from linter import kinds
from linter.arm.adapt import adapt
from linter.arm.evaluate import Deployment, Frame, Scope, default_deployment, eval_node
from linter.arm.jsonpos import PosDict
from linter.arm.suppressions import from_arm_metadata
from linter.arm.template import Root, TemplateRun
from linter.frontend import InlineSuppression, LoadContext, LoadResult
from linter.graph import Resource
from linter.model import Known, Span, Unknown, Value

SUPPRESSION_KEY = "aks-backup-lint"


def supplied_parameters(doc: PosDict | None, file: str) -> dict[str, Value]:
    """Values of an ARM parameter file (literal JSON: no expressions are evaluated there)."""
    out: dict[str, Value] = {}
    if not isinstance(doc, dict):
        return out
    params = doc.get("parameters")
    if not isinstance(params, dict):
        return out
    literal = Scope(Frame(file, default_deployment({}), "json"))
    for name, entry in params.items():
        pspan = params.key_spans.get(name) if isinstance(params, PosDict) else None
        if isinstance(entry, dict) and "value" in entry:
            vspan = entry.key_spans.get("value", pspan) if isinstance(entry, PosDict) else pspan
            out[name] = eval_node(entry["value"], vspan, literal)
        elif isinstance(entry, dict) and "reference" in entry:
            from linter.model import Unknown

            out[name] = Unknown(f"parameter '{name}' is a Key Vault reference", pspan)
    return out


def level_of(template: dict) -> str:
    schema = str(template.get("$schema", "")).lower()
    for marker, level in (
        ("subscriptiondeploymenttemplate", "subscription"),
        ("managementgroupdeploymenttemplate", "managementGroup"),
        ("tenantdeploymenttemplate", "tenant"),
    ):
        if marker in schema:
            return level
    return str(template.get("__level__", "resourceGroup"))


def evaluate_template(
    path: Path,
    template: PosDict,
    params_doc: PosDict | None,
    ctx: LoadContext,
    result: LoadResult,
    language: str,
    supplied: dict[str, Value] | None = None,
) -> list[Resource]:
    """Evaluate ``template`` (ARM JSON or translated Bicep) and add its resources to ``result``."""
    file = str(path)
    base = default_deployment(ctx.deployment)
    dep = Deployment(base.subscription_id, base.rg_name, base.rg_location, base.name, level_of(template))
    frame = Frame(file, dep, "bicep" if language == "bicep" else "arm")
    root = Root(file, language)
    run = TemplateRun(template, frame, root)
    values = dict(supplied or {})
    if params_doc is not None:
        values.update(supplied_parameters(params_doc, str(getattr(params_doc, "file", "")) or file))
    run.declare(values)
    run.run()
    stack = file
    resources: list[Resource] = []
    for inst in root.instances:
        resources.extend(adapt(inst, stack))
    for address, span, reason in root.unresolved:
        resources.append(
            Resource(
                kind=kinds.UNRESOLVED_MODULE,
                address=address,
                language=language,
                span=span,
                source_type="Microsoft.Resources/deployments",
                attrs={"reason": Known(reason, span)},
                stack=stack,
            )
        )
    for call, (call_span, foreign_file) in root.foreign_calls.items():
        for res in resources:
            if res.address.startswith(f"{call}."):
                relocate(res, call_span, foreign_file)
    result.resources.extend(resources)
    for metadata, span, address in root.suppressions:
        result.suppressions.extend(metadata_suppressions(metadata, span, address))
    return resources


def relocate(res: Resource, call_span: Span, foreign_file: str) -> None:
    """Show a resource of a compiled registry module at the module call that creates it.

    Its source is a cached ``main.json`` nobody edits: a value that came from the caller keeps the
    caller's span (the parameter line that a fix changes); any other span becomes the call's.
    """

    def move(span: Span | None, via: tuple[Span, ...] = ()) -> Span | None:
        if span is None or span.file != foreign_file:
            return span
        return next((v for v in via if v.file != foreign_file), call_span)

    def value(v: Value) -> Value:
        if isinstance(v, Known):
            inner = v.value
            if isinstance(inner, list):
                inner = [value(x) for x in inner]
            elif isinstance(inner, dict):
                inner = {k: value(x) for k, x in inner.items()}
            via = tuple(s for s in v.via if s.file != foreign_file)
            return Known(inner, move(v.span, v.via), via)
        if isinstance(v, Unknown):
            return Unknown(v.reason, move(v.span))
        return v

    res.span = call_span
    res.attrs = {k: value(v) for k, v in res.attrs.items()}
    res.refs = {k: value(v) for k, v in res.refs.items()}
    if isinstance(res.condition, Known | Unknown):
        res.condition = value(res.condition)


def metadata_suppressions(metadata: Any, span: Span, address: str) -> list[InlineSuppression]:
    """``metadata: {"aks-backup-lint": {"ignore": {"AKSB102": "reason"}}}`` on an ARM resource,
    as suppression records (validated by the engine's suppress step like comments)."""
    if isinstance(metadata, dict):
        ours = next((k for k in metadata if k.lower() == SUPPRESSION_KEY), None)
        if ours is not None and ours != SUPPRESSION_KEY:
            metadata = {SUPPRESSION_KEY: metadata[ours]}
    return from_arm_metadata(metadata, span, address)
