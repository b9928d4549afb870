"""The language server end to end: ``aks-backup-lint lsp`` started as a process, driven by
pytest-lsp's client over stdio.

Each test copies a fixture into a temporary workspace, opens documents, checks the published
diagnostics (range, code, link to the rule's documentation, related information), makes an
unsaved edit (the file on disk never changes) and checks the diagnostics again. Quick fixes are
applied the way an editor applies them: the code action's text edits become a
``didChange``, and the diagnostic goes away.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from expectations import FIXTURES
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from policies import load_builtin_rules

HELP = {r.spec.id: r.spec.help_uri for r in load_builtin_rules()}
TIMEOUT = 60


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "linter.cli", "lsp"]))
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    yield
    await lsp_client.shutdown_session()


async def start(client: LanguageClient, root: Path) -> None:
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        )
    )


def workspace(tmp_path: Path, fixture: str) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(FIXTURES / fixture, root)
    return root


async def published(client: LanguageClient, uri: str, action, settled=None) -> list[types.Diagnostic]:  # type: ignore[no-untyped-def]
    """Do ``action`` and wait for the next diagnostics of ``uri``.

    With ``settled``, keep waiting (up to the timeout) until the diagnostics satisfy it: a
    publish caused by an earlier event (opening another file of the same stack) may still be
    on its way when ``action`` runs. The caller asserts on what is returned either way.
    """
    client.diagnostics.pop(uri, None)
    action()

    def done() -> bool:
        return uri in client.diagnostics and (settled is None or settled(client.diagnostics[uri]))

    async def wait() -> None:
        while not done():
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    try:
        await asyncio.wait_for(wait(), TIMEOUT)
    except TimeoutError:
        if settled is None or uri not in client.diagnostics:
            raise
    return list(client.diagnostics[uri])


def opener(client: LanguageClient, path: Path, language: str):  # type: ignore[no-untyped-def]
    item = types.TextDocumentItem(uri=path.as_uri(), language_id=language, version=1, text=path.read_text())
    return lambda: client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))


def changer(client: LanguageClient, path: Path, version: int, edits: list[types.TextEdit]):  # type: ignore[no-untyped-def]
    changes = [types.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in edits]
    return lambda: client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
            content_changes=changes,
        )
    )


def replace_on_line(path: Path, line: int, old: str, new: str) -> types.TextEdit:
    """An edit replacing ``old`` on 1-based ``line`` (ASCII text: columns are UTF-16 units)."""
    text = path.read_text().splitlines()[line - 1]
    start = text.index(old)
    return types.TextEdit(
        range=types.Range(
            start=types.Position(line=line - 1, character=start),
            end=types.Position(line=line - 1, character=start + len(old)),
        ),
        new_text=new,
    )


def rng(line: int, column: int, end_line: int, end_column: int) -> types.Range:
    """A range from 1-based span numbers."""
    return types.Range(
        start=types.Position(line=line - 1, character=column - 1),
        end=types.Position(line=end_line - 1, character=end_column - 1),
    )


def summary(diagnostics: list[types.Diagnostic]) -> list[tuple[str, int, int]]:
    return sorted((str(d.code), d.range.start.line + 1, d.range.start.character + 1) for d in diagnostics)


def only(diagnostics: list[types.Diagnostic], code: str) -> types.Diagnostic:
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, summary(diagnostics)
    return found[0]


def related(diag: types.Diagnostic) -> list[tuple[str, types.Range, str]]:
    return [(Path(r.location.uri).name, r.location.range, r.message) for r in diag.related_information or []]


@pytest.mark.asyncio
async def test_terraform_module_and_unsaved_tfvars(client: LanguageClient, tmp_path: Path) -> None:
    root = workspace(tmp_path, "region-mismatch/terraform")
    await start(client, root)
    main, tfvars = root / "main.tf", root / "terraform.tfvars"

    diags = await published(client, main.as_uri(), opener(client, main, "terraform"))
    assert summary(diags) == [("AKSB101", 50, 3), ("AKSB102", 8, 3)]
    storage = only(diags, "AKSB102")
    assert storage.range == rng(8, 3, 8, 26)
    assert storage.severity == types.DiagnosticSeverity.Error
    assert storage.source == "aks-backup-lint"
    assert storage.code_description is not None and storage.code_description.href == HELP["AKSB102"]
    assert ("terraform.tfvars", rng(1, 1, 1, 24), "cluster azurerm_kubernetes_cluster.aks region") in related(
        storage
    )
    assert (
        "main.tf",
        rng(13, 3, 13, 37),
        "cluster azurerm_kubernetes_cluster.aks region: used here",
    ) in related(storage)

    await published(client, tfvars.as_uri(), opener(client, tfvars, "terraform-vars"))
    edit = replace_on_line(tfvars, 1, "westeurope", "northeurope")
    after = await published(
        client, main.as_uri(), changer(client, tfvars, 2, [edit]), settled=lambda d: summary(d) == []
    )
    assert summary(after) == []
    assert "westeurope" in tfvars.read_text()  # the edit was never saved


@pytest.mark.asyncio
async def test_terraform_quick_fix_removes_the_diagnostic(client: LanguageClient, tmp_path: Path) -> None:
    root = workspace(tmp_path, "storage-account-invalid/terraform")
    await start(client, root)
    main = root / "main.tf"
    diags = await published(client, main.as_uri(), opener(client, main, "terraform"))
    kind = only(diags, "AKSB201")
    assert kind.range == rng(25, 3, 25, 39)

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=main.as_uri()),
            range=types.Range(
                start=types.Position(line=24, character=10), end=types.Position(line=24, character=10)
            ),
            context=types.CodeActionContext(diagnostics=[kind]),
        )
    )
    assert actions is not None and len(actions) == 1
    action = actions[0]
    assert isinstance(action, types.CodeAction)
    assert action.kind == types.CodeActionKind.QuickFix and action.is_preferred
    assert action.title == 'upgrade the storage account kind to "StorageV2" (AKSB201)'
    assert action.edit is not None and action.edit.changes is not None
    edits = action.edit.changes[main.as_uri()]
    assert [(e.range, e.new_text) for e in edits] == [(rng(25, 30, 25, 39), '"StorageV2"')]

    after = await published(client, main.as_uri(), changer(client, main, 2, list(edits)))
    assert "AKSB201" not in [d.code for d in after]
    assert [d.code for d in after] == [d.code for d in diags if d.code != "AKSB201"]


@pytest.mark.asyncio
async def test_arm_template_with_unsaved_parameter_file(client: LanguageClient, tmp_path: Path) -> None:
    root = workspace(tmp_path, "region-mismatch/arm")
    await start(client, root)
    template, params = root / "azuredeploy.json", root / "azuredeploy.parameters.json"

    diags = await published(client, template.as_uri(), opener(client, template, "json"))
    assert summary(diags) == [("AKSB101", 86, 13), ("AKSB102", 17, 7)]
    storage = only(diags, "AKSB102")
    assert storage.range == rng(17, 7, 17, 36)
    assert (
        "azuredeploy.parameters.json",
        rng(6, 7, 6, 28),
        "cluster managedClusters/aks-prod region",
    ) in related(storage)
    assert storage.code_description is not None and storage.code_description.href == HELP["AKSB102"]

    await published(client, params.as_uri(), opener(client, params, "json"))
    edit = replace_on_line(params, 6, "westeurope", "northeurope")
    after = await published(
        client, template.as_uri(), changer(client, params, 2, [edit]), settled=lambda d: summary(d) == []
    )
    assert summary(after) == []


@pytest.mark.asyncio
async def test_bicep_file_with_a_module(client: LanguageClient, tmp_path: Path) -> None:
    root = workspace(tmp_path, "region-mismatch/bicep")
    await start(client, root)
    main, module, params = root / "main.bicep", root / "modules" / "vault.bicep", root / "main.bicepparam"

    # the module's stack is its caller's: opening it evaluates main.bicep with it
    diags = await published(client, main.as_uri(), opener(client, module, "bicep"))
    assert summary(diags) == [("AKSB101", 57, 5), ("AKSB102", 3, 27)]
    vault = only(diags, "AKSB101")
    assert vault.range == rng(57, 5, 57, 29)
    assert ("vault.bicep", rng(7, 3, 7, 21), "used by module.vaultModule.vault here") in related(vault)
    assert ("main.bicepparam", rng(3, 18, 3, 30), 'cluster aks is in "westeurope"') in related(vault)

    await published(client, params.as_uri(), opener(client, params, "bicep-params"))
    edit = replace_on_line(params, 3, "westeurope", "northeurope")
    after = await published(
        client, main.as_uri(), changer(client, params, 2, [edit]), settled=lambda d: summary(d) == []
    )
    assert summary(after) == []


@pytest.mark.asyncio
async def test_kubernetes_manifest_set_edit_and_quick_fix(client: LanguageClient, tmp_path: Path) -> None:
    root = workspace(tmp_path, "volumes-stateful-app/kubernetes")
    await start(client, root)
    classes, volumes = root / "storage-classes.yaml", root / "static-volumes.yaml"

    diags = await published(client, classes.as_uri(), opener(client, classes, "yaml"))
    in_tree = [d for d in diags if d.code == "AKSB501"]
    assert [(d.range, d.severity) for d in in_tree] == [
        (rng(49, 1, 49, 38), types.DiagnosticSeverity.Warning)
    ]

    pv = await published(client, volumes.as_uri(), opener(client, volumes, "yaml"))
    assert ("AKSB504", 3, 1) in summary(pv)
    # an unsaved edit: the static volume gets a class; the finding goes, the rest stays
    insert = types.TextEdit(
        range=types.Range(start=types.Position(line=6, character=2), end=types.Position(line=6, character=2)),
        new_text="storageClassName: managed-csi\n  ",
    )
    edited = await published(client, volumes.as_uri(), changer(client, volumes, 2, [insert]))
    assert ("AKSB504", 3, 1) not in summary(edited)
    assert [d for d in summary(edited) if d[0] != "AKSB504" or d[1] != 3] == [
        (code, line + 1 if line > 6 else line, col)
        for code, line, col in summary(pv)
        if (code, line) != ("AKSB504", 3)
    ]

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=classes.as_uri()),
            range=in_tree[0].range,
            context=types.CodeActionContext(diagnostics=in_tree),
        )
    )
    assert actions is not None and [a.title for a in actions] == [
        'use the CSI provisioner "disk.csi.azure.com" (AKSB501)'
    ]
    action = actions[0]
    assert (
        isinstance(action, types.CodeAction) and action.edit is not None and action.edit.changes is not None
    )
    edits = action.edit.changes[classes.as_uri()]
    assert [(e.range, e.new_text) for e in edits] == [(rng(49, 14, 49, 38), "disk.csi.azure.com")]
    fixed = await published(client, classes.as_uri(), changer(client, classes, 2, list(edits)))
    assert "AKSB501" not in [d.code for d in fixed]


@pytest.mark.asyncio
async def test_configuration_file_and_did_change_configuration(
    client: LanguageClient, tmp_path: Path
) -> None:
    """The workspace config file is read; after it changes, ``didChangeConfiguration`` re-checks."""
    root = workspace(tmp_path, "region-mismatch/terraform")
    (root / ".aks-backup-lint.yaml").write_text("ignore: [AKSB101]\n")
    await start(client, root)
    main = root / "main.tf"
    diags = await published(client, main.as_uri(), opener(client, main, "terraform"))
    assert summary(diags) == [("AKSB102", 8, 3)]

    (root / ".aks-backup-lint.yaml").write_text("ignore: [AKSB102]\n")
    after = await published(
        client,
        main.as_uri(),
        lambda: client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={})),
    )
    assert summary(after) == [("AKSB101", 50, 3)]
