"""Robustness: every real-world manifest of ../shared/corpus/k8s loads and lints without a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.engine import run
from linter.k8s import load
from linter.k8s.loader import in_chart_templates
from linter.k8s.yamlpos import load_documents
from linter.options import Options
from linter.stack import LoadContext

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "k8s"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present"),
]


def _files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".json"))


def test_corpus_loads_and_only_non_template_errors_are_reported() -> None:
    files = _files()
    assert len(files) > 2000
    result = load(files, LoadContext())
    assert result.resources
    reported = {Path(f.span.file) for f in result.diagnostics}
    assert all(f.rule_id == "AKSB000" for f in result.diagnostics)
    for path in files:
        _, problem = load_documents(path.read_text(encoding="utf-8", errors="replace"), str(path))
        if problem is not None and in_chart_templates(path):
            assert path not in reported, f"Helm template reported: {path}"
    assert not any(in_chart_templates(p) for p in reported)


def test_corpus_lints_without_rule_crashes() -> None:
    report = run([CORPUS], Options())
    assert not report.tool_error
    assert not [f for f in report.findings if f.rule_id == "AKSB900"]
    assert not [n for n in report.notifications if n.level == "error"]
