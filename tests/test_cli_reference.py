"""The README's command reference is generated from the CLI and in step with ``--help``.

The hand-written option table lacked ``--config``, ``--baseline``, ``--write-baseline``,
``--max-file-size``, ``--no-cache``, ``--category``, ``--report-unused-suppressions`` and the
``config`` subcommand. Now ``scripts/gen_docs.py`` writes it from the same records as ``--help``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from linter.cli_reference import BEGIN, END, reference_markdown, updated_readme

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
COMMANDS = ("check", "rules", "explain", "graph", "config", "matcher-path")


def readme_reference() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index(BEGIN) : text.index(END)]


def test_readme_reference_is_the_generated_one() -> None:
    text = README.read_text(encoding="utf-8")
    assert updated_readme(text) == text, "README is stale: run python scripts/gen_docs.py"
    assert reference_markdown() in text


def help_text(command: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "linter.cli", command, "--help"],
        env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_in_help_is_in_the_readme_and_back(command: str) -> None:
    reference = readme_reference()
    section = reference.split(f"### `{command}`", 1)[1].split("### `", 1)[0]
    in_readme = set(re.findall(r"--[a-z][a-z-]*", section))
    option_lines = re.findall(r"^\s+(?:-\w, )?(--[a-z][a-z-]*)", help_text(command), re.M)
    in_help = set(option_lines) - {"--help"}
    assert in_help or command == "matcher-path", "the help parser found no options"
    assert in_help <= in_readme, f"missing from the README: {sorted(in_help - in_readme)}"
    assert {o for o in in_readme if o in help_text(command)} == in_readme


def test_the_options_the_issue_found_missing_are_documented() -> None:
    reference = readme_reference()
    for option in (
        "--config",
        "--baseline",
        "--write-baseline",
        "--max-file-size",
        "--no-cache",
        "--category",
        "--report-unused-suppressions",
    ):
        assert f"`{option} " in reference or f"`{option}`" in reference, option
    for command in COMMANDS:
        assert f"### `{command}`" in reference
