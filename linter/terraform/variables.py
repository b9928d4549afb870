"""Input variables: where their values come from, in Terraform's order, and their type constraints.

Terraform loads root-module variable values from, later winning: ``TF_VAR_name`` environment
variables, ``terraform.tfvars``, ``terraform.tfvars.json``, ``*.auto.tfvars`` and
``*.auto.tfvars.json`` (lexical order of file names), then ``-var`` and ``-var-file`` in
command-line order. No other ``.tfvars`` file is a variable file (backend configuration files
often are named ``*.tfvars``). ``-var`` and environment values are literal strings unless the
variable's type is a collection or structure, in which case they are parsed as HCL expressions.

Every value, whichever its source, is then converted to the variable's type the way Terraform
does for what rules look at: ``optional(T, default)`` attributes of objects get their defaults,
``"true"``/``"3"`` become a bool/number for bool/number variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from linter.model import Known, Span, Unknown, UnknownInside, Value, known, to_plain
from linter.terraform import hcl
from linter.terraform.evaluate import EmptyScope, Evaluator

ENVIRONMENT_PREFIX = "TF_VAR_"
_COMPLEX_TYPES = ("list", "set", "map", "object", "tuple")


def is_variable_file(path: Path) -> bool:
    """Whether Terraform loads ``path`` as a variable file without being told to."""
    name = path.name
    return name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith(
        (".auto.tfvars", ".auto.tfvars.json")
    )


#: the variable files Terraform loads without being told to (globs for ``LoadContext.files_in``)
AUTOMATIC_PATTERNS = ("terraform.tfvars", "terraform.tfvars.json", "*.auto.tfvars", "*.auto.tfvars.json")


def automatic_variable_files(found: list[Path]) -> list[Path]:
    """``found`` (a directory's automatic variable files) in the order Terraform loads them."""
    fixed = {"terraform.tfvars": 0, "terraform.tfvars.json": 1}
    return sorted((p for p in found if is_variable_file(p)), key=lambda p: (fixed.get(p.name, 2), p.name))


def declared_type(block: hcl.Block) -> hcl.Expr | None:
    attr = block.body.attributes.get("type")
    return attr.expr if attr is not None else None


def from_environment(environment: Mapping[str, str], declared: Mapping[str, hcl.Block]) -> dict[str, Value]:
    """``TF_VAR_<name>`` for each declared variable (names are case-sensitive, as on Unix)."""
    out: dict[str, Value] = {}
    for name, block in declared.items():
        raw = environment.get(ENVIRONMENT_PREFIX + name)
        if raw is not None:
            out[name] = literal_value(raw, block, f"environment variable {ENVIRONMENT_PREFIX}{name}")
    return out


def literal_value(raw: str, block: hcl.Block, origin: str) -> Value:
    """A ``-var``/environment value: a string, or an HCL expression for collection/structural types."""
    type_expr = declared_type(block)
    if _type_name(type_expr) not in _COMPLEX_TYPES:
        return Known(raw)
    try:
        parsed = hcl.parse_hcl(Path(origin), f"v = {raw}\n")
    except hcl.HclError as e:
        return Unknown(f"{origin} is not a valid value: {e}")
    attr = parsed.body.attributes.get("v")
    if attr is None or len(parsed.body.attributes) != 1 or parsed.body.blocks:
        return Unknown(f"{origin} is not a single value")
    value = Evaluator(EmptyScope()).eval(attr.expr)
    try:
        return known(to_plain(value))  # positions inside the text of an option point at no file
    except UnknownInside as e:
        return Unknown(f"{origin}: {e.unknown.reason}")


def conform(value: Value, type_expr: hcl.Expr | None) -> Value:
    """``value`` converted to the type constraint the way Terraform does for known values."""
    if type_expr is None or not isinstance(value, Known) or value.value is None:
        return value
    name = _type_name(type_expr)
    if name == "bool" and isinstance(value.value, str) and value.value in ("true", "false"):
        return Known(value.value == "true", value.span, value.via)
    if name == "number" and isinstance(value.value, str):
        number = _number(value.value)
        return value if number is None else Known(number, value.span, value.via)
    if name == "string" and isinstance(value.value, bool | int | float):
        text = (
            ("true" if value.value else "false")
            if isinstance(value.value, bool)
            else _number_text(value.value)
        )
        return Known(text, value.span, value.via)
    if not isinstance(type_expr, hcl.Call) or not type_expr.args:
        return value
    inner = type_expr.args[0]
    if name in ("list", "set") and isinstance(value.value, list):
        return Known([conform(v, inner) for v in value.value], value.span, value.via)
    if name == "map" and isinstance(value.value, dict):
        return Known({k: conform(v, inner) for k, v in value.value.items()}, value.span, value.via)
    if name == "tuple" and isinstance(value.value, list) and isinstance(inner, hcl.TupleExpr):
        return Known(
            [conform(v, t) for v, t in zip(value.value, inner.items, strict=False)], value.span, value.via
        )
    if name == "object" and isinstance(value.value, dict) and isinstance(inner, hcl.ObjectExpr):
        return Known(_conform_object(value.value, inner, value.span), value.span, value.via)
    return value


def _conform_object(data: dict[str, Value], spec: hcl.ObjectExpr, span: Span | None) -> dict[str, Value]:
    """Declared attributes only; a missing ``optional(T, d)`` becomes ``d`` (null without ``d``)."""
    out: dict[str, Value] = {}
    for key_expr, attr_type in spec.items:
        key = _key(key_expr)
        if key is None:
            return data  # a key we cannot read: leave the object as it is
        optional = isinstance(attr_type, hcl.Call) and attr_type.name == "optional" and attr_type.args
        element_type = attr_type.args[0] if optional else attr_type  # type: ignore[union-attr]
        if key in data:
            out[key] = conform(data[key], element_type)
        elif optional:
            default = attr_type.args[1] if len(attr_type.args) > 1 else None  # type: ignore[union-attr]
            out[key] = (
                conform(Evaluator(EmptyScope()).eval(default), element_type)
                if default is not None
                else Known(None, span)
            )
    return out


def _key(expr: hcl.Expr) -> str | None:
    if isinstance(expr, hcl.Lit) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, hcl.Var):
        return expr.name
    return None


def _type_name(type_expr: hcl.Expr | None) -> str | None:
    if isinstance(type_expr, hcl.Var):
        return type_expr.name
    if isinstance(type_expr, hcl.Call):
        return type_expr.name
    return None


def _number(text: str) -> int | float | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return None


def _number_text(value: int | float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
