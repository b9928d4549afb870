"""Every fixture scenario, in every language it is written in, gives exactly its expected findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from expectations import (
    FIXTURES,
    REPO,
    SEVERITIES,
    actual,
    compare,
    expected_under,
    scenario_dirs,
    use_fixture_module_cache,
)

from linter.engine import run
from linter.options import Flags, Options, build_options
from policies import load_builtin_rules

DEFAULT_SEVERITY = {r.spec.id: r.spec.severity.value for r in load_builtin_rules()}


@pytest.mark.parametrize("directory", scenario_dirs(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_scenario_findings(directory: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Scanned as a user would: with the config file of the scenario, if it has one (a scenario
    written against another matrix revision says so in its ``.aks-backup-lint.yaml``), and with
    the Bicep module cache it carries, if any."""
    use_fixture_module_cache(directory, monkeypatch, tmp_path)
    report = run([directory], build_options(Flags(), directory))
    missing, unexpected = compare(expected_under(directory), actual(report.findings))
    assert not missing, f"expected but not reported: {sorted(missing)}"
    assert not unexpected, f"reported but not expected: {sorted(unexpected)}"
    wrong = []
    for f in report.findings:
        if f.rule_id == "AKSB902" or f.suppression is not None:
            continue
        where = (
            Path(f.span.file).resolve().relative_to(REPO).as_posix(),
            f.span.line,
            f.span.column,
            f.rule_id,
        )
        wanted = SEVERITIES.get(where, DEFAULT_SEVERITY[f.rule_id])
        if f.severity.value != wanted:
            wrong.append((*where, f.severity.value, f"expected {wanted}"))
    assert not wrong, f"reported with another severity: {sorted(wrong)}"


def test_every_terraform_rule_has_a_failing_fixture() -> None:
    rules = {e[3] for d in scenario_dirs("terraform") for e in expected_under(d)}
    core = {"AKSB000", "AKSB001", "AKSB002", "AKSB003", "AKSB101", "AKSB102", "AKSB201", "AKSB202"}
    core |= {"AKSB301", "AKSB302", "AKSB401", "AKSB402", "AKSB403"}
    assert core <= rules, f"no failing Terraform fixture for {sorted(core - rules)}"


def test_complete_setup_is_clean() -> None:
    for directory in sorted((FIXTURES / "complete").iterdir()):
        report = run([directory], Options(unknown="ignore"))
        assert report.active == [], [f"{f.rule_id} {f.span}" for f in report.active]


def test_expectations_name_columns() -> None:
    """Findings are asserted by rule, file, line and column: every marker gives a column."""
    loose = sorted(e for d in scenario_dirs() for e in expected_under(d) if e[2] == 0)
    assert not loose, f"expect markers without a column: {loose}"


def test_scanning_more_never_adds_findings() -> None:
    """Stacks that reuse names and ids (one template per environment) must not link to each other.

    Scanning all scenarios at once may decide less (several clusters make Kubernetes objects'
    cluster unknown; companions elsewhere may be "maybe"), but it must never report a finding
    that no scenario reports on its own.
    """
    whole = actual(run([FIXTURES], Options()).findings)
    parts: set = set()
    for directory in scenario_dirs():
        parts |= actual(run([directory], Options()).findings)
    assert whole - parts == set()
