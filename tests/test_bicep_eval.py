"""What modern Bicep syntax means, as far as values reach the rules: spread, ``.?``/``??``,
nullable parameters, filtered loops, lambdas, user functions and imports from local files.

Each case puts the value under test into a storage account's name (``string()`` of objects and
arrays is their JSON), so it is read back through the same adapter the rules read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linter import kinds
from linter.bicep import load
from linter.frontend import LoadContext
from linter.graph import Resource
from linter.model import Known, Unknown


def load_files(tmp_path: Path, files: dict[str, str]):  # type: ignore[no-untyped-def]
    paths = []
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        paths.append(p)
    result = load(paths, LoadContext())
    assert not result.diagnostics, [d.message for d in result.diagnostics]
    return result


def names(tmp_path: Path, text: str, extra: dict[str, str] | None = None) -> list[object]:
    """The storage account names ``text`` declares, in order (an Unknown stays an Unknown)."""
    result = load_files(tmp_path, {"main.bicep": text, **(extra or {})})
    accounts = [r for r in result.resources if r.kind == kinds.STORAGE_ACCOUNT]
    return [r.attr("name").value if isinstance(r.attr("name"), Known) else r.attr("name") for r in accounts]


def account(value: str, symbol: str = "sa") -> str:
    return f"resource {symbol} 'Microsoft.Storage/storageAccounts@2023-01-01' = {{\n  name: {value}\n}}\n"


@pytest.mark.parametrize(
    ("declarations", "value", "expected"),
    [
        ("var a = {\n  x: 1\n}\nvar b = {\n  ...a\n  y: 2\n  ...{ x: 3 }\n}\n", "string(b)", '{"x":3,"y":2}'),
        ("var a = [\n  1\n]\nvar b = [\n  0\n  ...a\n  ...[2, 3]\n]\n", "string(b)", "[0,1,2,3]"),
        ("param p object?\n", "p.?missing ?? 'fallback'", "fallback"),
        ("param p object?\n", "string(p)", "null"),
        ("var o = {\n  a: {\n    b: 'deep'\n  }\n}\n", "o.?a.?b ?? 'no'", "deep"),
        ("var xs = [\n  'a'\n  'b'\n]\n", "'${xs[^1]}${xs[?5] ?? 'z'}'", "bz"),
        ("var xs = [\n  1\n  2\n  3\n]\n", "string(map(xs, x => x * 2))", "[2,4,6]"),
        ("var xs = [\n  1\n  2\n  3\n]\n", "string(filter(xs, (x, i) => x > 1 && i < 2))", "[2]"),
        ("var xs = [\n  1\n  2\n  3\n]\n", "string(reduce(xs, 10, (acc, x) => acc + x))", "16"),
        ("var xs = [\n  3\n  1\n  2\n]\n", "string(sort(xs, (a, b) => a < b))", "[1,2,3]"),
        (
            "var xs = [\n  { k: 'a', v: 1 }\n  { k: 'b', v: 2 }\n]\n",
            "string(toObject(xs, x => x.k, x => x.v))",
            '{"a":1,"b":2}',
        ),
        (
            "var xs = [\n  'ab'\n  'ac'\n  'b'\n]\n",
            "string(groupBy(xs, x => substring(x, 0, 1)))",
            '{"a":["ab","ac"],"b":["b"]}',
        ),
        ("var o = {\n  a: 1\n}\n", "string(mapValues(o, v => v + 1))", '{"a":2}'),
        (
            "func twice(x int) int => x * 2\nfunc four(x int) int => twice(twice(x))\n",
            "string(four(3))",
            "12",
        ),
        ("func greet(n string) string => 'hi-${n}'\n", "greet('x')", "hi-x"),
        ("var x = 1\n", "nameof(x)", "x"),
        ("var s = '''\nmulti\nline'''\n", "replace(s, '\\n', '-')", "multi-line"),
    ],
)
def test_values(tmp_path: Path, declarations: str, value: str, expected: object) -> None:
    assert names(tmp_path, declarations + account(value)) == [expected]


def test_an_unknown_spread_makes_the_object_unknown(tmp_path: Path) -> None:
    """Its keys may override any property, so no property of the result is known."""
    text = "param p object\nvar b = {\n  ...p\n  y: 2\n}\n" + account("b.y")
    [name] = names(tmp_path, text)
    assert isinstance(name, Unknown) and "spread" in name.reason


def test_filtered_loop_with_known_conditions_keeps_the_items(tmp_path: Path) -> None:
    text = (
        "param items array = [\n  { n: 'keep', on: true }\n  { n: 'drop', on: false }\n  { n: 'default' }\n]\n"
        "resource sa 'Microsoft.Storage/storageAccounts@2023-01-01' = [for (x, i) in items: if (x.?on ?? true) {\n"
        "  name: '${x.n}${i}'\n}]\n"
    )
    result = load_files(tmp_path, {"main.bicep": text})
    accounts = [r for r in result.resources if r.kind == kinds.STORAGE_ACCOUNT]
    kept = {r.attr("name").value: r.condition for r in accounts if r.may_exist}  # type: ignore[union-attr]
    assert set(kept) == {"keep0", "default2"}
    assert all(isinstance(c, Known) and c.value is True for c in kept.values())


def test_filtered_loop_with_an_unknown_condition_or_collection(tmp_path: Path) -> None:
    text = (
        "param flag bool\nparam unknownItems array\n"
        "resource a 'Microsoft.Storage/storageAccounts@2023-01-01' = [for x in ['one']: if (flag) {\n  name: x\n}]\n"
        "resource b 'Microsoft.Storage/storageAccounts@2023-01-01' = [for x in unknownItems: if (x.on) {\n"
        "  name: 'b'\n}]\n"
    )
    result = load_files(tmp_path, {"main.bicep": text})
    by_address = {r.address: r for r in result.resources if r.kind == kinds.STORAGE_ACCOUNT}
    assert set(by_address) == {"a[0]", "b[*]"}  # one representative for the unknown collection
    assert isinstance(by_address["a[0]"].condition, Unknown)
    assert by_address["a[0]"].attr("name").value == "one"  # type: ignore[union-attr]
    assert isinstance(by_address["b[*]"].condition, Unknown)


def test_imports_from_local_files(tmp_path: Path) -> None:
    shared = (
        "import { base } from 'base.bicep'\n"
        "@export()\nvar prefix = '${base}-app'\n"
        "var hidden = 'x'\n"
        "@export()\nvar sku = '${hidden}sku'\n"
        "@export()\nfunc named(n string) string => 'app-${toLower(n)}'\n"  # functions see only their parameters
        "@export()\ntype t = {\n  a: string?\n}\n"
    )
    base = "@export()\nvar base = 'corp'\n"
    main = (
        "import { prefix, named as make, sku, t } from 'shared.bicep'\n"
        "import * as all from 'shared.bicep'\n"
        "import { roleAssignmentType } from 'br/public:avm/utl/types/avm-common-types:0.6.1'\n"
        + account("'${prefix}|${make('one')}|${sku}|${all.prefix}|${all.named('two')}'")
    )
    assert names(tmp_path, main, {"shared.bicep": shared, "base.bicep": base}) == [
        "corp-app|app-one|xsku|corp-app|app-two"
    ]


def test_an_import_from_a_missing_file_is_unknown(tmp_path: Path) -> None:
    main = "import { gone } from 'missing.bicep'\n" + account("gone")
    [name] = names(tmp_path, main)
    assert isinstance(name, Unknown) and "missing.bicep" in name.reason


def test_bicepparam_extends_vars_and_imports(tmp_path: Path) -> None:
    main = "param name string\nparam sku string = 'Standard_LRS'\n" + account("'${name}-${sku}'")
    base = "using none\nparam name = 'base'\nparam sku = 'Premium_LRS'\n"
    params = (
        "using './main.bicep'\nextends './base.bicepparam'\nimport { prefix } from 'shared.bicep'\n"
        "var suffix = 'x'\nparam name = '${prefix}${suffix}'\n"
    )
    shared = "@export()\nvar prefix = 'p'\n"
    files = {"main.bicep": main, "base.bicepparam": base, "main.bicepparam": params, "shared.bicep": shared}
    assert names(tmp_path, "", files) == ["px-Premium_LRS"]


def test_nullable_parameter_of_a_nullable_type_alias(tmp_path: Path) -> None:
    text = "type maybe = string?\nparam p maybe\n" + account("p ?? 'alias-null'")
    assert names(tmp_path, text) == ["alias-null"]


def test_a_parameter_without_default_stays_unknown(tmp_path: Path) -> None:
    [name] = names(tmp_path, "param p string\n" + account("p"))
    assert isinstance(name, Unknown)


def only(resources: list[Resource], kind: str) -> Resource:
    found = [r for r in resources if r.kind == kind]
    assert len(found) == 1, found
    return found[0]
