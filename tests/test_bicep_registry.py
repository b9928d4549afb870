"""Registry modules (``br:``, ``br/alias:``, ``ts:``) read from the local Bicep module cache.

The cache layout and the tag encoding are the Bicep CLI's (``OciArtifactRegistry``,
``TagEncoder``, ``TemplateSpecModuleArtifact``); the expected tag encodings are the CLI's own
unit-test rows (``Bicep.Core.UnitTests/Registry/TagEncoderTests.cs``). Every test uses a cache
under ``tmp_path``; the real home directory is never read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linter import kinds
from linter.bicep import load
from linter.bicep.registry import BicepConfig, ConfigFinder, encode_tag, resolve
from linter.engine import run
from linter.frontend import LoadContext
from linter.model import Known
from linter.options import Options

MAX_TAG = (
    "abcdefghijklmnopqrstuvxyz0123456789._-._-._-._-ABCDEFGHIJKLMNOPQRSTUVXYZ0123456789._-._-._-._-"
    "abcdefghijklmnopqrstuvxyz012345678"
)


@pytest.mark.parametrize(
    ("tag", "encoded"),
    [
        ("", "$"),
        ("v1", "v1$"),
        ("V1", "V1$1"),
        ("AbCd", "AbCd$5"),
        ("ABCDABCDABCDABCDAB", "ABCDABCDABCDABCDAB$3ffff"),
        ("ABCDABCDABCDABCDABCDABCDABCDABCDAbC", "ABCDABCDABCDABCDABCDABCDABCDABCDAbC$5ffffffff"),
        (MAX_TAG, MAX_TAG + "$ffffff800000000000"),
    ],
)
def test_tags_are_encoded_as_the_cli_does(tag: str, encoded: str) -> None:
    assert encode_tag(tag) == encoded


def config(root: Path, **aliases: dict[str, str]) -> BicepConfig:
    return BicepConfig(
        root,
        {
            "br": {"public": {"registry": "mcr.microsoft.com", "modulePath": "bicep"}, **aliases},
            "ts": {
                "prod": {"subscription": "00000000-0000-0000-0000-000000000001", "resourceGroup": "Specs"}
            },
        },
    )


@pytest.mark.parametrize(
    ("reference", "relative"),
    [
        (
            "br/public:avm/res/storage/storage-account:0.9.0",
            "br/mcr.microsoft.com/bicep$avm$res$storage$storage-account/0.9.0$",
        ),
        ("br:Contoso.azurecr.io:5000/infra/Vault:V2", "br/contoso.azurecr.io$5000/infra$Vault/V2$1"),
        ("br:contoso.azurecr.io/vault@sha256:0123abcd", "br/contoso.azurecr.io/vault/sha256#0123abcd"),
        ("br/team:vault:1.0", "br/contoso.azurecr.io/team$vault/1.0$"),
        (
            "ts:00000000-0000-0000-0000-000000000001/Specs/Vault:V1",
            "ts/00000000-0000-0000-0000-000000000001/specs/vault/v1",
        ),
        ("ts/prod:Vault:V1", "ts/00000000-0000-0000-0000-000000000001/specs/vault/v1"),
    ],
)
def test_references_map_to_the_cache_layout(tmp_path: Path, reference: str, relative: str) -> None:
    entry = resolve(
        reference, config(tmp_path, team={"registry": "contoso.azurecr.io", "modulePath": "team"})
    )
    assert not isinstance(entry, str), entry
    assert entry.path == tmp_path / relative / "main.json"
    assert entry.template_spec == reference.startswith("ts")


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("br/nope:x:1", "module alias 'br/nope' is not defined"),
        ("br:contoso.azurecr.io/vault", "has no tag"),
        ("ts/none:x:1", "template spec alias 'ts/none' is not defined"),
        ("ts:sub/only:1", "is not a template spec reference"),
    ],
)
def test_bad_references_say_why(tmp_path: Path, reference: str, reason: str) -> None:
    result = resolve(reference, config(tmp_path))
    assert isinstance(result, str) and reason in result


def test_bicepconfig_cache_root_aliases_and_extends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "base.json").write_text(
        '{\n  // JSONC, as the CLI accepts\n  "moduleAliases": {"br": {"team": {"registry": "x.azurecr.io"}}}\n}\n'
    )
    project = tmp_path / "project"
    (project / "infra").mkdir(parents=True)
    (project / "bicepconfig.json").write_text(
        json.dumps({"extends": "../base.json", "cacheRootDirectory": "~/custom-cache"})
    )
    found = ConfigFinder().for_file(project / "infra" / "main.bicep")
    assert found.cache_root == tmp_path / "home" / "custom-cache"
    assert found.aliases["br"]["team"] == {"registry": "x.azurecr.io"}
    assert found.aliases["br"]["public"]["registry"] == "mcr.microsoft.com"  # built in, still there
    (project / "bicepconfig.json").write_text(json.dumps({"cacheRootDirectory": "relative/cache"}))
    relative = ConfigFinder().for_file(project / "infra" / "main.bicep")
    assert relative.cache_root == tmp_path / "home" / ".bicep" and "not an absolute path" in relative.problem
    (project / "bicepconfig.json").unlink()
    assert (
        ConfigFinder().for_file(project / "infra" / "main.bicep").cache_root == tmp_path / "home" / ".bicep"
    )


VAULT_MODULE = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "languageVersion": "2.0",
    "contentVersion": "1.0.0.0",
    "parameters": {
        "name": {"type": "string"},
        "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
    },
    "resources": {
        "vault": {
            "type": "Microsoft.DataProtection/backupVaults",
            "apiVersion": "2024-04-01",
            "name": "[parameters('name')]",
            "location": "[parameters('location')]",
            "identity": {"type": "SystemAssigned"},
            "properties": {"storageSettings": [{"datastoreType": "VaultStore", "type": "LocallyRedundant"}]},
        }
    },
    "outputs": {
        "id": {
            "type": "string",
            "value": "[resourceId('Microsoft.DataProtection/backupVaults', parameters('name'))]",
        }
    },
}

CALLER = """module vault 'br/public:avm/res/data-protection/backup-vault:0.1.0' = {
  params: {
    name: 'vault-prod'
    location: 'North Europe'
  }
}

module spec 'ts:00000000-0000-0000-0000-000000000001/specs/vault:v1' = {
  params: {
    name: 'vault-spec'
  }
}

module missing 'br/public:avm/res/data-protection/backup-vault:9.9.9' = {
  params: {
    name: 'never'
  }
}

output vaultId string = vault.outputs.id
"""


def write_cache(home: Path) -> None:
    oci = (
        home / ".bicep" / "br" / "mcr.microsoft.com" / "bicep$avm$res$data-protection$backup-vault" / "0.1.0$"
    )
    oci.mkdir(parents=True)
    (oci / "main.json").write_text(json.dumps(VAULT_MODULE, indent=2))
    spec = home / ".bicep" / "ts" / "00000000-0000-0000-0000-000000000001" / "specs" / "vault" / "v1"
    spec.mkdir(parents=True)
    (spec / "main.json").write_text(json.dumps({"id": "/x", "properties": {"mainTemplate": VAULT_MODULE}}))


def test_cached_modules_are_evaluated_with_the_callers_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    write_cache(home)
    monkeypatch.setenv("HOME", str(home))
    (tmp_path / "main.bicep").write_text(CALLER)
    result = load([tmp_path / "main.bicep"], LoadContext())
    assert not result.diagnostics
    vaults = {r.address: r for r in result.resources if r.kind == kinds.BACKUP_VAULT}
    assert set(vaults) == {"module.vault.vault", "module.spec.vault"}
    oci = vaults["module.vault.vault"]
    location = oci.attr("location")
    assert isinstance(location, Known) and location.value == "northeurope"
    # located in the caller, where a fix is made: the parameter value, and the call for the rest
    assert location.span is not None and (location.span.file, location.span.line) == (
        str(tmp_path / "main.bicep"),
        4,
    )
    assert (oci.span.file, oci.span.line) == (str(tmp_path / "main.bicep"), 1)
    assert all(s.file == str(tmp_path / "main.bicep") for s in location.via)
    assert oci.module_call == "module.vault"
    spec = vaults["module.spec.vault"]
    assert spec.attr("name").value == "vault-spec"  # type: ignore[union-attr]
    assert (spec.span.line, spec.attr("location").span.line) == (8, 8)  # type: ignore[union-attr]
    [unresolved] = [r for r in result.resources if r.kind == "unresolved_module"]
    assert unresolved.address == "module.missing" and unresolved.span.line == 14
    assert "bicep restore" in unresolved.attr("reason").value  # type: ignore[union-attr]


def test_without_the_cache_registry_modules_stay_unresolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "empty-home"))
    (tmp_path / "main.bicep").write_text(CALLER)
    result = load([tmp_path / "main.bicep"], LoadContext())
    assert not result.diagnostics
    assert sorted(r.address for r in result.resources) == ["module.missing", "module.spec", "module.vault"]
    assert {r.kind for r in result.resources} == {"unresolved_module"}


def test_fixture_registry_module_is_found_only_in_its_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The modern-syntax fixture's vault is in the wrong region: seen with the fixture's module
    cache, unknown (so silent) without it."""
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "modern-syntax" / "bicep"
    monkeypatch.setenv("AKS_BACKUP_LINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "empty-home"))
    without = {f.rule_id for f in run([fixture], Options()).findings}
    monkeypatch.setenv("HOME", str(fixture))
    with_cache = {f.rule_id for f in run([fixture], Options()).findings}
    assert "AKSB101" in with_cache and "AKSB101" not in without
    assert with_cache - without == {"AKSB101"}
