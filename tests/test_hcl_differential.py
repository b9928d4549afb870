"""tree-sitter-hcl and python-hcl2 build the same positioned syntax tree (issue 15).

python-hcl2 is the reference parser of the design; tree-sitter is the default because it is an
order of magnitude faster. The evaluator must not be able to tell them apart, so every node is
compared: its kind, its values and its span (line, column, end line, end column). Where both
parsers reject a file, both must say so. The whole corpus of real Terraform is checked in the
slow run (CI runs it); the fixtures and the hand-written edge cases here in the fast one.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from linter.engine import run
from linter.options import HCL_PARSERS, Options
from linter.terraform import hcl
from linter.textfile import read_text

REPO = Path(__file__).resolve().parents[1]
CORPUS_TF = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "tf"
CORPUS_TF_FILES = 1232  # .tf and .tfvars files in ../shared/corpus/tf (a shrinking corpus must show)


def hcl_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".tf", ".tfvars"))


def first_difference(a: Any, b: Any, where: str = "file") -> str | None:
    """Where two trees first differ (a readable path), or None when they are equal."""
    if type(a) is not type(b):
        return f"{where}: {type(a).__name__} {a!r:.120} != {type(b).__name__} {b!r:.120}"
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            found = first_difference(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
            if found:
                return found
        return None
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{where}: keys {list(a)} != {list(b)}"
        return next((d for k in a if (d := first_difference(a[k], b[k], f"{where}[{k!r}]"))), None)
    if isinstance(a, list | tuple):
        if len(a) != len(b):
            return f"{where}: {len(a)} items != {len(b)}"
        return next(
            (
                d
                for i, (x, y) in enumerate(zip(a, b, strict=True))
                if (d := first_difference(x, y, f"{where}[{i}]"))
            ),
            None,
        )
    return None if a == b else f"{where}: {a!r} != {b!r}"


def assert_same_tree(path: Path, text: str, *, valid: bool = False) -> None:
    """Same tree from both parsers; or both reject ``text`` (unless it is known ``valid``)."""
    reference, reference_error = hcl.parse(path, text, hcl.PYTHON_HCL2)
    ours, our_error = hcl.parse(path, text, hcl.TREE_SITTER)
    assert not (valid and reference_error), f"{path}: python-hcl2 rejects it: {reference_error}"
    if reference_error is not None:
        assert our_error is not None, (
            f"{path}: python-hcl2 rejects it ({reference_error}), tree-sitter does not"
        )
        return
    assert our_error is None, (
        f"{path}: tree-sitter rejects it ({our_error}) at {our_error.line}:{our_error.column}"
    )
    difference = first_difference(reference, ours)
    assert difference is None, f"{path}: {difference}"


def test_the_parser_names_agree_with_the_options() -> None:
    assert hcl.PARSERS == HCL_PARSERS
    assert hcl.DEFAULT_PARSER == "tree-sitter" == HCL_PARSERS[0]


@pytest.mark.parametrize("path", hcl_files(REPO / "fixtures"), ids=lambda p: str(p.relative_to(REPO)))
def test_fixture_trees_are_identical(path: Path) -> None:
    text, problem = read_text(path, 10 * 1024 * 1024)
    assert problem is None and text is not None
    assert_same_tree(path, text)


EDGE_CASES = {
    "comments everywhere": """# leading
locals {
  a = 1 # trailing
  b = 2 /* inline */
  c = [
    1, # one
    2,
    // two
  ]
  d = {
    x = 1
    y = 2 # c
    "z" : 3,
  }
  /* block
     comment */
  e = (a) # c
}
""",
    "conditional chains group to the right": """locals {
  a = var.a ? "x" : var.b ? "y" : "z"
  b = (var.a ? 1 : 2) + 3
  c = var.a == "x" ? (var.b) : (var.c
  )
  d = var.a != null ? var.a : (
    var.b
  )
  e = true ? null : false
  f = var.a ? var.b ? 1 : 2 : 3
  g = a ? b : c ? d : e ? f : g
}
""",
    "operators, newlines around them and their spans": """locals {
  a = -1
  b = - 2
  c = !true
  d = 10 % 3 * 2 - 1 / 4
  e = a && b || c && !d
  f = a +
    b
  g = a
    + b
  h = 1.5
  i = a + b # trailing comment ends no span

  j = x >= 1 && y <= 2 || z < 3 && w > 4
}
""",
    "strings, escapes and templates": r"""locals {
  a = "esc \" \\ \n \t \r \u00e9 \U0001F600"
  b = "$${not} %%{no} ${"nested ${var.x}"}"
  c = "${var.a}"
  d = ""
  e = "%{ for x in var.l }${x},%{ endfor }"
  f = "%{ if var.x }a%{ else }b%{ endif }z"
  g = "  spaces around ${var.x}  and ${var.y}  "
  h = "tab	inside"
  i = "unknown \q escape kept as written"
}
""",
    "heredocs": """locals {
  a = <<EOT
  multi
    line
  EOT
  b = <<-EOT
      indented
        more
    EOT
  c = <<EOT
with ${var.x}
EOT
  d = <<-EOT
    quotes "kept" and \\backslashes\\
    EOT
}
""",
    "collections, for expressions, splats and calls": """locals {
  a = [for x in var.l : x]
  b = {for k, v in var.m : k => v}
  c = { for k, v in var.m : k => v... if v != null }
  d = [
    for s in var.list :
    upper(s)
    if s != ""
  ]
  e = var.a[*]
  f = var.a.*.b[0]
  g = var.list[0].name
  h = var.a.0.b
  i = var.a["x"][1]
  j = try(var.a.b, null)
  k = coalesce(
    var.a,
    var.b,
  )
  l = concat(var.a, var.b...)
  m = provider::azurerm::normalise_resource_id("x")
  n = jsonencode({
    a = "b"
    c = [1, 2]
  })
  o = element(var.l, 0)[1]
  p = (var.a).b
  q = { (var.k) = 1, true = 2, null = 3, "s" = 4, 5 = 6 }
  r = var.a[*].b[*].c
}
""",
    "blocks": """resource "a" "b" {
  dynamic "x" {
    for_each = var.y
    content {
      k = x.value
    }
  }
  lifecycle { ignore_changes = [tags] }
}
module "m" {
  source = "./m"
}
terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 3.0"
    }
  }
}
data "x" "y" {}
locals {}
""",
    "columns count characters, not bytes": """locals {
  a = "é" + "ü" ? "ö" : "✓"
  b = { "ä" = "b", c = "é" }
}
resource "a" "b" { name = "日本語 ${var.x} ✓" }
""",
    "one line without a final newline": 'v = "x"',
    "empty": "",
    "only a comment": "# nothing\n",
    "duplicate attributes keep the last value in the first place": "a = 1\nb = 2\na = 3\n",
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_case_trees_are_identical(name: str) -> None:
    assert_same_tree(Path(f"{name.replace(' ', '-')}.tf"), EDGE_CASES[name], valid=True)


def test_carriage_returns_are_read_like_the_reference() -> None:
    """Files are read with CRLF turned into LF, but a lone CR inside a line stays."""
    assert_same_tree(Path("cr.tf"), 'a = "x\ry"\nb = 1\r\n', valid=True)


def test_numbers_tree_sitter_cannot_lex_are_read_by_python_hcl2() -> None:
    """tree-sitter-hcl has no exponent without a fraction (``1e3``): that block goes to python-hcl2."""
    assert_same_tree(
        Path("exp.tf"), 'locals {\n  a = 1e3\n  b = 2.5E-1\n}\nresource "x" "y" {}\n', valid=True
    )


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS_TF.is_dir(), reason="shared corpus not present")
def test_corpus_trees_are_identical() -> None:
    files = hcl_files(CORPUS_TF)
    assert len(files) >= CORPUS_TF_FILES
    failures = []
    for path in files:
        text, problem = read_text(path, 10 * 1024 * 1024)
        assert problem is None and text is not None, path
        try:
            assert_same_tree(path, text)
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, f"{len(failures)} of {len(files)} files differ:\n" + "\n".join(failures[:20])


def test_fixture_findings_are_the_same_with_either_parser() -> None:
    """Through the whole engine: the same findings, spans and messages from either parser."""

    def findings(parser: str) -> list[tuple[object, ...]]:
        report = run([REPO / "fixtures"], Options(use_cache=False, hcl_parser=parser))
        return sorted(
            (f.rule_id, f.span, f.address, f.message if f.rule_id != "AKSB000" else "", f.related)
            for f in report.findings
        )

    assert findings(hcl.TREE_SITTER) == findings(hcl.PYTHON_HCL2)
