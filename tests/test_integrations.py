"""Integrations with real clients where they run here: problem matchers on real text output, the
GitHub Action's scripts in a simulated runner, action.yml and hook definitions, pre-commit."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
LINTER = [sys.executable, "-m", "linter.cli"]


def env_with_project() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("NO_COLOR", None)
    return env


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    """Text and JSON output of one real run over the shipped fixtures (from the repo root)."""
    out = tmp_path_factory.mktemp("run")
    proc = subprocess.run(
        [
            *LINTER,
            "check",
            "fixtures",
            "--fail-on",
            "never",
            "--no-color",
            "-o",
            f"text:{out / 'r.txt'}",
            "-o",
            f"json:{out / 'r.json'}",
        ],
        cwd=ROOT,
        env=env_with_project(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return (out / "r.txt").read_text(), json.loads((out / "r.json").read_text())


def expected_rows(report: dict) -> list[tuple[str, int, int, str, str, str]]:
    return [
        (
            f["location"]["path"],
            f["location"]["line"],
            f["location"]["column"],
            f["severity"],
            f["rule_id"],
            " ".join(f["message"].split()),
        )
        for f in report["findings"]
        if f["suppression"] is None
    ]


MATCHER = ROOT / "linter" / "matchers" / "aks-backup-lint.json"


def github_matchers() -> list[dict]:
    return json.loads(MATCHER.read_text())["problemMatcher"]


def test_github_problem_matcher_captures_every_finding(fixture_run: tuple[str, dict]) -> None:
    text, report = fixture_run
    assert report["findings"], "the fixtures must produce findings"
    severity_word = {"error": "error", "warning": "warning", "notice": "note"}
    captured = []
    for line in text.splitlines():
        hits = []
        for matcher in github_matchers():
            (pattern,) = matcher["pattern"]
            m = re.match(pattern["regexp"], line)
            if m:
                hits.append((m, pattern, matcher["severity"]))
        assert len(hits) <= 1, f"two matchers match {line!r}"
        if hits:
            m, p, sev = hits[0]
            captured.append(
                (
                    m[p["file"]],
                    int(m[p["line"]]),
                    int(m[p["column"]]),
                    severity_word[sev],
                    m[p["code"]],
                    m[p["message"]],
                )
            )
    assert captured == expected_rows(report)
    assert {r[3] for r in captured} >= {"error", "warning"}


def test_github_matcher_file_is_valid_for_the_runner() -> None:
    owners = set()
    for matcher in github_matchers():
        assert matcher["owner"] not in owners
        owners.add(matcher["owner"])
        assert matcher["severity"] in ("error", "warning", "notice")
        (pattern,) = matcher["pattern"]
        groups = re.compile(pattern["regexp"]).groups
        assert all(0 < pattern[k] <= groups for k in ("file", "line", "column", "code", "message"))


def vscode_matcher() -> dict:
    doc = (ROOT / "docs/integrations.md").read_text()
    block = re.search(r"```json\n(\{\n  \"version\": \"2.0.0\".*?)\n```", doc, re.DOTALL)
    assert block, "docs/integrations.md must contain the tasks.json example"
    (matcher,) = json.loads(block.group(1))["tasks"][0]["problemMatcher"]
    return matcher


def test_vscode_problem_matcher_from_the_docs_captures_every_finding(fixture_run: tuple[str, dict]) -> None:
    text, report = fixture_run
    p = vscode_matcher()["pattern"]
    captured = [
        (
            m[p["file"]],
            int(m[p["line"]]),
            int(m[p["column"]]),
            m[p["severity"]],
            m[p["code"]],
            m[p["message"]],
        )
        for m in (re.match(p["regexp"], line) for line in text.splitlines())
        if m
    ]
    assert captured == expected_rows(report)


def test_text_line_pattern_is_the_documented_one() -> None:
    from linter.reporters.text import LINE_PATTERN

    assert LINE_PATTERN in (ROOT / "docs/integrations.md").read_text()
    assert vscode_matcher()["pattern"]["regexp"] == LINE_PATTERN


def test_pre_commit_hooks_definition() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"aks-backup-lint", "aks-backup-lint-all"}
    changed, everything = hooks["aks-backup-lint"], hooks["aks-backup-lint-all"]
    assert changed["require_serial"] is True and changed["language"] == "python"
    assert changed["entry"].split()[:2] == ["aks-backup-lint", "check"]
    files = re.compile(changed["files"])
    for name in (
        "main.tf",
        "prod.tfvars",
        "main.bicep",
        "main.bicepparam",
        "azuredeploy.json",
        "x.jsonc",
        "a.yaml",
        "b.yml",
    ):
        assert files.search(name), name
    for name in ("README.md", "main.py", "main.tf.bak"):
        assert not files.search(name), name
    assert everything["pass_filenames"] is False and everything["always_run"] is True


def action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text())


LINT_INPUTS = (
    "paths",
    "config",
    "fail-on",
    "matrix",
    "var-files",
    "param-files",
    "baseline",
    "select",
    "ignore",
    "exclude",
    "sarif-file",
    "category",
    "upload-sarif",
    "annotations",
)


def test_action_yml_structure() -> None:
    a = action()
    assert a["runs"]["using"] == "composite"
    assert set(a["inputs"]) == {*LINT_INPUTS, "python-version"}
    for name, spec in a["inputs"].items():
        assert spec.get("description"), name
    assert set(a["outputs"]) >= {"errors", "warnings", "notes", "findings", "sarif-file"}
    steps = a["runs"]["steps"]
    for step in steps:
        assert "uses" in step or ("run" in step and step.get("shell") == "bash"), step
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["update-environment"] is False, "the user's Python must stay untouched"
    install = next(s for s in steps if "install.sh" in s.get("run", ""))
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    lint = next(s for s in steps if s.get("id") == "lint")
    assert "scripts/action/run.sh" in lint["run"]
    for name in LINT_INPUTS:
        env_name = "INPUT_" + name.upper().replace("-", "_")
        assert lint["env"][env_name] == "${{ inputs." + name + " }}", name
    for name, out in a["outputs"].items():
        assert out["value"] == "${{ steps.lint.outputs." + name + " }}"
    for script in ("install.sh", "run.sh", "summary.py", "annotate.sh"):
        assert os.access(ROOT / "scripts/action" / script, os.X_OK), script


def test_action_shows_findings_once_sarif_by_default_annotations_as_fallback() -> None:
    """Code scanning and the matcher both on made every finding appear twice on a pull request."""
    a = action()
    assert a["inputs"]["upload-sarif"]["default"] == "auto"
    assert a["inputs"]["annotations"]["default"] == "auto"
    steps = a["runs"]["steps"]
    lint_index = next(i for i, s in enumerate(steps) if s.get("id") == "lint")
    upload_index, upload = next(
        (i, s)
        for i, s in enumerate(steps)
        if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    )
    assert upload["uses"].endswith("@v3") and upload["id"] == "upload"
    assert upload["if"] == "always() && steps.lint.outputs.sarif-file != '' && inputs.upload-sarif != 'false'"
    assert upload["continue-on-error"] == "${{ inputs.upload-sarif == 'auto' }}"
    assert upload["with"] == {
        "sarif_file": "${{ steps.lint.outputs.sarif-file }}",
        "category": "${{ inputs.category }}",
    }
    annotate_index, annotate = next((i, s) for i, s in enumerate(steps) if "annotate.sh" in s.get("run", ""))
    assert lint_index < upload_index < annotate_index
    assert annotate["if"] == (
        "always() && steps.lint.outputs.text-report != '' && (inputs.annotations == 'true' || "
        "(inputs.annotations == 'auto' && steps.upload.outcome != 'success'))"
    )
    assert annotate["env"]["TEXT_REPORT"] == "${{ steps.lint.outputs.text-report }}"
    assert "add-matcher" not in (ROOT / "scripts/action/run.sh").read_text()


def run_action(
    tmp_path: Path, scenario: str, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], dict, str]:
    tmp_path.mkdir(exist_ok=True)
    workspace = tmp_path / "workspace"
    shutil.copytree(FIXTURES / scenario, workspace / scenario)
    (workspace / ".git").mkdir()
    gh_output, gh_summary = tmp_path / "output", tmp_path / "summary.md"
    env = env_with_project() | {
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(gh_output),
        "GITHUB_STEP_SUMMARY": str(gh_summary),
        "ACTION_PATH": str(ROOT),
        "AKSB_LINTER": f"{sys.executable} -m linter.cli",
        "AKSB_PYTHON": sys.executable,
        "AKSB_WORK": str(tmp_path / "work"),
        "INPUT_PATHS": scenario,
        **{"INPUT_" + k.upper(): v for k, v in inputs.items()},
    }
    proc = subprocess.run(
        [str(ROOT / "scripts/action/run.sh")], env=env, capture_output=True, text=True, timeout=300
    )
    outputs = dict(line.split("=", 1) for line in gh_output.read_text().splitlines())
    return proc, outputs, gh_summary.read_text()


def region_rules_config(tmp_path: Path) -> str:
    """Only the region rules: the counts below stay put when rules are added."""
    cfg = tmp_path / "lint.yaml"
    cfg.write_text("select: [AKSB101, AKSB102]\n")
    return str(cfg)


def test_action_run_script_with_findings(tmp_path: Path) -> None:
    proc, outputs, summary = run_action(
        tmp_path, "region-mismatch/terraform", CATEGORY="infra/prod", CONFIG=region_rules_config(tmp_path)
    )
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert "::add-matcher::" not in proc.stdout, "annotations are a later step's decision"
    assert any(
        re.match(r"^region-mismatch/terraform/main\.tf:\d+:\d+: error AKSB10[12] ", ln) for ln in lines
    )
    assert outputs["errors"] == "2" and outputs["findings"] == "2" and outputs["exit-code"] == "1"
    assert outputs["text-report"] == str(tmp_path / "work" / "report.txt")
    sarif_path = Path(outputs["sarif-file"])
    assert sarif_path == tmp_path / "workspace" / "aks-backup-lint.sarif"
    from sarif_schema import assert_valid_sarif

    log = assert_valid_sarif(sarif_path.read_text())
    assert log["runs"][0]["automationDetails"]["id"] == "infra/prod/"
    assert summary.startswith("## aks-backup-lint\n")
    assert "❌ failed" in summary and "| 2 | 0 | 0 | 0 |" in summary
    assert "[AKSB102](" in summary and "region-mismatch/terraform/main.tf:" in summary


def test_action_run_script_fail_on_never(tmp_path: Path) -> None:
    proc, outputs, summary = run_action(
        tmp_path,
        "region-mismatch/terraform",
        FAIL_ON="never",
        CONFIG=region_rules_config(tmp_path),
        SARIF_FILE="out/lint.sarif",
    )
    assert proc.returncode == 0, proc.stderr
    assert outputs["exit-code"] == "0" and outputs["errors"] == "2"
    assert outputs["sarif-file"].endswith("workspace/out/lint.sarif")
    assert "✅ passed" in summary


def test_action_run_script_clean(tmp_path: Path) -> None:
    proc, outputs, summary = run_action(tmp_path, "complete")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert outputs["findings"] == "0"
    assert "| 0 | 0 | 0 | 0 |" in summary


def test_action_run_script_config_error_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("fail-on: sometimes\n")
    proc, outputs, summary = run_action(tmp_path, "complete", CONFIG=str(bad))
    assert proc.returncode == 2
    assert outputs["exit-code"] == "2" and outputs["sarif-file"] == ""
    assert "did not produce a report" in summary and "fail-on" in summary


def region_findings(outputs: dict) -> list[str]:
    report = json.loads((Path(outputs["text-report"]).parent / "report.json").read_text())
    return sorted(f["rule_id"] for f in report["findings"] if f["suppression"] is None)


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({}, ["AKSB101", "AKSB102"]),
        ({"SELECT": "AKSB101"}, ["AKSB101"]),
        ({"SELECT": "AKSB101,\nAKSB102", "IGNORE": "vault-cluster-region-mismatch"}, ["AKSB102"]),
        ({"EXCLUDE": "**/main.tf"}, []),
    ],
)
def test_action_rule_and_path_inputs_reach_the_linter(
    tmp_path: Path, inputs: dict, expected: list[str]
) -> None:
    cfg = tmp_path / "lint.yaml"
    cfg.write_text("ignore: [AKSB0, AKSB3, AKSB4]\n")  # only the region rules are in play
    proc, outputs, _ = run_action(
        tmp_path, "region-mismatch/terraform", CONFIG=str(cfg), FAIL_ON="never", **inputs
    )
    assert proc.returncode == 0, proc.stderr
    assert region_findings(outputs) == expected


def test_action_var_files_input(tmp_path: Path) -> None:
    north = tmp_path / "north.tfvars"
    north.write_text('location = "northeurope"\n')
    proc, outputs, _ = run_action(
        tmp_path, "region-mismatch/terraform", CONFIG=region_rules_config(tmp_path), VAR_FILES=f"  {north}\n"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert region_findings(outputs) == []


def test_action_param_files_input(tmp_path: Path) -> None:
    north = tmp_path / "north.parameters.json"
    params = json.loads((FIXTURES / "region-mismatch/arm/azuredeploy.parameters.json").read_text())
    params["parameters"]["location"]["value"] = "northeurope"
    north.write_text(json.dumps(params))
    proc, outputs, _ = run_action(
        tmp_path,
        "region-mismatch/arm",
        CONFIG=region_rules_config(tmp_path),
        PARAM_FILES=f"region-mismatch/arm/azuredeploy.json={north}",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert region_findings(outputs) == []


def test_action_baseline_input(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    missing, _, _ = run_action(tmp_path / "before", "region-mismatch/terraform", BASELINE=str(baseline))
    assert missing.returncode == 2, "a baseline file that does not exist is bad input"
    # record today's findings in a checkout laid out like the workspace (paths are repo-relative)
    checkout = tmp_path / "checkout"
    shutil.copytree(FIXTURES / "region-mismatch/terraform", checkout / "region-mismatch/terraform")
    (checkout / ".git").mkdir()
    subprocess.run(
        [
            *LINTER,
            "check",
            "region-mismatch/terraform",
            "--select",
            "AKSB1",
            "--write-baseline",
            str(baseline),
        ],
        env=env_with_project(),
        capture_output=True,
        timeout=300,
        cwd=checkout,
        check=True,
    )
    proc, outputs, _ = run_action(
        tmp_path / "after",
        "region-mismatch/terraform",
        CONFIG=region_rules_config(tmp_path),
        BASELINE=str(baseline),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert outputs["findings"] == "0" and outputs["suppressed"] == "2"


def test_action_annotate_script_uses_the_shipped_matcher(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    finding = "main.tf:3:5: error AKSB101 the vault is elsewhere [vault-cluster-region-mismatch]"
    report.write_text(f"{finding}\n1 file scanned, 1 error, 0 warnings, 0 notes in 0.01s\n")
    proc = subprocess.run(
        [str(ROOT / "scripts/action/annotate.sh")],
        env=env_with_project()
        | {"TEXT_REPORT": str(report), "AKSB_LINTER": f"{sys.executable} -m linter.cli"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"::add-matcher::{MATCHER}"
    assert lines[1] == finding
    assert lines[-3:] == [
        f"::remove-matcher owner=aks-backup-lint-{severity}::" for severity in ("error", "warning", "note")
    ]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.mark.network
def test_pre_commit_try_repo(tmp_path: Path) -> None:
    """The real pre-commit client installs the hook from this checkout and runs it on files."""
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
    assert Path(pre_commit).exists(), "pre-commit is in the test extra: pip install '.[test]'"
    repo = tmp_path / "consumer"
    shutil.copytree(FIXTURES / "service-principal" / "terraform", repo / "bad")
    shutil.copytree(FIXTURES / "complete" / "terraform", repo / "good")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "infra")
    env = dict(os.environ) | {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    env.pop("PYTHONPATH", None)

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, "try-repo", str(ROOT), "aks-backup-lint", "--files", *files],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    failing = try_repo("bad/main.tf", "good/main.tf")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert re.search(
        r"^bad/main\.tf:\d+:\d+: error AKSB301 .*\[cluster-service-principal\]$", failing.stdout, re.M
    ), failing.stdout
    assert "good/main.tf:" not in failing.stdout
    passing = try_repo("good/main.tf", "good/versions.tf")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout


def test_fixture_json_report_matches_the_shipped_schema(fixture_run: tuple[str, dict]) -> None:
    import jsonschema

    schema = json.loads((ROOT / "linter/schemas/report.schema.json").read_text())
    jsonschema.Draft7Validator(schema).validate(fixture_run[1])
