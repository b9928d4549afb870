"""What the CLI commands do, separate from argument parsing so tests can call them directly."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from linter import outputs
from linter.options import Flags, Options, UsageError, build_options, check_paths
from linter.report import Notification, Report
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
    fix: bool = False  # --fix: apply the fixes in place, report what remains
    diff: bool = False  # --diff: print the fixes as a unified diff, write nothing


def run_check(args: CheckArgs) -> int:
    from linter.baseline import BaselineError
    from linter.baseline import load as load_baseline
    from linter.config import ConfigError
    from linter.engine import exit_code, run

    try:
        targets = outputs.parse_targets(args.outputs, args.format, FORMATS)
        if args.write_baseline is not None:
            outputs.check_writable(args.write_baseline, "--write-baseline")
        check_paths(args.paths)
        options = build_options(args.flags, args.paths[0] if args.paths else Path("."))
        if options.baseline is not None:
            load_baseline(options.baseline)  # a bad baseline is a usage error, not a crash
        if args.fix and args.diff:
            raise UsageError("--fix and --diff cannot be used together: --diff shows what --fix would write")
    except (UsageError, ConfigError, BaselineError) as e:  # config errors carry file and line
        return usage_error(e)

    from linter import progress

    progress.enable_if_tty(args.quiet)
    try:
        report = run(args.paths, options)
        if args.fix or args.diff:
            return_code = _fix(args, options, report)
            if isinstance(return_code, int):
                return return_code
            report = return_code
    finally:
        progress.finish()
    from linter.clock import seconds_since_start

    report.duration = seconds_since_start()  # the summary counts the whole command, imports included
    print_notifications(report.notifications, quiet=args.quiet)
    try:
        if args.write_baseline is not None:
            return write_baseline(report, args.write_baseline)
        for target in targets:
            outputs.write(target.path, render_target(report, target, args))
    except UsageError as e:
        return usage_error(e)
    return exit_code(report, options.fail_on)


def render_target(report: Report, target: outputs.Target, args: CheckArgs) -> str:
    from linter.reporters import render

    color = (
        args.color
        and target.path is None
        and target.format == "text"
        and sys.stdout.isatty()
        and not os.environ.get("NO_COLOR")
    )
    text = render(target.format, report, color=color)
    if args.quiet and target.format == "text":
        text = "".join(line for line in text.splitlines(keepends=True) if not _is_summary(line))
    return text


def write_baseline(report: Report, path: Path) -> int:
    """``--write-baseline``: record what a baseline can suppress; say exactly what was written."""
    from linter import baseline

    if report.tool_error:
        raise UsageError(f"--write-baseline {path}: not written, the run was incomplete (see above)")
    try:
        written = baseline.write(path, report)
    except OSError as e:
        raise UsageError(f"--write-baseline {path}: cannot write: {e.strerror or e}") from None
    recorded = {id(f) for f in baseline.recordable(report)}
    left_out = [f for f in report.active if id(f) not in recorded]
    note = ""
    if left_out:
        rules = ", ".join(sorted({f.rule_id for f in left_out}))
        note = f"; {_plural(len(left_out), 'finding')} of {rules} cannot be baselined (fix them instead)"
    print(f"wrote baseline with {_plural(written, 'finding')} to {path}{note}", file=sys.stderr)
    return 0


def usage_error(e: Exception) -> int:
    print(f"aks-backup-lint: error: {e}", file=sys.stderr)
    return 2


def print_notifications(notifications: list[Notification], *, quiet: bool) -> None:
    """Tool messages go to stderr (never into a report a problem matcher reads)."""
    for note in notifications:
        if not quiet or note.level == "error":
            print(f"aks-backup-lint: {note.level}: {note.message}", file=sys.stderr)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _fix(args: CheckArgs, options: Options, report: Report) -> Report | int:
    """``--fix``: write the fixed files and go on to report what remains; ``--diff``: print the
    diff and stop (exit 1 when there is something to fix, else the remaining findings' code)."""
    from linter.autofix import fix_and_recheck
    from linter.engine import exit_code
    from policies import load_builtin_rules

    outcome = fix_and_recheck(args.paths, options, load_builtin_rules(), report)
    files = len(outcome.fixed)
    if args.diff:
        sys.stdout.write(outcome.diff(outcome.report))
        remaining = len(outcome.report.active)
        print(
            f"aks-backup-lint: {outcome.applied} fix(es) in {files} file(s) would leave {remaining} finding(s)",
            file=sys.stderr,
        )
        return 1 if outcome.fixed else exit_code(outcome.report, options.fail_on)
    outcome.write()
    if not args.quiet or outcome.applied:
        print(f"aks-backup-lint: fixed {outcome.applied} finding(s) in {files} file(s)", file=sys.stderr)
    return outcome.report


def list_rules(fmt: str) -> int:
    from policies import load_builtin_rules

    registry = load_builtin_rules()
    rows = [
        {
            "id": r.spec.id,
            "slug": r.spec.slug,
            "severity": r.spec.severity.value,
            "severities": [s.value for s in r.spec.severities],
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
    for row in rows:  # the default first, then the other levels the rule may report
        others = [s for s in row["severities"] if s != row["severity"]]
        row["levels"] = "/".join([row["severity"], *others])
    widths = [max(len(row[k]) for row in rows) for k in ("id", "slug", "levels", "status")]
    header = ("ID", "SLUG", "SEVERITY", "STATUS")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + "  LANGUAGES")
    for row in rows:
        cells = [row["id"], row["slug"], row["levels"], row["status"]]
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
    """``aks-backup-lint graph``: the backup chain of every cluster, with the same options as ``check``.

    Same input rules and exit codes as ``check``: bad input is exit 2 before anything is read;
    a file that cannot be parsed (AKSB000) is reported on stderr and the exit code is 1, since
    the drawing lacks what the file declares; an unreadable directory is exit 2.
    """
    from linter import diagram
    from linter.config import ConfigError

    try:
        if fmt not in diagram.FORMATS:
            raise UsageError(f"unknown graph format {fmt!r}; choose from {', '.join(diagram.FORMATS)}")
        target = None if output is None or str(output) == outputs.STDOUT else output
        if target is not None:
            outputs.check_writable(target, "--output")
        check_paths(paths)
        options = build_options(flags, paths[0] if paths else Path("."))
    except (UsageError, ConfigError) as e:
        return usage_error(e)
    text_out, report = graph_report(paths, fmt, options)
    print_notifications(report.notifications, quiet=False)
    unparsed = [f for f in report.findings if f.rule_id == "AKSB000"]
    for f in unparsed:
        where = f"{report.display_path(f.span.file)}:{f.span.line}:{f.span.column}"
        print(f"aks-backup-lint: error: {where}: {f.message} (not drawn)", file=sys.stderr)
    try:
        outputs.write(target, text_out)
    except UsageError as e:
        return usage_error(e)
    if report.tool_error:
        return 2
    return 1 if unparsed else 0


def graph_text(paths: list[Path], fmt: str = "mermaid", options: Options | None = None) -> str:
    """The backup chains of ``paths`` (Mermaid or DOT), from the same load and check as ``check``."""
    return graph_report(paths, fmt, options)[0]


def graph_report(paths: list[Path], fmt: str, options: Options | None = None) -> tuple[str, Report]:
    """The drawing and the report of the check it labels its edges from."""
    from linter import diagram
    from linter.engine import check, load
    from policies import load_builtin_rules

    options = options or Options()
    registry = load_builtin_rules()
    loaded = load(paths, options)
    report = check(loaded, options, registry, paths)
    edge_rules = {r.spec.chain_edge: r.spec.id for r in registry if r.spec.chain_edge}
    return diagram.render(diagram.chains(loaded.graph, list(report.findings), edge_rules), fmt), report


def show_config(path: Path, flags: Flags, fmt: str) -> int:
    """``aks-backup-lint config``: the effective settings, built exactly as ``check`` builds them."""
    from linter.config import ConfigError

    try:
        if fmt not in ("yaml", "json"):
            raise UsageError(f"--format must be yaml or json, not {fmt!r}")
        check_paths([path])
        data = build_options(flags, path).as_settings()
    except (UsageError, ConfigError) as e:
        return usage_error(e)
    if fmt == "json":
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return 0
    import yaml

    header = f"# effective settings ({data['config-file'] or 'no config file found; defaults'})\n"
    body = {k: v for k, v in data.items() if k != "config-file"}
    sys.stdout.write(header + yaml.safe_dump(body, sort_keys=False, default_flow_style=False))
    return 0
