"""The Terraform evaluator: known values with their spans, unknown values with reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.frontend import LoadContext
from linter.model import Known, Symbol, Unknown
from linter.terraform import load
from linter.terraform.loader import TerraformLoader


def module(tmp_path: Path, text: str, tfvars: str | None = None):  # type: ignore[no-untyped-def]
    (tmp_path / "main.tf").write_text(text)
    if tfvars is not None:
        (tmp_path / "terraform.tfvars").write_text(tfvars)
    loader = TerraformLoader(LoadContext())
    root = loader.root(tmp_path)
    assert root is not None
    return root, loader


def attr(tmp_path: Path, text: str, name: str, tfvars: str | None = None):  # type: ignore[no-untyped-def]
    root, _ = module(tmp_path, text, tfvars)
    inst = next(i for i in root.instances() if i.name == "x")
    return inst.attr(name)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('lower("WestEurope")', "westeurope"),
        ('upper(format("%s-%d", "a", 3))', "A-3"),
        ('lookup({ a = "1" }, "b", "d")', "d"),
        ('merge({ a = 1 }, { b = 2 })["b"]', 2),
        ('try({ a = 1 }.b, "fallback")', "fallback"),
        ('try({ a = 1 }["z"], "fallback")', "fallback"),
        ('coalesce("", "x")', "x"),
        ('join("-", concat(["a"], ["b"]))', "a-b"),
        ('element(["a", "b", "c"], 4)', "b"),
        ('replace("a.b.c", ".", "-")', "a-b-c"),
        ("tostring(5)", "5"),
        ('length(tolist(toset(["a", "a", "b"])))', 2),
        ("true ? 1 : 2", 1),
        ("1 + 2 * 3 == 7 && !false", True),
        ('"${local.p}-aks"', "contoso-aks"),
        ('[for s in ["a", "b"] : upper(s) if s != "b"][0]', "A"),
        ('{ for k, v in { a = 1 } : k => v * 2 }["a"]', 2),
    ],
)
def test_known_expressions(tmp_path: Path, expr: str, expected: object) -> None:
    text = f'locals {{ p = "contoso" }}\nresource "t" "x" {{\n  v = {expr}\n}}\n'
    value = attr(tmp_path, text, "v")
    assert isinstance(value, Known), value
    assert value.plain() == expected


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("var.nodefault", "no default"),
        ("data.azurerm_client_config.c.subscription_id", "data sources"),
        ("timestamp()", "timestamp() is not evaluated"),
        ('"${var.nodefault}-x"', "no default"),
        ("var.nodefault ? 1 : 2", "unknown value"),
    ],
)
def test_unknown_expressions(tmp_path: Path, expr: str, reason: str) -> None:
    text = f'variable "nodefault" {{}}\nresource "t" "x" {{\n  v = {expr}\n}}\n'
    value = attr(tmp_path, text, "v")
    assert isinstance(value, Unknown)
    assert reason in value.reason


def test_value_keeps_attribute_span_and_tfvars_origin(tmp_path: Path) -> None:
    text = (
        'variable "location" {\n  default = "eastus"\n}\nresource "t" "x" {\n  location = var.location\n}\n'
    )
    value = attr(tmp_path, text, "location", tfvars='location = "westeurope"\n')
    assert isinstance(value, Known) and value.value == "westeurope"
    assert (value.span.line, value.span.column) == (5, 3)
    assert [(Path(v.file).name, v.line) for v in value.via] == [("terraform.tfvars", 1)]


def test_references_to_configured_and_computed_attributes(tmp_path: Path) -> None:
    text = (
        'resource "azurerm_resource_group" "rg" {\n  location = "uksouth"\n}\n'
        'resource "t" "x" {\n  loc = azurerm_resource_group.rg.location\n  id = azurerm_resource_group.rg.id\n}\n'
    )
    root, _ = module(tmp_path, text)
    inst = next(i for i in root.instances() if i.name == "x")
    assert inst.attr("loc").plain() == "uksouth"
    ident = inst.attr("id")
    assert isinstance(ident, Known) and isinstance(ident.value, Symbol)
    assert ident.value.name.endswith("#azurerm_resource_group.rg.id")


def test_count_and_for_each_expand(tmp_path: Path) -> None:
    text = (
        'resource "t" "c" {\n  count = 2\n  n = count.index\n}\n'
        'resource "t" "e" {\n  for_each = { a = "x", b = "y" }\n  n = "${each.key}=${each.value}"\n}\n'
        'variable "on" {}\nresource "t" "u" {\n  count = var.on ? 1 : 0\n}\n'
    )
    root, _ = module(tmp_path, text)
    by_address = {i.address: i for i in root.instances()}
    assert by_address["t.c[1]"].attr("n").plain() == 1
    assert by_address['t.e["b"]'].attr("n").plain() == "b=y"
    unknown = by_address["t.u[0]"]
    assert isinstance(unknown.condition, Unknown)


def test_local_module_inputs_and_outputs(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text(
        'variable "region" {}\nresource "t" "inner" {\n  location = var.region\n}\noutput "where" {\n  value = var.region\n}\n'
    )
    text = 'module "m" {\n  source = "./mod"\n  region = "norwayeast"\n}\nresource "t" "x" {\n  v = module.m.where\n}\n'
    root, _ = module(tmp_path, text)
    instances = {i.address: i for i in root.instances()}
    assert instances["module.m.t.inner"].attr("location").plain() == "norwayeast"
    assert instances["t.x"].attr("v").plain() == "norwayeast"


def test_remote_module_is_recorded_as_unresolved(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'module "aks" {\n  source = "Azure/aks/azurerm"\n  version = "9.0.0"\n}\n'
    )
    result = load([tmp_path / "main.tf"], LoadContext())
    assert [r.kind for r in result.resources] == ["unresolved_module"]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('resource "a" "b" {\n  x = = 1\n}\n', 2),
        ('resource "a" "b" {\n  x = 1\n', 1),  # an unclosed block: where it opens
        ('x = "unterminated\n', 1),
    ],
)
def test_syntax_errors_become_aksb000(tmp_path: Path, text: str, line: int) -> None:
    (tmp_path / "main.tf").write_text(text)
    result = load([tmp_path / "main.tf"], LoadContext())
    assert [(d.rule_id, d.span.line) for d in result.diagnostics] == [("AKSB000", line)]


def test_binary_and_non_utf8_files_are_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "bin.tf").write_bytes(b"\x00\x01\x02resource")
    (tmp_path / "latin.tf").write_bytes('x = "caf\xe9"\n'.encode("latin-1"))
    (tmp_path / "ok.tf").write_text('resource "a" "b" {}\n')
    files = sorted(tmp_path.glob("*.tf"))
    result = load(files, LoadContext())
    messages = sorted(
        (Path(d.span.file).name, d.message.split(" (")[0].split(":")[0]) for d in result.diagnostics
    )
    assert messages == [("bin.tf", "binary file"), ("latin.tf", "not valid UTF-8")]


def test_self_referencing_locals_and_modules_do_not_loop(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'locals {\n  a = local.b\n  b = local.a\n}\nmodule "me" {\n  source = "./"\n}\nresource "t" "x" {\n  v = local.a\n}\n'
    )
    root, _ = module(tmp_path, (tmp_path / "main.tf").read_text())
    inst = next(i for i in root.instances() if i.name == "x")
    assert isinstance(inst.attr("v"), Unknown)


def test_a_utf16_tf_file_is_a_parse_error_because_terraform_reads_only_utf8(tmp_path: Path) -> None:
    """Kubernetes manifests may be UTF-16 with a BOM; Terraform refuses such a file, so we say so."""
    (tmp_path / "main.tf").write_bytes('resource "a" "b" {}\n'.encode("utf-16"))
    result = load([tmp_path / "main.tf"], LoadContext())
    assert [(d.rule_id, d.span.line, d.severity.value) for d in result.diagnostics] == [
        ("AKSB000", 1, "error")
    ]
    assert "Terraform reads only UTF-8" in result.diagnostics[0].message


def test_functions_that_move_values_keep_where_they_are_written(tmp_path: Path) -> None:
    """concat/merge/lookup/element/flatten/one/tolist pass each value through with its own
    position, so a finding points at the literal, not at the function call."""
    (tmp_path / "main.tf").write_text(
        "locals {\n"
        '  base  = ["R/2024-01-01T00:00:00+00:00/PT4H"]\n'
        '  extra = { weekly = ["R/2024-01-01T00:00:00+00:00/P1W"] }\n'
        "}\n"
        'resource "azurerm_data_protection_backup_policy_kubernetes_cluster" "p" {\n'
        '  name                            = "p"\n'
        '  resource_group_name             = "rg"\n'
        '  vault_name                      = "v"\n'
        '  backup_repeating_time_intervals = tolist(flatten(concat(local.base, [one(lookup(merge({}, local.extra), "weekly", []))])))\n'
        "}\n"
    )
    from linter.engine import run
    from linter.options import Options

    report = run([tmp_path], Options(select=["AKSB401"]))
    assert [(Path(f.span.file).name, f.span.line) for f in report.active] == [("main.tf", 3)]
