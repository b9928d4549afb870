"""Robustness: every real-world manifest of ../shared/corpus/k8s loads and lints without a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.engine import run
from linter.frontend import LoadContext
from linter.k8s import load
from linter.k8s.loader import in_chart_templates, template_action
from linter.options import Options

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "k8s"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present"),
]


def _files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".json"))


#: AKSB000 findings on the corpus when issue 18 started (measured with ``--select AKSB000``); the
#: kustomize, template and encoding work must not add any
PARSE_ERRORS_BEFORE_ISSUE_18 = 0


def test_corpus_loads_and_templates_give_no_parse_error() -> None:
    files = _files()
    assert len(files) > 2000
    result = load(files, LoadContext())
    assert result.resources
    assert {f.rule_id for f in result.diagnostics} <= {"AKSB000", "AKSB902"}
    reported = {Path(f.span.file) for f in result.diagnostics if f.rule_id == "AKSB000"}
    assert len(reported) <= PARSE_ERRORS_BEFORE_ISSUE_18
    templates = [p for p in files if template_action(p.read_text(encoding="utf-8", errors="replace"))]
    assert len(templates) >= 20  # chart templates and templates outside charts
    assert not [p for p in templates if p in reported], "a Helm/Go template got an AKSB000"
    for note in result.notifications:  # templates outside charts that are not YAML: skipped, named
        assert note.level == "note" and note.span is not None
        assert not in_chart_templates(Path(note.span.file))


def test_corpus_lints_without_rule_crashes() -> None:
    report = run([CORPUS], Options())
    assert not report.tool_error
    assert not [f for f in report.findings if f.rule_id == "AKSB900"]
    assert not [n for n in report.notifications if n.level == "error"]
