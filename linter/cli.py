"""Command line: ``aks-backup-lint check|rules|explain|config|graph|lsp``.

Typer is imported only when a command runs (``--version`` answers before), and each command
imports the engine, reporters and front ends it needs, so a pre-commit run pays only for the
languages present.
"""

import sys
from pathlib import Path
from typing import Annotated, Any

from linter import __version__
from linter.reporters import FORMATS

EXIT_HELP = """Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it;
2 usage or configuration error, a path that could not be read, or an internal rule error
(AKSB900)."""
GRAPH_EXIT_HELP = """Exit codes: 0 drawn; 1 a file could not be parsed (the drawing lacks what it
declares); 2 usage or configuration error, or a path that could not be read."""
#: the GitHub problem matcher shipped in the package (``aks-backup-lint matcher-path``)
MATCHER = Path(__file__).resolve().parent / "matchers" / "aks-backup-lint.json"


def main() -> None:
    """Console entry point."""
    if sys.argv[1:] in (["--version"], ["-V"], ["version"]):
        print(f"aks-backup-lint {__version__}")
        return
    app = build_app()
    app()


def help_records(command: Any, ctx: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(arguments, options) as ``--help`` lists them: names, metavars and help, no Python types.

    Typer would print an argument as ``PATH <list[Path]>``; users need ``PATH...`` and the help
    text. The README's option tables are generated from the same records
    (``linter.cli_reference``), so the two cannot drift apart.
    """
    arguments, options = [], []
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        if param.param_type_name == "argument":
            name = (param.metavar or param.name.upper()) + ("..." if param.nargs == -1 else "")
            arguments.append((name, param.help or ""))
        elif param.param_type_name == "option":
            record = param.get_help_record(ctx)
            if record is not None:
                options.append(record)
    return arguments, options


def build_app():  # type: ignore[no-untyped-def]
    import typer
    from typer.core import TyperCommand

    class Command(TyperCommand):
        """A typer command whose help lists arguments and options without internal types."""

        def format_options(self, ctx, formatter) -> None:  # type: ignore[no-untyped-def]
            arguments, options = help_records(self, ctx)
            for title, rows in (("Arguments", arguments), ("Options", options)):
                if rows:
                    with formatter.section(title):
                        formatter.write_dl(rows)

    app = typer.Typer(
        name="aks-backup-lint",
        help="Check Terraform, Bicep, ARM and Kubernetes code against the Azure Backup for AKS support matrix.\n\n"
        + EXIT_HELP,
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
    )

    def version_callback(value: bool) -> None:
        if value:
            print(f"aks-backup-lint {__version__}")
            raise typer.Exit()

    @app.callback()
    def _root(
        version: Annotated[
            bool,
            typer.Option(
                "--version",
                "-V",
                help="Print the version and exit.",
                callback=version_callback,
                is_eager=True,
            ),
        ] = False,
    ) -> None:
        """Check infrastructure code against the Azure Backup for AKS support matrix."""

    @app.command(cls=Command, epilog=EXIT_HELP)
    def check(
        paths: Annotated[
            list[Path] | None,
            typer.Argument(
                metavar="PATH",
                help="Files or directories to scan (default: the current directory).",
                show_default=False,
            ),
        ] = None,
        format: Annotated[
            str,
            typer.Option("--format", "-f", metavar="FORMAT", help=f"Output format: {', '.join(FORMATS)}."),
        ] = "text",
        output: Annotated[
            list[str] | None,
            typer.Option(
                "--output",
                "-o",
                metavar="[FORMAT:]FILE",
                help="Write the report to FILE instead of stdout ('-' is stdout; the directory must exist); "
                "repeat as FORMAT:FILE to write several formats.",
            ),
        ] = None,
        fail_on: Annotated[
            str | None,
            typer.Option(
                "--fail-on",
                metavar="LEVEL",
                help="Lowest severity that fails the run: error, warning, note, never.",
            ),
        ] = None,
        unknown: Annotated[
            str | None,
            typer.Option(
                "--unknown",
                metavar="MODE",
                help="Unresolvable values: ignore (default) or note (report AKSB902 notes).",
            ),
        ] = None,
        var_file: Annotated[
            list[Path] | None,
            typer.Option(
                "--var-file",
                metavar="FILE",
                help="Terraform variable file (repeatable), after TF_VAR_ variables, terraform.tfvars and *.auto.tfvars.",
            ),
        ] = None,
        var: Annotated[
            list[str] | None,
            typer.Option(
                "--var",
                metavar="NAME=VALUE",
                help="Terraform variable value (repeatable), after every variable file; as terraform -var.",
            ),
        ] = None,
        plan: Annotated[
            Path | None,
            typer.Option(
                "--plan",
                metavar="PLAN.JSON",
                help="Terraform plan as JSON (terraform show -json tfplan): values the code alone cannot give; "
                "findings still point at the .tf lines.",
            ),
        ] = None,
        param_file: Annotated[
            list[str] | None,
            typer.Option(
                "--param-file",
                metavar="TEMPLATE=PARAMS",
                help="ARM parameter file for a template: TEMPLATE=PARAMS (repeatable).",
            ),
        ] = None,
        matrix: Annotated[
            str | None,
            typer.Option(
                "--matrix",
                metavar="REVISION",
                help="Support-matrix revision: 2025-06 (default), 2024-09, 2026-01a, 2026-01b.",
            ),
        ] = None,
        resource_group_location: Annotated[
            str | None,
            typer.Option(
                "--resource-group-location",
                metavar="REGION",
                help="Region that resourceGroup().location stands for in templates.",
            ),
        ] = None,
        clusters: Annotated[
            str | None,
            typer.Option(
                "--clusters",
                metavar="SCOPE",
                help="Cluster rules at full severity for: protected (default; other clusters get notes) or all.",
            ),
        ] = None,
        select: Annotated[
            list[str] | None,
            typer.Option(
                "--select",
                metavar="RULE",
                help="Only these rules: IDs, ID prefixes (AKSB2) or slugs (repeatable).",
            ),
        ] = None,
        ignore: Annotated[
            list[str] | None,
            typer.Option(
                "--ignore", metavar="RULE", help="Skip these rules: IDs, ID prefixes or slugs (repeatable)."
            ),
        ] = None,
        exclude: Annotated[
            list[str] | None,
            typer.Option(
                "--exclude",
                metavar="GLOB",
                help="Do not scan or read paths matching GLOB (repeatable; added to the config's exclude).",
            ),
        ] = None,
        config: Annotated[
            Path | None,
            typer.Option(
                "--config",
                metavar="FILE",
                help="Config file (default: .aks-backup-lint.yaml or pyproject.toml found upward).",
            ),
        ] = None,
        baseline: Annotated[
            Path | None,
            typer.Option(
                "--baseline", metavar="FILE", help="Report only findings not recorded in this baseline file."
            ),
        ] = None,
        write_baseline: Annotated[
            Path | None,
            typer.Option(
                "--write-baseline",
                metavar="FILE",
                help="Record the current findings a baseline can suppress in FILE and exit 0 "
                "(2 if the run was incomplete).",
            ),
        ] = None,
        report_unused_suppressions: Annotated[
            bool,
            typer.Option(
                "--report-unused-suppressions", help="Report suppressions that suppress nothing (AKSB901)."
            ),
        ] = False,
        category: Annotated[
            str | None, typer.Option("--category", metavar="NAME", help="SARIF automationDetails category.")
        ] = None,
        no_color: Annotated[
            bool, typer.Option("--no-color", help="No ANSI colour, even on a terminal.")
        ] = False,
        quiet: Annotated[
            bool, typer.Option("--quiet", "-q", help="Print findings only: no summary line, no progress.")
        ] = False,
        no_cache: Annotated[
            bool,
            typer.Option(
                "--no-cache",
                help="Do not read or write the caches (Terraform parse trees; evaluated ARM, Bicep and Kubernetes stacks) in the user cache directory.",
            ),
        ] = False,
        max_file_size: Annotated[
            str | None,
            typer.Option(
                "--max-file-size",
                metavar="SIZE",
                help="Skip (and report) files larger than SIZE: bytes or with K/M/G (default 16M).",
            ),
        ] = None,
        hcl_parser: Annotated[
            str | None,
            typer.Option(
                "--hcl-parser",
                metavar="PARSER",
                help="Terraform parser: tree-sitter (default) or python-hcl2 (the slower reference parser).",
            ),
        ] = None,
        fix: Annotated[
            bool,
            typer.Option("--fix", help="Apply the safe literal fixes in place, then report what remains."),
        ] = False,
        diff: Annotated[
            bool,
            typer.Option(
                "--diff",
                help="Print the fixes as a unified diff without writing (exit 1 when there is one).",
            ),
        ] = False,
    ) -> None:
        """Scan PATHS and report support-matrix problems."""
        from linter.commands import CheckArgs, run_check
        from linter.options import Flags

        flags = Flags(
            config=config,
            fail_on=fail_on,
            unknown=unknown,
            var_files=list(var_file or []),
            variables=list(var or []),
            plan=plan,
            param_files=list(param_file or []),
            matrix=matrix,
            resource_group_location=resource_group_location,
            clusters=clusters,
            select=list(select or []),
            ignore=list(ignore or []),
            exclude=list(exclude or []),
            baseline=baseline,
            report_unused_suppressions=report_unused_suppressions,
            category=category,
            no_cache=no_cache,
            max_file_size=max_file_size,
            hcl_parser=hcl_parser,
        )
        code = run_check(
            CheckArgs(
                paths=list(paths or [Path(".")]),
                flags=flags,
                format=format,
                outputs=list(output or []),
                write_baseline=write_baseline,
                color=not no_color,
                quiet=quiet,
                fix=fix,
                diff=diff,
            )
        )
        raise typer.Exit(code)

    @app.command(cls=Command)
    def rules(
        format: Annotated[
            str, typer.Option("--format", "-f", metavar="FORMAT", help="text or json.")
        ] = "text",
    ) -> None:
        """List every rule: ID, slug, severity, status and languages."""
        from linter.commands import list_rules

        raise typer.Exit(list_rules(format))

    @app.command(cls=Command)
    def explain(
        rule: Annotated[
            str,
            typer.Argument(
                metavar="RULE",
                help="Rule ID (AKSB102) or slug (storage-cluster-region-mismatch).",
                show_default=False,
            ),
        ],
        format: Annotated[
            str, typer.Option("--format", "-f", metavar="FORMAT", help="text, markdown or json.")
        ] = "text",
    ) -> None:
        """Explain a rule: what it checks, the support-matrix sentence, how to fix it in each language."""
        from linter.commands import explain_rule

        raise typer.Exit(explain_rule(rule, format))

    @app.command(cls=Command, epilog=GRAPH_EXIT_HELP)
    def graph(
        paths: Annotated[
            list[Path] | None,
            typer.Argument(metavar="PATH", help="Files or directories (default: .).", show_default=False),
        ] = None,
        format: Annotated[
            str, typer.Option("--format", "-f", metavar="FORMAT", help="mermaid (default) or dot.")
        ] = "mermaid",
        matrix: Annotated[
            str | None, typer.Option("--matrix", metavar="REVISION", help="Support-matrix revision.")
        ] = None,
        var_file: Annotated[
            list[Path] | None, typer.Option("--var-file", metavar="FILE", help="Terraform variables file.")
        ] = None,
        var: Annotated[
            list[str] | None,
            typer.Option(
                "--var", metavar="NAME=VALUE", help="Terraform variable value (repeatable), as in check."
            ),
        ] = None,
        plan: Annotated[
            Path | None,
            typer.Option("--plan", metavar="PLAN.JSON", help="Terraform plan as JSON, as in check."),
        ] = None,
        param_file: Annotated[
            list[str] | None,
            typer.Option("--param-file", metavar="TEMPLATE=PARAMS", help="ARM parameter file, as in check."),
        ] = None,
        exclude: Annotated[
            list[str] | None,
            typer.Option("--exclude", metavar="GLOB", help="Do not scan or read paths matching GLOB."),
        ] = None,
        config: Annotated[
            Path | None,
            typer.Option("--config", metavar="FILE", help="Config file (default: found upward)."),
        ] = None,
        output: Annotated[
            Path | None,
            typer.Option(
                "--output",
                "-o",
                metavar="FILE",
                help="Write to FILE instead of stdout (the directory must exist).",
            ),
        ] = None,
    ) -> None:
        """Draw each cluster's backup chain with every missing or wrong link labelled by rule ID."""
        from linter.commands import graph_command
        from linter.options import Flags

        flags = Flags(
            config=config,
            matrix=matrix,
            var_files=list(var_file or []),
            variables=list(var or []),
            plan=plan,
            param_files=list(param_file or []),
            exclude=list(exclude or []),
        )
        raise typer.Exit(graph_command(list(paths or [Path(".")]), format, flags, output))

    @app.command("config", cls=Command)
    def config_cmd(
        path: Annotated[
            Path,
            typer.Argument(
                metavar="PATH", help="Where the config search starts (default: .).", show_default=False
            ),
        ] = Path("."),
        show: Annotated[
            bool,
            typer.Option(
                "--show", help="Print the effective settings (what this command does).", show_default=False
            ),
        ] = True,
        config: Annotated[
            Path | None, typer.Option("--config", metavar="FILE", help="Use this config file.")
        ] = None,
        format: Annotated[
            str, typer.Option("--format", "-f", metavar="FORMAT", help="yaml or json.")
        ] = "yaml",
    ) -> None:
        """Show the effective settings: defaults overlaid with the config file found for PATH."""
        from linter.commands import show_config
        from linter.options import Flags

        raise typer.Exit(show_config(path, Flags(config=config), format))

    @app.command("matcher-path", cls=Command)
    def matcher_path() -> None:
        """Print the path of the GitHub problem matcher shipped with the linter.

        In a workflow: echo "::add-matcher::$(aks-backup-lint matcher-path)".
        """
        if not MATCHER.is_file():
            print(
                f"aks-backup-lint: error: the problem matcher is missing from the installation ({MATCHER})",
                file=sys.stderr,
            )
            raise typer.Exit(2)
        print(MATCHER)

    @app.command(cls=Command)
    def lsp() -> None:
        """Run the language server on stdin/stdout (diagnostics and quick fixes in your editor)."""
        from linter.lsp import serve

        serve()

    return app


if __name__ == "__main__":  # pragma: no cover
    main()
