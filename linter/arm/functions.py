"""ARM template functions (and Bicep operators) over plain values with Unk/Symbol/RefObj.

A function whose input is unknown returns ``Unk`` naming the expression; runtime functions
(``reference`` of a property we cannot know, ``list*``, ``utcNow``, ``newGuid``) are unknown by
nature. ``uniqueString``/``guid`` are deterministic hashes so that two uses of the same inputs
give the same name, as in Azure (the exact characters differ from Azure's).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from linter.arm import expr as ex
from linter.arm.evaluate import (
    MAX_COPY,
    Closure,
    Namespace,
    Scope,
    apply,
    call_user_function,
    eval_expr,
    use_value,
)
from linter.arm.values import RefObj, Unk, as_unk, deep_unknown, is_unknown, to_data
from linter.model import Known, Symbol, Unknown, Value

Fn = Callable[[list[Any], ex.Call, Scope], Any]
FUNCTIONS: dict[str, Fn] = {}
LAZY: dict[str, Callable[[ex.Call, Scope], Any]] = {}


def fn(*names: str) -> Callable[[Fn], Fn]:
    def register(f: Fn) -> Fn:
        for n in names:
            FUNCTIONS[n.lower()] = f
        return f

    return register


def lazy(*names: str) -> Callable[[Callable[[ex.Call, Scope], Any]], Callable[[ex.Call, Scope], Any]]:
    def register(f: Callable[[ex.Call, Scope], Any]) -> Callable[[ex.Call, Scope], Any]:
        for n in names:
            LAZY[n.lower()] = f
        return f

    return register


def call(node: ex.Call, scope: Scope) -> Any:
    name = node.name.lower()
    frame = scope.frame
    user = frame.functions.get(name)  # Bicep 'func name', ARM 'namespace.member'
    if user is not None:
        return call_user_function(user, [eval_expr(a, scope) for a in node.args], ex.render(node))
    prefix, dot, rest = name.partition(".")
    if dot and prefix in ("sys", "az"):
        name = rest
    elif dot:
        namespace = frame.namespaces.get(node.name.partition(".")[0])
        if namespace is not None:  # import * as ns: ns.function(...)
            home = namespace.home()
            user = home.functions.get(rest) if home is not None else None
            if user is None:
                return Unk(f"{ex.render(node)}: no such function in {namespace.source}")
            return call_user_function(user, [eval_expr(a, scope) for a in node.args], ex.render(node))
        return Unk(f"{ex.render(node)} is only known after deployment")  # resource.listKeys() & co.
    if name in LAZY:
        return LAZY[name](node, scope)
    f = FUNCTIONS.get(name)
    if f is None:
        if name.startswith("list"):
            return Unk(f"{ex.render(node)} is only known after deployment")
        return Unk(f"function {node.name}() is not evaluated statically")
    args = [eval_expr(a, scope) for a in node.args]
    try:
        return f(args, node, scope)
    except (
        TypeError,
        ValueError,
        IndexError,
        KeyError,
        ZeroDivisionError,
        AttributeError,
        OverflowError,
    ) as e:
        return Unk(f"{ex.render(node)} could not be evaluated ({type(e).__name__})")


def _unknown_arg(args: list[Any], node: ex.Call) -> Unk | None:
    for a in args:
        if is_unknown(a):
            u = as_unk(a)
            return Unk(f"{ex.render(node)}: {u.reason}")
    return None


def strict(f: Fn) -> Fn:
    """Decorator: any unknown or symbolic argument makes the result unknown."""

    def wrapper(args: list[Any], node: ex.Call, scope: Scope) -> Any:
        u = _unknown_arg(args, node)
        if u is not None:
            return u
        for a in args:
            if isinstance(a, Symbol):
                return Unk(f"{ex.render(node)} depends on {a.name}, known only at deployment")
        return f(args, node, scope)

    return wrapper


def text_of(value: Any) -> str:
    return str(value) if isinstance(value, Symbol) else value


# --- deployment context -------------------------------------------------------------------


@fn("parameters")
def _parameters(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    if not args or not isinstance(args[0], str):
        return Unk(f"{ex.render(node)}: parameter name is not known")
    return use_value(scope.frame.param(args[0]), scope)


@fn("variables")
def _variables(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    if not args or not isinstance(args[0], str):
        return Unk(f"{ex.render(node)}: variable name is not known")
    value = scope.frame.variable(args[0])
    scope.vias.extend(getattr(value, "via", ()))
    return to_data(value)


@fn("copyindex")
def _copy_index(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    name = None
    offset = 0
    for a in args:
        if isinstance(a, str):
            name = a.lower()
        elif isinstance(a, int):
            offset = a
        else:
            return Unk(f"{ex.render(node)}: argument not known")
    if name not in scope.copy:
        return Unk(f"{ex.render(node)} outside a known copy loop")
    index = scope.copy[name]
    return index + offset if isinstance(index, int) else Unk(f"{ex.render(node)} is not known")


def _rg_object(scope: Scope, name: Any = None, sub: Any = None) -> dict[str, Any]:
    dep = scope.frame.deployment
    if name is not None:
        dep = dep.for_resource_group(name, sub)
    return {
        "id": dep.rg_prefix,
        "name": dep.rg_name,
        "location": dep.rg_location,
        "type": "Microsoft.Resources/resourceGroups",
        "properties": {"provisioningState": "Succeeded"},
        "tags": Unk("resourceGroup().tags is only known at deployment"),
        "managedBy": Unk("resourceGroup().managedBy is only known at deployment"),
    }


@fn("resourcegroup")
def _resource_group(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    if _unknown_arg(args, node):
        return _unknown_arg(args, node)
    if len(args) == 1:
        return _rg_object(scope, args[0])
    if len(args) == 2:
        return _rg_object(scope, args[1], args[0])
    return _rg_object(scope)


@fn("subscription")
def _subscription(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    sub = args[0] if args and not is_unknown(args[0]) else scope.frame.deployment.subscription_id
    return {
        "id": f"/subscriptions/{text_of(sub)}",
        "subscriptionId": sub,
        "tenantId": Symbol("subscription().tenantId"),
        "displayName": Unk("subscription().displayName is only known at deployment"),
    }


@fn("tenant")
def _tenant(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return {"tenantId": Symbol("subscription().tenantId"), "countryCode": Unk("tenant().countryCode")}


@fn("managementgroup")
def _mg(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return Unk(f"{ex.render(node)} is only known at deployment")


@fn("deployment")
def _deployment(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    dep = scope.frame.deployment
    return {
        "name": dep.name,
        "location": Unk("deployment().location is only known at deployment"),
        "properties": Unk("deployment().properties is only known at deployment"),
    }


@fn("environment")
def _environment(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return {
        "name": Unk("environment().name is only known at deployment"),
        "suffixes": {"storage": "core.windows.net", "keyvaultDns": ".vault.azure.net"},
        "resourceManager": "https://management.azure.com/",
        "authentication": Unk("environment().authentication is only known at deployment"),
    }


# --- resource ids ---------------------------------------------------------------------------


def build_id(prefix: str, rtype: str, names: list[Any], node: ex.Call | None = None) -> Any:
    """``{prefix}/providers/{ns}/{t1}/{n1}/{t2}/{n2}``; unknown names give Unk."""
    parts = [p for p in rtype.strip("/").split("/") if p]
    if len(parts) < 2:
        return Unk(f"resource type {rtype!r} is not a valid type")
    flat: list[str] = []
    for n in names:
        if is_unknown(n):
            return Unk(f"{ex.render(node) if node else 'resource id'}: {as_unk(n).reason}")
        if isinstance(n, str | Symbol | int):
            flat.extend(s for s in str(text_of(n)).split("/") if s)
        else:
            return Unk(f"{ex.render(node) if node else 'resource id'}: a name is not a string")
    types = parts[1:]
    if len(flat) != len(types):
        return Unk(f"{ex.render(node) if node else 'resource id'}: {len(flat)} names for type {rtype}")
    segs = [prefix.rstrip("/"), "providers", parts[0]]
    for t, n in zip(types, flat, strict=True):
        segs.extend([t, n])
    return "/".join(segs)


def _looks_like_type(value: Any) -> bool:
    return isinstance(value, str) and "/" in value and "." in value.split("/", 1)[0]


@fn("resourceid")
def _resource_id(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    dep = scope.frame.deployment
    at = next((i for i, a in enumerate(args) if _looks_like_type(a)), None)
    if at is None:
        u = _unknown_arg(args, node)
        return u or Unk(f"{ex.render(node)}: resource type not known")
    before, rtype, names = args[:at], args[at], args[at + 1 :]
    if _unknown_arg(before, node):
        return _unknown_arg(before, node)
    if len(before) == 2:
        prefix = f"/subscriptions/{text_of(before[0])}/resourceGroups/{text_of(before[1])}"
    elif len(before) == 1:
        prefix = f"{dep.subscription_prefix}/resourceGroups/{text_of(before[0])}"
    elif dep.level == "subscription":
        prefix = dep.subscription_prefix
    elif dep.level in ("tenant", "managementGroup"):
        prefix = ""
    else:
        prefix = dep.rg_prefix
    return build_id(prefix, rtype, names, node)


@fn("subscriptionresourceid")
def _sub_resource_id(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    at = next((i for i, a in enumerate(args) if _looks_like_type(a)), None)
    if at is None:
        return _unknown_arg(args, node) or Unk(f"{ex.render(node)}: resource type not known")
    sub = args[0] if at == 1 else scope.frame.deployment.subscription_id
    if is_unknown(sub):
        return Unk(f"{ex.render(node)}: subscription not known")
    return build_id(f"/subscriptions/{text_of(sub)}", args[at], args[at + 1 :], node)


@fn("tenantresourceid")
def _tenant_resource_id(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    if not args or not _looks_like_type(args[0]):
        return _unknown_arg(args, node) or Unk(f"{ex.render(node)}: resource type not known")
    return build_id("", args[0], args[1:], node)


@fn("extensionresourceid")
def _extension_resource_id(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    if not args or is_unknown(args[0]) or not isinstance(args[0], str) or len(args) < 2:
        return _unknown_arg(args, node) or Unk(f"{ex.render(node)}: scope not known")
    if is_unknown(args[1]) or not isinstance(args[1], str):
        return Unk(f"{ex.render(node)}: resource type not known")
    return build_id(args[0], args[1], args[2:], node)


@fn("managementgroupresourceid")
def _mg_resource_id(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return Unk(f"{ex.render(node)} is not evaluated statically")


@lazy("reference")
def _reference(node: ex.Call, scope: Scope) -> Any:
    from linter.arm.template import reference_target

    args = [eval_expr(a, scope) for a in node.args]
    if not args:
        return Unk("reference() without arguments")
    full = len(args) >= 3 and isinstance(args[2], str) and args[2].lower() == "full"
    target = reference_target(args[0], scope)
    text = ex.render(node)
    if isinstance(target, Unk):
        return Unk(f"{text}: {target.reason}")
    obj = RefObj(target, () if full else ("properties",), text)
    return obj


@fn("resourceinfo")
def _resource_info(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    from linter.arm.template import reference_target

    if not args:
        return Unk("resourceInfo() without arguments")
    target = reference_target(args[0], scope)
    if isinstance(target, Unk):
        return target
    return {"id": target, "name": target.rsplit("/", 1)[-1], "type": Unk("resourceInfo().type")}


# --- logic ------------------------------------------------------------------------------------


@lazy("if")
def _if(node: ex.Call, scope: Scope) -> Any:
    if len(node.args) != 3:
        return Unk(f"{ex.render(node)}: if() needs three arguments")
    cond = eval_expr(node.args[0], scope)
    if cond is True:
        return eval_expr(node.args[1], scope)
    if cond is False:
        return eval_expr(node.args[2], scope)
    a = eval_expr(node.args[1], scope)
    b = eval_expr(node.args[2], scope)
    if not is_unknown(a) and _equal(a, b) is True:
        return a
    reason = as_unk(cond).reason if is_unknown(cond) else f"{ex.render(node.args[0])} is not a boolean"
    return Unk(f"{ex.render(node)}: condition unknown ({reason})")


@lazy("and")
def _and(node: ex.Call, scope: Scope) -> Any:
    unknown = None
    for a in node.args:
        v = eval_expr(a, scope)
        if v is False:
            return False
        if v is not True:
            unknown = Unk(f"{ex.render(node)}: {ex.render(a)} is not known")
    return unknown if unknown is not None else True


@lazy("or")
def _or(node: ex.Call, scope: Scope) -> Any:
    unknown = None
    for a in node.args:
        v = eval_expr(a, scope)
        if v is True:
            return True
        if v is not False:
            unknown = Unk(f"{ex.render(node)}: {ex.render(a)} is not known")
    return unknown if unknown is not None else False


@lazy("coalesce")
def _coalesce(node: ex.Call, scope: Scope) -> Any:
    for a in node.args:
        v = eval_expr(a, scope)
        if is_unknown(v):
            return Unk(f"{ex.render(node)}: {as_unk(v).reason}")
        if v is not None:
            return v
    return None


@fn("not")
def _not(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    if len(args) == 1 and isinstance(args[0], bool):
        return not args[0]
    return Unk(f"{ex.render(node)} is not known")


def _equal(a: Any, b: Any) -> bool | None:
    if is_unknown(a) or is_unknown(b) or deep_unknown(a) or deep_unknown(b):
        return None
    if isinstance(a, Symbol) or isinstance(b, Symbol):
        return True if a == b else None
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return a == b


@fn("equals")
def _equals(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    r = _equal(args[0], args[1])
    return Unk(f"{ex.render(node)} is not known") if r is None else r


@fn("true")
def _true(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return True


@fn("false")
def _false(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return False


@fn("null")
def _null(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return None


def _compare(op: str) -> Fn:
    @strict
    def f(args: list[Any], node: ex.Call, scope: Scope) -> Any:
        a, b = args
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]

    return f


FUNCTIONS["less"] = _compare("<")
FUNCTIONS["lessorequals"] = _compare("<=")
FUNCTIONS["greater"] = _compare(">")
FUNCTIONS["greaterorequals"] = _compare(">=")

# --- strings ----------------------------------------------------------------------------------


def join_text(parts: list[Any], what: Any) -> Any:
    """Concatenate text parts: a single Symbol stays a Symbol; Symbols inside text become
    placeholders (so computed ids stay comparable); unknown parts make it unknown.

    ``what`` is the expression (or its text), rendered only for an unknown result's reason.
    """
    if not isinstance(what, str) and any(is_unknown(p) or isinstance(p, dict | list) for p in parts):
        what = ex.render(what)
    if len(parts) == 1 and isinstance(parts[0], Symbol):
        return parts[0]
    out = []
    for p in parts:
        if is_unknown(p):
            return Unk(f"{what}: {as_unk(p).reason}")
        if isinstance(p, bool):
            out.append("True" if p else "False")
        elif isinstance(p, Symbol | str | int | float):
            out.append(str(p))
        elif p is None:
            out.append("")
        else:
            u = deep_unknown(p)
            if u is not None:
                return Unk(f"{what}: {u.reason}")
            out.append(json.dumps(p, separators=(",", ":")))
    return "".join(out)


@fn("concat")
def _concat(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    if args and all(isinstance(a, list) for a in args):
        return [x for a in args for x in a]
    if any(isinstance(a, list) for a in args):
        u = _unknown_arg(args, node)
        return u or Unk(f"{ex.render(node)}: mixes arrays and other values")
    return join_text(args, ex.render(node))


_FORMAT = re.compile(r"\{\{|\}\}|\{(\d+)(?::[^}]*)?\}")


@fn("format")
def _format(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    if not args or not isinstance(args[0], str):
        return _unknown_arg(args[:1], node) or Unk(f"{ex.render(node)}: format string not known")
    fmt, rest = args[0], args[1:]
    parts: list[Any] = []
    last = 0
    for m in _FORMAT.finditer(fmt):
        parts.append(fmt[last : m.start()])
        if m.group(0) == "{{":
            parts.append("{")
        elif m.group(0) == "}}":
            parts.append("}")
        else:
            i = int(m.group(1))
            parts.append(rest[i] if i < len(rest) else "")
        last = m.end()
    parts.append(fmt[last:])
    parts = [p for p in parts if p != ""]
    return join_text(parts or [""], ex.render(node))


@fn("tolower")
def _to_lower(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    if isinstance(args[0], Symbol):
        return args[0]
    return strict(lambda a, n, s: a[0].lower())(args, node, scope)


@fn("toupper")
def _to_upper(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    if isinstance(args[0], Symbol):
        return args[0]
    return strict(lambda a, n, s: a[0].upper())(args, node, scope)


@fn("string")
def _string(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    v = args[0]
    if isinstance(v, Symbol):
        return v
    u = deep_unknown(v)
    if u is not None:
        return Unk(f"{ex.render(node)}: {u.reason}")
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, int | float):
        return str(v)
    return json.dumps(v, separators=(",", ":"))


@fn("replace")
@strict
def _replace(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return args[0].replace(args[1], args[2])


@fn("split")
@strict
def _split(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    seps = args[1] if isinstance(args[1], list) else [args[1]]
    parts = [args[0]]
    for sep in seps:
        parts = [x for p in parts for x in p.split(sep)]
    return parts


@fn("join")
@strict
def _join(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    u = deep_unknown(args[0])
    if u:
        return Unk(f"{ex.render(node)}: {u.reason}")
    return args[1].join(str(x) for x in args[0])


@fn("substring")
@strict
def _substring(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    s = args[0]
    start = args[1] if len(args) > 1 else 0
    length = args[2] if len(args) > 2 else len(s) - start
    if start < 0 or length < 0 or start + length > len(s):
        return Unk(f"{ex.render(node)}: out of range")
    return s[start : start + length]


@fn("trim")
@strict
def _trim(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return args[0].strip()


@fn("startswith")
@strict
def _startswith(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return args[0].lower().startswith(args[1].lower())


@fn("endswith")
@strict
def _endswith(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return args[0].lower().endswith(args[1].lower())


@fn("indexof")
@strict
def _indexof(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    if isinstance(args[0], list):
        return args[0].index(args[1]) if args[1] in args[0] else -1
    return args[0].lower().find(args[1].lower())


@fn("lastindexof")
@strict
def _lastindexof(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    if isinstance(args[0], list):
        return len(args[0]) - 1 - args[0][::-1].index(args[1]) if args[1] in args[0] else -1
    return args[0].lower().rfind(args[1].lower())


@fn("padleft")
@strict
def _padleft(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    pad = args[2] if len(args) > 2 else " "
    return str(args[0]).rjust(args[1], pad)


@fn("uniquestring")
def _unique_string(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    u = _unknown_arg(args, node)
    if u:
        return u
    digest = hashlib.sha256("\x1f".join(str(text_of(a)) for a in args).encode()).digest()
    return base64.b32encode(digest).decode().lower()[:13]


@fn("guid")
def _guid(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    u = _unknown_arg(args, node)
    if u:
        return u
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "\x1f".join(str(text_of(a)) for a in args)))


@fn("base64")
@strict
def _base64(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return base64.b64encode(str(args[0]).encode()).decode()


@fn("uri")
@strict
def _uri(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    base, rel = args
    return (
        base.rsplit("/", 1)[0] + "/" + rel.lstrip("/") if not base.endswith("/") else base + rel.lstrip("/")
    )


@fn("utcnow", "newguid", "datetimeadd", "datetimefromepoch", "datetimetoepoch", "pickzones")
def _runtime(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return Unk(f"{ex.render(node)} is only known at deployment")


@fn("loadtextcontent", "loadjsoncontent", "loadyamlcontent", "loadfileasbase64", "getsecret")
def _loaders(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return Unk(f"{ex.render(node)} is not read by the linter")


# --- numbers, conversion --------------------------------------------------------------------


@fn("int")
@strict
def _int(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return int(args[0])


@fn("float")
@strict
def _float(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return float(args[0])


@fn("bool")
@strict
def _bool(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    v = args[0]
    if isinstance(v, str):
        if v.lower() in ("true", "false"):
            return v.lower() == "true"
        raise ValueError(v)
    return bool(v)


@fn("json")
@strict
def _json(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return json.loads(args[0])


@fn("any")
def _any(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return args[0] if args else None


def _arith(op: Callable[[Any, Any], Any]) -> Fn:
    @strict
    def f(args: list[Any], node: ex.Call, scope: Scope) -> Any:
        return op(args[0], args[1])

    return f


FUNCTIONS["add"] = _arith(lambda a, b: a + b)
FUNCTIONS["sub"] = _arith(lambda a, b: a - b)
FUNCTIONS["mul"] = _arith(lambda a, b: a * b)
FUNCTIONS["div"] = _arith(lambda a, b: int(a / b))
FUNCTIONS["mod"] = _arith(lambda a, b: a % b)


@fn("min")
@strict
def _min(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    values = args[0] if len(args) == 1 and isinstance(args[0], list) else args
    return min(values)


@fn("max")
@strict
def _max(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    values = args[0] if len(args) == 1 and isinstance(args[0], list) else args
    return max(values)


# --- arrays and objects -----------------------------------------------------------------------


@fn("createarray", "array")
def _create_array(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    if node.name.lower() == "array" and len(args) == 1:
        if is_unknown(args[0]):
            return Unk(f"{ex.render(node)}: {as_unk(args[0]).reason}")
        return args[0] if isinstance(args[0], list) else [args[0]]
    return list(args)


@fn("createobject")
def _create_object(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    out: dict[str, Any] = {}
    for k, v in zip(args[::2], args[1::2], strict=False):
        if not isinstance(k, str):
            return Unk(f"{ex.render(node)}: a key is not known")
        out[k] = v
    return out


@fn("length")
def _length(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    v = args[0]
    if is_unknown(v) or isinstance(v, Symbol):
        return Unk(f"{ex.render(node)} is not known")
    return len(v)


@fn("empty")
def _empty(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    v = args[0]
    if is_unknown(v) or isinstance(v, Symbol):
        return Unk(f"{ex.render(node)} is not known")
    return v is None or len(v) == 0


@fn("contains")
def _contains(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    container, item = args
    if is_unknown(container) or is_unknown(item) or isinstance(container, Symbol):
        return Unk(f"{ex.render(node)} is not known")
    if isinstance(container, dict):
        return isinstance(item, str) and item.lower() in (k.lower() for k in container)
    if isinstance(container, str):
        return isinstance(item, str) and item in container
    if any(is_unknown(x) for x in container):
        return True if item in container else Unk(f"{ex.render(node)} is not known")
    return item in container


@fn("first")
def _first(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    v = args[0]
    if is_unknown(v) or isinstance(v, Symbol):
        return Unk(f"{ex.render(node)} is not known")
    return v[0] if v else None


@fn("last")
def _last(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    v = args[0]
    if is_unknown(v) or isinstance(v, Symbol):
        return Unk(f"{ex.render(node)} is not known")
    return v[-1] if v else None


@fn("skip")
@strict
def _skip(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return args[0][max(args[1], 0) :]


@fn("take")
@strict
def _take(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    return args[0][: max(args[1], 0)]


@fn("range")
@strict
def _range(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    if args[1] > 10000:
        raise ValueError("range too large")
    return list(range(args[0], args[0] + args[1]))


@fn("union", "shallowmerge")
def _union(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    if node.name.lower() == "shallowmerge" and len(args) == 1 and isinstance(args[0], list):
        args = args[0]
    u = _unknown_arg(args, node)
    if u:
        return u
    if all(isinstance(a, dict) for a in args):
        out: dict[str, Any] = {}
        for a in args:
            for k, v in a.items():
                if node.name.lower() == "union" and isinstance(out.get(k), dict) and isinstance(v, dict):
                    out[k] = _union([out[k], v], node, scope)
                else:
                    out[k] = v
        return out
    if all(isinstance(a, list) for a in args):
        out_list: list[Any] = []
        for a in args:
            for x in a:
                if x not in out_list:
                    out_list.append(x)
        return out_list
    return Unk(f"{ex.render(node)}: arguments of different types")


@fn("intersection")
@strict
def _intersection(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    if all(isinstance(a, dict) for a in args):
        return {k: v for k, v in args[0].items() if all(k in a and a[k] == v for a in args[1:])}
    return [x for x in args[0] if all(x in a for a in args[1:])]


@fn("items")
def _items(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    v = args[0]
    if not isinstance(v, dict):
        return Unk(f"{ex.render(node)} is not known")
    return [{"key": k, "value": v[k]} for k in sorted(v, key=str.lower)]


@fn("objectkeys")
def _object_keys(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    v = args[0]
    return list(v) if isinstance(v, dict) else Unk(f"{ex.render(node)} is not known")


@fn("trygetvalue", "tryget")
def _try_get(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    """What Bicep's ``.?``/``[?]`` compile to: null when the object, key or index is missing."""
    value = args[0]
    for key in args[1:]:
        if value is None:
            return None
        if isinstance(value, dict) and isinstance(key, str):
            found = next((k for k in value if k.lower() == key.lower()), None)
            value = value[found] if found is not None else None
        elif isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool):
            value = value[key] if 0 <= key < len(value) else None
        else:
            value = index(value, key, node)
        if value is None or is_unknown(value):
            return value
    return value


@fn("flatten")
def _flatten(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    arrays = args[0]
    if is_unknown(arrays) or not isinstance(arrays, list):
        return Unk(f"{ex.render(node)} is not known")
    out: list[Any] = []
    for inner in arrays:
        if is_unknown(inner) or not isinstance(inner, list):
            return Unk(f"{ex.render(node)}: an item is not a known array")
        out.extend(inner)
    return out


@fn("indexfromend", "tryindexfromend")
def _index_from_end(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    target, n = args
    if is_unknown(target) or is_unknown(n) or not isinstance(target, list) or not isinstance(n, int):
        return Unk(f"{ex.render(node)} is not known")
    if 0 < n <= len(target):
        return target[len(target) - n]
    return None if node.name.lower() == "tryindexfromend" else Unk(f"{ex.render(node)}: out of range")


# --- lambdas (Bicep 'x => ...', ARM lambda('x', ...)) -----------------------------------------


@lazy("lambda")
def _lambda(node: ex.Call, scope: Scope) -> Any:
    if not node.args:
        return Unk("lambda() without a body")
    names = [eval_expr(a, scope) for a in node.args[:-1]]
    if not all(isinstance(n, str) for n in names):
        return Unk(f"{ex.render(node)}: lambda parameter names must be strings")
    return Closure(tuple(names), node.args[-1], scope)


@fn("lambdavariables")
def _lambda_variables(args: list[Any], node: ex.Call, scope: Scope) -> Any:
    if args and isinstance(args[0], str) and args[0] in scope.locals:
        return scope.locals[args[0]]
    return Unk(f"{ex.render(node)} outside its lambda")


LambdaFn = Callable[[Any, Closure, list[Any], ex.Call], Any]


def over_items(*names: str, want: type = list, lambda_at: int = -1) -> Callable[[LambdaFn], LambdaFn]:
    """Register a function that applies a lambda to the items of its first argument: it runs
    only with a known collection (of type ``want``) and a lambda (argument ``lambda_at``)."""

    def register(f: LambdaFn) -> LambdaFn:
        def checked(args: list[Any], node: ex.Call, scope: Scope) -> Any:
            items, function = args[0], args[lambda_at]
            if is_unknown(items):
                return Unk(f"{ex.render(node)}: {as_unk(items).reason}")
            if not isinstance(items, want) or not isinstance(function, Closure):
                return Unk(f"{ex.render(node)}: arguments are not a known {want.__name__} and a lambda")
            if len(items) > MAX_COPY:
                return Unk(f"{ex.render(node)}: too many items to evaluate")
            return f(items, function, args, node)

        for n in names:
            FUNCTIONS[n] = checked
        return f

    return register


@over_items("map")
def _map(items: list[Any], f: Closure, args: list[Any], node: ex.Call) -> Any:
    return [apply(f, [x, i]) for i, x in enumerate(items)]


@over_items("filter")
def _filter(items: list[Any], f: Closure, args: list[Any], node: ex.Call) -> Any:
    out = []
    for i, x in enumerate(items):
        keep = apply(f, [x, i])
        if keep is True:
            out.append(x)
        elif keep is not False:
            reason = as_unk(keep).reason if is_unknown(keep) else "the condition is not a boolean"
            return Unk(f"{ex.render(node)}: {reason}")
    return out


@over_items("reduce")
def _reduce(items: list[Any], f: Closure, args: list[Any], node: ex.Call) -> Any:
    if len(args) != 3:
        return Unk(f"{ex.render(node)}: reduce() takes an array, an initial value and a lambda")
    current = args[1]
    for i, x in enumerate(items):
        current = apply(f, [current, x, i])
    return current


@over_items("sort")
def _sort(items: list[Any], f: Closure, args: list[Any], node: ex.Call) -> Any:
    import functools

    unknown: list[Unk] = []

    def compare(a: Any, b: Any) -> int:
        before = apply(f, [a, b])
        if before is True:
            return -1
        if before is not False:
            unknown.append(as_unk(before) if is_unknown(before) else Unk("the comparison is not a boolean"))
        return 0 if apply(f, [b, a]) is not True else 1

    result = sorted(items, key=functools.cmp_to_key(compare))
    return Unk(f"{ex.render(node)}: {unknown[0].reason}") if unknown else result


def _keys_of(items: list[Any], key_of: Closure, node: ex.Call) -> list[str] | Unk:
    """The key lambda applied to every item (toObject, groupBy); Unk when a key is not a string."""
    keys = [apply(key_of, [x]) for x in items]
    if not all(isinstance(k, str) for k in keys):
        return Unk(f"{ex.render(node)}: a key is not known")
    return keys


@over_items("toobject", lambda_at=1)
def _to_object(items: list[Any], key_of: Closure, args: list[Any], node: ex.Call) -> Any:
    keys = _keys_of(items, key_of, node)
    if isinstance(keys, Unk):
        return keys
    value_of = args[2] if len(args) > 2 and isinstance(args[2], Closure) else None
    return {k: (apply(value_of, [x]) if value_of else x) for k, x in zip(keys, items, strict=True)}


@over_items("groupby")
def _group_by(items: list[Any], key_of: Closure, args: list[Any], node: ex.Call) -> Any:
    keys = _keys_of(items, key_of, node)
    if isinstance(keys, Unk):
        return keys
    out: dict[str, list[Any]] = {}
    for k, x in zip(keys, items, strict=True):
        out.setdefault(k, []).append(x)
    return out


@over_items("mapvalues", want=dict)
def _map_values(items: dict[str, Any], f: Closure, args: list[Any], node: ex.Call) -> Any:
    return {k: apply(f, [v]) for k, v in items.items()}


@lazy("nameof")
def _nameof(node: ex.Call, scope: Scope) -> Any:
    """Bicep ``nameof(symbol)`` / ``nameof(x.prop)``: the last name, known at compile time."""
    arg = node.args[0] if len(node.args) == 1 else None
    if isinstance(arg, ex.Ref):
        return arg.name.rsplit("::", 1)[-1]
    if isinstance(arg, ex.Prop):
        return arg.name
    return Unk(f"{ex.render(node)} is not a name")


# --- member access, indexing, names, operators ----------------------------------------------


def member(target: Any, name: str, node: Any, scope: Scope | None) -> Any:
    """``target.name``: resources, runtime references, imported namespaces and objects.

    Bicep's ``target.?name`` (``node.safe``) is null when the property or the target is; a plain
    ``.name`` of a missing property fails at deployment, so it is unknown here.
    """
    from linter.arm.template import ResourceHandle

    safe = getattr(node, "safe", False)
    if isinstance(target, ResourceHandle):
        if safe and target.instance is not None:  # res.?x of a resource that may not exist
            condition = target.instance.condition
            if isinstance(condition, Known) and condition.value is False:
                return None
            if isinstance(condition, Unknown):
                return Unk(f"{ex.render(node)}: {condition.reason}")
        return target.member(name)
    if isinstance(target, RefObj):
        from linter.arm.template import resolve_ref_member

        return resolve_ref_member(target, name, scope)
    if isinstance(target, Unk):
        return target
    if isinstance(target, Symbol):
        return Unk(f"{ex.render(node)}: {target.name} is only known at deployment")
    if isinstance(target, Namespace):
        home = target.home()
        if home is None:
            return Unk(f"{ex.render(node)}: imported from {target.source}, which the linter cannot read")
        return to_data(home.variable(name))
    if target is None and safe:
        return None
    if isinstance(target, dict):
        if name in target:
            return target[name]
        lowered = name.lower()
        for k, v in target.items():
            if k.lower() == lowered:
                return v
        if safe:
            return None
        return Unk(f"{ex.render(node)}: property '{name}' not found")
    return Unk(f"{ex.render(node)}: not an object")


def index(target: Any, idx: Any, node: Any) -> Any:
    """``target[idx]``; Bicep's ``[?idx]`` is null when missing, ``[^n]`` counts from the end."""
    from linter.arm.template import ResourceHandle

    safe = getattr(node, "safe", False)
    if is_unknown(idx):
        return Unk(f"{ex.render(node)}: index {as_unk(idx).reason}")
    if target is None and safe:
        return None
    if isinstance(target, list) and isinstance(idx, int) and not isinstance(idx, bool):
        if getattr(node, "from_end", False):
            idx = len(target) - idx
        if 0 <= idx < len(target):
            return target[idx]
        if safe:
            return None
        return Unk(f"{ex.render(node)}: index {idx} out of range")
    if safe and isinstance(target, dict) and isinstance(idx, str):
        return member(target, idx, node, None)
    if isinstance(target, dict | ResourceHandle | RefObj) and isinstance(idx, str):
        return member(target, idx, node, None)  # type: ignore[arg-type]
    if isinstance(target, Unk):
        return target
    if isinstance(target, RefObj):
        return target.child(str(idx))
    return Unk(f"{ex.render(node)} cannot be indexed")


def reference_name(name: str, scope: Scope) -> Any:
    """A Bicep identifier: loop variable, parameter, variable, resource or module."""
    from linter.arm.template import symbol_handle

    if name in scope.locals:
        bound = scope.locals[name]
        return use_value(bound, scope) if isinstance(bound, Value) else bound
    frame = scope.frame
    key = name.lower()
    if key in frame.params and frame.params[key].name == name:
        return use_value(frame.param(name), scope)
    if key in frame.variables:
        value = frame.variable(name)
        scope.vias.extend(getattr(value, "via", ()))
        return to_data(value)
    if name in frame.symbols:
        return symbol_handle(frame, name)
    if name in frame.namespaces:
        return frame.namespaces[name]
    if key in frame.params:
        return use_value(frame.param(name), scope)
    return Unk(f"'{name}' is not declared")


def operator(node: ex.Op, scope: Scope) -> Any:
    op = node.op
    if op == "?:":
        cond = eval_expr(node.args[0], scope)
        if cond is True:
            return eval_expr(node.args[1], scope)
        if cond is False:
            return eval_expr(node.args[2], scope)
        a, b = eval_expr(node.args[1], scope), eval_expr(node.args[2], scope)
        if not is_unknown(a) and _equal(a, b) is True:
            return a
        return Unk(f"{ex.render(node)}: condition not known")
    if op == "&&":
        return _and(ex.Call("and", node.args), scope)
    if op == "||":
        return _or(ex.Call("or", node.args), scope)
    if op == "??":
        first = eval_expr(node.args[0], scope)
        if is_unknown(first):
            return Unk(f"{ex.render(node)}: {as_unk(first).reason}")
        return first if first is not None else eval_expr(node.args[1], scope)
    args = [eval_expr(a, scope) for a in node.args]
    text = ex.render(node)
    if op == "!":
        return (not args[0]) if isinstance(args[0], bool) else Unk(f"{text} is not known")
    if op in ("==", "!=", "=~", "!~"):
        a, b = args
        if op in ("=~", "!~") and isinstance(a, str) and isinstance(b, str):
            r: bool | None = a.lower() == b.lower()
        else:
            r = _equal(a, b)
        if r is None:
            return Unk(f"{text} is not known")
        return r if op in ("==", "=~") else not r
    for a in args:
        if is_unknown(a) or isinstance(a, Symbol):
            return Unk(f"{text} is not known")
    try:
        if op == "neg":
            return -args[0]
        a, b = args
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return int(a / b)
        if op == "%":
            return a % b
        if op == "<":
            return a < b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        if op == ">=":
            return a >= b
    except (TypeError, ZeroDivisionError, ValueError):
        return Unk(f"{text} could not be evaluated")
    return Unk(f"operator {op} is not supported")
