"""Azure Verified Modules, the Bicep that Microsoft publishes: every file is read, and each module
gives the same canonical resources as the Bicep compiler's output for it.

The corpus (``../shared/corpus``) has the 2,331 ``.bicep``/``.bicepparam`` files of the AVM
repository and, for 523 of its ``res`` modules, the ``main.json`` the Bicep compiler wrote from
the same commit. Both sides go through the engine: ``main.bicep`` through the Bicep front end,
``main.json`` through the ARM front end.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import linter.arm as arm_front_end
import linter.bicep as bicep_front_end
from linter.arm.evaluate import Deployment, Frame, default_deployment
from linter.arm.jsonpos import loads
from linter.arm.loader import level_of
from linter.arm.template import Root, TemplateRun
from linter.arm.values import RefObj, Unk
from linter.bicep.loader import BicepFiles
from linter.engine import run
from linter.frontend import LoadContext
from linter.graph import Resource
from linter.model import Known, Symbol, Unknown, Value
from linter.options import Options

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
BICEP = CORPUS / "bicep" / "bicep-registry-modules"
COMPILED = CORPUS / "arm" / "bicep-registry-modules-avm-res-mainjson"
#: modules left out of the instance comparison, with the reason (the canonical one takes them all)
STALE = "the committed main.json was compiled from an older main.bicep"
EXCLUDED: dict[str, str] = {
    "azure-stack-hci/network-interface": f"{STALE} (no macAddress, networkSecurityGroup)",
    "azure-stack-hci/virtual-hard-disk": f"{STALE} (no blockSizeBytes, diskFileFormat, ...)",
    "compute/virtual-machine": f"{STALE} (diskControllerType without its ?? 'SCSI' default)",
}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present"),
]


def test_every_avm_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``check ../shared/corpus/bicep --select AKSB000`` reports nothing: no parse errors, no
    unsupported syntax, no file that could not be evaluated."""
    monkeypatch.setenv("AKS_BACKUP_LINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no module cache: registry modules stay unresolved
    files = sorted(p for p in (CORPUS / "bicep").rglob("*") if p.suffix in (".bicep", ".bicepparam"))
    assert len(files) == 2331
    report = run([CORPUS / "bicep"], Options(select=["AKSB000"]))
    assert report.files_scanned == len(files)
    assert [f"{f.span.file}:{f.span.line}: {f.message}" for f in report.findings] == []
    assert [n.message for n in report.notifications] == []


# --- parity with the compiler -------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A value (``Value`` or evaluation data) for comparison: unknown values compare equal
    whatever their reason, and so do object keys that could not be computed (``<...>``)."""
    if isinstance(value, Known):
        value = value.value
    elif isinstance(value, Unknown | Unk | RefObj):
        return "<unknown>"
    elif isinstance(value, Value):
        return "<absent>"
    if isinstance(value, list):
        return [plain(x) for x in value]
    if isinstance(value, dict):
        return {("<computed key>" if k.startswith("<") else k): plain(x) for k, x in sorted(value.items())}
    if isinstance(value, Symbol):
        return f"<symbol {value.name}>"
    return value


def known_leaves(value: Any) -> int:
    if isinstance(value, list):
        return sum(known_leaves(x) for x in value)
    if isinstance(value, dict):
        return sum(known_leaves(x) for x in value.values())
    return 0 if value in ("<unknown>", "<absent>") else 1


def address(text: str) -> str:
    """Bicep addresses name module calls ``module.x``; compiled templates name them ``x``."""
    return text.replace("module.", "")


def canonical(resources: list[Resource], skipped_calls: set[str]) -> dict[str, list[str]]:
    """Resources by address: kind, attributes, references and condition as JSON.

    Resources under a module call listed in ``skipped_calls`` are left out. Templates that the
    compiler writes without symbolic names (languageVersion 1.0, also for nested modules) name
    their resources by type and name: those are grouped under ``<call>.<declared>`` and compared
    as a multiset.
    """
    out: dict[str, list[str]] = {}
    for r in resources:
        if r.kind == "unresolved_module":
            continue
        where = address(r.address)
        if any(where == c or where.startswith((c + ".", c + "[")) for c in skipped_calls):
            continue
        call = address(r.module_call)
        last = where[len(call) + 1 :] if call else where
        key = where if "/" not in last.split("[")[0] else f"{call}.<declared>"
        content = {
            "kind": r.kind,
            "attrs": {k: plain(v) for k, v in sorted(r.attrs.items())},
            "refs": {k: plain(v) for k, v in sorted(r.refs.items())},
            "condition": plain(r.condition),
        }
        out.setdefault(key, []).append(json.dumps(content, sort_keys=True, default=str))
    return out


def modules() -> list[str]:
    return sorted(str(p.parent.relative_to(COMPILED)) for p in COMPILED.rglob("main.json"))


def compare(module: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(Bicep side, compiled side) of one module, keyed alike."""
    source, compiled = BICEP / "res" / module / "main.bicep", COMPILED / module / "main.json"
    from_bicep = bicep_front_end.load([source], LoadContext())
    from_json = arm_front_end.load([compiled], LoadContext())
    assert not from_bicep.diagnostics and not from_json.diagnostics, module
    # registry modules the Bicep side cannot read without 'bicep restore'; the compiler inlined them
    registry_calls = {address(r.address) for r in from_bicep.resources if r.kind == "unresolved_module"}
    bicep, json_ = (
        canonical(from_bicep.resources, registry_calls),
        canonical(from_json.resources, registry_calls),
    )
    for key in [k for k in bicep if k not in json_]:  # declared names on the compiled side only
        call = key.rsplit(".", 1)[0] if "." in key else ""
        if f"{call}.<declared>" in json_:
            bicep.setdefault(f"{call}.<declared>", []).extend(bicep.pop(key))
    return {k: sorted(v) for k, v in bicep.items()}, {k: sorted(v) for k, v in json_.items()}


def test_the_corpus_has_both_sides() -> None:
    found = modules()
    assert len(found) == 523
    assert all((BICEP / "res" / m / "main.bicep").is_file() for m in found)


def differences(bicep: dict[str, list[str]], compiled: dict[str, list[str]]) -> list[str]:
    return [
        f"{key}:\n  bicep:    {bicep.get(key)}\n  compiled: {compiled.get(key)}"
        for key in sorted(set(bicep) | set(compiled))
        if bicep.get(key, []) != compiled.get(key, [])
    ]


def tally(side: dict[str, list[str]], counts: Counter[str]) -> None:
    for entries in side.values():
        for entry in entries:
            counts["compared"] += 1
            counts["known values"] += known_leaves(json.loads(entry))


def test_bicep_and_its_compiled_template_give_the_same_resources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The canonical resources (what the rules read) of every module, with no exclusion."""
    monkeypatch.setenv("AKS_BACKUP_LINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    found: dict[str, list[str]] = {}
    counts: Counter[str] = Counter()
    for module in modules():
        bicep, compiled = compare(module)
        if differences(bicep, compiled):
            found[module] = differences(bicep, compiled)
        tally(compiled, counts)
    assert found == {}
    # modules deploy few of the kinds the rules read with their default parameters; these counts
    # keep the comparison from passing on nothing
    assert counts["compared"] >= 38 and counts["known values"] >= 160, counts


def evaluated_instances(template: Any, file: str, language: str) -> Root:
    """Every resource instance a template deploys, as the evaluator produces them for the adapter."""
    base = default_deployment({})
    deployment = Deployment(
        base.subscription_id, base.rg_name, base.rg_location, base.name, level_of(template)
    )
    root = Root(file, language)
    run = TemplateRun(template, Frame(file, deployment, language), root)
    run.declare({})
    run.run()
    return root


def instances(root: Root, skipped_calls: set[str]) -> dict[str, list[str]]:
    """Deployed instances by address, keyed like ``canonical`` (existing resources are not
    deployed, and compiled languageVersion 1.0 templates do not even list them)."""
    out: dict[str, list[str]] = {}
    for i in root.instances:
        where = address(i.address)
        if i.existing or any(where == c or where.startswith((c + ".", c + "[")) for c in skipped_calls):
            continue
        call = address(i.module_call)
        last = where[len(call) + 1 :] if call else where
        key = where if "/" not in last.split("[")[0] else f"{call}.<declared>"
        content = {
            "type": i.rtype.lower(),
            "name": plain(i.name),
            "id": plain(i.rid),
            "condition": plain(i.condition),
            "body": plain(i.body),
        }
        out.setdefault(key, []).append(json.dumps(content, sort_keys=True, default=str))
    return out


def test_bicep_and_its_compiled_template_deploy_the_same_instances() -> None:
    """Stronger than the canonical comparison: every resource instance of every module (type,
    name, id, condition and evaluated body), whether or not a rule reads its kind."""
    found: dict[str, list[str]] = {}
    counts: Counter[str] = Counter()
    for module in modules():
        if module in EXCLUDED:
            continue
        source, compiled = BICEP / "res" / module / "main.bicep", COMPILED / module / "main.json"
        bicep_root = evaluated_instances(BicepFiles(10_000_000).linked(source), str(source), "bicep")
        json_root = evaluated_instances(
            loads(compiled.read_text(encoding="utf-8"), str(compiled)), str(compiled), "arm"
        )
        registry_calls = {address(a) for a, _, _ in bicep_root.unresolved}
        bicep, json_ = instances(bicep_root, registry_calls), instances(json_root, registry_calls)
        for key in [k for k in bicep if k not in json_]:
            call = key.rsplit(".", 1)[0] if "." in key else ""
            if f"{call}.<declared>" in json_:
                bicep.setdefault(f"{call}.<declared>", []).extend(bicep.pop(key))
        bicep, json_ = {k: sorted(v) for k, v in bicep.items()}, {k: sorted(v) for k, v in json_.items()}
        if differences(bicep, json_):
            found[module] = differences(bicep, json_)
        tally(json_, counts)
    assert found == {}
    assert counts["compared"] >= 1400 and counts["known values"] >= 8000, counts  # 1,480 and 8,168 today
