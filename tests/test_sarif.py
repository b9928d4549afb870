"""SARIF 2.1.0 for code scanning: schema-valid, complete rule metadata, stable fingerprints."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from report_factory import empty_report, make_report
from sarif_schema import assert_valid_sarif

from linter import __version__
from linter.fingerprint import FINGERPRINT_KEY, fingerprint
from linter.model import Finding, Severity, Span
from linter.reporters import render
from linter.reporters.sarif import to_sarif

ROOT = Path(__file__).resolve().parents[1]


def sarif(report) -> dict:  # type: ignore[no-untyped-def]
    return assert_valid_sarif(render("sarif", report))


def test_run_and_driver(tmp_path: Path) -> None:
    log = sarif(make_report(tmp_path, category="infra/prod"))
    assert log["version"] == "2.1.0" and list(log)[:2] == ["$schema", "version"]
    (run,) = log["runs"]
    assert run["automationDetails"] == {"id": "infra/prod/"}
    driver = run["tool"]["driver"]
    assert driver["name"] == "aks-backup-lint"
    assert driver["version"] == driver["semanticVersion"] == __version__
    assert driver["informationUri"].startswith("https://")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_rules_come_from_the_registry_with_full_metadata(tmp_path: Path) -> None:
    from policies import load_builtin_rules

    registry = load_builtin_rules()
    rules = sarif(make_report(tmp_path))["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.spec.id for r in registry]
    for r in rules:
        spec = registry.get(r["id"]).spec
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"]
        assert "## Example" in r["help"]["markdown"] and "Use instead:" in r["help"]["markdown"]
        assert r["help"]["text"].startswith(f"{spec.slug} ({spec.id})")
        assert r["helpUri"] == spec.help_uri
        assert r["defaultConfiguration"]["level"] == spec.severity.value
        props = r["properties"]
        assert props["precision"] == spec.precision
        assert (
            props["security-severity"]
            == {"error": "7.0", "warning": "4.0", "note": "1.0"}[spec.severity.value]
        )
        assert "aks" in props["tags"]


def test_results(tmp_path: Path) -> None:
    report = make_report(tmp_path)
    run = sarif(report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [r["ruleId"] for r in results] == [f.rule_id for f in report.findings]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["level"] in ("error", "warning", "note")  # always explicit, also "warning"
        assert "primaryLocationLineHash" not in r["partialFingerprints"]
    by_rule = {r["ruleId"]: r for r in results}
    r = by_rule["AKSB102"]
    loc = r["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"] == {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"}
    assert loc["physicalLocation"]["region"] == {
        "startLine": 8,
        "startColumn": 30,
        "endLine": 8,
        "endColumn": 43,
    }
    assert loc["logicalLocations"][0]["fullyQualifiedName"] == "azurerm_storage_account.backup"
    assert [(x["id"], x["message"]["text"]) for x in r["relatedLocations"]] == [
        (1, "cluster azurerm_kubernetes_cluster.aks region"),
        (2, "backup extension names the storage account here"),
    ]
    assert by_rule["AKSB202"]["level"] == "warning"
    assert "suppressions" not in r
    assert by_rule["AKSB101"]["suppressions"] == [
        {
            "kind": "inSource",
            "justification": "vault region fixed by the DR plan, see ADR-12",
            "location": {
                "physicalLocation": {
                    "artifactLocation": {"uri": "infra/vault.tf", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 3, "startColumn": 3, "endLine": 3},
                }
            },
        }
    ]


def test_parse_errors_are_also_tool_notifications(tmp_path: Path) -> None:
    run = sarif(make_report(tmp_path))["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["descriptor"]["id"] == "AKSB000" and notes[0]["level"] == "error"
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "infra/broken.tf"
    assert notes[1]["message"]["text"] == "infra/huge.tf: skipped, larger than 10 MiB"


def test_tool_error_marks_execution_unsuccessful(tmp_path: Path) -> None:
    report = make_report(tmp_path)
    report.tool_error = True
    assert sarif(report)["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_subfolder_scan_keeps_repo_relative_uris(tmp_path: Path) -> None:
    report = make_report(tmp_path, cwd=tmp_path / "infra")
    run = sarif(report)["runs"][0]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"infra/broken.tf", "infra/main.tf", "infra/vault.tf"}


def test_byte_identical_for_the_same_input(tmp_path: Path) -> None:
    assert render("sarif", make_report(tmp_path)) == render("sarif", make_report(tmp_path))


def test_empty_report_is_valid(tmp_path: Path) -> None:
    run = sarif(empty_report(tmp_path))["runs"][0]
    assert run["results"] == []
    assert "toolExecutionNotifications" not in run["invocations"][0]


def test_fingerprint_survives_moving_and_reformatting(tmp_path: Path) -> None:
    f = Finding(
        "AKSB102",
        "m1",
        Span(str(tmp_path / "infra/main.tf"), 8, 30),
        Severity.ERROR,
        address="azurerm_storage_account.backup",
        attribute="location",
    )
    moved = Finding(
        "AKSB102",
        "other text",
        Span(str(tmp_path / "infra/storage.tf"), 80, 3),
        Severity.WARNING,
        address="azurerm_storage_account.backup",
        attribute="location",
    )
    other_attr = Finding("AKSB102", "m1", f.span, Severity.ERROR, address=f.address, attribute="account_kind")
    other_root = Finding(
        "AKSB102",
        "m1",
        Span(str(tmp_path / "prod/main.tf"), 8, 30),
        Severity.ERROR,
        address=f.address,
        attribute="location",
    )
    fp = fingerprint(f, tmp_path)
    assert fp == fingerprint(moved, tmp_path)
    assert fp != fingerprint(other_attr, tmp_path)
    assert fp != fingerprint(other_root, tmp_path)
    assert FINGERPRINT_KEY == "aksbLogicalFingerprint/v1"


def test_serializer_keeps_warning_level_explicit() -> None:
    import sarif_om as om

    r = om.Result(message=om.Message(text="x"), level="warning", rule_id="AKSB202")
    assert to_sarif(r) == {"message": {"text": "x"}, "level": "warning", "ruleId": "AKSB202"}


@pytest.mark.network
def test_multitool_script_rejects_and_accepts(tmp_path: Path) -> None:
    """Runs the Microsoft SARIF Multitool (npm; CI runs this) on our output and on a bad log."""
    assert shutil.which("npm"), "the network tests (--run-network) need npm for the SARIF Multitool"
    good = tmp_path / "good.sarif"
    good.write_text(render("sarif", make_report(tmp_path / "repo")))
    bad = tmp_path / "bad.sarif"
    bad_log = json.loads(good.read_text())
    for result in bad_log["runs"][0]["results"]:
        result["message"] = {"id": "default"}  # GH1015/GH2012-style errors
        del result["locations"]
    bad.write_text(json.dumps(bad_log))
    script = ROOT / "scripts/ci/sarif_multitool.sh"
    ok = subprocess.run([str(script), str(good)], capture_output=True, text=True, timeout=600)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    ko = subprocess.run([str(script), str(bad)], capture_output=True, text=True, timeout=600)
    assert ko.returncode == 1, ko.stdout + ko.stderr


# --- end to end: the real engine and CLI on the shipped fixtures ---------------------------------


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    import sys

    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "linter.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_fixtures_sarif_is_valid_and_byte_identical(tmp_path: Path) -> None:
    a, b = tmp_path / "a.sarif", tmp_path / "b.sarif"
    for out in (a, b):
        proc = cli("check", "fixtures", "--format", "sarif", "--output", str(out), "--fail-on", "never")
        assert proc.returncode == 0, proc.stderr
    assert a.read_bytes() == b.read_bytes()
    log = assert_valid_sarif(a.read_text())
    results = log["runs"][0]["results"]
    assert results and all(r["level"] in ("error", "warning", "note") for r in results)
    assert all(
        not r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(("/", ".."))
        for r in results
    )


def test_subfolder_scan_and_reformatting_keep_uris_and_fingerprints(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "fixtures" / "region-mismatch", repo / "infra" / "region-mismatch")
    (repo / ".git").mkdir()
    scan_dir = repo / "infra" / "region-mismatch" / "terraform"
    before = json.loads(cli("check", ".", "--format", "sarif", "--fail-on", "never", cwd=scan_dir).stdout)
    assert_valid_sarif(before)
    run = before["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"infra/region-mismatch/terraform/main.tf"}
    # reformat: blank lines and a comment at the top shift every line
    main = scan_dir / "main.tf"
    main.write_text("# moved down by a reformat\n\n\n" + main.read_text())
    after = json.loads(cli("check", ".", "--format", "sarif", "--fail-on", "never", cwd=scan_dir).stdout)

    def prints(log: dict) -> list[tuple[str, str, int]]:
        return sorted(
            (
                r["ruleId"],
                r["partialFingerprints"][FINGERPRINT_KEY],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in log["runs"][0]["results"]
        )

    old, new = prints(before), prints(after)
    assert [(r, fp) for r, fp, _ in old] == [(r, fp) for r, fp, _ in new]
    assert [line + 3 for _, _, line in old] == [line for _, _, line in new]
