"""What the CLI commands do, separate from argument parsing so tests can call them directly."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from linter.options import Flags, Options, UsageError, build_options
from linter.reporters import FORMATS


@dataclass
class CheckArgs:
    """``aks-backup-lint check``: the paths, the settings flags, and where the report goes."""

    paths: list[Path]
    flags: Flags = field(default_factory=Flags)
    format: str = "text"
    outputs: list[str] = field(default_factory=list)
    write_baseline: Path | None = None
    color: bool = True
    quiet: bool = False


def _targets(args: CheckArgs) -> list[tuple[str, str | None]]:
    """(format, file or None for stdout) pairs from --format and --output."""
    if not args.outputs:
        return [(args.format, None)]
    out: list[tuple[str, str | None]] = []
    for item in args.outputs:
        fmt, sep, path = item.partition(":")
        if sep and fmt in FORMATS and path:
            out.append((fmt, path))
        else:
            out.append((args.format, item))
    return out


def run_check(args: CheckArgs) -> int:
    from linter.baseline import BaselineError
    from linter.baseline import load as load_baseline
    from linter.config import ConfigError
    from linter.engine import exit_code, run

    try:
        for fmt, _ in _targets(args):
            if fmt not in FORMATS:
                raise UsageError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
        options = build_options(args.flags, args.paths[0] if args.paths else Path("."))
        if options.baseline is not None:
            load_baseline(options.baseline)  # a bad baseline is a usage error, not a crash
        missing = [p for p in args.paths if not p.exists()]
        if missing:
            raise UsageError(f"no such file or directory: {', '.join(str(p) for p in missing)}")
    except (UsageError, ConfigError, BaselineError) as e:  # config errors carry file and line
        print(f"aks-backup-lint: error: {e}", file=sys.stderr)
        return 2

    from linter import progress

    progress.enable_if_tty(args.quiet)
    try:
        report = run(args.paths, options)
    finally:
        progress.finish()
    from linter.clock import seconds_since_start

    report.duration = seconds_since_start()  # the summary counts the whole command, imports included
    if args.write_baseline is not None:
        from linter import baseline as baseline_mod

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


def _is_summary(line: str) -> bool:
    return " scanned" in line and " in " in line and not line.startswith((" ", "\t")) and ": " not in line


def graph_command(paths: list[Path], fmt: str, flags: Flags, output: Path | None) -> int:
    """``aks-backup-lint graph``: the backup chain of every cluster, with the same options as ``check``."""
    from linter import diagram
    from linter.config import ConfigError

    try:
        if fmt not in diagram.FORMATS:
            raise UsageError(f"unknown graph format {fmt!r}; choose from {', '.join(diagram.FORMATS)}")
        options = build_options(flags, paths[0] if paths else Path("."))
    except (UsageError, ConfigError) as e:
        print(f"aks-backup-lint: error: {e}", file=sys.stderr)
        return 2
    text_out = graph_text(paths, fmt, options)
    if output is not None:
        output.write_text(text_out, encoding="utf-8")
    else:
        sys.stdout.write(text_out)
    return 0


def graph_text(paths: list[Path], fmt: str = "mermaid", options: Options | None = None) -> str:
    """The backup chains of ``paths`` (Mermaid or DOT), from the same load and check as ``check``."""
    from linter import diagram
    from linter.engine import check, load
    from policies import load_builtin_rules

    options = options or Options()
    registry = load_builtin_rules()
    loaded = load(paths, options)
    report = check(loaded, options, registry, paths)
    edge_rules = {r.spec.chain_edge: r.spec.id for r in registry if r.spec.chain_edge}
    return diagram.render(diagram.chains(loaded.graph, list(report.findings), edge_rules), fmt)


def show_config(path: Path, flags: Flags, fmt: str) -> int:
    """``aks-backup-lint config``: the effective settings, built exactly as ``check`` builds them."""
    from linter.config import ConfigError

    try:
        if fmt not in ("yaml", "json"):
            raise UsageError(f"--format must be yaml or json, not {fmt!r}")
        data = build_options(flags, path).as_settings()
    except (UsageError, ConfigError) as e:
        print(f"aks-backup-lint: error: {e}", file=sys.stderr)
        return 2
    if fmt == "json":
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return 0
    import yaml

    header = f"# effective settings ({data['config-file'] or 'no config file found; defaults'})\n"
    body = {k: v for k, v in data.items() if k != "config-file"}
    sys.stdout.write(header + yaml.safe_dump(body, sort_keys=False, default_flow_style=False))
    return 0
