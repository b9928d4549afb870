"""The rule registry: complete, consistent with the public catalogue, documented."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from linter.rules import REQUIRED_SECTIONS, parse_sections
from policies import AREAS, load_builtin_rules

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO.parent / "shared" / "rules.md"


def test_modules_on_disk_are_the_registered_ones() -> None:
    registry = load_builtin_rules()
    on_disk = set()
    listed = set()
    for area in AREAS:
        package = importlib.import_module(f"policies.{area}")
        listed |= {f"{area}.{m}" for m in package.MODULES}
        on_disk |= {f"{area}.{p.stem}" for p in (REPO / "policies" / area).glob("aksb*.py")}
    assert on_disk == listed
    assert len(registry) == len(listed)


def test_module_names_follow_id_and_slug() -> None:
    for rule in load_builtin_rules():
        module = rule.check.__module__.rsplit(".", 1)[-1]
        assert module == f"{rule.spec.id.lower()}_{rule.spec.slug.replace('-', '_')}"
        assert rule.check.__name__ == rule.spec.slug.replace("-", "_")


@pytest.mark.skipif(not CATALOGUE.is_file(), reason="shared rules.md not beside the repository")
def test_ids_slugs_and_severities_match_the_catalogue() -> None:
    rows = {}
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| (AKSB\d{3}) \| ([a-z0-9-]+) \| (\w+)", line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3))
    for rule in load_builtin_rules():
        assert rule.spec.id in rows, f"{rule.spec.id} is not in rules.md"
        slug, severity = rows[rule.spec.id]
        assert rule.spec.slug == slug
        assert rule.spec.severity.value == severity


def test_every_rule_documents_the_required_sections_in_order() -> None:
    for rule in load_builtin_rules():
        sections = list(parse_sections(rule.spec.doc))
        assert sections[: len(REQUIRED_SECTIONS)] == list(REQUIRED_SECTIONS), rule.spec.id
        example = parse_sections(rule.spec.doc)["Example"]
        assert "Use instead:" in example and example.count("```") >= 4, rule.spec.id
