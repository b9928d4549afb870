"""``check --plan plan.json PATH``: the plan's values, the source's lines.

``fixtures/plan-json/terraform/plan.json`` is hand-written to Terraform's documented JSON output
format (format_version 1.2): ``resource_changes`` with ``after``/``after_unknown``, a module that
was not initialised, ``count`` and ``for_each`` instances, values known only after apply, and the
``configuration`` with its module calls and expression references.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.engine import run
from linter.frontend import LoadContext
from linter.model import Known, Unknown
from linter.options import Options
from linter.terraform import load

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "fixtures" / "plan-json" / "terraform"
PLAN = SCENARIO / "plan.json"


def findings(paths: list[Path], plan: Path | None, base: Path) -> list[tuple[str, int, int, str]]:
    report = run(paths, Options(plan=plan))
    return sorted(
        (Path(f.span.file).relative_to(base).as_posix(), f.span.line, f.span.column, f.rule_id)
        for f in report.findings
    )


def test_static_evaluation_alone_decides_nothing_here() -> None:
    assert findings([SCENARIO], None, SCENARIO) == []


def test_plan_findings_land_on_tf_lines() -> None:
    assert findings([SCENARIO], PLAN, SCENARIO) == [
        # the plan gives the existing cluster's kubernetes_version 1.31.2 (no LTS support plan), past
        # its end of life in AKSB310's calendar; the source does not write it, so the cluster's header
        ("main.tf", 23, 1, "AKSB310"),
        ("main.tf", 47, 3, "AKSB101"),  # the instance's location: `location = var.vault_location`
        ("main.tf", 47, 3, "AKSB101"),  # the vault's location, through the same module argument
        ("main.tf", 59, 3, "AKSB401"),  # schedules[1] gets PT2H from the plan's variables
    ]


def resources(ctx: LoadContext) -> dict:  # type: ignore[type-arg]
    files = sorted(p for p in SCENARIO.iterdir() if p.suffix == ".tf")
    return {r.address: r for r in load(files, ctx).resources}


def test_instances_values_and_unknowns_come_from_the_plan() -> None:
    found = resources(LoadContext(plan=PLAN, environment={}))
    assert {
        "azurerm_data_protection_backup_policy_kubernetes_cluster.schedules[0]",
        "azurerm_data_protection_backup_policy_kubernetes_cluster.schedules[1]",
        'module.backup.azurerm_role_assignment.vault_reader["cluster"]',
        'module.backup.azurerm_role_assignment.vault_reader["snapshots"]',
    } <= set(found)
    assert not [r for r in found.values() if r.kind == "unresolved_module"]
    cluster = found["azurerm_kubernetes_cluster.aks"]
    location = cluster.attrs["location"]
    assert isinstance(location, Known) and location.value == "westeurope"  # from a data source
    assert (Path(location.span.file).name, location.span.line, location.span.column) == ("main.tf", 25, 3)
    instance = found["module.backup.azurerm_data_protection_backup_instance_kubernetes_cluster.this"]
    policy = instance.refs["policy"]
    assert isinstance(policy, Unknown) and "after apply" in policy.reason  # a new policy's id
    assert (Path(instance.span.file).name, instance.span.line) == ("main.tf", 40)  # the module call
    cluster_ref = instance.refs["cluster"]
    assert isinstance(cluster_ref, Known) and cluster_ref.value.endswith("/managedClusters/aks-prod")
    assert cluster_ref.value in {i for i in cluster.ids if isinstance(i, str)}


def line_of(lines: list[str], *markers: str) -> int:
    """The 1-based line of the last marker, each searched after the line of the one before."""
    at = 0
    for marker in markers:
        at = next(i for i in range(at, len(lines)) if marker in lines[i])
    return at + 1


def test_without_the_source_findings_point_into_the_plan(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    shutil.copy(PLAN, plan)
    lines = plan.read_text().splitlines()
    changes = '"resource_changes": ['
    schedule = line_of(lines, changes, 'schedules[1]"', '"after": {', '"backup_repeating_time_intervals"')
    instance = line_of(lines, changes, 'instance_kubernetes_cluster.this"', '"after": {', '"location"')
    vault = line_of(lines, changes, 'backup_vault.this"', '"after": {', '"location"')
    version = line_of(lines, changes, 'azurerm_kubernetes_cluster.aks"', '"after": {', '"kubernetes_version"')
    assert findings([tmp_path], plan, tmp_path) == sorted(
        [
            ("plan.json", schedule, 11, "AKSB401"),
            ("plan.json", instance, 11, "AKSB101"),
            ("plan.json", vault, 11, "AKSB101"),
            ("plan.json", version, 11, "AKSB310"),  # 1.31.2 without the LTS plan: past its end of life
        ]
    )


def test_plan_resolves_an_unknown_dynamic_block(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        """variable "identities" {}
resource "azurerm_data_protection_backup_vault" "v" {
  name     = "bv"
  location = "westeurope"

  dynamic "identity" {
    for_each = var.identities
    content {
      type = "SystemAssigned"
    }
  }
}
"""
    )
    plan = {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": "azurerm_data_protection_backup_vault.v",
                "mode": "managed",
                "type": "azurerm_data_protection_backup_vault",
                "name": "v",
                "change": {
                    "actions": ["create"],
                    "after": {"name": "bv", "location": "westeurope", "identity": []},
                    "after_unknown": {"id": True, "identity": []},
                },
            }
        ],
        "configuration": {
            "root_module": {
                "resources": [
                    {
                        "address": "azurerm_data_protection_backup_vault.v",
                        "mode": "managed",
                        "type": "azurerm_data_protection_backup_vault",
                        "name": "v",
                    }
                ]
            }
        },
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    static = load([tmp_path / "main.tf"], LoadContext(environment={}))
    (vault,) = [r for r in static.resources if r.kind == "backup_vault"]
    assert isinstance(vault.attrs["identity_type"], Unknown)
    planned = load([tmp_path / "main.tf"], LoadContext(plan=tmp_path / "plan.json", environment={}))
    (vault,) = [r for r in planned.resources if r.kind == "backup_vault"]
    assert "identity_type" not in vault.attrs  # the plan says: no identity block at all


def test_unusable_plans_are_one_parse_error_each(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "azurerm_resource_group" "rg" {\n  name = "rg"\n}\n')
    cases = {
        "broken.json": ('{"format_version": "1.2",\n  "resource_changes": [\n}', (3, 1)),
        "state.json": ('{"format_version": "1.0", "values": {}}', (1, 1)),
        "future.json": ('{\n  "format_version": "2.0",\n  "resource_changes": []\n}', (2, 3)),
    }
    for name, (text, (line, column)) in cases.items():
        (tmp_path / name).write_text(text)
        report = run([tmp_path / "main.tf"], Options(plan=tmp_path / name))
        errors = [
            (Path(f.span.file).name, f.span.line, f.span.column)
            for f in report.findings
            if f.rule_id == "AKSB000"
        ]
        assert errors == [(name, line, column)], name


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from linter.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )


def test_cli_plan_and_var_options() -> None:
    result = cli("check", "--plan", str(PLAN.relative_to(REPO)), str(SCENARIO.relative_to(REPO)), "--quiet")
    assert result.returncode == 1, result.stderr
    assert "fixtures/plan-json/terraform/main.tf:59:3: error AKSB401" in result.stdout
    assert "plan.json" not in result.stdout
    scenario = "fixtures/variable-precedence/terraform"
    result = cli("check", scenario, "--var", "command_line_interval=P1W", "--quiet")
    assert f"{scenario}/main.tf:87:38: error AKSB401" in result.stdout
    assert cli("check", scenario, "--var", "no-equals-sign").returncode == 2
    assert cli("check", scenario, "--plan", "missing.json").returncode == 2
    help_text = cli("check", "--help").stdout
    assert "--plan" in help_text and "--var" in help_text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_reshaped_plans_never_crash(data: st.DataObject) -> None:
    """Any part of the plan replaced by another JSON value: a parse error or findings, no crash."""
    plan = json.loads(PLAN.read_text())
    for _ in range(data.draw(st.integers(1, 3))):
        node: object = plan
        path = []
        while isinstance(node, dict | list) and node and data.draw(st.booleans()):
            key = data.draw(
                st.sampled_from(sorted(node) if isinstance(node, dict) else list(range(len(node))))
            )
            path.append(key)
            node = node[key]  # type: ignore[index]
        if not path:
            continue
        parent: object = plan
        for key in path[:-1]:
            parent = parent[key]  # type: ignore[index]
        replacement = data.draw(
            st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.just([]), st.just({}))
        )
        parent[path[-1]] = replacement  # type: ignore[index]
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "plan.json"
        target.write_text(json.dumps(plan))
        report = run([SCENARIO], Options(plan=target))
        assert not report.tool_error
        assert [n for n in report.notifications if n.level == "error"] == []


def test_provider_constraint_from_the_plan_without_source(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    shutil.copy(PLAN, plan)
    result = load([], LoadContext(plan=plan, environment={}))
    (requirement,) = [r for r in result.resources if r.kind == "provider_requirement"]
    assert requirement.attrs["constraint"].value == ">= 4.21.0, < 5.0"
    assert requirement.attrs["source"].value == "hashicorp/azurerm"
    assert Path(requirement.span.file).name == "plan.json"
    assert plan in result.files
