"""Bicep front end: translation (spans, identifiers, precedence), modules, .bicepparam, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from linter import kinds
from linter.bicep import load
from linter.engine import exit_code, run
from linter.frontend import LoadContext
from linter.graph import Resource
from linter.model import Known, Severity, Symbol, Unknown
from linter.options import Options


def load_files(tmp_path: Path, files: dict[str, str], ctx: LoadContext | None = None):  # type: ignore[no-untyped-def]
    paths = []
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        paths.append(p)
    return load(paths, ctx or LoadContext())


def only(resources: list[Resource], kind: str) -> Resource:
    found = [r for r in resources if r.kind == kind]
    assert len(found) == 1, found
    return found[0]


VAULT = """
param location string = 'West Europe'
var vaultName = 'vault'

resource vault 'Microsoft.DataProtection/backupVaults@2023-01-01' = {
  name: vaultName
  location: location
  identity: {
    type: 'SystemAssigned'
  }
}
"""


def test_identifiers_literals_and_spans(tmp_path: Path) -> None:
    result = load_files(tmp_path, {"main.bicep": VAULT})
    assert not result.diagnostics
    vault = only(result.resources, kinds.BACKUP_VAULT)
    assert vault.address == "vault" and vault.span.line == 5
    assert vault.attr("name").value == "vault"  # type: ignore[union-attr]
    location = vault.attr("location")
    assert isinstance(location, Known) and location.value == "westeurope"
    assert location.span is not None and (location.span.line, location.span.column) == (7, 3)
    assert location.via and location.via[0].line == 2  # the parameter default


def test_precedence_interpolation_and_escapes(tmp_path: Path) -> None:
    text = """
param pools array = [
  'a'
]
param prefix string = 'p'
var kind = length(pools) > 0 ? 'StorageV2' : 'Storage'
var os = !empty(pools) ? 'Linux' : 'Windows'
var settings = {}
var fallback = settings.?tier ?? 'Standard'

resource sa 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  name: '${prefix}sa\\'x'
  location: 'westeurope'
  kind: kind
  sku: {
    name: '${fallback}_LRS'
  }
  tags: {
    os: os
  }
}
"""
    result = load_files(tmp_path, {"main.bicep": text})
    assert not result.diagnostics, [d.message for d in result.diagnostics]
    sa = only(result.resources, kinds.STORAGE_ACCOUNT)
    assert sa.attr("name").value == "psa'x"  # type: ignore[union-attr]
    assert sa.attr("account_kind").value == "StorageV2"  # type: ignore[union-attr]
    assert sa.attr("sku_name").value == "Standard_LRS"  # type: ignore[union-attr]


def test_loops_conditions_parent_scope_and_principals(tmp_path: Path) -> None:
    text = """
param deploy bool
param names array = [
  'one'
  'two'
]

resource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' = {
  name: 'aks'
  location: resourceGroup().location
  identity: {
    type: 'SystemAssigned'
  }
}

resource pools 'Microsoft.ContainerService/managedClusters/agentPools@2024-02-01' = [for (n, i) in names: {
  parent: aks
  name: '${n}${i}'
  properties: {
    vmSize: 'Standard_D4s_v5'
  }
}]

resource ext 'Microsoft.KubernetesConfiguration/extensions@2023-05-01' = if (deploy) {
  name: 'backup'
  scope: aks
  properties: {
    extensionType: 'microsoft.dataprotection.kubernetes'
  }
}

resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(aks.id)
  scope: aks
  properties: {
    roleDefinitionId: 'r'
    principalId: ext.properties.aksAssignedIdentity.principalId
  }
}
"""
    result = load_files(tmp_path, {"main.bicep": text})
    assert not result.diagnostics, [d.message for d in result.diagnostics]
    cluster = only(result.resources, kinds.CLUSTER)
    assert cluster.attr("location").value == Symbol("resourceGroup().location")  # type: ignore[union-attr]
    pools = [r for r in result.resources if r.kind == kinds.NODE_POOL]
    assert [p.attr("name").value for p in pools] == ["one0", "two1"]  # type: ignore[union-attr]
    assert {p.refs["cluster"].value.lower() for p in pools} == cluster.ids  # type: ignore[union-attr]
    ext = only(result.resources, kinds.EXTENSION)
    assert isinstance(ext.condition, Unknown)  # 'deploy' has no value
    assert ext.refs["cluster"].value.lower() in cluster.ids  # type: ignore[union-attr]
    ra = only(result.resources, kinds.ROLE_ASSIGNMENT)
    assert ra.attr("principal_id").value == ext.attr("principal_id").value  # type: ignore[union-attr]
    assert ra.refs["scope"].value.lower() in cluster.ids  # type: ignore[union-attr]


def test_local_module_with_params_outputs_and_bicepparam(tmp_path: Path) -> None:
    main = """
param location string

module vaultModule 'modules/vault.bicep' = {
  name: 'vault-module'
  scope: resourceGroup('rg-backup')
  params: {
    location: location
  }
}

resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid('x')
  properties: {
    roleDefinitionId: 'r'
    principalId: vaultModule.outputs.principal
  }
}
"""
    module = VAULT.replace("param location string = 'West Europe'", "param location string") + (
        "\noutput principal string = vault.identity.principalId\n"
    )
    params = "using './main.bicep'\n\nparam location = 'uksouth'\n"
    result = load_files(
        tmp_path, {"main.bicep": main, "modules/vault.bicep": module, "main.bicepparam": params}
    )
    assert not result.diagnostics, [d.message for d in result.diagnostics]
    vault = only(result.resources, kinds.BACKUP_VAULT)  # analysed once, through the module call
    assert vault.span.file.endswith("vault.bicep") and vault.module_call == "module.vaultModule"
    location = vault.attr("location")
    assert isinstance(location, Known) and location.value == "uksouth"
    assert any(s.file.endswith("main.bicepparam") for s in location.via)
    assert any("/resourcegroups/rg-backup/" in str(i) for i in vault.ids)
    ra = only(result.resources, kinds.ROLE_ASSIGNMENT)
    assert ra.attr("principal_id").value == vault.attr("principal_id").value  # type: ignore[union-attr]


def test_registry_module_is_unresolved(tmp_path: Path) -> None:
    text = "module m 'br/public:avm/res/storage/storage-account:0.9.0' = {\n  name: 'm'\n}\n"
    result = load_files(tmp_path, {"main.bicep": text})
    assert [r.kind for r in result.resources] == ["unresolved_module"]


def test_syntax_errors_and_unknown_syntax_and_the_rest_goes_on(tmp_path: Path) -> None:
    """A real syntax error is an AKSB000 error; balanced text the reader does not know (here a
    filtered loop in a variable, which the compiler allows only over resources and modules) is an
    AKSB000 note plus a tool notification; the other files are analysed."""
    unterminated = "var a = {\n  x: 'open\n}\n"
    unbalanced = "resource sa 'Microsoft.Storage/storageAccounts@2023-01-01' = {\n  name: 'x'\n"
    unknown = "param xs array\nvar ys = [for x in xs: if (x > 1) {\n  v: x\n}]\n"
    result = load_files(
        tmp_path, {"a.bicep": unterminated, "b.bicep": unbalanced, "c.bicep": unknown, "d.bicep": VAULT}
    )
    by_file = {Path(d.span.file).name: d for d in result.diagnostics}
    assert sorted(by_file) == ["a.bicep", "b.bicep", "c.bicep"]
    assert all(d.rule_id == "AKSB000" for d in result.diagnostics)
    a, b, c = by_file["a.bicep"], by_file["b.bicep"], by_file["c.bicep"]
    assert (a.severity, a.span.line, a.span.column) == (Severity.ERROR, 2, 6)
    assert "string is never closed" in a.message
    assert (b.severity, b.span.line) == (Severity.ERROR, 3)
    assert "expected '}' to close the object opened at line 1 column 62" in b.message
    assert (c.severity, c.span.line, c.span.column) == (Severity.NOTE, 2, 35)
    assert "cannot read" in c.message and "expected ']' to close the loop" in c.message
    assert [(n.level, n.rule_id, n.span) for n in result.notifications] == [("note", "AKSB000", c.span)]
    assert [r.kind for r in result.resources] == [kinds.BACKUP_VAULT]


def test_unknown_syntax_does_not_fail_the_run_and_can_be_suppressed(tmp_path: Path) -> None:
    (tmp_path / "main.bicep").write_text(
        "// aks-backup-lint: ignore[AKSB000] the compiler accepts this\n"
        "var ys = [for x in [1]: if (x > 1) {\n  v: x\n}]\n"
    )
    (tmp_path / "other.bicep").write_text("var ys = [for x in [1]: if (x > 1) {\n  v: x\n}]\n")
    report = run([tmp_path], Options())
    parse = {Path(f.span.file).name: f for f in report.findings if f.rule_id == "AKSB000"}
    assert parse["main.bicep"].suppression is not None
    assert parse["other.bicep"].suppression is None and parse["other.bicep"].severity == Severity.NOTE
    assert exit_code(report, "error") == 0


def test_bad_bytes_and_empty_files(tmp_path: Path) -> None:
    (tmp_path / "bin.bicep").write_bytes(b"\x00\x01\x02")
    (tmp_path / "empty.bicep").write_text("")
    result = load(sorted(tmp_path.iterdir()), LoadContext())
    assert [Path(d.span.file).name for d in result.diagnostics] == ["bin.bicep"]


def test_a_suppression_above_a_resource_loop_covers_the_loop(tmp_path: Path) -> None:
    """AVM writes loops as '= [' then 'for ...: {' on the next line: the comment covers them."""
    (tmp_path / "main.bicep").write_text(
        "param pools array = [\n  {\n    name: 'win'\n    os: 'Windows'\n  }\n]\n"
        "resource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' = {\n  name: 'aks'\n"
        "  location: 'westeurope'\n  identity: {\n    type: 'SystemAssigned'\n  }\n  properties: {\n"
        "    agentPoolProfiles: [\n      {\n        name: 'sys'\n        vmSize: 'Standard_D4s_v5'\n"
        "        osType: 'Linux'\n      }\n    ]\n  }\n}\n"
        "// aks-backup-lint: ignore[AKSB302] Windows pool for the legacy app\n"
        "resource userPools 'Microsoft.ContainerService/managedClusters/agentPools@2024-02-01' = [\n"
        "  for pool in pools: {\n    parent: aks\n    name: pool.name\n    properties: {\n"
        "      vmSize: 'Standard_D4s_v5'\n      osType: 'Windows'\n    }\n  }\n]\n"
    )
    report = run([tmp_path], Options())
    [finding] = [f for f in report.findings if f.rule_id == "AKSB302"]
    assert finding.span.line == 30  # inside the loop, six lines below the comment
    assert finding.suppression is not None


def test_the_parser_is_imported_only_to_parse() -> None:
    """A warm run reads templates from the cache: importing the front end loads no parser."""
    code = (
        "import sys, linter, linter.bicep, linter.arm; "
        "print(any(m in sys.modules for m in ('pycep', 'lark', 'linter.bicep.parser', 'linter.bicep.lexer')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_suppression_comment_in_bicep(tmp_path: Path) -> None:
    text = """
resource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' = {
  name: 'aks'
  location: 'westeurope'
  properties: {
    // aks-backup-lint: ignore[AKSB301] legacy cluster, migration tracked in JIRA-1
    servicePrincipalProfile: {
      clientId: '11111111-1111-1111-1111-111111111111'
    }
  }
}
"""
    (tmp_path / "main.bicep").write_text(text)
    report = run([tmp_path], Options())
    findings = [f for f in report.findings if f.rule_id == "AKSB301"]
    assert len(findings) == 1 and findings[0].suppression is not None
    assert (findings[0].span.line, findings[0].span.column) == (7, 5)


def test_modern_syntax_and_subscription_scope_modules(tmp_path: Path) -> None:
    """User types, imports, lambdas, functions, multi-line strings, '.?'/'??', decorators, and a
    subscription-scope file that creates a resource group and deploys a looped module into it."""
    main = GNARLY
    module = GNARLY_MODULE
    result = load_files(tmp_path, {"main.bicep": main, "aks.bicep": module})
    assert not result.diagnostics, [d.message for d in result.diagnostics]
    cluster = only(result.resources, kinds.CLUSTER)
    assert cluster.address == "module.aksMod[0].aks"
    assert cluster.attr("resource_group").value == "rg-aks"  # type: ignore[union-attr]
    assert cluster.attr("location").value == "westeurope"  # the declared resource group's region
    assert any("/resourcegroups/rg-aks/" in str(i) for i in cluster.ids)


GNARLY = """targetScope = 'subscription'

metadata description = 'modern syntax'

import { tags } from 'shared.bicep'

@export()
type poolType = {
  name: string
  size: string?
}

@description('pools')
@minLength(1)
param pools poolType[] = [
  {
    name: 'sys'
    size: 'Standard_D4s_v5'
  }
]

@allowed([
  'westeurope'
  'northeurope'
])
param location string = 'westeurope'

func prefixed(name string) string => 'p-${name}'

var names = map(pools, p => p.name)
var multi = '''
line1
line2'''
var maybe = pools[0].?size ?? 'Standard_D2s_v5'
var nested = {
  a: {
    b: [
      1
      2
    ]
  }
}
var idx = nested.a.b[1]
var cond = length(pools) > 1 && location == 'westeurope' || !empty(names)

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-aks'
  location: location
}

module aksMod 'aks.bicep' = [for (pool, i) in pools: {
  name: 'aks-${i}'
  scope: rg
  params: {
    poolName: pool.name
  }
}]

output ids array = [for i in range(0, length(pools)): aksMod[i].outputs.clusterId]
output n int = idx
"""

GNARLY_MODULE = """param poolName string

#disable-next-line no-unused-params
resource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' = {
  name: 'aks-${poolName}'
  location: resourceGroup().location
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    agentPoolProfiles: [
      {
        name: poolName
        vmSize: 'Standard_D4s_v5'
      }
    ]
  }
}

output clusterId string = aks.id
"""


def test_module_of_a_broken_file_is_analysed_on_its_own(tmp_path: Path) -> None:
    broken = "module m 'vault.bicep' = {\n  name: 'm'\n  params: {\n    x: [\n  }\n}\n"
    result = load_files(tmp_path, {"main.bicep": broken, "vault.bicep": VAULT})
    assert [Path(d.span.file).name for d in result.diagnostics] == ["main.bicep"]
    assert only(result.resources, kinds.BACKUP_VAULT).address == "vault"


def test_suppression_above_a_module_call_covers_what_it_creates(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[1] / "fixtures" / "region-mismatch" / "bicep"
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "vault.bicep").write_text((src / "modules" / "vault.bicep").read_text())
    (tmp_path / "main.bicepparam").write_text((src / "main.bicepparam").read_text())
    main = (
        (src / "main.bicep")
        .read_text()
        .replace(
            "module vaultModule",
            "// aks-backup-lint: ignore[AKSB101] DR vault by design\nmodule vaultModule",
            1,
        )
    )
    (tmp_path / "main.bicep").write_text(main)
    report = run([tmp_path], Options())
    by_rule = {f.rule_id: f for f in report.findings}
    # reported where the wrong region is written: the module call's argument in main.bicep
    assert by_rule["AKSB101"].suppression is not None and by_rule["AKSB101"].span.file.endswith("main.bicep")
    assert by_rule["AKSB101"].address == "module.vaultModule.vault"
    assert by_rule["AKSB102"].suppression is None


def test_translations_are_cached_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file read again with the same text takes its translation from the entry store: nothing is
    parsed, and the templates are the ones the parser gave."""
    from linter import cachedb
    from linter.bicep import loader

    src = Path(__file__).resolve().parents[1] / "fixtures" / "region-mismatch" / "bicep"
    files = sorted(p.resolve() for p in src.rglob("*") if p.is_file())
    store = cachedb.CacheDB(tmp_path / "entries.sqlite3")
    cold = loader.BicepFiles(10_000_000, store=store)
    cold.prefetch(files)
    store.save()

    def not_again(path: Path, text: str) -> None:
        raise AssertionError(f"{path} parsed again")

    monkeypatch.setattr(loader, "parse_text", not_again)
    warm = loader.BicepFiles(10_000_000, store=cachedb.CacheDB(tmp_path / "entries.sqlite3"))
    warm.prefetch(files)
    assert len(warm.templates) == len(files) >= 2
    assert warm.templates == cold.templates and warm.problems == cold.problems


def test_pathological_text_is_reported_quickly(tmp_path: Path) -> None:
    """A doubled quote sent pycep's string regex into heavy backtracking; our lexer is linear."""
    import time

    text = (
        "var a = x.b[0].c\nvar b = 'it''s \\'q\\' ${a}x${toLower('Y')}'\nvar c = '''\nmulti\n'''\n"
        "var d = [for x in items(obj): x.key]\nvar e = -1\nvar f = a.?b ?? 'z'\nvar g = mod.outputs.x\n"
        "resource sa 'Microsoft.Storage/storageAccounts@2023-01-01' existing = {\n"
    )
    started = time.perf_counter()
    result = load_files(tmp_path, {"slow.bicep": text * 200, "ok.bicep": VAULT})
    assert time.perf_counter() - started < 5
    assert [(Path(d.span.file).name, d.rule_id, d.severity) for d in result.diagnostics] == [
        ("slow.bicep", "AKSB000", Severity.ERROR)
    ]
    assert (result.diagnostics[0].span.line, result.diagnostics[0].span.column) == (2, 13)
    assert "expected a new line after the var declaration but found a string" in result.diagnostics[0].message
    assert [r.kind for r in result.resources] == [kinds.BACKUP_VAULT]
