"""Suppressions: one comment grammar for HCL, Bicep and YAML; front-end records; per-path
ignores; baselines; AKSB901 for every problem with a suppression."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from report_factory import make_report

from linter import baseline
from linter.comments import scan
from linter.frontend import InlineSuppression
from linter.globs import glob_to_regex, path_matches
from linter.model import Finding, Severity, Span
from linter.options import Options
from linter.suppress import apply
from policies import load_builtin_rules

TODAY = dt.date(2026, 11, 24)
REGISTRY = load_builtin_rules()


def finding(
    file: Path, line: int, rule: str = "AKSB102", address: str = "azurerm_storage_account.backup"
) -> Finding:
    return Finding(
        rule,
        f"{rule} problem",
        Span(str(file), line, 3),
        Severity.ERROR,
        address=address,
        attribute="location",
    )


def run(findings, records=(), **settings):  # type: ignore[no-untyped-def]
    return apply(list(findings), list(records), Options(**settings), REGISTRY, today=TODAY)


def diagnostics(out: list[Finding]) -> list[tuple[int, str]]:
    return [(f.span.line, f.message) for f in out if f.rule_id == "AKSB901"]


HCL = """\
# aks-backup-lint: ignore[AKSB102] storage replicated by policy X until=2027-01-31
resource "azurerm_storage_account" "backup" {
  name     = "stbackup"
  location = "northeurope"
  account_kind = "BlobStorage" # aks-backup-lint: ignore[AKSB201] legacy account, migrating in Q1
  tags = {
    note = "# aks-backup-lint: ignore[AKSB202] inside a string does not count"
  }
}

resource "azurerm_storage_account" "other" {
  location = "northeurope"
}
"""


def test_hcl_comment_above_resource_covers_the_block(tmp_path: Path) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text(HCL)
    f1, f2, f3, f4 = finding(tf, 4), finding(tf, 5, "AKSB201"), finding(tf, 7, "AKSB202"), finding(tf, 12)
    out = run([f1, f2, f3, f4])
    assert f1.suppression is not None and f1.suppression.kind == "inSource"
    assert f1.suppression.justification == "storage replicated by policy X"
    assert f1.suppression.span.line == 1
    assert f2.suppression is not None and f2.suppression.justification == "legacy account, migrating in Q1"
    assert f3.suppression is None, "a marker inside a string is not a comment"
    assert f4.suppression is None, "the suppression covers only the resource below it"
    assert diagnostics(out) == []
    assert len(out) == 4, "suppressed findings are kept, not dropped"


def test_double_slash_and_block_comments_in_hcl(tmp_path: Path) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text(
        'resource "a" "b" {\n  // aks-backup-lint: ignore[AKSB102] why\n  location = "x"\n  /* aks-backup-lint: ignore[AKSB201] why */ kind = 1\n}\n'
    )
    f1, f2 = finding(tf, 3), finding(tf, 4, "AKSB201")
    run([f1, f2])
    assert f1.suppression and f2.suppression


def test_heredoc_content_is_not_a_comment(tmp_path: Path) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text("x = <<EOT\n# aks-backup-lint: ignore[AKSB102] nope\nEOT\ny = 1\n")
    f = finding(tf, 4)
    run([f])
    assert f.suppression is None


def test_missing_reason_is_reported_and_does_not_suppress(tmp_path: Path) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text('# aks-backup-lint: ignore[AKSB102]\nresource "a" "b" {\n  location = "x"\n}\n')
    f = finding(tf, 3)
    out = run([f])
    assert f.suppression is None
    (diag,) = [d for d in out if d.rule_id == "AKSB901"]
    assert (diag.span.line, diag.span.column) == (1, 1)
    assert "no reason" in diag.message and diag.severity is Severity.WARNING


def test_unknown_rule_is_reported_known_ones_still_work(tmp_path: Path) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text('location = "x" # aks-backup-lint: ignore[AKSB102, AKSB999] documented exception\n')
    f = finding(tf, 1)
    out = run([f])
    assert f.suppression is not None
    assert diagnostics(out) == [(1, "suppression names unknown rule 'AKSB999'")]


def test_expired_suppression_stops_working_and_says_so(tmp_path: Path) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text('location = "x" # aks-backup-lint: ignore[AKSB102] temporary until=2026-01-31\n')
    f = finding(tf, 1)
    out = run([f])
    assert f.suppression is None
    assert diagnostics(out) == [
        (1, "suppression of AKSB102 expired on 2026-01-31 and no longer applies: temporary")
    ]


def test_invalid_date_and_malformed_marker(tmp_path: Path) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text(
        "a = 1 # aks-backup-lint: ignore[AKSB102] x until=31.01.2027\nb = 1 # aks-backup-lint: ignore AKSB102 x\n"
    )
    out = run([finding(tf, 1), finding(tf, 2)])
    msgs = diagnostics(out)
    assert msgs[0][0] == 1 and "invalid until= date" in msgs[0][1]
    assert msgs[1][0] == 2 and "malformed suppression" in msgs[1][1]


def test_unused_suppressions_only_when_asked(tmp_path: Path) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text('location = "x" # aks-backup-lint: ignore[AKSB102,AKSB201] reason\n')
    f = finding(tf, 1)
    assert diagnostics(run([f])) == []
    f = finding(tf, 1)
    assert diagnostics(run([f], report_unused_suppressions=True)) == [
        (1, "suppression of AKSB201 suppresses nothing; remove it")
    ]


def test_unused_check_reads_files_without_findings(tmp_path: Path) -> None:
    tf = tmp_path / "clean.tf"
    tf.write_text('# aks-backup-lint: ignore[AKSB102] stale\nresource "a" "b" {}\n')
    options = Options(report_unused_suppressions=True)
    out = apply([], [], options, REGISTRY, files=[str(tf)], today=TODAY)
    assert [(d.rule_id, d.span.line) for d in out] == [("AKSB901", 1)]


def test_module_call_comment_covers_everything_the_module_creates(tmp_path: Path) -> None:
    root = tmp_path / "main.tf"
    root.write_text(
        '# aks-backup-lint: ignore[AKSB102] storage module reviewed by team X\nmodule "storage" {\n  source = "./storage"\n}\n'
    )
    mod = tmp_path / "storage" / "main.tf"
    mod.parent.mkdir()
    mod.write_text('resource "azurerm_storage_account" "sa" {\n  location = "x"\n}\n')
    inside = finding(mod, 2, address="module.storage.azurerm_storage_account.sa[0]")
    outside = finding(mod, 2, address="module.other.azurerm_storage_account.sa")
    # the root file is read because the module call's comment lives there
    apply([inside, outside], [], Options(), REGISTRY, files=[str(root)], today=TODAY)
    assert inside.suppression is not None and outside.suppression is None


BICEP = """\
// aks-backup-lint: ignore[AKSB102] region pinned by landing zone
resource sa 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  name: 'st#notacomment'
  location: 'northeurope'
}
resource other 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  location: '// aks-backup-lint: ignore[AKSB102] in a string'
}
"""


def test_bicep(tmp_path: Path) -> None:
    bicep = tmp_path / "main.bicep"
    bicep.write_text(BICEP)
    f1, f2 = finding(bicep, 4, address="sa"), finding(bicep, 7, address="other")
    run([f1, f2])
    assert f1.suppression is not None and f2.suppression is None


YAML = """\
# aks-backup-lint: ignore[AKSB502] ultra disks approved for this workload
apiVersion: storage.k8s.io/v1
kind: StorageClass
parameters:
  skuName: UltraSSD_LRS
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  annotations:
    note: "# aks-backup-lint: ignore[AKSB502] quoted"
  description: |
    # aks-backup-lint: ignore[AKSB502] block scalar
parameters:
  skuName: PremiumV2_LRS  # aks-backup-lint: ignore[AKSB502] benchmark cluster only
  other: PremiumV2_LRS
"""


def test_yaml_document_and_line_comments(tmp_path: Path) -> None:
    y = tmp_path / "sc.yaml"
    y.write_text(YAML)
    first, trailing, other = (finding(y, n, "AKSB502", address=f"sc{n}") for n in (5, 15, 16))
    run([first, trailing, other])
    assert first.suppression is not None, "a comment at the top of a document covers the document"
    assert trailing.suppression is not None
    assert other.suppression is None


def test_yaml_scanner_ignores_quotes_and_block_scalars() -> None:
    info = scan(YAML, "yaml")
    assert [c.line for c in info.comments] == [1, 15]


def test_records_from_front_ends(tmp_path: Path) -> None:
    arm = tmp_path / "azuredeploy.json"
    arm.write_text("{}\n")
    addr = "Microsoft.Storage/storageAccounts/stbackup"
    f = finding(arm, 30, address=addr)
    g = finding(arm, 40, "AKSB201", address=addr)
    k8s = finding(tmp_path / "sc.yaml", 8, "AKSB502", address="StorageClass/ultra")
    records = [
        InlineSuppression(Span(str(arm), 20, 7), ("AKSB102",), "geo pinned", scope="resource", address=addr),
        InlineSuppression(
            Span(str(tmp_path / "sc.yaml"), 4, 5),
            ("AKSB502",),
            "approved",
            scope="resource",
            address="StorageClass/ultra",
        ),
        InlineSuppression(Span(str(arm), 20, 7), ("AKSB201",), "", scope="resource", address=addr),
    ]
    out = run([f, g, k8s], records)
    assert f.suppression and f.suppression.justification == "geo pinned"
    assert k8s.suppression and k8s.suppression.justification == "approved"
    assert g.suppression is None
    assert [line for line, _ in diagnostics(out)] == [20]


def test_per_path_ignores_are_external(tmp_path: Path) -> None:
    f = finding(tmp_path / "legacy" / "old" / "main.tf", 3)
    g = finding(tmp_path / "prod" / "main.tf", 3)
    run([f, g], per_path_ignores={"legacy/**": ["AKSB1"]}, config_file=tmp_path / ".aks-backup-lint.yaml")
    assert f.suppression is not None and f.suppression.kind == "external"
    assert g.suppression is None


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("legacy/a/main.tf", "legacy/**", True),
        ("legacy/main.tf", "legacy/", True),
        ("a/legacy/main.tf", "legacy/**", False),
        ("a/b/main.tf", "*.tf", True),
        ("a/b/main.tf", "a/*.tf", False),
        ("a/b/main.tf", "a/**/*.tf", True),
        ("modules/x/y.bicep", "modules", True),
    ],
)
def test_path_globs(path: str, pattern: str, expected: bool) -> None:
    assert path_matches(path, pattern) is expected, glob_to_regex(pattern).pattern


def test_baseline_roundtrip(tmp_path: Path) -> None:
    report = make_report(tmp_path / "repo")
    path = tmp_path / "baseline.json"
    baseline.write(path, report)
    data = json.loads(path.read_text())
    fps = [e["fingerprint"] for e in data["findings"]]
    assert fps == sorted(fps) and len(fps) == len(report.active)
    assert baseline.dumps(report) == path.read_text(), "deterministic"
    # a fresh run of the same code: every finding is in the baseline, a new one is not
    again = make_report(tmp_path / "repo")
    new = finding(
        tmp_path / "repo" / "infra" / "main.tf", 2, "AKSB201", address="azurerm_storage_account.new"
    )
    findings = [f for f in again.findings if f.suppression is None] + [new]
    run(findings, baseline=path)
    assert [f.rule_id for f in findings if f.suppression is None] == ["AKSB201"]
    assert all(f.suppression.justification == "baseline" for f in findings[:-1])
    assert findings[0].suppression.kind == "external"


def test_baseline_errors(tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text("{nope")
    with pytest.raises(baseline.BaselineError, match=r"b.json:1:2"):
        baseline.load(bad)


# --- end to end through the CLI ----------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "linter.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def copy_fixture(tmp_path: Path, name: str) -> Path:
    import shutil

    target = tmp_path / "repo" / name
    shutil.copytree(ROOT / "fixtures" / name, target)
    (tmp_path / "repo" / ".git").mkdir(exist_ok=True)
    return target


def test_inline_comment_suppresses_in_a_real_run(tmp_path: Path) -> None:
    from sarif_schema import assert_valid_sarif

    fixture = copy_fixture(tmp_path, "service-principal")
    before = cli("check", "terraform", "--format", "json", cwd=fixture)
    assert before.returncode == 1
    (finding_,) = [
        f
        for f in json.loads(before.stdout)["findings"]
        if f["rule_id"] == "AKSB301" and f["severity"] == "error"
    ]
    main = fixture / "terraform" / "main.tf"
    lines = main.read_text().splitlines()
    line = finding_["location"]["line"]
    lines[line - 1] += (
        "  # aks-backup-lint: ignore[AKSB301] legacy cluster, migrating to managed identity in Q1"
    )
    main.write_text("\n".join(lines) + "\n")
    after = cli("check", "terraform", "--format", "sarif", cwd=fixture)
    assert after.returncode == 0, after.stdout + after.stderr
    log = assert_valid_sarif(after.stdout)
    (result,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "AKSB301" and r["level"] == "error"]
    assert result["suppressions"][0]["kind"] == "inSource"
    assert result["suppressions"][0]["justification"] == "legacy cluster, migrating to managed identity in Q1"
    text = cli("check", "terraform", cwd=fixture).stdout
    assert "error AKSB301" not in text and "(1 suppressed)" in text


def test_baseline_through_the_cli(tmp_path: Path) -> None:
    fixture = copy_fixture(tmp_path, "region-mismatch")
    base = tmp_path / "baseline.json"
    wrote = cli("check", ".", "--write-baseline", str(base), cwd=fixture)
    assert wrote.returncode == 0, wrote.stderr
    current = json.loads(cli("check", ".", "--format", "json", cwd=fixture).stdout)
    active = [f for f in current["findings"] if f["suppression"] is None]
    assert {"AKSB101", "AKSB102"} <= {f["rule_id"] for f in active}
    assert sorted(e["fingerprint"] for e in json.loads(base.read_text())["findings"]) == sorted(
        {f["fingerprint"] for f in active}
    )
    again = cli("check", ".", "--baseline", str(base), "--fail-on", "note", cwd=fixture)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"({len(active)} suppressed)" in again.stdout
    bad = tmp_path / "bad.json"
    bad.write_text("[")
    broken = cli("check", ".", "--baseline", str(bad), cwd=fixture)
    assert broken.returncode == 2 and "bad.json:1:2" in broken.stderr


def test_yaml_comment_above_a_manifest_in_a_real_run(tmp_path: Path) -> None:
    fixture = copy_fixture(tmp_path, "volumes-stateful-app")
    sc = fixture / "kubernetes" / "storage-classes.yaml"
    lines = sc.read_text().splitlines()
    start = (
        next(i for i, ln in enumerate(lines) if ln.strip() == "name: premium-v2") - 3
    )  # its apiVersion line
    assert lines[start].startswith("apiVersion:")
    lines.insert(
        start, "# aks-backup-lint: ignore[unsupported-disk-sku] benchmark class, deleted after the load test"
    )
    sc.write_text("\n".join(lines) + "\n")
    out = json.loads(cli("check", ".", "--format", "json", "--fail-on", "never", cwd=fixture).stdout)
    premium = [f for f in out["findings"] if "StorageClass/premium-v2" in f["message"]]
    assert premium and all(f["suppression"]["kind"] == "inSource" for f in premium)
    assert all(f["suppression"]["justification"].startswith("benchmark class") for f in premium)
    others = [f for f in out["findings"] if f["rule_id"] == "AKSB502" and "premium-v2" not in f["message"]]
    assert others and all(f["suppression"] is None for f in others)


def test_comment_above_a_module_call_covers_what_the_module_creates(tmp_path: Path) -> None:
    fixture = copy_fixture(tmp_path, "modules")
    main = fixture / "terraform" / "main.tf"
    before = json.loads(cli("check", ".", "--format", "json", "--fail-on", "never", cwd=fixture).stdout)
    inside = [f for f in before["findings"] if f["address"].startswith("module.backup")]
    assert inside, "the fixture has a finding inside module.backup"
    lines = main.read_text().splitlines()
    call = next(i for i, ln in enumerate(lines) if ln.startswith('module "backup"'))
    lines.insert(call, "// aks-backup-lint: ignore[AKSB101] the DR vaults are regional by design (ADR-7)")
    main.write_text("\n".join(lines) + "\n")
    after = json.loads(cli("check", ".", "--format", "json", "--fail-on", "never", cwd=fixture).stdout)
    moved = [
        f for f in after["findings"] if f["address"].startswith("module.backup") and f["rule_id"] == "AKSB101"
    ]
    assert moved and all(f["suppression"]["justification"].startswith("the DR vaults") for f in moved)
    assert [f["fingerprint"] for f in moved] == [
        f["fingerprint"] for f in inside if f["rule_id"] == "AKSB101"
    ]


def test_arm_metadata_helper(tmp_path: Path) -> None:
    from linter.arm.suppressions import from_arm_metadata

    arm = str(tmp_path / "azuredeploy.json")
    span = Span(arm, 12, 7)
    meta = {
        "aks-backup-lint": {
            "ignore": {
                "AKSB102": "geo pinned by policy",
                "storage-account-not-gpv2": {"reason": "legacy", "until": "2026-01-01"},
                "AKSB202": 42,
            }
        }
    }
    records = from_arm_metadata(meta, span, "Microsoft.Storage/storageAccounts/st")
    assert [(r.rule_ids, r.reason, r.until, r.scope) for r in records] == [
        (("AKSB102",), "geo pinned by policy", "", "resource"),
        (("storage-account-not-gpv2",), "legacy", "2026-01-01", "resource"),
        (("AKSB202",), "", "", "resource"),
    ]
    f1 = finding(Path(arm), 30, "AKSB102", address="Microsoft.Storage/storageAccounts/st")
    f2 = finding(Path(arm), 31, "AKSB201", address="Microsoft.Storage/storageAccounts/st")
    f3 = finding(Path(arm), 32, "AKSB202", address="Microsoft.Storage/storageAccounts/st")
    out = run([f1, f2, f3], records)
    assert f1.suppression is not None and f2.suppression is None and f3.suppression is None
    msgs = [m for _, m in diagnostics(out)]
    assert any("expired on 2026-01-01" in m for m in msgs) and any("no reason" in m for m in msgs)
    assert from_arm_metadata({"other": 1}, span, "x") == [] and from_arm_metadata(None, span, "x") == []


def test_yaml_comment_above_a_key_covers_its_value(tmp_path: Path) -> None:
    y = tmp_path / "pv.yaml"
    y.write_text(
        "apiVersion: v1\n"
        "kind: PersistentVolume\n"
        "spec:\n"
        "  # aks-backup-lint: ignore[AKSB502] migration volume, deleted next sprint\n"
        "  csi:\n"
        "    driver: disk.csi.azure.com\n"
        "    volumeAttributes:\n"
        "      skuName: UltraSSD_LRS\n"
        "  capacity:\n"
        "    storage: 10Gi\n"
    )
    inside, outside = finding(y, 8, "AKSB502", address="pv"), finding(y, 10, "AKSB502", address="pv")
    run([inside, outside])
    assert inside.suppression is not None and outside.suppression is None
    info = scan(y.read_text(), "yaml")
    assert info.block_end[1] == 10 and info.block_end[5] == 8 and info.block_end[3] == 10
