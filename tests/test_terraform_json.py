"""Terraform JSON syntax (``.tf.json``, ``.tfvars.json``) and override files, merged into one module."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.discover import classify
from linter.engine import run
from linter.frontend import TERRAFORM, LoadContext
from linter.model import Known, Symbol, Unknown
from linter.options import Options
from linter.terraform.loader import TerraformLoader


def root(tmp_path: Path, files: dict[str, str]):  # type: ignore[no-untyped-def]
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    loader = TerraformLoader(LoadContext(environment={}))
    module = loader.root(tmp_path)
    assert module is not None
    return module, loader


def instance(module, name: str):  # type: ignore[no-untyped-def]
    return next(i for i in module.instances() if i.name == name)


def test_json_files_are_terraform() -> None:
    for name in ("main.tf.json", "terraform.tfvars.json", "x.auto.tfvars.json"):
        assert classify(Path(name)) == TERRAFORM


def test_templates_literals_and_positions(tmp_path: Path) -> None:
    module, _ = root(
        tmp_path,
        {
            "main.tf.json": """{
  "locals": {"prefix": "contoso"},
  "resource": {
    "t": {
      "x": {
        "name": "${local.prefix}-aks",
        "whole": "${local.prefix}",
        "quoted": "${lookup({a = \\"b\\"}, \\"a\\")}",
        "escaped": "$${not.a.reference}",
        "number": 3,
        "list": ["a", "${local.prefix}"]
      }
    }
  }
}
"""
        },
    )
    x = instance(module, "x")
    name = x.attr("name")
    assert isinstance(name, Known) and name.value == "contoso-aks"
    assert (name.span.line, name.span.column) == (6, 9)  # the whole "name": ... property
    assert x.attr("whole").plain() == "contoso"
    assert x.attr("quoted").plain() == "b"
    assert x.attr("escaped").plain() == "${not.a.reference}"
    assert x.attr("number").plain() == 3
    items = x.attr("list")
    assert items.plain() == ["a", "contoso"]
    first = items.value[0]
    assert (first.span.line, first.span.column) == (11, 18)


def test_object_properties_are_arguments_and_blocks(tmp_path: Path) -> None:
    """Without the provider schema, ``identity`` and ``tags`` both read as the adapter expects."""
    module, _ = root(
        tmp_path,
        {
            "main.tf.json": """{
  "resource": {
    "azurerm_data_protection_backup_vault": {
      "x": {
        "tags": {"env": "prod"},
        "identity": [{"type": "SystemAssigned"}],
        "//": "a comment, not an argument"
      }
    },
    "r": {
      "y": {
        "principal": "${azurerm_data_protection_backup_vault.x.identity[0].principal_id}",
        "env": "${azurerm_data_protection_backup_vault.x.tags.env}"
      }
    }
  }
}
"""
        },
    )
    vault = instance(module, "x")
    assert vault.attr("tags").plain() == {"env": "prod"}
    (identity,) = vault.blocks("identity")
    assert identity.attr("type").plain() == "SystemAssigned"
    assert "//" not in vault.block.body.attributes
    reader = instance(module, "y")
    principal = reader.attr("principal")
    assert isinstance(principal, Known) and isinstance(principal.value, Symbol)
    assert principal.value.name.endswith("azurerm_data_protection_backup_vault.x.identity[0].principal_id")
    assert reader.attr("env").plain() == "prod"


def test_dynamic_blocks_in_json_syntax(tmp_path: Path) -> None:
    module, _ = root(
        tmp_path,
        {
            "main.tf.json": """{
  "resource": {
    "t": {
      "x": {
        "dynamic": {
          "rule": {
            "for_each": ["a", "b"],
            "iterator": "r",
            "content": {"name": "${r.value}"}
          }
        }
      }
    }
  }
}
"""
        },
    )
    rules = instance(module, "x").blocks("rule")
    assert [r.attr("name").plain() for r in rules] == ["a", "b"]


def test_variables_types_defaults_and_tfvars_json_mix_with_hcl(tmp_path: Path) -> None:
    module, _ = root(
        tmp_path,
        {
            "variables.tf.json": """{
  "variable": {
    "identities": {
      "type": "object({system_assigned = optional(bool, false)})",
      "default": {}
    },
    "literal": {"default": "${not.a.template}"},
    "location": {"type": "string"}
  }
}
""",
            "terraform.tfvars.json": '{"location": "westeurope"}\n',
            "main.tf": """resource "t" "x" {
  system   = var.identities.system_assigned
  literal  = var.literal
  location = var.location
}
""",
        },
    )
    x = instance(module, "x")
    assert x.attr("system").plain() is False
    assert x.attr("literal").plain() == "${not.a.template}"
    location = x.attr("location")
    assert location.plain() == "westeurope"
    assert any(s.file.endswith("terraform.tfvars.json") for s in location.via)


def test_override_files_merge_in_lexical_order(tmp_path: Path) -> None:
    module, _ = root(
        tmp_path,
        {
            "main.tf": """terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = "~> 3.0" }
    azapi   = { source = "azure/azapi", version = "~> 1.0" }
  }
}
locals {
  a = 1
  b = 2
}
resource "t" "x" {
  kept  = "base"
  value = "base"
  rule {
    n = 1
  }
  rule {
    n = 2
  }
  other {
    n = 3
  }
}
""",
            "override.tf": """resource "t" "x" {
  value = "hcl-override"
  rule {
    n = 9
  }
}
locals {
  b = 20
}
""",
            "z_override.tf.json": """{
  "resource": {"t": {"x": {"value": "json-override"}}},
  "terraform": {"required_providers": {"azurerm": {"source": "hashicorp/azurerm", "version": ">= 4.21.0"}}}
}
""",
        },
    )
    x = instance(module, "x")
    assert x.attr("kept").plain() == "base"
    assert x.attr("value").plain() == "json-override"
    assert [b.attr("n").plain() for b in x.blocks("rule")] == [9]
    assert [b.attr("n").plain() for b in x.blocks("other")] == [3]
    assert module.lookup("local", x.block.span).value.get("b", x.block.span).plain() == 20
    (terraform,) = module.source.terraform_blocks
    (providers,) = terraform.body.blocks_of("required_providers")
    assert set(providers.body.attributes) == {"azurerm", "azapi"}
    assert "4.21.0" in str(providers.body.attributes["azurerm"].expr)


def test_broken_json_is_one_parse_error_with_position(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text('{\n  "resource": {\n    "t": {"x": {"a": 1 "b": 2}}\n  }\n}\n')
    (tmp_path / "template.tf.json").write_text('{\n  "locals": {"a": "${var.}"}\n}\n')
    report = run([tmp_path], Options())
    errors = sorted((Path(f.span.file).name, f.span.line, f.span.column, f.rule_id) for f in report.findings)
    assert errors == [("main.tf.json", 3, 24, "AKSB000"), ("template.tf.json", 2, 19, "AKSB000")]


def test_unknown_reference_in_json_stays_unknown(tmp_path: Path) -> None:
    module, _ = root(tmp_path, {"main.tf.json": '{"resource": {"t": {"x": {"a": "${var.nope}"}}}}\n'})
    assert isinstance(instance(module, "x").attr("a"), Unknown)


# --- robustness: any JSON shape is a parse error or a module, never a crash -------------------

JSON_VALUES = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.sampled_from(["x", "${var.a}", "${", "%{ if", "$${x}"])
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                ["resource", "variable", "locals", "module", "dynamic", "content", "t", "x", "//"]
            ),
            inner,
            max_size=3,
        ),
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON_VALUES)
def test_any_json_shape_is_a_module_or_a_parse_error(value: object) -> None:
    from linter.terraform.hcl import HclError
    from linter.terraform.tfjson import parse_json

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "main.tf.json"
        path.write_text(json.dumps(value))
        try:
            parse_json(path, path.read_text())
        except HclError as e:
            assert e.line >= 1 and e.column >= 1
        report = run([Path(tmp)], Options())
        assert not report.tool_error
        assert [n for n in report.notifications if n.level == "error"] == []
