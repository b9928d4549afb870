#!/usr/bin/env python3
"""Regenerate what is generated from the code: docs/rules/*.md, docs/rules/README.md,
docs/schemas/*.json and the README's command reference.

Run after adding or changing a rule or a command-line option: ``python scripts/gen_docs.py``
(the rule pages are the same as ``python -m linter.docs --write-docs docs/rules``). ``--check``
exits 1 when anything differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from linter.cli_reference import updated_readme, write_readme  # noqa: E402
from linter.docs import stale_docs, write_docs  # noqa: E402

if __name__ == "__main__":
    target = ROOT / "docs" / "rules"
    readme = ROOT / "README.md"
    if "--check" in sys.argv[1:]:
        problems = stale_docs(target)
        text = readme.read_text(encoding="utf-8")
        if updated_readme(text) != text:
            problems.append(str(readme.relative_to(ROOT)) + " (command reference)")
        for p in problems:
            print(f"stale: {p}", file=sys.stderr)
        sys.exit(1 if problems else 0)
    for path in write_docs(target):
        print(path.relative_to(ROOT))
    if write_readme(readme):
        print(readme.relative_to(ROOT))
