"""Building kustomizations: accumulation of resources, generators and components, then transformers.

A kustomization accumulates its ``resources`` (files; directories holding another kustomization,
built on its own first and included as its output; ``bases`` is the legacy spelling), then its
generators, then its ``components``, which work on what has been accumulated so far as if written
in the including kustomization, then runs its transformers (``transformers.py``). A
kustomization included by several others is built once; the name-reference fix runs once on a
root's output (``kusttarget.go``, ``AccumulateTarget`` and ``makeCustomizedResMap``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from linter.k8s.adapt import address, header, text
from linter.k8s.kustomize.config import Config, is_kustomize_config, is_remote, kustomization_in, span_of
from linter.k8s.kustomize.namerefs import fix_name_references
from linter.k8s.kustomize.objects import Build, ChartEntry, Failure, KObject, Unresolved, objects_of
from linter.k8s.kustomize.transformers import Transformers
from linter.k8s.yamlpos import Document, YamlProblem
from linter.model import Known, Span, Value, get_path
from linter.stackcache import FileView


class Reader:
    """What the builder needs from the loader: documents of a file, parsed once, problems reported."""

    def __init__(
        self,
        documents: Callable[[Path], list[Value]],
        file_text: Callable[[Path], str | None],
        embedded: Callable[[str, str, Span], tuple[list[Document], YamlProblem | None]],
        excluded: Callable[[Path], bool],
        view: FileView,
    ) -> None:
        self.documents = documents
        self.file_text = file_text
        self.embedded = embedded
        self.excluded = excluded  # the scan's excludes: such a path is never read
        self.view = view  # asks the file system, recording the answers for the stack cache

    def kustomization_in(self, directory: Path) -> Path | None:
        """The kustomization file of ``directory``, if it is a directory that has one."""
        return kustomization_in(directory, self.view.is_file) if self.view.is_dir(directory) else None


class Kustomizer:
    """Builds kustomizations; a kustomization included by several others is built once."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.failures: list[Failure] = []
        self.files: set[Path] = set()  # every file a kustomization refers to (not read on its own)
        self._configs: dict[Path, Config | None] = {}
        self._builds: dict[Path, Build] = {}
        self._building: list[Path] = []

    # --- kustomization files ------------------------------------------------------------------

    def config(self, path: Path) -> Config | None:
        """The kustomization at ``path`` (None when it is not a kustomize configuration)."""
        if path not in self._configs:
            docs = self.reader.documents(path)
            doc = docs[0] if docs else None
            if isinstance(doc, Known) and is_kustomize_config(doc):
                self.files.add(path)
                self._configs[path] = Config(path, doc, self.reader.file_text(path) or "")
            else:
                self._configs[path] = None
        return self._configs[path]

    def built(self, path: Path) -> bool:
        """Whether the kustomization at ``path`` has been built (as a root or for another one)."""
        return path in self._builds

    def includes(self, path: Path) -> list[Path]:
        """The kustomizations ``path`` includes directly (resource directories and components)."""
        cfg = self.config(path)
        if cfg is None:
            return []
        out = []
        for entry in cfg.items("resources", "bases", "components"):
            name = text(entry)
            if not name or is_remote(name):
                continue
            target = (cfg.directory / name).resolve()
            found = self.reader.kustomization_in(target)
            if found is not None and not self.reader.excluded(found):
                out.append(found)
        return out

    # --- building -----------------------------------------------------------------------------

    def build(self, path: Path) -> Build:
        """The objects of the kustomization at ``path`` as ``kustomize build`` would output them."""
        built = self._child(path, None)
        if built is None:
            return Build()
        root = Build(list(built.objects), list(built.unresolved), list(built.charts))
        root.objects = fix_name_references(root.objects)
        return root

    def _child(self, path: Path, entry: Value | None) -> Build | None:
        cfg = self.config(path)
        if cfg is None:
            return None
        if path in self._building:
            chain = " -> ".join(p.parent.name or str(p) for p in (*self._building, path))
            self.fail(span_of(entry, cfg.span), f"kustomization cycle: {chain}")
            return None
        if path not in self._builds:
            self._building.append(path)
            try:
                self._builds[path] = self._accumulate(cfg, Build(), checked=not cfg.is_component)
            finally:
                self._building.pop()
        return self._builds[path]

    def _accumulate(self, cfg: Config, ra: Build, *, checked: bool) -> Build:
        for entry in cfg.items("resources", "bases"):
            self._resource(cfg, entry, ra)
        self._generators(cfg, ra)
        for entry in cfg.items("components"):
            self._component(cfg, entry, ra)
        Transformers(self, cfg, ra, checked=checked).run()
        return ra

    def fail(self, span: Span, message: str) -> None:
        self.failures.append(Failure(span, message))

    def where(self, cfg: Config, entry: Value) -> Span:
        return span_of(entry, cfg.span)

    def _local(
        self, cfg: Config, entry: Value, ra: Build, noun: str, what: str
    ) -> tuple[str, Span, Path] | None:
        """The local path an entry names, or None (recorded as unresolved: unknown, remote, excluded)."""
        name = text(entry)
        span = self.where(cfg, entry)
        unknown = f"the objects it {what} are unknown"
        if name is None:
            ra.unresolved.append(Unresolved(span, f"a {noun} entry is unknown; {unknown}"))
            return None
        if is_remote(name):
            ra.unresolved.append(
                Unresolved(span, f'remote {noun} "{name}" is not fetched (offline); {unknown}')
            )
            return None
        target = (cfg.directory / name).resolve()
        inside = self.reader.kustomization_in(target)
        if self.reader.excluded(target) or (inside is not None and self.reader.excluded(inside)):
            ra.unresolved.append(Unresolved(span, f'{noun} "{name}" is excluded from the scan; {unknown}'))
            return None
        return name, span, target

    def _resource(self, cfg: Config, entry: Value, ra: Build) -> None:
        local = self._local(cfg, entry, ra, "resource", "adds")
        if local is None:
            return
        name, span, target = local
        if self.reader.view.is_file(target):
            self.files.add(target)
            for doc in self.reader.documents(target):
                for obj in objects_of(doc, str(target)):
                    ra.objects.append(
                        KObject(obj, header(obj, str(target)), address(obj, str(target)), entry=span)
                    )
            return
        found = self.reader.kustomization_in(target)
        if found is None:
            what = (
                "a path that does not exist"
                if not self.reader.view.exists(target)
                else "a directory without a kustomization"
            )
            ra.unresolved.append(
                Unresolved(span, f'resource "{name}" is {what}; the objects it adds are unknown')
            )
            return
        child_cfg = self.config(found)
        if child_cfg is not None and child_cfg.is_component:
            self.fail(
                span, f'resource "{name}" is a Component; kustomize includes components under "components"'
            )
            return
        child = self._child(found, entry)
        if child is not None:
            ra.absorb(child, span)

    def _component(self, cfg: Config, entry: Value, ra: Build) -> None:
        local = self._local(cfg, entry, ra, "component", "adds or changes")
        if local is None:
            return
        name, span, target = local
        found = self.reader.kustomization_in(target)
        comp = self.config(found) if found is not None else None
        if comp is None:
            ra.unresolved.append(
                Unresolved(
                    span, f'component "{name}" has no kustomization file; what it adds or changes is unknown'
                )
            )
            return
        if not comp.is_component:
            self.fail(span, f'component "{name}" is not of kind Component')
            return
        if found in self._building:
            self.fail(span, f'component "{name}" includes itself')
            return
        before = len(ra.objects)
        self._building.append(comp.path)
        try:
            self._accumulate(comp, ra, checked=True)
        finally:
            self._building.pop()
        ra.objects[before:] = [replace(o, entry=span) for o in ra.objects[before:]]

    def _generators(self, cfg: Config, ra: Build) -> None:
        for key in ("configMapGenerator", "secretGenerator"):
            for item in cfg.items(key):
                name = text(get_path(item, "name")) or "?"
                ra.unresolved.append(
                    Unresolved(
                        self.where(cfg, item),
                        f'{key} "{name}" is not evaluated; the objects it generates are unknown',
                    )
                )
        for item in cfg.items("helmCharts", "helmChartInflationGenerator"):
            chart = text(get_path(item, "name")) or text(get_path(item, "chartName")) or "?"
            ra.unresolved.append(
                Unresolved(
                    self.where(cfg, item),
                    f'Helm chart "{chart}" is not rendered; the objects it installs are unknown',
                )
            )
            if isinstance(item, Known):
                ra.charts.append(ChartEntry(item, get_path(cfg.doc, "namespace")))
        for item in cfg.items("generators"):
            ra.unresolved.append(
                Unresolved(
                    self.where(cfg, item),
                    "a generator plugin is not run; the objects it generates are unknown",
                )
            )
