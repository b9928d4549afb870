"""The configuration file: found upward from the scanned path, validated hard (convention 13).

``.aks-backup-lint.yaml`` (or ``.yml``), or ``[tool.aks-backup-lint]`` in ``pyproject.toml``,
validated against the shipped ``linter/schemas/config.schema.json`` (also published in
``docs/schemas/`` for editor completion). An unknown key, a wrong type or an unknown rule is a
``ConfigError`` naming the file, the line and what is wrong; the CLI exits 2. jsonschema and
PyYAML are imported only when a config file exists.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from linter import matrix as matrix_mod
from linter.rules import Registry, option_problem

CONFIG_NAMES = (".aks-backup-lint.yaml", ".aks-backup-lint.yml")
PYPROJECT_TABLE = "aks-backup-lint"


class ConfigError(ValueError):
    """An invalid configuration file; the message is ``FILE:LINE: what is wrong``."""

    def __init__(self, file: Path | str, line: int | None, problem: str) -> None:
        self.file, self.line, self.problem = str(file), line, problem
        where = f"{file}:{line}" if line else str(file)
        super().__init__(f"{where}: {problem}")


def schema() -> dict[str, Any]:
    return json.loads(resources.files("linter").joinpath("schemas/config.schema.json").read_text("utf-8"))


def find(start: Path) -> Path | None:
    """The nearest config file from ``start`` (a file or directory) up to the filesystem root."""
    current = Path(start).resolve()
    if not current.is_dir():
        current = current.parent
    for directory in (current, *current.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_table(pyproject):
            return pyproject
    return None


def _has_table(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return f"[tool.{PYPROJECT_TABLE}" in text or f'[tool."{PYPROJECT_TABLE}"' in text


def load(path: Path, registry: Registry) -> dict[str, Any]:
    """Read and validate one config file; returns its settings plus ``config-file``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(path, None, f"cannot read config: {e}") from e
    if path.name == "pyproject.toml":
        data, locate = _load_pyproject(path, text)
    else:
        data, locate = _load_yaml(path, text)
    _validate(path, data, locate, registry)
    settings = dict(data)
    settings["config-file"] = str(path.resolve())
    return settings


def _load_yaml(path: Path, text: str) -> tuple[dict[str, Any], Any]:
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        raise ConfigError(path, mark.line + 1 if mark else None, f"invalid YAML: {problem}") from e
    if data is None:
        return {}, lambda p: None
    if not isinstance(data, dict):
        raise ConfigError(path, 1, f"the config must be a mapping of settings, not a {type(data).__name__}")

    def locate(json_path: list[Any]) -> int | None:
        current, line = node, (node.start_mark.line + 1 if node is not None else None)
        for step in json_path:
            if isinstance(current, yaml.MappingNode):
                match = next((kv for kv in current.value if kv[0].value == step), None)
                if match is None:
                    break
                line = match[0].start_mark.line + 1
                current = match[1]
            elif (
                isinstance(current, yaml.SequenceNode) and isinstance(step, int) and step < len(current.value)
            ):
                current = current.value[step]
                line = current.start_mark.line + 1
            else:
                break
        return line

    return data, locate


def _load_pyproject(path: Path, text: str) -> tuple[dict[str, Any], Any]:
    import tomllib

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(path, getattr(e, "lineno", None), f"invalid TOML: {e}") from e
    data = doc.get("tool", {}).get(PYPROJECT_TABLE, {})
    if not isinstance(data, dict):
        raise ConfigError(path, None, f"[tool.{PYPROJECT_TABLE}] must be a table")
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.strip().startswith(f"[tool.{PYPROJECT_TABLE}")), 0)

    def locate(json_path: list[Any]) -> int | None:
        """tomllib keeps no positions: find the key text after the table header."""
        keys = [k for k in json_path if isinstance(k, str)]
        line = start + 1
        for key in keys:
            for i in range(line - 1, len(lines)):
                stripped = lines[i].strip()
                if stripped.startswith((key, f'"{key}"')) or f"[tool.{PYPROJECT_TABLE}.{key}]" in stripped:
                    line = i + 1
                    break
        return line

    return data, locate


def _validate(path: Path, data: dict[str, Any], locate: Any, registry: Registry) -> None:
    import jsonschema

    validator = jsonschema.Draft7Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if errors:
        e = errors[0]
        where = ".".join(str(p) for p in e.absolute_path) or "top level"
        message = e.message
        if e.validator == "additionalProperties":
            extra = (
                sorted(set(e.instance) - set(e.schema.get("properties", {})))
                if isinstance(e.instance, dict)
                else []
            )
            if extra:
                bad_path = [*e.absolute_path, extra[0]]
                known = ", ".join(sorted(e.schema.get("properties", {})))
                raise ConfigError(
                    path, locate(bad_path), f"unknown setting {extra[0]!r} in {where}; known: {known}"
                )
        raise ConfigError(path, locate(list(e.absolute_path)), f"{where}: {message}")
    _validate_semantics(path, data, locate, registry)


def _validate_semantics(path: Path, data: dict[str, Any], locate: Any, registry: Registry) -> None:
    """What a JSON schema cannot say: rule keys name real rules, the matrix revision exists."""

    def known(key: str) -> bool:
        return not registry.unknown_keys([key])

    checks: list[tuple[list[Any], str]] = []
    for name in ("select", "ignore"):
        checks += [([name, i], k) for i, k in enumerate(data.get(name) or [])]
    checks += [(["severity", k], k) for k in (data.get("severity") or {})]
    for glob, keys in (data.get("per-path-ignores") or {}).items():
        checks += [(["per-path-ignores", glob, i], k) for i, k in enumerate(keys)]
    for json_path, key in checks:
        if not known(key):
            raise ConfigError(
                path, locate(json_path), f"unknown rule {key!r}; run 'aks-backup-lint rules' for the list"
            )
    for key in data.get("severity") or {}:
        if registry.get(key) is None:
            raise ConfigError(
                path,
                locate(["severity", key]),
                f"severity overrides need a rule ID or slug, not the prefix {key!r}",
            )
    for key, settings in (data.get("rule-options") or {}).items():
        found = registry.get(key)
        if found is None:
            raise ConfigError(
                path, locate(["rule-options", key]), f"rule-options needs a rule ID or slug, not {key!r}"
            )
        for name, value in settings.items():
            problem = option_problem(found.spec, name, value)
            if problem:
                raise ConfigError(path, locate(["rule-options", key, name]), problem)
    revision = data.get("matrix")
    if revision is not None and revision not in matrix_mod.revisions():
        raise ConfigError(
            path,
            locate(["matrix"]),
            f"unknown matrix revision {revision!r}; known: {', '.join(matrix_mod.revisions())}",
        )


def normalize(settings: dict[str, Any], registry: Registry) -> dict[str, Any]:
    """Severity and rule-options keys become rule IDs (the engine looks them up by ID)."""
    out = dict(settings)
    for key in ("severity", "rule-options"):
        if settings.get(key):
            out[key] = {registry.get(k).spec.id: v for k, v in settings[key].items()}  # type: ignore[union-attr]
    return out


def find_and_load(start: Path, explicit: Path | None, registry: Registry) -> dict[str, Any]:
    """Settings for a scan of ``start``: ``explicit`` if given, else the nearest config, else {}."""
    if explicit is not None:
        if not Path(explicit).is_file():
            raise ConfigError(explicit, None, "no such config file")
        return normalize(load(Path(explicit), registry), registry)
    found = find(start)
    return normalize(load(found, registry), registry) if found else {}
