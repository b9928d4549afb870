"""Kustomize as ``kustomize build`` evaluates it, for the parts that decide what the rules see.

Followed from kubernetes-sigs/kustomize (``api/internal/target/kusttarget.go``,
``api/types/kustomization.go``, the builtin plugins and kyaml): ``build`` accumulates resources,
generators and components; ``transformers`` runs ``patchesStrategicMerge``, ``patches``,
``namespace``, ``namePrefix``/``nameSuffix``, ``labels``/``commonLabels``,
``commonAnnotations``, ``patchesJson6902`` and ``replicas`` in kustomize's order (the patches
themselves are ``linter.k8s.patch``); ``namerefs`` rewrites references to renamed storage
classes and volumes; ``objects`` holds what a build carries.

Not evaluated; the objects they would produce stay unknown (never absent) and are returned as
``Unresolved`` for AKSB902 notes: remote resources and components (URLs, git), missing local
paths, ``configMapGenerator``/``secretGenerator``, ``helmCharts`` (the chart itself is returned
as a ``ChartEntry``, a Helm release), generator, transformer and validator plugins,
``replacements`` and ``vars``. ``images`` and ``openapi`` change nothing the rules read.

A kustomization kustomize refuses to build (a cycle, a patch that matches nothing while every
object is known, a JSON patch path that does not exist) gives a ``Failure`` at the entry that
causes it; the loader reports it as an AKSB000.
"""

from __future__ import annotations

from linter.k8s.kustomize.build import Kustomizer, Reader
from linter.k8s.kustomize.config import KUSTOMIZATION_NAMES
from linter.k8s.kustomize.objects import Build, ChartEntry, Failure, KObject, Unresolved

__all__ = [
    "KUSTOMIZATION_NAMES",
    "Build",
    "ChartEntry",
    "Failure",
    "KObject",
    "Kustomizer",
    "Reader",
    "Unresolved",
]
