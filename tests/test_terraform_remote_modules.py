"""Remote modules installed by ``terraform init`` (``.terraform/modules/modules.json``)."""

from __future__ import annotations

import json
from pathlib import Path

from linter.frontend import LoadContext
from linter.terraform import load

CALLER = """
module "backup" {
  source  = "%s"
  version = "1.0.0"
  name    = "from-root"
}
"""

REMOTE = """
variable "name" {
  type = string
}
resource "t" "outer" {
  name = var.name
}
module "inner" {
  source = "git::https://example.com/inner.git?ref=v1"
  name   = "${var.name}-inner"
}
"""

INNER = """
variable "name" {
  type = string
}
resource "t" "inner" {
  name = var.name
}
"""


def scan(root: Path):  # type: ignore[no-untyped-def]
    files = sorted(p for p in root.rglob("*.tf") if ".terraform" not in p.parts)
    return load(files, LoadContext(environment={}))


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def initialised(tmp_path: Path, source: str = "contoso/backup/azurerm", recorded: str | None = None) -> Path:
    write(tmp_path / "main.tf", CALLER % source)
    write(tmp_path / ".terraform/modules/backup/main.tf", REMOTE)
    write(tmp_path / ".terraform/modules/backup.inner/main.tf", INNER)
    manifest = {
        "Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {
                "Key": "backup",
                "Source": recorded or f"registry.terraform.io/{source}",
                "Version": "1.0.0",
                "Dir": ".terraform/modules/backup",
            },
            {
                "Key": "backup.inner",
                "Source": "git::https://example.com/inner.git?ref=v1",
                "Dir": ".terraform/modules/backup.inner",
            },
        ]
    }
    write(tmp_path / ".terraform/modules/modules.json", json.dumps(manifest))
    return tmp_path


def test_installed_modules_are_evaluated_with_nested_keys(tmp_path: Path) -> None:
    initialised(tmp_path)
    (tmp_path / ".terraform/modules/backup/main.tf").write_text(
        REMOTE.replace('resource "t" "outer"', 'resource "azurerm_resource_group" "outer"')
    )
    (tmp_path / ".terraform/modules/backup.inner/main.tf").write_text(
        INNER.replace('resource "t" "inner"', 'resource "azurerm_resource_group" "inner"')
    )
    result = scan(tmp_path)
    groups = {
        r.address: (r.attrs["name"].value, Path(r.span.file).relative_to(tmp_path).as_posix())
        for r in result.resources
        if r.kind == "resource_group"
    }
    assert groups == {
        "module.backup.azurerm_resource_group.outer": ("from-root", ".terraform/modules/backup/main.tf"),
        "module.backup.module.inner.azurerm_resource_group.inner": (
            "from-root-inner",
            ".terraform/modules/backup.inner/main.tf",
        ),
    }
    outer = next(r for r in result.resources if r.address.endswith("outer"))
    assert any(s.file.endswith("/main.tf") and ".terraform" not in s.file for s in outer.attrs["name"].via)


def unresolved(result) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {r.address: r.attrs["reason"].value for r in result.resources if r.kind == "unresolved_module"}


def test_without_manifest_the_call_stays_unresolved(tmp_path: Path) -> None:
    write(tmp_path / "main.tf", CALLER % "contoso/backup/azurerm")
    result = scan(tmp_path)
    reasons = unresolved(result)
    assert list(reasons) == ["module.backup"]
    assert "terraform init" in reasons["module.backup"]


def test_manifest_of_another_source_is_out_of_date(tmp_path: Path) -> None:
    result = scan(initialised(tmp_path, recorded="registry.terraform.io/contoso/other/azurerm"))
    reasons = unresolved(result)
    assert list(reasons) == ["module.backup"] and "contoso/other/azurerm" in reasons["module.backup"]


def test_normalised_sources_still_match(tmp_path: Path) -> None:
    recorded = "git::https://github.com/contoso/backup.git"
    result = scan(initialised(tmp_path, source="github.com/contoso/backup", recorded=recorded))
    assert unresolved(result) == {}


def test_call_missing_from_manifest_is_unresolved(tmp_path: Path) -> None:
    initialised(tmp_path)
    (tmp_path / "extra.tf").write_text('module "later" {\n  source = "contoso/later/azurerm"\n}\n')
    reasons = unresolved(scan(tmp_path))
    assert list(reasons) == ["module.later"] and "terraform init" in reasons["module.later"]


def test_broken_manifest_is_a_notification_not_a_crash(tmp_path: Path) -> None:
    initialised(tmp_path)
    (tmp_path / ".terraform/modules/modules.json").write_text("{not json")
    result = scan(tmp_path)
    assert list(unresolved(result)) == ["module.backup"]
    assert [n.level for n in result.notifications] == ["warning"]
    assert "modules.json" in result.notifications[0].message
