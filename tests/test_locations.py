"""The location policy (design.md, "Precise locations"), for every rule and language.

A finding points where the wrong value is written (a tfvars line, a variable default, a local, a
parameter file, a module argument); its related locations name the attribute that uses it and
the other side of a mismatch, and never repeat the primary location.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from expectations import scenario_dirs

from linter.engine import run
from linter.options import Options

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_no_related_location_repeats_the_primary_one() -> None:
    repeats = []
    for directory in scenario_dirs():
        for f in run([directory], Options(unknown="note")).findings:
            spans = [r.span for r in f.related]
            if f.span in spans or len(spans) != len(set(spans)):
                repeats.append((f.rule_id, f.span, [(r.span, r.message) for r in f.related]))
    assert repeats == []


def test_a_value_from_tfvars_is_reported_at_the_tfvars_line(tmp_path: Path) -> None:
    """The storage account's region comes from ``var.dr_location``: set it in terraform.tfvars and
    the finding moves there, with the attribute that uses it as a related location."""
    directory = tmp_path / "tf"
    shutil.copytree(FIXTURES / "region-mismatch" / "terraform", directory)
    tfvars = directory / "terraform.tfvars"
    tfvars.write_text(tfvars.read_text() + 'dr_location = "northeurope"\n')
    (finding,) = [f for f in run([directory], Options()).active if f.rule_id == "AKSB102"]
    assert (Path(finding.span.file).name, finding.span.line, finding.span.column) == (
        "terraform.tfvars",
        len(tfvars.read_text().splitlines()),
        1,
    )
    main_lines = (directory / "main.tf").read_text().splitlines()
    use_line = main_lines.index("  location                 = var.dr_location") + 1
    uses = [(Path(r.span.file).name, r.span.line) for r in finding.related if r.message.startswith("used by")]
    assert uses == [("main.tf", use_line)]


def test_a_literal_is_reported_where_it_stands_with_no_used_by_note(tmp_path: Path) -> None:
    report = run([FIXTURES / "backup-frequency" / "terraform"], Options())
    for f in report.active:
        assert Path(f.span.file).name == "main.tf"
        assert not [r for r in f.related if r.message.startswith("used by")], f
