"""Kustomization files: where they are, what they are (a kustomization or a Component), what they list."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from linter.k8s.adapt import text
from linter.model import ABSENT, Known, Span, Value, get_path

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


KUSTOMIZE_API = "kustomize.config.k8s.io/"


COMPONENT = "Component"


_REMOTE = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://|git@|github\.com/|gitlab\.com/|bitbucket\.org/)", re.IGNORECASE
)


@dataclass(frozen=True)
class Config:
    """A kustomization file: its first document, where it is, and whether it is a Component."""

    path: Path
    doc: Known
    text: str  # the file's text, for inline patches' positions

    @property
    def directory(self) -> Path:
        return self.path.parent

    @property
    def span(self) -> Span:
        return self.doc.span or Span(str(self.path), 1)

    @property
    def is_component(self) -> bool:
        return text(get_path(self.doc, "kind")) == COMPONENT

    def field(self, name: str) -> Value:
        return get_path(self.doc, name)

    def items(self, *names: str) -> list[Value]:
        out: list[Value] = []
        for name in names:
            value = self.field(name)
            if isinstance(value, Known) and isinstance(value.value, list):
                out.extend(value.value)
        return out


def is_kustomize_config(doc: Value) -> bool:
    """A kustomization document: kustomize's own apiVersion, or none (Flux's ``Kustomization`` is an object)."""
    if not (isinstance(doc, Known) and isinstance(doc.value, dict)):
        return False
    api = get_path(doc, "apiVersion")
    return api is ABSENT or (text(api) or "").startswith(KUSTOMIZE_API)


def kustomization_in(directory: Path, is_file: Callable[[Path], bool]) -> Path | None:
    """The kustomization file of ``directory`` (``is_file`` asks the file system, recording it)."""
    for name in KUSTOMIZATION_NAMES:
        candidate = directory / name
        if is_file(candidate):
            return candidate.resolve()
    return None


def is_remote(entry: str) -> bool:
    return bool(_REMOTE.match(entry)) or "?ref=" in entry or entry.startswith("//")


def span_of(value: Value, fallback: Span) -> Span:
    return getattr(value, "span", None) or fallback
