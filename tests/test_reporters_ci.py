"""GitHub workflow commands, JUnit XML and GitLab Code Quality."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from report_factory import empty_report, make_report

from linter.reporters import FORMATS, UnknownFormat, render
from linter.reporters.github import escape_data, escape_property

COMMAND = re.compile(
    r"^::(error|warning|notice) file=([^,]+),line=(\d+),col=(\d+),endLine=(\d+),endColumn=(\d+),title=(AKSB\d{3})::(.*)$"
)


def test_github_commands(tmp_path: Path) -> None:
    report = make_report(tmp_path)
    lines = render("github", report).splitlines()
    parsed = [COMMAND.match(line) for line in lines[:-1]]
    assert all(parsed), lines
    assert [(m[1], m[2], int(m[3]), int(m[4]), m[7]) for m in parsed] == [
        (
            {"error": "error", "warning": "warning", "note": "notice"}[f.severity.value],
            report.repo_path(f.span.file),
            f.span.line,
            f.span.column,
            f.rule_id,
        )
        for f in report.active
    ]
    aksb102 = next(m for m in parsed if m[7] == "AKSB102")
    assert (aksb102[5], aksb102[6]) == ("8", "43")
    assert "%0Ainfra/main.tf:3:14: cluster azurerm_kubernetes_cluster.aks region" in aksb102[8]
    aksb201 = next(m for m in parsed if m[7] == "AKSB201")
    assert "100%25 of the time, a:b,c" in aksb201[8]
    assert lines[-1] == "::warning title=aks-backup-lint::infra/huge.tf: skipped, larger than 10 MiB"


def test_github_escaping() -> None:
    assert escape_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_junit_is_wellformed(tmp_path: Path) -> None:
    report = make_report(tmp_path)
    root = ET.fromstring(render("junit", report))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("6", "5", "1")
    failures = root.findall(".//failure")
    assert {f.get("type") for f in failures} == {"error", "warning", "note"}
    assert root.find(".//skipped").get("message").startswith("suppressed (inSource): vault region")


def test_junit_clean_run_has_one_passing_case(tmp_path: Path) -> None:
    root = ET.fromstring(render("junit", empty_report(tmp_path)))
    assert len(root.findall(".//testcase")) == 1 and not root.findall(".//failure")


def test_gitlab_code_quality(tmp_path: Path) -> None:
    report = make_report(tmp_path)
    data = json.loads(render("gitlab", report))
    assert len(data) == len(report.active)
    for item in data:
        assert set(item) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert item["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert item["location"]["lines"]["begin"] >= 1
    assert len({i["fingerprint"] for i in data}) == len(data)
    sev = {i["check_name"]: i["severity"] for i in data}
    assert sev == {
        "parse-error": "critical",
        "storage-cluster-region-mismatch": "major",
        "storage-account-not-gpv2": "major",
        "storage-account-premium": "minor",
        "unresolved-value": "info",
    }


def test_gitlab_fingerprints_unique_even_for_repeated_findings(tmp_path: Path) -> None:
    report = make_report(tmp_path)
    report.findings.append(report.active[1])
    data = json.loads(render("gitlab", report))
    assert len({i["fingerprint"] for i in data}) == len(data)


def test_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(UnknownFormat):
        render("yaml", empty_report(tmp_path))


def test_every_format_renders_every_report(tmp_path: Path) -> None:
    for fmt in FORMATS:
        assert render(fmt, make_report(tmp_path)).endswith("\n")
        out = render(fmt, empty_report(tmp_path))
        assert out.endswith("\n") or (fmt == "github" and out == "")
