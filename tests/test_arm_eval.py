"""ARM expressions and template features, asserted on the canonical resources they produce."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from linter import kinds
from linter.arm import load
from linter.arm.evaluate import Frame, Scope, default_deployment, eval_expr
from linter.arm.expr import parse
from linter.arm.values import Unk
from linter.frontend import LoadContext
from linter.graph import Resource, ResourceGraph
from linter.link import link
from linter.model import Known, Symbol, Unknown

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def ev(text: str, **params: Any) -> Any:
    """Evaluate one ARM expression with parameters given as defaults."""
    frame = Frame("t.json", default_deployment({}))
    from linter.arm.evaluate import Param

    for name, value in params.items():
        frame.params[name.lower()] = Param(name, {"defaultValue": value}, None, has_default=True)
    return eval_expr(parse(text), Scope(frame))


def template(
    resources: Any, parameters: dict | None = None, variables: dict | None = None, **extra: Any
) -> dict:
    doc: dict[str, Any] = {"$schema": SCHEMA, "contentVersion": "1.0.0.0", **extra}
    doc["parameters"] = parameters or {}
    if variables:
        doc["variables"] = variables
    doc["resources"] = resources
    return doc


def load_docs(tmp_path: Path, files: dict[str, Any], ctx: LoadContext | None = None) -> list[Resource]:
    paths = []
    for name, doc in files.items():
        p = tmp_path / name
        p.write_text(json.dumps(doc, indent=2) if not isinstance(doc, str) else doc)
        paths.append(p)
    result = load(paths, ctx or LoadContext())
    assert not result.diagnostics, [d.message for d in result.diagnostics]
    return result.resources


def of_kind(resources: list[Resource], kind: str) -> list[Resource]:
    return [r for r in resources if r.kind == kind]


# --- expressions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[concat('a', 'b', string(1))]", "ab1"),
        ("[format('{0}-{1}', 'x', 2)]", "x-2"),
        ("[toLower('AbC')]", "abc"),
        ("[toUpper('abc')]", "ABC"),
        ("[replace('a-b', '-', '_')]", "a_b"),
        ("[split('a,b', ',')[1]]", "b"),
        ("[substring('hello', 1, 3)]", "ell"),
        ("[length(createArray(1, 2, 3))]", 3),
        ("[union(createObject('a', 1), createObject('b', 2)).b]", 2),
        ("[coalesce(null(), 'x')]", "x"),
        ("[contains(createArray('a'), 'a')]", True),
        ("[empty('')]", True),
        ("[first(createArray('p', 'q'))]", "p"),
        ("[last(createArray('p', 'q'))]", "q"),
        ("[int('42')]", 42),
        ("[bool('true')]", True),
        ("[json('{\"a\": [1]}').a[0]]", 1),
        ("[if(equals(1, 1), 'yes', 'no')]", "yes"),
        ("[and(true(), not(false()))]", True),
        ("[or(false(), equals('a', 'b'))]", False),
        ("[createObject('k', 'v')['k']]", "v"),
        ("[string(true())]", "True"),
        ("[concat(createArray(1), createArray(2))]", [1, 2]),
    ],
)
def test_functions(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_parameters_and_literal_escape() -> None:
    assert ev("[parameters('name')]", name="aks") == "aks"
    assert ev("[concat('[', 'x')]") == "[x"


def test_runtime_functions_are_unknown_with_the_expression_named() -> None:
    value = ev(
        "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa'), '2023-01-01').keys[0].value]"
    )
    assert isinstance(value, Unk) and "listKeys" in value.reason
    assert isinstance(ev("[utcNow()]"), Unk)


def test_parameter_without_default_is_unknown() -> None:
    frame = Frame("t.json", default_deployment({}))
    from linter.arm.evaluate import Param

    frame.params["location"] = Param("location", {"type": "string"}, None)
    value = eval_expr(parse("[toLower(parameters('location'))]"), Scope(frame))
    assert isinstance(value, Unk) and "location" in value.reason


def test_deployment_context_is_symbolic_and_can_be_configured() -> None:
    assert ev("[resourceGroup().location]") == Symbol("resourceGroup().location")
    assert ev("[toLower(resourceGroup().location)]") == Symbol("resourceGroup().location")
    frame = Frame("t.json", default_deployment({"resourceGroup.location": "West Europe"}))
    assert eval_expr(parse("[resourceGroup().location]"), Scope(frame)) == "westeurope"


def test_resource_ids_and_unique_names_are_deterministic() -> None:
    rid = ev("[resourceId('Microsoft.ContainerService/managedClusters', 'aks')]")
    assert rid.endswith("/providers/Microsoft.ContainerService/managedClusters/aks")
    assert rid.startswith(
        "/subscriptions/<subscription().subscriptionId>/resourceGroups/<resourceGroup().name>"
    )
    child = ev("[resourceId('Microsoft.DataProtection/backupVaults/backupPolicies', 'v', 'p')]")
    assert child.endswith("backupVaults/v/backupPolicies/p")
    assert ev("[uniqueString(resourceGroup().id)]") == ev("[uniqueString(resourceGroup().id)]")
    assert ev("[guid('a', 'b')]") != ev("[guid('a', 'c')]")
    ext = ev(
        "[extensionResourceId(resourceId('Microsoft.ContainerService/managedClusters', 'aks'), 'Microsoft.KubernetesConfiguration/extensions', 'bk')]"
    )
    assert ext == rid + "/providers/Microsoft.KubernetesConfiguration/extensions/bk"
    assert ev("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'r')]").endswith(
        "/providers/Microsoft.Authorization/roleDefinitions/r"
    )
    assert ev("[tenantResourceId('Microsoft.Management/managementGroups', 'mg')]") == (
        "/providers/Microsoft.Management/managementGroups/mg"
    )


# --- template features --------------------------------------------------------------------------

CLUSTER = {
    "type": "Microsoft.ContainerService/managedClusters",
    "apiVersion": "2024-02-01",
    "name": "aks",
    "location": "[resourceGroup().location]",
    "identity": {"type": "SystemAssigned"},
    "properties": {"agentPoolProfiles": [{"name": "system", "vmSize": "Standard_D4s_v5", "osType": "Linux"}]},
}


def vault(name: str = "vault", location: str = "[resourceGroup().location]") -> dict:
    return {
        "type": "Microsoft.DataProtection/backupVaults",
        "apiVersion": "2023-01-01",
        "name": name,
        "location": location,
        "identity": {"type": "SystemAssigned"},
        "properties": {
            "storageSettings": [{"datastoreType": "OperationalStore", "type": "LocallyRedundant"}]
        },
    }


def instance(cluster_id: str) -> dict:
    return {
        "type": "Microsoft.DataProtection/backupVaults/backupInstances",
        "apiVersion": "2023-01-01",
        "name": "vault/bi",
        "properties": {
            "dataSourceInfo": {"resourceID": cluster_id, "resourceLocation": "[resourceGroup().location]"},
            "policyInfo": {
                "policyId": "[resourceId('Microsoft.DataProtection/backupVaults/backupPolicies', 'vault', 'p')]"
            },
        },
    }


def test_resource_group_location_is_the_same_symbol_for_every_resource(tmp_path: Path) -> None:
    resources = load_docs(tmp_path, {"main.json": template([CLUSTER, vault()])})
    (cluster,) = of_kind(resources, kinds.CLUSTER)
    (v,) = of_kind(resources, kinds.BACKUP_VAULT)
    assert isinstance(cluster.attr("location"), Known) and isinstance(v.attr("location"), Known)
    assert cluster.attr("location").value == v.attr("location").value == Symbol("resourceGroup().location")


def test_resource_id_reference_links_to_the_declared_cluster(tmp_path: Path) -> None:
    cid = "[resourceId('Microsoft.ContainerService/managedClusters', parameters('clusterName'))]"
    cluster = {**CLUSTER, "name": "[parameters('clusterName')]"}
    doc = template(
        [cluster, vault(), instance(cid)], {"clusterName": {"type": "string", "defaultValue": "AKS"}}
    )
    resources = load_docs(tmp_path, {"main.json": doc})
    graph = ResourceGraph(resources)
    link(graph)
    (bi,) = of_kind(resources, kinds.BACKUP_INSTANCE)
    assert [r.kind for r in graph.related(bi, "cluster")] == [kinds.CLUSTER]
    assert [r.kind for r in graph.related(bi, "vault")] == [kinds.BACKUP_VAULT]
    pools = of_kind(resources, kinds.NODE_POOL)
    assert graph.related(pools[0], "cluster") == graph.related(bi, "cluster")


def test_copy_condition_and_parameter_file(tmp_path: Path) -> None:
    storage = {
        "type": "Microsoft.Storage/storageAccounts",
        "apiVersion": "2023-01-01",
        "name": "[format('sa{0}', copyIndex(1))]",
        "location": "[parameters('location')]",
        "kind": "StorageV2",
        "sku": {"name": "Standard_LRS"},
        "copy": {"name": "accounts", "count": "[parameters('count')]"},
        "condition": "[parameters('enabled')]",
    }
    doc = template(
        [storage],
        {
            "location": {"type": "string"},
            "count": {"type": "int", "defaultValue": 1},
            "enabled": {"type": "bool"},
        },
    )
    params = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
        "parameters": {"location": {"value": "North Europe"}, "count": {"value": 3}},
    }
    resources = load_docs(tmp_path, {"azuredeploy.json": doc, "azuredeploy.parameters.json": params})
    accounts = of_kind(resources, kinds.STORAGE_ACCOUNT)
    assert [a.attr("name").value for a in accounts] == ["sa1", "sa2", "sa3"]  # type: ignore[union-attr]
    location = accounts[0].attr("location")
    assert isinstance(location, Known) and location.value == "northeurope"
    assert location.via and location.via[0].file.endswith("azuredeploy.parameters.json")
    assert all(isinstance(a.condition, Unknown) for a in accounts)  # 'enabled' has no value


def test_explicit_param_file_option(tmp_path: Path) -> None:
    doc = template([vault(location="[parameters('location')]")], {"location": {"type": "string"}})
    other = tmp_path / "env"
    other.mkdir()
    (other / "prod.json").write_text(json.dumps({"parameters": {"location": {"value": "westus3"}}}))
    (tmp_path / "main.json").write_text(json.dumps(doc))
    ctx = LoadContext(param_files={tmp_path / "main.json": other / "prod.json"})
    result = load([tmp_path / "main.json"], ctx)
    (v,) = of_kind(result.resources, kinds.BACKUP_VAULT)
    assert v.attr("location").value == "westus3"  # type: ignore[union-attr]


def test_known_false_condition_and_property_copy(tmp_path: Path) -> None:
    cluster = {
        **CLUSTER,
        "condition": "[equals(parameters('mode'), 'off')]",
        "properties": {
            "copy": [
                {
                    "name": "agentPoolProfiles",
                    "count": 2,
                    "input": {
                        "name": "[format('pool{0}', copyIndex('agentPoolProfiles'))]",
                        "vmSize": "Standard_D2s_v5",
                    },
                }
            ]
        },
    }
    doc = template([cluster], {"mode": {"type": "string", "defaultValue": "on"}})
    resources = load_docs(tmp_path, {"main.json": doc})
    (c,) = of_kind(resources, kinds.CLUSTER)
    assert isinstance(c.condition, Known) and c.condition.value is False
    assert [p.attr("name").value for p in of_kind(resources, kinds.NODE_POOL)] == ["pool0", "pool1"]  # type: ignore[union-attr]


def test_variable_copy(tmp_path: Path) -> None:
    doc = template(
        [instance("x")],
        variables={"copy": [{"name": "ns", "count": 3, "input": "[format('n{0}', copyIndex('ns'))]"}]},
    )
    doc["resources"][0]["properties"]["policyInfo"]["policyParameters"] = {
        "backupDatasourceParametersList": [
            {
                "objectType": "KubernetesClusterBackupDatasourceParameters",
                "includedNamespaces": "[variables('ns')]",
            }
        ]
    }
    resources = load_docs(tmp_path, {"main.json": doc})
    (bi,) = of_kind(resources, kinds.BACKUP_INSTANCE)
    assert [x.value for x in bi.attr("included_namespaces").value] == ["n0", "n1", "n2"]  # type: ignore[union-attr]


def test_language_version_2_symbolic_resources_and_existing(tmp_path: Path) -> None:
    doc = template(
        {
            "aks": {**CLUSTER, "existing": True},
            "ext": {
                "type": "Microsoft.KubernetesConfiguration/extensions",
                "apiVersion": "2023-05-01",
                "scope": "[format('Microsoft.ContainerService/managedClusters/{0}', 'aks')]",
                "name": "backup",
                "properties": {"extensionType": "microsoft.dataprotection.kubernetes"},
                "dependsOn": ["aks"],
            },
            "ra": {
                "type": "Microsoft.Authorization/roleAssignments",
                "apiVersion": "2022-04-01",
                "name": "[guid('x')]",
                "properties": {
                    "roleDefinitionId": "r",
                    "principalId": "[reference('ext').aksAssignedIdentity.principalId]",
                },
            },
        },
        languageVersion="2.0",
    )
    resources = load_docs(tmp_path, {"main.json": doc})
    assert not of_kind(resources, kinds.CLUSTER)  # existing: declared elsewhere
    (ext,) = of_kind(resources, kinds.EXTENSION)
    (ra,) = of_kind(resources, kinds.ROLE_ASSIGNMENT)
    assert ext.address == "ext"
    assert ext.refs["cluster"].value.endswith("/managedClusters/aks")  # type: ignore[union-attr]
    assert ra.attr("principal_id").value == ext.attr("principal_id").value  # type: ignore[union-attr]


def test_nested_deployment_inner_scope_with_another_resource_group(tmp_path: Path) -> None:
    inner = template(
        [vault(name="[parameters('vaultName')]", location="[resourceGroup().location]")],
        {"vaultName": {"type": "string"}},
    )
    inner["outputs"] = {
        "id": {
            "type": "string",
            "value": "[resourceId('Microsoft.DataProtection/backupVaults', parameters('vaultName'))]",
        }
    }
    deployment = {
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": "vaultModule",
        "resourceGroup": "rg-backup",
        "properties": {
            "expressionEvaluationOptions": {"scope": "inner"},
            "mode": "Incremental",
            "parameters": {"vaultName": {"value": "[variables('name')]"}},
            "template": inner,
        },
    }
    ra = {
        "type": "Microsoft.Authorization/roleAssignments",
        "apiVersion": "2022-04-01",
        "name": "[guid('y')]",
        "properties": {
            "roleDefinitionId": "r",
            "principalId": "[reference(reference(resourceId('Microsoft.Resources/deployments', 'vaultModule'), '2022-09-01').outputs.id.value, '2023-01-01', 'full').identity.principalId]",
        },
    }
    doc = template([CLUSTER, deployment, ra], variables={"name": "inner-vault"})
    resources = load_docs(tmp_path, {"main.json": doc})
    (v,) = of_kind(resources, kinds.BACKUP_VAULT)
    (c,) = of_kind(resources, kinds.CLUSTER)
    assert v.attr("name").value == "inner-vault"  # type: ignore[union-attr]
    assert v.attr("location").value == Symbol("resourceGroup('rg-backup').location")  # type: ignore[union-attr]
    assert c.attr("location").value == Symbol("resourceGroup().location")  # type: ignore[union-attr]
    assert any("/resourcegroups/rg-backup/" in str(i) for i in v.ids)
    (role,) = of_kind(resources, kinds.ROLE_ASSIGNMENT)
    assert role.attr("principal_id").value == v.attr("principal_id").value  # type: ignore[union-attr]
    assert v.module_call == "deployments/vaultModule"


def test_nested_deployment_outer_scope_uses_parent_parameters(tmp_path: Path) -> None:
    deployment = {
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": "outer",
        "properties": {
            "mode": "Incremental",
            "template": template([vault(location="[parameters('where')]")]),
        },
    }
    doc = template([deployment], {"where": {"type": "string", "defaultValue": "uksouth"}})
    resources = load_docs(tmp_path, {"main.json": doc})
    (v,) = of_kind(resources, kinds.BACKUP_VAULT)
    assert v.attr("location").value == "uksouth"  # type: ignore[union-attr]


def test_linked_template_is_an_unresolved_module(tmp_path: Path) -> None:
    deployment = {
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": "linked",
        "properties": {"mode": "Incremental", "templateLink": {"uri": "https://example.com/t.json"}},
    }
    resources = load_docs(tmp_path, {"main.json": template([deployment])})
    assert [r.kind for r in resources] == ["unresolved_module"]


def test_msi_sentinel_and_misplaced_identity(tmp_path: Path) -> None:
    msi = {**CLUSTER, "name": "a", "properties": {"servicePrincipalProfile": {"clientId": "MSI"}}}
    sp = {
        **CLUSTER,
        "name": "b",
        "identity": None,
        "properties": {"servicePrincipalProfile": {"clientId": "1111", "secret": "x"}},
    }
    del sp["identity"]
    quickstart = {**CLUSTER, "name": "c", "properties": {"identity": {"type": "SystemAssigned"}}}
    del quickstart["identity"]
    resources = load_docs(tmp_path, {"main.json": template([msi, sp, quickstart])})
    by_name = {r.attr("name").value: r for r in of_kind(resources, kinds.CLUSTER)}  # type: ignore[union-attr]
    assert by_name["a"].attr("service_principal").value is False  # type: ignore[union-attr]
    assert by_name["b"].attr("service_principal").value is True  # type: ignore[union-attr]
    assert by_name["c"].attr("service_principal").is_absent


def test_metadata_suppression_record(tmp_path: Path) -> None:
    storage = {
        "type": "Microsoft.Storage/storageAccounts",
        "apiVersion": "2023-01-01",
        "name": "sa",
        "location": "northeurope",
        "metadata": {"aks-backup-lint": {"ignore": {"AKSB102": "DR copy lives elsewhere"}}},
    }
    (tmp_path / "main.json").write_text(json.dumps(template([storage]), indent=2))
    result = load([tmp_path / "main.json"], LoadContext())
    (s,) = result.suppressions
    assert s.rule_ids == ("AKSB102",) and s.reason == "DR copy lives elsewhere"
    assert s.scope == "resource" and s.address == result.resources[0].address


def test_bad_files_become_one_parse_error_each(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"$schema": "' + SCHEMA + '", "resources": [1 2]}')
    (tmp_path / "b.json").write_bytes(b'{"$schema": "deploymentTemplate.json", "x": "\xff"}')
    (tmp_path / "c.json").write_text("[1]")
    result = load(sorted(tmp_path.iterdir()), LoadContext())
    assert sorted((Path(d.span.file).name, d.rule_id) for d in result.diagnostics) == [
        ("a.json", "AKSB000"),
        ("b.json", "AKSB000"),
        ("c.json", "AKSB000"),
    ]
    assert result.diagnostics[0].span.line == 1 and result.diagnostics[0].span.column > 1


def test_oversized_file_is_skipped_with_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps(template([vault()] * 50)))
    result = load([path], LoadContext(max_file_bytes=1000))
    (diag,) = result.diagnostics
    assert diag.rule_id == "AKSB000" and "limit" in diag.message
    assert result.resources == []
