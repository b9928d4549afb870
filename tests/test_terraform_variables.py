"""Variable values in Terraform's precedence, variable files only, typed like Terraform types them."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.engine import run
from linter.frontend import LoadContext
from linter.model import Known, Unknown
from linter.options import Options
from linter.terraform import load
from linter.terraform.loader import TerraformLoader
from linter.terraform.variables import automatic_variable_files, is_variable_file

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "fixtures" / "variable-precedence" / "terraform"
PROD = SCENARIO / "environments" / "prod.tfvars"


def intervals(ctx: LoadContext) -> dict[str, str | None]:
    """Policy name -> the interval its schedule ends with (None when unknown)."""
    files = sorted(p for p in SCENARIO.rglob("*") if p.is_file())
    result = load(files, ctx)
    out: dict[str, str | None] = {}
    for r in result.resources:
        if r.kind == "backup_policy":
            (schedule,) = r.attrs["repeating_intervals"].value
            out[r.address.rsplit(".", 1)[1]] = (
                schedule.value.rsplit("/", 1)[1] if isinstance(schedule, Known) else None
            )
    return out


def test_precedence_without_environment_or_command_line() -> None:
    assert intervals(LoadContext(environment={})) == {
        "environment": None,  # no value anywhere: unknown, never a guess
        "tfvars": "PT2H",
        "auto": "PT6H",  # b.auto.tfvars after a.auto.tfvars after terraform.tfvars
        "command_line": "PT4H",  # the default: environments/prod.tfvars is not a variable file
    }


def test_environment_is_the_lowest_precedence() -> None:
    env = {
        "TF_VAR_environment_interval": "PT8H",
        "TF_VAR_tfvars_interval": "PT12H",
        "TF_VAR_auto_interval": "PT12H",
        "tf_var_command_line_interval": "PT12H",  # names are case-sensitive
    }
    assert intervals(LoadContext(environment=env)) == {
        "environment": "PT8H",
        "tfvars": "PT2H",
        "auto": "PT6H",
        "command_line": "PT4H",
    }


@pytest.mark.parametrize(
    ("command_line", "expected"),
    [
        ([PROD], "P1W"),
        ([PROD, "command_line_interval=PT12H"], "PT12H"),
        (["command_line_interval=PT12H", PROD], "P1W"),
        (["auto_interval=P1D"], "PT4H"),
    ],
)
def test_command_line_in_order_wins(command_line: list, expected: str) -> None:
    got = intervals(LoadContext(terraform_vars=command_line, environment={}))
    assert got["command_line"] == expected
    if "auto_interval=P1D" in command_line:
        assert got["auto"] == "P1D"


def test_environment_value_reported_through_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TF_VAR_environment_interval", "PT1H")
    report = run([SCENARIO], Options())
    found = sorted(
        (Path(f.span.file).relative_to(SCENARIO).as_posix(), f.span.line, f.span.column, f.rule_id)
        for f in report.findings
    )
    assert found == [("main.tf", 45, 38, "AKSB401"), ("main.tf", 59, 38, "AKSB401")]


def test_only_variable_files_are_read() -> None:
    found = sorted(SCENARIO.iterdir())
    assert [p.name for p in automatic_variable_files(found)] == [
        "terraform.tfvars",
        "a.auto.tfvars",
        "b.auto.tfvars",
    ]
    assert not is_variable_file(SCENARIO / "backend" / "backend-dev.tfvars")
    report = run([SCENARIO], Options())
    assert not [f for f in report.findings if f.rule_id == "AKSB000"]  # the backend file is not Terraform


def module_values(tmp_path: Path, text: str, env: dict[str, str], command_line: list | None = None):  # type: ignore[no-untyped-def]
    (tmp_path / "main.tf").write_text(text)
    root = TerraformLoader(LoadContext(terraform_vars=command_line or [], environment=env)).root(tmp_path)
    assert root is not None
    return root.var_values


def test_environment_and_var_values_follow_the_declared_type(tmp_path: Path) -> None:
    values = module_values(
        tmp_path,
        """
variable "names" {
  type = list(string)
}
variable "enabled" {
  type = bool
}
variable "count_of" {
  type = number
}
variable "text" {
  type = string
}
variable "settings" {
  type = object({ tier = optional(string, "Standard"), zones = optional(list(number)) })
}
variable "broken" {
  type = map(string)
}
""",
        {
            "TF_VAR_names": '["a", "b"]',
            "TF_VAR_enabled": "true",
            "TF_VAR_count_of": "3",
            "TF_VAR_text": '["not", "parsed"]',
            "TF_VAR_broken": "{ a = ",
        },
        ["settings={}"],
    )
    assert values["names"].plain() == ["a", "b"]
    assert values["enabled"].plain() is True
    assert values["count_of"].plain() == 3
    assert values["text"].plain() == '["not", "parsed"]'
    assert values["settings"].plain() == {"tier": "Standard", "zones": None}
    assert isinstance(values["broken"], Unknown) and "TF_VAR_broken" in values["broken"].reason


def test_optional_defaults_apply_inside_collections(tmp_path: Path) -> None:
    values = module_values(
        tmp_path,
        """
variable "pools" {
  type = map(object({ os_sku = optional(string, "Ubuntu"), vm_size = string }))
  default = { system = { vm_size = "Standard_D4s_v5" } }
}
""",
        {},
    )
    assert values["pools"].plain() == {"system": {"os_sku": "Ubuntu", "vm_size": "Standard_D4s_v5"}}


def test_json_variable_file_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "prod.tfvars.json").write_text('{\n  "region": "northeurope",\n  "zones": [1, 2]\n}\n')
    values = module_values(
        tmp_path,
        'variable "region" {\n  default = "westeurope"\n}\nvariable "zones" {\n  type = list(number)\n}\n',
        {"TF_VAR_region": "eastus"},
        [tmp_path / "prod.tfvars.json"],
    )
    region = values["region"]
    assert region.plain() == "northeurope"
    assert (Path(region.span.file).name, region.span.line) == ("prod.tfvars.json", 2)
    assert values["zones"].plain() == [1, 2]
