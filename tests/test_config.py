"""Config file: discovery upward, schema validation with file and line, pyproject, --show."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from linter.commands import show_config
from linter.config import ConfigError, find, schema
from linter.config import find_and_load as _find_and_load
from linter.config import load as _load
from linter.options import Flags, build_options
from policies import load_builtin_rules

REGISTRY = load_builtin_rules()


def find_and_load(start, explicit=None):  # type: ignore[no-untyped-def]
    return _find_and_load(start, explicit, REGISTRY)


def load(path):  # type: ignore[no-untyped-def]
    return _load(path, REGISTRY)


GOOD = """\
select: [AKSB1, AKSB2, storage-account-premium]
ignore: [AKSB403]
severity:
  AKSB202: warning
  storage-account-not-gpv2: note
exclude: ["legacy/**"]
per-path-ignores:
  "sandbox/**": [AKSB1]
fail-on: warning
unknown: note
matrix: "2025-06"
deployment:
  resourceGroup.location: westeurope
cluster-mapping:
  k8s/prod: azurerm_kubernetes_cluster.prod
category: infra/prod
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_schema_is_valid_and_published() -> None:
    jsonschema.Draft7Validator.check_schema(schema())
    shipped = resources.files("linter").joinpath("schemas/config.schema.json").read_text("utf-8")
    docs = Path(__file__).resolve().parents[1] / "docs/schemas/config.schema.json"
    assert docs.read_text() == shipped, "run: python -m linter.docs --write-docs docs/rules"


def test_found_upward_from_the_scanned_path(tmp_path: Path) -> None:
    cfg = write(tmp_path / ".aks-backup-lint.yaml", GOOD)
    deep = tmp_path / "infra" / "prod"
    deep.mkdir(parents=True)
    assert find(deep) == cfg
    assert find(write(deep / "main.tf", "")) == cfg
    settings = find_and_load(deep)
    assert settings["config-file"] == str(cfg.resolve())
    assert settings["severity"] == {"AKSB202": "warning", "AKSB201": "note"}, "slugs become IDs"
    assert settings["fail-on"] == "warning"


def test_nearest_wins_and_pyproject_needs_the_table(tmp_path: Path) -> None:
    write(tmp_path / ".aks-backup-lint.yaml", "fail-on: note\n")
    write(tmp_path / "app" / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find(tmp_path / "app") == tmp_path / ".aks-backup-lint.yaml"
    write(
        tmp_path / "app" / "pyproject.toml",
        "[project]\nname = 'x'\n\n[tool.aks-backup-lint]\nfail-on = \"never\"\n",
    )
    assert find_and_load(tmp_path / "app")["fail-on"] == "never"


def test_no_config_gives_empty_settings(tmp_path: Path) -> None:
    assert find_and_load(tmp_path) == {} or find(tmp_path) is not None


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("fail-on: error\nfial-on: warning\n", 2, "unknown setting 'fial-on'"),
        ("fail-on: sometimes\n", 1, "fail-on: 'sometimes' is not one of"),
        ("select:\n  - AKSB1\n  - 42\n", 3, "select.1: 42 is not of type 'string'"),
        ("severity:\n  AKSB202: fatal\n", 2, "severity.AKSB202: 'fatal' is not one of"),
        ("ignore:\n  - AKSB102\n  - no-such-rule\n", 3, "unknown rule 'no-such-rule'"),
        ("severity:\n  AKSB2: note\n", 2, "need a rule ID or slug"),
        ("matrix: '1999-01'\n", 1, "unknown matrix revision '1999-01'"),
        ("deployment:\n  resourcegroup: x\n", 2, "unknown setting 'resourcegroup' in deployment"),
        ("fail-on: [\n", 2, "invalid YAML"),
        ("- a\n- b\n", 1, "must be a mapping"),
    ],
)
def test_invalid_config_names_file_line_and_problem(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    cfg = write(tmp_path / ".aks-backup-lint.yaml", text)
    with pytest.raises(ConfigError) as info:
        load(cfg)
    assert info.value.line == line, str(info.value)
    assert fragment in str(info.value)
    assert str(info.value).startswith(f"{cfg}:{line}: ")


def test_pyproject_errors_have_lines(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.aks-backup-lint]\nfail-on = "error"\nunknwn = "note"\n',
    )
    with pytest.raises(ConfigError, match=r"pyproject.toml:6: unknown setting 'unknwn'"):
        load(cfg)


def test_explicit_missing_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        find_and_load(tmp_path, tmp_path / "nope.yaml")


def test_effective_settings_and_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / ".aks-backup-lint.yaml", "fail-on: warning\n")
    eff = build_options(Flags(), tmp_path).as_settings()
    assert eff["fail-on"] == "warning" and eff["unknown"] == "ignore" and eff["select"] == []
    assert show_config(tmp_path, Flags(), "yaml") == 0
    text = capsys.readouterr().out
    assert text.startswith("# effective settings (") and "fail-on: warning" in text
    assert show_config(tmp_path, Flags(), "json") == 0
    assert json.loads(capsys.readouterr().out)["category"] == "aks-backup-lint"


def test_empty_config_is_valid(tmp_path: Path) -> None:
    write(tmp_path / ".aks-backup-lint.yaml", "# nothing yet\n")
    assert find_and_load(tmp_path)["config-file"]


def test_cli_exits_2_on_invalid_config(tmp_path: Path) -> None:
    write(tmp_path / ".aks-backup-lint.yaml", "fail-on: sometimes\n")
    write(tmp_path / "main.tf", "")
    proc = subprocess.run(
        [sys.executable, "-m", "linter.cli", "check", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert ".aks-backup-lint.yaml:1: fail-on: 'sometimes' is not one of" in proc.stderr


def test_config_show_command(tmp_path: Path) -> None:
    write(tmp_path / ".aks-backup-lint.yaml", "fail-on: note\nseverity: {storage-account-premium: warning}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "linter.cli", "config", "--show", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert str(tmp_path / ".aks-backup-lint.yaml") in proc.stdout.splitlines()[0]
    assert "fail-on: note" in proc.stdout and "AKSB202: warning" in proc.stdout
    write(tmp_path / ".aks-backup-lint.yaml", "fail-on: 3\n")
    bad = subprocess.run(
        [sys.executable, "-m", "linter.cli", "config", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and ".aks-backup-lint.yaml:1:" in bad.stderr


def test_rule_options_from_the_config_file(tmp_path: Path) -> None:
    """Options a rule documents are set per rule, by ID or slug, and validated against the rule."""
    write(
        tmp_path / ".aks-backup-lint.yaml",
        "rule-options:\n  too-many-disks-for-vault-tier:\n    max_disks: 50\n",
    )
    options = build_options(Flags(), tmp_path)
    assert options.rule_options == {"AKSB507": {"max_disks": 50}}
    assert options.as_settings()["rule-options"] == {"AKSB507": {"max_disks": 50}}


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("rule-options:\n  AKSB507:\n    max_disk: 50\n", 3, "has no option 'max_disk'"),
        ("rule-options:\n  AKSB507:\n    max_disks: lots\n", 3, "takes a int"),
        ("rule-options:\n  AKSB104:\n    unpaired_geo_redundancy: 1\n", 3, "takes a bool"),
        ("rule-options:\n  AKSB5:\n    max_disks: 5\n", 2, "needs a rule ID or slug"),
    ],
)
def test_bad_rule_options_name_the_line(tmp_path: Path, text: str, line: int, problem: str) -> None:
    write(tmp_path / ".aks-backup-lint.yaml", text)
    with pytest.raises(ConfigError) as e:
        find_and_load(tmp_path)
    assert e.value.line == line and problem in str(e.value)


def test_every_declared_option_is_documented() -> None:
    for rule in REGISTRY:
        documented = rule.spec.sections().get("Options", "")
        for name in rule.spec.options:
            assert f"`{name}`" in documented, (rule.spec.id, name)
