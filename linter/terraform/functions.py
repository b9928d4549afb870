"""The Terraform built-in functions users write in AKS backup configurations.

Each function takes evaluated argument Values and returns a Value. Any unknown argument makes the
result unknown (except where Terraform itself short-circuits, as ``try``/``coalesce`` do), and a
function we do not implement is unknown with its name as the reason: never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from linter.model import ABSENT, Known, Span, Symbol, Unknown, UnknownInside, Value, known, to_plain

Func = Callable[[list[Value], Span], Value]


class _Fail(Exception):
    """The function call would fail in Terraform (wrong type, out of range)."""


def _plain_args(args: list[Value]) -> list[Any] | Unknown:
    out = []
    for a in args:
        if isinstance(a, Unknown):
            return a
        try:
            v = to_plain(a)
        except UnknownInside as e:
            return e.unknown
        if isinstance(v, Symbol):
            return Unknown(f"computed value {v}")
        if _contains_symbol(v):
            return Unknown("argument holds a computed value")
        out.append(v)
    return out


def _contains_symbol(v: Any) -> bool:
    if isinstance(v, Symbol):
        return True
    if isinstance(v, list):
        return any(_contains_symbol(x) for x in v)
    if isinstance(v, dict):
        return any(_contains_symbol(x) for x in v.values())
    return False


def _tostr(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, str | int | float):
        return str(v)
    raise _Fail(f"cannot convert {type(v).__name__} to string")


def _plain_fn(fn: Callable[..., Any]) -> Func:
    """Lift a function over plain Python values into one over Values."""

    def call(args: list[Value], span: Span) -> Value:
        plain = _plain_args(args)
        if isinstance(plain, Unknown):
            return plain
        try:
            return known(fn(*plain), span)
        except (_Fail, TypeError, ValueError, IndexError, KeyError, ZeroDivisionError) as e:
            return Unknown(f"function call fails: {e}", span)

    return call


_FORMAT_VERB = re.compile(r"%(?:\[\d+\])?([-+# 0]*)(\d*)(?:\.(\d+))?([%sdvqftbxXoeEgG])")


def _format(fmt: str, *values: Any) -> str:
    it = iter(values)

    def repl(m: re.Match[str]) -> str:
        verb = m.group(4)
        if verb == "%":
            return "%"
        v = next(it)
        if verb == "q":
            return '"' + _tostr(v) + '"'
        if verb == "d":
            return str(int(v))
        return _tostr(v)

    return _FORMAT_VERB.sub(repl, fmt)


def _lookup(m: dict[str, Any], key: Any, *default: Any) -> Any:
    key = _tostr(key)
    if key in m:
        return m[key]
    if default:
        return default[0]
    raise _Fail(f"key {key!r} not found")


def _merge(*maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in maps:
        if m is None:
            continue
        if not isinstance(m, dict):
            raise _Fail("merge takes maps")
        out.update(m)
    return out


def _element(lst: list[Any], index: Any) -> Any:
    if not lst:
        raise _Fail("element of empty list")
    return lst[int(index) % len(lst)]


def _concat(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for lst in lists:
        if not isinstance(lst, list):
            raise _Fail("concat takes lists")
        out.extend(lst)
    return out


def _replace(s: Any, old: Any, new: Any) -> str:
    s, old, new = _tostr(s), _tostr(old), _tostr(new)
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        return re.sub(old[1:-1], new.replace("$", "\\"), s)
    return s.replace(old, new)


def _toset(lst: Any) -> list[Any]:
    out: list[Any] = []
    for x in lst:
        if x not in out:
            out.append(x)
    return sorted(out, key=lambda x: _tostr(x)) if all(isinstance(x, str) for x in out) else out


def _length(v: Any) -> int:
    if isinstance(v, str | list | dict):
        return len(v)
    raise _Fail("length of a non-collection")


def _length_of(args: list[Value], span: Span) -> Value:
    """``length``: a known collection has a known length even when its elements are computed."""
    if len(args) == 1 and isinstance(args[0], Known) and isinstance(args[0].value, list | dict):
        return Known(len(args[0].value), span)
    return _plain_fn(_length)(args, span)


def _one(v: list[Any]) -> Any:
    if len(v) > 1:
        raise _Fail("one() of more than one element")
    return v[0] if v else None


def _flatten(v: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in v:
        out.extend(_flatten(x) if isinstance(x, list) else [x])
    return out


def _try(args: list[Value], span: Span) -> Value:
    """``try``: the first argument that evaluates; an unknown before it makes the result unknown."""
    for a in args:
        if isinstance(a, Unknown):
            if a.reason.startswith(("function call fails", "no attribute", "no key", "index ")):
                continue
            return a
        if a is ABSENT:
            continue
        return a
    return Unknown("try(): no argument evaluated", span)


def _can(args: list[Value], span: Span) -> Value:
    a = args[0] if args else ABSENT
    if isinstance(a, Unknown):
        return Unknown(a.reason, span)
    return Known(True, span)


def _coalesce(args: list[Value], span: Span) -> Value:
    for a in args:
        if isinstance(a, Unknown):
            return a
        if isinstance(a, Known) and a.value is not None and a.value != "":
            return a
    return Unknown("coalesce(): all arguments are null or empty", span)


def _tostring(args: list[Value], span: Span) -> Value:
    a = args[0] if args else ABSENT
    if isinstance(a, Known) and isinstance(a.value, Symbol):
        return a
    return _plain_fn(lambda v: v if v is None else _tostr(v))(args, span)


# --- functions that move values around: they keep each value's own span and origins, so a
# finding still points where the value is written (design.md, "Precise locations") ----------


def _items(value: Value) -> list[Value] | None:
    """The element Values of a known list, else None."""
    if isinstance(value, Known) and isinstance(value.value, list):
        return list(value.value)
    return None


def _entries(value: Value) -> dict[str, Value] | None:
    """The entry Values of a known object or map, else None."""
    if isinstance(value, Known) and isinstance(value.value, dict):
        return dict(value.value)
    return None


def _first_unknown(args: list[Value]) -> Unknown | None:
    return next((a for a in args if isinstance(a, Unknown)), None)


def _concat_values(args: list[Value], span: Span) -> Value:
    out: list[Value] = []
    for a in args:
        elements = _items(a)
        if elements is None:
            return a if isinstance(a, Unknown) else _plain_fn(_concat)(args, span)
        out += elements
    return Known(out, span)


def _merge_values(args: list[Value], span: Span) -> Value:
    out: dict[str, Value] = {}
    for a in args:
        if isinstance(a, Known) and a.value is None:
            continue
        entries = _entries(a)
        if entries is None:
            return a if isinstance(a, Unknown) else _plain_fn(_merge)(args, span)
        out.update(entries)
    return Known(out, span)


def _flatten_values(args: list[Value], span: Span) -> Value:
    unknown = _first_unknown(args)
    if unknown is not None or len(args) != 1:
        return unknown or Unknown("flatten() takes one list", span)
    out: list[Value] = []

    def walk(value: Value) -> Unknown | None:
        elements = _items(value)
        if elements is None:
            if isinstance(value, Unknown):
                return value
            out.append(value)
            return None
        for e in elements:
            problem = walk(e)
            if problem is not None:
                return problem
        return None

    if _items(args[0]) is None:
        return _plain_fn(_flatten)(args, span)
    problem = walk(args[0])
    return problem if problem is not None else Known(out, span)


def _lookup_values(args: list[Value], span: Span) -> Value:
    entries = _entries(args[0]) if args else None
    key = args[1] if len(args) > 1 else ABSENT
    if entries is None or not (isinstance(key, Known) and isinstance(key.value, str)):
        return _plain_fn(_lookup)(args, span)
    if key.value in entries:
        return entries[key.value]
    if len(args) > 2:
        return args[2]
    return Unknown(f"lookup(): no key {key.value!r}", span)


def _element_values(args: list[Value], span: Span) -> Value:
    elements = _items(args[0]) if args else None
    index = args[1] if len(args) > 1 else ABSENT
    if elements is None or not elements or not (isinstance(index, Known) and isinstance(index.value, int)):
        return _plain_fn(_element)(args, span)
    return elements[index.value % len(elements)]


def _one_values(args: list[Value], span: Span) -> Value:
    elements = _items(args[0]) if len(args) == 1 else None
    if elements is None or len(elements) > 1:
        return _plain_fn(_one)(args, span)
    return elements[0] if elements else Known(None, span)


def _same_values(fn: Callable[..., Any]) -> Func:
    """``tolist``/``toset``/``tomap``: the argument itself when no conversion is needed."""

    def call(args: list[Value], span: Span) -> Value:
        if len(args) == 1 and (_items(args[0]) is not None or _entries(args[0]) is not None):
            return args[0]
        return _plain_fn(fn)(args, span)

    return call


FUNCTIONS: dict[str, Func] = {
    "lower": _plain_fn(lambda s: _tostr(s).lower()),
    "upper": _plain_fn(lambda s: _tostr(s).upper()),
    "title": _plain_fn(lambda s: _tostr(s).title()),
    "trimspace": _plain_fn(lambda s: _tostr(s).strip()),
    "format": _plain_fn(lambda f, *v: _format(_tostr(f), *v)),
    "lookup": _lookup_values,
    "merge": _merge_values,
    "concat": _concat_values,
    "element": _element_values,
    "join": _plain_fn(lambda sep, lst: _tostr(sep).join(_tostr(x) for x in lst)),
    "split": _plain_fn(lambda sep, s: _tostr(s).split(_tostr(sep))),
    "replace": _plain_fn(_replace),
    "substr": _plain_fn(lambda s, off, n: _tostr(s)[int(off) : (None if int(n) < 0 else int(off) + int(n))]),
    "startswith": _plain_fn(lambda s, p: _tostr(s).startswith(_tostr(p))),
    "endswith": _plain_fn(lambda s, p: _tostr(s).endswith(_tostr(p))),
    "tolist": _same_values(lambda v: list(v)),
    "toset": _plain_fn(_toset),
    "tomap": _same_values(lambda v: dict(v)),
    "tonumber": _plain_fn(
        lambda v: v if isinstance(v, int | float) else (float(v) if "." in str(v) else int(v))
    ),
    "tobool": _plain_fn(lambda v: v if isinstance(v, bool) else {"true": True, "false": False}[str(v)]),
    "length": _length_of,
    "contains": _plain_fn(lambda lst, v: v in lst),
    "keys": _plain_fn(lambda m: sorted(m.keys())),
    "values": _plain_fn(lambda m: [m[k] for k in sorted(m.keys())]),
    "distinct": _plain_fn(lambda lst: [x for i, x in enumerate(lst) if x not in lst[:i]]),
    "compact": _plain_fn(lambda lst: [x for x in lst if x not in (None, "")]),
    "flatten": _flatten_values,
    "one": _one_values,
    "min": _plain_fn(lambda *v: min(v)),
    "max": _plain_fn(lambda *v: max(v)),
    "abs": _plain_fn(lambda v: abs(v)),
    "range": _plain_fn(lambda *a: list(range(*[int(x) for x in a]))),
    "zipmap": _plain_fn(lambda k, v: dict(zip([_tostr(x) for x in k], v, strict=True))),
    "try": _try,
    "can": _can,
    "coalesce": _coalesce,
    "tostring": _tostring,
}
