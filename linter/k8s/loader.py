"""Kubernetes front end (implementation): manifests, kustomize bases and Helm charts to resources.

``load`` receives every YAML file of the scan (and JSON files that look like Kubernetes objects)
and decides itself what is Kubernetes: a document with a string ``apiVersion`` and ``kind``.
Everything else (CI files, Helm values, docker-compose, ``Chart.yaml``) is ignored silently,
except that a ``Chart.yaml`` tells us a chart is there (its name and dependencies are read: a
chart or dependency named ``velero`` is a Velero install).

Helm templates are not rendered (no ``helm`` binary is run): a template under a chart's
``templates/`` directory that is valid YAML is read with its ``{{ ... }}`` expressions as unknown
values; one that is not valid YAML is skipped silently. Invalid YAML elsewhere that looks like
a manifest becomes one AKSB000 finding.

A ``kustomization.yaml`` contributes the manifests listed in ``resources`` (and legacy
``bases``), files and local bases, even outside the scanned directories; its ``namespace`` is
applied; patches are not.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from linter import kinds
from linter.graph import Resource
from linter.k8s.adapt import Origin, adapt, text
from linter.k8s.suppressions import from_annotations
from linter.k8s.yamlpos import load_documents
from linter.model import ABSENT, Known, Span, Value, get_path, known
from linter.stack import LoadContext, StackResult, parse_error

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
CHART_FILE = "Chart.yaml"
_API = re.compile(r"""\bapiVersion["']?\s*:""")
_KIND = re.compile(r"""\bkind["']?\s*:""")
_HEAD_BYTES = 65536
MAX_KUSTOMIZE_DEPTH = 20


def looks_like_manifest(text_: str) -> bool:
    """A cheap test: both ``apiVersion:`` and ``kind:`` appear somewhere."""
    return bool(_API.search(text_) and _KIND.search(text_))


def in_chart_templates(path: Path) -> bool:
    """True for files below ``<chart>/templates/`` (a directory beside a ``Chart.yaml``)."""
    for parent in path.parents:
        if parent.name == "templates" and (parent.parent / CHART_FILE).is_file():
            return True
    return False


class _Loader:
    def __init__(self, ctx: LoadContext) -> None:
        self.ctx = ctx
        self.result = StackResult()
        self.loaded: set[Path] = set()

    def read(self, path: Path) -> str | None:
        """The file's text, or None (with an AKSB000 when it looks like a manifest)."""
        try:
            size = path.stat().st_size
            with path.open("rb") as fh:
                data = fh.read(_HEAD_BYTES if size > self.ctx.max_file_bytes else -1)
        except OSError as e:
            self.result.diagnostics.append(parse_error(path, 1, 1, f"cannot read file: {e.strerror or e}"))
            return None
        self.result.files.append(path)
        if size > self.ctx.max_file_bytes:
            if looks_like_manifest(data.decode("utf-8", "replace")):
                message = f"file is {size} bytes, over the {self.ctx.max_file_bytes}-byte limit; not read"
                self.result.diagnostics.append(parse_error(path, 1, 1, message))
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            if looks_like_manifest(data.decode("utf-8", "replace")):
                line = data[: e.start].count(b"\n") + 1
                self.result.diagnostics.append(parse_error(path, line, 1, "file is not valid UTF-8"))
            return None

    def documents(self, path: Path) -> list[Value]:
        content = self.read(path)
        if content is None:
            return []
        docs, problem = load_documents(content, str(path))
        if problem is not None and path.suffix.lower() == ".json":
            fallback = _json_document(content, path)  # JSON that YAML 1.1 rejects (surrogate escapes)
            if fallback is not None:
                return [fallback]
        manifest_like = looks_like_manifest(content) or path.suffix.lower() == ".json"
        if problem is not None and manifest_like and not in_chart_templates(path):
            self.result.diagnostics.append(parse_error(path, problem.line, problem.column, problem.message))
        return [d.value for d in docs]

    def manifest(self, path: Path, origin: Origin) -> None:
        if path in self.loaded:
            return
        self.loaded.add(path)
        for doc in self.documents(path):
            self.result.resources.extend(adapt(doc, origin))

    def kustomization(self, path: Path, namespace: Value, depth: int, seen: set[Path]) -> None:
        """Load the manifests a kustomization lists (its own namespace wins over an outer one's)."""
        if path in seen or depth > MAX_KUSTOMIZE_DEPTH:
            return
        seen.add(path)
        self.loaded.add(path)
        for doc in self.documents(path):
            own = get_path(doc, "namespace")
            ns = namespace if namespace is not ABSENT else own
            entries = [*_strings(get_path(doc, "resources")), *_strings(get_path(doc, "bases"))]
            for entry in entries:
                if "://" in entry or entry.startswith(("github.com/", "git@")):
                    continue  # remote bases are not fetched (offline)
                target = (path.parent / entry).resolve()
                if target.is_dir():
                    for name in KUSTOMIZATION_NAMES:
                        if (target / name).is_file():
                            self.kustomization(target / name, ns, depth + 1, seen)
                            break
                elif target.is_file():
                    self.manifest(target, Origin(str(target), stack=str(target.parent), namespace=ns))

    def chart(self, path: Path) -> None:
        """A Helm chart: one helm_release for the chart itself and one per dependency."""
        self.loaded.add(path)
        docs = self.documents(path)
        if not docs:
            return
        doc = docs[0]
        name = get_path(doc, "name")
        if text(name) is None:
            return
        stack = str(path.parent)
        chart = _release(f"helm-chart:{text(name)}", name, name, ABSENT, getattr(name, "span", None), stack)
        if chart is not None:
            self.result.resources.append(chart)
        deps = list(_items(get_path(doc, "dependencies")))
        requirements = path.parent / "requirements.yaml"  # Helm 2 charts list dependencies there
        if requirements.is_file():
            self.loaded.add(requirements)
            for req in self.documents(requirements)[:1]:
                deps.extend(_items(get_path(req, "dependencies")))
        for dep in deps:
            dep_name = get_path(dep, "name")
            alias = get_path(dep, "alias")
            release_name = alias if alias is not ABSENT else dep_name
            address = f"helm-chart:{text(name)}/dependency:{text(release_name) or '?'}"
            span = getattr(dep_name, "span", None) or getattr(dep, "span", None)
            release = _release(address, release_name, dep_name, get_path(dep, "repository"), span, stack)
            if release is not None:
                self.result.resources.append(release)


def _json_document(content: str, path: Path) -> Value | None:
    """A JSON file PyYAML cannot read, as values positioned at the file's first line."""
    try:
        return known(json.loads(content), Span(str(path), 1, 1))
    except (ValueError, RecursionError):
        return None


def _release(
    address: str, name: Value, chart: Value, repository: Value, span: object, stack: str
) -> Resource | None:
    if span is None:
        return None
    res = Resource(
        kind=kinds.HELM_RELEASE,
        address=address,
        language="kubernetes",
        span=span,  # type: ignore[arg-type]
        source_type="Chart.yaml",
        stack=stack,
    )
    for attr, value in (("name", name), ("chart", chart), ("repository", repository)):
        if value is not ABSENT:
            res.attrs[attr] = value
    return res


def _items(value: Value) -> list[Value]:
    return list(value.value) if isinstance(value, Known) and isinstance(value.value, list) else []


def _strings(value: Value) -> list[str]:
    return [s for s in (text(v) for v in _items(value)) if s]


def _kustomize_bases(path: Path) -> set[Path]:
    """The kustomization files ``path`` lists as bases (a cheap pre-pass; errors are reported later)."""
    try:
        if path.stat().st_size > 1024 * 1024:
            return set()
        docs, _ = load_documents(path.read_text(encoding="utf-8-sig"), str(path))
    except (OSError, UnicodeDecodeError):
        return set()
    out = set()
    for doc in docs[:1]:
        for entry in [*_strings(get_path(doc.value, "resources")), *_strings(get_path(doc.value, "bases"))]:
            target = (path.parent / entry).resolve()
            for name in KUSTOMIZATION_NAMES:
                if (target / name).is_file():
                    out.add(target / name)
                    break
    return out


def load(files: list[Path], ctx: LoadContext) -> StackResult:
    """Canonical resources of every Kubernetes document in ``files``."""
    loader = _Loader(ctx)
    files = sorted({Path(p).resolve() for p in files})
    for path in files:
        if path.name == CHART_FILE:
            loader.chart(path)
    kustomizations = [p for p in files if p.name in KUSTOMIZATION_NAMES]
    bases = {b for k in kustomizations for b in _kustomize_bases(k)}
    for path in sorted(kustomizations, key=lambda p: p in bases):  # overlays first: their namespace wins
        if path not in loader.loaded:
            loader.kustomization(path, ABSENT, 0, set())
    for path in files:
        if path.name == "requirements.yaml" and (path.parent / CHART_FILE).is_file():
            continue
        loader.manifest(path, Origin(str(path), stack=str(path.parent)))
    loader.result.suppressions.extend(from_annotations(loader.result.resources))
    return loader.result


__all__ = ["load", "looks_like_manifest", "in_chart_templates"]
