"""Parse cache and parallel parsing: same results as a plain serial parse, whatever the cache holds.

Why: a cache or a process pool that changes a result even once would make findings depend on
what ran before; these tests pin the properties the speed work relies on (key, atomic entries,
corrupt or foreign entries as misses, pruning, ``--no-cache``, serial = parallel).
"""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from linter import cache, parallel
from linter.frontend import LoadContext
from linter.terraform import loader as loader_module
from linter.terraform.loader import TerraformLoader

TF = 'resource "azurerm_resource_group" "rg{i}" {{\n  name     = "rg-{i}"\n  location = "westeurope"\n}}\n'


@pytest.fixture(autouse=True)
def cache_on() -> None:
    """Earlier tests may have run the engine with ``--no-cache``, which turns caching off per process."""
    cache.set_enabled(True)
    yield
    cache.set_enabled(True)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("AKS_BACKUP_LINT_CACHE_DIR", str(root))
    monkeypatch.delenv("AKS_BACKUP_LINT_NO_CACHE", raising=False)
    cache.set_enabled(True)
    yield root
    cache.set_enabled(True)


def test_key_depends_on_path_text_and_salt(tmp_path: Path) -> None:
    c = cache.ParseCache("t", "v1", root=tmp_path)
    k = c.key(Path("/a/main.tf"), "x = 1")
    assert k == c.key(Path("/a/main.tf"), "x = 1")
    assert k != c.key(Path("/b/main.tf"), "x = 1")
    assert k != c.key(Path("/a/main.tf"), "x = 2")
    assert k != cache.ParseCache("t", "v2", root=tmp_path).key(Path("/a/main.tf"), "x = 1")


def test_put_get_and_corrupt_or_foreign_entries_are_misses(tmp_path: Path) -> None:
    c = cache.ParseCache("t", "v1", root=tmp_path)
    c.put("ab" * 20, {"x": [1, 2]})
    assert c.get("ab" * 20) == {"x": [1, 2]}
    entry = c.directory / "ab" / ("ab" * 19)
    entry.write_bytes(b"not a pickle")
    assert c.get("ab" * 20) is None
    entry.write_bytes(pickle.dumps(os.system))  # a class outside the allow-list is refused
    assert c.get("ab" * 20) is None
    assert not [p for p in entry.parent.iterdir() if p.name.startswith(".tmp-")]


def test_item_entries_round_trip_and_damaged_or_foreign_ones_are_misses(tmp_path: Path) -> None:
    """Big Terraform files are stored as separately pickled items (small pickle memos)."""
    c = cache.ParseCache("t", "v1", root=tmp_path)
    key = "cd" * 20
    c.put_items(key, [("head", 1), "attribute", ["block"]])
    assert c.get_items(key) == [("head", 1), "attribute", ["block"]]
    assert cache.unpickle_items(io.BytesIO(cache.pickle_items([1, 2]))) == [1, 2]
    entry = c.directory / "cd" / ("cd" * 19)
    entry.write_bytes(entry.read_bytes()[:-4])  # cut short: the last item cannot be read
    assert c.get_items(key) is None
    entry.write_bytes(pickle.dumps(["no count first"]))
    assert c.get_items(key) is None
    entry.write_bytes(cache.pickle_items([os.system]))  # refused like ``get`` refuses it
    assert c.get_items(key) is None


def test_disabled_cache_neither_reads_nor_writes(tmp_path: Path) -> None:
    c = cache.ParseCache("t", "v1", root=tmp_path, enabled=False)
    c.put("cd" * 20, 1)
    assert c.get("cd" * 20) is None
    assert not (tmp_path / f"parse-v{cache.FORMAT}").exists()


def test_prune_removes_least_recently_used(tmp_path: Path) -> None:
    c = cache.ParseCache("t", "v1", root=tmp_path)
    keys = [f"{i:02x}" * 20 for i in range(10)]
    for n, k in enumerate(keys):
        c.put(k, n)
        os.utime(c.directory / k[:2] / k[2:], (time.time() - 1000 + n, time.time() - 1000 + n))
    removed = c.prune(max_entries=5, max_bytes=10**9)
    assert removed == 6  # down to 80 % of the limit
    assert [c.get(k) for k in keys[-4:]] == [6, 7, 8, 9]
    assert c.get(keys[0]) is None


def tf_dir(tmp_path: Path, n: int) -> list[Path]:
    d = tmp_path / "tf"
    d.mkdir()
    for i in range(n):
        (d / f"f{i:03d}.tf").write_text(TF.format(i=i))
    (d / "broken.tf").write_text('resource "x" {\n')
    return sorted(d.glob("*.tf"))


def loaded(files: list[Path], parser: str = "tree-sitter") -> tuple[object, ...]:
    loader = TerraformLoader(LoadContext(hcl_parser=parser))
    loader.prefetch(files)
    return loader._files, loader.diagnostics, sorted(loader.files_read)


@pytest.mark.parametrize("parser", ["tree-sitter", "python-hcl2"])
def test_serial_parallel_cold_and_warm_give_identical_results(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, parser: str
) -> None:
    files = tf_dir(tmp_path, parallel.MIN_FILES + 10)
    monkeypatch.setattr(loader_module, "POOL_MIN_CHARS", 0)  # tree-sitter pools only megabytes
    monkeypatch.setenv("AKS_BACKUP_LINT_JOBS", "1")
    cache.set_enabled(False)
    serial = loaded(files, parser)
    cache.set_enabled(True)
    monkeypatch.setenv("AKS_BACKUP_LINT_JOBS", "2")
    cold = loaded(files, parser)  # through the pool (when this machine allows a pool)
    assert any((cache_dir / f"parse-v{cache.FORMAT}" / "terraform").rglob("*"))
    warm = loaded(files, parser)  # every file from the cache
    assert serial == cold == warm
    (diag,) = serial[1]
    assert diag.rule_id == "AKSB000" and diag.span.file.endswith("broken.tf")


def test_map_ordered_keeps_order_and_falls_back_to_serial() -> None:
    items = list(range(200))
    assert list(parallel.map_ordered(abs, items, jobs=2)) == items
    assert list(parallel.map_ordered(abs, items[:3])) == items[:3]


def test_jobs_for_small_inputs_is_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AKS_BACKUP_LINT_JOBS", raising=False)
    assert parallel.jobs_for(parallel.MIN_FILES - 1) == 1
    monkeypatch.setenv("AKS_BACKUP_LINT_JOBS", "1")
    assert parallel.jobs_for(10_000) == 1


def test_no_cache_flag_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    (tmp_path / "main.tf").write_text(TF.format(i=1))
    env = {**os.environ, "AKS_BACKUP_LINT_CACHE_DIR": str(root)}
    env.pop("AKS_BACKUP_LINT_NO_CACHE", None)
    cmd = [sys.executable, "-c", "from linter.cli import main; main()", "check", str(tmp_path)]
    subprocess.run([*cmd, "--no-cache"], env=env, capture_output=True, timeout=120, check=False)
    assert not (root / f"parse-v{cache.FORMAT}").exists()
    subprocess.run(cmd, env=env, capture_output=True, timeout=120, check=False)
    assert any((root / f"parse-v{cache.FORMAT}").rglob("*"))
