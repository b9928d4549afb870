"""Volume and Velero rules beyond the fixtures: matrix revisions, options, clusters, examples."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from linter.engine import run
from linter.model import Severity
from linter.options import Options
from linter.rules import parse_sections
from policies import load_builtin_rules

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
VAULT_TIER = FIXTURES / "volumes-vault-tier" / "kubernetes"
K8S_RULES = ("AKSB501", "AKSB502", "AKSB503", "AKSB504", "AKSB505", "AKSB506", "AKSB601", "AKSB602")

BIG_CLAIM = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: big
  namespace: app
spec:
  resources:
    requests:
      storage: 3Ti
"""


def _rules(report, *ids: str) -> list[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    return sorted(
        (f.rule_id, Path(f.span.file).name, f.span.line)
        for f in report.findings
        if f.rule_id in (ids or K8S_RULES)
    )


def _setup(tmp_path: Path, *, vault_tier: bool = True) -> Path:
    """A scan directory with the complete backup Terraform (vault tier or not)."""
    shutil.copy(VAULT_TIER / "versions.tf", tmp_path / "versions.tf")
    text = (VAULT_TIER / "backup.tf").read_text(encoding="utf-8")
    if not vault_tier:
        text = text.replace('"VaultStore"', '"OperationalStore"')
    (tmp_path / "backup.tf").write_text(text, encoding="utf-8")
    return tmp_path


def test_newer_matrix_revision_accepts_premium_v2_and_smb_files() -> None:
    directory = FIXTURES / "volumes-stateful-app" / "kubernetes"
    old = _rules(run([directory], Options()), "AKSB502", "AKSB503")
    new = _rules(run([directory], Options(matrix="2026-01a")), "AKSB502", "AKSB503")
    assert any(r[0] == "AKSB502" for r in old) and not any(r[0] == "AKSB502" for r in new)
    # blob and Azure Container Storage stay unsupported; SMB Azure Files become supported
    assert ("AKSB503", "storage-classes.yaml", 58) in old and (
        "AKSB503",
        "storage-classes.yaml",
        58,
    ) not in new
    assert ("AKSB503", "storage-classes.yaml", 69) in new


def test_nfs_azure_files_stay_unsupported_in_2026(tmp_path: Path) -> None:
    (tmp_path / "sc.yaml").write_text(
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: nfs\n"
        "provisioner: file.csi.azure.com\nparameters:\n  protocol: nfs\n",
        encoding="utf-8",
    )
    assert _rules(run([tmp_path], Options(matrix="2026-01a"))) == [("AKSB503", "sc.yaml", 5)]


def test_vault_tier_rules_need_a_vault_tier_policy(tmp_path: Path) -> None:
    _setup(tmp_path, vault_tier=False)
    (tmp_path / "pvc.yaml").write_text(BIG_CLAIM, encoding="utf-8")
    assert _rules(run([tmp_path], Options()), "AKSB505") == []


def test_vault_tier_size_and_option(tmp_path: Path) -> None:
    _setup(tmp_path)
    (tmp_path / "pvc.yaml").write_text(BIG_CLAIM, encoding="utf-8")
    assert _rules(run([tmp_path], Options()), "AKSB505") == [("AKSB505", "pvc.yaml", 9)]
    bigger = Options(rule_options={"AKSB505": {"max_disk_bytes": 4 * 1024**4}})
    assert _rules(run([tmp_path], bigger), "AKSB505") == []


def test_objects_are_not_tied_to_one_of_several_clusters(tmp_path: Path) -> None:
    _setup(tmp_path)
    second = (tmp_path / "backup.tf").read_text(encoding="utf-8")
    cluster = re.search(r'resource "azurerm_kubernetes_cluster" "aks" \{.*?\n\}\n', second, re.S)
    assert cluster is not None
    (tmp_path / "other.tf").write_text(cluster.group(0).replace('"aks"', '"other"', 1), encoding="utf-8")
    (tmp_path / "pvc.yaml").write_text(BIG_CLAIM, encoding="utf-8")
    assert _rules(run([tmp_path], Options()), "AKSB505") == []
    mapped = Options(cluster_mapping={str(tmp_path): "azurerm_kubernetes_cluster.aks"})
    assert _rules(run([tmp_path], mapped), "AKSB505") == [("AKSB505", "pvc.yaml", 9)]
    other = Options(cluster_mapping={str(tmp_path): "azurerm_kubernetes_cluster.other"})
    assert _rules(run([tmp_path], other), "AKSB505") == []


def test_require_explicit_public_option(tmp_path: Path) -> None:
    _setup(tmp_path)
    (tmp_path / "sc.yaml").write_text(
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: plain\n"
        "provisioner: disk.csi.azure.com\nparameters:\n  skuName: Premium_LRS\n",
        encoding="utf-8",
    )
    assert _rules(run([tmp_path], Options()), "AKSB506") == []
    strict = Options(rule_options={"AKSB506": {"require_explicit_public": True}})
    assert _rules(run([tmp_path], strict), "AKSB506") == [("AKSB506", "sc.yaml", 5)]


def test_velero_severity_depends_on_the_backup_extension() -> None:
    with_extension = run([FIXTURES / "velero-helm" / "terraform"], Options())
    without = run([FIXTURES / "velero-helm" / "kubernetes"], Options())
    assert [f.severity for f in with_extension.findings if f.rule_id == "AKSB601"] == [Severity.ERROR]
    assert [f.severity for f in without.findings if f.rule_id == "AKSB601"] == [Severity.WARNING]


def test_velero_install_is_one_finding_with_related_locations() -> None:
    report = run([FIXTURES / "velero-manifests" / "kubernetes"], Options())
    (finding,) = [f for f in report.findings if f.rule_id == "AKSB601"]
    assert "3 more" in finding.message and len(finding.related) == 3


def test_default_storage_class_declared_in_the_scan(tmp_path: Path) -> None:
    (tmp_path / "sc.yaml").write_text(
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: files-default\n"
        '  annotations:\n    storageclass.kubernetes.io/is-default-class: "true"\n'
        "provisioner: file.csi.azure.com\n",
        encoding="utf-8",
    )
    (tmp_path / "pvc.yaml").write_text(BIG_CLAIM, encoding="utf-8")
    # the class is reported; the claim that picks it up by default is not reported twice
    assert _rules(run([tmp_path], Options())) == [("AKSB503", "sc.yaml", 7)]


def _example_blocks(doc: str) -> tuple[str, str]:
    example = parse_sections(doc)["Example"]
    blocks = re.findall(r"```yaml\n(.*?)```", example, re.S)
    assert len(blocks) == 2, "an Example block and a Use instead block, both YAML"
    return blocks[0], blocks[1]


@pytest.mark.parametrize("rule_id", K8S_RULES)
def test_documented_examples(rule_id: str, tmp_path: Path) -> None:
    rule = load_builtin_rules().get(rule_id)
    assert rule is not None
    bad, good = _example_blocks(rule.spec.doc)
    for name, text, expected in (("bad", bad, True), ("good", good, False)):
        directory = tmp_path / name
        directory.mkdir()
        if rule_id in ("AKSB505", "AKSB506"):
            _setup(directory)
        (directory / "example.yaml").write_text(text, encoding="utf-8")
        found = [f for f in run([directory], Options()).findings if f.rule_id == rule_id]
        assert bool(found) is expected, (name, [f.message for f in found])


def test_annotation_suppresses_the_whole_object(tmp_path: Path) -> None:
    (tmp_path / "sc.yaml").write_text(
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: ultra\n  annotations:\n"
        '    aks-backup-lint.io/ignore: "AKSB502 approved for the ledger until=2099-01-01"\n'
        "provisioner: disk.csi.azure.com\nparameters:\n  skuName: UltraSSD_LRS\n",
        encoding="utf-8",
    )
    (finding,) = [f for f in run([tmp_path], Options()).findings if f.rule_id == "AKSB502"]
    assert finding.suppression is not None and finding.suppression.justification == "approved for the ledger"


def test_velero_manifest_next_to_the_extension_is_an_error(tmp_path: Path) -> None:
    _setup(tmp_path, vault_tier=False)
    (tmp_path / "velero.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: velero\n")
    (finding,) = [f for f in run([tmp_path], Options()).findings if f.rule_id == "AKSB601"]
    assert (
        finding.severity is Severity.ERROR
        and "azurerm_kubernetes_cluster_extension.backup" in finding.message
    )


def test_claims_on_builtin_disk_classes_need_the_strict_option(tmp_path: Path) -> None:
    _setup(tmp_path)
    (tmp_path / "pvc.yaml").write_text(
        BIG_CLAIM.replace("spec:\n", "spec:\n  storageClassName: managed-premium\n").replace("3Ti", "8Gi"),
        encoding="utf-8",
    )
    assert _rules(run([tmp_path], Options()), "AKSB506") == []
    strict = Options(rule_options={"AKSB506": {"require_explicit_public": True}})
    assert _rules(run([tmp_path], strict), "AKSB506") == [("AKSB506", "pvc.yaml", 7)]


TOO_MANY = FIXTURES / "volumes-too-many-disks" / "kubernetes"


def test_disk_count_limit_is_an_option() -> None:
    assert _rules(run([TOO_MANY], Options()), "AKSB507") == [("AKSB507", "kafka.yaml", 9)]
    higher = Options(rule_options={"AKSB507": {"max_disks": 120}})
    assert _rules(run([TOO_MANY], higher), "AKSB507") == []
    lower = Options(rule_options={"AKSB507": {"max_disks": 59}})  # crossed by the first template
    assert _rules(run([TOO_MANY], lower), "AKSB507") == [("AKSB507", "kafka.yaml", 9)]


def test_disk_count_needs_vault_tier_and_volume_snapshots(tmp_path: Path) -> None:
    shutil.copytree(TOO_MANY, tmp_path / "scan")
    backup = tmp_path / "scan" / "backup.tf"
    text = backup.read_text(encoding="utf-8")
    backup.write_text(text.replace("volume_snapshot_enabled          = true", ""), encoding="utf-8")
    assert _rules(run([tmp_path / "scan"], Options()), "AKSB507") == []  # azurerm default: false
    backup.write_text(text.replace('"VaultStore"', '"OperationalStore"'), encoding="utf-8")
    assert _rules(run([tmp_path / "scan"], Options()), "AKSB507") == []


def test_disk_count_is_silent_when_namespaces_are_unknown(tmp_path: Path) -> None:
    shutil.copytree(TOO_MANY, tmp_path / "scan")
    backup = tmp_path / "scan" / "backup.tf"
    text = backup.read_text(encoding="utf-8")
    backup.write_text(
        'variable "namespaces" {\n  type = list(string)\n}\n'
        + text.replace(
            'included_namespaces              = ["events", "shop"]', "included_namespaces = var.namespaces"
        ),
        encoding="utf-8",
    )
    assert _rules(run([tmp_path / "scan"], Options()), "AKSB507") == []


def test_in_tree_azure_files_advice_follows_the_matrix_revision() -> None:
    directory = FIXTURES / "volumes-stateful-app" / "kubernetes"

    def messages(report) -> list[str]:  # type: ignore[no-untyped-def]
        return [f.message for f in report.findings if f.rule_id == "AKSB501" and "azureFile" in f.message]

    default = messages(run([directory], Options()))
    revised = messages(run([directory], Options(matrix="2026-01a")))
    assert default and all("Azure Disk CSI" in m and "Azure Files backup" in m for m in default)
    assert revised and all('"file.csi.azure.com"' in m for m in revised)


def test_volume_types_under_the_2026_revision() -> None:
    """Azure Files over SMB become supported; NFS, ANF, local, hostPath and other drivers do not."""
    directory = FIXTURES / "volumes-types" / "kubernetes"
    default = _rules(run([directory], Options()), "AKSB503")
    revised = _rules(run([directory], Options(matrix="2026-01a")), "AKSB503")
    smb = {
        ("AKSB503", "storage-classes.yaml", 39),
        ("AKSB503", "claims.yaml", 9),
        ("AKSB503", "claims.yaml", 21),
    }
    assert smb <= set(default) and not smb & set(revised)
    assert set(revised) == set(default) - smb


def test_other_platforms_drivers_count_only_on_a_cluster_of_the_scan(tmp_path: Path) -> None:
    sc = (
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: gp3\n"
        "provisioner: ebs.csi.aws.com\n"
    )
    (tmp_path / "sc.yaml").write_text(sc, encoding="utf-8")
    assert _rules(run([tmp_path], Options()), "AKSB503") == []  # a manifest for another platform
    _setup(tmp_path)  # now the scan has an AKS cluster, which receives the manifest
    assert _rules(run([tmp_path], Options()), "AKSB503") == [("AKSB503", "sc.yaml", 5)]
