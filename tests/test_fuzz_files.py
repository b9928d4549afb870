"""Hostile files through the whole engine: each becomes a finding or is skipped, never a crash.

Why: a repository holds binaries, other encodings, generated monsters, broken symlinks and files
the user cannot read. The design promises "never crashes": every input problem is a finding with
a file and line (AKSB000) or a clear notification, and the run finishes quickly.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from linter.engine import run
from linter.options import Options

REPO = Path(__file__).resolve().parents[1]
GOOD_TF = 'resource "azurerm_resource_group" "rg" {\n  name     = "rg"\n  location = "westeurope"\n}\n'


def scan(root: Path, **options: object):  # type: ignore[no-untyped-def]
    opts = Options(use_cache=False)
    for k, v in options.items():
        setattr(opts, k, v)
    report = run([root], opts)
    assert not [f for f in report.findings if f.rule_id == "AKSB900"]
    assert not [n for n in report.notifications if "internal error" in n.message], report.notifications
    return report


def parse_errors(report, name: str) -> list:  # type: ignore[no-untyped-def,type-arg]
    return [f for f in report.findings if f.rule_id == "AKSB000" and f.span.file.endswith(name)]


@pytest.mark.parametrize("name", ["main.tf", "app.yaml", "azuredeploy.json"])
def test_binary_file(tmp_path: Path, name: str) -> None:
    header = b'{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",'
    data = (header if name.endswith(".json") else b"apiVersion: v1\nkind: Pod\n") + bytes(range(256)) * 40
    (tmp_path / name).write_bytes(data)
    report = scan(tmp_path)
    assert len(parse_errors(report, name)) <= 1
    if name.endswith(".tf"):
        (err,) = parse_errors(report, name)
        assert err.span.line >= 1


@pytest.mark.parametrize("name", ["main.tf", "app.yaml", "azuredeploy.json"])
def test_not_utf8(tmp_path: Path, name: str) -> None:
    body = {
        "main.tf": 'resource "azurerm_resource_group" "rg" {\n  name = "caf\xe9"\n}\n',
        "app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n",
        "azuredeploy.json": '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "x": "caf\xe9"}',
    }[name]
    (tmp_path / name).write_bytes(body.encode("latin-1"))
    report = scan(tmp_path)
    (err,) = parse_errors(report, name)
    assert err.span.line >= 1


def test_crlf_bom_and_empty_files_are_fine(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_bytes(b"\xef\xbb\xbf" + GOOD_TF.replace("\n", "\r\n").encode())
    (tmp_path / "empty.tf").write_bytes(b"")
    (tmp_path / "blank.tf").write_bytes(b"\n\r\n   \n")
    (tmp_path / "app.yaml").write_bytes(
        b"\xef\xbb\xbfapiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: a\r\n"
    )
    (tmp_path / "empty.yaml").write_bytes(b"")
    report = scan(tmp_path)
    assert not [f for f in report.findings if f.rule_id == "AKSB000"], report.findings


def test_symlink_loops_and_dangling_links(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(GOOD_TF)
    (tmp_path / "loop").symlink_to(tmp_path)  # a directory that contains itself
    (tmp_path / "a.tf").symlink_to(tmp_path / "b.tf")
    (tmp_path / "b.tf").symlink_to(tmp_path / "a.tf")  # a file link loop
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "missing.yaml")
    started = time.monotonic()
    report = scan(tmp_path)
    assert time.monotonic() - started < 60  # it terminates (not a timing assertion: a hang guard)
    assert report.files_scanned >= 1


def test_unreadable_file(tmp_path: Path) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop reads")
    target = tmp_path / "main.tf"
    target.write_text(GOOD_TF)
    target.chmod(0)
    try:
        report = scan(tmp_path)
    finally:
        target.chmod(0o644)
    (err,) = parse_errors(report, "main.tf")
    assert "cannot read" in err.message


def test_file_over_the_size_limit_is_reported_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(GOOD_TF)
    (tmp_path / "huge.tf").write_text("# padding\n" * 20_000)
    report = scan(tmp_path, max_file_bytes=100_000)
    (err,) = parse_errors(report, "huge.tf")
    assert "limit" in err.message and err.span.line == 1
    assert not parse_errors(report, "main.tf")


def test_max_file_size_option_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(GOOD_TF + "# padding\n" * 500)
    proc = subprocess.run(
        [sys.executable, "-c", "from linter.cli import main; main()", "check", str(tmp_path)]
        + ["--max-file-size", "1K", "--format", "json", "--no-cache"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert '"AKSB000"' in proc.stdout and "limit" in proc.stdout
    bad = subprocess.run(
        [sys.executable, "-c", "from linter.cli import main; main()", "check", str(tmp_path)]
        + ["--max-file-size", "lots"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "--max-file-size" in bad.stderr


def test_deep_nesting(tmp_path: Path) -> None:
    depth = 3000
    (tmp_path / "deep.tf").write_text("x = " + "[" * depth + "]" * depth + "\n")
    (tmp_path / "deep.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\ndata: " + "[" * depth + "]" * depth + "\n"
    )
    (tmp_path / "azuredeploy.json").write_text(
        '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",'
        '"resources": [], "variables": {"x": ' + "[" * depth + "]" * depth + "}}"
    )
    report = scan(tmp_path)
    for name in ("deep.tf", "deep.yaml", "azuredeploy.json"):
        assert len(parse_errors(report, name)) <= 1


def test_huge_strings(tmp_path: Path) -> None:
    big = "a" * 2_000_000
    (tmp_path / "main.tf").write_text(f'locals {{\n  big = "{big}"\n}}\n' + GOOD_TF)
    (tmp_path / "app.yaml").write_text(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  big: {big}\n"
    )
    report = scan(tmp_path)
    assert not parse_errors(report, "main.tf")


def test_yaml_alias_bomb_is_one_parse_error(tmp_path: Path) -> None:
    lines = [
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: lol",
        "data:",
        '  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"  a{i}: &a{i} [{refs}]")
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    report = scan(tmp_path)
    assert time.monotonic() - started < 60  # a hang guard, not a benchmark
    (err,) = parse_errors(report, "bomb.yaml")
    assert err.span.line >= 1


def test_mixed_hostile_directory_scans_every_good_file(tmp_path: Path) -> None:
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "main.tf").write_text(GOOD_TF)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "main.tf").write_bytes(b"\x00\x01\x02")
    (tmp_path / "bad" / "x.tf").write_text('resource "a" {')
    report = scan(tmp_path)
    assert len(parse_errors(report, "bad/main.tf")) == 1
    assert len(parse_errors(report, "bad/x.tf")) == 1
    assert report.files_scanned >= 2
