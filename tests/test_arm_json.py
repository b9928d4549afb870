"""The position-aware JSON/JSONC reader: every object, property and element keeps its span."""

from __future__ import annotations

import json

import pytest

from linter.arm.jsonpos import JsonError, PosDict, PosList, loads, strip_jsonc


def test_property_span_runs_from_key_to_end_of_value() -> None:
    text = '{\n  "location": "westeurope",\n  "sku": {"name": "Premium_LRS"}\n}'
    doc = loads(text, "t.json")
    loc = doc.key_spans["location"]
    assert (loc.line, loc.column, loc.end_line, loc.end_column) == (2, 3, 2, 27)
    sku = doc.key_spans["sku"]
    assert (sku.line, sku.column) == (3, 3)
    inner = doc["sku"].key_spans["name"]
    assert (inner.line, inner.column) == (3, 11)
    assert doc.span is not None and (doc.span.line, doc.span.column, doc.span.end_line) == (1, 1, 4)


def test_array_elements_have_their_own_spans() -> None:
    doc = loads('{"a": [\n  "x",\n  {"b": 1}\n]}', "t.json")
    arr = doc["a"]
    assert isinstance(arr, PosList) and isinstance(arr[1], PosDict)
    assert [(s.line, s.column) for s in arr.item_spans] == [(2, 3), (3, 3)]


def test_jsonc_comments_and_trailing_commas_keep_positions() -> None:
    text = '{\n  // a comment\n  "a": "http://x//y", /* block\n  */ "b": [1, 2,],\n}'
    doc = loads(text, "t.json")
    assert doc == {"a": "http://x//y", "b": [1, 2]}
    assert (doc.key_spans["b"].line, doc.key_spans["b"].column) == (4, 6)


def test_strip_jsonc_leaves_strings_alone() -> None:
    text = '{"a": "/* not a comment */, }"}'
    assert strip_jsonc(text) == text


def test_errors_carry_line_and_column() -> None:
    with pytest.raises(JsonError) as err:
        loads('{\n  "a": 1\n  "b": 2\n}', "t.json")
    assert (err.value.line, err.value.column) == (3, 3)


def test_same_data_as_json_loads() -> None:
    data = {"x": [1, 2.5, True, None, {"y": "z\u00e9"}], "k": {}}
    assert loads(json.dumps(data, indent=2), "t.json") == data
