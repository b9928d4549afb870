"""The backup-chain scenarios give the same rules in every language they are written in."""

from __future__ import annotations

from pathlib import Path

import pytest
from expectations import FIXTURES, expected_under

SCENARIOS = sorted(
    p
    for p in FIXTURES.iterdir()
    if p.is_dir()
    and (
        p.name.startswith("wiring-")
        or p.name
        in (
            "cross-region-restore",
            "cross-region-restore-unpaired",
            "region-unlisted",
            "vault-limit",
            "cluster-kubernetes-version",
            "container-shared-2024-09",
            "vault-settings-operational-tier",
        )
    )
    and len([d for d in p.iterdir() if d.is_dir()]) > 1
)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
def test_same_rules_in_every_language(scenario: Path) -> None:
    rules = {d.name: {e[3] for e in expected_under(d)} for d in sorted(scenario.iterdir()) if d.is_dir()}
    assert len({frozenset(r) for r in rules.values()}) == 1, rules
