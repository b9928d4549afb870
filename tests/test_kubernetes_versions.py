"""AKSB310's data: the dated AKS release calendar, and how a version's support is decided."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from linter.engine import run
from linter.facts.kubernetes_versions import DATA, Support, aks_calendar
from linter.options import Options

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "cluster-kubernetes-version" / "terraform"


def test_the_data_file_says_where_and_when_it_was_read() -> None:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    assert data["as_of"] == "2026-08-05"
    assert data["source_commit"] and data["url"].startswith("https://learn.microsoft.com/")
    assert aks_calendar().as_of == date(2026, 8, 5)


def test_supported_minors_on_the_data_date() -> None:
    calendar = aks_calendar()
    assert calendar.supported() == ["1.34", "1.35", "1.36"]  # 1.33 ended Jul 2026; 1.37 GA Oct 2026
    assert calendar.supported(lts=True) == ["1.31", "1.32", "1.33", "1.34", "1.35", "1.36"]


@pytest.mark.parametrize(
    ("version", "lts", "expected"),
    [
        ("1.35.2", False, Support.SUPPORTED),
        ("1.33", False, Support.UNSUPPORTED),  # end of life Jul 2026 (last day of the month)
        ("1.33", True, Support.SUPPORTED),  # LTS until Jul 2027
        ("1.33", None, Support.UNKNOWN),  # support plan unknown
        ("1.30.7", True, Support.UNSUPPORTED),  # LTS ended Jul 2026
        ("1.25.6", False, Support.UNSUPPORTED),  # older than the calendar
        ("1.37.0", False, Support.UNKNOWN),  # GA after the data date
        ("1.40", False, Support.UNKNOWN),  # newer than the calendar
        ("latest", False, Support.UNKNOWN),
    ],
)
def test_support_of_a_version(version: str, lts: bool | None, expected: Support) -> None:
    assert aks_calendar().support(version, lts) is expected


def test_the_message_names_the_data_date() -> None:
    findings = [f for f in run([FIXTURE], Options()).findings if f.rule_id == "AKSB310"]
    assert findings and all("as of 2026-08-05" in f.message for f in findings)


def _aksb310_lines(directory: Path) -> set[int]:
    return {f.span.line for f in run([directory], Options()).findings if f.rule_id == "AKSB310"}


def _line_of(path: Path, needle: str) -> int:
    return next(
        i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line
    )


def test_an_unknown_support_plan_keeps_lts_versions_silent(tmp_path: Path) -> None:
    text = (FIXTURE / "main.tf").read_text(encoding="utf-8")
    main = tmp_path / "main.tf"
    plan = 'support_plan        = "AKSLongTermSupport"'
    main.write_text('variable "plan" {\n  type = string\n}\n' + text.replace(plan, "support_plan = var.plan"))
    assert _line_of(main, '"1.31.4"') not in _aksb310_lines(tmp_path)
    main.write_text(text.replace(plan, ""), encoding="utf-8")  # no plan: KubernetesOfficial
    assert _line_of(main, '"1.31.4"') in _aksb310_lines(tmp_path)
