"""Fingerprints: one per distinct finding, stable across unrelated edits (issue 16).

GitHub code scanning merges results that share a fingerprint, and a baseline suppresses every
finding whose fingerprint it records, so two findings that differ (two missing roles on one
backup instance, two system namespaces in one list) must never share one.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from cli_runner import cli
from expectations import FIXTURES, scenario_dirs

from linter.engine import run
from linter.fingerprint import fingerprint
from linter.options import Options


def fingerprints_of(directory: Path) -> dict[str, list[str]]:
    """fingerprint -> the findings (rule, line, column, message) that have it, suppressed ones too."""
    report = run([directory], Options(unknown="note", use_cache=False))
    out: dict[str, list[str]] = defaultdict(list)
    for f in report.findings:
        out[fingerprint(f, report.base_dir)].append(f"{f.rule_id} {f.span.line}:{f.span.column} {f.message}")
    return out


@pytest.mark.parametrize("directory", scenario_dirs(), ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_every_fixture_finding_has_its_own_fingerprint(directory: Path) -> None:
    shared = {fp: found for fp, found in fingerprints_of(directory).items() if len(found) > 1}
    assert shared == {}


def test_the_fixtures_exercise_findings_that_share_a_resource_and_attribute() -> None:
    """The uniqueness test above would be vacuous without findings that differ only in a fact."""
    report = run([FIXTURES / "wiring-roles-missing" / "bicep"], Options(use_cache=False))
    roles = [f for f in report.findings if f.rule_id == "AKSB308"]
    assert len({(f.address, f.attribute) for f in roles}) == 1 and len(roles) == 2
    assert {f.properties["role"] for f in roles} == {"Reader", "Contributor"}


def copy_fixture(tmp_path: Path, scenario: str, language: str = "terraform") -> Path:
    target = tmp_path / scenario
    shutil.copytree(FIXTURES / scenario / language, target)
    (tmp_path / ".git").mkdir(exist_ok=True)  # the repository root that paths are relative to
    return target


def test_two_system_namespaces_in_one_list_are_two_fingerprints(tmp_path: Path) -> None:
    stack = copy_fixture(tmp_path, "system-namespace")
    main = stack / "main.tf"
    main.write_text(main.read_text().replace('["ingress", "kube-system"]', '["kube-system", "kube-public"]'))
    report = run([stack], Options(use_cache=False))
    found = [f for f in report.findings if f.rule_id == "AKSB402"]
    assert len(found) == 2
    assert len({fingerprint(f, report.base_dir) for f in found}) == 2


def test_two_unsupported_intervals_in_one_policy_are_two_fingerprints(tmp_path: Path) -> None:
    stack = copy_fixture(tmp_path, "backup-frequency")
    main = stack / "main.tf"
    main.write_text(
        main.read_text().replace('"R/2024-04-14T06:00:00+00:00/PT4H"', '"R/2024-04-14T06:00:00+00:00/PT1H"')
    )
    report = run([stack], Options(use_cache=False))
    frequent = [f for f in report.findings if f.rule_id == "AKSB401" and f.address.endswith(".frequent")]
    assert len(frequent) == 2
    assert len({fingerprint(f, report.base_dir) for f in frequent}) == 2


def test_fingerprints_survive_unrelated_edits(tmp_path: Path) -> None:
    stack = copy_fixture(tmp_path, "wiring-roles-missing")
    before = set(fingerprints_of(stack))
    main = stack / "main.tf"
    unrelated = 'resource "azurerm_resource_group" "unrelated" {\n  name     = "rg-other"\n  location = "westeurope"\n}\n\n\n'
    main.write_text(unrelated + main.read_text().replace("\n", "\n\n", 3))
    assert set(fingerprints_of(stack)) == before


def remove_resource(path: Path, address: str) -> None:
    """Delete ``resource "TYPE" "NAME" { ... }`` and every ``depends_on`` line naming it."""
    rtype, name = address.split(".")
    text = path.read_text()
    block = re.compile(rf'^resource "{rtype}" "{name}" \{{\n.*?^\}}\n', re.S | re.M)
    text, count = block.subn("", text)
    assert count == 1, address
    text = "".join(line for line in text.splitlines(keepends=True) if line.strip() != f"{address},")
    path.write_text(text)


def test_a_baseline_of_one_missing_role_does_not_hide_another(tmp_path: Path) -> None:
    """The issue's reproduction: baseline one missing role, delete another assignment."""
    stack = copy_fixture(tmp_path, "complete")
    main = stack / "main.tf"
    remove_resource(main, "azurerm_role_assignment.vault_reader_cluster")
    baseline = tmp_path / "baseline.json"
    wrote = cli("check", ".", "--write-baseline", str(baseline), cwd=stack)
    assert wrote.returncode == 0, wrote.stderr
    recorded = json.loads(baseline.read_text())["findings"]
    assert [e["rule_id"] for e in recorded] == ["AKSB308"]

    remove_resource(main, "azurerm_role_assignment.cluster_contributor_snapshots")
    again = cli("check", ".", "--baseline", str(baseline), "--fail-on", "warning", "--no-color", cwd=stack)
    assert again.returncode == 1, again.stdout + again.stderr
    assert re.search(r'AKSB308 cluster \S+ has no "Contributor" role', again.stdout), again.stdout
    assert again.stdout.splitlines()[-1].endswith("(1 suppressed)"), again.stdout
    assert ", 1 warning," in again.stdout.splitlines()[-1]
