"""Parse cache and parallel parsing: same results as a plain serial parse, whatever the cache holds.

Why: a cache or a process pool that changes a result even once would make findings depend on
what ran before; these tests pin the properties the speed work relies on (key, atomic entries,
corrupt or foreign entries as misses, pruning, ``--no-cache``, serial = parallel).
"""

from __future__ import annotations

import io
import os
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from linter import cache, cachedb, parallel
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


def stored(c: cache.ParseCache, key: str, value: bytes) -> None:
    """Replace what the database holds for ``key`` (as a damaged or foreign entry would be)."""
    c.save()
    with sqlite3.connect(cachedb.database_path(c._root)) as db:
        db.execute("UPDATE entries SET value = ? WHERE key = ?", (value, f"{c.namespace}:{key}"))
        assert db.total_changes == 1


def test_item_entries_round_trip_and_damaged_or_foreign_ones_are_misses(tmp_path: Path) -> None:
    """Terraform files are stored as items pickled in chunks (small pickle memos for big files)."""
    c = cache.ParseCache("t", "v1", root=tmp_path)
    key = "cd" * 20
    items = [("head", 1), "attribute", ["block"], *range(cache.CHUNK * 2)]
    c.put_items(key, items)
    assert c.get_items(key) == items  # before ``save``: from the pending entries
    c.save()
    assert cache.ParseCache("t", "v1", root=tmp_path).get_items(key) == items  # from the file
    stored(c, key, b"not a pickle")
    assert c.get_items(key) is None
    assert cache.unpickle_items(io.BytesIO(cache.pickle_items([1, 2]))) == [1, 2]
    whole = cache.pickle_items(items)
    stored(c, key, whole[:-4])  # cut short: the last chunk cannot be read
    assert c.get_items(key) is None
    stored(c, key, pickle.dumps(["no header first"]))
    assert c.get_items(key) is None
    stored(c, key, cache.pickle_items([os.system]))  # refused like ``get`` refuses it
    assert c.get_items(key) is None


def test_disabled_cache_neither_reads_nor_writes(tmp_path: Path) -> None:
    c = cache.ParseCache("t", "v1", root=tmp_path, enabled=False)
    c.put_items("cd" * 20, [1])
    c.save()
    assert c.get_items("cd" * 20) is None
    assert not cachedb.database_path(tmp_path).exists()


def test_the_database_drops_the_least_recently_used_entries_past_its_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cachedb, "MAX_ENTRIES", 8)
    path = cachedb.database_path(tmp_path)
    keys = [f"{i:02x}" * 20 for i in range(10)]
    for n, key in enumerate(keys):
        monkeypatch.setattr(cachedb.time, "time", lambda n=n: 1_000_000.0 + n)
        db = cachedb.CacheDB(path)
        db.put(key, n)
        db.save()
    db = cachedb.CacheDB(path)
    assert [db.get(k) for k in keys[-4:]] == [6, 7, 8, 9]
    assert db.get(keys[0]) is None


def test_old_cache_layouts_are_removed(tmp_path: Path) -> None:
    old = tmp_path / "parse-v2" / "terraform" / "ab"
    old.mkdir(parents=True)
    (old / ("cd" * 19)).write_bytes(b"an entry of the previous layout")
    cache.remove_old_layouts(tmp_path)
    assert not (tmp_path / "parse-v2").exists()


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
    loader_module.parse_cache(parser).save()
    with sqlite3.connect(cachedb.database_path(cache_dir)) as db:
        (stored_entries,) = db.execute("SELECT count(*) FROM entries WHERE key LIKE 'terraform:%'").fetchone()
    assert stored_entries == len(files)
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
    assert not cachedb.database_path(root).exists()
    subprocess.run(cmd, env=env, capture_output=True, timeout=120, check=False)
    assert cachedb.database_path(root).is_file()
