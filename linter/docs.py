"""The generated documentation tree: ``docs/rules/*.md``, its index, and the published schemas.

``python -m linter.docs --write-docs docs/rules`` (or ``scripts/gen_docs.py``) regenerates it from
the registry through ``linter.explain``; pages are never edited by hand, and a test fails when
the tree on disk differs from a fresh render.
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from linter.explain import FORMATS, GENERATED_NOTE, render, render_index, render_markdown
from linter.rules import Registry
from policies import load_builtin_rules

SCHEMAS = ("config.schema.json", "report.schema.json")


def generated_docs(registry: Registry | None = None) -> dict[str, str]:
    """Path relative to the rules directory -> content of every generated file.

    Rule pages, the README index, and (in ``../schemas/``) the JSON schemas the package ships,
    published for editor completion.
    """
    registry = registry or load_builtin_rules()
    specs = [r.spec for r in registry]
    pages = {f"{s.id}.md": GENERATED_NOTE + "\n\n" + render_markdown(s) for s in specs}
    pages["README.md"] = render_index(specs)
    for name in SCHEMAS:
        pages[f"../schemas/{name}"] = resources.files("linter").joinpath(f"schemas/{name}").read_text("utf-8")
    return pages


def write_docs(directory: Path, registry: Registry | None = None) -> list[Path]:
    """Write the pages and delete stale ``AKSBnnn.md`` files; returns the written paths."""
    directory.mkdir(parents=True, exist_ok=True)
    pages = generated_docs(registry)
    for stale in directory.glob("AKSB*.md"):
        if stale.name not in pages:
            stale.unlink()
    written = []
    for name, content in sorted(pages.items()):
        path = (directory / name).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def stale_docs(directory: Path, registry: Registry | None = None) -> list[str]:
    """Names of files that are missing, different or extra on disk (empty when up to date)."""
    pages = generated_docs(registry)
    problems = []
    for name, content in sorted(pages.items()):
        path = directory / name
        if not path.exists():
            problems.append(f"{name} (missing)")
        elif path.read_text(encoding="utf-8") != content:
            problems.append(f"{name} (differs)")
    for path in sorted(directory.glob("AKSB*.md")):
        if path.name not in pages:
            problems.append(f"{path.name} (no such rule)")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m linter.docs", description=__doc__)
    parser.add_argument("rule", nargs="?", help="rule ID or slug to explain")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--write-docs", type=Path, metavar="DIR", help="regenerate docs/rules")
    parser.add_argument("--check", type=Path, metavar="DIR", help="exit 1 if DIR is not up to date")
    args = parser.parse_args(argv)
    if args.write_docs:
        for path in write_docs(args.write_docs):
            print(path)
        return 0
    if args.check:
        problems = stale_docs(args.check)
        for p in problems:
            print(f"stale: {p}", file=sys.stderr)
        return 1 if problems else 0
    if not args.rule:
        parser.error("give a rule ID or slug, or --write-docs DIR")
    found = load_builtin_rules().get(args.rule)
    if found is None:
        print(f"unknown rule {args.rule!r}", file=sys.stderr)
        return 2
    sys.stdout.write(render(found.spec, args.format))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
