"""The positioned YAML reader and the quantity grammar of the Kubernetes front end."""

from __future__ import annotations

import pytest

from linter.k8s.yamlpos import MAX_DEPTH, load_documents
from linter.model import Known, Unknown, get_path
from linter.quantity import GIB, TIB, format_bytes, parse_quantity

MANIFEST = """\
# a comment mentioning skuName: UltraSSD_LRS
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  labels: {app: db}
spec:
  resources:
    requests:
      storage: 2Ti
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
"""


def test_every_key_value_has_a_span_from_the_key() -> None:
    docs, problem = load_documents(MANIFEST, "m.yaml")
    assert problem is None and len(docs) == 2
    storage = get_path(docs[0].value, "spec", "resources", "requests", "storage")
    assert isinstance(storage, Known) and storage.value == "2Ti"
    assert (storage.span.line, storage.span.column, storage.span.end_line, storage.span.end_column) == (
        10,
        7,
        10,
        19,
    )
    kind = get_path(docs[0].value, "kind")
    assert (kind.span.line, kind.span.column) == (3, 1)
    label = get_path(docs[0].value, "metadata", "labels", "app")
    assert (label.span.line, label.span.column) == (6, 12)
    assert get_path(docs[1].value, "metadata", "name").span.line == 15


def test_comments_are_not_values() -> None:
    docs, _ = load_documents(MANIFEST, "m.yaml")
    assert "UltraSSD_LRS" not in repr(docs[0].value)


def test_yaml_11_scalars_and_merge_keys() -> None:
    text = "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\nflag: yes\nnum: 012\nq: '012'\n"
    docs, problem = load_documents(text, "s.yaml")
    assert problem is None
    doc = docs[0].value
    assert get_path(doc, "m", "x").value == 1 and get_path(doc, "m", "y").value == 3
    assert get_path(doc, "flag").value is True
    assert get_path(doc, "num").value == 10 and get_path(doc, "q").value == "012"


def test_template_expressions_are_unknown() -> None:
    docs, problem = load_documents('sku: "{{ .Values.sku }}"\n', "t.yaml")
    assert problem is None
    assert isinstance(get_path(docs[0].value, "sku"), Unknown)


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    docs, problem = load_documents("\n".join(lines) + "\n", "bomb.yaml")
    assert docs == [] and problem is not None and "alias" in problem.message


def test_recursive_alias_and_deep_nesting_are_refused() -> None:
    _, problem = load_documents("a: &a [*a]\n", "r.yaml")
    assert problem is not None
    deep = "[" * (MAX_DEPTH + 50) + "]" * (MAX_DEPTH + 50)
    _, problem = load_documents(deep, "d.yaml")
    assert problem is not None


@pytest.mark.parametrize("depth", [50_000, 200_000])
def test_nesting_that_would_overflow_libyaml_is_refused(depth: int) -> None:
    """libyaml's recursive composer crashes the process near 30,000 levels; we must not get there."""
    _, problem = load_documents("a: " + "[" * depth + "]" * depth, "flow.yaml")
    assert problem is not None
    block = "".join(" " * i + "k:\n" for i in range(0, 3 * depth // 100))
    _, problem = load_documents("- " * depth + "x\n" + block, "block.yaml")
    assert problem is not None


def test_syntax_error_keeps_earlier_documents_and_position() -> None:
    docs, problem = load_documents("kind: A\n---\nkind: [B\n", "e.yaml")
    assert len(docs) == 1 and problem is not None and problem.line >= 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10Gi", 10 * GIB),
        ("1Ti", TIB),
        ("1.5Ti", 1536 * GIB),
        ("1T", 10**12),
        ("1k", 1000),
        ("1Ki", 1024),
        ("500m", 1),
        ("1e3", 1000),
        ("2E", 2 * 10**18),
        (".5Gi", GIB // 2),
        ("10 Gi", None),
        ("Gi", None),
        ("ten", None),
    ],
)
def test_quantity_grammar(text: str, expected: int | None) -> None:
    assert parse_quantity(text) == expected


def test_format_bytes() -> None:
    assert format_bytes(2 * TIB) == "2Ti"
    assert format_bytes(1536 * GIB) == "1536Gi"
    assert format_bytes(10**12).startswith("1000000000000 bytes")


def test_arbitrary_text_never_raises() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from linter.k8s.adapt import Origin, adapt

    alphabet = st.sampled_from(
        list("ab: -[]{}&*!|>'\"#\n\t%@`,?0") + ["apiVersion: v1\n", "kind: Pod\n", "<<: *a\n"]
    )

    @settings(max_examples=300, deadline=None)
    @given(st.lists(alphabet, max_size=60).map("".join))
    def check(text: str) -> None:
        docs, _ = load_documents(text, "fuzz.yaml")
        for doc in docs:
            adapt(doc.value, Origin("fuzz.yaml"))

    check()
