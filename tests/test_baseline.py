"""``--write-baseline``: says exactly what it wrote, and writes only what a baseline can suppress.

It printed "wrote baseline with 21 findings" and wrote 16 entries (colliding fingerprints), one
of them an AKSB901, which no baseline can suppress, so the next ``--baseline`` run still failed.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from cli_runner import REPO, cli


def stack_with_a_bad_suppression(tmp_path: Path) -> Path:
    """region-mismatch plus a suppression without a reason (AKSB901) on the AKSB101 line."""
    stack = tmp_path / "stack"
    shutil.copytree(REPO / "fixtures/region-mismatch/terraform", stack)
    (tmp_path / ".git").mkdir()
    main = stack / "main.tf"
    text = main.read_text()
    line = '  location            = "North Europe"'
    assert line in text
    main.write_text(text.replace(line, "  # aks-backup-lint: ignore[AKSB101]\n" + line))
    return stack


def written(baseline: Path) -> list[dict[str, str]]:
    return json.loads(baseline.read_text())["findings"]


def test_the_message_counts_the_entries_written_and_names_what_cannot_be_baselined(tmp_path: Path) -> None:
    stack = stack_with_a_bad_suppression(tmp_path)
    baseline = tmp_path / "baseline.json"
    first = cli("check", ".", "--no-color", cwd=stack)
    assert "warning AKSB901" in first.stdout, first.stdout
    result = cli("check", ".", "--write-baseline", str(baseline), cwd=stack)
    assert result.returncode == 0, result.stderr
    entries = written(baseline)
    assert "AKSB901" not in {e["rule_id"] for e in entries}
    count = re.search(r"wrote baseline with (\d+) findings? to ", result.stderr)
    assert count and int(count.group(1)) == len(entries) == 2, result.stderr
    assert "1 finding of AKSB901 cannot be baselined" in result.stderr


def test_rewriting_a_baseline_keeps_what_it_already_suppresses(tmp_path: Path) -> None:
    stack = stack_with_a_bad_suppression(tmp_path)
    baseline = tmp_path / "baseline.json"
    cli("check", ".", "--write-baseline", str(baseline), cwd=stack)
    before = written(baseline)
    again = cli("check", ".", "--baseline", str(baseline), "--write-baseline", str(baseline), cwd=stack)
    assert again.returncode == 0, again.stderr
    assert written(baseline) == before
    assert "wrote baseline with 2 findings" in again.stderr
