"""A resource that does not exist is seen by no rule (rules.md, Scope; issue 10).

Generated from the fixtures: every failing Terraform, ARM and Bicep fixture is copied, every
resource and module in it is put under a condition known to be false (Terraform ``count = 0``,
ARM ``"condition": false``, Bicep ``if (false)`` or a loop over ``[]``), and the copy must give
no finding at all.
Kubernetes YAML has no conditions; its rules are covered through their Terraform
(kubernetes/helm provider) fixtures.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from expectations import expected_under, scenario_dirs

from linter.engine import run
from linter.options import Options
from policies import load_builtin_rules

DIAGNOSTICS = {r.spec.id for r in load_builtin_rules() if r.spec.diagnostic}
LANGUAGES = ("terraform", "arm", "bicep")


# --- Terraform: count = 0 on every resource and module ----------------------------------------

_TF_BLOCK = re.compile(r'^(resource|module)\s+"[^"]+"(\s+"[^"]+")?\s*\{\s*(#.*|//.*)?$')
_TF_META = re.compile(r"^  (count|for_each)\s*=")


def _balance(line: str) -> int:
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line.split("#", 1)[0])
    return sum(text.count(c) for c in "{[(") - sum(text.count(c) for c in "}])")


def never_terraform(text: str) -> str:
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        if not _TF_BLOCK.match(line):
            continue
        out.append("  count = 0")
        depth = 1
        while i < len(lines) and depth > 0:
            current = lines[i]
            if depth == 1 and _TF_META.match(current):  # drop the block's own count/for_each
                expr_depth = _balance(current)
                i += 1
                while expr_depth > 0 and i < len(lines):
                    expr_depth += _balance(lines[i])
                    i += 1
                continue
            depth += _balance(current)
            out.append(current)
            i += 1
    return "\n".join(out) + "\n"


def _never_bodies(bodies: object) -> None:
    for body in bodies if isinstance(bodies, list) else [bodies]:
        if isinstance(body, dict):
            body.pop("for_each", None)
            body["count"] = 0


def never_terraform_json(text: str) -> str:
    """Terraform JSON syntax: ``"count": 0`` on every resource and module call."""
    doc = json.loads(text)
    for resource_type in (doc.get("resource") or {}).values():
        for bodies in resource_type.values():
            _never_bodies(bodies)
    for bodies in (doc.get("module") or {}).values():
        _never_bodies(bodies)
    return json.dumps(doc, indent=2)


# --- ARM: "condition": false on every resource, nested templates included -------------------


def _never_arm_resources(resources: object) -> None:
    items = resources.values() if isinstance(resources, dict) else resources
    for resource in items if isinstance(items, list) or isinstance(resources, dict) else []:
        if not isinstance(resource, dict):
            continue
        resource["condition"] = False
        _never_arm_resources(resource.get("resources", []))
        properties = resource.get("properties")  # may be an expression string
        template = properties.get("template") if isinstance(properties, dict) else None
        if isinstance(template, dict):
            _never_arm_resources(template.get("resources", []))


def never_arm(text: str) -> str:
    doc = json.loads(text)
    if isinstance(doc, dict) and "resources" in doc:
        _never_arm_resources(doc["resources"])
    return json.dumps(doc, indent=2)


# --- Bicep: if (false) on every resource and module ------------------------------------------

_BICEP_DECL = re.compile(
    r"^(?P<head>\s*(?:resource|module)\s+\w+\s+'[^']*'(?:\s+existing)?\s*=\s*)(?P<rest>.*)$"
)


def never_bicep(text: str) -> str:
    """``if (false)`` on plain and conditional declarations; loops iterate over ``[]``."""
    out = []
    for line in text.splitlines():
        m = _BICEP_DECL.match(line)
        if m:
            rest = m.group("rest")
            loop = re.match(r"^\[for\s+(?P<var>.+?)\s+in\s+.+?:\s*(?P<body>.*)$", rest)
            if loop:
                rest = f"[for {loop.group('var')} in []: {loop.group('body')}"
            else:
                plain = re.match(r"^(?:if\s*\(.*\)\s*)?\{(?P<tail>\s*(//.*)?)$", rest)
                if plain:
                    rest = "if (false) {" + plain.group("tail")
            line = m.group("head") + rest
        out.append(line)
    return "\n".join(out) + "\n"


def never(directory: Path, language: str) -> None:
    """Rewrite every source file under ``directory`` so that nothing in it exists."""
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        if language == "terraform" and path.suffix == ".tf":
            path.write_text(never_terraform(path.read_text(encoding="utf-8")), encoding="utf-8")
        elif language == "terraform" and path.name.endswith(".tf.json"):
            path.write_text(never_terraform_json(path.read_text(encoding="utf-8")), encoding="utf-8")
        elif language == "arm" and path.suffix == ".json" and ".parameters." not in path.name:
            try:
                path.write_text(never_arm(path.read_text(encoding="utf-8")), encoding="utf-8")
            except json.JSONDecodeError:
                continue
        elif language == "bicep" and path.suffix == ".bicep":
            path.write_text(never_bicep(path.read_text(encoding="utf-8")), encoding="utf-8")


def failing_fixtures() -> list[Path]:
    out = []
    for directory in scenario_dirs():
        if directory.name not in LANGUAGES:
            continue
        rules = {e[3] for e in expected_under(directory)} - DIAGNOSTICS
        if rules:
            out.append(directory)
    return out


@pytest.mark.parametrize("fixture", failing_fixtures(), ids=lambda d: f"{d.parent.name}/{d.name}")
def test_a_failing_fixture_that_does_not_exist_reports_nothing(fixture: Path, tmp_path: Path) -> None:
    copy = tmp_path / fixture.parent.name / fixture.name
    shutil.copytree(fixture, copy)
    never(copy, fixture.name)
    report = run([copy], Options())
    left = sorted(
        (Path(f.span.file).relative_to(copy).as_posix(), f.span.line, f.rule_id)
        for f in report.findings
        if f.rule_id not in DIAGNOSTICS
    )
    assert left == []
    assert not [f for f in report.findings if f.rule_id == "AKSB000"], "the rewrite must stay valid"


def test_every_cloud_rule_is_covered_by_the_generated_cases() -> None:
    """Each rule with a failing Terraform, ARM or Bicep fixture is among the generated cases."""
    covered = {e[3] for d in failing_fixtures() for e in expected_under(d)} - DIAGNOSTICS
    cloud_rules = {
        r.spec.id
        for r in load_builtin_rules()
        if not r.spec.diagnostic and set(r.spec.languages) & set(LANGUAGES)
    }
    assert cloud_rules - covered == set()


def test_the_rewrites_put_conditions_where_expected() -> None:
    tf = never_terraform(
        'resource "a" "b" {\n  for_each = {\n    x = 1\n  }\n  name = each.key\n}\nmodule "m" {\n  source = "./m"\n}\n'
    )
    assert (
        tf
        == 'resource "a" "b" {\n  count = 0\n  name = each.key\n}\nmodule "m" {\n  count = 0\n  source = "./m"\n}\n'
    )
    bicep = never_bicep(
        "resource a 'T@1' = {\n}\nresource b 'T@1' = if (x) {\n}\nmodule c 'c.bicep' = [for i in r: {\n}]\n"
    )
    assert bicep.count("if (false) {") == 2 and "[for i in []: {" in bicep
    arm = json.loads(never_arm('{"resources": [{"type": "t", "resources": [{"type": "u"}]}]}'))
    assert (
        arm["resources"][0]["condition"] is False
        and arm["resources"][0]["resources"][0]["condition"] is False
    )
