"""Excludes (config ``exclude`` and ``--exclude``) hold in every language, in ``check`` and ``graph``.

An excluded file is neither scanned nor read as context and never reported: the front ends list
directories through ``LoadContext.files_in``, which applies the same filter as discovery.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from linter.commands import graph_text
from linter.engine import run
from linter.options import Flags, build_options

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def copy(scenario: str, language: str, dest: Path) -> Path:
    target = dest / language
    shutil.copytree(FIXTURES / scenario / language, target)
    return target


def files_reported(paths: list[Path], root: Path) -> set[str]:
    report = run(paths, build_options(Flags(), root))
    return {Path(f.span.file).relative_to(root).as_posix() for f in report.active}


@pytest.mark.parametrize(
    ("scenario", "language", "excluded"),
    [
        ("region-mismatch", "terraform", "main.tf"),
        ("region-mismatch", "arm", "azuredeploy.json"),
        ("region-mismatch", "bicep", "main.bicep"),
        ("volumes-vault-tier", "kubernetes", "manifests/warehouse.yaml"),
    ],
)
# a pattern with a "/" is anchored at the config file's directory; one without matches at any depth
def test_config_exclude_drops_a_file_in_every_language(
    tmp_path: Path, scenario: str, language: str, excluded: str
) -> None:
    directory = copy(scenario, language, tmp_path)
    before = files_reported([directory], tmp_path)
    assert f"{language}/{excluded}" in before  # the file has findings when scanned
    pattern = f"{language}/{excluded}" if "/" in excluded else excluded
    (tmp_path / ".aks-backup-lint.yaml").write_text(f'exclude: ["{pattern}"]\n')
    after = files_reported([directory], tmp_path)
    assert f"{language}/{excluded}" not in after
    report = run([directory], build_options(Flags(), tmp_path))
    assert all(Path(f).name != Path(excluded).name for f in map(str, report_files(report)))


def report_files(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.span.file for f in report.findings]


def test_excluded_terraform_file_is_not_read_as_part_of_its_module(tmp_path: Path) -> None:
    """Excluding ``wiring.tf`` removes its resources from the module, so their findings go too."""
    directory = copy("region-mismatch", "terraform", tmp_path)
    options = build_options(Flags(exclude=["wiring.tf"]), tmp_path)
    report = run([directory], options)
    assert report.files_scanned == 3  # main.tf, versions.tf, terraform.tfvars
    assert all(not f.span.file.endswith("wiring.tf") for f in report.findings)


def test_exclude_flag_adds_to_the_config(tmp_path: Path) -> None:
    directory = copy("region-mismatch", "terraform", tmp_path)
    (tmp_path / ".aks-backup-lint.yaml").write_text('exclude: ["versions.tf"]\n')
    options = build_options(Flags(exclude=["main.tf"]), tmp_path)
    assert options.exclude == ["main.tf", "versions.tf"]
    assert options.as_settings()["exclude"] == ["main.tf", "versions.tf"]
    assert run([directory], options).files_scanned == 2


def test_an_excluded_directory_is_not_entered(tmp_path: Path) -> None:
    copy("region-mismatch", "terraform", tmp_path)
    copy("region-mismatch", "arm", tmp_path)
    report = run([tmp_path], build_options(Flags(exclude=["arm/"]), tmp_path))
    assert report.findings and all("/arm/" not in f.span.file for f in report.findings)


def test_graph_honours_the_config_file(tmp_path: Path) -> None:
    """``graph`` labels what ``check`` reports: an ignored rule labels nothing."""
    directory = copy("wiring-extension-missing", "terraform", tmp_path)
    assert "AKSB305" in graph_text([directory], "mermaid", build_options(Flags(), tmp_path))
    (tmp_path / ".aks-backup-lint.yaml").write_text("ignore: [AKSB305]\n")
    assert "AKSB305" not in graph_text([directory], "mermaid", build_options(Flags(), tmp_path))
