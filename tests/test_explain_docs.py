"""One renderer for ``explain`` and docs/rules; the generated docs on disk must be current."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from linter.docs import stale_docs
from linter.explain import render
from linter.rules import REQUIRED_SECTIONS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def registry():  # type: ignore[no-untyped-def]
    from policies import load_builtin_rules

    return load_builtin_rules()


def test_generated_docs_are_up_to_date(registry) -> None:  # type: ignore[no-untyped-def]
    problems = stale_docs(ROOT / "docs" / "rules", registry)
    assert not problems, (
        "docs/rules and docs/schemas are generated from the rules and schemas; they differ: "
        + ", ".join(problems)
        + ". Regenerate them with `python scripts/gen_docs.py` (or "
        "`python -m linter.docs --write-docs docs/rules`) and commit the result; do not edit them by hand."
    )


def test_markdown_render_header_and_sections(registry) -> None:  # type: ignore[no-untyped-def]
    spec = registry.get("AKSB102").spec
    md = render(spec, "markdown")
    assert md.startswith(
        "# storage-cluster-region-mismatch (AKSB102)\n\nSeverity: error · Status: stable · Languages: "
    )
    assert "Since: " in md.splitlines()[2]
    positions = [md.index(f"## {s}") for s in REQUIRED_SECTIONS]
    assert positions == sorted(positions)
    assert "```hcl" in md and "Use instead:" in md


def test_doc_page_is_the_same_render(registry) -> None:  # type: ignore[no-untyped-def]
    spec = registry.get("AKSB102").spec
    page = (ROOT / "docs" / "rules" / "AKSB102.md").read_text()
    assert page.endswith(render(spec, "markdown"))


def test_json_and_text(registry) -> None:  # type: ignore[no-untyped-def]
    spec = registry.get("storage-cluster-region-mismatch").spec
    data = json.loads(render(spec, "json"))
    assert data["id"] == "AKSB102" and data["help_uri"].endswith("/docs/rules/AKSB102.md")
    assert list(data["sections"])[: len(REQUIRED_SECTIONS)] == list(REQUIRED_SECTIONS)
    text = render(spec, "text")
    assert text.startswith("storage-cluster-region-mismatch (AKSB102)\n") and "WHAT IT CHECKS" in text


def test_explain_cli_uses_the_renderer(registry) -> None:  # type: ignore[no-untyped-def]
    proc = subprocess.run(
        [sys.executable, "-m", "linter.cli", "explain", "AKSB102", "--format", "markdown"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == render(registry.get("AKSB102").spec, "markdown")
