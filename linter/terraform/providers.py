"""Provider requirements of a Terraform configuration, in every form users write them (§2.2).

Produces one ``provider_requirement`` resource per constraint (``required_providers`` in any module
of the configuration, the legacy shorthand, legacy ``provider { version }``) and one for the
version pinned in ``.terraform.lock.hcl``.
"""

from __future__ import annotations

from pathlib import Path

from linter import kinds
from linter.graph import Resource
from linter.model import ABSENT, Known, Value
from linter.terraform import hcl
from linter.terraform.evaluate import EmptyScope, Evaluator
from linter.terraform.module import ModuleInstance, attribute_value

_REGISTRY_PREFIXES = ("registry.terraform.io/", "registry.opentofu.org/")


def _requirement(address: str, span, stack: str, **attrs: Value) -> Resource:  # type: ignore[no-untyped-def]
    res = Resource(kinds.PROVIDER_REQUIREMENT, address, "terraform", span, "required_providers", stack=stack)
    res.attrs.update({k: v for k, v in attrs.items() if v is not ABSENT})
    return res


def provider_requirements(root: ModuleInstance, loader) -> list[Resource]:  # type: ignore[no-untyped-def]
    stack = str(root.source.directory)
    out: list[Resource] = []
    seen_dirs: set[Path] = set()
    pending = [root]
    while pending:
        module = pending.pop()
        if module.source.directory in seen_dirs:
            continue
        seen_dirs.add(module.source.directory)
        out.extend(_from_module(module, stack))
        for call in module.source.module_calls:
            children = module.children(call.labels[0])
            if isinstance(children, list):
                pending.extend(children)
    lock = root.source.directory / ".terraform.lock.hcl"
    if lock.is_file():
        parsed = loader.parse(lock)
        if parsed is not None:
            out.extend(_from_lock(parsed, stack))
    return out


def _from_module(module: ModuleInstance, stack: str) -> list[Resource]:
    out = []
    evaluator = Evaluator(EmptyScope())
    for tf in module.source.terraform_blocks:
        for rp in tf.body.blocks_of("required_providers"):
            for name, attr in rp.body.attributes.items():
                value = attribute_value(evaluator, attr)
                if isinstance(value, Known) and isinstance(value.value, dict):
                    constraint = value.value.get("version", ABSENT)
                    source = value.value.get("source", ABSENT)
                else:  # legacy shorthand: azurerm = "~> 3.0"
                    constraint, source = value, ABSENT
                if constraint is not ABSENT:
                    out.append(
                        _requirement(
                            f"{module.prefix}terraform.required_providers.{name}",
                            attr.span,
                            stack,
                            provider=Known(name, attr.span),
                            source=source,
                            constraint=constraint,
                        )
                    )
    for block in module.source.provider_blocks:
        version = block.body.attributes.get("version")
        if version is not None and block.labels:
            out.append(
                _requirement(
                    f"{module.prefix}provider.{block.labels[0]}",
                    version.span,
                    stack,
                    provider=Known(block.labels[0], block.span),
                    constraint=attribute_value(evaluator, version),
                )
            )
    return out


def _from_lock(parsed: hcl.HclFile, stack: str) -> list[Resource]:
    out = []
    evaluator = Evaluator(EmptyScope())
    for block in parsed.body.blocks_of("provider"):
        if not block.labels:
            continue
        source = block.labels[0]
        short = source
        for prefix in _REGISTRY_PREFIXES:
            short = short.removeprefix(prefix)
        name = short.rsplit("/", 1)[-1]
        version = block.body.attributes.get("version")
        if version is None:
            continue
        out.append(
            _requirement(
                f"lock.{source}",
                version.span,
                stack,
                provider=Known(name, block.span),
                source=Known(short, block.span),
                locked_version=attribute_value(evaluator, version),
            )
        )
    return out
