"""Registry module references (``br:``, ``br/alias:``, ``ts:``, ``ts/alias:``) into files of the
local Bicep module cache, the way the Bicep CLI finds what ``bicep restore`` wrote.

Facts from Azure/bicep (``src/Bicep.Core``), not guesses:

* The cache root is ``cacheRootDirectory`` of the nearest ``bicepconfig.json`` (an absolute path,
  or one starting with ``~``), else ``$HOME/.bicep`` (``FeatureProvider.GetCacheRootDirectory``;
  .NET reads the user profile from ``HOME`` on Linux and macOS). The CLI has no environment
  variable of its own for it.
* An OCI module is in ``br/<registry>/<repository>/<tag>/main.json`` with the registry
  lower-cased and ``:`` written ``$``, the repository's ``/`` written ``$``, and the tag followed
  by ``$`` and a hex mask of its upper-case letters (``OciArtifactRegistry.GetArtifactDirectory``,
  ``TagEncoder``); a digest reference uses ``sha256#<hex>`` in place of the tag.
* ``br/<alias>:path:tag`` prefixes the alias's ``registry/modulePath``
  (``OciArtifactReference.TryParseComponents``); ``public`` is ``mcr.microsoft.com/bicep`` in the
  built-in configuration, and ``moduleAliases`` of ``bicepconfig.json`` adds or overrides aliases.
* A template spec is in ``ts/<subscription>/<resource group>/<name>/<version>/main.json``, all
  lower-case (``TemplateSpecModuleArtifact``); that file is the template spec version resource,
  whose ``properties.mainTemplate`` is the template.

Nothing is downloaded: a reference whose file is not in the cache stays an unresolved module.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linter.arm.jsonpos import JsonError, loads
from linter.stackcache import FileView, Inputs

CONFIG_FILE = "bicepconfig.json"
BUILTIN_ALIASES: dict[str, dict[str, dict[str, str]]] = {
    "br": {"public": {"registry": "mcr.microsoft.com", "modulePath": "bicep"}},
    "ts": {},
}
_TEMPLATE_SPEC = re.compile(r"^(?P<sub>[^/]+)/(?P<rg>[^/]+)/(?P<name>[^/:]+):(?P<version>[^/:]+)$")


@dataclass
class BicepConfig:
    """What the linter needs of the ``bicepconfig.json`` that applies to a file."""

    cache_root: Path
    aliases: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    source: Path | None = None  # the bicepconfig.json, when there is one
    problem: str = ""  # why that file could not be read


@dataclass(frozen=True)
class CacheEntry:
    """Where a registry reference lives in the module cache."""

    reference: str
    path: Path  # main.json
    template_spec: bool  # main.json is a template spec resource (properties.mainTemplate)


def default_cache_root() -> Path:
    """``$HOME/.bicep``, as the Bicep CLI computes it."""
    home = os.environ.get("HOME") or str(Path.home())
    return Path(home) / ".bicep"


def expand_cache_root(value: str) -> Path | None:
    """``cacheRootDirectory`` as the CLI reads it: ``~`` expanded, otherwise absolute only."""
    if value.startswith("~"):
        home = os.environ.get("HOME") or str(Path.home())
        rest = value[1:].lstrip("/\\")
        return Path(home) / rest if rest else Path(home)
    path = Path(value)
    return path if path.is_absolute() else None


class ConfigFinder:
    """The ``bicepconfig.json`` for each directory, read once per run through ``view`` (which
    records what was read for the stack cache, ``linter.stackcache``)."""

    def __init__(self, view: FileView | None = None) -> None:
        self.view = view or FileView(sys.maxsize, None, record=False)
        self._by_dir: dict[Path, tuple[BicepConfig, Inputs]] = {}
        self._files: dict[Path, tuple[tuple[dict[str, Any], str], Inputs]] = {}

    def for_file(self, path: Path) -> BicepConfig:
        directory = path.resolve().parent
        return self.view.memo(self._by_dir, directory, lambda: self._build(self._nearest(directory)))

    def _nearest(self, directory: Path) -> Path | None:
        for candidate in (directory, *directory.parents):
            config = candidate / CONFIG_FILE
            if self.view.is_file(config):
                return config
        return None

    def _read(self, path: Path) -> tuple[dict[str, Any], str]:
        return self.view.memo(self._files, path, lambda: self._parse(path))

    def _parse(self, path: Path) -> tuple[dict[str, Any], str]:
        raw = self.view.read(path, whole=True)
        if raw.error is not None:
            return {}, raw.error
        try:
            text = raw.buffer if raw.buffer is not None else (raw.data or b"").decode("utf-8-sig")
            doc = loads(text, str(path))
        except (UnicodeDecodeError, JsonError) as e:
            return {}, str(e)
        return (doc, "") if isinstance(doc, dict) else ({}, "not a JSON object")

    def _build(self, config_path: Path | None) -> BicepConfig:
        aliases = {scheme: dict(entries) for scheme, entries in BUILTIN_ALIASES.items()}
        if config_path is None:
            return BicepConfig(default_cache_root(), aliases)
        layers: list[dict[str, Any]] = []
        problem = ""
        current: Path | None = config_path
        seen: set[Path] = set()
        while current is not None and current not in seen:  # 'extends' chains, leaf last
            seen.add(current)
            doc, problem_here = self._read(current)
            problem = problem or problem_here
            layers.insert(0, doc)
            base = doc.get("extends")
            current = (current.parent / base).resolve() if isinstance(base, str) and base.strip() else None
        cache_root = default_cache_root()
        for doc in layers:
            configured = doc.get("moduleAliases")
            if isinstance(configured, dict):
                for scheme in ("br", "ts"):
                    entries = configured.get(scheme)
                    if isinstance(entries, dict):
                        for alias, value in entries.items():
                            if isinstance(value, dict):
                                aliases[scheme][str(alias)] = {str(k): str(v) for k, v in value.items()}
            root = doc.get("cacheRootDirectory")
            if isinstance(root, str) and root.strip():
                expanded = expand_cache_root(root.strip())
                if expanded is None:
                    problem = (
                        problem
                        or f"cacheRootDirectory {root!r} is not an absolute path (the Bicep CLI rejects it)"
                    )
                else:
                    cache_root = expanded
        return BicepConfig(cache_root, aliases, config_path, problem)


def encode_tag(tag: str) -> str:
    """``TagEncoder.Encode``: the tag, ``$``, and a hex mask of its upper-case characters."""
    mask = 0
    for i, ch in enumerate(tag):
        if ch.isupper():
            mask |= 1 << i
    if not mask:
        return f"{tag}$"
    high, low = mask >> 64, mask & ((1 << 64) - 1)  # two 64-bit words (tags are up to 128 chars)
    return f"{tag}${high:x}{low:016x}" if high else f"{tag}${low:x}"


def resolve(reference: str, config: BicepConfig) -> CacheEntry | str:
    """The cache entry of a registry reference, or why the reference cannot name one."""
    scheme, _, rest = reference.partition(":")
    kind, _, alias = scheme.partition("/")
    if kind == "br":
        if alias:
            entry = config.aliases.get("br", {}).get(alias)
            if entry is None or not entry.get("registry"):
                return f"module alias 'br/{alias}' is not defined in bicepconfig.json"
            prefix = entry["registry"] + (
                "/" + entry["modulePath"].strip("/") if entry.get("modulePath") else ""
            )
            rest = f"{prefix}/{rest}"
        return _oci(reference, rest, config)
    if kind == "ts":
        if alias:
            entry = config.aliases.get("ts", {}).get(alias)
            if entry is None or not entry.get("subscription") or not entry.get("resourceGroup"):
                return f"template spec alias 'ts/{alias}' is not defined in bicepconfig.json"
            rest = f"{entry['subscription']}/{entry['resourceGroup']}/{rest}"
        m = _TEMPLATE_SPEC.match(rest)
        if m is None:
            return (
                f"'{reference}' is not a template spec reference (ts:subscription/resourceGroup/name:version)"
            )
        directory = "/".join(("ts", m["sub"], m["rg"], m["name"], m["version"])).lower()
        return CacheEntry(reference, config.cache_root / directory / "main.json", True)
    return f"'{reference}' is not a registry reference"


def _oci(reference: str, unqualified: str, config: BicepConfig) -> CacheEntry | str:
    registry, slash, path = unqualified.partition("/")
    if not slash or not path:
        return f"'{reference}' names no repository"
    *directories, last = path.split("/")
    at = min((i for i in (last.find(":"), last.find("@")) if i >= 0), default=-1)
    if at < 0:
        return f"'{reference}' has no tag (':1.0.0') or digest ('@sha256:...')"
    name, delimiter, tag_or_digest = last[:at], last[at], last[at + 1 :]
    if not name or not tag_or_digest:
        return f"'{reference}' has no tag or digest"
    repository = "$".join([*directories, name])
    version = encode_tag(tag_or_digest) if delimiter == ":" else tag_or_digest.replace(":", "#")
    directory = config.cache_root / "br" / registry.replace(":", "$").lower() / repository / version
    return CacheEntry(reference, directory / "main.json", False)


__all__ = [
    "BicepConfig",
    "CacheEntry",
    "ConfigFinder",
    "default_cache_root",
    "encode_tag",
    "resolve",
]
