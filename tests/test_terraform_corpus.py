"""Robustness on real Terraform: every configuration of ``../shared/corpus/tf`` through the engine.

Why: 1,232 real files (Azure quickstarts, the azurerm provider's examples) use what repositories
use: ``dynamic`` blocks, ``for_each`` over objects, local and registry modules, ``optional()``
types, provider functions, heredocs. The scan must finish with no traceback and no AKSB900, every
``.tf`` file must be read, and none of them (all valid Terraform) may be a parse error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.engine import run
from linter.options import Options

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "tf"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present"),
]


def test_every_terraform_configuration_scans_cleanly() -> None:
    tf_files = sorted(p.resolve() for p in CORPUS.rglob("*.tf"))
    assert len(tf_files) > 1200
    report = run([CORPUS], Options(use_cache=False, unknown="note"))
    assert not report.tool_error
    assert not [f for f in report.findings if f.rule_id == "AKSB900"]
    assert not [f for f in report.findings if f.rule_id == "AKSB000"]
    assert not [n for n in report.notifications if n.level == "error"], report.notifications
    assert report.files_scanned >= len(tf_files)


def test_dynamic_blocks_of_the_corpus_are_decided_or_unknown() -> None:
    """The corpus's ``dynamic`` blocks: one over a known empty list, one over a data source."""
    from linter.frontend import LoadContext
    from linter.terraform.loader import TerraformLoader

    loader = TerraformLoader(LoadContext(environment={}))
    synapse = loader.root(CORPUS / "azure-terraform" / "quickstart" / "101-synapse")
    assert synapse is not None
    workspace = next(i for i in synapse.instances() if i.type == "azurerm_synapse_workspace")
    assert workspace.blocks("aad_admin") == []  # var.aad_login defaults to null: no block
    eventhub = loader.root(
        CORPUS / "terraform-provider-azurerm" / "examples" / "azure-monitoring" / "eventhub_integration"
    )
    assert eventhub is not None
    setting = next(i for i in eventhub.instances() if i.type == "azurerm_monitor_diagnostic_setting")
    (stand_in,) = setting.blocks("enabled_log")
    assert stand_in.presence.is_unknown and "data sources" in stand_in.presence.reason
