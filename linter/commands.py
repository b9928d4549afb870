"""What the CLI commands do, separate from argument parsing so tests can call them directly."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEVERITIES = ("error", "warning", "note", "never")


class UsageError(Exception):
    """Bad command-line or configuration input: exit code 2 with the message."""


@dataclass
class CheckArgs:
    paths: list[Path]
    format: str = "text"
    outputs: list[str] = field(default_factory=list)
    fail_on: str | None = None
    unknown: str | None = None
    var_files: list[Path] = field(default_factory=list)
    param_files: list[str] = field(default_factory=list)
    matrix: str | None = None
    resource_group_location: str | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    config: Path | None = None
    baseline: Path | None = None
    write_baseline: Path | None = None
    report_unused_suppressions: bool = False
    category: str | None = None
    color: bool = True
    quiet: bool = False
    no_cache: bool = False
    max_file_size: str | None = None  # bytes, or with a K/M/G suffix


def _config_settings(args: CheckArgs) -> dict[str, Any]:
    """Settings from ``.aks-backup-lint.yaml`` / ``pyproject.toml`` (``linter.config``), if any."""
    import importlib

    try:
        config_mod = importlib.import_module("linter.config")
    except ModuleNotFoundError:
        return {}
    finder = getattr(config_mod, "find_and_load", None)
    if finder is None:
        return {}
    settings = finder(args.paths[0] if args.paths else Path("."), args.config)
    return dict(settings or {})


def build_options(args: CheckArgs) -> Any:
    """CLI flags over config-file settings over defaults."""
    from linter import matrix as matrix_mod
    from linter.engine import Options
    from linter.registry_check import validate_rule_keys

    settings = _config_settings(args)
    fail_on = args.fail_on or settings.get("fail-on") or "error"
    if fail_on not in SEVERITIES:
        raise UsageError(f"--fail-on must be one of {', '.join(SEVERITIES)}, not {fail_on!r}")
    unknown = args.unknown or settings.get("unknown") or "ignore"
    if unknown not in ("ignore", "note"):
        raise UsageError(f"--unknown must be ignore or note, not {unknown!r}")
    revision = args.matrix or settings.get("matrix") or matrix_mod.DEFAULT_REVISION
    if revision not in matrix_mod.revisions():
        raise UsageError(f"unknown matrix revision {revision!r}; known: {', '.join(matrix_mod.revisions())}")
    param_files: dict[Path, Path] = {}
    for item in args.param_files:
        template, sep, params = item.partition("=")
        if not sep or not template or not params:
            raise UsageError(f"--param-file takes TEMPLATE=PARAMS, got {item!r}")
        param_files[Path(template).resolve()] = Path(params).resolve()
    for vf in args.var_files:
        if not vf.is_file():
            raise UsageError(f"--var-file {vf}: no such file")
    deployment = dict(settings.get("deployment") or {})
    if args.resource_group_location:
        deployment["resourceGroup.location"] = args.resource_group_location
    select = args.select or list(settings.get("select") or [])
    ignore = list(args.ignore) + list(settings.get("ignore") or [])
    validate_rule_keys(select + ignore)
    extra: dict[str, Any] = {
        "report_unused_suppressions": args.report_unused_suppressions,
        "baseline": args.baseline,
        "per_path_ignores": settings.get("per-path-ignores") or {},
        "settings": settings,
        "no_cache": args.no_cache,
    }
    return Options(
        fail_on=fail_on,
        unknown=unknown,
        var_files=[v.resolve() for v in args.var_files],
        param_files=param_files,
        matrix=revision,
        deployment=deployment,
        select=select,
        ignore=ignore,
        severity=dict(settings.get("severity") or {}),
        exclude=list(settings.get("exclude") or []),
        cluster_mapping=dict(settings.get("cluster-mapping") or {}),
        category=args.category or settings.get("category") or "aks-backup-lint",
        max_file_bytes=parse_size(args.max_file_size) if args.max_file_size else 10 * 1024 * 1024,
        extra=extra,
    )


def _targets(args: CheckArgs) -> list[tuple[str, str | None]]:
    """(format, file or None for stdout) pairs from --format and --output."""
    if not args.outputs:
        return [(args.format, None)]
    out: list[tuple[str, str | None]] = []
    for item in args.outputs:
        fmt, sep, path = item.partition(":")
        if sep and fmt in _formats() and path:
            out.append((fmt, path))
        else:
            out.append((args.format, item))
    return out


def _formats() -> tuple[str, ...]:
    from linter.cli import FORMATS

    return FORMATS


def run_check(args: CheckArgs) -> int:
    from linter.engine import exit_code, run

    try:
        for fmt, _ in _targets(args):
            if fmt not in _formats():
                raise UsageError(f"unknown format {fmt!r}; choose from {', '.join(_formats())}")
        options = build_options(args)
        if args.baseline is not None:
            from linter.baseline import load as load_baseline

            load_baseline(args.baseline)  # a bad baseline is a usage error (BaselineError), not a crash
        missing = [p for p in args.paths if not p.exists()]
        if missing:
            raise UsageError(f"no such file or directory: {', '.join(str(p) for p in missing)}")
    except UsageError as e:
        print(f"aks-backup-lint: error: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # config errors carry file and line in their message
        if type(e).__name__ in ("ConfigError", "RuleKeyError", "BaselineError"):
            print(f"aks-backup-lint: error: {e}", file=sys.stderr)
            return 2
        raise

    from linter import progress

    progress.enable_if_tty(args.quiet)
    try:
        report = run(args.paths, options)
    finally:
        progress.finish()
    if args.write_baseline is not None:
        from linter import baseline as baseline_mod  # provided by the integrations work

        baseline_mod.write(args.write_baseline, report)
        print(f"wrote baseline with {len(report.active)} findings to {args.write_baseline}", file=sys.stderr)
        return 0
    from linter.reporters import render

    for fmt, path in _targets(args):
        color = (
            args.color
            and path is None
            and fmt == "text"
            and sys.stdout.isatty()
            and not os.environ.get("NO_COLOR")
        )
        text = render(fmt, report, color=color)
        if args.quiet and fmt == "text":
            text = "".join(line for line in text.splitlines(keepends=True) if not _is_summary(line))
        if path is None:
            sys.stdout.write(text)
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(text, encoding="utf-8")
    for note in report.notifications:
        if not args.quiet or note.level == "error":
            print(f"aks-backup-lint: {note.level}: {note.message}", file=sys.stderr)
    return exit_code(report, options.fail_on)


def list_rules(fmt: str) -> int:
    from policies import load_builtin_rules

    registry = load_builtin_rules()
    rows = [
        {
            "id": r.spec.id,
            "slug": r.spec.slug,
            "severity": r.spec.severity.value,
            "status": r.spec.status,
            "languages": list(r.spec.languages),
            "summary": r.spec.summary,
        }
        for r in registry
    ]
    if fmt == "json":
        print(json.dumps(rows, indent=2))
        return 0
    if fmt != "text":
        print(f"aks-backup-lint: error: --format must be text or json, not {fmt!r}", file=sys.stderr)
        return 2
    widths = [max(len(row[k]) for row in rows) for k in ("id", "slug", "severity", "status")]
    header = ("ID", "SLUG", "SEVERITY", "STATUS")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + "  LANGUAGES")
    for row in rows:
        cells = [row["id"], row["slug"], row["severity"], row["status"]]
        print(
            "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))
            + "  "
            + ", ".join(row["languages"])
        )
    return 0


def explain_rule(key: str, fmt: str) -> int:
    from policies import load_builtin_rules

    registry = load_builtin_rules()
    found = registry.get(key)
    if found is None:
        print(
            f"aks-backup-lint: error: no rule {key!r}; run 'aks-backup-lint rules' for the list",
            file=sys.stderr,
        )
        return 2
    if fmt not in ("text", "markdown", "json"):
        print(
            f"aks-backup-lint: error: --format must be text, markdown or json, not {fmt!r}", file=sys.stderr
        )
        return 2
    from linter.explain import render

    sys.stdout.write(render(found.spec, fmt))
    return 0


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


def _is_summary(line: str) -> bool:
    return " scanned" in line and " in " in line and not line.startswith((" ", "\t")) and ": " not in line
