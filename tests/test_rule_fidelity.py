"""Rule behaviour from the support-matrix audit (issue 13) beyond what the fixtures show:
revision-dependent verdicts, rule options, unknowns, messages and citations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from linter.engine import run
from linter.facts import version_ranges as versions
from linter.matrix import load as load_matrix
from linter.matrix import revisions
from linter.options import Options
from policies import load_builtin_rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RULES = {r.spec.id: r.spec for r in load_builtin_rules()}


def findings(directory: Path, rule_id: str, **options: object) -> list:  # type: ignore[type-arg]
    return [f for f in run([directory], Options(**options)).findings if f.rule_id == rule_id]  # type: ignore[arg-type]


# --- AKSB104 / AKSB105 ---------------------------------------------------------------------------


def test_unpaired_geo_redundancy_warning_can_be_turned_off() -> None:
    unpaired = FIXTURES / "cross-region-restore-unpaired" / "terraform"
    assert [f.severity.value for f in findings(unpaired, "AKSB104")] == ["warning"]
    off = {"AKSB104": {"unpaired_geo_redundancy": False}}
    assert findings(unpaired, "AKSB104", rule_options=off) == []
    # cross region restore in a region without a pair stays an error whatever the option says
    crr = FIXTURES / "vault-settings-operational-tier" / "terraform"
    assert [f.severity.value for f in findings(crr, "AKSB104", rule_options=off)] == ["error"]


def test_geo_redundancy_note_needs_operational_only_policies(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "cross-region-restore-unpaired" / "terraform", tmp_path / "scan")
    main = tmp_path / "scan" / "main.tf"
    assert len(findings(tmp_path / "scan", "AKSB105")) == 1
    text = main.read_text(encoding="utf-8")
    main.write_text(
        text.replace('data_store_type = "OperationalStore"', "data_store_type = var.store")
        + 'variable "store" {\n  type = string\n}\n',
        encoding="utf-8",
    )
    assert findings(tmp_path / "scan", "AKSB105") == []  # the tier is unknown


# --- AKSB203: revision-dependent sharing ---------------------------------------------------------


def test_container_sharing_is_reported_only_under_the_2024_revision() -> None:
    shared = FIXTURES / "wiring-container-shared" / "terraform"
    assert findings(shared, "AKSB203") == []
    old = findings(shared, "AKSB203", matrix="2024-09")
    assert [(f.span.line, f.span.column) for f in old] == [(185, 3)]
    assert "one container per cluster" in old[0].message
    assert load_matrix("2024-09").flag("one_container_per_cluster")
    assert not any(load_matrix(r).flag("one_container_per_cluster") for r in revisions() if r != "2024-09")


def test_other_data_in_the_container_is_reported_in_every_revision() -> None:
    other = FIXTURES / "wiring-container-other-data" / "terraform"
    for revision in revisions():
        assert len(findings(other, "AKSB203", matrix=revision)) == 1, revision


# --- Matrix revisions: unknown regions are unknown everywhere ------------------------------------


@pytest.mark.parametrize("revision", ["2024-09", "2025-06", "2026-01a", "2026-01b"])
@pytest.mark.parametrize("region", ["chinaeast2", "notaregion"])
def test_regions_a_revision_cannot_name_are_unlisted(revision: str, region: str) -> None:
    tiers = load_matrix(revision).region_tiers(region)
    if revision != "2026-01b" and region == "chinaeast2":
        assert tiers == "operational"  # the lists name the China regions as operational-only
    else:
        assert tiers == "unlisted"


def test_2026_01b_knows_public_and_government_regions() -> None:
    m = load_matrix("2026-01b")
    assert m.region_tiers("westeurope") == "vault"
    assert m.region_tiers("austriaeast") == "operational"  # vault tier excluded
    assert m.region_tiers("usgovvirginia") == "operational"  # Government: operational only


def test_an_unknown_region_is_a_warning_under_2026_01b(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "region-unlisted" / "terraform", tmp_path / "scan")
    main = tmp_path / "scan" / "main.tf"
    main.write_text(
        main.read_text(encoding="utf-8").replace('"newzealandnorth"', '"notaregion"'), encoding="utf-8"
    )
    assert {f.severity.value for f in findings(tmp_path / "scan", "AKSB103", matrix="2026-01b")} == {
        "warning"
    }


# --- AKSB204: private clusters and cluster subnets -----------------------------------------------

FIREWALL = FIXTURES / "wiring-storage-firewall-no-endpoint" / "terraform"


def _scan(tmp_path: Path, replace: list[tuple[str, str]], extra: str = "") -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copytree(FIREWALL, tmp_path / "scan")
    main = tmp_path / "scan" / "main.tf"
    text = main.read_text(encoding="utf-8")
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new)
    main.write_text(text + extra, encoding="utf-8")
    return tmp_path / "scan"


SUBNET = (
    'resource "azurerm_subnet" "aks" {\n  name = "aks"\n  resource_group_name = "net"\n'
    '  virtual_network_name = "hub"\n  address_prefixes = ["10.1.0.0/16"]\n}\n'
)
POOL_SUBNET = (
    '    os_sku     = "AzureLinux"\n',
    '    os_sku     = "AzureLinux"\n    vnet_subnet_id = azurerm_subnet.aks.id\n',
)
PUBLIC_API = ("  private_cluster_enabled = true\n", "")


def test_a_firewall_that_admits_the_cluster_subnet_needs_no_endpoint(tmp_path: Path) -> None:
    rule = (
        '    bypass         = ["AzureServices"]\n',
        '    bypass         = ["AzureServices"]\n    virtual_network_subnet_ids = [azurerm_subnet.aks.id]\n',
    )
    assert findings(_scan(tmp_path / "a", [POOL_SUBNET, rule, PUBLIC_API], SUBNET), "AKSB204") == []
    # the same cluster subnet without the firewall rule: the extension cannot reach the account
    assert len(findings(_scan(tmp_path / "b", [POOL_SUBNET, PUBLIC_API], SUBNET), "AKSB204")) == 1


def test_ip_rules_may_admit_the_cluster(tmp_path: Path) -> None:
    scan = _scan(
        tmp_path,
        [
            (
                '    bypass         = ["AzureServices"]\n',
                '    bypass         = ["AzureServices"]\n    ip_rules       = ["203.0.113.10"]\n',
            ),
            ("  private_cluster_enabled = true\n", ""),
        ],
    )
    assert findings(scan, "AKSB204") == []


def test_a_private_cluster_needs_an_endpoint_even_for_a_public_account(tmp_path: Path) -> None:
    scan = _scan(
        tmp_path, [('    default_action = "Deny" # expect: AKSB204:5\n', '    default_action = "Allow"\n')]
    )
    (found,) = findings(scan, "AKSB204")
    lines = (scan / "main.tf").read_text(encoding="utf-8").splitlines()
    account = next(
        i for i, line in enumerate(lines, 1) if line.startswith('resource "azurerm_storage_account"')
    )
    assert "private cluster" in found.message and found.span.line == account
    off = {"AKSB204": {"private_cluster_needs_endpoint": False}}
    assert findings(scan, "AKSB204", rule_options=off) == []


# --- AKSB002, AKSB302, AKSB308: messages --------------------------------------------------------


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("~> 4.14", ["4.14.0 to 4.20.x"]),
        (">= 3.0", ["3.99.0 to 3.117.0", "4.0.0 to 4.20.x"]),
        ("= 4.10.0", ["4.10.0"]),
        ("> 4.0.0, < 4.5", ["4.0.1 to 4.4.x"]),
        (">= 4.21.0", []),
    ],
)
def test_what_a_constraint_allows_of_the_retired_releases(constraint: str, expected: list[str]) -> None:
    retired = (((3, 99, 0), (3, 117, 1)), ((4, 0, 0), (4, 21, 0)))
    admitted = versions.parse(constraint)
    got = [
        versions.describe(iv)
        for lo, hi in retired
        for iv in versions.intersect(admitted, (versions.Interval(lo, True, hi, False),))
    ]
    assert got == expected


def test_retired_api_message_names_the_allowed_releases() -> None:
    (found,) = findings(FIXTURES / "provider-versions" / "terraform" / "retired-api", "AKSB002")
    assert '">= 4.0, < 5.0" allows 4.0.0 to 4.20.x, which call the retired' in found.message


def test_arm64_pool_messages_say_arm64() -> None:
    messages = [f.message for f in findings(FIXTURES / "node-pools" / "terraform", "AKSB302")]
    assert any("Arm64 VM size (standard_d4ps_v5)" in m for m in messages)
    assert any("Arm64 VM size (Standard_D4ps_v5)" in m for m in messages)


def test_owner_covers_disk_snapshot_contributor_but_not_the_data_operator() -> None:
    (found,) = findings(FIXTURES / "roles-owner-vault-tier" / "bicep", "AKSB308")
    assert '"Data Operator for Managed Disks"' in found.message


# --- citations ------------------------------------------------------------------------------------


def test_citations_name_the_article_that_says_it() -> None:
    concept = "https://learn.microsoft.com/azure/backup/azure-kubernetes-service-cluster-backup-concept"
    assert RULES["AKSB307"].cite.url == concept and "Trusted Access" in RULES["AKSB307"].cite.quote
    assert RULES["AKSB308"].cite.url == concept
    assert RULES["AKSB405"].cite.url.endswith(
        "PutBackupInstance_KubernetesClusterBackupDatasourceParameters.json"
    )
    assert "permission table" not in RULES["AKSB308"].doc
    assert "unsupported by the service" not in RULES["AKSB003"].doc
    assert "pick up another cluster" not in RULES["AKSB203"].doc
