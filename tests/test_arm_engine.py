"""ARM templates through the whole engine: deployment context options and metadata suppressions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from expectations import FIXTURES

from linter.engine import run
from linter.options import Options


def _region_template(tmp_path: Path, metadata: dict | None = None) -> Path:
    """The complete fixture with the storage account moved to a literal North Europe."""
    doc = json.loads((FIXTURES / "complete" / "arm" / "azuredeploy.json").read_text())
    storage = next(r for r in doc["resources"] if r["type"] == "Microsoft.Storage/storageAccounts")
    storage["location"] = "northeurope"
    if metadata is not None:
        storage["metadata"] = metadata
    for r in doc["resources"]:
        if r.get("location") == "[parameters('location')]":
            r["location"] = "[resourceGroup().location]"
    path = tmp_path / "azuredeploy.json"
    path.write_text(json.dumps(doc, indent=2))
    return path


def test_resource_group_location_option_makes_the_symbol_known(tmp_path: Path) -> None:
    _region_template(tmp_path)
    silent = run([tmp_path], Options())
    assert [f.rule_id for f in silent.active if f.rule_id.startswith("AKSB10")] == []
    known = run([tmp_path], Options(deployment={"resourceGroup.location": "West Europe"}))
    assert [f.rule_id for f in known.active if f.rule_id.startswith("AKSB10")] == ["AKSB102"]


def test_metadata_suppression_is_recorded_on_the_finding(tmp_path: Path) -> None:
    meta = {"aks-backup-lint": {"ignore": {"AKSB102": "DR storage account, accepted by the platform team"}}}
    _region_template(tmp_path, meta)
    report = run([tmp_path], Options(deployment={"resourceGroup.location": "westeurope"}))
    (finding,) = [f for f in report.findings if f.rule_id == "AKSB102"]
    assert finding.suppression is not None
    assert "DR storage account" in finding.suppression.justification
    assert not [f for f in report.active if f.rule_id == "AKSB102"]


def test_jsonc_template_with_comments_is_read(tmp_path: Path) -> None:
    src = FIXTURES / "region-mismatch" / "arm"
    for name in ("azuredeploy.json", "azuredeploy.parameters.json"):
        shutil.copy(src / name, tmp_path / name)
    text = (tmp_path / "azuredeploy.json").read_text()
    (tmp_path / "azuredeploy.json").write_text(
        text.replace('"resources": [', '"resources": [ // the stack', 1)
    )
    report = run([tmp_path], Options())
    assert sorted(f.rule_id for f in report.active) == ["AKSB101", "AKSB102"]
