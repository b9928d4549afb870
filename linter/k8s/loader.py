"""Kubernetes front end (implementation): manifests, kustomizations and Helm charts to resources.

``load`` receives every YAML file of the scan (and JSON files that look like Kubernetes objects)
and decides itself what is Kubernetes: a document with a string ``apiVersion`` and ``kind``.
Everything else (CI files, Helm values, docker-compose, ``Chart.yaml``) is ignored silently,
except that a ``Chart.yaml`` tells us a chart is there (its name and dependencies are read: a
chart or dependency named ``velero`` is a Velero install).

Files are read as UTF-8 (with or without a byte order mark) or UTF-16 with a byte order mark
(``linter.textfile``); a manifest in another encoding is one AKSB000.

Helm templates are not rendered (no ``helm`` binary is run): a template under a chart's
``templates/`` directory that is valid YAML is read with its ``{{ ... }}`` expressions as unknown
values; one that is not valid YAML is skipped silently. Outside a chart the same holds, except
that a file skipped for its template syntax gets a tool notification (never an AKSB000). Other
invalid YAML that looks like a manifest becomes one AKSB000 finding.

Kustomizations are built as ``kustomize build`` would (``linter.k8s.kustomize``): every
kustomization that no other kustomization of the scan includes is a root, evaluated as one
manifest set; a base used by several overlays is evaluated through each. Objects rendered by a
root keep the address written in their source file, so a finding in a base that several
overlays inherit is the same finding and is reported once; each overlay adds a related location
("deployed by this kustomization as ..."), and a patched object one at its declaration. Files a
kustomization refers to (resources, patches) are read only through it; the rest are manifests
read on their own.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

from linter import kinds
from linter.frontend import LoadContext, LoadResult, parse_error
from linter.graph import Resource
from linter.k8s.adapt import Origin, adapt, address, text
from linter.k8s.kustomize import (
    KUSTOMIZATION_NAMES,
    Build,
    ChartEntry,
    KObject,
    Kustomizer,
    Reader,
)
from linter.k8s.suppressions import from_annotations
from linter.k8s.yamlpos import load_documents, load_embedded
from linter.model import ABSENT, Finding, Known, RelatedLocation, Severity, Span, Value, get_path, known
from linter.report import Notification
from linter.stackcache import FileView, StackCache
from linter.textfile import decode, sniff, too_large

CHART_FILE = "Chart.yaml"
_API = re.compile(r"""\bapiVersion["']?\s*:""")
_KIND = re.compile(r"""\bkind["']?\s*:""")
_TEMPLATE_ACTION = re.compile(r"\{\{-?.*?-?\}\}", re.DOTALL)


def looks_like_manifest(text_: str) -> bool:
    """A cheap test: both ``apiVersion:`` and ``kind:`` appear somewhere."""
    return bool(_API.search(text_) and _KIND.search(text_))


def template_action(text_: str) -> tuple[int, str] | None:
    """The line and text of the first Go/Helm template action (``{{ ... }}``) in ``text_``."""
    m = _TEMPLATE_ACTION.search(text_)
    if m is None:
        return None
    return text_.count("\n", 0, m.start()) + 1, " ".join(m.group().split())[:60]


def in_chart_templates(path: Path, is_file: Callable[[Path], bool] = Path.is_file) -> bool:
    """True for files below ``<chart>/templates/`` (a directory beside a ``Chart.yaml``)."""
    return any(parent.name == "templates" and is_file(parent.parent / CHART_FILE) for parent in path.parents)


def _shown(path: Path) -> str:
    """``path`` relative to the current directory when inside it (notifications are plain text)."""
    try:
        return Path(os.path.relpath(path)).as_posix() if path.is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)


class _Loader:
    """One unit of the stack cache (a chart, the kustomizations, a directory's manifests): files are
    read and probed through ``view``, which records them for the unit's entry."""

    def __init__(self, ctx: LoadContext, view: FileView) -> None:
        self.ctx = ctx
        self.view = view
        self.result = LoadResult()
        self.loaded: set[Path] = set()
        #: files kustomizations use (read once however many overlays use them): documents and text
        self._kustomize_files: dict[Path, tuple[list[Value], str | None]] = {}
        #: problems of files that do not look like manifests, reported only if a kustomization uses them
        self._held: dict[Path, Finding] = {}

    def _read(self, path: Path) -> str | None:
        """The file's text, or None (with an AKSB000 when it looks like a manifest)."""
        raw = self.view.read(path)
        if raw.buffer is not None:
            self.result.files.append(path)
            return raw.buffer
        if raw.error is not None:
            self.result.diagnostics.append(parse_error(path, 1, 1, raw.error))
            return None
        self.result.files.append(path)
        data, size = raw.data or b"", raw.size
        if size > self.ctx.max_file_bytes:
            if looks_like_manifest(sniff(data)):
                self.result.diagnostics.append(
                    parse_error(path, 1, 1, too_large(size, self.ctx.max_file_bytes))
                )
            return None
        content, problem = decode(data)
        if problem is not None:
            self._report(
                path, parse_error(path, problem.line, 1, problem.message), looks_like_manifest(sniff(data))
            )
        return content

    def _report(self, path: Path, finding: Finding, now: bool) -> None:
        if now:
            self.result.diagnostics.append(finding)
        else:
            self._held.setdefault(path, finding)

    def documents(self, path: Path) -> list[Value]:
        """Every document of the file as positioned values."""
        return self._parse(path, self._read(path))

    def kustomize_documents(self, path: Path) -> list[Value]:
        """``documents`` of a file a kustomization uses, read once; it is IaC, so any problem is reported."""
        if path not in self._kustomize_files:
            content = self._read(path)
            self._kustomize_files[path] = (self._parse(path, content), content)
            held = self._held.pop(path, None)
            if held is not None:
                self.result.diagnostics.append(held)
        return self._kustomize_files[path][0]

    def kustomize_text(self, path: Path) -> str | None:
        """The text of a file ``kustomize_documents`` read (inline patches are positioned in it)."""
        return self._kustomize_files[path][1] if path in self._kustomize_files else None

    def _parse(self, path: Path, content: str | None) -> list[Value]:
        if content is None:
            return []
        docs, problem = load_documents(content, str(path))
        if problem is None:
            return [d.value for d in docs]
        if path.suffix.lower() == ".json":
            fallback = _json_document(content, path)  # JSON that YAML 1.1 rejects (surrogate escapes)
            if fallback is not None:
                return [fallback]
        if in_chart_templates(path, self.view.is_file):
            return [d.value for d in docs]
        action = template_action(content)
        if action is not None:
            line, action_text = action
            message = (
                f"{_shown(path)}: Go/Helm template syntax outside a chart ({action_text} on line {line}); "
                "the file is not read"
            )
            self.result.notifications.append(Notification("note", message, Span(str(path), line, 1)))
            return []
        finding = parse_error(path, problem.line, problem.column, problem.message)
        self._report(path, finding, looks_like_manifest(content) or path.suffix.lower() == ".json")
        return [d.value for d in docs]

    def manifest(self, path: Path, origin: Origin) -> None:
        if path in self.loaded:
            return
        self.loaded.add(path)
        for doc in self.documents(path):
            self.result.resources.extend(adapt(doc, origin))

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
        if self.view.is_file(requirements):
            self.loaded.add(requirements)
            for req in self.documents(requirements)[:1]:
                deps.extend(_items(get_path(req, "dependencies")))
        for dep in deps:
            dep_name = get_path(dep, "name")
            alias = get_path(dep, "alias")
            release_name = alias if alias is not ABSENT else dep_name
            address_ = f"helm-chart:{text(name)}/dependency:{text(release_name) or '?'}"
            span = getattr(dep_name, "span", None) or getattr(dep, "span", None)
            release = _release(address_, release_name, dep_name, get_path(dep, "repository"), span, stack)
            if release is not None:
                self.result.resources.append(release)

    # --- kustomize ----------------------------------------------------------------------------

    def kustomizations(self, files: list[Path]) -> None:
        """Build every root kustomization of the scan (and any kustomization no root reaches)."""
        reader = Reader(
            self.kustomize_documents, self.kustomize_text, load_embedded, self.ctx.excluded, self.view
        )
        builder = Kustomizer(reader)
        scanned = [p for p in files if p.name in KUSTOMIZATION_NAMES and builder.config(p) is not None]
        included: set[Path] = set()
        pending, seen = list(scanned), set(scanned)
        while pending:
            for child in builder.includes(pending.pop()):
                included.add(child)
                if child not in seen:
                    seen.add(child)
                    pending.append(child)
        roots = [p for p in scanned if p not in included and not builder.config(p).is_component]  # type: ignore[union-attr]
        for root in roots:
            self._emit(root, builder.build(root))
        for path in scanned:  # cycles and components no kustomization of the scan includes
            if not builder.built(path):
                self._emit(path, builder.build(path))
        for failure in builder.failures:
            message = f"kustomize build would fail: {failure.message}"
            self.result.diagnostics.append(
                parse_error(Path(failure.span.file), failure.span.line, failure.span.column, message)
            )
        self.loaded |= builder.files

    def _emit(self, root: Path, build: Build) -> None:
        stack = str(root.parent)
        for obj in build.objects:
            origin = Origin(obj.header.file, stack=stack, address=obj.address, context=_context(obj, root))
            self.result.resources.extend(adapt(obj.doc, origin))
        for chart in build.charts:
            release = _chart_release(chart, stack)
            if release is not None:
                self.result.resources.append(release)
        for item in build.unresolved:
            self.result.diagnostics.append(
                Finding(
                    rule_id="AKSB902",
                    slug="unresolved-value",
                    message=f"kustomize: {item.what}",
                    span=item.span,
                    severity=Severity.NOTE,
                    address=str(root),
                    properties={"source": "kustomize"},
                )
            )


def _context(obj: KObject, root: Path) -> tuple[RelatedLocation, ...]:
    """Related locations of an object rendered by ``root``: the overlay, and its declaration if patched."""
    rendered = address(obj.doc, obj.header.file)
    where = obj.entry or Span(str(root), 1, 1)
    out = [RelatedLocation(where, f"deployed by this kustomization as {rendered}")]
    if obj.patches:
        out.append(
            RelatedLocation(obj.header, f"{obj.address} is declared here; a kustomize patch changes it")
        )
    return tuple(out)


def _chart_release(chart: ChartEntry, stack: str) -> Resource | None:
    """The Helm release a kustomize ``helmCharts`` entry installs (its objects stay unknown)."""
    name = get_path(chart.entry, "name")
    if text(name) is None:
        name = get_path(chart.entry, "chartName")
    release_name = get_path(chart.entry, "releaseName")
    release = _release(
        f"kustomize-helm-chart:{text(name) or '?'}",
        release_name if release_name is not ABSENT else name,
        name,
        get_path(chart.entry, "repo"),
        getattr(name, "span", None) or chart.entry.span,
        stack,
    )
    namespace = get_path(chart.entry, "namespace")
    namespace = chart.namespace if namespace is ABSENT else namespace
    if release is not None and namespace is not ABSENT:
        release.attrs["namespace"] = namespace
    return release


def _json_document(content: str, path: Path) -> Value | None:
    """A JSON file PyYAML cannot read, as values positioned at the file's first line."""
    try:
        return known(json.loads(content), Span(str(path), 1, 1))
    except (ValueError, RecursionError):
        return None


def _release(
    address_: str, name: Value, chart: Value, repository: Value, span: object, stack: str
) -> Resource | None:
    if span is None:
        return None
    res = Resource(
        kind=kinds.HELM_RELEASE,
        address=address_,
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


def load(files: list[Path], ctx: LoadContext) -> LoadResult:
    """Canonical resources of every Kubernetes document in ``files``.

    Units of the stack cache (``linter.stackcache``), in the order a scan reads them: each chart,
    the kustomizations of the scan (they share bases, and decide which files are read only through
    them), then the other manifests, a directory at a time.
    """
    import yaml

    stacks = StackCache(
        "kubernetes", ctx, versions=f"PyYAML {yaml.__version__} libyaml {yaml.__with_libyaml__}"
    )
    files = ctx.real_paths.files(files)
    result = LoadResult()
    loaded: set[Path] = set()
    for path in files:
        if path.name == CHART_FILE:
            part, used = stacks.evaluate(
                ("chart", str(path)), functools.partial(_chart, path, ctx, stacks.view)
            )
            result.add(part)
            loaded |= used
    kustomizations = [p for p in files if p.name in KUSTOMIZATION_NAMES]
    if kustomizations:
        identity = ("kustomize", *map(str, kustomizations))
        part, used = stacks.evaluate(
            identity, functools.partial(_kustomize, kustomizations, ctx, stacks.view)
        )
        result.add(part)
        loaded |= used
    manifests = [
        path
        for path in files
        if path not in loaded
        and not (path.name == "requirements.yaml" and (path.parent / CHART_FILE).is_file())
    ]
    for directory, group in itertools.groupby(manifests, key=lambda path: path.parent):
        paths = list(group)
        identity = ("manifests", str(directory), *(p.name for p in paths))
        result.add(stacks.evaluate(identity, functools.partial(_manifests, paths, ctx, stacks.view)))
    result.suppressions.extend(from_annotations(result.resources))
    stacks.save()
    return result


def _chart(path: Path, ctx: LoadContext, view: FileView) -> tuple[LoadResult, frozenset[Path]]:
    loader = _Loader(ctx, view)
    loader.chart(path)
    return loader.result, frozenset(loader.loaded)


def _kustomize(files: list[Path], ctx: LoadContext, view: FileView) -> tuple[LoadResult, frozenset[Path]]:
    loader = _Loader(ctx, view)
    loader.kustomizations(files)
    return loader.result, frozenset(loader.loaded)


def _manifests(files: list[Path], ctx: LoadContext, view: FileView) -> LoadResult:
    loader = _Loader(ctx, view)
    for path in files:
        loader.manifest(path, Origin(str(path), stack=str(path.parent)))
    return loader.result


__all__ = ["load", "looks_like_manifest", "in_chart_templates", "template_action"]
