"""``dynamic`` blocks with Terraform's semantics: generated blocks are real, unknown ones are unknown."""

from __future__ import annotations

from pathlib import Path

from linter.engine import run
from linter.frontend import LoadContext
from linter.model import Known, Unknown
from linter.options import Options
from linter.terraform.loader import TerraformLoader

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "fixtures" / "dynamic-blocks" / "terraform"


def resource(tmp_path: Path, text: str, tfvars: str | None = None):  # type: ignore[no-untyped-def]
    (tmp_path / "main.tf").write_text(text)
    if tfvars is not None:
        (tmp_path / "terraform.tfvars").write_text(tfvars)
    root = TerraformLoader(LoadContext(environment={})).root(tmp_path)
    assert root is not None
    return next(i for i in root.instances() if i.name == "x")


def plain_attrs(blocks, name: str) -> list:  # type: ignore[no-untyped-def]
    return [b.attr(name).plain() for b in blocks]


def test_list_map_and_object_for_each(tmp_path: Path) -> None:
    inst = resource(
        tmp_path,
        """
locals {
  rules = { web = 80, api = 443 }
}
resource "t" "x" {
  dynamic "from_list" {
    for_each = ["a", "b"]
    content {
      key   = from_list.key
      value = from_list.value
    }
  }
  dynamic "from_map" {
    for_each = local.rules
    content {
      key   = from_map.key
      value = from_map.value
    }
  }
  dynamic "from_object" {
    for_each = { first = { port = 1 }, second = { port = 2 } }
    content {
      port = from_object.value.port
    }
  }
}
""",
    )
    lst = inst.blocks("from_list")
    assert plain_attrs(lst, "key") == [0, 1] and plain_attrs(lst, "value") == ["a", "b"]
    mapped = inst.blocks("from_map")
    assert plain_attrs(mapped, "key") == ["web", "api"] and plain_attrs(mapped, "value") == [80, 443]
    assert plain_attrs(inst.blocks("from_object"), "port") == [1, 2]


def test_set_keys_are_the_values_and_empty_for_each_is_no_block(tmp_path: Path) -> None:
    inst = resource(
        tmp_path,
        """
resource "t" "x" {
  dynamic "zone" {
    for_each = toset(["2", "1", "2"])
    content {
      name = zone.value
    }
  }
  dynamic "none" {
    for_each = []
    content {
      name = "never"
    }
  }
}
""",
    )
    assert plain_attrs(inst.blocks("zone"), "name") == ["1", "2"]
    assert inst.blocks("none") == []


def test_iterator_labels_nesting_and_order_among_literal_blocks(tmp_path: Path) -> None:
    inst = resource(
        tmp_path,
        """
resource "t" "x" {
  rule {
    name = "literal-first"
  }
  dynamic "rule" {
    for_each = { g1 = ["a", "b"], g2 = ["c"] }
    iterator = group
    labels   = ["label-${group.key}"]
    content {
      name = group.key
      dynamic "origin" {
        for_each = group.value
        content {
          host = "${group.key}-${origin.value}"
        }
      }
    }
  }
  rule {
    name = "literal-last"
  }
}
""",
    )
    rules = inst.blocks("rule")
    assert plain_attrs(rules, "name") == ["literal-first", "g1", "g2", "literal-last"]
    assert [r.block.labels for r in rules] == [(), ("label-g1",), ("label-g2",), ()]
    assert plain_attrs(rules[1].blocks("origin"), "host") == ["g1-a", "g1-b"]
    assert plain_attrs(rules[2].blocks("origin"), "host") == ["g2-c"]


def test_generated_block_keeps_positions_inside_content(tmp_path: Path) -> None:
    inst = resource(
        tmp_path,
        """resource "t" "x" {
  dynamic "identity" {
    for_each = var.system ? [1] : []
    content {
      type = "SystemAssigned"
    }
  }
}
variable "system" {
  default = true
}
""",
    )
    (identity,) = inst.blocks("identity")
    assert isinstance(identity.presence, Known)
    assert (identity.span.line, identity.span.column) == (2, 3)  # the dynamic block's header
    value = identity.attr("type")
    assert isinstance(value, Known) and value.value == "SystemAssigned"
    assert (value.span.line, value.span.column) == (5, 7)


def test_unknown_for_each_makes_the_block_unknown_not_absent(tmp_path: Path) -> None:
    inst = resource(
        tmp_path,
        """resource "t" "x" {
  dynamic "identity" {
    for_each = var.identities
    content {
      type = "SystemAssigned"
      nested {
        a = 1
      }
    }
  }
}
variable "identities" {}
""",
    )
    (identity,) = inst.blocks("identity")
    assert isinstance(identity.presence, Unknown)
    assert "for_each" in identity.presence.reason and "identities" in identity.presence.reason
    assert isinstance(identity.attr("type"), Unknown)
    (nested,) = identity.blocks("nested")
    assert isinstance(nested.attr("a"), Unknown)


def fixture_findings(unknown: str = "ignore") -> dict[tuple[str, int, int, str], str]:
    report = run([SCENARIO], Options(unknown=unknown))
    return {
        (Path(f.span.file).relative_to(SCENARIO).as_posix(), f.span.line, f.span.column, f.rule_id): f.address
        for f in report.findings
    }


def test_avm_vault_module_with_and_without_a_system_identity() -> None:
    vaults = {k: v for k, v in fixture_findings().items() if k[3] == "AKSB309"}
    assert vaults == {
        (
            "modules/backup-vault/main.tf",
            3,
            1,
            "AKSB309",
        ): "module.vault_without_identity.azurerm_data_protection_backup_vault.this",
        (
            "modules/backup-vault/main.tf",
            14,
            221,  # the "UserAssigned" the conditional picks
            "AKSB309",
        ): "module.vault_user_assigned.azurerm_data_protection_backup_vault.this",
    }


def test_unknown_dynamic_service_principal_is_named_with_unknown_note() -> None:
    notes = {k: v for k, v in fixture_findings("note").items() if k[3] == "AKSB902"}
    assert notes == {("clusters.tf", 87, 5, "AKSB902"): "azurerm_kubernetes_cluster.undecided"}
