"""Property-based tests: no input text makes a parser or evaluator raise out of the linter.

Why: the linter reads whatever is in a repository. Each parser entry point may only report a
problem in its documented way (``HclError``, ``JsonError``, a ``YamlProblem``); the front ends and
the engine must turn everything into findings. Real fixture files, mutated, reach deep into the
evaluators, where arbitrary text mostly stops at the parser.

``max_examples`` stays modest so the whole suite stays fast; the corpus test covers volume.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

from expectations import decoded
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.arm.jsonpos import JsonError, loads
from linter.engine import run
from linter.options import Options

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOWER = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: characters that matter to the grammars, mixed with anything
SYNTAX = st.sampled_from(
    list("{}[]()\"'=:,.-#/*\\$%\n\t <>|&!?@~`") + ["${", "%{", "<<EOF\n", "\nEOF\n", "---\n", "&a", "*a"]
)
TEXT = st.lists(st.one_of(SYNTAX, st.text(max_size=12)), max_size=60).map("".join)


def fixture_files(*suffixes: str) -> list[Path]:
    files = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.name.endswith(suffixes))
    return [p for p in files if not p.name.endswith(".expect.json")]


@st.composite
def mutated(draw: st.DrawFn, files: list[Path]) -> tuple[str, str]:
    """A real fixture file with a few random edits: deletions, insertions, duplications, swaps."""
    path = draw(st.sampled_from(files))
    text = decoded(path.read_bytes())  # the encoding fixtures are UTF-16/UTF-32 with a byte order mark
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 200)))
        op = draw(st.sampled_from(["delete", "insert", "duplicate", "swap"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(st.one_of(SYNTAX, st.text(max_size=20))) + text[i:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        else:
            text = text[i:j] + text[:i] + text[j:]
    return path.name, text


def scan(files: dict[str, str | bytes]) -> list:  # type: ignore[type-arg]
    """Write ``files`` into a fresh directory and run the whole engine over it (cache off)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, content in files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8", errors="surrogatepass")
        report = run([root], Options(use_cache=False))
    assert not [f for f in report.findings if f.rule_id == "AKSB900"], report.findings
    assert not [n for n in report.notifications if "internal error" in n.message], report.notifications
    return report.findings


# --- Terraform -------------------------------------------------------------------------------


@FAST
@given(TEXT)
def test_parse_hcl_raises_only_hcl_error(text: str) -> None:
    from linter.terraform.hcl import HclError, parse_hcl

    try:
        parse_hcl(Path("fuzz.tf"), text)
    except HclError as e:
        assert e.line >= 1 and e.column >= 1


@SLOWER
@given(mutated(fixture_files(".tf", ".tfvars")))
def test_mutated_terraform_through_the_engine(case: tuple[str, str]) -> None:
    name, text = case
    findings = scan({name if name.endswith(".tf") else "main.tf": text})
    for f in findings:
        assert f.span.line >= 1 and f.span.column >= 1


# --- YAML / Kubernetes -----------------------------------------------------------------------


@FAST
@given(TEXT)
def test_yaml_documents_never_raise(text: str) -> None:
    from linter.k8s.yamlpos import load_documents

    _, problem = load_documents(text, "fuzz.yaml")
    if problem is not None:
        assert problem.line >= 1 and problem.column >= 1


@SLOWER
@given(mutated(fixture_files(".yaml", ".yml")))
def test_mutated_kubernetes_through_the_engine(case: tuple[str, str]) -> None:
    name, text = case
    scan({"manifests/" + name: text})


# --- ARM JSON --------------------------------------------------------------------------------


@FAST
@given(TEXT)
def test_arm_json_reader_raises_only_json_error(text: str) -> None:
    with contextlib.suppress(JsonError):
        loads(text, "fuzz.json")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)


@FAST
@given(JSON_VALUES)
def test_arm_json_reader_reads_what_json_writes(value: object) -> None:
    loads(json.dumps(value), "fuzz.json")


@SLOWER
@given(mutated(fixture_files("azuredeploy.json", ".parameters.json", "main.json")))
def test_mutated_arm_through_the_engine(case: tuple[str, str]) -> None:
    name, text = case
    scan({name: text})


# --- Bicep -----------------------------------------------------------------------------------


@SLOWER
@given(st.one_of(TEXT, mutated(fixture_files(".bicep")) if fixture_files(".bicep") else TEXT))
def test_bicep_through_the_engine(case: object) -> None:
    text = case[1] if isinstance(case, tuple) else case
    scan({"main.bicep": str(text)})
