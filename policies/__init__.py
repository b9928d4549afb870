"""Built-in rules, one module per rule, grouped by area (the ID blocks of rules.md).

Each area package lists its rule modules in ``MODULES``; ``load_builtin_rules`` imports them
explicitly, so the registry is the same set on every machine (a test compares it with the disk).
Third-party rule packs load through the ``aks_backup_lint.policies`` entry-point group, after the
built-ins, with the same validation.
"""

from __future__ import annotations

import importlib

from linter.rules import REGISTRY, Registry

AREAS = (
    "toolchain",  # 0xx: parse errors, Terraform provider versions, Terraform-only limits
    "placement",  # 1xx: regions
    "storage",  # 2xx: the backup storage account
    "cluster",  # 3xx: cluster identity, node pools, extension, trusted access, roles
    "protection",  # 4xx: backup policy and instance
    "volumes",  # 5xx: persistent volumes
    "velero",  # 6xx: Velero coexistence
    "diagnostics",  # 9xx: the linter's own diagnostics
)

_loaded = False


def load_builtin_rules() -> Registry:
    """Import every built-in rule module once; returns the shared registry."""
    global _loaded
    if not _loaded:
        for area in AREAS:
            package = importlib.import_module(f"policies.{area}")
            for name in package.MODULES:
                importlib.import_module(f"policies.{area}.{name}")
        _load_plugins()
        _loaded = True
    return REGISTRY


def _load_plugins() -> None:
    from importlib.metadata import entry_points

    for ep in entry_points(group="aks_backup_lint.policies"):
        ep.load()
