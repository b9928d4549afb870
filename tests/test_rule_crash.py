"""A rule that crashes on one resource: AKSB900 at that resource, the rest of the run completes, exit 2.

Why end to end: the promise is about what a user sees from the CLI (exit code, a finding that names
the rule and asks for a bug report, every other rule's findings still there), so the test runs the
real ``main()`` with a temporary crashing rule in the shared registry and removes it afterwards.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from linter import kinds
from linter.model import Severity
from linter.rules import Rule, RuleSpec

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "fixtures" / "region-mismatch" / "terraform"

DOC = """A test rule that raises on one cluster.

## What it checks
Nothing: it raises on the cluster named ``aks`` to exercise the engine's crash handling.

## Why it matters
A crashing rule must not stop the run.

## Azure documentation
Not applicable.

## Example
```hcl
# any
```

## Unknown values
Not applicable.
"""


@pytest.fixture
def crashing_rule() -> Iterator[RuleSpec]:
    from policies import load_builtin_rules

    registry = load_builtin_rules()
    spec = RuleSpec(
        id="AKSB899",
        slug="test-crashes-on-cluster",
        severity=Severity.ERROR,
        summary="raises on one cluster (test only)",
        kinds=(kinds.CLUSTER,),
        languages=("terraform",),
        cite=None,
        doc=DOC,
    )

    def check(graph, ctx):  # type: ignore[no-untyped-def]
        for resource in graph.of_kind(kinds.CLUSTER):
            if resource.address.endswith(".aks"):
                raise RuntimeError("simulated bug")
        yield from ()

    registry.add(Rule(spec, check))
    try:
        yield spec
    finally:
        registry._by_id.pop(spec.id, None)
        registry._by_slug.pop(spec.slug, None)


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    from linter.cli import main

    monkeypatch.chdir(REPO)
    monkeypatch.setattr(sys, "argv", ["aks-backup-lint", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_crashing_rule_is_a_tool_error_and_the_run_completes(
    crashing_rule: RuleSpec, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["check", str(FIXTURE), "--format", "json", "--no-cache"], monkeypatch, capsys)
    assert code == 2
    findings = json.loads(out)["findings"]
    crashes = [f for f in findings if f["rule_id"] == "AKSB900"]
    assert len(crashes) == 1
    crash = crashes[0]
    assert "AKSB899" in crash["message"] and "report" in crash["message"]
    assert crash["location"]["path"].endswith("region-mismatch/terraform/main.tf")
    main_tf = (FIXTURE / "main.tf").read_text().splitlines()
    assert main_tf[crash["location"]["line"] - 1].startswith('resource "azurerm_kubernetes_cluster" "aks"')
    assert any(f["rule_id"] == "AKSB102" for f in findings), "the other rules still ran"


def test_crashing_rule_in_text_output(
    crashing_rule: RuleSpec, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["check", str(FIXTURE), "--no-color", "--no-cache"], monkeypatch, capsys)
    assert code == 2
    assert "AKSB900" in out and "AKSB899" in out and "please report this bug" in out
    assert "AKSB102" in out


def test_registry_is_clean_after_the_test() -> None:
    from policies import load_builtin_rules

    assert "AKSB899" not in load_builtin_rules()
