"""One rule for bad input in every subcommand (issue 16): a clear message and exit code 2, never
a traceback, never a directory created behind the user's back; ``-`` is stdout; special files
are skipped and never hang the run; a path that cannot be read makes the run a tool error in
every format. Each test runs the real CLI in a subprocess from a temporary directory."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_runner import REPO, cli

FIXTURES = REPO / "fixtures"
REGION = FIXTURES / "region-mismatch" / "terraform"


def usage_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit 2, one ``aks-backup-lint: error:`` line naming the problem, no traceback."""
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "aks-backup-lint: error: " in result.stderr or "Error" in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def files_under(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*")}


# --- -o / --output -------------------------------------------------------------------------------


def test_dash_is_stdout_and_several_formats_in_one_run(tmp_path: Path) -> None:
    """The README's ``-o text:- -o sarif:results.sarif`` printed nothing and created a file '-'."""
    result = cli(
        "check", str(REGION), "-o", "text:-", "-o", "sarif:results.sarif", "--no-color", cwd=tmp_path
    )
    assert result.returncode == 1, result.stderr
    assert "error AKSB101" in result.stdout and "files scanned" in result.stdout
    assert files_under(tmp_path) == {"results.sarif"}
    assert json.loads((tmp_path / "results.sarif").read_text())["version"] == "2.1.0"


def test_a_bare_dash_is_stdout_in_the_default_format(tmp_path: Path) -> None:
    result = cli("check", str(REGION), "--format", "json", "-o", "-", cwd=tmp_path)
    assert json.loads(result.stdout)["summary"]["errors"] == 2
    assert files_under(tmp_path) == set()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("-o", "xml:foo.txt"), "unknown format 'xml'"),
        (("--format", "xml"), "unknown format 'xml'"),
        (("-o", "json:"), "give a file name"),
        (("-o", "-", "-o", "sarif:-"), "only one report can go to standard output"),
        (("-o", "json:a.json", "-o", "sarif:a.json"), "overwrite each other"),
    ],
)
def test_bad_output_specs_are_usage_errors(tmp_path: Path, args: tuple[str, ...], needle: str) -> None:
    usage_error(cli("check", str(REGION), *args, cwd=tmp_path), needle)
    assert files_under(tmp_path) == set()


def test_output_into_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    """``-o sarif:/tmp`` was an IsADirectoryError traceback."""
    usage_error(cli("check", str(REGION), "-o", f"sarif:{tmp_path}", cwd=tmp_path), "is a directory")


@pytest.mark.parametrize("option", ["--output", "--write-baseline"])
def test_output_in_a_missing_directory_is_refused_not_created(tmp_path: Path, option: str) -> None:
    """``--output /nonexistent/dir/x.sarif`` silently created the directories."""
    target = tmp_path / "nonexistent" / "dir" / "x.sarif"
    usage_error(cli("check", str(REGION), option, str(target), cwd=tmp_path), "does not exist")
    assert not (tmp_path / "nonexistent").exists()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc, where writes fail")
@pytest.mark.parametrize(
    "args",
    [("--output", "/proc/x/y.txt"), ("--write-baseline", "/proc/nope.json"), ("-o", "json:/proc/a.json")],
)
def test_unwritable_outputs_are_usage_errors_not_tracebacks(tmp_path: Path, args: tuple[str, ...]) -> None:
    usage_error(cli("check", str(REGION), *args, cwd=tmp_path), args[1].removeprefix("json:"))


def test_graph_output_follows_the_same_rules(tmp_path: Path) -> None:
    usage_error(
        cli("graph", str(REGION), "-o", str(tmp_path / "no" / "g.md"), cwd=tmp_path), "does not exist"
    )
    assert not (tmp_path / "no").exists()
    usage_error(cli("graph", str(REGION), "-o", str(tmp_path), cwd=tmp_path), "is a directory")
    drawn = cli("graph", str(REGION), "-o", "-", cwd=tmp_path)
    assert drawn.returncode == 0 and "flowchart LR" in drawn.stdout


# --- paths, and the same validation in every subcommand ------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("check", "nope"),
        ("graph", "nope"),
        ("config", "nope"),
        ("check", "/dev/null"),
        ("graph", "/dev/null"),
        ("config", "--format", "toml"),
        ("rules", "--format", "yaml"),
        ("explain", "AKSB102", "--format", "html"),
        ("explain", "AKSB999"),
        ("graph", ".", "--format", "svg"),
        ("graph", ".", "--matrix", "1999-01"),
        ("config", ".", "--config", "missing.yaml"),
    ],
)
def test_bad_input_is_exit_2_in_every_subcommand(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = cli(*args, cwd=tmp_path)
    usage_error(result)
    assert "no AKS cluster found" not in result.stdout


def test_a_fifo_named_on_the_command_line_is_a_usage_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "main.tf")
    usage_error(cli("check", "main.tf", cwd=tmp_path, timeout=30), "FIFO")


def test_a_fifo_in_a_scanned_directory_is_skipped_and_does_not_hang(tmp_path: Path) -> None:
    stack = tmp_path / "stack"
    shutil.copytree(REGION, stack)
    os.mkfifo(stack / "zz.tf")
    result = cli("check", "stack", "--no-color", cwd=tmp_path, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "aks-backup-lint: warning: stack/zz.tf: a FIFO, not a regular file; skipped" in result.stderr
    assert "error AKSB101" in result.stdout


def test_graph_of_an_unparseable_file_says_so(tmp_path: Path) -> None:
    """It printed ``%% no AKS cluster found`` and exited 0."""
    (tmp_path / "bad.tf").write_text('resource "azurerm_kubernetes_cluster" "aks" {\n')
    result = cli("graph", "bad.tf", cwd=tmp_path)
    assert result.returncode == 1
    assert "aks-backup-lint: error: bad.tf:" in result.stderr and "not drawn" in result.stderr


# --- option values -----------------------------------------------------------------------------


def test_a_missing_parameter_file_is_a_usage_error_like_a_missing_var_file(tmp_path: Path) -> None:
    """A missing ``--param-file`` target was an AKSB000 finding (exit 1), a missing ``--var-file`` exit 2."""
    arm = FIXTURES / "region-mismatch" / "arm"
    template = arm / "azuredeploy.json"
    usage_error(
        cli("check", str(arm), "--param-file", f"{template}=missing.parameters.json", cwd=tmp_path),
        "--param-file parameter file missing.parameters.json: no such file",
    )
    usage_error(
        cli("check", str(arm), "--param-file", "nope.json=x.json", cwd=tmp_path), "template nope.json"
    )
    usage_error(
        cli("check", str(arm), "--var-file", "missing.tfvars", cwd=tmp_path), "--var-file missing.tfvars"
    )


@pytest.mark.parametrize(
    ("option", "value", "needle"),
    [
        ("--config", "/dev/null", "--config /dev/null: not a regular file"),
        ("--baseline", "/dev/null", "--baseline /dev/null: not a regular file"),
        ("--resource-group-location", "atlantis", "unknown Azure region 'atlantis'"),
        ("--max-file-size", "lots", "--max-file-size"),
    ],
)
def test_bad_option_values_are_usage_errors(tmp_path: Path, option: str, value: str, needle: str) -> None:
    usage_error(cli("check", str(REGION), option, value, cwd=tmp_path), needle)


def test_a_real_region_is_accepted_in_either_spelling(tmp_path: Path) -> None:
    for region in ("westeurope", "West Europe"):
        result = cli("check", str(REGION), "--resource-group-location", region, cwd=tmp_path)
        assert result.returncode == 1, result.stderr


# --- messages ----------------------------------------------------------------------------------


def test_files_scanned_counts_only_the_named_files(tmp_path: Path) -> None:
    """``check notes.md`` said "1 file scanned", one YAML file "2 files scanned"."""
    shutil.copytree(REGION, tmp_path / "stack")
    (tmp_path / "stack" / "notes.md").write_text("notes\n")
    notes = cli("check", "stack/notes.md", cwd=tmp_path)
    assert notes.returncode == 0
    assert notes.stdout.startswith("0 files scanned"), notes.stdout
    assert "stack/notes.md: not a Terraform, Bicep, ARM or Kubernetes file; skipped" in notes.stderr
    volumes = FIXTURES / "volumes-stateful-app" / "kubernetes"
    one = sorted(volumes.glob("*.yaml"))[0]
    single = cli("check", str(one), cwd=tmp_path)
    assert single.stdout.splitlines()[-1].startswith("1 file scanned"), single.stdout


def test_a_yaml_tab_error_mentions_the_tab(tmp_path: Path) -> None:
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n")
    result = cli("check", "cm.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "cm.yaml:4:1: error AKSB000 invalid YAML:" in result.stdout
    assert "a tab: YAML indentation must use spaces" in result.stdout


def test_a_utf16_manifest_is_read_and_one_without_a_mark_is_named(tmp_path: Path) -> None:
    """A UTF-16 file was "binary file (contains NUL bytes)"; reading it is issue 18's textfile
    (Terraform itself reads only UTF-8, issue 11), the message and exit code are checked here."""
    source = FIXTURES / "volumes-stateful-app" / "kubernetes" / "storage-classes.yaml"
    manifest = tmp_path / "storage-classes.yaml"
    text = source.read_text(encoding="utf-8")
    manifest.write_bytes(text.encode("utf-16"))  # with a byte order mark, as Windows editors write it
    result = cli("check", manifest.name, "--no-color", "--fail-on", "warning", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "storage-classes.yaml:30:3: warning AKSB502 " in result.stdout, result.stdout
    assert "binary file" not in result.stdout
    manifest.write_bytes(text.encode("utf-16-le"))  # no mark: named, not guessed
    result = cli("check", manifest.name, "--no-color", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        "storage-classes.yaml:1:1: error AKSB000 file looks like UTF-16 without a byte order mark"
        in result.stdout
    )


def test_over_limit_wording_is_the_same_for_every_file_type(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "azurerm_resource_group" "rg" {\n  name = "' + "x" * 2000 + '"\n}\n'
    )
    (tmp_path / "app.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + "x" * 2000 + "\n"
    )
    result = cli("check", ".", "--max-file-size", "1K", "--no-color", cwd=tmp_path)
    messages = {
        re.sub(r"\d[\d,]*", "N", line.split(" AKSB000 ", 1)[1])
        for line in result.stdout.splitlines()
        if " AKSB000 " in line
    }
    assert len(messages) == 1, result.stdout
    assert messages == {"file is N bytes, over the N-byte limit (--max-file-size); skipped [parse-error]"}
    assert "over the 1,024-byte limit" in result.stdout and result.stdout.count(" AKSB000 ") == 2


@pytest.mark.parametrize("command", ["check", "graph", "config", "rules", "explain", "matcher-path"])
def test_help_shows_no_internal_types(tmp_path: Path, command: str) -> None:
    result = cli(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    for internal in ("<list[", "<str>", "<path>", "<Path>", "<bool>", "[default: True]", "[default: False]"):
        assert internal not in result.stdout, (internal, result.stdout)


def test_matcher_path_points_at_the_shipped_matcher(tmp_path: Path) -> None:
    result = cli("matcher-path", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.is_absolute() and path.name == "aks-backup-lint.json"
    owners = {m["owner"] for m in json.loads(path.read_text())["problemMatcher"]}
    assert owners == {"aks-backup-lint-error", "aks-backup-lint-warning", "aks-backup-lint-note"}
