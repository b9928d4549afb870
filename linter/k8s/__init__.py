"""Kubernetes front end: manifests, kustomizations and Helm charts to canonical resources.

The implementation is in ``linter.k8s.loader``; this package imports nothing heavy, so the rules
that use ``linter.facts`` cost no YAML import when a scan has no Kubernetes files.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linter.frontend import LoadContext, LoadResult


def load(files: list[Path], ctx: LoadContext) -> LoadResult:
    """Canonical resources of every Kubernetes document in ``files`` (see ``loader``)."""
    from linter.k8s.loader import load as _load

    return _load(files, ctx)


__all__ = ["load"]
