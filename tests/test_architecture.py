"""The pipeline's arrows point one way (design.md "One pipeline, one direction"; issue 14).

Read from the source with ``ast``, so a forbidden import fails here even when it is inside a
function. The allowed directions:

* ``policies`` import only the value model, the graph, the kinds contract, the rule API and the
  rule-helper package ``linter.facts`` (plus ``linter.quantity``, a unit library);
* ``linter.facts`` answers questions over the graph: it imports the model, graph and kinds only;
* front ends (``linter.terraform``, ``linter.arm``, ``linter.bicep``, ``linter.k8s``) never import
  policies, rule helpers, suppress, the engine, options, reporters or commands;
* reporters read only the report and rule metadata;
* no import cycle between modules at import time.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FRONT_ENDS = ("linter.terraform", "linter.arm", "linter.bicep", "linter.k8s")
RULE_API = ("linter.model", "linter.graph", "linter.kinds", "linter.rules", "linter.quantity")


def module_name(path: Path) -> str:
    rel = (path.relative_to(REPO) if path.is_relative_to(REPO) else Path(path.name)).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {
        module_name(p): p
        for top in ("linter", "policies")
        for p in sorted((REPO / top).rglob("*.py"))
        if "__pycache__" not in p.parts
    }


def imports(path: Path, *, top_level_only: bool = False) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import of ``linter``/``policies`` modules in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.If) and top_level_only:  # ``if TYPE_CHECKING:`` imports do not run
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                base = ".".join(parent[: len(parent) - node.level + 1] + ([base] if base else []))
            known = modules()
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield (full if full in known else base), node.lineno


def ours(name: str) -> bool:
    return name == "linter" or name.startswith(("linter.", "policies"))


def under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def violations(owner_prefixes: tuple[str, ...], allowed: tuple[str, ...]) -> list[str]:
    out = []
    for name, path in modules().items():
        if not under(name, *owner_prefixes):
            continue
        for imported, line in imports(path):
            if ours(imported) and imported != "linter" and not under(imported, *allowed, *owner_prefixes):
                out.append(f"{path.relative_to(REPO)}:{line} imports {imported}")
    return out


def test_policies_import_only_the_rule_api_and_facts() -> None:
    assert violations(("policies",), (*RULE_API, "linter.facts")) == []


def test_facts_import_only_the_graph_model() -> None:
    assert (
        violations(("linter.facts",), ("linter.model", "linter.graph", "linter.kinds", "linter.quantity"))
        == []
    )


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_front_ends_never_import_later_stages(front_end: str) -> None:
    forbidden = (
        "policies",
        "linter.facts",
        "linter.suppress",
        "linter.engine",
        "linter.options",
        "linter.reporters",
        "linter.commands",
        "linter.cli",
        "linter.baseline",
        "linter.diagram",
        "linter.link",
    )
    found = [
        f"{path.relative_to(REPO)}:{line} imports {imported}"
        for name, path in modules().items()
        if under(name, front_end)
        for imported, line in imports(path)
        if under(imported, *forbidden)
    ]
    assert found == []


def test_reporters_read_only_the_report_and_rule_metadata() -> None:
    allowed = ("linter.model", "linter.report", "linter.rules", "linter.explain", "linter.fingerprint")
    assert violations(("linter.reporters",), allowed) == []


def test_no_import_cycles() -> None:
    graph = {
        name: {i for i, _ in imports(path, top_level_only=True) if ours(i) and i != "linter"}
        for name, path in modules().items()
    }
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_the_checker_sees_forbidden_imports(tmp_path: Path) -> None:
    """The scanner itself works: imports inside functions and ``from`` imports are found."""
    probe = tmp_path / "probe.py"
    probe.write_text("import linter.suppress\n\n\ndef f():\n    from linter.engine import run\n")
    assert list(imports(probe)) == [("linter.suppress", 1), ("linter.engine", 5)]
