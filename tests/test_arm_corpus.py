"""Robustness: every real-world ARM template of the shared corpus loads without an exception.

The corpus (about 1,500 quickstart templates and Bicep-compiled Azure Verified Modules) lives
outside the repository and is never copied in; the test is skipped when it is absent.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from linter.arm import load
from linter.frontend import LoadContext

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "arm"


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared ARM corpus not present")
def test_every_corpus_template_loads(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(p for p in CORPUS.rglob("*.json") if p.is_file())
    assert len(files) > 1000
    resources = 0
    errors: Counter[str] = Counter()
    for batch in range(0, len(files), 100):  # the engine hands all files at once; batches keep memory flat
        chunk = files[batch : batch + 100]
        result = load(chunk, LoadContext())
        resources += len(result.resources)
        for d in result.diagnostics:
            assert d.rule_id == "AKSB000"
            assert "could not evaluate" not in d.message, f"{d.span.file}: {d.message}"
            errors[d.span.file] += 1
    assert all(n == 1 for n in errors.values()), errors
    assert resources > 1000
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
