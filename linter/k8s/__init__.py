"""Kubernetes front end: manifests, kustomize bases and Helm charts to canonical resources.

The implementation is in ``linter.k8s.loader``; this package imports nothing heavy, so the rules
that use ``linter.k8s.volumes`` cost no YAML import when a scan has no Kubernetes files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linter.stack import LoadContext, Stack, StackResult


def load(stack: Stack, ctx: LoadContext) -> StackResult:
    """Canonical resources of every Kubernetes document in ``stack.files`` (see ``loader``)."""
    from linter.k8s.loader import load as _load

    return _load(stack, ctx)


__all__ = ["load"]
