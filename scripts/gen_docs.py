#!/usr/bin/env python3
"""Regenerate docs/rules/*.md, docs/rules/README.md and docs/schemas/*.json from the code.

Run after adding or changing a rule: ``python scripts/gen_docs.py`` (same as
``python -m linter.docs --write-docs docs/rules``). ``--check`` exits 1 when the tree differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from linter.docs import stale_docs, write_docs  # noqa: E402

if __name__ == "__main__":
    target = ROOT / "docs" / "rules"
    if "--check" in sys.argv[1:]:
        problems = stale_docs(target)
        for p in problems:
            print(f"stale: {p}", file=sys.stderr)
        sys.exit(1 if problems else 0)
    for path in write_docs(target):
        print(path.relative_to(ROOT))
