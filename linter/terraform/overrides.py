"""Override files (``override.tf``, ``*_override.tf``, and their ``.tf.json`` forms).

Terraform loads them after the other files of a module, in lexical order, and merges each of their
top-level blocks into the block with the same header (type and labels): an argument replaces the
argument of the same name; nested blocks of a type (``dynamic "x"`` counts as type ``x``) replace
every block of that type; ``locals`` merge value by value; in a ``terraform`` block,
``required_providers`` merges provider by provider. This is the common case of a hand-written
``.tf`` file adjusted by a generated ``.tf.json`` one (``internal/configs/module_merge_body.go``).
"""

from __future__ import annotations

from pathlib import Path

from linter.terraform import hcl


def is_override_file(path: Path) -> bool:
    name = path.name
    for suffix in (".tf.json", ".tf"):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem == "override" or stem.endswith("_override")
    return False


def merge_file(blocks: list[hcl.Block], override: hcl.HclFile) -> list[hcl.Block]:
    """The module's top-level ``blocks`` with ``override``'s blocks merged in."""
    out = list(blocks)
    for block in override.body.blocks:
        if block.type == "locals":
            _merge_locals(out, block)
            continue
        for i, base in enumerate(out):
            if base.type == block.type and base.labels == block.labels:
                out[i] = (
                    _merge_terraform(base, block) if block.type == "terraform" else merge_block(base, block)
                )
                break
    return out


def merge_block(base: hcl.Block, override: hcl.Block) -> hcl.Block:
    return hcl.Block(base.type, base.labels, merge_body(base.body, override.body), base.span, base.full)


def merge_body(base: hcl.Body, override: hcl.Body) -> hcl.Body:
    replaced = {b.labels[0] if b.type == "dynamic" and b.labels else b.type for b in override.blocks}
    kept = [
        b
        for b in base.blocks
        if (b.labels[0] if b.type == "dynamic" and b.labels else b.type) not in replaced
    ]
    return hcl.Body({**base.attributes, **override.attributes}, kept + list(override.blocks))


def _merge_locals(blocks: list[hcl.Block], override: hcl.Block) -> None:
    for name, attr in override.body.attributes.items():
        for i, base in enumerate(blocks):
            if base.type == "locals" and name in base.body.attributes:
                attributes = {**base.body.attributes, name: attr}
                blocks[i] = hcl.Block(
                    "locals", (), hcl.Body(attributes, base.body.blocks), base.span, base.full
                )
                break


def _merge_terraform(base: hcl.Block, override: hcl.Block) -> hcl.Block:
    merged = merge_body(base.body, override.body)
    base_providers = base.body.blocks_of("required_providers")
    over_providers = override.body.blocks_of("required_providers")
    if base_providers and over_providers:
        attributes: dict[str, hcl.Attribute] = {}
        for b in base_providers + over_providers:
            attributes.update(b.body.attributes)
        first = over_providers[0]
        providers = hcl.Block(first.type, (), hcl.Body(attributes), first.span, first.full)
        merged.blocks = [b for b in merged.blocks if b.type != "required_providers"] + [providers]
    return hcl.Block(base.type, base.labels, merged, base.span, base.full)
