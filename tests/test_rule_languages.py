"""Each rule's ``languages`` is exact: a failing fixture in every language it claims, and none in a
language it does not claim (issue 13).

A finding's language is the language of the file it points at, as discovery classifies it:
Kubernetes YAML counts as ``kubernetes``, the Terraform kubernetes and helm providers as
``terraform`` (they are ``.tf`` files), ARM templates as ``arm``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from expectations import REPO, expected_under, scenario_dirs

from linter.discover import classify
from policies import load_builtin_rules


def failing_languages() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for directory in scenario_dirs():
        for path, _line, _col, rule_id in expected_under(directory):
            language = classify(REPO / path)
            assert language is not None, f"{path}: an expectation in a file no front end reads"
            found[rule_id].add(language)
    return found


def test_every_rule_fails_in_exactly_the_languages_it_claims() -> None:
    found = failing_languages()
    wrong = {}
    for rule in load_builtin_rules():
        spec = rule.spec
        if spec.diagnostic:
            continue
        claimed = set(spec.languages)
        if claimed != found.get(spec.id, set()):
            wrong[spec.id] = {
                "claimed, no failing fixture": sorted(claimed - found.get(spec.id, set())),
                "failing fixture, not claimed": sorted(found.get(spec.id, set()) - claimed),
            }
    assert wrong == {}


def test_the_language_of_a_file_is_what_discovery_says() -> None:
    fixtures = Path(REPO) / "fixtures"
    assert classify(fixtures / "volumes-vault-tier" / "kubernetes" / "backup.tf") == "terraform"
    assert (
        classify(fixtures / "volumes-vault-tier" / "kubernetes" / "manifests" / "warehouse.yaml")
        == "kubernetes"
    )
    assert classify(fixtures / "node-pools" / "arm" / "azuredeploy.json") == "arm"
