"""Golden text, JSON and SARIF output over fixed fixture scenarios (style convention 15).

The inputs are frozen copies of two fixture scenarios in ``tests/snapshots/inputs/``, so that
work on ``fixtures/`` does not move the snapshots; only reporter or rule changes do.

A reporter change that alters output must be deliberate: regenerate with
``AKSB_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_reporters_snapshots.py`` and review the diff
of ``tests/snapshots/``. Machine-dependent parts (the run time, the repository's file URI) are
normalised; the SARIF snapshot keeps results and invocations, not the rule catalogue, so adding a
rule does not touch it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sarif_schema import assert_valid_sarif

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
#: scenario -> the rules it is about; selecting them keeps the snapshots still when rules are added
SCENARIOS = {"region-mismatch": ("AKSB101", "AKSB102"), "parse-error": ("AKSB000",)}
UPDATE = os.environ.get("AKSB_UPDATE_SNAPSHOTS") == "1"


def run(scenario: str, fmt: str) -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "linter.cli",
            "check",
            f"tests/snapshots/inputs/{scenario}",
            "--format",
            fmt,
            "--fail-on",
            "never",
            "--no-color",
            *(arg for rule in SCENARIOS[scenario] for arg in ("--select", rule)),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def normalise(fmt: str, text: str) -> str:
    if fmt == "text":
        return re.sub(r" in \d+\.\d+s", " in 0.00s", text)
    if fmt == "sarif":
        log = assert_valid_sarif(text)
        run_ = log["runs"][0]
        run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///REPO/"
        kept = {
            k: run_[k]
            for k in ("automationDetails", "originalUriBaseIds", "invocations", "results")
            if k in run_
        }
        return json.dumps(kept, indent=2, ensure_ascii=False) + "\n"
    return text


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_snapshot(scenario: str, fmt: str) -> None:
    actual = normalise(fmt, run(scenario, fmt))
    path = SNAPSHOTS / f"{scenario}.{fmt}{'.json' if fmt == 'sarif' else ''}"
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"snapshot {path.name} was missing and has been written; review and commit it")
    assert actual == path.read_text(encoding="utf-8"), (
        f"{path.name} differs; if the change is intended, run "
        "AKSB_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_reporters_snapshots.py and review the diff"
    )
