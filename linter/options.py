"""The settings of one run, typed and built once: command-line flags over the config file over defaults.

``check``, ``graph`` and ``config --show`` all call ``build_options``, so a setting means the
same thing everywhere (a config file's ``ignore: [AKSB101]`` silences ``check`` and the labels
``graph`` draws alike). Bad values are ``UsageError`` (exit 2) naming the flag or the config
file line; nothing here guesses.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from linter import matrix as matrix_mod
from linter.model import normalize_region

FAIL_ON = ("error", "warning", "note", "never")
CLUSTER_SCOPES = ("protected", "all")
UNKNOWN_MODES = ("ignore", "note")
DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024  # a 16 MB .tf parses in seconds, under 500 MB
#: Terraform parsers (``linter.terraform.hcl.PARSERS``; not imported here: it would load the front end)
HCL_PARSERS = ("tree-sitter", "python-hcl2")


class UsageError(Exception):
    """Bad command-line or configuration input: exit code 2 with the message."""


@dataclass
class Options:
    """Everything the engine needs to know about a run besides the paths."""

    fail_on: str = "error"  # error | warning | note | never
    unknown: str = "ignore"  # ignore | note (AKSB902)
    var_files: list[Path] = field(default_factory=list)  # Terraform --var-file, in order
    variables: list[str] = field(default_factory=list)  # Terraform --var NAME=VALUE, in order (after files)
    plan: Path | None = None  # Terraform --plan: `terraform show -json` of a plan of the scanned code
    param_files: dict[Path, Path] = field(default_factory=dict)  # ARM template -> parameter file
    matrix: str = matrix_mod.DEFAULT_REVISION
    deployment: dict[str, str] = field(default_factory=dict)  # resourceGroup.location, subscriptionId...
    select: list[str] = field(default_factory=list)  # ids, id prefixes or slugs; empty = all
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)  # rule id -> severity override
    exclude: list[str] = field(default_factory=list)  # path globs never scanned nor read
    cluster_mapping: dict[str, str] = field(default_factory=dict)  # directory -> cluster
    #: "protected": cluster rules report unprotected clusters as notes; "all": at full severity
    clusters: str = "protected"
    category: str = "aks-backup-lint"  # SARIF automationDetails
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule id -> options
    baseline: Path | None = None
    report_unused_suppressions: bool = False
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)  # glob -> rule keys
    config_file: Path | None = None  # the config file these settings came from
    use_cache: bool = True
    hcl_parser: str = HCL_PARSERS[0]  # Terraform parser; python-hcl2 is the reference and the fallback

    @property
    def config_dir(self) -> Path | None:
        """Where config-relative paths (per-path ignores, excludes) are anchored."""
        return self.config_file.parent if self.config_file else None

    def as_settings(self) -> dict[str, Any]:
        """The effective settings under their config-file names (``config --show``)."""
        return {
            "config-file": str(self.config_file) if self.config_file else None,
            "select": list(self.select),
            "ignore": list(self.ignore),
            "severity": dict(self.severity),
            "exclude": list(self.exclude),
            "per-path-ignores": {k: list(v) for k, v in self.per_path_ignores.items()},
            "fail-on": self.fail_on,
            "unknown": self.unknown,
            "matrix": self.matrix,
            "deployment": dict(self.deployment),
            "cluster-mapping": dict(self.cluster_mapping),
            "clusters": self.clusters,
            "rule-options": {k: dict(v) for k, v in self.rule_options.items()},
            "category": self.category,
            "hcl-parser": self.hcl_parser,
        }


@dataclass
class Flags:
    """What the command line says about settings; ``None`` or empty = not given."""

    config: Path | None = None
    fail_on: str | None = None
    unknown: str | None = None
    var_files: list[Path] = field(default_factory=list)
    variables: list[str] = field(default_factory=list)  # NAME=VALUE
    plan: Path | None = None
    param_files: list[str] = field(default_factory=list)  # TEMPLATE=PARAMS
    matrix: str | None = None
    resource_group_location: str | None = None
    clusters: str | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    baseline: Path | None = None
    report_unused_suppressions: bool = False
    category: str | None = None
    no_cache: bool = False
    max_file_size: str | None = None  # bytes, or with a K/M/G suffix
    hcl_parser: str | None = None


def build_options(flags: Flags, start: Path) -> Options:
    """Flags over the config file found from ``start`` (or ``flags.config``) over defaults.

    Raises ``UsageError`` for bad flag values and ``linter.config.ConfigError`` for a bad file.
    """
    from linter.config import find_and_load
    from policies import load_builtin_rules

    registry = load_builtin_rules()
    if flags.config is not None:
        existing_file(flags.config, "--config")
    if flags.baseline is not None:
        existing_file(flags.baseline, "--baseline")
    settings = find_and_load(start, flags.config, registry)
    fail_on = flags.fail_on or settings.get("fail-on") or "error"
    if fail_on not in FAIL_ON:
        raise UsageError(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    unknown = flags.unknown or settings.get("unknown") or "ignore"
    if unknown not in UNKNOWN_MODES:
        raise UsageError(f"--unknown must be one of {', '.join(UNKNOWN_MODES)}, not {unknown!r}")
    revision = flags.matrix or settings.get("matrix") or matrix_mod.DEFAULT_REVISION
    if revision not in matrix_mod.revisions():
        raise UsageError(f"unknown matrix revision {revision!r}; known: {', '.join(matrix_mod.revisions())}")
    clusters = flags.clusters or settings.get("clusters") or "protected"
    if clusters not in CLUSTER_SCOPES:
        raise UsageError(f"--clusters must be one of {', '.join(CLUSTER_SCOPES)}, not {clusters!r}")
    param_files: dict[Path, Path] = {}
    for item in flags.param_files:
        template, sep, params = item.partition("=")
        if not sep or not template or not params:
            raise UsageError(f"--param-file takes TEMPLATE=PARAMS, got {item!r}")
        existing_file(Path(template), "--param-file", f"template {template}")
        existing_file(Path(params), "--param-file", f"parameter file {params}")
        param_files[Path(template).resolve()] = Path(params).resolve()
    for vf in flags.var_files:
        existing_file(vf, "--var-file")
    for assignment in flags.variables:
        name, sep, _ = assignment.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name.strip()):
            raise UsageError(f"--var takes NAME=VALUE with a Terraform variable name, got {assignment!r}")
    if flags.plan is not None:
        existing_file(flags.plan, "--plan")
    deployment = dict(settings.get("deployment") or {})
    if flags.resource_group_location:
        deployment["resourceGroup.location"] = region(
            flags.resource_group_location, "--resource-group-location"
        )
    elif "resourceGroup.location" in deployment:
        where = f"{settings.get('config-file')}: deployment.resourceGroup.location"
        deployment["resourceGroup.location"] = region(str(deployment["resourceGroup.location"]), where)
    select = _split(flags.select) or list(settings.get("select") or [])
    ignore = _split(flags.ignore) + list(settings.get("ignore") or [])
    unknown_keys = registry.unknown_keys(select + ignore)
    if unknown_keys:
        raise UsageError(
            f"unknown rule {unknown_keys[0]!r} in --select/--ignore; run 'aks-backup-lint rules' for the list"
        )
    hcl_parser = flags.hcl_parser or settings.get("hcl-parser") or HCL_PARSERS[0]
    if hcl_parser not in HCL_PARSERS:
        raise UsageError(f"--hcl-parser must be one of {', '.join(HCL_PARSERS)}, not {hcl_parser!r}")
    config_file = Path(settings["config-file"]) if settings.get("config-file") else None
    return Options(
        fail_on=fail_on,
        unknown=unknown,
        var_files=[v.resolve() for v in flags.var_files],
        variables=list(flags.variables),
        plan=flags.plan.resolve() if flags.plan is not None else None,
        param_files=param_files,
        matrix=revision,
        deployment=deployment,
        select=select,
        ignore=ignore,
        severity=dict(settings.get("severity") or {}),
        exclude=list(flags.exclude) + list(settings.get("exclude") or []),
        cluster_mapping=dict(settings.get("cluster-mapping") or {}),
        clusters=clusters,
        rule_options={k: dict(v) for k, v in (settings.get("rule-options") or {}).items()},
        category=flags.category or settings.get("category") or "aks-backup-lint",
        max_file_bytes=parse_size(flags.max_file_size) if flags.max_file_size else DEFAULT_MAX_FILE_BYTES,
        baseline=flags.baseline,
        report_unused_suppressions=flags.report_unused_suppressions,
        per_path_ignores={k: list(v) for k, v in (settings.get("per-path-ignores") or {}).items()},
        config_file=config_file,
        use_cache=not flags.no_cache,
        hcl_parser=hcl_parser,
    )


def existing_file(path: Path, option: str, what: str = "") -> None:
    """``path`` is a regular file (a FIFO or a device would block or mislead the run)."""
    label = f"{option} {what or path}"
    if not path.exists():
        raise UsageError(f"{label}: no such file")
    if not path.is_file():
        raise UsageError(f"{label}: not a regular file ({describe(path)})")


def check_paths(paths: Iterable[Path]) -> None:
    """The paths to scan exist and are files or directories: anything else is a usage error."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    for p in paths:
        if not (p.is_file() or p.is_dir()):
            raise UsageError(f"{p}: not a file or directory ({describe(p)}); nothing to scan")
        if not os.access(p, os.R_OK):
            raise UsageError(f"{p}: permission denied")


def describe(path: Path) -> str:
    """What kind of thing ``path`` is, for messages: a directory, a FIFO, a character device, ..."""
    mode = path.stat().st_mode
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "a special file"


def region(name: str, source: str) -> str:
    """A region name as the matrix spells it (``West Europe`` -> ``westeurope``), if Azure has it."""
    normalized = normalize_region(name)
    if normalized not in known_regions():
        raise UsageError(
            f'{source}: unknown Azure region {name!r}; use a name such as westeurope or "West Europe"'
        )
    return normalized


@cache
def known_regions() -> frozenset[str]:
    """Every region any support-matrix revision names (listed, excluded, paired or unpaired)."""
    out: set[str] = set()
    for revision in matrix_mod.revisions():
        data = matrix_mod.load(revision).data
        regions = data["regions"]
        for key in ("vault_and_operational", "operational_only", "vault_excluded"):
            out.update(regions.get(key, []))
        out.update(data["paired_regions"])
        out.update(data["paired_regions"].values())
        out.update(data["unpaired_regions"])
        out.update(data["pair_unknown_regions"])
    return frozenset(out)


def _split(keys: list[str]) -> list[str]:
    """``--select AKSB1,AKSB301 --select AKSB4`` -> each key once, in order (ruff's convention)."""
    out: list[str] = []
    for item in keys:
        out += [k.strip() for k in item.split(",") if k.strip() and k.strip() not in out]
    return out


def parse_size(text: str) -> int:
    """``1048576``, ``512K``, ``10M``, ``1G`` (binary units) to bytes; a usage error otherwise."""
    raw = text.strip().upper().removesuffix("B").removesuffix("I")
    units = {"K": 1024, "M": 1024**2, "G": 1024**3}
    factor = units.get(raw[-1:], 1) if raw else 1
    number = raw[:-1] if raw[-1:] in units else raw
    try:
        value = int(float(number) * factor)
    except (ValueError, OverflowError):
        raise UsageError(f"--max-file-size takes a size such as 1048576, 512K or 10M, not {text!r}") from None
    if value <= 0:
        raise UsageError(f"--max-file-size must be positive, not {text!r}")
    return value
