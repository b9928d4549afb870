"""The JSON report: validated against the shipped schema; deterministic; fingerprints stable."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
from report_factory import empty_report, make_report

from linter import __version__
from linter.reporters import render


def report_schema() -> dict:
    return json.loads(resources.files("linter").joinpath("schemas/report.schema.json").read_text("utf-8"))


def validate(text: str) -> dict:
    data = json.loads(text)
    jsonschema.Draft7Validator(report_schema()).validate(data)
    return data


def test_json_report_matches_schema(tmp_path: Path) -> None:
    data = validate(render("json", make_report(tmp_path)))
    assert data["schema_version"] == "1"
    assert data["tool"] == {"name": "aks-backup-lint", "version": __version__}
    assert data["summary"] == {
        "files_scanned": 3,
        "errors": 3,
        "warnings": 1,
        "notes": 1,
        "suppressed": 1,
        "tool_error": False,
    }
    by_rule = {f["rule_id"]: f for f in data["findings"]}
    f = by_rule["AKSB102"]
    assert f["location"] == {
        "path": "infra/main.tf",
        "line": 8,
        "column": 30,
        "end_line": 8,
        "end_column": 43,
    }
    assert f["related"][0]["message"] == "cluster azurerm_kubernetes_cluster.aks region"
    assert f["address"] == "azurerm_storage_account.backup" and f["attribute"] == "location"
    assert by_rule["AKSB101"]["suppression"]["kind"] == "inSource"
    assert by_rule["AKSB000"]["address"] == "infra/broken.tf"


def test_empty_report_matches_schema(tmp_path: Path) -> None:
    data = validate(render("json", empty_report(tmp_path)))
    assert data["findings"] == []


def test_json_is_deterministic_and_machine_independent(tmp_path: Path) -> None:
    a = render("json", make_report(tmp_path / "a"))
    b = render("json", make_report(tmp_path / "b"))
    assert a == b
    assert str(tmp_path) not in a


def test_schema_is_a_valid_draft7_schema() -> None:
    jsonschema.Draft7Validator.check_schema(report_schema())
