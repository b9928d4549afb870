"""A parsed Bicep file into the ARM-shaped template model the evaluator reads.

The result is a ``PosDict`` shaped like the languageVersion 2.0 template ``bicep build`` writes:
symbolic resources (``parent::child`` for nested ones), parameters, variables, outputs, user
functions, modules as ``Microsoft.Resources/deployments``, and ``__for__`` loops, whose leaves are
Bicep expressions (``linter.arm.expr``), so the ARM evaluator and adapter serve Bicep unchanged.

Nothing here reads another file: a module call keeps its target (``__module__`` for a local
path, ``templateLink`` for a registry reference) and an ``import`` its source, and the front end
attaches those templates after loading (``linter.bicep.loader``). So a file's translation
depends only on its own text and can be cached by it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from linter.arm import expr as ex
from linter.arm.jsonpos import PosDict
from linter.arm.template import BICEP_FUNCTIONS, ForSpec
from linter.bicep.syntax import BicepFile, Body, Declaration, Function, Import, Loop, Module, Resource
from linter.model import Span

SUBSCRIPTION_SCHEMA = (
    "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
)
MANAGEMENT_GROUP_SCHEMA = (
    "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#"
)
TENANT_SCHEMA = "https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#"
RG_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
SCHEMAS = {
    "subscription": SUBSCRIPTION_SCHEMA,
    "managementGroup": MANAGEMENT_GROUP_SCHEMA,
    "tenant": TENANT_SCHEMA,
}
MODULE_API_VERSION = "2022-09-01"
MAX_DEPLOYMENT_NAME = 64
#: template keys the front end reads when it attaches other files (``linter.bicep.loader``)
LOCAL_MODULE = "__module__"  # on a module's properties: the absolute path of a local module file
IMPORTS = "__imports__"  # [(source path as written, exported name or '*', local name, span)]


def is_registry_reference(target: str) -> bool:
    """``br:``, ``br/alias:``, ``ts:`` and ``ts/alias:`` module references (not local paths)."""
    return target.startswith(("br:", "br/", "ts:", "ts/"))


def template_of(parsed: BicepFile, path: Path) -> PosDict:
    """The template model of one parsed ``.bicep`` file."""
    return _Translator(path).template(parsed)


class _Translator:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = str(path)
        self.resources = PosDict()

    def template(self, parsed: BicepFile) -> PosDict:
        tpl = PosDict()
        tpl.span = Span(self.file, 1)
        tpl.file = self.file
        tpl["$schema"] = RG_SCHEMA
        tpl["languageVersion"] = "2.0"
        params, variables, outputs, functions = PosDict(), PosDict(), PosDict(), PosDict()
        imports: list[tuple[str, str, str, Span]] = []  # (source, exported name or '*', local name, span)
        nullable_types = {
            d.name
            for d in parsed.declarations
            if d.keyword == "type" and d.type is not None and d.type.nullable
        }
        for decl in parsed.declarations:
            keyword = decl.keyword
            if keyword == "param":
                params[decl.name] = self.parameter(decl, nullable_types)
                params.key_spans[decl.name] = decl.span
            elif keyword == "var":
                variables[decl.name] = decl.value
                variables.key_spans[decl.name] = decl.value_span or decl.span
            elif keyword == "output":
                out = PosDict()
                out.span = decl.span
                out["value"] = decl.value
                out.key_spans["value"] = decl.value_span or decl.span
                outputs[decl.name] = out
                outputs.key_spans[decl.name] = decl.span
            elif isinstance(decl, Resource):
                self.resource(decl)
            elif isinstance(decl, Module):
                self.module(decl)
            elif isinstance(decl, Function):
                functions[decl.name] = (decl.params, decl.value)
                functions.key_spans[decl.name] = decl.span
            elif isinstance(decl, Import):
                if decl.wildcard:
                    imports.append((decl.path, "*", decl.wildcard, decl.span))
                else:
                    imports.extend(
                        (decl.path, original, local, decl.span) for original, local in decl.symbols
                    )
            elif keyword == "targetScope":
                scope = decl.value if isinstance(decl.value, str) else ""
                if scope in SCHEMAS:
                    tpl["$schema"] = SCHEMAS[scope]
                    tpl["__level__"] = scope
        tpl["parameters"] = params
        tpl["variables"] = variables
        tpl["resources"] = self.resources
        tpl["outputs"] = outputs
        tpl[BICEP_FUNCTIONS] = functions
        tpl[IMPORTS] = imports
        return tpl

    def parameter(self, decl: Declaration, nullable_types: set[str]) -> PosDict:
        out = PosDict()
        out.span = decl.span
        if decl.value_span is not None:
            out["defaultValue"] = decl.value
            out.key_spans["defaultValue"] = decl.value_span
        elif decl.type is not None and (decl.type.nullable or decl.type.alias in nullable_types):
            out["nullable"] = True  # an optional parameter: null unless a value is given
        return out

    # --- resources and modules ------------------------------------------------------------

    def _loop_and_condition(self, decl: Resource | Module, out: PosDict) -> None:
        loop: Loop | None = decl.loop
        if loop is not None:
            out["__for__"] = ForSpec(loop.item, loop.index, loop.iterable)
            if loop.condition is not None:  # a filtered loop: one condition per item
                out["condition"] = loop.condition
                out.key_spans["condition"] = loop.condition_span or decl.span
        if decl.condition is not None:
            out["condition"] = decl.condition
            out.key_spans["condition"] = decl.condition_span or decl.span

    def resource(self, decl: Resource, parent: str | None = None, parent_type: str | None = None) -> None:
        symbol = decl.name if parent is None else f"{parent}::{decl.name}"
        out = PosDict()
        out.span = decl.span
        rtype, _, api = str(decl.type_name).partition("@")
        if parent_type is not None and "." not in rtype.split("/", 1)[0]:
            rtype = f"{parent_type}/{rtype}"
        out["type"] = rtype
        out["apiVersion"] = api
        if decl.existing:
            out["existing"] = True
        if parent is not None:
            out["parent"] = ex.Ref(parent)
        self._loop_and_condition(decl, out)
        body = decl.value
        if isinstance(body, PosDict):
            for key, value in body.items():
                out[key] = value
                out.key_spans[key] = body.key_spans.get(key, decl.span)
        self.resources[symbol] = out
        self.resources.key_spans[symbol] = decl.span
        if isinstance(body, Body):
            for child in body.resources:
                if isinstance(child, Resource):
                    self.resource(child, symbol, rtype)

    def module(self, decl: Module) -> None:
        symbol = decl.name
        out = PosDict()
        out.span = decl.span
        out["type"] = "Microsoft.Resources/deployments"
        out["apiVersion"] = MODULE_API_VERSION
        out["__address__"] = f"module.{symbol}"  # as a comment above the module call names it
        self._loop_and_condition(decl, out)
        fields = decl.value if isinstance(decl.value, PosDict) else PosDict()
        for key in ("name", "scope", "dependsOn"):
            if key in fields:
                out[key] = fields[key]
                out.key_spans[key] = fields.key_spans.get(key, decl.span)
        if "name" not in out:
            out["name"] = generated_deployment_name(symbol, decl.loop is not None)
            out.key_spans["name"] = decl.span
        props = PosDict()
        props["expressionEvaluationOptions"] = {"scope": "inner"}
        props["mode"] = "Incremental"
        props["parameters"] = self.module_parameters(
            fields.get("params"), fields.key_spans.get("params"), decl
        )
        if is_registry_reference(decl.path):
            props["templateLink"] = {"id": decl.path}
        else:
            props[LOCAL_MODULE] = os.path.normpath(self.path.parent / decl.path)
        out["properties"] = props
        self.resources[symbol] = out
        self.resources.key_spans[symbol] = decl.span

    def module_parameters(self, given: Any, span: Span | None, decl: Module) -> PosDict:
        parameters = PosDict()
        if given is None:
            return parameters
        if not isinstance(given, PosDict):  # params: someObject: every key of it is a parameter
            given_dict = PosDict()
            given_dict[ex.Spread(0, given)] = None
            given_dict.key_spans[ex.Spread(0, given)] = span or decl.span
            given = given_dict
        for key, node in given.items():
            pspan = given.key_spans.get(key, decl.span)
            if isinstance(key, ex.Spread):
                parameters[key] = None
            else:
                wrapped = PosDict()
                wrapped.span = pspan
                wrapped["value"] = node
                wrapped.key_spans["value"] = pspan
                parameters[key] = wrapped
            parameters.key_spans[key] = pspan
        return parameters


def generated_deployment_name(symbol: str, looped: bool) -> ex.Call:
    """The deployment name ``bicep build`` gives a module without ``name:`` (ExpressionFactory
    ``CreateGeneratedModuleName``): ``<symbol>-<uniqueString(symbol, deployment().name)>``, with
    the loop index in between for a module loop, the symbol cut so the whole fits 64 characters."""
    unique = ex.Call("uniqueString", (symbol, ex.Prop(ex.Call("deployment", ()), "name")))
    if looped:
        prefix = symbol[: MAX_DEPLOYMENT_NAME - (3 + 13 + 2)]
        return ex.Call("format", (f"{prefix}-{{0}}-{{1}}", ex.Call("copyIndex", ()), unique))
    return ex.Call("format", (f"{symbol[: MAX_DEPLOYMENT_NAME - (13 + 1)]}-{{0}}", unique))


def params_file_values(parsed: BicepFile, path: Path) -> tuple[str | None, list[str], PosDict]:
    """A ``.bicepparam`` file: (its ``using`` target, its ``extends`` bases, a template whose
    variables are its ``var`` declarations and whose ``__params__`` are its assignments)."""
    file = str(path)
    using: str | None = None
    extends: list[str] = []
    tpl = PosDict()
    tpl.span = Span(file, 1)
    tpl.file = file
    variables, assigned = PosDict(), PosDict()
    imports: list[tuple[str, str, str, Span]] = []
    for decl in parsed.declarations:
        if decl.keyword == "using":
            using = decl.name or None
        elif decl.keyword == "extends":
            extends.append(decl.name)
        elif decl.keyword == "var":
            variables[decl.name] = decl.value
            variables.key_spans[decl.name] = decl.value_span or decl.span
        elif decl.keyword == "param":
            assigned[decl.name] = decl.value
            assigned.key_spans[decl.name] = decl.value_span or decl.span
        elif isinstance(decl, Import):
            if decl.wildcard:
                imports.append((decl.path, "*", decl.wildcard, decl.span))
            else:
                imports.extend((decl.path, original, local, decl.span) for original, local in decl.symbols)
    tpl["variables"] = variables
    tpl["__params__"] = assigned
    tpl[BICEP_FUNCTIONS] = PosDict()
    tpl[IMPORTS] = imports
    return using, extends, tpl


__all__ = [
    "IMPORTS",
    "LOCAL_MODULE",
    "is_registry_reference",
    "params_file_values",
    "template_of",
]
