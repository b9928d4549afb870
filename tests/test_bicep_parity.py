"""The same infrastructure in Terraform, ARM JSON and Bicep gives the same findings.

For every scenario written in all three languages, the multiset of (rule, attribute) must be
equal once the Terraform-only rules (provider versions, vault tier through Terraform) are set
aside. Positions differ by language and are asserted by ``test_fixtures.py``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from expectations import FIXTURES, use_fixture_module_cache

from linter.engine import run
from linter.options import Options

TERRAFORM_ONLY = {"AKSB001", "AKSB002", "AKSB003"}
#: the core issue's scenarios, written to be the same infrastructure in every language
CORE = (
    "complete",
    "region-mismatch",
    "storage-account-invalid",
    "service-principal",
    "node-pools",
    "backup-frequency",
    "system-namespace",
    "unknown-values",
    "modern-syntax",  # Bicep as Azure Verified Modules are written, with a registry module
)


def scenarios() -> list[Path]:
    return [FIXTURES / name for name in CORE]


def findings(directory: Path) -> Counter[tuple[str, str]]:
    report = run([directory], Options())
    return Counter(
        (f.rule_id, f.attribute)
        for f in report.findings
        if f.rule_id not in TERRAFORM_ONLY and f.rule_id != "AKSB902" and f.suppression is None
    )


def test_core_scenarios_exist_in_all_languages() -> None:
    missing = [
        f"{d.name}/{lang}"
        for d in scenarios()
        for lang in ("terraform", "arm", "bicep")
        if not (d / lang).is_dir()
    ]
    assert not missing


@pytest.mark.parametrize("scenario", scenarios(), ids=lambda p: p.name)
def test_same_findings_in_every_language(
    scenario: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_fixture_module_cache(scenario / "bicep", monkeypatch, tmp_path)
    terraform = findings(scenario / "terraform")
    assert findings(scenario / "arm") == terraform, "ARM differs from Terraform"
    assert findings(scenario / "bicep") == terraform, "Bicep differs from Terraform"
