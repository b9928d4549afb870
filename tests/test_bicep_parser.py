"""The Bicep reader: every construct of the current language, positions, and Bicep-speaking errors.

The grammar is Azure/bicep ``docs/grammar.md`` as the compiler's parser implements it; the cases
below are written in the forms Azure Verified Modules use.
"""

from __future__ import annotations

import pytest

from linter.arm import expr as ex
from linter.arm.jsonpos import PosDict, PosList
from linter.bicep.lexer import LexError, tokenize
from linter.bicep.parser import BicepSyntaxError, parse
from linter.bicep.syntax import Body, Function, Import, Module, Resource

EVERYTHING = """targetScope = 'resourceGroup'
metadata name = 'Everything'
extension microsoftGraphV1
extension kubernetes with {
  namespace: 'default'
  kubeConfig: 'x'
} as k8s
import { appType, namespacesOf as nsOf } from 'shared.bicep'
import * as common from 'br/public:avm/utl/types/avm-common-types:0.6.1'

@export()
@description('''
A pool.
''')
@discriminator('kind')
type poolType = {
  @description('name')
  @maxLength(12)
  name: string
  kind: 'linux' | 'windows'
  size: ('small' | 'large')?
  'quoted key': int
  tuple: [
    @description('first')
    string
    int
  ]
  *: string
}

type nullableAlias = string?
type sub = resourceInput<'Microsoft.Storage/storageAccounts@2023-01-01'>.properties.networkAcls
type out = resourceOutput<'Microsoft.Storage/storageAccounts@2023-01-01'>
type literal = -1 | true | null | 'x'
type items = poolType[]
type item = items[*]
type prop = poolType.name
type additional = poolType.*

@secure()
param secret string
param nullable string?
param typed poolType[] = []
param resourceParam resource 'Microsoft.Storage/storageAccounts@2023-01-01'
param derived resourceInput<'Microsoft.Storage/storageAccounts@2023-01-01'>.sku.name = 'Standard_LRS'

var spread = {
  ...{ a: 1 }
  b: 2
  ...(nullable == null ? {} : { c: nullable })
}
var list = [
  ...[1, 2]
  3
]
var safe = typed[?0].?name ?? 'default'
var last = typed[^1]
var multi = '''
line one
line 'two'
'''
var interp = 'a${spread.b}b${'nested ${1}'}c'
var lambdas = map(filter(typed, p => p.kind == 'linux'), (p, i) => '${i}:${p.name}')
var sorted = sort(list, (a, b) => a < b)
var object = toObject(typed, p => p.name, p => p.?size)
var reduced = reduce(list, 0, (acc, x) => acc + x)
var ternary = length(list) > 1
  ? 'many'
  : 'few'
var precedence = 1 + 2 * 3 - -4 % 5 == 7 && !false || null ?? true
var asserted = nullable!
var call = sys.concat(common.someVar, az.resourceGroup().location)
var multilineCall = concat(
  'a',
  'b'
)
var interpolatedKey = {
  '${multi}': 1
  if: 'keywords are names'
}
var forExpr = [for (p, i) in typed: {
  index: i
}]

func double(x int) int => x * 2
func greet(name string, suffix string?) string =>
  'hello ${name}${suffix ?? ''}'

resource existingRg 'Microsoft.Resources/resourceGroups@2024-03-01' existing = {
  scope: subscription()
  name: 'rg'
}

@batchSize(1)
resource pools 'Microsoft.ContainerService/managedClusters/agentPools@2024-02-01' = [
  for (pool, i) in typed: if (pool.kind == 'linux') {
    name: pool.name
    properties: {
      count: i
    }
  }
]

resource cond 'Microsoft.Storage/storageAccounts@2023-01-01' =
  if (length(list) > 0) {
    name: 'x'

    @description('a child')
    resource blob 'blobServices' = {
      name: 'default'
    }
  }

module registry 'br/public:avm/res/storage/storage-account:0.9.0' = {
  params: {
    name: 'x'
  }
}

module local './child.bicep' = [for i in range(0, 2): {
  name: 'child-${i}'
}]

assert isPositive = length(list) > 0

output o string = cond::blob.name
output res resource 'Microsoft.Storage/storageAccounts@2023-01-01' = cond
"""


def test_every_construct_parses_into_declarations() -> None:
    parsed = parse(EVERYTHING, "main.bicep")
    kinds = [(d.keyword, d.name) for d in parsed.declarations]
    assert ("targetScope", "targetScope") in kinds and ("assert", "isPositive") in kinds
    assert [d.name for d in parsed.declarations if d.keyword == "extension"] == [
        "microsoftGraphV1",
        "kubernetes",
    ]
    imports = [d for d in parsed.declarations if isinstance(d, Import)]
    assert imports[0].symbols == [("appType", "appType"), ("namespacesOf", "nsOf")]
    assert imports[1].wildcard == "common" and imports[1].path.startswith("br/public:")
    params = {d.name: d for d in parsed.declarations if d.keyword == "param"}
    assert params["nullable"].type.nullable and not params["secret"].type.nullable  # type: ignore[union-attr]
    assert params["derived"].value == "Standard_LRS"
    types = {d.name: d for d in parsed.declarations if d.keyword == "type"}
    assert types["nullableAlias"].type.nullable  # type: ignore[union-attr]
    functions = {d.name: d for d in parsed.declarations if isinstance(d, Function)}
    assert functions["greet"].params == ("name", "suffix")
    resources = {d.name: d for d in parsed.declarations if isinstance(d, Resource)}
    assert resources["existingRg"].existing
    loop = resources["pools"].loop
    assert loop is not None and (loop.item, loop.index) == ("pool", "i") and loop.condition is not None
    assert [d.name for d in resources["pools"].decorators] == ["batchSize"]
    assert resources["cond"].condition is not None
    body = resources["cond"].value
    assert isinstance(body, Body) and [r.name for r in body.resources] == ["blob"]
    assert [d.name for d in body.resources[0].decorators] == ["description"]
    modules = {d.name: d for d in parsed.declarations if isinstance(d, Module)}
    assert modules["registry"].path == "br/public:avm/res/storage/storage-account:0.9.0"
    assert modules["local"].loop is not None and modules["local"].loop.index is None


def _var(text: str, name: str) -> object:
    parsed = parse(text, "main.bicep")
    return next(d.value for d in parsed.declarations if d.name == name)


def test_expressions_keep_bicep_meaning() -> None:
    spread = _var(EVERYTHING, "spread")
    assert isinstance(spread, PosDict)
    keys = list(spread)
    assert isinstance(keys[0], ex.Spread) and keys[1] == "b" and isinstance(keys[2], ex.Spread)
    items = _var(EVERYTHING, "list")
    assert isinstance(items, PosList) and isinstance(items[0], ex.Spread) and items[1] == 3
    safe = _var(EVERYTHING, "safe")
    assert isinstance(safe, ex.Op) and safe.op == "??"
    access = safe.args[0]
    assert isinstance(access, ex.Prop) and access.safe and access.name == "name"
    assert isinstance(access.target, ex.Index) and access.target.safe
    last = _var(EVERYTHING, "last")
    assert isinstance(last, ex.Index) and last.from_end
    assert _var(EVERYTHING, "multi") == "line one\nline 'two'\n"
    interp = _var(EVERYTHING, "interp")
    assert isinstance(interp, ex.Interp) and interp.parts[0] == "a" and interp.parts[-1] == "c"
    lambdas = _var(EVERYTHING, "lambdas")
    assert isinstance(lambdas, ex.Call) and isinstance(lambdas.args[1], ex.Lambda)
    assert lambdas.args[1].params == ("p", "i")
    ternary = _var(EVERYTHING, "ternary")
    assert isinstance(ternary, ex.Op) and ternary.op == "?:"
    assert _var(EVERYTHING, "asserted") == ex.Ref("nullable")
    call = _var(EVERYTHING, "call")
    assert isinstance(call, ex.Call) and call.name == "sys.concat"
    assert isinstance(call.args[1], ex.Prop) and call.args[1].target == ex.Call("az.resourceGroup", ())
    keys = list(_var(EVERYTHING, "interpolatedKey"))  # type: ignore[arg-type]
    assert isinstance(keys[0], ex.Interp) and keys[1] == "if"


def test_operator_precedence_follows_the_compiler() -> None:
    tree = _var(EVERYTHING, "precedence")
    # ((((1 + (2 * 3)) - ((-4) % 5)) == 7) && !false) || null) ?? true
    assert isinstance(tree, ex.Op) and tree.op == "??"
    left = tree.args[0]
    assert left.op == "||" and left.args[0].op == "&&"
    equality = left.args[0].args[0]
    assert equality.op == "==" and equality.args[1] == 7
    minus = equality.args[0]
    assert minus.op == "-" and minus.args[0] == ex.Op("+", (1, ex.Op("*", (2, 3))))
    assert minus.args[1] == ex.Op("%", (-4, 5))


def test_positions_on_declarations_properties_and_items() -> None:
    text = "var o = {\n  a: 1\n  b: [\n    'x'\n    'y'\n  ]\n}\n\nresource r 'T/x@1' = {\n  name: 'n'\n}\n"
    parsed = parse(text, "main.bicep")
    var, res = parsed.declarations
    assert (var.span.line, var.span.column, var.span.end_line) == (1, 1, 7)
    obj = var.value
    assert (obj.span.line, obj.span.column, obj.span.end_line, obj.span.end_column) == (1, 9, 7, 2)
    assert (obj.key_spans["a"].line, obj.key_spans["a"].column, obj.key_spans["a"].end_column) == (2, 3, 7)
    items = obj["b"]
    assert [(s.line, s.column) for s in items.item_spans] == [(4, 5), (5, 5)]
    assert (res.span.line, res.span.column) == (9, 1)
    assert (res.value.key_spans["name"].line, res.value.key_spans["name"].column) == (10, 3)


def test_params_file() -> None:
    text = (
        "using './main.bicep'\nextends './base.bicepparam'\nimport { x } from 'shared.bicep'\n"
        "var prefix = 'p'\nparam name = '${prefix}-name'\nparam tags = {\n  a: x\n}\n"
    )
    parsed = parse(text, "main.bicepparam", params_file=True)
    assert [(d.keyword, d.name) for d in parsed.declarations] == [
        ("using", "./main.bicep"),
        ("extends", "./base.bicepparam"),
        ("import", "shared.bicep"),
        ("var", "prefix"),
        ("param", "name"),
        ("param", "tags"),
    ]
    assert parse("using none\n", "x.bicepparam", params_file=True).declarations[0].name == ""


def test_comments_and_pragmas_anywhere() -> None:
    text = (
        "// leading\n#disable-next-line no-unused-vars\nvar a = { // trailing\n  /* block\n spanning */ b: 1 /* inline */\n"
        "  // own line\n  c: [\n    1 // item\n  ]\n}\nvar s = 'not // a comment'\n"
    )
    parsed = parse(text, "main.bicep")
    a, s = parsed.declarations
    assert list(a.value) == ["b", "c"] and s.value == "not // a comment"


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        (
            "var o = {\n  : 1\n}\n",
            2,
            3,
            "expected a property name (or '...' to spread an object) after '{' but found ':'",
        ),
        ("var o = {\n  a 1\n}\n", 2, 5, "expected ':' after the property name 'a' but found the number 1"),
        ("var x = \n", 1, 9, "expected an expression but found the end of the line"),
        ("var x = [\n  1, \n  2\n]\n", 2, 6, "a ',' between array items cannot end a line"),
        ("var x = concat('a',\n 'b',)\n", 2, 6, "a function call cannot end with ','"),
        ("param p string 'x'\n", 1, 16, "expected '=' or a new line after the type of parameter 'p'"),
        ("resource r 'T@1' = 'x'\n", 1, 20, "expected '{', 'if' or '[for' after '='"),
        ("provider foo\n", 1, 1, "expected a declaration"),
        ("var a = 1 var b = 2\n", 1, 11, "expected a new line after the var declaration but found 'var'"),
        ("var o = {\n  a: 1\n", 3, 1, "expected '}' to close the object opened at line 1 column 9"),
        ("var x = a[]\n", 1, 11, "an index is required between '[' and ']'"),
    ],
)
def test_errors_speak_bicep(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(BicepSyntaxError) as caught:
        parse(text, "main.bicep")
    assert (caught.value.line, caught.value.column) == (line, column)
    assert message in str(caught.value)
    assert "Token(" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("var s = 'open\n", 1, 9, "a string is never closed"),
        ('var s = "double"\n', 1, 9, "single quotes"),
        ("var s = '''\nnever closed\n", 1, 9, "never closed with '''"),
        ("/* never closed\n", 1, 1, "never closed with '*/'"),
        ("var s = 'bad \\q escape'\n", 1, 14, "unknown escape"),
        ("var x = 1 # 2\n", 1, 11, "'#' is only allowed"),
    ],
)
def test_lexical_errors(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(LexError) as caught:
        tokenize(text)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert message in str(caught.value)


def test_multi_line_interpolation_with_dollars() -> None:
    value = _var("var a = 'v'\nvar s = $$'''\n${literal} $${a} done'''\n", "s")
    assert value == ex.Interp(("${literal} ", ex.Ref("a"), " done"))


def test_crlf_and_bom_free_text_keep_lines() -> None:
    parsed = parse("var a = 1\r\n\r\nvar b = {\r\n  c: 2\r\n}\r\n", "main.bicep")
    b = parsed.declarations[1]
    assert (b.span.line, b.value.key_spans["c"].line) == (3, 4)
