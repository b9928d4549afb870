"""Language-server latency: diagnostics after a one-file edit in a 50-file Terraform module.

    python bench/lsp.py [--edits 20] [--out bench/out/lsp]

Generates one Terraform module of 50 files (``versions.tf``, ``variables.tf`` and 48 files each
holding a cluster with its full backup chain, from ``bench/generate.py``), starts
``aks-backup-lint lsp`` as a subprocess, opens one file, and then makes ``--edits`` unsaved edits
to it (the storage account kind flips between ``StorageV2`` and ``Storage``, so the diagnostics
really change), timing each from ``didChange`` to the ``publishDiagnostics`` of that file.

Measured twice: with the debounce at 0 (the evaluation itself: re-reading the stack with the
buffer, the parse cache for the 49 unchanged files, evaluating, linking, the rules) and with the
default debounce (what an editor waits after the last keystroke). The first open is reported
separately (cold: imports, grammar, empty parse cache). The parse cache lives in
``--out``/cache, so your own cache is untouched. Prints a Markdown table; numbers are wall time
on this (shared, noisy) machine, medians and maxima over the edits.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities, make_test_lsp_client

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import tf_main, tf_variables, tf_versions  # noqa: E402

from linter.lsp.server import DEBOUNCE_SECONDS  # noqa: E402

FILES = 50
_RESOURCE = re.compile(r'resource "(\w+)" "(\w+)"')


def numbered(text: str, i: int) -> str:
    """A generated cluster file with every resource label suffixed, so 48 of them share a module."""
    for rtype, label in set(_RESOURCE.findall(text)):
        text = text.replace(f'resource "{rtype}" "{label}"', f'resource "{rtype}" "{label}_{i}"')
        text = re.sub(rf"\b{rtype}\.{label}\b", f"{rtype}.{label}_{i}", text)
    return text


def module(root: Path) -> Path:
    """The 50-file module; returns the file that is edited."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    rng = random.Random(7)
    (root / "versions.tf").write_text(tf_versions(rng))
    (root / "variables.tf").write_text(tf_variables(rng, "westeurope", "bench"))
    for i in range(FILES - 2):
        text = numbered(tf_main(rng, i), i).replace("BlobStorage", "StorageV2")
        (root / f"cluster_{i:02d}.tf").write_text(text)
    return root / "cluster_17.tf"


async def wait_for(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    while uri not in client.diagnostics:
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[uri])


async def measure(root: Path, target: Path, edits: int, debounce: float) -> tuple[float, list[float]]:
    client = make_test_lsp_client()
    await client.start_io(sys.executable, "-m", "linter.cli", "lsp")
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        )
    )
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"aksBackupLint": {"debounce": debounce}})
    )
    uri, text = target.as_uri(), target.read_text()
    started = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="terraform", version=1, text=text)
        )
    )
    await wait_for(client, uri)
    first = time.perf_counter() - started
    line = next(n for n, t in enumerate(text.splitlines()) if "account_kind" in t)
    column = text.splitlines()[line].index('"StorageV2"')
    times = []
    current = "StorageV2"
    for version in range(2, edits + 2):
        new = "Storage" if current == "StorageV2" else "StorageV2"
        change = types.TextDocumentContentChangePartial(
            range=types.Range(
                start=types.Position(line=line, character=column + 1),
                end=types.Position(line=line, character=column + 1 + len(current)),
            ),
            text=new,
        )
        client.diagnostics.pop(uri, None)
        started = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[change],
            )
        )
        diagnostics = await wait_for(client, uri)
        times.append(time.perf_counter() - started)
        flagged = any(d.code == "AKSB201" for d in diagnostics)
        assert flagged == (new == "Storage"), "the edit did not change the diagnostics"
        current = new
    await client.shutdown_session()
    await client.stop()
    return first, times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "lsp")
    args = parser.parse_args(argv)
    os.environ["AKS_BACKUP_LINT_CACHE_DIR"] = str(args.out / "cache")
    shutil.rmtree(args.out / "cache", ignore_errors=True)
    target = module(args.out / "module")
    rows = []
    for label, debounce in (
        ("evaluation (debounce 0)", 0.0),
        (f"end to end (debounce {DEBOUNCE_SECONDS}s)", None),
    ):
        first, times = asyncio.run(
            measure(
                args.out / "module", target, args.edits, DEBOUNCE_SECONDS if debounce is None else debounce
            )
        )
        ms = [t * 1000 for t in times]
        rows.append((label, first * 1000, statistics.median(ms), max(ms)))
    print(f"One-file edit in a {FILES}-file Terraform module, {args.edits} edits, warm (ms):\n")
    print("| measured | first open | median | max |")
    print("|---|---|---|---|")
    for label, first, median, worst in rows:
        print(f"| {label} | {first:.0f} | {median:.0f} | {worst:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
