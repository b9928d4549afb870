"""Robustness on real files: all of ``../shared/corpus`` through the real engine, whole and truncated.

Why: the corpus is thousands of ARM templates and Kubernetes manifests written by others, with
the oddities real repositories have (JSON with comments, control characters, Helm templates that
are not YAML, CRDs). One engine run must finish without a traceback or an AKSB900, and every file
that cannot be parsed must be exactly one AKSB000 with a position inside the file. The corpus has
few broken files, so a second run truncates a deterministic sample to make many.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from linter.discover import classify
from linter.engine import run
from linter.options import Options

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present"),
]


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".json", ".yaml", ".yml"))


def unparsable(path: Path) -> bool:
    """Whether the front end for ``path`` must report it (decided without the engine)."""
    language = classify(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return language == "arm"
    if language == "arm":
        from linter.arm.jsonpos import JsonError, PosDict, loads

        try:
            return not isinstance(loads(text.replace("\r\n", "\n"), str(path)), PosDict)
        except JsonError:
            return True
    if language == "kubernetes":
        from linter.k8s.yamlpos import load_documents

        try:
            from linter.k8s.loader import in_chart_templates, looks_like_manifest
        except ImportError:  # before the front end was split into modules
            from linter.k8s import in_chart_templates, looks_like_manifest  # type: ignore[attr-defined,no-redef]

        _, problem = load_documents(text, str(path))
        return (
            problem is not None
            and (looks_like_manifest(text) or path.suffix == ".json")
            and not in_chart_templates(path)
        )
    return False


def check_report(report, files: list[Path]) -> None:  # type: ignore[no-untyped-def]
    assert not report.tool_error
    assert not [f for f in report.findings if f.rule_id == "AKSB900"]
    assert not [n for n in report.notifications if n.level == "error"], report.notifications
    errors = [f for f in report.findings if f.rule_id == "AKSB000"]
    per_file = Counter(str(Path(f.span.file).resolve()) for f in errors)
    assert all(n == 1 for n in per_file.values()), [p for p, n in per_file.items() if n > 1]
    for f in errors:
        lines = Path(f.span.file).read_bytes().count(b"\n") + 1
        slack = 1 if f.span.file.endswith((".yaml", ".yml")) else 0  # libyaml marks EOF one line on
        assert 1 <= f.span.line <= lines + slack and f.span.column >= 1, f
    expected = {str(p.resolve()) for p in files if unparsable(p)}
    missing = expected - set(per_file)
    assert not missing, sorted(missing)[:10]


def test_whole_corpus_scans_without_crash() -> None:
    files = corpus_files()
    assert len(files) > 3000
    report = run([CORPUS], Options(use_cache=False))
    assert report.files_scanned > 3000
    check_report(report, files)


def test_truncated_corpus_files_are_one_parse_error_each(tmp_path: Path) -> None:
    sample = corpus_files()[::25]
    copies = []
    for i, src in enumerate(sample):
        data = src.read_bytes()
        target = tmp_path / f"{i:04d}" / src.name
        target.parent.mkdir(parents=True)
        target.write_bytes(data[: max(len(data) // 2, 1)])
        copies.append(target)
    report = run([tmp_path], Options(use_cache=False))
    check_report(report, copies)
    broken = sum(1 for f in report.findings if f.rule_id == "AKSB000")
    assert broken > len(sample) // 4, "truncation should break many files"
