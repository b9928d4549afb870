"""The text reporter: the stable compact line format, related locations, summary, colour."""

from __future__ import annotations

import re
from pathlib import Path

from report_factory import empty_report, make_report

from linter.reporters import render
from linter.reporters.text import LINE_PATTERN


def test_one_line_per_active_finding_relative_to_cwd(tmp_path: Path) -> None:
    report = make_report(tmp_path)
    out = render("text", report).splitlines()
    assert out[0] == (
        'infra/broken.tf:3:1: error AKSB000 unexpected end of file: the block opened at line 1 is not closed ("}" expected) [parse-error]'
    )
    assert out[1].startswith(
        "infra/main.tf:8:30: error AKSB102 storage account azurerm_storage_account.backup is in northeurope"
    )
    assert out[1].endswith("[storage-cluster-region-mismatch]")
    assert out[2] == "    infra/main.tf:3:14: note: cluster azurerm_kubernetes_cluster.aks region"
    assert out[3] == "    infra/main.tf:7:30: note: backup extension names the storage account here"
    assert not any("AKSB101" in line and "error" in line.split()[1] for line in out), (
        "suppressed finding shown"
    )
    assert out[-1] == "3 files scanned, 3 errors, 1 warning, 1 note in 0.12s (1 suppressed)"


def test_paths_follow_the_current_directory(tmp_path: Path) -> None:
    report = make_report(tmp_path, cwd=tmp_path / "infra")
    out = render("text", report)
    assert out.startswith("broken.tf:3:1: error AKSB000")


def test_every_finding_line_matches_the_matcher_regex_and_nothing_else_does(tmp_path: Path) -> None:
    report = make_report(tmp_path)
    lines = render("text", report).splitlines()
    matched = [m for m in (re.match(LINE_PATTERN, line) for line in lines) if m]
    assert [(m[1], int(m[2]), int(m[3]), m[4], m[5]) for m in matched] == [
        (report.display_path(f.span.file), f.span.line, f.span.column, f.severity.value, f.rule_id)
        for f in report.active
    ]


def test_no_colour_unless_asked(tmp_path: Path) -> None:
    report = make_report(tmp_path)
    assert "\033[" not in render("text", report)
    coloured = render("text", report, color=True)
    assert "\033[31merror\033[0m" in coloured
    assert re.sub(r"\033\[[0-9;]*m", "", coloured) == render("text", report)


def test_empty_report_summary(tmp_path: Path) -> None:
    assert (
        render("text", empty_report(tmp_path)) == "0 files scanned, 0 errors, 0 warnings, 0 notes in 0.00s\n"
    )


def test_messages_stay_on_one_line(tmp_path: Path) -> None:
    report = make_report(tmp_path)
    report.active[1].message = "first line\nsecond line"
    out = render("text", report)
    assert "first line second line [storage-cluster-region-mismatch]" in out
