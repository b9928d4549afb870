"""Warm scans of every language give exactly the findings of a scan without the cache.

Why: ARM templates, Bicep files with their modules and Kubernetes manifest sets are cached as
evaluated results (``linter.stackcache``), keyed by what each computation read. A cached result
that outlives a change to one of those files would report yesterday's code: these tests run every
language's fixtures cold, warm and with ``--no-cache`` and compare everything a user sees, then
change a file a stack reads *without* scanning it as its own unit (a Bicep module, an ARM
parameter file, a kustomize base, a file that did not exist yet, an editor's unsaved buffer) and
check that the warm result follows.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from linter import cache, cachedb, stackcache
from linter.engine import run
from linter.options import Flags, build_options
from linter.report import Report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LANGUAGES = ("terraform", "arm", "bicep", "kubernetes")
#: the front ends whose evaluation the stack cache holds (Terraform caches parse trees per file)
STACK_NAMESPACES = {"arm": "arm", "bicep": "bicep", "kubernetes": "kubernetes"}


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache directory per test: the first run is cold."""
    root = tmp_path / "cache"
    monkeypatch.setenv("AKS_BACKUP_LINT_CACHE_DIR", str(root))
    monkeypatch.delenv("AKS_BACKUP_LINT_NO_CACHE", raising=False)
    cache.set_enabled(True)
    yield root
    cache.set_enabled(True)


def seen(report: Report, root: Path) -> list[tuple[object, ...]]:
    """Everything a user sees of a report, with paths relative to ``root``."""
    out: list[tuple[object, ...]] = []
    for f in report.findings:
        related = tuple(
            (Path(r.span.file).relative_to(root).as_posix(), r.span.line, r.span.column, r.message)
            for r in f.related
        )
        out.append(
            (
                f.rule_id,
                f.severity.value,
                Path(f.span.file).relative_to(root).as_posix(),
                f.span.line,
                f.span.column,
                f.span.end_line,
                f.span.end_column,
                f.message,
                f.address,
                f.attribute,
                related,
                tuple(sorted(f.properties.items())),
                f.suppression is not None,
            )
        )
    notes = [(n.level, n.message) for n in report.notifications]
    return [*out, ("notifications", tuple(notes)), ("files", report.files_scanned)]


def scan(paths: list[Path], root: Path, *, no_cache: bool = False, overlay: dict[Path, str] | None = None):
    options = build_options(Flags(no_cache=no_cache), root)
    before = Counter(stackcache.stats)
    report = run(paths, options, overlay=overlay)
    stats = Counter(stackcache.stats)
    stats.subtract(before)
    return seen(report, root), stats


def copy_fixtures(language: str, dest: Path) -> list[Path]:
    """Every fixture scenario's ``language`` directory, copied under ``dest`` (edits stay local)."""
    paths = []
    for scenario in sorted(p for p in FIXTURES.iterdir() if (p / language).is_dir()):
        target = dest / scenario.name / language
        shutil.copytree(scenario / language, target)
        paths.append(target)
    return paths


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_fixture_gives_the_same_findings_cold_warm_and_without_cache(
    tmp_path: Path, language: str
) -> None:
    root = tmp_path / "fixtures"
    paths = copy_fixtures(language, root)
    assert len(paths) >= 5
    without, _ = scan(paths, root, no_cache=True)
    cold, cold_stats = scan(paths, root)
    warm, warm_stats = scan(paths, root)
    assert cold == without
    assert warm == without
    assert len(without) > 10  # the fixtures have findings: the comparison means something
    namespace = STACK_NAMESPACES.get(language)
    if namespace is not None:
        assert cold_stats[(namespace, "write")] > 0
        assert warm_stats[(namespace, "hit")] > 0
        assert warm_stats[(namespace, "miss")] == 0  # nothing changed: every unit comes from the cache


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


#: (scenario, language, file a stack reads, old text, new text)
EDITS = [
    # a Bicep module: read through its caller's module declaration
    ("region-mismatch", "bicep", "modules/vault.bicep", "location: location", "location: 'westeurope'"),
    # an ARM parameter file: read with its template
    ("region-mismatch", "arm", "azuredeploy.parameters.json", '"westeurope"', '"northeurope"'),
    # a kustomize base: read through the overlays that use it
    (
        "kustomize-overlays",
        "kubernetes",
        "base/claims.yaml",
        "storageClassName: azureblob-nfs-premium",
        "storageClassName: managed-csi",
    ),
    # a Terraform child module
    ("modules", "terraform", "modules/backup/main.tf", "westeurope", "northeurope"),
]


@pytest.mark.parametrize(("scenario", "language", "relative", "old", "new"), EDITS)
def test_a_changed_file_read_by_a_stack_is_seen_by_the_next_warm_run(
    tmp_path: Path, scenario: str, language: str, relative: str, old: str, new: str
) -> None:
    directory = tmp_path / scenario / language
    shutil.copytree(FIXTURES / scenario / language, directory)
    before, _ = scan([directory], tmp_path)
    _edit(directory / relative, old, new)
    warm, _ = scan([directory], tmp_path)
    without, _ = scan([directory], tmp_path, no_cache=True)
    assert warm == without
    assert warm != before  # the edit matters: a stale entry would have shown


@pytest.mark.parametrize(("scenario", "language", "relative", "old", "new"), EDITS[:3])
def test_an_unsaved_buffer_of_a_file_read_by_a_stack_is_used_instead_of_the_cache(
    tmp_path: Path, scenario: str, language: str, relative: str, old: str, new: str
) -> None:
    directory = tmp_path / scenario / language
    shutil.copytree(FIXTURES / scenario / language, directory)
    before, _ = scan([directory], tmp_path)
    edited = directory / relative
    buffer = {edited.resolve(): edited.read_text().replace(old, new, 1)}
    in_editor, _ = scan([directory], tmp_path, overlay=buffer)
    assert in_editor != before
    _edit(edited, old, new)
    saved, _ = scan([directory], tmp_path, no_cache=True)
    assert in_editor == saved


@pytest.mark.parametrize(
    ("scenario", "language", "relative", "scanned"),
    [
        ("region-mismatch", "bicep", "modules/vault.bicep", "main.bicep"),  # a module of the entry file
        ("kustomize-overlays", "kubernetes", "base/claims.yaml", "overlays"),  # a resource of a base
    ],
)
def test_a_file_created_after_a_warm_run_is_read(
    tmp_path: Path, scenario: str, language: str, relative: str, scanned: str
) -> None:
    """A unit that looked for a file and did not find it is not reused once the file exists."""
    directory = tmp_path / language
    shutil.copytree(FIXTURES / scenario / language, directory)
    created = directory / relative
    text = created.read_text()
    created.unlink()
    missing, _ = scan([directory / scanned], tmp_path)
    scan([directory / scanned], tmp_path)  # warm, with the file still missing
    created.write_text(text)
    warm, _ = scan([directory / scanned], tmp_path)
    without, _ = scan([directory / scanned], tmp_path, no_cache=True)
    assert warm == without
    assert warm != missing


def test_options_that_change_evaluation_are_part_of_the_key(tmp_path: Path) -> None:
    """A deployment value given on the command line changes an ARM result; the cache must not mix them."""
    directory = tmp_path / "arm"
    shutil.copytree(FIXTURES / "modern-syntax" / "arm", directory)
    # the cluster's region now comes from the deployment (--resource-group-location)
    _edit(
        directory / "azuredeploy.json",
        '"defaultValue": "westeurope"',
        '"defaultValue": "[resourceGroup().location]"',
    )

    def with_location(value: str) -> list[tuple[object, ...]]:
        options = build_options(Flags(resource_group_location=value), tmp_path)
        return seen(run([directory], options), tmp_path)

    west = with_location("westeurope")
    north = with_location("northeurope")
    assert any(row[0] == "AKSB101" for row in west)  # vault in northeurope, cluster in westeurope
    assert not any(row[0] == "AKSB101" for row in north)
    assert with_location("westeurope") == west
    assert with_location("northeurope") == north


def test_a_damaged_database_is_a_miss_not_a_crash(tmp_path: Path, own_cache: Path) -> None:
    directory = tmp_path / "bicep"
    shutil.copytree(FIXTURES / "region-mismatch" / "bicep", directory)
    first, _ = scan([directory], tmp_path)
    database = cachedb.database_path()
    assert database.is_file()
    with sqlite3.connect(database) as db:  # every stored value replaced by bytes that do not unpickle
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert tables
        assert "entries" in tables
        db.execute("UPDATE entries SET value = ?", (b"\x80\x05garbage",))
    again, stats = scan([directory], tmp_path)
    assert again == first
    assert stats[("bicep", "hit")] == 0
    database.write_bytes(b"not a database at all" * 100)
    once_more, _ = scan([directory], tmp_path)
    assert once_more == first
